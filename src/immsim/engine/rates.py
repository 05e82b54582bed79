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


def competing(probs: Sequence[FloatArray | float], size: int) -> Competing:
    """The draw plan of events with these per-group probabilities a week, in this order."""
    shape = (size,)
    total_p = sum((np.asarray(q, dtype=np.float64) for q in probs), np.zeros(shape))
    shares = np.zeros((max(0, len(probs) - 1), *shape))
    left_p = total_p
    for row, q in enumerate(probs[:-1]):
        if not np.any(q):
            continue
        shares[row] = np.minimum(np.divide(q, left_p, out=np.zeros(shape), where=left_p > 0), 1.0)
        left_p = left_p - q
    total = np.minimum(total_p, 1.0)
    return Competing(total, draws.hazards(total), shares)
