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
    felon: BoolArray  # who serves one
    enforce: FloatArray  # the chance that someone released is arrested under the regime


def plan(x: PlanInputs) -> PrisonPlan:
    on = x.regime.channels.prison
    rate = float(weekly(float(x.p["enforcement.channels.prison_release_rate"]))) if on else 0.0
    return PrisonPlan(on, rate, x.a.felon, x.enforce_p)


@jit
def candidates(state: Stream, free: IntArray, plan: PrisonPlan) -> IntArray:
    """Who is released from prison this week and would be arrested, by group."""
    felons = np.where(plan.felon, free, 0)
    released = draws.sweep_all(state, felons, plan.p_release)
    return draws.binom_each(state, released, plan.enforce)
