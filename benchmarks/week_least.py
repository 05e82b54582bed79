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

import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _harness import least_thread_time, year_in

REPEAT = 40


def main(areas: bool, rounds: int) -> None:
    from immsim.engine.week import _tally, carried, week

    year = year_in(areas)
    w, k, s, pipe, run = year.plan, year.kernel, year.state, year.pipe, year.run
    held = run.held
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

    def make() -> tuple[Any, ...]:
        return stocks.copy(), (held.copy(), before[0].copy(), before[1].copy())

    least = [least_thread_time(one, make, REPEAT) * 1e3 for _ in range(rounds)]
    each = " ".join(f"{t:.3f}" for t in least)
    print(f"week {size:,} groups: least {min(least):.3f} ms (rounds: {each})")


if __name__ == "__main__":
    args = sys.argv[1:]
    n = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 5
    main("--areas" in args, n)
