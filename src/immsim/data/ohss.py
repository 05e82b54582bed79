"""DHS's Office of Homeland Security Statistics, "Immigration Enforcement and Legal Processes
Monthly Tables": one reader for the sheets the derivation scripts use.

Each sheet lists fiscal years as a "Total" row (the year in the first column, "2024 YTD" for a
year still running) followed by its twelve month rows ("October" ... "September") in the second
column; counts are rounded to tens, "X" means not applicable and "-" zero. The scripts that
derive the border's releases, MPP's cases and ICE's releases of its own arrestees from the
workbook (``scripts/derive_border_single_adult_releases.py``, ``scripts/derive_mpp_returns.py``,
``scripts/derive_ice_arrestee_releases.py``) read it here, so that the layout is understood in
one place. The workbook is not vendored: a script takes its path.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl

MONTHS = (
    "October",
    "November",
    "December",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
)
"""A fiscal year's months in the sheets' order."""

Counts = dict[str, float]

BOOK_OUTS_SHEET = "ICE Book-Outs by Arrest Agency"
BOOK_OUTS_ICE = {
    "total": 18,
    "removal": 19,
    "supervision": 20,
    "bond": 21,
    "recognizance": 22,
    "paroled": 23,
    "relief": 24,
    "other": 25,
}
"""Columns (0-based) of that sheet's ICE block (initial arresting agency ICE) by book-out
reason, read by ``scripts/derive_ice_arrestee_releases.py`` (the tree's releases) and
``scripts/monthly_against_record.py`` (the comparison by month)."""


def number(cell: Any) -> float:
    """A cell's count: OHSS writes '-' for zero and 'X' for not applicable (both 0 here)."""
    if cell is None or isinstance(cell, str):
        return 0.0
    return float(cell)


def month_of(fiscal_year: int, name: str) -> dt.date:
    """The first day of a fiscal year's month: October to December fall in the year before."""
    index = MONTHS.index(name)
    year = fiscal_year - 1 if index < 3 else fiscal_year
    return dt.date(year, (index + 9) % 12 + 1, 1)


def read_sheet(
    path: Path, sheet: str, columns: dict[str, int]
) -> tuple[dict[dt.date, Counts], dict[int, Counts]]:
    """The sheet's chosen columns (0-based) by month (first of the month) and by complete fiscal
    year (its "Total" rows; a year still running, "2024 YTD", is left out of the years but its
    months are kept). Rows too short to hold every column are skipped."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    months: dict[dt.date, Counts] = {}
    years: dict[int, Counts] = {}
    fiscal = 0
    widest = max(columns.values())
    for row in workbook[sheet].iter_rows(values_only=True):
        if len(row) <= widest:
            continue
        if row[1] == "Total" and row[0] is not None:
            fiscal = int(str(row[0])[:4])
            if str(row[0]).strip().isdigit():
                years[fiscal] = {k: number(row[c]) for k, c in columns.items()}
            continue
        if fiscal and isinstance(row[1], str) and row[1].strip() in MONTHS:
            months[month_of(fiscal, row[1].strip())] = {
                k: number(row[c]) for k, c in columns.items()
            }
    return months, years
