"""The 2025-26 mechanisms of issue 19 that live in the detention and court leaves, each checked
against its cited figure or a hand calculation: the Board of Immigration Appeals' Matter of
Yajure Hurtado (5 September 2025), which took bond away from people who entered without
inspection, and the immigration courts' asylum grant rate, halved from August 2024 to August
2025 (TRAC); and the run's start under the 2025 removal goal, whose surge is part of the state
the country was in."""

from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import polars as pl
import pytest
from scenario_docs import scenario_from

from immsim.engine.run import run
from immsim.engine.stages import court, detention
from immsim.engine.start import initial_effort
from immsim.parameters import load_baseline
from immsim.population.build import build_population

# the populations built inside the package shared with the session's (conftest)
pytestmark = pytest.mark.usefixtures("shared_builds")

TREE = load_baseline()
START = dt.date(2025, 10, 1)
POP = build_population(TREE, START, seed=7)


def _run(bond_eligible: float | None) -> Any:
    if bond_eligible is None:
        return _run_with({})
    return _run_with({"detention.release.bond_eligible_share": bond_eligible})


def _run_with(overrides: dict[str, float]) -> Any:
    """A year from October 2025 under the January 2025 regime, each of ``overrides`` (key:
    value) held at its value for the whole run."""
    return _run_overriding({k: {"2011-01-01": v} for k, v in overrides.items()})


def _run_with_values(key: str, values: dict[str, float]) -> Any:
    """As :func:`_run_with`, with one leaf's dated ``values`` (date: value) in place of its own."""
    return _run_overriding({key: values})


def _run_overriding(overrides: dict[str, dict[str, float]]) -> Any:
    doc: dict[str, Any] = {
        "name": "bond",
        "regime": "jan2025",
        "start": START.isoformat(),
        "horizon_years": 1,
        "seed": 7,
    }
    if overrides:
        doc["reform"] = {
            "name": "as-before",
            "overrides": {k: {"values": v} for k, v in overrides.items()},
        }
    return run(scenario_from(doc, "t.yaml"), population=POP)


def test_after_yajure_hurtado_only_the_admitted_may_be_released_on_bond() -> None:
    """Entry without inspection was charged in 62% of 2025's new cases (American Immigration
    Council): after 5 September 2025 the bond release rate applies to the other 38%, before to
    everyone not held by law."""
    before = TREE.get("detention.release.bond_eligible_share", dt.date(2025, 9, 4))
    after = TREE.get("detention.release.bond_eligible_share", dt.date(2025, 9, 5))
    assert (before, after) == (1.0, pytest.approx(1 - 0.62))


def _bond_chance(day: dt.date) -> float:
    """The detention stage's weekly chance of release on bond on ``day``, for one bondable group
    of a national run (the plan reads only these fields)."""
    one = np.ones(1, dtype=np.int64)
    x = SimpleNamespace(
        p=TREE.snapshot(day),
        a=SimpleNamespace(
            bondable=np.ones(1, dtype=bool),
            parole=np.zeros(1, dtype=bool),
            mandatory=np.zeros(1, dtype=bool),
            is_mexico=np.zeros(1, dtype=bool),
        ),
        regime=SimpleNamespace(goal_surge=None),  # no goal's bed order
        tri=SimpleNamespace(rank=one),
        tri_o=SimpleNamespace(rank=one),
        groups=SimpleNamespace(areas=False, area=np.zeros(1, dtype=np.int64)),  # national run
        size=1,
    )
    return float(detention.plan(x).p_bond_release)  # type: ignore[arg-type]


def test_the_weekly_bond_chance_is_the_hand_calculation() -> None:
    """Before: 1 - exp(-r / 52.1775); after: 1 - exp(-0.38 r / 52.1775), r the fitted rate."""
    rate = TREE.get("detention.release.bond_release_rate", START)
    before = _bond_chance(dt.date(2025, 9, 1))
    after = _bond_chance(dt.date(2025, 9, 8))
    assert before == pytest.approx(-math.expm1(-rate / 52.1775))
    assert after == pytest.approx(-math.expm1(-0.38 * rate / 52.1775))


def test_the_decision_cuts_bond_releases_and_holds_more_people() -> None:
    """A year from October 2025 under the decision against the same year with bond as before
    (same seed and population): fewer released on bond, more held awaiting court."""
    now, before = _run(None).weekly, _run(1.0).weekly
    assert now["bond_releases"].sum() < 0.8 * before["bond_releases"].sum()
    assert now["detained_court"].mean() > before["detained_court"].mean()


def _bond_by_status(day: dt.date) -> tuple[float, list[bool], float, list[bool]]:
    """The bond stage's chances and groups on ``day`` for a bondable group without parole, a
    bondable parolee and a parolee held by law (the last never released on bond)."""
    chance, groups, parolee_chance, parolee_groups = detention.bond_chances(
        TREE.snapshot(day),
        np.array([True, True, False]),
        np.array([False, True, True]),
    )
    return chance, groups.tolist(), parolee_chance, parolee_groups.tolist()


def test_after_q_li_parolees_are_held_without_bond() -> None:
    """Matter of Q. Li (BIA, 15 May 2025): a parolee is an applicant for admission held under
    INA 235(b), without bond. Before it, one chance over every bondable group, parolees
    included (r the bond release rate: 1 - exp(-r / 52.1775) a week); from it until Yajure
    Hurtado the others keep that chance and parolees have none; after Yajure Hurtado the others
    have 1 - exp(-0.38 r / 52.1775) and parolees still none."""
    rate = TREE.get("detention.release.bond_release_rate", START)
    full = -math.expm1(-rate / 52.1775)
    chance, groups, parolee_chance, parolee_groups = _bond_by_status(dt.date(2025, 5, 14))
    assert chance == pytest.approx(full)
    assert groups == [True, True, False]
    assert (parolee_chance, parolee_groups) == (0.0, [False, False, False])
    for day, others in ((dt.date(2025, 5, 15), full), (dt.date(2026, 10, 1), None)):
        chance, groups, parolee_chance, parolee_groups = _bond_by_status(day)
        if others is not None:
            assert chance == pytest.approx(others)
        assert groups == [True, False, False]
        assert (parolee_chance, parolee_groups) == (0.0, [False, True, False])
    assert _bond_by_status(dt.date(2026, 10, 1))[0] == pytest.approx(
        -math.expm1(-0.38 * rate / 52.1775)
    )


def test_q_li_cuts_bond_releases_and_removes_more_parolees() -> None:
    """A year from October 2025 under Q. Li against the same year with parolees' bond as the
    others' (same seed and population, which holds the 2022-2024 parolees): fewer released on
    bond, as ICE's releases fell in 2025 (the Deportation Data Project: the share of detainees
    released within about 60 days fell from some 16% in late 2024 to about 3% in 2025), and more
    parolees removed, since those held without bond stay to their order. The beds bind in
    2025-26, so the parolees held take beds others would have had: all interior removals move
    by less than the seed's noise either way (-0.4% on this seed since 2026-12-05's 287(g)
    shares), and the parolees' own removals are the lever's effect (about +3%, some five times
    their Poisson noise; asserted at +1%)."""
    now = _run_with({})
    before = _run_with({"detention.release.parolee_bond_eligible_share": 0.38})
    assert now.weekly["bond_releases"].sum() < 0.95 * before.weekly["bond_releases"].sum()
    assert _removed_parolees(now) > 1.01 * _removed_parolees(before)


def _removed_parolees(results: Any) -> int:
    """People removed over the run whose protected status is parole (the breakdown's count)."""
    rows = results.breakdown.filter(
        (pl.col("stage") == "removed")
        & (pl.col("attribute") == "protected_status")
        & (pl.col("level") == "parole")
    )
    return int(rows["persons"].sum())


def _relief_shares(day: dt.date) -> tuple[float, float]:
    """The court stage's chance of relief on ``day`` for a person with a pending asylum claim and
    for one without (the plan reads only these fields)."""
    x = SimpleNamespace(p=TREE.snapshot(day), a=SimpleNamespace(asylum=np.array([True, False])))
    plan = court.plan(x)  # type: ignore[arg-type]
    # the released docket's; an asylum claim is decided at one rate on either docket
    assert plan.relief_detained[0] == plan.relief_released[0]
    return float(plan.relief_released[0]), float(plan.relief_released[1])


def test_the_asylum_grant_rate_halves_from_august_2024_to_august_2025() -> None:
    """TRAC: 38.2% of asylum decisions granted in August 2024, 19.2% in August 2025; the court
    stage applies them to people with a pending asylum claim and leaves the others' share as
    it was."""
    asylum_2024, other_2024 = _relief_shares(dt.date(2024, 9, 1))
    asylum_2025, other_2025 = _relief_shares(dt.date(2025, 9, 1))
    assert (asylum_2024, asylum_2025) == (pytest.approx(0.382), pytest.approx(0.192))
    assert other_2025 == other_2024


def _detained_ready(day: dt.date) -> float:
    """The court stage's weekly chance that a detained case is ready for decision on ``day``."""
    x = SimpleNamespace(p=TREE.snapshot(day), a=SimpleNamespace(asylum=np.array([False])))
    return court.plan(x).p_detained_ready  # type: ignore[arg-type]


def test_the_detained_docket_s_wait_is_dated_from_the_record() -> None:
    """The court stage reads the tree's dated waits: NPR's 2008-2013 records (22.5 weeks) in
    FY2012 and, no later value having been found, in FY2020; EOIR's January-June 2025 counts
    (TRAC, Little's law: 21.1 weeks) from 2025."""
    fy2012, fy2020 = _detained_ready(dt.date(2012, 3, 1)), _detained_ready(dt.date(2020, 3, 1))
    assert fy2012 == fy2020 == pytest.approx(1 / 22.5)
    assert _detained_ready(dt.date(2025, 9, 1)) == pytest.approx(1 / 21.1)


def test_the_2025_docket_decides_more_detained_cases_and_holds_fewer() -> None:
    """A year from October 2025 at the 2025 wait (21.1 weeks) against NPR's 22.5 (same seed
    and population): a decision hazard 22.5 / 21.1 = 1.07 times as high decides more detained
    cases (2.5% more: fewer wait long enough to leave on bond) and holds fewer awaiting court
    (3% fewer)."""
    now = _run_with({}).weekly
    before = _run_with({"courts.process.detained_case_weeks": 22.5}).weekly
    assert now["completions_detained"].sum() > 1.01 * before["completions_detained"].sum()
    assert now["detained_court"].mean() < 0.99 * before["detained_court"].mean()


def test_fewer_asylum_grants_turn_into_removal_orders() -> None:
    """A year from October 2025 at August 2025's grant rate against the same year at August
    2024's (same seed and population): fewer granted relief, more ordered removed."""
    now = _run_with({}).weekly
    before = _run_with({"courts.process.relief_share_asylum": 0.382}).weekly
    assert now["relief_granted"].sum() < before["relief_granted"].sum()
    assert now["orders"].sum() > before["orders"].sum()


def test_a_goal_in_force_a_window_before_the_start_starts_at_its_ceiling() -> None:
    """The 2025 goal (a million a year from 8 April 2025): a run from October 2026 starts at
    the surge ceiling; one from the goal's first day, or a window later less a day, starts at
    routine effort, as does one before any goal."""
    window = dt.timedelta(weeks=int(TREE.get("enforcement.effort.goal_window_weeks", START)))
    first = dt.date(2025, 4, 8)
    for day in (dt.date(2026, 10, 1), first + window):
        assert initial_effort(day, TREE.snapshot) == TREE.get("enforcement.effort.surge_max", day)
    assert initial_effort(first + window - dt.timedelta(days=1), TREE.snapshot) == 1.0
    assert initial_effort(first, TREE.snapshot) == 1.0
    assert initial_effort(dt.date(2024, 10, 1), TREE.snapshot) == 1.0


def test_a_run_under_a_standing_goal_arrests_more_in_its_first_weeks() -> None:
    """A year from October 2025 under the goal in force since April 2025 against the same year
    with the goal set only from the run's start (same seed and population): the first starts
    at the ceiling, the second climbs from routine effort, so the first arrests more in the
    weeks the second spends climbing, and both reach the ceiling."""
    standing = _run_with({}).weekly
    fresh = _run_with_values(
        "enforcement.effort.removal_goal", {"2011-01-01": 0.0, START.isoformat(): 1_000_000.0}
    ).weekly
    later = START + dt.timedelta(weeks=20)
    assert standing["effort"][0] == pytest.approx(TREE.get("enforcement.effort.surge_max", START))
    assert fresh["effort"][0] == pytest.approx(1.0)
    for weekly in (standing, fresh):
        assert weekly["effort"][20] == pytest.approx(
            TREE.get("enforcement.effort.surge_max", later)
        )
    assert standing["arrests"][:8].sum() > 1.1 * fresh["arrests"][:8].sum()


def test_the_hiring_reaches_the_field_when_its_officers_do() -> None:
    """ERO's deportation officers at work through the 2025-26 hiring: 6,500 in August 2025 (the
    acting director to the AP), 11,500 once The Atlantic's roughly 5,000 new officers were
    operational (January 2026), 14,000 once the academy's recruits are through (June 2026). A
    year from October 2025 under them against the same year with August 2025's 6,500 held
    (same seed and population): every week before the January step is the same run, and every
    week after it arrests more, since officers' hours bind. The rise is less than the officers':
    287(g) task-force arrests do not use ICE's hours and the custodial channels take only the
    jail bookings there are, so added hours go to at-large work."""
    key = "enforcement.ero_deportation_officers"
    steps = [
        (dt.date(2025, 8, 25), 6_500),
        (dt.date(2026, 1, 3), 11_500),
        (dt.date(2026, 6, 3), 14_000),
    ]
    for day, officers in steps:
        assert TREE.get(key, day) == officers
        assert TREE.get(key, day - dt.timedelta(days=1)) < officers
    hired = _run_with({}).weekly
    held = _run_with({key: 6_500.0}).weekly
    dates = hired["date"].to_list()
    before = [i for i, d in enumerate(dates) if d + dt.timedelta(days=6) < steps[1][0]]
    after = [i for i, d in enumerate(dates) if d >= steps[2][0]]
    assert before and after
    for i in before:
        assert hired["arrests"][i] == held["arrests"][i]
    assert all(hired["binding_officers"][i] > 0 for i in after)
    ratio = sum(hired["arrests"][i] for i in after) / sum(held["arrests"][i] for i in after)
    assert 1.0 < ratio < 14_000 / 6_500


def test_the_flights_counted_in_2023_leave_the_interior_seats_after_title_42() -> None:
    """FY2023 under the regimes in force, with the removal-flight seats of Witness at the
    Border's counts (119.5 removal flights a month in March-August 2023 x 12 x 135 seats) against
    the same year with FY2016's 110,000 people flown carried forward (same seed): with the old
    count the border's air removals after Title 42 (11 May 2023), climbing through the summer a
    stay after the apprehensions that followed its end (2,990 a week in June to 5,246 in
    September at this seed), took every seat from August on (8 of June-September's 17 weeks),
    so interior removals by air stalled; with the counted flights the seats bind in fewer of
    those weeks and the interior flies more people."""
    key = "removal.logistics.air_seats_per_year"
    assert TREE.get(key, dt.date(2023, 6, 1)) == pytest.approx(119.5 * 12 * 135)
    doc: dict[str, Any] = {
        "name": "fy2023",
        "regime": "historical",
        "start": "2022-10-01",
        "horizon_years": 1,
        "seed": 7,
    }
    counted = run(scenario_from(doc, "t.yaml")).weekly
    doc["reform"] = {"name": "fy2016", "overrides": {key: {"values": {"2011-01-01": 110_000}}}}
    carried = run(scenario_from(doc, "t.yaml")).weekly
    summer = [i for i, d in enumerate(counted["date"].to_list()) if d >= dt.date(2023, 6, 1)]
    bound_counted = sum(counted["binding_seats"][i] > 0 for i in summer)
    bound_carried = sum(carried["binding_seats"][i] > 0 for i in summer)
    assert bound_carried >= len(summer) / 3
    assert bound_counted < bound_carried
    assert counted["removals_air"].sum() > carried["removals_air"].sum()
