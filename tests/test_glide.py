"""Funded beds that step down below the people held glide to the fiscal year's end
(:mod:`immsim.engine.glide`), as the Consolidated Appropriations Act, 2019 did."""

from __future__ import annotations

import datetime as dt
import itertools

import polars as pl
import pytest

from immsim.engine.glide import BedPath, Glide
from immsim.engine.run import run
from immsim.scenario import HISTORICAL, Scenario

DEAL = dt.date(2019, 2, 15)  # the Consolidated Appropriations Act, 2019, signed
YEAR_END = dt.date(2019, 10, 1)


def test_the_2019_deal_s_path_from_its_own_figures() -> None:
    """The deal funded "an average of 45,274" from its signing to 30 September, to bring ICE
    from the 49,057 it held to 40,520 (Vox; Spectator USA). A straight path from 49,057 whose
    average is 45,274 ends at 2 x 45,274 - 49,057 = 41,491 by hand, within 2.5% of the 40,520
    the aides named, and averages the funded level over the path's days."""
    path = Glide(funded=45_274, start=DEAL, end=YEAR_END, level=49_057)
    days = [DEAL + dt.timedelta(days=n) for n in range((YEAR_END - DEAL).days)]
    beds = [path.at(day) for day in days]
    assert beds[0] == pytest.approx(49_057)
    assert path.at(YEAR_END) == pytest.approx(41_491)
    assert path.at(YEAR_END) == pytest.approx(40_520, rel=0.025)
    assert sum(beds) / len(beds) == pytest.approx(45_274, rel=0.001)
    assert all(a > b for a, b in itertools.pairwise(beds))  # it only falls


def test_a_path_only_when_the_held_exceed_the_new_level() -> None:
    """A step down to a level above the people held takes effect at once (FY2021's 34,000 when
    ICE held under 20,000 under the pandemic); one below them starts a path from the people
    held, never above last week's beds; a step up ends a path."""
    week = dt.timedelta(weeks=1)
    day = dt.date(2020, 9, 24)
    beds = BedPath()
    assert beds.week(45_274, day, held=18_000) == 45_274
    assert beds.week(34_000, day + week, held=18_000) == 34_000  # FY2021, 1 October 2020
    beds = BedPath()
    day = dt.date(2019, 9, 24)
    assert beds.week(52_074, day, held=48_000) == 52_074
    first = beds.week(45_274, day + week, held=48_000)  # 1 October 2019
    assert first == 48_000  # the path starts where the people held are
    assert beds.week(45_274, day + 2 * week, held=47_000) < first
    assert beds.week(46_000, day + 3 * week, held=47_000) == 46_000  # a step up
    beds = BedPath()
    assert beds.week(40_000, day, held=60_000) == 40_000  # no step, no path
    assert beds.week(30_000, day + week, held=60_000) == 40_000  # from last week's beds


def test_fy2020_s_beds_average_the_appropriation_and_nobody_is_released_for_them() -> None:
    """On 1 October 2019 the 6,800 beds DHS's transfer paid for to 30 September fall away
    (detention.funded_beds: 52,074 to 45,274) while the run holds more than 45,274. On the
    path the week's beds average FY2020's appropriation, 45,274, over the year (the pandemic's
    75% applies to them apart, from April 2020), no one is released for want of a bed in
    October 2019 and October holds about as many as September; FY2021's step to 34,000, above the
    people held, takes effect at once."""
    scenario = Scenario(
        name="glide",
        description="FY2020's step down in funded beds",
        regime=HISTORICAL,
        start=dt.date(2019, 8, 5),
        horizon_years=2,
        seed=7,
        population="national",
        reform=None,
        source="",
    )
    weekly = run(scenario).weekly
    fy2020 = weekly.filter(pl.col("fiscal_year") == 2020)
    assert fy2020["detained"][0] > 45_274  # the step is below the people held
    assert fy2020["beds"].mean() == pytest.approx(45_274, rel=0.005)
    assert fy2020["beds"][0] > fy2020["beds"][-1]
    october = fy2020.filter(pl.col("date") < dt.date(2019, 11, 1))
    september = weekly.filter(
        (pl.col("date") >= dt.date(2019, 9, 1)) & (pl.col("date") < dt.date(2019, 10, 1))
    )
    assert october["capacity_releases"].sum() == 0
    # with the beds a hard limit from 1 October no more than 45,274 were held (the border's
    # included); on the path October holds about September's number
    assert october["detained"].min() > 45_274 + 2_000
    assert october["detained"].mean() > 0.95 * september["detained"].mean()
    fy2021 = weekly.filter(pl.col("fiscal_year") == 2021)
    assert (fy2021["beds"] == 34_000).all()
