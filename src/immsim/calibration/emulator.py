"""Bayesian calibration with an emulator: the alternative to least squares that issue 20 asks
to be compared on held-out years.

Method (Kennedy and O'Hagan's calibration, in its simplest useful form):

1. **Design.** A Latin hypercube of ``runs`` points over the fitted values' allowed ranges
   (``calibration/fit.yaml``) on their fitting scales (logit for shares, log otherwise); the
   model is run once at each point with one seed (common random numbers, as the least-squares
   fit does), and each run's fiscal-year metrics are cached on disk under a digest of the
   package's source and tree, so a second call costs nothing and a changed model re-runs.
2. **Emulator.** A Gaussian process per target cell (the metric in a fitted year, on its
   log or logit scale), all cells sharing one squared-exponential kernel with a length scale a
   value (automatic relevance determination), fitted by maximising the summed marginal
   likelihood. Its leave-one-out error is reported, so a reader sees how far to trust it.
3. **Posterior.** Adaptive random-walk Metropolis over the values (uniform on their allowed
   ranges) and one discrepancy spread a metric (the model's structural error on its scale,
   log-normal prior): each target cell's gap between the emulated value and the record is
   normal with the metric's discrepancy variance plus the emulator's own variance there.
4. **Prediction.** ``draws`` posterior samples become reforms that the back-test
   (:func:`immsim.calibration.validate.validate`) runs over FY2012-FY2023 in place of the
   least-squares intervals' draws, so both methods are scored by the same code on the same
   held-out years.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.stats import qmc

from immsim.calibration.calibrate import (
    FitSpec,
    bounds,
    fitted_start,
    point_values,
    trial,
    values_reform,
)
from immsim.calibration.metrics import observed_figures
from immsim.calibration.validate import (
    FITTED,
    OUT_OF_SAMPLE,
    OUT_OF_SAMPLE_PERIODS,
    START,
    Backtest,
    validate,
)
from immsim.parameters.loader import ParameterTree
from immsim.parameters.reform import Reform
from immsim.parameters.scales import fitting_scale, from_scale, to_scale
from immsim.population.build import build_population
from immsim.progress import Progress

DESIGN_STREAM = 22
"""The random stream of the Latin hypercube (any fixed number, apart from the others)."""
CHAIN_STREAM = 23
"""The random stream of the Markov chain."""
STEPS, BURN_IN, ADAPT_EVERY = 40_000, 10_000, 500
"""Method settings, not model quantities: the chain's length, the steps discarded before its
samples are kept, and how often its proposal is re-tuned (Haario et al.'s adaptive Metropolis,
stopped at the burn-in so the kept chain is a plain Metropolis chain)."""
DISCREPANCY_PRIOR = (np.log(0.2), 1.5)
"""Method settings: the mean and spread of the log of each metric's discrepancy spread (on the
log or logit scale): centred on a 20% error, with 90% of its mass from 1.7% to 2.4 times the
value, so the record, not the prior, sets it."""
NUGGET_FLOOR = 1e-6
"""The smallest nugget (relative to the standardised outputs' variance) the Gaussian process may
take, to keep its kernel matrix invertible."""


def _scale(metric: str) -> str:
    """Shares on the logit scale, counts on the log scale (as the back-test compares them)."""
    return "logit" if metric.endswith("share") else "log"


OUTSIDE_RUNS = ("analysis", "cli", "presentation", "calibration")
"""The package's folders that do not make a run's figures (the calibration's metrics aside),
left out of :func:`model_digest` so that editing them keeps the cache."""


def model_digest(root: Path | None = None) -> str:
    """A digest of the package's source and parameter tree that make a run and its metrics
    (``root``: the package folder, default this one's): a cached design run is reused only
    while the model that made it is unchanged."""
    root = root or Path(str(resources.files("immsim")))
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        outside = parts[0] in OUTSIDE_RUNS and path.name != "metrics.py"
        if path.suffix in {".py", ".yaml"} and "__pycache__" not in parts and not outside:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def default_cache() -> Path:
    """Where design runs are kept: ``$IMMSIM_CACHE`` or the user's cache folder."""
    base = os.environ.get("IMMSIM_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "immsim"
    )
    return Path(base) / "emulator"


@dataclass(frozen=True)
class Design:
    """The model runs the emulator learns from: ``points`` (runs by values, on the fitting
    scales) and each run's metric by fiscal year."""

    names: tuple[str, ...]
    lower: np.ndarray
    upper: np.ndarray
    points: np.ndarray
    outputs: tuple[dict[tuple[str, int], float], ...]


def run_design(
    tree: ParameterTree,
    specs: tuple[FitSpec, ...],
    runs: int,
    seed: int,
    years: int,
    cache: Path | None = None,
    progress: Progress | None = None,
) -> Design:
    """The Latin hypercube's runs, each read from ``cache`` when a run of the same model, point,
    seed and horizon is there."""
    cache = cache or default_cache()
    cache.mkdir(parents=True, exist_ok=True)
    parameters = tuple((spec.key, fitted_start(tree, spec)) for spec in specs)
    lower, upper = bounds(tree, specs)
    unit = qmc.LatinHypercube(d=len(specs), seed=np.random.default_rng([seed, DESIGN_STREAM]))
    points = lower + unit.random(runs) * (upper - lower)
    model = model_digest()
    population = build_population(tree, START, seed=seed)
    outputs = []
    for i, x in enumerate(points):
        values = point_values(tree, parameters, x)
        signature = json.dumps(
            [
                model,
                seed,
                years,
                sorted((f"{k}@{d.isoformat()}", v) for (k, d), v in values.items()),
            ]
        )
        path = cache / f"{hashlib.sha256(signature.encode()).hexdigest()[:24]}.json"
        if path.is_file():
            found = json.loads(path.read_text(encoding="utf-8"))
        else:
            sim = trial(tree, values, seed, years, population)
            found = [[metric, year, value] for (metric, year), value in sim.items()]
            path.write_text(json.dumps(found), encoding="utf-8")
        outputs.append({(str(m), int(y)): float(v) for m, y, v in found})
        if progress:
            progress(i + 1, runs)
    return Design(tuple(spec.name for spec in specs), lower, upper, points, tuple(outputs))


@dataclass(frozen=True)
class Emulator:
    """A Gaussian process over the unit cube for several outputs sharing one kernel."""

    inputs: np.ndarray  # runs by values, in [0, 1]
    length: np.ndarray  # a length scale a value
    signal: float  # the kernel's variance (standardised outputs)
    nugget: float
    mean: np.ndarray  # each output's mean over the runs
    spread: np.ndarray  # each output's standard deviation over the runs
    weights: np.ndarray  # K^-1 y, runs by outputs (standardised)
    chol: np.ndarray  # the kernel matrix's Cholesky factor

    def _kernel(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        gaps = (a[:, None, :] - b[None, :, :]) / self.length
        return np.asarray(self.signal * np.exp(-0.5 * np.sum(gaps**2, axis=2)))

    def predict(self, unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The emulated outputs at ``unit`` (points by values) and their variances, on the
        outputs' own scales."""
        cross = self._kernel(np.atleast_2d(unit), self.inputs)
        mean = cross @ self.weights
        solved = np.linalg.solve(self.chol, cross.T)
        variance = np.clip(self.signal + self.nugget - np.sum(solved**2, axis=0), 1e-12, None)
        return (
            self.mean + mean * self.spread,
            variance[:, None] * self.spread**2,
        )

    def leave_one_out(self) -> np.ndarray:
        """Each run's outputs predicted from the other runs, less the run's own (runs by
        outputs, on the outputs' scales): the emulator's error where it has no run."""
        inverse = np.linalg.inv(self.chol @ self.chol.T)
        return np.asarray(-(self.weights / np.diag(inverse)[:, None]) * self.spread)


def fit_emulator(unit: np.ndarray, outputs: np.ndarray) -> Emulator:
    """The Gaussian process through ``outputs`` (runs by outputs) at ``unit`` (runs by values,
    in [0, 1]), its length scales, signal and nugget by the largest summed marginal likelihood
    of the standardised outputs."""
    mean = outputs.mean(axis=0)
    spread = outputs.std(axis=0)
    spread[spread == 0] = 1.0
    y = (outputs - mean) / spread
    runs, dims = unit.shape
    gaps2 = (unit[:, None, :] - unit[None, :, :]) ** 2

    def matrix(theta: np.ndarray) -> tuple[np.ndarray, float, float, np.ndarray]:
        length = np.exp(theta[:dims])
        signal, nugget = float(np.exp(theta[dims])), float(np.exp(theta[dims + 1]))
        k = signal * np.exp(-0.5 * np.sum(gaps2 / length**2, axis=2))
        return k + (nugget + NUGGET_FLOOR) * np.eye(runs), signal, nugget, length

    def cost(theta: np.ndarray) -> float:
        k = matrix(theta)[0]
        try:
            chol = np.linalg.cholesky(k)
        except np.linalg.LinAlgError:
            return 1e12
        alpha = np.linalg.solve(chol.T, np.linalg.solve(chol, y))
        return float(0.5 * np.sum(y * alpha) + y.shape[1] * np.sum(np.log(np.diag(chol))))

    start = np.concatenate([np.full(dims, np.log(0.5)), [0.0, np.log(0.01)]])
    bounds = (
        [(np.log(0.05), np.log(20.0))] * dims
        + [(np.log(0.1), np.log(10.0))]
        + [(np.log(NUGGET_FLOOR), np.log(1.0))]
    )
    best = minimize(cost, start, method="L-BFGS-B", bounds=bounds)
    k, signal, nugget, length = matrix(best.x)
    chol = np.linalg.cholesky(k)
    weights = np.linalg.solve(chol.T, np.linalg.solve(chol, y))
    return Emulator(unit, length, signal, nugget + NUGGET_FLOOR, mean, spread, weights, chol)


def metropolis(
    log_density: Callable[[np.ndarray], float],
    start: np.ndarray,
    scales: np.ndarray,
    rng: np.random.Generator,
    steps: int = STEPS,
    burn_in: int = BURN_IN,
) -> tuple[np.ndarray, float]:
    """Random-walk Metropolis from ``start`` with normal steps of ``scales`` at first, re-tuned
    every ``ADAPT_EVERY`` steps of the burn-in to 2.38^2/d times the covariance of the chain's
    later half so far (Haario, Saksman and Tamminen's adaptive Metropolis; the scaling is Gelman,
    Roberts and Gilks's optimum for a normal target), then held fixed. The chain after the
    burn-in, and the share of its proposals accepted."""
    state = np.asarray(start, dtype=float)
    current = log_density(state)
    proposal = np.diag(np.asarray(scales, dtype=float) ** 2)
    chain = np.empty((steps, state.size))
    accepted = 0
    for step in range(steps):
        trial = state + rng.multivariate_normal(np.zeros(state.size), proposal)
        value = log_density(trial)
        if np.log(rng.uniform()) < value - current:
            state, current = trial, value
            accepted += step >= burn_in
        chain[step] = state
        if ADAPT_EVERY <= step < burn_in and step % ADAPT_EVERY == 0:
            seen = chain[step // 2 : step]
            proposal = (2.38**2 / state.size) * np.atleast_2d(np.cov(seen.T))
            proposal += 1e-10 * np.eye(state.size)
    return chain[burn_in:], accepted / max(1, steps - burn_in)


@dataclass(frozen=True)
class Posterior:
    """The chain's kept samples of the values (on their natural scales) and of each metric's
    discrepancy spread, with the emulator's leave-one-out error by metric."""

    names: tuple[str, ...]
    samples: np.ndarray  # samples by values
    discrepancy: dict[str, np.ndarray]
    acceptance: float
    emulator_error: dict[str, float]
    cells: tuple[tuple[str, int], ...]
    runs: int

    def summary(self) -> list[dict[str, Any]]:
        """Each value's posterior median and 90% interval."""
        return [
            {
                "name": name,
                "median": float(np.median(self.samples[:, i])),
                "interval_90": [float(v) for v in np.quantile(self.samples[:, i], [0.05, 0.95])],
            }
            for i, name in enumerate(self.names)
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "cells": [f"{m} FY{y}" for m, y in self.cells],
            "acceptance": self.acceptance,
            "emulator_leave_one_out_rms": self.emulator_error,
            "parameters": self.summary(),
            "discrepancy": {
                m: {
                    "median": float(np.median(s)),
                    "interval_90": [float(v) for v in np.quantile(s, [0.05, 0.95])],
                }
                for m, s in self.discrepancy.items()
            },
        }


def posterior(
    figures: Path,
    tree: ParameterTree,
    design: Design,
    specs: tuple[FitSpec, ...],
    fit_years: range = FITTED,
    seed: int = 2012,
    workbooks: Path | None = None,
) -> Posterior:
    """The values' and discrepancies' posterior given the record of ``fit_years``."""
    observed = observed_figures(figures, workbooks)
    cells = tuple(
        sorted(
            key
            for key, found in observed.items()
            if key[1] in fit_years
            and found.value > 0
            and all(key in out and out[key] > 0 for out in design.outputs)
        )
    )
    y = np.array([[to_scale(_scale(m), out[(m, yr)]) for m, yr in cells] for out in design.outputs])
    record = np.array([to_scale(_scale(m), observed[(m, yr)].value) for m, yr in cells])
    unit = (design.points - design.lower) / (design.upper - design.lower)
    emulator = fit_emulator(unit, y)
    loo = emulator.leave_one_out()
    metrics = tuple(sorted({m for m, _ in cells}))
    which = np.array([metrics.index(m) for m, _ in cells])
    emulator_error = {
        m: float(np.sqrt(np.mean(loo[:, which == j] ** 2))) for j, m in enumerate(metrics)
    }
    dims = unit.shape[1]
    prior_mean, prior_sd = DISCREPANCY_PRIOR

    def log_post(state: np.ndarray) -> float:
        u, log_sd = state[:dims], state[dims:]
        if np.any(u < 0) or np.any(u > 1):
            return -np.inf
        mean, var = emulator.predict(u)
        total = np.exp(2 * log_sd)[which] + var[0]
        gap = mean[0] - record
        like = -0.5 * np.sum(gap**2 / total + np.log(total))
        return float(like - 0.5 * np.sum(((log_sd - prior_mean) / prior_sd) ** 2))

    start = np.concatenate([np.full(dims, 0.5), np.full(len(metrics), prior_mean)])
    scales = np.concatenate([np.full(dims, 0.05), np.full(len(metrics), 0.1)])
    kept, acceptance = metropolis(
        log_post, start, scales, np.random.default_rng([seed, CHAIN_STREAM])
    )
    values = np.column_stack(
        [
            [from_scale(fitting_scale(tree, spec.key), lo + u * (hi - lo)) for u in kept[:, i]]
            for i, (spec, lo, hi) in enumerate(zip(specs, design.lower, design.upper, strict=True))
        ]
    )
    return Posterior(
        names=design.names,
        samples=values,
        discrepancy={m: np.exp(kept[:, dims + j]) for j, m in enumerate(metrics)},
        acceptance=acceptance,
        emulator_error=emulator_error,
        cells=cells,
        runs=len(design.outputs),
    )


def posterior_reforms(
    tree: ParameterTree, specs: tuple[FitSpec, ...], result: Posterior, draws: int
) -> list[Reform]:
    """``draws`` samples of the posterior, evenly spaced along the chain, as reforms."""
    rows = np.linspace(0, len(result.samples) - 1, draws).round().astype(int)
    out = []
    for i, row in enumerate(rows):
        values: dict[tuple[str, dt.date], float] = {
            (spec.key, fitted_start(tree, spec)): float(result.samples[row, j])
            for j, spec in enumerate(specs)
        }
        reform = values_reform(tree, values)
        out.append(Reform(name=f"posterior-draw-{i}", overrides=reform.overrides))
    return out


DESIGN_YEARS = OUT_OF_SAMPLE.stop - 1 - START.year
"""The design runs' horizon: to FY2019, so that one design serves both the fit on FY2012-FY2016
and a fold fitted on FY2012-FY2019 (each run a few seconds more, cached)."""


@dataclass(frozen=True)
class Comparison:
    """Least squares (the tree's values and their 90% intervals' draws) against the emulator's
    posterior samples, both scored by the back-test on the same seeds and held-out years."""

    posterior: Posterior
    least_squares: Backtest
    bayes: Backtest

    def table(self) -> list[dict[str, Any]]:
        """Each method and period: median absolute error, and the share of cells inside the
        draws' 90% band and inside the predictive band."""
        out = []
        for method, result in (("least squares", self.least_squares), ("emulator", self.bayes)):
            for period, scores in result.periods().items():
                out.append({"method": method, "period": period, **scores})
            out.append(
                {
                    "method": method,
                    "period": "FY2017-FY2023",
                    "sample": "out of sample",
                    "median_abs_pct_error": None,
                    "cells": sum(result.periods()[p]["cells"] for p in OUT_OF_SAMPLE_PERIODS),
                    "coverage_90": result.out_of_sample_coverage,
                    "predictive_coverage_90": result.out_of_sample_predictive_coverage,
                }
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "posterior": self.posterior.as_dict(),
            "comparison": self.table(),
            "least_squares": self.least_squares.as_dict(),
            "emulator": self.bayes.as_dict(),
        }


def compare(
    figures: Path,
    tree: ParameterTree,
    specs: tuple[FitSpec, ...],
    runs: int,
    draws: int,
    seed: int = 2012,
    workbooks: Path | None = None,
    cache: Path | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """The design (cached), the posterior on FY2012-FY2016, and the back-test of both methods
    with ``draws`` runs each."""
    design = run_design(tree, specs, runs, seed, DESIGN_YEARS, cache, progress)
    found = posterior(figures, tree, design, specs, FITTED, seed, workbooks)
    bayes = validate(
        figures,
        tree,
        draws,
        seed,
        workbooks=workbooks,
        reforms=posterior_reforms(tree, specs, found, draws),
    )
    least = validate(figures, tree, draws, seed, workbooks=workbooks)
    return Comparison(found, least, bayes)
