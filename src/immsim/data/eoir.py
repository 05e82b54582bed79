"""EOIR's immigration-court proceedings table (``B_TblProceeding``), as EOIR publishes it
(tab-separated, upper-case headers) or as re-published (comma-separated, any case).

Codes follow EOIR's lookup tables (case type, custody status, decision). Case and proceeding
numbers are not read: the schema keeps court events, not files that could be linked.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from immsim.data.csvstream import decode_head, read_head, stream_csv, text_lines
from immsim.data.lesa import _by_value, _clean_value, _dates
from immsim.data.report import IngestReport
from immsim.data.schema import SCHEMAS, fiscal_year
from immsim.errors import InputError

REQUIRED = ("case_type", "custody", "comp_date", "dec_code", "osc_date", "base_city_code")
CASE_TYPES = {
    "AOC": "asylum only",
    "CDR": "continued detention review",
    "CFR": "credible fear review",
    "CSR": "claimed status review",
    "DCC": "departure control",
    "DDC": "DD appeal",
    "DEP": "deportation",
    "EXC": "exclusion",
    "NAC": "NACARA adjustment",
    "REC": "rescission",
    "RFR": "reasonable fear review",
    "RMV": "removal",
    "WHO": "withholding only",
}
CUSTODY = {"N": "never detained", "D": "detained", "R": "released"}
DECISIONS = {
    "A": "legally admitted",
    "C": "conditional grant",
    "D": "deported",
    "E": "excluded",
    "G": "granted",
    "O": "other",
    "R": "relief or rescinded",
    "S": "maintains legal status",
    "T": "terminated",
    "V": "voluntary departure",
    "W": "withdrawn",
    "X": "removed",
}
"""EOIR's decision codes (tblDecCode). In removal cases D, E and X are removal orders."""


def looks_like_proceedings(first_line: str) -> bool:
    names = {n.strip().lower() for n in first_line.replace("\t", ",").split(",")}
    return all(field in names for field in REQUIRED)


def read_blocks(path: Path, report: IngestReport) -> Iterator[pl.DataFrame]:
    head, encoding = decode_head(read_head(path))
    first = next(iter(text_lines(head)), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    header = next(csv.reader([first], delimiter=delimiter), [])
    lowered = [h.strip().lower() for h in header]
    missing = [f for f in REQUIRED if f not in lowered]
    if missing:
        raise InputError(
            f"missing column(s): {', '.join(missing)}",
            file=str(path),
            allowed="EOIR B_TblProceeding columns " + ", ".join(REQUIRED),
        )
    column = {f: header[lowered.index(f)] for f in (*REQUIRED, "absentia", "nat") if f in lowered}
    if encoding != "utf-8":
        report.notes.append(f"read as {encoding} (not valid UTF-8)")

    for frame, rows in stream_csv(
        path,
        report,
        columns=header,
        first_row=2,
        encoding=encoding,
        delimiter=delimiter,
        quoting=delimiter == ",",
        include=list(column.values()),
    ):
        yield _normalize(frame, rows, column, path, report)


def _code(table: dict[str, str]) -> Any:
    def lookup(value: str | None) -> str | None:
        text = (_clean_value(value) or "").upper()
        return text if text in table else None

    return lookup


def _normalize(
    frame: pl.DataFrame, rows: pl.Series, column: dict[str, str], path: Path, report: IngestReport
) -> pl.DataFrame:
    def col(field: str) -> pl.Series:
        if field in column:
            return frame[column[field]]
        return pl.Series([None] * frame.height, dtype=pl.String)

    case_type = _by_value(col("case_type"), _code(CASE_TYPES), pl.String)
    custody = _by_value(col("custody"), _code(CUSTODY), pl.String)
    decision_code = _by_value(
        col("dec_code"), lambda v: (_clean_value(v) or "").upper() or None, pl.String
    )
    filed = _dates(col("osc_date"))
    completed = _dates(col("comp_date"))
    raw_comp = _by_value(col("comp_date"), _clean_value, pl.String)
    out = pl.DataFrame(
        {
            "source_row": rows,
            "case_type": case_type,
            "custody_code": custody,
            "decision_code": decision_code,
            "filed_date": filed,
            "event_date": completed,
            "raw_comp": raw_comp,
            "court": _by_value(
                col("base_city_code"), lambda v: (_clean_value(v) or "").upper() or None, pl.String
            ),
            "nationality": _by_value(
                col("nat"), lambda v: (_clean_value(v) or "").upper() or None, pl.String
            ),
            "in_absentia": _by_value(
                col("absentia"), lambda v: (_clean_value(v) or "").upper() == "Y", pl.Boolean
            ),
        }
    )
    checks = [
        ("unknown case type", out["case_type"].is_null(), col("case_type")),
        (
            "unknown custody code",
            out["custody_code"].is_null() & col("custody").str.strip_chars().ne(""),
            col("custody"),
        ),
        (
            "unknown decision code",
            out["decision_code"].is_not_null() & ~out["decision_code"].is_in(list(DECISIONS)),
            col("dec_code"),
        ),
        ("bad filing date", out["filed_date"].is_null(), col("osc_date")),
        (
            "bad completion date",
            out["raw_comp"].is_not_null() & out["event_date"].is_null(),
            col("comp_date"),
        ),
    ]
    bad = pl.Series([False] * out.height)
    for why, mask, values in checks:
        mask = mask.fill_null(False) & ~bad
        for row, value in zip(
            rows.filter(mask).to_list(), values.filter(mask).to_list(), strict=True
        ):
            report.reject(row, why, value)
        bad = bad | mask
    good = out.filter(~bad)
    result = good.with_columns(
        pl.coalesce(pl.col("event_date"), pl.col("filed_date")).alias("_when"),
    ).with_columns(
        fiscal_year(pl.col("_when")).alias("fiscal_year"),
        pl.col("case_type").replace_strict(CASE_TYPES, default=None).alias("case_type"),
        pl.col("custody_code").replace_strict(CUSTODY, default=None).alias("custody"),
        pl.col("decision_code").replace_strict(DECISIONS, default=None).alias("decision"),
        pl.lit(path.name).alias("source_file"),
    )
    return result.select([pl.col(n).cast(t) for n, t in SCHEMAS["court_case"].items()])
