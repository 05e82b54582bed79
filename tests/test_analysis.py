"""Analysis at scale: identical results whatever the backend or worker count, resumable sweeps,
SALib against known indices, paired comparisons, and clear errors on bad specs."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml
from scenario_docs import scenario_from
from terminal import fits, text

from immsim.analysis.capacity import LEVERS, CapacityLevel, RequiredCapacity
from immsim.analysis.compare import compare
from immsim.analysis.effects import Effects, Rates
from immsim.analysis.montecarlo import bands, draw_tasks
from immsim.analysis.sensitivity import indices
from immsim.analysis.sweep import load_spec, run_sweep
from immsim.analysis.tasks import Task, execute, headline_rows
from immsim.analysis.uncertainty import Dist, parse_uncertainties
from immsim.cli import main
from immsim.errors import InputError

# the populations built inside the package shared with the session's (conftest)
pytestmark = pytest.mark.usefixtures("shared_builds")


def short(name: str = "short", regime: str = "sep2021", **extra: object):  # type: ignore[no-untyped-def]
    doc = {
        "name": name,
        "regime": regime,
        "start": "2021-10-01",
        "horizon_years": 1,
        "seed": 4,
        **extra,
    }
    return scenario_from(doc)


DISTS = {"flows.emigration_rate": Dist(dist="uniform", low=0.02, high=0.04)}


def frame(results: list[list[dict[str, object]]]) -> pl.DataFrame:
    return pl.DataFrame([row for result in results for row in result])


@pytest.fixture(scope="module")
def serial() -> pl.DataFrame:
    return frame(execute(draw_tasks(short(), 3, 9, DISTS)))


def test_pool_of_two_gives_the_same_runs(serial: pl.DataFrame) -> None:
    pooled = frame(execute(draw_tasks(short(), 3, 9, DISTS), workers=2))
    assert pooled.equals(serial)


def test_ray_local_gives_the_same_runs(serial: pl.DataFrame) -> None:
    ray = pytest.importorskip(
        "ray", reason="SKIPPED: Ray is not installed (pip install 'immsim[ray]')"
    )
    try:
        on_ray = frame(execute(draw_tasks(short(), 3, 9, DISTS), ray="local"))
    finally:
        ray.shutdown()
    assert on_ray.equals(serial)


def test_draws_differ_and_bands_are_ordered(serial: pl.DataFrame) -> None:
    removals = serial.filter(pl.col("metric") == "removals")["value"]
    assert removals.n_unique() == 3
    summary = bands(serial)
    assert (summary["p05"] <= summary["median"]).all() and (
        summary["median"] <= summary["p95"]
    ).all()
    assert set(summary["draws"]) == {3}


def test_run_draws_is_the_monte_carlo_of_the_scenarios_uncertainties(
    serial: pl.DataFrame, tmp_path: Path
) -> None:
    from immsim.analysis.montecarlo import run_draws

    uncertain = short(
        uncertainties={"flows.emigration_rate": {"dist": "uniform", "low": 0.02, "high": 0.04}}
    )
    result = run_draws(uncertain, 3, 9)
    assert result.rows.equals(serial)
    assert result.bands.equals(bands(serial))
    folder = result.save(tmp_path / "draws")
    assert pl.read_parquet(folder / "draws.parquet").equals(serial)
    assert pl.read_parquet(folder / "bands.parquet").equals(result.bands)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["draws"] == 3 and manifest["scenario"]["name"] == "short"


def test_each_outcome_is_reduced_per_year_as_it_is_declared() -> None:
    from immsim.engine.costs import COMPONENTS
    from immsim.engine.run import run as run_engine
    from immsim.outcomes import HEADLINES, by_year

    results = run_engine(short("yearly", regime="jan2025"))
    years = by_year(results)
    assert years.columns == ["fiscal_year", "weeks", *HEADLINES, "binding"]
    removed = results.breakdown.filter(
        (pl.col("stage") == "removed") & (pl.col("attribute") == "criminal_history")
    )
    for row in years.to_dicts():
        weeks = results.weekly.filter(pl.col("fiscal_year") == row["fiscal_year"]).sort("week")
        assert row["weeks"] == weeks.height
        assert row["arrests"] == float(weeks["arrests"].sum())  # a flow: summed
        assert row["detained"] == pytest.approx(float(weeks["detained"].mean()))  # type: ignore[arg-type]
        assert row["court_pending"] == float(weeks["court_pending"][-1])  # at the year's end
        assert row["cost"] == pytest.approx(sum(float(weeks[c].sum()) for c in COMPONENTS))
        assert row["cost"] > 0
        year = removed.filter(pl.col("fiscal_year") == row["fiscal_year"])
        none = float(year.filter(pl.col("level") == "none")["persons"].sum())
        assert row["convicted_share"] == pytest.approx(1 - none / float(year["persons"].sum()))
    # ICE's two definitions of "criminal": the same convicted people by either attribute, and
    # pending charges only ever add to them
    both = by_year(results, ("convicted_share", "criminal_share"))
    assert (both["criminal_share"] >= both["convicted_share"]).all()
    assert (both["criminal_share"] > both["convicted_share"]).any()
    convicted = (
        removed.filter(pl.col("level") != "none")
        .group_by("fiscal_year")
        .agg(pl.col("persons").sum())
    )
    by_criminality = (
        results.breakdown.filter(
            (pl.col("stage") == "removed")
            & (pl.col("attribute") == "criminality")
            & (pl.col("level") == "convicted")
        )
        .group_by("fiscal_year")
        .agg(pl.col("persons").sum())
    )
    assert convicted.sort("fiscal_year").equals(by_criminality.sort("fiscal_year"))
    # a Monte Carlo draw reports the same numbers
    rows = headline_rows(Task("t", short("yearly"), 1), results)
    for row in years.to_dicts():
        for metric in HEADLINES:
            (value,) = [
                r["value"]
                for r in rows
                if r["metric"] == metric and r["fiscal_year"] == row["fiscal_year"]
            ]
            assert value == pytest.approx(row[metric])


def test_comparing_a_scenario_with_itself_gives_zero_differences() -> None:
    result = compare([short("a"), short("b")], draws=2, seed=3)
    diffs = result["differences"]
    assert diffs.height > 0
    assert (diffs["median"] == 0).all() and (diffs["p05"] == 0).all() and (diffs["p95"] == 0).all()


def test_a_regime_change_shows_in_the_paired_difference() -> None:
    result = compare([short("a", regime="sep2021"), short("b", regime="jan2025")], draws=2, seed=3)
    arrests = result["differences"].filter(pl.col("metric") == "arrests")
    assert float(arrests["median"].sum()) > 0  # 2025 rules arrest more people than 2021's


def test_a_comparison_carries_each_years_costs_and_effects() -> None:
    from immsim.analysis.compare import effect_differences

    result = compare([short("a", regime="sep2021"), short("b", regime="jan2025")], draws=2, seed=3)
    runs = result["runs"]

    def value(frame: pl.DataFrame, metric: str, column: str = "value") -> list[float]:
        rows = frame.filter(pl.col("metric") == metric)
        return rows.sort(*[c for c in ("scenario", "draw", "fiscal_year") if c in rows.columns])[
            column
        ].to_list()

    # the cost in base-year dollars is the outcome deflated by the CPI-U (2024 = 313.689;
    # FY2022 at 2022's 292.655, FY2023 at 2023's 304.702)
    cpi = {2022: 292.655, 2023: 304.702}
    years = runs.filter(pl.col("metric") == "cost").sort("scenario", "draw", "fiscal_year")
    expected = [
        v * 313.689 / cpi.get(y, 313.689)
        for v, y in zip(years["value"], years["fiscal_year"], strict=True)
    ]
    assert value(runs, "cost_constant") == pytest.approx(expected)
    # families: CMS's 0.431 households per removal, Pew's 1.125 children per parent
    assert value(runs, "mixed_status_households") == pytest.approx(
        [0.431 * v for v in value(runs, "removals_interior")]
    )
    assert value(runs, "usc_children") == pytest.approx([1.125 * v for v in value(runs, "parents")])
    # paired: the difference in households is CMS's rate times the difference in removals
    diffs = result["differences"]
    assert value(diffs, "mixed_status_households", "median") == pytest.approx(
        [0.431 * v for v in value(diffs, "removals_interior", "median")]
    )
    year, found = effect_differences(diffs)
    assert year == int(diffs["fiscal_year"].max())
    by_metric = {d.metric: d for d in found}
    # each difference follows its driver: GDP lost with the workers gone, at CAP's long-run
    # output per worker between the studies' ends; children with the parents removed
    workers, output = by_metric["workers"].median, by_metric["output_lost"].median
    assert workers != 0 and output * workers > 0
    low, high = by_metric["output_lost"].studies or (0.0, 0.0)
    assert low < output < high
    assert by_metric["usc_children"].median == pytest.approx(1.125 * by_metric["parents"].median)
    assert by_metric["parents"].studies is None  # counted, not a study rate
    # the labour market's responses (Penn Wharton 2025), in percent of the wage: more people
    # gone lowers the average wage and raises authorized low-skilled wages, between the
    # studies' ends, and a difference in removals moves them the same way as the workers
    wage, low_skilled = by_metric["average_wage_change"], by_metric["low_skilled_wage_change"]
    assert wage.unit == "% of the wage" and wage.median * workers < 0 < low_skilled.median * workers
    ends = sorted(wage.studies or (0.0, 0.0))
    assert ends[0] <= wage.median <= ends[1] and ends[0] < ends[1]


# --- sweeps -----------------------------------------------------------------------------------


def spec_file(tmp_path: Path, **changes: object) -> Path:
    spec = {
        "name": "t",
        "scenario": "s.yaml",
        "levers": {"enforcement.ero_deportation_officers": [3000, 9000]},
        "uncertainties": {"flows.emigration_rate": {"dist": "uniform", "low": 0.02, "high": 0.04}},
        "draws": 2,
        "seed": 5,
        **changes,
    }
    (tmp_path / "s.yaml").write_text(
        "name: s\nregime: sep2021\nstart: 2021-10-01\nhorizon_years: 1\nseed: 4\n", encoding="utf-8"
    )
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def test_sweep_resumes_after_an_interruption(tmp_path: Path) -> None:
    path = spec_file(tmp_path)
    whole = run_sweep(path, tmp_path / "whole")
    assert whole.runs == 4 and whole.ran == 4
    assert whole.results == tmp_path / "whole" / "results.parquet"
    expected = pl.read_parquet(tmp_path / "whole" / "results.parquet")
    assert set(expected["lever:enforcement.ero_deportation_officers"]) == {3000.0, 9000.0}

    class Killed(Exception):
        pass

    def kill_after_two(done: int, total: int) -> None:
        if done == 2:
            raise Killed

    with pytest.raises(Killed):
        run_sweep(path, tmp_path / "cut", progress=kill_after_two)
    assert len(list((tmp_path / "cut" / "parts").glob("*.parquet"))) == 2
    assert not (tmp_path / "cut" / "results.parquet").exists()
    again = run_sweep(path, tmp_path / "cut")
    assert again.resumed == 2 and again.ran == 2
    assert pl.read_parquet(tmp_path / "cut" / "results.parquet").equals(expected)
    # more officers, more arrests, in every draw
    arrests = expected.filter(pl.col("metric") == "arrests").sort("draw")
    low = arrests.filter(pl.col("lever:enforcement.ero_deportation_officers") == 3000)["value"]
    high = arrests.filter(pl.col("lever:enforcement.ero_deportation_officers") == 9000)["value"]
    assert (high.to_numpy() > low.to_numpy()).all()


def test_a_different_sweep_will_not_resume_into_a_folder(tmp_path: Path) -> None:
    run_sweep(spec_file(tmp_path, draws=1), tmp_path / "out")
    with pytest.raises(InputError, match="different sweep"):
        run_sweep(spec_file(tmp_path, draws=2), tmp_path / "out")


def test_typed_results_give_the_json_the_cli_printed(tmp_path: Path) -> None:
    """`sweep`, `sensitivity` and `capacity --json` print as_dict(): the keys, their order and
    the JSON types are those the commands printed when the answers were dicts."""
    from immsim.analysis.sensitivity import Influence, ParameterIndices, SensitivityReport
    from immsim.analysis.sweep import SweepResult

    spec, scenario, _ = load_spec(spec_file(tmp_path))
    sweep = SweepResult(spec, scenario, 4, 1, 3, tmp_path / "results.parquet").as_dict()
    assert list(sweep) == ["name", "spec", "scenario", "runs", "resumed", "ran", "results"]
    assert sweep["spec"] == spec.model_dump(mode="json") and sweep["scenario"]["name"] == "s"
    assert sweep["results"] == str(tmp_path / "results.parquet")

    varied = Influence((ParameterIndices("a", {"mu_star": 2.0, "sigma": 1.0}),), "a drives it.")
    report = SensitivityReport("morris", 6, ["a"], {"arrests": Influence(), "removals": varied})
    assert json.loads(json.dumps(report.as_dict())) == {
        "method": "morris",
        "runs": 6,
        "parameters": ["a"],
        "outputs": {
            "arrests": {"constant": True, "ranking": []},
            "removals": {
                "indices": [{"parameter": "a", "mu_star": 2.0, "sigma": 1.0}],
                "ranking": ["a"],
                "summary": "a drives it.",
            },
        },
    }

    answer = _capacity_answer(500_000.0).as_dict()
    assert list(answer) == [
        "goal",
        "counted",
        "met",
        "stopped",
        "measured_over",
        "removals_per_year",
        "capacities",
        "binding",
        "binding_share_of_weeks",
        "cost_per_year",
        "cost_by_component",
        "cost_band",
        "cost_bands",
        "effects",
        "used_at_peak",
        "volumes",
        "runs",
        "trials",
    ]
    assert answer["capacities"]["beds"] == {
        "key": "detention.funded_beds",
        "start": 100_000.0,
        "required": 100_000.0,
    }
    assert answer["runs"] == 0 and answer["trials"] == []


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"levers": {"no.such.key": [1, 2]}}, "unknown lever"),
        ({"levers": {"courts.immigration_judges": []}}, "has no values"),
        ({"design": {"sample": "lhs", "n": 4}}, "needs ranges"),
        (
            {"levers": {"courts.immigration_judges": {"low": 500, "high": 900}}},
            "a grid needs lists",
        ),
        (
            {
                "uncertainties": {
                    "flows.emigration_rate": {"dist": "uniform", "low": 0.05, "high": 0.01}
                }
            },
            "low",
        ),
        (
            {"uncertainties": {"flows.emigration_rate": {"dist": "normal", "mean": 0.03}}},
            "needs sd",
        ),
        ({"draws": 0}, "draws"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_bad_sweep_specs_are_clear(
    tmp_path: Path, changes: dict[str, object], fragment: str
) -> None:
    with pytest.raises(InputError) as err:
        load_spec(spec_file(tmp_path, **changes))
    assert fragment in str(err.value)


def test_latin_hypercube_design_covers_the_ranges(tmp_path: Path) -> None:
    from immsim.analysis.sweep import design_points

    spec, _, _ = load_spec(
        spec_file(
            tmp_path,
            levers={"courts.immigration_judges": {"low": 300, "high": 900}},
            design={"sample": "lhs", "n": 10},
        )
    )
    values = sorted(p["courts.immigration_judges"] for p in design_points(spec))
    assert len(values) == 10 and 300 <= values[0] < 360 and 840 < values[-1] <= 900
    # one value in each tenth of the range
    assert sorted(int((v - 300) // 60) for v in values) == list(range(10))


# --- sensitivity -------------------------------------------------------------------------------


def test_sobol_recovers_the_ishigami_indices() -> None:
    from SALib.sample import sobol as sobol_sample

    prob = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    x = sobol_sample.sample(prob, 1024, calc_second_order=False, seed=1)
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    rows, score = indices(prob, x, y, "sobol", seed=1)
    got = {r.parameter: r.values for r in rows}
    # analytic values for a = 7, b = 0.1
    assert got["x1"]["S1"] == pytest.approx(0.314, abs=0.05)
    assert got["x2"]["S1"] == pytest.approx(0.442, abs=0.05)
    assert got["x3"]["S1"] == pytest.approx(0.0, abs=0.05)
    assert got["x3"]["ST"] == pytest.approx(0.244, abs=0.05)
    assert score == "ST" and rows[0].parameter in ("x1", "x2")
    assert all(r.values["ST_conf"] > 0 for r in rows)


def test_morris_ranks_a_dominant_input_first() -> None:
    from SALib.sample import morris as morris_sample

    prob = {"num_vars": 3, "names": ["big", "small", "none"], "bounds": [[0, 1]] * 3}
    x = morris_sample.sample(prob, 20, num_levels=4, seed=2)
    y = 10 * x[:, 0] + x[:, 1]
    rows, _ = indices(prob, x, y, "morris", seed=2)
    assert [r.parameter for r in rows] == ["big", "small", "none"]
    assert rows[2].values["mu_star"] == pytest.approx(0.0, abs=1e-9)


def test_uncertainty_parsing_errors_name_the_key() -> None:
    from immsim.parameters import load_baseline

    with pytest.raises(InputError, match="unknown parameter"):
        parse_uncertainties({"nope": {"dist": "uniform", "low": 0, "high": 1}}, load_baseline())
    with pytest.raises(InputError, match="mode"):
        parse_uncertainties(
            {"flows.emigration_rate": {"dist": "triangular", "low": 0, "mode": 2, "high": 1}},
            load_baseline(),
        )


# --- command line -----------------------------------------------------------------------------


def test_cli_run_draws_and_compare(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    a = tmp_path / "a.yaml"
    a.write_text(
        "name: a\nregime: sep2021\nstart: 2021-10-01\nhorizon_years: 1\nseed: 4\n"
        "uncertainties:\n  flows.emigration_rate: {dist: uniform, low: 0.02, high: 0.04}\n",
        encoding="utf-8",
    )
    b = tmp_path / "b.yaml"
    b.write_text(
        "name: b\nregime: jan2025\nstart: 2021-10-01\nhorizon_years: 1\nseed: 4\n", encoding="utf-8"
    )
    # in this process (the pool gives the same runs: test_pool_of_two_gives_the_same_runs), so
    # its builds are the session's rather than one per spawned worker
    one = ["--workers", "1"]
    assert main(["run", str(a), "--draws", "3", *one, "--out", str(tmp_path / "d"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {row["draws"] for row in out["bands"]} == {3}
    assert (tmp_path / "d" / "draws.parquet").is_file()
    compare = ["compare", str(a), str(b), "--draws", "2", *one, "--out", str(tmp_path / "c")]
    assert main([*compare, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {row["scenario"] for row in data["differences"]} == {"b"}
    assert main(["compare", str(a), "--draws", "2"]) == 2
    assert "at least two" in capsys.readouterr().err


def test_sweep_and_sensitivity_tables_fit_80_columns(tmp_path: Path, capsys, terminal80) -> None:  # type: ignore[no-untyped-def]
    levers = {
        "enforcement.ero_deportation_officers": [3000, 9000],
        "courts.immigration_judges": [500],
    }
    spec = spec_file(tmp_path, levers=levers)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "sw"), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    fits(out)
    words = text(out)
    results = pl.read_parquet(tmp_path / "sw" / "results.parquet")
    last = results.filter(pl.col("fiscal_year") == results["fiscal_year"].max())
    for point, officers in enumerate(levers["enforcement.ero_deportation_officers"]):
        mine = last.filter(pl.col("point") == point)
        arrests = mine.filter(pl.col("metric") == "arrests")["value"].median()
        cost = mine.filter(pl.col("metric") == "cost")["value"].median()
        # the levers in the spec file's order (spec_file writes its keys sorted)
        assert f"{point} 500 {officers:,} {arrests:,.0f}" in words, point  # type: ignore[str-format]
        assert f"{cost / 1e6:,.0f}" in words  # type: ignore[operator]
    assert main(["sensitivity", str(spec), "--n", "2", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    fits(out)
    assert "flows." in out and "  emigration_rate" in out and "mu_star" in out
    assert "driven most by flows.emigration_rate" in text(out)


# --- required capacity ------------------------------------------------------------------------


def test_required_capacity_relieves_what_binds() -> None:
    from immsim.analysis.capacity import required_capacity
    from immsim.engine.run import run as run_engine

    # FY2019: a year without the pandemic's limits on beds and non-detained hearings (2020-2023),
    # under which judges bind by policy and more of them barely raise removals. With the record's
    # stays (a detained case waits 22.5 weeks for a hearing) beds bind 47 weeks of 52; officers
    # and judges bind every week and are cheaper, but raising them hardly moves removals, so
    # the search judges them futile by their elasticity and reaches the beds within 12 runs
    scenario = short("cap", regime="jan2025", start="2018-10-01")
    base = run_engine(scenario).weekly
    baseline = float(base["removals"].sum())
    result = required_capacity(scenario, goal=baseline * 1.3, max_runs=12)
    assert result.met and result.removals_per_year >= baseline * 1.3
    grown = [n for n, c in result.capacities.items() if c.required > c.start]
    assert "beds" in grown, "meeting a higher goal needs more of the beds that bind"
    assert result.cost_per_year > 0 and result.runs <= 12


def test_an_impossible_goal_is_reported_not_met() -> None:
    from immsim.analysis.capacity import required_capacity

    calls: list[tuple[int, int]] = []
    result = required_capacity(
        short("cap2"), goal=1e9, max_runs=3, progress=lambda n, total: calls.append((n, total))
    )
    assert result.met is False and result.runs == 3
    assert calls == [(1, 3), (2, 3), (3, 3)]  # runs done out of the most allowed
    assert result.stopped in ("run limit", "no relief helps")
    # out of reach, the answer is the run that removed the most (within the trim's tolerance),
    # not the last one tried
    most = max(t.removals for t in result.trials)
    assert result.removals_per_year >= 0.99 * most
    assert [list(t) for t in result.as_dict()["trials"]] == [
        ["levels", "removals", "cost", "binding"]
    ] * 3
    with pytest.raises(InputError, match="positive"):
        required_capacity(short("cap3"), goal=0)


FIGURES_HEADER = "metric,period,value,unit,source_title,source_url_or_doc,note\n"


def _figures_file(folder: Path, rows: tuple[str, ...]) -> Path:
    """A published-figures file of ``rows`` (metric, period, value, unit), as the data holds."""
    figures = folder / "figures.csv"
    figures.write_text(FIGURES_HEADER + "".join(f"{r},study,u,\n" for r in rows), encoding="utf-8")
    return figures


def _capacity_answer(removals: float, **costs: float) -> RequiredCapacity:
    """A required-capacity answer with round numbers, to check the restatements by hand."""
    cost = {"cost_arrest": 1e9, "cost_detention": 4e9, "cost_court": 1e9, "cost_removal": 5e8}
    cost.update(costs)
    return RequiredCapacity(
        goal=removals,
        counted="removals",
        met=True,
        stopped="goal met",
        measured_over="last year",
        removals_per_year=removals,
        cost_per_year=sum(cost.values()),
        cost_by_component=cost,
        capacities={
            name: CapacityLevel(LEVERS[name][0], start=value, required=value)
            for name, value in (
                ("officers", 20_000.0),
                ("beds", 100_000.0),
                ("judges", 2_000.0),
                ("seats", 270_000.0),
            )
        },
        binding="none",
        binding_share_of_weeks={},
        used_at_peak={},
        trials=(),
        volumes={
            "arrests": 400_000.0,
            "detained_average": 80_000.0,
            "removals_air": 200_000.0,
            "removals_land": 200_000.0,
            "removals_border": 100_000.0,
            "removals_summary": 150_000.0,
            "completions": 300_000.0,
            "officer_hours": 20_000.0 * 200,
            "officer_hours_used": 20_000.0 * 180,
        },
    )


def test_published_estimates_are_restated_on_the_models_basis(tmp_path: Path) -> None:
    import datetime as dt

    from immsim.analysis.published import compare_published
    from immsim.parameters import load_baseline

    figures = tmp_path / "figures.csv"
    figures.write_text(
        FIGURES_HEADER
        + "model_aic2024_annual_cost_1M_per_year,per year,88000,USD millions,AIC,u,\n"
        + "model_aic2024_component_detention,per year,66000,USD millions,AIC,u,\n"
        + "model_aic2024_component_arrest,per year,7000,USD millions,AIC,u,\n"
        + "model_cap2010_cost_per_deportation,2008$,23482,USD/removal,CAP,u,\n"
        + "model_aaf2016_detention_beds_needed,2 years,348831,beds,AAF,u,\n"
        + "model_aic2024_gdp_loss_share,annual,0.042-0.068,share of GDP,AIC,u,\n"
        + "ice_removals_total,FY2019,267258,persons,ICE,u,\n",
        encoding="utf-8",
    )
    tree = load_baseline()
    start = dt.date(2026, 10, 1)  # CPI-U: the 2024 average is the latest in the tree
    rows = {
        c.metric: c for c in compare_published(_capacity_answer(500_000.0), tree, start, figures)
    }
    # a range and a non-model row are not estimates to compare; nor are absent metrics
    assert set(rows) == {
        "model_aic2024_annual_cost_1M_per_year",
        "model_aic2024_component_detention",
        "model_aic2024_component_arrest",
        "model_cap2010_cost_per_deportation",
        "model_aaf2016_detention_beds_needed",
    }
    # half a million removals a year is half of AIC's million, in the same (2024) dollars
    assert rows["model_aic2024_annual_cost_1M_per_year"].restated == pytest.approx(44e9)
    assert rows["model_aic2024_annual_cost_1M_per_year"].ours == pytest.approx(6.5e9)
    # CAP's 2008 dollars in 2024 dollars: CPI-U 313.689 / 215.303
    cap = rows["model_cap2010_cost_per_deportation"]
    assert cap.restated == pytest.approx(23482 * 313.689 / 215.303)
    assert cap.ours == pytest.approx(6.5e9 / 500_000)
    # AAF removes 11.3 million in two years, 5.65 million a year
    beds = rows["model_aaf2016_detention_beds_needed"]
    assert beds.restated == pytest.approx(348831 * 500_000 / 5.65e6)
    assert beds.ratio == pytest.approx(100_000 / (348831 * 500_000 / 5.65e6))
    # the gap is traced to the component that makes most of it, with the run's numbers
    total = rows["model_aic2024_annual_cost_1M_per_year"]
    assert total.why.startswith("Detention is the largest part")
    # the bed-day the run paid: $165 for adults, 2.38 times it for the 1.55% held as families
    bed_day = 165 * (1 + 0.0155 * 1.38)
    ours_days = 4e9 / bed_day / 500_000
    assert f"{ours_days:,.0f}" in rows["model_aic2024_component_detention"].why
    officers = rows["model_aic2024_component_arrest"]
    assert (
        f"{7000e6 * 0.5 / float(tree.get('enforcement.effort.cost_per_officer_year', start)):,.0f}"
        in officers.why
    )
    assert "20.0 arrests an officer-year" in officers.why

    # an answer whose arrests dominate the gap names arrests instead
    again = compare_published(
        _capacity_answer(500_000.0, cost_detention=33e9, cost_arrest=0.0), tree, start, figures
    )
    assert again[0].why.startswith("Arrests are the largest part")

    # a goal counted in interior removals is restated on all removals, as the studies count
    answer = _capacity_answer(400_000.0)
    interior = replace(answer, volumes={**answer.volumes, "removals": 500_000.0})
    restated = compare_published(interior, tree, start, figures)
    assert restated[0].restated == pytest.approx(44e9)


def test_capacity_command_sets_published_estimates_beside_the_answer(
    shared_data: Path, tmp_path: Path, capsys, terminal80
) -> None:  # type: ignore[no-untyped-def]
    figures = shared_data / "published_figures.csv"
    if not figures.is_file():
        pytest.skip(f"SKIPPED: {figures} not found")
    path = tmp_path / "s.yaml"
    doc = {"name": "capcli", "regime": "jan2025", "start": "2021-10-01", "horizon_years": 1}
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    args = ["capacity", str(path), "--goal", "400000", "--years", "1", "--max-runs", "2"]
    assert main([*args, "--figures", str(figures), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    studies = {row["study"] for row in data["published"]}
    assert {"AIC 2024", "CAP 2010", "AAF 2016", "Penn Wharton 2025"} <= studies
    for row in data["published"]:
        assert row["restated"] > 0 and row["why"]
        assert row["ratio"] == pytest.approx(row["ours"] / row["restated"])
    assert main([*args, "--figures", str(figures)]) == 0
    out = capsys.readouterr().out
    fits(out)  # on an 80-column terminal, every number whole
    words = text(out)
    assert "Why each differs" in words and "AIC 2024" in words and "Penn Wharton" in words
    for name, level in data["capacities"].items():
        assert f"{name} {level['start']:,.0f} {level['required']:,.0f}" in words
    for row in data["published"]:
        assert f"{row['restated']:,.0f} {row['unit']}" in out, row  # whole, on one line
        assert f"{row['ours']:,.0f}" in out and f"{row['ratio']:.2f}" in out
    assert "Not shown at this width: as published" in words
    assert main([*args, "--figures", str(figures), "--wide"]) == 0
    wide = capsys.readouterr().out
    assert "as published" in wide and "Not shown" not in wide
    row = data["published"][0]
    assert f"{row['published']:,.0f} {row['published_unit']}" in wide


def test_everyone_in_n_years_sets_an_interior_goal(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from immsim.engine.run import population_seed
    from immsim.population.build import build_population

    path = tmp_path / "s.yaml"
    doc = {"name": "everyone", "regime": "jan2025", "start": "2021-10-01", "horizon_years": 1}
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    args = ["capacity", str(path), "--everyone-in", "10", "--years", "1", "--max-runs", "1"]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    scenario = short("everyone", regime="jan2025")
    seed = population_seed(scenario.seed)  # the population `immsim run` builds
    people = build_population(scenario.parameters(), scenario.start, seed=seed).total
    assert data["counted"] == "removals_interior"
    assert data["goal"] == pytest.approx(people / 10)
    assert data["population_at_start"] == people and data["everyone_in_years"] == 10
    assert data["removals_per_year"] == pytest.approx(data["volumes"]["removals_interior"])
    assert data["stopped"] == "run limit" and not data["met"]
    assert main([*args, "--everyone-in", "0"]) == 2  # out of range: a clear error


def test_fitted_distributions_follow_the_calibration_interval() -> None:
    from immsim.parameters import load_baseline

    tree = load_baseline()
    key = "enforcement.effort.share_on_arrests"  # a share, fitted with an interval
    entry = tree.leaf(key).values[-1]
    assert entry.interval_90 is not None
    dist = parse_uncertainties({key: {"dist": "fitted"}}, tree)[key]
    rng = np.random.default_rng(0)
    draws = np.array([dist.sample(rng) for _ in range(4000)])
    low, high = entry.interval_90
    assert np.all((draws > 0) & (draws < 1))  # a share stays a share
    assert np.median(draws) == pytest.approx(float(entry.value), rel=0.05)
    inside = np.mean((draws >= low) & (draws <= high))
    assert 0.86 < inside < 0.94
    with pytest.raises(InputError, match="no fitted interval"):
        parse_uncertainties({"flows.emigration_rate": {"dist": "fitted"}}, tree)


def test_draws_that_vary_non_population_parameters_share_one_population(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import immsim.engine.run as run_module
    from immsim.analysis import tasks as task_module

    calls = []
    real = run_module.build_population

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    # where a draw's national population is built (engine.run.scenario_population, by way of
    # prepare): every request for one is counted there
    monkeypatch.setattr(run_module, "build_population", counting)
    task_module._POPULATIONS.clear()
    execute(draw_tasks(short("pop"), 3, 3, DISTS))  # the emigration rate differs per draw
    assert len(calls) == 1
    population_dists = {
        "population.composition.known_share_of_others": Dist(dist="uniform", low=0.1, high=0.2)
    }
    execute(draw_tasks(short("pop2"), 2, 3, population_dists))  # these change the population
    assert len(calls) == 3


def test_required_capacity_is_priced_with_capital_a_band_and_effects() -> None:
    import dataclasses
    import datetime as dt

    from immsim.analysis.capacity import _priced
    from immsim.parameters import load_baseline

    tree = load_baseline()
    start = dt.date(2026, 10, 1)
    answer = _capacity_answer(500_000.0)
    beds = answer.capacities["beds"]
    answer = dataclasses.replace(
        answer,
        capacities={
            **answer.capacities,
            "beds": CapacityLevel(beds.key, start=100_000.0, required=139_000.0),
        },
        volumes={
            **answer.volumes,
            "removals_interior": 400_000.0,
            "parents_of_usc_removed": 80e3,
            "voluntary_returns": 50e3,
        },
    )
    priced = _priced(answer, tree, start, people=4.5e6)
    # 39,000 new beds at $140,800 (Conroe's $110,000 of 2017 in 2024 dollars) over 39 years
    assert priced.cost_by_component["cost_capital"] == pytest.approx(39_000 * 140_800 / 39)
    assert priced.cost_per_year == pytest.approx(6.5e9 + 39_000 * 140_800 / 39)
    # its band: Karnes's $72,900 a bed to ICE's 2026 plan's $435,000
    capital = priced.cost_bands["cost_capital"]
    assert (capital.low, capital.high) == pytest.approx(
        (39_000 * 72_900 / 39, 39e3 * 435e3 / 39), rel=0.02
    )
    # each component's band is its unit costs' interval: the officers' $1 billion with the
    # officer-year's $139,100-$295,000 around $179,200; detention's $4 billion with the
    # bed-day's $152-$224.50 around $165 (FY2025)
    bands = priced.cost_bands
    assert (bands["cost_arrest"].low, bands["cost_arrest"].high) == pytest.approx(
        (1e9 * 139_100 / 179_200, 1e9 * 295_000 / 179_200), rel=0.02
    )
    assert (bands["cost_detention"].low, bands["cost_detention"].high) == pytest.approx(
        (4e9 * 152 / 165, 4e9 * 224.5 / 165), rel=0.02
    )
    # the total's band is the draws' sum, inside the sum of the components' ends
    low, high = priced.cost_band
    assert (low, high) == (bands["total"].low, bands["total"].high)
    parts = [b for name, b in bands.items() if name != "total"]
    assert sum(b.low for b in parts) < low < priced.cost_per_year < high
    assert high < sum(b.high for b in parts)
    assert priced.effects is not None
    assert priced.effects.removed == 400_000.0 and priced.effects.parents == 80e3
    assert priced.effects.left == 50e3  # voluntary returns leave the workforce too
    # 450,000 gone of the 4.5 million at the start: a tenth of PWBM's 1.7% fall in the wage
    assert priced.effects.average_wage_change.central == pytest.approx(-0.0017)
    # fewer beds than today build nothing
    fewer = dataclasses.replace(
        answer,
        capacities={
            **answer.capacities,
            "beds": CapacityLevel(beds.key, start=100_000.0, required=60_000.0),
        },
    )
    assert _priced(fewer, tree, start).cost_by_component["cost_capital"] == 0.0


def test_each_studys_gap_is_traced_to_its_components(tmp_path: Path) -> None:
    import datetime as dt

    from immsim.analysis.published import trace_assumptions
    from immsim.parameters import load_baseline

    rows = (
        "model_cap2010_cost_per_deportation,2008$,23482,USD/removal",
        "model_cap2010_cost_per_apprehension,FY2008,18310,USD/apprehension",
        "model_cap2010_detention_cost_per_person_30d,FY2008,3355,USD/person",
        "model_cap2010_cost_per_proceeding,FY2008,817,USD/proceeding",
        "model_aic2024_component_removal,per year,2100,USD millions",
        "model_aic2024_component_arrest,per year,7000,USD millions",
    )
    figures = _figures_file(tmp_path, rows)
    tree, start = load_baseline(), dt.date(2026, 10, 1)
    answer = _capacity_answer(500_000.0, cost_atd=1e8)
    answer = replace(answer, volumes={**answer.volumes, "removals": 500_000.0})
    traces = trace_assumptions(answer, tree, start, figures)
    by = {(t.study, t.component): t for t in traces}
    cap = 313.689 / 215.303  # CAP's 2008 dollars in 2024's (CPI-U)
    # CAP's transport is the rest of its $23,482: 23,482 - 18,310 - 3,355 - 817 = $1,000 (p. 11)
    assert by["CAP 2010", "transport"].theirs == pytest.approx(1_000 * cap)
    # the model's detention: $4 billion over 500,000 removals
    assert by["CAP 2010", "detention"].ours == pytest.approx(8_000)
    assert by["CAP 2010", "detention"].effect == pytest.approx((3_355 * cap - 8_000) * 500_000)
    # AIC's million-a-year components (the tree's, from its report) over its million removals
    # are dollars a removal, already in 2024 dollars
    assert by["AIC 2024", "detention"].theirs == pytest.approx(66_000)
    assert by["AIC 2024", "transport"].theirs == pytest.approx(2_100)
    assert "$17,000 a flight hour" in by["AIC 2024", "transport"].assumption
    assert "$6,653" in by["AIC 2024", "arrest"].assumption
    assert "$87.7 billion of its $88 billion" in by["AIC 2024", "other"].assumption
    # the restated comparisons name the report's own unit costs beside the model's
    from immsim.analysis.published import compare_published

    why = {c.metric: c.why for c in compare_published(answer, tree, start, figures)}
    assert "$17,000 a flight hour" in why["model_aic2024_component_removal"]
    assert "arrest at large at $6,653" in why["model_aic2024_component_arrest"]
    # what the model prices apart (here $0.1 billion of ATD) counts against each study
    assert by["AIC 2024", "other"].effect == pytest.approx(-1e8)
    # a study's effects add up to its restated total less the model's
    model = sum(answer.cost_by_component.values())
    cap_total = sum(t.effect for t in traces if t.study == "CAP 2010")
    assert cap_total == pytest.approx(23_482 * cap * 500_000 - model)
    aic_total = sum(t.effect for t in traces if t.study == "AIC 2024")
    assert aic_total == pytest.approx((7_000 + 66_000 + 12_600 + 2_100) * 500_000 - model)


def test_penn_wharton_and_aaf_are_restated_on_the_runs_basis(tmp_path: Path) -> None:
    import datetime as dt

    from immsim.analysis.effects import Band
    from immsim.analysis.published import compare_published, trace_assumptions
    from immsim.parameters import load_baseline

    rows = (
        "model_pwbm2025_cost_per_deportee,2025,70236,USD/deportee",
        "model_pwbm2025_gdp_effect_10yr_policy,2034,-0.033,share of GDP",
        "model_aaf2016_apprehension_personnel,2-yr removal,90582,positions",
        "model_aaf2016_detention_beds_needed,2-yr removal,348831,beds",
        "model_aaf2016_immigration_courts,2-yr removal,1316,courts",
        "model_aaf2016_charter_flights_per_year,2-yr removal,17296,flights/year",
    )
    figures = _figures_file(tmp_path, rows)
    tree, start = load_baseline(), dt.date(2026, 10, 1)
    answer = _capacity_answer(500_000.0)
    # 400,000 people gone a year, $24 billion of GDP lost once adjusted ($60,000 each)
    volumes = {**answer.volumes, "removals": 500_000.0}
    volumes.update(removals_interior=350_000.0, voluntary_returns=50_000.0)
    effects = replace(
        Effects.of(350_000.0, 0.0, Rates.read(tree, start), left=50_000.0),
        output_lost=Band(20e9, 24e9, 50e9),
    )
    answer = replace(answer, volumes=volumes, effects=effects)
    by = {(t.study, t.component): t for t in trace_assumptions(answer, tree, start, figures)}
    # Penn Wharton's $70,236 a deportee is 2025 dollars, the latest CPI-U (2024's) after 2024
    pwbm = by["PWBM 2025", "cost per removal"]
    assert pwbm.theirs == pytest.approx(70_236)
    assert pwbm.ours == pytest.approx(6.5e9 / 500_000)
    assert pwbm.effect == pytest.approx((70_236 - 13_000) * 500_000)
    # its GDP 3.3% lower with everyone gone: 3.3% of 2024's $29.18 trillion over Pew's 14.0
    # million (2023), per person gone, against the model's $60,000
    gdp = by["PWBM 2025", "GDP lost a year per person gone"]
    assert gdp.theirs == pytest.approx(0.033 * 29.18e12 / 14.0e6)
    assert gdp.ours == pytest.approx(60_000)
    assert gdp.effect == pytest.approx((0.033 * 29.18e12 / 14.0e6 - 60_000) * 400_000)
    published = {c.metric: c for c in compare_published(answer, tree, start, figures)}
    restated = published["model_pwbm2025_gdp_effect_10yr_policy"]
    assert restated.restated == pytest.approx(0.033 * 29.18e12 * 400_000 / 14.0e6)
    assert restated.ours == pytest.approx(24e9)
    # AAF's capacities for 5.65 million removals a year, priced at FY2027's unit costs: 90,582
    # officers at $179,200 a year; 348,831 beds at $165 a day (2.38 times it for the 1.55%
    # held as families); 1,316 courts at EOIR's $1,150,000 and 3.17 trial attorneys at
    # $201,400 a judge; 17,296 full flights of 135 at $2,179 a seat
    per = 1 / 5.65e6
    assert by["AAF 2016", "arrest"].theirs == pytest.approx(90_582 * 179_200 * per)
    bed_day = 165 * (1 + 0.0155 * 1.38)
    assert by["AAF 2016", "detention"].theirs == pytest.approx(348_831 * bed_day * 365.25 * per)
    # (a court: a judge at EOIR's cost; AAF's own 32,445 federal attorneys at $201,400 a year)
    assert by["AAF 2016", "courts"].theirs == pytest.approx(
        (1_316 * 1_150_000 + 32_445 * 201_400) * per
    )
    assert by["AAF 2016", "transport"].theirs == pytest.approx(17_296 * 135 * 2_179 * per)
    assert by["AAF 2016", "detention"].ours == pytest.approx(4e9 / 500_000)
    assert "348,831 beds" in by["AAF 2016", "detention"].assumption
    assert "100,000 beds" in by["AAF 2016", "detention"].ours_assumption
    # AAF 2015's Table 1: each stage's cost over its 11.2 million removed, 2015 dollars
    # restated at the CPI-U (2015: 237.017; 2024's 313.689 from then on)
    aaf = 313.689 / 237.017 / 11.2e6
    assert by["AAF 2015", "detention"].theirs == pytest.approx(35.7e9 * aaf)
    assert by["AAF 2015", "arrest"].theirs == pytest.approx(43.5e9 * aaf)
    model = sum(answer.cost_by_component.values())
    total = sum(t.effect for t in by.values() if t.study == "AAF 2015")
    assert total == pytest.approx((43.5e9 + 35.7e9 + 13.4e9 + 11.3e9) * aaf * 500_000 - model)


def test_capacity_bands_are_the_spread_of_searches_over_parameter_draws(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each draw's search sees that draw's values (the scenario's own overrides winning), and
    the bands are the 5th, 50th and 95th percentiles of the answers: here officers are set to
    100,000 x the drawn arrest-time share, so their band is that share's band, by hand."""
    import immsim.analysis.capacity as module
    from immsim.parameters.intervals import parameter_draws

    held = "processing.voluntary_return_share"  # has an interval, set by the scenario
    scenario = short(
        "bands",
        reform={"name": "held", "overrides": {held: {"values": {"2011-01-01": 0.05}}}},
    )
    tree = scenario.parameters()
    key = "enforcement.effort.share_on_arrests"
    seen: list[float] = []

    def search(drawn, goal, max_runs, **kwargs):  # type: ignore[no-untyped-def]
        drawn_tree = drawn.parameters()
        share = float(drawn_tree.get(key, drawn.start))
        seen.append(share)
        # a leaf the scenario sets keeps its value: it is not drawn
        assert drawn_tree.get(held, drawn.start) == 0.05
        answer = _capacity_answer(goal)
        levels = dict(answer.capacities)
        levels["officers"] = CapacityLevel(LEVERS["officers"][0], 1.0, share * 100_000)
        # a year's effects: 1,000 parents per point of the share; Pew's 1.125 children each
        rates = Rates.read(drawn_tree, drawn.start)
        effects = Effects.of(share * 1e6, share * 1e5, rates)
        # detention costs $0.6 billion per point of the share, officers $0.4 billion
        by_component = {"cost_detention": share * 6e8, "cost_arrest": share * 4e8}
        return replace(
            answer,
            capacities=levels,
            cost_per_year=share * 1e9,
            cost_by_component=by_component,
            effects=effects,
        )

    monkeypatch.setattr(module, "required_capacity", search)
    bands = module.capacity_bands(scenario, 1000.0, 40, {})
    assert bands.draws == 40 and bands.met == 40 and bands.drawn >= 1
    end = scenario.start.replace(year=scenario.start.year + scenario.horizon_years, day=1)
    expected = [
        float(scenario.parameters().with_reform(r).get(key, scenario.start))
        for r in parameter_draws(tree, 40, scenario.seed, {}, scenario.start, end)
    ]
    assert seen == pytest.approx(expected)
    assert len(set(seen)) > 1  # the draws differ
    low, median, high = np.quantile(expected, [0.05, 0.5, 0.95])
    assert bands.capacities["officers"] == pytest.approx((low * 1e5, median * 1e5, high * 1e5))
    assert bands.cost_per_year == pytest.approx((low * 1e9, median * 1e9, high * 1e9))
    # each component's band is its own spread; a component the answers lack is zero
    detention = bands.cost_by_component["cost_detention"]
    assert detention == pytest.approx((low * 6e8, median * 6e8, high * 6e8))
    assert bands.cost_by_component["cost_arrest"] == pytest.approx(
        (low * 4e8, median * 4e8, high * 4e8)
    )
    assert bands.cost_by_component["cost_capital"] == (0.0, 0.0, 0.0)
    # the effects' bands are the same spread: parents, and children at Pew's 1.125 a parent
    assert bands.effects["parents"] == pytest.approx((low * 1e5, median * 1e5, high * 1e5))
    assert bands.effects["usc_children"] == pytest.approx(
        (1.125 * low * 1e5, 1.125 * median * 1e5, 1.125 * high * 1e5)
    )
    # households: CMS's 0.431 per interior removal
    assert bands.effects["mixed_status_households"] == pytest.approx(
        (0.431 * low * 1e6, 0.431 * median * 1e6, 0.431 * high * 1e6)
    )
    # workers: the studies' range (CAP's 0.62 to Pew's 0.755 employed) drawn in each answer
    # widens the band below the draws' own spread at Pew's rate, never above it
    w_low, w_median, w_high = bands.effects["workers"]
    assert 0.62 * low * 1e6 * 0.95 < w_low < 0.755 * low * 1e6 * 0.98
    assert w_median < 0.755 * median * 1e6
    assert w_high <= 0.755 * high * 1e6 * 1.001
    # U.S.-born jobs: from the cost studies' none (0) to EPI's 0.65 and East et al.'s 0.66
    jobs = bands.effects["us_born_jobs_lost"]
    assert jobs[0] < 0.2 * 0.65 * low * 1e6 and jobs[2] <= 0.661 * high * 1e6
    assert jobs[0] >= 0.0  # no study finds jobs gained: the band's zero end is a floor
    # no population given to these answers: the wage responses are not estimated
    assert bands.effects["average_wage_change"] == (0.0, 0.0, 0.0)
