"""Shared by the benchmarks: each method measured in a process of its own, the least thread time
of a call on copies made beforehand, and the default run a year in for timing a week's stages.

``ru_maxrss`` survives ``exec`` (a child started by a large parent reports the parent's peak),
so peak memory is read from the kernel's high-water mark for the child's own address space.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def peak_mb() -> float:
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_isolated(
    script: str, method: str, *args: str, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``script --child method args...`` and return the JSON it prints last."""
    out = subprocess.run(
        [sys.executable, script, "--child", method, *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def child_main(methods: dict[str, Callable[..., dict[str, Any]]]) -> bool:
    """In a child (``--child method args...``): run the method, print its result and peak
    memory as JSON, and return True; otherwise return False."""
    if len(sys.argv) < 3 or sys.argv[1] != "--child":
        return False
    result = methods[sys.argv[2]](*sys.argv[3:])
    result["peak_mb"] = peak_mb()
    print(json.dumps(result))
    return True


def least_thread_time(
    fn: Callable[..., Any], make: Callable[[], tuple[Any, ...]], repeat: int
) -> float:
    """Least CPU seconds of this thread over ``repeat`` calls of ``fn``, each on arguments
    ``make()`` built before the clock starts (one more call first, not timed, loads or compiles
    the loop).

    CPU time of this thread, not the wall clock, and the least, not the median: the machine is
    shared, and with six processes on two cores the wall-clock median of a stage moved by half
    from one run to the next (waiting for a core); the thread's least CPU time moved by a
    fifth, enough to tell a stage a quarter faster (2026-12-04). The arguments are copies made
    beforehand because a week changes its stocks in place, and copying the cohorts by weeks held
    (some 14 MB with areas) took longer than the removals they fed."""
    args = [make() for _ in range(repeat + 1)]
    fn(*args[-1])
    times = []
    for a in args[:-1]:
        t0 = time.thread_time()
        fn(*a)
        times.append(time.thread_time() - t0)
    return min(times)


@dataclass
class YearIn:
    """The default run stepped ``weeks`` weeks (seed 1), and the plan of its next week with the
    state regrouped to the plan's groups and the run state the compiled week is handed: what the
    timing harnesses time a stage or the week on (a year in, the stocks are a run's, not the
    start's)."""

    scenario: Any
    prepared: Any
    prepare_seconds: float
    pipe: Any
    plan: Any
    run: Any
    day_week: int

    @property
    def kernel(self) -> Any:
        return self.plan.kernel

    @property
    def state(self) -> Any:
        return self.pipe.state


def year_in(areas: bool, weeks: int = 52) -> YearIn:
    """The default scenario (with areas of responsibility or without) a year in: see
    :class:`YearIn`."""
    import numpy as np

    from immsim.engine.run import prepare, scenario_pipeline
    from immsim.engine.stages import removal
    from immsim.engine.stocks import COUNT
    from immsim.engine.week import NO_CHANNELS, RunState
    from immsim.scenario import resolve_scenario

    scenario = resolve_scenario("default").model_copy(update={"areas": areas})
    t0 = time.perf_counter()
    prepared = prepare(scenario)
    prepare_seconds = time.perf_counter() - t0
    pipe = scenario_pipeline(scenario, prepared, np.random.default_rng(1))
    for i in range(weeks):
        pipe.step(i)
    w = pipe.plan(scenario.start + dt.timedelta(weeks=weeks))
    k, s = w.kernel, pipe.state
    s.regroup(w.live)  # the stocks' columns are the plan's groups, as the pipeline keeps them
    run = RunState(
        effort=s.effort,
        located=pipe._located_for(w, s.effort),
        review_on=False,
        review_scope=-1.0,
        reviewed=0.0,
        held=removal.cohorts(s.held, k.removal, k.groups),  # as the pipeline cuts it
        thinned=pipe._thinned,
        court_abroad=float(s.court_abroad),
        detained=np.zeros(0, dtype=np.int64),
        counted=np.zeros(0, dtype=COUNT),
        channels=NO_CHANNELS,
    )
    return YearIn(scenario, prepared, prepare_seconds, pipe, w, run, weeks)
