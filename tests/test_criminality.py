"""Criminal charges and convictions during a run (issue 20): people at large are charged at the
FBI's arrest rate scaled to the unauthorized population, their charges resolve at BJS's pace
into the recorded share of convictions, a conviction moves a person to the group with that
criminal history, and so the convicted share of removals no longer drains away under a policy
that does not change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import builds
import numpy as np
import polars as pl
import pytest

from immsim.calibration.validate import START as BACKTEST_START
from immsim.calibration.validate import backtest_scenario
from immsim.data.figures import fiscal_year_figures
from immsim.engine.groups import LEVELS, build_groups
from immsim.engine.rates import weekly
from immsim.engine.run import run
from immsim.engine.stages import criminality
from immsim.engine.start import interior_detained
from immsim.engine.warm import few_people
from immsim.parameters import load_baseline
from immsim.parameters.reform import Override, Reform
from immsim.population.build import Population
from immsim.scenario import resolve_scenario

TREE = load_baseline()
START = dt.date(2016, 10, 1)
POP = builds.national(TREE, START, seed=1)


def _run(years: int) -> Any:
    """The default scenario's regime from ``START`` on the population built for that day,
    ``years`` long (it set ``end``, which a scenario does not have: the runs went ten years)."""
    update = {"start": START, "horizon_years": years}
    return run(resolve_scenario("default").model_copy(update=update), population=POP)


def test_a_conviction_or_a_charge_moves_a_person_to_the_matching_group() -> None:
    # every combination of criminal history and charge, all else the same
    levels = LEVELS["criminal_history"]
    people = few_people(START)
    row = people.strata.head(1)
    strata = pl.concat(
        [
            row.with_columns(
                pl.lit(level).alias("criminal_history"), pl.lit(pending).alias("pending_charges")
            )
            for level in levels
            for pending in (False, True)
        ]
    )
    groups = build_groups(Population(strata, START, "test"), START)
    crim = np.asarray(levels)[groups.codes["criminal_history"]]
    pending = groups.flags["pending_charges"]
    moves = criminality.targets(groups)
    for i in range(groups.size):
        if pending[i]:
            for k, level in enumerate(criminality.CONVICTED):
                j = moves[k, i]
                worse = max(levels.index(crim[i]), levels.index(level))
                assert not pending[j] and crim[j] == levels[worse]
            assert not pending[moves[-1, i]] and crim[moves[-1, i]] == crim[i]  # dismissed
        else:
            assert pending[moves[-1, i]] and crim[moves[-1, i]] == crim[i]  # charged


def test_a_group_with_no_matching_group_keeps_its_people() -> None:
    strata = few_people(START).strata.head(1)  # one combination (and its later cohorts)
    groups = build_groups(Population(strata, START, "test"), START)
    assert (criminality.targets(groups) == np.arange(groups.size)).all()


def test_the_runs_targets_cut_to_a_plans_groups_are_the_plans_own() -> None:
    # a plan's targets are the run's, made once, cut to the plan's groups (inputs.cut_targets):
    # they must be what the targets of those groups alone are, including where the group an
    # event would move a person to is not among them (the person stays)
    from immsim.engine.inputs import cut_targets

    groups = build_groups(POP, START + dt.timedelta(days=800))
    full = criminality.targets(groups)
    rng = np.random.default_rng(3)
    for share in (0.3, 0.7, 0.95):
        live = np.flatnonzero(rng.random(groups.size) < share).astype(np.int64)
        cut = cut_targets(full, live)
        assert (cut == criminality.targets(groups.take(live))).all()
        dropped = (full[:, live] != live) & (cut == np.arange(live.size))
        assert dropped.any()  # some targets were left out of the plan, and the person stays
        # in row order, as the compiled week reads it (a plan's freezing copied it otherwise)
        assert cut.flags.c_contiguous and cut.dtype == np.int64


def test_charges_and_their_resolution_follow_the_cited_rates() -> None:
    result = _run(1)  # the shortest run (it read 8 weeks of a ten-year run: 60 s -> 8 s)
    w = result.weekly
    at = START.isoformat()
    # by hand: the unauthorized are charged at the FBI's arrest rate times their relative rate,
    # people with a conviction `charges_with_record` times as often as others (the start's shares)
    rate = TREE.get("flows.criminality.arrest_rate", at) * TREE.get(
        "flows.criminality.relative_arrest_rate", at
    )
    ratio = TREE.get("population.association.charges_with_record", at)
    s = POP.strata
    everyone = float(s["count"].sum())
    record = pl.col("criminal_history") != "none"
    convicted = float(s.filter(record)["count"].sum())
    base = rate * everyone / (everyone + (ratio - 1.0) * convicted)
    free = s.filter(~pl.col("pending_charges"))
    expected_charges = float(
        weekly(base) * free.filter(~record)["count"].sum()
        + weekly(ratio * base) * free.filter(record)["count"].sum()
    )
    # a few thousand a week; people held at the start (under 1%) are not charged
    assert w["charges"].head(4).mean() == pytest.approx(expected_charges, rel=0.04)
    # pending charges at large resolve with chance 1 / the weeks to disposition: between all
    # the pending charges and those less everyone held at the start (the held are drawn
    # more from people with charges, as ICE's detainees are), with 5% for the draws
    pending = float(s.filter(pl.col("pending_charges"))["count"].sum())
    held = sum(interior_detained(TREE.snapshot(START)))
    resolved = w["convictions"][0] + w["dismissals"][0]
    weeks = TREE.get("flows.criminality.disposition_weeks", at)
    assert 0.95 * (pending - held) / weeks <= resolved <= 1.05 * pending / weeks
    share = w["convictions"].sum() / (w["convictions"].sum() + w["dismissals"].sum())
    assert share == pytest.approx(TREE.get("flows.criminality.conviction_share", at), abs=0.02)


def _convicted_share(result: Any) -> pl.DataFrame:
    shares = result.shares("removed", "criminal_history")
    return (
        shares.filter(pl.col("level") != "none")
        .group_by("fiscal_year")
        .agg(pl.col("share").sum())
        .sort("fiscal_year")
    )


def test_charges_slow_the_drain_of_the_convicted_share_of_removals(shared_data: Path) -> None:
    """The record: the convicted share of ICE's removals stayed between 55% and 59% in FY2012 to
    FY2017 (ICE's reports, ``published_figures.csv``) under three sets of priorities, so the
    people with a conviction were not used up. The default run's first five years with charges
    and without (no arrests; the charges pending at the start still resolve): before the
    refit of 3 December without them the fifth year kept about half of the first year's
    convicted share (0.51, measured), with them 0.72 to 0.78; after the refit without them it
    keeps 0.68. The test asks only that charges keep more of it. The drain is not gone: the
    run's population at large also shrinks by a third in ten years (emigration outpaces
    arrivals), which the record's years did not see (docs/design.md, known simplifications)."""
    figures = fiscal_year_figures(shared_data / "published_figures.csv")
    record = [figures[("ice_removals_convicted_share", year)].value for year in range(2012, 2018)]
    assert max(record) / min(record) < 1.1  # the record's band: within 10%
    scenario = resolve_scenario("default")
    # five years, the span the test reads: this set ``end``, which a scenario does not have (its
    # end is a property of ``horizon_years``), so the runs went ten
    horizon = {"horizon_years": 5}
    timeline = {v.start: 0.0 for v in TREE.leaf("flows.criminality.arrest_rate").values}
    no_charges = Reform(
        name="no-charges",
        overrides={"flows.criminality.arrest_rate": Override.model_validate({"values": timeline})},
    )
    # one population for both runs, as each would build it (the reform's leaf is a stage's,
    # not the population's): one build instead of two (24 s -> 11 s; the runs take 0.4 s), and
    # the default scenario's build, shared with the suite's other runs of it (tests/builds.py)
    people = builds.prepared(scenario.model_copy(update=horizon))
    kept = []
    for reform in (None, no_charges):
        variant = scenario.model_copy(update={**horizon, "reform": reform})
        shares = _convicted_share(run(variant, population=people))
        kept.append(shares["share"][4] / shares["share"][0])
    with_charges, without = kept
    assert with_charges > without, (with_charges, without)


ICE_FY2018_ARRESTS = 158_581
ICE_FY2018_PENDING = 0.21
"""ICE, Fiscal Year 2018 ICE Enforcement and Removal Operations Report: of the 158,581
administrative arrests, 66% were of convicted criminals and 21% of people with criminal charges
pending (``published_figures.csv``, ``ice_ero_admin_arrests`` FY2018, and
https://assets.documentcloud.org/documents/5767387/2018-ICE-Removals-Report.txt)."""


def _arrests_by_criminality(result: Any, year: int) -> dict[str, float]:
    rows = result.breakdown.filter(
        (pl.col("stage") == "arrested")
        & (pl.col("attribute") == "criminality")
        & (pl.col("fiscal_year") == year)
    )
    return {
        level: float(n)
        for level, n in rows.group_by("level").agg(pl.col("persons").sum()).iter_rows()
    }


def test_arrests_from_a_jail_booking_count_the_charge_as_ice_does(shared_data: Path) -> None:
    """A person with no conviction whom ICE takes from a jail was booked on a criminal charge,
    which ICE counts as pending ("criminal" since FY2017). Counted so, the back-test's FY2018
    arrests (EO 13768) hold ICE's 21% with charges pending (measured 22%; band 7 points);
    counted as before (a booking on a new charge not a charge) the model had 6%. Every custodial arrest with no conviction is now charged: only
    at-large, collateral and lead arrests are neither convicted nor charged."""
    figures = fiscal_year_figures(shared_data / "published_figures.csv")
    assert figures[("ice_ero_admin_arrests", 2018)].value == ICE_FY2018_ARRESTS
    assert "21% pending charges" in figures[("ice_ero_admin_arrests", 2018)].note
    # the back-test's run (the scored setting) through FY2018, under the regimes in force
    population = builds.national(TREE, BACKTEST_START, seed=2012)
    result = run(backtest_scenario(2012, years=7), population=population)
    split = _arrests_by_criminality(result, 2018)
    total = sum(split.values())
    assert split.get("charged", 0.0) / total == pytest.approx(ICE_FY2018_PENDING, abs=0.07), split
    w = result.weekly.filter(pl.col("fiscal_year") == 2018)
    neither = sum(
        float(w[c].sum())
        for c in (
            "arrests_at_large",
            "arrests_collateral",
            "arrests_checkpoint",
            "arrests_database",
            "arrests_worksite",
            "arrests_check_in",
        )
    )
    # (a person stays uncharged where no group differs only by the charge: a tenth of a percent)
    assert split.get("no_record", 0.0) <= 1.01 * neither, (split, neither)
