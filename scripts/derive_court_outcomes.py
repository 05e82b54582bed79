"""Derive court parameters from the NPR detention-outcomes records, and check another (issue 20).

The records (``npr/ice-detention-outcomes.csv``, from nprapps/sanctuary-cities, commit
8382ee3b) are 6,363 immigration-court proceedings of people ICE detained or sought, with EOIR's
decision code (``decision``: tblDecCode in the EOIR lookups), custody and the dates the case was
filed and completed. From them:

- ``courts.process.relief_share_detained`` and ``relief_share_released`` (the tree's values): of
  proceedings an immigration judge decided (removed, deported, excluded, voluntary departure,
  relief granted, terminated), the share that ended in relief or termination, for people
  detained at the decision and for the others (released, or never detained: the engine's
  released docket holds both). Judges grant relief far less often in detention (0.27 against
  0.64), so one share over both (``relief_share``, 0.357, printed for comparison) would give
  the detained docket too much relief and the released one too little;
- ``courts.process.detained_voluntary_departure_share`` (the tree's 2011 value): of the decided
  proceedings of people detained at the decision, the share that ended in voluntary departure;
- ``courts.process.detained_case_weeks`` (the tree's value): the mean wait of a detained case
  until it is ready for decision, in the engine an exponential wait (a chance 1 / weeks each
  week). From the weeks between filing and decision of the decided proceedings of people
  detained at the decision: the exponential whose median is theirs, median / ln 2. Matching the
  median rather than the mean keeps the long tail out (filing can precede detention by years);
  the exponential then reproduces the quartiles too (``detained_weeks_q1``, ``_q3`` against
  ``exponential_q1``, ``_q3``: 7.6 and 30.8 weeks against 6.5 and 31.1).

Run it to check the tree against the records, or after the records change:

    python scripts/derive_court_outcomes.py ../shared/data/npr/ice-detention-outcomes.csv

Caveat kept in the leaves' notes: the sample is of 2008-2013 completions, drawn by the news
organisations that obtained it, not a random sample of EOIR's docket, and the decision code does
not mark in-absentia orders or asylum claims.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _args

DECIDED = {"X", "D", "E", "V", "R", "T"}
"""EOIR decision codes of a judge's decision on the merits: removed, deported, excluded,
voluntary departure, relief granted, terminated (tblDecCode); the rest (other, withdrawn,
blank: transfers, changes of venue, closures) did not decide the case."""
RELIEF_OR_TERMINATED = {"R", "T"}
VOLUNTARY_DEPARTURE = "V"
DAYS_PER_WEEK = 7


def _date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text.strip(), "%m/%d/%Y").date()
    except ValueError:
        return None


def court_outcomes(path: Path) -> dict[str, float]:
    """The derived values and the counts behind them, from the records at ``path``."""
    decided = relieved = detained_decided = detained_departed = detained_relieved = 0
    detained_weeks: list[float] = []
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["decision"].strip().upper()
            if code not in DECIDED:
                continue
            decided += 1
            relieved += code in RELIEF_OR_TERMINATED
            filed = _date(row["Court Filed Date"])
            done = _date(row["Court Closed / Completion Dates"])
            detained = row["Custody1"].strip().lower() == "detained"
            detained_decided += detained
            detained_relieved += detained and code in RELIEF_OR_TERMINATED
            detained_departed += detained and code == VOLUNTARY_DEPARTURE
            if detained and filed and done and done >= filed:
                detained_weeks.append((done - filed).days / DAYS_PER_WEEK)
    median = statistics.median(detained_weeks)
    q1, _, q3 = statistics.quantiles(detained_weeks, n=4)
    mean_wait = median / math.log(2)  # the exponential with the records' median
    return {
        "decided": decided,
        "relief_or_terminated": relieved,
        "relief_share": round(relieved / decided, 3),
        "detained_decided": detained_decided,
        "detained_relief_or_terminated": detained_relieved,
        "relief_share_detained": round(detained_relieved / detained_decided, 3),
        "released_decided": decided - detained_decided,
        "released_relief_or_terminated": relieved - detained_relieved,
        "relief_share_released": round(
            (relieved - detained_relieved) / (decided - detained_decided), 3
        ),
        "detained_voluntary_departures": detained_departed,
        "detained_voluntary_departure_share": round(detained_departed / detained_decided, 3),
        "detained_decided_with_dates": len(detained_weeks),
        "detained_weeks_mean": round(sum(detained_weeks) / len(detained_weeks), 1),
        "detained_weeks_median": round(median, 1),
        "detained_weeks_q1": round(q1, 1),
        "detained_weeks_q3": round(q3, 1),
        "detained_case_weeks": round(mean_wait, 1),
        "exponential_q1": round(mean_wait * math.log(4 / 3), 1),
        "exponential_q3": round(mean_wait * math.log(4), 1),
    }


def main(records: Path) -> None:
    for name, value in court_outcomes(records).items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    parser = _args.parser(__doc__, __file__)
    parser.add_argument(
        "records",
        nargs="?",
        type=_args.file,
        default="../shared/data/npr/ice-detention-outcomes.csv",
        help="NPR's detention-outcomes records (default: %(default)s)",
    )
    main(parser.parse_args().records)
