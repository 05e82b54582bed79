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

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

STOCKS = ("free", "ordered", "released", "held_court", "held_removal")
FREE, ORDERED, RELEASED, HELD_COURT, HELD_REMOVAL = range(len(STOCKS))


@jit
def move(
    state: Stream, stocks: IntArray, source: int, target: int, mask: BoolArray, p: float
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
