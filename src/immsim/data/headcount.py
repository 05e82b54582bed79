"""Daily detained headcounts by facility (``facility_code|n|date``, often gzipped): the
detention stock series, read as a stream in blocks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from immsim.data.csvstream import decode_head, read_head, stream_csv
from immsim.data.report import IngestReport
from immsim.data.schema import conform, fiscal_year
from immsim.errors import InputError

HEADER = ("detention_facility_code", "n", "date")


def looks_like_headcount(first_line: str) -> bool:
    return first_line.strip().lower().split("|")[:3] == list(HEADER)


def read_blocks(path: Path, report: IngestReport) -> Iterator[pl.DataFrame]:
    def check_header(names: list[str]) -> None:
        if [c.lower() for c in names[:3]] != list(HEADER):
            raise InputError(f"unexpected header {names}", file=str(path), allowed="|".join(HEADER))

    _, encoding = decode_head(read_head(path))
    if encoding != "utf-8":
        report.notes.append(f"read as {encoding} (not valid UTF-8)")
    for frame, rows in stream_csv(
        path,
        report,
        columns=list(HEADER),
        first_row=2,
        encoding=encoding,
        delimiter="|",
        check_header=check_header,
    ):
        frame = frame.with_columns(
            rows.alias("source_row"),
            pl.col("date").str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias("event_date"),
            pl.col("n").str.strip_chars().cast(pl.Int64, strict=False).alias("persons"),
            pl.col("detention_facility_code").str.strip_chars().alias("facility_code"),
        )
        valid = (
            pl.col("event_date").is_not_null()
            & pl.col("persons").is_not_null()
            & (pl.col("persons") >= 0)
            & (pl.col("facility_code") != "")
        )
        for row, date, n, code in (
            frame.filter(~valid)
            .select("source_row", "date", "n", "detention_facility_code")
            .iter_rows()
        ):
            report.reject(row, "bad date, count or facility code", f"{code}|{n}|{date}")
        good = frame.filter(valid).with_columns(
            fiscal_year(pl.col("event_date")).alias("fiscal_year"),
            pl.lit(path.name).alias("source_file"),
        )
        yield conform(good.drop("n", "date"), "detention_stay")
