"""Required capacity: the smallest officers, beds, judges and flight seats that meet a removal
goal, found by relieving whichever capacity binds, then trimming each back while the goal holds.

The answer is a set of capacities, which one binds at the end, and what a year costs — set
beside the published estimates (the ``model_*`` rows of published_figures.csv) so the
differences can be explained, not just shown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from immsim.analysis.effects import (
    BAND_DRAWS,
    LEFT,
    Band,
    Effects,
    Rates,
    band_rng,
    cost_bands,
    left_of,
)
from immsim.analysis.uncertainty import Dist, draw_reform
from immsim.dates import WEEKS_PER_YEAR
from immsim.engine.border import removals_per_year as border_removals_per_year
from immsim.engine.costs import COMPONENTS as COST_COLUMNS
from immsim.engine.costs import LABELS, capital_per_year
from immsim.engine.results import Results
from immsim.engine.run import run, seeded_population
from immsim.errors import InputError
from immsim.outcomes import OUTCOMES
from immsim.parameters.intervals import parameter_draws, uncertain_values
from immsim.parameters.loader import ParameterTree
from immsim.parameters.reform import Reform
from immsim.parameters.schema import MAX_MAGNITUDE, units
from immsim.population.build import Population
from immsim.progress import Progress
from immsim.scenario import Scenario

LEVERS = {
    "officers": ("enforcement.ero_deportation_officers", "officers"),
    "beds": ("detention.funded_beds", "beds"),
    "judges": ("courts.immigration_judges", "judges"),
    "seats": ("removal.logistics.air_seats_per_year", "seats"),
}
"""Capacities money can buy, and the binding flag each answers to."""
COST_OF = {
    "officers": "cost_arrest",
    "beds": "cost_detention",
    "judges": "cost_court",
    "seats": "cost_removal",
}
"""The cost component each capacity is paid from."""
TIE = 0.05
"""Search settings: capacities that bind within this share of weeks of the most binding one are
tied, and the cheapest of them is relieved first."""

STEP_MIN, STEP_MAX = 1.25, 4.0
"""Search settings, not model quantities: each relief multiplies the binding capacity by the
goal's shortfall ratio, kept within these bounds."""
TRIMS = (0.7, 0.85)
"""Search settings: the cuts tried on each capacity once the goal is met."""
GAIN = 0.05
"""Search settings: a relief that raises the removals by less than this share of the capacity's
own rise did not help (an elasticity: with stays from the record every capacity binds in most
weeks, and a 30% rise in officers that brings 0.6% more removals is not what holds them back,
though a fixed 0.2% gain would have raised it again and again)."""
DEEP_TRIMS = (0.25, 0.5, 0.7, 0.85)
"""Search settings: the cuts tried when the goal is out of reach, where reliefs that hardly
helped may have piled up."""
KEEP = 0.99
"""Search settings: when the goal is out of reach, a cut is kept if it keeps this share of the
most removals reached, so the answer reports the capacity that helps, not all the search added."""


MAX_GOAL = 1e9
"""Input limit, not a model quantity: a billion removals a year (seventy times the largest
estimate of the whole unauthorized population) is already out of reach on purpose; a goal above
it can only be a typo."""


def check_goal(goal: float) -> float:
    """The goal as a float, or one clear error: NaN compares false with everything, so it, and
    infinity, would otherwise run the whole search and print "$nan billion"."""
    if not isinstance(goal, int | float) or isinstance(goal, bool) or not math.isfinite(goal):
        raise InputError(
            f"the goal must be a finite number of removals a year, not {goal!r}",
            key="--goal",
            allowed=f"a number above 0 and at most {MAX_GOAL:,.0f}",
        )
    if not 0 < goal <= MAX_GOAL:
        raise InputError(
            f"the goal must be a positive number of removals a year, at most {MAX_GOAL:,.0f} "
            f"(got {goal:.6g})",
            key="--goal",
            allowed=f"a number above 0 and at most {MAX_GOAL:,.0f}",
        )
    return float(goal)


@dataclass(frozen=True)
class Trial:
    """One run of the search at one set of capacity levels, measured as the goal counts."""

    levels: dict[str, float]
    removals: float
    binding: dict[str, float]
    cost: float
    costs: dict[str, float]
    used: dict[str, float]
    volumes: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {
            "levels": self.levels,
            "removals": self.removals,
            "cost": self.cost,
            "binding": self.binding,
        }


@dataclass(frozen=True)
class CapacityLevel:
    """One capacity money can buy: its parameter, its level at the start and the level the
    answer needs."""

    key: str
    start: float
    required: float

    @property
    def ratio(self) -> float:
        """How many times today's level the answer needs."""
        return self.required / self.start

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "start": self.start, "required": self.required}


@dataclass(frozen=True)
class RequiredCapacity:
    """The answer of :func:`required_capacity`: the capacities that meet the goal (or, out of
    reach, that help most), what binds with them and what a year of them costs."""

    goal: float
    counted: str
    met: bool
    stopped: str
    measured_over: str
    removals_per_year: float
    capacities: dict[str, CapacityLevel]
    binding: str
    binding_share_of_weeks: dict[str, float]
    cost_per_year: float
    cost_by_component: dict[str, float]
    used_at_peak: dict[str, float]
    volumes: dict[str, float]
    trials: tuple[Trial, ...]
    cost_band: tuple[float, float] = (0.0, 0.0)
    """The yearly cost's 90% band, every unit cost drawn from its interval in the tree (see
    ``cost_bands``); the volumes are the run's."""
    cost_bands: dict[str, Band] = dataclasses.field(default_factory=dict)
    """Each cost component's and the ``total``'s central value and 90% band
    (:func:`immsim.analysis.effects.cost_bands`)."""
    effects: Effects | None = None
    """A year of these removals: the workers they were, the output and taxes lost a year once
    they are gone, and the U.S.-citizen children who lose a parent (base-year dollars)."""

    @property
    def runs(self) -> int:
        return len(self.trials)

    @property
    def cost_per_removal(self) -> float:
        """The yearly cost over all removals, border removals included, as the studies count."""
        return self.cost_per_year / max(self.volumes["removals"], 1.0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "goal": self.goal,
            "counted": self.counted,
            "met": self.met,
            "stopped": self.stopped,
            "measured_over": self.measured_over,
            "removals_per_year": self.removals_per_year,
            "capacities": {name: c.as_dict() for name, c in self.capacities.items()},
            "binding": self.binding,
            "binding_share_of_weeks": self.binding_share_of_weeks,
            "cost_per_year": self.cost_per_year,
            "cost_by_component": self.cost_by_component,
            "cost_band": list(self.cost_band),
            "cost_bands": {name: band.as_dict() for name, band in self.cost_bands.items()},
            "effects": self.effects.as_dict() if self.effects else None,
            "used_at_peak": self.used_at_peak,
            "volumes": self.volumes,
            "runs": self.runs,
            "trials": [t.as_dict() for t in self.trials],
        }


def _measure(
    results: Results, levels: dict[str, float], counted: str = "removals", whole_run: bool = False
) -> tuple[float, dict[str, float], float, dict[str, float], dict[str, float], dict[str, float]]:
    """Yearly rates over the last year (a goal to sustain) or over the whole run (a stock to clear
    within the run: the last year would miss what earlier years already removed)."""
    weekly = results.weekly
    last = weekly
    if not whole_run:
        last = weekly.filter(pl.col("fiscal_year") == weekly["fiscal_year"].max())
        if last.height < weekly.height and last.height < 52:  # a partial last year
            last = weekly.tail(52)
    scale = WEEKS_PER_YEAR / last.height

    def total(column: str) -> float:
        return float(last[column].sum()) * scale

    removals = total(counted)

    def mean(column: str) -> float:
        return float(last.select(pl.col(column).mean()).item())

    binding = {name: mean(f"binding_{flag}") for name, (_, flag) in LEVERS.items()}
    binding["travel_documents"] = mean("binding_travel_documents")
    costs = {c: total(c) for c in COST_COLUMNS}
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
        "removals": total("removals"),
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
        "parents_of_usc_removed": _parents(results, last) * scale,
        # the people gone other than by removal (effects.LEFT: voluntary returns, CBP Home)
        **{column: total(column) for column in LEFT},
    }
    return removals, binding, sum(costs.values()), costs, used, volumes


def required_capacity(
    scenario: Scenario,
    goal: float,
    max_runs: int = 30,
    progress: Progress | None = None,
    counted: str = "removals",
    population: Population | None = None,
    whole_run: bool = False,
) -> RequiredCapacity:
    """``counted``: what the goal counts, all ICE removals (``removals``) or interior removals
    only (``removals_interior``, for goals about the people living here). ``whole_run``: the goal
    is a yearly average over the whole run rather than the rate of its last year. ``population``:
    the scenario's, if already built."""
    goal = check_goal(goal)
    if counted not in ("removals", "removals_interior"):
        raise InputError(f"cannot count {counted!r}", allowed="removals, removals_interior")
    tree = scenario.parameters()
    start = scenario.start
    today = {name: float(tree.get(key, start)) for name, (key, _) in LEVERS.items()}
    levels = dict(today)
    if population is None:
        population = seeded_population(scenario, tree)
    fixed = {key: Dist(dist="fixed", value=0.0) for key, _ in LEVERS.values()}
    fixed["enforcement.effort.removal_goal"] = Dist(dist="fixed", value=0.0)
    trials: list[Trial] = []
    border = (
        border_removals_per_year(tree.snapshot(start)) if counted == "removals_interior" else 0.0
    )

    def attempt(current: dict[str, float]) -> Trial:
        values = {LEVERS[n][0]: v for n, v in current.items()}
        # the effort controller steers total removals: add the border's to an interior goal
        values["enforcement.effort.removal_goal"] = goal + border
        reform = draw_reform(tree, fixed, values, scenario.reform, "required-capacity")
        result = run(scenario.model_copy(update={"reform": reform}), population=population)
        removals, binding, cost, costs, used, volumes = _measure(
            result, current, counted, whole_run
        )
        trial = Trial(dict(current), removals, binding, cost, costs, used, volumes)
        trials.append(trial)
        if progress:
            progress(len(trials), max_runs)
        return trial

    # 1. relieve a binding capacity until the goal is met (`_next_relief`: the most binding
    # first, then the one whose relief paid best); a capacity whose relief hardly raised the
    # removals is not raised again until another relief does
    trial = attempt(levels)
    stopped = "goal met"
    futile: set[str] = set()
    elasticity: dict[str, float] = {}  # each capacity's last relief: removals' rise over its own
    while trial.removals < goal:
        if len(trials) >= max_runs:
            stopped = "run limit"
            break
        bound = {n: trial.binding[n] for n in LEVERS if n not in futile}
        if not bound or max(bound.values()) <= 0:
            # nothing money buys limits removals: the population or travel documents do
            stopped = "no relief helps"
            break
        name = _next_relief(bound, elasticity, trial.costs)
        factor = float(np.clip(goal / max(trial.removals, 1.0), STEP_MIN, STEP_MAX))
        # relieved capacities stay within what a reform may set (a far goal multiplies them)
        raised = min(
            levels[name] * factor, MAX_MAGNITUDE[units()[tree.leaf(LEVERS[name][0]).unit].kind]
        )
        candidate = attempt({**levels, name: raised})
        rise = raised / levels[name] - 1
        gained = candidate.removals / max(trial.removals, 1.0) - 1
        elasticity[name] = gained / rise if rise > 0 else 0.0
        if elasticity[name] < GAIN:
            futile.add(name)  # kept (it may pay once another capacity grows), not raised again
        else:
            futile.clear()
        levels, trial = candidate.levels, candidate
    met = trial.removals >= goal
    # out of reach: answer with the run that removed the most, then trim what it did not need
    best = trial if met else max(trials, key=lambda t: t.removals)
    floor = goal if met else KEEP * best.removals
    # 2. cut each capacity to what the run used at its busiest, if the goal still holds
    if len(trials) < max_runs:
        tight = {n: max(1.0, min(best.levels[n], best.used[n])) for n in LEVERS}
        if tight != best.levels:
            candidate = attempt(tight)
            if candidate.removals >= floor:
                best = candidate
    # 3. trim each capacity back while the goal still holds, the dearest first
    dearest = sorted(LEVERS, key=lambda n: -best.costs[COST_OF[n]])
    for name in dearest:
        for step in TRIMS if met else DEEP_TRIMS:
            if len(trials) >= max_runs:
                break
            smaller = {**best.levels, name: best.levels[name] * step}
            candidate = attempt(smaller)
            if candidate.removals >= floor:
                best = candidate
                break
    answer = _answer(goal, counted, whole_run, stopped, today, best, trials)
    return _priced(answer, tree, start, people=float(population.total))


def _next_relief(
    bound: dict[str, float], elasticity: dict[str, float], costs: dict[str, float]
) -> str:
    """The capacity to raise next. First each of the most binding ones (within :data:`TIE` of
    the most), the cheapest first, until each has been tried; then the one whose last relief
    paid best, any binding capacity not yet tried counting as the best. With the record's stays
    officers and judges bind every week, so binding alone cannot tell what holds removals back;
    what a relief did can."""
    most = max(bound.values())
    untried = [n for n, share in bound.items() if share >= most - TIE and n not in elasticity]
    if untried:
        return min(untried, key=lambda n: costs[COST_OF[n]])
    binding = [n for n, share in bound.items() if share > 0]
    return max(binding, key=lambda n: (elasticity.get(n, math.inf), -costs[COST_OF[n]]))


@dataclass(frozen=True)
class CapacityBands:
    """The capacity search repeated with the tree's uncertain values drawn from their 90%
    intervals: for each capacity and the yearly cost, the 5th percentile, the median and the
    95th percentile of the answers, and how many draws met the goal."""

    draws: int
    met: int
    drawn: int
    capacities: dict[str, tuple[float, float, float]]
    cost_per_year: tuple[float, float, float]
    effects: dict[str, tuple[float, float, float]] = dataclasses.field(default_factory=dict)
    """Each of :data:`BANDED_EFFECTS` over every draw's answer: the economic, fiscal and family
    effects' 90% bands from parameter uncertainty, the studies' rates included (their range
    drawn in each answer, :func:`_pooled`), so a band holds both what the search's values and
    what the studies' disagreement leave open."""
    cost_by_component: dict[str, tuple[float, float, float]] = dataclasses.field(
        default_factory=dict
    )
    """Each cost component's yearly cost (the columns of
    :data:`immsim.engine.costs.LABELS`, capital included) in every draw's answer, spread the
    same way: the cost by component's 90% bands from parameter uncertainty (a component's
    quantiles are its own, so the components' medians need not add up to the total's)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "draws": self.draws,
            "met": self.met,
            "values_drawn": self.drawn,
            "capacities": {name: list(band) for name, band in self.capacities.items()},
            "cost_per_year": list(self.cost_per_year),
            "effects": {name: list(band) for name, band in self.effects.items()},
            "cost_by_component": {
                name: list(band) for name, band in self.cost_by_component.items()
            },
        }


BANDED_EFFECTS = (
    "workers",
    "output_lost",
    "federal_taxes_lost",
    "state_local_taxes_lost",
    "parents",
    "usc_children",
    "mixed_status_households",
    "us_born_jobs_lost",
    "average_wage_change",
    "low_skilled_wage_change",
)
"""The effects of a year of removals whose spread over parameter draws ``capacity --draws``
reports (:class:`immsim.analysis.effects.Effects` fields): workers, GDP, taxes, families and
the labour market's responses."""


def _band_of(effects: Effects | None, name: str) -> Band:
    """An effect as a band: a study band as it is, a count as a certain value."""
    value = getattr(effects, name, 0.0) if effects is not None else 0.0
    return value if isinstance(value, Band) else Band(float(value), float(value), float(value))


def _pooled(answers: list[RequiredCapacity], name: str) -> tuple[float, float, float]:
    """The 5th, 50th and 95th percentiles of an effect over the parameter draws with the
    studies' range drawn in each: every answer's band drawn alike (its median its central
    value, its 5th and 95th percentiles the studies' ends, :meth:`Band.draw`) and the draws
    pooled, so that a rate the tree gives as a range of studies (``_low`` / ``_high``
    leaves, not drawn by the search) widens the band as a drawn value does. A count, with no
    study range, pools certain values: its band is the answers' spread."""
    rng = band_rng()
    each = max(BAND_DRAWS // max(len(answers), 1), 1)
    drawn = []
    for answer in answers:
        band = _band_of(answer.effects, name)
        draws = band.draw(rng, each)
        # a band whose studies all read one sign keeps it: a band ending at zero (the cost
        # studies' no U.S.-born jobs lost) is drawn normal on that side, and its tail past zero
        # would read as jobs gained, which no study finds
        if band.low >= 0:
            draws = np.maximum(draws, 0.0)
        elif band.high <= 0:
            draws = np.minimum(draws, 0.0)
        drawn.append(draws)
    return _spread(np.concatenate(drawn).tolist())


def _spread(values: list[float]) -> tuple[float, float, float]:
    low, median, high = np.quantile(values, [0.05, 0.5, 0.95])
    return float(low), float(median), float(high)


def capacity_bands(
    scenario: Scenario,
    goal: float,
    draws: int,
    allowed: dict[str, tuple[float, float]],
    max_runs: int = 30,
    counted: str = "removals",
    whole_run: bool = False,
    population: Population | None = None,
    progress: Progress | None = None,
) -> CapacityBands:
    """:func:`required_capacity` once for each of ``draws`` draws of every value with a 90%
    interval in force during the run (:func:`immsim.parameters.intervals.parameter_draws`,
    kept within ``allowed``), the scenario's own overrides winning where both set a value; the
    seed is the scenario's, so the bands are the parameters' uncertainty, not the seeds' noise.
    ``progress`` counts the draws."""
    tree = scenario.parameters()
    end = dt.date(scenario.start.year + scenario.horizon_years, scenario.start.month, 1)
    base = scenario.reform
    chosen = uncertain_values(tree, scenario.start, end)
    answers = []
    for i, draw in enumerate(
        parameter_draws(tree, draws, scenario.seed, allowed, scenario.start, end)
    ):
        reform = Reform(
            name=f"{base.name if base else scenario.name}-draw-{i}",
            description=base.description if base else None,
            regime=base.regime if base else None,
            overrides={**draw.overrides, **(base.overrides if base else {})},
        )
        drawn = scenario.model_copy(update={"reform": reform})
        # a drawn population leaf sets the margins the start population is raked to
        people = (
            None if any(key.startswith("population.") for key in draw.overrides) else population
        )
        answers.append(
            required_capacity(
                drawn, goal, max_runs, counted=counted, population=people, whole_run=whole_run
            )
        )
        if progress:
            progress(i + 1, draws)
    return CapacityBands(
        draws=draws,
        met=sum(a.met for a in answers),
        drawn=len(chosen),
        capacities={
            name: _spread([a.capacities[name].required for a in answers]) for name in LEVERS
        },
        cost_per_year=_spread([a.cost_per_year for a in answers]),
        effects={name: _pooled(answers, name) for name in BANDED_EFFECTS},
        cost_by_component={
            name: _spread([a.cost_by_component.get(name, 0.0) for a in answers]) for name in LABELS
        },
    )


def _parents(results: Results, weeks: pl.DataFrame) -> float:
    """Interior removals of parents of U.S.-citizen children in ``weeks`` (the outcome
    ``removals_parents``'s breakdown count, over those weeks rather than a fiscal year)."""
    count_of = OUTCOMES["removals_parents"].count_of
    assert count_of is not None
    stage, attribute, levels = count_of
    rows = results.breakdown.filter(
        pl.col("week").is_in(weeks["week"].implode())
        & (pl.col("stage") == stage)
        & (pl.col("attribute") == attribute)
        & pl.col("level").is_in(list(levels))
    )
    return float(rows["persons"].sum())


def _priced(
    answer: RequiredCapacity, tree: ParameterTree, start: dt.date, people: float = 0.0
) -> RequiredCapacity:
    """The answer with the capital of the beds it adds above today's funded level, the 90%
    band of each cost from the unit costs' intervals, and the economic, fiscal and family
    effects of a year of its removals (wages by the share of the ``people`` at the start
    that a year removes)."""
    beds = answer.capacities["beds"]
    capital = capital_per_year(
        beds.required - beds.start,
        float(tree.get("detention.capital_cost_per_bed", start)),
        float(tree.get("detention.capital_life_years", start)),
    )
    costs = {**answer.cost_by_component, "cost_capital": capital}
    total = sum(costs.values())
    volumes = answer.volumes
    bands = cost_bands(costs, volumes["removals_land"], tree, start)
    effects = Effects.of(
        volumes["removals_interior"],
        volumes["parents_of_usc_removed"],
        Rates.read(tree, start),
        left=left_of(volumes),
        population=people,
    )
    return dataclasses.replace(
        answer,
        cost_per_year=total,
        cost_by_component=costs,
        cost_band=(bands["total"].low, bands["total"].high),
        cost_bands=bands,
        effects=effects,
    )


def _answer(
    goal: float,
    counted: str,
    whole_run: bool,
    stopped: str,
    today: dict[str, float],
    best: Trial,
    trials: list[Trial],
) -> RequiredCapacity:
    """The search's answer: its best run's capacities beside today's, and what binds them."""
    final_binding = max(best.binding, key=lambda n: best.binding[n])
    return RequiredCapacity(
        goal=goal,
        counted=counted,
        met=best.removals >= goal,
        stopped=stopped,
        measured_over="whole run" if whole_run else "last year",
        removals_per_year=best.removals,
        capacities={
            name: CapacityLevel(LEVERS[name][0], today[name], v) for name, v in best.levels.items()
        },
        binding=final_binding if best.binding[final_binding] > 0 else "none",
        binding_share_of_weeks=best.binding,
        cost_per_year=best.cost,
        cost_by_component=best.costs,
        used_at_peak=best.used,
        volumes=best.volumes,
        trials=tuple(trials),
    )
