"""Compare scenarios run with the same seeds and draws: levels and paired differences, of the
headline outcomes and of each year's costs in constant dollars and economic, fiscal and family
effects (``analysis.effects.EFFECT_METRICS``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
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
            effects=True,
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


@dataclass(frozen=True)
class EffectDifference:
    """One scenario's cost or effect against the first scenario's in one fiscal year: the
    median of the paired draws' differences, their 90% band, and (where the studies disagree)
    the difference with every rate at the studies' low end and at their high end, in order."""

    scenario: str
    metric: str
    label: str
    unit: str
    median: float
    p05: float
    p95: float
    studies: tuple[float, float] | None

    @property
    def money(self) -> bool:
        return self.unit == "base-year USD"

    def shown(self, value: float) -> str:
        """A difference as tables print it: money in millions, a wage in hundredths of a
        percent (a year of removals moves it by that much), a count whole."""
        from immsim.analysis.effects import PERCENT

        if self.money:
            return f"{value / 1e6:+,.0f}"
        return f"{value:+,.2f}" if self.unit == PERCENT else f"{value:+,.0f}"


def effect_differences(differences: pl.DataFrame) -> tuple[int, list[EffectDifference]]:
    """The costs and effects of :data:`immsim.analysis.effects.EFFECT_METRICS` in the last
    fiscal year the comparison covers, each scenario against the first (``differences`` is
    what :func:`compare` returns under that name); (0, []) for a comparison without them."""
    from immsim.analysis.effects import EFFECT_METRICS

    chosen = differences.filter(pl.col("metric").is_in(list(EFFECT_METRICS)))
    if chosen.is_empty():
        return 0, []
    year = int(chosen["fiscal_year"].max())  # type: ignore[arg-type]
    rows = {
        (r["scenario"], r["metric"]): r
        for r in differences.filter(pl.col("fiscal_year") == year).to_dicts()
    }
    out = []
    for scenario in sorted({s for s, _ in rows}):
        for metric, (label, unit) in EFFECT_METRICS.items():
            row = rows.get((scenario, metric))
            if row is None:
                continue
            ends = [rows.get((scenario, metric + end)) for end in ("_low", "_high")]
            low_high = sorted(float(e["median"]) for e in ends if e is not None)
            out.append(
                EffectDifference(
                    scenario,
                    metric,
                    label,
                    unit,
                    float(row["median"]),
                    float(row["p05"]),
                    float(row["p95"]),
                    (low_high[0], low_high[1]) if len(low_high) == 2 else None,
                )
            )
    return year, out
