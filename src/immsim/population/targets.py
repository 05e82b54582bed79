"""The published marginals a population is raked to, read from the parameter tree at a date.

Every target is traceable to parameter keys (and through them to sources); nothing here holds a
number of its own. Attributes are given either as shares over all levels (which must sum to one)
or as counts of people in the levels other than ``none`` (the rest of the total is ``none``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from immsim.errors import InputError
from immsim.parameters.loader import ParameterTree
from immsim.parameters.schema import units
from immsim.population.attributes import (
    AGE_BANDS,
    COUNTRY_GROUPS,
    CRIMINAL_HISTORY,
    IMMIGRATION_HISTORY,
    PROTECTED_STATUS,
    YEARS_IN_US,
)
from immsim.validation import validate_located
from immsim.yamlio import load_yaml_text

SHARE_TOLERANCE = 0.005
"""How far from 1 a set of shares may sum before it is treated as a mistake (rounding in
published shares is tolerated and normalised away)."""

COMPOSITION = "population.composition"
BOOL_LEVELS = ("false", "true")

# Raked attributes, in table-axis order after the geography. ``known_to_agency`` is derived, not
# raked (see build.py).
RAKED: dict[str, tuple[str, ...]] = {
    "country_group": COUNTRY_GROUPS,
    "years_in_us": tuple(YEARS_IN_US),
    "age_band": AGE_BANDS,
    "criminal_history": CRIMINAL_HISTORY,
    "gang_or_national_security": BOOL_LEVELS,
    "pending_charges": BOOL_LEVELS,
    "immigration_history": IMMIGRATION_HISTORY,
    "protected_status": PROTECTED_STATUS,
    "us_citizen_child": BOOL_LEVELS,
}
GEOGRAPHY = "aor"
AOR_PREFIX = "population.by_aor"


@dataclass(frozen=True)
class Target:
    """A margin to meet: persons by level, and the parameter keys each level came from."""

    attribute: str
    levels: tuple[str, ...]
    persons: NDArray[np.float64]
    sources: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "attribute": self.attribute,
            "levels": list(self.levels),
            "persons": [float(x) for x in self.persons],
            "sources": list(self.sources),
        }


def population_total(tree: ParameterTree, at: dt.date) -> tuple[float, str]:
    estimator = tree.get("population.total_estimator", at)
    key = f"population.unauthorized_total_{estimator}"
    return float(tree.get(key, at)), key


def aor_levels(tree: ParameterTree) -> tuple[str, ...]:
    return tuple(k.rsplit(".", 1)[1] for k in tree.keys(AOR_PREFIX))


def _attribute_target(
    tree: ParameterTree, at: dt.date, attribute: str, levels: tuple[str, ...], total: float
) -> Target:
    prefix = f"{COMPOSITION}.{attribute}"
    boolean = levels == BOOL_LEVELS
    if boolean:
        key = prefix
        if key not in tree:
            raise InputError(f"the parameter tree has no {key}", key=key)
        keys = {"true": key}
    else:
        keys = {lvl: f"{prefix}.{lvl}" for lvl in levels if f"{prefix}.{lvl}" in tree}
        unknown = set(tree.keys(prefix)) - set(keys.values())
        if unknown:
            raise InputError(
                f"unknown level(s) for {attribute}: {', '.join(sorted(unknown))}",
                key=prefix,
                allowed=", ".join(levels),
            )
    kinds = {units()[tree.leaf(k).unit].kind for k in keys.values()}
    if len(kinds) != 1 or kinds - {"share", "count"}:
        raise InputError(
            f"{attribute}: levels must all be shares or all be counts of persons",
            key=prefix,
        )
    values = {lvl: float(tree.get(k, at)) for lvl, k in keys.items()}
    persons = np.zeros(len(levels))
    sources = [keys.get(lvl, "") for lvl in levels]
    if kinds == {"share"} and not boolean:
        missing = [lvl for lvl in levels if lvl not in values]
        if missing:
            raise InputError(
                f"{attribute}: shares are given for some levels but not {', '.join(missing)}",
                key=prefix,
            )
        total_share = sum(values.values())
        if abs(total_share - 1) > SHARE_TOLERANCE:
            raise InputError(
                f"{attribute}: shares on {at.isoformat()} sum to {total_share:.4f}, not 1 "
                f"({', '.join(f'{k}={v:g}' for k, v in values.items())})",
                key=prefix,
                allowed=f"shares summing to 1 within {SHARE_TOLERANCE}",
            )
        for i, lvl in enumerate(levels):
            persons[i] = total * values[lvl] / total_share
        return Target(attribute, levels, persons, tuple(sources))
    # counts of people in the non-`none` levels, or a yes-share for a yes/no attribute
    rest_level = "false" if boolean else "none"
    if rest_level in values:
        raise InputError(
            f"{attribute}: give the other levels; `{rest_level}` is the rest", key=prefix
        )
    for i, lvl in enumerate(levels):
        if lvl in values:
            persons[i] = values[lvl] * (total if kinds == {"share"} else 1.0)
    rest = total - persons.sum()
    if rest < 0:
        raise InputError(
            f"{attribute}: {persons.sum():,.0f} people in the named levels on {at.isoformat()}, "
            f"more than the total of {total:,.0f}",
            key=prefix,
        )
    persons[levels.index(rest_level)] = rest
    sources[levels.index(rest_level)] = "(the rest of the total)"
    return Target(attribute, levels, persons, tuple(sources))


def composition_targets(tree: ParameterTree, at: dt.date) -> tuple[float, str, list[Target]]:
    """The total (and the key it came from) and a target per raked attribute, geography first."""
    total, total_key = population_total(tree, at)
    aors = aor_levels(tree)
    if not aors:
        raise InputError(f"the parameter tree has no areas under {AOR_PREFIX}")
    weights = np.array([float(tree.get(f"{AOR_PREFIX}.{a}", at)) for a in aors])
    if weights.sum() <= 0:
        raise InputError(f"the areas under {AOR_PREFIX} sum to zero on {at.isoformat()}")
    targets = [
        Target(
            GEOGRAPHY,
            aors,
            total * weights / weights.sum(),
            tuple(f"{AOR_PREFIX}.{a}" for a in aors),
        )
    ]
    for attribute, levels in RAKED.items():
        targets.append(_attribute_target(tree, at, attribute, levels, total))
    return total, total_key, targets


class _Association(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    parameter: str
    when: dict[str, list[str | bool]]


@dataclass(frozen=True)
class Association:
    parameter: str
    when: dict[str, tuple[str, ...]]


@cache
def associations() -> tuple[Association, ...]:
    """Where each association multiplier acts (checked against the attribute levels)."""
    text = resources.files("immsim.population").joinpath("associations.yaml").read_text("utf-8")
    located = load_yaml_text(text, "immsim/population/associations.yaml")
    out = []
    for i, item in enumerate(located.data or []):
        raw = validate_located(_Association, located, data=item, base=(i,))
        when: dict[str, tuple[str, ...]] = {}
        for attribute, chosen in raw.when.items():
            levels = RAKED.get(attribute)
            if levels is None:
                raise InputError(
                    f"unknown attribute {attribute!r}",
                    file=located.source,
                    line=located.line_of((i, "when", attribute)),
                    allowed=", ".join(RAKED),
                )
            names = tuple(str(c).lower() if isinstance(c, bool) else c for c in chosen)
            bad = [n for n in names if n not in levels]
            if bad:
                raise InputError(
                    f"unknown level(s) {bad} of {attribute}",
                    file=located.source,
                    line=located.line_of((i, "when", attribute)),
                    allowed=", ".join(levels),
                )
            when[attribute] = names
        out.append(Association(raw.parameter, when))
    return tuple(out)
