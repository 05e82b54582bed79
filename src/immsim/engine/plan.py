"""The week's plan: every rate, capacity and per-group chance a week of the pipeline uses.

They depend only on the parameter values in force, the regime and the year (through the triage
and everyone's years in the U.S.), which change a few dozen times in a ten-year run. So they are
derived here once per (parameter span, regime, year), each stage's by its own module's ``plan``,
and a week only carries them out; what depends on the run's state (the goal controller's effort,
the stocks) is applied in the week.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immsim.dates import WEEKS_PER_YEAR
from immsim.engine import border, controller, costs
from immsim.engine.inputs import PlanInputs
from immsim.engine.prepared import Cells
from immsim.engine.stages import (
    at_large,
    background,
    court,
    criminality,
    custody,
    detention,
    leads,
    processing,
    removal,
    review,
)
from immsim.engine.week import KernelPlan
from immsim.regimes.model import Regime

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class WeekPlan:
    """What a week of one parameter span, regime and year does: the compiled stages' plan, and
    what the run applies around them (the goal controller, the border, costs)."""

    regime: Regime
    kernel: KernelPlan
    live: IntArray  # the run's groups the plan covers (:func:`.inputs.live_groups`), in order
    cells: NDArray[np.unsignedinteger[Any]]  # each of those groups' breakdown column under each
    # attribute (a row each; :func:`.prepared.narrowest`)
    columns: list[tuple[str, str]]  # the (attribute, level) of each breakdown column
    goal: controller.GoalPlan
    border: border.BorderPlan
    costs: costs.CostPlan


def frozen(record: Any) -> Any:
    """``record`` with every array read-only and contiguous, nested records likewise: plans
    are shared by every week of their span, and the compiled week is typed (and compiled) for
    read-only arrays, whatever the builder returned."""
    if isinstance(record, tuple) and hasattr(record, "_fields"):
        return type(record)(*(frozen(value) for value in record))
    if isinstance(record, np.ndarray):
        view = np.ascontiguousarray(record).view()
        view.flags.writeable = False
        return view
    return record


PARENT = ("us_citizen_child", "true")
"""The breakdown column of parents of U.S.-citizen children, whose removals a run with areas
also tallies by area (``BREAKDOWN_STAGES``' ``removed_parents``)."""


def parent_cell(cells: Cells) -> tuple[int, int]:
    """The (attribute, column) of :data:`PARENT` among ``cells``: the row of ``cells.codes``
    that holds it, and its column."""
    column = cells.columns.index(PARENT)
    attributes = list(dict.fromkeys(attribute for attribute, _ in cells.columns))
    return attributes.index(PARENT[0]), column


def build_plan(x: PlanInputs, cells: Cells) -> WeekPlan:
    """The plan of the weeks that share ``x``'s parameter values, regime and year, with the
    groups' breakdown ``cells`` in that year."""
    p = x.p
    border_plan = border.plan(p)
    hours = (
        float(p["enforcement.ero_deportation_officers"])
        * float(p["enforcement.effort.hours_per_officer_year"])
        * float(p["enforcement.effort.share_on_arrests"])
        / WEEKS_PER_YEAR
    )
    programs = (
        float(p["enforcement.effort.program_share.custodial"]),
        float(p["enforcement.effort.program_share.at_large"]),
        float(p["enforcement.effort.program_share.other"]),
    )
    custodial, large, other = (share / sum(programs) for share in programs)
    # the hours a goal adds go to the programs the regime's documents name, in their shares
    # (every program when they name none)
    surge = x.regime.goal_surge
    named = ("custodial", "at_large", "other") if surge is None else tuple(surge.programs)
    weights = [
        share if name in named else 0.0
        for name, share in zip(("custodial", "at_large", "other"), programs, strict=True)
    ]
    surge_custodial, surge_at_large, surge_leads = (w / sum(weights) for w in weights)
    kernel = KernelPlan(
        groups=x.size,
        areas=x.groups.areas,
        parents=parent_cell(cells),
        officer_hours=hours,
        share_custodial=custodial,
        share_at_large=large,
        share_leads=other,
        surge_custodial=surge_custodial,
        surge_at_large=surge_at_large,
        surge_leads=surge_leads,
        background=background.plan(x),
        criminality=criminality.plan(x),
        custody=custody.plan(x),
        leads=leads.plan(x),
        at_large=at_large.plan(x),
        processing=processing.plan(x),
        detention=detention.plan(x),
        court=court.plan(x),
        review=review.plan(x),
        removal=removal.plan(x, border_plan.air),
    )
    return WeekPlan(
        regime=x.regime,
        kernel=frozen(kernel),
        live=frozen(x.live),
        cells=frozen(cells.codes[x.live]),  # a gather of rows, already narrow
        columns=cells.columns,
        goal=controller.plan(p),
        border=border_plan,
        costs=costs.plan(p),
    )
