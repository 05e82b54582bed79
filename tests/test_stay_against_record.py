"""scripts/stay_against_record.py: the run's stays beside the record's (issues 19/20/21).

The script's record columns are the workbooks' cells and the compilation's rows, checked here by
hand; its run columns are Little's law over a made-up year."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from script_modules import load_script


def test_the_record_by_agency_is_the_workbooks_cells(shared_data: Path) -> None:
    """FY2021's workbook: ICE's arrestees stayed 71.43 days over the year's book-outs (as
    detention.record.interior_length_of_stay has it), 7,573 held on an average day, 45,680
    booked in: 7,573 / 45,680 x 365 = 60.5 days by Little's law. CBP's FY2022: 16,919 held."""
    if not (shared_data / "ice_detention_stats").is_dir():
        pytest.skip(f"SKIPPED: {shared_data / 'ice_detention_stats'} not found")
    record = load_script("stay_against_record").workbook_record(shared_data)
    assert sorted(record) == [2019, 2020, 2021, 2022, 2023]
    fy21 = record[2021]
    assert fy21["ice_alos"] == pytest.approx(71.43, abs=0.01)
    assert fy21["ice_adp"] == pytest.approx(7_573, abs=1)
    assert fy21["ice_book_ins"] == 45_680
    assert fy21["ice_little"] == pytest.approx(7_573 / 45_680 * 365, rel=1e-3)
    assert record[2022]["cbp_adp"] == pytest.approx(16_919, abs=1)


def test_the_compiled_totals_are_the_files_rows(shared_data: Path) -> None:
    """history/detention.csv (old-Mac line endings, quoted thousands): FY2012's 477,523
    book-ins, 34,260 held on an average day, 26.6 days; FY2017's 43.7 days."""
    if not (shared_data / "history" / "detention.csv").is_file():
        pytest.skip(f"SKIPPED: {shared_data / 'history' / 'detention.csv'} not found")
    totals = load_script("stay_against_record").compiled_record(shared_data)
    assert totals[2012] == {"all_book_ins": 477_523, "all_adp": 34_260, "all_alos": 26.6}
    assert totals[2017]["all_alos"] == 43.7


def test_the_runs_stay_is_littles_law_by_hand() -> None:
    """A made-up fiscal year of 52 weeks: 100 book-ins a week, 1,000 awaiting court and 400
    awaiting removal every week: 1,400 held over 100 / 7 a day = 98 days. The court stage is
    left by 60 decisions and 10 releases a week (70 / 7 a day): 1,000 / 10 = 100 days; the
    removal stage by 40 removals a week: 400 / (40 / 7) = 70 days. A year of 51 weeks is left
    out (not whole)."""
    script = load_script("stay_against_record")
    names = script.decompose_first_year.FLOWS
    n = 52
    columns: dict[str, list[float]] = {name: [0.0] * n for name in names}
    columns.update(
        fiscal_year=[2019.0] * n,
        arrests=[120.0] * n,
        admissions=[100.0] * n,
        completions_detained=[60.0] * n,
        bond_releases=[10.0] * n,
        removals_interior=[40.0] * n,
        detained_court=[1_000.0] * n,
        detained_removal=[400.0] * n,
        detained_border=[300.0] * n,
        detained=[1_700.0] * n,
        beds=[2_000.0] * n,
        binding_beds=[0.0] * n,
    )
    year = pl.DataFrame(columns).with_columns(pl.col("fiscal_year").cast(pl.Int64))
    short = year.head(51).with_columns(pl.lit(2020, dtype=pl.Int64).alias("fiscal_year"))
    out = script.run_years(pl.concat([year, short]))
    assert list(out) == [2019]
    assert out[2019]["interior"] == 1_400
    assert out[2019]["stay"] == pytest.approx(98)
    assert out[2019]["court_days"] == pytest.approx(100)
    assert out[2019]["removal_days"] == pytest.approx(70)
    assert out[2019]["border"] == 300
