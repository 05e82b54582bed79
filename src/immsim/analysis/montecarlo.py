"""Monte Carlo over a scenario: draws of the uncertain parameters and of the model's randomness,
summarised as medians with 50% and 90% bands."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from immsim.analysis.tasks import Task, draw_seeds
from immsim.analysis.uncertainty import Dist
from immsim.scenario import Scenario

QUANTILES = {"p05": 0.05, "p25": 0.25, "median": 0.5, "p75": 0.75, "p95": 0.95}


def draw_tasks(
    scenario: Scenario,
    draws: int,
    seed: int,
    dists: dict[str, Dist] | None = None,
    labels: dict[str, Any] | None = None,
    prefix: str = "",
) -> list[Task]:
    """``draws`` tasks; draw ``i`` has the same seed and parameter values in every scenario
    given the same ``seed``, so comparisons are paired."""
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
