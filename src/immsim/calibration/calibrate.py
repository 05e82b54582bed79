"""Fit the parameters no source states to FY2012–FY2016, and write them back into the tree.

Method: nonlinear least squares (scipy's trust-region reflective ``least_squares``) on the
relative errors of every FY2012–FY2016 published figure the back-test can simulate, with
common random numbers (one seed) so the objective is a smooth function of the parameters.
Shares are fitted on the logit scale and rates on the log scale, so bounds hold. Uncertainty is
the Gauss–Newton covariance at the optimum, scaled by the residual variance, reported as a 90%
interval per parameter.

The fitted values replace each leaf's value in its YAML file, marked ``estimated: true`` with
the method, the targets, the fit and the interval: a data change to review in a diff.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from immsim.calibration.metrics import load_observed
from immsim.calibration.validate import FITTED, START, simulate_draws
from immsim.errors import InputError
from immsim.parameters.loader import ParameterTree
from immsim.parameters.reform import Override, Reform
from immsim.parameters.scales import fitting_scale, from_scale, to_scale
from immsim.population.build import build_population
from immsim.progress import Progress

FIT_YEARS = len(FITTED)


@dataclass(frozen=True)
class FitSpec:
    key: str
    low: float
    high: float
    why: str


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
    known = {spec.key for spec in specs}
    unknown = sorted(set(only) - known)
    if unknown:
        raise InputError(
            f"not a parameter calibrate fits: {', '.join(unknown)} (calibration/fit.yaml lists "
            f"{', '.join(sorted(known))})",
            key="--only",
        )
    return tuple(spec for spec in specs if spec.key in only)


@dataclass(frozen=True)
class Target:
    """A published figure the fit aims at."""

    metric: str
    fiscal_year: int
    observed: float

    def as_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "fiscal_year": self.fiscal_year, "observed": self.observed}


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "unit": self.unit,
            "before": self.before,
            "value": self.value,
            "interval_90": list(self.interval_90),
            "range": list(self.allowed),
            "at_bound": self.at_bound,
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
        }


def _to_x(tree: ParameterTree, key: str, value: float) -> float:
    return to_scale(fitting_scale(tree, key), value)


def _from_x(tree: ParameterTree, key: str, x: float) -> float:
    return from_scale(fitting_scale(tree, key), x)


def _reform(tree: ParameterTree, values: dict[str, float]) -> Reform:
    overrides = {}
    for key, value in values.items():
        start = tree.leaf(key).values[0].start
        overrides[key] = Override.model_validate({"values": {start: value}})
    return Reform(name="calibration-trial", overrides=overrides)


def _steps(max_evaluations: int, parameters: int) -> int:
    """The optimizer's steps within a budget of model runs: least_squares counts neither the
    first run nor its Jacobians' runs in max_nfev, and makes at most one Jacobian a step, so each
    step after the first run costs 1 + ``parameters`` runs."""
    steps = (max_evaluations - 1) // (parameters + 1)
    if steps < 1:
        raise InputError(
            f"fitting {parameters} parameters needs at least {parameters + 2} model runs (the "
            f"first, one step and its {parameters}-run Jacobian)",
            key="--max-evaluations",
        )
    return steps


def calibrate(
    figures: Path,
    tree: ParameterTree,
    specs: tuple[FitSpec, ...] | None = None,
    seed: int = 2012,
    years: int = FIT_YEARS,
    max_evaluations: int = 60,
    progress: Progress | None = None,
    on_evaluation: Callable[[float], None] | None = None,
) -> Calibration:
    """``progress`` counts the model runs against ``max_evaluations``, which bounds them all:
    the first, the optimizer's steps and its finite-difference Jacobians (one run a fitted
    parameter each). ``on_evaluation`` is told each run's RMS relative error, to show how the
    fit is going."""
    from scipy.optimize import least_squares

    specs = specs or fit_specs()
    parameters = tuple(spec.key for spec in specs)
    steps = _steps(max_evaluations, len(parameters))
    observed = load_observed(figures)
    last_year = START.year + years
    targets = sorted(k for k in observed if k[1] in FITTED and k[1] <= last_year)
    if not targets:
        raise InputError("no FY2012–FY2016 targets in the figures file", file=str(figures))
    for key in parameters:
        if len(tree.leaf(key).values) != 1:
            raise InputError("only single-valued leaves can be fitted", key=key)
    start_values = {k: float(tree.get(k, START)) for k in parameters}
    population = build_population(tree, START, seed=seed)
    lower = np.array([_to_x(tree, s.key, s.low) for s in specs])
    upper = np.array([_to_x(tree, s.key, s.high) for s in specs])
    x0 = np.clip(
        np.array([_to_x(tree, k, v) for k, v in start_values.items()]), lower + 1e-6, upper - 1e-6
    )
    evaluations = 0

    def residuals(x: np.ndarray) -> np.ndarray:
        nonlocal evaluations
        values = {k: _from_x(tree, k, float(xi)) for k, xi in zip(parameters, x, strict=True)}
        (sim,) = simulate_draws(
            tree, 1, seed, years=years, reform=_reform(tree, values), population=population
        )
        out = np.array([(sim.get(t, 0.0) - observed[t].value) / observed[t].value for t in targets])
        evaluations += 1
        if progress:
            progress(evaluations, max_evaluations)
        if on_evaluation:
            on_evaluation(float(np.sqrt(np.mean(out**2))))
        return out

    before = residuals(x0)
    fit = least_squares(
        residuals,
        x0,
        bounds=(lower, upper),
        diff_step=0.08,
        max_nfev=steps,
        method="trf",
    )
    dof = max(1, len(targets) - len(parameters))
    sigma2 = float(np.sum(fit.fun**2)) / dof
    try:
        cov = np.linalg.pinv(fit.jac.T @ fit.jac) * sigma2
        sd = np.sqrt(np.clip(np.diag(cov), 0, None))
    except np.linalg.LinAlgError:
        sd = np.full(len(parameters), np.nan)
    fitted = []
    for i, (key, spec) in enumerate(zip(parameters, specs, strict=True)):
        value = _from_x(tree, key, float(fit.x[i]))
        lo = _from_x(tree, key, float(fit.x[i] - 1.645 * sd[i]))
        hi = _from_x(tree, key, float(fit.x[i] + 1.645 * sd[i]))
        lo = max(lo, spec.low)
        hi = min(hi, spec.high)
        fitted.append(
            Fitted(
                key=key,
                unit=tree.leaf(key).unit,
                before=start_values[key],
                value=value,
                interval_90=(min(lo, hi), max(lo, hi)),
                allowed=(spec.low, spec.high),
                at_bound=bool(
                    np.isclose(value, spec.low, rtol=1e-3)
                    or np.isclose(value, spec.high, rtol=1e-3)
                ),
            )
        )
    return Calibration(
        method="scipy.optimize.least_squares (trf), relative errors, common random numbers",
        targets=tuple(Target(m, y, observed[(m, y)].value) for m, y in targets),
        evaluations=evaluations,
        rms_relative_error_before=float(np.sqrt(np.mean(before**2))),
        rms_relative_error_after=float(np.sqrt(np.mean(fit.fun**2))),
        residuals={f"{m} FY{y}": float(r) for (m, y), r in zip(targets, fit.fun, strict=True)},
        parameters=tuple(fitted),
        seed=seed,
    )


def package_tree_dir() -> Path:
    """The parameter tree shipped in the package: where a fit is written unless told otherwise."""
    return Path(str(resources.files("immsim.parameters").joinpath("tree")))


def write_back(
    result: Calibration, tree: ParameterTree, tree_dir: Path | None = None
) -> list[Path]:
    """Replace each fitted leaf's single value line in its YAML file, in ``tree_dir`` (default:
    the package's tree)."""
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
    for item in result.parameters:
        leaf = tree.leaf(item.key)
        path = tree_dir / Path(leaf.file.removeprefix("immsim/parameters/tree/"))
        if not path.is_file():
            raise InputError("cannot find the leaf's file to write back", file=str(path))
        lines = path.read_text(encoding="utf-8").splitlines()
        start = leaf.values[0].start.isoformat()
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
    return f"{value:.4g}"
