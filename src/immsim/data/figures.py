"""The agencies' published yearly figures (``published_figures.csv``): the one reader the
cross-checks, the calibration targets and the back-test share."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from immsim.errors import InputError

FISCAL_YEAR = re.compile(r"FY(\d{4})")


@dataclass(frozen=True)
class Figure:
    value: float
    source: str
    note: str


def fiscal_year_figures(path: Path) -> dict[tuple[str, int], Figure]:
    """Rows with a plain fiscal year (``FY2016``) and a number, by (metric, year); where a
    metric and year appear twice, the first row in the file."""
    if not path.is_file():
        raise InputError(
            "no such file",
            file=str(path),
            allowed="published_figures.csv (see ../shared/data/README.md), via --figures",
        )
    out: dict[tuple[str, int], Figure] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            match = FISCAL_YEAR.fullmatch((row.get("period") or "").strip())
            if match is None:
                continue
            try:
                value = float(row["value"])
            except ValueError:
                continue
            out.setdefault(
                (row.get("metric", ""), int(match.group(1))),
                Figure(value, row.get("source_title", ""), row.get("note", "")),
            )
    return out
