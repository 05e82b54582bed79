"""Prosecutorial-discretion review of pending court cases (the late-2011 docket review): from
its start, attorneys review the cases pending then, at the pace their hours allow, and close the
recorded share of the cases they read, among those the regime's criteria mark, sending them back
at large, still unauthorized."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from immsim.dates import WEEKS_PER_YEAR
from immsim.engine.compiled import jit
from immsim.engine.counts import Count
from immsim.engine.draws import Stream
from immsim.engine.inputs import PlanInputs
from immsim.engine.stocks import FREE, HELD_COURT, RELEASED, CountArray, move

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class ReviewPlan(NamedTuple):
    per_week: float  # cases reviewed a week
    closed_share: float  # of those reviewed, closed (all of them cases the criteria mark)
    closable: BoolArray


def plan(x: PlanInputs) -> ReviewPlan:
    p = x.p
    if x.regime.docket_review is None:
        return ReviewPlan(0.0, 0.0, x.tri.review_closable)
    per_week = (
        float(p["courts.process.attorneys"])
        * float(p["enforcement.effort.hours_per_officer_year"])
        / WEEKS_PER_YEAR
        / float(p["courts.process.review_attorney_hours_per_case"])
    )
    return ReviewPlan(
        per_week, float(p["courts.process.review_closed_share"]), x.tri.review_closable
    )


@jit
def run(
    state: Stream,
    stocks: CountArray,
    plan: ReviewPlan,
    scope: float,
    reviewed: float,
    out: FloatArray,
) -> None:
    """The week's review, in place. ``scope`` is the number of cases it covers (negative: not
    fixed yet, fixed now from the cases pending) and ``reviewed`` how many are done; the scope
    is returned in ``out`` for the next week."""
    if scope < 0:
        scope = float(stocks[RELEASED].sum() + stocks[HELD_COURT].sum())
    left = scope - reviewed
    if left > 0:
        n = min(left, plan.per_week)
        released = float(stocks[RELEASED].sum())
        closable = 0.0
        for i in range(plan.closable.size):
            if plan.closable[i]:
                closable += stocks[RELEASED, i]
        frac = min(1.0, n / max(released, 1.0))  # of the released cases, read this week
        # the closed share of all cases read falls on the closable ones among them
        close = min(1.0, plan.closed_share * released / max(closable, 1.0))
        # int(): the stock codes as int64, not literal constants, so move compiles once
        out[Count.REVIEW_CLOSURES] = move(
            state, stocks, int(RELEASED), int(FREE), plan.closable, frac * close
        )
        out[Count.REVIEW_CASES] = n
    out[Count.REVIEW_SCOPE] = scope
