"""The engine's array triage agrees with the regime classifier on every profile it can express."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from immsim.engine.groups import BOOLEAN, CATEGORICAL, LEVELS, NATIONAL, Groups
from immsim.engine.triage import NO_TIER, triage
from immsim.regimes.catalog import load_regime, regime_names
from immsim.regimes.model import Profile, classify

DETAINER = {0: "none", 1: "notification", 2: "detainer", 3: "case_by_case"}

profiles = st.fixed_dictionaries(
    {
        **{name: st.sampled_from(LEVELS[name]) for name in CATEGORICAL},
        **{name: st.booleans() for name in BOOLEAN},
        "entry_year": st.integers(1970, 2030),
    }
)


def as_groups(rows: list[dict[str, object]]) -> Groups:
    return Groups(
        codes={
            name: np.array([LEVELS[name].index(str(r[name])) for r in rows], dtype=np.int8)
            for name in CATEGORICAL
        },
        flags={name: np.array([bool(r[name]) for r in rows]) for name in BOOLEAN},
        entry_year=np.array([int(r["entry_year"]) for r in rows], dtype=np.int32),  # type: ignore[call-overload]
        initial=np.ones(len(rows), dtype=np.int64),
        arrival_groups={},
        arrival_weights=np.ones(1),
        area=np.zeros(len(rows), dtype=np.int64),
        area_names=(NATIONAL,),
    )


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(profiles, min_size=1, max_size=20),
    regime_name=st.sampled_from(regime_names()),
    year=st.integers(2011, 2035),
)
def test_triage_matches_classify(
    rows: list[dict[str, object]], regime_name: str, year: int
) -> None:
    regime = load_regime(regime_name)
    day = dt.date(year, 6, 1)
    result = triage(regime, as_groups(rows), day)
    for i, row in enumerate(rows):
        expected = classify(regime, Profile(**row), day)  # type: ignore[arg-type]
        assert bool(result.exempt[i]) == (expected.exempt is not None)
        rank = None if result.rank[i] == NO_TIER else int(result.rank[i])
        assert rank == expected.tier_rank
        assert DETAINER[int(result.detainer[i])] == expected.detainer


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(profiles, min_size=1, max_size=10), regime_name=st.sampled_from(regime_names())
)
def test_triage_with_an_order_is_triage_of_the_ordered_profile(
    rows: list[dict[str, object]], regime_name: str
) -> None:
    regime = load_regime(regime_name)
    day = dt.date(2020, 6, 1)
    ordered = [{**r, "immigration_history": "final_order"} for r in rows]
    as_if = triage(regime, as_groups(rows), day, final_order=True)
    actual = triage(regime, as_groups(ordered), day)
    assert (as_if.rank == actual.rank).all()
    assert (as_if.exempt == actual.exempt).all()
    assert (as_if.detainer == actual.detainer).all()
