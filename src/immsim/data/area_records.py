"""The records that count enforcement by ICE area of responsibility: the per-area back-test's
targets.

Each loader reads one public file (through the project's own ingesters, which validate every
row) and returns a long table, one row per area, fiscal year and outcome:

====================  =========================================================================
column                what it holds
====================  =========================================================================
``area``              ICE's area code in lower case, as ``population.by_aor`` names it (``sea``)
``fiscal_year``       the federal fiscal year (October to September); only whole years are kept
``outcome``           the outcome of :mod:`immsim.outcomes` the record counts
``value``             the count (people a year, or people held on an average day)
``source``            the file it was counted from
``counts``            what exactly was counted, so that like is compared with like
====================  =========================================================================

What each counts, and how it differs from the model's outcome of the same name:

- **Seattle removals** (UWCHR's FOIA release, ERO-LESA layout): ICE removals whose case sat in
  the Seattle area (Alaska, Oregon, Washington), the expedited ones included, FY2013-FY2018.
  Removal events, not distinct people. ICE's removals, not CBP's returns; an expedited removal
  ICE carries out after a CBP apprehension is in. The release runs 1 January 2012 to 6 July
  2019, so FY2012 and FY2019 are cut and left out.
- **Seattle arrests** (UWCHR, by criminality, state and month): ICE's administrative arrests
  credited to the Seattle area, September 2023 to September 2025; whole fiscal years FY2024 and
  FY2025. Arrest events; ICE's arrests only (CBP's apprehensions are not in it). These years are
  after the back-test's FY2012-FY2023: they check a forecast, and nothing may be tuned to them.
- **Detention by area** (UWCHR's daily headcount per facility, with UWCHR's facility-to-area
  table): people held on an average day in the facilities of each area, FY2012-FY2023 (the file
  is built from the stays booked in from FY2012; earlier years are left out), whatever
  agency arrested them (CBP's too), by where the facility is, not where the arrest was. A
  facility the table puts in no area (hospitals, hotels, some hold rooms) counts in no area.
- The Deportation Data Project's midnight population by facility (FY2023) counts the same
  thing a second way; it serves as a cross-check of the headcount (tested, not scored).

ICE's yearly workbooks have no table by area for an outcome the model has: their alternatives
to detention by area count ATD participants (not an outcome), and their per-facility average
daily population names facilities only by name, and about half of it (FY2019: 58%, FY2023:
47%) is held under names UWCHR's facility table spells otherwise, so it cannot be summed by area.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from immsim.data import ddp, headcount, lesa
from immsim.data.report import IngestReport
from immsim.errors import InputError

TARGET_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "area": pl.String,
    "fiscal_year": pl.Int64,
    "outcome": pl.String,
    "value": pl.Float64,
    "source": pl.String,
    "counts": pl.String,
}
"""The columns every loader returns (see the module)."""

SEATTLE_REMOVALS = ("SeattleAOROtherRemovals.csv", "SeattleAORExpeditedRemovals.csv")
SEATTLE_ARRESTS = "sea_aor_arrests_by_criminality_state_month.csv"
HEADCOUNT = "inc_headcount_fy12-24ytd.csv.gz"
FACILITY_AREAS = "detloc_aor.csv"
DDP_FY2023 = "facilities-daily-population-fy2023.parquet"
HEADCOUNT_FIRST_YEAR = 2012
"""The first fiscal year of the headcount file (``fy12-24ytd``): it is built from the stays
booked in from FY2012 on, so its earlier days hold only a few long stays (FY2011 sums to 4,500
people a day nationally, against ICE's 33,330) and are left out."""

COUNTS = {
    "seattle_removals": "ICE removals (events) of cases in the Seattle area, expedited removals "
    "included; UWCHR FOIA release of ERO-LESA records",
    "seattle_arrests": "ICE administrative arrests (events) credited to the Seattle area, every "
    "criminality class; CBP's apprehensions are not in it",
    "detention_headcount": "people held on an average day in the area's facilities (every "
    "arresting agency, CBP's included), by the facility's area, not the arrest's",
    "detention_ddp": "people held at midnight on an average day in the area's facilities "
    "(Deportation Data Project), by the facility's area",
}

COVERAGE = re.compile(r"\((\d{1,2})/(\d{1,2})/(\d{4})\s*-\s*(\d{1,2})/(\d{1,2})/(\d{4})\)")
"""The date range in a release's title line: "FY2012 - FY2019 YTD (01/01/2012 - 07/06/2019)"."""


def _frame(rows: Iterable[dict[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=TARGET_SCHEMA)


def code_of_area(name: str | None) -> str | None:
    """ "Seattle Area of Responsibility", "Seattle" or "SEA" as ``sea`` (as the ERO-LESA
    ingester spells areas, in lower case); None for none ("NA", blank or withheld)."""
    code = lesa._aor(name)
    return None if code is None or code == "NA" else code.lower()


@dataclass(frozen=True)
class Coverage:
    """The whole fiscal years a release covers, from the first and last day it states."""

    first: int
    last: int

    @property
    def years(self) -> range:
        return range(self.first, self.last + 1)


def release_coverage(path: Path) -> Coverage:
    """The whole fiscal years inside the date range a FOIA release's title line states: a year
    is whole when the range starts on or before its 1 October and ends on or after its
    30 September."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        head = [next(handle, "") for _ in range(20)]
    for line in head:
        match = COVERAGE.search(line)
        if match:
            m1, d1, y1, m2, d2, y2 = (int(g) for g in match.groups())
            try:
                begin, end = dt.date(y1, m1, d1), dt.date(y2, m2, d2)
            except ValueError as err:
                raise InputError(f"the title's date range: {err}", file=str(path)) from None
            # the first year whose 1 October is on or after the start; the last whose
            # 30 September is on or before the end
            first = begin.year + 1 if begin <= dt.date(begin.year, 10, 1) else begin.year + 2
            last = end.year if end >= dt.date(end.year, 9, 30) else end.year - 1
            return Coverage(first, last)
    raise InputError(
        "no date range '(mm/dd/yyyy - mm/dd/yyyy)' in the title lines",
        file=str(path),
        allowed="a release whose title states the dates it covers",
    )


def seattle_removals(folder: Path) -> pl.DataFrame:
    """ICE removals in the Seattle area per whole fiscal year, from UWCHR's two files (other and
    expedited removals); see the module for what they count."""
    counts: dict[int, int] = {}
    years: set[int] | None = None
    for name in SEATTLE_REMOVALS:
        path = folder / name
        covered = set(release_coverage(path).years)
        years = covered if years is None else years & covered
        report = IngestReport(str(path), "lesa_removals", "removal")
        for block in lesa.read_blocks(path, lesa.LAYOUTS["lesa_removals"], report):
            for year, n in block.group_by("fiscal_year").len().iter_rows():
                counts[int(year)] = counts.get(int(year), 0) + int(n)
        if report.rows_rejected:
            raise InputError(
                f"{report.rows_rejected} rows could not be read "
                f"({', '.join(report.rejected_by_reason)})",
                file=str(path),
            )
    return _frame(
        {
            "area": "sea",
            "fiscal_year": year,
            "outcome": "removals",
            "value": float(counts.get(year, 0)),
            "source": " + ".join(SEATTLE_REMOVALS),
            "counts": COUNTS["seattle_removals"],
        }
        for year in sorted(years or ())
    )


def seattle_arrests_by_criminality(path: Path) -> pl.DataFrame:
    """ICE's arrests in the Seattle area per whole fiscal year and criminality class
    (``convicted``, ``pending_charges``, ``other_violator``), every state summed (Alaska,
    Oregon, Washington and the arrests with no state). A fiscal year is whole when all twelve
    of its months are in the file."""
    frame = pl.read_csv(path, infer_schema=False, null_values=[])
    wanted = {"apprehension_criminality", "month", "apprehension_state", "n"}
    if not wanted <= set(frame.columns):
        raise InputError(
            f"unexpected header {frame.columns}", file=str(path), allowed=", ".join(sorted(wanted))
        )
    month = pl.col("month").str.to_date("%Y-%m-%d", strict=False)
    frame = frame.with_columns(
        month.alias("month"),
        pl.col("n").str.strip_chars().cast(pl.Int64, strict=False).alias("n"),
        (month.dt.year() + (month.dt.month() >= 10).cast(pl.Int32)).cast(pl.Int64).alias("fy"),
        pl.col("apprehension_criminality")
        .map_elements(lesa._criminality, return_dtype=pl.String)
        .alias("criminality"),
    )
    bad = frame.with_row_index("line", offset=2).filter(
        pl.col("month").is_null()
        | pl.col("criminality").is_null()
        | pl.col("n").is_null()
        | (pl.col("n") < 0)
    )
    if bad.height:
        raise InputError(
            f"{bad.height} rows with an unreadable month, criminality or count",
            file=str(path),
            line=int(bad["line"][0]),
        )
    whole = (
        frame.group_by("fy")
        .agg(pl.col("month").n_unique().alias("months"))
        .filter(pl.col("months") == 12)["fy"]
    )
    return (
        frame.filter(pl.col("fy").is_in(whole.implode()))
        .group_by("fy", "criminality")
        .agg(pl.col("n").sum())
        .rename({"fy": "fiscal_year", "n": "arrests"})
        .sort("fiscal_year", "criminality")
    )


def seattle_arrests(path: Path) -> pl.DataFrame:
    """ICE's arrests in the Seattle area per whole fiscal year (every criminality class)."""
    years = (
        seattle_arrests_by_criminality(path).group_by("fiscal_year").agg(pl.col("arrests").sum())
    )
    return _frame(
        {
            "area": "sea",
            "fiscal_year": int(year),
            "outcome": "arrests",
            "value": float(n),
            "source": path.name,
            "counts": COUNTS["seattle_arrests"],
        }
        for year, n in years.sort("fiscal_year").iter_rows()
    )


def facility_areas(path: Path) -> pl.DataFrame:
    """UWCHR's facility → area table: ``facility_code``, ``facility_name`` (upper case) and
    ``area`` (lower-case code; null where the table gives none)."""
    table = pl.read_csv(path, null_values=["NA", ""], infer_schema=False)
    wanted = {"detention_facility_code", "detention_facility", "area_of_responsibility"}
    if not wanted <= set(table.columns):
        raise InputError(
            f"unexpected header {table.columns}", file=str(path), allowed=", ".join(sorted(wanted))
        )
    return table.select(
        pl.col("detention_facility_code")
        .str.strip_chars()
        .str.to_uppercase()
        .alias("facility_code"),
        pl.col("detention_facility").str.strip_chars().str.to_uppercase().alias("facility_name"),
        pl.col("area_of_responsibility")
        .map_elements(code_of_area, return_dtype=pl.String)
        .alias("area"),
    )


def _average_daily(daily: pl.DataFrame, areas: pl.DataFrame) -> pl.DataFrame:
    """``daily`` (``facility_code``, ``event_date``, ``fiscal_year``, ``persons``) as each area's
    average over the days of each whole fiscal year (every day of it in the file)."""
    days = daily.group_by("fiscal_year").agg(pl.col("event_date").n_unique().alias("days"))
    lengths = days.with_columns(
        (pl.date(pl.col("fiscal_year"), 10, 1) - pl.date(pl.col("fiscal_year") - 1, 10, 1))
        .dt.total_days()
        .alias("length")
    )
    whole = lengths.filter(pl.col("days") == pl.col("length")).select("fiscal_year", "days")
    return (
        daily.join(areas.select("facility_code", "area"), on="facility_code", how="inner")
        .filter(pl.col("area").is_not_null())
        .group_by("area", "fiscal_year")
        .agg(pl.col("persons").sum())
        .join(whole, on="fiscal_year", how="inner")
        .select(
            "area",
            pl.col("fiscal_year").cast(pl.Int64),
            (pl.col("persons") / pl.col("days")).alias("value"),
        )
        .sort("area", "fiscal_year")
    )


def detention_by_area(headcount_file: Path, areas_file: Path) -> pl.DataFrame:
    """People held on an average day in each area's facilities, per whole fiscal year, from
    the daily headcount per facility."""
    report = IngestReport(str(headcount_file), "detention_headcount", "detention_stay")
    daily = pl.concat(list(headcount.read_blocks(headcount_file, report)))
    by_area = _average_daily(
        daily.select("facility_code", "event_date", "fiscal_year", "persons"),
        facility_areas(areas_file),
    ).filter(pl.col("fiscal_year") >= HEADCOUNT_FIRST_YEAR)
    return by_area.with_columns(
        pl.lit("detained").alias("outcome"),
        pl.lit(headcount_file.name).alias("source"),
        pl.lit(COUNTS["detention_headcount"]).alias("counts"),
    ).select(list(TARGET_SCHEMA))


def ddp_detention_by_area(parquet_file: Path, areas_file: Path) -> pl.DataFrame:
    """People held at midnight on an average day in each area's facilities, per whole fiscal
    year, from the Deportation Data Project's daily population by facility (Parquet layout)."""
    report = IngestReport(str(parquet_file), ddp.PARQUET_LAYOUT, "detention_stay")
    daily = pl.concat(list(ddp.read_parquet_blocks(parquet_file, report)))
    by_area = _average_daily(
        daily.select("facility_code", "event_date", "fiscal_year", "persons"),
        facility_areas(areas_file),
    )
    return by_area.with_columns(
        pl.lit("detained").alias("outcome"),
        pl.lit(parquet_file.name).alias("source"),
        pl.lit(COUNTS["detention_ddp"]).alias("counts"),
    ).select(list(TARGET_SCHEMA))


def area_targets(data: Path) -> pl.DataFrame:
    """Every per-area target the shared data folder ``data`` holds (the layout of
    ``../shared/data``): Seattle's removals and arrests, and detention by area from the daily
    headcount. A file that is absent leaves its targets out; one that is present but cannot be
    read is an error."""
    uwchr = data / "uwchr"
    parts = []
    if all((uwchr / name).is_file() for name in SEATTLE_REMOVALS):
        parts.append(seattle_removals(uwchr))
    if (uwchr / SEATTLE_ARRESTS).is_file():
        parts.append(seattle_arrests(uwchr / SEATTLE_ARRESTS))
    if (uwchr / HEADCOUNT).is_file() and (uwchr / FACILITY_AREAS).is_file():
        parts.append(detention_by_area(uwchr / HEADCOUNT, uwchr / FACILITY_AREAS))
    if not parts:
        return _frame([])
    return pl.concat(parts).sort("area", "outcome", "fiscal_year")
