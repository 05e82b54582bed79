"""Competing events' draw plans (engine/rates.py's ``competing``): the chance of any event, and
each event's share of what is left after the ones before it, checked by hand and against the
form the function had until 2026-12-05 (fresh arrays for every sum and quotient), which the
in-place form must equal bit for bit: the draws read these numbers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from immsim.engine import draws
from immsim.engine.rates import Competing, competing


def _competing_reference(probs: Sequence[np.ndarray | float], size: int) -> Competing:
    """The form before 2026-12-05, kept as the reference the in-place one must equal."""
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


def test_competing_by_hand() -> None:
    # three events at 0.1, 0.2 and 0.3 (group 0); none at all (group 1); chances adding to
    # more than one (group 2: 0.5 + 0.25 + 0.5)
    first = np.array([0.1, 0.0, 0.5])
    second = np.array([0.2, 0.0, 0.25])
    third = np.array([0.3, 0.0, 0.5])
    out = competing([first, second, third], 3)
    assert np.allclose(out.any, [0.6, 0.0, 1.0], rtol=0, atol=1e-15)
    # the first event's share of all: 0.1/0.6 and 0.5/1.25; the second's of what the first
    # leaves: 0.2/0.5 and 0.25/0.75; nothing where nobody is reached
    assert np.allclose(out.shares[0], [1 / 6, 0.0, 0.4], rtol=0, atol=1e-15)
    assert np.allclose(out.shares[1], [0.4, 0.0, 1 / 3], rtol=0, atol=1e-15)
    assert out.shares.shape == (2, 3)
    # the hazard of any: -log(1 - p), infinite at certainty
    assert np.isclose(out.hazard[0], -np.log(0.4), rtol=1e-15)
    assert out.hazard[1] == 0.0


def test_competing_passes_over_an_event_that_cannot_happen() -> None:
    out = competing([0.0, np.array([0.2, 0.4]), 0.1], 2)  # a scalar and a row of zeros
    assert (out.shares[0] == 0.0).all()
    assert np.allclose(out.shares[1], [0.2 / 0.3, 0.4 / 0.5], rtol=0, atol=1e-15)
    assert np.allclose(out.any, [0.3, 0.5], rtol=0, atol=1e-15)


def test_competing_is_the_reference_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    for case in range(200):
        size = int(rng.integers(1, 60))
        events = int(rng.integers(1, 5))
        probs: list[np.ndarray | float] = []
        for _ in range(events):
            kind = rng.integers(4)
            if kind == 0:
                probs.append(float(rng.random() * 0.3))  # a scalar
            elif kind == 1:
                probs.append(np.zeros(size))  # an event that cannot happen
            else:  # chances, some zero, some adding past one
                q = rng.random(size) * (0.2 if kind == 2 else 0.9)
                q[rng.random(size) < 0.3] = 0.0
                probs.append(q)
        before = [np.array(q, copy=True) for q in probs]
        got = competing(probs, size)
        # the inputs are left as they were (the new form writes into its own arrays only)
        assert all(np.array_equal(q, b) for q, b in zip(probs, before, strict=True)), case
        want = _competing_reference(probs, size)
        for a, b in zip(got, want, strict=True):
            assert a.shape == b.shape and a.dtype == b.dtype, case
            assert a.tobytes() == b.tobytes(), case
