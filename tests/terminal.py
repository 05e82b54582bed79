"""What an 80-column terminal shows of a command's output: its lines without colour codes, and
the check every table must pass there (no line over 80 columns, no cell cut short with "…")."""

from __future__ import annotations

import re

from rich.cells import cell_len

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def lines(out: str) -> list[str]:
    return [ANSI.sub("", line).rstrip() for line in out.splitlines()]


def fits(out: str) -> None:
    shown = lines(out)
    assert max(cell_len(line) for line in shown) <= 80, max(shown, key=cell_len)
    assert "…" not in out, "a cell was cut"


def text(out: str) -> str:
    """The output as one line of words: a figure is found whole wherever its cell wrapped."""
    return " ".join(" ".join(lines(out)).split())
