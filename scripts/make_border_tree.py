"""Regenerate ``parameters/tree/border/record.yaml``: the border as CBP and ICE recorded it.

Border removals in the model follow the record, not ICE's totals: Border Patrol's Title 8
apprehensions (people processed under immigration law, Title 42 expulsions excluded) times the
share of them who are single adults (``border.single_adult_share``, cited in ``border.yaml``)
times the share of those from countries that take removals back (``border.removable_share``,
cited in ``border.yaml``) times the share of them ICE removes (``border.record.removal_share``,
fitted here on FY2013-FY2014 only). This script writes the record-based leaves:

- ``border.record.usbp_title8_apprehensions``: a yearly value for FY2011-FY2019 (the Marshall
  Project's compilation of CBP's yearly totals) and one a month from October 2019 (CBP's monthly
  releases as the Deportation Data Project stacked them), each as a rate a year (the month's
  count times 12) so that a value holds until the next. Title 42 was in force from 21 March 2020
  to 11 May 2023; outside it every encounter was a Title 8 apprehension, so the encounters file
  fills the months the apprehensions file lacks there.
- ``border.record.title42_expulsions``: encounters less Title 8 apprehensions, by month, while
  Title 42 was in force.
- ``border.record.removal_lag_factor``: the removable single adults reaching removal in a month
  over those apprehended in it. A removal follows its apprehension by the CBP arrestee's stay in
  ICE detention, so the month's removals are the removable single adults of earlier days (Title
  8 x single adults x removable share, the tree's values day by day) join a stock awaiting
  removal that empties at one over the CBP arrestees' average length of stay in ICE's
  workbooks (Little's law; the month's,
  October 2018 to September 2023; FY2019's before, carried back; the mean of June-September 2023
  after). 1 where the base holds long enough to have caught up.
- ``border.record.removal_share``: ICE's published border removals (FY2013, FY2014: the only
  years ICE published them itself before FY2020) over the removable single adults the engine
  computes for those years (Title 8 x single adults x removable share x the lag factor). Later
  years are not used: FY2015-FY2019 border removals are only the published total less the
  published interior removals, which the back-test scores, and FY2017-FY2023 are out of
  sample.
- ``border.record.bed_days_per_removal``: days in ICE detention of people CBP arrested, per
  border removal, so that the border's detained are its removals a year times this over 365.
  From October 2018 to September 2023 (ICE's workbooks split the average daily population by
  arresting agency), the month's CBP-arrested population times 365 over the month's border
  removals a year as the engine computes them, so the border's detained are the record's;
  before, FY2019's average length of stay of CBP arrestees (each removal held one stay); after,
  the mean of June-September 2023 (Title 8 again, after Title 42).
- ``border.record.air_share``: the share of ICE removals to countries other than Mexico and Canada
  (removed by air), FY2017-FY2018, from ICE's removals by country of citizenship; FY2013's from
  ICE's report (Mexico's share), held before.

Run from the repository root when the records are updated:

    python scripts/make_border_tree.py ../shared/data

The output is a reviewable data change.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _args

from immsim.data.detention_stats import read_workbook
from immsim.data.report import IngestReport
from immsim.dates import DAYS_PER_YEAR
from immsim.engine import border

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src/immsim/parameters/tree/border/record.yaml"
BORDER = ROOT / "src/immsim/parameters/tree/border.yaml"
TITLE42 = (dt.date(2020, 3, 21), dt.date(2023, 5, 11))
FIT_YEARS = (2013, 2014)
SERIES_START = dt.date(2010, 10, 1)
LAST_MONTH = dt.date(2025, 12, 1)
"""The record in ``../shared/data`` runs to 2026; the tree carries CBP's published months to
December 2025 (the back-test stops at FY2023; later months are marked as such)."""
LAG_HORIZON_YEARS = 2
"""How long after the record's last month the lag is run on the held values, until the removals
it carries meet the apprehensions again (the factor 1)."""

SOURCES = {
    "yearly": {
        "title": "The Marshall Project, dhs_immigration_detention: apprehensions.csv (CBP's yearly Border Patrol apprehensions)",
        "href": "https://github.com/themarshallproject/dhs_immigration_detention/blob/8e3b0d943d5c0194e6060eaf6e5394f2f72d0a34/apprehensions.csv",
    },
    "apprehensions": {
        "title": "Deportation Data Project, cbp: monthly USBP Title 8 apprehensions by release part (CBP FOIA releases)",
        "href": "https://github.com/deportationdata/cbp/blob/a4a0ef6f4f19b9b05cdca2f833c2821311fc3f6f/data/apprehensions/validation/monthly-apprehensions-by-part.csv",
    },
    "encounters": {
        "title": "Deportation Data Project, cbp: monthly USBP encounters (Title 8 and Title 42), cross-referenced with CBP's published counts",
        "href": "https://github.com/deportationdata/cbp/blob/a4a0ef6f4f19b9b05cdca2f833c2821311fc3f6f/data/encounters/validation/encounters_monthly_cross_reference.csv",
    },
    "fy2013": {
        "title": "ICE: FY 2013 ICE Immigration Removals (Mexico 241,493 of 368,644), as reported by Reuters (2013-12-20)",
        "href": "https://stabroeknews.com/2013/12/20/news/world/u-s-illegal-immigrant-removals-fall-fiscal-2013",
    },
    "workbooks": {
        "title": "ICE detention statistics workbooks FY2019-FY2023 (Detention sheet: average daily population and average length of stay by arresting agency and month)",
        "href": "https://www.ice.gov/detain/detention-management",
    },
    "kelly_memo": {
        "title": "DHS Secretary J. Kelly, Implementing the President's Border Security and Immigration Enforcement Improvements Policies (memorandum, 2017-02-20): aliens apprehended at the border detained pending their proceedings, parole case by case",
        "href": "https://www.dhs.gov/publication/implementing-presidents-border-security-and-immigration-enforcement-improvement-policies",
    },
    "by_country": {
        "title": "UWCHR ice-air: FY2017 and FY2018 ICE removals by country of citizenship (ICE published statistics)",
        "href": "https://github.com/UWCHR/ice-air/blob/3e03f0bbc7bdb6ecb1601d3cf7dda77f6285be90/share/resources/FY2017andFY2018ICERemovalsbyCountryofCitizenship.csv",
    },
}


def number(text: str) -> int | None:
    text = text.strip().replace(",", "").replace('"', "")
    return int(text) if text.isdigit() else None


def yearly_apprehensions(data: Path) -> dict[int, int]:
    """Border Patrol apprehensions by fiscal year (the whole country; the file gives only the
    southwest border for FY2019, which held 98% of them)."""
    text = (data / "history/apprehensions.csv").read_text(encoding="utf-8").replace("\r", "\n")
    out: dict[int, int] = {}
    for row in csv.reader(text.splitlines()[1:]):
        if not row or number(row[0]) is None:
            continue
        total = number(row[2]) if len(row) > 2 else None
        southwest = number(row[1]) if len(row) > 1 else None
        value = total if total is not None else southwest
        if value is not None:
            out[int(row[0])] = value
    return out


def monthly(data: Path) -> tuple[dict[dt.date, int], dict[dt.date, int]]:
    """Title 8 apprehensions and encounters by month (the first row of a month per file: some
    months are split over two release parts, whose first row is the month's whole count)."""
    title8: dict[dt.date, int] = {}
    with open(data / "cbp/cbp_usbp_monthly_apprehensions_by_part.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            day = dt.date.fromisoformat(row["month_start"])
            title8.setdefault(day, int(row["apprehension_count"]))
    encounters: dict[dt.date, int] = {}
    with open(data / "cbp/cbp_usbp_encounters_monthly_cross_reference.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            value = row["encounters_final_count"] or row["cbp_usb_encounter_count"]
            if value:
                encounters[dt.date.fromisoformat(row["month_start"])] = int(value)
    return title8, encounters


def under_title42(month: dt.date) -> bool:
    """Whether any day of the month had Title 42 in force."""
    end = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return month < TITLE42[1] and end > TITLE42[0]


def title8_series(data: Path) -> tuple[dict[dt.date, tuple[int, str]], dict[dt.date, int]]:
    """Title 8 apprehensions a year from each date, with the source key; expulsions by month."""
    series: dict[dt.date, tuple[int, str]] = {}
    for year, count in sorted(yearly_apprehensions(data).items()):
        if 2011 <= year <= 2019:
            series[dt.date(year - 1, 10, 1)] = (count, "yearly")
    title8, encounters = monthly(data)
    expulsions: dict[dt.date, int] = {}
    month = dt.date(2019, 10, 1)
    while month <= LAST_MONTH:
        if month in title8:
            series[month] = (title8[month] * 12, "apprehensions")
        elif not under_title42(month) and month in encounters:
            series[month] = (encounters[month] * 12, "encounters")
        else:
            raise SystemExit(f"no Title 8 count for {month} (Title 42 in force, no release part)")
        if under_title42(month) and month in encounters:
            expulsions[month] = encounters[month] - series[month][0] // 12
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return series, expulsions


@functools.cache
def hand_written() -> dict[str, Any]:
    """The hand-written border tree, read once (its shares are asked for month by month)."""
    tree: dict[str, Any] = yaml.safe_load(BORDER.read_text(encoding="utf-8"))
    return tree


def border_share(key: str, day: dt.date) -> float:
    """``border.<key>`` in force on ``day``, read from the hand-written tree."""
    leaf = hand_written()[key]
    dated = sorted((d, v["value"] if isinstance(v, dict) else v) for d, v in leaf["values"].items())
    return float([v for d, v in dated if d <= day][-1])


def single_adult_share(day: dt.date) -> float:
    return border_share("single_adult_share", day)


def removable(day: dt.date) -> float:
    """The share of a Title 8 apprehension the engine counts as removable on ``day`` (single
    adults x the share of them from countries that take removals back): the engine's own
    :func:`immsim.engine.border.removable_per_year` of one apprehension a year, so the ratios
    derived here divide by what the engine multiplies."""
    one = {
        "border.record.usbp_title8_apprehensions": 1.0,
        "border.single_adult_share": single_adult_share(day),
        "border.removable_share": border_share("removable_share", day),
    }
    return border.removable_per_year(one)


def published(data: Path, metric: str) -> dict[int, float]:
    out: dict[int, float] = {}
    with open(data / "published_figures.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            period = row["period"].strip()
            if row["metric"] == metric and period.startswith("FY") and period[2:].isdigit():
                out.setdefault(int(period[2:]), float(row["value"]))
    return out


def removal_share(data: Path, lagged: dict[dt.date, float]) -> tuple[float, list[float]]:
    """ICE's border removals over the removable single adults the engine computes reaching
    removal (the lagged base, :func:`lagged_base`, averaged over the fiscal year),
    FY2013-FY2014."""
    removals = published(data, "ice_border_removals")
    ratios = []
    for year in FIT_YEARS:
        days = [v for d, v in lagged.items() if fiscal_year(d) == year]
        ratios.append(removals[year] / statistics.fmean(days))
    return statistics.mean(ratios), ratios


def fiscal_year(day: dt.date) -> int:
    return day.year + (day.month >= 10)


MONTHS = ("Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep")
AFTER_TITLE42 = (dt.date(2023, 6, 1), dt.date(2023, 9, 1))
"""The months after Title 42 whose mean ratio holds after the workbooks' last month."""


def in_force(series: dict[dt.date, float], day: dt.date) -> float:
    return [v for d, v in sorted(series.items()) if d <= day][-1]


@functools.cache
def cbp_rows(data: Path) -> tuple[tuple[str, str, int, float], ...]:
    """The workbooks' 'CBP Average' rows (table, column, fiscal year, value), read once."""
    out: list[tuple[str, str, int, float]] = []
    for path in _args.found(data / "ice_detention_stats", "*.xlsx"):
        frame = read_workbook(path, IngestReport(str(path), "ice_detention_stats", "workbook"))
        rows = frame.filter((pl.col("row_group") == "") & (pl.col("row_label") == "CBP Average"))
        for table, column, year, value in rows.select(
            "table", "column_label", "fiscal_year", "value"
        ).iter_rows():
            out.append((str(table), str(column), int(year), float(value)))
    return tuple(out)


def workbook_month(column: str, year: int) -> dt.date:
    month = MONTHS.index(column) + 10
    return dt.date(year - 1 if month <= 12 else year, (month - 1) % 12 + 1, 1)


def cbp_detention(data: Path) -> tuple[dict[dt.date, float], float]:
    """The average daily population after CBP arrests, by month (October 2018 to September
    2023), and FY2019's average length of stay of CBP arrestees, from ICE's workbooks."""
    adp: dict[dt.date, float] = {}
    stay = 0.0
    for table, column, year, value in cbp_rows(data):
        if table == "adp_by_agency_month_criminality" and column in MONTHS:
            adp.setdefault(workbook_month(column, year), value)
        if table == "alos_by_agency_month_criminality" and column == "FY Overall" and year == 2019:
            stay = value
    return adp, stay


def cbp_stays(data: Path) -> dict[dt.date, float]:
    """The average length of stay in ICE detention of people CBP arrested, days, by the month
    they left (October 2018 to September 2023), from ICE's workbooks."""
    stays: dict[dt.date, float] = {}
    for table, column, year, value in cbp_rows(data):
        if table == "alos_by_agency_month_criminality" and column in MONTHS:
            stays.setdefault(workbook_month(column, year), value)
    return stays


def lag_days(data: Path) -> dict[dt.date, float]:
    """The mean lag from apprehension to removal in force from each date, days: FY2019's
    average stay of CBP arrestees from the series' start (carried back), each workbook month's
    from October 2018, and the mean of June-September 2023's after the workbooks."""
    _, stay = cbp_detention(data)
    stays = cbp_stays(data)
    after = [v for m, v in stays.items() if AFTER_TITLE42[0] <= m <= AFTER_TITLE42[1]]
    last = max(stays)
    out = {SERIES_START: stay, **stays}
    out[next_month(last)] = statistics.mean(after)
    return out


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def lagged_base(
    data: Path, series: dict[dt.date, tuple[int, str]]
) -> tuple[dict[dt.date, float], dict[dt.date, float]]:
    """The removable single adults apprehended a year, day by day (Title 8 x single adults x
    removable share in force that day), and those reaching removal: the apprehended join a
    stock awaiting removal, which empties at the rate one over the day's lag in days
    (:func:`lag_days`): ``reaching = waiting / lag``, ``waiting += apprehended - reaching``,
    from the stock in balance on the series' first day (``waiting = apprehended x lag``). In
    balance the stock is the apprehended times the stay (Little's law) and the removals are the
    apprehended; no removal is made or lost, only moved. Run to LAG_HORIZON_YEARS after the
    record's last month, the last values held, so that the two meet again."""
    title8 = {day: float(value) for day, (value, _) in series.items()}
    lags = lag_days(data)
    base: dict[dt.date, float] = {}
    lagged: dict[dt.date, float] = {}
    day = SERIES_START
    end = next_month(LAST_MONTH).replace(year=next_month(LAST_MONTH).year + LAG_HORIZON_YEARS)
    waiting: float | None = None
    while day < end:
        apprehended = in_force(title8, day) * removable(day)
        lag = in_force(lags, day)
        waiting = apprehended * lag if waiting is None else waiting
        reaching = waiting / lag
        waiting += apprehended - reaching
        base[day], lagged[day] = apprehended, reaching
        day += dt.timedelta(days=1)
    return base, lagged


def lag_factors(base: dict[dt.date, float], lagged: dict[dt.date, float]) -> dict[dt.date, float]:
    """Each month's removable single adults reaching removal over those apprehended in it (the
    days' sums), rounded to four places; only the months where it changes, ending with 1."""
    months: dict[dt.date, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for day, value in base.items():
        months[day.replace(day=1)][0] += value
        months[day.replace(day=1)][1] += lagged[day]
    out: dict[dt.date, float] = {}
    previous = None
    for month, (apprehended, reaching) in sorted(months.items()):
        factor = round(reaching / apprehended, 4)
        if factor != previous:
            out[month] = factor
            previous = factor
    if previous != 1.0:
        raise SystemExit(f"the lag has not caught up {LAG_HORIZON_YEARS} years after the record")
    return out


def bed_days_per_removal(
    data: Path, series: dict[dt.date, tuple[int, str]], share: float
) -> tuple[dict[dt.date, float], float, float]:
    """Each workbook month's CBP-arrested population x days a year over the border removals a
    year the month's apprehensions give, as the engine computes them on the 15th (Title 8 x
    single adults x removable x removal share, without the lag to removal: the beds fill when
    people are booked in, :func:`immsim.engine.border.detained`); FY2019's CBP stay; and the mean
    after Title 42."""
    adp, stay = cbp_detention(data)
    title8 = {day: float(value) for day, (value, _) in series.items()}
    ratios = {}
    for month, held in sorted(adp.items()):
        mid = month.replace(day=15)
        removals = in_force(title8, mid) * removable(mid) * share
        ratios[month] = held * DAYS_PER_YEAR / removals
    after = [r for m, r in ratios.items() if AFTER_TITLE42[0] <= m <= AFTER_TITLE42[1]]
    return ratios, stay, statistics.mean(after)


def cbp_detained_leaf(data: Path) -> list[str]:
    """``border.record.cbp_detained``: the workbooks' CBP-arrested average daily population by
    month, October 2018 to September 2023, and 0 (none recorded) before and after. Where it is
    recorded the border's detained are the record itself, not removals times a ratio derived
    with the tree's shares: a draw of those shares (``validate --draws``) then moves the border's
    removals but not the beds the record says it held, where the ratio let a high draw fill
    every bed and shut the interior out."""
    adp, _ = cbp_detention(data)
    lines = [
        "cbp_detained:",
        "  description: >-",
        "    People CBP arrested held in ICE detention on an average day, by month, where ICE's",
        "    workbooks split the average daily population by arresting agency; 0 where none does",
        "    (engine/border.py then takes border removals times bed_days_per_removal).",
        "  unit: persons",
        "  derived_by: scripts/make_border_tree.py",
        "  values:",
        "    2010-10-01:",
        "      value: 0",
        "      note: No workbook splits the detained by arresting agency before FY2019.",
        "      reference:",
        *[s[2:] for s in reference("workbooks")],
    ]
    for month, held in sorted(adp.items()):
        lines += [
            f"    {month.isoformat()}:",
            f"      value: {held:.2f}",
            f'      note: "{month.strftime("%B %Y")}: CBP Average, the workbook\'s month"',
            "      reference:",
            *[s[2:] for s in reference("workbooks")],
        ]
    last = max(adp)
    after = dt.date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    lines += [
        f"    {after.isoformat()}:",
        "      value: 0",
        "      note: After the workbooks' last month (bed_days_per_removal's mean stands).",
        "      reference:",
        *[s[2:] for s in reference("workbooks")],
    ]
    return lines


DETAIN_PENDING = dt.date(2017, 2, 20)
"""DHS's memorandum ending the release of border arrestees pending their proceedings: from it
the border's bed-days per removal are the first measured month's (FY2019's workbook)."""


FY2013_REMOVALS = {"total": 368_644, "mexico": 241_493}
"""ICE's FY2013 removals and those to Mexico (SOURCES["fy2013"]): the earliest year by country
at hand; ../shared/data has the table for FY2017-FY2018 only."""


def air_share(data: Path) -> dict[int, float]:
    totals: dict[int, float] = defaultdict(float)
    land: dict[int, float] = defaultdict(float)
    path = data / "uwchr/FY2017andFY2018ICERemovalsbyCountryofCitizenship.csv"
    with open(path, encoding="utf-8") as f:
        reader = csv.reader(f)
        years = [int(y) for y in next(reader)[1:]]
        seen = set()
        for row in reader:
            country = row[0].strip().upper()
            if not country or country in seen:  # the file repeats Mexico's row
                continue
            seen.add(country)
            for year, cell in zip(years, row[1:], strict=False):
                value = number(cell) or 0
                totals[year] += value
                if country in ("MEXICO", "CANADA"):
                    land[year] += value
    return {year: 1 - land[year] / totals[year] for year in years}


def reference(key: str) -> list[str]:
    source = SOURCES[key]
    return [f'          - title: "{source["title"]}"', f"            href: {source['href']}"]


def lag_factor_leaf(data: Path, factors: dict[dt.date, float]) -> list[str]:
    """``border.record.removal_lag_factor``: the lagged base over the month's (:func:`lag_factors`)."""
    lags = lag_days(data)
    first, last = min(cbp_stays(data)), max(cbp_stays(data))
    after = max(lags)
    lines = [
        "removal_lag_factor:",
        "  description: >-",
        "    The removable single adults reaching removal in a month over those apprehended in it",
        "    (engine/border.py multiplies the month's by it). A border removal follows its",
        "    apprehension by the stay in ICE detention, so a month's removals are the removable",
        "    single adults of earlier days: Title 8 apprehensions x border.single_adult_share x",
        "    border.removable_share, the tree's values day by day, join a stock awaiting removal",
        "    that empties at one over the CBP arrestees' average length of stay in ICE detention",
        f"    (FY2019's {lags[SERIES_START]:.2f} days before {first.strftime('%B %Y')}; the",
        f"    workbooks' month to {last.strftime('%B %Y')}; June-September 2023's mean,",
        f"    {lags[after]:.2f} days, after). Above 1 after the base falls (Title 42 in March",
        "    2020: the apprehensions of February and March were removed in the months after), below",
        "    1 after it rises (the summer of 2023: removed in FY2024); 1 where it has held for a",
        "    few stays. Derived with the shares' central values: a draw of them scales the month's",
        "    removals as if they held on the days the lag carries.",
        "  unit: multiplier",
        "  derived_by: scripts/make_border_tree.py",
        "  values:",
    ]
    for month, factor in sorted(factors.items()):
        lines += [
            f"    {month.isoformat()}:",
            f"      value: {factor:.4f}",
            "      estimated: true",
            f'      method: "{month.strftime("%B %Y")}: the lagged base over the month\'s"',
            "      reference:",
            *[s[2:] for s in reference("workbooks")],
        ]
    return lines


def main(data: Path) -> None:
    series, expulsions = title8_series(data)
    base, lagged = lagged_base(data, series)
    factors = lag_factors(base, lagged)
    share, ratios = removal_share(data, lagged)
    air = air_share(data)
    bed_days, stay, after = bed_days_per_removal(data, series, share)
    lines = [
        "# Generated by scripts/make_border_tree.py; do not edit by hand.",
        "# The border as CBP recorded it, and the shares fitted or derived from ICE's records.",
        "usbp_title8_apprehensions:",
        "  description: >-",
        "    People Border Patrol apprehended and processed under immigration law (Title 8),",
        "    nationwide, a year: Title 42 expulsions are not counted. Before October 2019 one value a",
        "    fiscal year; from then one a month (the month's count times 12).",
        "  unit: persons/year",
        "  values:",
    ]
    for day, (value, source) in sorted(series.items()):
        note = "FY" + str(day.year + 1) if source == "yearly" else day.strftime("%B %Y")
        if day.year == 2018 and source == "yearly":
            note += " (southwest border only: the compilation lacks the rest of the country)"
        if day >= dt.date(2023, 10, 1):
            note += "; after the back-test's years (CBP's published monthly count)"
        lines += [f"    {day.isoformat()}:", f"      value: {value}", f'      note: "{note}"']
        lines += ["      reference:", *[s[2:] for s in reference(source)]]
    lines += [
        "title42_expulsions:",
        "  description: >-",
        "    Border Patrol expulsions under the CDC's Title 42 order (21 March 2020 to 11 May 2023),",
        "    a month: encounters less Title 8 apprehensions. Expelled people never reach ICE.",
        "  unit: persons",
        "  documentation_only: >-",
        "    Context for the Title 8 series the engine reads (what Title 42 took out of it), and the",
        "    check in tests/test_border.py that the two add up to CBP's encounters.",
        "  reference:",
        *[s[4:] for s in reference("encounters")],
        "  values:",
    ]
    lines += [f"    {day.isoformat()}: {value}" for day, value in sorted(expulsions.items())]
    lo, hi = min(ratios), max(ratios)
    lines += [
        "removal_share:",
        "  description: >-",
        "    ICE removals of people Border Patrol apprehended, per single adult apprehended under",
        "    Title 8 from a country that takes removals back (border.removable_share; families are",
        "    mostly released with a notice to appear and children go to HHS, so they are left out",
        "    of the base).",
        "  unit: share",
        "  values:",
        "    2010-10-01:",
        f"      value: {share:.4f}",
        "      estimated: true",
        f"      interval_90: [{lo:.4f}, {hi:.4f}]",
        "      method: >-",
        "        Fitted by scripts/make_border_tree.py on FY2013-FY2014 only: ICE's published border",
        "        removals (published_figures.csv, ice_border_removals) over Title 8 apprehensions times",
        "        border.single_adult_share times border.removable_share, carried by the lag to",
        "        removal (border.record.removal_lag_factor; the fiscal year's mean); the two years give",
        f"        {ratios[0]:.4f} and {ratios[1]:.4f} (the interval is their range). Not fitted on",
        "        FY2015 on: those years' border removals exist only as the difference of two figures",
        "        the back-test scores.",
        *lag_factor_leaf(data, factors),
        "air_share:",
        "  description: >-",
        "    Share of border removals that fly (removals to countries other than Mexico and Canada),",
        "    competing with interior removals for the same seats.",
        "  unit: share",
        "  values:",
    ]
    fy2013 = 1 - FY2013_REMOVALS["mexico"] / FY2013_REMOVALS["total"]
    for day, note in (("2010-10-01", ", carried back to FY2011-FY2012"), ("2012-10-01", "")):
        lines += [
            f"    {day}:",
            f"      value: {fy2013:.4f}",
            "      estimated: true",
            "      method: >-",
            "        Removals to countries other than Mexico over all ICE removals in FY2013 (Canada's",
            "        are too few to count); border and interior removals are assumed to share the",
            f"        mix{note}. Held to FY2016 (no table by country for FY2014-FY2016 at hand).",
            "      reference:",
            *[s[2:] for s in reference("fy2013")],
        ]
    for year in sorted(air):
        lines += [
            f"    {year - 1}-10-01:",
            f"      value: {air[year]:.4f}",
            "      estimated: true",
            "      method: >-",
            f"        Removals to countries other than Mexico and Canada over all ICE removals in FY{year}",
            "        (derived by scripts/make_border_tree.py); border and interior removals are assumed",
            "        to share the mix.",
            "      reference:",
            *[s[2:] for s in reference("by_country")],
        ]
    lines += [
        "bed_days_per_removal:",
        "  description: >-",
        "    Days in ICE detention of people CBP arrested, per border removal: the border's average",
        "    daily population is border removals a year times this over 365 (engine/border.py).",
        "    During Title 42 most CBP detainees were not removed (credible-fear cases, later",
        "    released), so the ratio is far above a length of stay.",
        "  unit: days/removal",
        "  derived_by: scripts/make_border_tree.py",
        "  values:",
        "    2010-10-01:",
        f"      value: {stay:.2f}",
        "      estimated: true",
        "      method: >-",
        "        FY2019's average length of stay of people CBP arrested (ICE's FY2019 workbook, the",
        "        first to split by arresting agency), carried back: each border removal held one",
        "        stay. A lower bound: CBP arrestees released rather than removed held beds too.",
        "      reference:",
        *[s[2:] for s in reference("workbooks")],
        f"    {DETAIN_PENDING.isoformat()}:",
        f"      value: {bed_days[min(bed_days)]:.2f}",
        "      estimated: true",
        "      method: >-",
        "        The first month the workbooks measure (October 2018: CBP-arrested ADP x days a year",
        "        over border removals a year) carried back",
        "        to the DHS memorandum of 20 February 2017, which directed that people",
        '        apprehended at the border be detained pending their proceedings ("catch and release"',
        "        ended, parole case by case): from then CBP arrestees who were not removed (credible-fear",
        "        and court cases) held beds too, so a border removal held more bed-days than one",
        "        stay. Before it, FY2019's stay stands (above). Not set from the detained",
        "        population the back-test scores for FY2017-FY2018: no workbook splits those years",
        "        by agency, and the ratio is of FY2019's records.",
        "      reference:",
        *[s[2:] for s in reference("workbooks")],
        *[s[2:] for s in reference("kelly_memo")],
    ]
    lines += [
        "    2023-10-01:",
        f"      value: {after:.2f}",
        "      estimated: true",
        "      method: >-",
        "        The mean of June-September 2023 (each month's CBP-arrested ADP x days a year over",
        "        border removals a year, Title 8 again after Title 42), held after the workbooks'",
        "        last month.",
        "      reference:",
        *[s[2:] for s in reference("workbooks")],
    ]
    lines += cbp_detained_leaf(data)
    _args.write(OUT, "\n".join(lines) + "\n")
    print(
        f"wrote {OUT}: removal share {share:.4f} (FY2013 {ratios[0]:.4f}, FY2014 {ratios[1]:.4f})"
    )


if __name__ == "__main__":
    parser = _args.parser(__doc__, __file__)
    _args.data_folder(parser, "../shared/data")
    _args.run(main, parser.parse_args().data)
