"""One week of the pipeline as one compiled function calling each stage in turn.

:mod:`immsim.engine.plan` derives what a week does from the parameter tree (a
:class:`KernelPlan` of every stage's plan); this module carries it out. A week is some twenty
passes over the engine groups, each a few thousand elements: run one by one from Python they
would cost as much in call overhead and temporary arrays as in their own work, so the week is
compiled whole, and the stage plans reach it as typed records (named tuples, which numba reads
field by field). The week's counts come back as one vector indexed by
:class:`~immsim.engine.counts.Count`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from immsim.engine.compiled import jit
from immsim.engine.counts import N_COUNTS, Count
from immsim.engine.draws import Stream
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
from immsim.engine.stocks import (
    COUNT,
    FREE,
    HELD_COURT,
    HELD_REMOVAL,
    ORDERED,
    RELEASED,
    CountArray,
    check_total,
)

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

N_BREAKDOWN = 8
"""The breakdown's stages with areas (``pipeline.BREAKDOWN_STAGES``); without areas the week
tallies the first three."""

CHANNELS = ("custody", "leads", "at_large", "at_large_ordered", "collateral", "removed")
"""The rows of ``RunState.channels``: each group's arrests by program (custody: jails, prisons,
287(g) and task forces; the leads; at-large arrests of people with no final order, of people
with one, and collateral arrests) and its removals, in a week. Read by analyses that split the
weekly table's arrests by channel (``scripts/criminality_by_channel.py``), which ran a copy of
this week to see them until the week could record them itself."""

BY_CUSTODY, BY_LEADS, BY_AT_LARGE, BY_AT_LARGE_ORDERED, BY_COLLATERAL, REMOVED = range(
    len(CHANNELS)
)

NO_CHANNELS = np.zeros((0, 0), dtype=COUNT)
"""``RunState.channels`` when nothing records them (a run): the week then writes none."""


class KernelPlan(NamedTuple):
    """Every stage's plan for the weeks of one parameter span, regime and year, over the groups
    it covers (:func:`immsim.engine.inputs.live_groups`: the stocks' columns while it is in
    force)."""

    groups: int  # how many
    areas: bool  # whether the groups carry areas (then the week tallies the area's stages)
    parents: tuple[int, int]  # with areas, the breakdown's (attribute, column) of parents of
    # U.S.-citizen children, whose removals the week tallies apart (without areas: unused)
    officer_hours: float  # a week for arrests, before the goal's surge
    share_custodial: float  # of those hours, in the Criminal Alien Program (jails, prisons)
    share_at_large: float  # in Fugitive Operations (at-large and collateral arrests)
    share_leads: float  # in the other arrest work (check-ins and leads)
    surge_custodial: float  # of the hours a goal adds, the Criminal Alien Program's share
    surge_at_large: float  # Fugitive Operations'
    surge_leads: float  # the other arrest work's
    background: background.BackgroundPlan
    criminality: criminality.CriminalityPlan
    custody: custody.CustodyPlan
    leads: leads.LeadsPlan
    at_large: at_large.AtLargePlan
    processing: processing.ProcessingPlan
    detention: detention.DetentionPlan
    court: court.CourtPlan
    review: review.ReviewPlan
    removal: removal.RemovalPlan


class RunState(NamedTuple):
    """What the week reads of the run beyond its stocks: the goal controller's effort, the
    week's chances of being located, the docket review (whether it runs this week, its scope:
    negative until fixed, and the cases reviewed so far), the people held awaiting a removal
    that is not foreseeable, by weeks held (:mod:`.stages.removal`; changed in place), and the
    lead channels' thinned chances for the run's plan (:class:`.stages.leads.Thinned`; filled in
    place), the court's pending cases of people who left the country (the week returns
    them in ``Count.COURT_ABROAD``), and with areas the breakdown's detained carried from week
    to week (:func:`_tally`): ``detained`` by column and ``counted`` by group, both zero when a
    plan comes into force (:func:`carried`), updated in place by each week's tally; and, for
    an analysis that records them, each group's arrests by channel and removals (``channels``,
    rows :data:`CHANNELS`, written in place; :data:`NO_CHANNELS` otherwise)."""

    effort: float
    located: at_large.Located
    review_on: bool
    review_scope: float
    reviewed: float
    held: CountArray  # 32-bit counts, as the stocks (stocks.COUNT)
    thinned: leads.Thinned
    court_abroad: float  # the court's pending cases of people who left the country
    detained: IntArray  # with areas, the detained by breakdown column as last tallied (in place)
    counted: CountArray  # with areas, each group's detained as counted in ``detained`` (in place)
    # rows CHANNELS by group, written in place when it has them; NO_CHANNELS in a run
    channels: CountArray


def carried(groups: int, columns: int, areas: bool) -> tuple[IntArray, CountArray]:
    """The breakdown's detained as carried when a plan comes into force (``RunState.detained``
    and ``.counted``): nobody counted yet, so the plan's first week counts every group that
    holds anyone (a full recount). Without areas the week tallies no detained: empty."""
    if not areas:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=COUNT)
    return np.zeros(columns, dtype=np.int64), np.zeros(groups, dtype=COUNT)


@jit
def _tally(
    cells: NDArray[np.unsignedinteger[Any]],
    removed: CountArray,
    arrested: CountArray,
    released: CountArray,
    admitted: CountArray,
    transferred: CountArray,
    custodial: CountArray,
    stocks: CountArray,
    parents: tuple[int, int],
    stages: int,
    columns: int,
    detained: IntArray,
    counted: CountArray,
) -> tuple[FloatArray, IntArray]:
    """The week's first ``stages`` breakdown stages (``BREAKDOWN_STAGES``: removed, arrested,
    released under Zadvydas, and with areas admitted, transferred, detained at the week's end,
    arrested in custody and the removed whose ``cells[group, parents[0]]`` is ``parents[1]``:
    parents of U.S.-citizen children), each summed by group into every column the group belongs
    to (one per attribute: ``cells[group, attribute]``), so that the last is told by area; and
    the stocks' levels at the week's end (each row of ``stocks`` summed: the weekly table's
    stocks), which the run read with a NumPy sum of its own after the week.

    One pass over the groups, each group's columns read together (a row of ``cells``), rather
    than a pass per stage over a matrix of the stages' counts with each group's columns a row
    apart: with areas that was a tenth of the week, every group's columns fetched five times from
    as many places (measured with a stage-by-stage copy of the week). Each sum adds the same
    counts in the same group order as before, so it is the same.

    A group with a flow adds all eight of its stages' counts (zeros among them) to a column's
    eight sums, which lie side by side (an accumulator by column, ``acc[column, stage]``,
    turned into ``sums[stage, column]`` at the end), rather than testing each stage for a count
    and adding only those: a group with a flow has a count in one stage in most weeks (6,999
    groups with a flow a year into the default run by area, 1.0 stage each), so the eight tests
    guessed wrong often, and the eight adjacent sums are one vector addition. Adding a zero
    leaves a sum as it was (the sums start at +0.0 and hold whole counts), and the counts are
    added in the same group order, so the sums are the same bit for bit. The week's own flows
    and stocks, saved a year into the default run by area: 0.36-0.39 -> 0.34-0.35 ms (least
    thread time of 60, 2026-12-05, branch `spdI`).

    The held rows' levels are summed in the same pass, which reads them anyway with areas, and
    the rows at large after it: a NumPy ``stocks.sum(axis=1)`` after the week read the 2.5 MB
    of stocks by area again (some 0.1 ms a week, 0.058 s of a ten-year run in its profile).
    The levels are int64 sums of counts, the same in any order of additions. The week's own
    flows and stocks, saved a year into the default run by area, the tally and the NumPy sum
    (main) against this tally, alternated, least thread time of 60: 0.471-0.483 -> 0.448-0.468
    ms; nationally 0.022-0.027 -> 0.025-0.027 ms (2026-12-05, branch ``spdI``).

    The detained at the week's end (stage 5) is a stock, not a flow: nonzero in every group that
    holds anyone (some 30,000 groups by area a year into the default run), where a flow touches
    only the groups with an event. Summed afresh, it scattered every held group into every
    attribute's column every week, the most of the tally's work. So it is carried: ``detained``
    holds the sums by column as last tallied and ``counted`` each group's detained as counted in
    them, and a week adds to the sums only the change of the groups whose detained changed
    (admissions, releases, removals: a few thousand groups a week), then copies them out. Both
    start at zero when a plan comes into force (:func:`carried`), so the plan's first week is a
    full recount; ``counted`` is compared with the stocks themselves, so whatever changed a
    group's detained between weeks is caught. Exact: the sums are int64 counts (at most the
    people detained, far below 2^53), so they equal the recount whatever the order of the
    additions, and convert to float64 without rounding."""
    acc = np.zeros((columns, N_BREAKDOWN))
    value = np.zeros(N_BREAKDOWN)  # the group's counts by stage; those past ``stages`` stay 0
    free = 0
    ordered = 0
    released_level = 0
    held_court = 0
    held_removal = 0
    for i in range(cells.shape[0]):
        court = stocks[HELD_COURT, i]
        removal_held = stocks[HELD_REMOVAL, i]
        held_court += court
        held_removal += removal_held
        flows = removed[i] | arrested[0, i] | arrested[1, i] | arrested[2, i] | released[i]
        if stages > 3:
            held = court + removal_held
            change = held - counted[i]
            if change != 0:
                counted[i] = held
                for attribute in range(cells.shape[1]):
                    detained[cells[i, attribute]] += change
            flows |= admitted[i] | transferred[i] | custodial[i]
        if flows == 0:
            # no flow in the group (most groups, most weeks: only those with an event have
            # one): nothing to add. The bitwise or of the counts is zero only if every count is
            continue
        value[0] = removed[i]
        value[1] = arrested[0, i] + arrested[1, i] + arrested[2, i]
        value[2] = released[i]
        if stages > 3:
            value[3] = admitted[i]
            value[4] = transferred[i]
            # value[5] stays 0: the detained are carried (below), not scattered group by group
            value[6] = custodial[i]
            value[7] = removed[i] if cells[i, parents[0]] == parents[1] else 0
            for attribute in range(cells.shape[1]):
                column = cells[i, attribute]
                for row in range(N_BREAKDOWN):
                    acc[column, row] += value[row]
        else:
            # without areas a stage at a time, those with a count only: the eight sums of a
            # column are five sums of nothing there, and a third of the groups have a flow
            # (1,582 of 4,913 a year into the default run), so the eight additions cost the
            # tally 0.018 -> 0.033 ms where the tests cost nothing
            for row in range(3):
                if value[row] > 0:
                    for attribute in range(cells.shape[1]):
                        acc[cells[i, attribute], row] += value[row]
    sums = np.empty((stages, columns))
    for row in range(stages):
        for column in range(columns):
            sums[row, column] = acc[column, row]
    if stages > 3:
        for column in range(columns):
            sums[5, column] = detained[column]
    # the rows at large in loops of their own, each down one row with nothing else (vectorised):
    # in the pass above, which has branches, they cost the tally 0.005 ms more than a NumPy sum
    # of the stocks after the week without areas, and nothing less with areas (least thread
    # time of 60, 2026-12-05)
    for i in range(cells.shape[0]):
        free += stocks[FREE, i]
    for i in range(cells.shape[0]):
        ordered += stocks[ORDERED, i]
    for i in range(cells.shape[0]):
        released_level += stocks[RELEASED, i]
    levels = np.empty(stocks.shape[0], dtype=np.int64)
    levels[FREE] = free
    levels[ORDERED] = ordered
    levels[RELEASED] = released_level
    levels[HELD_COURT] = held_court
    levels[HELD_REMOVAL] = held_removal
    return sums, levels


@jit
def _arrests(
    state: Stream, stocks: CountArray, plan: KernelPlan, run: RunState, out: FloatArray
) -> tuple[CountArray, CountArray]:
    """Custodial arrests, leads and at-large operations, each program on its share of the
    officers' hours (hours one leaves unused do not pass to another); returns the arrests as
    rows by stock (no order, order, released; their total put in ``out[Count.ARRESTS]``), and with areas the custodial arrests (from
    jails, prisons and 287(g)) by group (without areas: none, as the breakdown does not
    carry them)."""
    hours = plan.officer_hours
    added = hours * (run.effort - 1.0)  # by a goal's surge, to the programs the regime names
    # only the rows at large (free, ordered, released) are ever taken from: custody's and the
    # leads' sources; the two held rows of a table shaped like the stocks were zeroed every week
    # for nothing (a 5-row table is 2.5 MB by area, 61,843 groups a year into the default run).
    # The week's flows by group (this table, the arrests, the custodial arrests, the at-large
    # and collateral arrests, admissions, transfers, removals, releases, the tally's counted)
    # are 32-bit counts like the stocks they move (stocks.COUNT; each is at most a group's
    # stock): some ten group-sized arrays zeroed or written and read each week, 5 MB by area at
    # 64 bits. The compiled week a year into the default run by area (week_least.py --areas
    # --rounds 3, alternated): stocks alone int32 4.86-5.02 ms, with the flows 4.52-4.59 ms
    # (2026-12-05, branch spdM); the sums they feed stay int64 and float64
    taken = np.zeros((RELEASED + 1, stocks.shape[1]), dtype=COUNT)
    cut, custodial = custody.run(
        state,
        stocks,
        plan.custody,
        hours * plan.share_custodial + added * plan.surge_custodial,
        out,
        taken,
    )
    # custody takes from the stocks with no order and with one (jail and 287(g) holds, prison
    # releases, task-force arrests), before the leads add theirs to ``taken``
    size = stocks.shape[1]
    # a recorder's arrests by channel (CHANNELS): a test of one size a week in a run, where
    # there is none to write
    record = run.channels.shape[0] > 0
    if record:
        for i in range(size):
            run.channels[BY_CUSTODY, i] = taken[FREE, i] + taken[ORDERED, i] + taken[RELEASED, i]
    in_custody = np.empty(size if plan.areas else 0, dtype=COUNT)
    for i in range(in_custody.size):
        in_custody[i] = taken[FREE, i] + taken[ORDERED, i]
    lead_hours = hours * plan.share_leads + added * plan.surge_leads
    left, cut_leads = leads.run(state, stocks, plan.leads, run.thinned, lead_hours, out, taken)
    out[Count.OFFICER_HOURS_USED] = custodial + lead_hours - left
    large_p, collateral, large_o, ran_out = at_large.run(
        state,
        stocks,
        plan.at_large,
        run.located,
        hours * plan.share_at_large + added * plan.surge_at_large,
        out,
    )
    out[Count.BINDING_OFFICERS] = 1.0 if cut or cut_leads or ran_out else 0.0
    if record:
        for i in range(size):
            taken_all = taken[FREE, i] + taken[ORDERED, i] + taken[RELEASED, i]
            run.channels[BY_LEADS, i] = taken_all - run.channels[BY_CUSTODY, i]
            run.channels[BY_AT_LARGE, i] = large_p[i]
            run.channels[BY_AT_LARGE_ORDERED, i] = large_o[i]
            run.channels[BY_COLLATERAL, i] = collateral[i]
    # the arrests by stock and their total in one pass, with no temporary arrays (the array
    # expressions made a temporary for each sum and the total another pass: 0.21 -> 0.17 ms
    # by area, measured a year into the default run on 2026-12-05). The total of whole counts
    # is the same in any order of additions
    arrested = np.empty((3, size), dtype=COUNT)
    total = 0
    for i in range(size):
        arrested[0, i] = taken[FREE, i] + large_p[i] + collateral[i]
        arrested[1, i] = taken[ORDERED, i] + large_o[i]
        arrested[2, i] = taken[RELEASED, i]
        total += arrested[0, i] + arrested[1, i] + arrested[2, i]
    out[Count.ARRESTS] = total
    return arrested, in_custody


@jit
def _week(
    state: Stream,
    stocks: CountArray,
    plan: KernelPlan,
    run: RunState,
    cells: NDArray[np.unsignedinteger[Any]],
    n_columns: int,
) -> tuple[FloatArray, FloatArray, IntArray]:
    out = np.zeros(N_COUNTS)
    out[Count.COURT_ABROAD] = run.court_abroad  # background adds to it, the court takes from it
    background.run(state, stocks, plan.background, out)
    criminality.run(state, stocks, plan.criminality, out)
    arrested, in_custody = _arrests(state, stocks, plan, run, out)  # and out[Count.ARRESTS]
    to_removal, to_court = processing.run(
        state, arrested[0], arrested[1], arrested[2], plan.processing, out
    )
    beds_bound, admitted, transferred = detention.run(
        state, stocks, to_removal, to_court, plan.detention, out
    )
    judges_bound = court.run(state, stocks, plan.court, out)
    if run.review_on:
        review.run(state, stocks, plan.review, run.review_scope, run.reviewed, out)
    removed, released = removal.run(state, stocks, plan.removal, run.held, out)
    if run.channels.shape[0] > 0:
        run.channels[REMOVED, :] = removed
    out[Count.BINDING_BEDS] = 1.0 if beds_bound else 0.0
    out[Count.BINDING_JUDGES] = 1.0 if judges_bound else 0.0
    # the breakdown's stages (BREAKDOWN_STAGES): with areas also those admitted, transferred,
    # held at the week's end, arrested in custody and the parents removed, so that every outcome
    # can be told by area
    stages = N_BREAKDOWN if plan.areas else 3
    sums, levels = _tally(
        cells,
        removed,
        arrested,
        released,
        admitted,
        transferred,
        in_custody,
        stocks,
        plan.parents,
        stages,
        n_columns,
        run.detained,
        run.counted,
    )
    return out, sums, levels


def week(
    state: Stream,
    stocks: CountArray,
    plan: KernelPlan,
    run: RunState,
    cells: NDArray[np.unsignedinteger[Any]],
    n_columns: int,
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Carry out a week (background flows, arrivals, criminal charges and convictions, arrests,
    processing, detention, court, review and removal) on ``stocks``, in place: their columns,
    ``run.held``'s rows, ``run.located`` and ``cells`` are the plan's groups. Returns the counts
    indexed by :class:`~immsim.engine.counts.Count`, the removals and arrests by breakdown column
    (``cells[group, attribute]`` is each group's column under each attribute), and the stocks'
    levels at the week's end (each row of ``stocks`` summed, :func:`_tally`).

    The stocks and cohorts are 32-bit counts (:data:`immsim.engine.stocks.COUNT`): the people
    in the run at the week's end (the levels, int64 sums) are checked to stay below
    :data:`~immsim.engine.stocks.COUNT_LIMIT`, so that the next week's moves cannot overflow a
    group's count (a test of five numbers a week, not one in the compiled loops)."""
    out, sums, levels = _week(state, stocks, plan, run, cells, int(n_columns))
    check_total(int(levels.sum()))
    return out, sums, levels
