"""The back-test: FY2012 to FY2019 under the regimes in force each year, against the record.

Nothing is fitted here. Each draw is the same run with another seed; the band is the spread
over draws (the model's own randomness). FY2012–FY2016 are the years calibration fits; FY2017–
FY2019 are out of sample, and the summary error is computed on those cells only.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from immsim.calibration.metrics import BY_NAME, METRICS, Metric, load_observed, simulated
from immsim.data.figures import fiscal_year_figures
from immsim.engine.run import run
from immsim.parameters.loader import ParameterTree
from immsim.population.build import Population, build_population
from immsim.progress import Progress
from immsim.scenario import HISTORICAL, Scenario

START = dt.date(2011, 10, 1)
YEARS = 8
FITTED = range(2012, 2017)
OUT_OF_SAMPLE = range(2017, 2020)


@dataclass(frozen=True)
class Row:
    """One metric in one fiscal year: the record, the median of the draws and their 90% band."""

    metric: str
    label: str
    fiscal_year: int
    observed: float | None
    median: float
    low: float
    high: float
    error: float | None
    sample: str
    source: str
    note: str


@dataclass(frozen=True)
class Direction:
    """Whether the model moved the way the record did from one year to the next (-1, 0 or 1);
    ``record`` and ``agree`` are None where the record has no figure for both years."""

    metric: str
    label: str
    model: int
    record: int | None
    agree: bool | None


def _abs_errors(rows: tuple[Row, ...], sample: str) -> list[float]:
    return [abs(r.error) for r in rows if r.sample == sample and r.error is not None]


@dataclass(frozen=True)
class Backtest:
    """The answer of :func:`validate`: every metric and year against the record, with the summary
    errors on the fitted and the out-of-sample years kept apart."""

    draws: int
    seed: int
    rows: tuple[Row, ...]
    directions: tuple[Direction, ...]

    @property
    def fitted_median_abs_pct_error(self) -> float | None:
        errors = _abs_errors(self.rows, "fitted")
        return statistics.median(errors) if errors else None

    @property
    def out_of_sample_median_abs_pct_error(self) -> float | None:
        errors = _abs_errors(self.rows, "out of sample")
        return statistics.median(errors) if errors else None

    @property
    def out_of_sample_cells(self) -> int:
        return len(_abs_errors(self.rows, "out of sample"))

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return METRICS

    def as_dict(self) -> dict[str, Any]:
        return {
            "draws": self.draws,
            "seed": self.seed,
            "rows": [asdict(r) for r in self.rows],
            "fitted_median_abs_pct_error": self.fitted_median_abs_pct_error,
            "out_of_sample_median_abs_pct_error": self.out_of_sample_median_abs_pct_error,
            "out_of_sample_cells": self.out_of_sample_cells,
            "directions": [asdict(d) for d in self.directions],
            "metrics": {m.name: {"label": m.label, "note": m.note} for m in self.metrics},
        }


def backtest_scenario(seed: int, reform: Any = None, years: int = YEARS) -> Scenario:
    return Scenario(
        name="backtest",
        description="FY2012 onward under the regimes in force each year",
        regime=HISTORICAL,
        start=START,
        horizon_years=years,
        seed=seed,
        population="national",
        reform=reform,
        source="",
    )


def simulate_draws(
    tree: ParameterTree,
    draws: int,
    seed: int,
    years: int = YEARS,
    progress: Progress | None = None,
    reform: Any = None,
    population: Population | None = None,
) -> list[dict[tuple[str, int], float]]:
    population = population or build_population(tree, START, seed=seed)
    out = []
    for i in range(draws):
        scenario = backtest_scenario(seed + i, reform, years)
        out.append(simulated(run(scenario, population=population)))
        if progress:
            progress(i + 1, draws)
    return out


def validate(
    figures: Path,
    tree: ParameterTree,
    draws: int = 5,
    seed: int = 2012,
    progress: Progress | None = None,
) -> Backtest:
    observed = load_observed(figures)
    runs = simulate_draws(tree, draws, seed, progress=progress)
    rows: list[Row] = []
    for metric in METRICS:
        for year in range(START.year + 1, START.year + 1 + YEARS):
            values = [r[(metric.name, year)] for r in runs if (metric.name, year) in r]
            if not values:
                continue
            obs = observed.get((metric.name, year))
            median = statistics.median(values)
            rows.append(
                Row(
                    metric=metric.name,
                    label=metric.label,
                    fiscal_year=year,
                    observed=obs.value if obs else None,
                    median=median,
                    low=float(np.quantile(values, 0.05)),
                    high=float(np.quantile(values, 0.95)),
                    error=(median - obs.value) / obs.value if obs and obs.value else None,
                    sample="fitted" if year in FITTED else "out of sample",
                    source=obs.source if obs else "",
                    note=(obs.note if obs else "") or metric.note,
                )
            )
    return Backtest(
        draws, seed, tuple(rows), tuple(directions(rows, proxy_convicted_share(figures)))
    )


def proxy_convicted_share(figures: Path) -> dict[int, float]:
    """ICE's convicted share of *all* removals by year: the only series that spans FY2016–FY2017,
    used for the direction of the interior convicted share (which stops in FY2015)."""
    return {
        year: f.value
        for (metric, year), f in fiscal_year_figures(figures).items()
        if metric == "ice_removals_convicted_share"
    }


def directions(rows: list[Row], convicted_share: dict[int, float]) -> list[Direction]:
    """Did the model move the way the record did from FY2016 to FY2017 (EO 13768)?"""
    by = {(r.metric, r.fiscal_year): r for r in rows}
    out = []
    before, after = (
        by.get(("interior_convicted_share", 2016)),
        by.get(("interior_convicted_share", 2017)),
    )
    if before and after and 2016 in convicted_share and 2017 in convicted_share:
        model = int(np.sign(after.median - before.median))
        record = int(np.sign(convicted_share[2017] - convicted_share[2016]))
        out.append(
            Direction(
                metric="interior_convicted_share",
                label="share of removals with a conviction (record: all removals)",
                model=model,
                record=record,
                agree=model == record,
            )
        )
    for name in ("arrests", "interior_removals", "detainers", "adp"):
        before, after = by.get((name, 2016)), by.get((name, 2017))
        if not before or not after:
            continue
        step = int(np.sign(after.median - before.median))
        seen: int | None = (
            int(np.sign(after.observed - before.observed))
            if after.observed is not None and before.observed is not None
            else None
        )
        out.append(
            Direction(
                metric=name,
                label=BY_NAME[name].label,
                model=step,
                record=seen,
                agree=None if seen is None else step == seen,
            )
        )
    return out
