"""Custodial arrests: people handed over from jails (:mod:`.jail`) and prisons (:mod:`.prison`),
and people 287(g) task-force officers arrest on patrol (:mod:`.partners`). Officers take them
within the Criminal Alien Program's share of their hours, each taking the custodial hours per
arrest, or the share of them that ICE still spends when a 287(g) partner has processed the
arrest (a 287(g) jail hold, a task-force arrest): partners' officer hours add capacity.

When the hours cannot take every candidate, officers take them in the regime's priority order,
as the regimes' memos direct the agency's resources: every candidate of the higher tiers, then
the tier the hours reach, chosen at random within it, and none of the tiers below. The 2011 and
2014 memos rank their tiers ("the highest priority", "the second-highest"); the 2017 memo lists
seven categories joined by "or", any one of which makes a priority ("Department personnel
should prioritize removable aliens who ..."), so under it the seven are one tier
(``Regime.tier_order``), served before the people outside them. Candidates drawn at random over
every tier would hand the hours to whoever the jails book most, people with no conviction (some
58% of the jail candidates under EO 13768 in FY2018); the seven categories ranked in turn would
give them all to people with a conviction (16% of FY2018's arrests with none, no one charged
but not convicted among the custodial arrests), against 34% with no conviction in ICE's report
for the year (21% with charges pending).

Someone with no conviction whom ICE takes from a jail or after a 287(g) arrest was booked on a
criminal charge: ICE counts them as having charges pending ("criminal" since FY2017), and so
does the model from the arrest on (the criminality stage's group with the charge). Without it
a booking on a new charge was not a charge, and 4-6% of FY2017-FY2019 arrests had charges
pending in the model against ICE's 21% in FY2018."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from immsim.engine import capacity
from immsim.engine.compiled import jit
from immsim.engine.counts import Count
from immsim.engine.draws import Stream
from immsim.engine.inputs import PlanInputs, RankArray
from immsim.engine.stages import criminality, jail, partners, prison
from immsim.engine.stocks import FREE, ORDERED, CountArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


class CustodyPlan(NamedTuple):
    hours_per_arrest: float
    partner_share: float  # of those hours, what an arrest a 287(g) partner processed takes
    jail: jail.JailPlan
    prison: prison.PrisonPlan
    task_force: partners.TaskForcePlan
    n_ranks: int
    rank_p: RankArray  # each group's tier as a code 0, 1, … in priority order (no order)
    rank_o: RankArray  # (with an order)
    charged: IntArray  # each group's group once charged (its own where none differs only so)


def charged_groups(x: PlanInputs) -> IntArray:
    """The group a person ICE takes from a jail or a 287(g) arrest moves to: someone with no
    conviction and no charge pending was booked on a criminal charge, which is pending when ICE
    takes them (the group that differs only by the charge, from the criminality stage's
    targets, :func:`.criminality.once_charged`); everyone else stays in their own group
    (people with a conviction count as convicted whatever is pending, and prison releases have
    served their sentence)."""
    own = np.arange(x.size, dtype=np.int64)
    charged = criminality.once_charged(x.moves, x.a.pending)
    out: IntArray = np.where(x.a.criminal_history == 0, charged, own)
    return out


def plan(x: PlanInputs) -> CustodyPlan:
    rank_p, rank_o, n_ranks = x.ranks  # shared with the at-large stage's plan
    return CustodyPlan(
        float(x.p["enforcement.effort.hours_per_arrest.custodial"]),
        float(x.p["enforcement.partners.ice_hours_share"]),
        jail.plan(x),
        prison.plan(x),
        partners.plan(x),
        n_ranks,
        rank_p,
        rank_o,
        charged_groups(x),
    )


ROWS = 7
"""Candidate rows at most: 287(g) holds and transfers from each of two stocks, prison releases,
and task-force arrests from each of two stocks."""


@jit
def run(
    state: Stream,
    stocks: CountArray,
    plan: CustodyPlan,
    hours: float,
    out: FloatArray,
    taken: CountArray,
) -> tuple[bool, float]:
    """Draw the week's jail, prison and task-force arrests and take them out of their stocks
    into ``taken`` within ``hours`` of officers' time, each under the charge they were booked
    on (:func:`charged_groups`); returns whether the hours cut any, and the hours the arrests
    took. ``taken`` holds no one when called (leads and at-large arrests are added after)."""
    cut, used, group, stock_of = _candidates_taken(state, stocks, plan, hours, out, taken)
    to_charged(taken, plan.charged, group, stock_of)
    return cut, used


@jit
def to_charged(taken: CountArray, charged: IntArray, group: IntArray, source: IntArray) -> None:
    """Move those ``taken`` (by stock and group) to their ``charged`` groups, as a pass over
    both rows of every group in ascending order moves them, reading only the listed groups
    (``group[k]`` in row ``source[k]``; a group may be listed more than once), the only ones
    that can hold anyone taken."""
    # The taken moved to their charged groups through the list of the candidates' groups, not
    # a pass over both rows of every group: only a candidate's group can hold anyone taken.
    # The result is the pass's, in whole numbers: that pass, group by group in ascending
    # order, moved a group's taken (its own and any moved into it from a group before it) to
    # its charged group, where they moved on only if that group came later in the pass and had
    # a charged group of its own; each group's own taken follow that path here to where the
    # pass left them. All are lifted before any is put down, so a group reached (or listed
    # twice, by two channels) is not read after it changed. (A week a year into the default
    # run by area, least thread time of 100, alternated with main, 2026-12-05: custody
    # 0.698-0.714 -> 0.637-0.640 ms.)
    lifted = np.empty(group.size, dtype=np.int64)
    to = np.empty(group.size, dtype=np.int64)
    row_of = np.empty(group.size, dtype=np.int64)
    m = 0
    for k in range(group.size):
        i = group[k]
        row = source[k]
        j = charged[i]
        if j != i and taken[row, i] > 0:
            at = i
            while j > at and charged[j] != j:
                at = j
                j = charged[j]
            lifted[m] = taken[row, i]
            to[m] = j
            row_of[m] = row
            taken[row, i] = 0
            m += 1
    for k in range(m):
        taken[row_of[k], to[k]] += lifted[k]


@jit
def _candidates_taken(
    state: Stream,
    stocks: CountArray,
    plan: CustodyPlan,
    hours: float,
    out: FloatArray,
    taken: CountArray,
) -> tuple[bool, float, IntArray, IntArray]:
    """The week's candidates drawn and taken within ``hours`` (see :func:`run`), and the
    candidates' groups with the stock each was drawn from (an entry per candidate's row, a
    group perhaps more than once): only these groups can have anyone taken."""
    # drawn into lists of each row's candidates, not a table of every group's (see
    # capacity.lists): zeroing the table (3.5 MB by area) and searching it for the few
    # candidates cost 0.25-0.3 ms of the stage's 1.4 ms a year into the default run by area
    # (2026-12-05)
    counts, groups, length = capacity.lists(ROWS, stocks.shape[1])
    sources = np.zeros(ROWS, dtype=np.int64)
    channels = np.zeros(ROWS, dtype=np.int64)
    rows = 0
    # The ordered stock's sweeps (the jail chain's, the task forces') pass its occupied groups
    # only, listed once (capacity.occupied): the same draws, since an empty group leaves the
    # clock as it was and draws nothing. Some 70% of its groups are empty by area: its two
    # sweeps with the list made 0.139 -> 0.108 ms, where the free stock's (41% empty) were
    # 0.192 -> 0.215 ms (the gathered reads cost more than the groups passed), so that stock
    # is swept whole (a week a year into the default run by area, least thread time of 300 in
    # four rounds, 2026-12-05; nationally, 53% empty, 0.0233 against 0.0236 ms).
    at = np.empty(stocks.shape[1], dtype=np.int64)
    m = 0
    if plan.jail.on or plan.task_force.on:
        m = capacity.occupied(stocks[ORDERED], at)
    if plan.jail.on:
        jail.candidates(state, stocks[FREE], plan.jail.free, counts, groups, length, rows, out)
        jail.candidates(
            state, stocks[ORDERED], plan.jail.ordered, counts, groups, length, rows + 2, out, at, m
        )
        for source in (FREE, ORDERED):
            sources[rows : rows + 2] = source
            channels[rows] = Count.ARRESTS_287G
            channels[rows + 1] = Count.ARRESTS_JAIL
            rows += 2
    if plan.prison.on:
        prison.candidates(state, stocks[FREE], plan.prison, counts, groups, length, rows)
        sources[rows] = FREE
        channels[rows] = Count.ARRESTS_PRISON
        rows += 1
    if plan.task_force.on:
        for source, events in ((FREE, plan.task_force.free), (ORDERED, plan.task_force.ordered)):
            if source == FREE:
                capacity.competing_listed(
                    state, stocks[FREE], events.any, events.hazard, events.shares,
                    counts, groups, length, rows,
                )  # fmt: skip
            else:
                capacity.competing_listed(
                    state, stocks[ORDERED], events.any, events.hazard, events.shares,
                    counts, groups, length, rows, at, m,
                )  # fmt: skip
            sources[rows] = source
            channels[rows] = Count.ARRESTS_287G_TASK_FORCE
            rows += 1
    if rows == 0:
        none = np.zeros(0, dtype=np.int64)
        return False, 0.0, none, none
    # The candidates as one list (count, group, row), row by row and each row's groups
    # ascending: the sums, the tiers and the takes below read the list, not a table of every
    # group's candidates, which they scanned six times or more and copied into two more zeroed
    # tables when the hours bound (issue 22: most groups have no candidate). The list keeps
    # the table's order, so every sum adds the same terms in the same order and the takes draw
    # the same numbers.
    found, group, of_row = capacity.joined(counts, groups, length, rows)
    stock_of = np.empty(found.size, dtype=np.int64)
    for k in range(found.size):
        stock_of[k] = sources[of_row[k]]
    per_row = np.zeros(rows, dtype=np.int64)
    for k in range(found.size):
        per_row[of_row[k]] += found[k]
    # Full and partner arrests each keep their share of the candidates' hours when the hours
    # bind (the same proportional cut as between channels), taken in two exact draws so that
    # the hours used never pass the hours there are; when they bind, the tiers above the one
    # the hours reach are taken whole and those below it not at all.
    partner = np.zeros(rows, dtype=np.bool_)
    cost = np.zeros(rows)
    demand = 0.0
    for c in range(rows):
        partner[c] = (
            channels[c] == Count.ARRESTS_287G or channels[c] == Count.ARRESTS_287G_TASK_FORCE
        )
        cost[c] = plan.hours_per_arrest * (plan.partner_share if partner[c] else 1.0)
        demand += per_row[c] * cost[c]
    everyone = np.ones(found.size, dtype=np.bool_)
    if demand <= hours:  # every candidate taken (the tiers are only walked when they bind)
        cut, used = _take(
            state, stocks, found, group, of_row, everyone, rows, sources, channels, partner,
            cost, 1.0, out, taken,
        )  # fmt: skip
        return cut, used, group, stock_of
    by_tier = np.zeros(plan.n_ranks)  # each tier's hours, were all its candidates taken
    rank = np.empty(found.size, dtype=np.int64)
    for k in range(found.size):
        c = of_row[k]
        rank[k] = (plan.rank_p if sources[c] == FREE else plan.rank_o)[group[k]]
        by_tier[rank[k]] += found[k] * cost[c]
    tier = plan.n_ranks  # the tier the hours reach (n_ranks: past the last, by rounding)
    left = hours
    for t in range(plan.n_ranks):
        if by_tier[t] > left:
            tier = t
            break
        left -= by_tier[t]
    if tier == plan.n_ranks:
        cut, used = _take(
            state, stocks, found, group, of_row, everyone, rows, sources, channels, partner,
            cost, 1.0, out, taken,
        )  # fmt: skip
        return cut, used, group, stock_of
    # the tiers above are taken whole, the tier reached in proportion to the hours left
    _, used = _take(
        state, stocks, found, group, of_row, rank < tier, rows, sources, channels, partner,
        cost, 1.0, out, taken,
    )  # fmt: skip
    _, more = _take(
        state, stocks, found, group, of_row, rank == tier, rows, sources, channels, partner,
        cost, left / by_tier[tier], out, taken,
    )  # fmt: skip
    return True, used + more, group, stock_of


@jit
def _take(
    state: Stream,
    stocks: CountArray,
    found: IntArray,
    group: IntArray,
    of_row: IntArray,
    among: NDArray[np.bool_],
    rows: int,
    sources: IntArray,
    channels: IntArray,
    partner: NDArray[np.bool_],
    cost: FloatArray,
    scale: float,
    out: FloatArray,
    taken: CountArray,
) -> tuple[bool, float]:
    """Take ``scale`` of the listed candidates marked in ``among`` (at most all), full-cost
    and partner arrests each in their share, into ``taken``; returns whether any was cut, and
    the hours used. Each share's candidates are those of its rows in the list's order, as
    :func:`immsim.engine.capacity.take_rows` would find them in the rows' table."""
    if scale >= 1.0:
        return _take_all(stocks, found, group, of_row, among, rows, sources, channels, partner,
                         cost, out, taken)  # fmt: skip
    cut = False
    used = 0.0
    for kind in (False, True):
        chosen = np.flatnonzero(partner[:rows] == kind)
        if chosen.size == 0:
            continue
        keep = np.empty(found.size, dtype=np.bool_)
        total = 0
        for k in range(found.size):
            keep[k] = among[k] and partner[of_row[k]] == kind
            if keep[k]:
                total += found[k]
        some_cut, n = capacity.take_listed(
            state,
            stocks,
            found[keep],
            group[keep],
            of_row[keep],
            sources,
            channels,
            total * min(1.0, scale),
            out,
            taken,
        )
        cut = cut or some_cut
        used += n * cost[chosen[0]]
    return cut, used


@jit
def _take_all(
    stocks: CountArray,
    found: IntArray,
    group: IntArray,
    of_row: IntArray,
    among: NDArray[np.bool_],
    rows: int,
    sources: IntArray,
    channels: IntArray,
    partner: NDArray[np.bool_],
    cost: FloatArray,
    out: FloatArray,
    taken: CountArray,
) -> tuple[bool, float]:
    """:func:`_take` of every listed candidate marked in ``among`` (a ``scale`` of one), read in
    place: there the cut of :func:`immsim.engine.capacity.take_listed` keeps every candidate
    (its limit is their total) and draws nothing, so each share's candidates are taken as that
    function takes them, in the same order (the full-cost share's, then the partners'), and
    the hours used are summed as :func:`_take` sums them (each share's count times its cost)."""
    # Not the marks, the flags' places and the three gathered copies of the list made for
    # each share, nor take_listed's copy of the counts and their sum: the week's hours
    # usually take every candidate, and then nothing is drawn. (A week a year into the
    # default run by area, 2,879 candidates, least thread time of 300, alternated with main,
    # 2026-12-05: the take 0.0750, 0.0734 -> 0.0660, 0.0678 ms. One pass over the list for
    # both shares was 0.057 ms, but it would take a group listed in both shares in another
    # order, which decides who is left when the candidates outnumber their stock.)
    used = 0.0
    for kind in (False, True):
        first = -1
        for c in range(rows):
            if partner[c] == kind:
                first = c
                break
        if first < 0:
            continue
        n_taken = 0
        for k in range(found.size):
            c = of_row[k]
            if among[k] and partner[c] == kind:
                i = group[k]
                row = sources[c]
                part = min(found[k], stocks[row, i])
                if part > 0:
                    stocks[row, i] -= part
                    taken[row, i] += part
                    out[channels[c]] += part
                    n_taken += part
        used += n_taken * cost[first]
    return False, used
