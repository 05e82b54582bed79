"""The groups' attributes read through their codes (engine/groups.py's ``is_level`` and ``mask``)
and each group's breakdown columns as the prepared population keeps them (engine/prepared.py's
``cells``): the engine tests codes rather than making a string per group, and keeps a group's
columns together in one narrow row, so these check both against what the levels' names say."""

from __future__ import annotations

import datetime as dt

import numpy as np

from immsim.engine.groups import BOOLEAN, Groups
from immsim.engine.prepared import Prepared
from immsim.engine.warm import few_people
from immsim.regimes.catalog import load_regime
from immsim.scenario import load_embedded_scenario


def _groups(history: list[int]) -> Groups:
    n = len(history)
    zeros = np.zeros(n, dtype=np.int8)
    return Groups(
        codes={
            "country_group": zeros,
            "criminal_history": np.array(history, dtype=np.int8),
            "immigration_history": zeros,
            "protected_status": zeros,
        },
        flags={name: np.zeros(n, dtype=np.bool_) for name in BOOLEAN},
        entry_year=np.full(n, 2020, dtype=np.int32),
        initial=np.ones(n, dtype=np.int64),
        arrival_groups={},
        arrival_weights=np.ones(1),
        area=np.zeros(n, dtype=np.int64),
        area_names=("national",),
    )


def test_levels_are_told_by_their_codes() -> None:
    # criminal history's levels in order: none, minor, significant_misdemeanor, felony,
    # aggravated_felony (codes 0 to 4)
    g = _groups([0, 3, 4, 1, 3, 0])
    assert g.is_level("criminal_history", "none").tolist() == [1, 0, 0, 0, 0, 1]
    assert g.is_level("criminal_history", "felony").tolist() == [0, 1, 0, 0, 1, 0]
    felon = g.mask("criminal_history", ["felony", "aggravated_felony"])
    assert felon.tolist() == [0, 1, 1, 0, 1, 0]
    assert felon.dtype == np.bool_
    assert not g.mask("criminal_history", []).any()
    names = g.level_of("criminal_history")
    assert (
        g.mask("criminal_history", ("minor", "none")) == np.isin(names, ["minor", "none"])
    ).all()


def test_a_level_not_of_the_attribute_is_an_error() -> None:
    g = _groups([0, 1])
    try:
        g.is_level("criminal_history", "felon")
    except ValueError:
        return
    raise AssertionError("an unknown level was read as no group's")


def test_the_breakdown_cells_are_a_narrow_row_per_group() -> None:
    scenario = load_embedded_scenario()
    day = scenario.start
    regime = load_regime(scenario.regime)
    prepared = Prepared(
        few_people(day, ("sea", "los", "nyc")), day + dt.timedelta(days=800), 1.0, True
    )
    g = prepared.groups
    cells = prepared.cells(regime, day)
    attributes = list(dict.fromkeys(attribute for attribute, _ in cells.columns))
    assert cells.codes.dtype == np.uint8  # some 50 columns
    assert cells.codes.shape == (g.size, len(attributes))
    assert cells.codes.flags.c_contiguous
    # each row names, under each attribute, the column of the group's own level
    names = {name: g.level_of(name) for name in ("criminal_history", "country_group")}
    for i in range(g.size):
        row = [cells.columns[c] for c in cells.codes[i]]
        assert [attribute for attribute, _ in row] == attributes
        level = dict(row)
        assert level["criminal_history"] == names["criminal_history"][i]
        assert level["country_group"] == names["country_group"][i]
        assert level["area"] == g.area_names[g.area[i]]
        assert level["us_citizen_child"] == ("true" if g.flags["us_citizen_child"][i] else "false")
        # few_people's criminal history is the first level, none: convicted of nothing, so
        # charged or neither as the flag says
        charged = bool(g.flags["pending_charges"][i])
        assert level["criminality"] == ("charged" if charged else "no_record")
