"""Derive the Migrant Protection Protocols' court cases (``border.record.mpp_returns``) and the
Border Patrol family members among them (``border.record.mpp_family_returns``) from DHS's
monthly tables.

Under MPP ("Remain in Mexico", 29 January 2019 to 20 January 2021, and again from December
2021 to August 2022 under the court's order) CBP served people it encountered at the southwest
border with a notice to appear, filed it with EOIR, and returned them to Mexico to await their
hearings: each return is a removal case on EOIR's docket whose respondent is not in the
country. The engine holds such cases in its stock of cases of people abroad
(``Count.COURT_ABROAD``, heard at the released docket's rate, each hearing an in-absentia
order).

The source is DHS's Office of Homeland Security Statistics, "Immigration Enforcement and Legal
Processes Monthly Tables" (the August 2024 edition, data to 30 September 2024; cells rounded to
the nearest ten), two sheets:

- "CBP SWB Book-Outs by Agency": the southwest border's encounters by outcome and month, among
  them "Migrant Protection Protocols", for all of CBP, for Border Patrol and for the ports (OFO).
- "CBP SWB Book-Outs by Family": the same outcomes by family status (single adults, family
  unit individuals; no unaccompanied child was placed in MPP), for all of CBP.

``mpp_returns`` is all of CBP's MPP returns in the month (Border Patrol's and the ports'), times
12 (a rate a year, as ``border.record.usbp_title8_apprehensions``). The engine's releases at the
border are Border Patrol's Title 8 families and children (``engine/border.py:
released_per_year``), which count the families Border Patrol returned under MPP as released into
the interior; ``mpp_family_returns`` are those: Border Patrol's MPP returns times the family
unit individuals' share of CBP's MPP returns in the month (the tables do not split family status
by agency; the ports' share of MPP was 12% in FY2019 and 18% in FY2020). The engine takes them
from the releases and opens their cases abroad instead.

Run from the repository root with the path of OHSS's workbook:

    python scripts/derive_mpp_returns.py \
        2024_1206_ohss_immigration-enforcement-and-legal-processes-tables-august-2024.xlsx
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _args

from immsim.data import ohss

# Columns (0-based) of the sheets' month rows.
BY_AGENCY = {"cbp": 5, "usbp": 14, "ofo": 22}
BY_FAMILY = {"cbp": 5, "single": 14, "family": 22}
FIRST, LAST = dt.date(2018, 10, 1), dt.date(2022, 9, 1)


def monthly(path: Path, sheet: str, columns: dict[str, int]) -> dict[dt.date, dict[str, float]]:
    """The sheet's month rows: first of the month -> {name: count}."""
    return ohss.read_sheet(path, sheet, columns)[0]


def derive(path: Path) -> dict[dt.date, tuple[float, float]]:
    """Month -> (CBP's MPP returns, Border Patrol's family members among them), counts."""
    agency = monthly(path, "CBP SWB Book-Outs by Agency", BY_AGENCY)
    family = monthly(path, "CBP SWB Book-Outs by Family", BY_FAMILY)
    out: dict[dt.date, tuple[float, float]] = {}
    for month in sorted(agency):
        if not FIRST <= month <= LAST:
            continue
        a, f = agency[month], family[month]
        # each cell is rounded to ten, so the parts may miss the total by a rounding or two
        if abs(a["cbp"] - a["usbp"] - a["ofo"]) > 20 or f["cbp"] != a["cbp"]:
            raise SystemExit(f"{month}: the sheets disagree: {a} {f}")
        share = f["family"] / f["cbp"] if f["cbp"] else 0.0
        out[month] = (a["cbp"], a["usbp"] * share)
    return out


def main(path: Path) -> None:
    months = derive(path)
    total = families = 0.0
    print("month, CBP's MPP returns, Border Patrol's family members (the month's counts)")
    for month, (returns, fam) in months.items():
        total, families = total + returns, families + fam
        print(f"  {month:%Y-%m}: {returns:,.0f}  {fam:,.1f}")
    print(f"  all: {total:,.0f} returns, {families:,.0f} Border Patrol family members")
    for fiscal in (2019, 2020, 2021, 2022):
        span = [m for m in months if m.year + (m.month >= 10) == fiscal]
        r = sum(months[m][0] for m in span)
        f = sum(months[m][1] for m in span)
        print(f"  FY{fiscal}: {r:,.0f} returns, {f:,.0f} Border Patrol family members")
    print("\nThe tree's values (border.yaml; persons/year: the month's count times 12):")
    for key, i in (("mpp_returns", 0), ("mpp_family_returns", 1)):
        print(f"{key}:")
        previous = None
        for month, values in months.items():
            value = round(values[i] * 12, 1)
            if value != previous:
                print(f"    {month.isoformat()}:")
                print(f"      value: {value}")
                print(f'      note: "{month:%B %Y}: {values[i]:,.1f} in the month"')
            previous = value


if __name__ == "__main__":
    parser = _args.parser(__doc__, __file__)
    parser.add_argument("workbook", type=_args.file, help="OHSS's monthly tables (.xlsx)")
    _args.run(main, parser.parse_args().workbook)
