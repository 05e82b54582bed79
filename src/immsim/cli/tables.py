"""Tables that fit the terminal and never cut a number.

A table wider than the terminal first loses its optional columns (named under it, with how to see
them), then wraps: its other columns go to a second table (and a third...) that repeats the key
columns, so every figure is printed whole. Free text may wrap inside its column. ``--wide`` (or
output to a pipe or file) prints one table as wide as it needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich import box
from rich.cells import cell_len
from rich.markup import escape
from rich.table import Table

from immsim.cli.output import console

GAP = 3
"""What a column costs beside its content: the space either side and the separator."""
TEXT_MIN = 14
"""The narrowest a column of free text is allowed to become."""


@dataclass(frozen=True)
class Column:
    header: str
    number: bool = False
    """Right-aligned, and never wrapped or cut."""
    text: bool = False
    """Free text that may wrap to fit (a source, a note); anything else is printed whole."""
    optional: bool = False
    """Left out, and named, when the table would not fit."""


def _needs(column: Column, cells: list[str], wide: bool) -> int:
    widest = max([cell_len(column.header), *(cell_len(c) for c in cells)])
    return min(widest, TEXT_MIN) if column.text and not wide else widest


def _span(widths: list[int]) -> int:
    return sum(widths) + GAP * (len(widths) - 1)


def _groups(needs: list[int], keys: int, width: int) -> list[list[int]]:
    """The columns of each table: the key columns, then as many others as fit."""
    groups: list[list[int]] = []
    current = list(range(keys))
    for index in range(keys, len(needs)):
        if len(current) > keys and _span([needs[i] for i in [*current, index]]) > width:
            groups.append(current)
            current = list(range(keys))
        current.append(index)
    groups.append(current)
    return groups


def _table(title: str | None, columns: list[Column], rows: list[list[str]]) -> Table:
    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
    )
    for column in columns:
        table.add_column(
            escape(column.header),
            justify="right" if column.number else "left",
            no_wrap=not column.text,
            overflow="fold",
        )
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    return table


def print_table(
    columns: list[Column],
    rows: list[list[str]],
    *,
    title: str | None = None,
    keys: int = 1,
    wide: bool = False,
) -> None:
    """Print ``rows`` under ``columns`` within the terminal's width (see the module)."""
    wide = wide or not console.is_terminal
    width = 10**6 if wide else console.width
    shown = list(range(len(columns)))
    cells = [[row[i] for row in rows] for i in range(len(columns))]
    needs = [_needs(c, cells[i], wide) for i, c in enumerate(columns)]
    dropped = []
    for index in reversed(range(len(columns))):
        if _span([needs[i] for i in shown]) <= width:
            break
        if columns[index].optional:
            shown.remove(index)
            dropped.append(columns[index].header)
    groups = _groups([needs[i] for i in shown], keys, width)
    for n, group in enumerate(groups):
        chosen = [shown[i] for i in group]
        part = title if n == 0 else f"{title or ''} (continued)".strip()
        table = _table(part, [columns[i] for i in chosen], [[r[i] for i in chosen] for r in rows])
        if wide:  # as wide as the table needs, though the terminal may fold the lines
            before = console.width
            console.width = max(before, _span(needs) + 1)
            console.print(table)
            console.width = before
        else:
            console.print(table)
    if dropped:
        console.print(
            f"Not shown at this width: {', '.join(reversed(dropped))} "
            "(--wide shows every column; --json gives everything)."
        )
