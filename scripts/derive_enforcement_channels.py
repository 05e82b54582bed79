"""Derive enforcement inputs from cited counts (issue 20): the 287(g) jail models' reach.

**The 287(g) jail models' reach** (``enforcement.channels.jail_287g_share``, the share of jail
bookings in jails whose own officers screen and hold for ICE). TRAC's count of ICE's arrest
records from FY2017 to mid-FY2018 gives 287(g) agencies 6% of all ICE arrests and custodial
arrests (ICE taking custody from another agency) 75%, so 287(g) jails yielded 0.06 / 0.75 = 8%
of the custodial arrests, with 78 agencies holding agreements (September 2018). Per agency that
is 0.08 / 78 of the bookings. The reach of another year is that yield times the agencies with a
jail model then: 72 at the program's 2011 peak, and the 179 jail-enforcement-model agencies on
ICE's list of June 2026 for the agreements signed from 2025 (warrant-service agreements are left
out: their officers serve ICE's warrants on people ICE has already identified, which the model
counts as a detainer honoured, not as a 287(g) hold). The counts are read from the tree
(``enforcement.agencies_287g``, ``enforcement.agreements_287g_jail``) and TRAC's two shares from
``published_figures.csv``. Caveat kept in the leaves' notes: an agency's jail is taken as an
average one; the 2011 agencies included some of the largest jails (Los Angeles, Maricopa,
Harris), so 2011's reach is if anything understated, and the 2025 agencies many small ones.

Run it to check the tree, or after the counts change:

    python scripts/derive_enforcement_channels.py [../shared/data/published_figures.csv]
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import _args  # noqa: E402

from immsim.parameters import load_baseline  # noqa: E402

TRAC_287G_SHARE = "ice_arrests_share_287g"
"""published_figures.csv: share of ICE arrests FY2017 to mid-FY2018 via 287(g) agencies."""
TRAC_CUSTODIAL_SHARE = "ice_arrests_custodial_share"
"""published_figures.csv: share of the same arrests in which ICE took custody from an agency."""

REACH_DATES = {
    # the tree's date of the value: (count leaf, the date its count is read at)
    "2011-01-01": ("enforcement.agencies_287g", "2011-06-01"),
    "2025-03-01": ("enforcement.agreements_287g_jail", "2026-06-05"),
}
BASE_COUNT = ("enforcement.agencies_287g", "2018-09-01")
"""The agencies with an agreement when TRAC's shares were measured."""


def published(figures: Path, metric: str) -> float:
    with open(figures, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["metric"] == metric:
                return float(row["value"])
    raise KeyError(f"{metric} not in {figures}")


def jail_287g_reach(figures: Path) -> dict[str, float]:
    """``enforcement.channels.jail_287g_share`` by the tree's dates, rounded to 3 places."""
    tree = load_baseline()
    yield_per_agency = (
        published(figures, TRAC_287G_SHARE)
        / published(figures, TRAC_CUSTODIAL_SHARE)
        / float(tree.get(*BASE_COUNT))
    )
    return {
        start: round(yield_per_agency * float(tree.get(key, day)), 3)
        for start, (key, day) in REACH_DATES.items()
    }


def main(figures: Path) -> None:
    for start, value in jail_287g_reach(figures).items():
        print(f"enforcement.channels.jail_287g_share from {start}: {value}")


if __name__ == "__main__":
    parser = _args.parser(__doc__, __file__)
    parser.add_argument(
        "figures",
        nargs="?",
        type=_args.file,
        default=str(ROOT.parent / "shared/data/published_figures.csv"),
        help="published_figures.csv (default: %(default)s)",
    )
    main(parser.parse_args().figures)
