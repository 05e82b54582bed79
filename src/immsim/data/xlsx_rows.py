"""Person-level tables released as Excel workbooks (the Deportation Data Project's ICE tables
come as .xlsx with a FOIA preamble on each sheet): streamed row by row into a temporary CSV
that the CSV layouts then read, so memory stays bounded whatever the workbook's size."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from immsim.data.lesa import LAYOUTS, Layout
from immsim.errors import InputError

SNIFF_ROWS = 30


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_header(cells: list[str], layout: Layout) -> bool:
    names = [c.strip().lower() for c in cells]
    return all(any(a in names for a in layout.fields[f]) for f in layout.required)


def _open(path: Path) -> Any:
    try:
        import openpyxl

        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # zip, xml and format errors all mean the same to a user
        raise InputError(f"cannot open as an Excel workbook: {err}", file=str(path)) from None


def person_layout(path: Path) -> str | None:
    """The person-level layout of a workbook's first sheet, if it has one."""
    book = _open(path)
    try:
        sheet = book[book.sheetnames[0]]
        for i, row in enumerate(sheet.iter_rows(values_only=True)):
            if i >= SNIFF_ROWS:
                break
            cells = [_text(v) for v in row]
            for name, layout in LAYOUTS.items():
                if _is_header(cells, layout):
                    return name
        return None
    finally:
        book.close()


@contextmanager
def as_csv(path: Path, layout: Layout) -> Iterator[Path]:
    """A temporary CSV of every sheet's data rows under one header (each sheet's own preamble
    and header are dropped; the first sheet's preamble is kept for the title line)."""
    book = _open(path)
    with TemporaryDirectory() as folder:
        target = Path(folder) / path.name
        try:
            with target.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                for index, name in enumerate(book.sheetnames):
                    seen_header = False
                    for row in book[name].iter_rows(values_only=True):
                        cells = [_text(v) for v in row]
                        if not seen_header:
                            if _is_header(cells, layout):
                                seen_header = True
                                if index == 0:
                                    writer.writerow(cells)
                            elif index == 0:
                                writer.writerow(cells)  # the preamble, for the title line
                            continue
                        if any(cells):
                            writer.writerow(cells)
        finally:
            book.close()
        yield target
