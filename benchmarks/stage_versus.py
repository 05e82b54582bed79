"""Benchmark: the background, processing, detention and court stages on a week's real stocks,
for whichever checkout is on ``PYTHONPATH``, to compare two checkouts stage by stage.

``profile_week.py`` calls detention with no requests and the court with the week's starting
stocks; here each stage gets what the week hands it: the default run a year in (seed 1), its
plan and stocks, then background and criminality and the arrests run in turn, so that
processing gets the week's arrests, detention their requests for beds and the court the
stocks after them. The week is saved once (``--save``, with the plans as plain dicts, so that
a checkout whose plans have other fields can load it: a field it lacks is derived, see
:func:`_plans`) and timed from the file by each checkout: the least thread time of 60 calls,
each on copies made before the clock starts, in ``--rounds`` rounds. It also prints a digest
of each stage's results (the stocks, the stream and the counts after it) to check that two
checkouts draw the same.

Run (``PYTHONPATH`` picks the checkout):
``PYTHONPATH=src .venv/bin/python benchmarks/stage_versus.py --save [--national] FILE``, then
``PYTHONPATH=src .venv/bin/python benchmarks/stage_versus.py FILE [--rounds N]``.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _harness import least_thread_time, year_in

REPEAT = 60


def save(path: str, areas: bool) -> None:
    """The week a year into the default run, with the flows its stages hand each other."""
    from immsim.engine.counts import N_COUNTS
    from immsim.engine.stages import background, criminality, processing
    from immsim.engine.week import _arrests

    year = year_in(areas)
    k, s, pipe, run = year.kernel, year.state, year.pipe, year.run
    stocks, bits = s.stocks.copy(), pipe.bits.copy()
    after, b, out = stocks.copy(), bits.copy(), np.zeros(N_COUNTS)
    background.run(b, after, k.background, out)
    criminality.run(b, after, k.criminality, out)
    taken, _ = _arrests(b, after, k, run, out)
    to_removal, to_court = processing.run(b, taken[0], taken[1], taken[2], k.processing, out)
    week = {
        "stocks": stocks,
        "bits": bits,
        "after": after,
        "bits_after": b,
        "out": out,
        "taken": taken,
        "to_removal": to_removal,
        "to_court": to_court,
        **{name: getattr(k, name)._asdict() for name in _STAGES},
    }
    with open(path, "wb") as f:
        pickle.dump(week, f)
    print(f"saved {stocks.shape[1]:,} groups, {int(taken.sum()):,} arrests")


_STAGES = ("background", "processing", "detention", "court")


def _plans(week: dict[str, Any]) -> dict[str, Any]:
    """The stages' plans in this checkout's classes; fields added since the file was saved are
    derived from the others (each is a function of them)."""
    from immsim.engine.stages import background, court, detention, processing

    size = week["stocks"].shape[1]
    derived: dict[str, Callable[[dict[str, Any]], Any]] = {
        "cbp_home_groups": lambda p: np.flatnonzero(p["cbp_home_eligible"]),
        "cbp_home_eligible": lambda p: np.isin(np.arange(size), p["cbp_home_groups"]),
        "admission_order": lambda p: np.argsort(p["admission_rank"]),
    }
    classes: dict[str, Any] = {
        "background": background.BackgroundPlan,
        "processing": processing.ProcessingPlan,
        "detention": detention.DetentionPlan,
        "court": court.CourtPlan,
    }
    plans = {}
    for name, cls in classes.items():
        fields = dict(week[name])
        for field in cls._fields:
            if field not in fields:
                fields[field] = derived[field](fields)
        plans[name] = cls(**{field: fields[field] for field in cls._fields})
    return plans


def _least(fn: Callable[..., Any], make: Callable[[], tuple[Any, ...]]) -> float:
    """Least thread time (ms) of ``fn`` over ``REPEAT`` calls on arguments made beforehand."""
    return least_thread_time(fn, make, REPEAT) * 1e3


def main(path: str, rounds: int) -> None:
    from immsim.engine.stages import background, court, detention, processing

    with open(path, "rb") as f:
        week = pickle.load(f)
    plans = _plans(week)
    taken, out0 = week["taken"], week["out"]
    cases: dict[str, tuple[Callable[..., Any], Any, Any]] = {
        "background": (
            lambda b, s, o: background.run(b, s, plans["background"], o),
            week["stocks"],
            week["bits"],
        ),
        "processing": (
            lambda b, s, o: processing.run(b, taken[0], taken[1], taken[2], plans["processing"], o),
            week["after"],
            week["bits_after"],
        ),
        "detention": (
            lambda b, s, o: detention.run(
                b, s, week["to_removal"], week["to_court"], plans["detention"], o
            ),
            week["after"],
            week["bits_after"],
        ),
        "court": (
            lambda b, s, o: court.run(b, s, plans["court"], o),
            week["after"],
            week["bits_after"],
        ),
    }
    for name, (fn, stocks, bits) in cases.items():
        s, b, o = stocks.copy(), bits.copy(), out0.copy()
        result = fn(b, s, o)
        digest = hashlib.sha256()
        for a in (s, b, o, *(result if isinstance(result, tuple) else ())):
            # Signed counts hashed as int64: the week's stores became int32 (spdM, 2026-12-05),
            # and two checkouts that draw the same must print the same digest whatever the width.
            array = np.asarray(a)
            wide = array.astype(np.int64) if array.dtype.kind == "i" else array
            digest.update(np.ascontiguousarray(wide).tobytes())
        print(f"  {name:11} results {digest.hexdigest()[:16]}")
    least: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, (fn, stocks, bits) in cases.items():

            def make(s: Any = stocks, b: Any = bits) -> tuple[Any, ...]:
                return b.copy(), s.copy(), out0.copy()

            least[name].append(_least(fn, make))
    for name, times in least.items():
        each = " ".join(f"{t:.3f}" for t in times)
        print(f"  {name:11} {min(times):7.3f} ms (rounds: {each})")


if __name__ == "__main__":
    argv = sys.argv[1:]
    if "--save" in argv:
        argv.remove("--save")
        national = "--national" in argv
        save(next(a for a in argv if a != "--national"), not national)
    else:
        n = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 3
        main(argv[0], n)
