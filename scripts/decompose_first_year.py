"""Decompose one fiscal year of a saved run: the interior's arrests by route into removal, its
removals by mode, what leaves detention other than by removal, and the detained stock by stage
with the average days in each (Little's law: the stage's people on an average day over its
exits a day), for issue 19's comparison of the default run's first year with the record of
2025-26 (docs/calibration.md, *The default run's first year, decomposed*).

Usage: ``python scripts/decompose_first_year.py runs/<run>/weekly.parquet [fiscal_year]``
(the year defaults to the run's first), or ``python scripts/decompose_first_year.py --backtest
SEED FISCAL_YEAR`` to run the back-test's history (FY2012 on, under the regimes in force, the run
``immsim validate`` makes at that seed) up to that year and decompose it, as issues 19/20 did for
FY2019's book-ins (docs/calibration.md, *Where FY2019's ICE arrests go*). It reads only the
run's weekly table, so the numbers are the run's own counts; nothing here feeds the parameter
tree.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _args

DAYS_PER_WEEK = 7

ROUTES = (
    "reinstatements",
    "expedited_removals",
    "administrative_orders",
    "dismissed_to_expedited",
    "voluntary_returns",
    "notices_to_appear",
)
FLOWS = (
    "arrests",
    *ROUTES,
    "admissions",
    "refused_bed",
    "bond_releases",
    "recognizance_releases",
    "capacity_releases",
    "zadvydas_releases",
    "completions_detained",
    "voluntary_departures",
    "relief_granted",
    "removals_land",
    "removals_air",
    "removals_interior",
    "removals_border",
    "removals",
)


def year_of(weekly: pl.DataFrame, fiscal_year: int | None = None) -> pl.DataFrame:
    """The weeks of ``fiscal_year`` (the run's first when None)."""
    year = int(weekly["fiscal_year"].min()) if fiscal_year is None else fiscal_year  # type: ignore[arg-type]
    return weekly.filter(pl.col("fiscal_year") == year)


def stage_days(held: float, exits_a_year: float, days: float) -> float:
    """Average days in a stage: its people on an average day over its exits a day."""
    return held / (exits_a_year / days) if exits_a_year > 0 else float("nan")


def decompose(weeks: pl.DataFrame) -> dict[str, float]:
    """The year's flows (people over the year), the detained by stage (average day) and the
    days in each stage. The court stage is left by a decision or a release (bond, or beds
    short); the removal stage by a removal from the interior or a Zadvydas release; the
    interior's average stay is both stages' people over the admissions."""
    days = float(DAYS_PER_WEEK * weeks.height)
    out = {name: float(weeks[name].sum()) for name in FLOWS}
    court = float(weeks["detained_court"].mean())  # type: ignore[arg-type]
    awaiting = float(weeks["detained_removal"].mean())  # type: ignore[arg-type]
    out["days"] = days
    out["detained_court"] = court
    out["detained_removal"] = awaiting
    out["detained_border"] = float(weeks["detained_border"].mean())  # type: ignore[arg-type]
    out["detained"] = float(weeks["detained"].mean())  # type: ignore[arg-type]
    court_exits = (
        out["completions_detained"]
        + out["bond_releases"]
        + out["recognizance_releases"]
        + out["capacity_releases"]
    )
    out["court_days"] = stage_days(court, court_exits, days)
    out["removal_days"] = stage_days(
        awaiting, out["removals_interior"] + out["zadvydas_releases"], days
    )
    out["interior_stay_days"] = stage_days(court + awaiting, out["admissions"], days)
    # the beds: the funded (a glide path's week included) less the border's, which the
    # interior cannot fill; the weeks in which someone was refused or released for want of one
    out["beds"] = float(weeks["beds"].mean())  # type: ignore[arg-type]
    out["interior_beds"] = out["beds"] - out["detained_border"]
    out["weeks_beds_bound"] = float(weeks["binding_beds"].sum())
    out["admissions_per_arrest"] = out["admissions"] / out["arrests"]
    out["court_share_of_admissions"] = court_exits / out["admissions"]
    out["removals_per_admission"] = out["removals_interior"] / out["admissions"]
    out.update(route_shares(weeks, out, court_exits))
    return out


def route_shares(
    weeks: pl.DataFrame, flows: dict[str, float], court_exits: float
) -> dict[str, float]:
    """Each route into removal over the year's book-ins, and the share of book-ins that enter
    the detained court docket, to set beside TRAC's 10,131 new detained court cases of July
    2025's 31,273 book-ins (docs/calibration.md, *The default run's routes into removal against
    the 2025 record*). The docket's entries are its exits plus its growth (the last week's
    detained awaiting court less the first week's): in a first year the stage fills, so its
    exits alone understate how many go to it. The arrests that take no route of their own are
    people arrested with a final order already or a case pending (the processing stage sends
    them to removal or back to court without counting a route)."""
    book_ins = flows["admissions"]
    growth = float(weeks["detained_court"][-1] - weeks["detained_court"][0])
    entries = court_exits + growth
    taken = sum(flows[name] for name in ROUTES) - flows["dismissed_to_expedited"]
    out = {f"{name}_per_admission": flows[name] / book_ins for name in ROUTES}
    out["court_entries"] = entries
    out["court_entry_share_of_admissions"] = entries / book_ins
    out["arrested_with_order_or_case"] = flows["arrests"] - taken
    out["arrested_with_order_or_case_per_admission"] = (flows["arrests"] - taken) / book_ins
    return out


def main(argv: list[str] | None = None) -> None:
    parser = _args.parser(__doc__, __file__)
    parser.add_argument("weekly", nargs="?", type=_args.file, help="a run's weekly.parquet")
    parser.add_argument(
        "fiscal_year", nargs="?", type=int, help="the year of the run to decompose (its first)"
    )
    parser.add_argument(
        "--backtest",
        nargs=2,
        type=int,
        metavar=("SEED", "FISCAL_YEAR"),
        help="run the back-test's history at SEED to FISCAL_YEAR instead, and decompose that year",
    )
    args = parser.parse_args(argv)
    if args.backtest:
        if args.weekly is not None:
            parser.error("give a weekly table or --backtest SEED FISCAL_YEAR, not both")
        # imported here: the engine runs the history; the tabulation needs only polars
        from immsim.calibration.validate import backtest_history

        seed, year = args.backtest
        weekly = backtest_history(seed, year).weekly
    elif args.weekly is None:
        parser.error("give a run's weekly table or --backtest SEED FISCAL_YEAR")
    else:
        weekly = pl.read_parquet(args.weekly)
        year = args.fiscal_year
    result = decompose(year_of(weekly, year))
    for name, value in result.items():
        per_day = f"{value / result['days']:9.1f} a day" if name in FLOWS else ""
        print(f"{name:42s} {value:12,.3f} {per_day}")


if __name__ == "__main__":
    main()
