"""Benchmark: weekly parameter look-ups for a 20-year run.

The engine asks for every parameter every week. We time ``ParameterTree.snapshot`` (bisect, cached
per date) against a baseline measured in the same run: a straightforward linear scan over each
leaf's dated values, as a first implementation would do. Prints both and the ratio.

Run: ``.venv/bin/python benchmarks/bench_parameters.py``
"""

from __future__ import annotations

import datetime as dt
import time

from immsim.parameters import load_baseline
from immsim.parameters.loader import ParameterTree, load_tree_from


def weeks(start: dt.date, years: int) -> list[dt.date]:
    return [start + dt.timedelta(weeks=w) for w in range(52 * years)]


def naive_snapshot(tree: ParameterTree, day: dt.date) -> dict[str, object]:
    out: dict[str, object] = {}
    for leaf in tree.leaves():
        current = None
        for value in leaf.values:
            if value.start <= day:
                current = value.value
        if current is not None:
            out[leaf.key] = current
    return out


def main() -> None:
    from importlib import resources

    t0 = time.perf_counter()
    load_tree_from(resources.files("immsim.parameters").joinpath("tree"))
    cold = time.perf_counter() - t0
    tree = load_baseline()
    days = weeks(dt.date(2016, 10, 1), 20)

    t0 = time.perf_counter()
    for day in days:
        naive_snapshot(tree, day)
    baseline = time.perf_counter() - t0

    t0 = time.perf_counter()
    for day in days:
        tree.snapshot(day)
    first = time.perf_counter() - t0

    t0 = time.perf_counter()
    for day in days:
        tree.snapshot(day)
    cached = time.perf_counter() - t0

    assert all(tree.snapshot(d) == naive_snapshot(tree, d) for d in days[::50])
    print(f"parameter tree: {len(tree)} leaves; cold load {cold * 1e3:.1f} ms")
    print(f"{len(days)} weekly snapshots (20 years):")
    print(f"  baseline linear scan : {baseline * 1e3:8.2f} ms")
    print(f"  snapshot, first pass : {first * 1e3:8.2f} ms  ({baseline / first:5.1f}x faster)")
    print(f"  snapshot, cached     : {cached * 1e3:8.2f} ms  ({baseline / cached:5.1f}x faster)")


if __name__ == "__main__":
    main()
