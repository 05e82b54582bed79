"""Benchmark: building the national population (target <= 5 s and <= 1 GB).

Builds the strata table for 2026-10-01 (14 million people, Pew's 2023 total) from the parameter
tree: seed, IPF over 2.3 million cells, derived attributes, rounding, and the polars table.
The baseline, in the same run, is the straightforward microdata way: draw one record per person
from the same fitted distribution and count them into strata. Each method runs in its own
process so that peak memory is its own.

Run: ``.venv/bin/python benchmarks/bench_population.py``
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _harness import child_main, run_isolated

DAY = dt.date(2026, 10, 1)


def strata() -> dict[str, float]:
    from immsim.parameters import load_baseline
    from immsim.population.build import build_population

    tree = load_baseline()
    t0 = time.perf_counter()
    pop = build_population(tree, DAY, seed=1)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "people": pop.total, "rows": pop.strata.height}


def microdata() -> dict[str, float]:
    """One record per person, drawn from the builder's fitted cell probabilities, then counted."""
    from immsim.parameters import load_baseline
    from immsim.population.build import seed_table
    from immsim.population.ipf import Margin, ipf
    from immsim.population.targets import composition_targets

    tree = load_baseline()
    t0 = time.perf_counter()
    total, _, targets = composition_targets(tree, DAY)
    axes = [(t.attribute, t.levels) for t in targets]
    weights, _ = seed_table(tree, DAY, axes)
    margins = [Margin(t.attribute, (i,), t.persons) for i, t in enumerate(targets)]
    fitted = ipf(weights * (total / weights.sum()), margins, tol=1e-9).table
    rng = np.random.default_rng(1)
    probabilities = fitted.ravel() / fitted.sum()
    people = rng.choice(probabilities.size, size=int(total), p=probabilities)
    cells, counts = np.unique(people, return_counts=True)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "people": int(counts.sum()), "rows": int(cells.size)}


def main() -> None:
    fast = min((run_isolated(__file__, "strata") for _ in range(3)), key=lambda r: r["seconds"])
    slow = run_isolated(__file__, "microdata")
    print(f"national population for {DAY}: {fast['people']:,.0f} people")
    print(
        f"  strata builder (best of 3) : {fast['seconds']:6.2f} s, peak {fast['peak_mb']:6.0f} MB, "
        f"{fast['rows']:,.0f} strata   (target <= 5 s, <= 1024 MB)"
    )
    print(
        f"  microdata baseline         : {slow['seconds']:6.2f} s, peak {slow['peak_mb']:6.0f} MB, "
        f"{slow['rows']:,.0f} strata"
    )
    print(
        f"  ratio                      : {slow['seconds'] / fast['seconds']:6.1f}x faster, "
        f"{slow['peak_mb'] / fast['peak_mb']:.1f}x less memory"
    )


if __name__ == "__main__" and not child_main({"strata": strata, "microdata": microdata}):
    main()
