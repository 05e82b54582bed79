"""The back-test's arrests by the regime's tier (priority or not) and channel, month by month,
for issues 19/20 (docs/calibration.md, *FY2021 under the February 2021 interim guidance*).

Usage: ``python scripts/tier_by_month.py [SEED [FIRST LAST]]`` (seed 2012; months from FIRST to
LAST as ``YYYY-MM``, default 2020-10 to 2021-11). The run is the back-test's history at the seed
(``immsim.calibration.validate.backtest_history``, the run ``immsim validate`` scores, nothing
drawn). A week is given to the month of its first day. Printed per month: all arrests, those
outside the regime's priority tiers (``non_priority``) and their share, and the arrests in
custody (jails, 287(g), prisons; the weekly table's, as a national run's breakdown does not
split them by tier) and their share of all. Under ``feb2021_interim`` this is the share that
ICE's own count of preapproved "other" actions (Feb. 18 - Sep. 16, 2021: 7,157 of 20,828) and
the AIC/ILRC reading of ICE's weekly reports (about a third) are set beside; ICE's data for
Jan. 20 - Mar. 8, 2021, mostly before the preapproval requirement, had 3,306 of 5,203 outside
the priorities (The Washington Times, 2021-04-13). Also printed: the weeks of those spans and of
Jan. 20 - Feb. 17 (the Pekoske memorandum's weeks, before preapproval), by tier. Nothing here feeds
the parameter tree.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _args


def _month(text: str) -> str:
    """A month as YYYY-MM, checked here so a typo is a usage error, not a traceback."""
    dt.date.fromisoformat(f"{text}-01")
    return text


def main(argv: list[str] | None = None) -> None:
    parser = _args.parser(__doc__, __file__)
    parser.add_argument("seed", metavar="SEED", type=int, nargs="?", default=2012)
    parser.add_argument("first", metavar="FIRST", type=_month, nargs="?", default="2020-10")
    parser.add_argument("last", metavar="LAST", type=_month, nargs="?", default="2021-11")
    args = parser.parse_args(argv)
    # imported here: the engine runs the history; --help needs none of it
    from immsim.calibration.validate import backtest_history

    seed, first, last = args.seed, args.first, args.last
    fy = int(last[:4]) + (1 if int(last[5:7]) >= 10 else 0)
    res = backtest_history(seed, fy)
    # The breakdown's "custodial" stage is kept only in runs by area, so a national run's arrests
    # in custody come from the weekly table, without their tiers.
    custody = ("arrests_jail", "arrests_287g", "arrests_prison", "arrests_287g_task_force")
    weeks = res.weekly.select(
        "week",
        pl.col("date").cast(pl.Date).dt.strftime("%Y-%m").alias("month"),
        pl.sum_horizontal(custody).alias("custodial"),
    )
    b = res.breakdown.filter(pl.col("attribute") == "tier", pl.col("stage") == "arrested")
    b = b.join(weeks.drop("custodial"), on="week")
    b = b.filter((pl.col("month") >= first) & (pl.col("month") <= last))
    t = b.group_by("month").agg(
        pl.col("persons").sum().alias("all"),
        pl.col("persons").filter(pl.col("level") == "non_priority").sum().alias("non_priority"),
    )
    held = weeks.group_by("month").agg(pl.col("custodial").sum())
    out = t.join(held, on="month", how="left").fill_null(0).sort("month")
    print(f"seed {seed}; arrests by tier (a week in the month of its first day)")
    print(f"{'month':8} {'arrests':>8} {'non-pri':>8} {'share':>6} {'custod.':>8} {'share':>6}")
    for r in out.iter_rows(named=True):
        print(
            f"{r['month']:8} {r['all']:8,} {r['non_priority']:8,}"
            f" {r['non_priority'] / max(r['all'], 1):6.1%} {r['custodial']:8,.0f}"
            f" {r['custodial'] / max(r['all'], 1):6.1%}"
        )
    # the spans of ICE's counts: 2021-02-18 to 2021-09-16 (its court filing); 2021-01-20 to
    # 2021-03-08 (its data in The Washington Times, 2021-04-13: 3,306 of 5,203 outside the
    # priorities); and the weeks before the preapproval requirement, 2021-01-20 to 2021-02-17
    days = res.weekly.select("week", pl.col("date").cast(pl.Date).alias("day"))
    arrested = res.breakdown.filter(
        pl.col("attribute") == "tier", pl.col("stage") == "arrested"
    ).join(days, on="week")
    for lo, hi in (
        (dt.date(2021, 2, 18), dt.date(2021, 9, 16)),
        (dt.date(2021, 1, 20), dt.date(2021, 3, 8)),
        (dt.date(2021, 1, 20), dt.date(2021, 2, 17)),
    ):
        span = arrested.filter(pl.col("day") >= lo, pl.col("day") <= hi)
        levels = span.group_by("level").agg(pl.col("persons").sum()).sort("level")
        total = int(levels["persons"].sum())
        print(f"arrests in the weeks from {lo} to {hi}, by tier:")
        for r in levels.iter_rows(named=True):
            print(f"  {r['level']:20} {r['persons']:8,} {r['persons'] / max(total, 1):6.1%}")
        print(f"  {'all':20} {total:8,}")


if __name__ == "__main__":
    main()
