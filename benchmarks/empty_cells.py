"""Measure: how many of a run by area's (group, stock) cells are empty, and what visiting them
costs the week's sweeps (issue 22, branch ``empty41``).

The idea measured: with areas most groups may hold no one in most stocks, yet each sweep over
a stock passes every group of the plan; if an empty group draws no random number, a sweep over
the non-empty groups alone draws the same numbers, and saves the passes over the empty ones.
Three measures:

1. the share of the plan's (group, stock) cells that are empty at each week's end, over a
   10-year run of the default scenario by area (``--scenario`` for another), by stock and for
   the stocks each stage sweeps;
2. whether a draw for an empty group touches the stream: the stream's state after the draws of
   ``draws.binom_each``, ``draws.sweep_all`` and ``draws.competing_sparse`` on empty groups, and
   a sweep over a row against the same sweep over its non-empty groups only (same counts, same
   state after, or the skip would change the run);
3. at the run's week 52, what a sweep costs over a stock's groups against over its non-empty
   groups alone (the groups found beforehand, not timed) and what finding them costs
   (``np.flatnonzero``): the least CPU time of 30 calls, as ``profile_week.py`` takes it.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/empty_cells.py [--scenario NAME]``
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

STAGE_STOCKS = {
    # the stocks each stage sweeps group by group (see each stage's module)
    "background": ("free", "ordered", "released"),
    "criminality": ("free", "ordered", "released"),
    "custody": ("free", "ordered"),
    "leads": ("free", "ordered", "released"),
    "at_large": ("free", "ordered"),
    "detention": ("held_court", "held_removal"),
    "court": ("held_court", "released"),
    "removal": ("held_removal",),
}

REPEAT = 30
TIMED_WEEK = 52


def _least(fn: Callable[[], Any]) -> float:
    """Least CPU seconds of this thread over ``REPEAT`` calls (after one untimed call)."""
    fn()
    times = []
    for _ in range(REPEAT):
        t0 = time.thread_time()
        fn()
        times.append(time.thread_time() - t0)
    return float(np.min(times))


def stream_checks() -> None:
    """Measure 2: the draws on empty groups and the stream."""
    from immsim.engine.draws import binom_each, competing_sparse, stream, sweep_all

    bits = stream(np.random.default_rng(7))
    before = bits.copy()
    binom_each(bits, np.zeros(1000, dtype=np.int64), np.full(1000, 0.3))
    print(f"  binom_each, 1,000 empty groups: stream unchanged {np.array_equal(bits, before)}")
    one, many = bits.copy(), bits.copy()
    sweep_all(one, np.zeros(1, dtype=np.int64), 0.3)
    sweep_all(many, np.zeros(100_000, dtype=np.int64), 0.3)
    print(
        "  sweep_all over 1 and over 100,000 empty groups: same state after "
        f"{np.array_equal(one, many)} (one exponential a sweep, none a group)"
    )
    rng = np.random.default_rng(3)
    n = rng.integers(0, 4, size=50_000) * (rng.random(50_000) < 0.3)
    for p in (0.01, 0.2):
        full, part = bits.copy(), bits.copy()
        got = sweep_all(full, n, p)
        where = np.flatnonzero(n)
        got_part = np.zeros_like(n)
        got_part[where] = sweep_all(part, n[where], p)
        print(
            f"  sweep_all at {p}: {np.mean(n == 0):.0%} empty; over the non-empty only: same counts "
            f"{np.array_equal(got, got_part)}, same state {np.array_equal(full, part)}"
        )
    total = np.full(n.size, 0.05)
    hazard = -np.log1p(-total)
    shares = rng.random((3, n.size))
    full, part = bits.copy(), bits.copy()
    w1, c1 = competing_sparse(full, n, total, hazard, shares)
    where = np.flatnonzero(n)
    w2, c2 = competing_sparse(
        part, n[where], total[where], hazard[where], np.ascontiguousarray(shares[:, where])
    )
    print(
        "  competing_sparse over the non-empty only: same groups "
        f"{np.array_equal(w1, where[w2])}, same counts {np.array_equal(c1, c2)}, "
        f"same state {np.array_equal(full, part)}"
    )


def sweep_costs(stocks: Any, kernel: Any) -> None:
    """Measure 3: a sweep over a stock's groups against over its non-empty groups alone."""
    from immsim.engine.draws import competing_sparse, stream, sweep_all
    from immsim.engine.stocks import STOCKS

    bits = stream(np.random.default_rng(11))
    crim = kernel.criminality.draws
    print(f"  week {TIMED_WEEK}: {stocks.shape[1]:,} groups in the plan")
    for row, name in enumerate(STOCKS):
        n = np.ascontiguousarray(stocks[row])
        where = np.flatnonzero(n)
        part = np.ascontiguousarray(n[where])
        find = _least(partial(np.flatnonzero, n))
        t_full = _least(partial(sweep_all, bits, n, 1e-3))
        t_part = _least(partial(sweep_all, bits, part, 1e-3))
        c_full = _least(partial(competing_sparse, bits, n, crim.any, crim.hazard, crim.shares))
        any_w, haz_w = crim.any[where], crim.hazard[where]
        sh_w = np.ascontiguousarray(crim.shares[:, where])
        c_part = _least(partial(competing_sparse, bits, part, any_w, haz_w, sh_w))
        print(
            f"  {name:12} {1 - where.size / n.size:4.0%} empty: sweep_all(1e-3) "
            f"{t_full * 1e3:6.3f} ms, non-empty only {t_part * 1e3:6.3f} ms; "
            f"criminality's competing_sparse {c_full * 1e3:6.3f} ms, non-empty only "
            f"{c_part * 1e3:6.3f} ms; finding the non-empty {find * 1e3:6.3f} ms"
        )


def main(name: str) -> None:
    from immsim.engine.run import prepare, scenario_pipeline
    from immsim.engine.stocks import STOCKS
    from immsim.scenario import resolve_scenario

    print("draws on empty groups:")
    stream_checks()
    scenario = resolve_scenario(name).model_copy(update={"areas": True})
    prepared = prepare(scenario)
    pipe = scenario_pipeline(scenario, prepared, np.random.default_rng(1))
    weeks = (scenario.end - scenario.start).days // 7
    total = prepared.groups.size
    empty = np.zeros((weeks, len(STOCKS)))  # share of the plan's groups empty, by stock
    live = np.zeros(weeks)
    for i in range(weeks):
        pipe.step(i)
        stocks = pipe.state.stocks
        empty[i] = (stocks == 0).mean(axis=1)
        live[i] = stocks.shape[1]
        if i + 1 == TIMED_WEEK:
            print("cost of the empty groups in a sweep:")
            sweep_costs(stocks.copy(), pipe._in_force.kernel)  # type: ignore[union-attr]
    print(
        f"{name} by area, {weeks} weeks, {total:,} groups prepared; the plan's groups: "
        f"{live.min():,.0f}-{live.max():,.0f} (mean {live.mean():,.0f})"
    )
    print("share of the plan's groups empty at the week's end (mean over weeks; min-max):")
    for row, stock in enumerate(STOCKS):
        of_all = np.mean(1 - (1 - empty[:, row]) * live / total)
        print(
            f"  {stock:12} {empty[:, row].mean():5.1%} ({empty[:, row].min():.1%}-"
            f"{empty[:, row].max():.1%}); of all prepared groups {of_all:5.1%}"
        )
    print("share of the (group, stock) cells each stage sweeps that are empty (mean over weeks):")
    for stage, rows in STAGE_STOCKS.items():
        idx = [STOCKS.index(r) for r in rows]
        print(f"  {stage:12} {empty[:, idx].mean():5.1%}  ({', '.join(rows)})")
    for at in (1, 52, 260, weeks):
        print(
            f"  week {at:3}: {live[at - 1]:,.0f} groups in the plan; empty "
            + ", ".join(f"{s} {empty[at - 1, r]:.0%}" for r, s in enumerate(STOCKS))
        )


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[args.index("--scenario") + 1] if "--scenario" in args else "default")
