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


def test_fy2019_to_fy2022_adult_bed_days_rise_from_fy2018s_budget_rate_to_fy2023s_actual() -> None:
    """ICE's FY2018 budget: $133.99 an adult bed-day (CNBC); ICE's FY2023 actual: $187.48
    (Marketplace). No rate for the four years between was found, so each lies on the constant
    yearly rise between them, (187.48 / 133.99)^(1/5), and its interval runs from FY2018's rate
    carried at the CPI-U (BLS annual averages) to FY2023's actual rate."""
    key = "detention.cost_per_bed_day"
    rise = (187.48 / 133.99) ** (1 / 5)
    cpi = {2019: 255.657, 2020: 258.811, 2021: 270.970, 2022: 292.655}  # FY2018's year: 251.107
    assert TREE.get(key, dt.date(2018, 6, 1)) == 133.99
    for years, fy in enumerate((2019, 2020, 2021, 2022), start=1):
        day = dt.date(fy, 3, 1)  # inside fiscal year fy
        assert TREE.get(key, day) == pytest.approx(133.99 * rise**years, abs=0.006), fy
        interval = TREE.entry(key, day).interval_90
        assert interval is not None
        assert interval[0] == pytest.approx(133.99 * cpi[fy] / 251.107, abs=0.006), fy
        assert interval[1] == 187.48
    assert TREE.get(key, dt.date(2023, 3, 1)) == pytest.approx(133.99 * rise**5)
    # the cost model prices a week of FY2021 at it, its family beds at FY2018's ratio to it
    plan = costs.plan(TREE.snapshot(dt.date(2021, 3, 1)))
    family = TREE.get("detention.family_share", dt.date(2021, 3, 1))
    assert plan.bed_day == pytest.approx(163.91 * (1 + family * (319.37 / 133.99 - 1)), rel=1e-3)


def test_detention_by_facility_type_spans_the_adult_rate() -> None:
    """FY2018: ICE's juvenile facilities $139.40 a day beside the adult $133.99 (both ICE, as
    CNBC reports them). 2026 (GAO-26-108663): ICE's median facility rate $92 a detainee-day,
    Florida's state-run emergency site $249; the adult bed rate that adds ICE's own costs to a
    facility's price, $165 (DHS, 2025), lies between them."""
    fy2018 = dt.date(2018, 6, 1)
    juvenile = TREE.get("detention.cost_per_bed_day_by_type.juvenile", fy2018)
    assert juvenile == 139.40 > TREE.get("detention.cost_per_bed_day", fy2018)
    now = dt.date(2026, 10, 1)
    median = TREE.get("detention.cost_per_bed_day_by_type.facility_median", now)
    emergency = TREE.get("detention.cost_per_bed_day_by_type.state_emergency_site", now)
    assert (median, emergency) == (92, 249)
    assert median < TREE.get("detention.cost_per_bed_day", now) == 165 < emergency
    assert emergency / median == pytest.approx(2.7, abs=0.01)


def test_fy2023_flight_hour_averages_the_long_haul_charters_with_the_routine_ones() -> None:
    """ICE's acting director (2023, as AIC quotes him): an ICE Air removal flight averaged about
    $17,000 an hour. It lies inside the special high-risk charters' range (USD 6,929-26,795 an
    hour, ICE 2025) and above the routine rates on either side (FY2016 $7,785, 2025 $8,577)."""
    key = "removal.flight_cost_per_hour"
    fy2023 = TREE.get(key, dt.date(2023, 6, 1))
    assert fy2023 == 17_000
    assert 6_929 < fy2023 < 26_795
    assert TREE.get(key, dt.date(2016, 6, 1)) == 7_785 < fy2023
    assert TREE.get(key, dt.date(2025, 6, 1)) == 8_577 < fy2023


def test_2025_military_removal_flights_cost_above_every_civilian_rate() -> None:
    """US Air Mobility Command (2025, as the Times of India reports it): a C-17 costs $28,562 a
    flight hour, 3.3 times ICE's $8,577 charter hour; India's flight, up to $1 million (AFP), is
    about 35 hours at it; a military flight to Guatemala, at least $4,675 a person (Reuters),
    lies above the civilian seat's 90% interval."""
    day = dt.date(2025, 3, 1)
    military = TREE.get("removal.military_flight_cost_per_hour", day)
    assert military == 28_562
    assert military / TREE.get("removal.flight_cost_per_hour", day) == pytest.approx(3.33, abs=0.01)
    assert 1_000_000 / military == pytest.approx(35.0, abs=0.1)
    seat = TREE.entry("removal.air_cost_per_person", day).interval_90
    assert seat is not None and seat[1] < 4_675
