"""Leads: checkpoints and traffic stops, database and benefit-record leads, worksite operations and check-ins. Each stock's lead
channels compete in one draw (a thinned binomial is binomial, and the split of the few people
drawn is cheap); officers take the candidates within the hours of the program they belong to
(the other arrest work's share of the officers' hours).

Within its share of the hours this program reaches many more people than it can arrest (some
seventeen times as many on the national population), and drawing each of them costs a walk of
the draws' clock. Where the people reached would be at least ``THIN_MARGIN`` times the arrests
the hours allow, the draws are thinned: each person reached is drawn with a chance ``2**-level``
(the chances and their hazards made once per plan and level, when first needed: see
:class:`Thinned`), enough to fill
the hours with room to spare, and the arrests chosen among those drawn. That is exact: whoever
is drawn is a uniform choice among those reached, so a uniform choice among them is one among
those reached; and in the rare week when too few are drawn, the rest of those reached are drawn
too (given who was drawn, each other person was reached with chance ``p (1 - t) / (1 - p t)``
at chance ``p`` and thinning ``t``) and the arrests chosen among all of them, as unthinned."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from immsim.engine import capacity
from immsim.engine.compiled import jit
from immsim.engine.counts import Count
from immsim.engine.draws import Stream, binomial
from immsim.engine.inputs import PlanInputs
from immsim.engine.rates import Competing, competing, gathered, weekly
from immsim.engine.stocks import FREE, ORDERED, RELEASED, CountArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

THIN_MARGIN = 1.5
"""The people drawn when thinned are expected to be at least this many times the arrests the
hours allow (so that too few are drawn only in rare weeks)."""

THIN_LEVELS = 8
"""Thinning chances 1, 1/2, …, 1/128 (level 0 is no thinning)."""


class LeadsPlan(NamedTuple):
    hours_per_arrest: float
    free: Competing  # the channels reaching people at large with no order
    ordered: Competing  # with an order
    released: Competing  # released with a court case
    sources: IntArray  # each channel's stock, in the order of the three above's events
    channels: IntArray  # and the count it adds to


class Thinned(NamedTuple):
    """The thinned chances of any lead event and their hazards, by level and stock (free,
    ordered, released), for the plan a run is in: each level filled when first used under that
    plan (``ready``; the run clears it when its plan changes). Held by the run, not the plan,
    which is read-only and shared by the weeks of its span: a plan filling every level at once
    would pay some hundred thousand logarithms for the one or two levels a span uses."""

    any: FloatArray  # (level, stock, group)
    hazard: FloatArray
    ready: BoolArray  # by level


def thinned_tables(groups: int) -> Thinned:
    """Empty tables for a run of ``groups`` engine groups (left unwritten until used)."""
    shape = (THIN_LEVELS, 3, groups)
    return Thinned(np.empty(shape), np.empty(shape), np.zeros(THIN_LEVELS, dtype=np.bool_))


def plan(x: PlanInputs) -> LeadsPlan:
    # every chance below reads the attributes, triage and parameters alone, not the area: made
    # once a kind of groups and gathered at the plan's groups (inputs.Alike; the same values).
    # The 12 plans of a ten-year run by area (their inputs saved, least thread time of 5):
    # 23.6 -> 9.5 ms
    k = x.alike
    p, ch, e_p, e_o = x.p, x.regime.channels, k.enforce_p, k.enforce_o

    def rate(key: str, on: bool) -> float:
        return float(weekly(float(p[key]))) if on else 0.0

    # Border Patrol's interior checkpoints and the traffic stops feeding them (287(g) task forces
    # are their own channel, in custody)
    checkpoint = rate("enforcement.channels.checkpoint_rate", ch.checkpoint_task_force)
    database = rate("enforcement.channels.database_lead_rate", ch.database_leads)
    # records outside DHS that give a person's immigration status with an address (state-funded
    # Medicaid enrolment from 2026) reach people whether or not DHS has a record of them; the
    # database leads above come from DHS's own files, so they reach only the people it knows.
    # From 2026 this multiplies the people reached some fourfold; the thinning below keeps the
    # draws' cost (the default's ten years: 1.3-1.4 s with the leaf or without, in process)
    benefit = rate("enforcement.channels.benefit_record_lead_rate", ch.database_leads)
    worksite = rate("enforcement.channels.worksite_rate", ch.worksite)
    check_in = rate("enforcement.channels.check_in_rate", ch.check_in)
    # each stock's channels: the count each adds to and its chance a week, in draw order
    by_stock = (
        (
            FREE,
            (
                (Count.ARRESTS_CHECKPOINT, checkpoint * e_p),
                (Count.ARRESTS_DATABASE, (np.where(k.a.known, database, 0.0) + benefit) * e_p),
                (Count.ARRESTS_WORKSITE, worksite * e_p),
            ),
        ),
        (
            ORDERED,
            (
                (Count.ARRESTS_CHECKPOINT, checkpoint * e_o),  # removable with an order too
                (Count.ARRESTS_DATABASE, (database + benefit) * e_o),
                (Count.ARRESTS_CHECK_IN, check_in * e_o),
            ),
        ),
        (RELEASED, ((Count.ARRESTS_CHECK_IN, check_in * e_p),)),
    )
    free, ordered, released = (
        gathered(competing([chance for _, chance in events], e_p.size), x.kind)
        for _, events in by_stock
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
def _level(stocks: CountArray, plan: LeadsPlan, limit: float) -> int:
    """The thinning level for the week: the highest at which the people expected to be drawn
    are at least ``THIN_MARGIN`` times ``limit``, the arrests the hours allow (0: none)."""
    expected = 0.0
    for source, events in ((FREE, plan.free), (ORDERED, plan.ordered), (RELEASED, plan.released)):
        for i in range(stocks.shape[1]):
            expected += stocks[source, i] * events.any[i]
    if expected < 2.0 * THIN_MARGIN * limit:
        return 0
    return min(THIN_LEVELS - 1, math.floor(math.log2(expected / (THIN_MARGIN * limit))))


@jit
def _fill(plan: LeadsPlan, thinned: Thinned, level: int) -> None:
    """Fill the level's thinned chances and hazards, once per plan."""
    if thinned.ready[level]:
        return
    t = 0.5**level
    for row, events in enumerate((plan.free, plan.ordered, plan.released)):
        for i in range(events.any.size):
            q = events.any[i] * t
            thinned.any[level, row, i] = q
            thinned.hazard[level, row, i] = -math.log1p(-q)
    thinned.ready[level] = True


@jit
def _rest(
    state: Stream, n: IntArray, p: FloatArray, shares: FloatArray, t: float, drawn: IntArray
) -> None:
    """Add to ``drawn`` (a row per event, the last the rest) those reached but not drawn at the
    thinning ``t``: each person not drawn was reached with chance ``p (1 - t) / (1 - p t)``,
    their event split as :func:`draws.competing_into` splits it."""
    events = shares.shape[0] + 1
    for i in range(n.size):
        if n[i] == 0 or p[i] <= 0.0:
            continue
        not_drawn = n[i] - drawn[:, i].sum()
        left = binomial(state, not_drawn, p[i] * (1.0 - t) / (1.0 - p[i] * t))
        for e in range(events - 1):
            if left == 0:
                break
            got = binomial(state, left, shares[e, i])
            drawn[e, i] += got
            left -= got
        drawn[events - 1, i] += left


@jit
def run(
    state: Stream,
    stocks: CountArray,
    plan: LeadsPlan,
    thinned: Thinned,
    hours: float,
    out: FloatArray,
    taken: CountArray,
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
    level = _level(stocks, plan, limit)
    if level > 0:
        _fill(plan, thinned, level)
    # drawn into lists of each channel's candidates, not a table of every group's (see
    # capacity.lists), and their total read off the lists: the table's sum was a pass over
    # 3.5 MB by area, some 0.1 ms (2026-12-05)
    counts, groups, length = capacity.lists(plan.sources.size, stocks.shape[1])
    first = 0
    for row, (source, events) in enumerate(by_stock):
        capacity.competing_listed(
            state,
            stocks[source],
            thinned.any[level, row] if level > 0 else events.any,
            thinned.hazard[level, row] if level > 0 else events.hazard,
            events.shares,
            counts,
            groups,
            length,
            first,
        )
        first += events.shares.shape[0] + 1
    found, group, of_row = capacity.joined(counts, groups, length, first)
    thin = level > 0
    if thin and found.sum() < math.floor(limit):  # too few drawn: draw the rest reached
        drawn = capacity.table(found, group, of_row, first, stocks.shape[1])
        first = 0
        for source, events in by_stock:
            rows = events.shares.shape[0] + 1
            _rest(
                state,
                stocks[source],
                events.any,
                events.shares,
                0.5**level,
                drawn[first : first + rows],
            )
            first += rows
        found, group, of_row = capacity.listed(drawn, np.arange(first))
        thin = False
    # (writable copies of the plan's read-only codes, as capacity.take makes: one compile)
    cut, n = capacity.take_listed(
        state,
        stocks,
        found,
        group,
        of_row,
        plan.sources.copy(),
        plan.channels.copy(),
        limit,
        out,
        taken,
    )
    # thinned, the hours bound whenever the drawn fill them: those reached are then more
    cut = cut or (thin and n >= math.floor(limit))
    return max(0.0, hours - n * plan.hours_per_arrest), cut
