"""Records in the wild (issue 25): files cut off, layouts we did not know, tables side by side,
titles that change from year to year. Real files where present, generated ones in their layouts."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from immsim.data.ingest import detect, ingest
from immsim.data.summarize import summarize
from immsim.errors import InputError

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


# --- statistics workbooks -------------------------------------------------------------------

MONTHS = ("Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep")
CRIMINALITY = ("Convicted Criminal", "Pending Criminal Charges", "Other Immigration Violator")


def _put(ws, row: int, col: int, values: list[object]) -> None:  # type: ignore[no-untyped-def]
    for offset, value in enumerate(values):
        if value is not None:
            ws.cell(row, col + offset, value)


def fy2024_style(path: Path, titles: dict[str, str] | None = None) -> None:
    """The detention sheet of ICE's FY2024 workbook as published: the book-in table lost
    "Facility Type and" from its title, releases became "Final Book Outs"."""
    names = {
        "book_ins": "ICE Initial Book-Ins by Criminality: EOFY2024",
        "book_outs": "ICE Final Book Outs : EOFY2024",
        "removals": "ICE Removals: EOFY2024",
        "adp": "ICE Average Daily Population by Arresting Agency, Month and Criminality: EOFY2024",
    } | (titles or {})
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Detention FY24"
    ws.cell(1, 1, "U.S. Immigration and Customs Enforcement")
    _put(ws, 27, 1, [names["book_ins"], *[None] * 6, names["book_outs"], *[None] * 5])
    ws.cell(27, 14, names["removals"])
    _put(ws, 28, 1, ["Facility Type", *CRIMINALITY, "Total"])
    _put(ws, 28, 8, ["Facility Type", None, "Total"])
    _put(ws, 28, 14, ["Removals", None, "Total"])
    _put(ws, 29, 1, ["Total", 70279, 26528, 181106, 277913])
    _put(ws, 29, 8, ["Total", None, 268480])
    _put(ws, 29, 14, ["Total", None, 271484])
    _put(ws, 30, 1, ["Adult", 70279, 26528, 181106, 277913])
    _put(ws, 30, 8, ["Adult", None, 268480])
    _put(ws, 30, 14, ["Removals with a FAMU Identifier", None, 5000])
    ws.cell(35, 1, names["adp"])
    _put(ws, 36, 1, ["Agency", *MONTHS, "FY Overall"])
    rows = [("CBP Average", 20000.0), *((c, 6000.0) for c in CRIMINALITY)]
    rows += [("ICE Average", 17000.0), *((c, 5000.0) for c in CRIMINALITY)]
    rows += [("Average", 37000.0), *((c, 11000.0) for c in CRIMINALITY)]
    for r, (label, value) in enumerate(rows):
        _put(ws, 37 + r, 1, [label, *[value] * 12, value])
    book.save(path)


def key_figures(folder: Path) -> dict[tuple[str, int], float]:
    return {(k["metric"], k["fiscal_year"]): k["value"] for k in summarize(folder)["key_figures"]}


def test_fy2024_style_book_ins_reach_the_summary(tmp_path: Path) -> None:
    path = tmp_path / "FY24_detentionStats.xlsx"
    fy2024_style(path)
    ingest([path], tmp_path / "out")
    figures = key_figures(tmp_path / "out")
    assert figures[("ice_initial_book_ins", 2024)] == 277913
    assert figures[("ice_removals_total", 2024)] == 271484
    assert figures[("ice_detention_adp", 2024)] == 37000
    tables = set(pl.read_parquet(tmp_path / "out" / "published_stats")["table"])
    assert {"book_ins_by_facility_criminality", "releases_by_facility", "removals"} <= tables


@pytest.mark.parametrize(
    "titles",
    [
        {"book_ins": "Detention Book-Ins, Criminality, FY2024"},
        {"book_ins": "Initial book-ins (all facilities) FY 2024"},
        {"removals": "Removals and Returns FY2024", "adp": "Daily Population (ADP) FY2024"},
    ],
)
def test_tables_are_known_by_their_content_not_their_title(
    tmp_path: Path, titles: dict[str, str]
) -> None:
    path = tmp_path / "FY24.xlsx"
    fy2024_style(path, titles)
    ingest([path], tmp_path / "out")
    figures = key_figures(tmp_path / "out")
    assert figures[("ice_initial_book_ins", 2024)] == 277913
    assert figures[("ice_removals_total", 2024)] == 271484
    assert figures[("ice_detention_adp", 2024)] == 37000


def atd_sheet(path: Path) -> None:
    """ICE's ATD sheet (FY2023 on): a court-appearance table beside each ATD table, its title on
    the ATD table's header row, and the AOR table's last column headed by a long text."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "ATD EOFY23"
    ws.cell(4, 1, "ICE ALTERNATIVES TO DETENTION DATA, FY23")
    ws.cell(7, 1, "ATD Active Population Counts and Daily Cost by Technology")
    _put(ws, 8, 1, ["Technology", "Count", "Daily Tech Cost", None])
    ws.cell(8, 5, "FY23 Year End Court Appearance: Total Hearings*")
    tech = [("GPS", 12576, 34458.2), ("SmartLINK", 173590, 166646.4), ("VoiceID", 7320, 1317.6)]
    side = [("Metric", "Count", "%"), ("Attended", 78716, 0.991), ("Failed to Attend", 736, 0.009)]
    for r in range(3):
        _put(ws, 9 + r, 1, list(tech[r]))
        _put(ws, 9 + r, 5, list(side[r]))
    _put(ws, 12, 1, ["Total", 193486, 202422.2])
    _put(ws, 12, 5, ["Total", 79452, 1])
    ws.cell(13, 1, "Data from BI Inc. Participants Report, 9.30.2023")
    ws.cell(13, 5, "Court Data from BI Inc. as of 9/30/2023")
    ws.cell(
        16, 1, "Active ATD Participants and Average Length in Program, FY23, by AOR and Technology"
    )
    _put(ws, 17, 1, ["AOR/Technology", "Count", "Average Length in Program"])
    _put(ws, 18, 1, ["Total", 194427, 548.6])
    _put(ws, 19, 1, ["Atlanta", 5244, 654.1])
    _put(ws, 20, 1, ["GPS", 309, 485.4])
    _put(ws, 21, 1, ["Baltimore", 3551, 564.0])
    _put(ws, 22, 1, ["GPS", 124, 292.2])
    book.save(path)


def test_side_by_side_atd_tables_keep_their_own_row_labels(tmp_path: Path) -> None:
    path = tmp_path / "FY23.xlsx"
    atd_sheet(path)
    (report,) = ingest([path], tmp_path / "out")
    stats = pl.read_parquet(tmp_path / "out" / "published_stats")

    def cell(row: str, column: str, group: str = "") -> list[float]:
        found = stats.filter(
            (pl.col("row_label") == row)
            & (pl.col("column_label") == column)
            & (pl.col("row_group") == group)
        )
        return found["value"].to_list()

    assert cell("Attended", "Count") == [78716]
    assert cell("Failed to Attend", "%") == [0.009]
    assert cell("SmartLINK", "Count") == [173590]  # and nothing of the court table under it
    assert set(stats.filter(pl.col("row_label") == "SmartLINK")["column_label"]) == {
        "Count",
        "Daily Tech Cost",
    }
    assert cell("Atlanta", "Average Length in Program") == [654.1]
    assert cell("GPS", "Average Length in Program", "Baltimore") == [292.2]
    assert "" not in set(stats["row_label"])
    assert report.rows_rejected == 0
    assert report.rows_read == report.rows_written + report.rows_rejected


def test_workbook_report_counts_a_row_with_a_bad_cell_as_rejected(tmp_path: Path) -> None:
    path = tmp_path / "FY24.xlsx"
    fy2024_style(path)
    book = openpyxl.load_workbook(path)
    book.active.cell(30, 3, "n/a")  # the Adult row of the book-ins table
    book.active.cell(30, 4, "#N/A")
    book.save(path)
    (report,) = ingest([path], tmp_path / "out")
    assert report.rows_rejected == 1
    assert report.rows_read == report.rows_written + 1
    assert report.rejected[0]["row"] == 30
    assert "B30" not in report.rejected[0]["value"] and "C30: n/a" in report.rejected[0]["value"]
    stats = pl.read_parquet(tmp_path / "out" / "published_stats")
    adult = stats.filter(pl.col("table") == "book_ins_by_facility_criminality")
    assert set(adult["row_label"]) == {"Total"}


# --- every workbook year in the shared data -----------------------------------------------------

WANTED = (
    "book_ins_by_agency_month",
    "book_ins_by_facility_criminality",
    "releases_by_facility",
    "releases_by_reason",
    "removals",
    "adp_by_agency_month_criminality",
    "adp_by_facility_month",
    "alos_by_agency_month_criminality",
    "detained_by_criminality_agency",
    "detained_by_disposition",
    "atd_by_status",
    "atd_by_aor_technology",
)


def test_every_workbook_year_has_its_tables_and_counts_its_rows(
    shared_data: Path, tmp_path: Path
) -> None:
    files = workbooks(shared_data)
    reports = ingest(files, tmp_path / "out")
    stats = pl.read_parquet(tmp_path / "out" / "published_stats")
    figures = key_figures(tmp_path / "out")
    for path, report in zip(files, reports, strict=True):
        assert report.rows_read == report.rows_written + report.rows_rejected, path.name
        mine = stats.filter(pl.col("source_file") == path.name)
        year = int(mine.filter(pl.col("table") == "removals")["fiscal_year"].max())  # type: ignore[arg-type]
        missing = [t for t in WANTED if mine.filter(pl.col("table") == t).height == 0]
        assert not missing, f"{path.name}: {missing}"
        for metric in ("ice_initial_book_ins", "ice_removals_total", "ice_detention_adp"):
            assert (metric, year) in figures, f"{path.name}: {metric} {year}"
        # the area table's last column is headed by a long text, once read as a table of its own
        # whose values had no row labels
        alip = mine.filter(
            (pl.col("table") == "atd_by_aor_technology")
            & (pl.col("column_label") == "Average Length in Program")
        )
        assert {"Total", "Atlanta", "Seattle"} <= set(alip["row_label"]), path.name
        assert not any(t.startswith("average_length_in_program") for t in set(mine["table"]))
    assert figures[("ice_initial_book_ins", 2019)] == 510854
    assert figures[("ice_removals_total", 2023)] == 142580


def test_workbook_titles_reworded_find_the_same_tables(shared_data: Path, tmp_path: Path) -> None:
    """The FY2023 workbook with every table title reworded gives the same key figures."""
    source = workbooks(shared_data)[-1]
    ingest([source], tmp_path / "before")
    book = openpyxl.load_workbook(source, data_only=True)  # values, not formulas
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                text = cell.value
                if isinstance(text, str) and len(text) >= 20 and text.startswith("ICE "):
                    cell.value = (
                        text.replace("ICE ", "Detention statistics - ", 1)
                        .replace("by Facility Type and Criminality", "by Criminality")
                        .replace("Final Releases", "Final Book Outs")
                    )
    changed = tmp_path / source.name
    book.save(changed)
    ingest([changed], tmp_path / "after")
    assert key_figures(tmp_path / "after") == key_figures(tmp_path / "before")


# --- the Deportation Data Project's daily population by facility ------------------------------


def test_ddp_daily_population_parquet(shared_data: Path, tmp_path: Path) -> None:
    path = real(shared_data, "ddp", "facilities-daily-population-fy2023.parquet")
    assert detect(path) == "ddp_facility_daily_parquet"
    (report,) = ingest([path], tmp_path / "out")
    assert report.rows_rejected == 0 and report.rows_written == report.rows_read == 258055
    frame = pl.read_parquet(tmp_path / "out" / "detention_stay")
    assert frame["facility_code"].null_count() == 0
    assert frame["facility_name"].null_count() == 0
    adp = summarize(tmp_path / "out")["detention_stay"]["yearly_average_daily_population"]
    assert adp == [{"fiscal_year": 2023, "average_daily_population": pytest.approx(27797.0, abs=1)}]


def test_ddp_daily_population_csv(shared_data: Path, tmp_path: Path) -> None:
    path = real(shared_data, "ddp", "ice_detention_daily_by_facility-2023-09.csv.gz")
    assert detect(path) == "ddp_facility_daily_csv"
    (report,) = ingest([path], tmp_path / "out")
    assert report.rows_rejected == 0 and report.rows_written == report.rows_read == 25590
    frame = pl.read_parquet(tmp_path / "out" / "detention_stay")
    assert frame["facility_code"].null_count() == frame.height  # this layout names facilities
    assert "COOK INLET PRETRIAL, ANCH" in set(frame["facility_name"])
    assert frame.filter(pl.col("state").is_null()).height == 30
    september = frame.group_by("event_date").agg(pl.col("persons").sum())["persons"].mean()
    assert september == pytest.approx(35238.1, abs=0.1)


def test_ddp_adp_agrees_with_ices_workbook(shared_data: Path, tmp_path: Path) -> None:
    daily = real(shared_data, "ddp", "facilities-daily-population-fy2023.parquet")
    book = real(shared_data, "ice_detention_stats", "FY23_detentionStats.xlsx")
    ingest([daily, book], tmp_path / "out")
    figures = key_figures(tmp_path / "out")
    ours = figures[("ice_detention_adp_from_headcount", 2023)]
    assert ours == pytest.approx(figures[("ice_detention_adp", 2023)], rel=0.03)


DDP_CSV_HEADER = (
    "detention_facility,state,date,n_detained,n_detained_at_midnight,n_detained_male,"
    "n_detained_female,n_detained_convicted_criminal,n_detained_possibly_under_18\n"
)


def test_ddp_csv_bad_rows_are_rejected_with_reasons(tmp_path: Path) -> None:
    path = tmp_path / "daily.csv"
    path.write_text(
        DDP_CSV_HEADER
        + '"COOK INLET PRETRIAL, ANCH",AK,2023-09-01,10,9,8,2,3,0\n'
        + "ADAMS,MS,2023-09-31,10,9,8,2,3,0\n"  # line 3: no such day
        + "ADAMS,MS,2023-09-02,-1,0,0,0,0,0\n"  # line 4: negative
        + "ADAMS,MS,2023-09-03,10,11,8,2,3,0\n"  # line 5: more at midnight than in the day
        + "ADAMS,MS,2023-09-04,10,9,8,5,3,0\n"  # line 6: men and women more than all
        + ",MS,2023-09-05,10,9,8,2,3,0\n"  # line 7: no facility
        + "ADAMS,MS,2023-09-06,ten,9,8,2,3,0\n"  # line 8: not a number
        + "ADAMS,,2023-09-07,10,9,8,2,3,1\n",
        encoding="utf-8",
    )
    assert detect(path) == "ddp_facility_daily_csv"
    (report,) = ingest([path], tmp_path / "out")
    assert (report.rows_read, report.rows_written, report.rows_rejected) == (8, 2, 6)
    assert [r["row"] for r in report.rejected] == [3, 4, 5, 6, 7, 8]
    frame = pl.read_parquet(tmp_path / "out" / "detention_stay")
    assert frame["persons"].to_list() == [9, 9]
    assert frame["persons_during_day"].to_list() == [10, 10]
    assert frame["state"].to_list() == ["AK", None]
    assert frame["possibly_under_18"].to_list() == [0, 1]
    assert frame["source_row"].to_list() == [2, 9]


def test_ddp_parquet_generated_with_bad_rows(tmp_path: Path) -> None:
    import datetime as dt

    frame = pl.DataFrame(
        {
            "detention_facility_code": ["ADAMSMS", "ADAMSMS", ""],
            "date": [dt.date(2023, 1, 1), dt.date(2023, 1, 2), dt.date(2023, 1, 3)],
            "n_detained": [958, 10, 5],
            "n_detained_at_midnight": [947, 20, 5],
            "n_detained_male": [958, 10, 5],
            "n_detained_female": [0, 0, 0],
            "n_detained_convicted_criminal": [39, 1, 0],
            "n_detained_possibly_under_18": [0, 0, 0],
            "detention_facility": ["ADAMS COUNTY CORRECTIONAL CENTER", "ADAMS", "X"],
        },
        schema_overrides={c: pl.Int32 for c in ("n_detained", "n_detained_at_midnight")},
    )
    path = tmp_path / "daily.parquet"
    frame.write_parquet(path)
    assert detect(path) == "ddp_facility_daily_parquet"
    (report,) = ingest([path], tmp_path / "out")
    assert (report.rows_written, report.rows_rejected) == (1, 2)
    out = pl.read_parquet(tmp_path / "out" / "detention_stay")
    assert out["facility_code"].to_list() == ["ADAMSMS"]
    assert out["fiscal_year"].to_list() == [2023]


def test_an_unknown_layout_is_still_one_error(tmp_path: Path) -> None:
    path = tmp_path / "daily.csv"
    path.write_text("facility,day,count\nA,2023-01-01,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown layout") as info:
        ingest([path], tmp_path / "out")
    assert info.value.file == str(path)
    assert "daily population" in (info.value.allowed or "")


def test_cli_summary_json_has_no_system_tables(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from immsim.cli import main

    path = tmp_path / "removals.csv"
    path.write_text(REMOVAL_HEADER + removal_row(), encoding="utf-8")
    assert main(["data", "ingest", str(path), "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    assert main(["data", "summarize", str(tmp_path / "out"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tables"] == ["removal"]


# --- damage the fuzzing found -------------------------------------------------------------------


def test_a_damaged_parquet_page_is_one_error(tmp_path: Path) -> None:
    import io

    buffer = io.BytesIO()
    frame = pl.DataFrame(
        {
            "apprehension_date": ["2023-12-01"] * 50,
            "apprehension_method": ["CAP Local Incarceration"] * 50,
            "apprehension_criminality": ["1 Convicted Criminal"] * 50,
        }
    )
    frame.write_parquet(buffer, compression="uncompressed", use_pyarrow=True)
    raw = bytearray(buffer.getvalue())
    raw[4:40] = b"\xff" * 36  # the first data page's header, after the magic bytes
    path = tmp_path / "arrests.parquet"
    path.write_bytes(bytes(raw))
    with pytest.raises(InputError, match="cannot read as Parquet") as info:
        ingest([path], tmp_path / "out")
    assert info.value.file == str(path)
    assert not (tmp_path / "out").exists()


def test_a_corrupt_gzip_stream_is_one_error(tmp_path: Path) -> None:
    raw = bytearray(gzip.compress((REMOVAL_HEADER + removal_row() * 50).encode(), mtime=0))
    raw[12:20] = b"\xff" * 8  # inside the deflate stream: zlib.error, not an OSError
    path = tmp_path / "removals.csv.gz"
    path.write_bytes(bytes(raw))
    with pytest.raises(InputError, match="truncated or corrupt") as info:
        ingest([path], tmp_path / "out")
    assert info.value.file == str(path)


def test_a_vertical_tab_does_not_move_the_header(tmp_path: Path) -> None:
    """str.splitlines breaks at \\x0b and \\x0c; the CSV parser does not."""
    path = tmp_path / "removals.csv"
    path.write_text("\x0bFOIA preamble\n" + REMOVAL_HEADER + removal_row() * 3, encoding="utf-8")
    (report,) = ingest([path], tmp_path / "out")
    assert (report.rows_read, report.rows_written) == (3, 3)


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_a_short_file_ending_in_a_broken_character_is_read(tmp_path: Path) -> None:
    path = tmp_path / "headcount.csv"
    path.write_bytes(b"detention_facility_code|n|date\nABC|3|2020-01-01\nAB\xca")
    (report,) = ingest([path], tmp_path / "out")
    assert (report.rows_read, report.rows_written, report.rows_rejected) == (2, 1, 1)


def test_a_workbooks_errors_name_the_workbook_not_a_temporary_copy(
    tmp_path: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    """Person-level workbooks are read through a temporary CSV of their rows."""
    from immsim.data import lesa

    book = openpyxl.Workbook()
    book.active.append(["Apprehension Date", "Apprehension Method", "Apprehension Criminality"])
    book.active.append(["2020-11-01", "Located", "1 Convicted Criminal"])
    path = tmp_path / "arrests.xlsx"
    book.save(path)

    def unreadable(csv_path: Path, *args: object) -> object:
        raise InputError("cannot read (truncated or corrupt?)", file=str(csv_path))

    monkeypatch.setattr(lesa, "read_blocks", unreadable)
    with pytest.raises(InputError) as info:
        ingest([path], tmp_path / "out")
    assert info.value.file == str(path)
