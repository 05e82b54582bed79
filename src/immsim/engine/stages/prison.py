"""Prison releases: people serving felony sentences are picked up by ICE on release, when the
regime would arrest them (candidates, taken within the custodial program's hours in
:mod:`immsim.engine.stages.custody`)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from immsim.engine import draws
from immsim.engine.compiled import jit
from immsim.engine.draws import Stream
from immsim.engine.inputs import PlanInputs
from immsim.engine.rates import weekly

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class PrisonPlan(NamedTuple):
    on: bool
    p_release: float  # a week, for someone serving a sentence
    felons: IntArray  # the groups of those who serve one, in group order
    enforce: FloatArray  # the chance that someone released is arrested under the regime (felons)


def plan(x: PlanInputs) -> PrisonPlan:
    on = x.regime.channels.prison
    rate = float(weekly(float(x.p["enforcement.channels.prison_release_rate"]))) if on else 0.0
    felons = np.flatnonzero(x.a.felon).astype(np.int64)
    return PrisonPlan(on, rate, felons, x.enforce_p[felons])


@jit
def candidates(
    state: Stream,
    free: IntArray,
    plan: PrisonPlan,
    counts: IntArray,
    groups: IntArray,
    length: IntArray,
    row: int,
) -> None:
    """Who is released from prison this week and would be arrested, appended by group to row
    ``row`` of the candidates' lists (:func:`immsim.engine.capacity.lists`).

    Only the felons' groups are swept (gathered in group order, so the draws are those of a
    sweep over every group with the others at zero, which draws nothing for them): one pass over the
    felons' groups rather than three over all of them."""
    released = draws.sweep_all(state, free[plan.felons], plan.p_release)
    arrested = draws.binom_each(state, released, plan.enforce)
    for j in range(plan.felons.size):  # (appended as capacity.competing_listed does)
        if arrested[j] > 0:
            k = length[row]
            counts[row, k] = arrested[j]
            groups[row, k] = plan.felons[j]
            length[row] = k + 1
