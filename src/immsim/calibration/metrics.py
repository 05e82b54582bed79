"""The validation metrics: what is observed (published figures) and what a run simulates.

Each metric names the published series it is compared with and how a run's weekly output is
reduced to a fiscal-year value. Definition breaks in the published series are carried as notes
on the metric, so a table never compares unlike with like silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from immsim.data.figures import fiscal_year_figures, ranged_figures
from immsim.dates import WEEKS_PER_YEAR
from immsim.engine.results import Results
from immsim.outcomes import OUTCOMES, by_year


@dataclass(frozen=True)
class Metric:
    """A published series the model is scored against, and the outcome that it measures (see
    :mod:`immsim.outcomes`: the same definition every other output uses)."""

    name: str
    published: str
    outcome: str
    note: str = ""

    @property
    def label(self) -> str:
        return OUTCOMES[self.outcome].label


METRICS: tuple[Metric, ...] = (
    Metric("arrests", "ice_ero_admin_arrests", "arrests"),
    Metric(
        "interior_removals",
        "ice_interior_removals",
        "removals_interior",
        "ICE changed what counts as an interior removal in FY2017 (removals that follow an ICE arrest).",
    ),
    Metric("total_removals", "ice_removals_total", "removals"),
    Metric(
        "interior_convicted_share",
        "ice_interior_removals_convicted_share",
        "convicted_share",
        "From FY2017 ICE's 'criminal' also counts pending charges; the published share stops in FY2015.",
    ),
    Metric(
        "interior_criminal_share",
        "ice_interior_removals_criminal_share",
        "criminal_share",
        "ICE's 'criminal' since FY2017: a conviction or pending criminal charges.",
    ),
    Metric("detainers", "ice_detainers_issued", "detainers"),
    Metric("adp", "ice_detention_adp", "detained"),
    Metric(
        "book_ins_ice",
        "ice_initial_book_ins_ice_arrests",
        "admissions",
        "ICE's workbooks from FY2019: initial book-ins with ICE as the arresting agency (CBP's, "
        "the border's, are left out on both sides).",
    ),
    Metric("pending_cases", "eoir_pending_cases_end_fy", "court_pending"),
)
BY_NAME = {m.name: m for m in METRICS}


@dataclass(frozen=True)
class Observation:
    value: float
    source: str
    note: str


def load_observed(path: Path) -> dict[tuple[str, int], Observation]:
    """Published figures by (metric, fiscal year), the first row of each in the file."""
    series = {m.published: m.name for m in METRICS}
    return {
        (series[metric], year): Observation(f.value, f.source, f.note)
        for (metric, year), f in fiscal_year_figures(path).items()
        if metric in series
    }


WORKBOOK_CELLS = (
    # metric, table, row label, column label, what the cell is, note
    (
        "adp",
        "adp_by_agency_month_criminality",
        "Average",
        "FY Overall",
        "ADP, FY Overall",
        "ICE's yearly workbook: every arresting agency (CBP and ICE).",
    ),
    (
        "book_ins_ice",
        "book_ins_by_agency_month",
        "ICE",
        "Total",
        "initial book-ins, ICE arrests",
        "",
    ),
)
"""The yearly cells of ICE's workbooks the back-test reads, by the names the ingester gives them."""


def load_workbook_observed(folder: Path) -> dict[tuple[str, int], Observation]:
    """From each of ICE's detention-statistics workbooks in ``folder``: the yearly average daily
    population ("FY Overall", every arresting agency; the published figures stop at FY2020 for a
    whole year) and the year's initial book-ins after ICE arrests (no published figure splits
    them). Only a workbook's own fiscal year is taken."""
    from immsim.data.detention_stats import read_workbook
    from immsim.data.report import IngestReport

    out: dict[tuple[str, int], Observation] = {}
    for path in sorted(folder.glob("*.xlsx")):
        table = read_workbook(path, IngestReport(str(path), "ice detention statistics", "xlsx"))
        for metric, name, row, column, what, note in WORKBOOK_CELLS:
            cells = table.filter(
                (pl.col("table") == name)
                & (pl.col("row_group") == "")
                & (pl.col("row_label") == row)
                & (pl.col("column_label") == column)
            )
            source = f"ICE detention statistics workbook {path.name} ({what})"
            for year, value in cells.select("fiscal_year", "value").iter_rows():
                out.setdefault((metric, int(year)), Observation(float(value), source, note))
    return out


def observed_figures(figures: Path, workbooks: Path | None) -> dict[tuple[str, int], Observation]:
    """The published figures by (metric, fiscal year), with the cells ICE's workbooks in
    ``workbooks`` add where the figures have none: what the back-test scores and a fit aims at."""
    observed = load_observed(figures)
    if workbooks is not None:
        for key, found in load_workbook_observed(workbooks).items():
            observed.setdefault(key, found)
    return observed


def simulated(results: Results) -> dict[tuple[str, int], float]:
    """Each metric's value per complete fiscal year of the run (50 weeks or more)."""
    years = by_year(results, tuple(dict.fromkeys(m.outcome for m in METRICS)))
    out: dict[tuple[str, int], float] = {}
    for row in years.filter(pl.col("weeks") >= 50).to_dicts():
        for metric in METRICS:
            value = row[metric.outcome]
            if value is not None:  # a share in a year with nobody removed
                out[(metric.name, int(row["fiscal_year"]))] = float(value)
    return out


@dataclass(frozen=True)
class RangedMetric:
    """A published figure stated as a range over several fiscal years, which a fit may aim at
    (the back-test does not score it): the weekly columns that make it, summed over a year and
    put per month when ``monthly``."""

    name: str
    published: str
    columns: tuple[str, ...]
    monthly: bool
    note: str = ""


RANGED_METRICS: tuple[RangedMetric, ...] = (
    RangedMetric(
        "jail_arrests_monthly",
        "ice_arrests_from_local_jails_monthly",
        ("arrests_jail",),
        True,
        "TRAC's ICE arrests from local jails (ERO-LESA's 'CAP local incarceration'): the "
        "engine's jail arrests on a detainer or notification; 287(g) holds are another method.",
    ),
)


@dataclass(frozen=True)
class RangedObservation:
    """A range the record gives for a fiscal year: any value inside it meets it."""

    low: float
    high: float
    source: str
    note: str

    @property
    def value(self) -> float:
        """The range's midpoint (what a report shows; the error uses the ends)."""
        return (self.low + self.high) / 2

    def error(self, simulated: float) -> float:
        """Zero inside the range; outside it, the relative distance from the nearer end."""
        if simulated < self.low:
            return (simulated - self.low) / self.low
        if simulated > self.high:
            return (simulated - self.high) / self.high
        return 0.0


def load_ranged(path: Path, years: range) -> dict[tuple[str, int], RangedObservation]:
    """The ranged figures of :data:`RANGED_METRICS` by (metric, fiscal year): each range is
    attributed to the last year of its span that ``years`` covers (TRAC's FY2009-FY2012 to
    FY2012 for a back-test that starts in FY2012), the one year of it the run simulates whole;
    a span that ``years`` does not reach is left out."""
    series = {m.published: m.name for m in RANGED_METRICS}
    out: dict[tuple[str, int], RangedObservation] = {}
    for metric, rows in ranged_figures(path).items():
        if metric not in series:
            continue
        for row in rows:
            covered = [y for y in range(row.first_year, row.last_year + 1) if y in years]
            if covered:
                out.setdefault(
                    (series[metric], max(covered)),
                    RangedObservation(row.low, row.high, f"{row.source} ({row.period})", row.note),
                )
    return out


def simulated_ranged(results: Results) -> dict[tuple[str, int], float]:
    """Each ranged metric's value per complete fiscal year of the run (50 weeks or more)."""
    out: dict[tuple[str, int], float] = {}
    weekly = results.weekly
    for metric in RANGED_METRICS:
        years = weekly.group_by("fiscal_year").agg(
            pl.len().alias("weeks"), pl.sum_horizontal(*metric.columns).sum().alias("value")
        )
        for year, weeks, value in years.select("fiscal_year", "weeks", "value").iter_rows():
            if weeks < 50:
                continue
            months = weeks * 12 / WEEKS_PER_YEAR if metric.monthly else 1.0
            out[(metric.name, int(year))] = float(value) / months
    return out


def simulated_with_ranged(results: Results) -> dict[tuple[str, int], float]:
    """:func:`simulated` and :func:`simulated_ranged` together: what a fit's trial keeps."""
    return {**simulated(results), **simulated_ranged(results)}
