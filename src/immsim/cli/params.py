"""``immsim params``: the cited, dated parameter tree, a key at a time or a branch at a time."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from immsim.cli.options import AllOpt, AtOpt, JsonOpt, WideOpt, at_day
from immsim.cli.output import console, emit_json, fmt
from immsim.cli.tables import Column, is_wide, nest_keys, print_table
from immsim.errors import InputError
from immsim.parameters import load_baseline
from immsim.parameters.loader import Leaf, ParameterTree

app = typer.Typer(help="The cited, dated parameter tree (rules as code).", no_args_is_help=True)


def in_force(leaf: Leaf, day: dt.date) -> dict[str, Any]:
    """The value in force on ``day`` with where it comes from; empty before the leaf's first
    value, so a listing can show a leaf that starts later instead of failing."""
    try:
        entry = leaf.entry(day)
    except InputError:
        return {"value": None, "from": None, "estimated": False, "kind": None, "source": None}
    source = entry.references[0].title if entry.references else (entry.method or "")
    return {
        "value": entry.value,
        "from": entry.start.isoformat(),
        "estimated": entry.estimated,
        "kind": entry.kind,
        "source": source,
    }


def value_cell(row: dict[str, Any]) -> str:
    """A row of :func:`in_force` as a table shows its value, or a dash if none yet; where it
    comes from is the kind column's to say (an estimate is no longer marked here)."""
    value = row["value"]
    if value is None:
        return "—"
    # A national total in dollars (GDP: 29,180,000,000,000) is wider than the key beside it
    # leaves at 80 columns; the list reads it in words, `params show` and --json give every digit.
    if isinstance(value, int | float) and not isinstance(value, bool):
        for scale, word in LARGE_NUMBER_WORDS:
            if abs(value) >= scale:
                return f"{fmt(round(value / scale, 3))} {word}"
    return fmt(value)


LARGE_NUMBER_WORDS = ((1e12, "trillion"), (1e9, "billion"))
"""How ``params list`` shows the largest values (a number's name, not a model quantity)."""


LISTED = 30
"""Up to this many parameters, ``params list`` lists them; past it, it sums them up by branch."""
LIST_COLUMNS = [
    Column("key"),
    Column("value", number=True),
    Column("unit", text=True),
    Column("kind", optional=True),
    Column("from", optional=True),
    Column("source", text=True, optional=True),
]
PlaceholdersOpt = Annotated[
    bool,
    typer.Option(
        "--placeholders",
        help="Only the values (in force or not) still marked as placeholders, to be replaced.",
    ),
]


@app.command("list")
def params_list(
    prefix: Annotated[
        str | None, typer.Argument(help="Only keys under this prefix, e.g. detention.")
    ] = None,
    at: AtOpt = None,
    everything: AllOpt = False,
    wide: WideOpt = False,
    placeholders: PlaceholdersOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Parameters with their value on a date, unit, kind (cited, derived, fitted, estimated,
    placeholder) and source: a summary by branch, or every parameter under PREFIX when there
    are few (--all for all of them; --placeholders for the values still to be replaced)."""
    tree = load_baseline()
    keys = tree.keys(prefix)
    if not keys:
        raise InputError(
            f"no parameter under {prefix!r}", allowed=sorted({k.split(".")[0] for k in tree})
        )
    if placeholders:
        _list_placeholders(tree, set(keys), wide, as_json)
        return
    day = at_day(at)
    rows = [{"key": k, "unit": tree.leaf(k).unit, **in_force(tree.leaf(k), day)} for k in keys]
    if as_json:
        emit_json({"at": day.isoformat(), "parameters": rows})
        return
    if everything or len(rows) <= LISTED:
        print_parameters(rows, f"Parameters on {day.isoformat()}", wide)
        return
    _print_branches(rows, prefix, day)


def print_parameters(rows: list[dict[str, Any]], title: str, wide: bool) -> None:
    """One row a parameter. To fit a terminal, keys are listed under their parent, indented
    (whole, some keys are too long for a unit to fit beside them at 80 columns); ``--wide`` (and
    a pipe) prints every key whole on its row."""
    wide = is_wide(wide)
    table = [
        [
            row["key"],
            value_cell(row),
            row["unit"],
            row["kind"] or "",
            row["from"] or "not yet",
            row["source"] or "",
        ]
        for row in rows
    ]
    if not wide:
        table = nest_keys(table)
    print_table(LIST_COLUMNS, table, title=title, wide=wide)


BRANCH_KINDS = ("cited", "derived", "fitted", "estimated", "placeholder")
"""The kinds the summary by branch counts (a baseline tree holds no reform values)."""


def _list_placeholders(tree: ParameterTree, keys: set[str], wide: bool, as_json: bool) -> None:
    """Every dated value under the keys that is still a placeholder, in force or not: issue 20
    replaces them all with cited, derived or fitted values; the tests keep the rest listed."""
    found = [(k, v) for k, v in tree.placeholders() if k in keys]
    rows = [
        {
            "key": k,
            "from": v.start.isoformat(),
            "value": v.value,
            "unit": tree.leaf(k).unit,
            "method": v.method,
            "file": tree.leaf(k).file,
        }
        for k, v in found
    ]
    if as_json:
        emit_json({"placeholders": rows})
        return
    if not rows:
        console.print("No placeholder: every value is cited, derived, fitted or estimated.")
        return
    columns = [
        Column("key"),
        Column("from"),
        Column("value", number=True),
        Column("unit", text=True),
        Column("method", text=True, optional=True),
    ]
    table = [[r["key"], r["from"], fmt(r["value"]), r["unit"], r["method"] or ""] for r in rows]
    print_table(columns, table, title=f"{len(rows):,} placeholder values", wide=wide)


def _print_branches(rows: list[dict[str, Any]], prefix: str | None, day: dt.date) -> None:
    depth = len(prefix.split(".")) + 1 if prefix else 1
    branches: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        branches.setdefault(".".join(row["key"].split(".")[:depth]), []).append(row)
    table = [
        [
            name,
            f"{len(group):,}",
            *(f"{sum(r['kind'] == kind for r in group):,}" for kind in BRANCH_KINDS),
            f"{sum(r['value'] is None for r in group):,}",
        ]
        for name, group in branches.items()
    ]
    columns = [
        Column("branch"),
        Column("parameters", number=True),
        *(Column(kind, number=True) for kind in BRANCH_KINDS),
        Column("not yet in force", number=True, optional=True),
    ]
    print_table(columns, table, title=f"{len(rows):,} parameters on {day.isoformat()}, by branch")
    example = next(iter(branches))
    console.print(
        f"One branch: [bold]immsim params list {escape(example)}[/]; every parameter: "
        f"[bold]--all[/]; one parameter with its history: [bold]immsim params show KEY[/].",
        highlight=False,
    )


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
        if v.derived_by:
            refs = f"DERIVED by {v.derived_by}" + (f" from {refs}" if refs else "")
        elif v.estimated:
            refs = f"{v.kind.upper()} — {v.method}" + (f"; {refs}" if refs else "")
        marker = " ◀" if v is entry else ""
        table.add_row(
            v.start.isoformat() + marker, fmt(v.value), escape(refs), escape(v.note or "")
        )
    console.print(table)
