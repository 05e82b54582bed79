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

import datetime as dt
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


@dataclass(frozen=True)
class Fitted:
    key: str
    unit: str
    start: dt.date
    before: float
    value: float
    low: float
    high: float


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


def calibrate(
    figures: Path,
    tree: ParameterTree,
    specs: tuple[FitSpec, ...] | None = None,
    seed: int = 2012,
    years: int = FIT_YEARS,
    max_evaluations: int = 60,
    progress: Progress | None = None,
    on_evaluation: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """``progress`` counts the model evaluations against ``max_evaluations`` (the optimizer's
    budget, which its finite-difference steps come on top of); ``on_evaluation`` is told each
    evaluation's RMS relative error, to show how the fit is going."""
    from scipy.optimize import least_squares

    specs = specs or fit_specs()
    parameters = tuple(spec.key for spec in specs)
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
        max_nfev=max_evaluations,
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
    for i, key in enumerate(parameters):
        lo = _from_x(tree, key, float(fit.x[i] - 1.645 * sd[i]))
        hi = _from_x(tree, key, float(fit.x[i] + 1.645 * sd[i]))
        lo = max(lo, specs[i].low)
        hi = min(hi, specs[i].high)
        fitted.append(
            Fitted(
                key=key,
                unit=tree.leaf(key).unit,
                start=tree.leaf(key).values[0].start,
                before=start_values[key],
                value=_from_x(tree, key, float(fit.x[i])),
                low=min(lo, hi),
                high=max(lo, hi),
            )
        )
    return {
        "method": "scipy.optimize.least_squares (trf), relative errors, common random numbers",
        "targets": [
            {"metric": m, "fiscal_year": y, "observed": observed[(m, y)].value} for m, y in targets
        ],
        "evaluations": evaluations,
        "rms_relative_error_before": float(np.sqrt(np.mean(before**2))),
        "rms_relative_error_after": float(np.sqrt(np.mean(fit.fun**2))),
        "residuals": {f"{m} FY{y}": float(r) for (m, y), r in zip(targets, fit.fun, strict=True)},
        "parameters": [
            {
                "key": f.key,
                "unit": f.unit,
                "before": f.before,
                "value": f.value,
                "interval_90": [f.low, f.high],
                "range": [spec.low, spec.high],
                "at_bound": bool(
                    np.isclose(f.value, spec.low, rtol=1e-3)
                    or np.isclose(f.value, spec.high, rtol=1e-3)
                ),
            }
            for f, spec in zip(fitted, specs, strict=True)
        ],
        "seed": seed,
    }


def package_tree_dir() -> Path:
    """The parameter tree shipped in the package: where a fit is written unless told otherwise."""
    return Path(str(resources.files("immsim.parameters").joinpath("tree")))


def write_back(
    result: dict[str, Any], tree: ParameterTree, tree_dir: Path | None = None
) -> list[Path]:
    """Replace each fitted leaf's single value line in its YAML file, in ``tree_dir`` (default:
    the package's tree)."""
    tree_dir = tree_dir or package_tree_dir()
    changed: list[Path] = []
    metrics = sorted({t["metric"] for t in result["targets"]})
    for item in result["parameters"]:
        leaf = tree.leaf(item["key"])
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
            raise InputError(f"no value dated {start} to replace", file=str(path), key=item["key"])
        if not lines[index].rstrip().endswith("}"):
            raise InputError(
                "the value is not written on one line; fit only flow-style leaves",
                file=str(path),
                line=index + 1,
                key=item["key"],
            )
        indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
        lo, hi = item["interval_90"]
        method = (
            f"Fitted by `immsim calibrate` ({result['method']}) to FY2012-FY2016 "
            f"{', '.join(metrics)}; RMS relative error {result['rms_relative_error_before']:.3f} "
            f"before, {result['rms_relative_error_after']:.3f} after; 90% interval "
            f"{_fmt(lo)}-{_fmt(hi)}; allowed range {_fmt(item['range'][0])}-{_fmt(item['range'][1])}"
            f"{' (ended on its bound)' if item['at_bound'] else ''}; was {_fmt(item['before'])}."
        )
        lines[index] = (
            f"{indent}{start}: {{value: {_fmt(item['value'])}, estimated: true, "
            f"interval_90: [{_fmt(lo)}, {_fmt(hi)}], method: {json.dumps(method)}}}"
        )
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        changed.append(path)
    return sorted(set(changed))


def _fmt(value: float) -> str:
    return f"{value:.4g}"
