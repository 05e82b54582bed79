"""The engine's stocks: where each person in a group is at the end of a week.

They are the rows of one count matrix (stock × group), so a stage can move people between them
in place: ``free`` at large with no order · ``ordered`` at large with an unexecuted final order ·
``released`` released with a case pending in court · ``held_court`` detained awaiting court ·
``held_removal`` detained awaiting removal.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from immsim.engine.compiled import jit
from immsim.engine.draws import Stream, exponential, walk
from immsim.errors import RunTooLargeError

IntArray = NDArray[np.int64]
CountArray = NDArray[np.int32]  # counts by group as the week keeps them (:data:`COUNT`)
BoolArray = NDArray[np.bool_]

STOCKS = ("free", "ordered", "released", "held_court", "held_removal")
FREE, ORDERED, RELEASED, HELD_COURT, HELD_REMOVAL = range(len(STOCKS))

COUNT = np.int32
"""The type of the counts the week keeps by group: the stocks' matrix and the cohorts by weeks
held (``removal.cohorts``). 32 bits, not 64: by area the stocks are 5 rows of some 60,000-99,000
groups (2.5-4 MB as int64, against 2 MB of level-2 cache a core) and the cohorts some 14 MB, and
every stage sweeps the stocks every week; as int32 they are half that to read. The compiled
week a year into the default run by area (``benchmarks/week_least.py --areas --rounds 3``,
alternated with 9f75c8e, 2026-12-05, load 2-4): 5.17-5.30 -> 4.86-5.14 ms; the stages one by one
(``profile_week.py --areas``) 5.91 -> 5.21 ms, every stage cheaper (docs/calibration.md, branch
``spdM``). Only the stores are narrow: a count read from them widens to int64 in any arithmetic
(numba's integers), a draw's ``n * hazard`` reads it as the same float64 (int32 -> float64 is
exact), and every sum, total and table the run keeps is int64 or float64 as before. A group's count is at most the people in
the run: the population (some 11-14 million by the tree's ``population.unauthorized_total_*``
estimates) and ten years of arrivals (``flows.arrivals``: 120,000-485,000 a year, some 2,000-
10,000 a week, and those arriving with a court case), far below 2**31 - 1 = 2,147,483,647:
:func:`count_type` and :func:`check_total` guard that."""

COUNT_LIMIT = 2**30
"""The most people a run may hold, so that no group's 32-bit count can overflow: half of int32's
range, which leaves a week's growth (its arrivals, at most some 10,000 by the tree) room without
a test in the compiled week's loops. A nation's population is some eighty times below it."""


def count_type(total: int) -> type[np.int32]:
    """The type of the stocks for a run of ``total`` people (:data:`COUNT`), once a run's counts
    are known to fit it: no group holds more than everyone, and everyone is below
    :data:`COUNT_LIMIT` (a clear error rather than counts wrapping around silently)."""
    check_total(total)
    return COUNT


def check_total(total: int) -> None:
    """Raise if ``total`` people (a run's, start or any week's end) reach :data:`COUNT_LIMIT`:
    the 32-bit stocks (:data:`COUNT`) could overflow in the next week's moves."""
    if not 0 <= total < COUNT_LIMIT:
        raise RunTooLargeError(
            f"a run of {total:,} people: the engine keeps counts by group as 32-bit integers "
            f"(immsim.engine.stocks.COUNT) and holds at most {COUNT_LIMIT:,} people"
        )


@jit
def move(
    state: Stream, stocks: CountArray, source: int, target: int, mask: BoolArray, p: float
) -> int:
    """Move each person of stock ``source`` in the groups of ``mask`` to stock ``target`` with
    probability ``p``, in place; returns how many moved."""
    moved = 0
    if p <= 0.0:
        return moved
    hazard = -math.log1p(-p) if p < 1.0 else math.inf
    clock = exponential(state)  # one clock over the groups in the mask (draws.walk)
    for i in range(stocks.shape[1]):
        n = stocks[source, i]
        h = n * hazard if mask[i] else 0.0
        if clock >= h:  # emptiness tested after (see draws' notes)
            clock -= h
            continue
        if not mask[i] or n == 0:
            continue
        x, clock = walk(state, n, p, hazard, clock)
        stocks[source, i] -= x
        stocks[target, i] += x
        moved += x
    return moved
