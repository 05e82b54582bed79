"""ICE's releases of its own arrestees on recognizance or parole and on bond (issues 19/20):
the tree's dated counts from DHS's monthly tables (``detention.ice_releases.recognizance`` and
``.bond``, written by ``scripts/derive_ice_arrestee_releases.py``) and the detention stage that
releases them.

The figures are OHSS's "ICE Book-Outs by Arrest Agency" (August 2024 edition), the ICE columns,
written here by hand so the test needs no workbook."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from immsim.engine import draws
from immsim.engine.counts import Count
from immsim.engine.stages import detention
from immsim.engine.stocks import HELD_COURT, HELD_REMOVAL, RELEASED
from immsim.parameters import load_baseline

TREE = load_baseline()
LEAF = "detention.ice_releases.recognizance"
BOND = "detention.ice_releases.bond"
RATE = "detention.release.bond_release_rate"
YEAR_DAYS = 365.2425
WEEKS = 52.1775


def test_no_releases_on_recognizance_before_the_sheet() -> None:
    """The sheet starts in October 2017 (FY2018): before, the engine releases no one so."""
    assert TREE.get(LEAF, dt.date(2017, 9, 30)) == 0.0
    assert TREE.get(LEAF, dt.date(2012, 1, 1)) == 0.0


def test_a_month_is_the_sheets_count_at_a_yearly_pace() -> None:
    """October 2017: 290 on recognizance and 20 paroled; December 2021: 1,090 and 70; August
    2024, the edition's last month: 600 and 50. Each times 365.2425 over the month's days."""
    assert TREE.get(LEAF, dt.date(2017, 10, 15)) == pytest.approx(310 * YEAR_DAYS / 31, abs=0.1)
    assert TREE.get(LEAF, dt.date(2021, 12, 1)) == pytest.approx(1160 * YEAR_DAYS / 31, abs=0.1)
    assert TREE.get(LEAF, dt.date(2024, 8, 1)) == pytest.approx(650 * YEAR_DAYS / 31, abs=0.1)
    # the last month is carried on (no later count by arresting agency)
    assert TREE.get(LEAF, dt.date(2026, 10, 1)) == TREE.get(LEAF, dt.date(2024, 8, 1))


def _fiscal_year(leaf: str, fiscal_year: int) -> float:
    """A fiscal year's count from the months' yearly paces (each times its days over a year's)."""
    day = dt.date(fiscal_year - 1, 10, 1)
    total = 0.0
    while day < dt.date(fiscal_year, 10, 1):
        nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        total += TREE.get(leaf, day) * (nxt - day).days / YEAR_DAYS
        day = nxt
    return total


@pytest.mark.parametrize(
    ("fiscal_year", "total"),
    [(2019, 3_790 + 220), (2021, 9_910 + 530), (2022, 13_780 + 1_080), (2023, 14_120 + 1_530)],
)
def test_a_fiscal_years_months_add_up_to_the_sheets_year(fiscal_year: int, total: int) -> None:
    """The months' counts (each month's value times its days over a year's) add up to the
    sheet's fiscal-year total of releases on recognizance and parole, within the rounding of
    twelve cells to the nearest ten."""
    assert _fiscal_year(LEAF, fiscal_year) == pytest.approx(total, abs=12 * 5)


def test_the_weekly_count_is_the_leaf_over_the_weeks_and_the_eligible_share() -> None:
    """December 2021: 1,160 x 365.2425 / 31 / 52.1775 = 261.9 a week. October 2026: August
    2024's 650 at a yearly pace, times the 0.38 a judge may still release under INA 236(a)
    after Matter of Yajure Hurtado, over 52.1775: 58.7 a week."""
    december = detention.recognizance_per_week(TREE.snapshot(dt.date(2021, 12, 1)))
    assert december == pytest.approx(1160 * YEAR_DAYS / 31 / WEEKS, rel=1e-4)
    assert december == pytest.approx(261.9, abs=0.05)
    later = detention.recognizance_per_week(TREE.snapshot(dt.date(2026, 10, 1)))
    assert later == pytest.approx(650 * YEAR_DAYS / 31 * 0.38 / WEEKS, rel=1e-4)
    assert detention.recognizance_per_week(TREE.snapshot(dt.date(2016, 1, 1))) == 0.0


def _plan(per_week: float, recognizable: list[bool], bond: float = 0.0) -> detention.DetentionPlan:
    """A national plan with no bond releases at a rate and beds for everyone; the week's
    releases on recognizance and bond-outs by count read only the counts and the groups."""
    size = len(recognizable)
    none = np.zeros(size, dtype=bool)
    order = np.arange(size, dtype=np.int64)
    return detention.DetentionPlan(
        funded_beds=1e9,
        beds=10**9,
        area=np.zeros(size, dtype=np.int64),
        area_beds=np.array([10**9], dtype=np.int64),
        p_bond_release=0.0,
        bondable=none,
        p_parolee_bond_release=0.0,
        parolee_bondable=none,
        recognizance_per_week=per_week,
        recognizable=np.array(recognizable, dtype=bool),
        bond_per_week=bond,
        release_order=order,
        admission_rank=np.concatenate([order, order + size]),
        admission_order=np.concatenate([order, order + size]),
    )


def _held(court: list[int]) -> np.ndarray:
    matrix = np.zeros((5, len(court)), dtype=np.int64)
    matrix[HELD_COURT] = court
    matrix[HELD_REMOVAL] = 50  # ordered removed: never released on recognizance
    return matrix


def test_the_week_releases_the_count_from_those_awaiting_court_not_held_by_law() -> None:
    """100 a week from 6,000 and 4,000 awaiting court not held by law (a chance of 1/100 each)
    and 5,000 held by law: over 400 weeks, restocked each week, about 100 a week, 60% and 40%
    from the two groups (binomial spread: the mean within 1.5, a share within 0.02), none from
    those held by law or ordered removed."""
    bits = draws.stream(np.random.default_rng(11))
    plan = _plan(100.0, [True, True, False])
    total = np.zeros(3, dtype=np.int64)
    for _ in range(400):
        matrix = _held([6_000, 4_000, 5_000])
        released = detention.recognizance(bits, matrix, plan)
        assert released == matrix[RELEASED].sum()
        assert (matrix[HELD_REMOVAL] == 50).all()
        total += matrix[RELEASED]
    assert total.sum() / 400 == pytest.approx(100, abs=1.5)
    assert total[0] / total.sum() == pytest.approx(0.6, abs=0.02)
    assert total[2] == 0


def test_the_week_releases_at_most_everyone_there_and_none_without_a_count() -> None:
    """A count above those held releases all of them (30 + 20); a count of 0 releases none and
    draws no random numbers (the weeks before FY2018 keep their draws)."""
    bits = draws.stream(np.random.default_rng(5))
    matrix = _held([30, 20, 40])
    assert detention.recognizance(bits, matrix, _plan(500.0, [True, True, False])) == 50
    assert matrix[HELD_COURT].tolist() == [0, 0, 40]
    state = draws.stream(np.random.default_rng(9))
    before = state.copy()
    untouched = _held([30, 20, 40])
    assert detention.recognizance(state, untouched, _plan(0.0, [True, True, True])) == 0
    assert untouched[RELEASED].sum() == 0
    assert np.array_equal(state, before)


@pytest.mark.parametrize(
    ("fiscal_year", "total"),
    [(2018, 25_980), (2019, 21_950), (2020, 14_420), (2021, 4_230), (2022, 2_440), (2023, 5_560)],
)
def test_the_bond_outs_months_add_up_to_the_sheets_year(fiscal_year: int, total: int) -> None:
    """ICE's arrestees bonded out, the sheet's fiscal-year totals (FY2018 25,980; FY2019
    21,950; FY2022 2,440), from the months' counts within the rounding of twelve cells to ten."""
    assert _fiscal_year(BOND, fiscal_year) == pytest.approx(total, abs=12 * 5)


def test_the_bond_count_replaces_the_rate_from_october_2017_to_august_2024() -> None:
    """October 2017: 2,180 bonded out, 2,180 x 365.2425 / 31 = 25,684.8 a year; August 2024,
    the edition's last month: 580, 6,833.6 a year. Where there is a count the bond rate is 0
    (no bond-out released twice); before October 2017 the rate of every release before an
    order (4.34 a year) and after August 2024 the bond-only rate (1.82) release on bond, with
    no count: the default run's 2026 is as before."""
    assert TREE.get(BOND, dt.date(2017, 10, 1)) == pytest.approx(2_180 * YEAR_DAYS / 31, abs=0.1)
    assert TREE.get(BOND, dt.date(2024, 8, 31)) == pytest.approx(580 * YEAR_DAYS / 31, abs=0.1)
    for day in (dt.date(2017, 10, 1), dt.date(2019, 6, 1), dt.date(2024, 8, 31)):
        assert TREE.get(BOND, day) > 0.0
        assert TREE.get(RATE, day) == 0.0
    for day, rate in ((dt.date(2017, 9, 30), 4.34), (dt.date(2026, 10, 1), 1.82)):
        assert TREE.get(BOND, day) == 0.0
        assert TREE.get(RATE, day) == rate
    # June 2019: 1,630 bonded out over 30 days, 1,630 x 365.2425 / 30 / 52.1775 = 380.3 a week
    june = detention.bond_per_week(TREE.snapshot(dt.date(2019, 6, 1)))
    assert june == pytest.approx(1_630 * YEAR_DAYS / 30 / WEEKS, rel=1e-4)
    assert june == pytest.approx(380.3, abs=0.05)
    assert detention.bond_per_week(TREE.snapshot(dt.date(2026, 10, 1))) == 0.0


def test_the_week_bonds_out_the_count_before_the_releases_on_recognizance() -> None:
    """A week of the stage with 300 bonded out and 200 released on recognizance by count from
    250 and 150 awaiting court not held by law (and 100 held by law): the bond-outs take 300 of
    the 400 (a chance of 3/4 each), the releases on recognizance all of the 100 left (a count
    above them), none of those held by law; over 200 weeks the bond-outs average 300."""
    bits = draws.stream(np.random.default_rng(3))
    plan = _plan(200.0, [True, True, False], bond=300.0)
    bonded = 0
    for _ in range(200):
        matrix = _held([250, 150, 100])
        out = np.zeros(len(Count), dtype=np.float64)
        detention.run(
            bits, matrix, np.zeros(3, dtype=np.int64), np.zeros(3, dtype=np.int64), plan, out
        )
        week = int(out[Count.BOND_RELEASES])
        assert week + out[Count.RECOGNIZANCE_RELEASES] == 400
        assert matrix[HELD_COURT].tolist() == [0, 0, 100]
        bonded += week
    assert bonded / 200 == pytest.approx(300, abs=2.5)
