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
from rich.text import Text

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


def is_wide(wide: bool) -> bool:
    """Whether to print tables whole: asked for with ``--wide``, or printing to a pipe or file."""
    return wide or not console.is_terminal


def nest_keys(rows: list[list[str]]) -> list[list[str]]:
    """Rows whose first cell is a dotted key, each under a row naming its parent, the key's last
    part indented: a long key (``enforcement.channels.at_large_locate_rate_known``) then fits
    beside its numbers at 80 columns and is still printed whole."""
    nested: list[list[str]] = []
    group = None
    for row in rows:
        parent, _, name = row[0].rpartition(".")
        if not parent:
            group = None
            nested.append(row)
            continue
        if parent != group:
            nested.append([parent + ".", *[""] * (len(row) - 1)])
            group = parent
        nested.append(["  " + name, *row[1:]])
    return nested


def _width(cell: str) -> int:
    """The width of a cell's widest line."""
    return max((cell_len(line) for line in cell.splitlines()), default=0)


def _needs(column: Column, cells: list[str], wide: bool) -> int:
    widest = max([_width(column.header), *(_width(c) for c in cells)])
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


def _table(columns: list[Column], rows: list[list[str]], lines: bool) -> Table:
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        show_lines=lines,
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
    lines: bool = False,
) -> None:
    """Print ``rows`` under ``columns`` within the terminal's width (see the module); ``lines``
    leaves a blank line between rows, for rows of several lines of text."""
    wide = is_wide(wide)
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
        table = _table([columns[i] for i in chosen], [[r[i] for i in chosen] for r in rows], lines)
        if part:  # above the table, not wrapped to a narrow table's width
            console.print(Text(part, style="table.title"))
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
