"""The reader of OHSS's monthly tables (``immsim.data.ohss``), on a workbook written here in the
sheets' layout: a fiscal year's "Total" row, then its months, "X" and "-" cells, a year still
running ("2024 YTD") and a short note row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from immsim.data import ohss


def _workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "ICE Book-Outs by Arrest Agency"
    sheet.append(["Return to Table of Contents."])
    sheet.append(["Fiscal Year", "Month", "Total", "Bonded Out"])
    sheet.append([2021, "Total", 300, 30])
    sheet.append([None, "October", 100, "-"])
    sheet.append([None, "January ", 120, 20])
    sheet.append([None, "September", 80, "X"])
    sheet.append(["2024 YTD", "Total", 50, 5])
    sheet.append([None, "November", 50, 5])
    sheet.append(["Note: rounded to the nearest ten"])
    out = path / "tables.xlsx"
    workbook.save(out)
    return out


def test_months_fall_in_their_calendar_year_and_marks_read_as_zero(tmp_path: Path) -> None:
    months, years = ohss.read_sheet(
        _workbook(tmp_path), "ICE Book-Outs by Arrest Agency", {"total": 2, "bond": 3}
    )
    assert months == {
        dt.date(2020, 10, 1): {"total": 100.0, "bond": 0.0},
        dt.date(2021, 1, 1): {"total": 120.0, "bond": 20.0},
        dt.date(2021, 9, 1): {"total": 80.0, "bond": 0.0},
        dt.date(2023, 11, 1): {"total": 50.0, "bond": 5.0},
    }
    assert years == {2021: {"total": 300.0, "bond": 30.0}}  # the running year left out


def test_month_of_places_october_to_december_in_the_year_before() -> None:
    assert ohss.month_of(2022, "October") == dt.date(2021, 10, 1)
    assert ohss.month_of(2022, "December") == dt.date(2021, 12, 1)
    assert ohss.month_of(2022, "January") == dt.date(2022, 1, 1)
    assert ohss.month_of(2022, "September") == dt.date(2022, 9, 1)
