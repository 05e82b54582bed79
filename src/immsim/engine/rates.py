"""Yearly rates as weekly chances, and competing events as the draws take them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from immsim.dates import WEEKS_PER_YEAR
from immsim.engine import draws

FloatArray = NDArray[np.float64]


def weekly(rate_per_year: float | FloatArray) -> FloatArray:
    """A hazard per year as a probability per week (exact for a constant hazard)."""
    return -np.expm1(-np.asarray(rate_per_year, dtype=np.float64) / WEEKS_PER_YEAR)


class Competing(NamedTuple):
    """Competing events for each group, at most one each (see :func:`draws.competing_into`):
    the probability of any, its hazard, and each event's share of what is left after the ones
    before it (one row per event but the last; zero for an event that cannot happen)."""

    any: FloatArray
    hazard: FloatArray
    shares: FloatArray


def gathered(c: Competing, index: NDArray[np.int64] | None) -> Competing:
    """``c`` at ``index``: the draw plan of groups whose probabilities are those at ``index`` (a
    plan's competing events computed once a kind of groups and gathered at its groups,
    :class:`immsim.engine.inputs.Alike`: every value is elementwise, so the same bits); ``c``
    itself where ``index`` is None (already by group)."""
    if index is None:
        return c
    # the shares taken along their second axis into an array in row order (np.take's), as the
    # plan's freezing wants them (a fancy index over the second axis comes out in column order)
    return Competing(c.any[index], c.hazard[index], np.take(c.shares, index, axis=1))


def competing(probs: Sequence[FloatArray | float], size: int) -> Competing:
    """The draw plan of events with these per-group probabilities a week, in this order."""
    # the same sums, quotients and minima as a fresh array for each (until 2026-12-05), written
    # in place into the arrays returned: a plan's group-sized temporaries were fresh pages in a
    # run's first plans (see _competing_reference in tests/test_rates.py for the old form)
    shape = (size,)
    total_p = np.zeros(shape)
    for q in probs:  # added left to right from zero, as sum() did
        np.add(total_p, np.asarray(q, dtype=np.float64), out=total_p)
    shares = np.zeros((max(0, len(probs) - 1), *shape))
    left_p: FloatArray | None = None  # total_p until an event is taken from it
    for row, q in enumerate(probs[:-1]):
        if not np.any(q):
            continue
        left = total_p if left_p is None else left_p
        share = shares[row]  # zeros where nobody is left, as before
        np.divide(q, left, out=share, where=left > 0)
        np.minimum(share, 1.0, out=share)
        left_p = np.subtract(left, q, out=None if left_p is None else left_p)
    total = np.minimum(total_p, 1.0, out=total_p)
    return Competing(total, draws.hazards(total), shares)
