"""Kinds of groups (engine/inputs.py's ``kinds_of``): groups alike but for the area, whose plan
inputs a plan computes once a kind and gathers at its groups. Checked: the kinds partition the
groups by every attribute but the area; competing events computed by kind and gathered equal
those computed group by group bit for bit (the draws read these numbers); the jail chain's
classes made from the kinds' keys number the classes as the groups' own keys did."""

from __future__ import annotations

import numpy as np
import pytest

from immsim.engine import inputs
from immsim.engine.codes import distinct
from immsim.engine.groups import BOOLEAN, LEVELS, Groups
from immsim.engine.inputs import Attributes, kinds_of, take
from immsim.engine.rates import competing, gathered
from immsim.engine.stages import jail
from immsim.engine.triage import NO_TIER, Triage


def _groups(rng: np.random.Generator, combinations: int, areas: int) -> Groups:
    """Random groups: ``combinations`` draws of every attribute but the area (some repeated),
    each in a random subset of ``areas`` areas, the area last as ``build_groups`` orders them."""
    codes = {name: rng.integers(0, len(levels), combinations) for name, levels in LEVELS.items()}
    flags = {name: rng.random(combinations) < 0.5 for name in BOOLEAN}
    years = rng.integers(1990, 2030, combinations)
    rows: list[tuple[int, int]] = []
    for c in range(combinations):
        for area in np.flatnonzero(rng.random(areas) < 0.6):
            rows.append((c, int(area)))
    combo = np.array([c for c, _ in rows], dtype=np.int64)
    return Groups(
        codes={name: code[combo].astype(np.int8) for name, code in codes.items()},
        flags={name: flag[combo] for name, flag in flags.items()},
        entry_year=years[combo].astype(np.int32),
        initial=rng.integers(0, 50, combo.size),
        arrival_groups={},
        arrival_weights=np.ones(1),
        area=np.array([area for _, area in rows], dtype=np.int64),
        area_names=tuple(f"a{i}" for i in range(areas)),
    )


def _key(g: Groups, i: int) -> tuple[int, ...]:
    """Group ``i``'s attributes but its area, read one by one (not as kinds_of reads them)."""
    return (
        *(int(g.codes[name][i]) for name in LEVELS),
        *(bool(g.flags[name][i]) for name in BOOLEAN),
        int(g.entry_year[i]),
    )


def test_kinds_are_the_groups_alike_but_for_the_area() -> None:
    rng = np.random.default_rng(22)
    for _ in range(20):
        g = _groups(rng, int(rng.integers(1, 40)), int(rng.integers(1, 6)))
        kind, first = kinds_of(g)
        keys = [_key(g, i) for i in range(g.size)]
        assert first.size == len(set(keys))  # as many kinds as distinct attributes
        for i in range(g.size):
            # the first group of a kind is the first group with its attributes
            assert first[kind[i]] == keys.index(keys[i])
        for k in range(first.size):
            members = np.flatnonzero(kind == k)
            assert len({keys[i] for i in members}) == 1


def test_kinds_compared_row_by_row_where_one_key_would_wrap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # where the attributes' spans multiply past int64, the rows are compared whole: the same
    # kinds and first groups as the one-number key gives (forced here by lowering the limit)
    rng = np.random.default_rng(5)
    for _ in range(10):
        g = _groups(rng, int(rng.integers(1, 40)), int(rng.integers(1, 6)))
        keyed = kinds_of(g)
        monkeypatch.setattr(inputs, "_KEY_LIMIT", 1)
        whole = kinds_of(g)
        monkeypatch.undo()
        assert np.array_equal(keyed[0], whole[0]) and np.array_equal(keyed[1], whole[1])


def test_competing_events_by_kind_gathered_are_the_groups_bit_for_bit() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        kinds = int(rng.integers(1, 30))
        events = int(rng.integers(1, 5))
        probs: list[np.ndarray] = []
        for _ in range(events):
            q = rng.random(kinds) * rng.choice([0.05, 0.5, 1.0])
            q[rng.random(kinds) < 0.3] = 0.0
            if rng.random() < 0.2:
                q[:] = 0.0  # an event nobody reaches (its row is skipped)
            probs.append(q)
        # a plan's groups: kinds repeated, some kinds not there at all
        kind = rng.integers(0, kinds, int(rng.integers(0, 60)))
        by_group = competing([q[kind] for q in probs], kind.size)
        by_kind = gathered(competing(probs, kinds), kind)
        for ours, theirs in zip(by_kind, by_group, strict=True):
            assert ours.shape == theirs.shape
            assert ours.tobytes() == theirs.tobytes()
        assert by_kind.shares.flags.c_contiguous


def test_jail_classes_from_the_kinds_number_the_classes_as_the_groups() -> None:
    rng = np.random.default_rng(3)
    for _ in range(40):
        g = _groups(rng, int(rng.integers(1, 40)), int(rng.integers(1, 6)))
        a = Attributes.of(g)
        k_a = a.take(a.first)
        n = a.first.size
        ranks = np.array([1, 2, 3, NO_TIER], dtype=np.int16)
        k_tri = Triage(
            rank=rng.choice(ranks, n),
            exempt=rng.random(n) < 0.2,
            detainer=rng.integers(0, 4, n).astype(np.int8),
            review_closable=np.zeros(n, dtype=bool),
        )
        tri = take(k_tri, a.kind)
        level = rng.integers(0, 3, len(g.area_names))[g.area]  # a cooperation level per area
        for known in (True, False):
            by_group = jail._classes(a, tri, known, level)
            by_kind = jail._classes(k_a, k_tri, known, level, kind=a.kind)
            assert (distinct(by_kind)[1] == distinct(by_group)[1]).all()
