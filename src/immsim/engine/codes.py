"""Distinct values of small integer codes and orderings by them, in time linear in the groups.

A week's plan labels the groups by class, tier and area (the jail chain's classes, the tiers'
ranks, the detention queues' order) with NumPy's ``unique`` and ``lexsort``, which sort. With
areas the plans cover some 63,000 groups, and those sorts were a third of a plan's time (six
sorts a plan, eleven plans a ten-year run: measured with cProfile on the default scenario by
area). The codes are small non-negative integers, so a count of each code gives the same
results without a comparison sort: the distinct codes in ascending order, each group's place
among them, and the first group holding each; and a stable argsort of a small composite code
(which NumPy makes by radix sort) gives the order ``lexsort`` gives, ties in group order.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]

DENSE_FACTOR = 16
"""Codes are counted in a table when their range is at most this many times their number (the
jail chain's class codes reach some ten times the groups by area; a table of them costs less
than the sort); beyond it NumPy's sort is used."""


def _dense(codes: NDArray[np.integer]) -> bool:
    return codes.size > 0 and int(codes.min()) >= 0 and int(codes.max()) < DENSE_FACTOR * codes.size


def distinct(codes: NDArray[np.integer]) -> tuple[IntArray, IntArray]:
    """``np.unique(codes, return_inverse=True)`` of a flat integer array: the distinct codes in
    ascending order, and each element's index among them."""
    flat = codes.reshape(-1)
    if not _dense(flat):
        values, inverse = np.unique(flat, return_inverse=True)
        return values.astype(np.int64), inverse.reshape(-1).astype(np.int64)
    counts = np.bincount(flat)
    values = np.flatnonzero(counts)
    # each code's place written at the codes present only, not a running count over the whole
    # range (the jail chain's class codes reach five times the groups): the 36 calls of a
    # ten-year run by area 44-50 -> 19-20 ms (their inputs saved from a run, least of 5)
    place = np.empty(counts.size, dtype=np.int64)
    place[values] = np.arange(values.size, dtype=np.int64)
    return values.astype(np.int64, copy=False), place[flat]


def distinct_first(codes: NDArray[np.integer]) -> tuple[IntArray, IntArray, IntArray]:
    """``np.unique(codes, return_index=True, return_inverse=True)`` of a flat integer array:
    the distinct codes in ascending order, the first element holding each, and each element's
    index among them."""
    values, inverse = distinct(codes)
    first = np.full(values.size, inverse.size, dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(inverse.size, dtype=np.int64))
    return values, first, inverse


def stable_order(*keys: NDArray[np.integer] | NDArray[np.bool_]) -> IntArray:
    """``np.lexsort(keys)`` for non-negative integer (or boolean) keys of small range, the last
    key primary: the elements in ascending order of the keys, ties in their own order."""
    highs = []
    for key in keys:
        if key.size and int(key.min()) < 0:
            raise ValueError("stable_order takes non-negative keys")
        highs.append(int(key.max(initial=0)))
    scale = 1
    for high in highs:
        scale *= high + 1
    # below 2**16 the stable sort is a radix sort (NumPy's for 16-bit integers), and the
    # composite is made in 16 bits from the first (no key copied to 64 bits, no 64-bit
    # composite narrowed after): detention's two orders a plan, the 24 calls of a ten-year run
    # by area 23-24 -> 16 ms (their inputs saved from a run, least thread time of 5; the same
    # orders). A key's part is below the composite's range, so nothing wraps
    wide = np.dtype(np.uint16) if scale <= 2**16 else np.dtype(np.int64)
    composite: NDArray[np.integer] = np.zeros(keys[0].size, dtype=wide)
    step = 1
    for key, high in zip(keys, highs, strict=True):
        if high > 0:  # a key of zeros adds nothing (and its step may not fit in 16 bits)
            np.add(composite, np.multiply(key, step, dtype=wide, casting="unsafe"), out=composite)
        step *= high + 1
    order: IntArray = np.argsort(composite, kind="stable").astype(np.int64, copy=False)
    return order
