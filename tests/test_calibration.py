"""Calibration and the back-test: published targets, simulated metrics, the fit, the write-back."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from terminal import fits, lines, text

from immsim.calibration.calibrate import (
    Calibration,
    FitSpec,
    Fitted,
    Target,
    calibrate,
    fit_specs,
    fitted_start,
    identifiability,
    package_tree_dir,
    select_specs,
    values_reform,
    write_back,
)
from immsim.calibration.metrics import (
    RangedObservation,
    load_observed,
    load_ranged,
    load_workbook_observed,
    simulated,
    simulated_ranged,
)
from immsim.calibration.validate import (
    END,
    START,
    Backtest,
    Row,
    _widened,
    backtest_scenario,
    discrepancies,
    draws_band,
    validate,
)
from immsim.cli import main
from immsim.engine.run import run
from immsim.errors import InputError
from immsim.outcomes import OUTCOMES
from immsim.parameters import load_baseline
from immsim.parameters.intervals import parameter_draws, uncertain_values
from immsim.parameters.loader import load_tree_from
from immsim.population.build import build_population

# the populations built inside the package shared with the session's (conftest)
pytestmark = pytest.mark.usefixtures("shared_builds")

TREE = load_baseline()


@pytest.fixture(scope="module")
def figures(shared_data: Path) -> Path:
    path = shared_data / "published_figures.csv"
    if not path.is_file():
        pytest.skip(f"SKIPPED: {path} not found")
    return path


def test_workbooks_give_the_yearly_detained_population_and_book_ins(shared_data: Path) -> None:
    """ICE's workbooks fill the ADP the published figures lack (FY2021-FY2023), and agree with
    them where both exist (FY2019: 50,165)."""
    folder = shared_data / "ice_detention_stats"
    if not folder.is_dir():
        pytest.skip(f"SKIPPED: {folder} not found")
    observed = load_workbook_observed(folder)
    assert observed[("adp", 2019)].value == pytest.approx(50_165, abs=1)
    assert observed[("adp", 2021)].value == pytest.approx(19_254, abs=1)
    assert observed[("adp", 2023)].value == pytest.approx(28_289, abs=1)
    # book-ins after ICE arrests, like the model's admissions after interior arrests
    assert observed[("book_ins_ice", 2019)].value == 137_084
    assert observed[("book_ins_ice", 2021)].value == 45_680


def test_fy2018s_and_fy2019s_transferred_beds_are_filled_in_the_back_test() -> None:
    """DHS moved $116 million to ICE's detention on 26 July 2019, nearly 6,800 beds to 30
    September on top of the 45,274 appropriated (detention.funded_beds). The beds bind in FY2019
    (ICE held over 50,000), so the interior's detained fill them: in the weeks from mid-August
    they run well above what the appropriation alone leaves the interior (45,274 less the
    border's detained, by hand from the weekly table), rising as admissions fill them, and never
    above 52,074 less the border's; in June, before the transfer, they stay within the
    appropriation's beds. FY2018's transfer paid for 2,300 beds over the year's 40,520
    (CNN from DHS's notification, September 2018): through FY2018 the interior's detained run
    above what the appropriation alone leaves them (by 430 on average in this run, where they
    were held under it before the transfer was in the tree) and never above 42,820 less the
    border's."""
    population = build_population(TREE, dt.date(2011, 10, 1), seed=5)
    weekly = run(backtest_scenario(5, years=8), population=population).weekly
    held = weekly["detained_court"] + weekly["detained_removal"]
    weekly = weekly.with_columns(held=held)
    june = weekly.filter(
        (pl.col("date") >= dt.date(2019, 6, 1)) & (pl.col("date") < dt.date(2019, 7, 1))
    )
    late = weekly.filter(
        (pl.col("date") >= dt.date(2019, 8, 12)) & (pl.col("date") < dt.date(2019, 10, 1))
    )
    assert (june["held"] <= 45_274 - june["detained_border"] + 1).all()
    assert (late["held"] <= 52_074 - late["detained_border"] + 1).all()
    # they fill at the pace of the week's admissions (about 500 a week more held), not at once
    assert late["held"].mean() > (45_274 - late["detained_border"]).mean() + 0.4 * 6_800
    assert late["held"][-1] > late["held"][0] + 1_000
    fy2018 = weekly.filter(
        (pl.col("date") >= dt.date(2017, 10, 1)) & (pl.col("date") < dt.date(2018, 10, 1))
    )
    assert (fy2018["held"] <= 42_820 - fy2018["detained_border"] + 1).all()
    assert fy2018["held"].mean() > (40_520 - fy2018["detained_border"]).mean() + 200


def test_observed_figures_are_read_by_metric_and_year(figures: Path) -> None:
    observed = load_observed(figures)
    assert observed[("total_removals", 2019)].value == 267258
    assert observed[("pending_cases", 2016)].value == 521517
    assert observed[("interior_convicted_share", 2015)].value == pytest.approx(0.91)
    assert all(2005 <= year <= 2030 for _, year in observed)
    with pytest.raises(InputError, match="no such file"):
        load_observed(figures.parent / "missing.csv")


def test_simulated_metrics_reduce_the_weekly_table() -> None:
    population = build_population(TREE, dt.date(2011, 10, 1), seed=3)
    results = run(backtest_scenario(3, years=1), population=population)
    metrics = simulated(results)
    weekly = results.weekly.filter(pl.col("fiscal_year") == 2012)
    assert metrics[("arrests", 2012)] == weekly["arrests"].sum()
    assert metrics[("adp", 2012)] == pytest.approx(weekly["detained"].mean())
    assert metrics[("pending_cases", 2012)] == weekly["court_pending"][-1]
    removed = results.breakdown.filter(
        (pl.col("stage") == "removed") & (pl.col("attribute") == "criminal_history")
    )
    share = removed.filter(pl.col("level") != "none")["persons"].sum() / removed["persons"].sum()
    assert metrics[("interior_convicted_share", 2012)] == pytest.approx(share)
    assert results.manifest["regime"]["name"] == "historical"


def test_tracs_jail_range_is_a_target_of_the_last_year_the_back_test_covers(
    figures: Path,
) -> None:
    # TRAC (report 529): 12,000-14,000 ICE arrests a month from local jails in FY2009-FY2012.
    # The back-test starts in FY2012, so the range is FY2012's; a fit on FY2013-FY2016 alone has
    # none; FY2010-FY2011 alone, FY2011's.
    ranged = load_ranged(figures, range(2012, 2017))
    assert list(ranged) == [("jail_arrests_monthly", 2012)]
    found = ranged[("jail_arrests_monthly", 2012)]
    assert (found.low, found.high) == (12_000, 14_000)
    assert found.value == 13_000
    assert load_ranged(figures, range(2013, 2017)) == {}
    assert list(load_ranged(figures, range(2010, 2012))) == [("jail_arrests_monthly", 2011)]


def test_a_ranged_target_s_error_is_zero_inside_and_relative_to_the_nearer_end() -> None:
    # hand calculation: 4,000 a month is (4,000 - 12,000) / 12,000 = -2/3 off; 15,400 is
    # (15,400 - 14,000) / 14,000 = +0.1; anything from 12,000 to 14,000 meets it
    found = RangedObservation(12_000, 14_000, "TRAC", "")
    assert found.error(4_000) == pytest.approx(-2 / 3)
    assert found.error(15_400) == pytest.approx(0.1)
    assert found.error(12_000) == found.error(13_500) == found.error(14_000) == 0.0


def test_a_fit_with_the_ranged_targets_adds_fy2012_s_jail_arrests_to_its_objective(
    figures: Path,
) -> None:
    # The same first run (same values, same seed) with and without the ranged targets: the
    # sums of squared errors differ by the jail target's alone. At the fitted custodial hours
    # the back-test's FY2012 takes about 3,900 a month from jails (a third of TRAC's
    # 12,000-14,000), so its error is about -0.67; below 6,000 a month it is below -0.5.
    spec = (FitSpec("enforcement.effort.hours_per_arrest.custodial", 1, 24, "test"),)
    plain = calibrate(figures, TREE, specs=spec, years=1, max_evaluations=5)
    ranged = calibrate(figures, TREE, specs=spec, years=1, max_evaluations=5, ranged=True)
    jail = Target("jail_arrests_monthly", 2012, 13_000, (12_000, 14_000))
    assert ranged.targets == (*plain.targets, jail)
    squared = (
        len(ranged.targets) * ranged.rms_relative_error_before**2
        - len(plain.targets) * plain.rms_relative_error_before**2
    )
    assert 0.25 < squared < 1, squared
    assert "jail_arrests_monthly FY2012" in ranged.residuals


def test_the_jail_arrests_a_month_reduce_the_weekly_table() -> None:
    population = build_population(TREE, dt.date(2011, 10, 1), seed=3)
    results = run(backtest_scenario(3, years=1), population=population)
    weekly = results.weekly.filter(pl.col("fiscal_year") == 2012)
    months = weekly.height * 12 / 52.1775
    monthly = simulated_ranged(results)[("jail_arrests_monthly", 2012)]
    assert monthly == pytest.approx(weekly["arrests_jail"].sum() / months)
    assert 0 < monthly < weekly["arrests"].sum() / months


def test_fit_specs_name_one_estimated_value_each_within_their_ranges() -> None:
    names = [spec.name for spec in fit_specs()]
    assert len(names) == len(set(names))
    for spec in fit_specs():
        leaf = TREE.leaf(spec.key)
        assert (spec.at is None) == (len(leaf.values) == 1), spec.name
        start = fitted_start(TREE, spec)
        assert spec.low < spec.high and spec.why
        assert leaf.entry(start).estimated, spec.name


def test_a_dated_value_is_fitted_alone_and_the_leaf_s_other_values_are_held() -> None:
    key = "enforcement.channels.cooperation_full"
    dates = TREE.leaf(key).starts
    assert len(dates) >= 3
    with pytest.raises(InputError, match="several dated values"):
        fitted_start(TREE, FitSpec(key, 0.1, 0.99, "test"))
    with pytest.raises(InputError, match="no value dated"):
        fitted_start(TREE, FitSpec(key, 0.1, 0.99, "test", at=dt.date(2013, 1, 1)))
    tree = TREE.with_reform(values_reform(TREE, {(key, dates[1]): 0.123}))
    assert tree.get(key, dates[1]) == 0.123
    assert [tree.get(key, d) for d in (dates[0], *dates[2:])] == [
        TREE.get(key, d) for d in (dates[0], *dates[2:])
    ]


def test_identifiability_names_what_the_targets_cannot_see() -> None:
    """By hand: targets that move only with a + b (two equal columns) cannot tell a from b,
    so the Jacobian has one singular value sqrt(2) * |column| and one zero, whose direction is
    (a - b) / sqrt(2); a third value no target moves adds another zero."""
    jacobian = np.array([[1.0, 1.0, 0.0], [2.0, 2.0, 0.0]])
    found = identifiability(jacobian, ("a", "b", "c"))
    assert found.singular_values[0] == pytest.approx(np.sqrt(2) * np.sqrt(5))
    assert found.singular_values[1:] == pytest.approx((0.0, 0.0), abs=1e-12)
    assert found.condition == float("inf")
    named = [dict(loadings) for _, loadings in found.sloppy]
    assert len(named) == 2
    pair = next(d for d in named if "a" in d)
    assert set(pair) == {"a", "b"} and abs(pair["a"]) == pytest.approx(0.707, abs=1e-3)
    assert pair["a"] == pytest.approx(-pair["b"])
    assert {"c": pytest.approx(1.0)} in [{k: abs(v) for k, v in d.items()} for d in named]
    # a well-posed pair: no sloppy direction
    clear = identifiability(np.array([[1.0, 0.0], [0.0, 0.5]]), ("a", "b"))
    assert clear.sloppy == () and clear.condition == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("width", "identified", "verdict"),
    [
        (0.1, True, "pinned"),
        (0.5, True, "weakly pinned"),
        (1.0, True, "not pinned"),
        (0.0, False, "not moved by any target"),
    ],
)
def test_a_fitted_value_says_whether_the_targets_pin_it(
    width: float, identified: bool, verdict: str
) -> None:
    item = Fitted("k", "share", 0.1, 0.1, (0.1, 0.1), (0.0, 1.0), False, None, identified, width)
    assert item.verdict == verdict


def _fitted(key: str, before: float, value: float, interval: tuple[float, float]) -> Fitted:
    """A fitted share within the range 0.01-0.3, off its bounds."""
    return Fitted(
        key=key,
        unit="share",
        before=before,
        value=value,
        interval_90=interval,
        allowed=(0.01, 0.3),
        at_bound=False,
    )


def test_only_some_parameters_can_be_refitted_and_say_so(tmp_path: Path) -> None:
    keys = ("enforcement.effort.share_on_arrests", "processing.voluntary_return_share")
    assert [spec.key for spec in select_specs(keys)] == [
        spec.key for spec in fit_specs() if spec.key in keys
    ]
    assert select_specs(()) == fit_specs()
    with pytest.raises(InputError, match=r"not a parameter calibrate fits: courts\.no_such"):
        select_specs(("courts.no_such", keys[0]))
    # the write-back names what was fitted together and that the rest were held
    copy = tmp_path / "tree"
    shutil.copytree(package_tree_dir(), copy)
    fitted = _fitted(keys[1], 0.2, 0.21, (0.1, 0.3))
    result = Calibration("m", (Target("arrests", 2016, 1.0),), 1, 0.3, 0.2, {}, (fitted,), 0)
    write_back(result, TREE, copy)
    entry = load_tree_from(copy, label="immsim/parameters/tree/").entry(keys[1], "2015-01-01")
    assert f"fitted together: {keys[1]}, the other parameters" in (entry.method or "")


def test_a_small_fit_improves_and_stays_in_range(figures: Path) -> None:
    specs = (
        FitSpec("courts.process.hours_per_case_released", 1, 8, "test"),
        # the value in force over the fit's year (from FY2018 the rate counts bond-outs alone)
        FitSpec("detention.release.bond_release_rate", 0.5, 26, "test", dt.date(2011, 1, 1)),
    )
    calls: list[tuple[int, int]] = []
    errors: list[float] = []
    result = calibrate(
        figures,
        TREE,
        specs=specs,
        years=1,
        max_evaluations=7,
        progress=lambda n, total: calls.append((n, total)),
        on_evaluation=errors.append,
    )
    assert [n for n, _ in calls] == list(range(1, len(calls) + 1))
    assert {total for _, total in calls} == {7}
    assert len(calls) <= 7  # every model run counts, the Jacobians' too
    # the first run, the optimizer's first and its two-run Jacobian, then one step's trial: the
    # smallest budget for two values takes a step
    assert len(calls) >= 5
    assert len(errors) == len(calls) and errors[0] == pytest.approx(
        result.rms_relative_error_before
    )
    assert result.targets and all(t.fiscal_year == 2012 for t in result.targets)
    assert result.rms_relative_error_after <= result.rms_relative_error_before + 1e-12
    for item, spec in zip(result.parameters, specs, strict=True):
        assert spec.low <= item.value <= spec.high
        lo, hi = item.interval_90
        assert spec.low <= lo <= hi <= spec.high


def test_fitted_table_fits_80_columns_with_every_key_whole(
    figures: Path, capsys, monkeypatch, terminal80
) -> None:  # type: ignore[no-untyped-def]
    import immsim.calibration.calibrate as module

    result = Calibration(
        method="test",
        targets=(),
        evaluations=3,
        rms_relative_error_before=0.2,
        rms_relative_error_after=0.1,
        residuals={},
        parameters=(
            Fitted(
                "enforcement.channels.at_large_locate_rate_known",
                "share of known people located a year",
                0.031,
                0.0123456,
                (0.011, 0.0137),
                (0.001, 0.2),
                False,
            ),
            Fitted(
                "courts.process.hours_per_case_released",
                "hours",
                4.0,
                8.0,
                (7.1, 8.0),
                (1, 8),
                True,
            ),
        ),
        seed=1,
    )
    monkeypatch.setattr(module, "calibrate", lambda *args, **kwargs: result)
    assert main(["calibrate", "--figures", str(figures), "--dry-run"]) == 0
    out = capsys.readouterr().out
    fits(out)
    words = text(out)
    assert "enforcement.channels. at_large_locate_rate_known share of known 0.01235" in words
    assert "hours_per_case_released hours 8 (bound) 7.1 to 8" in words
    assert "Not shown at this width: was, allowed" in words
    assert main(["calibrate", "--figures", str(figures), "--dry-run", "--wide"]) == 0
    wide = lines(capsys.readouterr().out)
    assert "allowed" in wide[1] and "was" in wide[1]
    assert any("enforcement.channels.at_large_locate_rate_known" in line for line in wide)


def test_write_back_changes_only_the_fitted_value(tmp_path: Path) -> None:
    source = package_tree_dir()
    copy = tmp_path / "tree"
    shutil.copytree(source, copy)
    key = "processing.voluntary_return_share"
    result = Calibration(
        method="test method",
        targets=(Target("arrests", 2016, 1.0),),
        evaluations=1,
        rms_relative_error_before=0.3,
        rms_relative_error_after=0.2,
        residuals={},
        parameters=(_fitted(key, 0.08, 0.123456, (0.1, 0.15)),),
        seed=0,
    )
    assert result.as_dict()["parameters"] == [
        {
            "key": key,
            "from": None,
            "unit": "share",
            "before": 0.08,
            "value": 0.123456,
            "interval_90": [0.1, 0.15],
            "range": [0.01, 0.3],
            "at_bound": False,
            "identified": True,
            "interval_share_of_range": 0.0,
            "verdict": "pinned",
        }
    ]
    assert list(result.as_dict()) == [
        "method",
        "targets",
        "evaluations",
        "rms_relative_error_before",
        "rms_relative_error_after",
        "residuals",
        "parameters",
        "seed",
        "identifiability",
        "prior",
        "noise",
        "loss",
        "loss_scale",
        "weights",
    ]
    assert result.as_dict()["targets"] == [
        {"metric": "arrests", "fiscal_year": 2016, "observed": 1.0}
    ]
    changed = write_back(result, TREE, copy)
    assert [p.name for p in changed] == ["processing.yaml"]
    tree = load_tree_from(copy, label="immsim/parameters/tree/")
    entry = tree.entry(key, "2015-01-01")
    assert entry.value == pytest.approx(0.1235)
    assert entry.interval_90 == (0.1, 0.15)
    assert entry.estimated and "Fitted by `immsim calibrate`" in (entry.method or "")
    others = [k for k in TREE if k != key]
    day = dt.date(2020, 1, 1)
    assert all(
        tree.get(k, day) == TREE.get(k, day) for k in others if TREE.leaf(k).starts[0] <= day
    )


def test_backtest_reports_fitted_and_out_of_sample_years(figures: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    result = validate(figures, TREE, draws=1, workbooks=figures.parent / "ice_detention_stats")
    samples = {row.sample for row in result.rows}
    assert samples == {"fitted", "out of sample"}
    assert result.out_of_sample_cells >= 10
    assert result.out_of_sample_median_abs_pct_error is not None
    assert {d.metric for d in result.directions} >= {"arrests", "detainers", "adp"}
    years = {row.fiscal_year for row in result.rows}
    assert years == set(range(2012, 2024))
    # each cell says whether it was fitted, and which period it belongs to
    assert {
        (r.fiscal_year, r.sample, r.period)
        for r in result.rows
        if r.fiscal_year in (2016, 2017, 2021)
    } == {
        (2016, "fitted", "FY2012-FY2016"),
        (2017, "out of sample", "FY2017-FY2019"),
        (2021, "out of sample", "FY2020-FY2023"),
    }
    assert all("Title 42" in r.note for r in result.rows if r.fiscal_year >= 2020)
    periods = result.periods()
    assert list(periods) == ["FY2012-FY2016", "FY2017-FY2019", "FY2020-FY2023"]
    assert periods["FY2020-FY2023"]["sample"] == "out of sample"
    assert periods["FY2020-FY2023"]["cells"] >= 10
    assert list(result.as_dict()) == [
        "draws",
        "seed",
        "rows",
        "fitted_median_abs_pct_error",
        "out_of_sample_median_abs_pct_error",
        "out_of_sample_cells",
        "out_of_sample_coverage_90",
        "out_of_sample_predictive_coverage_90",
        "discrepancy",
        "drawn_parameters",
        "periods",
        "directions",
        "metrics",
    ]
    assert list(result.as_dict()["directions"][0]) == [
        "metric",
        "label",
        "model",
        "record",
        "agree",
    ]
    # a metric is labelled as the outcome it measures is, everywhere
    assert result.as_dict()["metrics"]["arrests"] == {
        "label": OUTCOMES["arrests"].label,
        "note": "",
    }
    code = main(["validate", "--figures", str(figures), "--draws", "1", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["rows"] == result.as_dict()["rows"]
    assert data == json.loads(json.dumps(result.as_dict()))  # --json prints as_dict()


def test_backtest_table_fits_80_columns_with_every_number(
    figures: Path, capsys, monkeypatch, terminal80
) -> None:  # type: ignore[no-untyped-def]
    import immsim.calibration.validate as module

    result = validate(figures, TREE, draws=1)
    monkeypatch.setattr(module, "validate", lambda *args, **kwargs: result)
    assert main(["validate", "--figures", str(figures)]) == 0
    out = capsys.readouterr().out
    fits(out)
    words = text(out)
    shown = [row for row in result.rows if row.observed is not None]
    for row in shown:
        share = row.metric.endswith("share")
        observed = f"{row.observed:.0%}" if share else f"{row.observed:,.0f}"
        simulated = f"{row.median:.0%}" if share else f"{row.median:,.0f}"
        assert f"{row.fiscal_year} {observed} {simulated}" in words, row
    assert "Not shown at this width: 90% band" in words
    assert main(["validate", "--figures", str(figures), "--wide"]) == 0
    wide = capsys.readouterr().out
    assert "90% band" in lines(wide)[1]
    # the band shown is the predictive one (draws and the model's error), not the draws' alone
    row = shown[-1]
    assert row.predictive_low is not None and row.predictive_high is not None
    assert row.predictive_low < row.low or row.predictive_high > row.high
    shown_band = f"{row.predictive_low:,.0f} to {row.predictive_high:,.0f}"
    assert shown_band in wide or row.metric.endswith("share")


def test_validate_without_figures_is_a_clear_error(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IMMSIM_FIGURES", raising=False)
    assert main(["validate"]) == 2
    assert "published_figures.csv" in capsys.readouterr().err


def _row(period: str, observed: float | None, low: float, high: float) -> Row:
    return Row("arrests", "arrests", 2018, observed, 1.0, low, high, 0.0, "", period, "", "")


def test_coverage_is_the_share_of_records_inside_the_band() -> None:
    """By hand: of three out-of-sample cells with a record, two lie in their band (one on its
    edge), so coverage is 2/3; a cell with no record and the fitted years do not count."""
    rows = (
        _row("FY2017-FY2019", 5.0, 4.0, 6.0),
        _row("FY2017-FY2019", 6.0, 4.0, 6.0),
        _row("FY2020-FY2023", 7.0, 4.0, 6.0),
        _row("FY2020-FY2023", None, 4.0, 6.0),
        _row("FY2012-FY2016", 9.0, 4.0, 6.0),
    )
    result = Backtest(1, 0, rows, ())
    assert result.out_of_sample_coverage == pytest.approx(2 / 3)
    assert result.coverage("FY2020-FY2023") == 0.0
    assert result.coverage("FY2012-FY2016") == 0.0
    assert result.periods()["FY2017-FY2019"]["coverage_90"] == 1.0


def test_each_draw_s_median_error_is_that_draw_s_cells_alone() -> None:
    """By hand: three cells of a period with a record of 100 and two draws each. Draw one errs
    by 5%, 8% and 20% (median 8%); draw two by 12%, 2% and 30% (median 12%). The headline is the
    median of the draws' medians cell by cell (draws' medians 108.5, 95 and 125: 5%, 8.5%, 25%,
    median 8.5%), which neither draw gives alone; a cell with no record is left out."""

    def cell(a: float, b: float, observed: float | None = 100.0) -> Row:
        median = (a + b) / 2
        error = None if observed is None else (median - observed) / observed
        return replace(
            _row("FY2020-FY2023", observed, 0.0, 1.0), median=median, error=error, draws=(a, b)
        )

    rows = (cell(105, 112), cell(92, 98), cell(120, 130), cell(500, 500, None))
    result = Backtest(2, 0, rows, ())
    assert result.draw_medians("FY2020-FY2023") == pytest.approx([0.08, 0.12])
    assert result.median_abs_pct_error("FY2020-FY2023") == pytest.approx(0.085)
    assert result.periods()["FY2020-FY2023"]["median_abs_pct_error_by_draw"] == pytest.approx(
        [0.08, 0.12]
    )
    assert result.draw_medians("FY2017-FY2019") == []


def test_parameter_draws_reproduce_each_value_s_90_percent_interval() -> None:
    """Drawn 2,000 times, a fitted value's 5th and 95th percentiles are its recorded interval's
    ends (lopsided on the fitting scale when the interval is), and a value kept within its
    allowed range never leaves it."""
    key = "enforcement.effort.share_on_arrests"
    entry = TREE.leaf(key).values[0]
    assert entry.interval_90 is not None
    low, high = entry.interval_90
    assert (key, entry.start) in uncertain_values(TREE, START, END)
    draws = parameter_draws(TREE, 2000, 7, {}, START, END)
    values = [TREE.with_reform(r).get(key, "2015-01-01") for r in draws[:2000]]
    assert np.quantile(values, 0.05) == pytest.approx(low, rel=0.03)
    assert np.quantile(values, 0.95) == pytest.approx(high, rel=0.03)
    assert np.median(values) == pytest.approx(entry.value, rel=0.02)
    # a value with no interval is not drawn
    assert "border.record.usbp_title8_apprehensions" not in draws[0].overrides
    kept = parameter_draws(TREE, 200, 7, {key: (0.15, 0.16)}, START, END)
    assert {0.15 <= TREE.with_reform(r).get(key, "2015-01-01") <= 0.16 for r in kept} == {True}


def test_cross_validation_fits_on_the_years_before_each_period(
    figures: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each fold fits on FY2012 up to the year before its period; a fit that returns the tree's
    own values predicts the period exactly as the tree does."""
    import immsim.calibration.calibrate as module

    key = "processing.voluntary_return_share"
    seen: list[range] = []
    priors: list[str] = []

    def fake(*args, fit_years: range, prior: str, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(fit_years)
        priors.append(prior)
        value = float(TREE.get(key, "2015-01-01"))
        item = Fitted(key, "share", value, value, (value, value), (0.01, 0.3), False)
        return Calibration("m", (), 1, 0.1, 0.1, {}, (item,), 0)

    monkeypatch.setattr(module, "calibrate", fake)
    folds = module.cross_validate(figures, TREE, seed=3, score_draws=1)
    # each fold fitted twice, without the prior and with it
    assert seen == [range(2012, 2017)] * 2 + [range(2012, 2020)] * 2
    assert priors == ["none", "range"] * 2
    assert [f.period for f in folds] == ["FY2017-FY2019", "FY2020-FY2023"]
    assert [f.fit_years for f in folds] == [(2012, 2016), (2012, 2019)]
    for fold in folds:
        assert fold.cells >= 10
        assert [r.prior for r in fold.refits] == ["none", "range"]
        for refit in fold.refits:
            assert refit.error == pytest.approx(fold.error_tree)
        # the default method's refit is the fold's own (plain least squares)
        assert fold.calibration is fold.refits[0].calibration
        # scored on the seed after the fit's, not the fit's own
        assert fold.score_seeds == (4,)


def test_a_held_out_period_is_scored_on_each_cells_median_over_seeds_other_than_the_fits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three scoring runs that put FY2018's ICE arrests at 90, 100 and 130 against a record of
    100: the median is exact (error 0), where the mean (106.7) or the first run alone (90)
    would miss by 6.7% or 10%; the runs are at the three seeds after the fit's."""
    import immsim.calibration.calibrate as module
    from immsim.calibration.metrics import Observation

    key = ("ice_arrests", 2018)
    seen: list[tuple[int, int]] = []

    def runs(tree, draws, seed, **kwargs):  # type: ignore[no-untyped-def]
        seen.append((draws, seed))
        return [{key: 90.0}, {key: 100.0}, {key: 130.0}][:draws]

    def fake(*args, **kwargs):  # type: ignore[no-untyped-def]
        return Calibration("m", (), 1, 0.1, 0.1, {}, (), 0)

    monkeypatch.setattr(module, "simulate_draws", runs)
    monkeypatch.setattr(module, "calibrate", fake)
    monkeypatch.setattr(module, "build_population", lambda *args, **kwargs: None)
    monkeypatch.setattr(
        module, "observed_figures", lambda *args: {key: Observation(100.0, "toy", "")}
    )
    (fold, _) = module.cross_validate(Path("toy.csv"), TREE, seed=2012, priors=("none",))
    assert fold.period == "FY2017-FY2019"
    assert fold.cells == 1
    assert fold.error_tree == pytest.approx(0.0)
    assert fold.refits[0].error == pytest.approx(0.0)
    assert fold.score_seeds == (2013, 2014, 2015)
    # the tree's and the refit's predictions, each three runs from seed 2013, for each fold
    assert seen == [(3, 2013)] * 4


def _fit_to_truths(
    monkeypatch: pytest.MonkeyPatch,
    slope: float,
    truths: dict[tuple[str, int], float],
    years: int,
    **options: object,
) -> tuple[Calibration, FitSpec]:
    """A fit of ``flows.status_grant_rate`` alone (log scale, allowed 0.0005-0.02) to toy targets
    ``truths`` (each the log of the value it asks for), each observed at 100 and simulated at
    100 * (1 + slope * (log(value) - truth)): every relative error is linear on the fitting
    scale. ``options`` go to ``calibrate`` as they are."""
    import immsim.calibration.calibrate as module
    from immsim.calibration.metrics import Observation

    spec = FitSpec("flows.status_grant_rate", 0.0005, 0.02, "toy")
    observed = {key: Observation(100.0, "toy", "") for key in truths}

    def toy(tree, values, seed, years, population):  # type: ignore[no-untyped-def]
        (value,) = values.values()
        return {key: 100.0 * (1 + slope * (np.log(value) - t)) for key, t in truths.items()}

    monkeypatch.setattr(module, "observed_figures", lambda *args: observed)
    monkeypatch.setattr(module, "build_population", lambda *args, **kwargs: None)
    monkeypatch.setattr(module, "trial", toy)
    fit = module.calibrate(
        Path("toy.csv"), TREE, specs=(spec,), years=years, max_evaluations=41, **options
    )
    return fit, spec


def _toy_fit(
    monkeypatch: pytest.MonkeyPatch,
    slope: float,
    truths: tuple[float, ...],
    prior: str,
    loss: str = "linear",
) -> tuple[Calibration, FitSpec]:
    """One toy target a year, FY2013 onwards, asking for ``truths`` in turn
    (:func:`_fit_to_truths`)."""
    targets = {("arrests", 2013 + i): float(np.log(t)) for i, t in enumerate(truths)}
    return _fit_to_truths(monkeypatch, slope, targets, len(truths) + 1, prior=prior, loss=loss)


def test_the_prior_moves_a_value_as_far_as_the_targets_ask(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """By hand: relative errors slope * (x - t_i) on the log scale, each over the RMS error at
    the start (sigma), and a normal prior centred on the tree's value mu with the allowed range
    as its 90% interval (s = log(0.02 / 0.0005) / (2 * 1.645) = 1.121): the maximum a
    posteriori is the precision-weighted mean of the targets' mean t and mu, with precisions
    n * slope^2 / sigma^2 and 1 / s^2, and the posterior's variance one over their sum."""
    slope, truths = 0.5, (0.01, 0.014)
    result, spec = _toy_fit(monkeypatch, slope, truths, "range")
    mu = np.log(float(TREE.get(spec.key, "2015-01-01")))
    assert mu == pytest.approx(np.log(0.005))
    t = np.log(np.array(truths))
    sigma = np.sqrt(np.mean((slope * (mu - t)) ** 2))
    s = np.log(0.02 / 0.0005) / (2 * 1.6448536)
    data, belief = len(t) * slope**2 / sigma**2, 1 / s**2
    x = (data * t.mean() + belief * mu) / (data + belief)
    (item,) = result.parameters
    assert result.prior == "range" and result.noise == pytest.approx(sigma)
    assert np.log(item.value) == pytest.approx(x, abs=1e-6)
    # between the prior's centre and what the targets alone ask for, nearer the targets
    assert np.log(0.005) < np.log(item.value) < t.mean()
    sd = 1 / np.sqrt(data + belief)
    lo, hi = item.interval_90
    assert np.log(lo) == pytest.approx(x - 1.6448536 * sd, abs=1e-5)
    # the interval is cut at the range's end (x + 1.645 sd is about 0.024), its share of the
    # range is not: the posterior's spread over the prior's
    assert np.exp(x + 1.6448536 * sd) > 0.02 and hi == pytest.approx(0.02)
    assert item.width == pytest.approx(sd / s, abs=1e-5)
    # the reported errors are the targets' alone, without the prior's residual
    assert result.rms_relative_error_before == pytest.approx(sigma)
    assert result.rms_relative_error_after == pytest.approx(
        np.sqrt(np.mean((slope * (x - t)) ** 2)), abs=1e-6
    )
    assert len(result.residuals) == len(truths)


def test_without_the_prior_the_fit_is_plain_least_squares(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """By hand: with ``prior="none"`` the fit goes all the way to the targets' mean t on the
    log scale, and its variance is the residual variance over n - p = 1 degree of freedom
    divided by n * slope^2 (the Gauss-Newton covariance as before the prior)."""
    slope, truths = 0.5, (0.01, 0.014)
    result, _ = _toy_fit(monkeypatch, slope, truths, "none")
    t = np.log(np.array(truths))
    (item,) = result.parameters
    assert result.prior == "none" and result.noise is None
    assert result.method.startswith("scipy.optimize.least_squares (trf), relative errors")
    assert np.log(item.value) == pytest.approx(t.mean(), abs=1e-6)
    sd = np.sqrt(np.sum((slope * (t - t.mean())) ** 2) / 1 / (len(t) * slope**2))
    lo, hi = item.interval_90
    assert np.log(hi) - np.log(lo) == pytest.approx(2 * 1.6448536 * sd, abs=1e-5)


def test_the_cross_validation_table_compares_the_tree_and_both_refits(
    figures: Path, capsys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import immsim.calibration.calibrate as module

    result = Calibration("m", (), 1, 0.1, 0.1, {}, (), 0)
    folds = (
        module.Fold(
            "FY2017-FY2019",
            (2012, 2016),
            16,
            0.095,
            (module.Refit("none", 0.103, result), module.Refit("range", 0.091, result)),
        ),
    )
    monkeypatch.setattr(module, "cross_validate", lambda *args, **kwargs: folds)
    assert main(["calibrate", "--figures", str(figures), "--cross-validate", "--wide"]) == 0
    out = lines(capsys.readouterr().out)
    header = next(line for line in out if "error, tree" in line)
    assert "refit, no prior" in header and "refit, prior" in header
    row = next(line for line in out if line.startswith("FY2017-FY2019"))
    assert row.split()[-3:] == ["9.5%", "10.3%", "9.1%"]
    assert main(["calibrate", "--figures", str(figures), "--cross-validate", "--json"]) == 0
    (fold,) = json.loads(capsys.readouterr().out)["folds"]
    assert fold["median_abs_pct_error_refit"] == 0.103 and fold["prior"] == "none"
    assert [r["prior"] for r in fold["refits"]] == ["none", "range"]


def test_the_model_s_error_comes_from_the_fitted_years_only() -> None:
    """By hand: fitted cells of one draw each, 10% and 30% above (log 1.1, log 1.3), give arrests
    an error of sqrt((log(1.1)^2 + log(1.3)^2) / 2); an out-of-sample cell 300% off counts for
    nothing."""
    rows = [
        replace(_row("FY2012-FY2016", 10.0, 0, 0), fiscal_year=2013, median=11.0, sample="fitted"),
        replace(_row("FY2012-FY2016", 10.0, 0, 0), fiscal_year=2014, median=13.0, sample="fitted"),
        replace(_row("FY2017-FY2019", 10.0, 0, 0), median=40.0, sample="out of sample"),
    ]
    samples = {("arrests", 2013): [11.0], ("arrests", 2014): [13.0], ("arrests", 2018): [40.0]}
    found = discrepancies(rows, samples)
    expected = np.sqrt((np.log(1.1) ** 2 + np.log(1.3) ** 2) / 2)
    assert found["arrests"] == pytest.approx(expected)
    assert found["all"] == pytest.approx(expected)


def test_the_model_s_error_does_not_count_the_draws_spread_twice() -> None:
    """By hand, one fitted cell with the record at 1. Draws e^0.2, e^0.3, e^0.4: centre 0.3 on
    the log scale, standard deviation 0.1, so a next draw misses the centre with variance
    0.01 x (1 + 1/3); the error is sqrt(0.3^2 - 0.01 x 4/3) = 0.2769, not the whole gap 0.3.
    Draws e^-0.5, e^0.3, e^1.1 (standard deviation 0.8) miss the record by no more than their
    own spread: no error is left to add."""
    row = replace(_row("FY2012-FY2016", 1.0, 0, 0), fiscal_year=2014, sample="fitted")
    narrow = discrepancies([row], {("arrests", 2014): list(np.exp([0.2, 0.3, 0.4]))})
    assert narrow["arrests"] == pytest.approx(np.sqrt(0.09 - 0.01 * 4 / 3))
    wide = discrepancies([row], {("arrests", 2014): list(np.exp([-0.5, 0.3, 1.1]))})
    assert wide["arrests"] == 0.0


def test_the_draws_band_is_a_prediction_interval_for_the_next_draw() -> None:
    """By hand: three draws 1, e^0.1, e^0.2 (log scale 0, 0.1, 0.2: mean 0.1, sd 0.1); the band
    is exp(0.1 -+ 2.920 x 0.1 x sqrt(4/3)), 2.920 the 95th percentile of Student's t with 2
    degrees of freedom. And it does what it says: over 4,000 sets of three normal draws it holds
    a fourth draw about 90% of the time, where the three's 5th-95th percentiles hold about half."""
    low, high = draws_band([1.0, np.exp(0.1), np.exp(0.2)], "log")
    half = 2.920 * 0.1 * np.sqrt(4 / 3)
    assert np.log(low) == pytest.approx(0.1 - half, abs=1e-3)
    assert np.log(high) == pytest.approx(0.1 + half, abs=1e-3)
    rng = np.random.default_rng(3)
    sets = np.exp(rng.standard_normal((4000, 4)))
    held = [draws_band(list(s[:3]), "log") for s in sets]
    inside = np.mean([lo <= s[3] <= hi for (lo, hi), s in zip(held, sets, strict=True)])
    naive = np.mean([np.quantile(s[:3], 0.05) <= s[3] <= np.quantile(s[:3], 0.95) for s in sets])
    assert inside == pytest.approx(0.9, abs=0.02)
    assert naive < 0.5


def test_the_predictive_band_carries_the_uncertainty_of_an_error_from_few_cells() -> None:
    """By hand: one value, an error of 0.2 on the log scale estimated from five fitted cells.
    The band's upper end is the value times exp(0.2 t), t the 95th percentile of Student's t
    with 5 degrees of freedom (2.015), not the normal's 1.645: 22% wider on the log scale.
    With 400 cells the two agree."""
    row = _row("FY2017-FY2019", 10.0, 0, 0)
    rng = np.random.default_rng(1)
    few = _widened(row, [1.0] * 100, {"arrests": 0.2}, {"arrests": 5}, rng)
    many = _widened(row, [1.0] * 100, {"arrests": 0.2}, {"arrests": 400}, rng)
    assert few.predictive_high is not None and many.predictive_high is not None
    assert np.log(few.predictive_high) == pytest.approx(0.2 * 2.015, rel=0.03)
    assert np.log(many.predictive_high) == pytest.approx(0.2 * 1.649, rel=0.03)


def test_the_predictive_band_widens_the_draws_by_the_model_s_error(figures: Path) -> None:
    """With the model's error added, each band holds the draws' band, and more records fall
    inside it than inside the draws' band alone."""
    result = validate(figures, TREE, draws=2, seeds_only=True)
    assert result.discrepancy and set(result.discrepancy) >= {"arrests", "all"}
    for row in result.rows:
        assert row.predictive_low is not None and row.predictive_high is not None
        assert row.predictive_low <= row.median <= row.predictive_high
        assert row.predictive_high - row.predictive_low > row.high - row.low
    predictive = result.out_of_sample_predictive_coverage
    plain = result.out_of_sample_coverage
    assert predictive is not None and plain is not None and predictive > plain


def test_the_run_budget_counts_the_optimizers_first_evaluation() -> None:
    """By hand, for 23 values: the fit's first run, least_squares' first evaluation and its
    23-run Jacobian are 25 runs, and each step adds a trial and a Jacobian (24 runs): 60 runs
    allow one step (49 used at most), 73 two, and 48 none, which is refused."""
    from immsim.calibration.calibrate import _steps

    assert _steps(60, 23) == 1
    assert _steps(72, 23) == 1
    assert _steps(73, 23) == 2
    with pytest.raises(InputError, match="at least 49 model runs"):
        _steps(48, 23)


OUTLIER = (0.0095, 0.01, 0.0105, 0.0006)
"""Three targets (FY2013-FY2015) that ask for a value near 0.01 and one (FY2016) that asks for
0.0006 (log scale: about -4.6 against -7.4)."""


@pytest.mark.parametrize("loss", ["soft_l1", "huber", "cauchy"])
def test_a_robust_loss_stays_with_the_bulk_that_one_outlier_pulls_least_squares_off(
    monkeypatch: pytest.MonkeyPatch, loss: str
) -> None:
    """By hand: relative errors r_i = slope * (x - t_i) on the log scale. Least squares goes to
    the mean of t, which the outlier drags 0.70 below the bulk's mean; a robust loss goes where
    the psi of the errors sum to zero (psi(r) = rho'((r / c)^2) r, c the median absolute error at
    the start), found here by bisection, near the bulk. Its interval is Huber's (1981, 7.6)
    covariance K sum(psi^2) / (n - p) / mean(psi') / sum(psi' slope^2)."""
    from scipy.optimize import brentq

    from immsim.calibration.calibrate import loss_rho

    slope = 0.5
    t = np.log(np.array(OUTLIER))
    bulk = t[:3].mean()
    plain, _ = _toy_fit(monkeypatch, slope, OUTLIER, "none")
    robust, _ = _toy_fit(monkeypatch, slope, OUTLIER, "none", loss)
    x_plain = np.log(plain.parameters[0].value)
    x_robust = np.log(robust.parameters[0].value)
    assert x_plain == pytest.approx(t.mean(), abs=1e-6)
    assert bulk - x_plain == pytest.approx(0.70, abs=0.01)
    # the scale: the median absolute error at the start (the tree's value, 0.005)
    c = np.median(np.abs(slope * (np.log(0.005) - t)))
    assert robust.loss == loss and robust.scale == pytest.approx(c)
    assert loss in robust.method

    def psi(x: float) -> np.ndarray:
        r = slope * (x - t)
        return np.asarray(loss_rho(loss, (r / c) ** 2)[1] * r)  # type: ignore[arg-type]

    x = brentq(lambda x: float(np.sum(psi(x))), t.min(), t.max(), xtol=1e-12)
    assert x_robust == pytest.approx(x, abs=1e-4)
    # near the bulk: less than half least squares' distance from it
    assert abs(bulk - x_robust) < abs(bulk - x_plain) / 2
    # Huber's covariance, by hand
    r = slope * (x - t)
    z = (r / c) ** 2
    rho = loss_rho(loss, z)  # type: ignore[arg-type]
    d = np.clip(rho[1] + 2 * z * rho[2], 0, None)
    n, p = len(t), 1
    k = 1 + p / n * np.var(d) / np.mean(d) ** 2
    var = k * np.sum(psi(x) ** 2) / (n - p) / np.mean(d) / np.sum(d * slope**2)
    lo, hi = robust.parameters[0].interval_90
    assert np.log(hi) - np.log(lo) == pytest.approx(2 * 1.6448536 * np.sqrt(var), rel=1e-3)
    # the reported errors are the relative errors themselves, not scipy's scaled ones
    assert sorted(robust.residuals.values()) == pytest.approx(sorted(r), abs=1e-4)


def test_a_robust_loss_keeps_the_prior_s_residual_a_square(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """By hand, with the prior (its residual (x - mu) / s always squared) and the Cauchy loss on
    the targets' errors over sigma (the RMS at the start) with the scale c / sigma: the maximum a
    posteriori solves sum(psi(r_i)) * slope / sigma^2 + (x - mu) / s^2 = 0."""
    from scipy.optimize import brentq

    from immsim.calibration.calibrate import loss_rho

    slope = 0.5
    t = np.log(np.array(OUTLIER))
    mu = np.log(0.005)
    sigma = np.sqrt(np.mean((slope * (mu - t)) ** 2))
    c = np.median(np.abs(slope * (mu - t)))
    s = np.log(0.02 / 0.0005) / (2 * 1.6448536)

    def gradient(x: float) -> float:
        r = slope * (x - t)
        psi = loss_rho("cauchy", (r / c) ** 2)[1] * r
        return float(np.sum(psi) * slope / sigma**2 + (x - mu) / s**2)

    x = brentq(gradient, t.min(), t.max(), xtol=1e-12)
    result, _ = _toy_fit(monkeypatch, slope, OUTLIER, "range", "cauchy")
    assert result.prior == "range" and result.noise == pytest.approx(sigma)
    assert np.log(result.parameters[0].value) == pytest.approx(x, abs=1e-4)


@pytest.mark.parametrize("given, loss", [([], "linear"), (["--loss", "cauchy"], "cauchy")])
def test_the_loss_option_reaches_the_fit_and_the_cross_validation(
    figures: Path, capsys, monkeypatch, given: list[str], loss: str
) -> None:  # type: ignore[no-untyped-def]
    import immsim.calibration.calibrate as module

    seen: dict[str, object] = {}
    result = Calibration("m", (), 1, 0.1, 0.1, {}, (), 0)

    def fit(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen["fit"] = kwargs["loss"]
        return result

    def folds(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen["cv"] = kwargs["loss"]
        refits = (module.Refit("none", 0.1, result), module.Refit("range", 0.1, result))
        return (module.Fold("FY2017-FY2019", (2012, 2016), 16, 0.095, refits),)

    monkeypatch.setattr(module, "calibrate", fit)
    monkeypatch.setattr(module, "cross_validate", folds)
    assert main(["calibrate", "--figures", str(figures), "--dry-run", *given]) == 0
    assert main(["calibrate", "--figures", str(figures), "--cross-validate", *given]) == 0
    assert seen == {"fit": loss, "cv": loss}
    assert f"every fit with the {loss} loss" in text(capsys.readouterr().out)
    assert main(["calibrate", "--figures", str(figures), "--loss", "l2"]) != 0


def _two_metric_fit(
    monkeypatch: pytest.MonkeyPatch, slope: float, weights: str, prior: str = "none"
) -> tuple[Calibration, np.ndarray, np.ndarray]:
    """Two toy metrics (:func:`_fit_to_truths`): ``a`` with one target (FY2013), asking for
    0.002, and ``b`` with nine (FY2013-FY2021), asking for values near 0.01."""
    t_a = np.log(np.array([0.002]))
    t_b = np.log(np.linspace(0.008, 0.012, 9))
    truths = {("a", 2013): float(t_a[0])} | {("b", 2013 + i): float(t) for i, t in enumerate(t_b)}
    result, _ = _fit_to_truths(
        monkeypatch, slope, truths, 10, fit_years=range(2013, 2022), prior=prior, weights=weights
    )
    return result, t_a, t_b


def test_per_metric_weights_count_each_metric_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """By hand: residuals r = slope * (x - t). Per cell, least squares is the mean of the ten
    targets, (t_a + 9 mean(t_b)) / 10, near metric b. Per metric (a's residual weighted 1, b's
    1/3), it minimises (x - t_a)^2 + sum((x - t_b)^2) / 9: x = (t_a + mean(t_b)) / 2, halfway.
    Its weighted least squares variance is sum(w^2 r^2) / (n - p) / (slope^2 sum(w^2)), with
    sum(w^2) = 2 (two metrics), not 10."""
    slope = 0.5
    cell, t_a, t_b = _two_metric_fit(monkeypatch, slope, "per-cell")
    metric, _, _ = _two_metric_fit(monkeypatch, slope, "per-metric")
    x_cell = np.log(cell.parameters[0].value)
    x_metric = np.log(metric.parameters[0].value)
    assert x_cell == pytest.approx((t_a[0] + 9 * t_b.mean()) / 10, abs=1e-6)
    assert x_metric == pytest.approx((t_a[0] + t_b.mean()) / 2, abs=1e-6)
    assert cell.weights == "per-cell" and metric.weights == "per-metric"
    assert "1/sqrt" in metric.method and "1/sqrt" not in cell.method
    # the interval: weighted least squares' covariance, by hand
    x = (t_a[0] + t_b.mean()) / 2
    w = np.array([1.0] + [1 / 3] * 9)
    r = slope * (x - np.concatenate([t_a, t_b]))
    var = np.sum((w * r) ** 2) / (10 - 1) / (slope**2 * np.sum(w**2))
    lo, hi = metric.parameters[0].interval_90
    assert np.log(hi) - np.log(lo) == pytest.approx(2 * 1.6448536 * np.sqrt(var), rel=1e-3)
    # the identifiability report reads the weighted Jacobian: sqrt(sum(w^2)) * slope
    assert metric.identifiability is not None
    assert metric.identifiability.singular_values[0] == pytest.approx(np.sqrt(2) * slope, rel=1e-3)
    # the reported errors are the relative errors themselves, unweighted
    assert metric.residuals["a FY2013"] == pytest.approx(r[0], abs=1e-6)
    assert metric.rms_relative_error_after == pytest.approx(np.sqrt(np.mean(r**2)), abs=1e-6)


def test_per_metric_weights_set_the_prior_s_noise_to_one_target_s_weighted_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """By hand, with the prior: the targets' residuals w r / sigma, sigma the weighted RMS at the
    start sqrt(sum(w^2 r^2) / sum(w^2)), and the prior (x - mu) / s: the maximum a posteriori is
    the precision-weighted mean of the per-metric estimate m = (t_a + mean(t_b)) / 2 and mu, with
    precisions 2 slope^2 / sigma^2 and 1 / s^2."""
    slope = 0.5
    result, t_a, t_b = _two_metric_fit(monkeypatch, slope, "per-metric", "range")
    mu = np.log(0.005)
    w = np.array([1.0] + [1 / 3] * 9)
    t = np.concatenate([t_a, t_b])
    sigma = np.sqrt(np.sum((w * slope * (mu - t)) ** 2) / np.sum(w**2))
    s = np.log(0.02 / 0.0005) / (2 * 1.6448536)
    data, belief = 2 * slope**2 / sigma**2, 1 / s**2
    x = (data * (t_a[0] + t_b.mean()) / 2 + belief * mu) / (data + belief)
    assert result.noise == pytest.approx(sigma)
    assert np.log(result.parameters[0].value) == pytest.approx(x, abs=1e-6)


def test_unknown_weights_are_refused() -> None:
    from immsim.calibration.calibrate import metric_weights

    assert list(metric_weights("per-metric", [("a", 1), ("b", 1), ("b", 2), ("b", 3), ("b", 4)]))
    assert metric_weights("per-metric", [("a", 1), ("b", 1), ("b", 2), ("b", 3), ("b", 4)])[
        1
    ] == pytest.approx(0.5)
    with pytest.raises(InputError):
        metric_weights("per-year", [("a", 1)])  # type: ignore[arg-type]
