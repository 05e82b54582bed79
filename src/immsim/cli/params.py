"""``immsim params``: the cited, dated parameter tree, a key at a time or a branch at a time."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from immsim.cli.options import AtOpt, JsonOpt, at_day
from immsim.cli.output import console, emit_json, fmt
from immsim.errors import InputError
from immsim.parameters import load_baseline
from immsim.parameters.loader import Leaf

app = typer.Typer(help="The cited, dated parameter tree (rules as code).", no_args_is_help=True)


def in_force(leaf: Leaf, day: dt.date) -> dict[str, Any]:
    """The value in force on ``day`` with where it comes from; empty before the leaf's first
    value, so a listing can show a leaf that starts later instead of failing."""
    try:
        entry = leaf.entry(day)
    except InputError:
        return {"value": None, "from": None, "estimated": False, "source": None}
    source = entry.references[0].title if entry.references else (entry.method or "")
    return {
        "value": entry.value,
        "from": entry.start.isoformat(),
        "estimated": entry.estimated,
        "source": source,
    }


def value_cell(row: dict[str, Any]) -> str:
    """A row of :func:`in_force` as a table shows its value: a dash if none yet, marked if ours."""
    if row["value"] is None:
        return "—"
    return fmt(row["value"]) + (" (est.)" if row["estimated"] else "")


@app.command("list")
def params_list(
    prefix: Annotated[
        str | None, typer.Argument(help="Only keys under this prefix, e.g. detention.")
    ] = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List parameters with their value on a date, unit and source."""
    tree = load_baseline()
    keys = tree.keys(prefix)
    if not keys:
        raise InputError(
            f"no parameter under {prefix!r}", allowed=sorted({k.split(".")[0] for k in tree})
        )
    day = at_day(at)
    rows = [{"key": k, "unit": tree.leaf(k).unit, **in_force(tree.leaf(k), day)} for k in keys]
    if as_json:
        emit_json({"at": day.isoformat(), "parameters": rows})
        return
    table = Table(title=f"Parameters on {day.isoformat()}", title_justify="left")
    for col in ("key", "value", "unit", "from", "source"):
        table.add_column(col, overflow="fold", no_wrap=col == "key")
    for row in rows:
        table.add_row(
            row["key"],
            value_cell(row),
            row["unit"],
            row["from"] or "not yet",
            escape(row["source"] or ""),
        )
    console.print(table)


@app.command("show")
def params_show(
    key: Annotated[str, typer.Argument(help="Parameter key, e.g. detention.funded_beds.")],
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One parameter: its value on a date, unit, and every dated value with its source."""
    tree = load_baseline()
    leaf = tree.leaf(key)
    day = at_day(at)
    entry = leaf.entry(day)
    if as_json:
        emit_json(
            {
                **leaf.as_dict(),
                "at": day.isoformat(),
                "value": entry.value,
                "in_force_from": entry.start.isoformat(),
                "source": [r.model_dump(exclude_none=True) for r in entry.references],
                "estimated": entry.estimated,
            }
        )
        return
    console.print(f"[bold]{leaf.key}[/]: {escape(leaf.description)}")
    console.print(
        f"On {day.isoformat()}: [bold]{fmt(entry.value)} {escape(leaf.unit)}[/] "
        f"(in force from {entry.start.isoformat()}{', our estimate' if entry.estimated else ''})"
    )
    table = Table(title_justify="left")
    for col in ("from", "value", "source", "note"):
        table.add_column(col, overflow="fold")
    for v in leaf.values:
        refs = "; ".join(f"{r.title} <{r.href}>" if r.href else r.title for r in v.references)
        if v.estimated:
            refs = f"ESTIMATE — {v.method}" + (f"; {refs}" if refs else "")
        marker = " ◀" if v is entry else ""
        table.add_row(
            v.start.isoformat() + marker, fmt(v.value), escape(refs), escape(v.note or "")
        )
    console.print(table)
