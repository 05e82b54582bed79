"""Global sensitivity analysis with SALib: which uncertain parameters drive each outcome.

The spec is a sweep spec whose ``uncertainties`` give the ranges (their bounds); ``levers`` are
not used. Morris elementary effects screen many parameters cheaply; Sobol indices split the
variance. Each outcome is the run's total over its horizon (the share: its mean).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import polars as pl

from immsim.analysis.sweep import SweepSpec
from immsim.analysis.tasks import HEADLINES, Task, draw_seeds, execute
from immsim.analysis.uncertainty import Dist
from immsim.errors import InputError
from immsim.progress import Progress
from immsim.scenario import Scenario


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
        reduce = (
            values.mean()
            if metric in ("detained", "convicted_share", "court_pending")
            else values.sum()
        )
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
) -> dict[str, Any]:
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
    report: dict[str, Any] = {
        "method": method,
        "runs": len(tasks),
        "parameters": prob["names"],
        "outputs": {},
    }
    for metric, values in y.items():
        if np.allclose(values, values[0]):
            report["outputs"][metric] = {"constant": True, "ranking": []}
            continue
        rows, score = indices(prob, samples, values, method, spec.seed)
        report["outputs"][metric] = {
            "indices": rows,
            "ranking": [r["parameter"] for r in rows],
            "summary": plain_words(metric, rows, score),
        }
    return report


def indices(
    prob: dict[str, Any], samples: Any, values: Any, method: str, seed: int
) -> tuple[list[dict[str, Any]], str]:
    """SALib indices with 95% confidence intervals, most influential first."""
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    if method == "morris":
        res = morris_analyze.analyze(prob, samples, values, conf_level=0.95, seed=seed)
        rows = [
            {
                "parameter": name,
                "mu_star": float(res["mu_star"][i]),
                "mu_star_conf": float(res["mu_star_conf"][i]),
                "sigma": float(res["sigma"][i]),
            }
            for i, name in enumerate(prob["names"])
        ]
        rows.sort(key=lambda r: -r["mu_star"])
        return rows, "mu_star"
    res = sobol_analyze.analyze(prob, values, calc_second_order=False, seed=seed)
    rows = [
        {
            "parameter": name,
            "S1": float(res["S1"][i]),
            "S1_conf": float(res["S1_conf"][i]),
            "ST": float(res["ST"][i]),
            "ST_conf": float(res["ST_conf"][i]),
        }
        for i, name in enumerate(prob["names"])
    ]
    rows.sort(key=lambda r: -r["ST"])
    return rows, "ST"


def plain_words(metric: str, rows: list[dict[str, Any]], score: str) -> str:
    total = sum(max(r[score], 0.0) for r in rows) or 1.0
    top = rows[0]
    share = max(top[score], 0.0) / total
    text = f"{metric}: driven most by {top['parameter']} ({share:.0%} of the total {score})"
    if len(rows) > 1:
        second = rows[1]
        text += f", then {second['parameter']} ({max(second[score], 0.0) / total:.0%})"
    return text + "."
