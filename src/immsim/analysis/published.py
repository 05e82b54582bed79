"""Other studies' estimates of mass removal beside the model's required-capacity answer.

A published number and the model's rarely measure the same thing: a different goal (a million
removals a year, or everyone in two years), different dollars, one-time building counted or not.
So each estimate is first restated on the model's basis (the same removals a year, the dollars of
the run's start) and only then compared; and the difference is traced, with numbers from the run,
to the assumption that makes it (days held per removal, arrests per officer, cases per judge,
what a removal flight costs). The restatements are linear in the goal, which is how the studies
themselves scale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from immsim.analysis.effects import dollars_of, left_of
from immsim.data.figures import Estimate, model_estimates
from immsim.engine.costs import bed_day
from immsim.parameters.loader import ParameterTree

if TYPE_CHECKING:
    from immsim.analysis.capacity import RequiredCapacity

DAYS_PER_YEAR = 365.25


def study(tree: ParameterTree, key: str) -> float:
    """A study's own figure (``economy.studies.*``), as it published it: the leaf's latest
    value, whatever the run's dates (a published figure does not change with them, and a run
    that starts before the study was published still compares with it)."""
    return float(tree.leaf(key).values[-1].value)


def study_dollars(tree: ParameterTree, key: str, at: dt.date) -> float:
    """Dollars of the year a study states its costs in (its ``dollar_year`` leaf, ``key``) in
    the dollars of the run's start ``at``."""
    return dollars_of(tree, int(study(tree, key)), at)


def bed_day_at(tree: ParameterTree, at: dt.date) -> float:
    """The bed-day in force at ``at`` as the cost model prices it (``engine.costs.bed_day``)."""
    return bed_day(tree.snapshot(at))


def capital_life(tree: ParameterTree, at: dt.date) -> str:
    """The years new beds' capital is spread over, in words, for the traces' text."""
    return f"{float(tree.get('detention.capital_life_years', at)):,.0f} years"


@dataclass(frozen=True)
class Comparison:
    """One published estimate: as published, restated on the model's basis, and the model's."""

    metric: str
    study: str
    quantity: str
    published: float
    published_unit: str
    restated: float
    ours: float
    unit: str
    why: str
    source: str
    url: str

    @property
    def ratio(self) -> float:
        """The model's value over the restated estimate."""
        return self.ours / self.restated if self.restated else float("nan")

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}


def _money(value: float) -> str:
    if abs(value) >= 1e9:
        return f"${value / 1e9:,.1f} billion"
    if abs(value) >= 1e7:
        return f"${value / 1e6:,.0f} million"
    if abs(value) >= 1e6:  # a judge-year: $2.6 million, not "$3 million"
        return f"${value / 1e6:,.1f} million"
    return f"${value:,.0f}"


def _more(ours: float, theirs: float, whose: str) -> str:
    """How the model's figure stands against the study's, in words."""
    if theirs <= 0 or abs(ours / theirs - 1) < 0.1:
        return f"about as many as {whose}"
    return (
        f"{ours / theirs:.1f} times {whose}" if ours > theirs else f"{ours / theirs:.0%} of {whose}"
    )


@dataclass(frozen=True)
class _Basis:
    """What every restatement reads: the estimates, the run's volumes, costs and required
    capacities, the unit costs it used, and the prices to restate a study's dollars with."""

    estimates: dict[str, Estimate]
    volumes: dict[str, float]
    removals: float  # a year, border removals included (the studies count every removal)
    costs: dict[str, float]
    required: dict[str, float]
    tree: ParameterTree
    at: dt.date
    officer_drivers: str  # what drives the model's officer count, in words
    output_lost: float = 0.0  # the model's GDP lost a year once a year's people are gone
    gone: float = 0.0  # people gone a year: interior removals and voluntary returns

    def deflator(self, year: int) -> float:
        """Dollars of ``year`` in the dollars of the run's start."""
        return dollars_of(self.tree, year, self.at)

    def unit(self, key: str) -> float:
        """A unit cost (or other value) in force at the run's start."""
        return float(self.tree.get(key, self.at))

    def bed_day(self) -> float:
        """The bed-day the run paid at its start (adult and family beds, engine.costs.bed_day)."""
        return bed_day_at(self.tree, self.at)

    def adder(self, out: list[Comparison]) -> Callable[..., None]:
        """``add(metric, study, quantity, restated, ours, unit, why)``: a comparison with the
        published estimate of ``metric``, appended to ``out``."""

        def add(
            metric: str,
            study: str,
            quantity: str,
            restated: float,
            ours: float,
            unit: str,
            why: str,
        ) -> None:
            found = self.estimates[metric]
            out.append(
                Comparison(
                    metric,
                    study,
                    quantity,
                    found.value,
                    found.unit,
                    restated,
                    ours,
                    unit,
                    why,
                    found.source,
                    found.url,
                )
            )

        return add


def compare_published(
    result: RequiredCapacity, tree: ParameterTree, at: dt.date, figures: Path
) -> list[Comparison]:
    """Each ``model_*`` estimate the model can answer, restated and explained.

    ``at`` is the date whose parameter values (unit costs, prices) the run used."""
    volumes = result.volumes
    b = _Basis(
        estimates=model_estimates(figures),
        volumes=volumes,
        # the studies count every removal: a goal counted in interior removals adds the border's
        removals=float(volumes.get("removals", result.removals_per_year)),
        costs=result.cost_by_component,
        required={name: float(level.required) for name, level in result.capacities.items()},
        tree=tree,
        at=at,
        officer_drivers=_officer_drivers(result, tree, at),
        output_lost=result.effects.output_lost.central if result.effects else 0.0,
        gone=_gone(result),
    )
    return [*_aic(b), *_aic_components(b), *_pwbm(b), *_cap(b), *_aaf(b)]


def _officer_drivers(result: RequiredCapacity, tree: ParameterTree, at: dt.date) -> str:
    """Officer time as the run used it (the goal controller's surge included), in words."""
    volumes = result.volumes
    required = {name: float(level.required) for name, level in result.capacities.items()}
    officer_hours = volumes["officer_hours"] / max(result.capacities["officers"].required, 1.0)
    hours_per_arrest = volumes["officer_hours_used"] / max(volumes["arrests"], 1.0)
    share = float(tree.get("enforcement.effort.share_on_arrests", at))
    return (
        f"the model's officers give {share:.1%} of their time to arrests (the share fitted to "
        f"the FY2012-FY2016 record), {officer_hours:,.0f} hours a year each with the goal's "
        f"surge, and at this goal spend {hours_per_arrest:,.0f} hours per arrest "
        f"({volumes['arrests'] / max(required['officers'], 1.0):,.1f} arrests an officer-year), "
        "since past the jails' transfers every arrest is an at-large one"
    )


def _aic(b: _Basis) -> list[Comparison]:
    """American Immigration Council (2024): a million removals a year, in 2024 dollars; its total."""
    estimates = b.estimates
    removals = b.removals
    costs = b.costs
    out: list[Comparison] = []
    add = b.adder(out)
    # USD millions a year for a million removals -> USD a year for the run's removals, restated
    aic = removals / 1e6 * study_dollars(b.tree, "economy.studies.aic2024.dollar_year", b.at) * 1e6
    components = {
        "detention": ("model_aic2024_component_detention", "cost_detention"),
        "arrests": ("model_aic2024_component_arrest", "cost_arrest"),
        "legal processing": ("model_aic2024_component_legal_processing", "cost_court"),
        "removal": ("model_aic2024_component_removal", "cost_removal"),
    }
    if "model_aic2024_annual_cost_1M_per_year" in estimates:
        total = estimates["model_aic2024_annual_cost_1M_per_year"].value * aic
        gaps = {
            name: estimates[metric].value * aic - costs[column]
            for name, (metric, column) in components.items()
            if metric in estimates
        }
        gap = total - sum(costs.values())
        by_component = ", ".join(
            f"{name} {'+' if value >= 0 else '-'}{_money(abs(value))}"
            for name, value in sorted(gaps.items(), key=lambda kv: -abs(kv[1]))
        )
        biggest = max(gaps, key=lambda n: abs(gaps[n])) if gaps else "detention"
        add(
            "model_aic2024_annual_cost_1M_per_year",
            "AIC 2024",
            "cost a year",
            total,
            sum(costs.values()),
            "USD/year",
            f"{biggest.capitalize()} {'is' if not biggest.endswith('s') else 'are'} the largest "
            f"part of the {_money(gap)} gap (AIC less the model, by component: {by_component}; "
            "each is traced below). AIC also counts building the detention it assumes; the model "
            "prices the capacities the run used at today's unit costs, with the beds it adds "
            f"above today's funded level built at a cited cost per bed spread over "
            f"{capital_life(b.tree, b.at)}.",
        )
    return out


def _aic_components(b: _Basis) -> list[Comparison]:
    """The American Immigration Council's (2024) cost by component, each traced to its driver."""
    estimates = b.estimates
    volumes = b.volumes
    removals = b.removals
    costs = b.costs
    required = b.required
    out: list[Comparison] = []
    add = b.adder(out)
    bed_day = b.bed_day()
    officer_year = b.unit("enforcement.effort.cost_per_officer_year")
    # the model's court cost per judge: EOIR's appropriation and ICE's trial attorneys
    judge_year = b.unit("courts.process.cost_per_judge_year") + b.unit(
        "courts.process.trial_attorneys_per_judge"
    ) * b.unit("courts.process.trial_attorney_cost_per_year")
    air_seat = b.unit("removal.air_cost_per_person")
    land = b.unit("removal.logistics.land_cost_per_person")
    bed_days = costs["cost_detention"] / bed_day
    officer_drivers = b.officer_drivers
    tree, at = b.tree, b.at
    # USD millions a year for a million removals -> USD a year for the run's removals, restated
    aic = removals / 1e6 * study_dollars(b.tree, "economy.studies.aic2024.dollar_year", b.at) * 1e6
    if "model_aic2024_component_detention" in estimates:
        theirs = estimates["model_aic2024_component_detention"].value * aic
        add(
            "model_aic2024_component_detention",
            "AIC 2024",
            "detention cost a year",
            theirs,
            costs["cost_detention"],
            "USD/year",
            f"At the model's {_money(bed_day)} a bed-day, AIC's detention cost pays for "
            f"{theirs / bed_day / max(removals, 1.0):,.0f} bed-days per removal; the model's "
            f"removals use {bed_days / max(removals, 1.0):,.0f} "
            f"({volumes['detained_average']:,.0f} people held on an average day). Both priced "
            "at the same bed-day, the difference is in how many are held and for how long.",
        )
    if "model_aic2024_component_arrest" in estimates:
        theirs = estimates["model_aic2024_component_arrest"].value * aic
        add(
            "model_aic2024_component_arrest",
            "AIC 2024",
            "arrest cost a year",
            theirs,
            costs["cost_arrest"],
            "USD/year",
            f"AIC's arrest cost (it prices an arrest at large at "
            f"{_money(study(tree, 'economy.studies.aic2024.at_large_arrest_cost'))}) would pay "
            f"{theirs / officer_year:,.0f} officers at the model's "
            f"{_money(officer_year)} an officer-year; the model needs "
            f"{required['officers']:,.0f}, {_more(required['officers'], theirs / officer_year, 'that')}: "
            f"{officer_drivers}.",
        )
    if "model_aic2024_component_legal_processing" in estimates:
        theirs = estimates["model_aic2024_component_legal_processing"].value * aic
        summary = min(1.0, volumes["removals_summary"] / max(removals, 1.0))
        add(
            "model_aic2024_component_legal_processing",
            "AIC 2024",
            "court cost a year",
            theirs,
            costs["cost_court"],
            "USD/year",
            f"AIC's legal processing would pay {theirs / judge_year:,.0f} judges at the model's "
            f"{_money(judge_year)} a judge-year (EOIR's budget per judge, with clerks, "
            "interpreters and courtrooms, and ICE's trial attorneys per judge); the "
            f"model needs {required['judges']:,.0f}, completing "
            f"{volumes['completions']:,.0f} cases a year; {summary:.0%} of its removals "
            "(reinstated orders, expedited and administrative removal, border cases) never go "
            "before a judge.",
        )
    if "model_aic2024_component_removal" in estimates:
        theirs = estimates["model_aic2024_component_removal"].value * aic
        border_air = volumes["removals_border"] * float(tree.get("border.record.air_share", at))
        flown = (volumes["removals_air"] + border_air) / max(removals, 1.0)
        add(
            "model_aic2024_component_removal",
            "AIC 2024",
            "transport cost a year",
            theirs,
            costs["cost_removal"],
            "USD/year",
            f"{_money(theirs / max(removals, 1.0))} a removal in AIC against the model's "
            f"{_money(costs['cost_removal'] / max(removals, 1.0))}: the model flies {flown:.0%} "
            f"of removals at {_money(air_seat)} a seat and returns the rest to Mexico over land "
            f"at {_money(land)}; AIC puts every removal on a charter at "
            f"{_money(study(tree, 'economy.studies.aic2024.flight_cost_per_hour'))} a flight hour "
            "(ICE's acting director, 2023) and none on commercial flights.",
        )
    return out


def _pwbm(b: _Basis) -> list[Comparison]:
    """Penn Wharton Budget Model (2025): the cost per removal."""
    estimates = b.estimates
    removals = b.removals
    costs = b.costs
    out: list[Comparison] = []
    add = b.adder(out)
    per_removal = sum(costs.values()) / max(removals, 1.0)
    if "model_pwbm2025_cost_per_deportee" in estimates:
        theirs = estimates["model_pwbm2025_cost_per_deportee"].value * study_dollars(
            b.tree, "economy.studies.pwbm2025.dollar_year", b.at
        )
        add(
            "model_pwbm2025_cost_per_deportee",
            "Penn Wharton 2025",
            "cost per removal",
            theirs,
            per_removal,
            "USD/removal",
            "Penn Wharton averages earlier studies' full costs (AIC, AAF), one-time building "
            "included; the model's figure is the yearly cost of the capacities used, new beds' "
            "capital spread over their life, "
            f"({_money(costs['cost_detention'] / max(removals, 1.0))} detention, "
            f"{_money(costs['cost_arrest'] / max(removals, 1.0))} arrest, "
            f"{_money(costs['cost_court'] / max(removals, 1.0))} court, "
            f"{_money(costs['cost_removal'] / max(removals, 1.0))} transport per removal).",
        )
    gdp = estimates.get("model_pwbm2025_gdp_effect_10yr_policy")
    if gdp is not None and b.gone > 0 and b.output_lost > 0:
        year = int(b.tree.get("prices.base_year", b.at))
        day = dt.date(year, 12, 31)
        people = float(b.tree.get(POPULATION, day))
        output = float(b.tree.get("economy.gdp", day)) * b.deflator(year)
        theirs = abs(gdp.value) * output * b.gone / people
        add(
            "model_pwbm2025_gdp_effect_10yr_policy",
            "Penn Wharton 2025",
            "GDP lost a year",
            theirs,
            b.output_lost,
            "USD/year",
            f"Penn Wharton's GDP {abs(gdp.value):.1%} lower in 2034 with every unauthorized "
            f"immigrant gone ({people / 1e6:,.1f} million, Pew's count) is "
            f"{_money(theirs / b.gone)} of {year}'s GDP ({_money(output)}) per person gone; "
            f"for this goal's {b.gone:,.0f} people gone a year (interior removals and voluntary "
            "returns) that is the restated figure. The model's: the workers among them at "
            "CAP 2016's long-run output per worker, "
            f"{_money(b.output_lost / b.gone)} per person gone. Penn Wharton also counts the "
            "entries its policy prevents and the capital that leaves with the workers; the "
            "model counts only the people gone.",
        )
    return out


def _cap(b: _Basis) -> list[Comparison]:
    """Center for American Progress (2010): the cost per removal, in 2008 dollars."""
    estimates = b.estimates
    volumes = b.volumes
    removals = b.removals
    costs = b.costs
    out: list[Comparison] = []
    add = b.adder(out)
    per_removal = sum(costs.values()) / max(removals, 1.0)
    if "model_cap2010_cost_per_deportation" in estimates:
        cap = study_dollars(b.tree, "economy.studies.cap2010.dollar_year", b.at)
        theirs = estimates["model_cap2010_cost_per_deportation"].value * cap
        apprehension = estimates.get("model_cap2010_cost_per_apprehension")
        average = (
            f"{_money(apprehension.value * cap)} an apprehension (in today's dollars)"
            if apprehension
            else "its cost per apprehension"
        )
        add(
            "model_cap2010_cost_per_deportation",
            "CAP 2010",
            "cost per removal",
            theirs,
            per_removal,
            "USD/removal",
            f"CAP divides ICE's FY2008 budget for each stage by that year's volume, {average}; "
            "the model pays its officers in full and divides by the arrests they make: "
            f"{_money(costs['cost_arrest'] / max(volumes['arrests'], 1.0))} an arrest at this "
            "goal (CAP's 2008 dollars are restated with the CPI-U).",
        )
    return out


def _aaf(b: _Basis) -> list[Comparison]:
    """American Action Forum (2016): everyone (11.3 million) in two years."""
    estimates = b.estimates
    removals = b.removals
    required = b.required
    out: list[Comparison] = []
    add = b.adder(out)
    per_flight = b.unit("removal.persons_per_flight_max")
    officer_drivers = b.officer_drivers
    # American Action Forum (2016): everyone (11.3 million) in two years
    theirs_removals = study(b.tree, "economy.studies.aaf2016.removals_per_year")
    aaf = removals / theirs_removals
    if "model_aaf2016_detention_beds_needed" in estimates:
        theirs = estimates["model_aaf2016_detention_beds_needed"].value * aaf
        ours_stay = required["beds"] * DAYS_PER_YEAR / max(removals, 1.0)
        theirs_stay = theirs * DAYS_PER_YEAR / max(removals, 1.0)
        add(
            "model_aaf2016_detention_beds_needed",
            "AAF 2016",
            "detention beds",
            theirs,
            required["beds"],
            "beds",
            f"AAF's beds, scaled to this goal, allow {theirs_stay:,.0f} bed-days per person "
            f"removed; the model's {required['beds']:,.0f} allow {ours_stay:,.0f} "
            f"({_more(ours_stay, theirs_stay, 'AAF')}): its court cases held in detention wait for a "
            "judge, and border detention uses beds too, while reinstated and expedited cases "
            "leave within days.",
        )
    if "model_aaf2016_apprehension_personnel" in estimates:
        theirs = estimates["model_aaf2016_apprehension_personnel"].value * aaf
        add(
            "model_aaf2016_apprehension_personnel",
            "AAF 2016",
            "arresting officers",
            theirs,
            required["officers"],
            "officers",
            f"AAF's staffing removes "
            f"{theirs_removals / estimates['model_aaf2016_apprehension_personnel'].value:,.0f} "
            f"people a year per position; {officer_drivers}.",
        )
    if "model_aaf2016_charter_flights_per_year" in estimates:
        theirs = estimates["model_aaf2016_charter_flights_per_year"].value * aaf
        ours_flights = required["seats"] / per_flight
        add(
            "model_aaf2016_charter_flights_per_year",
            "AAF 2016",
            "charter flights a year",
            theirs,
            ours_flights,
            "flights/year",
            f"The model needs {required['seats']:,.0f} seats a year, border removals "
            f"included; at {per_flight:,.0f} people a flight that is the fewest flights "
            f"(full aircraft), {_more(ours_flights, theirs, 'AAF scaled to this goal')}. "
            "Both return Mexicans over land.",
        )
    return out


@dataclass(frozen=True)
class Trace:
    """One assumption of a study set beside the model's, on the run's basis: the component it
    prices, the study's figure per removal (from its report) and the model's, and what the
    difference adds to the study's yearly cost over the model's at this goal."""

    study: str
    component: str
    theirs: float  # USD per removal, in the dollars of the run's start
    ours: float  # USD per removal
    basis: str  # where in the study's report the figure is (TRACED says which report)
    effect: float  # USD a year: (theirs - ours) x the run's removals
    assumption: str = ""  # the study's assumption behind its figure, in words
    ours_assumption: str = ""  # the model's, on the run's basis

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


CAP_COMPONENTS = (
    # component, CAP 2010's figure (FY2008 dollars a removal), the report's page, model columns
    ("arrest", "model_cap2010_cost_per_apprehension", "p. 6", ("cost_arrest",)),
    ("detention", "model_cap2010_detention_cost_per_person_30d", "p. 8", ("cost_detention",)),
    ("courts", "model_cap2010_cost_per_proceeding", "p. 10", ("cost_court",)),
    ("transport", None, "p. 11", ("cost_removal",)),
)
"""CAP 2010's four stages, each one figure per person removed (its total, $23,482, is their
sum); transport is $1,000 a person (p. 11), the remainder of the total."""
AIC_COMPONENTS = (
    ("arrest", "economy.studies.aic2024.arrest", ("cost_arrest",)),
    ("detention", "economy.studies.aic2024.detention", ("cost_detention",)),
    ("courts", "economy.studies.aic2024.legal_processing", ("cost_court",)),
    ("transport", "economy.studies.aic2024.removal", ("cost_removal",)),
)
"""AIC 2024's yearly cost of a million removals by component (the tree's leaves, USD a year in
2024 dollars), and the model's cost columns they compare with."""
TRACED = {
    "CAP 2010": "ICE's FY2008 budget for each stage per person (The Costs of Mass Deportation)",
    "AIC 2024": "Mass Deportation: Devastating Costs to America, Its Budget and Economy "
    "(October 2024), a million removals a year by component (its table as quoted), with the "
    "report's own unit costs of an arrest and a removal flight hour",
    "PWBM 2025": "Mass Deportation of Unauthorized Immigrants: Fiscal and Economic Effects "
    "(2025-07-28), its key points and cost per deportee",
    "AAF 2015": "The Budgetary and Economic Costs of Addressing Unauthorized Immigration "
    "(March 2015), its deportation cost by stage",
    "AAF 2016": "The Personnel and Infrastructure Needed to Remove All Undocumented Immigrants "
    "in Two Years (its capacities, priced at the model's unit costs)",
}
"""The studies traced component by component, and where their figures come from."""
OURS_ONLY = ("cost_atd", "cost_overhead", "cost_capital")
"""Components the model prices that neither study lists apart (alternatives to detention,
ICE's mission support, capital for new beds)."""


def trace_assumptions(
    result: RequiredCapacity, tree: ParameterTree, at: dt.date, figures: Path
) -> list[Trace]:
    """CAP 2010 and AIC 2024 restated component by component on the run's basis (its removals,
    the dollars of its start): each study's cost per removal beside the model's, and the part of
    the gap between their totals each makes. The effects of a study add up to its restated total
    less the model's."""
    estimates = model_estimates(figures)
    costs = result.cost_by_component
    removals = max(float(result.volumes.get("removals", result.removals_per_year)), 1.0)
    out: list[Trace] = []

    def per_removal(columns: tuple[str, ...]) -> float:
        return sum(costs.get(c, 0.0) for c in columns) / removals

    model = _model_basis(result, tree, at, removals)

    def rest(study: str, basis: str) -> None:
        ours = per_removal(OURS_ONLY)
        out.append(
            Trace(
                study,
                "other",
                0.0,
                ours,
                basis,
                -ours * removals,
                "not listed",
                model["other"],
            )
        )

    total = estimates.get("model_cap2010_cost_per_deportation")
    if total is not None:
        cap = study_dollars(tree, "economy.studies.cap2010.dollar_year", at)
        listed = 0.0
        for component, metric, page, columns in CAP_COMPONENTS:
            if metric is None:
                theirs = total.value - listed  # transport: the rest of the total
            elif metric in estimates:
                theirs = estimates[metric].value
            else:
                continue
            listed += theirs
            out.append(
                Trace(
                    "CAP 2010",
                    component,
                    theirs * cap,
                    per_removal(columns),
                    f"report {page}",
                    (theirs * cap - per_removal(columns)) * removals,
                    f"${theirs:,.0f} a removal in FY2008 dollars: ICE's FY2008 spending on the "
                    f"stage over that year's volume ({page})",
                    model[component],
                )
            )
        rest("CAP 2010", "")
    out += _aic_trace(result, tree, at, removals, model)
    out += _pwbm_trace(result, tree, at, estimates, removals)
    out += _aaf2015_trace(result, tree, at, removals)
    out += _aaf_trace(result, tree, at, estimates, removals)
    return out


AIC_UNITS = {
    "arrest": "; the report prices an arrest at large at ${at_large:,.0f} on average",
    "detention": "; building and running the beds a million a year need",
    "courts": "; immigration courts, judges and attorneys",
    "transport": "; every removal flown on a charter at ${flight_hour:,.0f} a flight hour "
    "(ICE's acting director, 2023), none on commercial flights",
}
"""What the AIC report says behind each component, with the tree's values filled in."""


def _aic_trace(
    result: RequiredCapacity,
    tree: ParameterTree,
    at: dt.date,
    removals: float,
    model: dict[str, str],
) -> list[Trace]:
    """American Immigration Council 2024 on the run's basis: each component of its yearly cost
    of a million removals (``economy.studies.aic2024.*``) over its million is a cost per
    removal, restated from its 2024 dollars to the run's start, beside the model's; the model's
    own components it does not list count against it. The effects add up to AIC's four
    components less the model's total, at the run's removals."""
    costs = result.cost_by_component
    theirs_removals = study(tree, "economy.studies.aic2024.removals_per_year")
    restate = study_dollars(tree, "economy.studies.aic2024.dollar_year", at)
    units = {
        "at_large": study(tree, "economy.studies.aic2024.at_large_arrest_cost"),
        "flight_hour": study(tree, "economy.studies.aic2024.flight_cost_per_hour"),
    }
    out: list[Trace] = []
    listed = 0.0
    for component, leaf, columns in AIC_COMPONENTS:
        total = study(tree, leaf)
        listed += total
        theirs = total / theirs_removals * restate
        ours = sum(costs.get(c, 0.0) for c in columns) / removals
        out.append(
            Trace(
                "AIC 2024",
                component,
                theirs,
                ours,
                "",
                (theirs - ours) * removals,
                f"${total / 1e9:,.1f} billion a year for {theirs_removals / 1e6:,.0f} million "
                f"removals a year ({study(tree, 'economy.studies.aic2024.dollar_year'):.0f} dollars)"
                f"{AIC_UNITS[component].format(**units)}",
                model[component],
            )
        )
    headline = study(tree, "economy.studies.aic2024.annual_total")
    ours_other = sum(costs.get(c, 0.0) for c in OURS_ONLY) / removals
    out.append(
        Trace(
            "AIC 2024",
            "other",
            0.0,
            ours_other,
            "",
            -ours_other * removals,
            f"not listed (its four components make ${listed / 1e9:,.1f} billion of its "
            f"${headline / 1e9:,.0f} billion a year)",
            model["other"],
        )
    )
    return out


def _model_basis(
    result: RequiredCapacity, tree: ParameterTree, at: dt.date, removals: float
) -> dict[str, str]:
    """What drives the model's cost per removal of each component, in words, on the run's
    basis: the capacities it used and the unit costs of its start."""

    def unit(key: str) -> float:
        return float(tree.get(key, at))

    costs, volumes = result.cost_by_component, result.volumes
    required = {name: float(level.required) for name, level in result.capacities.items()}
    judge = unit("courts.process.cost_per_judge_year") + unit(
        "courts.process.trial_attorneys_per_judge"
    ) * unit("courts.process.trial_attorney_cost_per_year")
    day = bed_day_at(tree, at)
    bed_days = costs.get("cost_detention", 0.0) / day
    flown = volumes.get("removals_air", 0.0) / max(removals, 1.0)
    return {
        "arrest": f"{required['officers']:,.0f} officers at "
        f"${unit('enforcement.effort.cost_per_officer_year'):,.0f} a year",
        "detention": f"{bed_days / removals:,.0f} bed-days per removal at ${day:,.2f}",
        "courts": f"{required['judges']:,.0f} judges at ${judge:,.0f} a year with ICE's trial "
        "attorneys",
        "transport": f"{flown:.0%} of removals flown at "
        f"${unit('removal.air_cost_per_person'):,.0f} a seat, the rest over land at "
        f"${unit('removal.logistics.land_cost_per_person'):,.0f}",
        "other": "alternatives to detention, ICE's mission support and new beds' capital",
    }


def _gone(result: RequiredCapacity) -> float:
    """People gone a year at this goal: interior removals and those who left on their own
    (effects.LEFT: voluntary returns after arrest, CBP Home's departures), the people the
    effects count; border removals are not residents."""
    volumes = result.volumes
    return float(volumes.get("removals_interior", 0.0)) + left_of(volumes)


def _pwbm_trace(
    result: RequiredCapacity,
    tree: ParameterTree,
    at: dt.date,
    estimates: dict[str, Estimate],
    removals: float,
) -> list[Trace]:
    """Penn Wharton 2025 on the run's basis: its cost per deportee against the model's cost
    per removal, and its GDP loss per person gone (the 10-year policy: everyone removed by
    2034, GDP 3.3% lower that year) against the model's output lost per person gone. The
    GDP effect is a difference in output, not in cost: its row says so."""
    out: list[Trace] = []
    per_removal = sum(result.cost_by_component.values()) / removals
    cost = estimates.get("model_pwbm2025_cost_per_deportee")
    if cost is not None:
        theirs = cost.value * study_dollars(tree, "economy.studies.pwbm2025.dollar_year", at)
        out.append(
            Trace(
                "PWBM 2025",
                "cost per removal",
                theirs,
                per_removal,
                "",
                (theirs - per_removal) * removals,
                "an average of AIC's and AAF's full costs per deportee, one-time building included",
                "the yearly cost of the capacities this run used, new beds' capital spread over "
                + capital_life(tree, at),
            )
        )
    gdp = estimates.get("model_pwbm2025_gdp_effect_10yr_policy")
    gone = _gone(result)
    if gdp is not None and result.effects is not None and gone > 0:
        year = int(tree.get("prices.base_year", at))
        day = dt.date(year, 12, 31)
        people = float(tree.get(POPULATION, day))
        output = float(tree.get("economy.gdp", day)) * dollars_of(tree, year, at)
        theirs = abs(gdp.value) * output / people
        ours = result.effects.output_lost.central / gone
        out.append(
            Trace(
                "PWBM 2025",
                "GDP lost a year per person gone",
                theirs,
                ours,
                "",
                (theirs - ours) * gone,
                f"GDP {abs(gdp.value):.1%} lower in 2034 with every unauthorized immigrant "
                f"gone ({people / 1e6:,.1f} million, Pew) and new entries prevented, "
                f"on {year}'s GDP",
                "each worker gone loses CAP 2016's long-run output per worker, at Pew's "
                "employment rate (effect: output, not cost)",
            )
        )
    return out


AAF2015_STAGES = (
    ("arrest", "economy.studies.aaf2015.apprehension", ("cost_arrest",)),
    ("detention", "economy.studies.aaf2015.detention", ("cost_detention",)),
    ("courts", "economy.studies.aaf2015.legal_processing", ("cost_court",)),
    ("transport", "economy.studies.aaf2015.transportation", ("cost_removal",)),
)
"""AAF 2015's stages (its Table 1), the tree's leaf for each, and the model's cost columns
they compare with."""


def _aaf2015_trace(
    result: RequiredCapacity, tree: ParameterTree, at: dt.date, removals: float
) -> list[Trace]:
    """American Action Forum 2015 on the run's basis, from its report's Table 1: each stage's
    cost of removing everyone over the people it removes is its cost per removal (2015
    dollars, restated to the run's start), beside the model's; apprehension at its lower
    estimate (the upper one named). Its totals are one-time costs spread over its 20 years of
    removals, so they are a cost per removal, as the model's yearly cost over its removals is."""
    people = study(tree, "economy.studies.aaf2015.removals")
    restate = study_dollars(tree, "economy.studies.aaf2015.dollar_year", at)
    model = _model_basis(result, tree, at, removals)
    costs = result.cost_by_component
    upper = study(tree, "economy.studies.aaf2015.apprehension_upper")
    out = []
    for component, leaf, columns in AAF2015_STAGES:
        total = study(tree, leaf)
        theirs = total / people * restate
        ours = sum(costs.get(c, 0.0) for c in columns) / removals
        note = f" (upper estimate ${upper / 1e9:,.1f} billion)" if component == "arrest" else ""
        out.append(
            Trace(
                "AAF 2015",
                component,
                theirs,
                ours,
                "Table 1",
                (theirs - ours) * removals,
                f"${total / 1e9:,.1f} billion{note} for {people / 1e6:,.1f} million people "
                "removed, 2015 dollars",
                model[component],
            )
        )
    ours_other = sum(costs.get(c, 0.0) for c in OURS_ONLY) / removals
    out.append(
        Trace(
            "AAF 2015",
            "other",
            0.0,
            ours_other,
            "",
            -ours_other * removals,
            "not listed",
            model["other"],
        )
    )
    return out


POPULATION = "population.unauthorized_total_pew"
"""Whose count of the unauthorized population restates a study's share of everyone (Penn
Wharton removes a tenth of them a year): Pew's, the latest vintage in the tree."""


def _aaf_trace(
    result: RequiredCapacity,
    tree: ParameterTree,
    at: dt.date,
    estimates: dict[str, Estimate],
    removals: float,
) -> list[Trace]:
    """American Action Forum 2016 on the run's basis: each capacity it says two years of
    removing everyone needs (officers, beds, courts, charter flights), per removal, priced at
    the model's unit costs of the run's start, beside what the model's capacities cost per
    removal; the effect is the difference x the run's removals. A court is read as one judge
    with its trial attorneys, a flight as a full aircraft."""
    needed = {
        "arrest": "model_aaf2016_apprehension_personnel",
        "detention": "model_aaf2016_detention_beds_needed",
        "courts": "model_aaf2016_immigration_courts",
        "transport": "model_aaf2016_charter_flights_per_year",
    }
    if not all(metric in estimates for metric in needed.values()):
        return []

    def unit(key: str) -> float:
        return float(tree.get(key, at))

    # a court: a judge at EOIR's cost, with AAF's own federal attorneys per court at the
    # model's attorney-year (ICE's trial attorneys)
    attorneys = study(tree, "economy.studies.aaf2016.federal_attorneys")
    theirs_removals = study(tree, "economy.studies.aaf2016.removals_per_year")
    courts = estimates[needed["courts"]].value
    judge = unit("courts.process.cost_per_judge_year") + attorneys / courts * unit(
        "courts.process.trial_attorney_cost_per_year"
    )
    seats = unit("removal.persons_per_flight_max")
    priced = {  # USD a year for each unit of the capacity AAF counts
        "arrest": unit("enforcement.effort.cost_per_officer_year"),
        "detention": bed_day_at(tree, at) * DAYS_PER_YEAR,
        "courts": judge,
        "transport": unit("removal.air_cost_per_person") * seats,
    }
    columns = {
        "arrest": ("cost_arrest",),
        "detention": ("cost_detention",),
        "courts": ("cost_court",),
        "transport": ("cost_removal",),
    }
    required = {name: float(level.required) for name, level in result.capacities.items()}
    ours_count = {
        "arrest": (required["officers"], "officers"),
        "detention": (required["beds"], "beds"),
        "courts": (required["judges"], "judges"),
        "transport": (required["seats"] / seats, "full flights"),
    }
    costs = result.cost_by_component
    out = []
    for component, metric in needed.items():
        count = estimates[metric].value
        theirs = count * priced[component] / theirs_removals
        ours = sum(costs.get(c, 0.0) for c in columns[component]) / removals
        mine, what = ours_count[component]
        extra = f" and {attorneys:,.0f} federal attorneys" if component == "courts" else ""
        out.append(
            Trace(
                "AAF 2016",
                component,
                theirs,
                ours,
                "",
                (theirs - ours) * removals,
                f"{count:,.0f} {estimates[metric].unit}{extra} for {theirs_removals / 1e6:,.2f} "
                f"million removals a year ({count / theirs_removals * 1e3:,.1f} per thousand)",
                f"{mine:,.0f} {what} for {removals / 1e6:,.2f} million "
                f"({mine / removals * 1e3:,.1f} per thousand)",
            )
        )
    return out
