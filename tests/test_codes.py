"""The plans' codes made without a sort are NumPy's made with one (engine/codes.py): the same
distinct values, first places, places among them and orders, in the shapes the plans give them
(small codes with gaps, a code range past the table's limit, ties that only group order breaks).
A difference would relabel the jail chain's classes or reorder the detention queues, and so
change every run's draws."""

from __future__ import annotations

import numpy as np
import pytest

from immsim.engine.codes import DENSE_FACTOR, distinct, distinct_first, stable_order


def _cases() -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    gaps = rng.choice(np.array([0, 3, 4, 99], dtype=np.int16), size=5_000)
    wide = rng.integers(0, 600_000, size=60_000)  # the jail classes' range by area
    past = rng.integers(0, DENSE_FACTOR * 50 + 10_000, size=50)  # beyond the table: sorted
    return [gaps, wide, past, np.array([5], dtype=np.int64)]


@pytest.mark.parametrize("codes", _cases(), ids=["gaps", "wide", "past-table", "one"])
def test_distinct_is_numpys_unique(codes: np.ndarray) -> None:
    values, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    got_values, got_first, got_inverse = distinct_first(codes)
    assert np.array_equal(got_values, values)
    assert np.array_equal(got_first, first)
    assert np.array_equal(got_inverse, inverse.reshape(-1))
    assert got_inverse.dtype == np.int64
    only_values, only_inverse = distinct(codes)
    assert np.array_equal(only_values, values)
    assert np.array_equal(only_inverse, inverse.reshape(-1))


def test_stable_order_is_lexsort() -> None:
    rng = np.random.default_rng(11)
    rank = rng.choice(np.array([1, 2, 3, 99], dtype=np.int16), size=20_000)
    mandatory = rng.random(20_000) < 0.3
    quick = rng.random(20_000) < 0.1
    assert np.array_equal(
        stable_order(rank, mandatory, quick), np.lexsort((rank, mandatory, quick))
    )
    # many ties: what lexsort leaves in group order must stay in it
    assert np.array_equal(
        stable_order(99 - rank.astype(np.int64), mandatory), np.lexsort((-rank, mandatory))
    )


def test_stable_order_refuses_negative_keys() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        stable_order(np.array([1, -1, 0]))


def test_stable_order_at_the_edges_of_sixteen_bits() -> None:
    # two keys of 256 levels fill 16 bits exactly (composite up to 65,535), and a key of zeros
    # after them would step by 65,536, past 16 bits: it adds nothing and must not wrap; one
    # more level and the composite is made in 64 bits
    rng = np.random.default_rng(13)
    low = rng.integers(0, 256, size=30_000)
    low[0] = 255
    high = rng.integers(0, 256, size=30_000).astype(np.int16)
    high[1] = 255
    zeros = np.zeros(30_000, dtype=np.bool_)
    assert np.array_equal(stable_order(low, high, zeros), np.lexsort((low, high, zeros)))
    wider = low.copy()
    wider[2] = 256
    assert np.array_equal(stable_order(wider, high), np.lexsort((wider, high)))
