"""Global sensitivity analysis with SALib: which uncertain parameters drive each outcome.

The spec is a sweep spec whose ``uncertainties`` give the ranges (their bounds); ``levers`` are
not used. Morris elementary effects screen many parameters cheaply; Sobol indices split the
variance. Each outcome is the run's total over its horizon (the share: its mean).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import polars as pl

from immsim.analysis.sweep import SweepSpec
from immsim.analysis.tasks import Task, draw_seeds, execute
from immsim.analysis.uncertainty import Dist
from immsim.errors import InputError
from immsim.outcomes import HEADLINES, OUTCOMES
from immsim.progress import Progress
from immsim.scenario import Scenario


@dataclass(frozen=True)
class ParameterIndices:
    """SALib's indices of one parameter for one outcome, by index name (``mu_star``,
    ``mu_star_conf``, ``sigma`` for Morris; ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` for Sobol):
    the names differ by method, so they are kept as SALib names them."""

    parameter: str
    values: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {"parameter": self.parameter, **self.values}


@dataclass(frozen=True)
class Influence:
    """What drives one outcome: each parameter's indices, most influential first, and a sentence
    saying so. An outcome that did not vary across the samples has no indices."""

    indices: tuple[ParameterIndices, ...] = ()
    summary: str | None = None

    @property
    def constant(self) -> bool:
        return not self.indices

    @property
    def ranking(self) -> list[str]:
        return [i.parameter for i in self.indices]

    def as_dict(self) -> dict[str, Any]:
        if self.constant:
            return {"constant": True, "ranking": []}
        return {
            "indices": [i.as_dict() for i in self.indices],
            "ranking": self.ranking,
            "summary": self.summary,
        }


@dataclass(frozen=True)
class SensitivityReport:
    """The answer of :func:`sensitivity`: which parameters drive each headline outcome."""

    method: Literal["morris", "sobol"]
    runs: int
    parameters: list[str]
    outputs: dict[str, Influence]

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "runs": self.runs,
            "parameters": self.parameters,
            "outputs": {metric: info.as_dict() for metric, info in self.outputs.items()},
        }


def problem(dists: dict[str, Dist]) -> dict[str, Any]:
    if not dists:
        raise InputError("no uncertainties to analyse", key="uncertainties")
    names = sorted(dists)
    bounds = [list(dists[k].bounds()) for k in names]
    for name, (lo, hi) in zip(names, bounds, strict=True):
        if not lo < hi:
            raise InputError("needs a range (low < high)", key=f"uncertainties.{name}")
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def outcomes(rows: list[dict[str, Any]]) -> dict[str, float]:
    frame = pl.DataFrame(rows)
    out = {}
    for metric in HEADLINES:
        values = frame.filter(pl.col("metric") == metric)["value"]
        # over the horizon: flows add up, levels and shares are averaged
        reduce = values.sum() if OUTCOMES[metric].is_flow else values.mean()
        out[metric] = float(reduce)  # type: ignore[arg-type]
    return out


def sensitivity(
    spec: SweepSpec,
    scenario: Scenario,
    dists: dict[str, Dist],
    method: Literal["morris", "sobol"] = "morris",
    n: int = 10,
    workers: int = 1,
    ray: str | None = None,
    progress: Progress | None = None,
) -> SensitivityReport:
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    prob = problem(dists)
    if method == "morris":
        samples = morris_sample.sample(prob, n, num_levels=4, seed=spec.seed)
    else:
        samples = sobol_sample.sample(prob, n, calc_second_order=False, seed=spec.seed)
    (seed,) = draw_seeds(spec.seed, 1)  # common random numbers: one model seed for every sample
    fixed = {k: Dist(dist="fixed", value=0.0, apply=dists[k].apply) for k in prob["names"]}
    tasks = [
        Task(
            id=str(i),
            scenario=scenario,
            seed=seed,
            values=dict(zip(prob["names"], map(float, row), strict=True)),
            dists=fixed,
            labels={"sample": i},
        )
        for i, row in enumerate(samples)
    ]
    results = execute(tasks, workers, ray, progress)
    y = {m: np.array([outcomes(r)[m] for r in results]) for m in HEADLINES}
    outputs: dict[str, Influence] = {}
    for metric, values in y.items():
        if np.allclose(values, values[0]):
            outputs[metric] = Influence()
            continue
        rows, score = indices(prob, samples, values, method, spec.seed)
        outputs[metric] = Influence(tuple(rows), plain_words(metric, rows, score))
    return SensitivityReport(method, len(tasks), prob["names"], outputs)


def indices(
    prob: dict[str, Any], samples: Any, values: Any, method: str, seed: int
) -> tuple[list[ParameterIndices], str]:
    """SALib indices with 95% confidence intervals, most influential first."""
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    if method == "morris":
        res = morris_analyze.analyze(prob, samples, values, conf_level=0.95, seed=seed)
        names: tuple[str, ...] = ("mu_star", "mu_star_conf", "sigma")
        score = "mu_star"
    else:
        res = sobol_analyze.analyze(prob, values, calc_second_order=False, seed=seed)
        names = ("S1", "S1_conf", "ST", "ST_conf")
        score = "ST"
    rows = [
        ParameterIndices(parameter, {n: float(res[n][i]) for n in names})
        for i, parameter in enumerate(prob["names"])
    ]
    rows.sort(key=lambda r: -r.values[score])
    return rows, score


def plain_words(metric: str, rows: list[ParameterIndices], score: str) -> str:
    total = sum(max(r.values[score], 0.0) for r in rows) or 1.0
    top = rows[0]
    share = max(top.values[score], 0.0) / total
    text = f"{metric}: driven most by {top.parameter} ({share:.0%} of the total {score})"
    if len(rows) > 1:
        second = rows[1]
        text += f", then {second.parameter} ({max(second.values[score], 0.0) / total:.0%})"
    return text + "."
