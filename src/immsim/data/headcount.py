"""Daily detained headcounts by facility (``facility_code|n|date``, often gzipped): the
detention stock series, read as a stream in blocks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from immsim.data.lesa import BLOCK_BYTES, _open
from immsim.data.report import IngestReport
from immsim.data.schema import SCHEMAS
from immsim.errors import InputError

HEADER = ("detention_facility_code", "n", "date")


def looks_like_headcount(first_line: str) -> bool:
    return first_line.strip().lower().split("|")[:3] == list(HEADER)


def read_blocks(path: Path, report: IngestReport) -> Iterator[pl.DataFrame]:
    def bad_row(row: Any) -> str:
        report.reject(row.number, f"expected 3 columns, found {row.actual_columns}", row.text)
        report.rows_read += 1
        return "skip"

    stream = pa.PythonFile(_open(path), mode="r")
    try:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter="|", invalid_row_handler=bad_row),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in HEADER},
                strings_can_be_null=False,
            ),
        )
        if [c.lower() for c in reader.schema.names[:3]] != list(HEADER):
            raise InputError(
                f"unexpected header {reader.schema.names}",
                file=str(path),
                allowed="|".join(HEADER),
            )
        line = 1
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            frame = pl.from_arrow(pa.Table.from_batches([batch]))
            assert isinstance(frame, pl.DataFrame)
            rows = pl.int_range(line + 1, line + 1 + frame.height, eager=True, dtype=pl.Int64)
            line += frame.height
            report.rows_read += frame.height
            frame = frame.with_columns(
                rows.alias("source_row"),
                pl.col("date").str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias("event_date"),
                pl.col("n").str.strip_chars().cast(pl.Int64, strict=False).alias("persons"),
                pl.col("detention_facility_code").str.strip_chars().alias("facility_code"),
            )
            bad = frame.filter(
                pl.col("event_date").is_null()
                | pl.col("persons").is_null()
                | (pl.col("persons") < 0)
                | (pl.col("facility_code") == "")
            )
            for row, date, n, code in bad.select(
                "source_row", "date", "n", "detention_facility_code"
            ).iter_rows():
                report.reject(row, "bad date, count or facility code", f"{code}|{n}|{date}")
            good = frame.filter(
                pl.col("event_date").is_not_null()
                & pl.col("persons").is_not_null()
                & (pl.col("persons") >= 0)
                & (pl.col("facility_code") != "")
            ).with_columns(
                (
                    pl.col("event_date").dt.year().cast(pl.Int16)
                    + (pl.col("event_date").dt.month() >= 10).cast(pl.Int16)
                ).alias("fiscal_year"),
                pl.lit(path.name).alias("source_file"),
            )
            yield good.select([pl.col(n).cast(t) for n, t in SCHEMAS["detention_stay"].items()])
    except pa.ArrowInvalid as err:
        raise InputError(f"cannot parse: {str(err).splitlines()[0]}", file=str(path)) from None
    except (OSError, EOFError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read (truncated or corrupt?): {err}", file=str(path)) from None
    finally:
        stream.close()
