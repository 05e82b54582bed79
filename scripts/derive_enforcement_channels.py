"""Derive enforcement inputs from cited counts (issues 20 and 21): the 287(g) jail models' reach.

**The 287(g) jail models' reach** (``enforcement.channels.jail_287g_share``, the share of jail
bookings in jails whose own officers screen and hold for ICE). TRAC's count of ICE's arrest
records from the inauguration (2017-01-20) through June 2018 gives 287(g) agencies 6% of all
ICE arrests and custodial arrests (ICE taking custody from another agency) 75%, so 287(g) jails
yielded 0.06 / 0.75 = 8% of the custodial arrests. Every dated value of the leaf is a yield per
agency times the agencies with a jail model at a cited count, each value dated where its
sources put the level:

- 2011-01-01: the 72 agencies of the program's 2011 peak;
- 2013-01-01: the 35 agencies of January 2017, a level reached when ICE ended its task-force
  and hybrid agreements in December 2012 (few were signed from 2012 to 2016);
- 2017-07-31: the 60 agreements ICE counted the day it announced 18 in Texas;
- 2018-09-01: the 78 agencies of September 2018 (a count after TRAC's window);
- 2020-07-01: the 75 jail-model agreements ICE renewed in 2020 (a year only: mid-year);
- 2025-03-01: the 179 jail-model agencies on ICE's list of June 2026, for the agreements signed
  from 2025.

The yield per agency is TRAC's 8% over the agencies in force on average in TRAC's window, the
counts taken as steps from their values' dates as the engine reads the leaf: 35 for 192 days
and 60 for 335, 50.9 on average, so that the leaf averages 8% over the window it was measured
in. (Before issue 21 it was 0.08 over the 78 agencies of September 2018, a count after the
window; with the counts dated as their sources date them that gave 287(g) holds 3.8% of ICE's
arrests in FY2017-FY2018 against TRAC's 6%, and 5.9% with this yield: docs/calibration.md.)

Warrant-service agreements (from May 2019) are left out: their officers serve ICE's warrants on
people ICE has already identified, which the model counts as a detainer honoured, not as a
287(g) hold. The counts, and their sources, are read from the tree (``enforcement.agencies_287g``,
``enforcement.agreements_287g_jail``), TRAC's two shares from ``published_figures.csv``. Caveat
kept in the values' notes: an agency's jail is taken as an average one.

Run it to print the values (the tree's YAML), or with ``--write`` to write them into
``tree/enforcement/channels.yaml`` (after a count changes; review with ``git diff``):

    python scripts/derive_enforcement_channels.py [--write] [../shared/data/published_figures.csv]
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
import textwrap
from pathlib import Path
from typing import NamedTuple

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import _args  # noqa: E402

from immsim.parameters import load_baseline  # noqa: E402
from immsim.parameters.loader import ParameterTree  # noqa: E402
from immsim.parameters.schema import RawLeaf, Reference  # noqa: E402

TREE = ROOT / "src/immsim/parameters/tree/enforcement/channels.yaml"
LEAF = "jail_287g_share"
SCRIPT = "scripts/derive_enforcement_channels.py"

TRAC_287G_SHARE = "ice_arrests_share_287g"
"""published_figures.csv: share of ICE arrests FY2017 to mid-FY2018 via 287(g) agencies."""
TRAC_CUSTODIAL_SHARE = "ice_arrests_custodial_share"
"""published_figures.csv: share of the same arrests in which ICE took custody from an agency."""
TRAC = Reference(
    title="TRAC (2018-09-25), Tracking Over 2 Million ICE Arrests: 287(g) agencies 6% and "
    "custodial arrests 75% of ICE arrests FY2017 to mid-FY2018",
    href="http://trac.syr.edu/whatsnew/email.180925.html",
)
CIS_2012 = Reference(
    title="CIS (Vaughan, 2012-12-31), ICE Cancels Enforcement Agreements with 32 Local Partners: "
    "32 task-force agreements terminated in late December 2012, seven in Arizona earlier that year",
    href="http://cis.org/vaughan/ice-cancels-enforcement-agreements-32-local-partners",
)

WINDOW = (dt.date(2017, 1, 20), dt.date(2018, 7, 1))
"""TRAC's shares: ICE's arrests "since Trump assumed office", records through June 2018 (the
release of 2018-09-25); the end is the first day after. ``published_figures.csv`` labels the
rows FY2017-FY2018Q3; TRAC's own text starts them at the inauguration."""


class Reach(NamedTuple):
    """One dated value of the leaf: the count it is derived from and why it has its date (a
    named tuple: the tests load this script without registering it as a module, which a
    dataclass's annotations need)."""

    start: str
    """The tree's date of the value."""
    source: str
    """The leaf holding the count of agencies (or jail-model agreements)."""
    day: str
    """The date the count is read at (the count's own date)."""
    counted: str
    """What the count is, for the note."""
    dated: str
    """Why the value starts at ``start``, from the sources' own dates."""
    extra: tuple[Reference, ...] = ()
    """Sources of the date beyond the count's own."""


REACHES = (
    Reach(
        "2011-01-01",
        "enforcement.agencies_287g",
        "2011-01-01",
        "agencies of the program's 2011 peak",
        "The source gives the year only; the value holds from its first day. The count is of all "
        "models (jail and task-force agreements were not counted apart before 2012), but the 2011 "
        "agencies "
        "included some of the largest jails (Los Angeles, Maricopa, Harris), so this is if "
        "anything low.",
    ),
    Reach(
        "2013-01-01",
        "enforcement.agencies_287g",
        "2017-01-01",
        "agencies of January 2017, the end of the Obama administration",
        "The count is of January 2017, but the fall from 72 came at the end of 2012, when ICE "
        "ended the task-force and hybrid models: seven Arizona task-force agreements revoked "
        "during 2012 and 32 more terminated in late December (72 - 39 = 33, near the 35), and only six "
        "agreements were added from 2012 to 2016 (ICE, 2017-07-31). So the level is dated from "
        "2013-01-01, the first day after the terminations; no source dates the few changes "
        "between.",
        (
            CIS_2012,
            Reference(
                title="ICE news release (2017-07-31), ICE announces 18 new 287(g) agreements in "
                "Texas (reposted by LexisNexis)",
                href="https://www.lexisnexis.com/legalnewsroom/immigration/b/outsidenews/"
                "archive/2017/07/31/ice-announces-18-new-287-g-agreements-in-texas.aspx",
            ),
        ),
    ),
    Reach(
        "2017-07-31",
        "enforcement.agencies_287g",
        "2017-07-31",
        "active agreements ICE counted on 2017-07-31, all jail-model ones",
        "Dated on the count's own day: most of the growth from the 35 of January 2017 came in "
        "that day's 18 Texas agreements, so the 2013 level is kept until then.",
    ),
    Reach(
        "2018-09-01",
        "enforcement.agencies_287g",
        "2018-09-01",
        "agencies of September 2018",
        "Dated from the count's month, after TRAC's window. All were jail-model agreements (the "
        "warrant-service model began in May 2019).",
    ),
    Reach(
        "2020-07-01",
        "enforcement.agreements_287g_jail",
        "2020-07-01",
        "jail-model agreements ICE renewed in 2020 under a revised agreement text",
        "The source gives the year only, so the value is dated mid-2020 as its count is; it "
        "differs from 2018's count by three agencies, so the date's imprecision moves little. "
        "Warrant-service agreements are left out: their officers serve ICE's warrants on people "
        "ICE already identified, which the model counts as a detainer honoured.",
    ),
    Reach(
        "2025-03-01",
        "enforcement.agreements_287g_jail",
        "2026-06-05",
        "agencies with a jail-enforcement-model agreement on ICE's list of June 2026",
        "The reach the agreements signed from 2025 reached, dated from their first months. "
        "Warrant-service agreements (504) are left out: their officers serve ICE's warrants on "
        "people ICE already identified, which the model counts as a detainer honoured. Many of "
        "the new agencies are small counties, so an average jail per agency may overstate the "
        "reach.",
    ),
)


def published(figures: Path, metric: str) -> float:
    """A figure of ``published_figures.csv`` (TRAC's shares are read there, not copied)."""
    with open(figures, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["metric"] == metric:
                return float(row["value"])
    raise KeyError(f"{metric} not in {figures}")


def _shares(figures: Path) -> tuple[float, float]:
    return published(figures, TRAC_287G_SHARE), published(figures, TRAC_CUSTODIAL_SHARE)


def counts(tree: ParameterTree) -> dict[str, float]:
    """The count each value is derived from, by the value's date."""
    return {r.start: float(tree.get(r.source, r.day)) for r in REACHES}


def window_agencies(tree: ParameterTree) -> float:
    """The agencies in force on average over TRAC's window, each count a step from its value's
    date to the next (as the engine reads the leaf), so that the yield is measured on the same
    agencies the leaf then holds."""
    steps = sorted((dt.date.fromisoformat(start), n) for start, n in counts(tree).items())
    _args.require(steps[0][0] <= WINDOW[0], f"no count in force on {WINDOW[0]}")
    ends = [start for start, _ in steps[1:]] + [dt.date.max]
    days = 0.0
    for (start, n), end in zip(steps, ends, strict=True):
        overlap = (min(end, WINDOW[1]) - max(start, WINDOW[0])).days
        days += n * max(overlap, 0)
    return days / (WINDOW[1] - WINDOW[0]).days


def jail_287g_reach(figures: Path, tree: ParameterTree | None = None) -> dict[str, float]:
    """``enforcement.channels.jail_287g_share`` by the tree's dates, rounded to 3 places."""
    tree = tree or load_baseline()
    share_287g, custodial = _shares(figures)
    yield_per_agency = share_287g / custodial / window_agencies(tree)
    return {start: round(yield_per_agency * n, 3) for start, n in counts(tree).items()}


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _references(refs: tuple[Reference, ...]) -> list[str]:
    lines = ["      reference:"]
    for ref in refs:
        lines.append(f"        - title: {_quoted(ref.title)}")
        if ref.href:
            lines.append(f"          href: {ref.href}")
    return lines


def yaml_values(figures: Path) -> list[str]:
    """The leaf's ``values:`` block as lines of the tree's YAML: each value, the script that
    derives it, its note (the arithmetic and why its date) and its sources (TRAC's, the count's
    own, and those of its date)."""
    tree = load_baseline()
    share_287g, custodial = _shares(figures)
    base = window_agencies(tree)
    values = jail_287g_reach(figures, tree)
    lines = ["  values:"]
    for reach in REACHES:
        count = int(tree.get(reach.source, reach.day))
        note = (
            f"287(g) jails yielded {share_287g:g} / {custodial:g} = {share_287g / custodial:.2f} "
            f"of ICE's custodial arrests from {WINDOW[0]} through June 2018 (TRAC), when the "
            f"agencies in force averaged {base:.1f} (this leaf's counts as steps): per agency "
            f"that yield / {base:.1f}, times the {count} {reach.counted} = "
            f"{values[reach.start]:g} ({reach.source} at {reach.day}). {reach.dated}"
        )
        refs = (TRAC, *tree.entry(reach.source, reach.day).references, *reach.extra)
        lines += [
            f"    {reach.start}:",
            f"      value: {values[reach.start]:g}",
            f"      derived_by: {SCRIPT}",
            *_references(tuple(dict.fromkeys(refs))),
            "      note: >-",
            *textwrap.wrap(
                note,
                width=100,
                initial_indent=" " * 8,
                subsequent_indent=" " * 8,
                break_on_hyphens=False,  # a folded line break reads as a space
            ),
        ]
    return lines


def _region(lines: list[str]) -> tuple[int, int]:
    """The leaf's ``values:`` block in the file: its first line and one past its last (the
    leaf's last key, so up to the next top-level leaf)."""
    start = lines.index(f"{LEAF}:")
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i] and not lines[i][0].isspace()),
        len(lines),
    )
    first = lines.index("  values:", start, end)
    later = [i for i in range(first + 1, end) if lines[i][:2] == "  " and lines[i][2:3].strip()]
    _args.require(not later, f"{TREE}: {LEAF}'s values are not its last key")
    while end > first + 1 and not lines[end - 1].strip():
        end -= 1  # blank lines before the next leaf stay
    return first, end


def rendered(figures: Path) -> str:
    """The tree file with the leaf's values replaced by the derived ones, checked: the leaf
    parses, passes the tree's schema and holds exactly the derived dates and values."""
    lines = TREE.read_text(encoding="utf-8").split("\n")
    first, end = _region(lines)
    block = yaml_values(figures)
    lines[first:end] = block
    text = "\n".join(lines)
    leaf = yaml.safe_load(text)[LEAF]
    RawLeaf.model_validate(leaf)
    written = {str(day): entry["value"] for day, entry in leaf["values"].items()}
    _args.require(written == jail_287g_reach(figures), f"{TREE}: {LEAF} not as derived")
    return text


def main(figures: Path, apply: bool) -> None:
    if apply:
        _args.write(TREE, rendered(figures))
        print(f"wrote {TREE.relative_to(ROOT)}; review with git diff")
        return
    print(f"enforcement.channels.{LEAF}:", *yaml_values(figures), sep="\n")


if __name__ == "__main__":
    parser = _args.parser(__doc__, __file__)
    parser.add_argument(
        "--write", action="store_true", help="write the values into the tree (else print them)"
    )
    parser.add_argument(
        "figures",
        nargs="?",
        type=_args.file,
        default=str(ROOT.parent / "shared/data/published_figures.csv"),
        help="published_figures.csv (default: %(default)s)",
    )
    args = parser.parse_args()
    _args.run(main, args.figures, args.write)
