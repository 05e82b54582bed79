"""Derive how long the interior's detained stay, and how fast they bond out, from ICE's
workbooks; write ``parameters/tree/detention/record.yaml`` (issue 19).

ICE's yearly detention-statistics workbooks (``ice_detention_stats/FY19-FY23``) split the
average daily population, the initial book-ins and the average length of stay by arresting
agency (ICE, the interior; CBP, the border), and the final releases by reason and criminality.
From them:

- ``detention.record.interior_length_of_stay`` (written to the tree, a check kept beside the
  engine, not read by it): the average length of stay of people ICE arrested, by fiscal year.
  The engine's interior stays are checked against it (``tests/test_stays.py``); the back-test
  scores the detained and the book-ins, whose ratio it is, so it is no input.
- ``detention.family_share`` (printed; the tree's FY2019-FY2023 values, checked by the test):
  the family residential centres' share of ICE's average daily population, all agencies, from
  the workbooks' daily population by facility type. It prices a bed-day (a family bed costs
  more than an adult one) and nothing else: the back-test scores no cost.
- ``detention.release.bond_release_rate`` (printed; the tree's value, checked by the test): the
  releases on bond a year per person awaiting court who is not held by law. The workbooks count
  bond-outs by criminality, and the detained by criminality and agency; of the three classes,
  people with pending criminal charges (no conviction) are not held by law (INA 236(c) needs a
  conviction), so their bond-outs over their average daily population is a bond hazard over
  everyone of the class held, removal cases included. Over the share of them awaiting court
  (one less the removal share of ICE's detained on the workbook's snapshot,
  ``scripts/make_start_state_tree.py``) it is the hazard of those awaiting court: FY2020-FY2023,
  the years whose daily population splits pending charges out (FY2019's does not). The mean of
  the four years is the value, their range the interval. Bond-outs are not a figure the
  back-test scores; the daily population of one criminality class is a part of one, used here
  as the exposure, as the border's detained days are (``scripts/make_border_tree.py``).
  The value counts every release before an order (bond, recognizance, parole) and holds until
  FY2018; from October 2017 the releases on recognizance and parole of ICE's arrestees are DHS's
  count (``detention.ice_releases.recognizance``, ``scripts/derive_ice_arrestee_releases.py``),
  so the rate from then is the same hazard of bond-outs alone (printed second). From October
  2017 to August 2024 the bond-outs are DHS's count too (``detention.ice_releases.bond``) and
  the tree's rate is 0; the bond-only rate holds from September 2024, after the count.

Run from the repository root when the records change:

    python scripts/derive_detention_stays.py ../shared/data
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import _args  # noqa: E402
import make_start_state_tree  # noqa: E402  (its snapshot shares: one reader of the workbooks)

from immsim.data.detention_stats import read_workbook  # noqa: E402
from immsim.data.report import IngestReport  # noqa: E402

OUT = ROOT / "src/immsim/parameters/tree/detention/record.yaml"
PENDING = "Pending Criminal Charges"
WORKBOOKS = {
    "title": "ICE detention statistics FY2019-FY2023 (FY19-detentionstats.xlsx ... FY23_detentionStats.xlsx)",
    "href": "https://www.ice.gov/detain/detention-management",
}


def _one(frame: pl.DataFrame, table: str, group: str, row: str, column: str) -> float | None:
    """The one cell of ``table`` whose row group, row label and column label start with the
    given texts (labels carry stray spaces), or None where the workbook has no such cell."""
    hit = frame.filter(
        (pl.col("table") == table)
        & pl.col("row_group").str.strip_chars().str.starts_with(group)
        & pl.col("row_label").str.strip_chars().str.starts_with(row)
        & pl.col("column_label").str.strip_chars().str.starts_with(column)
    )
    return float(hit["value"][0]) if hit.height == 1 else None


RELEASES_BEFORE_AN_ORDER = ("Bonded Out", "Order of Recognizance", "Paroled")
"""Release reasons of people whose case is not decided: on bond, on their own recognizance,
on parole. An order of supervision releases people with a final order (Zadvydas), and the
bond reasons "set by ICE" and "set by IJ" are the two parts of "Bonded Out"."""


BOND_ONLY = ("Bonded Out",)
"""From FY2018 the releases on recognizance and parole of ICE's arrestees are the record's
count (``detention.ice_releases.recognizance``), so the rate from then counts bond-outs only
(and is 0 from October 2017 to August 2024, where the bond-outs are a count too:
``detention.ice_releases.bond``)."""


def _released_pending(
    frame: pl.DataFrame, reasons: tuple[str, ...] = RELEASES_BEFORE_AN_ORDER
) -> float | None:
    """Releases before an order of people with pending charges, for ``reasons``: rows under
    each reason (FY2021 on) or a column of each reason's row (FY2019-FY2020)."""
    table = "releases_by_reason"
    total = 0.0
    for reason in reasons:
        by_row = _one(frame, table, reason, PENDING, "Total")
        cell = by_row if by_row is not None else _one(frame, table, "", reason, PENDING)
        if cell is None:
            return None
        total += cell
    return total


def workbook_years(data: Path) -> dict[int, dict[str, float]]:
    """Each workbook's fiscal year: ICE-arrested length of stay, daily population and
    book-ins, the share of everyone held in family residential centres
    (``detention.family_share``), and (where the daily population splits pending charges out)
    the bond hazard of people with pending charges and of those of them awaiting court."""
    snapshots = {name: shares for _, name, shares in make_start_state_tree.workbook_shares(data)}
    out: dict[int, dict[str, float]] = {}
    for path in _args.found(data / "ice_detention_stats", "FY*.xlsx"):
        frame = read_workbook(path, IngestReport(str(path), "ice_detention_stats", "workbook"))
        year = 2000 + int(path.name[2:4])  # FY19-..., FY23_...: the file's own fiscal year
        by_agency = "alos_by_agency_month_criminality"
        row: dict[str, float] = {}
        for name, table, label, column in (
            ("length_of_stay", by_agency, "ICE Average", "FY Overall"),
            ("daily_population", "adp_by_agency_month_criminality", "ICE Average", "FY Overall"),
            ("book_ins", "book_ins_by_agency_month", "ICE", "Total"),
        ):
            value = _one(frame, table, "", label, column)
            if value is None:
                raise SystemExit(f"{path.name}: no {name} of ICE arrestees ({table})")
            row[name] = value
        # the family residential centres' share of everyone held (the table's "FRC", from
        # FY2022 "FSC"): ICE budgets a family bed apart from an adult one
        total = _one(frame, "adp_by_facility_month", "", "Total", "FY Overall")
        family = _one(frame, "adp_by_facility_month", "", "FRC", "FY Overall")
        if family is None:
            family = _one(frame, "adp_by_facility_month", "", "FSC", "FY Overall")
        if total and family is not None:
            row["family_share"] = family / total
        released = _released_pending(frame)
        bonded = _released_pending(frame, BOND_ONLY)
        held = _one(frame, "adp_by_agency_month_criminality", "Average", PENDING, "FY Overall")
        if released is not None and bonded is not None and held is not None:
            row["pending_release_hazard"] = released / held
            court = 1 - snapshots[path.name]["removal_share"]
            row["bond_release_rate"] = released / held / court
            row["bond_only_release_rate"] = bonded / held / court
        out[year] = row
    return out


def bond_release_rate(
    years: dict[int, dict[str, float]], key: str = "bond_release_rate"
) -> dict[str, float]:
    """The mean of the yearly bond hazards of people awaiting court (``key``: of every release
    before an order, or of bond-outs only), and their range."""
    rates = [row[key] for row in years.values() if key in row]
    return {
        "value": round(statistics.mean(rates), 2),
        "low": round(min(rates), 2),
        "high": round(max(rates), 2),
        "years": len(rates),
    }


def render(years: dict[int, dict[str, float]]) -> str:
    lines = [
        "# Generated by scripts/derive_detention_stays.py; do not edit by hand.",
        "# What ICE's workbooks record of the interior's stays, beside the engine's (issue 19).",
        "interior_length_of_stay:",
        "  description: >-",
        "    Average length of stay in ICE detention of people ICE arrested (the interior; CBP's",
        "    arrestees, the border's, left out), over the fiscal year's book-outs.",
        "  unit: days",
        "  documentation_only: >-",
        "    The record the engine's interior stays are checked against (tests/test_stays.py: the",
        "    interior's detained over its book-ins); the back-test scores both, so it is no input.",
        "  values:",
    ]
    for year, row in sorted(years.items()):
        lines += [
            f"    {year - 1}-10-01:",
            f"      value: {row['length_of_stay']:.1f}",
            "      derived_by: scripts/derive_detention_stays.py",
            "      reference:",
            f'        - title: "{WORKBOOKS["title"]}: FY{year}, average length of stay by arresting agency, ICE"',
            f"          href: {WORKBOOKS['href']}",
            "      note: >-",
            f"        {row['daily_population']:,.0f} ICE arrestees held on an average day;"
            f" {row['book_ins']:,.0f} initial book-ins.",
        ]
    return "\n".join(lines) + "\n"


def main(data: Path) -> None:
    years = workbook_years(data)
    first, last = min(years), max(years)
    _args.require(
        sorted(years) == list(range(first, last + 1)),
        f"{data / 'ice_detention_stats'}: the fiscal years {sorted(years)} have a gap",
    )
    for key in ("bond_release_rate", "bond_only_release_rate"):
        _args.require(
            any(key in row for row in years.values()),
            f"{data / 'ice_detention_stats'}: no workbook splits pending charges out ({key})",
        )
    _args.write(OUT, render(years))
    for year, row in sorted(years.items()):
        print(year, {k: round(v, 3) for k, v in row.items()})
    print("detention.release.bond_release_rate:", bond_release_rate(years))
    print(
        "detention.release.bond_release_rate from September 2024 (bond-outs only):",
        bond_release_rate(years, "bond_only_release_rate"),
    )


if __name__ == "__main__":
    parser = _args.parser(__doc__, __file__)
    _args.data_folder(parser, "../shared/data")
    _args.run(main, parser.parse_args().data)
