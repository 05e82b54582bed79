"""Benchmark: this checkout's engine against an earlier commit's, side by side.

For any change to the engine: the same two measures, taken in alternation (so that a busy
machine slows both alike) in child processes that import one tree or the other:

* a 10-year national run of the embedded default scenario, the population built beforehand
  (the engine's own time, as ``bench_engine.py`` measures it);
* Monte Carlo draws of the same scenario run in process (``analysis.tasks.run_task``, the emigration
  rate drawn as in ``bench_montecarlo.py``): the cost of one draw once the population is shared;
* with ``--areas``, also the 10-year run carrying areas of responsibility (the population
  prepared beforehand, as ``bench_areas.py`` times it), for engine changes aimed at it.

It prints each side's median and their ratio (this tree's time over the other's: below 1 is
faster). The earlier commit is checked out into a temporary git worktree, removed afterwards;
its first run compiles its loops (not timed).

Run: ``.venv/bin/python benchmarks/bench_versus.py REF [--rounds N] [--areas]`` (REF: a commit,
tag or branch; N alternations, 3 by default).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _harness import child_main, run_isolated

ROOT = Path(__file__).resolve().parents[1]
DRAWS = 6


def engine() -> dict[str, Any]:
    from immsim.engine.run import run
    from immsim.population.build import build_population
    from immsim.scenario import resolve_scenario

    scenario = resolve_scenario("default")
    pop = build_population(scenario.parameters(), scenario.start, seed=1)
    run(scenario, population=pop)  # loads (or compiles) the loops: not timed
    t0 = time.perf_counter()
    result = run(scenario, population=pop)
    return {
        "seconds": time.perf_counter() - t0,
        "removals": float(result.weekly["removals"].sum()),
    }


def engine_areas() -> dict[str, Any]:
    """The 10-year run with areas, its population prepared beforehand (not timed)."""
    from immsim.engine.run import prepare, run
    from immsim.engine.warm import warm_up
    from immsim.scenario import resolve_scenario

    scenario = resolve_scenario("default").model_copy(update={"areas": True})
    warm_up()  # loads (or compiles) the loops: not timed
    prepared = prepare(scenario)
    t0 = time.perf_counter()
    result = run(scenario, population=prepared)
    return {
        "seconds": time.perf_counter() - t0,
        "removals": float(result.weekly["removals"].sum()),
    }


def montecarlo() -> dict[str, Any]:
    from immsim.scenario import resolve_scenario

    return {"seconds": draw_seconds(resolve_scenario("default"), DRAWS)}


def draw_seconds(scenario: Any, draws: int) -> float:
    """Seconds a Monte Carlo draw of ``scenario`` takes in process (the emigration rate drawn),
    over ``draws`` draws after a first that builds the shared population (not timed)."""
    from immsim.analysis.montecarlo import draw_tasks
    from immsim.analysis.tasks import run_task
    from immsim.analysis.uncertainty import Dist

    dists = {"flows.emigration_rate": Dist(dist="uniform", low=0.02, high=0.04)}
    tasks = draw_tasks(scenario, draws + 1, 1, dists)
    run_task(tasks[0])  # builds the shared population and loads the loops: not timed
    t0 = time.perf_counter()
    for task in tasks[1:]:
        run_task(task)
    return (time.perf_counter() - t0) / draws


def _worktree(ref: str, folder: Path) -> Path:
    tree = folder / "tree"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), ref],
        check=True,
        capture_output=True,
    )
    return tree


def main(ref: str, rounds: int, areas: bool = False) -> None:
    with tempfile.TemporaryDirectory(prefix="immsim-versus-") as folder:
        other = _worktree(ref, Path(folder))
        try:
            trees = {"this": ROOT / "src", ref: other / "src"}
            methods = ("engine", "montecarlo", *(("engine_areas",) if areas else ()))
            times: dict[str, dict[str, list[float]]] = {
                name: {method: [] for method in methods} for name in trees
            }
            for _ in range(rounds):
                for name, src in trees.items():
                    env = {"PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
                    for method in methods:
                        result = run_isolated(__file__, method, env=env)
                        times[name][method].append(result["seconds"])
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)],
                check=False,
                capture_output=True,
            )
    print(f"this checkout against {ref}, {rounds} alternations (median seconds):")
    for method, label in (
        ("engine", "10-year national run"),
        ("montecarlo", "one Monte Carlo draw"),
        ("engine_areas", "10-year run with areas"),
    ):
        if method not in times["this"]:
            continue
        mine = statistics.median(times["this"][method])
        base = statistics.median(times[ref][method])
        print(f"  {label:22}: {mine:7.3f} s against {base:7.3f} s, ratio {mine / base:5.2f}")


if __name__ == "__main__" and not child_main(
    {"engine": engine, "montecarlo": montecarlo, "engine_areas": engine_areas}
):
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        sys.exit("usage: bench_versus.py REF [--rounds N] [--areas]")
    n = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 3
    main(args[0], n, "--areas" in args)
