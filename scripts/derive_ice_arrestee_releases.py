"""Derive ICE's releases from detention of the people ICE itself arrested (the interior), by
month, from DHS's monthly tables; write ``parameters/tree/detention/ice_releases.yaml``
(issues 19/20).

The source is DHS's Office of Homeland Security Statistics, "Immigration Enforcement and Legal
Processes Monthly Tables" (the August 2024 edition; cells rounded to the nearest ten), sheet "ICE
Book-Outs by Arrest Agency": ICE's book-outs by reason (removal, order of supervision, bonded
out, order of recognizance, paroled, relief, other) and initial arresting agency (CBP, ICE), by
month from October 2017 (FY2018) to August 2024. OHSS has no comprehensive book-out outcomes
before FY2018 (the sheet's note).

The leaves written:

- ``recognizance``: ICE's arrestees released on an order of recognizance (INA 236(a), in
  proceedings) or paroled (INA 212(d)(5)), the month's count at a yearly pace (times the days
  of a year over the month's days), which the engine releases from those it holds awaiting
  court (engine/stages/detention.py). The record's count itself is the input: no rate over
  book-ins or the detained, which the back-test scores. 0 before October 2017 (no sheet: the
  engine as before); the last month (August 2024) is carried on.
- ``bond``: ICE's arrestees bonded out (INA 236(a)), the month's count at a yearly pace, which
  the engine releases on bond from those it holds awaiting court (engine/stages/detention.py),
  as ``recognizance``, from October 2017 to August 2024, the edition's months; there
  ``detention.release.bond_release_rate`` is 0 (the count takes its place). 0 before October
  2017 (no sheet: the rate, 4.34 a year, as before) and from September 2024 (no count after the
  edition: the rate again, bond-outs only, 1.82 a year); the last month is not carried on, as
  ``recognizance``'s is: see docs/calibration.md, branch bond27.
- ``supervision``: the fiscal years' releases on an order of supervision of ICE's arrestees,
  documentation only: the engine's Zadvydas releases are checked against them in
  docs/calibration.md.

Run from the repository root with the path of OHSS's workbook:

    python scripts/derive_ice_arrestee_releases.py \
        2024_1206_ohss_immigration-enforcement-and-legal-processes-tables-august-2024.xlsx
"""

from __future__ import annotations

import calendar
import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from immsim.data import ohss  # noqa: E402
from immsim.dates import DAYS_PER_YEAR  # noqa: E402

OUT = ROOT / "src/immsim/parameters/tree/detention/ice_releases.yaml"
SHEET = "ICE Book-Outs by Arrest Agency"
# Columns (0-based) of the sheet's ICE block (initial arresting agency ICE).
ICE = {
    "total": 18,
    "removal": 19,
    "supervision": 20,
    "bond": 21,
    "recognizance": 22,
    "paroled": 23,
    "relief": 24,
    "other": 25,
}
SOURCE = {
    "title": (
        "DHS Office of Homeland Security Statistics: Immigration Enforcement and Legal Processes "
        "Monthly Tables, August 2024 edition, sheet 'ICE Book-Outs by Arrest Agency' (ICE's "
        "book-outs by reason and initial arresting agency, by month, FY2018 to August 2024)"
    ),
    "href": (
        "https://ohss.dhs.gov/topics/immigration/immigration-enforcement/"
        "immigration-enforcement-and-legal-processes-monthly"
    ),
}
COPY = {
    "title": (
        "brentryanjohnson/DHS-Monthly-Tables: 2024_1206_ohss_immigration-enforcement-and-legal-"
        "processes-tables-august-2024.xlsx (OHSS's workbook, copy)"
    ),
    "href": (
        "https://github.com/brentryanjohnson/DHS-Monthly-Tables/blob/"
        "8c4e1e67e4f36bb900dfd61f684b8e480df5a267/"
        "2024_1206_ohss_immigration-enforcement-and-legal-processes-tables-august-2024.xlsx"
    ),
}
LAST_BACKTEST_YEAR = 2023
"""The documentation leaves stop at FY2023, the last year of the back-test's records."""


def read(path: Path) -> tuple[dict[dt.date, dict[str, float]], dict[int, dict[str, float]]]:
    """The sheet's ICE columns: by month (first of the month) and by fiscal year (its 'Total'
    rows; the last one, '2024 YTD', is left out)."""
    return ohss.read_sheet(path, SHEET, ICE)


def per_year(count: float, month: dt.date) -> float:
    """A month's count at a yearly pace: times a year's days over the month's."""
    return count * DAYS_PER_YEAR / calendar.monthrange(month.year, month.month)[1]


def released(row: dict[str, float]) -> float:
    """Released in proceedings at ICE's discretion: on recognizance or on parole."""
    return row["recognizance"] + row["paroled"]


def bonded(row: dict[str, float]) -> float:
    """Released on bond (INA 236(a)): bonded out."""
    return row["bond"]


def reference_lines(indent: str) -> list[str]:
    lines = [f"{indent}reference:"]
    for ref in (SOURCE, COPY):
        lines += [f'{indent}  - title: "{ref["title"]}"', f"{indent}    href: {ref['href']}"]
    return lines


def render(months: dict[dt.date, dict[str, float]], years: dict[int, dict[str, float]]) -> str:
    last = max(months)
    lines = [
        "# Generated by scripts/derive_ice_arrestee_releases.py; do not edit by hand.",
        "# ICE's releases from detention of the people ICE arrested (the interior), from DHS's",
        "# monthly tables (issues 19/20).",
        "recognizance:",
        "  description: >-",
        "    People ICE arrested whom ICE releases from detention a year on an order of",
        "    recognizance (INA 236(a): in removal proceedings, not a detention priority) or on",
        "    parole (INA 212(d)(5)): the month's count in DHS's monthly tables at a yearly pace.",
        "    engine/stages/detention.py releases that many a week (over the weeks of a year) from",
        "    the people it holds awaiting court who are not held by law (bondable), scaled by the",
        "    share of them a judge may still release under INA 236(a)",
        "    (detention.release.bond_eligible_share, 1 before September 2025), at most all of",
        "    them. The input is the record's count, no rate over the book-ins or the detained the",
        "    back-test scores.",
        "  unit: persons/year",
        "  derived_by: scripts/derive_ice_arrestee_releases.py",
        *reference_lines("  "),
        "  values:",
        "    2010-10-01:",
        "      value: 0",
        "      note: >-",
        "        No count before October 2017: the sheet starts in FY2018 (OHSS has no",
        "        comprehensive book-out outcomes before), so the engine releases no one on",
        "        recognizance or parole before then, as before this leaf.",
    ]
    for month, row in sorted(months.items()):
        note = (
            f"{month:%B %Y}: {row['recognizance']:,.0f} on recognizance and"
            f" {row['paroled']:,.0f} paroled of {row['total']:,.0f} book-outs of ICE's arrestees"
            f" ({row['removal']:,.0f} removed)"
        )
        if month == last:
            note += (
                "; the last month of the edition, carried on: no later count by arresting agency"
                " was found (the default run's 2026 reads it, scaled by"
                " detention.release.bond_eligible_share)"
            )
        lines += [
            f"    {month:%Y-%m-%d}:",
            f"      value: {per_year(released(row), month):.1f}",
            f'      note: "{note}"',
        ]
    lines += [
        "bond:",
        "  description: >-",
        "    People ICE arrested whom ICE releases from detention a year on bond (INA 236(a)):",
        "    the month's count of bond-outs in DHS's monthly tables at a yearly pace, from",
        "    October 2017 to August 2024. engine/stages/detention.py releases that many a week,",
        "    as it does detention.ice_releases.recognizance, from the people it holds awaiting",
        "    court who are not held by law, scaled by detention.release.bond_eligible_share, at",
        "    most all of them; detention.release.bond_release_rate is 0 while the count stands.",
        "    The input is the record's count, no rate over the book-ins or the detained the",
        "    back-test scores.",
        "  unit: persons/year",
        "  derived_by: scripts/derive_ice_arrestee_releases.py",
        *reference_lines("  "),
        "  values:",
        "    2010-10-01:",
        "      value: 0",
        "      note: >-",
        "        No count before October 2017 (the sheet starts in FY2018): the engine releases",
        "        on bond at detention.release.bond_release_rate (every release before an order,",
        "        4.34 a year), as before this leaf.",
    ]
    for month, row in sorted(months.items()):
        lines += [
            f"    {month:%Y-%m-%d}:",
            f"      value: {per_year(bonded(row), month):.1f}",
            f'      note: "{month:%B %Y}: {row["bond"]:,.0f} bonded out of {row["total"]:,.0f}'
            f" book-outs of ICE's arrestees\"",
        ]
    after = dt.date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    lines += [
        f"    {after:%Y-%m-%d}:",
        "      value: 0",
        "      note: >-",
        f"        No count after {last:%B %Y}, the edition's last month: the engine releases on",
        "        bond at detention.release.bond_release_rate again (bond-outs only, FY2020-FY2023's",
        "        hazard). The last month is not carried on as a count: a count of that month's",
        "        size into 2025-2026, after Matter of Yajure Hurtado and the Deportation Data",
        "        Project's far fewer releases in 2025, is no better cited than the rate, and the",
        "        rate leaves the default run as it was (docs/calibration.md, branch bond27).",
        "supervision:",
        "  description: >-",
        "    People ICE arrested released from ICE detention on an order of supervision (a",
        "    final order, INA 241(a)(3)) in the fiscal year.",
        "  unit: persons/year",
        "  derived_by: scripts/derive_ice_arrestee_releases.py",
        "  documentation_only: >-",
        "    The record the engine's Zadvydas releases are set beside in docs/calibration.md",
        "    (scripts/decompose_first_year.py); no code reads it.",
        *reference_lines("  "),
        "  values:",
    ]
    for year, row in sorted(years.items()):
        if year > LAST_BACKTEST_YEAR:
            continue
        lines += [
            f"    {year - 1}-10-01:",
            f"      value: {row['supervision']:.0f}",
            f'      note: "FY{year}: of {row["total"]:,.0f} book-outs of ICE\'s arrestees"',
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    months, years = read(Path(argv[1]))
    OUT.write_text(render(months, years), encoding="utf-8")
    for year, row in sorted(years.items()):
        print(
            f"FY{year}: recognizance {row['recognizance']:,.0f} + paroled {row['paroled']:,.0f}"
            f" = {released(row):,.0f}; bond {row['bond']:,.0f};"
            f" supervision {row['supervision']:,.0f}; removal {row['removal']:,.0f}"
        )
    print(f"wrote {OUT.relative_to(ROOT)} ({len(months)} months)")


if __name__ == "__main__":
    main(sys.argv)
