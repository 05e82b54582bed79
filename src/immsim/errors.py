"""Errors a user can act on.

Every problem with a user's input (a scenario, a reform, a parameter file, a look-up) is raised as
an :class:`InputError` carrying the file, the line and what would have been allowed, so that the
CLI can print one clear message instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class ImmsimError(Exception):
    """Base class of the errors immsim reports to users without a traceback."""


class InputError(ImmsimError):
    """Bad input, located as precisely as we can: file, line, key path, and what is allowed."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        key: str | None = None,
        allowed: Sequence[str] | str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.key = key
        if isinstance(allowed, str):
            self.allowed: str | None = allowed
        elif allowed is not None:
            shown = list(allowed)
            more = "" if len(shown) <= 30 else f", … ({len(shown) - 30} more)"
            self.allowed = ", ".join(shown[:30]) + more
        else:
            self.allowed = None
        super().__init__(self.render())

    def render(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        elif self.line:
            where = f"line {self.line}: "
        text = where + (f"{self.key}: " if self.key else "") + self.message
        if self.allowed:
            text += f" (allowed: {self.allowed})"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "error": self.message,
            "file": self.file,
            "line": self.line,
            "key": self.key,
            "allowed": self.allowed,
        }


class LookupOutOfRangeError(InputError):
    """A dated look-up before the first date a parameter has a value."""


class RunTooLargeError(ImmsimError, OverflowError):
    """A run holding more people than the engine's 32-bit counts by group allow
    (``engine.stocks.COUNT_LIMIT``): raised before any count could wrap around, and reported to
    users as an error they can act on (a smaller population or scale), not a traceback."""
