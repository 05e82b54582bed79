"""ICE ERO-LESA person-level tables (arrests, removals) in their released CSV layouts.

The releases open with FOIA preamble lines, withhold values behind exemption markers such as
``(b)(6)``, and prefix case categories with bracketed codes. Column headers vary a little between
releases and re-publications (the Deportation Data Project's national tables, UWCHR's area
files), so each field is found by any of its known header names. Files are read in blocks with
pyarrow's streaming CSV reader, so memory stays bounded whatever the file's size; gzip is read as
a stream.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from immsim.data.csvstream import SNIFF_BYTES, decode_head, open_stream, stream_csv
from immsim.data.report import IngestReport
from immsim.data.schema import (
    BRACKET_CODE,
    CASE_CATEGORY_REMOVAL_KIND,
    CHANNELS,
    CRIMINALITY,
    GENDERS,
    METHOD_CHANNELS,
    REDACTION,
    REMOVAL_KINDS,
    SCHEMAS,
    fiscal_year,
)
from immsim.errors import InputError

DATE_FORMATS = (
    "%m/%d/%Y",
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%y",
)

AOR_CODES = {
    "atlanta": "ATL",
    "baltimore": "BAL",
    "boston": "BOS",
    "buffalo": "BUF",
    "chicago": "CHI",
    "dallas": "DAL",
    "denver": "DEN",
    "detroit": "DET",
    "el paso": "ELP",
    "harlingen": "HAL",
    "houston": "HOU",
    "los angeles": "LOS",
    "miami": "MIA",
    "newark": "NEW",
    "new orleans": "NOL",
    "new york city": "NYC",
    "new york": "NYC",
    "philadelphia": "PHI",
    "phoenix": "PHO",
    "salt lake city": "SLC",
    "san antonio": "SNA",
    "san diego": "SND",
    "san francisco": "SFR",
    "seattle": "SEA",
    "st. paul": "SPM",
    "saint paul": "SPM",
    "washington": "WAS",
}


@dataclass(frozen=True)
class Layout:
    name: str
    kind: str
    fields: dict[str, tuple[str, ...]]
    required: tuple[str, ...]


LAYOUTS = {
    # most specific first: a detainers table also has departure and apprehension columns
    "lesa_detainers": Layout(
        name="lesa_detainers",
        kind="detainer",
        fields={
            "event_date": ("detainer prepare date", "prepare date"),
            "criminality": ("detainer prepared criminality", "detainer criminality"),
            "state": ("facility state",),
            "aor": ("facility aor", "detainer aor", "area of responsibility"),
            "citizenship_country": ("citizenship country", "country of citizenship"),
            "gender": ("gender",),
            "lifted_reason": ("detainer lift reason",),
        },
        required=("event_date", "criminality"),
    ),
    # encounters also carry departure and case-category columns, so they come before removals
    "lesa_encounters": Layout(
        name="lesa_encounters",
        kind="encounter",
        fields={
            "event_date": ("event date",),
            "method": ("event type",),
            "criminality": ("encounter criminality",),
            "aor": ("responsible aor",),
            "processing_disposition": ("processing disposition",),
            # the 2026 release misspells the column as "Citizenship County"
            "citizenship_country": ("citizenship country", "citizenship county"),
            "gender": ("gender",),
        },
        required=("event_date", "method", "criminality"),
    ),
    "lesa_detention_stints": Layout(
        name="lesa_detention_stints",
        kind="detention_stint",
        fields={
            "stay_start": ("stay book in date time",),
            "event_date": (
                "book in date time",
                "detention book in date and time",
                "detention book in date time",
                "book in date and time",
            ),
            "end_date": ("detention book out date time", "book out date time"),
            "facility_code": ("detention facility code",),
            "release_reason": ("detention release reason", "release reason"),
            "criminality": ("book in criminality", "book-in criminality"),
            "citizenship_country": ("citizenship country",),
            "gender": ("gender",),
        },
        required=("stay_start", "event_date", "facility_code"),
    ),
    "lesa_removals": Layout(
        name="lesa_removals",
        kind="removal",
        fields={
            "event_date": ("departed date", "removal date", "departure date"),
            "citizenship_country": ("country of citizenship", "citizenship country"),
            "gender": ("gender",),
            "conviction": (
                "most serious conviction",
                "msc charge",
                "most serious criminal conviction",
            ),
            "case_category": ("case category",),
            "criminality": ("removal criminality", "criminality", "apprehension criminality"),
            "aor": ("departure aor", "area of responsibility", "aor", "apprehension aor"),
        },
        required=("event_date", "citizenship_country"),
    ),
    "lesa_arrests": Layout(
        name="lesa_arrests",
        kind="arrest",
        fields={
            "event_date": ("apprehension date", "arrest date"),
            "state": ("apprehension state",),
            "aor": ("apprehension aor", "area of responsibility", "aor"),
            "method": ("apprehension method", "arrest method"),
            "criminality": ("apprehension criminality", "arrest criminality"),
            "case_category": ("case category",),
            "final_order": ("final order yes no", "final order"),
            "citizenship_country": ("citizenship country", "country of citizenship"),
            "gender": ("gender",),
        },
        required=("event_date", "method", "criminality"),
    ),
}


@dataclass(frozen=True)
class Sniffed:
    encoding: str
    header_line: int
    header: list[str]
    columns: dict[str, str]  # canonical field -> header in the file
    aor_from_title: str | None


def sniff(path: Path, layout: Layout) -> Sniffed:
    """Find the header row below any preamble and map the layout's fields to its columns."""
    with open_stream(path) as handle:
        try:
            head = handle.read(SNIFF_BYTES)
        except (OSError, EOFError) as err:
            raise InputError(f"cannot read: {err}", file=str(path)) from None
    text, encoding = decode_head(head)
    lines = text.splitlines()
    if len(head) == SNIFF_BYTES and lines:
        lines = lines[:-1]  # the last line may be cut by the sniff window
    aor = None
    for index, line in enumerate(lines[:60]):
        cells = next(csv.reader([line]), [])
        names = [c.strip().lower() for c in cells]
        found = {f: _first(names, aliases) for f, aliases in layout.fields.items()}
        if all(found[f] is not None for f in layout.required):
            columns = {f: cells[i].strip() for f, i in found.items() if i is not None}
            return Sniffed(encoding, index, [c.strip() for c in cells], columns, aor)
        match = re.search(r"for the (.+?) area of responsibility", line, re.IGNORECASE)
        if match:
            aor = AOR_CODES.get(match.group(1).strip().lower())
    wanted = "; ".join(f"{f}: {' / '.join(layout.fields[f])}" for f in layout.required)
    raise InputError(
        f"no header row for the {layout.name} layout in the first {min(len(lines), 60)} lines",
        file=str(path),
        allowed=f"a header with columns {wanted}",
    )


def _first(names: list[str], aliases: tuple[str, ...]) -> int | None:
    for alias in aliases:
        if alias in names:
            return names.index(alias)
    return None


def read_blocks(path: Path, layout: Layout, report: IngestReport) -> Iterator[pl.DataFrame]:
    """Stream normalized blocks of the file; rejected rows go to ``report``."""
    info = sniff(path, layout)
    if info.encoding != "utf-8":
        report.notes.append(f"read as {info.encoding} (not valid UTF-8)")
    if info.aor_from_title:
        report.notes.append(f"area of responsibility {info.aor_from_title}, from the title line")

    for frame, rows in stream_csv(
        path,
        report,
        columns=info.header,
        first_row=info.header_line + 2,  # 1-based line of the first data row
        skip_rows=info.header_line,
        encoding=info.encoding,
    ):
        yield _normalize(frame, rows, layout, info, path, report)


@lru_cache(maxsize=1 << 16)
def _clean_value(value: str | None) -> str | None:
    """Trimmed text; redaction markers and blanks become None."""
    if value is None:
        return None
    text = value.strip()
    if not text or REDACTION.match(text):
        return None
    return text


@lru_cache(maxsize=1 << 16)
def _parse_date(value: str | None) -> dt.date | None:
    text = _clean_value(value)
    if text is None:
        return None
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@lru_cache(maxsize=1 << 16)
def _aor(value: str | None) -> str | None:
    """ICE's three-letter area code: releases spell areas out ("Boston Area of Responsibility")
    or give the code, and one spelling per area keeps the summaries from splitting an area."""
    text = _clean_value(value)
    if text is None:
        return None
    name = re.sub(r"\s+area of responsibility$", "", text.lower()).strip()
    return AOR_CODES.get(name, text.upper())


@lru_cache(maxsize=1 << 16)
def _criminality(value: str | None) -> str | None:
    text = (_clean_value(value) or "").lower()
    if "convicted" in text:
        return "convicted"
    if "pending" in text:
        return "pending_charges"
    if "other immigration violator" in text or "non-criminal" in text:
        return "other_violator"
    return None


@lru_cache(maxsize=1 << 16)
def _category(value: str | None) -> tuple[str | None, str | None]:
    text = _clean_value(value)
    if text is None:
        return None, None
    match = BRACKET_CODE.match(text)
    if match is None:
        return None, text
    return match.group("code").strip(), match.group("label").strip()


def _by_value(series: pl.Series, fn: Callable[[str | None], Any], dtype: Any) -> pl.Series:
    """Apply ``fn`` to each distinct value only: the columns of these releases hold few
    distinct values (methods, codes, countries, dates), so this is fast on millions of rows."""
    uniques = series.drop_nulls().unique().to_list()
    codes = series.cast(pl.Enum(uniques)).to_physical().fill_null(len(uniques))
    mapped = pl.Series([fn(u) for u in uniques] + [fn(None)], dtype=dtype)
    return mapped.gather(codes)


def _normalize(
    frame: pl.DataFrame,
    rows: pl.Series,
    layout: Layout,
    info: Sniffed,
    path: Path,
    report: IngestReport,
) -> pl.DataFrame:
    cols = info.columns
    n = frame.height
    empty = pl.Series([None] * n, dtype=pl.String)

    def raw(field: str) -> pl.Series:
        return frame[cols[field]] if field in cols else empty

    distinct: dict[str, tuple[list[Any], pl.Series]] = {}

    def by_value(field: str, fn: Callable[[str | None], Any], dtype: Any) -> pl.Series:
        """``_by_value`` on a raw column, sharing its distinct values between mappings."""
        if field not in distinct:
            series = raw(field)
            uniques = series.drop_nulls().unique().to_list()
            codes = series.cast(pl.Enum(uniques)).to_physical().fill_null(len(uniques))
            distinct[field] = (uniques, codes)
        uniques, codes = distinct[field]
        return pl.Series([fn(u) for u in uniques] + [fn(None)], dtype=dtype).gather(codes)

    def text(field: str, upper: bool = False) -> pl.Series:
        def clean(v: str | None) -> str | None:
            c = _clean_value(v)
            return c.upper() if c is not None and upper else c

        return by_value(field, clean, pl.String)

    out: dict[str, pl.Series] = {"source_row": rows}
    checks: list[tuple[str, pl.Series, pl.Series]] = []  # (reason, bad mask, raw values)
    out["event_date"] = by_value("event_date", _parse_date, pl.Date)
    checks.append(("bad or missing date", out["event_date"].is_null(), raw("event_date")))
    out["citizenship_country"] = text("citizenship_country", upper=True)
    gender = by_value("gender", lambda v: (_clean_value(v) or "unknown").lower(), pl.String)
    out["gender_raw"] = gender
    checks.append(("unknown gender", ~gender.is_in(list(GENDERS)), raw("gender")))
    aor = by_value("aor", _aor, pl.String)
    if info.aor_from_title:
        aor = aor.fill_null(info.aor_from_title)
    out["aor"] = aor
    code = by_value("case_category", lambda v: _category(v)[0], pl.String)
    label = by_value("case_category", lambda v: _category(v)[1], pl.String)
    out["case_category_code"] = code
    out["case_category"] = label
    if "case_category" in cols:
        checks.append(
            (
                "case category without a [code]",
                label.is_not_null() & code.is_null(),
                raw("case_category"),
            )
        )
    crim = by_value("criminality", _criminality, pl.String)
    if layout.kind == "detention_stint":
        out["criminality_raw"] = crim
        out["stay_start"] = by_value("stay_start", _parse_date, pl.Date)
        out["end_date"] = by_value("end_date", _parse_date, pl.Date)
        checks.append(("bad stay start date", out["stay_start"].is_null(), raw("stay_start")))
        present = by_value("end_date", _clean_value, pl.String).is_not_null()
        checks.append(("bad book-out date", present & out["end_date"].is_null(), raw("end_date")))
        out["facility_code"] = text("facility_code", upper=True)
        checks.append(
            ("missing facility code", out["facility_code"].is_null(), raw("facility_code"))
        )
        out["release_reason"] = text("release_reason")
    elif layout.kind == "detainer":
        out["criminality_raw"] = crim
        checks.append(("unknown criminality", crim.is_null(), raw("criminality")))
        out["facility_state"] = text("state", upper=True)
        out["lifted_reason"] = text("lifted_reason")
    elif layout.kind in ("arrest", "encounter"):
        out["criminality_raw"] = crim
        checks.append(("unknown criminality", crim.is_null(), raw("criminality")))
        out["method"] = text("method")
        channel = by_value(
            "method", lambda v: METHOD_CHANNELS.get((_clean_value(v) or "").lower()), pl.String
        )
        out["channel"] = channel
        checks.append((f"unknown {layout.kind} method", channel.is_null(), raw("method")))
    if layout.kind == "encounter":
        out["processing_disposition"] = text("processing_disposition")
    elif layout.kind == "arrest":
        out["state"] = text("state", upper=True)
        out["final_order"] = by_value(
            "final_order",
            lambda v: {
                "yes": True,
                "y": True,
                "true": True,
                "1": True,
                "no": False,
                "n": False,
                "false": False,
                "0": False,
            }.get((_clean_value(v) or "").lower()),
            pl.Boolean,
        )
    elif layout.kind == "removal":
        conviction = text("conviction")
        out["most_serious_conviction"] = conviction
        if "criminality" in cols:
            out["criminality_raw"] = crim
        else:  # the removal files mark convictions by a most-serious-conviction entry
            out["criminality_raw"] = pl.select(
                pl.when(conviction.is_not_null())
                .then(pl.lit("convicted"))
                .otherwise(pl.lit("other_violator"))
            ).to_series()
        out["removal_kind"] = _by_value(
            code,
            lambda v: "unknown" if v is None else CASE_CATEGORY_REMOVAL_KIND.get(v, "other"),
            pl.String,
        )
    normalized = pl.DataFrame(out)
    # the first failing check names each rejected row (looked up only for the rows that fail)
    bad = pl.Series([False] * n)
    for _, mask, _ in checks:
        bad = bad | mask.fill_null(False)
    if bad.any():
        where = bad.arg_true()
        masks = [
            (why, mask.gather(where).to_list(), values.gather(where).to_list())
            for why, mask, values in checks
        ]
        for i, row in enumerate(rows.gather(where).to_list()):
            for why, failed, values in masks:
                if failed[i]:
                    report.reject(row, why, values[i])
                    break
    good = normalized.filter(~bad)
    result = good.with_columns(
        fiscal_year(pl.col("event_date")).alias("fiscal_year"),
        pl.col("gender_raw").cast(pl.Enum(list(GENDERS))).alias("gender"),
        pl.col("criminality_raw")
        .fill_null("unknown")
        .cast(pl.Enum(list(CRIMINALITY)))
        .alias("criminality"),
        pl.lit(path.name).alias("source_file"),
    )
    if layout.kind in ("arrest", "encounter"):
        result = result.with_columns(pl.col("channel").cast(pl.Enum(list(CHANNELS))))
    elif layout.kind == "removal":
        result = result.with_columns(pl.col("removal_kind").cast(pl.Enum(list(REMOVAL_KINDS))))
    schema = SCHEMAS[layout.kind]
    return result.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])


PARQUET_BATCH_ROWS = 200_000


def parquet_layout(path: Path) -> str | None:
    """The person-level layout of a Parquet file, from its column names."""
    import pyarrow.parquet as pq

    try:
        names = pq.ParquetFile(path).schema_arrow.names
    except (pa.ArrowException, OSError) as err:
        raise InputError(f"cannot read as Parquet: {err}", file=str(path)) from None
    lowered = [n.strip().lower().replace("_", " ") for n in names]
    for name, layout in LAYOUTS.items():
        if all(any(a in lowered for a in layout.fields[f]) for f in layout.required):
            return name
    return None


def read_parquet_blocks(path: Path, layout: Layout, report: IngestReport) -> Iterator[pl.DataFrame]:
    """The same normalization for a Parquet release (column names with spaces or underscores),
    read in row batches."""
    import pyarrow.parquet as pq

    source = pq.ParquetFile(path)
    names = source.schema_arrow.names
    lowered = [n.strip().lower().replace("_", " ") for n in names]
    columns = {}
    for field, aliases in layout.fields.items():
        for alias in aliases:
            if alias in lowered:
                columns[field] = names[lowered.index(alias)]
                break
    info = Sniffed("utf-8", 0, names, columns, None)
    row = 1
    for batch in source.iter_batches(
        batch_size=PARQUET_BATCH_ROWS, columns=sorted(set(columns.values()))
    ):
        frame = pl.from_arrow(pa.Table.from_batches([batch]))
        assert isinstance(frame, pl.DataFrame)
        frame = frame.with_columns(pl.all().cast(pl.String))
        rows = pl.int_range(row, row + frame.height, eager=True, dtype=pl.Int64)
        row += frame.height
        report.rows_read += frame.height
        yield _normalize(frame, rows, layout, info, path, report)
