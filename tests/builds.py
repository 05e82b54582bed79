"""National populations built once per test session and shared by the tests that build the same.

Building a national population takes some 10 s, a run on it well under one, and many tests (the
golden scenarios, modules' fixtures) build the same one. A build is a pure function of what it
reads from the parameter tree, the date and the seed, so a build is reused only when all three
agree: the build runs once on a tree that records every question asked of it (each value read,
each key listed or tested, the tree's name), and a later request with the same date and seed
reuses it only if its own tree answers every one of those questions the same way. A reform that
touches nothing the build reads shares the build; one that changes a single margin does not.
The tree's name (which a reform extends) is only written into the population's ``origin``: a
build reused under another name gets its own copy with the name in its origin.

Runs never change what they are given (``Prepared`` makes its arrays read-only;
``test_shared_builds`` checks outputs against a fresh build), so sharing is safe.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from immsim.engine.prepared import Prepared
from immsim.engine.run import population_seed, prepare, scenario_population
from immsim.parameters.loader import ParameterTree
from immsim.population.build import Population, fresh_population
from immsim.scenario import Scenario

Question = tuple[str, tuple[Any, ...]]


def _same(a: Any, b: Any) -> bool:
    """Equal answers; arrays compare element-wise, anything else without equality never matches."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return bool(np.array_equal(a, b))
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


class _Recording:
    """A parameter tree that notes every question asked of it and its answer."""

    def __init__(self, tree: ParameterTree) -> None:
        self._tree = tree
        self.asked: list[tuple[Question, Any]] = []

    def __contains__(self, key: object) -> bool:
        answer = key in self._tree
        self.asked.append((("__contains__", (key,)), answer))
        return answer

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._tree, name)
        if not callable(value):
            self.asked.append(((name, ()), value))
            return value

        def ask(*args: Any, **kwargs: Any) -> Any:
            if kwargs:
                raise TypeError(f"tests/builds.py: keyword arguments to tree.{name} not recorded")
            answer = value(*args)
            self.asked.append(((name, args), answer))
            return answer

        return ask


NAME: Question = ("name", ())


def _answers_alike(tree: ParameterTree, asked: list[tuple[Question, Any]]) -> bool:
    """Whether ``tree`` answers every question of a build as it was answered (but its name)."""
    for (name, args), answer in asked:
        if (name, args) == NAME:
            continue
        try:
            now = (args[0] in tree) if name == "__contains__" else getattr(tree, name)
            if callable(now):
                now = now(*args)
        except Exception:
            return False
        if not _same(now, answer):
            return False
    return True


@dataclass
class _Build:
    asked: list[tuple[Question, Any]]
    population: Population
    named: dict[str, Population] = field(default_factory=dict)

    def under(self, name: str) -> Population:
        """The build as if made from a tree called ``name`` (the name is only in its origin)."""
        if name not in self.named:
            was = dict(self.asked).get(NAME, name)
            origin = self.population.origin.replace(f"({was})", f"({name})")
            self.named[name] = replace(self.population, origin=origin)
        return self.named[name]


_BUILDS: dict[tuple[dt.date, int], list[_Build]] = {}
_PREPARED: dict[tuple[int, dt.date, float, bool], Prepared] = {}
COUNTS = {"built": 0, "reused": 0}
"""How many national builds ran and how many requests reused one (for the tests of this cache)."""


def national(tree: ParameterTree, at: dt.date, seed: int) -> Population:
    """``build_population(tree, at, seed=seed)``, built once per session for what it reads (the
    builder conftest hands every ``build_population`` of the session to: ``share_builds``)."""
    builds = _BUILDS.setdefault((at, seed), [])
    for build in builds:
        if _answers_alike(tree, build.asked):
            COUNTS["reused"] += 1
            return build.under(tree.name)
    recording = _Recording(tree)
    population = fresh_population(recording, at, seed=seed)  # type: ignore[arg-type]
    build = _Build(recording.asked, population)
    builds.append(build)
    COUNTS["built"] += 1
    return build.under(tree.name)


def prepared(scenario: Scenario) -> Prepared:
    """``prepare(scenario)``, sharing the population build (national) and the preparation with
    every other request that reads the same: pass it to ``run(scenario, population=...)``."""
    tree = scenario.parameters()
    if scenario.population == "national":
        people = national(tree, scenario.start, population_seed(scenario.seed))
    else:
        people = scenario_population(scenario, tree, population_seed(scenario.seed))
    coverage = float(tree.get("population.arrival_coverage", scenario.start))
    # keyed by the strata, which a build's copies under other names share with it
    key = (id(people.strata), scenario.end, coverage, scenario.areas)
    found = _PREPARED.get(key)
    if found is None or found.population.strata is not people.strata:
        found = prepare(scenario, population=people)
        _PREPARED[key] = found
    if found.population is not people:  # the same groups, under the tree's own name
        found = copy.copy(found)
        found.population = people
    return found
