"""Derive the detained docket's mean wait in the first half of 2025 from EOIR's counts (issues 19/20).

``courts.process.detained_case_weeks`` is the mean wait of a detained case until a judge decides
it (the engine's exponential wait: a chance 1 / weeks each week); bond and the beds take people
off the docket separately (``engine/stages/detention.py``). No median completion time of detained
cases for 2024-2026 was found (EOIR's adjudication statistics, table 17, were not readable), but
TRAC's reading of EOIR's case-by-case records gives the docket's stock, its inflow and its bond
releases over January-June 2025, and Little's law turns them into the wait: the decisions over
the half year are the inflow less the stock's growth less the releases, and the mean wait is the
stock's average times the period over the decisions (a decision hazard of decisions per
person-week on the docket). The cited counts, all from TRAC:

- detained people with a pending case: 19,901 at the end of December 2024, 34,821 at the end of
  June 2025 (16 July 2025);
- judges' bond grants: 540 in January 2025, 2,536 in June 2025 (16 July 2025);
- new cases not detained: 13,227 in February and 17,906 in May 2025, while the detained share of
  new cases was 42% and 35% (27 June 2025): 9,578 and 9,642 detained new cases;
- bounds on that inflow: February's 22,116 new cases at 42% (22 August 2025: 9,289) and July's
  33,769 at 30% (the same report: 10,131).

Central estimate: the inflow at February's and May's mean, the stock and the bond grants each
linear over the six months. Bounds: the most decisions (July's inflow, January's bond grants
every month) and the fewest (the lower February inflow, June's grants every month). The
estimate counts judges' bond grants only (ICE's own releases would lower the decisions, so raise
the wait) and new cases only (people re-detained with a case already pending, as after the
courthouse arrests from May 2025, would raise the inflow and so lower the wait).

Run it to check the tree's 2025 value: ``python scripts/derive_detained_docket_pace.py``.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _args

DAYS_PER_WEEK = 7
START, END = dt.date(2024, 12, 31), dt.date(2025, 6, 30)
MONTHS = 6
STOCK_START, STOCK_END = 19_901, 34_821
BOND_FIRST_MONTH, BOND_LAST_MONTH = 540, 2_536
NOT_DETAINED = {"february": 13_227, "may": 17_906}
DETAINED_SHARE = {"february": 0.42, "may": 0.35}
INFLOW_LOW = 22_116 * 0.42  # February's new cases at February's detained share
INFLOW_HIGH = 33_769 * 0.30  # July's


class Pace(NamedTuple):
    weeks: float
    decisions: float
    inflow: float
    releases: float


def detained_new_cases() -> dict[str, float]:
    """Detained new cases in February and May 2025: the cases not detained over the share not
    detained, times the share detained."""
    return {
        month: NOT_DETAINED[month] * DETAINED_SHARE[month] / (1 - DETAINED_SHARE[month])
        for month in NOT_DETAINED
    }


def wait_weeks(monthly_inflow: float, releases: float) -> Pace:
    """The mean wait for a decision, by Little's law over the half year."""
    weeks = (END - START).days / DAYS_PER_WEEK
    decisions = MONTHS * monthly_inflow - (STOCK_END - STOCK_START) - releases
    mean_stock = (STOCK_START + STOCK_END) / 2
    return Pace(mean_stock * weeks / decisions, decisions, MONTHS * monthly_inflow, releases)


def derive() -> dict[str, Pace]:
    """The central estimate and the two bounds."""
    months = detained_new_cases()
    inflow = sum(months.values()) / len(months)
    return {
        "central": wait_weeks(inflow, MONTHS * (BOND_FIRST_MONTH + BOND_LAST_MONTH) / 2),
        "low": wait_weeks(INFLOW_HIGH, MONTHS * BOND_FIRST_MONTH),
        "high": wait_weeks(INFLOW_LOW, MONTHS * BOND_LAST_MONTH),
    }


def main() -> None:
    for name, pace in derive().items():
        print(
            f"{name:8} {pace.weeks:5.1f} weeks  (inflow {pace.inflow:,.0f}, "
            f"bond releases {pace.releases:,.0f}, decisions {pace.decisions:,.0f})"
        )


if __name__ == "__main__":
    _args.parser(__doc__, __file__).parse_args()
    main()
