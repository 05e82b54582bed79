"""Benchmark: Monte Carlo of the 10-year national run (target: 1,000 draws in <= 5 minutes on
the 2-core machine).

Runs batches of draws of the embedded default scenario (emigration rate uncertain) on the local
process pool with 1 and 2 workers and on Ray local, checks the three give identical results,
and prints the steady runs per second (from two batch sizes, so the fixed start-up is reported
apart), the scaling from 1 to 2 workers, and the projected time for 1,000 draws. The baseline
is the 1-worker pool in the same run.

Run: ``.venv/bin/python benchmarks/bench_montecarlo.py`` (Ray: ``pip install -e ".[ray]"``)
"""

from __future__ import annotations

import time

import polars as pl

from immsim.analysis.montecarlo import draw_tasks
from immsim.analysis.tasks import execute
from immsim.analysis.uncertainty import Dist
from immsim.scenario import resolve_scenario

SMALL, LARGE = 8, 24
"""Two batch sizes: their difference gives the steady rate, free of the fixed start-up (spawning
workers, importing, building the population once per worker)."""


def timed(draws: int, **backend: object) -> tuple[float, pl.DataFrame]:
    scenario = resolve_scenario("default")
    dists = {"flows.emigration_rate": Dist(dist="uniform", low=0.02, high=0.04)}
    tasks = draw_tasks(scenario, draws, 1, dists)
    t0 = time.perf_counter()
    results = execute(tasks, **backend)  # type: ignore[arg-type]
    seconds = time.perf_counter() - t0
    return seconds, pl.DataFrame([row for result in results for row in result])


def measured(**backend: object) -> tuple[float, float, pl.DataFrame]:
    """(steady runs per second, fixed start-up seconds, the small batch's rows)."""
    # a first batch, counted apart: it starts Ray (which stays up between batches) and, on a
    # machine's first run, compiles the engine, which would otherwise skew the steady rate
    startup, _ = timed(2, **backend)
    if "ray" not in backend:
        startup = 0.0  # a pool starts afresh in every batch: its start-up is in the estimate
    small, rows = timed(SMALL, **backend)
    large, _ = timed(LARGE, **backend)
    rate = (LARGE - SMALL) / max(large - small, 1e-9)
    return rate, startup + max(0.0, small - SMALL / rate), rows


def main() -> None:
    one, one_fixed, reference = measured(workers=1)
    two, two_fixed, pooled = measured(workers=2)
    rows = [("process pool, 1 worker", one, one_fixed), ("process pool, 2 workers", two, two_fixed)]
    same = pooled.equals(reference)
    try:
        import ray

        on_ray, ray_fixed, ray_rows = measured(ray="local")
        ray.shutdown()
        rows.append(("Ray local (2 CPUs)", on_ray, ray_fixed))
        same = same and ray_rows.equals(reference)
    except ImportError:
        print("  (Ray not installed: pip install -e '.[ray]')")
    print(
        f"Monte Carlo, 10-year national run, batches of {SMALL} and {LARGE} draws "
        f"(identical results across backends: {same})"
    )
    for name, rate, fixed in rows:
        print(
            f"  {name:25s}: {rate:5.2f} runs/s steady, {fixed:4.1f} s start-up; 1,000 draws "
            f"would take {(fixed + 1000 / rate) / 60:5.1f} min (target <= 5)"
        )
    print(f"  scaling 1 -> 2 workers    : {two / one:5.2f}x (baseline: the 1-worker pool)")


if __name__ == "__main__":
    main()
