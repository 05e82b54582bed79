"""Profile: where a week of the engine spends its time, stage by stage.

Runs the embedded default scenario a year in (so the stocks are a run's, not the start's), then
times each stage's compiled loop on copies of that week's stocks, called one by one from Python
(each call pays numba's dispatch, some microseconds, which the compiled week does not), beside the
whole compiled week. Used to choose what to make cheaper; the reasons stay in the stages' comments.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/profile_week.py [--areas] [--weeks N]``
(``--areas``: the scenario carrying areas of responsibility).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def _timed(fn: Callable[[], Any], repeat: int) -> float:
    """Median seconds of ``fn`` over ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main(weeks: int, repeat: int, areas: bool) -> None:
    from immsim.engine.counts import N_COUNTS
    from immsim.engine.pipeline import Pipeline
    from immsim.engine.run import prepare
    from immsim.engine.stages import (
        at_large,
        background,
        court,
        custody,
        detention,
        leads,
        processing,
        removal,
    )
    from immsim.engine.week import RunState, _tally, week
    from immsim.regimes.catalog import regime_at
    from immsim.scenario import resolve_scenario

    scenario = resolve_scenario("default").model_copy(update={"areas": areas})
    tree = scenario.parameters()
    t0 = time.perf_counter()
    prepared = prepare(scenario)
    print(f"prepared {prepared.groups.size} groups in {time.perf_counter() - t0:.2f} s")
    pipe = Pipeline(
        prepared,
        regime_at=regime_at,
        params_at=tree.snapshot,
        start=scenario.start,
        rng=np.random.default_rng(1),
        span_at=tree.span,
    )
    for i in range(weeks):
        pipe.step(i)
    day_week = weeks
    day = scenario.start + dt.timedelta(weeks=day_week)
    w = pipe.plan(day)
    k = w.kernel
    s = pipe.state
    size = k.groups
    bits = pipe.bits
    run = RunState(
        effort=s.effort,
        located=pipe._located_for(w, s.effort),
        review_on=False,
        review_scope=-1.0,
        reviewed=0.0,
        held=removal.cohorts(s.held, k.removal, prepared.groups.size),  # as the pipeline cuts it
        thinned=pipe._thinned,
    )
    stocks0 = s.stocks[:, :size].copy()
    print(f"week {day_week}: {size} active groups, {int(stocks0.sum()):,} people")
    hours = k.officer_hours * s.effort

    def fresh() -> np.ndarray[Any, Any]:
        return stocks0.copy()

    copy_t = _timed(fresh, repeat)
    zeros = np.zeros(size, dtype=np.int64)
    arrested = np.zeros((3, size), dtype=np.int64)
    stages: dict[str, Callable[[], Any]] = {
        "background": lambda: background.run(bits, fresh(), k.background, np.zeros(N_COUNTS)),
        "custody": lambda: custody.run(
            bits,
            fresh(),
            k.custody,
            hours * k.share_custodial,
            np.zeros(N_COUNTS),
            np.zeros_like(stocks0),
        ),
        "leads": lambda: leads.run(
            bits,
            fresh(),
            k.leads,
            run.thinned,
            hours * k.share_leads,
            np.zeros(N_COUNTS),
            np.zeros_like(stocks0),
        ),
        "at_large": lambda: at_large.run(
            bits, fresh(), k.at_large, run.located, hours * k.share_at_large, np.zeros(N_COUNTS)
        ),
        "processing": lambda: processing.run(
            bits, arrested[0], arrested[1], arrested[2], k.processing, np.zeros(N_COUNTS)
        ),
        "detention": lambda: detention.run(
            bits, fresh(), zeros, zeros, k.detention, np.zeros(N_COUNTS)
        ),
        "court": lambda: court.run(bits, fresh(), k.court, np.zeros(N_COUNTS)),
        "removal": lambda: removal.run(
            bits, fresh(), k.removal, run.held[:size].copy(), np.zeros(N_COUNTS)
        ),
        "tally": lambda: _tally(w.cells, np.ones((2, size), dtype=np.int64), len(w.columns)),
    }
    total = 0.0
    for name, fn in stages.items():
        fn()  # compile or load
        t = max(0.0, _timed(fn, repeat) - copy_t)
        total += t
        print(f"  {name:11} {t * 1e3:8.3f} ms")
    print(f"  {'sum':11} {total * 1e3:8.3f} ms (stages called one by one)")

    def whole() -> None:
        week(bits, fresh(), k, run, w.cells, len(w.columns))

    whole()
    print(f"  {'week':11} {(_timed(whole, repeat) - copy_t) * 1e3:8.3f} ms (compiled whole)")
    t0 = time.perf_counter()
    n = 52
    for i in range(weeks, weeks + n):
        pipe.step(i)
    print(f"  {'step':11} {(time.perf_counter() - t0) / n * 1e3:8.3f} ms (Pipeline.step, a year)")


if __name__ == "__main__":
    args = sys.argv[1:]
    n_weeks = int(args[args.index("--weeks") + 1]) if "--weeks" in args else 52
    main(n_weeks, 30, "--areas" in args)
