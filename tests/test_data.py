"""Ingesting published layouts: real files where present, generated files in the same layouts,
and bad input (truncated, wrong encoding, unknown codes, missing columns, moved tables)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from record_examples import workbook_arrest_row

from immsim.cli import main
from immsim.data.ingest import detect, ingest
from immsim.data.schema import SCHEMAS
from immsim.data.summarize import summarize
from immsim.errors import InputError

PREAMBLE = (
    "ERO-LESA Statistical Tracking Unit,,,,,,\n"
    "For Official Use Only (FOUO)/Pre-decisional,,,,,,\n"
    ",,,,,,\n"
    "FY2020 ICE Administrative Arrests for the Houston Area of Responsibility,,,,,,\n"
)
ARREST_HEADER = (
    "Apprehension Date,Apprehension State,Apprehension AOR,Apprehension Method,"
    "Apprehension Criminality,Case Category,Final Order Yes No,Citizenship Country,Gender,"
    "Unique Identifier\n"
)


def arrest_row(
    date: str = "10/15/2019",
    method: str = "CAP Local Incarceration",
    crim: str = "1 Convicted Criminal",
    country: str = "MEXICO",
) -> str:
    return (
        f'{date},TX,HOU,{method},{crim},[16] Reinstated Final Order,YES,{country},Male,"(b)(6)"\n'
    )


def real(shared_data: Path, *parts: str) -> Path:
    path = shared_data.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"SKIPPED: {path} not found")
    return path


# --- real files -------------------------------------------------------------------------------


def test_seattle_removals(shared_data: Path, tmp_path: Path) -> None:
    files = [
        real(shared_data, "uwchr", "SeattleAOROtherRemovals.csv"),
        real(shared_data, "uwchr", "SeattleAORExpeditedRemovals.csv"),
    ]
    reports = ingest(files, tmp_path / "out")
    data_rows = sum(len(f.read_text().splitlines()) - 7 for f in files)  # 7 preamble + header lines
    assert sum(r.rows_read for r in reports) == data_rows
    assert sum(r.rows_written + r.rows_rejected for r in reports) == data_rows
    frame = pl.read_parquet(tmp_path / "out" / "removal")
    assert frame.height == sum(r.rows_written for r in reports)
    assert set(frame["aor"].unique()) == {"SEA"}
    assert set(frame["fiscal_year"].unique()) == set(range(2012, 2020))
    # identifiers and birth dates in the release are never read
    assert set(frame.columns) == set(SCHEMAS["removal"])
    expedited = frame.filter(pl.col("source_file") == "SeattleAORExpeditedRemovals.csv")
    assert (expedited["removal_kind"] == "expedited").mean() > 0.95  # type: ignore[operator]
    assert 0 < (frame["criminality"] == "convicted").mean() < 1  # type: ignore[operator]


def test_detention_workbooks_cross_check(shared_data: Path, tmp_path: Path) -> None:
    files = [
        real(shared_data, "ice_detention_stats", f"FY{y}-detentionstats.xlsx") for y in (19, 20, 21)
    ]
    ingest(files, tmp_path / "out")
    figures = real(shared_data, "published_figures.csv")
    summary = summarize(tmp_path / "out", figures)
    checks = {(c["metric"], c["fiscal_year"]): c for c in summary["cross_check"]}
    assert checks[("ice_removals_total", 2019)]["difference"] == 0
    assert abs(checks[("ice_detention_adp", 2019)]["relative"]) < 1e-3
    stats = pl.read_parquet(tmp_path / "out" / "published_stats")
    tables = set(stats["table"].unique())
    for wanted in (
        "book_ins_by_agency_month",
        "adp_by_agency_month_criminality",
        "alos_by_agency_month_criminality",
        "releases_by_reason",
        "removals",
        "atd_by_status",
    ):
        assert wanted in tables
    # each table carries its own year: the FY21 workbook holds one FY2022-to-date table
    assert {2019, 2020, 2021} <= set(stats["fiscal_year"].unique())


def test_headcount_series(shared_data: Path, tmp_path: Path) -> None:
    path = real(shared_data, "uwchr", "inc_headcount_fy12-24ytd.csv.gz")
    (report,) = ingest([path], tmp_path / "out")
    assert report.rows_rejected == 0 and report.rows_written > 500_000
    figures = real(shared_data, "published_figures.csv")
    checks = {
        (c["metric"], c["fiscal_year"]): c
        for c in summarize(tmp_path / "out", figures)["cross_check"]
    }
    for year in (2014, 2016, 2018):
        assert abs(checks[("ice_detention_adp_from_headcount", year)]["relative"]) < 0.1


# --- generated files in the published layouts -----------------------------------------------------


def test_arrests_layout_with_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "arrests.csv"
    path.write_text(
        PREAMBLE
        + ARREST_HEADER
        + arrest_row()
        + arrest_row(method="287(g) Program", crim="2 Pending Criminal Charges")
        + arrest_row(date="13/45/2019")  # row 3: bad date
        + arrest_row(method="Teleportation")  # row 4: unknown method
        + arrest_row(crim="Mostly Harmless")  # row 5: unknown criminality
        + arrest_row(method="Located", crim="3 Other Immigration Violator")
        + "10/16/2019,TX,HOU\n",  # truncated last line
        encoding="utf-8",
    )
    assert detect(path) == "lesa_arrests"
    (report,) = ingest([path], tmp_path / "out")
    assert report.rows_read == 7
    assert report.rows_written == 3
    reasons = {r["reason"] for r in report.rejected}
    assert reasons == {
        "bad or missing date",
        "unknown arrest method",
        "unknown criminality",
        "expected 10 columns, found 3",
    }
    rows = {r["reason"]: r["row"] for r in report.rejected}
    assert rows["bad or missing date"] == 8  # line numbers in the file: 4 preamble + header
    assert rows["unknown arrest method"] == 9
    assert rows["expected 10 columns, found 3"] == 12
    frame = pl.read_parquet(tmp_path / "out" / "arrest")
    assert frame["channel"].to_list() == ["jail", "287g", "at_large"]
    assert frame["criminality"].to_list() == ["convicted", "pending_charges", "other_violator"]
    assert frame["fiscal_year"].to_list() == [2020, 2020, 2020]
    assert "Unique Identifier" not in frame.columns
    saved = json.loads((tmp_path / "out" / "reports" / "arrests.json").read_text())
    assert saved["rows_rejected"] == 4


def test_windows_encoding_is_read_and_noted(tmp_path: Path) -> None:
    path = tmp_path / "arrests.csv"
    text = PREAMBLE + ARREST_HEADER + arrest_row(country="CÔTE D'IVOIRE")
    path.write_bytes(text.encode("cp1252"))
    (report,) = ingest([path], tmp_path / "out")
    assert any("cp1252" in note for note in report.notes)
    frame = pl.read_parquet(tmp_path / "out" / "arrest")
    assert frame["citizenship_country"].to_list() == ["CÔTE D'IVOIRE"]


def test_failures_leave_nothing(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(PREAMBLE + ARREST_HEADER + arrest_row() * 50, encoding="utf-8")
    truncated = tmp_path / "cut.csv.gz"
    blob = gzip.compress((ARREST_HEADER + arrest_row() * 5000).encode())
    truncated.write_bytes(blob[: len(blob) // 2])
    out = tmp_path / "out"
    with pytest.raises(InputError, match=r"cut\.csv\.gz"):
        ingest([good, truncated], out)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.csv.gz", "good.csv"]


def test_missing_columns_and_unknown_layouts(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Apprehension Date,Gender\n10/1/2019,Male\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown layout"):
        ingest([path], tmp_path / "out")
    other = tmp_path / "b.txt"
    other.write_text("hello\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown layout"):
        detect(other)
    with pytest.raises(InputError, match="no such file"):
        detect(tmp_path / "missing.csv")


def _workbook(path: Path, title_row: int, title_col: int, sheet: str, bad: bool = False) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.cell(1, 1, "U.S. Immigration and Customs Enforcement")
    r, c = title_row, title_col
    ws.cell(r, c, "ICE Removals: FY2022 YTD")
    ws.cell(r + 1, c + 2, "Removals")
    ws.cell(r + 2, c, "Total")
    ws.cell(r + 2, c + 2, "n/a" if bad else 72177)
    ws.cell(r + 3, c, "Removals with a FRC Detention")
    ws.cell(r + 3, c + 2, 12)
    ws.cell(r, c + 5, "ICE Initial Book-Ins by Arresting Agency and Month: FY2022 YTD")
    ws.cell(r + 1, c + 5, "Agency")
    for i, month in enumerate(("Oct", "Nov", "Dec")):
        ws.cell(r + 1, c + 6 + i, month)
        ws.cell(r + 2, c + 6 + i, 100 + i)
    ws.cell(r + 2, c + 5, "Total")
    book.save(path)


@pytest.mark.parametrize(("row", "col", "sheet"), [(5, 1, "Detention FY22"), (40, 7, "Data")])
def test_workbook_tables_are_found_wherever_they_moved(
    tmp_path: Path, row: int, col: int, sheet: str
) -> None:
    path = tmp_path / "FY22.xlsx"
    _workbook(path, row, col, sheet)
    assert detect(path) == "ice_detention_stats"
    ingest([path], tmp_path / "out")
    stats = pl.read_parquet(tmp_path / "out" / "published_stats")
    removals = stats.filter(pl.col("table") == "removals")
    assert dict(zip(removals["row_label"], removals["value"], strict=True)) == {
        "Total": 72177.0,
        "Removals with a FRC Detention": 12.0,
    }
    book_ins = stats.filter(pl.col("table") == "book_ins_by_agency_month")
    assert book_ins["value"].to_list() == [100.0, 101.0, 102.0]
    assert set(stats["fiscal_year"]) == {2022}


def test_workbook_stray_text_is_rejected_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "FY22.xlsx"
    _workbook(path, 5, 1, "Detention", bad=True)
    (report,) = ingest([path], tmp_path / "out")
    assert report.rows_rejected == 1
    assert report.rejected[0]["value"].endswith("n/a")


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="cannot open as an Excel workbook"):
        ingest([path], tmp_path / "out")


# --- fuzzing ---------------------------------------------------------------------------------

cell = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=12
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(cell, min_size=0, max_size=12), max_size=15))
def test_fuzzed_rows_are_read_or_rejected(tmp_path: Path, rows: list[list[str]]) -> None:
    import csv
    import io
    import uuid

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
    path = tmp_path / f"{uuid.uuid4().hex}.csv"
    path.write_text(PREAMBLE + ARREST_HEADER + buffer.getvalue(), encoding="utf-8")
    out = tmp_path / f"out-{path.stem}"
    try:
        (report,) = ingest([path], out)
    except InputError:
        assert not out.exists()
        return
    assert report.rows_read == report.rows_written + report.rows_rejected
    frame = pl.read_parquet(out / "arrest")
    assert frame.height == report.rows_written


# --- command line -----------------------------------------------------------------------------


def test_cli_ingest_and_summarize(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "arrests.csv"
    path.write_text(
        PREAMBLE + ARREST_HEADER + arrest_row() * 3 + arrest_row(method="?"), encoding="utf-8"
    )
    out = tmp_path / "out"
    assert main(["data", "ingest", str(path), "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["files"][0]["rows_written"] == 3 and data["files"][0]["rows_rejected"] == 1
    assert main(["data", "summarize", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["arrest"]["yearly"] == [{"fiscal_year": 2020, "events": 3}]
    assert summary["arrest"]["by_channel"][0]["level"] == "jail"
    assert main(["data", "ingest", str(path), "--out", str(out)]) == 2  # exists
    assert "already exists" in capsys.readouterr().err
    assert main(["data", "summarize", str(tmp_path / "nothing")]) == 2
    assert main(["data", "fetch", "--list"]) == 0
    assert "seattle-removals" in capsys.readouterr().out
    assert main(["data", "fetch", "no-such-source"]) == 2


# --- EOIR proceedings ----------------------------------------------------------------------------

EOIR_HEADER = [
    "IDNPROCEEDING",
    "IDNCASE",
    "OSC_DATE",
    "INPUT_DATE",
    "BASE_CITY_CODE",
    "HEARING_LOC_CODE",
    "IJ_CODE",
    "DEC_TYPE",
    "DEC_CODE",
    "OTHER_COMP",
    "COMP_DATE",
    "ABSENTIA",
    "CUSTODY",
    "CASE_TYPE",
    "NAT",
    "LANG",
]


def eoir_row(**values: str) -> str:
    base = {
        "IDNPROCEEDING": "1001",
        "IDNCASE": "501",
        "OSC_DATE": "2017-03-01 00:00:00",
        "INPUT_DATE": "2017-03-02",
        "BASE_CITY_CODE": "sea",
        "HEARING_LOC_CODE": "TAC",
        "IJ_CODE": "XYZ",
        "DEC_TYPE": "O",
        "DEC_CODE": "X",
        "OTHER_COMP": "",
        "COMP_DATE": "2018-11-15",
        "ABSENTIA": "N",
        "CUSTODY": "D",
        "CASE_TYPE": "RMV",
        "NAT": "MX",
        "LANG": "SP",
    }
    base.update(values)
    return "\t".join(base[h] for h in EOIR_HEADER) + "\n"


def test_eoir_proceedings(tmp_path: Path) -> None:
    path = tmp_path / "B_TblProceeding.csv"
    path.write_text(
        "\t".join(EOIR_HEADER)
        + "\n"
        + eoir_row()
        + eoir_row(COMP_DATE="", DEC_CODE="", CUSTODY="N")  # pending
        + eoir_row(CASE_TYPE="ZZZ")  # line 4: unknown case type
        + eoir_row(OSC_DATE="yesterday")  # line 5
        + eoir_row(DEC_CODE="Q")  # line 6
        + eoir_row(ABSENTIA="Y", CUSTODY="N", DEC_CODE="X", COMP_DATE="2019-01-10")
        + "2001\t9\t2017-01-01\n",  # truncated
        encoding="utf-8",
    )
    assert detect(path) == "eoir_proceedings"
    (report,) = ingest([path], tmp_path / "out")
    assert report.rows_read == 7 and report.rows_written == 3
    rows = {r["reason"]: r["row"] for r in report.rejected}
    assert rows == {
        "unknown case type": 4,
        "bad filing date": 5,
        "unknown decision code": 6,
        "expected 16 columns, found 3": 8,
    }
    frame = pl.read_parquet(tmp_path / "out" / "court_case")
    assert "IDNCASE" not in frame.columns and "idncase" not in frame.columns
    assert frame["decision"].to_list() == ["removed", None, "removed"]
    assert frame["custody"].to_list() == ["detained", "never detained", "never detained"]
    assert frame["in_absentia"].to_list() == [False, False, True]
    assert frame["fiscal_year"].to_list() == [2019, 2017, 2019]
    assert frame["court"].to_list() == ["SEA", "SEA", "SEA"]
    summary = summarize(tmp_path / "out")
    pending = {
        r["fiscal_year"]: r["cases"] for r in summary["court_case"]["pending_at_fiscal_year_end"]
    }
    assert pending[2017] == 3  # all three filed in FY2017, none completed by its end
    assert pending[2019] == 1  # only the case never completed


def test_detainers_layout_is_told_apart_from_removals(tmp_path: Path) -> None:
    header = (
        "Detainer Prepare Date,Facility State,Facility AOR,Port of Departure,Departure Country,"
        "Departed Date,Case Status,Detainer Prepared Criminality,Detainer Facility,Gender,"
        "Citizenship Country,Birth Date,Apprehension Method,Detainer Lift Reason,Anonymized Identifier\n"
    )

    def row(date: str = "2/3/2019", crim: str = "1 Convicted Criminal", lift: str = "") -> str:
        return (
            f"{date},WA,SEA,,,,Active,{crim},KING COUNTY JAIL,Male,MEXICO,(b)(6),"
            f"CAP Local Incarceration,{lift},(b)(6)\n"
        )

    path = tmp_path / "detainers.csv"
    path.write_text(
        PREAMBLE
        + header
        + row()
        + row(crim="3 Other Immigration Violator", lift="Released")
        + row(crim="??"),
        encoding="utf-8",
    )
    assert detect(path) == "lesa_detainers"
    (report,) = ingest([path], tmp_path / "out")
    assert report.rows_written == 2 and report.rejected[0]["reason"] == "unknown criminality"
    frame = pl.read_parquet(tmp_path / "out" / "detainer")
    assert set(frame.columns) == set(SCHEMAS["detainer"])
    assert frame["criminality"].to_list() == ["convicted", "other_violator"]
    assert frame["facility_state"].to_list() == ["WA", "WA"]
    assert frame["lifted_reason"].to_list() == [None, "Released"]
    assert frame["fiscal_year"].to_list() == [2019, 2019]


def test_person_level_workbooks_read_sheet_after_sheet(tmp_path: Path) -> None:
    import datetime as dt

    book = openpyxl.Workbook()
    header = ARREST_HEADER.strip().split(",")
    for index, title in enumerate(("FY2020", "FY2021")):
        ws = book.active if index == 0 else book.create_sheet()
        ws.title = title
        ws.append(["ERO-LESA Statistical Tracking Unit"])
        ws.append(["FY2020 ICE Administrative Arrests for the Houston Area of Responsibility"])
        ws.append([])
        ws.append(header)
        for day in range(3):
            ws.append(workbook_arrest_row(dt.datetime(2019 + index, 11, 1 + day)))
        ws.append(
            [
                dt.datetime(2020, 1, 1),
                "TX",
                "HOU",
                "Teleportation",
                "1 Convicted Criminal",
                "[16] Reinstated Final Order",
                "NO",
                "MEXICO",
                "Male",
                "(b)(6)",
            ]
        )
    path = tmp_path / "arrests.xlsx"
    book.save(path)
    assert detect(path) == "lesa_arrests"
    (report,) = ingest([path], tmp_path / "out")
    assert report.rows_read == 8 and report.rows_written == 6
    assert {r["reason"] for r in report.rejected} == {"unknown arrest method"}
    frame = pl.read_parquet(tmp_path / "out" / "arrest")
    assert sorted(set(frame["fiscal_year"].to_list())) == [2020, 2021]
    assert set(frame["source_file"]) == {"arrests.xlsx"}
    assert set(frame["aor"]) == {"HOU"}


def test_parquet_releases_with_snake_case_columns(tmp_path: Path) -> None:
    import datetime as dt

    frame = pl.DataFrame(
        {
            "apprehension_date": [dt.datetime(2023, 12, 1, 8, 30), dt.datetime(2024, 2, 1)],
            "apprehension_aor": ["Seattle Area of Responsibility", "SEA"],
            "apprehension_method": ["CAP Local Incarceration", "Worksite Enforcement"],
            "apprehension_criminality": ["1 Convicted Criminal", "3 Other Immigration Violator"],
            "citizenship_country": ["MEXICO", "INDIA"],
            "gender": ["Male", "Female"],
            "unique_identifier": ["a", "b"],
        }
    )
    path = tmp_path / "arrests.parquet"
    frame.write_parquet(path)
    assert detect(path) == "lesa_arrests"
    (report,) = ingest([path], tmp_path / "out")
    assert report.rows_written == 2 and report.rows_rejected == 0
    out = pl.read_parquet(tmp_path / "out" / "arrest")
    assert out["event_date"].to_list() == [dt.date(2023, 12, 1), dt.date(2024, 2, 1)]
    assert out["channel"].to_list() == ["jail", "worksite"]
    assert out["fiscal_year"].to_list() == [2024, 2024]
    assert "unique_identifier" not in out.columns


def test_detention_stints_layout(tmp_path: Path) -> None:
    header = (
        "Stay Book In Date Time,Detention Book In Date And Time,Detention Book Out Date Time,"
        "Stay Book Out Date Time,Detention Facility,Detention Facility Code,Detention Release Reason,"
        "Book In Criminality,Citizenship Country,Gender,Departed Date,Birth Date\n"
    )
    rows = (
        "10/01/2019 08:15,10/01/2019 08:15,10/11/2019 09:00,10/20/2019 10:00,A,TACWA,Transferred,"
        "1 Convicted Criminal,MEXICO,Male,,(b)(6)\n"
        "10/01/2019 08:15,10/11/2019 09:00,10/20/2019 10:00,10/20/2019 10:00,B,ADLSF,Removed,"
        "1 Convicted Criminal,MEXICO,Male,10/20/2019,(b)(6)\n"
        "11/05/2019 12:00,11/05/2019 12:00,,,B,ADLSF,,3 Other Immigration Violator,INDIA,Female,,(b)(6)\n"
        "11/05/2019 12:00,11/05/2019 12:00,soon,,B,ADLSF,,,INDIA,Female,,(b)(6)\n"
    )
    path = tmp_path / "stints.csv"
    path.write_text(PREAMBLE + header + rows, encoding="utf-8")
    assert detect(path) == "lesa_detention_stints"
    (report,) = ingest([path], tmp_path / "out")
    assert report.rows_written == 3 and report.rejected[0]["reason"] == "bad book-out date"
    frame = pl.read_parquet(tmp_path / "out" / "detention_stint")
    assert frame["facility_code"].to_list() == ["TACWA", "ADLSF", "ADLSF"]
    assert frame["end_date"].null_count() == 1  # still held
    summary = summarize(tmp_path / "out")
    (year,) = summary["detention_stint"]["yearly"]
    assert year["book_ins"] == 3 and year["average_days"] == pytest.approx(9.5)


ENCOUNTER_HEADER_2025 = (
    "Event Date,Responsible AOR,Responsible Site,Lead Event Type,Lead Source,Event Type,"
    "Final Program,Final Program Group,Encounter Criminality,Processing Disposition,Case Status,"
    "Case Category,Departed Date,Departure Country,Final Order Yes No,Final Order Date,Birth Date,"
    "Birth Year,Citizenship Country,Gender,Event Landmark,Alien File Number,EID Case ID,"
    "EID Subject ID,Unique Identifier\n"
)


def encounter_row(
    date: str = "2024-10-02 00:00:00",
    aor: str = "Boston Area of Responsibility",
    event: str = "CAP Local",
    crim: str = "1 Convicted Criminal",
) -> str:
    return (
        f'{date},{aor},"BOSTON, MA, DOCKET CONTROL OFFICE",{event},Other Lead,{event},'
        "ERO Criminal Alien Program,ICE,"
        f"{crim},Other,6-Deported/Removed - Deportability,[16] Reinstated Final Order,"
        "2024-11-02 00:00:00,MEXICO,YES,2012-10-05 00:00:00,(b)(6),1989,MEXICO,Male,"
        '"HILLSBOROUGH COUNTY DOC",(b)(6),(b)(6),(b)(6),4019f115\n'
    )


def test_encounters_layout_is_told_apart_from_removals(tmp_path: Path) -> None:
    """The national encounters release (six preamble lines, then the 2025 columns) carries
    departure columns too, so it must not be read as removals."""
    preamble = "".join(f"line {i} of the FOIA preamble{',' * 24}\n" for i in range(6))
    path = tmp_path / "encounters.csv"
    path.write_text(
        preamble
        + ENCOUNTER_HEADER_2025
        + encounter_row()
        + encounter_row(aor="BOS", event="Non-Custodial", crim="3 Other Immigration Violator")
        + encounter_row(aor="(b)(7)(e)", event="287(g) Program", crim="2 Pending Criminal Charges")
        + encounter_row(event="Teleportation")  # line 11: unknown event type
        + encounter_row(date="2024-02-30 00:00:00"),  # line 12: no such date
        encoding="utf-8",
    )
    assert detect(path) == "lesa_encounters"
    (report,) = ingest([path], tmp_path / "out")
    assert report.rows_read == 5 and report.rows_written == 3
    rejected = {r["row"]: r["reason"] for r in report.rejected}
    assert rejected == {11: "unknown encounter method", 12: "bad or missing date"}
    frame = pl.read_parquet(tmp_path / "out" / "encounter")
    assert set(frame.columns) == set(SCHEMAS["encounter"])
    assert frame["channel"].to_list() == ["jail", "at_large", "287g"]
    assert frame["aor"].to_list() == ["BOS", "BOS", None]  # spelled out, coded, redacted
    assert frame["criminality"].to_list() == ["convicted", "other_violator", "pending_charges"]
    assert frame["processing_disposition"].to_list() == ["Other"] * 3
    assert frame["fiscal_year"].to_list() == [2025] * 3
    assert not {"Unique Identifier", "Birth Date", "Event Landmark"} & set(frame.columns)
    summary = summarize(tmp_path / "out")
    (year,) = summary["encounter"]["yearly"]
    assert year["fiscal_year"] == 2025 and year["events"] == 3


def test_encounters_2026_workbook_with_misspelt_country_column(tmp_path: Path) -> None:
    import datetime as dt

    header = [
        "Event Date", "Event Type", "Event Landmark", "Operation", "Encounter Threat Level",
        "Responsible AOR", "Responsible Site", "Lead Event Type", "Lead Source", "Final Program",
        "Arresting Agency", "Encounter Criminality", "Processing Disposition", "Case Status",
        "Case Category", "Departed Date", "Departure Country", "Final Order Yes No",
        "Final Order Date", "Birth Year", "Citizenship County", "Gender", "Anonymized Identifier",
    ]  # fmt: skip
    book = openpyxl.Workbook()
    ws = book.active
    for line in ("ERO-LESA Statistical Tracking Unit", "ICE Encounters", ""):
        ws.append([line])
    ws.append(header)
    for day, (event, country) in enumerate((("CAP Federal", "INDIA"), ("Located", "(b)(6)"))):
        row = dict.fromkeys(header, "-")
        row.update(
            {
                "Event Date": dt.datetime(2025, 9, 30) + dt.timedelta(days=day),
                "Event Type": event,
                "Responsible AOR": "Seattle Area of Responsibility",
                "Encounter Criminality": "1 Convicted Criminal",
                "Processing Disposition": "Not Amenable to Removal",
                "Citizenship County": country,
                "Gender": "Female",
            }
        )
        ws.append([row[h] for h in header])
    path = tmp_path / "encounters.xlsx"
    book.save(path)
    assert detect(path) == "lesa_encounters"
    (report,) = ingest([path], tmp_path / "out")
    assert report.rows_written == 2 and report.rows_rejected == 0
    frame = pl.read_parquet(tmp_path / "out" / "encounter")
    assert frame["channel"].to_list() == ["prison", "at_large"]
    assert frame["citizenship_country"].to_list() == ["INDIA", None]
    assert frame["aor"].to_list() == ["SEA", "SEA"]
    assert frame["fiscal_year"].to_list() == [2025, 2026]


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2069, 12, 31)),  # %y: 70-99 are 19xx
    st.sampled_from(
        [
            "%m/%d/%Y",
            "%m/%d/%y",
            "%Y-%m-%d",
            "%Y-%m-%d 00:00:00",
            "%Y-%m-%d 13:05:09.250000",
            "%m/%d/%Y 08:15",
            "%-m/%-d/%Y",
        ]
    ),
)
def test_dates_in_every_release_format_parse_to_the_same_day(day: dt.date, fmt: str) -> None:
    from immsim.data.lesa import _parse_dates

    text = day.strftime(fmt)
    assert _parse_dates([text, f" {text} ", "(b)(6)", None]).to_list() == [day, day, None, None]


def test_fetch_registry_names_every_file_it_downloads() -> None:
    from immsim.data.fetch import _url_and_name, sources

    for name, source in sources().items():
        names = [_url_and_name(entry)[1] for entry in source["files"]]
        assert len(set(names)) == len(names), name
        for entry in source["files"]:
            url, file = _url_and_name(entry)
            assert url.startswith("https://"), (name, url)
            assert file.endswith((".csv", ".csv.gz", ".xlsx", ".parquet")), (name, file)
    assert len(sources()["ddp-ice-2025"]["files"]) == 3


def test_fetch_downloads_whole_files_from_a_web_server(tmp_path: Path) -> None:
    import functools
    import http.server
    import threading

    from immsim.data.fetch import fetch
    from immsim.errors import ImmsimError

    served = tmp_path / "served"
    served.mkdir()
    (served / "release.csv").write_bytes(b"a,b\n" * 100_000)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        seen: list[int] = []
        (path,) = fetch(
            "ddp-ice", tmp_path / "out", urls=[f"{base}/release.csv"],
            progress=lambda _name, done, _total: seen.append(done),
        )  # fmt: skip
        assert path.read_bytes() == (served / "release.csv").read_bytes()
        assert seen and seen[-1] == 400_000
        with pytest.raises(ImmsimError, match="download failed"):
            fetch("ddp-ice", tmp_path / "out", urls=[f"{base}/missing.csv"])
        assert not (tmp_path / "out" / "missing.csv").exists()  # nothing half-written
    finally:
        server.shutdown()


def test_detention_release_with_later_redaction_markers(tmp_path: Path) -> None:
    """The 2026 detention stints release: its own column order, and withheld values written
    ``b(6), b(7)c`` rather than ``(b)(6)``."""
    header = (
        "Stay Book In Date Time,Book In Date Time,Detention Facility,Book Out Date Time,"
        "Stay Book Out Date Time,Detention Release Reason,Stay Book Out Date,Stay Release Reason,"
        "Gender,Citizenship Country,Case Category,Detention Facility Code,Book In Criminality,"
        "Anonymized Identifier\n"
    )
    rows = (
        "2025-03-01 10:00:00,2025-03-01 10:00:00,A,2025-03-09 08:00:00,2025-03-09 08:00:00,"
        'Removed,2025-03-09,Removed,Male,"b(6), b(7)c",[16] Reinstated Final Order,TACWA,'
        "1 Convicted Criminal,x1\n"
        '2025-03-02 10:00:00,2025-03-02 10:00:00,A,,,,,,"b(6), b(7)C",GUATEMALA,'
        "[8F] Expedited Removal,TACWA,3 Other Immigration Violator,x2\n"
    )
    path = tmp_path / "detentions.csv"
    path.write_text(PREAMBLE + header + rows, encoding="utf-8")
    assert detect(path) == "lesa_detention_stints"
    (report,) = ingest([path], tmp_path / "out")
    assert report.rows_written == 2 and report.rows_rejected == 0
    frame = pl.read_parquet(tmp_path / "out" / "detention_stint")
    assert frame["citizenship_country"].to_list() == [None, "GUATEMALA"]
    assert frame["gender"].to_list() == ["male", "unknown"]
    assert frame["end_date"].to_list() == [dt.date(2025, 3, 9), None]
    assert frame["release_reason"].to_list() == ["Removed", None]
