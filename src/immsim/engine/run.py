"""Run a scenario: build (or load) the population, step the pipeline weekly, gather results."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from operator import itemgetter
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
    """One row a week: its number, date and fiscal year, every value (as float64) and the
    binding capacity.

    The values are read a record at a time in the first record's order (``itemgetter`` of the
    names) into one float64 matrix, whose columns make the table's, not a list of Python floats
    built name by name across the records (a lookup and a ``float`` each): the same numbers
    (NumPy's float64 of an int or a float is Python's ``float`` of it). The records of a
    ten-year default run by area, least thread time of 9: 4.6-6.3 -> 2.3-3.0 ms (2026-12-05,
    branch ``spdI``; the same table, ``DataFrame.equals`` and its digest)."""
    names = list(records[0].values)
    read = itemgetter(*names)
    values = np.array([read(r.values) for r in records], dtype=np.float64)
    columns: dict[str, Any] = {
        "week": [r.week for r in records],
        "date": [r.date for r in records],
        "fiscal_year": [fiscal_year(r.date) for r in records],
    }
    for j, name in enumerate(names):
        columns[name] = values[:, j]
    columns["binding"] = [r.binding for r in records]
    return pl.DataFrame(columns)


def _breakdown_table(records: list[WeekRecord]) -> pl.DataFrame:
    """Every week's nonzero (stage, attribute, level) counts, as one long table.

    The weeks of a plan in force (consecutive records sharing its list of columns) are stacked
    and searched for counts together, not a week at a time: a week's rows come out in the same
    order (week, then stage, then column: NumPy's ``nonzero`` walks the stack in that order),
    with the same counts. The labels are taken by index from Polars series of the stage,
    attribute and level names, not from NumPy arrays of Python strings turned into lists: the
    same strings. Both were most of the table's time: the records of a ten-year default run
    by area (202,338 rows), least thread time of 7, 33-35 -> 15-16 ms; nationally 12 -> 5 ms
    (2026-12-05, branch ``spdI``; the same table, ``DataFrame.equals`` and its digest)."""
    labels: list[tuple[str, str]] = []
    offsets: dict[int, int] = {}  # one label list per (regime, year), shared by its weeks
    weeks, years, stage_rows, label_rows, persons = [], [], [], [], []
    start = 0
    while start < len(records):
        columns = records[start].breakdown.columns
        end = start + 1
        while end < len(records) and records[end].breakdown.columns is columns:
            end += 1
        if id(columns) not in offsets:
            offsets[id(columns)] = len(labels)
            labels += columns
        block = records[start:end]
        sums = np.stack([r.breakdown.sums for r in block])
        week, stage, cell = np.nonzero(sums > 0)
        weeks.append(np.array([r.week for r in block], dtype=np.int64)[week])
        years.append(np.array([fiscal_year(r.date) for r in block], dtype=np.int64)[week])
        stage_rows.append(stage)
        label_rows.append(cell + offsets[id(columns)])
        persons.append(np.rint(sums[week, stage, cell]).astype(np.int64))
        start = end
    if not labels:
        labels = [("", "")]
    label_index = np.concatenate(label_rows) if label_rows else np.zeros(0, dtype=np.int64)
    stage_index = np.concatenate(stage_rows) if stage_rows else np.zeros(0, dtype=np.int64)
    return pl.DataFrame(
        {
            "week": np.concatenate(weeks) if weeks else np.zeros(0, dtype=np.int64),
            "fiscal_year": np.concatenate(years) if years else np.zeros(0, dtype=np.int64),
            "stage": pl.Series(BREAKDOWN_STAGES, dtype=pl.String).gather(stage_index),
            "attribute": pl.Series([a for a, _ in labels], dtype=pl.String).gather(label_index),
            "level": pl.Series([lvl for _, lvl in labels], dtype=pl.String).gather(label_index),
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
