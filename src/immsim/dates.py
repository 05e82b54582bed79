"""The calendar every part of immsim counts in: weeks of the Gregorian mean year, and federal
fiscal years (October to September)."""

from __future__ import annotations

import datetime as dt

DAYS_PER_YEAR = 365.2425
"""Days in the Gregorian mean year (a flow a year and days per person make people on a day)."""
WEEKS_PER_YEAR = 52.1775
"""365.2425 / 7: weeks in the Gregorian mean year (a hazard per year becomes one per week)."""


def fiscal_year(day: dt.date) -> int:
    """The federal fiscal year ``day`` falls in (FY2017 runs from 1 October 2016)."""
    return day.year + 1 if day.month >= 10 else day.year
