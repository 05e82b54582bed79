"""Regenerate ``parameters/tree/detention/start.yaml``: who is detained when a run starts.

A run that starts with nobody in detention spends its first months filling the beds, so its
first year's detention, removals and court outcomes are too low (the FY2012 back-test started
22% low on detention). These leaves give the detained population on any date from the record:

- ``detained``: people in ICE detention on a day, all arresting agencies. From 2011-10-01 to
  2024-01-01 the national count on the first of each month, summed over facilities from ICE's
  daily headcount by facility (UWCHR's release of ICE FOIA records); later values are ICE's own
  published counts as TRAC reports them, cited one by one.
- ``interior_share``: the share of them arrested by ICE rather than CBP (the engine holds the
  border's detained apart, ``engine/border.py: detained``), from each detention-statistics
  workbook's "currently detained by criminality and arresting agency" snapshot.
- ``removal_share``: the share of ICE's (interior) detained whose case is a removal without a
  hearing (reinstatement, administrative and other orders) rather than a notice to appear, from
  the workbooks' "currently detained by processing disposition" snapshot, leaving out
  expedited removal (I-860), the border's summary process.
- ``convicted_share``, ``pending_charges_share``: the interior detained's criminality as ICE
  counts it (a conviction; else pending charges), from the same agency snapshot.

Run when the records change (paths default to ``../shared/data``):

    python scripts/make_start_state_tree.py [DATA_DIR]

The output is a reviewable data change; the package never reads the records themselves.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _args

from immsim.data.detention_stats import read_workbook
from immsim.data.report import IngestReport

OUT = Path(__file__).resolve().parents[1] / "src/immsim/parameters/tree/detention/start.yaml"
HEADCOUNT = {
    "title": "UWCHR ice-detain: daily detained headcount by facility, FY2012 to January 2024 "
    "(headcount/frozen/inc_headcount_fy12-24ytd.csv.gz, from ICE FOIA detention records)",
    "href": "https://github.com/UWCHR/ice-detain/blob/0e362e47cc3476a5ce3178cd27a5c5e163a3ba0b/headcount/frozen/inc_headcount_fy12-24ytd.csv.gz",
}
WORKBOOKS = {
    "title": "ICE detention statistics workbooks FY2019-FY2023 (Detention sheet: 'ICE Currently "
    "Detained by Criminality and Arresting Agency' and 'by Processing Disposition'; snapshot "
    "dates from each workbook's footnotes)",
    "href": "https://www.ice.gov/detain/detention-management",
}
ADP_FY2011 = {
    "title": "ICE average daily population by fiscal year, 1979-2021 (history/Immigration_Detention_ADP_1979_2021_apr.csv)",
    "href": "https://github.com/n8craig/ncraig/blob/main/_posts/2021-04-25-ice-adp/ICE-ADP.Rmd",
}
SNAPSHOT = re.compile(r"Currently Detained.*?snapshot as of\s+(\d{1,2})/(\d{1,2})/(\d{4})", re.S)
HEADCOUNT_END = dt.date(2024, 1, 1)

# Published values after the records end: ICE's biweekly detention statistics as TRAC reports
# them (the records in ../shared stop in January 2024). Each is cited where it is used.
TRAC = "https://tracreports.org/whatsnew/"
LATER_DETAINED: list[tuple[str, int, str, str]] = [
    (
        "2024-02-11",
        38258,
        "TRAC, 19 Feb 2024: 38,258 held as of February 11, 2024",
        "https://trac.syr.edu/whatsnew/email.240219.html",
    ),
    (
        "2025-02-23",
        43759,
        "TRAC, 28 Feb 2025: 43,759 held as of February 23, 2025",
        TRAC + "email.250228.html",
    ),
    (
        "2025-04-06",
        47928,
        "TRAC, 16 Apr 2025: 47,928 held as of April 6, 2025",
        TRAC + "email.250416.html",
    ),
    (
        "2026-02-07",
        68289,
        "TRAC, 17 Feb 2026: 68,289 held as of February 7, 2026",
        TRAC + "email.260217.html",
    ),
]
LATER_INTERIOR: list[tuple[str, dict[str, Any]]] = [
    (
        "2023-12-17",
        {
            "value": round(1 - 25875 / 36263, 4),
            "note": "25,875 of the 36,263 held on December 17, 2023 were arrested by CBP.",
            "reference": [
                {
                    "title": "TRAC, 22 Dec 2023",
                    "href": "https://trac.syr.edu/whatsnew/email.231222.html",
                }
            ],
        },
    ),
    (
        "2025-02-23",
        {
            "value": 0.52,
            "note": "52% of the 43,759 held on February 23, 2025 were arrested by ICE (TRAC's reading of a transposed ICE table).",
            "reference": [{"title": "TRAC, 28 Feb 2025", "href": TRAC + "email.250228.html"}],
        },
    ),
    (
        "2026-02-07",
        {
            "value": round(36099 / 39694, 4),
            "estimated": True,
            "method": "ICE's share of January 2026 initial book-ins (36,099 of 39,694, TRAC 17 Feb 2026, "
            "tracreports.org/whatsnew/email.260217.html): no agency split of the detained was "
            "published, and with stays of about six weeks the detained turn over within months, "
            "so their mix follows the recent book-ins (ICE made 76-91% of them since spring 2025).",
        },
    ),
]
LATER_CONVICTED: list[tuple[str, dict[str, Any]]] = [
    (
        "2026-02-07",
        {
            "value": round(1 - 50259 / 68289, 4),
            "note": "50,259 of the 68,289 held on February 7, 2026 had no criminal conviction. Over "
            "all arresting agencies (no agency split was published); ICE made 91% of January 2026's "
            "book-ins, so the mix is nearly the interior's. No later split of pending charges was "
            "found, so pending_charges_share keeps its FY2023 value.",
            "reference": [{"title": "TRAC, 17 Feb 2026", "href": TRAC + "email.260217.html"}],
        },
    ),
]


def _snapshot_date(path: Path) -> dt.date:
    """The date of the workbook's currently-detained snapshot, from its footnotes."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    text = "\n".join(
        " ".join(str(c) for c in row if c is not None)
        for row in book["Footnotes"].iter_rows(values_only=True)
    )
    book.close()
    found = SNAPSHOT.search(text)
    if found is None:
        raise SystemExit(f"{path}: no 'Currently Detained ... snapshot as of' footnote")
    month, day, year = (int(x) for x in found.groups())
    return dt.date(year, month, day)


def _cell(frame: pl.DataFrame, table: str, row: str, column: str) -> float:
    hit = frame.filter(
        (pl.col("table") == table)
        & pl.col("row_label").str.starts_with(row)
        & (pl.col("column_label") == column)
    )
    if hit.height != 1:
        raise SystemExit(f"{table}: expected one '{row}' / '{column}' cell, found {hit.height}")
    return float(hit["value"][0])


def workbook_shares(data: Path) -> list[tuple[dt.date, str, dict[str, float]]]:
    """Each workbook's snapshot: interior (ICE-arrest) share, removal share of the interior
    detained, and their criminality."""
    out = []
    for path in _args.found(data / "ice_detention_stats", "FY*.xlsx"):
        frame = read_workbook(path, IngestReport(str(path), "ice_detention_stats", "workbook"))
        agency = "detained_by_criminality_agency"
        ice = _cell(frame, agency, "Total", "ICE")
        total = _cell(frame, agency, "Total", "Total")
        disposition = "detained_by_disposition"
        summary = _cell(frame, disposition, "Expedited Removal", "Total")
        removal = _cell(frame, disposition, "Reinstatement", "Total") + _cell(
            frame, disposition, "Other", "Total"
        )
        out.append(
            (
                _snapshot_date(path),
                path.name,
                {
                    "interior_share": ice / total,
                    "removal_share": removal
                    / (_cell(frame, disposition, "Total", "Total") - summary),
                    "convicted_share": _cell(frame, agency, "Convicted Criminal", "ICE") / ice,
                    "pending_charges_share": _cell(frame, agency, "Pending Criminal Charges", "ICE")
                    / ice,
                },
            )
        )
    return out


def monthly_headcount(data: Path) -> list[tuple[dt.date, int]]:
    """The national detained count on the first of each month, 2011-10-01 to 2024-01-01."""
    days = (
        pl.read_csv(
            data / "uwchr/inc_headcount_fy12-24ytd.csv.gz", separator="|", try_parse_dates=True
        )
        .group_by("date")
        .agg(pl.col("n").sum())
        .filter(
            (pl.col("date").dt.day() == 1)
            & (pl.col("date") >= dt.date(2011, 10, 1))
            & (pl.col("date") <= HEADCOUNT_END)
        )
        .sort("date")
    )
    return list(zip(days["date"].to_list(), days["n"].to_list(), strict=True))


def _ref(source: dict[str, str], indent: str) -> list[str]:
    return [f'{indent}- title: "{source["title"]}"', f"{indent}  href: {source['href']}"]


def _value(day: str, fields: dict[str, Any]) -> list[str]:
    lines = [f"    {day}:", f"      value: {fields['value']}"]
    for key in ("estimated", "method", "note"):
        if key in fields:
            text = fields[key]
            lines.append(f"      {key}: {'true' if text is True else _quoted(text)}")
    if "reference" in fields:
        lines.append("      reference:")
        for ref in fields["reference"]:
            lines += _ref(ref, "        ")
    return lines


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


FY2011_ADP = 33330
"""ICE's FY2011 average daily population (ADP_FY2011), the detained before the headcount."""
BEFORE_THE_SPLIT = (dt.date(2011, 1, 1), dt.date(2016, 10, 1))
"""Dates of the interior share before the workbooks split the detained by agency (FY2019)."""


def _before_the_split(counts: list[tuple[dt.date, int]]) -> list[tuple[dt.date, dict[str, Any]]]:
    """Before FY2019 no agency split was published: the interior share is one minus the
    border's detained (engine/border.py: CBP's Title 8 single adults removed, each held a CBP
    arrestee's average stay; border/record.yaml, written by scripts/make_border_tree.py first)
    over the detained on the day (FY2011's yearly average for 2011; the headcount after)."""
    from immsim.engine import border
    from immsim.parameters import load_baseline

    tree = load_baseline()
    headcount = dict(counts)
    out = []
    for day in BEFORE_THE_SPLIT:
        held = headcount.get(day, FY2011_ADP)  # before the headcount starts
        at_border = border.detained(tree.snapshot(day))
        out.append(
            (
                day,
                {
                    "value": round(1 - at_border / held, 4),
                    "estimated": True,
                    "method": f"No agency split of the detained before FY2019: one minus the border's detained by engine/border.py ({at_border:,.0f}: Title 8 single adults removed a year, each held FY2019's average stay of CBP arrestees) over the {held:,} detained.",
                },
            )
        )
    return out


def main(data: Path) -> None:
    counts = monthly_headcount(data)
    _args.require(counts, f"no monthly headcount in {data / 'uwchr'}")
    snapshots = workbook_shares(data)
    first = snapshots[0]
    script = "Derived by scripts/make_start_state_tree.py"
    lines = [
        "# Generated by scripts/make_start_state_tree.py; do not edit by hand.",
        "# The detained population when a run starts (engine/pipeline.py: Pipeline._initial_state).",
        "detained:",
        "  description: >-",
        "    People in ICE detention on a day, all arresting agencies (the point-in-time count, not a",
        "    yearly average); a run's detained stocks start from it.",
        "  unit: persons",
        f"  note: {_quoted(script + ' from the daily headcount by facility (summed over facilities on the first of each month, October 2011 to January 2024); the count runs 3-4% below ICE’s published yearly averages (FY2012: 32,925 against 34,260), which include stays the FOIA stints miss. Later values are ICE’s published counts, cited one by one.')}",
        "  reference:",
        *_ref(HEADCOUNT, "    "),
        "  values:",
        *_value(
            "2011-01-01",
            {
                "value": FY2011_ADP,
                "note": "FY2011 average daily population: the daily headcount starts in October 2011.",
                "reference": [ADP_FY2011],
            },
        ),
        *[f"    {day.isoformat()}: {n}" for day, n in counts],
    ]
    for day, n, title, href in LATER_DETAINED:
        lines += _value(day, {"value": n, "reference": [{"title": title, "href": href}]})
    lines += [
        "interior_share:",
        "  description: >-",
        "    Share of the detained who were arrested by ICE (interior arrests) rather than by CBP at",
        "    the border; the border's detained are held apart (engine/border.py: detained).",
        "  unit: share",
        f"  note: {_quoted(script + ' from each workbook’s currently-detained snapshot (ICE column over the total), dated at the snapshot; later values cited one by one.')}",
        "  reference:",
        *_ref(WORKBOOKS, "    "),
        "  values:",
        *[
            line
            for day, fields in _before_the_split(counts)
            for line in _value(day.isoformat(), fields)
        ],
    ]
    lines += [
        f"    {day.isoformat()}: {shares['interior_share']:.4f}" for day, _, shares in snapshots
    ]
    for day, fields in LATER_INTERIOR:
        lines += _value(day, fields)
    carried = f"The {first[0].isoformat()} snapshot ({first[1]}, the first with the table) carried back: no earlier one was published."
    for key, description in (
        (
            "removal_share",
            "Share of the interior (ICE-arrested) detained awaiting removal without a hearing (reinstated, administrative and other orders) rather than in court on a notice to appear. Derived as (reinstatement + other) / (all - expedited removal): the snapshot has no agency split by disposition, and expedited removal is the border's process. A lower bound, as detainees ordered removed by a judge stay under their notice to appear.",
        ),
        (
            "convicted_share",
            "Share of the interior (ICE-arrested) detained with a criminal conviction (ICE's 'convicted criminal').",
        ),
        (
            "pending_charges_share",
            "Share of the interior (ICE-arrested) detained with criminal charges pending and no conviction.",
        ),
    ):
        lines += [
            f"{key}:",
            f"  description: {_quoted(description)}",
            "  unit: share",
            f"  note: {_quoted(script + ' from each workbook’s currently-detained snapshot, dated at the snapshot.')}",
            "  reference:",
            *_ref(WORKBOOKS, "    "),
            "  values:",
            *_value(
                "2011-01-01",
                {"value": round(first[2][key], 4), "estimated": True, "method": carried},
            ),
        ]
        lines += [f"    {day.isoformat()}: {shares[key]:.4f}" for day, _, shares in snapshots]
        if key == "convicted_share":
            for day, fields in LATER_CONVICTED:
                lines += _value(day, fields)
    _args.write(OUT, "\n".join(lines) + "\n")
    print(f"wrote {OUT} ({len(counts)} monthly counts, {len(snapshots)} workbook snapshots)")


if __name__ == "__main__":
    parser = _args.parser(__doc__, __file__)
    _args.data_folder(parser, "../shared/data")
    _args.run(main, parser.parse_args().data)
