"""One seed, one population: ``immsim run``, a draw of an analysis, the capacity search (its
function and its command) and the web app build a scenario's population with the seed
``population_seed`` derives from the scenario's, so a user who compares their outputs compares
runs on the same people (and the session's build cache serves all of them at once).

The runs are cut short where they can be: what is tested is the population each path hands to
the engine, compared with the one ``prepare`` (what ``run`` builds) gives, strata and all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import builds
import pytest

from immsim.cli import main
from immsim.engine.prepared import Prepared
from immsim.engine.run import population_seed
from immsim.population.build import Population, fresh_population
from immsim.scenario import Scenario, load_embedded_scenario

pytestmark = pytest.mark.usefixtures("shared_builds")

# a 2011 start builds in about 3 s (the 2026 population takes some 20 s); one year of weeks
SCENARIO = load_embedded_scenario("docket-review-2011").model_copy(update={"horizon_years": 1})


class _Stop(Exception):
    """Raised by a stand-in for the engine once it has been handed its population."""


def _digest(population: Population) -> tuple[Any, ...]:
    """What identifies a build: its seed, its date, its size and a hash of every stratum."""
    rows = population.strata.hash_rows(seed=0, seed_1=1, seed_2=2, seed_3=3)
    return (population.seed, population.reference_date, population.total, tuple(rows.to_list()))


def _of_run(scenario: Scenario) -> tuple[Any, ...]:
    """The digest of the population ``immsim run`` builds for ``scenario`` (``prepare``)."""
    return _digest(builds.prepared(scenario).population)


def _handed(found: Any) -> Population:
    """The population of what a path handed to ``run`` (a Population or a Prepared one)."""
    return found.population if isinstance(found, Prepared) else found


@pytest.fixture
def stop_runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """``run`` as the capacity search calls it, replaced by a stand-in that records the
    population it is handed and stops the search."""
    import immsim.analysis.capacity as capacity

    handed: list[Any] = []

    def stand_in(scenario: Scenario, **kwargs: Any) -> Any:
        handed.append(kwargs.get("population"))
        raise _Stop

    monkeypatch.setattr(capacity, "run", stand_in)
    yield handed


def test_the_scenario_seed_itself_builds_another_population() -> None:
    # what the analyses, the capacity search and the web app built with before: had they kept
    # it, the comparisons below would fail
    raw = builds.national(SCENARIO.parameters(), SCENARIO.start, SCENARIO.seed)
    assert population_seed(SCENARIO.seed) != SCENARIO.seed
    assert _digest(raw) != _of_run(SCENARIO)
    assert raw.total == builds.prepared(SCENARIO).population.total  # the same margins


def test_a_draw_of_an_analysis_runs_on_the_population_of_immsim_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import immsim.engine.run as engine_run
    from immsim.analysis import tasks as task_module
    from immsim.analysis.montecarlo import draw_tasks

    handed: list[Any] = []

    def stand_in(scenario: Scenario, **kwargs: Any) -> Any:
        handed.append(kwargs["population"])
        raise _Stop

    monkeypatch.setattr(engine_run, "run", stand_in)  # run_task imports it when it runs
    task_module._POPULATIONS.clear()
    (task,) = draw_tasks(SCENARIO, 1, SCENARIO.seed)
    with pytest.raises(_Stop):
        task_module.run_task(task)
    task_module._POPULATIONS.clear()
    assert _digest(_handed(handed[0])) == _of_run(SCENARIO)


def test_the_capacity_search_runs_on_the_population_of_immsim_run(stop_runs: list[Any]) -> None:
    from immsim.analysis.capacity import required_capacity

    with pytest.raises(_Stop):
        required_capacity(SCENARIO, 500_000.0, max_runs=1)
    (handed,) = stop_runs
    assert _digest(_handed(handed)) == _of_run(SCENARIO)


def test_the_capacity_command_runs_on_the_population_of_immsim_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import immsim.analysis.capacity as capacity

    handed: list[Any] = []

    def stand_in(scenario: Scenario, goal: float, **kwargs: Any) -> Any:
        handed.append(kwargs["population"])
        raise _Stop

    monkeypatch.setattr(capacity, "required_capacity", stand_in)
    assert main(["capacity", "docket-review-2011", "--years", "1", "--json"]) != 0
    capsys.readouterr()
    (population,) = handed
    assert _digest(population) == _of_run(SCENARIO)


def test_draws_of_immsim_run_with_a_seed_build_as_immsim_run_with_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    import immsim.analysis.montecarlo as montecarlo

    asked: list[Scenario] = []

    def stand_in(scenario: Scenario, draws: int, seed: int, *args: Any, **kwargs: Any) -> Any:
        asked.append(scenario)
        raise _Stop

    monkeypatch.setattr(montecarlo, "run_draws", stand_in)
    out = tmp_path / "draws"
    assert main(["run", "docket-review-2011", "--draws", "2", "--seed", "9", "--out", str(out)])
    capsys.readouterr()
    (scenario,) = asked
    # the draws' population is built from the scenario's seed (the test of a draw above):
    # with --seed it is the seed given, as `immsim run --seed 9` builds with
    assert scenario.seed == 9


def test_the_web_app_runs_on_the_population_of_immsim_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from immsim.presentation import levers, server

    start = dt.date(2011, 10, 1)  # the web app's own start builds in some 20 s: an earlier one
    monkeypatch.setattr(levers, "START", start)
    monkeypatch.setattr(server, "START", start)
    server._population.cache_clear()
    try:
        scenario = server._scenario(levers.Levers(seed=7))
        assert (scenario.start, scenario.seed) == (start, 7)
        assert _digest(server._population(7)) == _of_run(scenario)
        fresh = fresh_population(scenario.parameters(), start, population_seed(7))
        assert _digest(fresh) == _of_run(scenario)  # not an artefact of the session's cache
    finally:
        server._population.cache_clear()
