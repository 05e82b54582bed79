"""Build the strata table for a reference date: seed, rake, derive, round to whole people.

1. A seed table over every combination of the raked attributes, uniform except where an
   association multiplier (parameter tree, ``population.association``) says two attributes go
   together or never do.
2. IPF rakes it to the published margins (``population.composition``, ``population.by_aor`` and
   the total), so the built marginals are the sources' figures and the joint structure is the
   least-informative one consistent with them and the associations.
3. ``known_to_agency`` is derived: people with an order, a prior removal or a protected status
   are known by construction; a share of the others is known.
4. Whole people by seeded systematic rounding: unbiased per cell, exact on the total, within one
   person on every area (the outermost axis), and close on the other margins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
from numpy.typing import NDArray

from immsim.parameters.loader import ParameterTree
from immsim.population.attributes import BOOLEAN, YEARS_IN_US
from immsim.population.ipf import Margin, ipf
from immsim.population.targets import (
    BOOL_LEVELS,
    GEOGRAPHY,
    RAKED,
    Target,
    associations,
    composition_targets,
)
from immsim.validation import check_seed

KNOWN = "known_to_agency"
KNOWN_SHARE_KEY = "population.composition.known_share_of_others"
BOOLEAN_COLUMNS = BOOLEAN
CATEGORICAL_COLUMNS = (
    GEOGRAPHY,
    "country_group",
    "years_in_us",
    "age_band",
    "criminal_history",
    "immigration_history",
    "protected_status",
)
STRATA_COLUMNS = (*CATEGORICAL_COLUMNS, *BOOLEAN_COLUMNS, "entry_year", "count")


@dataclass(frozen=True)
class Population:
    """A strata table (one row per combination of attributes, with a count of people)."""

    strata: pl.DataFrame
    reference_date: dt.date
    targets: tuple[Target, ...] = ()
    origin: str = "built"
    parameters: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None

    @property
    def total(self) -> int:
        return int(self.strata["count"].sum())

    def marginal(self, attribute: str) -> dict[str, int]:
        grouped = self.strata.group_by(attribute).agg(pl.col("count").sum())
        return {
            _level_name(v): int(c)
            for v, c in zip(grouped[attribute], grouped["count"], strict=True)
        }


def _level_name(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _indicator(shape: tuple[int, ...], axis: int, mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    view = [1] * len(shape)
    view[axis] = shape[axis]
    return mask.reshape(view)


def seed_table(
    tree: ParameterTree, at: dt.date, axes: list[tuple[str, tuple[str, ...]]]
) -> tuple[NDArray[np.float64], dict[str, float]]:
    """The uniform table times every association multiplier; returns the multipliers used."""
    shape = tuple(len(levels) for _, levels in axes)
    names = [name for name, _ in axes]
    table = np.ones(shape)
    used: dict[str, float] = {}
    for assoc in associations():
        multiplier = float(tree.get(assoc.parameter, at))
        used[assoc.parameter] = multiplier
        match: NDArray[np.bool_] | None = None
        for attribute, chosen in assoc.when.items():
            axis = names.index(attribute)
            mask = np.array([lvl in chosen for lvl in axes[axis][1]])
            ind = _indicator(shape, axis, mask)
            match = ind if match is None else match & ind
        assert match is not None
        table *= np.where(match, multiplier, 1.0)
    return table, used


def systematic_round(table: NDArray[np.float64], seed: int) -> NDArray[np.int64]:
    """Whole people: each cell gets its floor, plus one with probability its remainder.

    Systematic sampling over the cells in table order: exact on the total, within one person on
    any contiguous block (so on every level of the first axis), and deterministic for a seed.
    """
    flat = table.ravel()
    floors = np.floor(flat)
    remainders = flat - floors
    offset = np.random.default_rng(seed).random()
    cumulative = np.cumsum(remainders) + offset
    marks = np.floor(cumulative)
    previous = np.concatenate(([np.floor(offset)], marks[:-1]))
    extra = (marks - previous).astype(np.int64)
    counts: NDArray[np.int64] = (floors.astype(np.int64) + extra).reshape(table.shape)
    return counts


Builder = Callable[[ParameterTree, dt.date, int], Population]
_SHARED: list[Builder] = []
"""The builder :func:`build_population` hands its requests to, if one is set (at most one)."""


def share_builds(builder: Builder | None) -> Builder | None:
    """Hand every later :func:`build_population` of this process to ``builder`` (``None``: build
    afresh again); returns the builder set before. For a process that builds the same national
    population many times over, as a test session does (the CLI, the analyses and the web app
    each build their own): a build is a pure function of the tree's answers, the date and the
    seed, so a memo keyed by all three (``tests/builds.py``) can serve a build already made in
    place of a new one. The builder itself makes new ones with :func:`fresh_population`."""
    before = _SHARED.pop() if _SHARED else None
    if builder is not None:
        _SHARED.append(builder)
    return before


def build_population(tree: ParameterTree, at: dt.date, seed: int = 0) -> Population:
    """Rake a national population for ``at`` to the tree's margins (see the module docstring),
    or the builder set by :func:`share_builds` (none by default) answers for it."""
    seed = check_seed(seed)
    if _SHARED:
        return _SHARED[0](tree, at, seed)
    return fresh_population(tree, at, seed)


def fresh_population(tree: ParameterTree, at: dt.date, seed: int = 0) -> Population:
    """:func:`build_population`, built now whatever builder is set."""
    seed = check_seed(seed)
    total, total_key, targets = composition_targets(tree, at)
    axes = [(t.attribute, t.levels) for t in targets]
    seed_weights, used = seed_table(tree, at, axes)
    seed_weights *= total / seed_weights.sum()
    margins = [Margin(t.attribute, (i,), t.persons, (t.levels,)) for i, t in enumerate(targets)]
    fitted = ipf(seed_weights, margins, tol=1e-9).table
    # known to the agency: derived, on a new last axis
    known_share = float(tree.get(KNOWN_SHARE_KEY, at))
    names = [name for name, _ in axes]
    shape = fitted.shape
    imm = _indicator(
        shape,
        names.index("immigration_history"),
        np.array([lvl != "none" for lvl in RAKED["immigration_history"]]),
    )
    prot = _indicator(
        shape,
        names.index("protected_status"),
        np.array([lvl != "none" for lvl in RAKED["protected_status"]]),
    )
    known_by_record = imm | prot
    p_known = np.where(known_by_record, 1.0, known_share)
    full = np.stack([fitted * (1 - p_known), fitted * p_known], axis=-1)
    counts = systematic_round(full, seed)
    axes.append((KNOWN, BOOL_LEVELS))
    strata = _to_frame(counts, axes, at)
    parameters: dict[str, Any] = {total_key: total, KNOWN_SHARE_KEY: known_share, **used}
    for t in targets:
        for key in t.sources:
            if key.startswith("population."):
                parameters[key] = tree.get(key, at)
    parameters["population.total_estimator"] = tree.get("population.total_estimator", at)
    return Population(
        strata=strata,
        reference_date=at,
        targets=tuple(targets),
        origin=f"built from the parameter tree ({tree.name})",
        parameters=parameters,
        seed=seed,
    )


def _to_frame(
    counts: NDArray[np.int64], axes: list[tuple[str, tuple[str, ...]]], at: dt.date
) -> pl.DataFrame:
    flat = counts.ravel()
    nonzero = np.flatnonzero(flat)
    coords = np.unravel_index(nonzero, counts.shape)
    columns: dict[str, pa.Array] = {}
    for (name, levels), codes in zip(axes, coords, strict=True):
        if levels == BOOL_LEVELS:
            columns[name] = pa.array(codes.astype(bool))
        else:
            columns[name] = pa.DictionaryArray.from_arrays(
                pa.array(codes.astype(np.int32)), pa.array(list(levels))
            )
    years = np.array([YEARS_IN_US[b] for b in RAKED["years_in_us"]])
    years_axis = [name for name, _ in axes].index("years_in_us")
    columns["entry_year"] = pa.array((at.year - years[coords[years_axis]]).astype(np.int16))
    columns["count"] = pa.array(flat[nonzero])
    frame = pl.from_arrow(pa.table(columns))
    assert isinstance(frame, pl.DataFrame)
    level_of = dict(axes)
    return frame.with_columns(
        pl.col(name).cast(pl.Enum(list(level_of[name]))) for name in CATEGORICAL_COLUMNS
    ).select(STRATA_COLUMNS)
