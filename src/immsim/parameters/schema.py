"""The shape of a parameter leaf, of a reference, and of the units a value may carry.

Kept apart from the loader so that reforms and regimes validate against the same rules.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    model_validator,
)

from immsim.errors import InputError
from immsim.yamlio import load_yaml_text

Scalar = StrictBool | StrictInt | StrictFloat | StrictStr | dt.date
Value = Scalar | list[StrictStr]
UnitKind = Literal["count", "money", "share", "rate", "ratio", "bool", "text", "list"]


MAX_MAGNITUDE: dict[str, float] = {
    # people, beds, officers, judges, cases: none can outnumber the world's population (8.1e9)
    "count": 1e10,
    # flows a year, hours, weeks, hazards: a flow of more people a year than live on Earth, or a
    # hazard of one event every three milliseconds, is a typo
    "rate": 1e10,
    # dollars: a thousand times the whole federal budget (about 7e12 a year)
    "money": 1e15,
    # multipliers and price indices: associations are tens, the CPI a few hundred; a factor of a
    # million already rules every other combination out
    "ratio": 1e6,
}
"""Input limits on the magnitude of a value, by kind of unit: what a reform, a scenario, a sweep
or an uncertainty may set. They refuse typos and overflow, not ambition (a billion beds loads):
above them the engine's whole-number arithmetic overflows, and 1e19 beds became zero beds."""


def magnitude_problem(kind: str, value: float) -> str | None:
    """Why ``value`` is too large (either sign) or not finite for a unit of ``kind``."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"expected a finite number, found {value}"
    bound = MAX_MAGNITUDE.get(kind)
    if bound is not None and abs(value) > bound:
        return f"{_shown(value)} is out of range: at most {bound:g} for a {kind}"
    return None


def _shown(value: float) -> str:
    """A number for a message; an int too large for a float is shown by its digits."""
    if isinstance(value, int) and abs(value) >= 10**16:
        digits = str(abs(value))
        return f"{'-' if value < 0 else ''}{digits[:3]}… ({len(digits)} digits)"
    return f"{value:.6g}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(_Strict):
    """Where a value was read: a title, and a link or document locator."""

    title: Annotated[str, Field(min_length=1)]
    href: str | None = None
    passage: str | None = None


class RawDatedValue(_Strict):
    """One dated value as written in YAML: the value, and optionally its own provenance."""

    value: Value
    reference: list[Reference] | None = None
    estimated: bool = False
    method: str | None = None
    note: str | None = None
    interval_90: tuple[float, float] | None = None
    """A fitted value's 90% interval (written by ``immsim calibrate``)."""
    derived_by: str | None = None
    """The script in ``scripts/`` that computed this value from records (its path from the
    repository root), so that anyone can recompute it; the records are cited in ``reference``."""

    @model_validator(mode="after")
    def _method_if_estimated(self) -> RawDatedValue:
        if self.estimated and not self.method:
            raise ValueError("a value marked estimated: true needs a `method` saying how")
        if self.interval_90 is not None:
            low, high = self.interval_90
            if not low <= high:
                raise ValueError(f"interval_90 must be [low, high] (got {list(self.interval_90)})")
            if isinstance(self.value, int | float) and not low <= float(self.value) <= high:
                raise ValueError(f"the value {self.value} lies outside its interval_90")
        return self


def _wrap_scalars(values: Any) -> Any:
    if isinstance(values, dict):
        return {k: v if isinstance(v, dict) else {"value": v} for k, v in values.items()}
    return values


def _no_shared_dates(values: Any) -> None:
    """A quoted '2017-01-01' and a bare 2017-01-01 are different YAML keys but the same date."""
    if not isinstance(values, dict):
        return
    seen: set[dt.date] = set()
    for key in values:
        try:
            day = key if isinstance(key, dt.date) else dt.date.fromisoformat(str(key))
        except ValueError:
            continue  # not a date at all: the field validation says so
        if day in seen:
            raise ValueError(f"two values share the date {day.isoformat()}")
        seen.add(day)


class DatedValues(_Strict):
    """Anything carrying ``values: {date: value}``; a bare value is shorthand for ``{value: ...}``."""

    values: dict[dt.date, RawDatedValue]

    @model_validator(mode="before")
    @classmethod
    def _normalise_values(cls, data: Any) -> Any:
        if isinstance(data, dict) and "values" in data:
            _no_shared_dates(data["values"])
            data = {**data, "values": _wrap_scalars(data["values"])}
        return data

    @model_validator(mode="after")
    def _not_empty(self) -> DatedValues:
        if not self.values:
            raise ValueError("`values` is empty: give at least one dated value")
        return self


class RawLeaf(DatedValues):
    """A parameter leaf as written in YAML."""

    description: Annotated[str, Field(min_length=1)]
    unit: str
    reference: list[Reference] | None = None
    estimated: bool = False
    method: str | None = None
    note: str | None = None
    allowed: list[str] | None = None
    derived_by: str | None = None
    """As :attr:`RawDatedValue.derived_by`, for every value of the leaf (a generated file)."""
    documentation_only: Annotated[str, Field(min_length=1)] | None = None
    """Why a leaf that no code reads is kept (a figure to check others against, context, or a
    quantity a mechanism still to be built will read); a test checks that exactly these leaves
    are unread."""

    @model_validator(mode="after")
    def _complete(self) -> RawLeaf:
        if self.estimated and not self.method:
            raise ValueError("a leaf marked estimated: true needs a `method` saying how")
        if not self.reference and not self.estimated:
            missing = [
                str(d) for d, v in self.values.items() if not v.reference and not v.estimated
            ]
            if missing:
                raise ValueError(
                    "no `reference` for the value(s) dated "
                    + ", ".join(missing)
                    + "; cite a source, or mark an estimate of ours `estimated: true` with a method"
                )
        return self


class UnitSpec(_Strict):
    kind: UnitKind
    description: str


@cache
def units() -> dict[str, UnitSpec]:
    """The unit registry shipped with the package (``parameters/units.yaml``)."""
    text = resources.files("immsim.parameters").joinpath("units.yaml").read_text("utf-8")
    located = load_yaml_text(text, "immsim/parameters/units.yaml")
    return {name: UnitSpec.model_validate(spec) for name, spec in located.data.items()}


def check_unit(unit: str, *, file: str, line: int | None, key: str) -> UnitSpec:
    """The unit's spec, or an error listing the units we know."""
    registry = units()
    if unit not in registry:
        raise InputError(
            f"unknown unit {unit!r}", file=file, line=line, key=key, allowed=sorted(registry)
        )
    return registry[unit]


def value_problem(kind: UnitKind, value: Any, allowed: list[str] | None) -> str | None:
    """Why ``value`` cannot be a value of a unit of ``kind``, or None if it can."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind in ("count", "money", "rate", "ratio"):
        if not is_number:
            return f"expected a number, found {type(value).__name__} {value!r}"
        too_big = magnitude_problem(kind, value)
        if too_big is not None and "finite" in too_big:
            return too_big
        if value < 0:
            return f"expected a non-negative number, found {value}"
        return too_big
    if kind == "share":
        if not is_number:
            return f"expected a share between 0 and 1, found {type(value).__name__} {value!r}"
        if not 0 <= value <= 1:
            return f"expected a share between 0 and 1, found {value}"
        return None
    if kind == "bool":
        return None if isinstance(value, bool) else f"expected true or false, found {value!r}"
    if kind == "text":
        if not isinstance(value, str):
            return f"expected a word, found {value!r}"
        if allowed is not None and value not in allowed:
            return f"{value!r} is not one of {', '.join(allowed)}"
        return None
    if kind == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"expected a list of words, found {value!r}"
        bad = [v for v in value if allowed is not None and v not in allowed]
        return f"{', '.join(bad)} not among {', '.join(allowed or [])}" if bad else None
    return None  # pragma: no cover - Literal exhausts the kinds
