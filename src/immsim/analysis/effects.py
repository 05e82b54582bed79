"""What removals cost in constant dollars, and what they do to the economy, the public purse and
families: a post-processing of a run's results (or of the required-capacity answer), never part
of the engine.

- Costs: the engine's nominal cost columns restated in dollars of ``prices.base_year`` with the
  CPI-U (fiscal year t priced at calendar year t).
- Workers: people removed from the interior, and people arrested who leave by voluntary return,
  times the employment rate of the unauthorized population (Pew; CAP's lower count as the band's
  low end). Border removals are people caught on arrival, not part of the workforce, and are left
  out; so is the background emigration a run has without enforcement.
- Output: the workers removed so far times the GDP lost a year per worker removed (CAP 2016 at
  once and in the long run, AAF 2015 with capital adjusting), so a run shows the loss growing as
  removals accumulate. Its path: each year's removals lose output at first at CAP's immediate
  rate, moving to the long-run rates with the time constant Penn Wharton's 2025 path implies
  (``economy.output_adjustment_years``); ``capacity`` gives a year of removals once adjusted.
- Taxes: the people removed (or gone by voluntary return) so far times the federal and the
  state and local taxes an unauthorized immigrant pays a year (ITEP 2024; AIC 2024's lower
  totals as the low end).
- Labour market: the U.S.-born workers' jobs lost beside the workers gone (EPI 2025 and East et
  al. 2019 from Secure Communities; the cost studies' zero as the low end), from everyone gone
  so far, like output.
- Workers by occupation and by industry: the workers gone split by Pew's occupation groups
  (2012) and by the industries AIC 2024 counts undocumented workers in (2022).
- Wages: Penn Wharton's 2025 wage responses (the average wage falls, authorized low-skilled
  wages rise), each for the whole unauthorized population gone, scaled by the share of the run's
  starting population gone; its 4-year and 10-year policies bound the band.
- Families: removed parents of U.S.-citizen children (the population's ``us_citizen_child``
  attribute, counted by the engine nationally and by area: the outcome ``removals_parents``)
  times the U.S.-citizen children per such parent (Pew); and
  the mixed-status households a removal reaches, removals times households per unauthorized
  resident (CMS 2024).

Where the studies disagree the effect is a :class:`Band` (low, central, high); the central value
is the one the band's name gives. Study values are in dollars of the year they are dated and are
restated in the base year's dollars before use.

Bands from parameter uncertainty: each uncertain input (a unit cost with an ``interval_90`` in
the tree, a study rate with its ``_low`` / ``_high`` leaves) is drawn from a two-piece
distribution whose 5th and 95th percentiles are the interval's ends and whose median is the
central value (log-normal on each side, so a cost never goes below zero); inputs are drawn
independently. A quantity linear in one input takes that input's band scaled; a sum or a product
of several (the year's total cost, output lost = workers x output per worker) takes the 5th and
95th percentiles of its draws (:func:`cost_bands`, :meth:`Band.times`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np
import polars as pl

from immsim.dates import WEEKS_PER_YEAR
from immsim.engine.costs import COMPONENTS, LABELS, capital_per_year
from immsim.engine.results import Results
from immsim.outcomes import by_year
from immsim.parameters.loader import ParameterTree
from immsim.parameters.scales import split_normal

BAND_DRAWS = 20_000
"""Sampling setting, not a model quantity: draws per band; at this many the 5th and 95th
percentiles move by well under 1% between seeds."""
BAND_SEED = 23
"""Sampling setting: the bands' draws are seeded, so a table prints the same band every time."""


def band_rng() -> np.random.Generator:
    """The seeded generator every band draws from (see BAND_SEED)."""
    return np.random.default_rng(BAND_SEED)


def base_year(tree: ParameterTree, at: dt.date) -> int:
    """The year whose dollars constant-dollar figures are stated in."""
    return int(tree.get("prices.base_year", at))


def dollars_of(tree: ParameterTree, year: int, day: dt.date) -> float:
    """What a dollar of ``year`` (a calendar year, or a fiscal year priced at the calendar year
    it mostly falls in) is worth in dollars of ``day``: CPI-U(day) / CPI-U(year)."""
    cpi = "prices.cpi_u"
    return float(tree.get(cpi, day)) / float(tree.get(cpi, dt.date(year, 7, 1)))


def to_base_dollars(tree: ParameterTree, year: int, at: dt.date) -> float:
    """What a dollar of ``year`` is worth in dollars of the base year."""
    return dollars_of(tree, year, dt.date(base_year(tree, at), 7, 1))


def _study_value(tree: ParameterTree, key: str, at: dt.date) -> float:
    """A study's value in base-year dollars (the latest in force in the base year; it is in
    dollars of the year it is dated)."""
    entry = tree.entry(key, dt.date(base_year(tree, at), 12, 31))
    return float(entry.value) * to_base_dollars(tree, entry.start.year, at)


def _share(tree: ParameterTree, key: str, at: dt.date) -> float:
    """A study's rate (a share or a ratio, in no year's dollars) in force in the base year: the
    studies are dated after many runs' starts, and their rates describe today's population."""
    return float(tree.entry(key, dt.date(base_year(tree, at), 12, 31)).value)


def _band(tree: ParameterTree, central_key: str, low_key: str, at: dt.date) -> Band:
    """A study rate and its low end (the lower study's figure; the central is the higher)."""
    central = _share(tree, central_key, at)
    return Band(_share(tree, low_key, at), central, central)


@dataclass(frozen=True)
class Band:
    """An effect where the studies disagree: their lowest, central and highest reading."""

    low: float
    central: float
    high: float

    def scaled(self, factor: float) -> Band:
        return Band(self.low * factor, self.central * factor, self.high * factor)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    def draw(self, rng: np.random.Generator, n: int = BAND_DRAWS) -> np.ndarray:
        """``n`` draws whose median is the central value and whose 5th and 95th percentiles
        are the band's ends: log-normal on each side of the centre (normal if an end is not
        positive); an end equal to the centre makes that side certain."""
        z = rng.standard_normal(n)
        if self.low > 0 and self.central > 0:
            logs = np.log(self.low / self.central), np.log(self.high / self.central)
            return np.asarray(self.central * np.exp(split_normal(z, 0.0, *logs)))
        return split_normal(z, self.central, self.low, self.high)

    @classmethod
    def of_draws(cls, central: float, draws: np.ndarray) -> Band:
        """The 90% band of ``draws`` around ``central`` (the value at every input's centre)."""
        low, high = (float(q) for q in np.percentile(draws, [5.0, 95.0]))
        return cls(min(low, central), central, max(high, central))

    def times(self, other: Band, rng: np.random.Generator) -> Band:
        """The band of the product of two independent uncertain quantities."""
        return Band.of_draws(self.central * other.central, self.draw(rng) * other.draw(rng))

    @classmethod
    def of_entry(cls, tree: ParameterTree, key: str, day: dt.date) -> Band:
        """The value in force on ``day`` and its 90% interval (the value itself, certain, if
        the tree gives none)."""
        entry = tree.entry(key, day)
        value = float(entry.value)
        low, high = entry.interval_90 or (value, value)
        return cls(float(low), value, float(high))


OCCUPATIONS: dict[str, str] = {
    "service": "economy.occupation_share.service",
    "construction and extraction": "economy.occupation_share.construction",
    "production, installation, repair": "economy.occupation_share.production",
    "transportation, material moving": "economy.occupation_share.transportation",
    "management and professional": "economy.occupation_share.management_professional",
    "sales and office": "economy.occupation_share.sales_office",
    "farming, fishing, forestry": "economy.occupation_share.farming",
}
"""Pew's occupation groups of unauthorized workers, as tables name them, and their share leaves."""

INDUSTRIES: dict[str, str] = {
    "construction": "economy.industry_share.construction",
    "hospitality": "economy.industry_share.hospitality",
    "professional services": "economy.industry_share.professional_services",
    "manufacturing": "economy.industry_share.manufacturing",
    "retail trade": "economy.industry_share.retail_trade",
    "general services": "economy.industry_share.general_services",
    "transportation, warehousing": "economy.industry_share.transportation_warehousing",
    "agriculture": "economy.industry_share.agriculture",
    "wholesale trade": "economy.industry_share.wholesale_trade",
    "mining and extraction": "economy.industry_share.mining",
    "other industries": "economy.industry_share.other",
}
"""The industries undocumented workers work in (AIC 2024, 2022 data), as tables name them, and
their share leaves: the workers gone by industry, beside Pew's occupation groups."""


@dataclass(frozen=True)
class Rates:
    """The cited per-person rates every effect multiplies, in base-year dollars."""

    employment: Band
    output_per_worker: Band  # USD a year, base-year dollars
    federal_taxes: Band  # USD a year per person
    state_local_taxes: Band  # USD a year per person
    children_per_parent: float
    base_year: int
    us_born_jobs: Band = Band(0.0, 0.0, 0.0)  # U.S.-born jobs lost per person gone
    households_per_person: float = 0.0  # mixed-status households per unauthorized resident
    occupations: tuple[tuple[str, float], ...] = ()  # Pew's groups and their shares
    industries: tuple[tuple[str, float], ...] = ()  # AIC's industries and their shares
    adjustment_years: float = 0.0  # time constant of the output loss's path (PWBM 2025)
    average_wage_loss: Band = Band(0.0, 0.0, 0.0)  # share, the whole population gone
    low_skilled_wage_gain: Band = Band(0.0, 0.0, 0.0)  # share, the whole population gone

    def output_after(self, adjusted: float) -> Band:
        """The output lost per worker gone when a share ``adjusted`` of the economy's
        adjustment has happened: from the immediate loss (the band's low end, CAP 2016 at once)
        towards the long-run central and high ends, the low end staying where it starts."""
        out = self.output_per_worker
        return Band(
            out.low,
            out.low + (out.central - out.low) * adjusted,
            out.low + (out.high - out.low) * adjusted,
        )

    def adjusted(self, years: float) -> float:
        """The share of the adjustment done ``years`` after a removal (exponential approach)."""
        return 1.0 - math.exp(-years / self.adjustment_years) if self.adjustment_years else 1.0

    @classmethod
    def read(cls, tree: ParameterTree, at: dt.date) -> Rates:
        rate = _share(tree, "economy.employment_rate", at)
        federal = _study_value(tree, "economy.federal_taxes_per_person", at)
        local = _study_value(tree, "economy.state_local_taxes_per_person", at)
        return cls(
            employment=Band(_share(tree, "economy.employment_rate_low", at), rate, rate),
            output_per_worker=Band(
                _study_value(tree, "economy.output_per_worker_low", at),
                _study_value(tree, "economy.output_per_worker", at),
                _study_value(tree, "economy.output_per_worker_high", at),
            ),
            federal_taxes=Band(
                _study_value(tree, "economy.federal_taxes_per_person_low", at), federal, federal
            ),
            state_local_taxes=Band(
                _study_value(tree, "economy.state_local_taxes_per_person_low", at), local, local
            ),
            children_per_parent=_share(tree, "economy.usc_children_per_parent", at),
            base_year=base_year(tree, at),
            us_born_jobs=Band(
                _share(tree, "economy.us_born_jobs_per_person_gone_low", at),
                _share(tree, "economy.us_born_jobs_per_person_gone", at),
                _share(tree, "economy.us_born_jobs_per_person_gone_high", at),
            ),
            households_per_person=_share(tree, "economy.mixed_status_households_per_person", at),
            occupations=tuple((name, _share(tree, key, at)) for name, key in OCCUPATIONS.items()),
            industries=tuple((name, _share(tree, key, at)) for name, key in INDUSTRIES.items()),
            adjustment_years=_share(tree, "economy.output_adjustment_years", at),
            average_wage_loss=_band(
                tree, "economy.average_wage_loss", "economy.average_wage_loss_low", at
            ),
            low_skilled_wage_gain=_band(
                tree, "economy.low_skilled_wage_gain", "economy.low_skilled_wage_gain_low", at
            ),
        )


@dataclass(frozen=True)
class Effects:
    """The effects of ``removed`` interior removals (``parents`` of them parents of U.S.-citizen
    children) and of ``left`` voluntary returns after arrest: the workers they were (and by
    Pew's occupation groups), the output and taxes lost a year once they are gone (in base-year
    dollars), the U.S.-born workers' jobs lost beside them, the U.S.-citizen children who lost a
    parent to a removal and the mixed-status households a removal reached (voluntary returns
    are not broken down by family).

    Areas: every effect here is per person removed, so an area's effects are ``Effects.of`` of
    that area's removals and parents, with the same ``Rates``; :func:`families_by_area` gives
    the family counts by area from the by-area table (its parents the engine's own by area)."""

    removed: float
    left: float
    parents: float
    workers: Band
    output_lost: Band
    federal_taxes_lost: Band
    state_local_taxes_lost: Band
    usc_children: float
    base_year: int
    us_born_jobs_lost: Band = Band(0.0, 0.0, 0.0)
    mixed_status_households: float = 0.0
    workers_by_occupation: tuple[tuple[str, Band], ...] = ()
    workers_by_industry: tuple[tuple[str, Band], ...] = ()
    average_wage_change: Band = Band(0.0, 0.0, 0.0)  # share of the wage (negative: a fall)
    low_skilled_wage_change: Band = Band(0.0, 0.0, 0.0)  # authorized low-skilled workers

    @classmethod
    def of(
        cls,
        removed: float,
        parents: float,
        rates: Rates,
        left: float = 0.0,
        population: float = 0.0,
    ) -> Effects:
        """The effects and their 90% bands: workers and taxes are linear in one study rate each
        (its band scaled); output lost multiplies two (drawn, see the module's note). Wages move
        with the share of the ``population`` (the unauthorized population at the start) gone;
        without a population they are left at zero."""
        gone = removed + left
        workers = rates.employment.scaled(gone)
        share = gone / population if population > 0 else 0.0
        loss = rates.average_wage_loss.scaled(-share)
        return cls(
            removed=removed,
            left=left,
            parents=parents,
            workers=workers,
            output_lost=workers.times(rates.output_per_worker, band_rng()),
            federal_taxes_lost=rates.federal_taxes.scaled(gone),
            state_local_taxes_lost=rates.state_local_taxes.scaled(gone),
            usc_children=parents * rates.children_per_parent,
            base_year=rates.base_year,
            us_born_jobs_lost=rates.us_born_jobs.scaled(gone),
            mixed_status_households=removed * rates.households_per_person,
            workers_by_occupation=tuple(
                (name, workers.scaled(part)) for name, part in rates.occupations
            ),
            workers_by_industry=tuple(
                (name, workers.scaled(part)) for name, part in rates.industries
            ),
            average_wage_change=Band(loss.high, loss.central, loss.low),  # a fall: ends swap
            low_skilled_wage_change=rates.low_skilled_wage_gain.scaled(share),
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parents_removed(results: Results) -> pl.DataFrame:
    """Interior removals of parents of U.S.-citizen children, by fiscal year (the outcome
    ``removals_parents``, as :mod:`immsim.outcomes` defines it)."""
    return by_year(results, (PARENTS,)).select(
        pl.col("fiscal_year").cast(pl.Int64), pl.col(PARENTS).cast(pl.Float64).alias("parents")
    )


PARENTS = "removals_parents"
"""The outcome counting the parents of U.S.-citizen children removed, nationally and by area."""


CAPITAL = "cost_capital"
"""The yearly charge of the detention beds a run brings into service (:func:`capital_by_year`):
not a weekly operating cost, so not in the weekly table nor in the outcome ``cost``."""
ALL_COSTS = (*COMPONENTS, CAPITAL)
"""Every cost a year of a run carries: the operating components and the new beds' capital."""


def _in_force(results: Results, key: str, day: dt.date) -> float:
    """A leaf's value in force on ``day`` as the run used it (its manifest: the scenario's
    reform included), so that what a run is charged follows the run, whatever tree prices it."""
    values = results.manifest["parameters"][key]["values"]
    found = [v for v in values if dt.date.fromisoformat(v["from"]) <= day] or values[:1]
    return float(found[-1]["value"])


def capital_by_year(results: Results) -> pl.DataFrame:
    """Each fiscal year's capital charge (``cost_capital``, nominal dollars) of the detention
    beds the run brings into service above those funded at its start: a week's new beds are the
    most beds funded so far less the start's (a bed built stays paid for when funding falls),
    priced at the cost per bed and life in force that week (``engine.costs.capital_per_year``),
    a week's share of the yearly charge. The same charge ``capacity`` adds for the beds its
    answer needs above today's, so a reform or a lever that funds more beds carries it in
    ``run``, ``compare``, the report and the web app too."""
    beds = "detention.funded_beds"
    weeks = results.weekly.select("fiscal_year", "date").to_dicts()
    start = _in_force(results, beds, weeks[0]["date"]) if weeks else 0.0
    most = start
    charge = []
    for week in weeks:
        day = week["date"]
        most = max(most, _in_force(results, beds, day))
        yearly = capital_per_year(
            most - start,
            _in_force(results, "detention.capital_cost_per_bed", day),
            _in_force(results, "detention.capital_life_years", day),
        )
        charge.append(yearly / WEEKS_PER_YEAR)
    return (
        pl.DataFrame(
            {
                "fiscal_year": [w["fiscal_year"] for w in weeks],
                CAPITAL: pl.Series(charge, dtype=pl.Float64),
            }
        )
        .group_by("fiscal_year")
        .agg(pl.col(CAPITAL).sum())
    )


def costs_by_year(results: Results, tree: ParameterTree, at: dt.date) -> pl.DataFrame:
    """Each fiscal year's cost by component in nominal dollars, the operating total (``cost``,
    the outcome), the new beds' capital (``cost_capital``, :func:`capital_by_year`), the whole
    (``cost_total``), the factor to base-year dollars and the whole in them
    (``cost_constant``)."""
    years = (
        results.weekly.group_by("fiscal_year")
        .agg(pl.col(c).sum() for c in COMPONENTS)
        .with_columns(pl.sum_horizontal(*COMPONENTS).alias("cost"))
        .join(capital_by_year(results), on="fiscal_year", how="left")
        .with_columns(pl.col(CAPITAL).fill_null(0.0))
        .with_columns((pl.col("cost") + pl.col(CAPITAL)).alias("cost_total"))
        .sort("fiscal_year")
    )
    factors = [to_base_dollars(tree, int(y), at) for y in years["fiscal_year"].to_list()]
    return years.with_columns(pl.Series("to_base", factors, dtype=pl.Float64)).with_columns(
        (pl.col("cost_total") * pl.col("to_base")).alias("cost_constant")
    )


LEFT = ("voluntary_returns", "cbp_home_departures")
"""The weekly columns of the people the effects count as gone beside the removed: those who
left by voluntary return after an arrest, and those who left through CBP Home's paid
self-departure (from 2025). Both leave the country and its labour force as a removal does; the
one definition for every output that counts people gone (the run's effects by year, the
capacity answer's, the published comparison's)."""


def left_of(volumes: Mapping[str, float]) -> float:
    """People gone other than by removal, from a run's totals by column (:data:`LEFT`; a run
    saved before a column existed has none of it)."""
    return float(sum(volumes.get(column, 0.0) for column in LEFT))


def effects_by_year(results: Results, tree: ParameterTree, at: dt.date) -> list[Effects]:
    """Each fiscal year's effects: workers removed, children who lost a parent and mixed-status
    households reached that year; output, taxes and U.S.-born jobs lost that year from everyone
    removed since the run began (a removal keeps costing them in every later year)."""
    rates = Rates.read(tree, at)
    population = float(results.manifest.get("population", {}).get("people", 0.0))
    left = [column for column in LEFT if column in results.weekly.columns]
    removed = (
        results.weekly.group_by("fiscal_year")
        .agg(pl.col("removals_interior").sum(), *(pl.col(column).sum() for column in left))
        .join(parents_removed(results), on="fiscal_year", how="left")
        .fill_null(0.0)
        .sort("fiscal_year")
    )
    out: list[Effects] = []
    cohorts: list[float] = []  # people gone in each year so far
    for row in removed.to_dicts():
        year = Effects.of(
            float(row["removals_interior"]),
            float(row["parents"]),
            rates,
            left=left_of(row),
        )
        cohorts.append(year.removed + year.left)
        so_far = sum(cohorts)
        # the GDP path: each year's cohort has been gone half a year longer than whole years
        # since it left, and its output loss has adjusted that far towards the long run
        ages = [len(cohorts) - i - 0.5 for i in range(len(cohorts))]
        adjusted = sum(n * rates.adjusted(a) for n, a in zip(cohorts, ages, strict=True))
        path = replace(rates, output_per_worker=rates.output_after(adjusted / max(so_far, 1.0)))
        stock = Effects.of(so_far, 0.0, path, population=population)
        out.append(
            replace(
                year,
                output_lost=stock.output_lost,
                federal_taxes_lost=stock.federal_taxes_lost,
                state_local_taxes_lost=stock.state_local_taxes_lost,
                us_born_jobs_lost=stock.us_born_jobs_lost,
                average_wage_change=stock.average_wage_change,
                low_skilled_wage_change=stock.low_skilled_wage_change,
            )
        )
    return out


PERCENT = "% of the wage"
"""The unit of a wage response as tables show it: :func:`effect_rows` gives it in percent."""

EFFECT_METRICS: dict[str, tuple[str, str]] = {
    "cost_constant": ("cost, new beds' capital included", "base-year USD"),
    **{f"{c}_constant": (LABELS[c], "base-year USD") for c in ALL_COSTS},
    "workers": ("workers removed or leaving", "workers"),
    "output_lost": ("GDP lost a year", "base-year USD"),
    "federal_taxes_lost": ("federal taxes no longer paid", "base-year USD"),
    "state_local_taxes_lost": ("state and local taxes no longer paid", "base-year USD"),
    "us_born_jobs_lost": ("U.S.-born workers' jobs lost", "jobs"),
    "parents": ("parents of U.S.-citizen children removed", "parents"),
    "usc_children": ("U.S.-citizen children who lost a parent", "children"),
    "mixed_status_households": ("mixed-status households reached", "households"),
    "average_wage_change": ("average wage", PERCENT),
    "low_skilled_wage_change": ("authorized low-skilled wages", PERCENT),
}
"""The costs and effects each year of a run carries into ``compare`` (:func:`effect_rows`):
name, label and unit. An effect where the studies disagree also has its band's ends, the
name with ``_low`` and ``_high``. A change in wages is in percent of the wage (the
:class:`Effects` field is a share)."""
BANDED = frozenset(f.name for f in fields(Effects) if f.type in ("Band", Band))
"""The effects that are a :class:`Band` (the studies disagree), as :class:`Effects` declares."""


def effect_rows(results: Results, tree: ParameterTree, at: dt.date) -> list[dict[str, Any]]:
    """Each fiscal year's costs in base-year dollars (the total and by component) and its
    effects (:func:`effects_by_year`), one row per year and :data:`EFFECT_METRICS` name
    (``fiscal_year``, ``metric``, ``value``), a banded effect also as ``_low`` and ``_high``:
    what ``compare`` pairs draw by draw, so that a difference in costs, GDP, taxes or families
    between two scenarios carries both the draws' band and the studies' range."""
    costs = costs_by_year(results, tree, at)
    rows: list[dict[str, Any]] = []
    for cost, effects in zip(costs.to_dicts(), effects_by_year(results, tree, at), strict=True):
        year = int(cost["fiscal_year"])
        values: dict[str, float] = {"cost_constant": float(cost["cost_constant"])}
        values.update({f"{c}_constant": float(cost[c] * cost["to_base"]) for c in ALL_COSTS})
        for name in EFFECT_METRICS:
            if name in values:
                continue
            effect = getattr(effects, name)
            if EFFECT_METRICS[name][1] == PERCENT:
                effect = effect.scaled(100.0)  # a share of the wage, shown in percent
            if isinstance(effect, Band):
                values.update({name: effect.central, f"{name}_low": effect.low})
                values[f"{name}_high"] = effect.high
            else:
                values[name] = float(effect)
        rows += [{"fiscal_year": year, "metric": m, "value": v} for m, v in values.items()]
    return rows


FAMILY_COUNTS = {
    "parents": "parents",
    "usc_children": "USC children",
    "mixed_status_households": "households",
}
"""The family counts :func:`families_by_area` gives, and how a narrow table heads them."""


def families_by_area(
    results: Results,
    tree: ParameterTree,
    at: dt.date,
    by_area: pl.DataFrame | None = None,
) -> pl.DataFrame | None:
    """The family effects by area and fiscal year (``area``, ``fiscal_year``, ``parents``,
    ``usc_children``, ``mixed_status_households``), from the by-area table (``by_area``, by
    default :func:`immsim.analysis.areas.results_by_area`); None while the run carries no areas.

    Each area's parents are its own removed parents of U.S.-citizen children, which the engine
    tallies by area (the outcome ``removals_parents``), so an area whose people are more often
    parents loses more parents per removal; its children follow per parent, its mixed-status
    households per person removed, as nationally. A by-area table without the column (one made
    before the engine told parents by area) gives each area's interior removals the nation's
    share of parents that year, as this did before."""
    from immsim.analysis.areas import results_by_area

    areas = results_by_area(results) if by_area is None else by_area
    if areas is None or "removals_interior" not in areas.columns:
        return None
    rates = Rates.read(tree, at)
    areas = areas.with_columns(pl.col("fiscal_year").cast(pl.Int64))
    if PARENTS not in areas.columns:
        areas = areas.join(_nation_share(results), on="fiscal_year", how="left").with_columns(
            (pl.col("removals_interior") * pl.col("share").fill_null(0.0)).alias(PARENTS)
        )
    parents = pl.col(PARENTS).cast(pl.Float64)
    return areas.select(
        "area",
        "fiscal_year",
        parents.alias("parents"),
        (parents * rates.children_per_parent).alias("usc_children"),
        (pl.col("removals_interior") * rates.households_per_person).alias(
            "mixed_status_households"
        ),
    ).sort("area", "fiscal_year")


def _nation_share(results: Results) -> pl.DataFrame:
    """Each fiscal year's parents of U.S.-citizen children per interior removal, nationally."""
    return (
        results.weekly.group_by("fiscal_year")
        .agg(pl.col("removals_interior").sum().alias("nation"))
        .with_columns(pl.col("fiscal_year").cast(pl.Int64))
        .join(parents_removed(results), on="fiscal_year", how="left")
        .select(
            "fiscal_year",
            (pl.col("parents").fill_null(0.0) / pl.col("nation")).fill_nan(0.0).alias("share"),
        )
    )


PRICED_BY: dict[str, tuple[str, ...]] = {
    "cost_arrest": ("enforcement.effort.cost_per_officer_year",),
    "cost_detention": ("detention.cost_per_bed_day",),
    "cost_atd": ("detention.alternatives_cost_per_day",),
    "cost_court": (
        "courts.process.cost_per_judge_year",
        "courts.process.trial_attorney_cost_per_year",
    ),
    "cost_removal": (
        "removal.logistics.land_cost_per_person",
        "removal.air_cost_per_person",
    ),
    "cost_capital": ("detention.capital_cost_per_bed",),
}
"""The unit costs each cost component is linear in (``engine.costs``); mission support is a
share of ICE's direct costs and moves with them."""


def cost_bands(
    costs: Mapping[str, float], land_removals: float, tree: ParameterTree, day: dt.date
) -> dict[str, Band]:
    """Each component's yearly cost (``costs``, the volumes of a run priced at the unit costs
    in force on ``day``) and the ``total`` with their 90% bands, the unit costs drawn from their
    intervals. A component paid by two unit costs is split as the run paid it: the courts by
    EOIR's cost per judge and the trial attorneys' (their cost a year times the attorneys per
    judge), transport by the ``land_removals`` at the
    land cost per person and the rest by air."""
    rng = band_rng()
    units = {key: Band.of_entry(tree, key, day) for keys in PRICED_BY.values() for key in keys}
    # one draw of each unit cost, relative to its central value, shared by every part it pays
    ratio = {key: unit.draw(rng) / unit.central for key, unit in units.items()}
    judge_key, attorney_key = PRICED_BY["cost_court"]
    land_key, _ = PRICED_BY["cost_removal"]
    judge = units[judge_key].central
    # the attorneys' cost per judge: their cost a year times the attorneys per judge
    attorney = units[attorney_key].central * float(
        tree.get("courts.process.trial_attorneys_per_judge", day)
    )
    attorneys = attorney / (judge + attorney)
    removal = costs.get("cost_removal", 0.0)
    land = min(1.0, land_removals * units[land_key].central / removal) if removal else 0.0
    shares = {"cost_court": (1.0 - attorneys, attorneys), "cost_removal": (land, 1.0 - land)}
    drawn: dict[str, np.ndarray] = {}
    for component, keys in PRICED_BY.items():
        weights = shares.get(component, (1.0,))
        factor = sum(w * ratio[k] for w, k in zip(weights, keys, strict=True))
        drawn[component] = costs.get(component, 0.0) * np.asarray(factor)
    # ICE's direct costs carry its mission support; the courts' EOIR part is the Justice
    # Department's and carries none (as in engine.costs.week_costs)
    direct = ("cost_arrest", "cost_detention", "cost_atd", "cost_removal")
    court = costs.get("cost_court", 0.0)
    ice = sum(costs.get(c, 0.0) for c in direct) + court * attorneys
    ice_drawn = sum(drawn[c] for c in direct) + court * attorneys * ratio[attorney_key]
    drawn["cost_overhead"] = costs.get("cost_overhead", 0.0) * np.asarray(ice_drawn) / max(ice, 1.0)
    out = {c: Band.of_draws(float(v), drawn[c]) for c, v in costs.items() if c in drawn}
    total = sum(drawn[c] for c in costs if c in drawn)
    out["total"] = Band.of_draws(float(sum(costs.values())), np.asarray(total))
    return out
