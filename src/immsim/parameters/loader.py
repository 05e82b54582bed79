"""Load the parameter tree and answer dated look-ups.

A value holds from its date until the next one. Look-ups before the first date are errors, not
silent extrapolations: a model asking for 2009 beds from a series that starts in 2012 should say
so. Trees are immutable; a reform produces a new tree, and each tree caches its snapshots per
date, so the engine can ask ``tree.snapshot(at)`` every week at dictionary cost.
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any, Literal

from immsim.errors import InputError, LookupOutOfRangeError
from immsim.parameters.schema import RawLeaf, Reference, check_unit, value_problem
from immsim.validation import validate_located
from immsim.yamlio import KeyPath, LocatedYaml, load_yaml_text

if TYPE_CHECKING:
    from immsim.parameters.reform import Reform

__all__ = [
    "KINDS",
    "DatedValue",
    "Kind",
    "Leaf",
    "ParameterTree",
    "Reference",
    "load_baseline",
    "load_parameters",
]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

Kind = Literal["cited", "derived", "fitted", "estimated", "placeholder", "reform"]
KINDS: tuple[Kind, ...] = ("cited", "derived", "fitted", "estimated", "placeholder", "reform")
"""Where a value comes from (issue 20): read in a cited source; computed from records by a
script in ``scripts/``; fitted by ``immsim calibrate`` with a 90% interval; our own estimate by
a stated method; a placeholder nobody measured (its method says so), still to be replaced; or
set by a user's reform."""
_PLACEHOLDER = re.compile(r"\bplaceholder\b", re.IGNORECASE)


@dataclass(frozen=True)
class DatedValue:
    """A value in force from ``start`` until the next dated value of the same leaf."""

    start: dt.date
    value: Any
    references: tuple[Reference, ...]
    estimated: bool = False
    method: str | None = None
    note: str | None = None
    origin: str = "baseline"
    interval_90: tuple[float, float] | None = None
    derived_by: str | None = None

    @property
    def kind(self) -> Kind:
        """Which of :data:`KINDS` this value is. A fitted value is also estimated, and a
        derived one also cites its records: the narrower kind wins. A placeholder is an
        estimate whose method calls it one (the word, in any case), as the tree has always
        written them."""
        if self.origin.startswith("reform:"):
            return "reform"
        if self.interval_90 is not None:
            return "fitted"
        if self.derived_by:
            return "derived"
        if self.estimated:
            return "placeholder" if _PLACEHOLDER.search(self.method or "") else "estimated"
        return "cited"

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "value": self.value,
            "kind": self.kind,
            "interval_90": list(self.interval_90) if self.interval_90 else None,
            "derived_by": self.derived_by,
            "estimated": self.estimated,
            "method": self.method,
            "note": self.note,
            "origin": self.origin,
            "reference": [r.model_dump(exclude_none=True) for r in self.references],
        }


@dataclass(frozen=True)
class Leaf:
    """One quantity or legal rule: its meaning, unit and dated values with their sources."""

    key: str
    description: str
    unit: str
    values: tuple[DatedValue, ...]
    file: str
    line: int | None = None
    allowed: tuple[str, ...] | None = None
    note: str | None = None
    documentation_only: str | None = None  # why it is kept though no code reads it
    starts: tuple[dt.date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts", tuple(v.start for v in self.values))

    def entry(self, at: dt.date) -> DatedValue:
        index = bisect.bisect_right(self.starts, at) - 1
        if index < 0:
            raise LookupOutOfRangeError(
                f"no value before {self.starts[0].isoformat()} (asked for {at.isoformat()})",
                key=self.key,
                file=self.file,
                line=self.line,
            )
        return self.values[index]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "description": self.description,
            "unit": self.unit,
            "allowed": list(self.allowed) if self.allowed else None,
            "note": self.note,
            "file": self.file,
            "values": [v.as_dict() for v in self.values],
        }


def as_date(value: dt.date | str) -> dt.date:
    """Accept a date or an ISO string (``2016-06-01``); anything else is an input error."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"bad date {value!r}", allowed="YYYY-MM-DD, e.g. 2016-06-01") from None


class ParameterTree:
    """An immutable set of leaves (the baseline, or the baseline with a reform applied)."""

    def __init__(self, leaves: dict[str, Leaf], name: str = "baseline") -> None:
        self._leaves = dict(sorted(leaves.items()))
        self.name = name
        self._snapshots: dict[int, dict[str, Any]] = {}
        self._changes: list[dt.date] | None = None
        self._fingerprint: str | None = None

    def __contains__(self, key: object) -> bool:
        return key in self._leaves

    def __iter__(self) -> Iterator[str]:
        return iter(self._leaves)

    def leaves(self) -> list[Leaf]:
        return list(self._leaves.values())

    def __len__(self) -> int:
        return len(self._leaves)

    def leaf(self, key: str) -> Leaf:
        try:
            return self._leaves[key]
        except KeyError:
            close = difflib.get_close_matches(key, self._leaves, n=5, cutoff=0.5)
            under = [k for k in self._leaves if k.startswith(key + ".")]
            hint = close or under[:10] or list(self._leaves)[:10]
            raise InputError(f"unknown parameter {key!r}", allowed=hint) from None

    def placeholders(self) -> list[tuple[str, DatedValue]]:
        """Every dated value, in force or not, that is still a placeholder, by key and date."""
        return [
            (k, v)
            for k, leaf in self._leaves.items()
            for v in leaf.values
            if v.kind == "placeholder"
        ]

    def keys(self, prefix: str | None = None) -> list[str]:
        if not prefix:
            return list(self._leaves)
        return [k for k in self._leaves if k == prefix or k.startswith(prefix.rstrip(".") + ".")]

    def entry(self, key: str, at: dt.date | str) -> DatedValue:
        return self.leaf(key).entry(as_date(at))

    def get(self, key: str, at: dt.date | str) -> Any:
        """The value of ``key`` in force on ``at``."""
        return self.entry(key, at).value

    def span(self, at: dt.date | str) -> int:
        """Which span between value changes ``at`` falls in: two days in the same span see the
        same value of every leaf (so whatever is derived from the values can be kept per span)."""
        if self._changes is None:
            self._changes = sorted({v.start for leaf in self._leaves.values() for v in leaf.values})
        return bisect.bisect_right(self._changes, as_date(at))

    def snapshot(self, at: dt.date | str) -> dict[str, Any]:
        """Every leaf's value on ``at`` (leaves with no value yet are left out).

        Cached per span between two dates on which some value changes: every day of a span has
        the same values, so a weekly run builds a snapshot a few dozen times, not every week."""
        span = self.span(at)
        day = as_date(at)
        cached = self._snapshots.get(span)
        if cached is None:
            cached = {}
            for key, leaf in self._leaves.items():
                index = bisect.bisect_right(leaf.starts, day) - 1
                if index >= 0:
                    cached[key] = leaf.values[index].value
            self._snapshots[span] = cached
        return dict(cached)

    def fingerprint(self) -> str:
        """A hash of every dated value, to key caches and to record in run manifests."""
        if self._fingerprint is None:
            payload = [
                (k, [(v.start.isoformat(), repr(v.value)) for v in leaf.values])
                for k, leaf in self._leaves.items()
            ]
            digest = hashlib.sha256(json.dumps(payload).encode()).hexdigest()
            self._fingerprint = digest[:16]
        return self._fingerprint

    def with_reform(self, reform: Reform) -> ParameterTree:
        from immsim.parameters.reform import apply_reform

        return apply_reform(self, reform)


def _dated_values(raw: RawLeaf, origin: str) -> tuple[DatedValue, ...]:
    out = []
    for start in sorted(raw.values):
        item = raw.values[start]
        refs = item.reference or raw.reference or []
        out.append(
            DatedValue(
                start=start,
                value=item.value,
                references=tuple(refs),
                estimated=item.estimated or raw.estimated,
                method=item.method or raw.method,
                note=item.note,
                origin=origin,
                interval_90=item.interval_90,
                derived_by=item.derived_by or raw.derived_by,
            )
        )
    return tuple(out)


def check_values(
    leaf_key: str,
    unit: str,
    allowed: list[str] | tuple[str, ...] | None,
    values: Iterable[DatedValue],
    located: LocatedYaml,
    base: KeyPath,
) -> None:
    """Every value must suit its unit; the error names the date's line."""
    spec = check_unit(
        unit, file=located.source, line=located.line_of(base + ("unit",)), key=leaf_key
    )
    if spec.kind == "text" and not allowed:
        raise InputError(
            "a leaf with unit 'category' must list its `allowed` words",
            file=located.source,
            line=located.line_of(base),
            key=leaf_key,
        )
    for item in values:
        problem = value_problem(spec.kind, item.value, list(allowed) if allowed else None)
        if problem:
            raise InputError(
                f"value for {item.start.isoformat()}: {problem} (unit {unit!r})",
                file=located.source,
                line=located.line_of((*base, "values", item.start.isoformat())),
                key=leaf_key,
            )


def _walk(
    node: Any, prefix: tuple[str, ...], path: KeyPath, located: LocatedYaml, out: dict[str, Leaf]
) -> None:
    """``prefix``: key parts from the file's path; ``path``: the position inside the document."""
    key = ".".join(str(p) for p in (*prefix, *path))
    if not isinstance(node, dict):
        raise InputError(
            "expected a branch (mapping of names) or a leaf (with `values`)",
            file=located.source,
            line=located.line_of(path),
            key=key,
        )
    if "values" in node:
        raw = validate_located(RawLeaf, located, data=node, base=path)
        values = _dated_values(raw, "baseline")
        check_values(key, raw.unit, raw.allowed, values, located, path)
        out[key] = Leaf(
            key=key,
            description=raw.description,
            unit=raw.unit,
            values=values,
            file=located.source,
            line=located.line_of(path),
            allowed=tuple(raw.allowed) if raw.allowed else None,
            note=raw.note,
            documentation_only=raw.documentation_only,
        )
        return
    for name, child in node.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise InputError(
                f"bad parameter name {name!r}",
                file=located.source,
                line=located.line_of((*path, name)),
                allowed="lower-case letters, digits and underscores, starting with a letter",
            )
        _walk(child, prefix, (*path, name), located, out)


def _tree_files(
    folder: Traversable, prefix: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], Traversable]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir() and not entry.name.startswith(("_", ".")):
            yield from _tree_files(entry, (*prefix, entry.name))
        elif entry.name.endswith(".yaml"):
            yield (*prefix, entry.name[: -len(".yaml")]), entry


def load_tree_from(folder: Traversable, name: str = "baseline", label: str = "") -> ParameterTree:
    """Read every ``*.yaml`` below ``folder``; the file path gives the first key parts."""
    leaves: dict[str, Leaf] = {}
    for parts, entry in _tree_files(folder, ()):
        source = f"{label}{'/'.join(parts)}.yaml"
        located = load_yaml_text(entry.read_text(encoding="utf-8"), source)
        if located.data is None:
            continue
        for part in parts:
            if not _NAME.match(part):
                raise InputError(f"bad file or folder name {part!r}", file=source)
        _walk(located.data, tuple(parts), (), located, leaves)
    if not leaves:
        raise InputError("the parameter tree is empty", file=label or str(folder))
    return ParameterTree(leaves, name=name)


@cache
def load_baseline() -> ParameterTree:
    """The parameter tree shipped with the package (read once per process)."""
    folder = resources.files("immsim.parameters").joinpath("tree")
    return load_tree_from(folder, label="immsim/parameters/tree/")


_REFORMED: OrderedDict[str, ParameterTree] = OrderedDict()
_REFORMED_MAX = 64  # a long-running server sees many reforms; keep the most recent ones


def load_parameters(reform: Reform | None = None) -> ParameterTree:
    """The baseline, or the baseline with ``reform`` applied; cached per reform content."""
    base = load_baseline()
    if reform is None:
        return base
    key = reform.fingerprint()
    tree = _REFORMED.get(key)
    if tree is None:
        tree = base.with_reform(reform)
        _REFORMED[key] = tree
        while len(_REFORMED) > _REFORMED_MAX:
            _REFORMED.popitem(last=False)
    else:
        _REFORMED.move_to_end(key)
    return tree
