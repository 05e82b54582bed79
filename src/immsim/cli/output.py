"""What every command shares for printing: the two consoles, JSON, numbers, progress bars and
the bands table.

Tables go to stdout and everything transient (progress, spinners, errors) to stderr, so that
``--json`` output can be piped into another program untouched.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

if TYPE_CHECKING:
    import polars as pl

console = Console()
err_console = Console(stderr=True)


def emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def fmt(value: Any) -> str:
    """A parameter value as a person reads it: thousands separated, no trailing zeros."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def warm_engine(quiet: bool) -> None:
    """Load the engine's compiled loops before the progress bar starts (on a machine's first
    run they are compiled, which takes a while and would look like a stall)."""
    from immsim.engine.warm import warm_up

    if quiet:
        warm_up()
        return
    with err_console.status("Loading the engine (the first run on a machine compiles it, ~40 s)"):
        warm_up()


def task_progress(label: str, disable: bool) -> Progress:
    """A bar of runs (or weeks) on stderr that disappears when done; off under ``--json``."""
    return Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=disable,
    )


def print_bands(title: str, frame: pl.DataFrame, by: str | None = None, wide: bool = False) -> None:
    """Medians with their 50% and 90% bands, a row per fiscal year and metric (and ``by``), each
    value in its outcome's display unit (see :mod:`immsim.outcomes`)."""
    from immsim.cli.tables import Column, print_table
    from immsim.outcomes import OUTCOMES

    def number(metric: str, v: float) -> str:
        outcome = OUTCOMES[metric]
        return f"{v * outcome.scale:,.0f}" + ("%" if outcome.display_unit == "%" else "")

    columns = [Column(by)] if by else []
    columns += [Column("FY"), Column("metric"), Column("unit", optional=True)]
    columns += [Column(h, number=True) for h in ("median", "50% band", "90% band")]
    rows = []
    for row in frame.iter_rows(named=True):
        m = row["metric"]
        rows.append(
            [
                *([str(row[by])] if by else []),
                str(row["fiscal_year"]),
                m,
                OUTCOMES[m].display_unit,
                number(m, row["median"]),
                f"{number(m, row['p25'])} to {number(m, row['p75'])}",
                f"{number(m, row['p05'])} to {number(m, row['p95'])}",
            ]
        )
    print_table(columns, rows, title=title, keys=3 if by else 2, wide=wide)
