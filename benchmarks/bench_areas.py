"""Benchmark: the 10-year run with areas of responsibility beside the run without (issue 22's
targets for the run with areas: <= 2 s and <= 2 GB; 1,000 Monte Carlo draws <= 5 minutes on the
2-core machine).

Each measure runs in a child process of its own (so its peak memory is its own), alternating
the two kinds of run so that a busy machine slows both alike:

* a 10-year run of the embedded default scenario, the population built and prepared
  beforehand (the engine's own time, as ``bench_engine.py`` measures it), with and without
  ``areas``;
* Monte Carlo draws of the same scenario run in process (``analysis.tasks.run_task``, the
  emigration rate drawn as in ``bench_montecarlo.py``): the time of one draw once the
  population is shared, and the 1,000 draws it projects on 2 workers (ideal scaling).

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_areas.py [--rounds N]``
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _harness import child_main, run_isolated
from bench_versus import draw_seconds

DRAWS = 4


def _scenario(areas: str) -> Any:
    from immsim.scenario import resolve_scenario

    scenario = resolve_scenario("default")
    return scenario.model_copy(update={"areas": areas == "areas"})


def engine(areas: str) -> dict[str, Any]:
    from immsim.engine.run import prepare, run
    from immsim.engine.warm import warm_up

    scenario = _scenario(areas)
    warm_up()  # loads (or compiles) the loops: not timed
    t0 = time.perf_counter()
    prepared = prepare(scenario)
    prepare_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = run(scenario, population=prepared)
    return {
        "seconds": time.perf_counter() - t0,
        "prepare_seconds": prepare_seconds,
        "groups": prepared.groups.size,
        "removals": float(result.weekly["removals"].sum()),
    }


def montecarlo(areas: str) -> dict[str, Any]:
    return {"seconds": draw_seconds(_scenario(areas), DRAWS)}


def main(rounds: int) -> None:
    kinds = ("national", "areas")
    runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
    draws: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(rounds):
        for kind in kinds:
            runs[kind].append(run_isolated(__file__, "engine", kind))
            draws[kind].append(run_isolated(__file__, "montecarlo", kind)["seconds"])
    print(f"10-year default scenario, {rounds} alternations (medians):")
    for kind in kinds:
        seconds = statistics.median(r["seconds"] for r in runs[kind])
        peak = max(r["peak_mb"] for r in runs[kind])
        draw = statistics.median(draws[kind])
        print(
            f"  {kind:8}: {runs[kind][0]['groups']:6,} groups, run {seconds:6.2f} s "
            f"(prepare {statistics.median(r['prepare_seconds'] for r in runs[kind]):.2f} s), "
            f"peak {peak:6.0f} MB; one draw {draw:6.2f} s, 1,000 draws on 2 workers "
            f"{1000 * draw / 2 / 60:5.1f} min"
        )


if __name__ == "__main__" and not child_main({"engine": engine, "montecarlo": montecarlo}):
    args = sys.argv[1:]
    main(int(args[args.index("--rounds") + 1]) if "--rounds" in args else 1)
