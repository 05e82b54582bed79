"""Save and load strata tables (Parquet, or CSV for hand-made files), validating what users give.

A built table carries its provenance (reference date, seed, targets and the parameter values
used) in the Parquet metadata, so ``describe`` can compare any saved file with its targets.
Writes go to a temporary file in the same folder and are renamed into place: an interrupted
save leaves the old file (or nothing), never half a file.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from immsim.atomic import atomic_file
from immsim.errors import InputError
from immsim.parameters.schema import MAX_MAGNITUDE
from immsim.population.attributes import YEARS_IN_US
from immsim.population.build import (
    BOOLEAN_COLUMNS,
    CATEGORICAL_COLUMNS,
    STRATA_COLUMNS,
    Population,
)
from immsim.population.targets import RAKED, Target

METADATA_KEY = b"immsim.population"


def save_population(population: Population, path: str | Path) -> Path:
    """Write the strata as Parquet with provenance metadata, atomically."""
    target = Path(path)
    meta = {
        "reference_date": population.reference_date.isoformat(),
        "origin": population.origin,
        "seed": population.seed,
        "targets": [t.as_dict() for t in population.targets],
        "parameters": population.parameters,
    }
    table = population.strata.to_arrow()
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), METADATA_KEY: json.dumps(meta, default=str).encode()}
    )
    with atomic_file(target) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return target


def load_population(path: str | Path, reference_date: dt.date | None = None) -> Population:
    """Read a saved or hand-made strata file (``.parquet`` or ``.csv``) and validate it."""
    source = Path(path)
    if not source.is_file():
        raise InputError("no such file", file=str(source))
    meta: dict[str, Any] = {}
    try:
        if source.suffix == ".csv":
            frame = pl.read_csv(source, infer_schema_length=10000)
        else:
            table = pq.read_table(source)
            raw = (table.schema.metadata or {}).get(METADATA_KEY)
            meta = json.loads(raw) if raw else {}
            frame = pl.from_arrow(table)  # type: ignore[assignment]
    except (pl.exceptions.PolarsError, pa.ArrowException, OSError, ValueError) as err:
        raise InputError(
            f"cannot read as a strata table: {err}".splitlines()[0],
            file=str(source),
            allowed="a Parquet file written by `immsim population build`, or a CSV with the strata columns",
        ) from None
    assert isinstance(frame, pl.DataFrame)
    when = reference_date or (
        dt.date.fromisoformat(meta["reference_date"]) if "reference_date" in meta else None
    )
    if when is None:
        raise InputError("the file does not say its reference date; pass --date", file=str(source))
    strata = validate_strata(frame, str(source), when)
    targets = tuple(
        Target(
            t["attribute"],
            tuple(t["levels"]),
            np.asarray(t["persons"], dtype=np.float64),
            tuple(t["sources"]),
        )
        for t in meta.get("targets", [])
    )
    return Population(
        strata=strata,
        reference_date=when,
        targets=targets,
        origin=meta.get("origin", f"user file {source.name}"),
        parameters=meta.get("parameters", {}),
        seed=meta.get("seed"),
    )


def validate_strata(frame: pl.DataFrame, source: str, at: dt.date) -> pl.DataFrame:
    """Check columns, levels and counts; return the table in the canonical column types.

    ``entry_year`` may be omitted (it is derived from ``years_in_us``); ``aor`` levels are free
    (a user may use other areas). Errors name the column, the first bad row (1-based, counting
    data rows) and what is allowed.
    """
    required = [c for c in STRATA_COLUMNS if c != "entry_year"]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing column(s): {', '.join(missing)}",
            file=source,
            allowed=", ".join(required),
        )
    extra = [c for c in frame.columns if c not in STRATA_COLUMNS]
    if extra:
        raise InputError(
            f"unknown column(s): {', '.join(extra)}",
            file=source,
            allowed=", ".join(STRATA_COLUMNS),
        )
    if frame.height == 0:
        raise InputError("the strata table has no rows", file=source)
    out = frame.with_columns(pl.col(c).cast(pl.String) for c in CATEGORICAL_COLUMNS)
    for column in CATEGORICAL_COLUMNS:
        values = out[column]
        if values.null_count():
            _bad_row(source, column, values.is_null(), "a value (empty here)", "")
        if column == "aor":
            continue
        levels = RAKED[column]
        _bad_row(source, column, ~values.is_in(list(levels)), "one of " + ", ".join(levels), values)
    for column in BOOLEAN_COLUMNS:
        values = out[column]
        if values.dtype != pl.Boolean:
            text = values.cast(pl.String).str.to_lowercase()
            ok = text.is_in(["true", "false"])
            _bad_row(source, column, ~ok | text.is_null(), "true or false", values)
            out = out.with_columns((text == "true").alias(column))
        elif values.null_count():
            _bad_row(source, column, values.is_null(), "true or false", values)
    counts = out["count"]
    most = MAX_MAGNITUDE["count"]
    if not counts.dtype.is_integer():
        as_float = counts.cast(pl.Float64, strict=False)
        _bad_row(
            source,
            "count",
            as_float.is_null() | ~as_float.is_finite() | (as_float != as_float.floor()),
            "a whole number of people",
            counts,
        )
        # beyond the bound a float may not fit a 64-bit integer: refused below, as too many
        out = out.with_columns(pl.col("count").cast(pl.Float64).clip(-1.0, most + 1).cast(pl.Int64))
    _bad_row(
        source,
        "count",
        out["count"].is_null() | (out["count"] < 0) | (out["count"] > most),
        f"a count from 0 to {most:.0e}",
        counts,
    )
    years = {band: at.year - edge for band, edge in YEARS_IN_US.items()}
    derived = out["years_in_us"].replace_strict(years, return_dtype=pl.Int16)
    if "entry_year" in out.columns:
        given = out["entry_year"].cast(pl.Int16, strict=False)
        _bad_row(
            source,
            "entry_year",
            given.is_null() | (given != derived),
            f"the year {at.year} less the lower edge of years_in_us",
            out["entry_year"],
        )
    out = out.with_columns(derived.alias("entry_year"))
    keys = [c for c in STRATA_COLUMNS if c not in ("entry_year", "count")]
    duplicated = out.select(keys).is_duplicated()
    _bad_row(source, ", ".join(keys), duplicated, "each combination once", None)
    aors = sorted(out["aor"].unique().to_list())
    return (
        out.with_columns(
            pl.col("aor").cast(pl.Enum(aors)),
            *(pl.col(c).cast(pl.Enum(list(RAKED[c]))) for c in CATEGORICAL_COLUMNS if c != "aor"),
            pl.col("count").cast(pl.Int64),
        )
        .filter(pl.col("count") > 0)
        .select(STRATA_COLUMNS)
    )


def _bad_row(
    source: str, column: str, bad: pl.Series, allowed: str, values: pl.Series | str | None
) -> None:
    if not bad.any():
        return
    index = int(bad.arg_true()[0])
    shown = "" if values is None or isinstance(values, str) else f" ({values[index]!r})"
    raise InputError(
        f"row {index + 1}: bad {column}{shown}; {int(bad.sum())} row(s) in all",
        file=source,
        key=column,
        allowed=allowed,
    )
