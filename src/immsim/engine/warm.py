"""Loading the compiled engine before a run, so that a run's progress does not stall in its
first week (on a machine's first run numba compiles it, some 40 s; it is cached on disk after)."""

from __future__ import annotations

import datetime as dt
import sys

import numpy as np
import polars as pl

from immsim.engine.groups import BOOLEAN, CATEGORICAL, LEVELS


def warm_up() -> None:
    """Compile (or load) every loop a run calls, with the argument types a run gives them, by
    running a week of the shipped baseline and regime on a population of a few people: the
    plan comes from the same builders as a real run's, so its types are a real run's."""
    from immsim.engine.pipeline import Pipeline
    from immsim.engine.prepared import Prepared
    from immsim.parameters import load_baseline
    from immsim.population.build import Population
    from immsim.regimes.catalog import load_regime
    from immsim.scenario import load_embedded_scenario

    scenario = load_embedded_scenario()
    tree = load_baseline()
    regime = load_regime(scenario.regime)
    day = scenario.start
    strata = pl.DataFrame(
        {
            **{name: [LEVELS[name][0]] * 2 for name in CATEGORICAL},
            **{name: [False, True] for name in BOOLEAN},
            "entry_year": [day.year - 3, day.year - 1],
            "count": [1000, 1000],
        }
    )
    population = Population(strata=strata, reference_date=day)
    prepared = Prepared(population, day + dt.timedelta(days=800), 1.0)
    pipeline = Pipeline(
        prepared, lambda _: regime, tree.snapshot, day, np.random.default_rng(0), tree.span
    )
    pipeline.step(0)


def kernels() -> list[object]:
    """Every compiled loop of the engine (their ``signatures`` say what is compiled)."""
    from numba.core.registry import CPUDispatcher

    found = {
        id(value): value
        for name, module in sorted(sys.modules.items())
        if name.startswith("immsim.engine")
        for value in vars(module).values()
        if isinstance(value, CPUDispatcher)
    }
    return list(found.values())
