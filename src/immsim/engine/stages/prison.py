"""Prison releases: people serving felony sentences are picked up by ICE on release, when the
regime would arrest them (candidates, taken within the custodial program's hours in
:mod:`immsim.engine.stages.custody`)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from immsim.engine.compiled import jit
from immsim.engine.draws import Stream, binomial, exponential, walk
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

    Only the felons' groups are swept (in group order, so the draws are those of a sweep over
    every group with the others at zero, which draws nothing for them): one pass over the
    felons' groups rather than three over all of them. The draws are
    ``draws.sweep_all(state, free[plan.felons], plan.p_release)``'s, then
    ``draws.binom_each``'s on its counts with ``plan.enforce``: the same numbers in the same
    order, read in place."""
    # The sweep reads the felons' groups in place and keeps those released in the list's own
    # row (the felon's place, then the count), and the arrests are drawn over those alone and
    # written over them (a write never passes the read): not a gathered copy of the felons'
    # stocks and two zeroed arrays of their size (21,736 groups by area) passed over twice
    # more. (A week a year into the default run by area, 2026-12-05: the prison releases
    # 0.051 -> 0.025-0.032 ms alone, least thread time of 400; custody 0.616, 0.630 -> 0.582,
    # 0.609 ms, least of 100 in three rounds, alternated with main.)
    p = plan.p_release
    if p <= 0.0:  # sweep_all draws nothing, and binom_each nothing on its zeros
        return
    hazard = -math.log1p(-p) if p < 1.0 else math.inf
    start = length[row]
    m = start
    clock = exponential(state)
    for j in range(plan.felons.size):
        n = free[plan.felons[j]]
        h = n * hazard
        if clock >= h:  # no one released in this group: the clock runs on (see draws' notes)
            clock -= h
            continue
        if n == 0:  # 0 times an infinite hazard (p = 1)
            continue
        released, clock = walk(state, n, p, hazard, clock)
        if released > 0:  # (rounding can carry a walk's point past the last person)
            groups[row, m] = j
            counts[row, m] = released
            m += 1
    k = start
    for e in range(start, m):
        j = groups[row, e]
        arrested = binomial(state, counts[row, e], plan.enforce[j])
        if arrested > 0:
            counts[row, k] = arrested
            groups[row, k] = plan.felons[j]
            k += 1
    length[row] = k
