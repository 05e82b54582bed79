"""At-large operations down the regime's priority tiers, and the collateral arrests of people
met in them, within Fugitive Operations' share of the officers' hours. Each tier takes what it
needs of those hours, in order; a tier partly served is served in proportion."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from immsim.engine import draws
from immsim.engine.compiled import jit
from immsim.engine.counts import Count
from immsim.engine.draws import Stream, binomial, exponential, walk
from immsim.engine.inputs import PlanInputs, RankArray, non_priority_share
from immsim.engine.rates import weekly
from immsim.engine.stocks import COUNT, FREE, ORDERED, CountArray
from immsim.engine.triage import NO_TIER

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class AtLargePlan(NamedTuple):
    on: bool
    hours_per_arrest: float
    hours_per_collateral: float
    hours_per_target: float  # an at-large arrest with its expected collateral arrests
    collateral_ratio: float  # collateral arrests per targeted arrest
    n_ranks: int
    rank_p: RankArray  # each group's tier as a code 0, 1, … in priority order (no order)
    rank_o: RankArray  # (with an order)
    met_p: FloatArray  # the share of each group a collateral arrest can take (0: exempt)
    locate_p: FloatArray  # the chance a week of being located, before the non-priority share
    locate_o: FloatArray
    priority_p: BoolArray  # in a priority tier
    priority_o: BoolArray
    non_priority_share: float  # of the effort spent on non-priority cases (1: alike)
    case_by_case: bool  # non-priority cases are weighed, and a goal's surge reaches them


class Located(NamedTuple):
    """The week's chances of being located, non-priority ones scaled by the week's share, with
    their hazards (the week's, as the goal's surge moves the share)."""

    p: FloatArray
    hazard_p: FloatArray
    o: FloatArray
    hazard_o: FloatArray


def plan(x: PlanInputs) -> AtLargePlan:
    p, regime, tri, tri_o = x.p, x.regime, x.tri, x.tri_o
    ch = regime.channels
    h_large = float(p["enforcement.effort.hours_per_arrest.at_large"])
    h_coll = float(p["enforcement.effort.hours_per_arrest.collateral"])
    ratio = (
        float(p["enforcement.channels.collateral_per_targeted"]) if ch.collateral_arrests else 0.0
    )
    per_target = h_large + ratio * h_coll
    known_rate = float(p["enforcement.channels.at_large_locate_rate_known"])
    unknown_rate = float(p["enforcement.channels.at_large_locate_rate_unknown"])
    share = non_priority_share(regime, p, x.day)
    rank_p, rank_o, n_ranks = x.ranks  # shared with the custody stage's plan
    # the chances read no area: made once a kind of groups and gathered at the plan's groups
    # (inputs.Alike; the same values), where each np.where over some 63,000 groups by area
    # cost 0.2 ms. The 12 plans of a ten-year run by area (their inputs saved, least thread time
    # of 5): 11.8 -> 8.9 ms
    k = x.alike
    met_p = np.where(k.tri.exempt, 0.0, k.protect)
    return AtLargePlan(
        on=ch.at_large and per_target > 0,
        hours_per_arrest=h_large,
        hours_per_collateral=h_coll,
        hours_per_target=per_target,
        collateral_ratio=ratio,
        n_ranks=n_ranks,
        rank_p=rank_p,
        rank_o=rank_o,
        # collateral arrests take anyone met whom neither the regime exempts nor a statute
        # protects (of a group partly protected, its unprotected share)
        met_p=x.by_group(met_p),
        locate_p=x.by_group(weekly(np.where(k.a.known, known_rate, unknown_rate)) * met_p),
        locate_o=x.by_group(weekly(known_rate) * np.where(k.tri_o.exempt, 0.0, k.protect)),
        priority_p=tri.rank < NO_TIER,
        priority_o=tri_o.rank < NO_TIER,
        non_priority_share=share,
        case_by_case=regime.non_priority == "case_by_case",
    )


def located(plan: AtLargePlan, share: float) -> Located:
    """The week's :class:`Located` with the non-priority chances scaled by ``share``."""
    locate_p = np.where(plan.priority_p, plan.locate_p, plan.locate_p * share)
    locate_o = np.where(plan.priority_o, plan.locate_o, plan.locate_o * share)
    return Located(locate_p, draws.hazards(locate_p), locate_o, draws.hazards(locate_o))


THIN_MIN_SHARE = 0.25
"""A tier served at least this share of its expected arrests is drawn at its full chances and
thinned (see :func:`draw_by_tier`); below it, at its scaled chances. Thinning walks up to four
people found for each one kept here, about what the logarithm it saves for each group costs
when a few thousand groups are swept for a few hundred found (measured on the national
population)."""


@jit
def draw_by_tier(
    state: Stream,
    n: IntArray,
    locate: FloatArray,
    hazard: FloatArray,
    ranks: RankArray,
    by_rank: FloatArray,
    offset: int,
    where: IntArray,
    found: IntArray,
    m: int,
) -> int:
    """Binomial draws with each group's chance ``locate`` (hazard ``hazard``) scaled by its
    tier's share of the capacity (``by_rank[ranks]``), each positive count appended to
    ``found`` at ``m``, ``m + 1``, ... with its group plus ``offset`` in ``where``; returns the
    list's new length. (A list, not a table of every group's: the capacity's cut and the
    stocks read only the groups with someone found, 1,500-3,000 of 124,000 by area.)

    A tier served in part needs the hazard of each group's scaled chance, a logarithm for every
    group of the tier every week (most of this stage's time when the split of officers' hours
    made it run every week). Where the share is at least ``THIN_MIN_SHARE`` the groups are swept
    at their full chances instead (hazards made once per plan) and the few found thinned by the
    share, a binomial each: a thinned binomial is binomial, so the draws are as exact. Below
    that share thinning would walk too many people found only to drop them."""
    clock = exponential(state)  # one clock over the groups (draws.walk)
    for i in range(n.size):
        share = by_rank[ranks[i]]
        thin = share >= THIN_MIN_SHARE
        if thin:
            # the clock tested before the group's emptiness, as in draws.competing_into: an
            # empty group's (or a chance of 0's) share of the clock is zero, so the clock
            # runs on unchanged, as if the group were skipped, with no branch mispredicted on
            # the groups' emptiness (by area some 40% of them, in no order). An infinite
            # hazard (a chance of 1) makes an empty group's share NaN, which fails the test
            # and meets the old one. Not for a tier drawn at its scaled chances: there the
            # hazard is a logarithm, which the test of emptiness spares the empty groups.
            # (The stage on a week a year into the default run by area, least thread time of
            # 100, alternated with main, 2026-12-05: 0.747-0.755 -> 0.649-0.670 ms.)
            h = hazard[i]
            if clock >= n[i] * h:
                clock -= n[i] * h
                continue
            if n[i] == 0 or locate[i] <= 0.0:
                continue
            p = locate[i]
        else:
            # the tier's share tested first: it is the same for a run of groups (a tier left
            # unserved skips them all, predictably); the emptiness first was mispredicted in
            # about half of them. The same tests, in another order (the two sweeps alone on a
            # week a year into the default run by area, least thread time of 100, where three
            # of the five tiers went unserved: 0.313-0.319 -> 0.273-0.293 ms, 2026-12-05)
            if share <= 0.0 or n[i] == 0 or locate[i] <= 0.0:
                continue
            p = locate[i] * share
            h = -math.log1p(-p)
            if clock >= n[i] * h:
                clock -= n[i] * h
                continue
        k, clock = walk(state, n[i], p, h, clock)
        x = binomial(state, k, share) if thin and share < 1.0 else k
        if x > 0:
            where[m] = offset + i
            found[m] = x
            m += 1
    return m


@jit
def _capped(state: Stream, found: IntArray, limit: float) -> IntArray:
    """:func:`immsim.engine.draws.capped` of a table whose positive counts are ``found`` (in
    the table's order), for those counts: the same draws, without the table."""
    total = found.sum()
    # a limit past the counts cannot bind (clamped before the cast, undefined past int64)
    keep = max(0, math.floor(min(limit, total)))
    if keep == 0:
        return np.zeros_like(found)
    if total <= keep:
        return found.copy()
    return draws.choose(state, found, total, keep)


@jit
def _collateral(state: Stream, free: CountArray, met: FloatArray, n: int) -> CountArray:
    """``n`` bystanders met in the operations, taken out of ``free``: any of the at large who
    can be arrested (all of a group with ``met`` 1, its share rounded down with less, none with
    0), one arrest each (chosen as :func:`draws.capped` chooses; the pool is gathered in one
    pass, not copied and then searched)."""
    where = np.empty(free.size, dtype=np.int64)
    m = 0
    for i in range(free.size):
        # written whatever the test, kept by the count: a branch here, taken for about half
        # the groups and in no order by area, was mispredicted (this function on a week a year
        # into the default run by area: 0.20 -> 0.155 ms; the skip below 0.22 -> 0.20 ms)
        where[m] = i
        m += (free[i] > 0) & (met[i] > 0.0)
    out = np.zeros(free.size, dtype=COUNT)
    counts = np.empty(m, dtype=np.int64)
    for j in range(m):
        i = where[j]
        counts[j] = free[i] if met[i] >= 1.0 else int(free[i] * met[i])
    total = counts.sum()
    keep = min(n, total)
    if keep <= 0:
        return out
    taken = counts.copy() if keep == total else draws.choose(state, counts, total, keep)
    for j in range(m):
        if taken[j] > 0:  # a few hundred taken of some 30,000 groups in the pool by area
            out[where[j]] = taken[j]
            free[where[j]] -= taken[j]
    return out


@jit
def _served(
    stocks: CountArray, plan: AtLargePlan, located: Located, capacity: float
) -> tuple[FloatArray, float]:
    """Each tier's share of its expected arrests that the capacity serves, down the tiers,
    and the capacity left over."""
    needs_p = np.zeros(plan.n_ranks)
    needs_o = np.zeros(plan.n_ranks)
    size = stocks.shape[1]
    if capacity > 0.0 and size > 0:
        # each tier's sum kept in a register while the groups run on in that tier, written
        # back when the tier changes (by area one group in 170 starts another: groups alike
        # but for the area lie side by side), not added into the array at every group, where
        # each addition waited on the store of the last: the same products added in the same
        # order to each tier's sum. (_served alone on a week a year into the default run by
        # area, least thread time of 100: 0.150-0.156 -> 0.125-0.129 ms, 2026-12-05)
        rank_p = plan.rank_p[0]
        rank_o = plan.rank_o[0]
        sum_p = 0.0
        sum_o = 0.0
        for i in range(size):
            if plan.rank_p[i] != rank_p:
                needs_p[rank_p] = sum_p
                rank_p = plan.rank_p[i]
                sum_p = needs_p[rank_p]
            sum_p += stocks[FREE, i] * located.p[i]
            if plan.rank_o[i] != rank_o:
                needs_o[rank_o] = sum_o
                rank_o = plan.rank_o[i]
                sum_o = needs_o[rank_o]
            sum_o += stocks[ORDERED, i] * located.o[i]
        needs_p[rank_p] = sum_p
        needs_o[rank_o] = sum_o
    by_rank = np.zeros(plan.n_ranks)
    remaining = capacity
    for index in range(plan.n_ranks):
        need = needs_p[index] + needs_o[index]
        if need <= 0:
            continue
        f = min(1.0, remaining / need)
        by_rank[index] = f
        remaining -= f * need
        if remaining <= 0:
            break
    return by_rank, remaining


@jit
def run(
    state: Stream,
    stocks: CountArray,
    plan: AtLargePlan,
    located: Located,
    hours: float,
    out: FloatArray,
) -> tuple[CountArray, CountArray, CountArray, bool]:
    """The week's at-large and collateral arrests within ``hours`` of officers' time, taken out
    of their stocks: returns those arrested with no order (targeted, then collateral), those
    with one, and whether the hours ran out."""
    size = stocks.shape[1]
    capacity = hours / plan.hours_per_target if plan.on else 0.0
    by_rank, remaining = _served(stocks, plan, located, capacity)
    large_p = np.zeros(size, dtype=COUNT)
    large_o = np.zeros(size, dtype=COUNT)
    targeted = 0
    if capacity >= 1.0:  # below one arrest's hours none is drawn (all would be cut)
        # those found as a list of the groups with anyone found (the stocks with no order,
        # then with one, as a table of both rows laid end to end would give them), not that
        # table: zeroing it, the cut's passes over it and the stocks' subtraction of both rows
        # cost 0.3 ms of the stage's 1.1 ms a year into the default run by area (2026-12-05)
        where = np.empty(2 * size, dtype=np.int64)
        found = np.empty(2 * size, dtype=np.int64)
        m = draw_by_tier(
            state, stocks[FREE], located.p, located.hazard_p, plan.rank_p, by_rank, 0, where,
            found, 0,
        )  # fmt: skip
        m = draw_by_tier(
            state, stocks[ORDERED], located.o, located.hazard_o, plan.rank_o, by_rank, size,
            where, found, m,
        )  # fmt: skip
        drawn = _capped(state, found[:m], capacity)
        for k in range(m):
            x = drawn[k]
            targeted += x
            if where[k] < size:
                large_p[where[k]] = x
                stocks[FREE, where[k]] -= x
            else:
                large_o[where[k] - size] = x
                stocks[ORDERED, where[k] - size] -= x
    ran_out = remaining <= 1e-9 and capacity > 0
    n_collateral = 0
    collateral = np.zeros(size, dtype=COUNT)
    if plan.collateral_ratio > 0.0 and targeted > 0:
        h_coll = plan.hours_per_collateral
        room = (hours - targeted * plan.hours_per_arrest) / h_coll if h_coll > 0 else targeted
        # (room past the targeted cannot bind: clamped before the cast, which has no meaning
        # for a float beyond int64)
        room = min(room, float(targeted))
        n_coll = min(binomial(state, targeted, min(1.0, plan.collateral_ratio)), max(0, int(room)))
        collateral = _collateral(state, stocks[FREE], plan.met_p, n_coll)
        n_collateral = collateral.sum()
    out[Count.ARRESTS_AT_LARGE] = targeted
    out[Count.ARRESTS_COLLATERAL] = n_collateral
    out[Count.OFFICER_HOURS_USED] += targeted * plan.hours_per_arrest
    out[Count.OFFICER_HOURS_USED] += n_collateral * plan.hours_per_collateral
    return large_p, collateral, large_o, ran_out
