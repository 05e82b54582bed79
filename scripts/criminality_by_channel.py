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
tree. The run is the engine's own, each week recording its arrests by channel and removals by
group (``Pipeline.record_channels``, rows ``week.CHANNELS``; nothing drawn differently), so the
history is the one ``validate`` scores (``tests/test_criminality.py`` checks it).
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
from immsim.engine import week
from immsim.engine.results import Results
from immsim.engine.stocks import HELD_COURT, HELD_REMOVAL

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
_WEEK_ROWS = (
    week.BY_CUSTODY,
    week.BY_LEADS,
    week.BY_AT_LARGE,
    week.BY_AT_LARGE_ORDERED,
    week.BY_COLLATERAL,
)
"""The week's rows (``week.CHANNELS``) of this script's ``CHANNELS``, in its order."""
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


def fiscal_year(day: dt.date) -> int:
    return day.year + (1 if day.month >= 10 else 0)


@contextmanager
def _tallied(split: dt.date | None) -> Iterator[list[Tally]]:
    """The engine's week and step replaced for the ``with`` block, so that a run fills a
    :class:`Tally` (the list's one item, once the run has begun); restored after."""
    found: list[Tally] = []
    step = pipeline_module.Pipeline.step

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
        self.record_channels = True
        record = step(self, week_index)
        tally.live = self.state.live  # the plan's groups, the channels' columns
        stocks = self.state.stocks
        tally.week(
            [self.channels[row] for row in _WEEK_ROWS],
            self.channels[week.REMOVED],
            stocks[HELD_COURT] + stocks[HELD_REMOVAL],
        )
        return record

    pipeline_module.Pipeline.step = tallied_step  # type: ignore[method-assign]
    try:
        yield found
    finally:
        pipeline_module.Pipeline.step = step  # type: ignore[method-assign]


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
