"""Records in the wild (issue 25): files cut off, layouts we did not know, tables side by side,
titles that change from year to year. Real files where present, generated ones in their layouts."""

from __future__ import annotations

import json
from pathlib import Path

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


def test_cli_summary_json_has_no_system_tables(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from immsim.cli import main

    path = tmp_path / "removals.csv"
    path.write_text(REMOVAL_HEADER + removal_row(), encoding="utf-8")
    assert main(["data", "ingest", str(path), "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    assert main(["data", "summarize", str(tmp_path / "out"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tables"] == ["removal"]
