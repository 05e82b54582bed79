"""Fit the parameters no source states to FY2012–FY2016, and write them back into the tree.

Method: nonlinear least squares (scipy's trust-region reflective ``least_squares``) on the
relative errors of every FY2012–FY2016 published figure the back-test can simulate, with
common random numbers (one seed) so the objective is a smooth function of the parameters.
Shares are fitted on the logit scale and rates on the log scale, so bounds hold. Uncertainty is
the Gauss–Newton covariance at the optimum, scaled by the residual variance, reported as a 90%
interval per parameter.

``prior="range"`` is the maximum a posteriori alternative: each relative error is divided by
the model's error at the start (the RMS relative error of the values in force), and each fitted
value adds a prior residual, its distance on the fitting scale from the value in force over a
width that reads ``calibration/fit.yaml``'s allowed range as a 90% prior interval (half the
range over 1.645), so that a direction the targets do not see stays where it was and one they
see moves as far as they ask; the covariance then carries the prior's precision. The
time-series cross-validation runs both; the prior did not predict the held-out periods better
(``docs/calibration.md``, branch ``prior28``), so plain least squares stays the default.

``loss`` other than ``linear`` is scipy's robust loss on the targets' relative errors (the
prior's residuals stay squares), its scale the targets' median absolute relative error at the
start; the covariance is then Huber's for an M-estimate, and the identifiability report reads
the Jacobian weighted by the loss's curvature at each target (``docs/calibration.md``, branch
``calib31``).

``weights="per-metric"`` multiplies each target's relative error by 1 / sqrt(n_m), n_m its
metric's number of targets, so each metric's targets together count as one; the covariance, the
identifiability report, the prior's noise and a robust loss's scale read the weighted residuals.
Cross-validated, it predicted FY2020-FY2023 worse than per-cell weights (13.7% against 10.0%),
so ``per-cell`` stays the default (``docs/calibration.md``, branch ``permetric35``).

The fitted values replace each leaf's value in its YAML file, marked ``estimated: true`` with
the method, the targets, the fit and the interval: a data change to review in a diff.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml

from immsim.calibration.metrics import (
    Observation,
    RangedObservation,
    load_ranged,
    observed_figures,
    simulated_with_ranged,
)
from immsim.calibration.validate import FITTED, PERIODS, START, simulate_draws
from immsim.errors import InputError
from immsim.parameters.loader import ParameterTree
from immsim.parameters.reform import Override, Reform
from immsim.parameters.scales import EDGE, Z90, fitting_scale, from_scale, to_scale
from immsim.population.build import Population, build_population
from immsim.progress import Progress

FIT_YEARS = len(FITTED)
PINNED, WEAK = 0.25, 0.75
"""Report settings, not model quantities: a fitted value whose 90% interval spans at most a
quarter of its allowed range (on the fitting scale) is reported pinned by the targets, at most
three quarters weakly pinned, more not pinned (the range, not the record, bounds it)."""
SCORE_DRAWS = 3
"""A report setting, not a model quantity: a cross-validation fold scores its held-out period on
each cell's median over this many runs, as ``validate`` scores the back-test over its draws
(``validate --draws 3`` is the back-test's headline)."""
Prior = Literal["range", "none"]
PRIORS: tuple[Prior, ...] = ("none", "range")
"""``range``: maximum a posteriori, a normal prior for each fitted value centred on the value in
force with ``fit.yaml``'s allowed range as its 90% interval; ``none``: plain least squares."""
DEFAULT_PRIOR: Prior = "none"
"""The method ``calibrate`` uses unless told: plain least squares, which the prior did not beat
on the held-out periods (``docs/calibration.md``, branch ``prior28``)."""
Loss = Literal["linear", "soft_l1", "huber", "cauchy"]
LOSSES: tuple[Loss, ...] = ("linear", "soft_l1", "huber", "cauchy")
"""scipy's ``least_squares`` losses rho(z) of z = (r / f_scale)^2, r a target's relative error:
``linear`` z (least squares); ``soft_l1`` 2 (sqrt(1 + z) - 1), ``huber`` z up to 1 then
2 sqrt(z) - 1 (both quadratic near zero and linear in |r| far out); ``cauchy`` log(1 + z) (an
error far out counts almost nothing more). The fit minimises the sum of f_scale^2 rho(z) / 2."""
DEFAULT_LOSS: Loss = "linear"
"""The loss ``calibrate`` uses unless told (see ``docs/calibration.md``, branch ``calib31``)."""
Weights = Literal["per-cell", "per-metric"]
WEIGHTS: tuple[Weights, ...] = ("per-cell", "per-metric")
"""How the targets' relative errors are weighted in the fit: ``per-cell`` each (metric, year)
target counts once; ``per-metric`` each target's residual is multiplied by 1 / sqrt(n_m), n_m
the number of targets of its metric, so that each metric's targets together weigh as one (a
metric with nine years weighs what a metric with one year does)."""
DEFAULT_WEIGHTS: Weights = "per-cell"
"""The weighting ``calibrate`` uses unless told (see ``docs/calibration.md``, branch
``permetric35``)."""


def metric_weights(weights: Weights, targets: list[tuple[str, int]]) -> np.ndarray:
    """Each target's weight on its residual: 1 per cell, or 1 / sqrt(n_m) per metric (its
    metric's targets' squared weights then sum to one)."""
    if weights == "per-cell":
        return np.ones(len(targets))
    if weights != "per-metric":
        raise InputError(f"unknown weights {weights!r}", key="--weights", allowed=list(WEIGHTS))
    counts = Counter(metric for metric, _ in targets)
    return np.array([1 / np.sqrt(counts[metric]) for metric, _ in targets])


def loss_rho(loss: Loss, z: np.ndarray) -> np.ndarray:
    """The loss rho and its first two derivatives at ``z`` (a row each, as scipy's callable loss
    returns them), scipy's formulas for its named losses."""
    z = np.asarray(z, dtype=float)
    rho = np.empty((3, z.size))
    if loss == "linear":
        rho[0], rho[1], rho[2] = z, 1.0, 0.0
    elif loss == "soft_l1":
        t = 1 + z
        rho[0], rho[1], rho[2] = 2 * (t**0.5 - 1), t**-0.5, -0.5 * t**-1.5
    elif loss == "huber":
        far = z > 1
        root = np.sqrt(np.where(far, z, 1.0))
        rho[0] = np.where(far, 2 * root - 1, z)
        rho[1] = np.where(far, 1 / root, 1.0)
        rho[2] = np.where(far, -0.5 / root**3, 0.0)
    elif loss == "cauchy":
        t = 1 + z
        rho[0], rho[1], rho[2] = np.log1p(z), 1 / t, -1 / t**2
    else:
        raise InputError(f"unknown loss {loss!r}", key="--loss", allowed=list(LOSSES))
    return rho


def robust_weights(
    loss: Loss, residuals: np.ndarray, f_scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """Each residual's psi (the derivative of its loss f_scale^2 rho(z) / 2 in the residual,
    rho'(z) r) and psi' (its second derivative, rho'(z) + 2 z rho''(z), cut at zero as scipy
    cuts it: a residual where the loss bends down adds no information). Least squares: r and 1.
    """
    r = np.asarray(residuals, dtype=float)
    z = (r / f_scale) ** 2
    rho = loss_rho(loss, z)
    return rho[1] * r, np.clip(rho[1] + 2 * z * rho[2], 0.0, None)


def huber_covariance(
    jacobian: np.ndarray, psi: np.ndarray, slope: np.ndarray, parameters: int
) -> np.ndarray:
    """The covariance of an M-estimate (Huber 1981, section 7.6, his second estimate): K times
    sum(psi^2) / (n - p) over the mean of psi', times the inverse of J' diag(psi') J, with
    K = 1 + p / n * var(psi') / mean(psi')^2. For least squares (psi = r, psi' = 1) it is the
    Gauss-Newton covariance sum(r^2) / (n - p) (J'J)^-1."""
    n = len(psi)
    mean = float(np.mean(slope))
    if mean <= 0:
        return np.full((parameters, parameters), np.inf)
    k = 1 + parameters / n * float(np.var(slope)) / mean**2
    scale = k * float(np.sum(psi**2)) / max(1, n - parameters) / mean
    return np.asarray(np.linalg.pinv(jacobian.T @ (slope[:, None] * jacobian)) * scale)


SLOPPY = 0.01
"""Report settings: a direction of the Jacobian whose singular value is below this share of the
largest is one the targets barely see; the report names the values that make it up."""


@dataclass(frozen=True)
class FitSpec:
    key: str
    low: float
    high: float
    why: str
    at: dt.date | None = None
    """The date of the value to fit, for a leaf with several dated values (the others are held);
    None for a leaf's only value."""

    @property
    def name(self) -> str:
        """The key, with the fitted value's date when the leaf has several."""
        return f"{self.key}@{self.at.isoformat()}" if self.at else self.key


def fitted_start(tree: ParameterTree, spec: FitSpec) -> dt.date:
    """The date of the value ``spec`` fits: its ``at``, which the leaf must have, or the date of
    the leaf's only value."""
    leaf = tree.leaf(spec.key)
    if spec.at is None:
        if len(leaf.values) != 1:
            raise InputError(
                "the leaf has several dated values: give `at`, the date of the one to fit",
                key=spec.key,
                allowed=[start.isoformat() for start in leaf.starts],
            )
        return leaf.values[0].start
    if spec.at not in leaf.starts:
        raise InputError(
            f"no value dated {spec.at.isoformat()} to fit",
            key=spec.key,
            allowed=[start.isoformat() for start in leaf.starts],
        )
    return spec.at


def fit_specs() -> tuple[FitSpec, ...]:
    """The parameters to fit and their plausible ranges (``calibration/fit.yaml``)."""
    text = resources.files("immsim.calibration").joinpath("fit.yaml").read_text("utf-8")
    return tuple(FitSpec(**item) for item in yaml.safe_load(text))


def select_specs(only: tuple[str, ...]) -> tuple[FitSpec, ...]:
    """The parameters of ``calibration/fit.yaml`` named in ``only`` (all when it is empty): a
    change to the model that moves some of them is refitted on those, the others held at their
    fitted values."""
    specs = fit_specs()
    if not only:
        return specs
    known = {spec.key for spec in specs} | {spec.name for spec in specs}
    unknown = sorted(set(only) - known)
    if unknown:
        raise InputError(
            f"not a parameter calibrate fits: {', '.join(unknown)} (calibration/fit.yaml lists "
            f"{', '.join(sorted(spec.name for spec in specs))})",
            key="--only",
        )
    # KEY selects each of a leaf's fitted values; KEY@DATE one of them
    return tuple(spec for spec in specs if spec.key in only or spec.name in only)


@dataclass(frozen=True)
class Target:
    """A published figure the fit aims at."""

    metric: str
    fiscal_year: int
    observed: float
    range: tuple[float, float] | None = None
    """A ranged figure's ends (its error is zero inside them); ``observed`` is then the midpoint."""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "metric": self.metric,
            "fiscal_year": self.fiscal_year,
            "observed": self.observed,
        }
        if self.range is not None:
            out["range"] = list(self.range)
        return out


@dataclass(frozen=True)
class Fitted:
    """One fitted parameter: its value before and after, the 90% interval of the fit, and the
    range it was allowed to take (a value on its bound says the range, not the data, decided)."""

    key: str
    unit: str
    before: float
    value: float
    interval_90: tuple[float, float]
    allowed: tuple[float, float]
    at_bound: bool
    start: dt.date | None = None
    """The date of the fitted value (the leaf's only value when None)."""
    identified: bool = True
    """False when no target moved as the value moved (its Jacobian column is zero): the fit says
    nothing about it, its interval would be a point, and :func:`write_back` leaves it as it was."""
    width: float = 0.0
    """The 90% interval's width as a share of the allowed range, both on the fitting scale (logit
    or log): near 0 the targets pin the value, near 1 the range, not the record, bounds it."""

    @property
    def name(self) -> str:
        return f"{self.key}@{self.start.isoformat()}" if self.start else self.key

    @property
    def verdict(self) -> str:
        """What the targets say about the value, from its interval's width (see ``PINNED``)."""
        if not self.identified:
            return "not moved by any target"
        if self.width <= PINNED:
            return "pinned"
        return "weakly pinned" if self.width <= WEAK else "not pinned"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "from": self.start.isoformat() if self.start else None,
            "unit": self.unit,
            "before": self.before,
            "value": self.value,
            "interval_90": list(self.interval_90),
            "range": list(self.allowed),
            "at_bound": self.at_bound,
            "identified": self.identified,
            "interval_share_of_range": self.width,
            "verdict": self.verdict,
        }


@dataclass(frozen=True)
class Calibration:
    """The answer of :func:`calibrate`: the fitted values and how well they meet the targets."""

    method: str
    targets: tuple[Target, ...]
    evaluations: int
    rms_relative_error_before: float
    rms_relative_error_after: float
    residuals: dict[str, float]
    parameters: tuple[Fitted, ...]
    seed: int
    identifiability: Identifiability | None = None
    prior: Prior = "none"
    """``range`` for the maximum a posteriori fit, ``none`` for plain least squares."""
    noise: float | None = None
    """With a prior: the model's relative error the targets' residuals are divided by (the RMS
    relative error at the start)."""
    loss: Loss = "linear"
    """How a target's relative error counts in the fit (``LOSSES``)."""
    scale: float | None = None
    """With a robust loss: its scale, the targets' median absolute relative error at the start
    (per metric: of their weighted relative errors)."""
    weights: Weights = "per-cell"
    """How the targets' relative errors are weighted in the fit (``WEIGHTS``)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "targets": [t.as_dict() for t in self.targets],
            "evaluations": self.evaluations,
            "rms_relative_error_before": self.rms_relative_error_before,
            "rms_relative_error_after": self.rms_relative_error_after,
            "residuals": self.residuals,
            "parameters": [p.as_dict() for p in self.parameters],
            "seed": self.seed,
            "identifiability": self.identifiability.as_dict() if self.identifiability else None,
            "prior": self.prior,
            "noise": self.noise,
            "loss": self.loss,
            "loss_scale": self.scale,
            "weights": self.weights,
        }


@dataclass(frozen=True)
class Identifiability:
    """What the targets pin down, from the Jacobian of the relative errors on the fitting scale
    at the optimum (each target's row weighted by the square root of its loss's curvature psi',
    what a robust fit sees; 1 for least squares): its singular values (largest first; one near zero is a combination of values
    the targets cannot see) and, for each such sloppy direction, the values that make it up
    (loadings of a quarter or more of the largest, largest first)."""

    singular_values: tuple[float, ...]
    sloppy: tuple[tuple[float, tuple[tuple[str, float], ...]], ...]

    @property
    def condition(self) -> float:
        """Largest over smallest singular value (infinite when a value moved no target)."""
        low = self.singular_values[-1] if self.singular_values else 0.0
        return self.singular_values[0] / low if low > 0 else float("inf")

    def as_dict(self) -> dict[str, Any]:
        return {
            "singular_values": list(self.singular_values),
            "condition_number": self.condition,
            "sloppy_directions": [
                {"singular_value": value, "loadings": dict(loadings)}
                for value, loadings in self.sloppy
            ],
        }


def identifiability(jacobian: np.ndarray, names: tuple[str, ...]) -> Identifiability:
    """The singular values of ``jacobian`` (targets by fitted values) and its sloppy directions:
    those whose singular value is below ``SLOPPY`` of the largest, each named by the values that
    load on it."""
    # every direction of the values, those beyond the number of targets with singular value 0
    _, found, vt = np.linalg.svd(jacobian, full_matrices=True)
    values = np.concatenate([found, np.zeros(vt.shape[0] - len(found))])
    largest = float(values[0]) if len(values) else 0.0
    sloppy = []
    for value, direction in zip(values, vt, strict=True):
        if largest > 0 and value >= SLOPPY * largest:
            continue
        top = float(np.max(np.abs(direction)))
        loadings = sorted(
            ((name, float(w)) for name, w in zip(names, direction, strict=True)),
            key=lambda item: -abs(item[1]),
        )
        sloppy.append(
            (float(value), tuple((n, round(w, 3)) for n, w in loadings if abs(w) >= top / 4))
        )
    return Identifiability(tuple(float(v) for v in values), tuple(sloppy))


def _to_x(tree: ParameterTree, key: str, value: float) -> float:
    return to_scale(fitting_scale(tree, key), value)


def _from_x(tree: ParameterTree, key: str, x: float) -> float:
    return from_scale(fitting_scale(tree, key), x)


def values_reform(tree: ParameterTree, values: dict[tuple[str, dt.date], float]) -> Reform:
    """Each fitted leaf's whole timeline, with the trial values at their dates and the leaf's
    other dated values as they are (an override replaces a leaf from its first date on)."""
    overrides = {}
    for key in dict.fromkeys(key for key, _ in values):
        timeline = {v.start: values.get((key, v.start), v.value) for v in tree.leaf(key).values}
        overrides[key] = Override.model_validate({"values": timeline})
    return Reform(name="calibration-trial", overrides=overrides)


def bounds(tree: ParameterTree, specs: tuple[FitSpec, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Each value's allowed range on its fitting scale (logit or log): lower and upper ends."""
    lower = np.array([_to_x(tree, s.key, s.low) for s in specs])
    upper = np.array([_to_x(tree, s.key, s.high) for s in specs])
    return lower, upper


def prior_width(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Each value's prior standard deviation on its fitting scale: the allowed range read as a
    90% interval, so half of it over ``Z90`` (none of the fitted leaves has a cited interval:
    their intervals are earlier fits' to the same targets, which would count them twice)."""
    return np.asarray((upper - lower) / (2 * Z90))


def prior_residuals(x: np.ndarray, centre: np.ndarray, width: np.ndarray) -> np.ndarray:
    """The prior's residuals, appended to the targets': each value's distance on the fitting
    scale from its prior centre in prior standard deviations (their squares sum to minus twice
    the normal prior's log density, up to a constant)."""
    return np.asarray((x - centre) / width)


def point_values(
    tree: ParameterTree, parameters: tuple[tuple[str, dt.date], ...], x: np.ndarray
) -> dict[tuple[str, dt.date], float]:
    """The values at a point ``x`` of the fitting scale (logit or log, one coordinate a
    ``(key, date)`` of ``parameters``): what a trial of a fit or of the emulator's design runs."""
    return {(k, d): _from_x(tree, k, float(xi)) for (k, d), xi in zip(parameters, x, strict=True)}


def trial(
    tree: ParameterTree,
    values: dict[tuple[str, dt.date], float],
    seed: int,
    years: int,
    population: Population,
) -> dict[tuple[str, int], float]:
    """One back-test run of ``values`` (the tree's other values as they are) on ``population``
    with one seed: each metric per fiscal year. A fit's trials and the emulator's design runs are
    all such runs, on common random numbers, so that they differ by the values alone."""
    reform = values_reform(tree, values) if values else None
    (sim,) = simulate_draws(
        tree,
        1,
        seed,
        years=years,
        reforms=[reform] if reform else None,
        population=population,
        reduce=simulated_with_ranged,
    )
    out: dict[tuple[str, int], float] = sim
    return out


def _steps(max_evaluations: int, parameters: int) -> int:
    """The optimizer's steps within a budget of model runs. The budget holds the fit's own first
    run (the error before), least_squares' first evaluation and its Jacobian (``parameters``
    runs), then for each step a trial run and, if the step is taken, a new Jacobian: 2 +
    ``parameters`` + steps x (1 + ``parameters``) runs at most. least_squares counts its first
    evaluation and the trials in ``max_nfev``, not the Jacobians' runs, so it is given
    ``steps + 1``."""
    steps = (max_evaluations - 2 - parameters) // (parameters + 1)
    if steps < 1:
        raise InputError(
            f"fitting {parameters} parameters needs at least {2 * parameters + 3} model runs "
            f"(the first, the optimizer's first and its {parameters}-run Jacobian, then one "
            "step and its Jacobian)",
            key="--max-evaluations",
        )
    return steps


def _fit_targets(
    figures: Path, workbooks: Path | None, fit_years: range, years: int, ranged: bool
) -> tuple[
    dict[tuple[str, int], Observation],
    dict[tuple[str, int], RangedObservation],
    list[tuple[str, int]],
]:
    """The figures a fit of ``fit_years`` aims at, within the ``years`` it runs: the published
    figures (and the workbooks'), and with ``ranged`` the figures stated as a range, after them."""
    observed = observed_figures(figures, workbooks)
    last_year = START.year + years
    targets = sorted(k for k in observed if k[1] in fit_years and k[1] <= last_year)
    covered = range(max(fit_years.start, START.year + 1), min(fit_years.stop, last_year + 1))
    ranges = load_ranged(figures, covered) if ranged else {}
    targets += sorted(ranges)
    if not targets:
        raise InputError(
            f"no FY{fit_years.start}-FY{fit_years.stop - 1} targets in the figures file",
            file=str(figures),
        )
    return observed, ranges, targets


def calibrate(
    figures: Path,
    tree: ParameterTree,
    specs: tuple[FitSpec, ...] | None = None,
    seed: int = 2012,
    years: int = FIT_YEARS,
    max_evaluations: int = 60,
    progress: Progress | None = None,
    on_evaluation: Callable[[float], None] | None = None,
    fit_years: range = FITTED,
    workbooks: Path | None = None,
    ranged: bool = False,
    prior: Prior = DEFAULT_PRIOR,
    loss: Loss = DEFAULT_LOSS,
    weights: Weights = DEFAULT_WEIGHTS,
) -> Calibration:
    """``progress`` counts the model runs against ``max_evaluations``, which bounds them all:
    the first, the optimizer's steps and its finite-difference Jacobians (one run a fitted
    parameter each). ``on_evaluation`` is told each run's RMS relative error, to show how the
    fit is going. ``fit_years``: the fiscal years whose figures are the targets (FY2012-FY2016;
    a cross-validation fold fits on the years before the period it predicts), simulated up to
    ``years`` after the start. ``workbooks``: ICE's workbooks, for the targets they add.
    ``ranged``: add the figures stated as a range over several years (TRAC's arrests a month from
    local jails in FY2009-FY2012, attributed to FY2012), each with an error of zero inside its
    range and the relative distance from the nearer end outside it. ``prior``: ``range`` fits
    the maximum a posteriori values (each value's prior centred on the value in force, the
    allowed range its 90% interval, the targets' relative errors over their RMS at the start);
    ``none`` plain least squares. ``loss``: how a target's relative error counts (``LOSSES``);
    a robust one's scale (scipy's ``f_scale``) is the median absolute relative error of the
    targets at the start, so that errors the size of the tree's typical miss count as in least
    squares and larger ones less; the prior's residuals always count as squares. ``weights``:
    ``per-metric`` multiplies each target's relative error by 1 / sqrt(n_m), n_m its metric's
    number of targets, so each metric counts as one; the covariance, the identifiability report,
    the prior's noise and a robust loss's scale all read the weighted residuals (and their
    Jacobian), so the weighting is the fit's throughout; the reported errors stay unweighted."""
    from scipy.optimize import least_squares

    specs = specs or fit_specs()
    parameters = tuple((spec.key, fitted_start(tree, spec)) for spec in specs)
    steps = _steps(max_evaluations, len(parameters))
    observed, ranges, targets = _fit_targets(figures, workbooks, fit_years, years, ranged)
    start_values = {(k, d): float(tree.get(k, d)) for k, d in parameters}
    # Built once and shared by every trial, except that a trial of a population leaf, which
    # sets the margins the start population is raked to, rebuilds it (about a second a trial).
    population = build_population(tree, START, seed=seed)
    lower, upper = bounds(tree, specs)
    x0 = np.clip(
        np.array([_to_x(tree, k, v) for (k, _), v in start_values.items()]),
        lower + 1e-6,
        upper - 1e-6,
    )
    evaluations = 0
    w = metric_weights(weights, targets)

    def error(target: tuple[str, int], value: float) -> float:
        if target in ranges:
            return ranges[target].error(value)
        return (value - observed[target].value) / observed[target].value

    def residuals(x: np.ndarray) -> np.ndarray:
        nonlocal evaluations
        sim = trial(tree, point_values(tree, parameters, x), seed, years, population)
        out = np.array([error(t, sim.get(t, 0.0)) for t in targets])
        evaluations += 1
        if progress:
            progress(evaluations, max_evaluations)
        if on_evaluation:
            on_evaluation(float(np.sqrt(np.mean(out**2))))
        return out

    before = residuals(x0)
    # the weighted residuals the fit sees (per cell: the relative errors themselves)
    seen_before = w * before
    # With a prior: its centre is the value in force (unclipped), and the model's error at the
    # start is the spread of a target's relative error, so that the targets' residuals and the
    # prior's are both in standard deviations.
    centre = np.array([_to_x(tree, k, v) for (k, _), v in start_values.items()])
    width = prior_width(lower, upper)
    # (per metric: the weighted RMS, sqrt(sum(w^2 r^2) / sum(w^2)), the error of one target)
    noise = (
        1.0 if prior == "none" else max(float(np.sqrt(np.sum(seen_before**2) / np.sum(w**2))), EDGE)
    )
    # A robust loss's scale, in relative-error units: the targets' median absolute error at the
    # start (the score's own measure, fixed before the fit sees anything else).
    scale = max(float(np.median(np.abs(seen_before))), EDGE)
    rows = len(targets)

    def rho(z: np.ndarray) -> np.ndarray:
        """The loss on the targets' rows, squares on the prior's (scipy's callable loss)."""
        out = loss_rho("linear", z)
        out[:, :rows] = loss_rho(loss, z[:rows])
        return out

    def objective(x: np.ndarray) -> np.ndarray:
        if prior == "none":
            return np.asarray(w * residuals(x))
        return np.concatenate([w * residuals(x) / noise, prior_residuals(x, centre, width)])

    fit = least_squares(
        objective,
        x0,
        bounds=(lower, upper),
        diff_step=0.08,
        max_nfev=steps + 1,
        method="trf",
        loss="linear" if loss == "linear" else rho,
        f_scale=1.0 if loss == "linear" else scale / noise,
    )
    # the targets' relative errors, without the prior's rows (scipy returns them as they are)
    seen_found = fit.fun[:rows] * noise
    found = seen_found / w
    # scipy returns the Jacobian scaled by each row's sqrt(psi'), cut at its machine epsilon
    # (its J'J is the robust Gauss-Newton Hessian): undone here, for the Jacobian of the
    # relative errors themselves (weighted, per metric: what the fit minimised)
    psi, slope = robust_weights(loss, seen_found, scale)
    seen = np.sqrt(np.clip(slope, np.finfo(float).eps, None))
    jacobian = fit.jac[:rows] * noise / seen[:, None]
    # what the fit sees: each target's row weighted by its loss's curvature (1 for squares)
    weighted = jacobian * np.sqrt(slope)[:, None]
    # a value some target's error moves with (a weight, always positive, changes none of that)
    moved = np.any(jacobian != 0, axis=0)
    try:
        if prior == "none":
            cov = huber_covariance(jacobian, psi, slope, len(parameters))
        else:
            # the posterior's precision: the targets' (over the model's error, each weighted by
            # its loss's curvature) and the prior's
            precision = weighted.T @ weighted / noise**2 + np.diag(1 / width**2)
            cov = np.linalg.pinv(precision)
        sd = np.sqrt(np.clip(np.diag(cov), 0, None))
    except np.linalg.LinAlgError:
        sd = np.full(len(parameters), np.nan)
    fitted = [
        _fitted(
            tree,
            key,
            start,
            spec,
            start_values[(key, start)],
            float(fit.x[i]),
            sd[i],
            (lower[i], upper[i]),
            prior,
            bool(moved[i]),
        )
        for i, ((key, start), spec) in enumerate(zip(parameters, specs, strict=True))
    ]
    return Calibration(
        method=_method_text(prior, loss, weights, noise, scale),
        targets=tuple(_target(k, ranges.get(k) or observed[k]) for k in targets),
        evaluations=evaluations,
        rms_relative_error_before=float(np.sqrt(np.mean(before**2))),
        rms_relative_error_after=float(np.sqrt(np.mean(found**2))),
        residuals={f"{m} FY{y}": float(r) for (m, y), r in zip(targets, found, strict=True)},
        parameters=tuple(fitted),
        seed=seed,
        identifiability=identifiability(weighted, tuple(spec.name for spec in specs)),
        prior=prior,
        noise=None if prior == "none" else noise,
        loss=loss,
        scale=None if loss == "linear" else scale,
        weights=weights,
    )


def _fitted(
    tree: ParameterTree,
    key: str,
    start: dt.date,
    spec: FitSpec,
    before: float,
    x: float,
    sd: float,
    scale_range: tuple[float, float],
    prior: Prior,
    moved: bool,
) -> Fitted:
    """One fitted value with its 90% interval: ``x`` and its standard deviation ``sd`` are on
    the fitting scale, whose allowed range is ``scale_range``; ``moved``: some target's error
    moves with it."""
    lower, upper = scale_range
    value = _from_x(tree, key, x)
    # On the fitting scale, and within the allowed range, before transforming back: a value
    # the targets barely pin has a huge (or undefined) spread, whose exp would overflow.
    spread = Z90 * sd if np.isfinite(sd) else np.inf
    x_lo, x_hi = max(x - spread, lower), min(x + spread, upper)
    lo = _from_x(tree, key, float(x_lo))
    hi = _from_x(tree, key, float(x_hi))
    lo, hi = max(lo, spec.low), min(hi, spec.high)  # exp(log(26)) is 26.000000000000004
    if prior == "none":
        share = (x_hi - x_lo) / (upper - lower)
    else:
        # the posterior's spread over the prior's, before the interval is cut at the range's
        # ends: a value the targets do not see reads 100% wherever its centre lies
        share = min(1.0, 2 * spread / (upper - lower))
    return Fitted(
        key=key,
        unit=tree.leaf(key).unit,
        before=before,
        value=value,
        interval_90=(min(lo, hi), max(lo, hi)),
        allowed=(spec.low, spec.high),
        at_bound=bool(
            np.isclose(value, spec.low, rtol=1e-3) or np.isclose(value, spec.high, rtol=1e-3)
        ),
        start=spec.at and start,
        identified=moved,
        width=float(share) if moved else 0.0,
    )


def _method_text(prior: Prior, loss: Loss, weights: Weights, noise: float, scale: float) -> str:
    """How the fit was made, as the tree's notes and the report state it."""
    method = "scipy.optimize.least_squares (trf), relative errors, common random numbers"
    if prior != "none":
        method = (
            "maximum a posteriori least squares (scipy.optimize.least_squares, trf): relative "
            f"errors over the RMS at the start ({noise:.3f}) and a normal prior for each value "
            "centred on the value in force, its allowed range the 90% interval; common random "
            "numbers"
        )
    if loss != "linear":
        method += (
            f"; {loss} loss, its scale the median absolute relative error at the start "
            f"({scale:.3f})"
        )
    if weights != "per-cell":
        method += "; each target's error weighted by 1/sqrt(its metric's number of targets)"
    return method


def _target(key: tuple[str, int], found: Any) -> Target:
    ends = (found.low, found.high) if isinstance(found, RangedObservation) else None
    return Target(key[0], key[1], found.value, ends)


@dataclass(frozen=True)
class Refit:
    """A fold's values fitted by one method (``prior``) and the period's median absolute error
    predicted with them."""

    prior: Prior
    error: float | None
    calibration: Calibration

    def as_dict(self) -> dict[str, Any]:
        return {
            "prior": self.prior,
            "loss": self.calibration.loss,
            "weights": self.calibration.weights,
            "median_abs_pct_error": self.error,
            "calibration": self.calibration.as_dict(),
        }


@dataclass(frozen=True)
class Fold:
    """One fold of the time-series cross-validation: the values fitted on the years before a
    regime period by each method, and the period's median absolute error predicted with them,
    beside the error with the tree's values as they are (fitted on FY2012-FY2016 only)."""

    period: str
    fit_years: tuple[int, int]
    cells: int
    error_tree: float | None
    refits: tuple[Refit, ...]
    score_seeds: tuple[int, ...] = ()

    def refit(self, prior: Prior) -> Refit | None:
        """The refit by ``prior``'s method, if the fold ran it."""
        return next((r for r in self.refits if r.prior == prior), None)

    @property
    def main(self) -> Refit:
        """The default method's refit, or the only one the fold ran."""
        return self.refit(DEFAULT_PRIOR) or self.refits[0]

    @property
    def error_refit(self) -> float | None:
        return self.main.error

    @property
    def calibration(self) -> Calibration:
        return self.main.calibration

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "fit_years": list(self.fit_years),
            "cells": self.cells,
            "median_abs_pct_error_tree": self.error_tree,
            "median_abs_pct_error_refit": self.error_refit,
            "prior": self.main.prior,
            "score_seeds": list(self.score_seeds),
            "refits": [r.as_dict() for r in self.refits],
        }


def _period_error(
    sim: dict[tuple[str, int], float],
    observed: dict[tuple[str, int], Any],
    years: range,
) -> tuple[int, float | None]:
    """How many of the period's cells have a record, and their median absolute relative error."""
    errors = [
        abs((sim[key] - found.value) / found.value)
        for key, found in observed.items()
        if key[1] in years and key in sim and found.value
    ]
    return len(errors), statistics.median(errors) if errors else None


def held_out_prediction(
    tree: ParameterTree,
    values: dict[tuple[str, dt.date], float],
    seeds: range,
    years: int,
    population: Population,
) -> dict[tuple[str, int], float]:
    """Each metric per fiscal year, the median over runs of ``values`` at ``seeds``: a fold's
    prediction of its held-out period. The seeds are not the fit's: a fit on common random
    numbers learns that seed's noise too (one seed's period median moves by about a point on
    nothing, ``docs/calibration.md``, branch ``prior28``), so a prediction scored on the fit's
    own runs would credit the fit with noise it matched; the median over several runs is the
    statistic ``validate`` scores the back-test with."""
    reform = values_reform(tree, values) if values else None
    runs = simulate_draws(
        tree,
        len(seeds),
        seeds.start,
        years=years,
        reforms=[reform] * len(seeds) if reform else None,
        population=population,
    )
    keys = {key for sim in runs for key in sim}
    return {key: statistics.median(sim[key] for sim in runs if key in sim) for key in keys}


def fitted_values(tree: ParameterTree, result: Calibration) -> dict[tuple[str, dt.date], float]:
    """The fit's identified values by leaf and date (what :func:`write_back` would write)."""
    return {
        (p.key, p.start or tree.leaf(p.key).values[0].start): p.value
        for p in result.parameters
        if p.identified
    }


def cross_validate(
    figures: Path,
    tree: ParameterTree,
    specs: tuple[FitSpec, ...] | None = None,
    seed: int = 2012,
    max_evaluations: int = 60,
    workbooks: Path | None = None,
    on_fold: Callable[[str], None] | None = None,
    progress: Progress | None = None,
    priors: tuple[Prior, ...] = PRIORS,
    loss: Loss = DEFAULT_LOSS,
    weights: Weights = DEFAULT_WEIGHTS,
    score_draws: int = SCORE_DRAWS,
) -> tuple[Fold, ...]:
    """Time-series cross-validation over the back-test's regime periods: for each period after
    the first, fit ``specs`` on every year before it by each method of ``priors`` (plain least
    squares and maximum a posteriori, to compare them), every fit with ``loss`` on common random
    numbers (``seed``), then run to the period's end ``score_draws`` times, at the seeds after
    ``seed``, and score the period on each cell's median over those runs
    (:func:`held_out_prediction`); the tree's values are scored on the same runs. A fit that
    predicts its next period worse than the tree's values is one that learned the noise of its
    years."""
    specs = specs or fit_specs()
    observed = observed_figures(figures, workbooks)
    seeds = range(seed + 1, seed + 1 + score_draws)
    folds = []
    for name, years in PERIODS.items():
        if years.start <= FITTED.start:
            continue
        horizon = years.stop - 1 - START.year
        population = build_population(tree, START, seed=seed)
        as_is = held_out_prediction(tree, {}, seeds, horizon, population)
        cells, error_tree = _period_error(as_is, observed, years)
        refits = []
        for prior in priors:
            if on_fold:
                on_fold(f"{name}, prior {prior}")
            result = calibrate(
                figures,
                tree,
                specs=specs,
                seed=seed,
                years=years.start - 1 - START.year,
                max_evaluations=max_evaluations,
                progress=progress,
                fit_years=range(FITTED.start, years.start),
                workbooks=workbooks,
                prior=prior,
                loss=loss,
                weights=weights,
            )
            refit = held_out_prediction(
                tree, fitted_values(tree, result), seeds, horizon, population
            )
            refits.append(Refit(prior, _period_error(refit, observed, years)[1], result))
        fit_years = (FITTED.start, years.start - 1)
        folds.append(Fold(name, fit_years, cells, error_tree, tuple(refits), tuple(seeds)))
    return tuple(folds)


def package_tree_dir() -> Path:
    """The parameter tree shipped in the package: where a fit is written unless told otherwise."""
    return Path(str(resources.files("immsim.parameters").joinpath("tree")))


def write_back(
    result: Calibration, tree: ParameterTree, tree_dir: Path | None = None
) -> list[Path]:
    """Replace each fitted value's line in its leaf's YAML file, in ``tree_dir`` (default: the
    package's tree); a value the targets did not identify is left as it was."""
    tree_dir = tree_dir or package_tree_dir()
    changed: list[Path] = []
    metrics = sorted({t.metric for t in result.targets})
    fitted = [item.key for item in result.parameters]
    held = [spec.key for spec in fit_specs() if spec.key not in fitted]
    together = (
        f"; fitted together: {', '.join(fitted)}, the other parameters of calibration/fit.yaml "
        "held at their values"
        if held
        else ""
    )
    for item in (p for p in result.parameters if p.identified):
        leaf = tree.leaf(item.key)
        path = tree_dir / Path(leaf.file.removeprefix("immsim/parameters/tree/"))
        if not path.is_file():
            raise InputError("cannot find the leaf's file to write back", file=str(path))
        lines = path.read_text(encoding="utf-8").splitlines()
        start = (item.start or leaf.values[0].start).isoformat()
        first = (leaf.line or 1) - 1
        index = next(
            (
                i
                for i in range(first, len(lines))
                if re.match(rf"^\s*['\"]?{start}['\"]?:", lines[i])
            ),
            None,
        )
        if index is None:
            raise InputError(f"no value dated {start} to replace", file=str(path), key=item.key)
        if not lines[index].rstrip().endswith("}"):
            raise InputError(
                "the value is not written on one line; fit only flow-style leaves",
                file=str(path),
                line=index + 1,
                key=item.key,
            )
        indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
        lo, hi = item.interval_90
        low, high = item.allowed
        method = (
            f"Fitted by `immsim calibrate` ({result.method}) to FY2012-FY2016 "
            f"{', '.join(metrics)}; RMS relative error {result.rms_relative_error_before:.3f} "
            f"before, {result.rms_relative_error_after:.3f} after; 90% interval "
            f"{_fmt(lo)}-{_fmt(hi)}; allowed range {_fmt(low)}-{_fmt(high)}"
            f"{' (ended on its bound)' if item.at_bound else ''}; was {_fmt(item.before)}"
            f"{together}."
        )
        lines[index] = (
            f"{indent}{start}: {{value: {_fmt(item.value)}, estimated: true, "
            f"interval_90: [{_fmt(lo)}, {_fmt(hi)}], method: {json.dumps(method)}}}"
        )
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        changed.append(path)
    return sorted(set(changed))


def _fmt(value: float) -> str:
    """Four significant digits, the precision a fit supports; a large number is written out
    whole (76710, not 7.671e+04), as the tree's counts are."""
    text = f"{value:.4g}"
    return f"{round(float(text))}" if "e+" in text else text
