"""The guaranteed minimum beds in ICE's detention-statistics workbooks, FY2020-FY2023: the sum
over each year's facilities sheet of the "Guaranteed Minimum" column (the beds ICE pays for
whether they are used or not), and how many facilities have one. A floor of the beds ICE held
under contract, not its capacity: the facilities without a minimum (intergovernmental
agreements and Marshals Service riders paid by the bed-day) are not counted. Read for issue
19/20's question of the pandemic limit's base (docs/calibration.md, branch ``covid28``); nothing
here feeds the parameter tree, and no scored outcome is read.

Usage: ``python scripts/guaranteed_minimums.py [folder]`` (default:
``../shared/data/ice_detention_stats``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _args

HEADER = "Name"
COLUMN = "Guaranteed Minimum"


def facility_rows(path: Path) -> tuple[list[Any], list[tuple[Any, ...]]]:
    """The facilities sheet's header and its facility rows (the sheet whose name starts with
    "Facilities"; the header is the row whose first cell is "Name")."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        name = next(s for s in book.sheetnames if s.strip().startswith("Facilities"))
        rows = list(book[name].iter_rows(values_only=True))
    finally:
        book.close()
    start = next(i for i, row in enumerate(rows) if row and row[0] == HEADER)
    return list(rows[start]), [row for row in rows[start + 1 :] if row and row[0]]


def guaranteed_minimums(path: Path) -> tuple[int, int, float]:
    """Facilities listed, facilities with a guaranteed minimum, and the minimums' sum."""
    header, rows = facility_rows(path)
    col = header.index(COLUMN)
    values = [row[col] for row in rows if isinstance(row[col], int | float)]
    return len(rows), len(values), float(sum(values))


def main(folder: Path) -> None:
    for path in _args.found(folder, "FY2[0-3]*.xlsx"):
        listed, with_minimum, total = guaranteed_minimums(path)
        print(
            f"{path.name:28s} {listed:4d} facilities, {with_minimum:3d} with a minimum: {total:8,.0f} beds"
        )


if __name__ == "__main__":
    parser = _args.parser(__doc__, __file__)
    parser.add_argument(
        "folder",
        nargs="?",
        type=_args.folder,
        default="../shared/data/ice_detention_stats",
        help="ICE's detention-statistics workbooks (default: %(default)s)",
    )
    main(parser.parse_args().folder)
