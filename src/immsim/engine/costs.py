"""The week's operating cost by component: officers, detention (adult and family beds),
alternatives to detention, courts (judges and ICE's trial attorneys), removal transport and
ICE's overhead.

Every unit cost is the tree's value in force that week, in dollars of that year (nominal); the
analysis deflates them to constant dollars (``immsim.analysis.effects``). Capital for detention
beds above the funded level is not a weekly operating cost: :func:`capital_per_year` prices it
for the analyses that raise the funded level (the required-capacity search).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from immsim.dates import WEEKS_PER_YEAR

COMPONENTS = (
    "cost_arrest",
    "cost_detention",
    "cost_atd",
    "cost_court",
    "cost_removal",
    "cost_overhead",
    "cost_departure",
)
"""The weekly table's cost columns, in nominal dollars."""

LABELS = {
    "cost_arrest": "officers",
    "cost_detention": "detention",
    "cost_atd": "alternatives to detention",
    "cost_court": "courts (judges, trial attorneys)",
    "cost_removal": "removal transport",
    "cost_overhead": "ICE mission support",
    "cost_departure": "paid self-departure (CBP Home)",
    "cost_capital": "detention capital (new beds)",
}
"""What each cost column pays for, as tables and charts name it (``cost_capital`` is added by
the analyses that build beds, never by the engine)."""

DAYS_PER_WEEK = 7


class CostPlan(NamedTuple):
    officers: float
    officer_week: float  # dollars an officer-week
    arrest_share: float  # of officers' hours spent on arrests (the share the surge adds to)
    bed_day: float
    atd_week: float  # everyone enrolled in alternatives to detention, a week
    court_week: float  # the bench, a week (EOIR)
    attorneys_week: float  # ICE's trial attorneys for the bench, a week
    land: float  # per removal over land
    air: float  # per removal by air
    overhead: float  # mission support per dollar of ICE's direct costs
    departure: float  # per departure through the CBP Home app: stipend and travel


def bed_day(p: Mapping[str, Any]) -> float:
    """A bed-day at ICE's mix of facilities, as ICE budgets them apart: the adult bed rate for
    most, and for the family residential centres' share of those held the adult rate times the
    family multiple (detention.family_share, detention.family_bed_day_ratio). The engine counts
    the detained alike; only the price of their day differs."""
    adult = float(p["detention.cost_per_bed_day"])
    family = float(p["detention.family_share"])
    return adult * (1.0 + family * (float(p["detention.family_bed_day_ratio"]) - 1.0))


def plan(p: Mapping[str, Any]) -> CostPlan:
    judges = float(p["courts.immigration_judges"])
    share = float(p["costs.mission_support_share"])
    return CostPlan(
        officers=float(p["enforcement.ero_deportation_officers"]),
        officer_week=float(p["enforcement.effort.cost_per_officer_year"]) / WEEKS_PER_YEAR,
        arrest_share=float(p["enforcement.effort.share_on_arrests"]),
        bed_day=bed_day(p),
        atd_week=float(p["detention.alternatives_enrolled"])
        * float(p["detention.alternatives_cost_per_day"])
        * DAYS_PER_WEEK,
        court_week=judges * float(p["courts.process.cost_per_judge_year"]) / WEEKS_PER_YEAR,
        # ICE's trial attorneys grow with the bench (a reform adding judges adds attorneys)
        attorneys_week=judges
        * float(p["courts.process.trial_attorneys_per_judge"])
        * float(p["courts.process.trial_attorney_cost_per_year"])
        / WEEKS_PER_YEAR,
        land=float(p["removal.logistics.land_cost_per_person"]),
        air=float(p["removal.air_cost_per_person"]),
        # a share s of the whole budget is s / (1 - s) of the rest of it
        overhead=share / (1.0 - share),
        departure=float(p["flows.cbp_home_cost_per_departure"]),
    )


def week_costs(
    plan: CostPlan,
    effort: float,
    detained: float,
    land: float,
    air: float,
    departures: float = 0.0,
) -> dict[str, float]:
    """The week's cost of each component, in dollars, with ``detained`` people held (the
    border's included), ``land`` and ``air`` removals (by air, the border's included) and
    ``departures`` through the CBP Home app (their stipend and travel: CBP's and the State
    Department's, so without ICE's mission support)."""
    # every officer is paid in full (an agency that hires for arrests pays for the whole
    # officer); the goal's surge adds overtime on the arrest share of their hours
    arrest = plan.officers * plan.officer_week * (1.0 + plan.arrest_share * (effort - 1.0))
    detention = detained * DAYS_PER_WEEK * plan.bed_day
    removal = land * plan.land + air * plan.air
    # ICE's direct costs carry its mission support; the courts' EOIR share is DOJ's, not ICE's
    ice = arrest + detention + plan.atd_week + removal + plan.attorneys_week
    return {
        "cost_arrest": arrest,
        "cost_detention": detention,
        "cost_atd": plan.atd_week,
        "cost_court": plan.court_week + plan.attorneys_week,
        "cost_removal": removal,
        "cost_overhead": ice * plan.overhead,
        "cost_departure": departures * plan.departure,
    }


def capital_per_year(new_beds: float, cost_per_bed: float, life_years: float) -> float:
    """The yearly capital charge of ``new_beds`` beds brought into service: their one-time cost
    spread evenly over their life (straight line, no interest), so that a year of a run that
    needs them carries its share, as the operating costs do."""
    return max(new_beds, 0.0) * cost_per_bed / life_years
