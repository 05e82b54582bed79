"""The week's operating cost by component: officers, detention, courts and removal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from immsim.dates import WEEKS_PER_YEAR

COMPONENTS = ("cost_arrest", "cost_detention", "cost_court", "cost_removal")
"""The weekly table's cost columns, in dollars."""


class CostPlan(NamedTuple):
    officers: float
    officer_week: float  # dollars an officer-week
    arrest_share: float  # of officers' hours spent on arrests (the share the surge adds to)
    bed_day: float
    court_week: float  # the bench, a week
    land: float  # per removal over land
    air: float  # per removal by air


def plan(p: Mapping[str, Any]) -> CostPlan:
    return CostPlan(
        officers=float(p["enforcement.ero_deportation_officers"]),
        officer_week=float(p["enforcement.effort.cost_per_officer_year"]) / WEEKS_PER_YEAR,
        arrest_share=float(p["enforcement.effort.share_on_arrests"]),
        bed_day=float(p["detention.cost_per_bed_day"]),
        court_week=float(p["courts.immigration_judges"])
        * float(p["courts.process.cost_per_judge_year"])
        / WEEKS_PER_YEAR,
        land=float(p["removal.logistics.land_cost_per_person"]),
        air=float(p["removal.air_cost_per_person"]),
    )


def week_costs(
    plan: CostPlan, effort: float, detained: float, land: float, air: float
) -> dict[str, float]:
    """The week's cost of each component, in dollars, with ``detained`` people held (the
    border's included) and ``land`` and ``air`` removals (by air, the border's included)."""
    return {
        # every officer is paid in full (an agency that hires for arrests pays for the whole
        # officer); the goal's surge adds overtime on the arrest share of their hours
        "cost_arrest": plan.officers
        * plan.officer_week
        * (1.0 + plan.arrest_share * (effort - 1.0)),
        "cost_detention": detained * 7 * plan.bed_day,
        "cost_court": plan.court_week,
        "cost_removal": land * plan.land + air * plan.air,
    }
