"""Every parameter key the engine reads is in the tree, and every leaf of the tree is read by
something, or says why it is kept (``documentation_only``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from immsim.engine import pipeline
from immsim.engine.warm import one_week
from immsim.parameters import load_baseline
from immsim.parameters.loader import ParameterTree
from immsim.population.build import build_population
from immsim.regimes.catalog import shipped_regimes

SRC = Path(__file__).resolve().parents[1] / "src" / "immsim"
TREE = load_baseline()


@pytest.fixture(scope="module")
def read() -> set[str]:
    """Keys read by a week of the engine under every shipped regime, and by population builds
    under each estimator of the total."""
    keys: set[str] = set()
    patch = pytest.MonkeyPatch()

    class Recording(pipeline._Snapshot):
        def __getitem__(self, key: str) -> Any:
            keys.add(key)
            return super().__getitem__(key)

    original_get = ParameterTree.get

    def get(self: ParameterTree, key: str, at: dt.date | str) -> Any:
        keys.add(key)
        return original_get(self, key, at)

    patch.setattr(pipeline, "_Snapshot", Recording)
    patch.setattr(ParameterTree, "get", get)
    try:
        for regime in shipped_regimes():
            one_week(regime, regime.in_force[0].start)
            one_week(regime, regime.in_force[0].start, areas=True)  # the geography leaves
        for day in (dt.date(2016, 10, 1), dt.date(2021, 10, 1)):  # each total estimator
            build_population(TREE, day, seed=1)
    finally:
        patch.undo()
    return keys


def test_every_key_the_engine_reads_is_a_leaf(read: set[str]) -> None:
    assert read, "nothing was recorded: the recording no longer sees the engine's reads"
    assert sorted(read - set(TREE.keys())) == []


def test_every_leaf_is_read_or_says_why_it_is_kept(read: set[str]) -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py"))
    unread = {
        leaf.key for leaf in TREE.leaves() if leaf.key not in read and f'"{leaf.key}"' not in source
    }
    kept = {leaf.key for leaf in TREE.leaves() if leaf.documentation_only}
    assert sorted(unread - kept) == [], "read these leaves, or mark them documentation_only"
    assert sorted(kept - unread) == [], "these leaves are read: drop their documentation_only"
