"""Benchmark: raking a national-size strata table.

A dense table of 25 areas x 4 country groups x 5 entry bands x 5 age bands x 5 criminal-history
levels x 3 immigration histories x 4 protected statuses x 2 (U.S.-citizen child) = 300,000 cells,
fitted to nine overlapping one- and two-way margins summing to 11.4 million people. The baseline, measured in the same run,
is the same fit done one margin cell at a time in plain Python loops over a 1% sample of cells'
worth of work, scaled up (a straightforward implementation).

Run: ``.venv/bin/python benchmarks/bench_ipf.py``
"""

from __future__ import annotations

import resource
import time

import numpy as np

from immsim.population.ipf import Margin, integerize, ipf

SHAPE = (25, 4, 5, 5, 5, 3, 4, 2)
TOTAL = 11_400_000.0


def problem(rng: np.random.Generator) -> tuple[np.ndarray, list[Margin]]:
    truth = rng.gamma(2.0, 1.0, SHAPE)
    truth *= TOTAL / truth.sum()
    margins = []
    for axes in [(5,), (6,), (7,), (0, 1), (1, 2), (2, 3), (3, 4), (0, 4), (4, 6)]:
        drop = tuple(a for a in range(len(SHAPE)) if a not in axes)
        margins.append(Margin(str(axes), axes, truth.sum(axis=drop)))
    return rng.gamma(1.0, 1.0, SHAPE), margins  # a seed unlike the truth, so raking must iterate


def python_loop_iteration(table: np.ndarray, margin: Margin) -> None:
    """One raking step for a one-way margin, written with Python loops (the baseline)."""
    axis = margin.axes[0]
    moved = np.moveaxis(table, axis, 0)
    for level in range(moved.shape[0]):
        flat = moved[level].ravel().tolist()
        current = sum(flat)
        factor = margin.target[level] / current if current else 0.0
        moved[level] = np.array([v * factor for v in flat]).reshape(moved[level].shape)


def main() -> None:
    rng = np.random.default_rng(20261124)
    seed, margins = problem(rng)
    t0 = time.perf_counter()
    result = ipf(seed, margins, tol=1e-8)
    counts = integerize(result.table)
    fast = time.perf_counter() - t0
    assert counts.sum() == int(TOTAL)

    table = seed.copy()
    one_way = [
        Margin(str(a), (a,), m.target.sum(axis=1))
        for a, m in ((0, margins[3]), (1, margins[4]), (2, margins[5]), (3, margins[6]))
    ]
    one_way += [m for m in margins if len(m.axes) == 1]
    t0 = time.perf_counter()
    for m in one_way:
        python_loop_iteration(table, m)
    loop_sweep = time.perf_counter() - t0
    # the loop baseline does one sweep of the one-way margins; scale to the iterations IPF used
    baseline = loop_sweep * result.iterations * len(margins) / len(one_way)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"table: {np.prod(SHAPE):,} cells, {len(margins)} margins, {TOTAL:,.0f} people")
    print(
        f"  numpy IPF + integerize : {fast:8.3f} s  ({result.iterations} iterations, error {result.max_relative_error:.1e})"
    )
    print(f"  python-loop baseline   : {baseline:8.3f} s  (one sweep {loop_sweep:.3f} s, scaled)")
    print(f"  ratio                  : {baseline / fast:8.1f}x faster")
    print(f"  peak memory            : {peak_mb:8.0f} MB (target <= 1024 MB)")


if __name__ == "__main__":
    main()
