"""Exact binomial draws over engine groups, compiled with numba.

A run makes some twenty million binomial draws (one per group, stock and event, every week), and
in most of them the expected count is far below one. NumPy's sampler pays a logarithm and an
exponential for each of them, and the Python around it pays for finding the non-empty groups
and scattering the results back. Here one compiled loop does both, and decides most zeros with
one uniform and one comparison: ``(1 - p)^n >= 1 - n p`` (Bernoulli's inequality), so a uniform
below ``1 - n p`` is below the probability of no event, the same decision the inversion would
reach. The rest is the inversion itself (what NumPy uses for a mean up to 30), and NumPy's own
BTPE sampler (``Generator.binomial``, which numba runs on the same bit generator) above that.

The draws come from the run's ``numpy.random.Generator``: numba advances the same bit generator
that the run's NumPy calls use, so a seed still fixes every number a run draws, whatever the
number of workers.
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

INVERSION_MAX_MEAN = 30.0
"""Above this mean the inversion's loop gets long and BTPE takes over (NumPy's own switch)."""

_jit = numba.njit(cache=True, nogil=True)


@_jit
def _inversion(gen: Any, n: int, p: float) -> int:
    """Binomial(n, p) for 0 < p <= 1/2 and a mean up to ``INVERSION_MAX_MEAN``."""
    mean = n * p
    while True:
        u = gen.random()
        if u < 1.0 - mean:  # below 1 - np <= (1 - p)^n: no event
            return 0
        f = math.exp(n * math.log1p(-p))
        if u < f:
            return 0
        bound = min(n, int(mean + 10.0 * math.sqrt(mean * (1.0 - p) + 1.0)))
        ratio = p / (1.0 - p)
        k = 0
        u -= f
        while k < bound:
            f *= ratio * (n - k) / (k + 1)
            k += 1
            if u < f:
                return k
            u -= f
        # rounding carried u past a bound that holds all but ~1e-20 of the mass: draw again


@_jit
def binomial(gen: Any, n: int, p: float) -> int:
    """One Binomial(n, p) draw; n <= 0 or p <= 0 give 0 and consume no random number."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if n * min(p, 1.0 - p) > INVERSION_MAX_MEAN:
        return int(gen.binomial(n, p))
    if p > 0.5:
        return n - int(_inversion(gen, n, 1.0 - p))
    return int(_inversion(gen, n, p))


@_jit
def _binom_each(gen: Any, n: IntArray, p: FloatArray) -> IntArray:
    out = np.zeros(n.size, dtype=np.int64)
    for i in range(n.size):
        if n[i] > 0:
            out[i] = binomial(gen, n[i], p[i])
    return out


@_jit
def _binom_all(gen: Any, n: IntArray, p: float) -> IntArray:
    out = np.zeros(n.size, dtype=np.int64)
    if p <= 0.0:
        return out
    for i in range(n.size):
        if n[i] > 0:
            out[i] = binomial(gen, n[i], p)
    return out


@_jit
def _competing_each(gen: Any, n: IntArray, total: FloatArray, shares: FloatArray) -> IntArray:
    events = shares.shape[0] + 1
    out = np.zeros((events, n.size), dtype=np.int64)
    for i in range(n.size):
        if n[i] == 0:
            continue
        left = binomial(gen, n[i], total[i])
        for e in range(events - 1):
            if left == 0:
                break
            got = binomial(gen, left, shares[e, i])
            out[e, i] = got
            left -= got
        out[events - 1, i] = left
    return out


def binom(rng: np.random.Generator, n: IntArray, p: FloatArray | float) -> IntArray:
    """Binomial draws, one per group: ``n`` people, each with probability ``p`` (per group or
    one for all). Probabilities outside [0, 1] are read as the nearer end."""
    counts = np.ascontiguousarray(n, dtype=np.int64)
    if isinstance(p, np.ndarray) and p.ndim:
        result: IntArray = _binom_each(rng, counts, np.ascontiguousarray(p, dtype=np.float64))
    else:
        result = _binom_all(rng, counts, float(p))
    return result


def competing(
    rng: np.random.Generator, n: IntArray, total: FloatArray, shares: FloatArray
) -> IntArray:
    """Competing events among ``n`` people in each group, at most one each: a multinomial draw
    per group, made as one binomial for anyone having an event (probability ``total``) and then
    each event's share of those left (row ``e`` of ``shares``). Returns one row per event, the
    last being whoever is left after the shared ones."""
    out: IntArray = _competing_each(
        rng,
        np.ascontiguousarray(n, dtype=np.int64),
        np.ascontiguousarray(total, dtype=np.float64),
        np.ascontiguousarray(shares, dtype=np.float64).reshape(-1, n.size),
    )
    return out
