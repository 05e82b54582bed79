"""The weekly stages' inner loops over engine groups, compiled with numba.

Each stage of a week (background flows, the jail chain, arrests taken within a capacity, the
processing path, court outcomes, travel documents) is a handful of binomial draws and array
arithmetic per group. Written as NumPy expressions they cost some 300 array operations a week,
each paying Python's and NumPy's fixed overhead on a few thousand elements; here each stage is one
loop over the groups. What a stage does, and every probability it uses, is decided in
:mod:`immsim.engine.pipeline` from the parameter tree; these loops only carry it out.

Stocks are the rows of one matrix (see ``STOCKS``), so a stage can move people between them in
place.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numpy.typing import NDArray

from immsim.engine.draws import Stream, binomial, exponential, walk
from immsim.engine.plan import JailChain

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

STOCKS = ("free", "ordered", "released", "held_court", "held_removal")
FREE, ORDERED, RELEASED, HELD_COURT, HELD_REMOVAL = range(len(STOCKS))

_jit = numba.njit(cache=True, nogil=True)


@_jit
def _background(state: Stream, stocks: IntArray, p_emig: float, p_grant: float) -> tuple[int, int]:
    emigrated = 0
    granted = 0
    for row in (FREE, RELEASED, ORDERED):
        # a final order bars a grant of status
        p_any = min(1.0, p_emig + (p_grant if row != ORDERED else 0.0))
        if p_any <= 0.0:
            continue
        emig_share = p_emig / p_any
        hazard = -math.log1p(-p_any) if p_any < 1.0 else math.inf
        clock = exponential(state)  # one clock over the groups (see draws.walk)
        left = 0
        for i in range(stocks.shape[1]):
            n = stocks[row, i]
            if n == 0:
                continue
            h = n * hazard
            if clock >= h:
                clock -= h
                continue
            anyone, clock = walk(state, n, p_any, hazard, clock)
            stocks[row, i] = n - anyone
            left += anyone
        # which of the leavers emigrated: one share for the whole stock, so one draw for it
        gone = binomial(state, left, emig_share)
        emigrated += gone
        granted += left - gone
    return emigrated, granted


def background(state: Stream, stocks: IntArray, p_emig: float, p_grant: float) -> tuple[int, int]:
    """Emigration and grants of status in the three stocks at large, in place; returns how many
    emigrated and how many were granted status (competing events: at most one each)."""
    emigrated, granted = _background(state, stocks, float(p_emig), float(p_grant))
    return int(emigrated), int(granted)


@_jit
def _jail(
    state: Stream,
    stock: IntArray,
    arrest: FloatArray,
    hazard: FloatArray,
    held_share: FloatArray,
    classes: IntArray,
    pooled: FloatArray,
    held_287g: IntArray,
    transferred: IntArray,
) -> IntArray:
    size = stock.size
    totals = np.zeros(4, dtype=np.int64)  # bookings, matches, detainers, notifications
    left = np.zeros(pooled.shape[0], dtype=np.int64)  # people not arrested, by class
    clock = exponential(state)  # one clock over the groups for the arrests (draws.walk)
    for i in range(size):
        n = stock[i]
        if n == 0:
            continue
        k = classes[i]
        arrested = 0
        if arrest[i] > 0.0:
            h = n * hazard[i]
            if clock >= h:
                clock -= h
            else:
                arrested, clock = walk(state, n, arrest[i], hazard[i], clock)
                held = binomial(state, arrested, held_share[i])
                held_287g[i] = held
                transferred[i] = arrested - held
                totals[0] += arrested  # each was booked and matched
                totals[1] += arrested
                if pooled[k, 3] == 2.0:
                    totals[2] += arrested
                elif pooled[k, 3] == 1.0:
                    totals[3] += arrested - held
        left[k] += n - arrested
    for k in range(pooled.shape[0]):
        booked = binomial(state, left[k], pooled[k, 0])
        matched = binomial(state, booked, pooled[k, 1])
        totals[0] += booked
        totals[1] += matched
        if pooled[k, 3] == 2.0:  # a detainer on everyone matched
            totals[2] += matched
        elif pooled[k, 3] == 1.0:  # a notification on those matched outside 287(g) jails
            totals[3] += matched - binomial(state, matched, pooled[k, 2])
    return totals


def jail(
    state: Stream, stock: IntArray, chain: JailChain
) -> tuple[IntArray, IntArray, dict[str, int]]:
    """One stock's week of the jail chain (:class:`~immsim.engine.plan.JailChain`). Returns the
    287(g) holds, the transfers on a detainer or notification, and the week's counts of
    bookings, matches, detainers and notifications; the stock is not changed (arrests are taken
    later, within officer capacity).

    Each person is booked, matched and held or transferred as in the chain; only the arrests
    are drawn per group, and the other bookings and matches pooled per class of groups with the
    same chances (exact: given who was arrested, the rest of a class are alike)."""
    held = np.zeros(stock.size, dtype=np.int64)
    transferred = np.zeros(stock.size, dtype=np.int64)
    totals = _jail(
        state,
        stock,
        chain.arrest,
        chain.hazard,
        chain.held_share,
        chain.classes,
        chain.pooled,
        held,
        transferred,
    )
    names = ("jail_bookings", "jail_matches", "detainers", "notifications")
    return held, transferred, dict(zip(names, (int(v) for v in totals), strict=True))


@_jit
def _binom_by_rank(
    state: Stream,
    n: IntArray,
    locate: FloatArray,
    hazard: FloatArray,
    ranks: IntArray,
    by_rank: FloatArray,
) -> IntArray:
    out = np.zeros(n.size, dtype=np.int64)
    clock = exponential(state)  # one clock over the groups (draws.walk)
    for i in range(n.size):
        share = by_rank[ranks[i]]
        if n[i] == 0 or share <= 0.0 or locate[i] <= 0.0:
            continue
        p = locate[i] * share
        h = hazard[i] if share >= 1.0 else -math.log1p(-p)  # only a partly served tier
        if clock >= n[i] * h:
            clock -= n[i] * h
            continue
        out[i], clock = walk(state, n[i], p, h, clock)
    return out


def binom_by_rank(
    state: Stream,
    n: IntArray,
    locate: FloatArray,
    hazard: FloatArray,
    ranks: IntArray,
    by_rank: FloatArray,
) -> IntArray:
    """Binomial draws with each group's probability ``locate`` (hazard ``hazard``) scaled by
    its tier's share of the capacity (``by_rank[ranks]``)."""
    out: IntArray = _binom_by_rank(state, n, locate, hazard, ranks, by_rank)
    return out


@_jit
def _move(
    state: Stream, stocks: IntArray, source: int, target: int, mask: BoolArray, p: float
) -> int:
    moved = 0
    if p <= 0.0:
        return moved
    hazard = -math.log1p(-p) if p < 1.0 else math.inf
    clock = exponential(state)  # one clock over the groups in the mask (draws.walk)
    for i in range(stocks.shape[1]):
        n = stocks[source, i]
        if not mask[i] or n == 0:
            continue
        h = n * hazard
        if clock >= h:
            clock -= h
            continue
        x, clock = walk(state, n, p, hazard, clock)
        stocks[source, i] -= x
        stocks[target, i] += x
        moved += x
    return moved


def move(
    state: Stream,
    stocks: IntArray,
    source: int,
    target: int,
    mask: BoolArray,
    p: float,
) -> int:
    """Move each person of stock ``source`` in the groups of ``mask`` to stock ``target`` with
    probability ``p``, in place; returns how many moved."""
    return int(_move(state, stocks, source, target, mask, float(p)))


@_jit
def _processing(
    state: Stream,
    from_free: IntArray,
    from_ordered: IntArray,
    from_released: IntArray,
    prior_removal: BoolArray,
    expedited: BoolArray,
    aggravated: BoolArray,
    return_eligible: BoolArray,
    p_return: float,
) -> tuple[IntArray, IntArray, IntArray]:
    size = from_free.size
    to_removal = from_ordered.copy()
    to_court = from_released.copy()
    totals = np.zeros(5, dtype=np.int64)  # reinstatements, expedited, admin., returns, NTAs
    for i in range(size):
        n = from_free[i]
        if n == 0:
            continue
        if prior_removal[i]:
            to_removal[i] += n
            totals[0] += n
        elif expedited[i]:
            to_removal[i] += n
            totals[1] += n
        elif aggravated[i]:  # INA 238(b): an administrative order, without a judge
            to_removal[i] += n
            totals[2] += n
        else:
            vr = binomial(state, n, p_return) if return_eligible[i] else 0
            totals[3] += vr
            totals[4] += n - vr
            to_court[i] += n - vr
    return to_removal, to_court, totals


def processing(
    state: Stream,
    from_free: IntArray,
    from_ordered: IntArray,
    from_released: IntArray,
    prior_removal: BoolArray,
    expedited: BoolArray,
    aggravated: BoolArray,
    return_eligible: BoolArray,
    p_return: float,
) -> tuple[IntArray, IntArray, dict[str, int]]:
    """The path after arrest: reinstatement of a prior order, expedited removal, an
    administrative order, voluntary return, or a notice to appear. People arrested with an order
    go to removal, people arrested with a case pending go back to court. Returns who goes to
    removal and who to court, with the week's counts."""
    to_removal, to_court, totals = _processing(
        state,
        from_free,
        from_ordered,
        from_released,
        prior_removal,
        expedited,
        aggravated,
        return_eligible,
        float(p_return),
    )
    names = (
        "reinstatements",
        "expedited_removals",
        "administrative_orders",
        "voluntary_returns",
        "notices_to_appear",
    )
    return to_removal, to_court, dict(zip(names, (int(v) for v in totals), strict=True))


@_jit
def _court(
    state: Stream,
    stocks: IntArray,
    done_detained: IntArray,
    done_released: IntArray,
    relief: FloatArray,
    p_absentia: float,
) -> IntArray:
    totals = np.zeros(3, dtype=np.int64)  # relief, in absentia, orders
    for i in range(stocks.shape[1]):
        d = done_detained[i]
        r = done_released[i]
        if d > 0:
            stocks[HELD_COURT, i] -= d
            granted = binomial(state, d, relief[i])
            stocks[HELD_REMOVAL, i] += d - granted  # ordered removed in custody: stays held
            totals[0] += granted
            totals[2] += d - granted
        if r > 0:
            stocks[RELEASED, i] -= r
            absentia = binomial(state, r, p_absentia)
            granted = binomial(state, r - absentia, relief[i])
            stocks[ORDERED, i] += r - granted
            totals[0] += granted
            totals[1] += absentia
            totals[2] += r - granted
    return totals


def court(
    state: Stream,
    stocks: IntArray,
    done_detained: IntArray,
    done_released: IntArray,
    relief: FloatArray,
    p_absentia: float,
) -> dict[str, int]:
    """Court completions decided, in place: relief (the case ends, the person stays) or a
    removal order, for detained cases held on for removal and for released ones ordered at
    large; released cases may be ordered in absentia."""
    totals = _court(state, stocks, done_detained, done_released, relief, float(p_absentia))
    names = ("relief_granted", "orders_in_absentia", "orders")
    return dict(zip(names, (int(v) for v in totals), strict=True))


@_jit
def _tally(cells: IntArray, counts: IntArray, columns: int) -> FloatArray:
    sums = np.zeros((counts.shape[0], columns))
    for row in range(counts.shape[0]):
        for i in range(counts.shape[1]):
            if counts[row, i] > 0:
                for attribute in range(cells.shape[0]):
                    sums[row, cells[attribute, i]] += counts[row, i]
    return sums


@_jit
def _admit(requests: IntArray, order: IntArray, space: int) -> IntArray:
    admitted = np.zeros(requests.size, dtype=np.int64)
    left = space
    for j in range(order.size):
        if left <= 0:
            break
        i = order[j]
        x = min(requests[i], left)
        admitted[i] = x
        left -= x
    return admitted


def admit_in_order(requests: IntArray, order: IntArray, space: int) -> IntArray:
    """Admit requests in the given group order until ``space`` runs out (partial last group)."""
    if space <= 0:
        return np.zeros_like(requests)
    out: IntArray = _admit(np.ascontiguousarray(requests, dtype=np.int64), order, int(space))
    return out
