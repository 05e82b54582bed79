"""The outcomes immsim reports, each declared once: what it means, its unit, and how a fiscal
year of weeks is reduced to one number.

Every table and chart that shows an outcome for a year — the run summary, Monte Carlo bands,
comparisons, sensitivity indices, the report, the web app, the back-test — takes it from
:func:`by_year`, so that "detained" or "cost" is the same number wherever it is printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

from immsim.engine.costs import COMPONENTS
from immsim.engine.results import Results
from immsim.errors import InputError

PerYear = Literal["sum", "mean", "year_end", "share"]


@dataclass(frozen=True)
class Outcome:
    """One outcome. ``columns`` are the weekly table's columns it adds up each week; a year is
    their ``per_year``: the sum over its weeks (a flow), the mean (a level), the last week's
    value (a level at year end), or a ``share`` of the year's interior removals: those whose
    breakdown ``attribute`` is one of ``levels`` (``share_of``), over all of them. A flow may
    instead count the people of one breakdown stage whose ``attribute`` is one of ``levels``
    (``count_of``: stage, attribute, levels), summed over the year's weeks."""

    name: str
    label: str
    unit: str
    per_year: PerYear
    columns: tuple[str, ...]
    definition: str
    share_of: tuple[str, tuple[str, ...]] | None = None
    count_of: tuple[str, str, tuple[str, ...]] | None = None
    scale: float = 1.0
    """What a chart or table multiplies a value by to show it in ``display_unit`` (dollars in
    millions, a share in per cent)."""
    scaled_unit: str = ""
    """The unit of a scaled value; empty when ``scale`` is 1 and the unit is ``unit``."""

    @property
    def is_flow(self) -> bool:
        """Whether years add up (people or dollars a year), rather than being levels or shares
        that a span of years averages."""
        return self.per_year == "sum"

    @property
    def display_unit(self) -> str:
        """The unit a chart's axis or a table's column shows."""
        return self.scaled_unit or self.unit

    @property
    def weekly_unit(self) -> str:
        """The display unit of one week's value: a flow's "a year" becomes "a week"."""
        unit = self.display_unit
        return unit.replace(" a year", " a week") if self.is_flow else unit

    @property
    def axis_title(self) -> str:
        """The outcome as an axis names it: its label and, in brackets, its display unit."""
        return f"{self.label} ({self.display_unit})"


OUTCOMES: dict[str, Outcome] = {
    o.name: o
    for o in (
        Outcome(
            "arrests",
            "ICE arrests",
            "people a year",
            "sum",
            ("arrests",),
            "Administrative arrests by ICE through every channel, collateral arrests included.",
        ),
        Outcome(
            "removals",
            "removals",
            "people a year",
            "sum",
            ("removals",),
            "Removals from the interior and at the border (the border's from CBP's record: "
            "Title 8 apprehensions of single adults times the share ICE removes).",
        ),
        Outcome(
            "removals_interior",
            "interior removals",
            "people a year",
            "sum",
            ("removals_interior",),
            "Removals of people arrested in the interior, over land or by air (to their own "
            "country or, from 2025, to a third country that agreed to take them).",
        ),
        Outcome(
            "cbp_home_departures",
            "paid self-departures (CBP Home)",
            "people a year",
            "sum",
            ("cbp_home_departures",),
            "People at large who left through the CBP Home app with its stipend (from March "
            "2025, the record's count): departures, not removals, and in no removal outcome.",
        ),
        Outcome(
            "removals_parents",
            "interior removals of parents of U.S.-citizen children",
            "people a year",
            "sum",
            (),
            "Interior removals of people with a U.S.-citizen child (the population's "
            "us_citizen_child: Pew's parents of U.S.-born children); the border's removals are "
            "not told by family.",
            count_of=("removed", "us_citizen_child", ("true",)),
        ),
        Outcome(
            "detained",
            "detained (average)",
            "people",
            "mean",
            ("detained",),
            "People in ICE detention on an average day, the border's included.",
        ),
        Outcome(
            "unauthorized_residents",
            "unauthorized residents (average)",
            "people",
            "mean",
            (
                "at_large",
                "final_orders_at_large",
                "court_released",
                "detained_court",
                "detained_removal",
            ),
            "The interior's unauthorized population as DHS counts it (OIS's residual estimates "
            "include people with TPS, DACA or another deferral and people awaiting removal "
            "proceedings): everyone at large, with or without a case or a final order, and the "
            "interior's detained; the border's detained are not residents.",
        ),
        Outcome(
            "admissions",
            "detention book-ins after ICE arrests",
            "people a year",
            "sum",
            ("admissions",),
            "People admitted to ICE detention after an interior arrest (ICE's initial book-ins "
            "with ICE as the arresting agency; the border's book-ins are not modelled).",
        ),
        Outcome(
            "court_pending",
            "court cases pending (year end)",
            "cases",
            "year_end",
            ("court_pending",),
            "Removal cases pending in immigration court at the fiscal year's end, detained and not.",
        ),
        Outcome(
            "cost",
            "operating cost",
            "USD a year",
            "sum",
            COMPONENTS,
            "Officers, detention, alternatives to detention, courts (judges and ICE's trial "
            "attorneys), removal transport and ICE's mission support, in nominal dollars of "
            "each year (the analysis restates them in constant dollars).",
            scale=1e-6,
            scaled_unit="USD millions a year",
        ),
        Outcome(
            "convicted_share",
            "interior removals with a conviction",
            "share",
            "share",
            (),
            "The share of interior removals of people with a criminal conviction (convictions "
            "only; pending charges do not count), as ICE counted 'criminal' until FY2016.",
            share_of=("criminality", ("convicted",)),
            scale=100.0,
            scaled_unit="%",
        ),
        Outcome(
            "criminal_share",
            "interior removals with a conviction or pending charges",
            "share",
            "share",
            (),
            "The share of interior removals of people with a criminal conviction or pending "
            "criminal charges, as ICE has counted 'criminal' since FY2017 (someone with no "
            "conviction taken from a jail booking or a 287(g) arrest has the charge they were "
            "booked on pending).",
            share_of=("criminality", ("convicted", "charged")),
            scale=100.0,
            scaled_unit="%",
        ),
        Outcome(
            "arrests_custodial",
            "ICE arrests in custody",
            "people a year",
            "sum",
            ("arrests_jail", "arrests_287g", "arrests_prison", "arrests_287g_task_force"),
            "ICE arrests of people in a jail or prison or arrested by a 287(g) partner: "
            "transfers on a detainer or notification, 287(g) jail holds, prison releases and "
            "task-force arrests (the Criminal Alien Program's and the partners' arrests).",
        ),
        Outcome(
            "zadvydas_releases",
            "Zadvydas releases",
            "people a year",
            "sum",
            ("zadvydas_releases",),
            "People with a final order released from detention because their removal is not "
            "foreseeable (their country's travel documents come no faster than those of the "
            "countries that refuse or delay them), once held the Zadvydas period.",
        ),
        Outcome(
            "zadvydas_releases_convicted",
            "Zadvydas releases with a conviction",
            "people a year",
            "sum",
            (),
            "Zadvydas releases of people with a criminal conviction (as ICE counted the "
            "'criminal aliens' it released under Zadvydas v. Davis; pending charges do not "
            "count).",
            count_of=("released", "criminality", ("convicted",)),
        ),
        Outcome(
            "detainers",
            "detainers issued",
            "detainers a year",
            "sum",
            ("detainers",),
            "Detainers lodged with jails on people booked and matched to DHS records.",
        ),
    )
}
HEADLINES = (
    "arrests",
    "removals",
    "removals_interior",
    "detained",
    "court_pending",
    "cost",
    "convicted_share",
)
"""The outcomes every summary reports, in the order it reports them."""


def by_year(results: Results, names: tuple[str, ...] = HEADLINES) -> pl.DataFrame:
    """One row per fiscal year of the run: ``fiscal_year``, ``weeks`` (how many of its weeks the
    run covers), each outcome of ``names``, and ``binding`` (the capacity that bound in most
    weeks). A share is null in a year with nobody removed."""
    weekly = results.weekly
    chosen = [OUTCOMES[name] for name in names]
    weekly = weekly.with_columns(
        pl.sum_horizontal(*o.columns).alias(o.name) for o in chosen if o.columns
    )
    reduce = {
        "sum": lambda c: pl.col(c).sum(),
        "mean": lambda c: pl.col(c).mean(),
        "year_end": lambda c: pl.col(c).last(),
    }
    years = (
        weekly.sort("week")
        .group_by("fiscal_year", maintain_order=True)
        .agg(
            pl.len().alias("weeks"),
            *(reduce[o.per_year](o.name).alias(o.name) for o in chosen if o.columns),
            pl.col("binding").mode().first().alias("binding"),
        )
        .sort("fiscal_year")
    )
    for o in chosen:
        if o.share_of is not None:
            counted = _counted(results, "removed", *o.share_of)
            share = pl.when(pl.col("all") > 0).then(pl.col("counted") / pl.col("all"))
            years = years.join(
                counted.select("fiscal_year", share.otherwise(None).alias(o.name)),
                on="fiscal_year",
                how="left",
            )
        if o.count_of is not None:
            counted = _counted(results, *o.count_of).select(
                "fiscal_year", pl.col("counted").cast(pl.Float64).alias(o.name)
            )
            years = years.join(counted, on="fiscal_year", how="left").with_columns(
                pl.col(o.name).fill_null(0.0)  # a year with nobody at the stage counts none
            )
    return years.select("fiscal_year", "weeks", *names, "binding")


def _counted(results: Results, stage: str, attribute: str, levels: tuple[str, ...]) -> pl.DataFrame:
    """Per fiscal year, the people at a breakdown ``stage`` whose ``attribute`` is one of
    ``levels`` (``counted``) and all of them (``all``): the breakdown is read here alone."""
    rows = results.breakdown.filter((pl.col("stage") == stage) & (pl.col("attribute") == attribute))
    return (
        rows.group_by("fiscal_year")
        .agg(
            pl.col("persons").filter(pl.col("level").is_in(levels)).sum().alias("counted"),
            pl.col("persons").sum().alias("all"),
        )
        .with_columns(pl.col("fiscal_year").cast(pl.Int64))
    )


AREA_OUTCOMES = (
    "arrests",
    "admissions",
    "removals",
    "removals_interior",
    "removals_parents",
    "detained",
)
"""The outcomes a table by area carries (:func:`by_area`, ``analysis.areas``): flows and levels
that add up over areas (shares and the court's national docket do not)."""
BORDER = "border"
"""The row of :func:`by_area` for what the border adds to the nation's outcomes."""


def by_area(results: Results) -> pl.DataFrame:
    """Outcomes by area of responsibility and fiscal year, from a run that carried areas
    (``Scenario.areas``; the engine's breakdown by ``area``): one row per area (``area``, the
    ICE code in lower case) and fiscal year, with ``fiscal_year``, ``weeks`` and the columns
    of :data:`AREA_OUTCOMES`, each as :data:`OUTCOMES` defines it and reduced over the year
    the same way, counting the people of the area (who live there; someone held in another
    area's beds counts in their own), ``transfers``, the area's admissions held in other
    areas' beds, and ``arrests_custodial`` (as :data:`OUTCOMES` defines it: the arrests made in
    custody, from jails, prisons and 287(g); the border row adds none). ``removals_parents``
    counts the area's removed parents of U.S.-citizen children from the engine's own tally by
    area (the breakdown's ``removed_parents``), not the nation's share; the border adds none. A row with ``area``
    :data:`BORDER` holds what the border adds: its removals and its detained, which the model
    does not place in an area, so that each column summed over the rows of a year is the
    national outcome.

    This is the one place results by area are read from: ``immsim run --by-area`` prints it,
    and the per-area back-test and the report's map take their numbers from it."""
    weekly = results.weekly
    areas = results.breakdown.filter(pl.col("attribute") == "area")
    if areas.is_empty() and not results.manifest.get("scenario", {}).get("areas", False):
        raise InputError(
            "the run did not carry areas", allowed="a scenario with `areas: true` (run --by-area)"
        )
    weeks = weekly.group_by("fiscal_year").agg(pl.len().alias("weeks"))
    stages = {
        "removed": "removals_interior",
        "arrested": "arrests",
        "admitted": "admissions",
        "transferred": "transfers",
        "detained": "detained",
        "custodial": "arrests_custodial",
        "removed_parents": "removals_parents",
    }
    sums = (
        areas.group_by("fiscal_year", "level", "stage")
        .agg(pl.col("persons").sum())
        .pivot(on="stage", index=["fiscal_year", "level"], values="persons")
    )
    for stage in stages:
        if stage not in sums.columns:
            sums = sums.with_columns(pl.lit(0, dtype=pl.Int64).alias(stage))
    names = sorted(areas["level"].unique().to_list())
    grid = weeks.join(pl.DataFrame({"level": names}, schema={"level": pl.String}), how="cross")
    table = (
        grid.join(sums, on=["fiscal_year", "level"], how="left")
        .rename(stages)
        .rename({"level": "area"})
        .with_columns(pl.col(list(stages.values())).fill_null(0).cast(pl.Float64))
        .with_columns(
            pl.col("removals_interior").alias("removals"),
            pl.col("detained") / pl.col("weeks"),  # a mean over the year's weeks
        )
    )
    border = (
        weekly.group_by("fiscal_year")
        .agg(
            pl.len().alias("weeks"),
            pl.col("removals_border").sum().alias("removals"),
            pl.col("detained_border").mean().alias("detained"),
        )
        .with_columns(
            pl.lit(BORDER).alias("area"),
            *(
                pl.lit(0.0).alias(c)
                for c in (
                    "arrests",
                    "removals_interior",
                    "removals_parents",
                    "admissions",
                    "transfers",
                    "arrests_custodial",
                )
            ),
        )
    )
    columns = ["area", "fiscal_year", "weeks", *AREA_OUTCOMES, "transfers", "arrests_custodial"]
    out = pl.concat([table.select(columns), border.select(columns)], how="vertical_relaxed")
    return out.sort("fiscal_year", "area")
