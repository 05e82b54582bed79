"""Every shipped scenario's outputs against their committed digests (see ``tests/golden.py``)."""

from __future__ import annotations

import polars as pl
import pytest
from golden import TOTALS, committed, fingerprint

from immsim.engine.results import _frame_digest
from immsim.scenario import embedded_scenario_names

GOLDEN = committed()


def test_every_shipped_scenario_has_a_digest() -> None:
    assert sorted(GOLDEN) == sorted(embedded_scenario_names())


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_outputs_match_their_golden_digest(name: str) -> None:
    now = fingerprint(name)
    was = GOLDEN[name]
    # the totals first: when a digest moves they say by how much
    assert now["totals"] == was["totals"], f"{name} moved; see tests/golden.py to update"
    assert now["detained_mean"] == was["detained_mean"]
    assert (now["weekly"], now["breakdown"]) == (was["weekly"], was["breakdown"])


def test_digest_sees_one_changed_value_but_not_column_order() -> None:
    frame = pl.DataFrame({"week": [0, 1, 2], "removals": [10.0, 11.0, 12.0], "level": list("abc")})
    same = frame.select("level", "removals", "week")
    changed = frame.with_columns(pl.Series("removals", [10.0, 11.0, 12.000001]))
    relabelled = frame.with_columns(pl.Series("level", ["a", "b", "d"]))
    assert _frame_digest(same) == _frame_digest(frame)
    assert _frame_digest(changed) != _frame_digest(frame)
    assert _frame_digest(relabelled) != _frame_digest(frame)
    assert set(TOTALS) <= set(GOLDEN["default"]["totals"])
