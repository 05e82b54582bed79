"""Parole as a protected status (issue 21): the 2022-2024 processes' parolees are raked to DHS's
counts, protected while their parole holds under every regime, and arrestable in proportion once
DHS ends it.

The population is built on 2025-01-01, when the level holds DHS's 1,468,500 (the CHNV processes'
532,000 and CBP One's 936,500 appointments); the runs use ICE's hours a thousand times the
officers' and no collateral arrests, so that arrests follow who may be arrested and not which
channel's hours bind. A hundred times (enough for the TPS check in ``test_levers.py``) is not
enough here: the at-large teams' hours still reach the regime's last tier only in part, where
the parolees with no conviction are, so the hours a protected parolee leaves go to the other
parolees met (measured: 0.426 of the unprotected run's arrests where 0.362 are removable, 0.367
at a thousand times).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from scenario_docs import scenario_from

from immsim.engine.run import run
from immsim.parameters import load_baseline
from immsim.population.build import build_population

# the populations built inside the package shared with the session's (conftest)
pytestmark = pytest.mark.usefixtures("shared_builds")

TREE = load_baseline()
POP = build_population(TREE, dt.date(2025, 1, 1), seed=1)
IN_FORCE = "enforcement.protections.parole_in_force_share"
COUNT = "population.composition.protected_status.parole"
RUN_START = dt.date(2025, 1, 20)  # the January 2025 regime's first day, a Monday
ENDED = dt.date(2025, 6, 2)  # the first week after the CHNV paroles ended (2025-05-30)


def at(key: str, day: dt.date | str) -> float:
    return float(TREE.get(key, day))


def go(regime: str, start: dt.date, overrides: dict[str, Any] | None = None) -> Any:
    """A year from ``start`` with ICE's hours ample and no collateral arrests."""
    settings = {
        "enforcement.ero_deportation_officers": 1000
        * at("enforcement.ero_deportation_officers", start),
        "enforcement.channels.collateral_per_targeted": 0.0,
        **(overrides or {}),
    }
    doc = {
        "name": "parole",
        "regime": regime,
        "start": start.isoformat(),
        "horizon_years": 1,
        "seed": 7,
        "reform": {
            "name": "parole",
            "overrides": {k: {"values": {"2006-10-01": v}} for k, v in settings.items()},
        },
    }
    scenario = scenario_from(doc)
    return run(scenario, population=POP)


def parolee_arrests(result: Any, first: int = 0, weeks: int | None = None) -> float:
    """Arrests of parolees in the run's weeks ``first`` to ``first + weeks`` (to the end)."""
    rows = result.breakdown.filter(
        (pl.col("stage") == "arrested")
        & (pl.col("attribute") == "protected_status")
        & (pl.col("level") == "parole")
    )
    week = pl.col("week") - result.weekly["week"].min()  # the run's weeks, from its first
    rows = rows.filter(week >= first)
    if weeks is not None:
        rows = rows.filter(week < first + weeks)
    return float(rows["persons"].sum())


def test_the_parolees_match_dhs_counts_within_the_raking() -> None:
    # Raked to 532,000 + 936,500 = 1,468,500; whole people by systematic rounding, which is
    # exact on the total and close on the other margins (tolerance 0.1%)
    dhs = 532_000 + 936_500
    assert at(COUNT, "2025-01-01") == dhs
    assert POP.marginal("protected_status")["parole"] == pytest.approx(dhs, rel=1e-3)
    parolees = POP.strata.filter(pl.col("protected_status") == "parole")
    assert parolees["known_to_agency"].all()  # DHS paroled them: known by construction
    assert set(parolees["years_in_us"].cast(pl.Utf8)) <= {"y0_1", "y2_4"}  # arrived 2022-2024
    before = build_population(TREE, dt.date(2021, 10, 1), seed=1)
    assert "parole" not in before.marginal("protected_status")  # the processes began in 2022


def test_the_arrivals_of_a_run_from_2026_hold_no_parole() -> None:
    # The processes ended on 2025-01-20: the band whose composition a run's arrivals take
    # (less than two years in the U.S.) holds none of them in the default run's population
    later = build_population(TREE, dt.date(2026, 10, 1), seed=1)
    recent = later.strata.filter(pl.col("years_in_us") == "y0_1")
    assert recent.filter(pl.col("protected_status") == "parole")["count"].sum() == 0
    assert later.marginal("protected_status")["parole"] == pytest.approx(1_468_500, rel=1e-3)


def test_parolees_are_protected_until_the_termination_and_arrested_after() -> None:
    # Under the January 2025 rules (everyone removable arrested when met), no parolee is
    # arrested while every parole holds (to the week of 2025-05-30), and some are after
    assert at(IN_FORCE, ENDED - dt.timedelta(days=7)) == 1.0
    assert at(IN_FORCE, ENDED) < 1.0
    result = go("jan2025", RUN_START)
    ended = (ENDED - RUN_START).days // 7
    assert parolee_arrests(result, 0, ended) == 0
    assert parolee_arrests(result, ended) > 10_000


def test_parolees_are_arrested_in_proportion_to_the_paroles_ended() -> None:
    # Hand calculation: from 2025-06-02 to 2025-07-04 the CHNV paroles have ended and the CBP
    # One paroles hold, 1 - 0.638 = 0.362 of the level removable (0.522 in force from July),
    # arrested through every channel alike; against none protected, parolees' arrests are that
    # share of theirs. Five weeks, from the same population and day, before arrests deplete
    # the unprotected run's parolees at large; band 0.03
    removable = 1.0 - at(IN_FORCE, ENDED)
    assert at(IN_FORCE, ENDED + dt.timedelta(days=28)) == at(IN_FORCE, ENDED)
    kept = go("jan2025", ENDED)
    none = go("jan2025", ENDED, {IN_FORCE: 0.0})
    ratio = parolee_arrests(kept, 0, 5) / parolee_arrests(none, 0, 5)
    assert ratio == pytest.approx(removable, abs=0.03), ratio


def test_earlier_regimes_leave_parolees_alone_while_the_parole_holds() -> None:
    # The 2021 guidelines do not name parolees, and no regime before 2025 ended the
    # processes' paroles: in FY2024 none is arrested; with their paroles ended (the lever at
    # none in force) the same regime arrests some, so it is the parole that protects them
    day = dt.date(2023, 10, 2)
    assert at(IN_FORCE, day) == 1.0
    assert parolee_arrests(go("sep2021", day)) == 0
    assert parolee_arrests(go("sep2021", day, {IN_FORCE: 0.0})) > 0
