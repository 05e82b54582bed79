"""The family counts against the cited totals: the parents of U.S.-citizen children the built
population holds (Pew's 4.0 million adults, 2012), who among the adults they are (the age and
residence odds of population.association, by their hand calculations), and the share of a
back-test's interior removals who are parents, between the bounds ICE's own counts set."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from immsim.analysis.effects import parents_removed
from immsim.calibration.validate import START, backtest_scenario
from immsim.data.figures import fiscal_year_figures
from immsim.engine.run import run
from immsim.parameters import load_baseline
from immsim.population.build import build_population

TREE = load_baseline()
BUILT = build_population(TREE, dt.date(2012, 7, 1), seed=1)
ADULTS = BUILT.strata.filter(pl.col("age_band") != "under_18")

PEW_PARENTS_2012 = 4.0e6
"""Pew (2014): about 4 million unauthorized adults lived with their U.S.-born children in 2012
(population.composition.us_citizen_child's source)."""
PEW_CHILDREN = 4.5e6
"""Pew's Passel (2013): about four and a half million U.S.-citizen children have unauthorized
parents (economy.usc_children_per_parent's source)."""


def _parent_rate(column: str, levels: list[str]) -> float:
    """The share of the adults at ``levels`` of ``column`` who have a U.S.-citizen child."""
    group = ADULTS.filter(pl.col(column).cast(pl.String).is_in(levels))
    return float(group.filter(pl.col("us_citizen_child"))["count"].sum() / group["count"].sum())


def _odds(rate: float) -> float:
    return rate / (1.0 - rate)


def test_the_population_holds_pews_parents_and_their_children() -> None:
    """By hand: 0.36 of the 2012 population of about 11.4 million, 4.1 million parents (Pew:
    4.0 million adults); times 1.125 children each, 4.6 million children (Pew: 4.5 million).
    Within 5% of each count."""
    parents = float(ADULTS.filter(pl.col("us_citizen_child"))["count"].sum())
    assert parents == pytest.approx(PEW_PARENTS_2012, rel=0.05)
    per_parent = float(TREE.get("economy.usc_children_per_parent", dt.date(2012, 7, 1)))
    assert parents * per_parent == pytest.approx(PEW_CHILDREN, rel=0.05)
    # no minor is a parent
    minors = BUILT.strata.filter(pl.col("age_band") == "under_18")
    assert minors.filter(pl.col("us_citizen_child"))["count"].sum() == 0


def test_parents_by_age_are_the_hand_calculation_from_the_daca_survey() -> None:
    """population.association.usc_child_prime_age's method: with the 18-29 at the DACA
    recipients' 25.7%, the 45-64 at half that and none of the 65 and over, the other adults'
    rate is (0.26 x 0.257 + 0.24 x 0.1285) / 0.53 = 0.184 and the 30-44's (0.36 - 0.0977) /
    0.38 = 0.690. The built population (raked to every margin at once) lands within two points
    of each, and its odds ratio is the multiplier."""
    prime = _parent_rate("age_band", ["age_30_44"])
    other = _parent_rate("age_band", ["age_18_29", "age_45_64", "age_65_plus"])
    assert prime == pytest.approx(0.690, abs=0.02)
    assert other == pytest.approx(0.184, abs=0.02)
    multiplier = TREE.get("population.association.usc_child_prime_age", START)
    assert _odds(prime) / _odds(other) == pytest.approx(multiplier, rel=0.01)


def test_recent_arrivals_are_parents_at_the_odds_pew_and_mpi_bound() -> None:
    """population.association.usc_child_recent's bounds: odds ratios 0.11 (DAPA's parents with
    the priorities it left out added back) to 0.50 (DAPA's 3.6 million as every long-resident
    parent) between adults here under 5 years and those longer here. The built population's
    ratio lies between them, and a recent arrival is a parent less often than the 38% of all
    adults (Pew 2012)."""
    recent = _parent_rate("years_in_us", ["y0_1", "y2_4"])
    longer = _parent_rate("years_in_us", ["y5_9", "y10_14", "y15_plus"])
    ratio = _odds(recent) / _odds(longer)
    assert 0.11 <= ratio <= 0.50
    assert recent < 0.38 < longer


YEARS = (2013, 2014, 2015, 2016)
"""The fiscal years the back-test checks against ICE's counts of parents (FY2017 aside: below)."""


def test_parents_among_interior_removals_lie_between_ices_counts(shared_data: Path) -> None:
    """ICE counted 72,410 removals of people who said they had a U.S.-born child in 2013,
    39,300 in FY2014, 31,411 in 2015 and 28,860 in 2016 (economy.parents_removed_reported), of
    all its removals, the border's included. Border removals reach fewer parents than interior
    ones, so the share of the interior removals who are parents lies between ICE's count over
    all its removals (368,644, 315,943, 235,413 and 240,255 in FY2013-16: 19.6%, 12.4%, 13.3%,
    12.0%) and its count over its interior removals (133,551, 102,224, 69,478 and 65,332: 54.2%,
    38.4%, 45.2%, 44.2%). A back-test's FY2013-16, seeds 1 and 7 (36%, 36%, 35%, 34%). FY2017 is
    left out: its 32.9% sits at the upper bound (27,080 over 81,603 = 33.2%), where calendar and
    fiscal years differ by more than the margin."""
    figures = shared_data / "published_figures.csv"
    if not figures.is_file():
        pytest.skip(f"SKIPPED: {figures} not found")
    published = fiscal_year_figures(figures)
    needed = [(m, y) for m in ("ice_removals_total", "ice_interior_removals") for y in YEARS]
    missing = [key for key in needed if key not in published]
    if missing:
        pytest.skip(f"SKIPPED: {missing} not in {figures}")
    reported = "economy.parents_removed_reported"
    for seed in (1, 7):
        results = run(backtest_scenario(seed, years=5))
        removed = (
            results.weekly.group_by("fiscal_year")
            .agg(pl.col("removals_interior").sum())
            .with_columns(pl.col("fiscal_year").cast(pl.Int64))
        )
        shares = {
            r["fiscal_year"]: r["parents"] / r["removals_interior"]
            for r in parents_removed(results).join(removed, on="fiscal_year").to_dicts()
        }
        for year in YEARS:
            day = dt.date(year, 6, 30)  # the count in force in the fiscal year's middle
            parents = float(TREE.get(reported, day))
            low = parents / published[("ice_removals_total", year)].value
            high = parents / published[("ice_interior_removals", year)].value
            assert low < shares[year] < high, (seed, year, low, shares[year], high)
