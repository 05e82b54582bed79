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


SPAN = re.compile(r"FY(\d{4})\s*-\s*FY(\d{4})\b")
RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class RangedFigure:
    """A figure stated as a range of values over a span of fiscal years (TRAC's "12000-14000"
    arrests a month from local jails in "FY2009-FY2012 (early Obama)")."""

    low: float
    high: float
    first_year: int
    last_year: int
    period: str
    source: str
    note: str


def ranged_figures(path: Path) -> dict[str, tuple[RangedFigure, ...]]:
    """Rows whose period spans fiscal years (``FY2009-FY2012``, words may follow) and whose value
    is a range (``12000-14000``), by metric, in the file's order. A single number over a span is
    read as a range of one value."""
    out: dict[str, list[RangedFigure]] = {}
    for row in _rows(path):
        span = SPAN.match((row.get("period") or "").strip())
        if span is None:
            continue
        text = (row.get("value") or "").strip()
        found = RANGE.fullmatch(text)
        try:
            low, high = (
                (float(found.group(1)), float(found.group(2))) if found else (float(text),) * 2
            )
        except ValueError:
            continue
        first, last = int(span.group(1)), int(span.group(2))
        out.setdefault(row.get("metric", ""), []).append(
            RangedFigure(
                min(low, high),
                max(low, high),
                first,
                last,
                row.get("period", ""),
                row.get("source_title", ""),
                row.get("note", ""),
            )
        )
    return {metric: tuple(rows) for metric, rows in out.items()}
