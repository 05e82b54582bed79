"""ICE's yearly detention-statistics workbooks, every table in them, found by title.

The workbooks change a little every year: sheet names gain "YTD", tables move down when one
above grows, columns are added, several tables share a row. So nothing here uses fixed cell
positions. A table is a title cell (a long text cell starting with "ICE" or naming the data),
the header row under it, and the data rows down to the next blank row, within the columns up
to the next title on the same row. Rows whose labels repeat inside a table (e.g. "Convicted
Criminal" under each agency, "GPS" under each area) are grouped under the nearest label above
them that does not repeat.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from immsim.data.report import IngestReport
from immsim.data.schema import SCHEMAS
from immsim.errors import InputError

TITLE = re.compile(r"^\s*(ICE\b|Active ATD|ATD\b|Aliens\b|Average\b)", re.IGNORECASE)
FISCAL_YEAR = re.compile(r"FY\s?(\d{4}|\d{2})\b", re.IGNORECASE)

KNOWN_TABLES = {
    r"Average Daily Population by Arresting Agency": "adp_by_agency_month_criminality",
    r"Average Length of Stay by Arresting Agency": "alos_by_agency_month_criminality",
    r"Initial Book-Ins by Arresting Agency and Month": "book_ins_by_agency_month",
    r"Initial Book-Ins by Facility Type and Criminality": "book_ins_by_facility_criminality",
    r"Final Releases by Release Reason": "releases_by_reason",
    r"Final Releases by Facility Type": "releases_by_facility",
    r"ICE Removals": "removals",
    r"Currently Detained by Criminality and Arresting Agency": "detained_by_criminality_agency",
    r"Currently Detained by Processing Disposition": "detained_by_disposition",
    r"Average Daily Population by Facility Type": "adp_by_facility_month",
    r"Average Length of Stay by Facility Type": "alos_by_facility_month",
    r"ATD Active Population by Status": "atd_by_status",
    r"Active ATD Participants and Average Length in Program": "atd_by_aor_technology",
}


@dataclass(frozen=True)
class Found:
    sheet: str
    row: int
    col: int
    end_col: int
    title: str


def table_id(title: str) -> str:
    for pattern, name in KNOWN_TABLES.items():
        if re.search(pattern, title, re.IGNORECASE):
            return name
    text = FISCAL_YEAR.sub("", title)
    text = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return text.removeprefix("ice_")[:80]


def _fiscal_year(*texts: str) -> int | None:
    for text in texts:
        match = FISCAL_YEAR.search(text)
        if match:
            year = int(match.group(1))
            return year + 2000 if year < 100 else year
    return None


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _titles(sheet: str, grid: list[list[Any]]) -> list[Found]:
    found: list[Found] = []
    for r, row in enumerate(grid):
        starts = []
        for c, value in enumerate(row):
            if not isinstance(value, str) or len(value.strip()) < 20 or not TITLE.match(value):
                continue
            # a title's first non-blank row below (within three) is a header of 2+ cells; a
            # section heading is followed by another title instead
            for below in grid[r + 1 : r + 4]:
                cells = [v for v in below[c : c + 30] if not _is_blank(v)]
                if cells:
                    heading = (
                        len(cells) == 1
                        and isinstance(cells[0], str)
                        and len(cells[0].strip()) >= 20
                        and TITLE.match(cells[0]) is not None
                    )
                    if not heading:
                        starts.append(c)
                    break
        for i, c in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else max(len(x) for x in grid)
            found.append(Found(sheet, r, c, end, str(row[c]).strip()))
    return found


def read_workbook(path: Path, report: IngestReport) -> pl.DataFrame:
    try:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # zip, xml and format errors all mean the same to a user
        raise InputError(
            f"cannot open as an Excel workbook: {err}", file=str(path), allowed=".xlsx"
        ) from None
    records: list[dict[str, Any]] = []
    tables = 0
    for sheet in book.sheetnames:
        grid = [list(row) for row in book[sheet].iter_rows(values_only=True)]
        if not grid:
            continue
        width = max(len(r) for r in grid)
        grid = [r + [None] * (width - len(r)) for r in grid]
        for table in _titles(sheet, grid):
            tables += 1
            records.extend(_read_table(path, table, grid, report))
    book.close()
    if tables == 0:
        raise InputError(
            "no statistics tables found (no title cells followed by a header row)",
            file=str(path),
            allowed="ICE detention-statistics workbooks (FY2019 onwards layouts)",
        )
    report.notes.append(f"{tables} tables found")
    frame = (
        pl.DataFrame(records, schema=SCHEMAS["published_stats"], orient="row") if records else None
    )
    if frame is None:
        return pl.DataFrame(schema=SCHEMAS["published_stats"])
    return frame


def _read_table(
    path: Path, table: Found, grid: list[list[Any]], report: IngestReport
) -> list[dict[str, Any]]:
    span = slice(table.col, table.end_col)
    r = table.row + 1
    while r < len(grid) and all(_is_blank(v) for v in grid[r][span]):
        r += 1
    if r >= len(grid):
        return []
    header = [None if _is_blank(v) else str(v).strip() for v in grid[r][span]]
    r += 1
    # a second header row (no numbers in it, e.g. "Zip", "Level A" under a group heading)
    while r < len(grid) and not all(_is_blank(v) for v in grid[r][span]):
        cells = grid[r][span]
        texts = [v for v in cells if isinstance(v, str) and v.strip()]
        if any(_is_numberlike(v) for v in cells[1:]) or len(texts) == 2:
            break
        if len(texts) <= 1:  # a note under the header ("Source: ..."), not data
            r += 1
            continue
        group = None
        for i, v in enumerate(cells):
            group = header[i] if header[i] is not None else group
            if not _is_blank(v):
                header[i] = f"{group} {str(v).strip()}" if group and i > 0 else str(v).strip()
        r += 1
    rows: list[tuple[int, list[Any]]] = []
    while r < len(grid) and not all(_is_blank(v) for v in grid[r][span]):
        rows.append((r, grid[r][span]))
        r += 1
    labels = [_label(cells) for _, cells in rows]
    # text columns (names, addresses, codes) describe the row; only numeric columns hold values
    numeric_columns = {
        offset
        for offset in range(1, len(header))
        if 0
        < sum(_is_numberlike(cells[offset]) for _, cells in rows)
        >= sum(
            isinstance(cells[offset], str) and _number(cells[offset]) is None for _, cells in rows
        )
    }
    counts = Counter(labels)
    year = _fiscal_year(table.title, table.sheet)
    name = table_id(table.title)
    out: list[dict[str, Any]] = []
    group = ""
    for (row_index, cells), label in zip(rows, labels, strict=True):
        report.rows_read += 1
        if counts[label] == 1:
            group = label
            row_group = ""
        else:
            row_group = group
        for offset, value in enumerate(cells):
            if offset not in numeric_columns or _is_blank(value):
                continue
            column = header[offset] or "value"
            if isinstance(value, bool) or not isinstance(value, int | float):
                text = str(value).strip()
                number = _number(text)
                if number is None:
                    report.reject(
                        row_index + 1,
                        "non-numeric value in a statistics table",
                        f"{table.sheet}!{_cell(row_index, table.col + offset)}: {text}",
                    )
                    continue
                value = number
            out.append(
                {
                    "fiscal_year": year,
                    "sheet": table.sheet,
                    "table": name,
                    "title": table.title,
                    "row_group": row_group,
                    "row_label": label,
                    "column_label": str(column).strip(),
                    "value": float(value),
                    "source_file": path.name,
                }
            )
        report.rows_written += 1
    return out


def _label(cells: list[Any]) -> str:
    for value in cells:
        if isinstance(value, str) and value.strip():
            return value.strip()
        if not _is_blank(value):
            break
    return ""


def _is_numberlike(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and _number(value) is not None


def _number(text: str) -> float | None:
    cleaned = text.replace(",", "").replace("%", "").strip()
    try:
        return float(cleaned)
    except ValueError:
        return None


def _cell(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"
