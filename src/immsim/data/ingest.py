"""Detect each file's layout, read it into the normalized schema, write Parquet and reports.

The whole output folder is written at once: if any file fails (truncated, unreadable, an
unknown layout), nothing is left behind and the error names the file. Rows that cannot be
normalized are never dropped silently: each report lists them with the row and the reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl

from immsim.atomic import atomic_folder
from immsim.data import csvstream, ddp, detention_stats, eoir, headcount, lesa, xlsx_rows
from immsim.data.report import IngestReport
from immsim.data.schema import SCHEMAS
from immsim.errors import InputError

Progress = Callable[[str], None]


def detect(path: Path) -> str:
    """The layout of a file, from its content (not its name)."""
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == b"PK\x03\x04":
        person = xlsx_rows.person_layout(path)
        return person if person is not None else "ice_detention_stats"
    if magic == b"PAR1":
        found = ddp.parquet_layout(path) or lesa.parquet_layout(path)
        if found is None:
            raise InputError("a Parquet file in no known layout", file=str(path))
        return found
    text, _ = csvstream.decode_head(csvstream.read_head(path))
    lines = csvstream.text_lines(text)
    if lines and headcount.looks_like_headcount(lines[0]):
        return "detention_headcount"
    if lines and ddp.looks_like_daily_csv(lines[0]):
        return ddp.CSV_LAYOUT
    if lines and eoir.looks_like_proceedings(lines[0]):
        return "eoir_proceedings"
    lowered = text.lower()
    for name, layout in lesa.LAYOUTS.items():
        if all(any(alias in lowered for alias in layout.fields[f]) for f in layout.required):
            return name
    raise InputError(
        "unknown layout",
        file=str(path),
        allowed=(
            "ICE detention-statistics .xlsx; ERO-LESA encounters, arrests, removals, detainers or "
            "detention stints as CSV, Parquet or .xlsx (with or without "
            "the FOIA preamble); daily headcounts facility_code|n|date; the Deportation Data "
            "Project's daily population by facility (CSV or Parquet); EOIR B_TblProceeding"
        ),
    )


def _blocks(path: Path, layout: str, report: IngestReport) -> Iterator[pl.DataFrame]:
    if layout == "ice_detention_stats":
        yield detention_stats.read_workbook(path, report)
    elif layout == "detention_headcount":
        yield from headcount.read_blocks(path, report)
    elif layout == "eoir_proceedings":
        yield from eoir.read_blocks(path, report)
    elif layout == ddp.CSV_LAYOUT:
        yield from ddp.read_csv_blocks(path, report)
    elif layout == ddp.PARQUET_LAYOUT:
        yield from ddp.read_parquet_blocks(path, report)
    elif _magic(path) == b"PAR1":
        yield from lesa.read_parquet_blocks(path, lesa.LAYOUTS[layout], report)
    elif _is_workbook(path):
        report.notes.append("read from an Excel workbook, sheet after sheet")
        with xlsx_rows.as_csv(path, lesa.LAYOUTS[layout]) as csv_path:
            try:
                yield from lesa.read_blocks(csv_path, lesa.LAYOUTS[layout], report)
            except InputError as err:  # name the workbook, not our temporary copy of its rows
                if err.file != str(csv_path):
                    raise
                raise InputError(
                    err.message, file=str(path), key=err.key, allowed=err.allowed
                ) from None
    else:
        yield from lesa.read_blocks(path, lesa.LAYOUTS[layout], report)


def _magic(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(4)


def _is_workbook(path: Path) -> bool:
    return _magic(path) == b"PK\x03\x04"


KIND_OF_LAYOUT = {
    "ice_detention_stats": "published_stats",
    "detention_headcount": "detention_stay",
    ddp.CSV_LAYOUT: "detention_stay",
    ddp.PARQUET_LAYOUT: "detention_stay",
    "eoir_proceedings": "court_case",
    **{name: layout.kind for name, layout in lesa.LAYOUTS.items()},
}


def ingest(
    paths: list[Path], out: Path, overwrite: bool = False, progress: Progress | None = None
) -> list[IngestReport]:
    """Ingest ``paths`` into ``out``: ``<kind>/<file>-<part>.parquet``, ``reports/<file>.json``."""
    if not paths:
        raise InputError("no input files given")
    layouts = [(path, detect(path)) for path in paths]  # fail early on an unknown file
    stems: set[str] = set()
    reports: list[IngestReport] = []
    with atomic_folder(out, overwrite=overwrite) as tmp:
        (tmp / "reports").mkdir()
        for path, layout in layouts:
            kind = KIND_OF_LAYOUT[layout]
            stem = path.name.split(".")[0]
            while stem in stems:
                stem += "_"
            stems.add(stem)
            if progress:
                progress(f"{path.name}: {layout}")
            report = IngestReport(source=str(path), layout=layout, kind=kind)
            folder = tmp / kind
            folder.mkdir(exist_ok=True)
            written = 0
            parts = 0
            for block in _blocks(path, layout, report):
                # one Parquet part per block (polars writes them fastest); readers take the folder
                block.write_parquet(
                    folder / f"{stem}-{parts:05d}.parquet", compression="zstd", compression_level=1
                )
                parts += 1
                written += block.height
            if parts == 0:
                pl.DataFrame(schema=SCHEMAS[kind]).write_parquet(folder / f"{stem}-00000.parquet")
            if kind != "published_stats":
                report.rows_written = written
            else:
                report.notes.append(f"{written} values written")
            (tmp / "reports" / f"{stem}.json").write_text(
                json.dumps(report.as_dict(), indent=2) + "\n", encoding="utf-8"
            )
            reports.append(report)
        (tmp / "manifest.json").write_text(
            json.dumps({"files": [r.as_dict() | {"rejected": None} for r in reports]}, indent=2)
            + "\n",
            encoding="utf-8",
        )
    return reports
