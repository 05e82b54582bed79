"""Run a scenario: build (or load) the population, step the pipeline weekly, gather results."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from immsim import __version__
from immsim.dates import fiscal_year
from immsim.engine.pipeline import (
    BREAKDOWN_STAGES,
    CAPACITY_COLUMNS,
    COST_COLUMNS,
    FLOW_COLUMNS,
    STOCK_COLUMNS,
    Pipeline,
    WeekRecord,
)
from immsim.engine.prepared import Prepared
from immsim.engine.results import Results
from immsim.errors import LookupOutOfRangeError
from immsim.parameters.loader import ParameterTree
from immsim.population.build import Population, build_population
from immsim.population.strata_io import load_population
from immsim.progress import Progress
from immsim.regimes.catalog import load_regime
from immsim.regimes.catalog import regime_at as historical_regime
from immsim.regimes.model import Regime
from immsim.scenario import HISTORICAL, Scenario
from immsim.validation import check_seed


def population_seed(seed: int) -> int:
    """The seed a run of ``seed`` builds its population with: the first of the two streams
    spawned from it (the second drives the weeks), so a population and the run's draws never
    share random numbers."""
    return int(np.random.SeedSequence(seed).spawn(2)[0].generate_state(1)[0])


def seeded_population(scenario: Scenario, tree: ParameterTree) -> Population:
    """The population :func:`run` builds for ``scenario`` at the scenario's own seed: what any
    path that runs the scenario (draws, the capacity search) must start from, so that it and
    ``immsim run`` of the same scenario and seed start from the same people."""
    return scenario_population(scenario, tree, population_seed(scenario.seed))


def scenario_population(scenario: Scenario, tree: ParameterTree, seed: int) -> Population:
    if scenario.population == "national":
        return build_population(tree, scenario.start, seed=seed)
    path = Path(scenario.population)
    if not path.is_absolute() and scenario.source and Path(scenario.source).is_file():
        path = Path(scenario.source).parent / path
    return load_population(path, scenario.start)


def run(
    scenario: Scenario,
    *,
    seed: int | None = None,
    progress: Progress | None = None,
    population: Population | Prepared | None = None,
) -> Results:
    """Run ``scenario`` week by week; the same scenario and seed give identical results.

    ``population`` (by default built from the scenario) may be given already prepared
    (:func:`prepare`), which saves its preparation in runs that share it."""
    started = time.perf_counter()
    seed = check_seed(scenario.seed if seed is None else seed)
    tree = scenario.parameters()
    regime = None if scenario.regime == HISTORICAL else load_regime(scenario.regime)
    streams = np.random.SeedSequence(seed).spawn(2)
    coverage = float(tree.get("population.arrival_coverage", scenario.start))
    if isinstance(population, Prepared) and population.serves(
        None, scenario.end, coverage, scenario.areas
    ):
        prepared = population
    else:
        pop = population.population if isinstance(population, Prepared) else population
        if pop is None:
            pop = scenario_population(scenario, tree, population_seed(seed))
        prepared = Prepared(pop, scenario.end, coverage, scenario.areas)
    pop = prepared.population
    weeks = (scenario.end - scenario.start).days // 7
    pipeline = scenario_pipeline(
        scenario, prepared, np.random.default_rng(streams[1]), tree, regime
    )
    initial = pipeline.state.total()
    records: list[WeekRecord] = []
    for week in range(weeks):
        records.append(pipeline.step(week))
        if progress is not None:
            progress(week + 1, weeks)
    weekly = _weekly_table(records)
    breakdown = _breakdown_table(records)
    manifest = _manifest(scenario, seed, tree, regime, pop, initial, records)
    manifest["wall_seconds"] = round(time.perf_counter() - started, 3)
    return Results(weekly=weekly, breakdown=breakdown, manifest=manifest)


def scenario_pipeline(
    scenario: Scenario,
    prepared: Prepared,
    rng: np.random.Generator,
    tree: ParameterTree | None = None,
    regime: Regime | None = None,
) -> Pipeline:
    """The pipeline :func:`run` steps for ``scenario`` over ``prepared``: the scenario's regime
    throughout, or the shipped regime in force each week for ``historical``; its tree's values on
    each day. For anything that steps a scenario's weeks itself (a test of one plan, the week's
    profile) so that it steps what a run would. ``tree`` and ``regime``, when the caller has them
    already, save loading them again."""
    tree = scenario.parameters() if tree is None else tree
    if scenario.regime == HISTORICAL:
        regime_at = historical_regime
    else:
        fixed = load_regime(scenario.regime) if regime is None else regime

        def regime_at(day: dt.date) -> Regime:
            return fixed

    return Pipeline(
        prepared,
        regime_at=regime_at,
        params_at=tree.snapshot,
        start=scenario.start,
        rng=rng,
        span_at=tree.span,
    )


def prepare(scenario: Scenario, population: Population | None = None) -> Prepared:
    """``population`` (by default the scenario's own, built with its seed as :func:`run` builds
    it) prepared for runs of ``scenario`` and of others with the same end and arrival coverage:
    the draws of a Monte Carlo pass one to every run."""
    tree = scenario.parameters()
    if population is None:
        population = seeded_population(scenario, tree)
    coverage = float(tree.get("population.arrival_coverage", scenario.start))
    return Prepared(population, scenario.end, coverage, scenario.areas)


def _weekly_table(records: list[WeekRecord]) -> pl.DataFrame:
    columns: dict[str, list[Any]] = {
        "week": [r.week for r in records],
        "date": [r.date for r in records],
        "fiscal_year": [fiscal_year(r.date) for r in records],
    }
    for name in records[0].values:
        columns[name] = [float(r.values[name]) for r in records]
    columns["binding"] = [r.binding for r in records]
    return pl.DataFrame(columns)


def _breakdown_table(records: list[WeekRecord]) -> pl.DataFrame:
    """Every week's nonzero (stage, attribute, level) counts, as one long table."""
    labels: list[tuple[str, str]] = []
    offsets: dict[int, int] = {}  # one label list per (regime, year), shared by its weeks
    weeks, years, stage_rows, label_rows, persons = [], [], [], [], []
    for record in records:
        columns = record.breakdown.columns
        if id(columns) not in offsets:
            offsets[id(columns)] = len(labels)
            labels += columns
        sums = record.breakdown.sums
        stage, cell = np.nonzero(sums > 0)
        weeks.append(np.full(stage.size, record.week, dtype=np.int64))
        years.append(np.full(stage.size, fiscal_year(record.date), dtype=np.int64))
        stage_rows.append(stage)
        label_rows.append(cell + offsets[id(columns)])
        persons.append(np.rint(sums[stage, cell]).astype(np.int64))
    if not labels:
        labels = [("", "")]
    attribute = np.array([a for a, _ in labels], dtype=object)
    level = np.array([lvl for _, lvl in labels], dtype=object)
    label_index = np.concatenate(label_rows) if label_rows else np.zeros(0, dtype=np.int64)
    stage_index = np.concatenate(stage_rows) if stage_rows else np.zeros(0, dtype=np.int64)
    return pl.DataFrame(
        {
            "week": np.concatenate(weeks) if weeks else np.zeros(0, dtype=np.int64),
            "fiscal_year": np.concatenate(years) if years else np.zeros(0, dtype=np.int64),
            "stage": np.array(BREAKDOWN_STAGES, dtype=object)[stage_index].tolist(),
            "attribute": attribute[label_index].tolist(),
            "level": level[label_index].tolist(),
            "persons": np.concatenate(persons) if persons else np.zeros(0, dtype=np.int64),
        },
        schema={
            "week": pl.Int64,
            "fiscal_year": pl.Int64,
            "stage": pl.String,
            "attribute": pl.String,
            "level": pl.String,
            "persons": pl.Int64,
        },
    )


def _parameters_used(tree: ParameterTree, start: dt.date, end: dt.date) -> dict[str, Any]:
    used: dict[str, Any] = {}
    for leaf in tree.leaves():
        entries = [v for v in leaf.values if v.start < end]
        in_force = [v for v in entries if v.start > start]
        try:
            first = leaf.entry(start)
            in_force.insert(0, first)
        except LookupOutOfRangeError:  # a series that starts after the run starts
            pass
        used[leaf.key] = {
            "unit": leaf.unit,
            "values": [
                {
                    "from": v.start.isoformat(),
                    "value": v.value,
                    "estimated": v.estimated,
                    "origin": v.origin,
                    "source": (v.references[0].title if v.references else v.method),
                }
                for v in in_force
            ],
        }
    return used


def _manifest(
    scenario: Scenario,
    seed: int,
    tree: ParameterTree,
    regime: Regime | None,
    pop: Population,
    initial: int,
    records: list[WeekRecord],
) -> dict[str, Any]:
    inputs = {
        "scenario": scenario.summary(),
        "seed": seed,
        "tree": tree.fingerprint(),
        "code_version": __version__,
    }
    run_id = hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str).encode()).hexdigest()
    return {
        "run_id": f"{scenario.name}-{seed}-{run_id[:10]}",
        **inputs,
        "regime": (
            {"name": regime.name, "title": regime.title}
            if regime is not None
            else {"name": HISTORICAL, "title": "the shipped regime in force each week"}
        ),
        "start": scenario.start.isoformat(),
        "end": scenario.end.isoformat(),
        "weeks": len(records),
        "population": {
            "origin": pop.origin,
            "reference_date": pop.reference_date.isoformat(),
            "people": pop.total,
            "in_pipeline_at_start": initial,
        },
        "columns": {
            "flows": list(FLOW_COLUMNS),
            "stocks": list(STOCK_COLUMNS),
            "costs": list(COST_COLUMNS),
            "capacities": list(CAPACITY_COLUMNS),
        },
        "parameters": _parameters_used(tree, scenario.start, scenario.end),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
