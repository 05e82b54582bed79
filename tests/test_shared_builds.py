"""The session's shared population builds (``tests/builds.py``) are safe to share: a run leaves
what it is given as a fresh build would give it, and a build is reused only for trees that
answer what it read the same way."""

from __future__ import annotations

from collections.abc import Callable

import builds
import polars as pl

from immsim.engine.prepared import Prepared
from immsim.engine.run import population_seed, run
from immsim.parameters.reform import Override, Reform
from immsim.population.build import Population, build_population, fresh_population, share_builds
from immsim.scenario import Scenario, load_embedded_scenario

# a 2011 start builds in about 3 s (the 2026 population takes some 20 s); two years of weeks
SCENARIO = load_embedded_scenario("docket-review-2011").model_copy(update={"horizon_years": 2})


def _reform(key: str, value: float) -> Reform:
    """``key`` set to ``value`` at each of its baseline dates."""
    dates = [v.start for v in SCENARIO.parameters().leaf(key).values]
    override = Override.model_validate({"values": dict.fromkeys(dates, value)})
    return Reform(name=f"set-{key}", overrides={key: override})


def _with(reform: Reform) -> Scenario:
    return SCENARIO.model_copy(update={"reform": reform})


def _same_population(a: Population, b: Population) -> None:
    assert a.strata.equals(b.strata)
    assert (a.reference_date, a.origin, a.seed) == (b.reference_date, b.origin, b.seed)
    assert a.parameters == b.parameters
    assert [t.as_dict() for t in a.targets] == [t.as_dict() for t in b.targets]


def test_runs_on_a_shared_build_match_a_run_on_a_fresh_one(
    shared_prepare: Callable[[Scenario], Prepared],
) -> None:
    shared = shared_prepare(SCENARIO)
    assert shared is builds.prepared(SCENARIO)  # the fixture is the module's cache
    first = run(SCENARIO, population=shared)
    second = run(SCENARIO, population=shared)
    fresh = run(SCENARIO)  # builds its own population
    for table in ("weekly", "breakdown"):
        frames: list[pl.DataFrame] = [getattr(r, table) for r in (first, second, fresh)]
        assert frames[0].height > 0
        assert frames[0].equals(frames[1]), f"a run changed the shared build's {table}"
        assert frames[0].equals(frames[2]), f"the shared build's {table} differs from a fresh one"
    assert first.digest() == fresh.digest()
    assert first.manifest["population"] == fresh.manifest["population"]


def test_a_reform_of_a_stage_shares_the_build_under_its_own_name() -> None:
    # the arrest rate for new charges is a stage's leaf: the build never reads it
    reformed = _with(_reform("flows.criminality.arrest_rate", 0.0))
    base = builds.prepared(SCENARIO).population
    built = builds.COUNTS["built"]
    shared = builds.prepared(reformed).population
    assert builds.COUNTS["built"] == built  # no new build
    assert shared.strata is base.strata
    seed = population_seed(reformed.seed)
    _same_population(shared, fresh_population(reformed.parameters(), reformed.start, seed))
    assert shared.origin != base.origin  # the reform's name is in it


def test_a_reform_of_a_margin_gets_its_own_build() -> None:
    reformed = _with(_reform("population.composition.criminal_history.felony", 400_000.0))
    base = builds.prepared(SCENARIO).population
    built = builds.COUNTS["built"]
    own = builds.prepared(reformed).population
    assert builds.COUNTS["built"] == built + 1
    assert not own.strata.equals(base.strata)
    assert own.parameters["population.composition.criminal_history.felony"] == 400_000.0


def test_builds_inside_the_package_shared_through_its_hook_are_fresh_ones() -> None:
    # what the fixture shared_builds sets: the CLI, the analyses and the web app build with
    # build_population, which hands the request to builds.national
    tree, seed = SCENARIO.parameters(), population_seed(SCENARIO.seed)
    before = share_builds(builds.national)
    try:
        first = build_population(tree, SCENARIO.start, seed=seed)
        again = build_population(tree, SCENARIO.start, seed=seed)
        shared = run(SCENARIO)  # builds its population with build_population
    finally:
        assert share_builds(before) is builds.national
    assert again.strata is first.strata  # served from the session's builds, not built again
    fresh = fresh_population(tree, SCENARIO.start, seed)
    assert fresh.strata is not first.strata
    _same_population(first, fresh)
    assert shared.digest() == run(SCENARIO, population=fresh).digest()
    # with no builder set again, a build is a new one
    assert build_population(tree, SCENARIO.start, seed=seed).strata is not first.strata
