"""The run's stays in detention against the record's, fiscal year by fiscal year (issues
19/20/21; docs/calibration.md, *How long ICE's arrestees stay, the run against the record*).

For each fiscal year of a run's weekly table: the interior's book-ins (ICE's arrestees), its
detained on an average day (awaiting court and awaiting removal) and the stay they imply by
Little's law (the detained over the book-ins a day, as ``scripts/decompose_first_year.py``
counts it), with the days in each stage; and the border's detained (CBP's arrestees). Beside
them, the record's like for like, read from the record files only:

- ICE's detention-statistics workbooks (``ice_detention_stats/FY19-FY23``): by arresting
  agency, the year's average length of stay (over the year's book-outs), its average daily
  population and its initial book-ins, and the stay the two imply by Little's law (the measure
  the run's column is), for ICE's arrestees and CBP's;
- before FY2019, when ICE published no split by arresting agency in a file here, the
  Marshall Project's compilation of ICE's yearly totals (``history/detention.csv``: everyone
  detained, every agency: book-ins, average daily population, average length of stay), set
  beside the run's interior and border together.

Nothing here feeds the parameter tree: the record's stays and daily populations are what the
back-test's detained and book-ins cells are scored on, so they are a comparison only.

Usage: ``python scripts/stay_against_record.py runs/<run>/weekly.parquet [data folder]``, or
``python scripts/stay_against_record.py --backtest SEED [data folder]`` to run the back-test's
history at that seed (FY2012-FY2023, the run ``immsim validate`` makes) and tabulate it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import _args  # noqa: E402
import decompose_first_year  # noqa: E402  (its Little's law, one definition of a stage's days)

FIRST, LAST = 2012, 2023
AGENCIES = ("ICE", "CBP")


def _cell(frame: pl.DataFrame, table: str, row: str, column: str) -> float | None:
    """The one top-level cell of ``table`` whose row and column labels start with the texts."""
    hit = frame.filter(
        (pl.col("table") == table)
        & (pl.col("row_group").str.strip_chars() == "")
        & pl.col("row_label").str.strip_chars().str.starts_with(row)
        & pl.col("column_label").str.strip_chars().str.starts_with(column)
    )
    return float(hit["value"][0]) if hit.height == 1 else None


def workbook_record(data: Path) -> dict[int, dict[str, float]]:
    """Each workbook's own fiscal year, by arresting agency: average length of stay, average
    daily population, initial book-ins, and the stay by Little's law (the daily population over
    the book-ins a day, a year of 365 days)."""
    from immsim.data.detention_stats import read_workbook
    from immsim.data.report import IngestReport

    out: dict[int, dict[str, float]] = {}
    for path in sorted((data / "ice_detention_stats").glob("FY*.xlsx")):
        frame = read_workbook(path, IngestReport(str(path), "ice_detention_stats", "workbook"))
        year = 2000 + int(path.name[2:4])
        row: dict[str, float] = {}
        for agency in AGENCIES:
            cells = {
                "alos": _cell(frame, "alos_by_agency_month_criminality", f"{agency} Average", "FY"),
                "adp": _cell(frame, "adp_by_agency_month_criminality", f"{agency} Average", "FY"),
                "book_ins": _cell(frame, "book_ins_by_agency_month", agency, "Total"),
            }
            for name, value in cells.items():
                if value is None:
                    raise SystemExit(f"{path.name}: no {name} of {agency} arrestees")
                row[f"{agency.lower()}_{name}"] = value
            row[f"{agency.lower()}_little"] = (
                row[f"{agency.lower()}_adp"] / row[f"{agency.lower()}_book_ins"] * 365
            )
        out[year] = row
    return out


def _number(text: str) -> float | None:
    text = text.strip().strip('"').replace(",", "")
    return float(text) if text else None


def compiled_record(data: Path) -> dict[int, dict[str, float]]:
    """The Marshall Project's yearly totals (every agency): book-ins, daily population, stay.
    The file has old-Mac line endings."""
    path = data / "history" / "detention.csv"
    out: dict[int, dict[str, float]] = {}
    lines = path.read_text(encoding="utf-8").replace("\r", "\n").splitlines()
    for line in lines[1:]:
        # "Year,Total Detained,Average Daily Population,Average Length of Stay (days)", the
        # counts quoted with thousands separators
        parts = _split(line)
        if len(parts) < 4 or not parts[0].strip().isdigit():
            continue
        book_ins, adp, alos = (_number(p) for p in parts[1:4])
        if book_ins is None or adp is None or alos is None:
            continue
        out[int(parts[0])] = {"all_book_ins": book_ins, "all_adp": adp, "all_alos": alos}
    return out


def _split(line: str) -> list[str]:
    """A CSV line's fields (quoted fields hold commas)."""
    fields: list[str] = []
    field, quoted = "", False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            fields.append(field)
            field = ""
        else:
            field += ch
    fields.append(field)
    return fields


def run_years(weekly: pl.DataFrame) -> dict[int, dict[str, float]]:
    """The run's interior and border by fiscal year (whole years in the table only)."""
    out: dict[int, dict[str, float]] = {}
    for year in range(FIRST, LAST + 1):
        weeks = decompose_first_year.year_of(weekly, year)
        if weeks.height < 52:
            continue
        d = decompose_first_year.decompose(weeks)
        out[year] = {
            "book_ins": d["admissions"],
            "court": d["detained_court"],
            "removal": d["detained_removal"],
            "interior": d["detained_court"] + d["detained_removal"],
            "border": d["detained_border"],
            "stay": d["interior_stay_days"],
            "court_days": d["court_days"],
            "removal_days": d["removal_days"],
            "court_share": d["court_share_of_admissions"],
            "bond": d["bond_releases"],
            "recognizance": d["recognizance_releases"],
            "capacity": d["capacity_releases"],
            "refused": d["refused_bed"],
            "decisions": d["completions_detained"],
            "weeks_bound": d["weeks_beds_bound"],
        }
    return out


def table(weekly: pl.DataFrame, data: Path) -> pl.DataFrame:
    """The run's years beside the record's, one row a year."""
    runs = run_years(weekly)
    books = workbook_record(data)
    totals = compiled_record(data)
    rows = []
    for year, r in runs.items():
        row: dict[str, float | int | None] = {"fiscal_year": year, **r}
        rec = books.get(year, {})
        for key in (
            "ice_book_ins",
            "ice_adp",
            "ice_alos",
            "ice_little",
            "cbp_adp",
            "cbp_alos",
            "cbp_little",
        ):
            row[key] = rec.get(key)
        tot = totals.get(year, {})
        for key in ("all_book_ins", "all_adp", "all_alos"):
            row[key] = tot.get(key)
        rows.append(row)
    return pl.DataFrame(rows)


def _fmt(value: float | None, digits: int = 0) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def _pct(run: float, record: float | None) -> str:
    return "" if not record else f"{run / record - 1:+.0%}"


def markdown(frame: pl.DataFrame) -> str:
    """Two tables: the interior (ICE's arrestees) against the record, and the days by stage."""
    head = (
        "| FY | run book-ins | record (ICE) | run detained (court + removal) | record ADP (ICE) "
        "| run stay (Little) | record stay (Little) | record ALOS (book-outs) "
        "| run border detained | record ADP (CBP) | record ALOS (CBP) "
        "| record ADP, ALOS (all agencies) |"
    )
    lines = [head, "|" + "---|" * 12]
    for r in frame.iter_rows(named=True):
        lines.append(
            f"| {r['fiscal_year']} | {_fmt(r['book_ins'])} | {_fmt(r['ice_book_ins'])}"
            f" {_pct(r['book_ins'], r['ice_book_ins'])}"
            f" | {_fmt(r['interior'])} ({_fmt(r['court'])} + {_fmt(r['removal'])})"
            f" | {_fmt(r['ice_adp'])} {_pct(r['interior'], r['ice_adp'])}"
            f" | {_fmt(r['stay'], 1)} | {_fmt(r['ice_little'], 1)} {_pct(r['stay'], r['ice_little'])}"
            f" | {_fmt(r['ice_alos'], 1)} | {_fmt(r['border'])} | {_fmt(r['cbp_adp'])}"
            f" | {_fmt(r['cbp_alos'], 1)} | {_fmt(r['all_adp'])}, {_fmt(r['all_alos'], 1)} |"
        )
    lines += [
        "",
        "| FY | days awaiting court | days awaiting removal | court exits per book-in "
        "| decisions | bond | recognizance | released for beds | refused a bed | weeks beds bound |",
        "|" + "---|" * 10,
    ]
    for r in frame.iter_rows(named=True):
        lines.append(
            f"| {r['fiscal_year']} | {_fmt(r['court_days'], 1)} | {_fmt(r['removal_days'], 1)}"
            f" | {_fmt(r['court_share'], 2)} | {_fmt(r['decisions'])} | {_fmt(r['bond'])}"
            f" | {_fmt(r['recognizance'])} | {_fmt(r['capacity'])} | {_fmt(r['refused'])}"
            f" | {_fmt(r['weeks_bound'])} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = _args.parser(__doc__, __file__)
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="a run's weekly.parquet, then the records' folder (default: "
        f"{ROOT.parent / 'shared' / 'data'}); with --backtest only the folder",
    )
    parser.add_argument(
        "--backtest", type=int, metavar="SEED", help="run the back-test's history at SEED instead"
    )
    args = parser.parse_intermixed_args(argv)  # --backtest SEED before the folder
    given = 1 if args.backtest is None else 0  # the weekly table, unless --backtest
    if not given <= len(args.paths) <= given + 1:
        parser.error("give a run's weekly table or --backtest SEED, and at most a data folder")
    folder = args.paths[given] if len(args.paths) > given else ROOT.parent / "shared" / "data"
    try:
        data = _args.folder(str(folder))
        weekly_path = _args.file(args.paths[0]) if given else None
    except argparse.ArgumentTypeError as err:
        parser.error(str(err))
    if weekly_path is None:
        from immsim.calibration.validate import backtest_history

        weekly = backtest_history(args.backtest, LAST).weekly
    else:
        weekly = pl.read_parquet(weekly_path)
    print(markdown(table(weekly, data)))


if __name__ == "__main__":
    _args.run(main)
