"""What a run's results amount to per fiscal year, reduced the same way everywhere.

The CLI's run table, the web server's chart, the Monte Carlo headline rows and the capacity
search all report the yearly cost and the convicted share of removals; they read them here so
that a number printed by one is the number the others print.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from immsim.engine.results import Results

COST_COLUMNS = ("cost_arrest", "cost_detention", "cost_court", "cost_removal")
"""The run's cost components (the engine's cost columns), in the order they are added."""


def yearly_cost(row: Mapping[str, float]) -> float:
    """The total cost of one fiscal year of ``Results.yearly()``."""
    return sum(row[c] for c in COST_COLUMNS)


def convicted_share_by_year(results: Results) -> dict[int, float]:
    """Share of the people removed who had a criminal conviction, per fiscal year; a year in which
    nobody convicted was removed is absent (callers show it as 0)."""
    convicted = (
        results.shares("removed", "criminal_history")
        .filter(pl.col("level") != "none")
        .group_by("fiscal_year")
        .agg(pl.col("share").sum())
    )
    return {int(fy): float(share) for fy, share in convicted.iter_rows()}
