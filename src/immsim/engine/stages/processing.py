"""The path after arrest: reinstatement of a prior order, expedited removal, an administrative
order, voluntary return, or a notice to appear. People arrested with an order go to removal;
people arrested with a case pending go back to court, unless ICE's attorneys have the case
dismissed to put them in expedited removal instead (from May 2025: only people the expedited-
removal window reaches, so the route shuts whenever the window does)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from immsim.engine.compiled import jit
from immsim.engine.counts import Count
from immsim.engine.draws import Stream, binomial
from immsim.engine.inputs import PlanInputs
from immsim.engine.stocks import CountArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class ProcessingPlan(NamedTuple):
    prior_removal: BoolArray  # reinstated
    expedited: BoolArray  # within the expedited-removal window
    aggravated: BoolArray  # INA 238(b): an administrative order, without a judge
    return_eligible: BoolArray
    p_voluntary_return: float
    p_dismissed_to_expedited: float  # of the expedited-eligible arrested with a case pending


def plan(x: PlanInputs) -> ProcessingPlan:
    a = x.a
    years = x.day.year - a.entry_year
    window = float(x.p["processing.expedited_removal_max_years"])
    return ProcessingPlan(
        prior_removal=a.prior_removal,
        expedited=(years < window) & ~a.prior_removal,
        aggravated=a.aggravated,
        return_eligible=a.return_eligible,
        p_voluntary_return=float(x.p["processing.voluntary_return_share"]),
        p_dismissed_to_expedited=float(x.p["processing.pending_case_dismissal_share"]),
    )


@jit
def run(
    state: Stream,
    from_free: CountArray,
    from_ordered: CountArray,
    from_released: CountArray,
    plan: ProcessingPlan,
    out: FloatArray,
) -> tuple[CountArray, CountArray]:
    """Who of those arrested goes to removal and who to court, with the week's counts of each
    path added to ``out``."""
    to_removal = from_ordered.copy()
    to_court = from_released.copy()
    _dismiss_to_expedited(state, to_removal, to_court, plan, out)
    for i in range(from_free.size):
        n = from_free[i]
        if n == 0:
            continue
        if plan.prior_removal[i]:
            to_removal[i] += n
            out[Count.REINSTATEMENTS] += n
        elif plan.expedited[i]:
            to_removal[i] += n
            out[Count.EXPEDITED_REMOVALS] += n
        elif plan.aggravated[i]:
            to_removal[i] += n
            out[Count.ADMINISTRATIVE_ORDERS] += n
        else:
            vr = binomial(state, n, plan.p_voluntary_return) if plan.return_eligible[i] else 0
            out[Count.VOLUNTARY_RETURNS] += vr
            out[Count.NOTICES_TO_APPEAR] += n - vr
            to_court[i] += n - vr
    return to_removal, to_court


@jit
def _dismiss_to_expedited(
    state: Stream,
    to_removal: CountArray,
    to_court: CountArray,
    plan: ProcessingPlan,
    out: FloatArray,
) -> None:
    """People arrested with a case pending whose case is dismissed so that expedited removal can
    take them, moved from court to removal in place. Draws nothing while the route is closed, so
    runs before 2025 keep their random numbers."""
    if plan.p_dismissed_to_expedited <= 0.0:
        return
    for i in range(to_court.size):
        n = to_court[i]
        if n == 0 or not plan.expedited[i]:
            continue
        d = binomial(state, n, plan.p_dismissed_to_expedited)
        to_court[i] -= d
        to_removal[i] += d
        out[Count.DISMISSED_TO_EXPEDITED] += d
