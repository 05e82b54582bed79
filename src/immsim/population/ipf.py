"""Iterative proportional fitting (raking) of a dense contingency table to marginal targets.

The population is a table of strata whose joint distribution no source states; what sources
state are marginals (by state, by country group, by years in the U.S. ...) and a few
cross-tabulations. IPF finds the table closest to a seed (in the Kullback–Leibler sense) that
matches every target. We check targets for consistency *before* fitting, because raking
inconsistent margins oscillates forever and the useful message is which two targets disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from immsim.errors import ImmsimError

FloatArray = NDArray[np.float64]


class IPFError(ImmsimError):
    """Targets that no table can meet, or a fit that did not converge."""


@dataclass(frozen=True)
class Margin:
    """A target for the sums of the table over every axis not in ``axes``."""

    name: str
    axes: tuple[int, ...]
    target: FloatArray
    labels: tuple[Sequence[str], ...] = field(default=())

    def cell_label(self, index: tuple[int, ...]) -> str:
        if not self.labels:
            return str(index)
        return ", ".join(str(self.labels[k][i]) for k, i in enumerate(index))


@dataclass(frozen=True)
class IPFResult:
    table: FloatArray
    iterations: int
    max_relative_error: float


def _marginal(table: FloatArray, axes: tuple[int, ...]) -> FloatArray:
    drop = tuple(a for a in range(table.ndim) if a not in axes)
    summed = table.sum(axis=drop) if drop else table
    # np.sum keeps remaining axes in increasing order; reorder to the margin's axis order
    order = sorted(axes)
    return np.transpose(summed, [order.index(a) for a in axes]) if list(axes) != order else summed


def check_margins(shape: tuple[int, ...], margins: Sequence[Margin], rtol: float = 1e-6) -> None:
    """Raise :class:`IPFError` naming the conflict if the targets cannot all hold at once."""
    if not margins:
        raise IPFError("no margins to fit")
    for m in margins:
        if len(set(m.axes)) != len(m.axes) or any(not 0 <= a < len(shape) for a in m.axes):
            raise IPFError(
                f"margin {m.name!r}: bad axes {m.axes} for a table of {len(shape)} dimensions"
            )
        expected = tuple(shape[a] for a in m.axes)
        if m.target.shape != expected:
            raise IPFError(
                f"margin {m.name!r}: target has shape {m.target.shape}, expected {expected}"
            )
        if not np.all(np.isfinite(m.target)) or np.any(m.target < 0):
            raise IPFError(f"margin {m.name!r}: targets must be finite and non-negative")
    total = float(margins[0].target.sum())
    for m in margins[1:]:
        other = float(m.target.sum())
        if not np.isclose(other, total, rtol=rtol, atol=0.5):
            raise IPFError(
                f"margins {margins[0].name!r} and {m.name!r} disagree on the total: "
                f"{total:,.0f} vs {other:,.0f}"
            )
    for i, a in enumerate(margins):
        for b in margins[i + 1 :]:
            shared = tuple(ax for ax in a.axes if ax in b.axes)
            if not shared:
                continue
            sa = _sub_margin(a, shared)
            sb = _sub_margin(b, shared)
            bad = ~np.isclose(sa, sb, rtol=rtol, atol=0.5)
            if bad.any():
                idx = tuple(int(x) for x in np.argwhere(bad)[0])
                labels = a.labels and tuple(a.labels[a.axes.index(ax)] for ax in shared)
                where = (
                    ", ".join(str(labels[k][j]) for k, j in enumerate(idx)) if labels else str(idx)
                )
                raise IPFError(
                    f"margins {a.name!r} and {b.name!r} disagree at {where}: "
                    f"{float(sa[idx]):,.0f} vs {float(sb[idx]):,.0f}"
                )


def _sub_margin(m: Margin, shared: tuple[int, ...]) -> FloatArray:
    """The margin's target summed down to the table axes in ``shared`` (in that order)."""
    return _marginal(m.target, tuple(m.axes.index(ax) for ax in shared))


def ipf(
    seed: FloatArray,
    margins: Sequence[Margin],
    *,
    tol: float = 1e-8,
    max_iter: int = 500,
) -> IPFResult:
    """Rake ``seed`` until every margin is met to relative error ``tol``."""
    check_margins(seed.shape, margins)
    if np.any(seed < 0) or not np.all(np.isfinite(seed)):
        raise IPFError("the seed table must be finite and non-negative")
    table = np.array(seed, dtype=np.float64, copy=True)
    for m in margins:
        support = _marginal((table > 0).astype(np.float64), m.axes)
        impossible = (support == 0) & (m.target > 0)
        if impossible.any():
            idx = tuple(int(x) for x in np.argwhere(impossible)[0])
            raise IPFError(
                f"margin {m.name!r} asks for people at {m.cell_label(idx)}, "
                "but the seed allows none there (structural zero)"
            )
    scale = max(float(margins[0].target.sum()), 1.0)
    error = np.inf
    for iteration in range(1, max_iter + 1):
        for m in margins:
            current = _marginal(table, m.axes)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(current > 0, m.target / current, 0.0)
            shape = [1] * table.ndim
            order = sorted(m.axes)
            aligned = np.transpose(factor, [m.axes.index(a) for a in order])
            for a in order:
                shape[a] = table.shape[a]
            table *= aligned.reshape(shape)
        error = (
            max(float(np.abs(_marginal(table, m.axes) - m.target).max()) for m in margins) / scale
        )
        if error <= tol:
            return IPFResult(table, iteration, error)
    raise IPFError(
        f"IPF did not converge in {max_iter} iterations (largest error {error:.2e} of the total)"
    )


def integerize(table: FloatArray) -> NDArray[np.int64]:
    """Whole people: floor every cell, then give the remaining people to the largest remainders.

    Deterministic (ties go to the lower flat index) and exact on the total.
    """
    flat = table.ravel()
    floors = np.floor(flat)
    remainders = flat - floors
    missing = round(float(flat.sum()) - float(floors.sum()))
    counts = floors.astype(np.int64)
    if missing > 0:
        order = np.argsort(-remainders, kind="stable")[:missing]
        counts[order] += 1
    return counts.reshape(table.shape)
