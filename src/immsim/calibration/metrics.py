"""The validation metrics: what is observed (published figures) and what a run simulates.

Each metric names the published series it is compared with and how a run's weekly output is
reduced to a fiscal-year value. Definition breaks in the published series are carried as notes
on the metric, so a table never compares unlike with like silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from immsim.data.figures import fiscal_year_figures
from immsim.engine.results import Results


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    published: str
    reduce: str  # sum | mean | last | convicted_share
    column: str | None
    note: str = ""


METRICS: tuple[Metric, ...] = (
    Metric("arrests", "ICE administrative arrests", "ice_ero_admin_arrests", "sum", "arrests"),
    Metric(
        "interior_removals",
        "interior removals",
        "ice_interior_removals",
        "sum",
        "removals_interior",
        "ICE changed what counts as an interior removal in FY2017 (removals that follow an ICE arrest).",
    ),
    Metric("total_removals", "total ICE removals", "ice_removals_total", "sum", "removals"),
    Metric(
        "interior_convicted_share",
        "share of interior removals with a conviction",
        "ice_interior_removals_convicted_share",
        "convicted_share",
        None,
        "From FY2017 ICE's 'criminal' also counts pending charges; the published share stops in FY2015.",
    ),
    Metric("detainers", "detainers issued", "ice_detainers_issued", "sum", "detainers"),
    Metric("adp", "average daily detained population", "ice_detention_adp", "mean", "detained"),
    Metric(
        "pending_cases",
        "immigration-court cases pending at year end",
        "eoir_pending_cases_end_fy",
        "last",
        "court_pending",
    ),
)
BY_NAME = {m.name: m for m in METRICS}


@dataclass(frozen=True)
class Observation:
    value: float
    source: str
    note: str


def load_observed(path: Path) -> dict[tuple[str, int], Observation]:
    """Published figures by (metric, fiscal year), the first row of each in the file."""
    series = {m.published: m.name for m in METRICS}
    return {
        (series[metric], year): Observation(f.value, f.source, f.note)
        for (metric, year), f in fiscal_year_figures(path).items()
        if metric in series
    }


def simulated(results: Results) -> dict[tuple[str, int], float]:
    """Each metric's value per complete fiscal year of the run."""
    weekly = results.weekly
    full = weekly.group_by("fiscal_year").agg(pl.len().alias("weeks"))
    years = sorted(int(fy) for fy, n in full.iter_rows() if n >= 50)
    out: dict[tuple[str, int], float] = {}
    yearly = weekly.group_by("fiscal_year").agg(
        *(pl.col(m.column).sum().alias(f"{m.name}_sum") for m in METRICS if m.column),
        *(pl.col(m.column).mean().alias(f"{m.name}_mean") for m in METRICS if m.column),
        *(pl.col(m.column).last().alias(f"{m.name}_last") for m in METRICS if m.column),
    )
    rows = {int(r["fiscal_year"]): r for r in yearly.to_dicts()}
    shares = results.shares("removed", "criminal_history")
    for metric in METRICS:
        for year in years:
            if metric.reduce == "convicted_share":
                one = shares.filter(pl.col("fiscal_year") == year)
                total = float(one["persons"].sum())
                if total > 0:
                    convicted = float(one.filter(pl.col("level") != "none")["persons"].sum())
                    out[(metric.name, year)] = convicted / total
            else:
                out[(metric.name, year)] = float(rows[year][f"{metric.name}_{metric.reduce}"])
    return out
