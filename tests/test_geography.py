"""The inputs by area of responsibility (``parameters/tree/geography/``): derived from the
records by ``scripts/make_geography_tree.py``, consistent with the national leaves, and moving
as the cited state laws say."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from immsim.parameters import load_baseline
from immsim.population.targets import aor_levels

ROOT = Path(__file__).resolve().parents[1]
TREE = load_baseline()
AREAS = aor_levels(TREE)
GEOGRAPHY = ROOT / "src/immsim/parameters/tree/geography"


def _dates(prefix: str) -> list[dt.date]:
    return sorted({v.start for area in AREAS for v in TREE.leaf(f"{prefix}.{area}").values})


def _weights(day: dt.date) -> np.ndarray:
    """The areas' unauthorized population (the weights the script uses: its latest values)."""
    last = max(v.start for v in TREE.leaf(f"population.by_aor.{AREAS[0]}").values)
    return np.array([float(TREE.get(f"population.by_aor.{area}", last)) for area in AREAS])


def test_the_geography_leaves_are_what_the_script_derives(
    shared_data: Path, tmp_path: Path
) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_geography_tree", ROOT / "scripts/make_geography_tree.py"
    )
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.OUT = tmp_path
    script.main(shared_data)
    for name in ("bed_share", "cooperation_full"):
        assert (tmp_path / f"{name}.yaml").read_text() == (GEOGRAPHY / f"{name}.yaml").read_text()


def test_each_years_bed_shares_add_up_to_all_the_beds() -> None:
    for day in _dates("geography.bed_share"):
        total = sum(float(TREE.get(f"geography.bed_share.{area}", day)) for area in AREAS)
        assert total == pytest.approx(1.0, abs=1e-3), day


def test_the_nations_cooperation_is_the_areas_weighted_mean() -> None:
    """One source of truth: the national share stays the level, the areas only spread it. On
    every date either changes, the population-weighted mean of the areas' shares as the engine
    makes them (the national share times the index, at most one) is the national share, less
    what the cap at one takes (at most two points with today's shares), and the rounding."""
    days = sorted(
        {*_dates("geography.cooperation_full")}
        | {v.start for v in TREE.leaf("enforcement.channels.cooperation_full").values}
    )
    for day in days:
        weights = _weights(day)
        index = np.array(
            [float(TREE.get(f"geography.cooperation_full.{area}", day)) for area in AREAS]
        )
        assert np.average(index, weights=weights) == pytest.approx(1.0, abs=1e-3), day
        national = float(TREE.get("enforcement.channels.cooperation_full", day))
        engine = np.minimum(1.0, national * index)
        assert national - 0.02 <= np.average(engine, weights=weights) <= national + 1e-3, day


def test_a_state_law_takes_its_areas_cooperation_from_its_date() -> None:
    # Los Angeles and San Diego lie wholly in California: SB 54 (in force 1 January 2018)
    # leaves them no jail that honours a detainer; San Francisco's area also covers Hawaii and
    # Guam, so it keeps the share of its population outside California
    for area in ("los", "snd"):
        assert TREE.get(f"geography.cooperation_full.{area}", "2017-12-31") > 0.9
        assert TREE.get(f"geography.cooperation_full.{area}", "2018-01-01") == 0.0
    assert 0.0 < TREE.get("geography.cooperation_full.sfr", "2018-01-01") < 0.2
    # Texas passed no such law: Dallas's index only rises (the nation's share spread over
    # fewer jails)
    assert TREE.get("geography.cooperation_full.dal", "2018-01-01") > TREE.get(
        "geography.cooperation_full.dal", "2017-12-31"
    )
