"""The Deportation Data Project's daily detained population by facility, in both published
layouts: Parquet with ICE's facility codes (``facilities-daily-population-*.parquet``), and CSV
with facility names and state (``ice_detention_daily_by_facility-*.csv``, often gzipped).

Each row is a facility on a day: the people held at any time that day and at midnight, with the
men, women, people with a conviction and people possibly under 18 among them. ``persons`` is the
midnight count, the one ICE's average daily population is built from. Facilities are
institutions, not people: their names are kept where the layout has no code.

A row is rejected, with its reason, when its date or a count cannot be read, when it names no
facility, or when its counts contradict each other (more at midnight, or more men and women,
convicted or under-18 people, than were held that day).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa

from immsim.data.csvstream import decode_head, read_head, stream_csv, text_lines
from immsim.data.report import IngestReport
from immsim.data.schema import conform, fiscal_year
from immsim.errors import InputError

CSV_LAYOUT = "ddp_facility_daily_csv"
PARQUET_LAYOUT = "ddp_facility_daily_parquet"

COUNTS = {
    "n_detained": "persons_during_day",
    "n_detained_at_midnight": "persons",
    "n_detained_male": "male",
    "n_detained_female": "female",
    "n_detained_convicted_criminal": "convicted",
    "n_detained_possibly_under_18": "possibly_under_18",
}
"""The release's count columns and ours."""
CSV_COLUMNS = ("detention_facility", "state", "date", *COUNTS)
PARQUET_COLUMNS = ("detention_facility_code", "date", *COUNTS)
PARQUET_BATCH_ROWS = 200_000


def _names(line: str) -> set[str]:
    return {name.strip().lower() for name in next(csv.reader([line]), [])}


def looks_like_daily_csv(first_line: str) -> bool:
    return set(CSV_COLUMNS) <= _names(first_line)


def parquet_layout(path: Path) -> str | None:
    import pyarrow.parquet as pq

    try:
        names = {n.strip().lower() for n in pq.ParquetFile(path).schema_arrow.names}
    except (pa.ArrowException, OSError) as err:
        raise InputError(f"cannot read as Parquet: {err}", file=str(path)) from None
    return PARQUET_LAYOUT if set(PARQUET_COLUMNS) <= names else None


def read_csv_blocks(path: Path, report: IngestReport) -> Iterator[pl.DataFrame]:
    head, encoding = decode_head(read_head(path))
    header = next(csv.reader(text_lines(head)[:1]), [])
    if not set(CSV_COLUMNS) <= {h.strip().lower() for h in header}:
        raise InputError(
            f"unexpected header {header[:12]}", file=str(path), allowed=", ".join(CSV_COLUMNS)
        )
    if encoding != "utf-8":
        report.notes.append(f"read as {encoding} (not valid UTF-8)")
    for frame, rows in stream_csv(path, report, columns=header, first_row=2, encoding=encoding):
        frame = frame.rename({h: h.strip().lower() for h in header})
        yield _normalize(frame, rows, path, report, "facility_name")


def read_parquet_blocks(path: Path, report: IngestReport) -> Iterator[pl.DataFrame]:
    import pyarrow.parquet as pq

    source = pq.ParquetFile(path)
    by_lower = {n.strip().lower(): n for n in source.schema_arrow.names}
    wanted = [*PARQUET_COLUMNS, "detention_facility"]
    columns = [by_lower[n] for n in wanted if n in by_lower]
    row = 1
    try:
        for batch in source.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=columns):
            frame = pl.from_arrow(pa.Table.from_batches([batch]))
            assert isinstance(frame, pl.DataFrame)
            frame = frame.rename({name: name.strip().lower() for name in frame.columns})
            rows = pl.int_range(row, row + frame.height, eager=True, dtype=pl.Int64)
            row += frame.height
            report.rows_read += frame.height
            yield _normalize(frame, rows, path, report, "facility_code")
    except (pa.ArrowException, OSError) as err:
        raise InputError(f"cannot read as Parquet: {err}", file=str(path)) from None


def _text(frame: pl.DataFrame, name: str) -> pl.Series:
    """A text column trimmed, blanks as nulls (absent: all null)."""
    if name not in frame.columns:
        return pl.Series(name, [None] * frame.height, dtype=pl.String)
    text = frame[name].cast(pl.String).str.strip_chars()
    return text.set(text == "", None)


def _dates(series: pl.Series) -> pl.Series:
    if series.dtype == pl.Date:
        return series
    if series.dtype == pl.Datetime:
        return series.dt.date()
    text = series.cast(pl.String).str.strip_chars()
    return text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)


def _count(series: pl.Series) -> pl.Series:
    if series.dtype.is_integer():
        return series.cast(pl.Int64)
    return series.cast(pl.String).str.strip_chars().cast(pl.Int64, strict=False)


def _normalize(
    frame: pl.DataFrame, rows: pl.Series, path: Path, report: IngestReport, facility: str
) -> pl.DataFrame:
    """``facility``: the column that names the facility in this layout (the code in Parquet,
    the name in CSV); a row without it is rejected."""
    out = pl.DataFrame(
        {
            "source_row": rows,
            "event_date": _dates(frame["date"]),
            "facility_code": _text(frame, "detention_facility_code"),
            "facility_name": _text(frame, "detention_facility"),
            "state": _text(frame, "state"),
            **{ours: _count(frame[theirs]) for theirs, ours in COUNTS.items()},
        }
    )
    counts = list(COUNTS.values())
    all_held = pl.col("persons_during_day")
    checks = [
        ("bad or missing date", pl.col("event_date").is_null()),
        ("no facility", pl.col(facility).is_null()),
        (
            "a count that is not a whole number of people",
            pl.any_horizontal(pl.col(c).is_null() | (pl.col(c) < 0) for c in counts),
        ),
        ("more held at midnight than during the day", pl.col("persons") > all_held),
        ("more men and women than people held", pl.col("male") + pl.col("female") > all_held),
        (
            "more convicted or under-18 people than people held",
            (pl.col("convicted") > all_held) | (pl.col("possibly_under_18") > all_held),
        ),
    ]
    reasons = out.select(
        pl.coalesce(
            [pl.when(failed.fill_null(False)).then(pl.lit(why)) for why, failed in checks]
        ).alias("why")
    )["why"]
    if reasons.null_count() < out.height:
        raw = frame.select(
            pl.concat_str(pl.all().cast(pl.String), separator=",", ignore_nulls=True)
        )
        bad = reasons.is_not_null()
        for row, why, text in zip(
            rows.filter(bad), reasons.filter(bad), raw.to_series().filter(bad), strict=True
        ):
            report.reject(int(row), str(why), text)
        out = out.filter(~bad)
    good = out.with_columns(
        fiscal_year(pl.col("event_date")).alias("fiscal_year"),
        pl.lit(path.name).alias("source_file"),
    )
    return conform(good, "detention_stay")
