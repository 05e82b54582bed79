"""Records in the wild (issue 25): files cut off, layouts we did not know, tables side by side,
titles that change from year to year. Real files where present, generated ones in their layouts."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import polars as pl
import pytest

from immsim.data.ingest import ingest
from immsim.data.summarize import summarize

REMOVAL_HEADER = (
    "Departed Date,Date of Birth,Gender,Country of Citizenship,Event Number,"
    "Most Serious Conviction,Case Category\n"
)
LABEL = "[8C] Excludable / Inadmissible - Administrative Final Order Issued"


def removal_row(date: str = "1/3/2012", label: str = LABEL) -> str:
    return f'{date},"(b)(6)",Male,MEXICO,(b)(7)(E),,{label}\n'


def real(shared_data: Path, *parts: str) -> Path:
    path = shared_data.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"SKIPPED: {path} not found")
    return path


def workbooks(shared_data: Path) -> list[Path]:
    folder = shared_data / "ice_detention_stats"
    found = sorted(folder.glob("*.xlsx"))
    if not found:
        pytest.skip(f"SKIPPED: no workbooks in {folder}")
    return found


# --- summarize ------------------------------------------------------------------------------


def test_summary_lists_only_the_ingested_tables(tmp_path: Path) -> None:
    path = tmp_path / "removals.csv"
    path.write_text(REMOVAL_HEADER + removal_row() * 3, encoding="utf-8")
    ingest([path], tmp_path / "out")
    summary = summarize(tmp_path / "out")
    assert summary["tables"] == ["removal"]


# --- a file cut off mid-row -----------------------------------------------------------------


@pytest.mark.parametrize("cut", [1, 10, len(LABEL) - 1])
@pytest.mark.parametrize("gzipped", [False, True])
def test_a_last_row_cut_off_is_rejected_not_ingested(
    tmp_path: Path, cut: int, gzipped: bool
) -> None:
    text = REMOVAL_HEADER + removal_row() * 4 + removal_row(date="1/4/2012").rstrip("\n")
    text = text[: len(text) - cut]  # the last label loses its end, and the file its last line end
    path = tmp_path / ("removals.csv.gz" if gzipped else "removals.csv")
    raw = text.encode()
    path.write_bytes(gzip.compress(raw) if gzipped else raw)
    (report,) = ingest([path], tmp_path / "out")
    assert report.rows_read == 5
    assert report.rows_written == 4
    assert report.rows_read == report.rows_written + report.rows_rejected
    (rejected,) = report.rejected
    assert rejected["row"] == 6
    assert "cut off" in rejected["reason"]
    assert rejected["value"].startswith("1/4/2012")
    frame = pl.read_parquet(tmp_path / "out" / "removal")
    assert set(frame["case_category"]) == {LABEL.split("] ")[1]}
    assert frame["event_date"].max().isoformat() == "2012-01-03"  # type: ignore[union-attr]


def test_a_complete_file_keeps_its_last_row(tmp_path: Path) -> None:
    path = tmp_path / "removals.csv"
    path.write_text(REMOVAL_HEADER + removal_row() * 4, encoding="utf-8")
    (report,) = ingest([path], tmp_path / "out")
    assert report.rows_written == 4 and report.rows_rejected == 0


def test_a_headcount_cut_off_mid_row_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "headcount.csv"
    path.write_text("detention_facility_code|n|date\nABC|3|2020-01-01\nABC|12|2020-01-0", "utf-8")
    (report,) = ingest([path], tmp_path / "out")
    assert (report.rows_read, report.rows_written, report.rows_rejected) == (2, 1, 1)
    assert "cut off" in report.rejected[0]["reason"]


def test_a_short_last_row_is_rejected_once(tmp_path: Path) -> None:
    path = tmp_path / "removals.csv"
    path.write_text(REMOVAL_HEADER + removal_row() * 2 + "1/5/2012,", encoding="utf-8")
    (report,) = ingest([path], tmp_path / "out")
    assert (report.rows_read, report.rows_written, report.rows_rejected) == (3, 2, 1)


def test_cli_summary_json_has_no_system_tables(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from immsim.cli import main

    path = tmp_path / "removals.csv"
    path.write_text(REMOVAL_HEADER + removal_row(), encoding="utf-8")
    assert main(["data", "ingest", str(path), "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    assert main(["data", "summarize", str(tmp_path / "out"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tables"] == ["removal"]
