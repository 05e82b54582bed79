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
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from immsim.data.csvstream import (
    SNIFF_BYTES,
    decode_head,
    read_head,
    stream_batches,
    text_lines,
)
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
    "%m/%d/%y",  # before %Y, which would read a two-digit year as the year 19
    "%m/%d/%Y",
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S%.f",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
)
"""The releases' date formats, in chrono's notation (polars parses them)."""

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
    head = read_head(path)
    text, encoding = decode_head(head)
    lines = text_lines(text)
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

    for batch, rows in stream_batches(
        path,
        report,
        columns=info.header,
        first_row=info.header_line + 2,  # 1-based line of the first data row
        skip_rows=info.header_line,
        encoding=info.encoding,
        include=sorted(set(info.columns.values())),  # identifiers and the like are not parsed
        dictionary=True,
    ):
        yield _normalize(batch, rows, layout, info, path, report)


@lru_cache(maxsize=1 << 16)
def _clean_value(value: str | None) -> str | None:
    """Trimmed text; redaction markers and blanks become None."""
    if value is None:
        return None
    text = value.strip()
    if not text or REDACTION.match(text):
        return None
    return text


def _parse_dates(values: list[str | None]) -> pl.Series:
    """Dates in any of the releases' formats (the first that matches the whole text wins);
    blanks, redactions and impossible dates become null. Vectorized over a block's distinct
    values, which for date-time columns can number tens of thousands."""
    text = pl.Series(values, dtype=pl.String).str.strip_chars()
    parsed = [text.str.to_datetime(fmt, strict=False).dt.date() for fmt in DATE_FORMATS]
    date = pl.coalesce(parsed)
    return pl.select(pl.when(date.dt.year().is_between(1900, 2100)).then(date)).to_series()


def _gender(value: str | None) -> str | None:
    """Female, male, or unknown where blank or withheld; None (rejected) for anything else."""
    text = (_clean_value(value) or "unknown").lower()
    return text if text in GENDERS else None


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


def _series_codes(series: pl.Series) -> tuple[list[Any], pl.Series]:
    """A text column's distinct values and each row's index into them (nulls: one past the
    end)."""
    uniques = series.drop_nulls().unique().to_list()
    return uniques, series.cast(pl.Enum(uniques)).to_physical().fill_null(len(uniques))


def _by_value(series: pl.Series, fn: Callable[[str | None], Any], dtype: Any) -> pl.Series:
    """Apply ``fn`` to each distinct value only: the columns of these releases hold few
    distinct values (methods, codes, countries, dates), so this is fast on millions of rows."""
    uniques, codes = _series_codes(series)
    return pl.Series([fn(u) for u in uniques] + [fn(None)], dtype=dtype).gather(codes)


def _by_date(uniques: list[Any], codes: pl.Series) -> pl.Series:
    return _parse_dates(uniques).append(pl.Series([None], dtype=pl.Date)).gather(codes)


def _dates(series: pl.Series) -> pl.Series:
    """A text column of dates parsed, each distinct value once."""
    return _by_date(*_series_codes(series))


def _encoded(array: pa.Array | pa.ChunkedArray) -> tuple[list[Any], pl.Series]:
    """A column's distinct values and each row's index into them (nulls: one past the end)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_dictionary(array.type):
        array = pc.dictionary_encode(array)
    uniques = array.dictionary.to_pylist()
    codes = pl.Series(array.indices.cast(pa.int64())).fill_null(len(uniques))
    return uniques, codes


def _normalize(
    batch: pa.RecordBatch,
    rows: pl.Series,
    layout: Layout,
    info: Sniffed,
    path: Path,
    report: IngestReport,
) -> pl.DataFrame:
    cols = info.columns
    n = batch.num_rows
    distinct: dict[str, tuple[list[Any], pl.Series]] = {}

    def encoded(field: str) -> tuple[list[Any], pl.Series]:
        if field not in distinct:
            if field in cols:
                distinct[field] = _encoded(batch.column(cols[field]))
            else:
                distinct[field] = ([], pl.Series([0] * n, dtype=pl.Int64))
        return distinct[field]

    def by_value(field: str, fn: Callable[[str | None], Any], dtype: Any) -> pl.Series:
        """``fn`` on each distinct value of a raw column, spread to its rows."""
        uniques, codes = encoded(field)
        return pl.Series([fn(u) for u in uniques] + [fn(None)], dtype=dtype).gather(codes)

    def dates(field: str) -> pl.Series:
        return _by_date(*encoded(field))

    def text(field: str, upper: bool = False) -> pl.Series:
        return by_value(field, _upper_clean if upper else _clean_value, pl.String)

    out: dict[str, pl.Series] = {"source_row": rows}
    checks: list[tuple[str, pl.Series, str]] = []  # (reason, bad mask, raw field)
    out["event_date"] = dates("event_date")
    checks.append(("bad or missing date", out["event_date"].is_null(), "event_date"))
    out["citizenship_country"] = text("citizenship_country", upper=True)
    gender = by_value("gender", _gender, pl.Enum(list(GENDERS)))
    out["gender"] = gender
    checks.append(("unknown gender", gender.is_null(), "gender"))
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
                "case_category",
            )
        )
    crim = by_value("criminality", _criminality, pl.Enum(list(CRIMINALITY)))
    if layout.kind in ("detainer", "arrest", "encounter"):
        checks.append(("unknown criminality", crim.is_null(), "criminality"))
    if layout.kind == "detention_stint":
        out["stay_start"] = dates("stay_start")
        out["end_date"] = dates("end_date")
        checks.append(("bad stay start date", out["stay_start"].is_null(), "stay_start"))
        present = by_value("end_date", _clean_value, pl.String).is_not_null()
        checks.append(("bad book-out date", present & out["end_date"].is_null(), "end_date"))
        out["facility_code"] = text("facility_code", upper=True)
        checks.append(("missing facility code", out["facility_code"].is_null(), "facility_code"))
        out["release_reason"] = text("release_reason")
    elif layout.kind == "detainer":
        out["facility_state"] = text("state", upper=True)
        out["lifted_reason"] = text("lifted_reason")
    elif layout.kind in ("arrest", "encounter"):
        out["method"] = text("method")
        channel = by_value(
            "method",
            lambda v: METHOD_CHANNELS.get((_clean_value(v) or "").lower()),
            pl.Enum(list(CHANNELS)),
        )
        out["channel"] = channel
        checks.append((f"unknown {layout.kind} method", channel.is_null(), "method"))
    if layout.kind == "encounter":
        out["processing_disposition"] = text("processing_disposition")
    elif layout.kind == "arrest":
        out["state"] = text("state", upper=True)
        out["final_order"] = by_value("final_order", _yes_no, pl.Boolean)
    elif layout.kind == "removal":
        out["most_serious_conviction"] = text("conviction")
        if "criminality" not in cols:  # the removal files mark convictions by a conviction entry
            crim = by_value(
                "conviction",
                lambda v: "other_violator" if _clean_value(v) is None else "convicted",
                pl.Enum(list(CRIMINALITY)),
            )
        out["removal_kind"] = by_value("case_category", _removal_kind, pl.Enum(list(REMOVAL_KINDS)))
    out["criminality"] = crim.fill_null("unknown")
    out["fiscal_year"] = pl.select(fiscal_year(pl.lit(out["event_date"]))).to_series()
    out["source_file"] = pl.repeat(path.name, n, eager=True, dtype=pl.String)
    normalized = _without_rejected(pl.DataFrame(out), checks, rows, encoded, report)
    schema = SCHEMAS[layout.kind]
    return normalized.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])


def _upper_clean(value: str | None) -> str | None:
    clean = _clean_value(value)
    return clean.upper() if clean is not None else None


def _without_rejected(
    normalized: pl.DataFrame,
    checks: list[tuple[str, pl.Series, str]],
    rows: pl.Series,
    encoded: Callable[[str], tuple[list[Any], pl.Series]],
    report: IngestReport,
) -> pl.DataFrame:
    """``normalized`` less the rows that fail a check, each reported under the first check it
    fails, with its raw value (looked up only for the rows that fail)."""
    bad = checks[0][1].fill_null(False)  # the date check, which every layout has
    for _, mask, _ in checks[1:]:
        bad = bad | mask.fill_null(False)
    if not bad.any():
        return normalized
    where = bad.arg_true()
    masks = []
    for why, mask, field in checks:
        uniques, codes = encoded(field)
        values = [uniques[c] if c < len(uniques) else None for c in codes.gather(where)]
        masks.append((why, mask.gather(where).to_list(), values))
    for i, row in enumerate(rows.gather(where).to_list()):
        for why, failed, values in masks:
            if failed[i]:
                report.reject(row, why, values[i])
                break
    return normalized.filter(~bad)


def _yes_no(value: str | None) -> bool | None:
    return YES_NO.get((_clean_value(value) or "").lower())


YES_NO = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
}


def _removal_kind(value: str | None) -> str:
    code = _category(value)[0]
    return "unknown" if code is None else CASE_CATEGORY_REMOVAL_KIND.get(code, "other")


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

    try:
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
            text = (
                frame.with_columns(pl.all().cast(pl.String))
                .to_arrow()
                .combine_chunks()
                .to_batches()
            )
            rows = pl.int_range(row, row + frame.height, eager=True, dtype=pl.Int64)
            row += frame.height
            report.rows_read += frame.height
            if text:
                yield _normalize(text[0], rows, layout, info, path, report)
    except (pa.ArrowException, OSError) as err:  # a damaged file: a page, a footer, a codec
        raise InputError(
            f"cannot read as Parquet: {str(err).splitlines()[0] if str(err) else err!r}",
            file=str(path),
        ) from None
