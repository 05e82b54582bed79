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
  removals accumulate.
- Taxes: the people removed (or gone by voluntary return) so far times the federal and the
  state and local taxes an unauthorized immigrant pays a year (ITEP 2024; AIC 2024's lower
  totals as the low end).
- Families: removed parents of U.S.-citizen children (the population's ``us_citizen_child``
  attribute, counted by the engine) times the U.S.-citizen children per such parent (Pew).

Where the studies disagree the effect is a :class:`Band` (low, central, high); the central value
is the one the band's name gives. Study values are in dollars of the year they are dated and are
restated in the base year's dollars before use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, replace
from typing import Any

import polars as pl

from immsim.engine.costs import COMPONENTS
from immsim.engine.results import Results
from immsim.parameters.loader import ParameterTree


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


@dataclass(frozen=True)
class Rates:
    """The cited per-person rates every effect multiplies, in base-year dollars."""

    employment: Band
    output_per_worker: Band  # USD a year, base-year dollars
    federal_taxes: Band  # USD a year per person
    state_local_taxes: Band  # USD a year per person
    children_per_parent: float
    base_year: int

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
        )


@dataclass(frozen=True)
class Effects:
    """The effects of ``removed`` interior removals (``parents`` of them parents of U.S.-citizen
    children) and of ``left`` voluntary returns after arrest: the workers they were, the output
    and taxes lost a year once they are gone (in base-year dollars), and the U.S.-citizen
    children who lost a parent to a removal (voluntary returns are not broken down by family)."""

    removed: float
    left: float
    parents: float
    workers: Band
    output_lost: Band
    federal_taxes_lost: Band
    state_local_taxes_lost: Band
    usc_children: float
    base_year: int

    @classmethod
    def of(cls, removed: float, parents: float, rates: Rates, left: float = 0.0) -> Effects:
        gone = removed + left
        workers = rates.employment.scaled(gone)
        return cls(
            removed=removed,
            left=left,
            parents=parents,
            workers=workers,
            output_lost=Band(
                workers.low * rates.output_per_worker.low,
                workers.central * rates.output_per_worker.central,
                workers.high * rates.output_per_worker.high,
            ),
            federal_taxes_lost=rates.federal_taxes.scaled(gone),
            state_local_taxes_lost=rates.state_local_taxes.scaled(gone),
            usc_children=parents * rates.children_per_parent,
            base_year=rates.base_year,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parents_removed(results: Results) -> pl.DataFrame:
    """Interior removals of parents of U.S.-citizen children, by fiscal year."""
    rows = results.breakdown.filter(
        (pl.col("stage") == "removed")
        & (pl.col("attribute") == "us_citizen_child")
        & (pl.col("level") == "true")
    )
    return (
        rows.group_by("fiscal_year")
        .agg(pl.col("persons").sum().cast(pl.Float64).alias("parents"))
        .select(pl.col("fiscal_year").cast(pl.Int64), "parents")
    )


def costs_by_year(results: Results, tree: ParameterTree, at: dt.date) -> pl.DataFrame:
    """Each fiscal year's cost by component in nominal dollars, their total (``cost``), the
    factor to base-year dollars and the total in them (``cost_constant``)."""
    years = (
        results.weekly.group_by("fiscal_year")
        .agg(pl.col(c).sum() for c in COMPONENTS)
        .sort("fiscal_year")
        .with_columns(pl.sum_horizontal(*COMPONENTS).alias("cost"))
    )
    factors = [to_base_dollars(tree, int(y), at) for y in years["fiscal_year"].to_list()]
    return years.with_columns(pl.Series("to_base", factors, dtype=pl.Float64)).with_columns(
        (pl.col("cost") * pl.col("to_base")).alias("cost_constant")
    )


def effects_by_year(results: Results, tree: ParameterTree, at: dt.date) -> list[Effects]:
    """Each fiscal year's effects: workers removed and children who lost a parent that year;
    output and taxes lost that year from everyone removed since the run began (a removal keeps
    costing output and taxes in every later year)."""
    rates = Rates.read(tree, at)
    removed = (
        results.weekly.group_by("fiscal_year")
        .agg(pl.col("removals_interior").sum(), pl.col("voluntary_returns").sum())
        .join(parents_removed(results), on="fiscal_year", how="left")
        .fill_null(0.0)
        .sort("fiscal_year")
    )
    out: list[Effects] = []
    so_far = 0.0
    for row in removed.to_dicts():
        year = Effects.of(
            float(row["removals_interior"]),
            float(row["parents"]),
            rates,
            left=float(row["voluntary_returns"]),
        )
        so_far += year.removed + year.left
        stock = Effects.of(so_far, 0.0, rates)
        out.append(
            replace(
                year,
                output_lost=stock.output_lost,
                federal_taxes_lost=stock.federal_taxes_lost,
                state_local_taxes_lost=stock.state_local_taxes_lost,
            )
        )
    return out
