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


@dataclass(frozen=True)
class Estimate:
    """Another study's model result (a ``model_*`` row): a value on the study's own basis."""

    value: float
    period: str
    unit: str
    source: str
    url: str
    note: str


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise InputError(
            "no such file",
            file=str(path),
            allowed="published_figures.csv (see ../shared/data/README.md), via --figures",
        )
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def model_estimates(path: Path) -> dict[str, Estimate]:
    """The ``model_*`` rows that hold one number (ranges such as ``0.042-0.068`` are left out)."""
    out: dict[str, Estimate] = {}
    for row in _rows(path):
        metric = row.get("metric", "")
        if not metric.startswith("model_"):
            continue
        try:
            value = float(row["value"])
        except ValueError:
            continue
        out.setdefault(
            metric,
            Estimate(
                value,
                row.get("period", ""),
                row.get("unit", ""),
                row.get("source_title", ""),
                row.get("source_url_or_doc", ""),
                row.get("note", ""),
            ),
        )
    return out


def fiscal_year_figures(path: Path) -> dict[tuple[str, int], Figure]:
    """Rows with a plain fiscal year (``FY2016``) and a number, by (metric, year); where a
    metric and year appear twice, the first row in the file."""
    out: dict[tuple[str, int], Figure] = {}
    for row in _rows(path):
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
