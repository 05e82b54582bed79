"""Who the back-test's history arrests and removes, by criminality as ICE counts it since FY2017
(a conviction; else pending charges; else neither) and by arrest channel, for issues 19/20/21
(docs/calibration.md, *Who ICE arrested and removed in FY2019-FY2023, by criminality*).

Usage: ``python scripts/criminality_by_channel.py SEED LAST_FISCAL_YEAR [FIRST [SPLIT_DATE]]``
runs the back-test's history at ``SEED`` (the run ``immsim validate`` makes at that seed, nothing
drawn) and prints, for each fiscal year from FIRST (default 2019) to LAST, the arrests by channel
and criminality, the interior removals by criminality and by the channel that arrested them, and
the interior's detained on an average day by criminality. With SPLIT_DATE (``2020-03-18``) the
weeks of that fiscal year from the date on are shown apart.

The channels: ``custodial`` (jails, 287(g), prisons: the Criminal Alien Program's hours),
``leads`` (checkpoints, database leads, worksites, check-ins), ``at_large`` (targeted arrests of
people without an order), ``fugitive`` (targeted arrests of people with one) and ``collateral``.

The engine's groups do not carry the channel a person was arrested by, so the removals are
apportioned to channels within each group: a group's removals in a week are split as its arrests
by channel of the weeks before, each week weighing ``exp(-weeks ago / TAU_WEEKS)`` (a person is
removed some weeks after the arrest); removals from a group with no arrest seen are ``start``
(the starting detained). The arrests by channel are the run's own counts; the removals by channel
are an estimate; both add up to the weekly table's (checked). Nothing here feeds the parameter
tree. The week is run stage by stage from Python, in the compiled week's order with the same
draws, so the history is the one ``validate`` scores (``tests/test_criminality.py`` checks it).
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _args

from immsim.engine import pipeline as pipeline_module
from immsim.engine import week as week_module
from immsim.engine.counts import N_COUNTS, Count
from immsim.engine.results import Results
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
    review,
)
from immsim.engine.stocks import FREE, HELD_COURT, HELD_REMOVAL, ORDERED, RELEASED

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
CHANNELS = ("custodial", "leads", "at_large", "fugitive", "collateral")
CHANNEL_COLUMNS = {
    "custodial": ("arrests_jail", "arrests_287g", "arrests_prison", "arrests_287g_task_force"),
    "leads": ("arrests_checkpoint", "arrests_database", "arrests_worksite", "arrests_check_in"),
    "at_large": ("arrests_at_large",),  # with ``fugitive``: the weekly table does not split them
    "collateral": ("arrests_collateral",),
}
"""The weekly table's columns each channel's arrests add up to."""
TAU_WEEKS = 8.0
"""The apportioning's decay: the interior's stay from arrest to removal is some weeks (FY2021,
docs/calibration.md: 7,650 held on an average day removed 4.9 times that a year, ~10 weeks)."""


class Tally:
    """Arrests by channel, removals by channel (and ``start``) and the detained, by the run's
    groups, summed by period (a fiscal year; its weeks from a split date as the negative year).
    (A plain class: the tests load this script without registering it as a module, which a
    dataclass's annotations need.)"""

    def __init__(self, groups: int) -> None:
        self.groups = groups
        self.period = 0
        self.live: IntArray = np.zeros(0, dtype=np.int64)
        self.arrests: dict[int, FloatArray] = {}
        self.removed: dict[int, FloatArray] = {}
        self.held: dict[int, FloatArray] = {}
        self.weeks: dict[int, int] = defaultdict(int)
        self.pool: FloatArray = np.zeros((len(CHANNELS), groups))

    def _full(self, vector: IntArray) -> FloatArray:
        out = np.zeros(self.groups)
        out[self.live] = vector
        return out

    def week(self, channels: list[IntArray], removed: IntArray, held: IntArray) -> None:
        n = len(CHANNELS)
        arrests = self.arrests.setdefault(self.period, np.zeros((n, self.groups)))
        gone = self.removed.setdefault(self.period, np.zeros((n + 1, self.groups)))
        self.held.setdefault(self.period, np.zeros(self.groups))[:] += self._full(held)
        self.weeks[self.period] += 1
        self.pool *= math.exp(-1.0 / TAU_WEEKS)
        out = self._full(removed)
        total = self.pool.sum(axis=0)
        share = np.divide(self.pool, total, out=np.zeros_like(self.pool), where=total > 0)
        gone[:n] += share * out
        gone[n] += np.where(total > 0, 0.0, out)
        for c, vector in enumerate(channels):
            full = self._full(vector)
            arrests[c] += full
            self.pool[c] += full


def _week(
    tally: Tally,
    state: Any,
    stocks: IntArray,
    plan: Any,
    run: Any,
    cells: NDArray[np.unsignedinteger[Any]],
    n: int,
) -> tuple[FloatArray, FloatArray, IntArray]:
    """The compiled week (:func:`immsim.engine.week._week`, its ``_arrests`` unrolled) stage by
    stage, keeping each arrest program's arrests by group in ``tally``."""
    out = np.zeros(N_COUNTS)
    out[Count.COURT_ABROAD] = run.court_abroad
    background.run(state, stocks, plan.background, out)
    criminality.run(state, stocks, plan.criminality, out)
    hours = plan.officer_hours
    added = hours * (run.effort - 1.0)
    taken = np.zeros_like(stocks)
    cut, used = custody.run(
        state,
        stocks,
        plan.custody,
        hours * plan.share_custodial + added * plan.surge_custodial,
        out,
        taken,
    )
    in_custody = taken[FREE] + taken[ORDERED] if plan.areas else np.zeros(0, dtype=np.int64)
    by_custody = taken.sum(axis=0)
    lead_hours = hours * plan.share_leads + added * plan.surge_leads
    left, cut_leads = leads.run(state, stocks, plan.leads, run.thinned, lead_hours, out, taken)
    by_leads = taken.sum(axis=0) - by_custody
    out[Count.OFFICER_HOURS_USED] = used + lead_hours - left
    large_p, collateral, large_o, ran_out = at_large.run(
        state,
        stocks,
        plan.at_large,
        run.located,
        hours * plan.share_at_large + added * plan.surge_at_large,
        out,
    )
    out[Count.BINDING_OFFICERS] = 1.0 if cut or cut_leads or ran_out else 0.0
    arrested = np.empty((3, stocks.shape[1]), dtype=np.int64)
    arrested[0] = taken[FREE] + large_p + collateral
    arrested[1] = taken[ORDERED] + large_o
    arrested[2] = taken[RELEASED]
    out[Count.ARRESTS] = arrested.sum()
    to_removal, to_court = processing.run(
        state, arrested[0], arrested[1], arrested[2], plan.processing, out
    )
    beds_bound, admitted, transferred = detention.run(
        state, stocks, to_removal, to_court, plan.detention, out
    )
    judges_bound = court.run(state, stocks, plan.court, out)
    if run.review_on:
        review.run(state, stocks, plan.review, run.review_scope, run.reviewed, out)
    removed, released = removal.run(state, stocks, plan.removal, run.held, out)
    out[Count.BINDING_BEDS] = 1.0 if beds_bound else 0.0
    out[Count.BINDING_JUDGES] = 1.0 if judges_bound else 0.0
    sums, levels = week_module._tally(
        cells,
        removed,
        arrested,
        released,
        admitted,
        transferred,
        in_custody,
        stocks,
        plan.parents,
        8 if plan.areas else 3,
        n,
        run.detained,
        run.counted,
    )
    tally.week(
        [by_custody, by_leads, large_p, large_o, collateral],
        removed,
        stocks[HELD_COURT] + stocks[HELD_REMOVAL],
    )
    return out, sums, levels


def fiscal_year(day: dt.date) -> int:
    return day.year + (1 if day.month >= 10 else 0)


@contextmanager
def _tallied(split: dt.date | None) -> Iterator[list[Tally]]:
    """The engine's week and step replaced for the ``with`` block, so that a run fills a
    :class:`Tally` (the list's one item, once the run has begun); restored after."""
    found: list[Tally] = []
    step, week = pipeline_module.Pipeline.step, pipeline_module.week

    def tallied_step(self: Any, week_index: int) -> Any:
        if not found:
            tally = Tally(self.groups.size)
            tally.group_table = self.groups  # type: ignore[attr-defined]
            found.append(tally)
        tally = found[0]
        day = self.start + dt.timedelta(weeks=week_index)
        tally.period = fiscal_year(day)
        if split is not None and day >= split and fiscal_year(day) == fiscal_year(split):
            tally.period = -tally.period
        tally.live = self.plan(day).live
        return step(self, week_index)

    def tallied_week(*args: Any) -> tuple[FloatArray, FloatArray, IntArray]:
        return _week(found[0], *args)

    pipeline_module.Pipeline.step = tallied_step  # type: ignore[method-assign]
    pipeline_module.week = tallied_week  # type: ignore[assignment]
    try:
        yield found
    finally:
        pipeline_module.Pipeline.step = step  # type: ignore[method-assign]
        pipeline_module.week = week


def tally_history(
    seed: int, last: int, split: dt.date | None = None
) -> tuple[Tally, Results, dict[str, NDArray[np.bool_]]]:
    """The back-test's history at ``seed`` to ``last`` tallied, its results, and each group's
    criminality class as ICE counts it (``convicted``, ``charged``, ``neither``)."""
    from immsim.calibration.validate import backtest_history

    with _tallied(split) as found:
        results = backtest_history(seed, last)
    tally = found[0]
    g = tally.group_table  # type: ignore[attr-defined]
    convicted = g.level_of("criminal_history") != "none"
    charged = g.flags["pending_charges"] & ~convicted
    classes = {"convicted": convicted, "charged": charged, "neither": ~convicted & ~charged}
    return tally, results, classes


def _row(name: str, a: FloatArray, r: FloatArray, classes: dict[str, Any]) -> str:
    cells = [a.sum()] + [a[:, m].sum() / max(a.sum(), 1.0) for m in classes.values()]
    cells += [r.sum()] + [r[:, m].sum() / max(r.sum(), 1.0) for m in classes.values()]
    return (
        f"  {name:12s} {cells[0]:9,.0f} {cells[1]:10.1%} {cells[2]:8.1%} {cells[3]:8.1%}"
        f" | {cells[4]:8,.0f} {cells[5]:10.1%} {cells[6]:8.1%} {cells[7]:8.1%}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = _args.parser(__doc__, __file__)
    parser.add_argument("seed", metavar="SEED", type=int, help="the back-test's seed")
    parser.add_argument("last", metavar="LAST_FISCAL_YEAR", type=int, help="the last year shown")
    parser.add_argument(
        "first", metavar="FIRST", type=int, nargs="?", default=2019, help="the first (2019)"
    )
    parser.add_argument(
        "split",
        metavar="SPLIT_DATE",
        type=dt.date.fromisoformat,
        nargs="?",
        help="show the weeks of its fiscal year from this day (YYYY-MM-DD) apart",
    )
    args = parser.parse_args(argv)
    seed, last, first, split = args.seed, args.last, args.first, args.split
    tally, results, classes = tally_history(seed, last, split)
    yearly = results.yearly()
    for year in range(first, last + 1):
        row = yearly.filter(yearly["fiscal_year"] == year)
        parts = [p for p in (year, -year) if p in tally.arrests]
        arrests = sum(tally.arrests[p].sum() for p in parts)
        removed = sum(tally.removed[p].sum() for p in parts)
        assert round(arrests) == round(row["arrests"][0])
        assert round(removed) == round(row["removals_interior"][0])
    for period in [p for y in range(first, last + 1) for p in (y, -y) if p in tally.arrests]:
        arrests, removed = tally.arrests[period], tally.removed[period]
        label = f"FY{period}" if period > 0 else f"FY{-period} from {split}"
        print(f"\n{label}: arrests {arrests.sum():,.0f}; interior removals {removed.sum():,.0f}")
        print(
            f"  {'':12s} {'arrests':>9s} {'convicted':>10s} {'charged':>8s} {'neither':>8s}"
            f" | {'removed':>8s} {'convicted':>10s} {'charged':>8s} {'neither':>8s}"
        )
        empty = np.zeros((1, tally.groups))
        for c, name in enumerate((*CHANNELS, "start")):
            a = arrests[c : c + 1] if c < len(CHANNELS) else empty
            print(_row(name, a, removed[c : c + 1], classes))
        print(_row("all", arrests, removed, classes))
        held = tally.held[period] / max(tally.weeks[period], 1)
        shares = "  ".join(f"{k} {held[m].sum() / held.sum():.1%}" for k, m in classes.items())
        print(f"  interior detained on an average day {held.sum():,.0f}: {shares}")


if __name__ == "__main__":
    main()
