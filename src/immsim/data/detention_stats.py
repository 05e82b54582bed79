"""ICE's yearly detention-statistics workbooks, every table in them, found and named by content.

The workbooks change a little every year: sheet names gain "YTD", tables move down when one
above grows, columns are added, several tables share a row, a small table sits beside a larger
one, and titles are reworded ("Final Releases" became "Final Book Outs"; "Initial Book-Ins by
Facility Type and Criminality" became "by Criminality" in FY2024). So nothing here uses fixed
cell positions or exact titles.

A table is a title (a long text standing alone in its row: a header cell has neighbours), the
header row under it, and the data rows down to the next blank row, within the columns up to the
next title on the same row or beside its rows. Which table it is comes from its header and row
labels (criminality classes as columns or rows, months, facility types, a "Removals" column);
the title's words serve only to tell apart tables of the same shape (daily population and
length of stay by month). Rows whose labels repeat inside a table (e.g. "Convicted Criminal"
under each agency, "GPS" under each area) are grouped under the nearest label above them that
does not repeat. A row with a value that is not a number is rejected whole, with every such cell.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl

from immsim.data.report import IngestReport
from immsim.data.schema import SCHEMAS
from immsim.errors import InputError

MIN_TITLE = 20
"""Titles are sentences ("ICE Removals: FY2019" is the shortest); header cells are shorter or
have neighbours."""
FISCAL_YEAR = re.compile(r"\b(?:EO)?FY\s?(\d{4}|\d{2})\b", re.IGNORECASE)

CRIMINALITY = frozenset(
    {
        "convicted criminal",
        "pending criminal charges",
        "other immigration violator",
        "non-criminal",
    }
)
MEASURES = (
    ("alos", re.compile(r"length of stay|\bALOS\b", re.IGNORECASE)),
    ("adp", re.compile(r"daily population|\bADP\b", re.IGNORECASE)),
    ("book_ins", re.compile(r"book[\s-]*ins?\b", re.IGNORECASE)),
    ("releases", re.compile(r"releases?\b|book[\s-]*outs?\b", re.IGNORECASE)),
)
"""What a title counts, for tables whose content does not say (a month-by-month table of
agencies may hold book-ins, daily population or length of stay)."""


@dataclass(frozen=True)
class Found:
    sheet: str
    row: int
    col: int
    end_col: int
    title: str


def _norm(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value)).strip().lower()


MONTH = re.compile(
    r"(oct|nov|dec|jan|feb|mar|apr|may|jun|jul|aug|sep)[a-z]*\.?(\s*[-' ]\s*\d{2,4})?"
)


def _is_month(value: Any) -> bool:
    """A month heading: "Oct", "October", "Oct-22", or a date."""
    return isinstance(value, dt.date) or MONTH.fullmatch(_norm(value)) is not None


def _measure(title: str) -> str | None:
    for name, pattern in MEASURES:
        if pattern.search(title):
            return name
    return None


def table_id(
    title: str, header: list[str | None] | None = None, labels: list[str] | None = None
) -> str:
    """The table's name, from its header and row labels (see the module docstring); a table we
    do not know is named after its title."""
    known = _known_table(title, header or [], labels or [])
    if known is not None:
        return known
    text = FISCAL_YEAR.sub("", title)
    text = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return text.removeprefix("ice_")[:80]


def _known_table(title: str, header: list[str | None], labels: list[str]) -> str | None:
    first = _norm(header[0]) if header and header[0] else ""
    heads = [_norm(h) for h in header[1:] if h]
    rows = {_norm(label) for label in labels}
    months = any(_is_month(h) for h in header[1:] if h)
    crim_columns = len(CRIMINALITY.intersection(heads)) >= 2
    crim_rows = len(CRIMINALITY & rows) >= 2
    measure = _measure(title)
    if not months and "removals" in (first, *heads):
        return "removals"
    if first == "release reason":
        return "releases_by_reason"
    if first == "processing disposition":
        return "detained_by_disposition"
    if first.endswith("status") and "famu" in rows:
        return "atd_by_status"
    if first == "aor/technology":
        return "atd_by_aor_technology"
    if first == "technology":
        return "atd_by_technology"
    if crim_rows and not months and {"ice", "cbp"} <= set(heads):
        return "detained_by_criminality_agency"
    if first == "facility type" and crim_columns:
        return "book_ins_by_facility_criminality"
    if months and measure == "adp":
        return "adp_by_agency_month_criminality" if crim_rows else "adp_by_facility_month"
    if months and measure == "alos":
        if crim_rows:
            return "alos_by_agency_month_criminality"
        return "alos_adult_by_agency_month" if "agency" in first else "alos_by_facility_month"
    if months and measure == "book_ins" and not crim_rows:
        return "book_ins_by_agency_month"
    if first == "facility type" and measure == "releases" and heads == ["total"]:
        return "releases_by_facility"
    return None


def _fiscal_year(*texts: str) -> int | None:
    for text in texts:
        match = FISCAL_YEAR.search(text)
        if match:
            year = int(match.group(1))
            return year + 2000 if year < 100 else year
    return None


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_title(grid: list[list[Any]], r: int, c: int) -> bool:
    """A long text alone in its row (blank on either side: a header cell has neighbours) over a
    header of two or more cells, and over rows labelled in its column: a heading over a group of
    numeric columns has numbers below it, and a section heading has another long text."""
    row = grid[r]
    value = row[c]
    if not isinstance(value, str) or len(value.strip()) < MIN_TITLE:
        return False
    if (c > 0 and not _is_blank(row[c - 1])) or (c + 1 < len(row) and not _is_blank(row[c + 1])):
        return False
    for h in range(r + 1, min(r + 4, len(grid))):
        cells = [v for v in grid[h][c : c + 30] if not _is_blank(v)]
        if not cells:
            continue
        if len(cells) == 1 and isinstance(cells[0], str) and len(cells[0].strip()) >= MIN_TITLE:
            return False
        below = [v[c] for v in grid[h + 1 : h + 12] if not _is_blank(v[c])]
        texts = sum(isinstance(v, str) and _number(v) is None for v in below)
        return 0 < texts >= len(below) - texts
    return False


def _titles(sheet: str, grid: list[list[Any]]) -> list[Found]:
    width = max(len(x) for x in grid)
    candidates: list[Found] = []
    for r, row in enumerate(grid):
        starts = [c for c in range(len(row)) if _is_title(grid, r, c)]
        for i, c in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else width
            candidates.append(Found(sheet, r, c, end, str(row[c]).strip()))
    # a title within the rows of a table above it is either a note in the table's label column
    # (dropped) or the title of a table beside it, which ends the table above at its column
    tables: list[Found] = []
    for found in candidates:
        keep = True
        for i, table in enumerate(tables):
            if table.row < found.row <= _last_row(grid, table) and (
                table.col <= found.col < table.end_col
            ):
                if found.col == table.col:
                    keep = False
                    break
                tables[i] = replace(table, end_col=found.col)
        if keep:
            tables.append(found)
    return tables


def _last_row(grid: list[list[Any]], table: Found) -> int:
    """The last row of the table's body: after the title and any blank rows, down to a blank row."""
    span = slice(table.col, table.end_col)
    r = table.row + 1
    while r < len(grid) and all(_is_blank(v) for v in grid[r][span]):
        r += 1
    while r < len(grid) and not all(_is_blank(v) for v in grid[r][span]):
        r += 1
    return r - 1


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
    name = table_id(table.title, header, labels)
    out: list[dict[str, Any]] = []
    group = ""
    for (row_index, cells), label in zip(rows, labels, strict=True):
        report.rows_read += 1
        if counts[label] == 1:
            group = label
            row_group = ""
        else:
            row_group = group
        values: list[dict[str, Any]] = []
        bad: list[str] = []
        for offset, value in enumerate(cells):
            if offset not in numeric_columns or _is_blank(value):
                continue
            column = header[offset] or "value"
            if isinstance(value, bool) or not isinstance(value, int | float):
                text = str(value).strip()
                number = _number(text)
                if number is None:
                    bad.append(f"{_cell(row_index, table.col + offset)}: {text}")
                    continue
                value = number
            values.append(
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
        if bad:
            # a row is one record: half of it would mislead whoever sums or compares it
            report.reject(
                row_index + 1,
                "non-numeric value in a statistics table",
                f"{table.sheet}!" + ", ".join(bad),
            )
            continue
        out.extend(values)
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
