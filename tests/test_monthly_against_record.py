"""scripts/monthly_against_record.py: the back-test's months beside DHS's monthly record
(issues 19/20).

The record columns are OHSS's workbook cells and ICE's workbooks' cells, checked here by hand;
the run columns are a made-up weekly table spread over calendar months by hand. OHSS's
workbook is not vendored: its path is ``IMMSIM_OHSS_WORKBOOK`` (default
``/tmp/ohss/aug2024.xlsx``), and the test that reads it skips loudly without it."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import polars as pl
import pytest
from script_modules import load_script

WORKBOOK = Path(os.environ.get("IMMSIM_OHSS_WORKBOOK", "/tmp/ohss/aug2024.xlsx"))


def test_the_record_months_are_the_ohss_cells() -> None:
    """OHSS, August 2024 edition, February 2021 (under the interim priorities): ERO made 2,450
    arrests, ICE booked in 1,980 of its own arrestees, and of ICE's arrestees booked out 2,010
    were removed and 530 + 460 + 510 + 10 = 1,510 released (supervision, bond, recognizance,
    parole). October 2020: 7,420 arrests, 6,800 book-ins. FY2022's months add up to the
    year's 142,750 arrests within the rounding to tens."""
    if not WORKBOOK.is_file():
        pytest.skip(f"SKIPPED: OHSS's workbook not found at {WORKBOOK} (IMMSIM_OHSS_WORKBOOK)")
    script = load_script("monthly_against_record")
    record = script.record_months(WORKBOOK)
    feb = record[dt.date(2021, 2, 1)]
    assert feb["arrests"] == 2_450
    assert feb["book_ins"] == 1_980
    assert feb["removal"] == 2_010
    assert feb["releases"] == 1_510
    oct20 = record[dt.date(2020, 10, 1)]
    assert (oct20["arrests"], oct20["book_ins"]) == (7_420, 6_800)
    fy22 = sum(record[m]["arrests"] for m in script.fiscal_months(2022, 2022))
    assert abs(fy22 - 142_750) <= 60


def test_the_workbook_months_are_ices_adp(shared_data: Path) -> None:
    """ICE's FY2021 workbook: 12,490 of ICE's arrestees held on an average October 2020 day
    (the figure docs/calibration.md's covid28 quotes) and 6,254 of CBP's; FY2023's workbook,
    November 2022: 21,711 of CBP's."""
    if not (shared_data / "ice_detention_stats").is_dir():
        pytest.skip(f"SKIPPED: {shared_data / 'ice_detention_stats'} not found")
    adp = load_script("monthly_against_record").workbook_adp(shared_data)
    assert adp[dt.date(2020, 10, 1)]["ice"] == pytest.approx(12_490, abs=1)
    assert adp[dt.date(2020, 10, 1)]["cbp"] == pytest.approx(6_254, abs=1)
    assert adp[dt.date(2022, 11, 1)]["cbp"] == pytest.approx(21_711, abs=1)
    assert min(adp) == dt.date(2019, 10, 1) and max(adp) == dt.date(2023, 9, 1)


def test_a_week_across_two_months_is_split_by_its_days() -> None:
    """Two weeks: from Thursday 28 January 2021 (four days in January, three in February) and
    from 4 February. 70 arrests a week: January 4 x 10 = 40, February 3 x 10 + 70 = 100. The
    interior's detained, 150 the first week and 300 the second: January's average is 150,
    February's (3 x 150 + 7 x 300) / 10 = 255. Releases are bond + recognizance + beds short +
    Zadvydas: (7 + 7 + 7 + 7) a week, 16 in January."""
    script = load_script("monthly_against_record")
    weekly = pl.DataFrame(
        {
            "date": [dt.date(2021, 1, 28), dt.date(2021, 2, 4)],
            "arrests": [70.0, 70.0],
            "admissions": [35.0, 0.0],
            "refused_bed": [0.0, 14.0],
            "removals_interior": [0.0, 7.0],
            "bond_releases": [7.0, 7.0],
            "recognizance_releases": [7.0, 7.0],
            "capacity_releases": [7.0, 7.0],
            "zadvydas_releases": [7.0, 7.0],
            "detained_court": [100.0, 300.0],
            "detained_removal": [50.0, 0.0],
            "detained_border": [10.0, 10.0],
        }
    )
    months = script.run_months(weekly)
    jan, feb = months[dt.date(2021, 1, 1)], months[dt.date(2021, 2, 1)]
    assert jan["arrests"] == pytest.approx(40)
    assert feb["arrests"] == pytest.approx(100)
    assert jan["book_ins"] == pytest.approx(20)
    assert feb["refused"] == pytest.approx(14)
    assert jan["releases"] == pytest.approx(16)
    assert jan["detained"] == pytest.approx(150)
    assert feb["detained"] == pytest.approx(255)
    assert feb["border"] == pytest.approx(10)
