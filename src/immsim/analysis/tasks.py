"""One model run as a self-contained task, and the backends that run many of them.

A task carries everything that decides its result: the scenario, the parameter values of its
draw and its seed. So a task's result is the same whichever worker, process or machine runs it,
and results are returned in task order: a sweep is identical for 1 or 2 workers, and for the
process pool or a Ray cluster.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any

import numpy as np

from immsim.errors import ImmsimError, InputError
from immsim.progress import Progress
from immsim.scenario import Scenario


@dataclass(frozen=True)
class Task:
    id: str
    scenario: Scenario
    seed: int
    values: dict[str, float] = field(default_factory=dict)
    dists: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=dict)
    effects: bool = False
    """Also return each year's costs in base-year dollars and its economic, fiscal and family
    effects (``analysis.effects.effect_rows``), as ``compare`` asks."""


_POPULATIONS: dict[tuple[Any, ...], Any] = {}


def run_task(task: Task) -> list[dict[str, Any]]:
    """Run one task; rows of (task id, labels, fiscal year, metric, value)."""
    from immsim.analysis.uncertainty import draw_reform
    from immsim.engine.run import prepare, run

    scenario = task.scenario
    if task.values:
        tree = scenario.parameters()
        reform = draw_reform(
            tree, task.dists, task.values, scenario.reform, f"{scenario.name}-{task.id}"
        )
        scenario = scenario.model_copy(update={"reform": reform})
    tree = scenario.parameters()
    population = None
    if scenario.population == "national":
        # the population depends only on the population parameters: draws that vary others
        # (most of them) share one population, prepared once for the engine: the one `immsim
        # run` builds for the scenario's seed, so a draw runs on the population a run does
        key = (
            scenario.start,
            scenario.end,
            scenario.seed,
            scenario.areas,
            _population_values(tree, scenario.start),
        )
        if key not in _POPULATIONS:
            _POPULATIONS.clear()  # one at a time: a worker seldom needs two
            _POPULATIONS[key] = prepare(scenario)
        population = _POPULATIONS[key]
    result = run(scenario, seed=task.seed, population=population)
    rows = headline_rows(task, result)
    if task.effects:
        from immsim.analysis.effects import effect_rows

        weeks = {r["fiscal_year"]: r["weeks"] for r in rows}
        rows += [
            {"task": task.id, **task.labels, "weeks": weeks[r["fiscal_year"]], **r}
            for r in effect_rows(result, tree, scenario.start)
        ]
    return rows


def _population_values(tree: Any, day: Any) -> tuple[tuple[str, str], ...]:
    out = []
    for key in tree.keys("population"):
        try:
            out.append((key, repr(tree.get(key, day))))
        except ImmsimError:  # a series that starts after the day: not used by the build
            out.append((key, "-"))
    return tuple(out)


def headline_rows(task: Task, result: Any) -> list[dict[str, Any]]:
    from immsim.outcomes import HEADLINES, by_year

    rows = []
    for row in by_year(result).to_dicts():
        for metric in HEADLINES:
            value = row[metric]
            rows.append(
                {
                    "task": task.id,
                    **task.labels,
                    "fiscal_year": int(row["fiscal_year"]),
                    "weeks": int(row["weeks"]),
                    "metric": metric,
                    # a year with nobody removed has no convicted share; 0 keeps bands finite
                    "value": 0.0 if value is None else float(value),
                }
            )
    return rows


def draw_seeds(seed: int, n: int) -> list[int]:
    """Independent seeds for ``n`` draws (the same for any number of workers)."""
    return [
        int(s.generate_state(1, dtype=np.uint32)[0]) for s in np.random.SeedSequence(seed).spawn(n)
    ]


def execute(
    tasks: Sequence[Task],
    workers: int = 1,
    ray: str | None = None,
    progress: Progress | None = None,
    on_result: Callable[[Task, list[dict[str, Any]]], None] | None = None,
) -> list[list[dict[str, Any]]]:
    """Run ``tasks``; results in task order whatever the backend and worker count."""
    if workers < 1:
        raise InputError("workers must be at least 1", key="--workers")
    results: dict[str, list[dict[str, Any]]] = {}

    def done(task: Task, rows: list[dict[str, Any]]) -> None:
        results[task.id] = rows
        if on_result:
            on_result(task, rows)
        if progress:
            progress(len(results), len(tasks))

    if ray is not None:
        for task, rows in _ray(tasks, ray):
            done(task, rows)
    elif workers == 1 or len(tasks) <= 1:
        for task in tasks:
            done(task, run_task(task))
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            pending = {pool.submit(run_task, t): t for t in tasks}
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    done(pending.pop(future), future.result())
    return [results[t.id] for t in tasks]


def _ray(tasks: Sequence[Task], address: str) -> Iterator[tuple[Task, list[dict[str, Any]]]]:
    try:
        import ray
    except ImportError:
        raise InputError(
            "Ray is not installed", allowed='pip install "immsim[ray]"', key="--ray"
        ) from None
    if not ray.is_initialized():
        if address == "local":
            ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False)
        else:
            ray.init(address=address, log_to_driver=False)
    remote = ray.remote(run_task)
    refs = {remote.remote(t): t for t in tasks}
    while refs:
        ready, _ = ray.wait(list(refs), num_returns=1)
        for ref in ready:
            yield refs.pop(ref), ray.get(ref)
