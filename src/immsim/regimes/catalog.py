"""Find, load and check regime files: the five shipped ones, or a user's own."""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from immsim.errors import InputError
from immsim.regimes.model import Regime, check_regime
from immsim.validation import validate_located
from immsim.yamlio import LocatedYaml, load_yaml_file, load_yaml_text


def _folder() -> Traversable:
    return resources.files("immsim.parameters").joinpath("regimes")


def regime_names() -> list[str]:
    """Names of the regimes shipped with the package, oldest first."""
    return [r.name for r in shipped_regimes()]


def parse_regime(located: LocatedYaml) -> Regime:
    regime = validate_located(Regime, located)
    check_regime(regime, located)
    return regime


@cache
def shipped_regimes() -> tuple[Regime, ...]:
    regimes = []
    for entry in sorted(_folder().iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            located = load_yaml_text(
                entry.read_text("utf-8"), f"immsim/parameters/regimes/{entry.name}"
            )
            regime = parse_regime(located)
            if regime.name != entry.name[:-5]:
                raise InputError(
                    f"regime name {regime.name!r} differs from its file name",
                    file=located.source,
                    line=located.line_of(("name",)),
                )
            regimes.append(regime)
    return tuple(sorted(regimes, key=lambda r: r.in_force[0].start))


def load_regime(spec: str | Path) -> Regime:
    """A shipped regime by name, or a user's regime file by path (validated the same way)."""
    text = str(spec)
    if text.endswith((".yaml", ".yml")) or Path(text).is_file():
        return parse_regime(load_yaml_file(text))
    for regime in shipped_regimes():
        if regime.name == text:
            return regime
    raise InputError(f"unknown regime {text!r}", allowed=regime_names())


def regime_at(day: dt.date) -> Regime:
    """The shipped regime in force on ``day``."""
    for regime in shipped_regimes():
        if regime.in_force_on(day):
            return regime
    first = shipped_regimes()[0].in_force[0].start
    raise InputError(
        f"no shipped regime is in force on {day.isoformat()}", allowed=f"dates from {first}"
    )
