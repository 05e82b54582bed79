"""Loading the compiled engine before a run, so that a run's progress does not stall in its
first week (on a machine's first run numba compiles it, some 40 s; it is cached on disk after)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from immsim.engine.groups import AREA, BOOLEAN, CATEGORICAL, LEVELS
from immsim.population.build import Population
from immsim.regimes.model import Regime

ParamsAt = Callable[[dt.date], dict[str, Any]]


def few_people(day: dt.date, areas: tuple[str, ...] = ("sea", "los")) -> Population:
    """A population of a few thousand people in a stratum per area (at least two), for
    exercising the engine's code (its loops' types, the parameters it reads) without the cost
    of building a nation's."""
    n = max(2, len(areas))
    strata = pl.DataFrame(
        {
            AREA: [areas[i % len(areas)] for i in range(n)],
            **{name: [LEVELS[name][0]] * n for name in CATEGORICAL},
            **{name: [i % 2 == 1 for i in range(n)] for name in BOOLEAN},
            "entry_year": [day.year - 3 if i % 2 == 0 else day.year - 1 for i in range(n)],
            "count": [1000] * n,
        }
    )
    return Population(strata=strata, reference_date=day, origin="few people (warm-up)")


def one_week(
    regime: Regime, day: dt.date, params_at: ParamsAt | None = None, areas: bool = False
) -> None:
    """A week of the shipped baseline (or ``params_at``) and ``regime`` from ``day`` on
    :func:`few_people` (by area if ``areas``, a stratum in each of the tree's areas)."""
    from immsim.engine.pipeline import Pipeline
    from immsim.engine.prepared import Prepared
    from immsim.parameters import load_baseline
    from immsim.population.targets import aor_levels

    tree = load_baseline()
    people = few_people(day, aor_levels(tree)) if areas else few_people(day)
    prepared = Prepared(people, day + dt.timedelta(days=800), 1.0, areas)
    snapshot = tree.snapshot if params_at is None else params_at
    rng = np.random.default_rng(0)
    Pipeline(prepared, lambda _: regime, snapshot, day, rng, tree.span).step(0)


def warm_up() -> None:
    """Compile (or load) every loop a run calls, with the argument types a run gives them, by
    running a week of the default scenario's regime on :func:`few_people`: the plan comes from
    the same builders as a real run's, so its types are a real run's."""
    from immsim.regimes.catalog import load_regime
    from immsim.scenario import load_embedded_scenario

    scenario = load_embedded_scenario()
    one_week(load_regime(scenario.regime), scenario.start)
    one_week(load_regime(scenario.regime), scenario.start, areas=True)  # its own loops' types


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
