"""Required capacity: the smallest officers, beds, judges and flight seats that meet a removal
goal, found by relieving whichever capacity binds, then trimming each back while the goal holds.

The answer is a set of capacities, which one binds at the end, and what a year costs — set
beside the published estimates (the ``model_*`` rows of published_figures.csv) so the
differences can be explained, not just shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from immsim.analysis.uncertainty import Dist, draw_reform
from immsim.engine.pipeline import WEEKS_PER_YEAR
from immsim.engine.results import Results
from immsim.engine.run import run
from immsim.errors import InputError
from immsim.population.build import Population, build_population
from immsim.scenario import Scenario

LEVERS = {
    "officers": ("enforcement.ero_deportation_officers", "officers"),
    "beds": ("detention.funded_beds", "beds"),
    "judges": ("courts.immigration_judges", "judges"),
    "seats": ("removal.logistics.air_seats_per_year", "seats"),
}
"""Capacities money can buy, and the binding flag each answers to."""

STEP_MIN, STEP_MAX = 1.25, 4.0
"""Search settings, not model quantities: each relief multiplies the binding capacity by the
goal's shortfall ratio, kept within these bounds."""
TRIMS = (0.7, 0.85)
"""Search settings: the cuts tried on each capacity once the goal is met."""


@dataclass
class Trial:
    levels: dict[str, float]
    removals: float
    binding: dict[str, float]
    cost: float
    costs: dict[str, float]
    used: dict[str, float]
    volumes: dict[str, float]


def _measure(
    results: Results, levels: dict[str, float]
) -> tuple[float, dict[str, float], float, dict[str, float], dict[str, float], dict[str, float]]:
    weekly = results.weekly
    last = weekly.filter(pl.col("fiscal_year") == weekly["fiscal_year"].max())
    if last.height < weekly.height and last.height < 52:  # a partial last year
        last = weekly.tail(52)
    scale = WEEKS_PER_YEAR / last.height

    def total(column: str) -> float:
        return float(last[column].sum()) * scale

    removals = total("removals")

    def mean(column: str) -> float:
        return float(last.select(pl.col(column).mean()).item())

    binding = {name: mean(f"binding_{flag}") for name, (_, flag) in LEVERS.items()}
    binding["travel_documents"] = mean("binding_travel_documents")
    costs = {c: total(c) for c in ("cost_arrest", "cost_detention", "cost_court", "cost_removal")}
    # what the run actually used of each capacity, at its busiest week
    officer_use = (last["officer_hours_used"] / last["officer_hours"]).max()
    judge_use = (last["judge_hours_used"] / last["judge_hours"]).max()
    border_seats = (levels["seats"] / WEEKS_PER_YEAR) - last["air_seats"]
    used = {
        "officers": levels["officers"] * float(officer_use),  # type: ignore[arg-type]
        "beds": float(last["detained"].max()),  # type: ignore[arg-type]
        "judges": levels["judges"] * float(judge_use),  # type: ignore[arg-type]
        "seats": float((last["air_seats_used"] + border_seats).max()) * WEEKS_PER_YEAR,  # type: ignore[arg-type]
    }
    # yearly volumes the published estimates can be restated against
    volumes = {
        "arrests": total("arrests"),
        "removals_interior": total("removals_interior"),
        "removals_air": total("removals_air"),
        "removals_land": total("removals_land"),
        "removals_border": total("removals_border"),
        "completions": total("completions_detained") + total("completions_released"),
        "officer_hours": total("officer_hours"),
        "officer_hours_used": total("officer_hours_used"),
        # removals ordered without a judge: reinstated, expedited, administrative, and border
        "removals_summary": total("reinstatements")
        + total("expedited_removals")
        + total("administrative_orders")
        + total("removals_border"),
        "detained_average": mean("detained"),
    }
    return removals, binding, sum(costs.values()), costs, used, volumes


def required_capacity(
    scenario: Scenario,
    goal: float,
    max_runs: int = 30,
    progress: Callable[[int, Trial], None] | None = None,
) -> dict[str, Any]:
    if goal <= 0:
        raise InputError("the goal must be a positive number of removals a year", key="--goal")
    tree = scenario.parameters()
    start = scenario.start
    levels = {name: float(tree.get(key, start)) for name, (key, _) in LEVERS.items()}
    population: Population = build_population(tree, start, seed=scenario.seed)
    fixed = {key: Dist(dist="fixed", value=0.0) for key, _ in LEVERS.values()}
    fixed["enforcement.effort.removal_goal"] = Dist(dist="fixed", value=0.0)
    trials: list[Trial] = []

    def attempt(current: dict[str, float]) -> Trial:
        values = {LEVERS[n][0]: v for n, v in current.items()}
        values["enforcement.effort.removal_goal"] = goal
        reform = draw_reform(tree, fixed, values, scenario.reform, "required-capacity")
        result = run(scenario.model_copy(update={"reform": reform}), population=population)
        removals, binding, cost, costs, used, volumes = _measure(result, current)
        trial = Trial(dict(current), removals, binding, cost, costs, used, volumes)
        trials.append(trial)
        if progress:
            progress(len(trials), trial)
        return trial

    # 1. relieve the binding capacity until the goal is met
    trial = attempt(levels)
    while trial.removals < goal and len(trials) < max_runs:
        bound = {n: trial.binding[n] for n in LEVERS}
        name = max(bound, key=lambda n: bound[n])
        if bound[name] <= 0:
            break  # nothing money buys binds: the population or travel documents limit removals
        factor = float(np.clip(goal / max(trial.removals, 1.0), STEP_MIN, STEP_MAX))
        levels = {**levels, name: levels[name] * factor}
        trial = attempt(levels)
    met = trial.removals >= goal
    best = trial
    # 2. cut each capacity to what the run used at its busiest, if the goal still holds
    if met and len(trials) < max_runs:
        tight = {n: max(1.0, min(best.levels[n], best.used[n])) for n in LEVERS}
        if tight != best.levels:
            candidate = attempt(tight)
            if candidate.removals >= goal:
                best = candidate
    # 3. trim each capacity back while the goal still holds
    if met:
        for name in LEVERS:
            for step in TRIMS:
                if len(trials) >= max_runs:
                    break
                smaller = {**best.levels, name: best.levels[name] * step}
                candidate = attempt(smaller)
                if candidate.removals >= goal:
                    best = candidate
                    break
    final_binding = max(best.binding, key=lambda n: best.binding[n])
    return {
        "goal": goal,
        "met": best.removals >= goal,
        "removals_per_year": best.removals,
        "capacities": {
            name: {
                "key": LEVERS[name][0],
                "start": float(tree.get(LEVERS[name][0], start)),
                "required": v,
            }
            for name, v in best.levels.items()
        },
        "binding": final_binding if best.binding[final_binding] > 0 else "none",
        "binding_share_of_weeks": best.binding,
        "cost_per_year": best.cost,
        "cost_by_component": best.costs,
        "used_at_peak": best.used,
        "volumes": best.volumes,
        "runs": len(trials),
        "trials": [
            {"levels": t.levels, "removals": t.removals, "cost": t.cost, "binding": t.binding}
            for t in trials
        ],
    }
