"""The cost model by component, checked against hand calculations from the cited unit costs, its
deflation against the CPI-U, and the economic, fiscal and family effects against the studies'
own arithmetic."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import builds
import numpy as np
import polars as pl
import pytest
from scenario_docs import scenario_from

from immsim.analysis.effects import (
    Band,
    Effects,
    Rates,
    cost_bands,
    costs_by_year,
    effect_rows,
    effects_by_year,
    families_by_area,
    left_of,
    parents_removed,
    to_base_dollars,
)
from immsim.engine import costs
from immsim.engine.run import run
from immsim.outcomes import by_year
from immsim.parameters import load_baseline

TREE = load_baseline()
DAY = dt.date(2023, 1, 1)
WEEK = 7  # days
YEAR = 52.1775  # weeks (immsim.dates.WEEKS_PER_YEAR)


def _plan() -> costs.CostPlan:
    return costs.plan(TREE.snapshot(DAY))


def test_each_component_is_its_hand_calculation() -> None:
    # FY2023's cited values, written out: 639 judges; EOIR $1,325,000 a judge-year; ICE's
    # trial attorneys at 3.78 a judge (900 / 238, its 2011 count; 2.00 from 2023-04-26) and
    # $187,900 an attorney-year (FY2022); 322,701 enrolled on ATD (2022-10-01) at $4.20 a day;
    # ICE's actual FY2023 adult bed-day, $187.48; mission support 8.92% of ICE's budget (FY2010)
    plan = _plan()
    week = costs.week_costs(plan, effort=1.0, detained=30_000, land=1_000, air=2_000)
    assert week["cost_detention"] == pytest.approx(30_000 * WEEK * 187.48)
    assert week["cost_atd"] == pytest.approx(322_701 * 4.20 * WEEK)
    assert week["cost_court"] == pytest.approx(639 * (1_325_000 + 3.78 * 187_900) / YEAR)
    land = TREE.get("removal.logistics.land_cost_per_person", DAY)
    air = TREE.get("removal.air_cost_per_person", DAY)
    assert week["cost_removal"] == pytest.approx(1_000 * land + 2_000 * air)
    officers = TREE.get("enforcement.ero_deportation_officers", DAY)
    assert week["cost_arrest"] == pytest.approx(officers * 167_200 / YEAR)  # FY2025 deflated


def test_a_bed_day_prices_the_family_centres_share_at_the_family_rate() -> None:
    """FY2019 by hand: 1,315 of ICE's 50,165 held on an average day were in family residential
    centres (0.0262, ICE's workbook); the adult bed-day $143.30 (between FY2018's and FY2023's
    dated rates); a family bed-day 2.38 times an adult one (DHS's FY2018 $319.37 over ICE's
    FY2018 adult rate, $133.99). FY2023 held no families: the adult rate alone."""
    fy2019 = costs.plan(TREE.snapshot(dt.date(2019, 3, 1)))
    assert fy2019.bed_day == pytest.approx(143.30 * (0.9738 + 0.0262 * 319.37 / 133.99), rel=2e-3)
    assert _plan().bed_day == pytest.approx(187.48)
    # 2026: about 1,100 at Dilley of the 70,766 held (January 2026), at $165 an adult bed-day
    now = costs.plan(TREE.snapshot(dt.date(2026, 10, 1)))
    assert now.bed_day == pytest.approx(165 * (1 + 1_100 / 70_766 * 1.38), rel=1e-3)


def test_mission_support_is_its_share_of_ices_whole_budget() -> None:
    # overhead over ICE's whole (direct + overhead) is the cited share; the courts' EOIR part
    # is the Justice Department's and carries none of it
    plan = _plan()
    week = costs.week_costs(plan, effort=1.3, detained=41_500, land=500, air=900)
    eoir = 639 * 1_325_000 / YEAR
    ice = sum(week.values()) - eoir
    assert week["cost_overhead"] / ice == pytest.approx(0.0892)


def test_capital_spreads_the_cost_of_new_beds_over_their_life() -> None:
    # 1,000 beds at GEO's $110,000 a bed (2017) over 39 years (IRS Publication 946)
    assert costs.capital_per_year(1_000, 110_000, 39) == pytest.approx(110e6 / 39)
    assert costs.capital_per_year(-50, 110_000, 39) == 0.0  # fewer beds build nothing


def test_dollars_are_restated_with_the_cpi_u() -> None:
    # BLS annual averages: 2011 224.939, 2016 240.007, 2024 313.689 (the base year)
    assert to_base_dollars(TREE, 2011, DAY) == pytest.approx(313.689 / 224.939)
    assert to_base_dollars(TREE, 2016, DAY) == pytest.approx(313.689 / 240.007)
    assert to_base_dollars(TREE, 2024, DAY) == 1.0
    assert to_base_dollars(TREE, 2030, DAY) == 1.0  # priced at the latest year in the tree


def test_effects_of_a_year_are_the_studies_arithmetic() -> None:
    rates = Rates.read(TREE, DAY)
    effects = Effects.of(removed=700, parents=200, rates=rates, left=300)
    # Pew 2022: 8.3 million workers of 11.0 million; CAP 2016: 7.0 of 11.3 million
    assert effects.workers.central == pytest.approx(1_000 * 0.755)
    assert effects.workers.low == pytest.approx(1_000 * 0.62)
    # CAP 2016: $434 billion a year over 7 million workers, in 2016 dollars
    assert effects.output_lost.central == pytest.approx(755 * 62_000 * 313.689 / 240.007)
    # AAF 2015: $1,556.1 billion over 11,024,100 fewer workers, in 2015 dollars, is the high
    # end of the output per worker; the employment rate is at its high end at its centre, so
    # the output band's high end is the central workers at AAF's output (up to draws' noise)
    assert effects.output_lost.high == pytest.approx(755 * 141_200 * 313.689 / 237.017, rel=0.05)
    assert effects.output_lost.low > 620 * 33_400 * 313.689 / 240.007  # both low ends at once
    # ITEP 2024: $59.4 and $37.3 billion over 10.88 million people in 2022
    assert effects.federal_taxes_lost.central == pytest.approx(1_000 * 5_460 * 313.689 / 292.655)
    assert effects.state_local_taxes_lost.low == pytest.approx(1_000 * 2_660 * 313.689 / 292.655)
    # Pew 2012: 4.5 million U.S.-citizen children of 4.0 million parents
    assert effects.usc_children == pytest.approx(200 * 4.5 / 4.0)
    # CMS 2024: 4.7 million mixed-status households for 10.9 million undocumented residents,
    # reached by removals (voluntary returns are not broken down by family)
    assert effects.mixed_status_households == pytest.approx(700 * 4.7 / 10.9, rel=1e-3)
    # EPI 2025: 2.6 million fewer U.S.-born workers employed for 4 million deportations; the
    # cost studies' none; East et al. 2019: about 300,000 for 454,000 deportations
    jobs = effects.us_born_jobs_lost
    assert (jobs.low, jobs.central) == pytest.approx((0.0, 1_000 * 2.6 / 4.0))
    assert jobs.high == pytest.approx(1_000 * 300 / 454, rel=2e-3)
    # Penn Wharton 2025: the average wage 1.7% lower (10-year policy) or 0.5% for 40% removed
    # (4-year policy) once the whole population is gone; authorized low-skilled wages 5.0% or
    # 1.1% / 0.40 higher. 1,000 gone of 10,000 is a tenth of it
    wages = Effects.of(removed=700, parents=200, rates=rates, left=300, population=10_000)
    assert (wages.average_wage_change.low, wages.average_wage_change.high) == pytest.approx(
        (-0.017 / 10, -0.005 / 0.40 / 10)
    )
    assert wages.average_wage_change.central == pytest.approx(-0.0017)
    assert (wages.low_skilled_wage_change.low, wages.low_skilled_wage_change.central) == (
        pytest.approx((0.011 / 0.40 / 10, 0.005))
    )
    assert effects.average_wage_change.central == 0.0  # no population given: not estimated
    # Pew 2012's occupation groups share out the workers: 33% service, 15% construction
    by_group = dict(effects.workers_by_occupation)
    assert by_group["service"].central == pytest.approx(755 * 0.33)
    assert by_group["construction and extraction"].low == pytest.approx(620 * 0.15)
    assert sum(b.central for b in by_group.values()) == pytest.approx(755)
    # AIC 2024's industries (2022): 1,544,600 of 7.5 million undocumented workers in
    # construction, 244,700 in agriculture; the ten it lists leave 982,000 in the others
    by_industry = dict(effects.workers_by_industry)
    assert by_industry["construction"].central == pytest.approx(755 * 1_544_600 / 7.5e6, rel=1e-3)
    assert by_industry["agriculture"].low == pytest.approx(620 * 244_700 / 7.5e6, rel=1e-3)
    assert by_industry["other industries"].central == pytest.approx(755 * 982_000 / 7.5e6, rel=1e-3)
    assert sum(b.central for b in by_industry.values()) == pytest.approx(755)
    for band in (effects.workers, effects.output_lost, effects.federal_taxes_lost):
        assert band.low <= band.central <= band.high


@pytest.fixture(scope="module")
def history() -> Any:
    doc = {"name": "test", "regime": "nov2014", "start": "2016-10-01", "horizon_years": 2}
    scenario = scenario_from(doc)
    population = builds.national(TREE, dt.date(2016, 10, 1), seed=1)
    return run(scenario, population=population)


def test_a_runs_costs_by_year_are_the_outcome_and_its_deflation(history: Any) -> None:
    at = dt.date(2016, 10, 1)
    years = costs_by_year(history, TREE, at)
    outcome = by_year(history, ("cost",))
    joined = years.join(outcome, on="fiscal_year", suffix="_outcome")
    assert joined["cost"].to_list() == pytest.approx(joined["cost_outcome"].to_list())
    fy2017 = years.filter(pl.col("fiscal_year") == 2017).row(0, named=True)
    assert fy2017["cost_constant"] == pytest.approx(fy2017["cost"] * 313.689 / 245.120)
    # every component is paid every week, but CBP Home's departures, none before May 2025
    paid = [c for c in costs.COMPONENTS if c != "cost_departure"]
    assert all(years[c].min() > 0 for c in paid)  # type: ignore[operator]
    assert years["cost_departure"].max() == 0  # a history before the app


def test_beds_funded_above_the_runs_start_carry_their_capital(history: Any) -> None:
    """By hand: the run starts on 2016-10-01 with FY2017's 39,324 funded beds; FY2018 funds
    42,820 (40,520 appropriated and 2,300 paid by DHS's transfer), so its 3,496 new beds are
    built at Conroe's $110,000 a bed (2017) over 39 years, the whole fiscal year; FY2017 builds
    none. The constant-dollar total carries it, the operating cost (the outcome) does not."""
    at = dt.date(2016, 10, 1)
    years = {r["fiscal_year"]: r for r in costs_by_year(history, TREE, at).to_dicts()}
    assert years[2017]["cost_capital"] == 0.0
    weeks = history.weekly.filter(pl.col("fiscal_year") == 2018).height
    by_hand = (42_820 - 39_324) * 110_000 / 39 * weeks / YEAR
    assert years[2018]["cost_capital"] == pytest.approx(by_hand)
    assert years[2018]["cost_total"] == pytest.approx(years[2018]["cost"] + by_hand)
    assert years[2018]["cost_constant"] == pytest.approx(
        (years[2018]["cost"] + by_hand) * 313.689 / 251.107
    )


def test_a_runs_effects_accumulate_and_count_its_parents(history: Any) -> None:
    at = dt.date(2016, 10, 1)
    effects = effects_by_year(history, TREE, at)
    removed = (
        history.weekly.group_by("fiscal_year")
        .agg(pl.col("removals_interior").sum(), pl.col("voluntary_returns").sum())
        .sort("fiscal_year")
    )
    parents = parents_removed(history).sort("fiscal_year")
    cohorts: list[float] = []
    # CAP 2016's immediate and long-run output per worker (2016 dollars, in 2024's), Pew's 0.755
    at_once, long_run = (v * 313.689 / 240.007 for v in (33_400, 62_000))
    for year, row in zip(effects, removed.to_dicts(), strict=True):
        # removed, or gone by voluntary return after arrest
        cohorts.append(row["removals_interior"] + row["voluntary_returns"])
        so_far = sum(cohorts)
        assert year.removed == pytest.approx(row["removals_interior"])
        assert year.left == pytest.approx(row["voluntary_returns"])
        # output and taxes lost in a year come from everyone removed so far; each year's
        # cohort moves from the immediate to the long-run loss with PWBM's two-year constant
        ages = [len(cohorts) - i - 0.5 for i in range(len(cohorts))]
        done = sum(n * (1 - math.exp(-a / 2.0)) for n, a in zip(cohorts, ages, strict=True))
        per_worker = at_once + (long_run - at_once) * done / so_far
        assert year.output_lost.central == pytest.approx(so_far * 0.755 * per_worker)
        assert year.federal_taxes_lost.central == pytest.approx(so_far * 5_460 * 313.689 / 292.655)
    assert [e.parents for e in effects] == pytest.approx(parents["parents"].to_list())
    # parents are a part of those removed, and not none of them
    assert all(0 < e.parents < e.removed for e in effects)


def test_a_runs_wage_responses_reach_compare_in_percent(history: Any) -> None:
    """Penn Wharton 2025's wage responses, by hand, in the rows ``compare`` pairs: the share
    of the starting population gone so far times 1.7% (10-year policy; the band's other end
    0.5% over 40% removed, 4-year policy) for the average wage, 5.0% (and 1.1% over 40%) for
    authorized low-skilled wages, in percent of the wage."""
    at = dt.date(2016, 10, 1)
    rows = {(r["fiscal_year"], r["metric"]): r["value"] for r in effect_rows(history, TREE, at)}
    people = float(history.manifest["population"]["people"])
    gone = history.weekly.select(
        pl.col("removals_interior").sum() + pl.col("voluntary_returns").sum()
    ).item()
    share = gone / people
    last = int(history.weekly["fiscal_year"].max())
    assert rows[last, "average_wage_change"] == pytest.approx(-1.7 * share)
    assert rows[last, "average_wage_change_low"] == pytest.approx(-1.7 * share)
    assert rows[last, "average_wage_change_high"] == pytest.approx(-0.5 / 0.40 * share)
    assert rows[last, "low_skilled_wage_change"] == pytest.approx(5.0 * share)
    assert rows[last, "low_skilled_wage_change_low"] == pytest.approx(1.1 / 0.40 * share)
    assert 0 < share < 0.1  # a run of two years removes a small part of everyone


def test_a_band_draws_put_its_ends_at_the_5th_and_95th_percentiles() -> None:
    band = Band(100.0, 150.0, 300.0)
    draws = band.draw(np.random.default_rng(1), 200_000)
    low, median, high = np.percentile(draws, [5, 50, 95])
    assert (low, median, high) == pytest.approx((100.0, 150.0, 300.0), rel=0.01)
    assert draws.min() > 0  # log-normal on each side: a cost never goes below zero
    certain = Band(5.0, 5.0, 5.0).draw(np.random.default_rng(1), 1_000)
    assert set(certain.tolist()) == {5.0}


def test_a_product_of_two_bands_is_narrower_than_the_product_of_their_ends() -> None:
    # independent draws rarely sit at both low ends (or both high ends) at once
    a, b = Band(60.0, 75.5, 75.5), Band(33_400, 62_000, 141_200)
    both = a.times(b, np.random.default_rng(2))
    assert both.central == pytest.approx(75.5 * 62_000)
    assert a.low * b.low < both.low < both.central < both.high < a.high * b.high
    # the high side comes from b alone (a is certain above its centre): b's end at a's centre
    assert both.high == pytest.approx(75.5 * 141_200, rel=0.05)


def test_each_cost_band_is_its_unit_costs_interval() -> None:
    # FY2025 unit costs: bed-day $165 (ICE's $152 to custody operations' $224.50 a bed-day);
    # officer-year $179,200 ($139,100 to $295,000); ATD $4.20 ($1.05 to $8.37); capital (before
    # 2026) has no interval in the tree and is certain
    day = dt.date(2025, 6, 1)
    costs_ = {
        "cost_arrest": 10e9,
        "cost_detention": 8e9,
        "cost_atd": 0.3e9,
        "cost_court": 4e9,
        "cost_removal": 1e9,
        "cost_overhead": 1.5e9,
        "cost_capital": 0.2e9,
    }
    bands = cost_bands(costs_, 0.0, TREE, day)
    assert bands["cost_detention"].low == pytest.approx(8e9 * 152 / 165, rel=0.02)
    assert bands["cost_detention"].high == pytest.approx(8e9 * 224.5 / 165, rel=0.02)
    assert bands["cost_arrest"].low == pytest.approx(10e9 * 139_100 / 179_200, rel=0.02)
    assert bands["cost_arrest"].high == pytest.approx(10e9 * 295_000 / 179_200, rel=0.02)
    # the courts: EOIR's $1,150,000 a judge (FY2024; up to FY2018's $1,345,000) and ICE's
    # trial attorneys, 2.14 a judge (January 2025) at $201,400 ($143,400 to $354,400) a year
    attorneys = 2.14 * 201_400
    eoir = 1_150_000 / (1_150_000 + attorneys)
    only_attorneys_low = 4e9 * (1 + (1 - eoir) * (143_400 / 201_400 - 1))
    only_attorneys_high = 4e9 * (1 + (1 - eoir) * (354_400 / 201_400 - 1))
    both_high = only_attorneys_high + 4e9 * eoir * (1_345_000 / 1_150_000 - 1)
    # EOIR's part never falls below its centre, so the low end lies above the attorneys' alone;
    # drawn independently, the high end lies between one part's and both parts' high ends
    assert only_attorneys_low < bands["cost_court"].low < 4e9
    assert only_attorneys_high < bands["cost_court"].high < both_high
    assert bands["cost_capital"].low == bands["cost_capital"].high == 0.2e9
    # no land removals: transport is all by air, $630 to $4,320 a seat around $2,179
    assert bands["cost_removal"].high == pytest.approx(1e9 * 4_320 / 2_179, rel=0.02)
    # mission support moves with ICE's direct costs; the total's band is narrower than the sum
    # of the components' ends (they are drawn independently)
    total = bands["total"]
    assert total.central == pytest.approx(sum(costs_.values()))
    parts = [b for name, b in bands.items() if name != "total"]
    assert sum(b.low for b in parts) < total.low < total.central
    assert total.central < total.high < sum(b.high for b in parts)
    assert bands["cost_overhead"].low < 1.5e9 < bands["cost_overhead"].high


def test_the_effects_count_cbp_homes_departures_as_people_gone(history: Any) -> None:
    """The people gone beside the removed are the voluntary returns after arrest and CBP Home's
    paid self-departures (effects.LEFT), in every output that counts them: by hand, the run's
    voluntary returns plus 100 departures a week, and a saved run from before the column (no
    departures) counts the voluntary returns alone."""
    import dataclasses

    at = dt.date(2016, 10, 1)
    assert left_of({"voluntary_returns": 300.0, "cbp_home_departures": 200.0}) == 500.0
    assert left_of({"voluntary_returns": 300.0, "removals_interior": 9.0}) == 300.0
    weekly = history.weekly.with_columns(pl.lit(100.0).alias("cbp_home_departures"))
    with_app = effects_by_year(dataclasses.replace(history, weekly=weekly), TREE, at)
    before = effects_by_year(
        dataclasses.replace(history, weekly=history.weekly.drop("cbp_home_departures")), TREE, at
    )
    returns = (
        history.weekly.group_by("fiscal_year")
        .agg(pl.col("voluntary_returns").sum(), pl.len().alias("weeks"))
        .sort("fiscal_year")
        .to_dicts()
    )
    for year, old, row in zip(with_app, before, returns, strict=True):
        assert old.left == pytest.approx(row["voluntary_returns"])
        assert year.left == pytest.approx(row["voluntary_returns"] + 100.0 * row["weeks"])
        assert year.workers.central > old.workers.central


def test_family_effects_by_area_follow_each_areas_removals(history: Any) -> None:
    from area_examples import SHARES, quarter_in_seattle

    at = dt.date(2016, 10, 1)
    # a run without areas has none
    assert families_by_area(history, TREE, at) is None
    by_area = families_by_area(history, TREE, at, by_area=quarter_in_seattle(history))
    assert by_area is not None
    nation = effects_by_year(history, TREE, at)
    for area, share in SHARES.items():
        rows = by_area.filter(pl.col("area") == area).sort("fiscal_year")
        # a quarter of the removals in Seattle: a quarter of the parents, children, households
        assert rows["parents"].to_list() == pytest.approx([share * e.parents for e in nation])
        assert rows["usc_children"].to_list() == pytest.approx(
            [share * e.usc_children for e in nation]
        )
        assert rows["mixed_status_households"].to_list() == pytest.approx(
            [share * e.mixed_status_households for e in nation]
        )


def test_aic_components_in_the_tree_add_up_to_its_headline_and_match_the_record(
    shared_data: Path,
) -> None:
    """AIC 2024's four components (the tree's, read by the trace) add up to its own $88 billion
    a year within rounding (the quoted table gives one decimal of billions), and are the same
    figures the published-figures file holds, in its USD millions."""
    from immsim.analysis.published import AIC_COMPONENTS, study
    from immsim.data.figures import model_estimates

    parts = [study(TREE, leaf) for _, leaf, _ in AIC_COMPONENTS]
    headline = study(TREE, "economy.studies.aic2024.annual_total")
    # 7.0 + 66.0 + 12.6 + 2.1 = 87.7 billion of 88: each part is rounded to 0.1 billion
    assert abs(sum(parts) - headline) <= 0.05e9 * len(parts) + 0.5e9 / 2
    figures = shared_data / "published_figures.csv"
    if not figures.is_file():
        pytest.skip(f"SKIPPED: {figures} not found")
    estimates = model_estimates(figures)
    record = {
        "economy.studies.aic2024.arrest": "model_aic2024_component_arrest",
        "economy.studies.aic2024.detention": "model_aic2024_component_detention",
        "economy.studies.aic2024.legal_processing": "model_aic2024_component_legal_processing",
        "economy.studies.aic2024.removal": "model_aic2024_component_removal",
        "economy.studies.aic2024.annual_total": "model_aic2024_annual_cost_1M_per_year",
    }
    for leaf, metric in record.items():
        assert study(TREE, leaf) == pytest.approx(estimates[metric].value * 1e6), leaf


def test_a_study_is_read_as_published_whatever_the_runs_date() -> None:
    """A study's figure is its leaf's latest value, so a run that starts before the study was
    published (a 2012 back-test) still restates it; its dollars are restated from its own
    dollar year: AAF 2015's to 2024's at the CPI-U, 313.689 / 237.017."""
    from immsim.analysis.published import study, study_dollars

    assert study(TREE, "economy.studies.aaf2016.removals_per_year") == 11.3e6 / 2
    early = dt.date(2012, 10, 1)
    assert study_dollars(TREE, "economy.studies.aaf2015.dollar_year", dt.date(2026, 10, 1)) == (
        pytest.approx(313.689 / 237.017)
    )
    # CAP's 2008 dollars in a 2012 run: 229.594 / 215.303 (the CPI-U of 2012 over 2008's)
    assert study_dollars(TREE, "economy.studies.cap2010.dollar_year", early) == pytest.approx(
        229.594 / 215.303
    )


def test_cbp_home_departures_cost_their_stipend_and_travel_without_ices_overhead() -> None:
    """By hand: DHS put a departure through CBP Home at about $5,100, the $2,600 stipend and
    travel together, from 22 January 2026 (0.30 x $17,121 = $5,136 with the $1,000 stipend from
    May 2025; none before): 100 departures a week cost $510,000, paid by CBP and State, so
    ICE's mission support (the overhead on ICE's direct costs) does not move."""
    day = dt.date(2026, 2, 1)
    plan = costs.plan(TREE.snapshot(day))
    without = costs.week_costs(plan, effort=1.0, detained=50_000, land=100, air=300)
    week = costs.week_costs(plan, effort=1.0, detained=50_000, land=100, air=300, departures=100)
    assert week["cost_departure"] == pytest.approx(100 * 5_100)
    assert without["cost_departure"] == 0.0
    assert week["cost_overhead"] == without["cost_overhead"]
    assert TREE.get("flows.cbp_home_cost_per_departure", dt.date(2025, 6, 1)) == 5_136
    assert TREE.get("flows.cbp_home_cost_per_departure", dt.date(2025, 5, 4)) == 0
