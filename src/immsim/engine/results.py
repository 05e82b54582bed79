"""What a run returns: tidy tables and a manifest, saved atomically as Parquet + JSON.

``weekly``: one row per week, every flow, stock, cost, capacity and binding flag.
``breakdown``: people removed and arrested each week by key attributes (long format).
``manifest``: the scenario, every parameter value in force during the run with its source, the
code version, the seed and the wall time: enough to reproduce and to audit the run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from immsim.atomic import atomic_folder
from immsim.errors import InputError

WEEKLY_FILE = "weekly.parquet"
BREAKDOWN_FILE = "breakdown.parquet"
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class Results:
    weekly: pl.DataFrame
    breakdown: pl.DataFrame
    manifest: dict[str, Any]

    def yearly(self) -> pl.DataFrame:
        """Flows summed and stocks averaged per fiscal year (October to September)."""
        flows = [c for c in self.manifest["columns"]["flows"] if c in self.weekly.columns]
        costs = [c for c in self.manifest["columns"]["costs"] if c in self.weekly.columns]
        stocks = [c for c in self.manifest["columns"]["stocks"] if c in self.weekly.columns]
        return (
            self.weekly.group_by("fiscal_year")
            .agg(
                pl.len().alias("weeks"),
                *(pl.col(c).sum() for c in flows + costs),
                *(pl.col(c).mean().alias(f"{c}_avg") for c in stocks),
                pl.col("binding").mode().first().alias("binding_most_weeks"),
            )
            .sort("fiscal_year")
        )

    def shares(self, stage: str = "removed", attribute: str = "criminal_history") -> pl.DataFrame:
        """Share of people removed (or arrested) by level of an attribute, per fiscal year."""
        rows = self.breakdown.filter(
            (pl.col("stage") == stage) & (pl.col("attribute") == attribute)
        )
        return (
            rows.group_by("fiscal_year", "level")
            .agg(pl.col("persons").sum())
            .with_columns(
                (pl.col("persons") / pl.col("persons").sum().over("fiscal_year")).alias("share")
            )
            .sort("fiscal_year", "level")
        )

    def digest(self) -> dict[str, str]:
        """A fingerprint of each output table, so that two runs can be shown to agree bit for bit
        (the golden tests compare the shipped scenarios' with ``tests/golden/digests.json``)."""
        return {"weekly": _frame_digest(self.weekly), "breakdown": _frame_digest(self.breakdown)}

    def save(self, folder: str | Path, overwrite: bool = False) -> Path:
        """Write ``folder`` in one step: a failed save leaves no partial run behind."""
        target = Path(folder)
        with atomic_folder(target, overwrite=overwrite) as tmp:
            self.weekly.write_parquet(tmp / WEEKLY_FILE)
            self.breakdown.write_parquet(tmp / BREAKDOWN_FILE)
            (tmp / MANIFEST_FILE).write_text(
                json.dumps(self.manifest, indent=2, default=str) + "\n", encoding="utf-8"
            )
        return target


def load_results(folder: str | Path) -> Results:
    path = Path(folder)
    missing = [f for f in (WEEKLY_FILE, BREAKDOWN_FILE, MANIFEST_FILE) if not (path / f).is_file()]
    if missing:
        raise InputError(f"not a saved run (missing {', '.join(missing)})", file=str(path))
    try:
        return Results(
            weekly=pl.read_parquet(path / WEEKLY_FILE),
            breakdown=pl.read_parquet(path / BREAKDOWN_FILE),
            manifest=json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8")),
        )
    except (OSError, ValueError, pl.exceptions.PolarsError) as err:  # damaged, or not a run's
        raise InputError(
            f"cannot read as a saved run ({type(err).__name__})", file=str(path)
        ) from err


def _frame_digest(frame: pl.DataFrame) -> str:
    """SHA-256 over a table's column names and values, taken in name order so that reordering
    columns changes nothing; numbers as float64 bytes, so that an integer column turned float
    with the same values keeps its digest; text as UTF-8 with a separator no label holds."""
    digest = hashlib.sha256()
    for name in sorted(frame.columns):
        column = frame[name]
        digest.update(name.encode() + b"\x00")
        if column.dtype.is_numeric():
            digest.update(column.cast(pl.Float64).to_numpy().tobytes())
        else:
            digest.update("\x1f".join(str(v) for v in column.to_list()).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()
