"""Monte Carlo over a scenario: draws of the uncertain parameters and of the model's randomness,
summarised as medians with 50% and 90% bands."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from immsim.analysis.tasks import Task, draw_seeds, execute
from immsim.analysis.uncertainty import Dist, parse_uncertainties
from immsim.atomic import atomic_folder
from immsim.progress import Progress
from immsim.scenario import Scenario

QUANTILES = {"p05": 0.05, "p25": 0.25, "median": 0.5, "p75": 0.75, "p95": 0.95}


def draw_tasks(
    scenario: Scenario,
    draws: int,
    seed: int,
    dists: dict[str, Dist] | None = None,
    labels: dict[str, Any] | None = None,
    prefix: str = "",
    effects: bool = False,
) -> list[Task]:
    """``draws`` tasks; draw ``i`` has the same seed and parameter values in every scenario
    given the same ``seed``, so comparisons are paired. ``effects``: the tasks also return
    the costs and effects of each year (``Task.effects``)."""
    dists = dists or {}
    seeds = draw_seeds(seed, draws)
    tasks = []
    for i, draw_seed in enumerate(seeds):
        rng = np.random.default_rng([seed, i, 7])
        values = {key: dist.sample(rng) for key, dist in sorted(dists.items())}
        tasks.append(
            Task(
                id=f"{prefix}{i}",
                scenario=scenario,
                seed=draw_seed,
                values=values,
                dists=dict(dists),
                labels={**(labels or {}), "draw": i},
                effects=effects,
            )
        )
    return tasks


def bands(rows: pl.DataFrame, by: tuple[str, ...] = ("fiscal_year", "metric")) -> pl.DataFrame:
    return (
        rows.group_by(list(by))
        .agg(
            pl.len().alias("draws"),
            *(
                pl.col("value").quantile(q, interpolation="linear").alias(n)
                for n, q in QUANTILES.items()
            ),
        )
        .sort(list(by))
    )


@dataclass(frozen=True)
class Draws:
    """A scenario's Monte Carlo: every draw's headline rows and their bands."""

    scenario: Scenario
    draws: int
    rows: pl.DataFrame
    bands: pl.DataFrame

    def save(self, folder: Path, overwrite: bool = False) -> Path:
        """Write the folder in one step (draws, bands and a manifest), as ``immsim report``
        reads it."""
        with atomic_folder(folder, overwrite=overwrite) as tmp:
            self.rows.write_parquet(tmp / "draws.parquet")
            self.bands.write_parquet(tmp / "bands.parquet")
            (tmp / "manifest.json").write_text(
                json.dumps(
                    {"scenario": self.scenario.summary(), "draws": self.draws},
                    indent=2,
                    default=str,
                )
            )
        return folder


def run_draws(
    scenario: Scenario,
    draws: int,
    seed: int,
    workers: int = 1,
    ray: str | None = None,
    progress: Progress | None = None,
) -> Draws:
    """Run ``draws`` draws of the scenario's uncertainties and of the model's randomness."""
    dists = parse_uncertainties(scenario.uncertainties, scenario.parameters())
    tasks = draw_tasks(scenario, draws, seed, dists)
    results = execute(tasks, workers, ray, progress)
    rows = pl.DataFrame([r for result in results for r in result])
    return Draws(scenario, draws, rows, bands(rows))
