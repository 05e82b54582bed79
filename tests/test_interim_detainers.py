"""ICE's interim guidance of 18 February 2021 (regime ``feb2021_interim``) let officers take any
enforcement action outside its presumed priorities, a detainer included, with written
justification and a supervisor's preapproval. Detainers did not stop: TRAC's count of ICE's
own records (report 719, 20 June 2023) has about 10,000 a month in FY2020, then 2,200 in March
2021 and 3,782 in September 2021, so 22% to 38% of FY2020's. Coded as no detainer outside the
priorities, the regime left 2% to 6% of them (150 to 650 a month in a seeded back-test run)."""

from __future__ import annotations

import datetime as dt

import builds
import polars as pl
import yaml

from immsim.engine.run import run
from immsim.parameters import load_baseline
from immsim.scenario import HISTORICAL, parse_scenario
from immsim.yamlio import load_yaml_text

TREE = load_baseline()
POP = builds.national(TREE, dt.date(2016, 10, 1), seed=1)

RECORD_LOW, RECORD_HIGH = 2_200 / 10_000, 3_782 / 10_000
"""The interim guidance's detainers a month against FY2020's (TRAC report 719): March 2021's
and September 2021's."""


def weekly_detainers(weekly: pl.DataFrame, start: dt.date, end: dt.date) -> float:
    """Detainers a week over the weeks that begin on or after ``start`` and end before ``end``."""
    inside = weekly.filter(
        (pl.col("date") >= start) & (pl.col("date") + dt.timedelta(days=6) < end)
    )
    return float(inside["detainers"].mean())  # type: ignore[arg-type]


def test_detainers_under_the_interim_guidance_keep_the_records_share_of_fy2020s() -> None:
    doc = {
        "name": "interim",
        "regime": HISTORICAL,
        "start": "2019-10-01",
        "horizon_years": 2,
        "seed": 11,
    }
    scenario = parse_scenario(load_yaml_text(yaml.safe_dump(doc), "interim.yaml"))
    weekly = run(scenario, population=POP).weekly
    # FY2020 before the pandemic's posture (EO 13768, detainers on everyone matched), against
    # March to September 2021 under the interim guidance
    before = weekly_detainers(weekly, dt.date(2019, 10, 1), dt.date(2020, 3, 1))
    interim = weekly_detainers(weekly, dt.date(2021, 3, 1), dt.date(2021, 10, 1))
    share = interim / before
    # the record's range, widened by half on each side for the model's priorities, which map
    # ICE's aggravated felonies onto its own criminal-history classes only roughly
    assert RECORD_LOW / 2 <= share <= RECORD_HIGH * 1.5, share
