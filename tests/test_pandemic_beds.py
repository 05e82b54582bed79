"""The beds the interior can fill under ICE's Pandemic Response Requirements
(``detention.pandemic_capacity_share``, engine/stages/detention.py's ``interior_beds``): the
funded beds times the share, less the beds the border's detained hold, by hand on a date in each
span (docs/calibration.md, *The pandemic's 75%: its base and its versions*). The share multiplies
the funded beds: ICE's acting director put its capacity at the funded 34,000 in April 2023."""

from __future__ import annotations

import datetime as dt

import pytest

from immsim.engine import border
from immsim.engine.stages.detention import interior_beds
from immsim.parameters import load_baseline

TREE = load_baseline()


@pytest.mark.parametrize(
    ("day", "usable"),
    [
        # FY2019 before the requirements: FY2019's 45,274 appropriated beds, every one usable
        (dt.date(2019, 6, 1), 45_274),
        # version 1.0's target (10 April 2020) on FY2021's 34,000 funded beds: 0.75 x 34,000
        (dt.date(2021, 6, 1), 25_500),
        # version 9.0 (13 June 2022) tied the reduction to a facility's red status; the leaf
        # keeps version 1.0's share to the end (a step to 1.0 was measured and not kept)
        (dt.date(2022, 7, 1), 25_500),
        # after the requirements ended on 11 May 2023: FY2023's 34,000, every one usable
        (dt.date(2023, 6, 1), 34_000),
    ],
)
def test_the_usable_beds_in_each_span_of_the_requirements(day: dt.date, usable: int) -> None:
    p = TREE.snapshot(day)
    assert interior_beds(p) == max(0, int(usable - border.detained(p)))
