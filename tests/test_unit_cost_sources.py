"""Unit costs that replaced carried or interpolated values (issue 23), each against the figure
its source states and the hand calculation the tree's method writes out, and each as the cost
model reads it in a week of its year."""

from __future__ import annotations

import datetime as dt

import pytest

from immsim.engine import costs
from immsim.parameters import load_baseline

TREE = load_baseline()


def test_fy2011_to_fy2014_air_removals_cost_ice_airs_bill_over_those_flown_home() -> None:
    """DHS OIG-15-57: ICE Air cost $598,232,543 from October 2010 to March 2014 (charters,
    commercial seats, payroll and benefits) and flew 711,945 detainees home, so $840 a person;
    ICE's own charter-only figure of about $500 a deportee (2012) lies below it, FY2016's
    $1,978 (CNN citing ICE, at fuller costs and fewer removals) above it."""
    key = "removal.air_cost_per_person"
    by_hand = 598_232_543 / 711_945
    for day in (dt.date(2010, 10, 1), dt.date(2012, 6, 1), dt.date(2015, 9, 30)):
        assert TREE.get(key, day) == pytest.approx(by_hand, abs=0.5), day
        assert 500 < TREE.get(key, day) < 1_978
    assert TREE.get(key, dt.date(2016, 6, 1)) == 1_978
    # the cost model charges it per removal by air: 1,000 flown home in a week of FY2013
    plan = costs.plan(TREE.snapshot(dt.date(2013, 3, 1)))
    week = costs.week_costs(plan, effort=1.0, detained=0.0, land=0.0, air=1_000)
    assert week["cost_removal"] == pytest.approx(1_000 * by_hand, rel=1e-3)


def test_fy2015_adult_bed_day_is_the_rate_ice_stated_that_year() -> None:
    """ICE to the Washington Post (April 2015): a single adult's detention averages $122 a day;
    it lies between FY2011's $113 (CRS) and FY2016's $128.88 (ICE's budget justification)."""
    key = "detention.cost_per_bed_day"
    fy2015 = TREE.get(key, dt.date(2015, 3, 1))
    assert fy2015 == 122
    assert TREE.get(key, dt.date(2013, 3, 1)) == 113 < fy2015 < TREE.get(key, dt.date(2016, 3, 1))
    # a week of FY2015 prices its adult bed-days at it, its family beds at their ratio to it
    plan = costs.plan(TREE.snapshot(dt.date(2015, 3, 1)))
    family = TREE.get("detention.family_share", dt.date(2015, 3, 1))
    ratio = TREE.get("detention.family_bed_day_ratio", dt.date(2015, 3, 1))
    assert plan.bed_day == pytest.approx(122 * (1 + family * (ratio - 1)))
