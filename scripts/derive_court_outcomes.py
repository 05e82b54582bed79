"""Derive court parameters from the NPR detention-outcomes records, and check another (issue 20).

The records (``npr/ice-detention-outcomes.csv``, from nprapps/sanctuary-cities, commit
8382ee3b) are 6,363 immigration-court proceedings of people ICE detained or sought, with EOIR's
decision code (``decision``: tblDecCode in the EOIR lookups), custody and the dates the case was
filed and completed. From them:

- ``courts.process.relief_share`` (the tree's value): of proceedings an immigration judge decided
  (removed, deported, excluded, voluntary departure, relief granted, terminated), the share that
  ended in relief or termination;
- the weeks from filing to decision of the decided proceedings of people detained, mean and
  median. They are a check, not the tree's value: ``courts.process.detained_case_weeks`` is
  fitted, because the mean (25 weeks) rests on a long tail (filing can precede detention) and the
  FY2012-FY2016 targets exclude it, while their interval holds the median (about 14 weeks).

Run it to check the tree against the records, or after the records change:

    python scripts/derive_court_outcomes.py ../shared/data/npr/ice-detention-outcomes.csv

Caveat kept in the leaves' notes: the sample is of 2008-2013 completions, drawn by the news
organisations that obtained it, not a random sample of EOIR's docket, and the decision code does
not mark in-absentia orders or asylum claims.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

DECIDED = {"X", "D", "E", "V", "R", "T"}
"""EOIR decision codes of a judge's decision on the merits: removed, deported, excluded,
voluntary departure, relief granted, terminated (tblDecCode); the rest (other, withdrawn,
blank: transfers, changes of venue, closures) did not decide the case."""
RELIEF_OR_TERMINATED = {"R", "T"}
DAYS_PER_WEEK = 7


def _date(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text.strip(), "%m/%d/%Y").date()
    except ValueError:
        return None


def court_outcomes(path: Path) -> dict[str, float]:
    """The two derived values and the counts behind them, from the records at ``path``."""
    decided = relieved = 0
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
            if row["Custody1"].strip().lower() == "detained" and filed and done and done >= filed:
                detained_weeks.append((done - filed).days / DAYS_PER_WEEK)
    detained_weeks.sort()
    middle = len(detained_weeks) // 2
    median = (
        detained_weeks[middle]
        if len(detained_weeks) % 2
        else (detained_weeks[middle - 1] + detained_weeks[middle]) / 2
    )
    return {
        "decided": decided,
        "relief_or_terminated": relieved,
        "relief_share": round(relieved / decided, 3),
        "detained_decided_with_dates": len(detained_weeks),
        "detained_weeks_mean": round(sum(detained_weeks) / len(detained_weeks), 1),
        "detained_weeks_median": round(median, 1),
    }


if __name__ == "__main__":
    source = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/npr/ice-detention-outcomes.csv"
    for name, value in court_outcomes(Path(source)).items():
        print(f"{name}: {value}")
