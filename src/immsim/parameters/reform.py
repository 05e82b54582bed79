"""Reforms: files of dated overrides of any leaf, plus an optional regime.

A reform replaces a leaf's timeline from its first override date on. With ``until``, the
baseline resumes on that date (the baseline value in force then, and its later changes), so a
reform can say "20,000 more beds from 2027 to 2030" without restating the baseline.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from immsim.errors import InputError
from immsim.parameters.loader import DatedValue, Leaf, ParameterTree, check_values, load_baseline
from immsim.parameters.schema import DatedValues, Reference
from immsim.validation import validate_located
from immsim.yamlio import KeyPath, LocatedYaml, load_yaml_file


class Override(DatedValues):
    """New dated values for one leaf."""

    unit: str | None = None
    until: dt.date | None = None
    reference: list[Reference] | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _check_until(self) -> Override:
        if self.until is not None and self.until <= max(self.values):
            raise ValueError(
                f"`until` ({self.until}) must come after the last override date ({max(self.values)})"
            )
        return self


class Reform(BaseModel):
    """A named set of overrides, optionally with the regime it assumes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1, max_length=120)]
    description: str | None = None
    regime: str | None = None
    overrides: dict[str, Override] = Field(default_factory=dict)
    _source: str = PrivateAttr(default="<inline>")

    @property
    def source(self) -> str:
        return self._source

    def fingerprint(self) -> str:
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def parse_reform(
    located: LocatedYaml,
    *,
    data: Any = None,
    base: KeyPath = (),
    tree: ParameterTree | None = None,
) -> Reform:
    """Validate a reform's structure and check every override against the baseline tree."""
    reform = validate_located(Reform, located, data=data, base=base)
    reform._source = located.source
    tree = tree or load_baseline()
    for key, override in reform.overrides.items():
        where = (*base, "overrides", key)
        if key not in tree:
            try:
                tree.leaf(key)
            except InputError as exc:
                raise InputError(
                    f"unknown parameter {key!r}",
                    file=located.source,
                    line=located.line_of(where),
                    allowed=exc.allowed,
                ) from None
        leaf = tree.leaf(key)
        if override.unit is not None and override.unit != leaf.unit:
            raise InputError(
                f"wrong unit {override.unit!r} for {key}",
                file=located.source,
                line=located.line_of((*where, "unit")),
                allowed=[leaf.unit],
            )
        check_values(
            key, leaf.unit, leaf.allowed, _override_values(reform, override), located, where
        )
    return reform


def load_reform(path: str | Path, tree: ParameterTree | None = None) -> Reform:
    """Read and check a reform file."""
    return parse_reform(load_yaml_file(path), tree=tree)


def _override_values(reform: Reform, override: Override) -> list[DatedValue]:
    default_ref = [Reference(title=f"reform {reform.name!r}", href=reform.source)]
    return [
        DatedValue(
            start=start,
            value=item.value,
            references=tuple(item.reference or override.reference or default_ref),
            estimated=item.estimated,
            method=item.method,
            note=item.note or override.note,
            origin=f"reform:{reform.name}",
        )
        for start, item in sorted(override.values.items())
    ]


def _reformed_timeline(
    leaf: Leaf, new: list[DatedValue], until: dt.date | None
) -> tuple[DatedValue, ...]:
    first = new[0].start
    timeline = [v for v in leaf.values if v.start < first] + new
    if until is not None:
        before = [v for v in leaf.values if v.start <= until]
        if before:
            resumed = before[-1]
            # the baseline value resumes with all its provenance (kind, interval, script)
            timeline.append(dataclasses.replace(resumed, start=until))
        timeline += [v for v in leaf.values if v.start > until]
    return tuple(timeline)


def apply_reform(tree: ParameterTree, reform: Reform) -> ParameterTree:
    """A new tree with every override of ``reform`` applied (``tree`` is left unchanged)."""
    leaves = {leaf.key: leaf for leaf in tree.leaves()}
    for key, override in reform.overrides.items():
        leaf = tree.leaf(key)
        timeline = _reformed_timeline(leaf, _override_values(reform, override), override.until)
        leaves[key] = dataclasses.replace(leaf, values=timeline)
    return ParameterTree(leaves, name=f"{tree.name}+{reform.name}")
