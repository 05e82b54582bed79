"""The back-test: FY2012 to FY2023 under the regimes in force each year, against the record.

Nothing is fitted here. Each draw is the same run with another seed; the band is the spread
over draws (the model's own randomness). FY2012–FY2016 are the years calibration fits; FY2017–
FY2019 and FY2020–FY2023 (COVID-19 and Title 42, read from the record: nothing in the tree is
set from those years' outcomes) are out of sample, and each period's median error is reported
apart, so that the pandemic years neither hide nor inflate the earlier years' error.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from immsim.calibration.metrics import (
    BY_NAME,
    METRICS,
    Metric,
    load_observed,
    load_workbook_observed,
    simulated,
)
from immsim.data.figures import fiscal_year_figures
from immsim.engine.run import run
from immsim.parameters.loader import ParameterTree
from immsim.population.build import Population, build_population
from immsim.progress import Progress
from immsim.scenario import HISTORICAL, Scenario

START = dt.date(2011, 10, 1)
YEARS = 12
FITTED = range(2012, 2017)
OUT_OF_SAMPLE = range(2017, 2020)
RECENT = range(2020, 2024)
PERIODS = {"FY2012-FY2016": FITTED, "FY2017-FY2019": OUT_OF_SAMPLE, "FY2020-FY2023": RECENT}
"""The back-test's periods: the years calibration fits, and two out-of-sample periods."""
RECENT_NOTE = (
    "FY2020-FY2023: COVID-19 and Title 42 (21 March 2020 to 11 May 2023); ICE's removals "
    "exclude Title 42 expulsions."
)


def period_of(year: int) -> str:
    return next(name for name, years in PERIODS.items() if year in years)


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
    period: str
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


def _abs_errors(rows: tuple[Row, ...], period: str) -> list[float]:
    return [abs(r.error) for r in rows if r.period == period and r.error is not None]


@dataclass(frozen=True)
class Backtest:
    """The answer of :func:`validate`: every metric and year against the record, with the summary
    errors on the fitted and the out-of-sample years kept apart."""

    draws: int
    seed: int
    rows: tuple[Row, ...]
    directions: tuple[Direction, ...]

    def median_abs_pct_error(self, period: str) -> float | None:
        errors = _abs_errors(self.rows, period)
        return statistics.median(errors) if errors else None

    @property
    def fitted_median_abs_pct_error(self) -> float | None:
        return self.median_abs_pct_error("FY2012-FY2016")

    @property
    def out_of_sample_median_abs_pct_error(self) -> float | None:
        """FY2017-FY2019, the out-of-sample years before the pandemic."""
        return self.median_abs_pct_error("FY2017-FY2019")

    @property
    def out_of_sample_cells(self) -> int:
        return len(_abs_errors(self.rows, "FY2017-FY2019"))

    def periods(self) -> dict[str, dict[str, Any]]:
        """Each period's sample, median absolute error and number of cells with a record."""
        return {
            name: {
                "sample": "fitted" if name == "FY2012-FY2016" else "out of sample",
                "median_abs_pct_error": self.median_abs_pct_error(name),
                "cells": len(_abs_errors(self.rows, name)),
            }
            for name in PERIODS
        }

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
            "periods": self.periods(),
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
    workbooks: Path | None = None,
) -> Backtest:
    """``workbooks``: a folder of ICE's detention-statistics workbooks, whose yearly average
    daily population fills the years the published figures lack (FY2021-FY2023)."""
    observed = load_observed(figures)
    if workbooks is not None:
        for key, found in load_workbook_observed(workbooks).items():
            observed.setdefault(key, found)
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
                    period=period_of(year),
                    source=obs.source if obs else "",
                    note="; ".join(
                        n
                        for n in (
                            (obs.note if obs else "") or metric.note,
                            RECENT_NOTE if year in RECENT else "",
                        )
                        if n
                    ),
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
