"""Reading a delimited file in blocks with pyarrow, the one way every CSV layout does it.

Rows with the wrong number of fields are rejected into the report with their line number, never
dropped; a file that cannot be parsed or decoded (truncated gzip, bad bytes) is one clear error
naming the file; and each block comes with the file line number of each of its rows.

A file cut off mid-row (an interrupted download, a copy that ran out of room) ends without a line
break, and its last row may still have every field, only shorter: a label cut in half would be
read as a label. So the last row of a file that does not end with a line break is rejected, with
that reason. (A file written without a final line break loses its last row the same way, visibly
in the report: the two cannot be told apart.)
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from immsim.data.report import IngestReport
from immsim.errors import InputError

SNIFF_BYTES = 1 << 16
BLOCK_BYTES = 1 << 23
CUT_OFF = "cut off: the file ends inside this row (no line break after it)"


class _Tail(io.RawIOBase):
    """Reads through to a stream and keeps its last bytes, so that once the parser is done we
    can tell whether the file ended with a line break, and what its last line was."""

    KEEP = 4096  # enough of the last line to show in the report

    def __init__(self, inner: io.BufferedIOBase) -> None:
        super().__init__()
        self.inner = inner
        self.tail = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.inner.readinto(buffer)
        if n:
            self.tail = (self.tail + bytes(memoryview(buffer)[max(0, n - self.KEEP) : n]))[
                -self.KEEP :
            ]
        return n

    def close(self) -> None:
        self.inner.close()
        super().close()

    def cut_line(self, encoding: str) -> str | None:
        """The last line, if the stream did not end with a line break (else None)."""
        if not self.tail or self.tail.endswith((b"\n", b"\r")):
            return None
        last = self.tail.replace(b"\r", b"\n").rsplit(b"\n", 1)[-1]
        return last.decode(encoding, errors="replace")


def open_stream(path: Path) -> io.BufferedIOBase:
    """The file's bytes, through gzip if it is gzipped (whatever its name)."""
    raw = path.open("rb")
    magic = raw.read(2)
    raw.seek(0)
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw)
    return raw


UNREADABLE = (OSError, EOFError, zlib.error)
"""What reading a damaged file raises: a gzip stream cut short or corrupted raises EOFError or
zlib.error, neither of them an OSError."""


def read_head(path: Path) -> bytes:
    """The first bytes of the file (decompressed), for sniffing its layout; a file that cannot
    be read so far is an InputError naming it."""
    try:
        with open_stream(path) as handle:
            return handle.read(SNIFF_BYTES)
    except UNREADABLE as err:
        raise InputError(f"cannot read (truncated or corrupt?): {err}", file=str(path)) from None


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def text_lines(text: str) -> list[str]:
    """Lines as the CSV parser sees them: broken at CR, LF or CRLF only. ``str.splitlines`` also
    breaks at form feeds, vertical tabs and Unicode separators, which would put our line numbers
    (and the header we tell the parser to find) out of step with the parser's."""
    lines = _LINE_BREAK.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def decode_head(head: bytes) -> tuple[str, str]:
    """The first bytes as text, and the encoding: UTF-8, else Windows-1252 (old exports)."""
    try:
        return head.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        if len(head) == SNIFF_BYTES and err.start > len(head) - 4:  # cut by the sniff window
            return head[: err.start].decode("utf-8"), "utf-8"
        # (a shorter head is the whole file: bytes that do not decode at its end are the file's)
        return head.decode("cp1252", errors="replace"), "cp1252"


def stream_csv(
    path: Path,
    report: IngestReport,
    *,
    columns: list[str] | None,
    first_row: int,
    skip_rows: int = 0,
    encoding: str = "utf-8",
    delimiter: str = ",",
    quoting: bool = True,
    include: list[str] | None = None,
    check_header: Callable[[list[str]], None] | None = None,
) -> Iterator[tuple[pl.DataFrame, pl.Series]]:
    """Blocks of all-text columns and the line numbers of their rows (``first_row`` is the line
    of the first data row). ``columns``: the header's names, read as text (None: as found)."""
    for batch, rows in stream_batches(
        path,
        report,
        columns=columns,
        first_row=first_row,
        skip_rows=skip_rows,
        encoding=encoding,
        delimiter=delimiter,
        quoting=quoting,
        include=include,
        check_header=check_header,
    ):
        frame = pl.from_arrow(pa.Table.from_batches([batch]))
        assert isinstance(frame, pl.DataFrame)
        yield frame, rows


DICTIONARY_TEXT = pa.dictionary(pa.int32(), pa.string())


def stream_batches(
    path: Path,
    report: IngestReport,
    *,
    columns: list[str] | None,
    first_row: int,
    skip_rows: int = 0,
    encoding: str = "utf-8",
    delimiter: str = ",",
    quoting: bool = True,
    include: list[str] | None = None,
    check_header: Callable[[list[str]], None] | None = None,
    dictionary: bool = False,
) -> Iterator[tuple[pa.RecordBatch, pl.Series]]:
    """``stream_csv`` as Arrow record batches. With ``dictionary``, the ``columns`` are parsed
    straight into dictionary arrays: the person-level releases repeat a few values (methods,
    codes, countries, dates) millions of times, and the parser then hands over each block's
    distinct values with their codes, so normalizing them costs one look-up per distinct value."""

    last_bad: list[str] = []

    def bad_row(row: Any) -> str:
        report.reject(
            row.number,
            f"expected {row.expected_columns} columns, found {row.actual_columns}",
            row.text,
        )
        report.rows_read += 1
        last_bad[:] = [row.text]
        return "skip"

    convert: dict[str, Any] = {"strings_can_be_null": False}
    if columns is not None:
        text = DICTIONARY_TEXT if dictionary else pa.string()
        convert["column_types"] = {name: text for name in columns}
        convert["quoted_strings_can_be_null"] = False
    if include is not None:
        convert["include_columns"] = include
    tail = _Tail(open_stream(path))
    stream = pa.PythonFile(tail, mode="r")
    try:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(
                skip_rows=skip_rows, encoding=encoding, block_size=BLOCK_BYTES, use_threads=False
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                invalid_row_handler=bad_row,
                quote_char='"' if quoting else False,
            ),
            convert_options=pacsv.ConvertOptions(**convert),
        )
        if check_header is not None:
            check_header(reader.schema.names)
        line = first_row
        held: tuple[pa.RecordBatch, pl.Series] | None = None  # the last rows wait for the end
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            if batch.num_rows == 0:
                continue
            rows = pl.int_range(line, line + batch.num_rows, eager=True, dtype=pl.Int64)
            line += batch.num_rows
            report.rows_read += batch.num_rows
            if held is not None:
                yield held
            held = batch, rows
        cut = tail.cut_line(encoding)
        if held is not None and cut is not None and last_bad != [cut]:
            batch, rows = held
            report.reject(int(rows[-1]), CUT_OFF, cut)
            held = batch.slice(0, batch.num_rows - 1), rows.slice(0, batch.num_rows - 1)
        if held is not None and held[0].num_rows:
            yield held
    except pa.ArrowException as err:  # ArrowInvalid and the like: the bytes are not this CSV
        raise InputError(
            f"cannot parse as CSV: {str(err).splitlines()[0]}", file=str(path)
        ) from None
    except (*UNREADABLE, UnicodeDecodeError) as err:
        raise InputError(f"cannot read (truncated or corrupt?): {err}", file=str(path)) from None
    finally:
        stream.close()
