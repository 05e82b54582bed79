"""Benchmark: the compiled week alone, a year into the default run, in several rounds.

``profile_week.py`` times the whole week once (the least of 30 calls) beside every stage; from
one process to the next that line moved by 0.2-0.3 ms on the shared machine (9.72 and 9.95 ms
on the same checkout, 2026-12-05), as much as a change to one stage saves. Here only the week
is timed, in ``ROUNDS`` rounds of ``REPEAT`` calls (each on copies made before the clock), and
each round's least thread time printed: run it for two checkouts in turn, a few times, and
compare the rounds.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/week_least.py [--areas] [--rounds N]``.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any

import numpy as np

REPEAT = 40


def main(areas: bool, rounds: int) -> None:
    from immsim.engine.run import prepare, scenario_pipeline
    from immsim.engine.stages import removal
    from immsim.engine.week import RunState, _tally, carried, week
    from immsim.scenario import resolve_scenario

    scenario = resolve_scenario("default").model_copy(update={"areas": areas})
    pipe = scenario_pipeline(scenario, prepare(scenario), np.random.default_rng(1))
    for i in range(52):
        pipe.step(i)
    w = pipe.plan(scenario.start + dt.timedelta(weeks=52))
    k, s = w.kernel, pipe.state
    s.regroup(w.live)
    held = removal.cohorts(s.held, k.removal, k.groups)
    run = RunState(
        effort=s.effort,
        located=pipe._located_for(w, s.effort),
        review_on=False,
        review_scope=-1.0,
        reviewed=0.0,
        held=held,
        thinned=pipe._thinned,
        court_abroad=float(s.court_abroad),
        detained=np.zeros(0, dtype=np.int64),
        counted=np.zeros(0, dtype=np.int64),
    )
    stocks, bits, size = s.stocks.copy(), pipe.bits, k.groups
    # the breakdown's detained as the last week left them (as profile_week.py counts them)
    before = carried(size, len(w.columns), k.areas)
    none = np.zeros(size, dtype=np.int64)
    arrested = np.zeros((3, size), dtype=np.int64)
    stages = 8 if k.areas else 3
    flows = (none, arrested, none, none, none, none)
    _tally(w.cells, *flows, stocks, k.parents, stages, len(w.columns), *before)

    def one(st: Any, carry: Any) -> None:
        cohorts, detained, counted = carry
        week(
            bits,
            st,
            k,
            run._replace(held=cohorts, detained=detained, counted=counted),
            w.cells,
            len(w.columns),
        )

    least = []
    for _ in range(rounds):
        copies = [
            (stocks.copy(), (held.copy(), before[0].copy(), before[1].copy()))
            for _ in range(REPEAT + 1)
        ]
        one(*copies[-1])  # loads the loops
        times = []
        for st, carry in copies[:-1]:
            t0 = time.thread_time()
            one(st, carry)
            times.append(time.thread_time() - t0)
        least.append(min(times) * 1e3)
    each = " ".join(f"{t:.3f}" for t in least)
    print(f"week {size:,} groups: least {min(least):.3f} ms (rounds: {each})")


if __name__ == "__main__":
    args = sys.argv[1:]
    n = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 5
    main("--areas" in args, n)
