"""Options several commands share, so that each means the same everywhere it appears."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated

import typer

from immsim.errors import InputError
from immsim.parameters.loader import as_date

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")
]
WideOpt = Annotated[
    bool,
    typer.Option(
        "--wide", help="One table with every column, however wide (default: fit the terminal)."
    ),
]
AllOpt = Annotated[bool, typer.Option("--all", help="List everything instead of a summary.")]
AtOpt = Annotated[
    str | None, typer.Option("--at", help="Date of the look-up, YYYY-MM-DD (default: today).")
]
WorkersOpt = Annotated[
    int,
    typer.Option(
        "--workers",
        min=1,
        max=256,
        help="Processes in the local pool (default: the CPUs this process may use).",
    ),
]
DEFAULT_WORKERS = max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
RayOpt = Annotated[
    str | None,
    typer.Option("--ray", help="Run on a Ray cluster: its address, or 'local' for one here."),
]
FiguresOpt = Annotated[
    Path | None,
    typer.Option("--figures", help="published_figures.csv (default: $IMMSIM_FIGURES)."),
]


def at_day(at: str | None) -> dt.date:
    """The date of ``--at``, today if not given."""
    return as_date(at) if at else dt.date.today()


def figures_file(path: Path | None) -> Path:
    """--figures, else $IMMSIM_FIGURES, else ../shared/data/published_figures.csv if present."""
    if path is not None:
        return path
    env = os.environ.get("IMMSIM_FIGURES")
    if env:
        return Path(env)
    guess = Path("../shared/data/published_figures.csv")
    if guess.is_file():
        return guess
    raise InputError(
        "no published figures to compare with",
        key="--figures",
        allowed="the path of published_figures.csv (or set IMMSIM_FIGURES)",
    )
