"""Derive the share of Border Patrol's Title 8 single adults released into the interior under
Title 42 (``border.single_adult_release_share``), and the two release shares derived over the
border's releases (``border.release_uncharged_share``, ``border.release_unfiled_share``)
re-derived on the larger base, from DHS's monthly tables.

The source is DHS's Office of Homeland Security Statistics, "Immigration Enforcement and Legal
Processes Monthly Tables" (the August 2024 edition, data to 30 September 2024; cells rounded to
the nearest ten). Two of its sheets:

- "CBP SWB Book-Outs by Agency": Border Patrol's southwest-border encounters by what became of
  them, by month: Title 8 repatriations, Title 42 expulsions, MPP, transfers to ICE, transfers to
  HHS (unaccompanied children), USBP releases (a notice to appear and own recognizance, a notice
  to report, prosecutorial discretion, parole with ATD, parole with conditions), other.
- "ICE Book-Outs by Arrest Agency": ICE's releases from detention of people CBP arrested, by
  reason (bond, order of recognizance, parole; also removals, orders of supervision, relief),
  from FY2018. It does not split Border Patrol from the ports, so CBP's are apportioned by
  Border Patrol's share of CBP's southwest-border transfers to ICE in the month.

The border's releases into the interior with a case, a month: USBP releases + USBP transfers to
HHS + ICE's releases of Border Patrol's transfers on bond, recognizance or parole. The engine
already counts the families and children as released (``engine/border.py: released_per_year``:
Title 8 x (1 - ``border.single_adult_share``)); the rest of the record's releases are single
adults. Over a span, with T the Title 8 apprehensions (encounters less Title 42 expulsions) and
s the tree's single-adult share there:

    share = (releases - (1 - s) x T) / (s x T), at least 0.

Which makes the engine's releases over the span the record's (at the tree's single-adult share).
The spans are the single-adult share's (May 2023, when Title 42 ended on the 11th, is left out of
both its spans, as there). Before FY2021 the value is 0: FY2018-FY2020, the years the ICE sheet
covers before Title 42's Title 8 mix, give less than 0 (ICE released the families it held, whom
the engine already counts; the single adults were detained and removed).

The lower end leaves ICE's releases out (Border Patrol's own releases and HHS only); the upper
takes all of ICE's releases of CBP's arrests (the ports' included). Transfers to ICE released
without a book-in (ATD enrolment at the transfer, the sheet's note 4) are in neither, so the
value is a lower bound in that way.

The uncharged share is NBC News's 588,000 released with no charging document (20 March 2021 to
January 2023) over the engine's releases of those days; the unfiled share TRAC's 200,000
dismissed for a notice never filed (20 January 2021 to February 2024) over the engine's releases
with a notice; both day by day from the tree's leaves, with the single adults' releases added.

Run from the repository root with the path of OHSS's workbook:

    python scripts/derive_border_single_adult_releases.py \
        2024_1206_ohss_immigration-enforcement-and-legal-processes-tables-august-2024.xlsx
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _args

from immsim.data import ohss
from immsim.dates import DAYS_PER_YEAR
from immsim.parameters import load_baseline

# Columns (0-based) of the sheets' month rows.
BOOKOUTS = {
    "cbp_ice": 6,  # Total CBP: transfers to ICE
    "usbp_total": 11,
    "usbp_t42": 13,
    "usbp_ice": 15,
    "usbp_hhs": 16,
    "usbp_released": 17,
}
ICE_CBP = {"bonded": 13, "recognizance": 14, "paroled": 15}
# The single-adult share's spans (border.yaml), as (first month, months) from October 2020.
SPANS = {
    "2020-10-01": (dt.date(2020, 10, 1), 12),  # FY2021
    "2021-10-01": (dt.date(2021, 10, 1), 12),  # FY2022
    "2022-10-01": (dt.date(2022, 10, 1), 7),  # October 2022 to April 2023
    "2023-05-12": (dt.date(2023, 6, 1), 4),  # June to September 2023
}
BEFORE = {"FY2018": (dt.date(2017, 10, 1), 12), "FY2019": (dt.date(2018, 10, 1), 12)}
BEFORE["FY2020"] = (dt.date(2019, 10, 1), 12)
NBC_UNCHARGED = 588_000  # NBC News, late January 2023 (border.yaml)
TRAC_UNFILED = 200_000  # TRAC, January 2021 to February 2024 (border.yaml)


def monthly(path: Path, sheet: str, columns: dict[str, int]) -> dict[dt.date, dict[str, float]]:
    """The sheet's month rows: first of the month -> {name: count}."""
    return ohss.read_sheet(path, sheet, columns)[0]


def months_of(first: dt.date, n: int) -> list[dt.date]:
    out = []
    y, m = first.year, first.month
    for _ in range(n):
        out.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def releases(
    month: dt.date,
    book: dict[dt.date, dict[str, float]],
    ice: dict[dt.date, dict[str, float]],
    ice_share: float | None,
) -> float:
    """The record's releases of Border Patrol's arrests in the month: its own releases, HHS,
    and ICE's releases of CBP's arrests times ``ice_share`` (None: Border Patrol's share of
    CBP's transfers to ICE that month)."""
    b = book[month]
    own = b["usbp_released"] + b["usbp_hhs"]
    if ice_share == 0.0:
        return own
    share = b["usbp_ice"] / b["cbp_ice"] if ice_share is None else ice_share
    return own + sum(ice[month].values()) * share


def share(
    first: dt.date,
    n: int,
    book: dict[dt.date, dict[str, float]],
    ice: dict[dt.date, dict[str, float]],
    single: float,
    ice_share: float | None = None,
) -> tuple[float, float, float]:
    """(share, the record's releases, Title 8) over the span."""
    months = months_of(first, n)
    title8 = sum(book[m]["usbp_total"] - book[m]["usbp_t42"] for m in months)
    released = sum(releases(m, book, ice, ice_share) for m in months)
    value = (released - (1 - single) * title8) / (single * title8)
    return value, released, title8


def main(path: Path) -> None:
    book = monthly(path, "CBP SWB Book-Outs by Agency", BOOKOUTS)
    ice = monthly(path, "ICE Book-Outs by Arrest Agency", ICE_CBP)
    tree = load_baseline()
    print("Before Title 42's Title 8 mix (the value is 0):")
    for name, (first, n) in BEFORE.items():
        single = float(tree.get("border.single_adult_share", at=first.isoformat()))
        value, released, title8 = share(first, n, book, ice, single)
        print(
            f"  {name}: releases {released:,.0f}, Title 8 {title8:,.0f}, single adults "
            f"{single:.4f}: ({released:,.0f} - {1 - single:.4f} x {title8:,.0f}) / "
            f"({single:.4f} x {title8:,.0f}) = {value:.4f}"
        )
    derived: dict[str, float] = {}
    print("Under Title 42 (the tree's spans):")
    for start, (first, n) in SPANS.items():
        single = float(tree.get("border.single_adult_share", at=start))
        value, released, title8 = share(first, n, book, ice, single)
        low = share(first, n, book, ice, single, ice_share=0.0)[0]
        high = share(first, n, book, ice, single, ice_share=1.0)[0]
        months = months_of(first, n)
        parts = {
            k: sum(book[m][k] for m in months) for k in ("usbp_released", "usbp_hhs", "usbp_ice")
        }
        ice_all = sum(sum(ice[m].values()) for m in months)
        print(
            f"  {start} ({first:%b %Y} + {n} months): USBP releases {parts['usbp_released']:,.0f},"
            f" HHS {parts['usbp_hhs']:,.0f}, ICE's releases of CBP's arrests {ice_all:,.0f}"
            f" (Border Patrol's part {released - parts['usbp_released'] - parts['usbp_hhs']:,.0f});"
            f" releases {released:,.0f}; Title 8 {title8:,.0f}; single adults {single:.4f}"
        )
        print(
            f"    ({released:,.0f} - {1 - single:.4f} x {title8:,.0f}) / ({single:.4f} x "
            f"{title8:,.0f}) = {value:.4f}  [without ICE {max(low, 0):.4f}, all of ICE's "
            f"{high:.4f}]"
        )
        derived[start] = round(max(value, 0.0), 4)

    def released_share(day: dt.date) -> float:
        at = [s for s in derived if dt.date.fromisoformat(s) <= day]
        return derived[at[-1]] if at else 0.0

    keys = (
        "border.record.usbp_title8_apprehensions",
        "border.single_adult_share",
        "border.release_share",
    )

    def released_a_day(day: dt.date) -> float:
        title8, single, released = (float(tree.get(k, at=day.isoformat())) for k in keys)
        return title8 * ((1 - single) + single * released_share(day)) * released / DAYS_PER_YEAR

    base = 0.0
    day = dt.date(2021, 3, 20)
    while day <= dt.date(2023, 1, 31):
        base += released_a_day(day)
        day += dt.timedelta(days=1)
    uncharged = NBC_UNCHARGED / base
    print(
        f"Uncharged: {NBC_UNCHARGED:,} / {base:,.0f} (the engine's releases, 20 March 2021 to "
        f"31 January 2023) = {uncharged:.4f}"
    )
    notices = 0.0
    day = dt.date(2021, 1, 20)
    while day < dt.date(2024, 3, 1):
        in_force = uncharged if dt.date(2021, 3, 20) <= day < dt.date(2023, 3, 16) else 0.0
        notices += released_a_day(day) * (1 - in_force)
        day += dt.timedelta(days=1)
    print(
        f"Unfiled: {TRAC_UNFILED:,} / {notices:,.0f} (the engine's releases with a notice, "
        f"20 January 2021 to 29 February 2024) = {TRAC_UNFILED / notices:.4f}"
    )


if __name__ == "__main__":
    parser = _args.parser(__doc__, __file__)
    parser.add_argument("workbook", type=_args.file, help="OHSS's monthly tables (.xlsx)")
    _args.run(main, parser.parse_args().workbook)
