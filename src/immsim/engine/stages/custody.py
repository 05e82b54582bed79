"""Custodial arrests: people handed over from jails (:mod:`.jail`) and prisons (:mod:`.prison`).
Officers take them within the Criminal Alien Program's share of their hours, each taking the
custodial hours per arrest."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from immsim.engine import capacity
from immsim.engine.compiled import jit
from immsim.engine.counts import Count
from immsim.engine.draws import Stream
from immsim.engine.inputs import PlanInputs
from immsim.engine.stages import jail, prison
from immsim.engine.stocks import FREE, ORDERED

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


class CustodyPlan(NamedTuple):
    hours_per_arrest: float
    jail: jail.JailPlan
    prison: prison.PrisonPlan


def plan(x: PlanInputs) -> CustodyPlan:
    return CustodyPlan(
        float(x.p["enforcement.effort.hours_per_arrest.custodial"]), jail.plan(x), prison.plan(x)
    )


@jit
def run(
    state: Stream,
    stocks: IntArray,
    plan: CustodyPlan,
    hours: float,
    out: FloatArray,
    taken: IntArray,
) -> tuple[bool, int]:
    """Draw the week's jail and prison arrests and take them out of their stocks into ``taken``
    within ``hours`` of officers' time; returns whether the hours cut any, and the arrests."""
    size = stocks.shape[1]
    drawn = np.zeros((5, size), dtype=np.int64)
    sources = np.zeros(5, dtype=np.int64)
    channels = np.zeros(5, dtype=np.int64)
    rows = 0
    if plan.jail.on:
        for source, chain in ((FREE, plan.jail.free), (ORDERED, plan.jail.ordered)):
            jail.candidates(state, stocks[source], chain, drawn[rows], drawn[rows + 1], out)
            sources[rows : rows + 2] = source
            channels[rows] = Count.ARRESTS_287G
            channels[rows + 1] = Count.ARRESTS_JAIL
            rows += 2
    if plan.prison.on:
        drawn[rows] = prison.candidates(state, stocks[FREE], plan.prison)
        sources[rows] = FREE
        channels[rows] = Count.ARRESTS_PRISON
        rows += 1
    if rows == 0:
        return False, 0
    return capacity.take(
        state,
        stocks,
        drawn[:rows],
        sources[:rows],
        channels[:rows],
        hours / plan.hours_per_arrest,
        out,
        taken,
    )
