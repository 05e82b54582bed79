"""The back-test: FY2012 to FY2023 under the regimes in force each year, against the record.

Nothing is fitted here. Each draw is a run with another seed and, unless asked for seeds only,
another draw of every value the tree gives a 90% interval (the fitted values and the estimates
with one), so the band is the spread from the parameters' uncertainty as well as the model's
own randomness. FY2012–FY2016 are the years calibration fits; FY2017–FY2019 and FY2020–FY2023
(COVID-19 and Title 42, read from the record: nothing in the tree is set from those years'
outcomes) are out of sample, and each period's median error and the share of its cells inside
the 90% band (coverage) are reported apart, so that the pandemic years neither hide nor inflate
the earlier years' error.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import t as student_t

from immsim.calibration.metrics import (
    BY_NAME,
    METRICS,
    Metric,
    Observation,
    observed_figures,
    simulated,
)
from immsim.data.figures import fiscal_year_figures
from immsim.engine.results import Results
from immsim.engine.run import run
from immsim.parameters.intervals import parameter_draws, uncertain_values
from immsim.parameters.loader import ParameterTree
from immsim.parameters.reform import Reform
from immsim.parameters.scales import from_scale, to_scale
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
OUT_OF_SAMPLE_PERIODS = ("FY2017-FY2019", "FY2020-FY2023")
Samples = dict[tuple[str, int], list[float]]
"""Each cell's draws, by metric and fiscal year."""
PREDICTIVE_SAMPLES = 200
"""Monte Carlo settings, not a model quantity: draws of the model's error added to each run's
value to find the predictive band's quantiles."""
PREDICTIVE_STREAM = 21
"""The random stream of the predictive band's error draws (any fixed number, apart from the
others)."""
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
    predictive_low: float | None = None
    predictive_high: float | None = None
    """The predictive 90% band: the draws widened by the model's own error on the fitted years
    (see :func:`discrepancies`)."""
    draws: tuple[float, ...] = ()
    """Each draw's value, in the order drawn: a period's median error draw by draw
    (:meth:`Backtest.draw_medians`) shows how far the headline median moves with the seeds."""


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


def _inside(
    rows: tuple[Row, ...], periods: tuple[str, ...], predictive: bool = False
) -> list[bool]:
    """For each cell of ``periods`` with a record: whether the record lies in the 90% band (the
    predictive band with ``predictive``)."""
    out = []
    for r in rows:
        if r.period not in periods or r.observed is None:
            continue
        low, high = (r.predictive_low, r.predictive_high) if predictive else (r.low, r.high)
        out.append(low is not None and high is not None and low <= r.observed <= high)
    return out


@dataclass(frozen=True)
class Backtest:
    """The answer of :func:`validate`: every metric and year against the record, with the summary
    errors on the fitted and the out-of-sample years kept apart."""

    draws: int
    seed: int
    rows: tuple[Row, ...]
    directions: tuple[Direction, ...]
    drawn: tuple[str, ...] = ()
    """The values drawn from their 90% intervals in each draw (``KEY@DATE``); none for seeds
    only."""
    discrepancy: dict[str, float] = field(default_factory=dict)
    """The model's own error on the fitted years by metric (:func:`discrepancies`)."""

    def median_abs_pct_error(self, period: str) -> float | None:
        errors = _abs_errors(self.rows, period)
        return statistics.median(errors) if errors else None

    def draw_medians(self, period: str) -> list[float]:
        """The period's median absolute error in each draw alone. The headline is the median
        error of the draws' medians; when a period's cells sit close around its median, one
        seed's noise moves a cell across it, and the spread of these says by how much."""
        cells = [(r.draws, r.observed) for r in self.rows if r.period == period and r.draws]
        known = [(draws, observed) for draws, observed in cells if observed]
        if not known:
            return []
        return [
            statistics.median(abs(draws[d] - observed) / observed for draws, observed in known)
            for d in range(min(len(draws) for draws, _ in known))
        ]

    def coverage(self, *periods: str, predictive: bool = False) -> float | None:
        """The share of the periods' cells whose record lies inside the 90% band: about 0.9 if
        the band is honest, far less if it holds only the seeds' noise."""
        inside = _inside(self.rows, periods, predictive)
        return sum(inside) / len(inside) if inside else None

    @property
    def out_of_sample_coverage(self) -> float | None:
        """Coverage over every out-of-sample cell (FY2017-FY2023)."""
        return self.coverage(*OUT_OF_SAMPLE_PERIODS)

    @property
    def out_of_sample_predictive_coverage(self) -> float | None:
        """The same for the predictive band (the draws and the model's error on FY2012-16)."""
        return self.coverage(*OUT_OF_SAMPLE_PERIODS, predictive=True)

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
                "median_abs_pct_error_by_draw": self.draw_medians(name),
                "cells": len(_abs_errors(self.rows, name)),
                "coverage_90": self.coverage(name),
                "predictive_coverage_90": self.coverage(name, predictive=True),
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
            "rows": [{**asdict(r), "draws": list(r.draws)} for r in self.rows],
            "fitted_median_abs_pct_error": self.fitted_median_abs_pct_error,
            "out_of_sample_median_abs_pct_error": self.out_of_sample_median_abs_pct_error,
            "out_of_sample_cells": self.out_of_sample_cells,
            "out_of_sample_coverage_90": self.out_of_sample_coverage,
            "out_of_sample_predictive_coverage_90": self.out_of_sample_predictive_coverage,
            "discrepancy": self.discrepancy,
            "drawn_parameters": list(self.drawn),
            "periods": self.periods(),
            "directions": [asdict(d) for d in self.directions],
            "metrics": {m.name: {"label": m.label, "note": m.note} for m in self.metrics},
        }


def backtest_scenario(
    seed: int, reform: Any = None, years: int = YEARS, areas: bool = False
) -> Scenario:
    """``areas``: the run carries the areas of responsibility (the back-test by area)."""
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
        areas=areas,
    )


def backtest_history(seed: int, fiscal_year: int) -> Results:
    """The back-test's run at ``seed`` (the history ``validate`` scores, nothing drawn) from
    FY2012 far enough to hold ``fiscal_year`` whole: a run of whole years ends the week before
    its last day, so it runs into the year after, whose first weeks follow in its tables."""
    return run(backtest_scenario(seed, years=fiscal_year - START.year + 1))


def simulate_draws(
    tree: ParameterTree,
    draws: int,
    seed: int,
    years: int = YEARS,
    progress: Progress | None = None,
    reform: Any = None,
    population: Population | None = None,
    reforms: list[Reform] | None = None,
    reduce: Callable[[Results], Any] = simulated,
    areas: bool = False,
) -> list[Any]:
    """``reforms``: one per draw (the parameter draws), instead of ``reform`` for all; a draw of
    a population leaf rebuilds the start population, which that leaf sets. ``reduce``: what is
    kept of each run (default: each metric per fiscal year; the back-test by area keeps the
    results by area). ``areas``: the runs carry the areas of responsibility."""
    population = population or build_population(tree, START, seed=seed)
    out = []
    for i in range(draws):
        this = reforms[i] if reforms else reform
        people = population
        if reforms and any(key.startswith("population.") for key in this.overrides):
            people = build_population(tree.with_reform(this), START, seed=seed)
        scenario = backtest_scenario(seed + i, this, years, areas)
        out.append(reduce(run(scenario, population=people)))
        if progress:
            progress(i + 1, draws)
    return out


END = dt.date(START.year + YEARS, START.month, START.day)
"""The back-test's last day (the end of FY2023)."""


def validate(
    figures: Path,
    tree: ParameterTree,
    draws: int = 5,
    seed: int = 2012,
    progress: Progress | None = None,
    workbooks: Path | None = None,
    seeds_only: bool = False,
    allowed: dict[str, tuple[float, float]] | None = None,
    reforms: list[Reform] | None = None,
) -> Backtest:
    """``workbooks``: a folder of ICE's detention-statistics workbooks, whose yearly average
    daily population fills the years the published figures lack (FY2021-FY2023).
    ``seeds_only``: every draw keeps the tree's values (the band is the seeds' noise alone).
    ``allowed``: the ranges drawn values are kept within, by key (default: the ranges
    ``calibration/fit.yaml`` allows the fit). ``reforms``: one a draw, in place of the draws
    from the tree's intervals (the emulator's posterior samples, scored by the same code)."""
    if allowed is None:
        # imported here: calibrate runs the back-test's draws, so it imports this module
        from immsim.calibration.calibrate import fit_specs

        allowed = {spec.key: (spec.low, spec.high) for spec in fit_specs()}
    observed = observed_figures(figures, workbooks)
    drawn: tuple[str, ...] = ()
    if reforms is not None:
        drawn = tuple(sorted({key for reform in reforms for key in reform.overrides}))
    elif not seeds_only:
        reforms = parameter_draws(tree, draws, seed, allowed, START, END)
        drawn = tuple(
            f"{key}@{start.isoformat()}" for key, start in uncertain_values(tree, START, END)
        )
    runs = simulate_draws(tree, draws, seed, progress=progress, reforms=reforms)
    return score(runs, figures, observed, seed, drawn)


def score(
    runs: list[dict[tuple[str, int], float]],
    figures: Path,
    observed: dict[tuple[str, int], Observation],
    seed: int,
    drawn: tuple[str, ...] = (),
) -> Backtest:
    """The back-test of ``runs`` (each run's metrics by fiscal year) against ``observed``: each
    cell's median and bands, the model's error on the fitted years, the directions."""
    rows: list[Row] = []
    samples: Samples = {}
    for metric in METRICS:
        for year in range(START.year + 1, START.year + 1 + YEARS):
            values = [r[(metric.name, year)] for r in runs if (metric.name, year) in r]
            if values:
                samples[(metric.name, year)] = values
                rows.append(_row(metric, year, values, observed.get((metric.name, year))))
    errors = discrepancies(rows, samples)
    cells = discrepancy_cells(rows, samples)
    rng = np.random.default_rng([seed, PREDICTIVE_STREAM])
    rows = [
        _widened(row, samples[(row.metric, row.fiscal_year)], errors, cells, rng) for row in rows
    ]
    return Backtest(
        len(runs),
        seed,
        tuple(rows),
        tuple(directions(rows, proxy_convicted_share(figures))),
        drawn=drawn,
        discrepancy=errors,
    )


def _row(metric: Metric, year: int, values: list[float], obs: Observation | None) -> Row:
    """One cell: the draws' median and band against the record ``obs`` (None where there is
    none)."""
    median = statistics.median(values)
    low, high = draws_band(values, _scale(metric.name))
    notes = ((obs.note if obs else "") or metric.note, RECENT_NOTE if year in RECENT else "")
    return Row(
        metric=metric.name,
        label=metric.label,
        fiscal_year=year,
        observed=obs.value if obs else None,
        median=median,
        low=low,
        high=high,
        error=(median - obs.value) / obs.value if obs and obs.value else None,
        sample="fitted" if year in FITTED else "out of sample",
        period=period_of(year),
        source=obs.source if obs else "",
        note="; ".join(n for n in notes if n),
        draws=tuple(values),
    )


POOLED = "all"
"""The key of the error pooled over every metric's fitted cells, for metrics with none."""


def _scale(metric: str) -> str:
    """Shares are compared on the logit scale, counts on the log scale."""
    return "logit" if metric.endswith("share") else "log"


BAND = 0.9
"""The bands' coverage: 90%, from the 5th to the 95th percentile."""


def _spread(values: list[float], scale: str) -> tuple[float, float, int]:
    """The draws on the metric's scale: their mean, their standard deviation (0 for one draw)
    and how many."""
    centres = np.array([to_scale(scale, v) for v in values])
    sd = float(centres.std(ddof=1)) if centres.size > 1 else 0.0
    return float(centres.mean()), sd, int(centres.size)


def draws_band(values: list[float], scale: str) -> tuple[float, float]:
    """The 90% band of the model's next draw, from ``values`` (one per draw): the prediction
    interval mean +- t s sqrt(1 + 1/n) on the metric's scale (log, logit for shares), t the 95th
    percentile of Student's t with n - 1 degrees of freedom.

    Why not the draws' own 5th and 95th percentiles: with few draws they are nearly the least
    and the greatest, and a next draw falls between those only (n - 1) / (n + 1) of the time,
    half with the three draws the back-test is often run with, so the band said 90% and held
    far less even of the model's own spread. The interval holds 90% whatever n, for draws
    normal on that scale; with many draws it comes to their percentiles."""
    mean, sd, n = _spread(values, scale)
    if n < 2:
        return from_scale(scale, mean), from_scale(scale, mean)
    half = float(student_t.ppf(0.5 + BAND / 2, n - 1)) * sd * np.sqrt(1.0 + 1.0 / n)
    return from_scale(scale, mean - half), from_scale(scale, mean + half)


def _fitted_gaps(rows: list[Row], samples: Samples) -> dict[str, list[tuple[float, float]]]:
    """Each metric's fitted cells (FY2012-FY2016 only), on the log scale (logit for shares): the
    squared gap between the draws' centre and the record, and the variance of a next draw about
    that centre (the draws' own, as :func:`draws_band` counts it); ``POOLED``: every fitted
    cell."""
    gaps: dict[str, list[tuple[float, float]]] = {}
    for r in rows:
        if r.sample != "fitted" or r.observed is None or r.observed <= 0 or r.median <= 0:
            continue
        scale = _scale(r.metric)
        mean, sd, n = _spread(samples[(r.metric, r.fiscal_year)], scale)
        cell = ((mean - to_scale(scale, r.observed)) ** 2, sd**2 * (1.0 + 1.0 / n))
        gaps.setdefault(r.metric, []).append(cell)
        gaps.setdefault(POOLED, []).append(cell)
    return gaps


def discrepancies(rows: list[Row], samples: Samples) -> dict[str, float]:
    """The model's own error by metric, the structural error no draw of the values or seeds
    shows (Kennedy and O'Hagan's model discrepancy, here one number a metric): on the log scale
    (logit for shares), over the fitted years (FY2012-FY2016) only, so no out-of-sample record
    informs it; ``POOLED``, over every fitted cell, stands in for a metric with no fitted cell.

    A fitted cell's gap between the draws' centre and the record is the discrepancy plus the
    draws' own miss: were the record a next draw of the model, the centre would miss it by the
    draws' spread alone, with variance s^2 (1 + 1/n). So the discrepancy's variance is the mean
    squared gap less the mean of those variances (none below zero). Taking the whole gap, as
    until 2026-12-04, counted the values' spread twice once they were drawn: in the band's draws
    and again in the error added to them, and the band held 97% of the out-of-sample cells where
    it claims 90%. With the seeds alone the draws' spread is small and the two agree."""
    return {name: _net_error(cells) for name, cells in _fitted_gaps(rows, samples).items()}


def _net_error(cells: list[tuple[float, float]]) -> float:
    """The root of the mean squared gap less the mean variance of a next draw (none below 0)."""
    squared_gap = sum(g for g, _ in cells) / len(cells)
    draws = sum(v for _, v in cells) / len(cells)
    return math.sqrt(max(0.0, squared_gap - draws))


def discrepancy_cells(rows: list[Row], samples: Samples) -> dict[str, int]:
    """How many fitted cells each metric's error (:func:`discrepancies`) rests on."""
    return {name: len(g) for name, g in _fitted_gaps(rows, samples).items()}


def _widened(
    row: Row,
    values: list[float],
    errors: dict[str, float],
    cells: dict[str, int],
    rng: np.random.Generator,
) -> Row:
    """The row with its predictive band: the model's next draw (the prediction law of
    :func:`draws_band`) plus the metric's error, ``PREDICTIVE_SAMPLES`` samples a draw on the
    metric's scale, 5th to 95th percentile.

    The error's spread is estimated from a handful of fitted cells (five years at most), so it
    is itself uncertain: its samples are Student's t with as many degrees of freedom as cells,
    scaled by the root mean square (the predictive law of a normal error whose variance is
    unknown and estimated from those cells, under the reference prior), not a normal that takes
    the estimate for the truth. With five cells the 90% band is 22% wider than the normal's;
    with a hundred, about the normal's."""
    name = row.metric if row.metric in errors else POOLED
    sd = errors.get(name)
    if sd is None:
        return row
    scale = _scale(row.metric)
    mean, spread, n = _spread(values, scale)
    size = n * PREDICTIVE_SAMPLES
    # the model's next draw (as in draws_band), plus its error
    model = mean + spread * np.sqrt(1.0 + 1.0 / n) * rng.standard_t(max(1, n - 1), size)
    moved = model + sd * rng.standard_t(max(1, cells.get(name, 1)), size)
    low, high = np.quantile(moved, [0.5 - BAND / 2, 0.5 + BAND / 2])
    return replace(
        row,
        predictive_low=from_scale(scale, float(low)),
        predictive_high=from_scale(scale, float(high)),
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
