"""Profile: where a week of the engine spends its time, stage by stage.

Runs the embedded default scenario a year in (so the stocks are a run's, not the start's), then
times each stage's compiled loop on copies of that week's stocks, called one by one from Python
(each call pays numba's dispatch, some microseconds, which the compiled week does not), beside the
whole compiled week: the least CPU time of this thread over the repeats (see :func:`_timed`). The copies are made before the clock starts (copying the cohorts by weeks
held, some 14 MB with areas, took longer than the removals it fed). Used to choose what to make
cheaper; the reasons stay in the stages' comments.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/profile_week.py [--areas] [--weeks N]``
(``--areas``: the scenario carrying areas of responsibility).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _harness import least_thread_time, year_in


def _timed(fn: Callable[[Any, Any], Any], repeat: int, stocks: Any, held: Any) -> float:
    """Least thread seconds of ``fn(stocks, held)`` over ``repeat`` calls, each on copies of the
    two made beforehand (``_harness.least_thread_time``)."""
    return least_thread_time(fn, lambda: (stocks.copy(), _copy(held)), repeat)


def _copy(held: Any) -> Any:
    """A copy of ``held``: an array, or a tuple of arrays (the cohorts with the breakdown's
    carried detained, which a week changes in place)."""
    return tuple(a.copy() for a in held) if isinstance(held, tuple) else held.copy()


def _classes(groups: Any) -> Any:
    """Where each run of groups alike but for the area starts (and last, the groups' number):
    by area the groups are ordered with the area last, so such groups lie side by side."""
    columns = [*groups.codes.values(), *groups.flags.values(), groups.entry_year]
    key = np.stack([c.astype(np.int64) for c in columns], axis=1)
    changes = np.flatnonzero((key[1:] != key[:-1]).any(axis=1)) + 1
    return np.concatenate([[0], changes, [groups.size]]).astype(np.int64)


_CLASS_MAX_MEAN = 1.0
"""The prototype's class route is taken where a class expects at most this many events (the
best of 0.5 to 16, measured on 2026-12-04)."""


def _sweep_classes() -> Any:
    """A prototype of the same draws as ``draws.sweep_all``, made over the classes of groups
    alike but for the area (issue 22, tried on 2026-12-04 and not kept: see docs/design.md,
    *Performance*). A class that expects at most ``_CLASS_MAX_MEAN`` events is swept as one
    group of all its people and its events split over its areas: the people with an event
    numbered along its groups laid end to end, drawn uniformly without replacement (repeats
    drawn again), kept sorted by insertion, and counted group by group in one pass (the
    multivariate hypergeometric split that draws person by person would give); any other
    class is swept group by group. Compiled here, not in the engine, since no stage uses it."""
    import numba

    from immsim.engine.draws import exponential, uniform, walk

    @numba.njit(cache=False)
    def sweep(state: Any, n: Any, p: float, start: Any, out: Any) -> None:
        hazard = -np.log1p(-p)
        clock = exponential(state)
        room = np.empty(64, dtype=np.int64)
        for c in range(start.size - 1):
            lo, hi = start[c], start[c + 1]
            total = 0
            for i in range(lo, hi):
                total += n[i]
            if total * p > _CLASS_MAX_MEAN:  # several events a group: group by group
                for i in range(lo, hi):
                    if n[i] > 0:
                        if clock >= n[i] * hazard:
                            clock -= n[i] * hazard
                        else:
                            out[i], clock = walk(state, n[i], p, hazard, clock)
                continue
            if total == 0 or clock >= total * hazard:
                clock -= total * hazard
                continue
            k, clock = walk(state, total, p, hazard, clock)
            if k > room.size:
                room = np.empty(2 * k, dtype=np.int64)
            have = 0
            while have < k:  # k distinct people of the class, ascending
                x = min(int(uniform(state) * total), total - 1)
                j = have
                while j > 0 and room[j - 1] > x:
                    j -= 1
                if j > 0 and room[j - 1] == x:
                    continue  # drawn before: draw again
                for m in range(have, j, -1):
                    room[m] = room[m - 1]
                room[j] = x
                have += 1
            edge = 0
            taken = 0
            for i in range(lo, hi):
                edge += n[i]
                while taken < k and room[taken] < edge:
                    out[i] += 1
                    taken += 1

    return sweep


def _sweeps(bits: Any, free: Any, repeat: int, start: Any) -> None:
    """One clock sweep (``draws.sweep_all``) over the at-large row at a few chances a week:
    what a sweep costs by the groups it passes (the least chance: almost no one has an event)
    against what it costs by the people with an event (walked one by one), to tell whether a
    stage's time goes with the number of groups or with the number of events; by area, also
    the prototype over the classes of groups alike but for the area (:func:`_sweep_classes`)."""
    from immsim.engine.draws import sweep_all

    empty = float(np.mean(free == 0))
    print(f"  one sweep over the {free.size:,} at-large groups ({empty:.0%} empty):")
    for chance in (1e-6, 1e-3, 1e-2):

        def one(st: Any, h: Any, c: float = chance) -> Any:
            return sweep_all(bits, st, c)

        t = _timed(one, repeat, free, free)
        events = int(sweep_all(bits, free, chance).sum())
        print(f"    chance {chance:g}: {t * 1e3:6.3f} ms, {events:,} events")
    if start.size - 1 == free.size:
        return  # without areas every group is a class of its own
    sweep = _sweep_classes()
    print(f"  the same over {start.size - 1:,} classes alike but for the area (not kept):")
    for chance in (1e-6, 1e-3, 1e-2):

        def by_class(st: Any, _: Any, c: float = chance) -> Any:
            out = np.zeros(st.size, dtype=np.int64)
            sweep(bits, st, c, start, out)
            return out

        t = _timed(by_class, repeat, free, free)
        events = int(by_class(free, free).sum())
        print(f"    chance {chance:g}: {t * 1e3:6.3f} ms, {events:,} events")


def main(weeks: int, repeat: int, areas: bool) -> None:
    from immsim.engine.counts import N_COUNTS
    from immsim.engine.stages import (
        at_large,
        background,
        court,
        criminality,
        custody,
        detention,
        leads,
        processing,
        removal,
    )
    from immsim.engine.stocks import HELD_COURT, HELD_REMOVAL
    from immsim.engine.week import _arrests, _tally, carried, week

    year = year_in(areas, weeks)
    prepared, pipe, w, run, day_week = year.prepared, year.pipe, year.plan, year.run, weeks
    print(f"prepared {prepared.groups.size} groups in {year.prepare_seconds:.2f} s")
    k, s, size, bits = w.kernel, pipe.state, w.kernel.groups, pipe.bits
    held0 = run.held
    stocks0 = s.stocks.copy()
    print(
        f"week {day_week}: {size} groups in the plan (of {prepared.groups.size}), "
        f"{int(stocks0.sum()):,} people"
    )
    hours = k.officer_hours * s.effort
    zeros = np.zeros(size, dtype=np.int64)
    arrested = np.zeros((3, size), dtype=np.int64)
    ones = np.ones(size, dtype=np.int64)
    ones3 = np.ones((3, size), dtype=np.int64)
    n_stages = 8 if k.areas else 3
    # the breakdown's detained as carried into the week (week._tally): counted at its start,
    # as the pipeline's last week left them; and as a plan's first week finds them (nothing)
    fresh = carried(size, len(w.columns), k.areas)
    before = carried(size, len(w.columns), k.areas)

    def tally_of(*flows: Any) -> Callable[[Any, Any], Any]:
        """The week's tally on these flows (removed, arrested, released, admitted, transferred,
        arrested in custody), of given stocks and carried detained."""

        def tally(st: Any, carry: Any) -> Any:
            return _tally(w.cells, *flows, st, k.parents, n_stages, len(w.columns), *carry)

        return tally

    # count the week's held into ``before``, as the pipeline's last week left them
    tally_of(zeros, arrested, zeros, zeros, zeros, zeros)(stocks0, before)
    # every flow in every group
    tally = tally_of(ones, ones3, ones, ones, ones, ones)

    stages: dict[str, Callable[[Any, Any], Any]] = {
        "background": lambda st, h: background.run(bits, st, k.background, np.zeros(N_COUNTS)),
        "criminality": lambda st, h: criminality.run(bits, st, k.criminality, np.zeros(N_COUNTS)),
        "custody": lambda st, h: custody.run(
            bits,
            st,
            k.custody,
            hours * k.share_custodial,
            np.zeros(N_COUNTS),
            np.zeros_like(st),
        ),
        "leads": lambda st, h: leads.run(
            bits,
            st,
            k.leads,
            run.thinned,
            hours * k.share_leads,
            np.zeros(N_COUNTS),
            np.zeros_like(st),
        ),
        "at_large": lambda st, h: at_large.run(
            bits, st, k.at_large, run.located, hours * k.share_at_large, np.zeros(N_COUNTS)
        ),
        "processing": lambda st, h: processing.run(
            bits, arrested[0], arrested[1], arrested[2], k.processing, np.zeros(N_COUNTS)
        ),
        "detention": lambda st, h: detention.run(
            bits, st, zeros, zeros, k.detention, np.zeros(N_COUNTS)
        ),
        "court": lambda st, h: court.run(bits, st, k.court, np.zeros(N_COUNTS)),
        "removal": lambda st, h: removal.run(bits, st, k.removal, h, np.zeros(N_COUNTS)),
    }
    tallies = {
        # every flow in every group; the detained as carried into the week (none changed)
        "tally": before,
        # the same in a plan's first week, when every held group is counted afresh
        "tally fresh": fresh,
    }
    total = 0.0
    for name, fn in stages.items():
        t = _timed(fn, repeat, stocks0, held0)
        total += t
        print(f"  {name:11} {t * 1e3:8.3f} ms")
    for name, carry in tallies.items():
        t = _timed(tally, repeat, stocks0, carry)
        total += t if name == "tally" else 0.0
        print(f"  {name:11} {t * 1e3:8.3f} ms")
    print(f"  {'sum':11} {total * 1e3:8.3f} ms (stages called one by one)")
    # the tally on the week's own flows and stocks (the stages run in turn as the week runs
    # them): the detained carried from the week's start (only the groups whose detained
    # changed are scattered), and counted afresh (every held group, as every week before
    # 2026-12-05)
    after, cohorts, out = stocks0.copy(), held0.copy(), np.zeros(N_COUNTS)
    background.run(bits, after, k.background, out)
    criminality.run(bits, after, k.criminality, out)
    taken, in_custody = _arrests(bits, after, k, run._replace(held=cohorts), out)
    to_removal, to_court = processing.run(bits, taken[0], taken[1], taken[2], k.processing, out)
    _, admitted, moved = detention.run(bits, after, to_removal, to_court, k.detention, out)
    court.run(bits, after, k.court, out)
    removed, released = removal.run(bits, after, k.removal, cohorts, out)
    if k.areas:
        changed = (stocks0[HELD_COURT] + stocks0[HELD_REMOVAL]) != (
            after[HELD_COURT] + after[HELD_REMOVAL]
        )
        held = (after[HELD_COURT] + after[HELD_REMOVAL]) > 0
        print(f"  the week's held groups: {held.sum():,}, of them changed: {changed.sum():,}")

    tally_week = tally_of(removed, taken, released, admitted, moved, in_custody)

    for name, carry in (("carried", before), ("fresh", fresh)):
        t = _timed(tally_week, repeat, after, carry)
        print(f"  {'tally':11} {t * 1e3:8.3f} ms (the week's flows, detained {name})")

    def whole(st: Any, h: Any) -> None:
        cohorts, detained, counted = h
        week(
            bits,
            st,
            k,
            run._replace(held=cohorts, detained=detained, counted=counted),
            w.cells,
            len(w.columns),
        )

    t = _timed(whole, repeat, stocks0, (held0, *before))
    print(f"  {'week':11} {t * 1e3:8.3f} ms (compiled whole)")
    _sweeps(bits, stocks0[0], repeat, _classes(prepared.groups.take(w.live)))
    t0 = time.thread_time()
    n = 52
    for i in range(weeks, weeks + n):
        pipe.step(i)
    print(f"  {'step':11} {(time.thread_time() - t0) / n * 1e3:8.3f} ms (Pipeline.step, a year)")


if __name__ == "__main__":
    args = sys.argv[1:]
    n_weeks = int(args[args.index("--weeks") + 1]) if "--weeks" in args else 52
    main(n_weeks, 30, "--areas" in args)
