"""The routes out of the court docket (issue 19) open and shut on the dates the courts and the
agencies set: expedited removal in the interior is not applied under the July 2019 designation
(enjoined from 27 September 2019 to 30 September 2020, not begun before the injunction, used for
21 removals in all after it and suspended in October 2021, rescinded on 21 March 2022); it opens
with the January 2025 designation, stops while a district court's stay holds (29 August 2025 to
the D.C. Circuit's ruling of 23 June 2026), and with it the dismissal of pending cases into
expedited removal, which begins at the end of May 2025."""

from __future__ import annotations

import datetime as dt
from typing import Any

import builds
import polars as pl
import pytest
from scenario_docs import scenario_from

from immsim.engine.run import run
from immsim.parameters import load_baseline

TREE = load_baseline()
POP = builds.national(TREE, dt.date(2016, 10, 1), seed=1)
WINDOW = "processing.expedited_removal_max_years"
STAY = (dt.date(2025, 8, 29), dt.date(2026, 6, 23))
"""Make the Road New York v. Noem: the district court's stay and the D.C. Circuit's vacatur."""


def go(
    start: str, years: int, overrides: dict[str, float] | None = None, regime: str = "jan2025"
) -> pl.DataFrame:
    doc: dict[str, Any] = {
        "name": "routes",
        "regime": regime,
        "start": start,
        "horizon_years": years,
        "seed": 11,
    }
    if overrides:
        doc["reform"] = {
            "name": "routes",
            "overrides": {k: {"values": {"2006-10-01": v}} for k, v in overrides.items()},
        }
    scenario = scenario_from(doc)
    return run(scenario, population=POP).weekly


def weeks(weekly: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """The weeks that begin on or after ``start`` and end before ``end``."""
    return weekly.filter((pl.col("date") >= start) & (pl.col("date") + dt.timedelta(days=6) < end))


def around(
    weekly: pl.DataFrame, first: dt.date, shut: tuple[dt.date, dt.date], last: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The weeks before a court's order shut a route, while it held, and after it lifted."""
    return weeks(weekly, first, shut[0]), weeks(weekly, *shut), weeks(weekly, shut[1], last)


def test_the_stay_shuts_expedited_removal_and_the_dismissals_into_it() -> None:
    weekly = go("2025-06-02", years=2)
    before, during, after = around(weekly, dt.date(2025, 6, 2), STAY, dt.date(2027, 6, 1))
    assert len(during) > 40
    # in force before the stay and after its vacatur: arrestees the two-year window reaches
    assert before["expedited_removals"].sum() > 0 and after["expedited_removals"].sum() > 0
    # none while it holds, and no pending case dismissed into a route that is shut
    assert during["expedited_removals"].sum() == 0
    assert during["dismissed_to_expedited"].sum() == 0


INJUNCTION = (dt.date(2019, 9, 27), dt.date(2020, 9, 30))
"""Make the Road New York v. McAleenan: the district court's preliminary injunction against the
July 2019 designation, and the day it was lifted after the D.C. Circuit reversed it."""
RESCISSION = dt.date(2022, 3, 21)
"""87 FR 16022: DHS rescinds the July 2019 designation."""
DESIGNATION_2019 = dt.date(2019, 7, 23)
"""84 FR 35409: the July 2019 designation."""


def test_the_july_2019_designation_put_no_interior_arrestee_into_expedited_removal() -> None:
    # The designation was lawful before the injunction and after its lifting, but ICE had not
    # begun applying it by September 2019 (the government's lawyer to the court) and removed 21
    # people under it from October 2020 to its suspension in October 2021 (17 by 20 January
    # 2021, 4 to late August 2021: ICE's data to BuzzFeed News), against the 15,185 the
    # two-year window sent into expedited removal in the back-test's FY2021. 21 rounds to none
    # at the test population's scale: no interior expedited removal from the designation to the
    # rescission, before the injunction, during it or after it. Under EO 13768's priorities
    # throughout, so that only the route's dates differ from the counterfactual below
    weekly = go("2019-07-29", years=3, regime="eo13768")
    before, during, after = around(weekly, dt.date(2019, 7, 29), INJUNCTION, RESCISSION)
    assert len(before) >= 8 and len(during) > 48 and len(after) > 70
    for span in (before, during, after):
        assert span["expedited_removals"].sum() == 0
    # the counterfactual the tree had: the designation's two-year window applied as written
    # sends arrestees into expedited removal in the same weeks, so the zeros above are the
    # dates', not an empty population's
    written = go("2019-07-29", years=3, overrides={WINDOW: 2.0}, regime="eo13768")
    assert weeks(written, INJUNCTION[1], RESCISSION)["expedited_removals"].sum() > 0
    assert weeks(written, INJUNCTION[1], RESCISSION)["arrests"].sum() > 0


def test_the_window_is_none_from_the_2019_designation_to_the_2025_one() -> None:
    for day in (DESIGNATION_2019, INJUNCTION[0], INJUNCTION[1], dt.date(2021, 1, 20), RESCISSION):
        assert TREE.get(WINDOW, day.isoformat()) == 0
    assert TREE.get(WINDOW, "2025-01-20") == 0
    assert TREE.get(WINDOW, "2025-01-21") == pytest.approx(2)


def test_dismissals_move_pending_cases_out_of_court_only_when_the_guidance_applies() -> None:
    # With the route at the guidance's reach (share 1) arrestees with a pending case the window
    # reaches leave the docket for removal; at 0 none does. The test's population (October 2016)
    # holds no case filed within two years of 2026, so the window is widened to twenty years to
    # reach its pending cases
    wide = {WINDOW: 20.0}
    on = go("2026-07-01", 1, wide)
    off = go("2026-07-01", 1, {**wide, "processing.pending_case_dismissal_share": 0.0})
    assert on["dismissed_to_expedited"].sum() > 0
    assert off["dismissed_to_expedited"].sum() == 0
    assert TREE.get("processing.pending_case_dismissal_share", "2025-05-29") == 0
    assert TREE.get("processing.pending_case_dismissal_share", "2025-05-30") == pytest.approx(1)
