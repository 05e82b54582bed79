"""Derive the border's Title 8 mix under Title 42 (FY2020-FY2023) from CBP's own encounter file.

Prints the values ``border.single_adult_share`` and ``border.removable_share`` carry from
October 2019 to September 2023 (``parameters/tree/border.yaml``), with the arithmetic.

The source is CBP's "Nationwide Encounters" file by state (FY2020-FY2023, November 2023
release): encounters by month, land border region, demographic, citizenship and title of
authority (Title 8 or Title 42). It does not split Border Patrol from the ports (OFO), so at the
southwest land border its Title 8 rows are Border Patrol's apprehensions plus the ports'
inadmissibles. Two ways round that, each said where used:

- FY2020 and FY2021: Border Patrol's own southwest-border encounters by demographic (Title 8 and
  Title 42 together; CBP for FY2020, CRS R46999 for FY2021) less the file's Title 42 expulsions
  by demographic. The ports' expulsions (7,744 in FY2020, CBP; FY2021's the file's less Border
  Patrol's) are few, so whether they were single adults or not bounds the share closely; the
  value takes them in the mix of all expulsions.
- FY2022 and FY2023: no Border Patrol table by demographic at hand, so the share is of all
  Title 8 at the southwest land border (Border Patrol and the ports); the bounds are the ports'
  Title 8 inadmissibles (CBP's custody and transfer tables) taken as all single adults or none.

The removable share is the file's Title 8 single adults from Mexico, Guatemala, Honduras and El
Salvador over all its Title 8 single adults at the southwest land border, for the same spans.

Run from the repository root with the path of CBP's file:

    python scripts/derive_border_title8_mix.py nationwide-encounters-fy20-fy23-state.csv
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _args

MONTHS = ("OCT", "NOV", "DEC", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP")
REMOVABLE = frozenset({"MEXICO", "GUATEMALA", "HONDURAS", "EL SALVADOR"})
SINGLE = "Single Adults"

# Border Patrol's southwest-border encounters (Title 8 and Title 42) by demographic, as cited in
# border.yaml: FY2020 CBP's Southwest Border Migration page (400,651: single adults 317,864);
# FY2021 CRS R46999 (1,659,206: single adults 1,063,285).
USBP_ENCOUNTERS = {2020: (400_651, 317_864), 2021: (1_659_206, 1_063_285)}
# Border Patrol's Title 42 expulsions nationwide (border.record.title42_expulsions summed, CBP's
# encounters less Title 8 apprehensions): FY2020 197,043 (CBP's southwest border figure; the
# ports expelled 7,744 more), FY2021 1,040,695.
USBP_EXPULSIONS = {2020: 197_043, 2021: 1_040_695}
# The ports' southwest-border Title 8 inadmissibles (CBP's custody and transfer statistics,
# field-office totals by month), for the spans where the share is of all Title 8.
PORTS_TITLE8 = {
    "FY2022": 147_085,
    "FY2023 Oct-Apr": 182_043,
    "Jun-Sep 2023": 198_736,
}
SPANS = {
    "FY2022": (2022, range(12)),
    "FY2023 Oct-Apr": (2023, range(7)),
    "Jun-Sep 2023": (2023, range(8, 12)),
}


def read(path: Path) -> Counter[tuple[int, int, str, str, bool]]:
    """Southwest land border encounters: (fiscal year, month index, title, demographic,
    removable citizenship) -> count."""
    out: Counter[tuple[int, int, str, str, bool]] = Counter()
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["Land Border Region"] != "Southwest Land Border":
                continue
            key = (
                int(row["Fiscal Year"][:4]),
                MONTHS.index(row["Month (abbv)"]),
                row["Title of Authority"],
                row["Demographic"],
                row["Citizenship"] in REMOVABLE,
            )
            out[key] += int(row["Encounter Count"])
    return out


def total(
    data: Counter[tuple[int, int, str, str, bool]],
    year: int,
    months: range,
    title: str,
    demographic: str | None = None,
    removable: bool | None = None,
) -> int:
    return sum(
        n
        for (fy, m, t, d, r), n in data.items()
        if fy == year
        and m in months
        and t == title
        and (demographic is None or d == demographic)
        and (removable is None or r == removable)
    )


def by_expulsions(data: Counter[tuple[int, int, str, str, bool]], year: int) -> None:
    """Border Patrol's Title 8 single adults: its encounters of single adults less the file's
    single adults expelled, the ports' expulsions taken in the mix of all expulsions."""
    encounters, single = USBP_ENCOUNTERS[year]
    title8 = encounters - USBP_EXPULSIONS[year]
    expelled = total(data, year, range(12), "Title 42")
    expelled_single = total(data, year, range(12), "Title 42", SINGLE)
    ports = expelled - USBP_EXPULSIONS[year]
    low = (single - expelled_single) / title8
    high = (single - expelled_single + ports) / title8
    value = (single - expelled_single * USBP_EXPULSIONS[year] / expelled) / title8
    print(
        f"FY{year} single adults: ({single:,} - {expelled_single:,} x {USBP_EXPULSIONS[year]:,}"
        f" / {expelled:,}) / {title8:,} = {value:.4f}  [{low:.4f}, {high:.4f}]"
    )


def by_title8(data: Counter[tuple[int, int, str, str, bool]], span: str) -> None:
    """The share of all Title 8 at the southwest land border; bounds from the ports' count."""
    year, months = SPANS[span]
    title8 = total(data, year, months, "Title 8")
    single = total(data, year, months, "Title 8", SINGLE)
    ports = PORTS_TITLE8[span]
    low = (single - ports) / (title8 - ports)
    high = single / (title8 - ports)
    print(
        f"{span} single adults: {single:,} / {title8:,} = {single / title8:.4f}"
        f"  [{low:.4f}, {high:.4f}]"
    )


def removable(
    data: Counter[tuple[int, int, str, str, bool]], label: str, year: int, months: range
) -> None:
    single = total(data, year, months, "Title 8", SINGLE)
    back = total(data, year, months, "Title 8", SINGLE, removable=True)
    print(f"{label} removable: {back:,} / {single:,} = {back / single:.4f}")


def main(path: Path) -> None:
    data = read(path)
    by_expulsions(data, 2020)
    by_expulsions(data, 2021)
    for span in SPANS:
        by_title8(data, span)
    removable(data, "Oct 2019-Feb 2020", 2020, range(5))
    removable(data, "Apr-Sep 2020", 2020, range(6, 12))
    removable(data, "FY2021", 2021, range(12))
    for span, (year, months) in SPANS.items():
        removable(data, span, year, months)


if __name__ == "__main__":
    parser = _args.parser(__doc__, __file__)
    parser.add_argument("encounters", type=_args.file, help="CBP's nationwide encounters (.csv)")
    _args.run(main, parser.parse_args().encounters)
