"""The starting state: where the population is when a run begins.

A run starts from the record, not from an empty system (docs/design.md, "The starting state"):

- **Detained.** The interior detained on the start date are the people in ICE detention
  (``detention.start.detained``) times the share arrested by ICE rather than CBP
  (``detention.start.interior_share``). The border's detained are not among them: the engine
  holds those apart, in beds of their own (:func:`immsim.engine.border.detained`). Of the interior detained, ``detention.start.removal_share``
  await removal and the rest await court; no more than the interior's beds hold (beds are a hard
  limit; the court cases give way first, as in the detention stage).
- **Who they are.** The record gives the detained's criminality (``detention.start.
  convicted_share``, ``detention.start.pending_charges_share``), so each stage's detained are
  split by it first; within a class they are drawn from the people who could be in that stage
  without replacement (a multivariate hypergeometric draw), so every person of the class is as
  likely as any other to be held. Awaiting removal: people with a final order or a prior removal
  (the engine's removal cases without a hearing); awaiting court: people with neither. We weight
  by criminality because it is what the record splits the detained by and what most separates
  who is held (ICE's own detainees are two-thirds convicted against about a fifth of the
  population); the record has no finer mix to follow.
- **Court backlog.** Cases pending in court (``courts.process.pending_cases``) are held by the
  detained awaiting court and by people released with a case; the latter are the rest,
  spread over people with no order, weighted toward those with an asylum claim.
- **Final orders.** People whose final order is unexecuted are the population's own
  (``population.composition.immigration_history.final_order``, ICE's non-detained docket with
  final orders), at large unless drawn into detention here.
- **The goal's surge.** Officers' effort under a numeric removal goal is part of the state
  (:mod:`immsim.engine.controller`): a goal that was already in force a whole measuring window
  before the start has pushed effort to its ceiling (``enforcement.effort.surge_max``), so the
  run starts there (:func:`initial_effort`), not at routine effort. The controller brings it
  down within weeks if the run's removals meet the goal.

Seeding moves people between stocks and never makes or loses any: the total is the population's.
All draws come from the run's generator, so a seeded run is reproducible bit for bit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immsim.engine.groups import Groups
from immsim.engine.stages.detention import interior_beds
from immsim.engine.stocks import (
    FREE,
    HELD_COURT,
    HELD_REMOVAL,
    ORDERED,
    RELEASED,
    STOCKS,
    CountArray,
    count_type,
)
from immsim.population.ipf import integerize

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def interior_detained(p: Mapping[str, Any]) -> tuple[int, int]:
    """People detained after interior arrests on the day, awaiting (removal, court), within the
    interior's beds: beds are a hard limit in the engine, so where the record held more people
    than the tree leaves interior beds for (2019-10-01 and 2020-10-01, with the border series as
    it is), the excess are the court cases, as in the detention stage, which keeps removal cases
    first and releases court cases when beds fall short."""
    interior = round(
        float(p["detention.start.detained"]) * float(p["detention.start.interior_share"])
    )
    beds = interior_beds(p)
    removal = min(round(interior * float(p["detention.start.removal_share"])), beds)
    return removal, min(interior, beds) - removal


def initial_effort(start: dt.date, params_at: Callable[[dt.date], Mapping[str, Any]]) -> float:
    """Officers' effort on the ``start`` date, from the parameters in force then and a goal's
    measuring window before (``enforcement.effort.goal_window_weeks`` earlier; read only when
    a goal is in force at the start, so a run from the tree's first date never reads before it).

    Without a goal on both dates, routine effort (1): a goal that starts within the window
    starts the controller from rest, as a goal set by a scenario at its start does. With one,
    the surge ceiling: the run cannot know the removals before its start, and a goal in force
    for a window ran behind them (the 2025 goal of a million a year is 3.7 times ICE's 271,484
    removals of FY2024, its highest in a decade), so the controller had reached its ceiling
    (from rest, at a pace a quarter of the goal's, in about ten weeks; the 2025 goal was in
    force 77 weeks before the default run's start). A run that started at routine effort spent
    its first dozen weeks climbing back to where the country already was."""
    at_start = params_at(start)
    if float(at_start["enforcement.effort.removal_goal"]) <= 0:
        return 1.0
    window = dt.timedelta(weeks=int(at_start["enforcement.effort.goal_window_weeks"]))
    if float(params_at(start - window)["enforcement.effort.removal_goal"]) <= 0:
        return 1.0
    return float(at_start["enforcement.effort.surge_max"])


def criminality_classes(groups: Groups) -> list[BoolArray]:
    """Each group's class as ICE counts criminality: convicted; else pending charges; else an
    other immigration violator."""
    convicted = ~groups.is_level("criminal_history", "none")  # codes, not strings (Groups.level_of)
    pending = ~convicted & groups.flags["pending_charges"]
    return [convicted, pending, ~convicted & ~pending]


def class_counts(total: int, p: Mapping[str, Any]) -> list[int]:
    """``total`` split by the record's criminality shares, in whole people that add up to it
    (largest remainders)."""
    convicted = float(p["detention.start.convicted_share"])
    pending = float(p["detention.start.pending_charges_share"])
    shares = np.array([convicted, pending, max(0.0, 1.0 - convicted - pending)])
    return [int(x) for x in integerize(total * shares / shares.sum())]


def draw_held(
    rng: np.random.Generator,
    pool: IntArray,
    total: int,
    classes: list[BoolArray],
    p: Mapping[str, Any],
) -> IntArray:
    """Draw ``total`` people out of ``pool`` (counts by group, several sources laid end to end),
    split over the criminality classes by the record's shares and uniformly within a class. A
    class with fewer people than its share holds them all."""
    held = np.zeros(pool.size, dtype=np.int64)
    for mask, n in zip(classes, class_counts(total, p), strict=True):
        available = np.where(mask, pool, 0)
        n = min(n, int(available.sum()))
        if n > 0:
            # 'marginals': time in the number of groups, not the number of people
            held += rng.multivariate_hypergeometric(available, n, method="marginals")
    return held


def initial_stocks(
    groups: Groups, asylum: BoolArray, p: Mapping[str, Any], rng: np.random.Generator
) -> CountArray:
    """The stock × group matrix on the start date (see the module docstring)."""
    # the codes tested, not level_of's strings (Groups.level_of: 13 ms a call by area)
    free = groups.initial.copy()
    ordered = np.where(groups.is_level("immigration_history", "final_order"), free, 0).astype(
        np.int64
    )
    free -= ordered
    classes = criminality_classes(groups)
    n_removal, n_court = interior_detained(p)
    # awaiting removal: from the final orders at large and from people removed before
    both = np.concatenate(
        [ordered, np.where(groups.is_level("immigration_history", "prior_removal"), free, 0)]
    )
    held = draw_held(rng, both, n_removal, [np.tile(m, 2) for m in classes], p)
    held_removal = held[: groups.size] + held[groups.size :]
    ordered -= held[: groups.size]
    free -= held[groups.size :]
    held_court = draw_held(
        rng, np.where(groups.is_level("immigration_history", "none"), free, 0), n_court, classes, p
    )
    free -= held_court
    # the rest of the court backlog: released with a case pending
    pending = max(0, int(p["courts.process.pending_cases"]) - int(held_court.sum()))
    weight = np.where(asylum, float(p["courts.process.backlog_asylum_weight"]), 1.0)
    released = _spread_within(rng, min(pending, int(free.sum())), weight, free)
    free -= released
    stocks = np.zeros((len(STOCKS), groups.size), dtype=count_type(int(groups.initial.sum())))
    stocks[FREE] = free
    stocks[ORDERED] = ordered
    stocks[RELEASED] = released
    stocks[HELD_COURT] = held_court
    stocks[HELD_REMOVAL] = held_removal
    return stocks


def _spread_within(
    rng: np.random.Generator, total: int, weight: FloatArray, room: IntArray
) -> IntArray:
    """Place ``total`` people in groups with ``room`` people each, a person's chance
    proportional to its group's ``weight``: multinomial draws of those not yet placed over the
    room left, until all are placed (a draw past a group's room is redrawn, so nobody is lost;
    ``total`` must not exceed the room)."""
    placed = np.zeros(room.size, dtype=np.int64)
    left = total
    while left > 0:
        mass = weight * (room - placed)
        drawn = rng.multinomial(left, mass / mass.sum()).astype(np.int64)
        taken = np.minimum(drawn, room - placed)
        placed += taken
        left -= int(taken.sum())
    return placed
