"""Hard capacities within a week: arrest candidates of several channels cut to what officers'
hours allow, each channel keeping its share, so that random draws never overshoot a capacity."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from immsim.engine import draws
from immsim.engine.compiled import jit
from immsim.engine.draws import Stream, binomial, exponential, walk
from immsim.engine.stocks import CountArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@jit
def take(
    state: Stream,
    stocks: CountArray,
    drawn: IntArray,
    sources: IntArray,
    channels: IntArray,
    limit: float,
    out: FloatArray,
    taken: CountArray,
) -> tuple[bool, int]:
    """Arrest the candidates of several channels (rows of ``drawn``; row ``c`` drawn from stock
    ``sources[c]`` and counted in ``out[channels[c]]``) within one capacity of ``limit``
    arrests, taking them out of their stocks into ``taken``; returns whether the capacity cut
    any, and how many were taken (so that callers need not sum ``taken``, a pass over every
    stock and group). Someone drawn by two channels is arrested once."""
    rows = np.arange(drawn.shape[0])
    # writable copies of the (read-only) plan's few codes, as custody's own: one compile
    return take_rows(state, stocks, drawn, rows, sources.copy(), channels.copy(), limit, out, taken)


@jit
def take_rows(
    state: Stream,
    stocks: CountArray,
    drawn: IntArray,
    rows: IntArray,
    sources: IntArray,
    channels: IntArray,
    limit: float,
    out: FloatArray,
    taken: CountArray,
) -> tuple[bool, int]:
    """:func:`take` of the rows ``rows`` of ``drawn`` (in that order) only, the candidates as
    :func:`take` would find them in those rows stacked: read in place, since stacking them (a
    copy of each row) and then searching the copy twice for candidates cost more than the
    draws (measured with a stage-by-stage copy of the week, on a run by area)."""
    found, groups, of_row = listed(drawn, rows)
    return take_listed(state, stocks, found, groups, of_row, sources, channels, limit, out, taken)


@jit
def listed(drawn: IntArray, rows: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """The candidates in the rows ``rows`` of ``drawn``: each count, its group and its row, row
    by row in ``rows``' order and each row's groups ascending, the order that fixes
    :func:`take_listed`'s draws. Most groups have no candidate, so later passes read this list
    rather than the table (issue 22)."""
    size = drawn.shape[1]
    found = np.empty(rows.size * size, dtype=np.int64)
    groups = np.empty(rows.size * size, dtype=np.int64)
    of_row = np.empty(rows.size * size, dtype=np.int64)
    m = 0
    for j in range(rows.size):
        c = rows[j]
        for i in range(size):
            if drawn[c, i] > 0:
                found[m] = drawn[c, i]
                groups[m] = i
                of_row[m] = c
                m += 1
    return found[:m], groups[:m], of_row[:m]


@jit
def take_listed(
    state: Stream,
    stocks: CountArray,
    found: IntArray,
    groups: IntArray,
    of_row: IntArray,
    sources: IntArray,
    channels: IntArray,
    limit: float,
    out: FloatArray,
    taken: CountArray,
) -> tuple[bool, int]:
    """:func:`take_rows` of candidates already listed: ``found[k]`` people of group
    ``groups[k]`` in row ``of_row[k]`` (every count positive), in the order :func:`take_rows`
    finds them (row by row, each row's groups ascending), which fixes the draws. A stage that
    has its candidates as a list (custody) passes it here rather than a table of every group's
    candidates, which cost a zeroed table and a pass over it for each use (issue 22)."""
    counts = found.copy()
    total = counts.sum()
    # a limit past the candidates cannot bind (clamped before the cast, undefined past int64)
    keep = max(0, math.floor(min(limit, total)))
    cut: bool = total > keep
    if cut:  # exactly floor(limit) taken, fewer than wanted
        counts = draws.choose(state, counts, total, keep)
    n_taken = 0
    for k in range(found.size):
        i = groups[k]
        c = of_row[k]
        row = sources[c]
        part = min(counts[k], stocks[row, i])
        if part > 0:
            stocks[row, i] -= part
            taken[row, i] += part
            out[channels[c]] += part
            n_taken += part
    return cut, n_taken


@jit
def lists(rows: int, size: int) -> tuple[IntArray, IntArray, IntArray]:
    """Empty lists of candidates for ``rows`` rows of at most ``size`` groups each: a count and
    a group for each entry, by row (left unwritten: only the entries appended are read), and
    each row's length. A stage that draws its candidates into these (:func:`competing_listed`)
    has them as :func:`listed` would find them in a table of every group's candidates (an
    entry appended only for a positive count, each row's groups in ascending order), without
    the table: zeroing that table (7 rows of 62,000 groups by area) and searching it cost
    0.25-0.3 ms of the lead channels' 1.2-1.4 ms on a week a year into the default run by
    area (2026-12-05)."""
    counts = np.empty((rows, size), dtype=np.int64)
    groups = np.empty((rows, size), dtype=np.int64)
    return counts, groups, np.zeros(rows, dtype=np.int64)


@jit
def joined(
    counts: IntArray, groups: IntArray, length: IntArray, rows: int
) -> tuple[IntArray, IntArray, IntArray]:
    """The first ``rows`` rows of the :func:`lists` as one list, row by row, each count with
    its group and its row: what :func:`listed` gives for the table they stand for (each row's
    groups were appended in ascending order)."""
    m = 0
    for c in range(rows):
        m += length[c]
    found = np.empty(m, dtype=np.int64)
    group = np.empty(m, dtype=np.int64)
    of_row = np.empty(m, dtype=np.int64)
    m = 0
    for c in range(rows):
        for k in range(length[c]):
            found[m] = counts[c, k]
            group[m] = groups[c, k]
            of_row[m] = c
            m += 1
    return found, group, of_row


@jit
def table(found: IntArray, group: IntArray, of_row: IntArray, rows: int, size: int) -> IntArray:
    """The table of every group's candidates (``rows`` rows) that a list stands for."""
    drawn = np.zeros((rows, size), dtype=np.int64)
    for k in range(found.size):
        drawn[of_row[k], group[k]] = found[k]
    return drawn


@jit
def competing_listed(
    state: Stream,
    n: IntArray,
    total: FloatArray,
    hazard: FloatArray,
    shares: FloatArray,
    counts: IntArray,
    groups: IntArray,
    length: IntArray,
    first: int,
    at: IntArray | None = None,
    m: int = 0,
) -> None:
    """:func:`immsim.engine.draws.competing_into`'s draws, in the same order, appended to rows
    ``first``, ``first + 1``, ... of the :func:`lists` (one per event, the last whoever is left)
    rather than written into a table. The loop is that function's, repeated on purpose: a
    step of the sweep shared by the two, inlined, made the stages four to five times slower
    (see :func:`immsim.engine.draws.competing_sparse`). The appends are written out where they
    happen: an inlined helper taking the lists cost the jail chain's sweeps 0.06-0.09 ms and
    the prison releases, called for each felon's group, 0.6 ms a week by area (numba counts
    the references to the arrays it is passed at each call). As in that function since
    436001c, the clock is tested before the group's emptiness (an empty group's share of the
    clock is zero): here too it took the leads from 0.75-0.79 to 0.55-0.56 ms and custody from
    0.89-0.94 to 0.75-0.77 ms a week a year into the default run by area (2026-12-05).
    Given ``at`` (:func:`occupied`) and its length ``m``, only those groups are passed: the same
    draws, an empty group's share of the clock being zero."""
    events = shares.shape[0] + 1
    clock = exponential(state)
    for j in range(n.size if at is None else m):
        if at is None:  # noqa: SIM108 (numba prunes this statement for a None argument)
            i = j
        else:
            i = at[j]
        h = n[i] * hazard[i]
        if clock >= h:  # nobody in this group has any of the events (see draws' notes)
            clock -= h
            continue
        if n[i] == 0 or total[i] <= 0.0:
            continue
        left, clock = walk(state, n[i], total[i], hazard[i], clock)
        for e in range(events - 1):
            if left == 0:
                break
            got = binomial(state, left, shares[e, i])
            if got > 0:
                k = length[first + e]
                counts[first + e, k] = got
                groups[first + e, k] = i
                length[first + e] = k + 1
            left -= got
        if left > 0:
            k = length[first + events - 1]
            counts[first + events - 1, k] = left
            groups[first + events - 1, k] = i
            length[first + events - 1] = k + 1


@jit
def occupied(n: IntArray, at: IntArray) -> int:
    """Write the groups of ``n`` with anyone, ascending, into ``at`` (room for every group) and
    return how many: a sweep passed over them alone draws what it draws over every group (an
    empty group's share of the clock is zero, and it draws nothing)."""
    m = 0
    for i in range(n.size):  # every place written, the count moved past an occupied one
        at[m] = i
        m += n[i] > 0
    return m


@jit
def reachable(stock: IntArray, p: FloatArray) -> bool:
    """Whether anyone in ``stock`` has a chance ``p`` of an event (stops at the first)."""
    for i in range(stock.size):  # noqa: SIM110 (numba compiles no generator in any())
        if stock[i] > 0 and p[i] > 0.0:
            return True
    return False
