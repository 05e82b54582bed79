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
import gzip
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

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
)
from immsim.errors import InputError

SNIFF_BYTES = 1 << 16
BLOCK_BYTES = 1 << 24
DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M:%S", "%m/%d/%y")

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


def _open(path: Path) -> io.BufferedIOBase:
    raw = path.open("rb")
    magic = raw.read(2)
    raw.seek(0)
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw)
    return raw


def _decode(head: bytes) -> tuple[str, str]:
    try:
        return head.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        if err.start > len(head) - 4:  # a character cut by the sniff window
            return head[: err.start].decode("utf-8"), "utf-8"
        return head.decode("cp1252", errors="replace"), "cp1252"


def sniff(path: Path, layout: Layout) -> Sniffed:
    """Find the header row below any preamble and map the layout's fields to its columns."""
    with _open(path) as handle:
        try:
            head = handle.read(SNIFF_BYTES)
        except (OSError, EOFError) as err:
            raise InputError(f"cannot read: {err}", file=str(path)) from None
    text, encoding = _decode(head)
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

    def bad_row(row: Any) -> str:
        report.reject(
            row.number,
            f"expected {row.expected_columns} columns, found {row.actual_columns}",
            row.text,
        )
        report.rows_read += 1
        return "skip"

    stream = pa.PythonFile(_open(path), mode="r")
    try:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(
                skip_rows=info.header_line,
                encoding=info.encoding,
                block_size=BLOCK_BYTES,
                use_threads=False,
            ),
            parse_options=pacsv.ParseOptions(invalid_row_handler=bad_row),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in info.header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        offset = info.header_line + 1  # line number of the first data row, 1-based after +1
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            frame = pl.from_arrow(pa.Table.from_batches([batch]))
            assert isinstance(frame, pl.DataFrame)
            rows = pl.int_range(offset + 1, offset + 1 + frame.height, eager=True, dtype=pl.Int64)
            offset += frame.height
            report.rows_read += frame.height
            yield _normalize(frame, rows, layout, info, path, report)
    except pa.ArrowInvalid as err:
        raise InputError(
            f"cannot parse as CSV: {str(err).splitlines()[0]}", file=str(path)
        ) from None
    except (OSError, EOFError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read (truncated or corrupt?): {err}", file=str(path)) from None
    finally:
        stream.close()


def _clean(column: str) -> pl.Expr:
    """Trimmed text; redaction markers and blanks become null."""
    text = pl.col(column).str.strip_chars()
    return pl.when(text.str.contains(REDACTION.pattern) | (text == "")).then(None).otherwise(text)


def _date(column: str) -> pl.Expr:
    text = pl.col(column).str.strip_chars()
    return pl.coalesce([text.str.strptime(pl.Date, fmt, strict=False) for fmt in DATE_FORMATS])


def _normalize(
    frame: pl.DataFrame,
    rows: pl.Series,
    layout: Layout,
    info: Sniffed,
    path: Path,
    report: IngestReport,
) -> pl.DataFrame:
    cols = info.columns
    out = pl.DataFrame({"source_row": rows})
    exprs: list[pl.Expr] = []
    checks: list[tuple[str, pl.Expr, str]] = []  # (reason, bad-row mask, raw column)

    def raw(field: str) -> pl.Expr:
        return _clean(cols[field]) if field in cols else pl.lit(None, dtype=pl.String)

    exprs.append(_date(cols["event_date"]).alias("event_date"))
    checks.append(("bad or missing date", pl.col("event_date").is_null(), cols["event_date"]))
    exprs.append(raw("citizenship_country").str.to_uppercase().alias("citizenship_country"))
    gender = raw("gender").str.to_lowercase().fill_null("unknown")
    exprs.append(gender.alias("gender_raw"))
    checks.append(
        ("unknown gender", ~pl.col("gender_raw").is_in(list(GENDERS)), cols.get("gender", ""))
    )
    aor = raw("aor").str.to_uppercase()
    if info.aor_from_title:
        aor = aor.fill_null(pl.lit(info.aor_from_title))
    exprs.append(aor.alias("aor"))
    category = raw("case_category")
    exprs.append(category.str.extract(BRACKET_CODE.pattern, 1).alias("case_category_code"))
    exprs.append(
        pl.coalesce(category.str.extract(BRACKET_CODE.pattern, 2), category).alias("case_category")
    )
    if "case_category" in cols:
        checks.append(
            (
                "case category without a [code]",
                category.is_not_null() & pl.col("case_category_code").is_null(),
                cols["case_category"],
            )
        )
    crim_raw = raw("criminality").str.to_lowercase()
    crim = (
        pl.when(crim_raw.str.contains("convicted"))
        .then(pl.lit("convicted"))
        .when(crim_raw.str.contains("pending"))
        .then(pl.lit("pending_charges"))
        .when(crim_raw.str.contains("other immigration violator|non-criminal"))
        .then(pl.lit("other_violator"))
        .otherwise(None)
    )
    if layout.kind == "arrest":
        exprs.append(crim.alias("criminality_raw"))
        checks.append(
            ("unknown criminality", pl.col("criminality_raw").is_null(), cols["criminality"])
        )
        method = raw("method")
        exprs.append(method.alias("method"))
        exprs.append(
            method.str.to_lowercase().replace_strict(METHOD_CHANNELS, default=None).alias("channel")
        )
        checks.append(("unknown arrest method", pl.col("channel").is_null(), cols["method"]))
        exprs.append(raw("state").str.to_uppercase().alias("state"))
        order = raw("final_order").str.to_lowercase()
        exprs.append(
            pl.when(order.is_in(["yes", "y", "true", "1"]))
            .then(True)
            .when(order.is_in(["no", "n", "false", "0"]))
            .then(False)
            .otherwise(None)
            .alias("final_order")
        )
    else:
        conviction = raw("conviction")
        exprs.append(conviction.alias("most_serious_conviction"))
        if "criminality" in cols:
            exprs.append(crim.alias("criminality_raw"))
        else:  # the removal files mark convictions by a most-serious-conviction entry
            exprs.append(
                pl.when(conviction.is_not_null())
                .then(pl.lit("convicted"))
                .otherwise(pl.lit("other_violator"))
                .alias("criminality_raw")
            )
    frame = frame.with_columns(out["source_row"]).with_columns(exprs)
    if layout.kind == "removal":
        frame = frame.with_columns(
            pl.when(pl.col("case_category_code").is_null())
            .then(pl.lit("unknown"))
            .otherwise(
                pl.col("case_category_code").replace_strict(
                    CASE_CATEGORY_REMOVAL_KIND, default="other"
                )
            )
            .alias("removal_kind")
        )
    # the first failing check names each rejected row
    reason = pl.lit(None, dtype=pl.String)
    value = pl.lit(None, dtype=pl.String)
    for text, mask, column in reversed(checks):
        reason = pl.when(mask).then(pl.lit(text)).otherwise(reason)
        shown = pl.col(column).cast(pl.String) if column else pl.lit("")
        value = pl.when(mask).then(shown).otherwise(value)
    frame = frame.with_columns(reason.alias("_reason"), value.alias("_value"))
    bad = frame.filter(pl.col("_reason").is_not_null())
    for row, why, shown in bad.select("source_row", "_reason", "_value").iter_rows():
        report.reject(row, why, shown)
    good = frame.filter(pl.col("_reason").is_null())
    result = good.with_columns(
        (
            pl.col("event_date").dt.year().cast(pl.Int16)
            + (pl.col("event_date").dt.month() >= 10).cast(pl.Int16)
        ).alias("fiscal_year"),
        pl.col("gender_raw").cast(pl.Enum(list(GENDERS))).alias("gender"),
        pl.col("criminality_raw")
        .fill_null("unknown")
        .cast(pl.Enum(list(CRIMINALITY)))
        .alias("criminality"),
        pl.lit(path.name).alias("source_file"),
    )
    if layout.kind == "arrest":
        result = result.with_columns(pl.col("channel").cast(pl.Enum(list(CHANNELS))))
    else:
        result = result.with_columns(pl.col("removal_kind").cast(pl.Enum(list(REMOVAL_KINDS))))
    schema = SCHEMAS[layout.kind]
    return result.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])
