"""The court's flows by fiscal year from a run's weekly table: every new case (ICE's notices to
appear and the border's releases with a case, the only two ways a case starts in the engine),
the completions (decisions on either docket: removal orders, in absentia or not, relief or
termination, voluntary departure), the docket review's closures, dismissals into expedited
removal, and the rest that leaves the pending stock without a decision (people with a case who
emigrate or are granted status: the engine counts them among all emigrants and grants, so they
are found as what the year's pending stock does not otherwise account for). For issues 19/20's
comparison of the court with EOIR's receipts and completions (docs/calibration.md, *The court's
flows against EOIR's*). It reads only the run's weekly table; nothing here feeds the tree.

Usage: ``python scripts/court_flows.py runs/<run>/weekly.parquet``, or ``python
scripts/court_flows.py --backtest SEED LAST_FISCAL_YEAR`` to run the back-test's history (FY2012
on, the run ``immsim validate`` makes at that seed) and tabulate it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _args

SUMMED = (
    "notices_to_appear",
    "arrivals_with_case",
    "mpp_cases",
    "completions_detained",
    "completions_released",
    "orders",
    "orders_in_absentia",
    "relief_granted",
    "voluntary_departures",
    "review_closures",
    "dismissed_to_expedited",
)
AT_YEAR_END = ("court_pending", "final_orders_at_large")


def court_flows(weekly: pl.DataFrame) -> pl.DataFrame:
    """One row a fiscal year: the flows summed over its weeks, the stocks at its last week, and
    ``other_exits``, the pending cases that left without a decision, review or dismissal (the
    first year's is null: the stock before its first week is not in the table)."""
    years = (
        weekly.group_by("fiscal_year")
        .agg(
            [pl.col(name).sum() for name in SUMMED] + [pl.col(name).last() for name in AT_YEAR_END]
        )
        .sort("fiscal_year")
    )
    # cases opened for people returned to Mexico under MPP are receipts too (EOIR's docket)
    receipts = pl.col("notices_to_appear") + pl.col("arrivals_with_case") + pl.col("mpp_cases")
    completions = pl.col("completions_detained") + pl.col("completions_released")
    years = years.with_columns(receipts.alias("receipts"), completions.alias("completions"))
    closed = pl.col("completions") + pl.col("review_closures") + pl.col("dismissed_to_expedited")
    left = pl.col("court_pending").shift(1) + pl.col("receipts") - closed - pl.col("court_pending")
    return years.with_columns(left.alias("other_exits"))


def main(argv: list[str] | None = None) -> None:
    parser = _args.parser(__doc__, __file__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("weekly", nargs="?", type=_args.file, help="a run's weekly.parquet")
    source.add_argument(
        "--backtest",
        nargs=2,
        type=int,
        metavar=("SEED", "LAST_FISCAL_YEAR"),
        help="run the back-test's history at SEED to LAST_FISCAL_YEAR instead",
    )
    args = parser.parse_args(argv)
    if args.backtest:
        # imported here: the engine runs the history; the tabulation needs only polars
        from immsim.calibration.validate import backtest_history

        seed, last = args.backtest
        weekly = backtest_history(seed, last).weekly
        weekly = weekly.filter(pl.col("fiscal_year") <= last)
    else:
        weekly = pl.read_parquet(args.weekly)
    table = court_flows(weekly)
    print(",".join(table.columns))
    for row in table.iter_rows():
        print(",".join("" if v is None else f"{v:.0f}" for v in row))


if __name__ == "__main__":
    main()
