"""Iterative proportional fitting: consistent targets converge, inconsistent ones name the conflict."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from immsim.population.ipf import IPFError, Margin, integerize, ipf

shapes = st.lists(st.integers(2, 5), min_size=2, max_size=4).map(tuple)


@st.composite
def consistent_problem(draw):  # type: ignore[no-untyped-def]
    """Margins taken from a hidden positive table, so a solution is known to exist."""
    shape = draw(shapes)
    truth = draw(hnp.arrays(np.float64, shape, elements=st.floats(1.0, 1000.0)))
    seed = draw(hnp.arrays(np.float64, shape, elements=st.floats(0.1, 10.0)))
    ndim = len(shape)
    axes_sets = draw(
        st.lists(
            st.lists(st.integers(0, ndim - 1), min_size=1, max_size=2, unique=True).map(tuple),
            min_size=1,
            max_size=4,
        )
    )
    margins = []
    for k, axes in enumerate(axes_sets):
        drop = tuple(a for a in range(ndim) if a not in axes)
        target = truth.sum(axis=drop)
        if list(axes) != sorted(axes):
            target = target.T
        margins.append(Margin(f"m{k}", axes, target))
    return seed, margins


@settings(max_examples=150, deadline=None)
@given(consistent_problem())
def test_consistent_margins_converge(problem) -> None:  # type: ignore[no-untyped-def]
    seed, margins = problem
    result = ipf(seed, margins, tol=1e-9, max_iter=5000)
    for m in margins:
        drop = tuple(a for a in range(seed.ndim) if a not in m.axes)
        got = result.table.sum(axis=drop)
        if list(m.axes) != sorted(m.axes):
            got = got.T
        np.testing.assert_allclose(got, m.target, rtol=1e-6, atol=1e-6)
    assert np.all(result.table >= 0)


@settings(max_examples=100, deadline=None)
@given(
    hnp.arrays(
        np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=st.floats(0, 1e6)
    )
)
def test_integerize_keeps_total_and_rounds_each_cell(table) -> None:  # type: ignore[no-untyped-def]
    rounded = np.round(table, 0)  # a whole-number total, as IPF targets of people have
    counts = integerize(rounded + 0.0)
    assert counts.dtype == np.int64
    assert counts.sum() == round(rounded.sum())
    assert np.all(counts >= 0)
    assert np.all(np.abs(counts - rounded) < 1)

    # total 2: the largest remainder (0.8) rounds up, then the tie of 0.5s goes to the lower index
    assert integerize(np.array([0.2, 0.8, 0.5, 0.5])).tolist() == [0, 1, 1, 0]


def test_uniform_seed_with_two_one_way_margins_is_the_independence_table() -> None:
    rows, cols = np.array([30.0, 70.0]), np.array([20.0, 50.0, 30.0])
    result = ipf(np.ones((2, 3)), [Margin("rows", (0,), rows), Margin("cols", (1,), cols)])
    np.testing.assert_allclose(result.table, np.outer(rows, cols) / 100)


def test_totals_that_disagree_are_named() -> None:
    margins = [
        Margin("by state", (0,), np.array([10.0, 10.0])),
        Margin("by age", (1,), np.array([5.0, 5.0])),
    ]
    with pytest.raises(IPFError, match="'by state' and 'by age' disagree on the total: 20 vs 10"):
        ipf(np.ones((2, 2)), margins)


def test_overlapping_margins_that_disagree_name_the_level() -> None:
    a = Margin(
        "state x country",
        (0, 1),
        np.array([[5.0, 5.0], [5.0, 5.0]]),
        labels=(["TX", "CA"], ["MX", "other"]),
    )
    b = Margin(
        "state x age",
        (0, 2),
        np.array([[8.0, 4.0], [4.0, 4.0]]),
        labels=(["TX", "CA"], ["young", "old"]),
    )
    with pytest.raises(IPFError, match="disagree at TX: 10 vs 12"):
        ipf(np.ones((2, 2, 2)), [a, b])


def test_structural_zero_is_named() -> None:
    seed = np.array([[1.0, 0.0], [1.0, 0.0]])
    margin = Margin("cols", (1,), np.array([5.0, 5.0]), labels=(["a", "b"],))
    with pytest.raises(IPFError, match="asks for people at b"):
        ipf(seed, [margin])


@pytest.mark.parametrize(
    ("margin", "fragment"),
    [
        (Margin("neg", (0,), np.array([-1.0, 2.0])), "non-negative"),
        (Margin("shape", (0,), np.array([1.0, 2.0, 3.0])), "shape"),
        (Margin("axes", (5,), np.array([1.0, 2.0])), "bad axes"),
    ],
)
def test_malformed_margins(margin: Margin, fragment: str) -> None:
    with pytest.raises(IPFError, match=fragment):
        ipf(np.ones((2, 2)), [margin])
