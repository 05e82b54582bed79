"""Benchmark: Monte Carlo of the 10-year national run (target: 1,000 draws in <= 5 minutes on
the 2-core machine).

Runs DRAWS draws of the embedded default scenario (emigration rate uncertain) on the local
process pool with 1 and 2 workers and on Ray local, checks the three give identical results,
and prints runs per second, the scaling from 1 to 2 workers, and the projected time for 1,000
draws. The baseline is the 1-worker pool in the same run.

Run: ``.venv/bin/python benchmarks/bench_montecarlo.py`` (Ray: ``pip install -e ".[ray]"``)
"""

from __future__ import annotations

import time

import polars as pl

from immsim.analysis.montecarlo import draw_tasks
from immsim.analysis.tasks import execute
from immsim.analysis.uncertainty import Dist
from immsim.scenario import resolve_scenario

DRAWS = 8


def timed(**backend: object) -> tuple[float, pl.DataFrame]:
    scenario = resolve_scenario("default")
    dists = {"flows.emigration_rate": Dist(dist="uniform", low=0.02, high=0.04)}
    tasks = draw_tasks(scenario, DRAWS, 1, dists)
    t0 = time.perf_counter()
    results = execute(tasks, **backend)  # type: ignore[arg-type]
    seconds = time.perf_counter() - t0
    return seconds, pl.DataFrame([row for result in results for row in result])


def main() -> None:
    one, reference = timed(workers=1)
    two, pooled = timed(workers=2)
    rows = [("process pool, 1 worker", one), ("process pool, 2 workers", two)]
    same = pooled.equals(reference)
    try:
        import ray

        on_ray, ray_rows = timed(ray="local")
        ray.shutdown()
        rows.append(("Ray local (2 CPUs)", on_ray))
        same = same and ray_rows.equals(reference)
    except ImportError:
        print("  (Ray not installed: pip install -e '.[ray]')")
    print(f"Monte Carlo, 10-year national run, {DRAWS} draws (identical results: {same})")
    for name, seconds in rows:
        print(
            f"  {name:25s}: {DRAWS / seconds:5.2f} runs/s; 1,000 draws would take "
            f"{1000 * seconds / DRAWS / 60:5.1f} min (target <= 5)"
        )
    print(f"  scaling 1 -> 2 workers    : {one / two:5.2f}x")


if __name__ == "__main__":
    main()
