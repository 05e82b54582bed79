"""Compare scenarios run with the same seeds and draws: levels and paired differences."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from immsim.analysis.montecarlo import bands, draw_tasks
from immsim.analysis.tasks import execute
from immsim.analysis.uncertainty import Dist
from immsim.atomic import atomic_folder
from immsim.errors import InputError
from immsim.progress import Progress
from immsim.scenario import Scenario


def compare(
    scenarios: list[Scenario],
    draws: int = 5,
    seed: int = 1,
    dists: dict[str, Dist] | None = None,
    workers: int = 1,
    ray: str | None = None,
    progress: Progress | None = None,
) -> dict[str, pl.DataFrame]:
    if len(scenarios) < 2:
        raise InputError("compare needs at least two scenarios")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise InputError(f"scenario names must differ (got {names})")
    tasks = []
    for scenario in scenarios:
        tasks += draw_tasks(
            scenario,
            draws,
            seed,
            dists,
            labels={"scenario": scenario.name},
            prefix=f"{scenario.name}:",
        )
    rows = pl.DataFrame([r for result in execute(tasks, workers, ray, progress) for r in result])
    levels = bands(rows, ("scenario", "fiscal_year", "metric"))
    base = rows.filter(pl.col("scenario") == names[0]).select(
        "draw", "fiscal_year", "metric", pl.col("value").alias("base")
    )
    paired = (
        rows.filter(pl.col("scenario") != names[0])
        .join(base, on=["draw", "fiscal_year", "metric"])
        .with_columns((pl.col("value") - pl.col("base")).alias("value"))
    )
    differences = bands(paired, ("scenario", "fiscal_year", "metric")).with_columns(
        pl.lit(names[0]).alias("against")
    )
    return {"runs": rows, "levels": levels, "differences": differences}


def save_comparison(
    result: dict[str, pl.DataFrame], folder: Path, meta: dict[str, Any], overwrite: bool = False
) -> Path:
    with atomic_folder(folder, overwrite=overwrite) as tmp:
        for name, frame in result.items():
            frame.write_parquet(tmp / f"{name}.parquet")
        (tmp / "manifest.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")
    return folder
