"""Leads: task forces, database leads, worksite operations and check-ins. Each stock's lead
channels compete in one draw (a thinned binomial is binomial, and the split of the few people
drawn is cheap); officers take the candidates within the hours of the program they belong to
(the other arrest work's share of the officers' hours)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from immsim.engine import capacity, draws
from immsim.engine.compiled import jit
from immsim.engine.counts import Count
from immsim.engine.draws import Stream
from immsim.engine.inputs import PlanInputs
from immsim.engine.rates import Competing, competing, weekly
from immsim.engine.stocks import FREE, ORDERED, RELEASED

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


class LeadsPlan(NamedTuple):
    hours_per_arrest: float
    free: Competing  # the channels reaching people at large with no order
    ordered: Competing  # with an order
    released: Competing  # released with a court case
    sources: IntArray  # each channel's stock, in the order of the three above's events
    channels: IntArray  # and the count it adds to


def plan(x: PlanInputs) -> LeadsPlan:
    p, ch, e_p, e_o = x.p, x.regime.channels, x.enforce_p, x.enforce_o

    def rate(key: str, on: bool) -> float:
        return float(weekly(float(p[key]))) if on else 0.0

    task_force = rate("enforcement.channels.task_force_rate", ch.checkpoint_task_force)
    database = rate("enforcement.channels.database_lead_rate", ch.database_leads)
    worksite = rate("enforcement.channels.worksite_rate", ch.worksite)
    check_in = rate("enforcement.channels.check_in_rate", ch.check_in)
    # each stock's channels: the count each adds to and its chance a week, in draw order
    by_stock = (
        (
            FREE,
            (
                (Count.ARRESTS_TASK_FORCE, task_force * e_p),
                (Count.ARRESTS_DATABASE, np.where(x.a.known, database * e_p, 0.0)),
                (Count.ARRESTS_WORKSITE, worksite * e_p),
            ),
        ),
        (
            ORDERED,
            ((Count.ARRESTS_DATABASE, database * e_o), (Count.ARRESTS_CHECK_IN, check_in * e_o)),
        ),
        (RELEASED, ((Count.ARRESTS_CHECK_IN, check_in * e_p),)),
    )
    free, ordered, released = (
        competing([chance for _, chance in events], x.size) for _, events in by_stock
    )
    return LeadsPlan(
        hours_per_arrest=float(p["enforcement.effort.hours_per_arrest.lead"]),
        free=free,
        ordered=ordered,
        released=released,
        sources=np.array([stock for stock, events in by_stock for _ in events], dtype=np.int64),
        channels=np.array([int(c) for _, events in by_stock for c, _ in events], dtype=np.int64),
    )


@jit
def run(
    state: Stream,
    stocks: IntArray,
    plan: LeadsPlan,
    hours: float,
    out: FloatArray,
    taken: IntArray,
) -> tuple[float, bool]:
    """Draw the week's lead arrests and take them within ``hours`` of officers' time into
    ``taken``; returns the hours left and whether the hours cut any (or, with no hours left for
    even one arrest, whether anyone could have been reached: then none are drawn, as all would
    be cut)."""
    limit = hours / plan.hours_per_arrest
    by_stock = ((FREE, plan.free), (ORDERED, plan.ordered), (RELEASED, plan.released))
    if limit < 1.0:
        reached = False
        for source, events in by_stock:
            reached = reached or capacity.reachable(stocks[source], events.any)
        return hours, reached
    drawn = np.zeros((plan.sources.size, stocks.shape[1]), dtype=np.int64)
    first = 0
    for source, events in by_stock:
        rows = events.shares.shape[0] + 1
        draws.competing_into(
            state,
            stocks[source],
            events.any,
            events.hazard,
            events.shares,
            drawn[first : first + rows],
        )
        first += rows
    from_leads = np.zeros_like(stocks)
    cut = capacity.take(state, stocks, drawn, plan.sources, plan.channels, limit, out, from_leads)
    taken += from_leads
    return max(0.0, hours - float(from_leads.sum()) * plan.hours_per_arrest), cut
