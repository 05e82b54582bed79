"""Custodial arrests: people handed over from jails (:mod:`.jail`) and prisons (:mod:`.prison`),
and people 287(g) task-force officers arrest on patrol (:mod:`.partners`). Officers take them
within the Criminal Alien Program's share of their hours, each taking the custodial hours per
arrest, or the share of them that ICE still spends when a 287(g) partner has processed the
arrest (a 287(g) jail hold, a task-force arrest): partners' officer hours add capacity."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from immsim.engine import capacity, draws
from immsim.engine.compiled import jit
from immsim.engine.counts import Count
from immsim.engine.draws import Stream
from immsim.engine.inputs import PlanInputs
from immsim.engine.stages import jail, partners, prison
from immsim.engine.stocks import FREE, ORDERED

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


class CustodyPlan(NamedTuple):
    hours_per_arrest: float
    partner_share: float  # of those hours, what an arrest a 287(g) partner processed takes
    jail: jail.JailPlan
    prison: prison.PrisonPlan
    task_force: partners.TaskForcePlan


def plan(x: PlanInputs) -> CustodyPlan:
    return CustodyPlan(
        float(x.p["enforcement.effort.hours_per_arrest.custodial"]),
        float(x.p["enforcement.partners.ice_hours_share"]),
        jail.plan(x),
        prison.plan(x),
        partners.plan(x),
    )


ROWS = 7
"""Candidate rows at most: 287(g) holds and transfers from each of two stocks, prison releases,
and task-force arrests from each of two stocks."""


@jit
def run(
    state: Stream,
    stocks: IntArray,
    plan: CustodyPlan,
    hours: float,
    out: FloatArray,
    taken: IntArray,
) -> tuple[bool, float]:
    """Draw the week's jail, prison and task-force arrests and take them out of their stocks
    into ``taken`` within ``hours`` of officers' time; returns whether the hours cut any, and
    the hours the arrests took."""
    size = stocks.shape[1]
    # the rows the channels in force fill (not ROWS: each row is a pass over the groups)
    used_rows = 4 * plan.jail.on + plan.prison.on + 2 * plan.task_force.on
    drawn = np.zeros((used_rows, size), dtype=np.int64)
    sources = np.zeros(ROWS, dtype=np.int64)
    channels = np.zeros(ROWS, dtype=np.int64)
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
    if plan.task_force.on:
        for source, events in ((FREE, plan.task_force.free), (ORDERED, plan.task_force.ordered)):
            draws.competing_into(
                state,
                stocks[source],
                events.any,
                events.hazard,
                events.shares,
                drawn[rows : rows + 1],
            )
            sources[rows] = source
            channels[rows] = Count.ARRESTS_287G_TASK_FORCE
            rows += 1
    if rows == 0:
        return False, 0.0
    # Full and partner arrests each keep their share of the candidates' hours when the hours
    # bind (the same proportional cut as between channels), taken in two exact draws so that
    # the hours used never pass the hours there are.
    partner = np.zeros(rows, dtype=np.bool_)
    totals = np.zeros(rows, dtype=np.int64)
    demand = 0.0
    for c in range(rows):
        partner[c] = (
            channels[c] == Count.ARRESTS_287G or channels[c] == Count.ARRESTS_287G_TASK_FORCE
        )
        totals[c] = drawn[c].sum()
        demand += totals[c] * (plan.partner_share if partner[c] else 1.0)
    demand *= plan.hours_per_arrest
    scale = hours / demand if demand > hours else 1.0
    cut = False
    used = 0.0
    for kind in (False, True):
        chosen = np.flatnonzero(partner == kind)
        if chosen.size == 0:
            continue
        some_cut, n = capacity.take_rows(
            state,
            stocks,
            drawn,
            chosen,
            sources,
            channels,
            totals[chosen].sum() * scale,
            out,
            taken,
        )
        cut = cut or some_cut
        used += n * plan.hours_per_arrest * (plan.partner_share if kind else 1.0)
    return cut, used
