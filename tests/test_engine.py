"""The weekly engine: conservation, hard capacities, reproducibility, queue order, and levers that
move outputs the way a hand calculation says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import builds
import numpy as np
import polars as pl
import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scenario_docs import scenario_from

from immsim.dates import WEEKS_PER_YEAR
from immsim.engine import border
from immsim.engine.draws import cap, stream
from immsim.engine.pipeline import _Snapshot
from immsim.engine.results import load_results
from immsim.engine.run import run
from immsim.engine.stages.detention import admit
from immsim.errors import InputError
from immsim.parameters import load_baseline
from immsim.regimes import regime_names

TREE = load_baseline()
POP = builds.national(TREE, dt.date(2016, 10, 1), seed=1)
STOCKS = (
    "at_large",
    "final_orders_at_large",
    "court_released",
    "detained_court",
    "detained_removal",
)
OUTFLOWS = (
    "emigrated",
    "cbp_home_departures",  # paid self-departures leave the population, not by removal
    "status_granted",
    "voluntary_returns",
    "relief_granted",
    "removals_interior",
)


def scenario(
    regime: str = "nov2014",
    start: str = "2016-10-01",
    years: int = 1,
    seed: int = 5,
    overrides: dict[str, Any] | None = None,
) -> Any:
    doc: dict[str, Any] = {
        "name": "test",
        "regime": regime,
        "start": start,
        "horizon_years": years,
        "seed": seed,
    }
    if overrides:
        doc["reform"] = {
            "name": "levers",
            # a value for the whole tree, or a leaf's own dated values (date: value)
            "overrides": {
                k: {"values": v if isinstance(v, dict) else {"2011-01-01": v}}
                for k, v in overrides.items()
            },
        }
    return scenario_from(doc)


def go(**kwargs: Any) -> Any:
    return run(scenario(**kwargs), population=POP)


@pytest.fixture(scope="module")
def base() -> Any:
    return go(years=2)


def total_stock(weekly: pl.DataFrame) -> np.ndarray:
    return sum(weekly[c].to_numpy() for c in STOCKS)  # type: ignore[return-value]


def check_conservation(results: Any) -> None:
    w = results.weekly
    stock = total_stock(w)
    inflow = w["arrivals"].to_numpy()
    outflow = sum(w[c].to_numpy() for c in OUTFLOWS)
    initial = results.manifest["population"]["in_pipeline_at_start"]
    expected = initial + np.cumsum(inflow - outflow)
    np.testing.assert_array_equal(stock, expected)


def check_capacities(results: Any) -> None:
    w = results.weekly
    interior_beds = np.maximum(0, np.floor(w["beds"].to_numpy() - w["detained_border"].to_numpy()))
    held = w["detained_court"].to_numpy() + w["detained_removal"].to_numpy()
    assert np.all(held <= interior_beds)
    assert np.all(w["officer_hours_used"].to_numpy() <= w["officer_hours"].to_numpy() + 1e-6)
    assert np.all(w["judge_hours_used"].to_numpy() <= w["judge_hours"].to_numpy() + 1e-6)
    assert np.all(w["air_seats_used"].to_numpy() <= w["air_seats"].to_numpy() + 1e-9)
    for column in w.columns:
        if w[column].dtype.is_numeric():
            assert (w[column].to_numpy() >= 0).all(), column


def test_nobody_appears_or_vanishes(base) -> None:  # type: ignore[no-untyped-def]
    check_conservation(base)
    assert base.manifest["population"]["in_pipeline_at_start"] == POP.total


def test_capacities_hold_even_when_tight() -> None:
    # 500 beds for the interior beside the border's (its removals x days held, FY2017)
    at_border = border.detained(TREE.snapshot(dt.date(2016, 10, 1)))
    tight = go(
        overrides={
            "detention.funded_beds": int(at_border) + 500,
            "courts.immigration_judges": 60,
            "enforcement.ero_deportation_officers": 400,
            "removal.logistics.air_seats_per_year": 10000,
        }
    )
    check_capacities(tight)
    check_conservation(tight)
    w = tight.weekly
    assert w["binding_beds"].sum() > 0 and w["binding_officers"].sum() > 0
    assert w["binding_seats"].sum() > 0


def test_seeded_runs_are_identical(base) -> None:  # type: ignore[no-untyped-def]
    again = go(years=2)
    assert again.weekly.equals(base.weekly)
    assert again.breakdown.equals(base.breakdown)
    other = go(years=2, seed=6)
    assert not other.weekly.equals(base.weekly)


def test_results_round_trip_and_refuse_to_clobber(base, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = base.save(tmp_path / "run")
    back = load_results(folder)
    assert back.weekly.equals(base.weekly)
    assert back.manifest["seed"] == 5
    beds = back.manifest["parameters"]["detention.funded_beds"]["values"][0]
    assert beds["value"] == TREE.get("detention.funded_beds", "2016-10-01")
    assert beds["source"]
    with pytest.raises(InputError, match="already exists"):
        base.save(folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


# --- levers against hand calculations -------------------------------------------------------


def yearly_mean(results: Any, column: str) -> float:
    return float(results.weekly[column].mean()) * WEEKS_PER_YEAR


def test_judges_set_court_completions_when_the_backlog_is_large() -> None:
    # non-detained completions = (judge hours - detained hours) / hours per case
    few = go(overrides={"courts.immigration_judges": 150})
    many = go(overrides={"courts.immigration_judges": 300})
    hours_per_year = TREE.get("courts.process.hours_per_judge_year", "2017-01-01")
    per_case = TREE.get("courts.process.hours_per_case_released", "2017-01-01")
    per_det = TREE.get("courts.process.hours_per_case_detained", "2017-01-01")
    for result, judges in ((few, 150), (many, 300)):
        expected = (
            judges * hours_per_year - yearly_mean(result, "completions_detained") * per_det
        ) / per_case
        assert yearly_mean(result, "completions_released") == pytest.approx(expected, rel=0.02)
    assert yearly_mean(many, "completions_released") > 1.8 * yearly_mean(
        few, "completions_released"
    )


def test_more_beds_hold_more_people_when_beds_bind() -> None:
    # With ample beds this run's interior holds about 11,600 people; in its last 20 weeks (after
    # DHS's memorandum of 20 February 2017) the border holds some 16,100 beside them (its
    # removals times the first measured month's days held), so both bed counts bind there.
    small = go(overrides={"detention.funded_beds": 24000})
    large = go(overrides={"detention.funded_beds": 26000})
    w = small.weekly[-20:]
    assert w["binding_beds"].mean() > 0.5
    held_small = (w["detained_court"] + w["detained_removal"]).mean()
    interior = (w["beds"] - w["detained_border"]).mean()
    # beds are full at admission; by the week's end removals and decisions have freed some
    assert held_small >= 0.7 * interior
    w = large.weekly[-20:]
    held_large = (w["detained_court"] + w["detained_removal"]).mean()
    assert held_small < held_large <= (w["beds"] - w["detained_border"]).mean()
    assert yearly_mean(large, "refused_bed") < yearly_mean(small, "refused_bed")


def test_postponed_non_detained_hearings_stop_released_completions() -> None:
    """EOIR postponed every non-detained hearing from 18 March 2020: with the share at 0 no
    released case is completed; at one half, half of the hours the detained docket leaves."""
    judges = {"courts.immigration_judges": 150}
    closed = go(overrides={**judges, "courts.process.non_detained_hearing_share": 0.0})
    half = go(overrides={**judges, "courts.process.non_detained_hearing_share": 0.5})
    assert closed.weekly["completions_released"].sum() == 0
    assert closed.weekly["completions_detained"].sum() > 0  # detained hearings went on
    hours_per_year = TREE.get("courts.process.hours_per_judge_year", "2017-01-01")
    per_case = TREE.get("courts.process.hours_per_case_released", "2017-01-01")
    per_det = TREE.get("courts.process.hours_per_case_detained", "2017-01-01")
    expected = (
        0.5
        * (150 * hours_per_year - yearly_mean(half, "completions_detained") * per_det)
        / per_case
    )
    assert yearly_mean(half, "completions_released") == pytest.approx(expected, rel=0.02)


def test_the_pandemic_capacity_limit_holds_fewer_people_when_beds_bind() -> None:
    """ICE's Pandemic Response Requirements held facilities to about 75% of capacity: the
    interior holds at most 75% of the beds less the border's, and fewer than with every bed."""
    # 24,000 beds leave the interior room for all it holds (about 11,800 beside some 8,700 of
    # the border's); three quarters of them do not.
    full = go(overrides={"detention.funded_beds": 24000})
    limited = go(
        overrides={"detention.funded_beds": 24000, "detention.pandemic_capacity_share": 0.75}
    )
    w = limited.weekly
    held = (w["detained_court"] + w["detained_removal"]).to_numpy()
    assert np.all(held <= np.floor(0.75 * 24000 - w["detained_border"].to_numpy()))
    held_full = (full.weekly["detained_court"] + full.weekly["detained_removal"]).mean()
    assert held.mean() < 0.9 * held_full


def test_a_missing_parameter_is_a_clear_error() -> None:
    snapshot = _Snapshot(dt.date(2011, 1, 1), {"detention.funded_beds": 1})
    assert snapshot["detention.funded_beds"] == 1
    with pytest.raises(InputError, match=r"courts\.immigration_judges"):
        snapshot["courts.immigration_judges"]


def test_officers_scale_arrests_when_officers_bind() -> None:
    few = go(overrides={"enforcement.ero_deportation_officers": 1000})
    many = go(overrides={"enforcement.ero_deportation_officers": 4000})
    assert few.weekly["binding_officers"].mean() > 0.9
    ratio = yearly_mean(many, "arrests") / yearly_mean(few, "arrests")
    # a little over 4 at most: each program's hours are cut to whole arrests every week, which
    # costs the few officers' smaller programs (some 30 at-large arrests a week) up to one each
    assert 2.0 < ratio <= 4.1


def test_no_emigration_means_none() -> None:
    result = go(overrides={"flows.emigration_rate": 0})
    assert result.weekly["emigrated"].sum() == 0
    check_conservation(result)


def test_refusing_countries_hold_orders_unexecuted() -> None:
    result = go(
        overrides={"removal.logistics.travel_document_rate.refusing_or_delaying": 0},
        years=1,
    )
    removed = result.shares("removed", "country_group")
    assert "refusing_or_delaying" not in removed["level"].to_list()
    assert result.weekly["zadvydas_releases"].sum() > 0
    assert result.weekly["binding_travel_documents"].sum() > 0


def test_a_goal_raises_effort_and_arrests() -> None:
    plain = go(regime="eo13768", start="2017-02-01")
    # the goal from the run's start, so the controller climbs from routine effort (a goal in
    # force a window before the start starts it at the ceiling: test_record.py)
    goal = go(
        regime="eo13768",
        start="2017-02-01",
        overrides={"enforcement.effort.removal_goal": {"2011-01-01": 0, "2017-02-01": 1_000_000}},
    )
    assert goal.weekly["effort"].max() == pytest.approx(
        TREE.get("enforcement.effort.surge_max", "2017-01-01")
    )
    assert yearly_mean(goal, "arrests") > yearly_mean(plain, "arrests")
    # each week's hours and officers' cost are those of the effort it records
    day = "2017-02-01"
    w = goal.weekly.filter(pl.col("date") < dt.date(2017, 10, 1))
    officers = TREE.get("enforcement.ero_deportation_officers", day)
    hours = (
        officers
        * TREE.get("enforcement.effort.hours_per_officer_year", day)
        * TREE.get("enforcement.effort.share_on_arrests", day)
        / WEEKS_PER_YEAR
    )
    cost = (
        officers
        * TREE.get("enforcement.effort.cost_per_officer_year", day)
        / WEEKS_PER_YEAR
        * (1 + TREE.get("enforcement.effort.share_on_arrests", day) * (w["effort"] - 1))
    )
    assert w["effort"].n_unique() > 2  # the effort moves in these weeks
    assert np.allclose(w["officer_hours"], hours * w["effort"], rtol=1e-12)
    assert np.allclose(w["cost_arrest"], cost, rtol=1e-12)


def test_docket_review_closes_cases_at_attorney_speed() -> None:
    result = go(regime="jun2011", start="2011-10-01")
    w = result.weekly
    per_week = (
        TREE.get("courts.process.attorneys", "2012-01-01")
        * TREE.get("enforcement.effort.hours_per_officer_year", "2012-01-01")
        / WEEKS_PER_YEAR
        / TREE.get("courts.process.review_attorney_hours_per_case", "2012-01-01")
    )
    started = w.filter(pl.col("review_cases") > 0)
    assert started["date"][0] >= dt.date(2011, 11, 17)
    assert float(started["review_cases"].max()) == pytest.approx(per_week)
    # ICE had reviewed 219,554 cases by 16 April 2012 (the leaf's reference): within 5%
    by_april = started.filter(pl.col("date") <= dt.date(2012, 4, 16))["review_cases"].sum()
    assert by_april == pytest.approx(219_554, rel=0.05)
    assert started["review_closures"].sum() > 0
    # the review stops once the cases pending at its start have all been read
    assert started["review_cases"].sum() <= started["court_pending"][0] + 1e-6 + per_week


def test_the_2014_priorities_remove_a_more_criminal_mix_than_eo13768() -> None:
    def convicted_share(result: Any) -> float:
        shares = result.shares("arrested", "criminal_history")
        return float(
            shares.filter(pl.col("level") != "none")["persons"].sum() / shares["persons"].sum()
        )

    a = go(regime="nov2014", start="2016-10-01")
    b = go(regime="eo13768", start="2016-10-01")
    assert convicted_share(a) > convicted_share(b)
    assert yearly_mean(b, "arrests") > yearly_mean(a, "arrests")


# --- queues ---------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 50), min_size=1, max_size=20),
    st.integers(0, 400),
    st.randoms(use_true_random=False),
)
def test_beds_go_in_order(requests: list[int], space: int, rnd) -> None:  # type: ignore[no-untyped-def]
    req = np.array(requests, dtype=np.int64)
    order = np.array(rnd.sample(range(req.size), req.size), dtype=np.int64)
    admitted = admit(req, order, space)
    assert np.all(admitted >= 0) and np.all(admitted <= req)
    assert admitted.sum() == min(space, req.sum())
    # nobody later in the order gets a bed while someone earlier waits
    waiting = (admitted < req)[order]
    if waiting.any():
        first_waiting = int(np.argmax(waiting))
        assert np.all(admitted[order[first_waiting + 1 :]] == 0)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 1000), min_size=1, max_size=30),
    st.floats(0, 20000),
    st.integers(0, 2**32 - 1),
)
def test_capacity_cap_never_overshoots(counts: list[int], limit: float, seed: int) -> None:
    arr = np.array(counts, dtype=np.int64)
    capped = cap(stream(np.random.default_rng(seed)), arr, limit)
    assert capped.sum() == min(arr.sum(), int(limit))
    assert np.all(capped <= arr) and np.all(capped >= 0)


# --- random scenarios -------------------------------------------------------------------------

REGIMES = regime_names()  # every shipped regime (test_regimes checks the list itself)


@settings(max_examples=6, deadline=None)
# found by hypothesis: FY2018 border detention from the record takes all of 24,224 beds, and the
# interior's removal cases held must be released too
@example(regime="jun2011", year=2018, beds=24224, judges=1, officers=0, goal=0, seed=0)
@given(
    regime=st.sampled_from(REGIMES),
    year=st.integers(2011, 2026),
    beds=st.integers(0, 120000),
    judges=st.integers(1, 900),
    officers=st.integers(0, 20000),
    goal=st.sampled_from([0, 300000, 2000000]),
    seed=st.integers(0, 2**31),
)
def test_random_scenarios_conserve_and_respect_capacity(
    regime: str, year: int, beds: int, judges: int, officers: int, goal: int, seed: int
) -> None:
    result = run(
        scenario(
            regime=regime,
            start=f"{year}-10-01",
            years=1,
            seed=seed,
            overrides={
                "detention.funded_beds": beds,
                "courts.immigration_judges": judges,
                "enforcement.ero_deportation_officers": officers,
                "enforcement.effort.removal_goal": goal,
            },
        ),
        population=POP,
    )
    check_conservation(result)
    check_capacities(result)


# --- shipped scenarios, the command line and the Python API ----------------------------------

SHIPPED = [
    "default",
    "million-a-year",
    "everyone-in-ten-years",
    "priorities-2014-from-2017",
    "eo13768-from-2017",
    "docket-review-2011",
    "plus-10000-officers",
    "countries-refuse",
    "goal-400k-2014-priorities",
    "sanctuary-arizona",
]


def test_plus_10000_officers_adds_them_to_the_baseline() -> None:
    from immsim.scenario import resolve_scenario

    scenario = resolve_scenario("plus-10000-officers")
    tree = scenario.parameters()
    key = "enforcement.ero_deportation_officers"
    for day, hired in (("2026-10-01", 2500), ("2029-10-01", 10_000), ("2036-01-01", 10_000)):
        assert tree.get(key, day) == TREE.get(key, day) + hired, day


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenarios_run(name: str) -> None:
    from immsim.scenario import resolve_scenario

    shipped = resolve_scenario(name)
    short = shipped.model_copy(update={"horizon_years": 1})
    result = run(short, population=POP)
    check_conservation(result)
    check_capacities(result)
    assert result.manifest["regime"]["name"] == shipped.regime


def year_row(data: dict[str, Any]) -> dict[str, Any]:
    (row,) = data["yearly"]
    return row  # type: ignore[no-any-return]


def test_cli_run_saves_and_reports(tmp_path: Path, write, capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from immsim.cli import main

    path = write(
        "s.yaml", "name: cli\nregime: sep2021\nstart: 2021-10-01\nhorizon_years: 1\nseed: 3\n"
    )
    out = tmp_path / "run"
    code = main(["run", str(path), "--out", str(out), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["folder"] == str(out)
    assert {row["fiscal_year"] for row in data["yearly"]} == {2022}
    (year,) = data["outcomes"]
    saved = load_results(out)
    last_week = saved.weekly.filter(pl.col("fiscal_year") == 2022)["court_pending"][-1]
    assert year["court_pending"] == float(last_week)  # the backlog at the year's end
    assert year["detained"] == pytest.approx(year_row(data)["detained_avg"])
    assert (out / "manifest.json").is_file()
    assert main(["run", str(path), "--out", str(out)]) == 2  # refuses to overwrite
    assert "already exists" in capsys.readouterr().err
    assert main(["run", str(path), "--out", str(out), "--overwrite", "--seed", "4"]) == 0
    assert load_results(out).manifest["seed"] == 4


def test_python_api_runs_an_embedded_scenario_by_name() -> None:
    import immsim

    result = immsim.run("docket-review-2011", population=POP)
    assert result.manifest["regime"]["name"] == "jun2011"  # type: ignore[attr-defined]


def test_at_large_work_goes_down_the_tiers_in_order(tmp_path: Path) -> None:
    """With only at-large operations and few officers, arrests come from the top tier; more
    officers reach further down."""
    from immsim.regimes.catalog import load_regime

    regime = load_regime("eo13768").model_dump(mode="json", exclude_none=True)
    regime["name"] = "at_large_only"
    regime["channels"] = {
        name: name == "at_large"
        for name in regime["channels"]
        if name not in ("source", "assumption")
    } | {"assumption": "test: at-large operations only"}
    regime["exempt"] = []
    # ranked tiers, the mechanism under test (EO 13768's own seven are served alike)
    regime.pop("tier_order", None)
    path = tmp_path / "at_large_only.yaml"
    path.write_text(yaml.safe_dump(regime, sort_keys=False), encoding="utf-8")

    def tiers(officers: int) -> dict[str, int]:
        result = run(
            scenario(
                regime=str(path),
                start="2017-06-01",
                overrides={"enforcement.ero_deportation_officers": officers},
            ),
            population=POP,
        )
        rows = result.breakdown.filter(
            (pl.col("stage") == "arrested") & (pl.col("attribute") == "tier")
        )
        assert result.weekly["arrests"].sum() == result.weekly["arrests_at_large"].sum()
        return dict(rows.group_by("level").agg(pl.col("persons").sum()).iter_rows())

    # Fugitive Operations has its share of them; with charges and convictions during a run
    # (the criminality stage) the convicted tier is replenished, so reaching below it takes
    # more officers than the 45,000 that did before
    few, many = tiers(300), tiers(200000)
    top = load_regime("eo13768").tiers[0].id
    assert set(few) == {top}  # capacity ran out within the first tier
    assert len(many) > 1 and sum(many.values()) > sum(few.values())


def test_the_breakdown_table_keeps_each_week_in_order_when_a_plan_comes_back() -> None:
    """``run._breakdown_table`` searches the weeks of a plan in force together (a stack of
    their sums): a plan's columns that come back after another's keep their first labels, and
    every week's rows stay in week, stage, column order with their counts. Three hand-made
    weeks: plan A's columns, plan B's, A's again (the case the stacking must split)."""
    from immsim.engine.pipeline import Breakdown, WeekRecord
    from immsim.engine.run import _breakdown_table

    a = [("area", "x"), ("area", "y")]
    b = [("sex", "f")]
    sums_a0 = np.array([[0.0, 2.0], [1.0, 0.0], [0.0, 0.0]])  # removed y 2, arrested x 1
    sums_b = np.array([[3.0], [0.0], [0.0]])  # removed f 3
    sums_a2 = np.array([[0.0, 0.0], [0.0, 0.0], [4.0, 5.0]])  # released x 4, y 5
    day = dt.date(2025, 9, 24)  # FY2025; the next two weeks fall in FY2026
    records = [
        WeekRecord(i, day + dt.timedelta(weeks=i), {}, "none", Breakdown(columns, sums))
        for i, (columns, sums) in enumerate(((a, sums_a0), (b, sums_b), (a, sums_a2)))
    ]
    table = _breakdown_table(records)
    assert table.rows() == [
        (0, 2025, "removed", "area", "y", 2),
        (0, 2025, "arrested", "area", "x", 1),
        (1, 2026, "removed", "sex", "f", 3),
        (2, 2026, "released", "area", "x", 4),
        (2, 2026, "released", "area", "y", 5),
    ]


def test_a_regroup_moves_each_group_to_its_new_column() -> None:
    """The stocks' columns and the cohorts' rows follow their groups to a new plan's groups, by
    hand: groups 1, 3, 5, 7 to 0, 1, 5, 6, 7, 9 (group 3 left out, empty); a cohort row moves
    with a group holding anyone awaiting removal and no other; a group left out that holds
    anyone is refused, the state untouched."""
    from immsim.engine.pipeline import State

    stocks = np.array(
        [
            [10, 0, 30, 40],
            [1, 0, 3, 4],
            [0, 0, 5, 0],
            [0, 0, 0, 7],
            [2, 0, 0, 8],  # awaiting removal: groups 1 and 7
        ],
        dtype=np.int64,
    )
    held = np.array([[1, 1, 0], [0, 0, 0], [0, 0, 0], [5, 2, 1]], dtype=np.int64)
    state = State(stocks=stocks.copy(), live=np.array([1, 3, 5, 7]), held=held.copy())
    state.regroup(np.array([0, 1, 5, 6, 7, 9]))
    assert state.stocks.tolist() == [
        [0, 10, 30, 0, 40, 0],
        [0, 1, 3, 0, 4, 0],
        [0, 0, 5, 0, 0, 0],
        [0, 0, 0, 0, 7, 0],
        [0, 2, 0, 0, 8, 0],
    ]
    assert state.held is not None
    assert state.held.tolist() == [[0] * 3, [1, 1, 0], [0] * 3, [0] * 3, [5, 2, 1], [0] * 3]
    assert state.live.tolist() == [0, 1, 5, 6, 7, 9]
    # the table of the plan before last is written over (its own numbers cleared first),
    # where it has rows enough; the table just left is kept for the next
    before = np.full((8, 3), 9, dtype=np.int64)
    reused = State(stocks=stocks.copy(), live=np.array([1, 3, 5, 7]), held=held.copy())
    reused.spare = before
    reused.regroup(np.array([0, 1, 5, 6, 7, 9]))
    assert reused.held is not None and np.shares_memory(reused.held, before)
    assert reused.held.tolist() == state.held.tolist()
    assert reused.stocks.tolist() == state.stocks.tolist()
    assert reused.spare is not None and reused.spare.tolist() == held.tolist()
    # before the first plan there are no cohorts: the stocks alone move
    first = State(stocks=stocks.copy(), live=np.array([1, 3, 5, 7]))
    first.regroup(np.array([1, 5, 7]))
    assert first.held is None
    assert first.stocks.tolist() == [[10, 30, 40], [1, 3, 4], [0, 5, 0], [0, 0, 7], [2, 0, 8]]
    # group 5 holds people: leaving it out is a bug in the plan, refused
    with pytest.raises(AssertionError):
        state.regroup(np.array([0, 1, 6, 7, 9]))
    assert state.live.tolist() == [0, 1, 5, 6, 7, 9]
    assert state.stocks[0].tolist() == [0, 10, 30, 0, 40, 0]
