"""The back-test's ICE arrests, book-ins, releases and interior detained month by month, beside
DHS's monthly record, FY2020-FY2023 (issues 19/20; docs/calibration.md, *ICE's arrests and
book-ins month by month*).

The run is the back-test's history at a seed (``immsim.calibration.validate.backtest_history``,
the run ``immsim validate`` scores, nothing drawn). Its weekly table is spread over days (a
week's flows a seventh a day, its stocks the same each day) and summed (flows) or averaged
(stocks) by calendar month, so a week that straddles two months is split between them.

The record, for the people ICE itself arrested:

- DHS Office of Homeland Security Statistics, "Immigration Enforcement and Legal Processes
  Monthly Tables" (the workbook's path is the script's argument; the August 2024 edition is
  the one the tree's ``detention/ice_releases.yaml`` is derived from): sheet "ERO Arrests by
  Criminality" (ERO's administrative arrests, the total), "ICE Book-Ins by Arrest Agency" (the
  ICE column) and "ICE Book-Outs by Arrest Agency" (the ICE block: removals, and the releases
  on an order of supervision, bond, recognizance or parole). Counts rounded to tens.
- ICE's detention-statistics workbooks (``ice_detention_stats/FY20-FY23``): the average daily
  population of ICE's arrestees by month ("ICE Average" of the ADP table by arresting agency).

The run's releases are its bond, recognizance, beds-short ("capacity") and Zadvydas releases of
the interior's detained; the record's are supervision + bond + recognizance + parole. The
record's "relief" and "other" book-outs (transfers to other custody, deaths and the like), which
the run has no like for, are shown apart: they bear on the detained.

Nothing here feeds the parameter tree: the record's arrests, book-ins and detained are what the
back-test scores, so they are a comparison only.

Usage: ``python scripts/monthly_against_record.py OHSS_WORKBOOK [SEED [data folder]]`` (seed
2012, data folder ``../shared/data`` by default).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import _args  # noqa: E402

from immsim.data import ohss  # noqa: E402

FIRST, LAST = 2020, 2023
DAYS_PER_WEEK = 7
ARRESTS = ("ERO Arrests by Criminality", {"arrests": 2})
BOOK_INS = ("ICE Book-Ins by Arrest Agency", {"book_ins": 4})
# the ICE block's book-outs by reason (its total column is not compared)
BOOK_OUTS = (
    ohss.BOOK_OUTS_SHEET,
    {reason: column for reason, column in ohss.BOOK_OUTS_ICE.items() if reason != "total"},
)
RUN_FLOWS = {
    "arrests": ("arrests",),
    "book_ins": ("admissions",),
    "refused": ("refused_bed",),
    "removal": ("removals_interior",),
    "releases": (
        "bond_releases",
        "recognizance_releases",
        "capacity_releases",
        "zadvydas_releases",
    ),
    "capacity": ("capacity_releases",),
}
RUN_STOCKS = {"detained": ("detained_court", "detained_removal"), "border": ("detained_border",)}
MONTH_ABBR = ("Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep")


def record_months(workbook: Path) -> dict[dt.date, dict[str, float]]:
    """OHSS's monthly counts for ICE's arrestees: arrests, book-ins, removals and releases
    (supervision + bond + recognizance + parole), by month (first of the month)."""
    out: dict[dt.date, dict[str, float]] = {}
    for sheet, columns in (ARRESTS, BOOK_INS, BOOK_OUTS):
        months, _ = ohss.read_sheet(workbook, sheet, columns)
        for month, row in months.items():
            out.setdefault(month, {}).update(row)
    for row in out.values():
        if "supervision" in row:
            row["releases"] = (
                row["supervision"] + row["bond"] + row["recognizance"] + row["paroled"]
            )
    return out


def workbook_adp(data: Path) -> dict[dt.date, dict[str, float]]:
    """ICE's arrestees and CBP's held on an average day of each month, from ICE's FY2020-FY2023
    detention-statistics workbooks (the ADP table's 'ICE Average' and 'CBP Average' rows)."""
    from immsim.data.detention_stats import read_workbook
    from immsim.data.report import IngestReport

    out: dict[dt.date, dict[str, float]] = {}
    for path in sorted((data / "ice_detention_stats").glob("FY*.xlsx")):
        year = 2000 + int(path.name[2:4])
        if not FIRST <= year <= LAST:
            continue
        frame = read_workbook(path, IngestReport(str(path), "ice_detention_stats", "workbook"))
        for agency in ("ICE", "CBP"):
            rows = frame.filter(
                (pl.col("table") == "adp_by_agency_month_criminality")
                & (pl.col("row_group").str.strip_chars() == "")
                & (pl.col("row_label").str.strip_chars() == f"{agency} Average")
            )
            for label, value in zip(rows["column_label"], rows["value"], strict=True):
                name = str(label).strip()[:3]
                if name in MONTH_ABBR:
                    month = ohss.month_of(year, ohss.MONTHS[MONTH_ABBR.index(name)])
                    out.setdefault(month, {})[agency.lower()] = float(value)
    return out


def run_months(weekly: pl.DataFrame) -> dict[dt.date, dict[str, float]]:
    """The run's weekly table by calendar month: each week's flows spread a seventh a day and
    summed, its stocks held each of its days and averaged over the month's days in the table."""
    sums: dict[dt.date, dict[str, float]] = {}
    days: dict[dt.date, int] = {}
    for row in weekly.iter_rows(named=True):
        start: dt.date = row["date"]
        for offset in range(DAYS_PER_WEEK):
            day = start + dt.timedelta(days=offset)
            month = day.replace(day=1)
            cell = sums.setdefault(month, {k: 0.0 for k in (*RUN_FLOWS, *RUN_STOCKS)})
            days[month] = days.get(month, 0) + 1
            for name, columns in RUN_FLOWS.items():
                cell[name] += sum(float(row[c]) for c in columns) / DAYS_PER_WEEK
            for name, columns in RUN_STOCKS.items():
                cell[name] += sum(float(row[c]) for c in columns)
    for month, cell in sums.items():
        for name in RUN_STOCKS:
            cell[name] /= days[month]
    return sums


def fiscal_months(first: int = FIRST, last: int = LAST) -> list[dt.date]:
    return [ohss.month_of(y, m) for y in range(first, last + 1) for m in ohss.MONTHS]


def _gap(run: float, record: float) -> str:
    return f"{(run / record - 1) * 100:+5.0f}%" if record else "   n/a"


def table(
    run: dict[dt.date, dict[str, float]],
    record: dict[dt.date, dict[str, float]],
    adp: dict[dt.date, dict[str, float]],
) -> list[str]:
    head = (
        f"{'month':8s} | {'arrests run/ICE':>22s} | {'book-ins run/ICE':>22s} | "
        f"{'refused':>7s} | {'releases run/ICE':>22s} | {'capac.':>6s} | "
        f"{'removals run/ICE':>17s} | {'detained run/ICE':>22s} | {'CBP run/ICE':>13s}"
    )
    lines = [head, "-" * len(head)]
    for month in fiscal_months():
        r, o = run.get(month), record.get(month, {})
        if r is None:
            continue
        a = adp.get(month, {}).get("ice", 0.0)
        c = adp.get(month, {}).get("cbp", 0.0)
        lines.append(
            f"{month:%Y-%m}  | {r['arrests']:7,.0f} {o.get('arrests', 0):7,.0f} "
            f"{_gap(r['arrests'], o.get('arrests', 0))} | "
            f"{r['book_ins']:7,.0f} {o.get('book_ins', 0):7,.0f} "
            f"{_gap(r['book_ins'], o.get('book_ins', 0))} | {r['refused']:7,.0f} | "
            f"{r['releases']:7,.0f} {o.get('releases', 0):7,.0f} "
            f"{_gap(r['releases'], o.get('releases', 0))} | {r['capacity']:6,.0f} | "
            f"{o.get('relief', 0) + o.get('other', 0):6,.0f} | "
            f"{r['removal']:6,.0f} {o.get('removal', 0):6,.0f} "
            f"{_gap(r['removal'], o.get('removal', 0))} | "
            f"{r['detained']:7,.0f} {a:7,.0f} {_gap(r['detained'], a)} | "
            f"{r['border']:6,.0f} {c:6,.0f}"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = _args.parser(__doc__, __file__)
    parser.add_argument("workbook", type=_args.file, help="OHSS's monthly tables (.xlsx)")
    parser.add_argument("seed", nargs="?", type=int, default=2012, help="(default: %(default)s)")
    _args.data_folder(parser, str(ROOT.parent / "shared" / "data"))
    args = parser.parse_args(argv)
    workbook, seed, data = args.workbook, args.seed, args.data
    # imported here: the engine runs the history; the record needs only the readers
    from immsim.calibration.validate import backtest_history

    weekly = backtest_history(seed, LAST).weekly
    print("\n".join(table(run_months(weekly), record_months(workbook), workbook_adp(data))))


if __name__ == "__main__":
    _args.run(main)
