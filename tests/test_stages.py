"""The compiled weekly stages move people between stocks without creating or losing anyone, and
send each arrest down the one path the law gives it."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immsim.dates import WEEKS_PER_YEAR
from immsim.engine import capacity, draws, stocks, warm
from immsim.engine.counts import N_COUNTS, Count
from immsim.engine.rates import competing
from immsim.engine.stages import (
    at_large,
    background,
    court,
    custody,
    detention,
    jail,
    leads,
    prison,
    processing,
    removal,
)
from immsim.engine.stocks import FREE, HELD_COURT, HELD_REMOVAL, ORDERED, RELEASED
from immsim.parameters import load_baseline

GROUPS = 12
counts = st.lists(st.integers(0, 5000), min_size=GROUPS, max_size=GROUPS)
probability = st.floats(0, 1)
seeds = st.integers(0, 2**32 - 1)


def _stocks(rows: list[list[int]]) -> np.ndarray:
    return np.array(rows, dtype=np.int64)


def _counts() -> np.ndarray:
    return np.zeros(N_COUNTS)


@settings(max_examples=80, deadline=None)
@given(st.lists(counts, min_size=5, max_size=5), st.floats(0, 0.5), st.floats(0, 0.5), seeds)
def test_background_accounts_for_everyone(
    rows: list[list[int]], p_emig: float, p_grant: float, seed: int
) -> None:
    stocks = _stocks(rows)
    before = stocks.copy()
    emigrated, granted, with_case = background.leave(
        draws.stream(np.random.default_rng(seed)), stocks, p_emig, p_grant
    )
    assert stocks.sum() + emigrated + granted == before.sum()
    assert 0 <= with_case <= emigrated
    if p_grant == 0:  # every leaver from the released docket emigrated, case pending
        assert with_case == before[RELEASED].sum() - stocks[RELEASED].sum()
    assert np.all(stocks >= 0) and np.all(stocks <= before)
    # only the stocks at large change, and nobody with a final order is granted status
    assert np.array_equal(stocks[HELD_COURT:], before[HELD_COURT:])
    if p_grant == 0:
        assert granted == 0


@settings(max_examples=80, deadline=None)
@given(st.lists(counts, min_size=5, max_size=5), probability, seeds)
def test_a_move_keeps_the_total(rows: list[list[int]], p: float, seed: int) -> None:
    matrix = _stocks(rows)
    before = matrix.copy()
    mask = np.arange(GROUPS) % 2 == 0
    moved = stocks.move(
        draws.stream(np.random.default_rng(seed)), matrix, HELD_REMOVAL, ORDERED, mask, p
    )
    assert matrix.sum() == before.sum()
    change = before[HELD_REMOVAL] - matrix[HELD_REMOVAL]
    assert change.sum() == moved
    assert np.array_equal(matrix[ORDERED] - before[ORDERED], change)
    assert not change[~mask].any()  # groups outside the mask are untouched


@settings(max_examples=80, deadline=None)
@given(counts, counts, counts, probability, probability, seeds)
def test_every_arrest_takes_one_path(
    free: list[int],
    ordered: list[int],
    released: list[int],
    p_return: float,
    p_dismiss: float,
    seed: int,
) -> None:
    rng = np.random.default_rng(seed)
    flags = [rng.random(GROUPS) < 0.4 for _ in range(4)]
    from_free, from_ordered, from_released = (
        np.array(x, dtype=np.int64) for x in (free, ordered, released)
    )
    out = _counts()
    to_removal, to_court = processing.run(
        draws.stream(rng),
        from_free,
        from_ordered,
        from_released,
        processing.ProcessingPlan(*flags, p_return, p_dismiss),
        out,
    )
    n = {count.column: out[count] for count in Count}
    total = from_free.sum() + from_ordered.sum() + from_released.sum()
    assert to_removal.sum() + to_court.sum() + n["voluntary_returns"] == total
    prior, expedited, aggravated, eligible = flags
    # a prior removal order is reinstated whatever else applies; then expedited removal, then an
    # administrative order; only the rest may return voluntarily or get a notice to appear
    assert n["reinstatements"] == from_free[prior].sum()
    assert n["expedited_removals"] == from_free[expedited & ~prior].sum()
    assert n["administrative_orders"] == from_free[aggravated & ~expedited & ~prior].sum()
    rest = ~prior & ~expedited & ~aggravated
    assert n["voluntary_returns"] + n["notices_to_appear"] == from_free[rest].sum()
    assert n["voluntary_returns"] <= from_free[rest & eligible].sum()
    assert np.all(to_removal >= from_ordered)
    # a pending case is dismissed into expedited removal only where the window reaches; the
    # court gets the rest of them and the notices to appear (none where the window reaches)
    assert np.all(to_court[~expedited] >= from_released[~expedited])
    assert to_court.sum() + n["dismissed_to_expedited"] == (
        from_released.sum() + n["notices_to_appear"]
    )
    assert n["dismissed_to_expedited"] <= from_released[expedited].sum()
    if p_return == 0:
        assert n["voluntary_returns"] == 0
    if p_dismiss == 0:
        assert n["dismissed_to_expedited"] == 0
    if p_dismiss == 1:
        assert n["dismissed_to_expedited"] == from_released[expedited].sum()
        assert not to_court[expedited].any()


@settings(max_examples=80, deadline=None)
@given(st.lists(counts, min_size=5, max_size=5), probability, probability, probability, seeds)
def test_court_decisions_keep_everyone_but_those_granted_relief(
    rows: list[list[int]], relief: float, absentia: float, departure: float, seed: int
) -> None:
    stocks = _stocks(rows)
    before = stocks.copy()
    rng = np.random.default_rng(seed)
    done_det = rng.binomial(stocks[HELD_COURT], 0.5)
    done_rel = rng.binomial(stocks[RELEASED], 0.5)
    out = _counts()
    court.decide(
        draws.stream(rng),
        stocks,
        done_det,
        done_rel,
        np.full(GROUPS, relief),
        np.full(GROUPS, 1.0 - relief),
        absentia,
        departure,
        out,
    )
    n = {count.column: out[count] for count in Count}
    assert stocks.sum() + n["relief_granted"] == before.sum()
    decided = n["orders"] + n["relief_granted"] + n["voluntary_departures"]
    assert decided == done_det.sum() + done_rel.sum()
    assert n["orders_in_absentia"] <= done_rel.sum()
    # voluntary departure is a detained decision, and those who take it stay held until they go
    assert n["voluntary_departures"] <= done_det.sum()
    held_removal = stocks[HELD_REMOVAL] - before[HELD_REMOVAL]
    assert held_removal.sum() >= n["voluntary_departures"]
    if departure == 0:
        assert n["voluntary_departures"] == 0
    assert np.all(stocks >= 0)


def test_voluntary_departure_takes_its_share_of_detained_decisions_and_leaves_relief_alone() -> (
    None
):
    """By hand: 100,000 detained completions, relief 0.357 (the single share
    of both dockets before they were split) and voluntary departure
    0.28 of all (CBS's 2025 share) leave 35,700 granted, 28,000 departing and 36,300 ordered
    removed; binomial noise on 100,000 is about 150, so 1,000 is a wide margin."""
    stocks = np.zeros((5, 1), dtype=np.int64)
    stocks[HELD_COURT, 0] = 100_000
    out = _counts()
    court.decide(
        draws.stream(np.random.default_rng(7)),
        stocks,
        np.array([100_000]),
        np.array([0]),
        np.array([0.357]),
        np.array([0.0]),
        0.39,
        0.28,
        out,
    )
    assert abs(out[Count.RELIEF_GRANTED] - 35_700) < 1_000
    assert abs(out[Count.VOLUNTARY_DEPARTURES] - 28_000) < 1_000
    assert abs(out[Count.ORDERS] - 36_300) < 1_000
    assert stocks[HELD_REMOVAL, 0] == 100_000 - out[Count.RELIEF_GRANTED]


def test_each_docket_grants_relief_at_its_own_share_from_the_tree() -> None:
    """By hand with the tree's 2012 shares (NPR's records: 0.266 of detained decisions, 0.643
    of the others) and no voluntary departure: 100,000 detained completions leave 26,600
    granted and 73,400 held for removal; 100,000 released ones, 39% in absentia (EOIR's FY2014
    share), leave 61,000 heard and 0.643 x 61,000 = 39,223 granted, 60,777 ordered at large.
    One share over both (0.357) would grant 35,700 and 21,777: binomial noise on 100,000 is
    about 150, so 1,000 tells them apart."""
    day = dt.date(2012, 1, 1)
    x = SimpleNamespace(
        p=load_baseline().snapshot(day), a=SimpleNamespace(asylum=np.array([False]))
    )
    plan = court.plan(x)  # type: ignore[arg-type]
    assert plan.relief_detained[0] == 0.266 and plan.relief_released[0] == 0.643
    assert plan.p_in_absentia == 0.39
    stocks = np.zeros((5, 2), dtype=np.int64)
    stocks[HELD_COURT, 0] = 100_000
    stocks[RELEASED, 1] = 100_000
    out = _counts()
    court.decide(
        draws.stream(np.random.default_rng(11)),
        stocks,
        np.array([100_000, 0]),
        np.array([0, 100_000]),
        np.repeat(plan.relief_detained, 2),
        np.repeat(plan.relief_released, 2),
        plan.p_in_absentia,
        0.0,
        out,
    )
    detained_granted = 100_000 - stocks[HELD_REMOVAL, 0]
    released_granted = 100_000 - stocks[ORDERED, 1]
    assert abs(detained_granted - 26_600) < 1_000
    assert abs(released_granted - 39_223) < 1_000
    assert out[Count.RELIEF_GRANTED] == detained_granted + released_granted
    assert abs(out[Count.ORDERS_IN_ABSENTIA] - 39_000) < 1_000


def _hearings(
    judge_hours: float,
    hours_detained: float,
    hours_released: float,
    released_share: float,
    groups: int,
) -> court.CourtPlan:
    """A court plan that only hears cases: every detained case ready, no relief, no in-absentia
    order and no voluntary departure among those decided, so a week's decisions follow from the
    hours alone."""
    return court.CourtPlan(
        judge_hours=judge_hours,
        hours_detained=hours_detained,
        hours_released=hours_released,
        released_share=released_share,
        p_detained_ready=1.0,
        relief_detained=np.zeros(groups),
        relief_released=np.zeros(groups),
        p_in_absentia=0.0,
        p_voluntary_departure=0.0,
    )


def test_judges_hear_the_detained_docket_before_any_released_case() -> None:
    """EOIR schedules detained cases first (its only timeliness goals after 2010 were for
    detained and asylum cases, DOJ OIG I-2013-001), and the court stage spends judges' hours
    so. By hand, 1,000 judge hours, 1.249 hours a detained decision and 6.093 a released one
    (the tree's fitted values until the refit of 2026-12-04), every detained case ready: 10,000 detained cases take all the
    hours, floor(1,000 / 1.249) = 800 decided and no released case heard; 500 detained cases
    take 624.5 hours and leave 375.5, floor(375.5 / 6.093) = 61 released decisions, or
    floor(0.3 x 375.5 / 6.093) = 18 where only 0.3 of the rest may go to released cases (the
    2020 reopening)."""

    def week(held: int, released_share: float) -> tuple[int, int, bool]:
        plan = _hearings(1000.0, 1.249, 6.093, released_share, groups=2)
        stocks = np.zeros((5, 2), dtype=np.int64)
        stocks[HELD_COURT, 0] = held
        stocks[RELEASED, 1] = 100_000
        out = _counts()
        bound = court.run(draws.stream(np.random.default_rng(5)), stocks, plan, out)
        return int(out[Count.COMPLETIONS_DETAINED]), int(out[Count.COMPLETIONS_RELEASED]), bound

    assert week(10_000, 1.0) == (800, 0, True)
    assert week(500, 1.0) == (500, 61, True)
    assert week(500, 0.3) == (500, 18, True)


def _one_group_background(
    p_emigration: float = 0.0,
    mpp_cases_per_week: float = 0.0,
    cbp_home_per_week: float = 0.0,
    groups: int = 1,
    eligible: tuple[bool, ...] = (True,),
) -> background.BackgroundPlan:
    """A background plan over ``groups`` groups with no status grants and no arrivals: only the
    emigration chance, MPP's cases a week and the CBP Home departures a week (from the
    ``eligible`` groups) the test sets."""
    return background.BackgroundPlan(
        p_emigration=p_emigration,
        p_status_grant=0.0,
        arrivals_per_week=0.0,
        cases_per_week=0.0,
        uncharged_per_week=0.0,
        mpp_cases_per_week=mpp_cases_per_week,
        cohort=np.zeros(1, dtype=np.int64),
        arrival_weights=np.ones(1),
        case_weights=np.ones(1),
        cbp_home_per_week=cbp_home_per_week,
        cbp_home_groups=np.flatnonzero(
            np.array(eligible if len(eligible) == groups else (True,) * groups)
        ),
    )


def test_emigrants_keep_their_case_pending_until_ordered_removed_in_absentia() -> None:
    """Leaving does not end removal proceedings: the judge orders the absent respondent
    removed in absentia (Matter of Sanchez-Herbert, 26 I&N Dec. 43 (BIA 2012)); the engine's emigrants from the released
    docket so stay on the court's docket. By hand: 10,000 people on the released docket, half
    of whom emigrate in the week (no grants), leave about 5,000 cases of people abroad and
    5,000 people; 600 judge hours at 6 hours a case hear floor(600 / 6) = 100 released cases,
    each case at the rate 100 / 10,000 = 1%, so about 50 of the people abroad (Binomial(5,000,
    0.01): 50 +/- 7) are ordered removed in absentia and 100 - those of the people here decided
    (no relief, no in-absentia order among those here). Cases pending stay 10,000 - 100: the
    emigrants' cases leave only when completed, and the absent join no final orders at
    large."""
    bits = draws.stream(np.random.default_rng(11))
    stocks = np.zeros((5, 1), dtype=np.int64)
    stocks[RELEASED, 0] = 10_000
    out = _counts()
    bg = _one_group_background(p_emigration=0.5)
    background.run(bits, stocks, bg, out)
    abroad = int(out[Count.COURT_ABROAD])
    assert abroad == out[Count.EMIGRATED] and abs(abroad - 5_000) < 250
    assert stocks[RELEASED, 0] + abroad == 10_000  # every case still pending
    plan = _hearings(600.0, 1.0, 6.0, 1.0, groups=1)
    here = int(stocks[RELEASED, 0])
    court.run(bits, stocks, plan, out)
    done_abroad = abroad - int(out[Count.COURT_ABROAD])
    assert 30 <= done_abroad <= 70
    assert out[Count.COMPLETIONS_RELEASED] == 100
    assert out[Count.ORDERS_IN_ABSENTIA] == done_abroad == out[Count.ORDERS] - (100 - done_abroad)
    assert stocks[ORDERED, 0] == 100 - done_abroad == here - stocks[RELEASED, 0]
    assert out[Count.JUDGE_HOURS_USED] == 600.0
    assert stocks[RELEASED, 0] + out[Count.COURT_ABROAD] == 10_000 - 100  # pending


def test_mpp_returns_open_cases_abroad_and_add_no_one_here() -> None:
    """People returned to Mexico under the Migrant Protection Protocols have a case on EOIR's
    docket and are not in the country. By hand: August 2019's 11,970 returns (DHS's monthly
    tables) are 11,970 x 12 / 52.18 = 2,753 a week; the week opens Poisson(2,753) cases (within
    5 standard deviations, 2,753 +/- 262) among the cases of people abroad, counted as MPP cases,
    and adds no one to any stock (no emigration, no arrivals). With 10,000 people on the
    released docket and 600 judge hours at 6 hours a case the court hears floor(600 / 6) = 100
    cases at the rate 100 / (10,000 + the MPP cases), so about 100 x 2,753 / 12,753 = 22 of the
    MPP cases (Binomial) are ordered removed in absentia, the rest of the 100 from the people
    here; pending is then 10,000 + the MPP cases - 100."""
    bits = draws.stream(np.random.default_rng(5))
    stocks = np.zeros((5, 1), dtype=np.int64)
    stocks[RELEASED, 0] = 10_000
    before = stocks.copy()
    out = _counts()
    per_week = 11_970 * 12 / (365.25 / 7)
    assert per_week == pytest.approx(2_753, abs=1)
    bg = _one_group_background(mpp_cases_per_week=per_week)
    background.run(bits, stocks, bg, out)
    mpp = int(out[Count.MPP_CASES])
    assert abs(mpp - 2_753) < 5 * 2_753**0.5
    assert out[Count.COURT_ABROAD] == mpp
    assert np.array_equal(stocks, before) and out[Count.ARRIVALS] == 0
    plan = _hearings(600.0, 1.0, 6.0, 1.0, groups=1)
    court.run(bits, stocks, plan, out)
    done_abroad = mpp - int(out[Count.COURT_ABROAD])
    expected = 100 * mpp / (10_000 + mpp)
    assert abs(done_abroad - expected) < 5 * (expected * (1 - mpp / (10_000 + mpp))) ** 0.5
    assert out[Count.COMPLETIONS_RELEASED] == 100
    assert out[Count.ORDERS_IN_ABSENTIA] == done_abroad
    assert stocks[RELEASED, 0] + out[Count.COURT_ABROAD] == 10_000 + mpp - 100


def test_the_completion_quota_speeds_the_released_docket_while_in_force() -> None:
    """EOIR's quota of 700 completions a judge a year (from 1 October 2018; DOJ gave the
    average as 678) until its suspension on 19 October 2021. By hand, 10,000 judge hours and
    no detained case, every court open: at the fitted 4.572 hours a released case,
    floor(10,000 / 4.572) = 2,187 decisions; under the quota 4.572 x 678 / 700 = 4.4283 hours,
    floor(10,000 / 4.4283) = 2,258, 700 / 678 as many (3.2% more); before and after it, the
    fitted pace again."""
    tree = load_baseline()

    def decided(day: dt.date) -> int:
        x = SimpleNamespace(p=tree.snapshot(day), a=SimpleNamespace(asylum=np.array([False])))
        plan = court.plan(x)._replace(judge_hours=10_000.0, released_share=1.0)  # type: ignore[arg-type]
        stocks = np.zeros((5, 1), dtype=np.int64)
        stocks[RELEASED, 0] = 1_000_000
        out = _counts()
        court.run(draws.stream(np.random.default_rng(3)), stocks, plan, out)
        return int(out[Count.COMPLETIONS_RELEASED])

    assert decided(dt.date(2018, 9, 30)) == 2_187
    assert decided(dt.date(2019, 6, 1)) == 2_258
    assert decided(dt.date(2021, 10, 18)) == 2_258
    assert decided(dt.date(2021, 10, 19)) == 2_187
    assert decided(dt.date(2026, 1, 1)) == 2_187  # no quota for judges found reinstated in 2025


def test_admission_follows_the_order_until_the_beds_run_out() -> None:
    requests = np.array([5, 0, 7, 3], dtype=np.int64)
    order = np.array([2, 0, 3, 1])
    admitted = detention.admit(requests, order, 10)
    assert admitted.tolist() == [3, 0, 7, 0]
    assert detention.admit(requests, order, 0).sum() == 0
    assert np.array_equal(detention.admit(requests, order, 100), requests)


def test_warm_up_compiles_every_loop_a_run_uses() -> None:

    from immsim.engine.run import run
    from immsim.scenario import resolve_scenario

    warm.warm_up()
    compiled = {kernel: len(kernel.signatures) for kernel in warm.kernels()}  # type: ignore[attr-defined]
    assert any(compiled.values())
    scenario = resolve_scenario("default")
    # two years hold the 60 weeks meant (``end`` is no scenario field: it ran all ten years)
    run(scenario.model_copy(update={"horizon_years": 2}))
    # a run compiled nothing more: its first week does not stall on a compiler
    assert {kernel: len(kernel.signatures) for kernel in compiled} == compiled  # type: ignore[attr-defined]


def test_tiers_get_their_share_of_the_capacity() -> None:
    # four tiers: served in full, in part (70%: drawn at full chances and thinned; 40%: drawn
    # at the scaled chances) and not at all
    reps, n = 20_000, np.array([200, 80, 50, 300], dtype=np.int64)
    locate = np.array([0.01, 0.1, 0.2, 0.05])
    ranks, by_rank = np.array([0, 1, 2, 3]), np.array([1.0, 0.7, 0.4, 0.0])
    bits = draws.stream(np.random.default_rng(21))
    x = np.zeros((reps, n.size), dtype=np.int64)
    where, found = np.empty(n.size, dtype=np.int64), np.empty(n.size, dtype=np.int64)
    for row in x:
        m = at_large.draw_by_tier(
            bits, n, locate, draws.hazards(locate), ranks, by_rank, 0, where, found, 0
        )
        row[where[:m]] = found[:m]
    p = locate * by_rank
    assert not x[:, 3].any()
    sd = np.sqrt(n * p * (1 - p) / reps)
    assert np.all(np.abs(x[:, :3].mean(axis=0) - (n * p)[:3]) < 5 * sd[:3])
    assert np.all(np.abs(x[:, :3].var(axis=0) - (n * p * (1 - p))[:3]) < 0.05 * (n * p)[:3])


def _lead_plan(chance: np.ndarray) -> leads.LeadsPlan:
    """Leads on people at large only, by one channel, an hour an arrest."""
    size = chance.size
    return leads.LeadsPlan(
        hours_per_arrest=1.0,
        free=competing([chance], size),
        ordered=competing([np.zeros(size)], size),
        released=competing([np.zeros(size)], size),
        sources=np.array([FREE, ORDERED, RELEASED], dtype=np.int64),
        channels=np.array(
            [Count.ARRESTS_CHECKPOINT, Count.ARRESTS_DATABASE, Count.ARRESTS_CHECK_IN],
            dtype=np.int64,
        ),
    )


def test_thinned_lead_draws_arrest_as_the_unthinned() -> None:
    # 40 people reached with chance 0.1 a week and 4,000 with 0.001: 8 expected, hours for one
    # arrest. The draws are thinned four times (level 2), so that in about e^-2 of the weeks
    # nobody is drawn and the rest of those reached are drawn too. The law to meet, by hand:
    # the one arrested is a uniform choice among those reached, so from the first group with
    # chance E[a / (a + b) | a + b > 0] (a, b binomial), and nobody when nobody is reached.
    from scipy.stats import binom

    n, chance = np.array([40, 4000]), np.array([0.1, 0.001])
    plan = _lead_plan(chance)
    reach = np.zeros((5, 2), dtype=np.int64)
    reach[FREE] = n
    assert leads._level(reach, plan, 1.0) == 2
    a, b = np.arange(41)[:, None], np.arange(60)[None, :]
    joint = binom.pmf(a, 40, 0.1) * binom.pmf(b, 4000, 0.001)
    first = float((joint * np.divide(a, a + b, out=np.zeros(joint.shape), where=a + b > 0)).sum())
    nobody = float(joint[0, 0])
    reps = 40_000
    bits = draws.stream(np.random.default_rng(8))
    thinned = leads.thinned_tables(2)
    got = np.zeros(3)  # from the first group, the second, nobody
    for _ in range(reps):
        stocks = reach.copy()
        taken = np.zeros_like(stocks)
        leads.run(bits, stocks, plan, thinned, 1.0, _counts(), taken)
        assert taken.sum() <= 1 and np.array_equal(stocks + taken, reach)
        got[0 if taken[FREE, 0] else 1 if taken[FREE, 1] else 2] += 1
    want = np.array([first, 1.0 - first - nobody, nobody])
    se = np.sqrt(want * (1 - want) / reps)
    assert np.all(np.abs(got / reps - want) < 4.5 * se), (got / reps, want)


def _chain_case() -> tuple[np.ndarray, dict[str, object]]:
    # six groups: two share a class, one is exempt (no arrests), one is under a notification,
    # one is under no detainer but may be held in a 287(g) jail, one (the last) under a
    # detainer on approval, which officers seek for the case-by-case share of its matches
    stock = np.array([4000, 2500, 30, 8000, 600, 0, 5000], dtype=np.int64)
    chances = {
        "booking": np.array([0.02, 0.02, 0.3, 0.001, 0.05, 0.1, 0.05]),
        "match": np.array([0.7, 0.7, 0.9, 0.4, 1.0, 0.8, 0.8]),
        "share_287g": 0.2,
        "enforce": np.array([1.0, 1.0, 0.0, 0.5, 1.0, 1.0, 0.4]),
        "detainer": np.array([2, 2, 0, 1, 0, 2, 3], dtype=np.int8),
        "p_detainer": np.full(7, 0.8),
        "p_notification": np.full(7, 0.3),
        "protect": np.array([1.0, 1.0, 1.0, 0.5, 1.0, 1.0, 1.0]),  # half of group 3 protected
        "approve": 0.4,
    }
    return stock, chances


def test_the_jail_chain_has_each_persons_chances() -> None:
    stock, c = _chain_case()
    classes = np.array([7, 7, 1, 2, 3, 4, 5])  # the first two groups alike
    chain = jail.chain(**c, classes=classes)  # type: ignore[arg-type]
    assert chain.pooled.shape[0] == 6
    bits = draws.stream(np.random.default_rng(5))
    reps = 4000
    held = np.zeros((reps, stock.size))
    moved = np.zeros((reps, stock.size))
    totals = np.zeros((reps, 4))
    for r in range(reps):
        out = _counts()
        lists = capacity.lists(2, stock.size)  # the holds' row, then the transfers'
        jail.candidates(bits, stock, chain, *lists, 0, out)
        h, t = capacity.table(*capacity.joined(*lists, 2), 2, stock.size)
        assert np.all(h + t <= stock)
        held[r], moved[r] = h, t
        totals[r] = out[
            [Count.JAIL_BOOKINGS, Count.JAIL_MATCHES, Count.DETAINERS, Count.NOTIFICATIONS]
        ]
    # what each person's chain gives, drawn in order: booked, matched, in a 287(g) jail, then
    # held (if the regime would arrest) or, elsewhere, transferred on a detainer/notification
    b, m, s, e, d = c["booking"], c["match"], c["share_287g"], c["enforce"], c["detainer"]
    # a detainer on approval (code 3) is sought for the approved share of the matches
    approved = np.where(d == 3, c["approve"], 1.0)
    honour = np.where(d >= 2, c["p_detainer"], np.where(d == 1, c["p_notification"], 0.0))
    honour = honour * approved
    honour = honour * c["protect"]  # a detainer on someone a statute protects is not acted on
    matched = stock * b * m  # type: ignore[operator]
    expected = {
        "held": matched * s * e,  # type: ignore[operator]
        "moved": matched * (1 - s) * honour,  # type: ignore[operator]
        "bookings": (stock * b).sum(),  # type: ignore[operator]
        "matches": matched.sum(),
        # code 3: the 287(g) holds, and the approved share of the rest, honoured or not
        "detainers": matched[d == 2].sum() + (matched * (s * e + (1 - s) * approved))[d == 3].sum(),  # type: ignore[operator]
        "notifications": (matched * (1 - s))[d == 1].sum(),  # type: ignore[operator]
    }
    observed = {
        "held": held,
        "moved": moved,
        "bookings": totals[:, 0],
        "matches": totals[:, 1],
        "detainers": totals[:, 2],
        "notifications": totals[:, 3],
    }
    for name, want in expected.items():
        got = observed[name]
        se = got.std(axis=0) / np.sqrt(reps)
        assert np.all(np.abs(got.mean(axis=0) - want) <= 5 * se + 1e-9), name
    assert not held[:, 2].any() and not moved[:, 2].any()  # exempt: booked, never arrested


def _removal_plan(
    size: int, p_documented: float, stuck: bool, weeks: int, third_country: float = 0.0
) -> removal.RemovalPlan:
    return removal.RemovalPlan(
        p_documented=np.full(size, p_documented),
        is_mexico=np.ones(size, dtype=bool),  # over land: no seat limit
        stuck=np.full(size, stuck),
        stuck_index=np.arange(size if stuck else 0, dtype=np.int64),
        seats=0.0,
        zadvydas_weeks=weeks,
        third_country_per_week=third_country,
    )


def test_zadvydas_releases_those_held_the_whole_period_and_no_one_sooner() -> None:
    weeks, size = 5, 3
    plan = _removal_plan(size, 0.0, True, weeks)
    matrix = np.zeros((5, size), dtype=np.int64)
    held = removal.cohorts(None, plan, size)
    bits = draws.stream(np.random.default_rng(3))
    released = []
    for week in range(weeks + 3):
        if week in (0, 2):  # admissions in weeks 0 and 2
            matrix[HELD_REMOVAL] += np.array([10, 0, 4]) * (week + 1)
        out = _counts()
        removal.run(bits, matrix, plan, held, out)
        released.append(int(out[Count.ZADVYDAS_RELEASES]))
        assert held.sum() == matrix[HELD_REMOVAL].sum()  # every one held is in a cohort
    # nobody is documented: each week's admissions are released together, the period after
    assert released == [0] * weeks + [14, 0, 42]
    assert matrix[HELD_REMOVAL].sum() == 0 and matrix[ORDERED].sum() == 56


def test_zadvydas_spares_groups_whose_removal_is_foreseeable() -> None:
    plan = _removal_plan(2, 0.0, False, 2)
    matrix = np.zeros((5, 2), dtype=np.int64)
    matrix[HELD_REMOVAL] = [7, 9]
    held = removal.cohorts(None, plan, 2)
    bits = draws.stream(np.random.default_rng(4))
    for _ in range(6):
        out = _counts()
        removal.run(bits, matrix, plan, held, out)
        assert out[Count.ZADVYDAS_RELEASES] == 0
    assert matrix[HELD_REMOVAL].tolist() == [7, 9] and not held.any()


def test_removals_leave_the_cohorts_in_proportion() -> None:
    # half documented each week: of those admitted once, (1/2)^(weeks + 1) are left to release
    weeks, size, n, reps = 3, 1, 4000, 40
    plan = _removal_plan(size, 0.5, True, weeks)
    bits = draws.stream(np.random.default_rng(5))
    total = 0
    for _ in range(reps):
        matrix = np.zeros((5, size), dtype=np.int64)
        matrix[HELD_REMOVAL] = n
        held = removal.cohorts(None, plan, size)
        for _ in range(weeks + 1):
            out = _counts()
            removal.run(bits, matrix, plan, held, out)
            total += int(out[Count.ZADVYDAS_RELEASES])
    expected = reps * n * 0.5 ** (weeks + 1)
    assert abs(total - expected) < 5 * np.sqrt(expected)


def test_seats_cut_air_removals_to_their_floor_and_spare_land_removals() -> None:
    """By hand: everyone held is documented (a chance of one), two groups flown and one
    removed over land. With 10.7 seats a week for 30 + 20 ready to fly, exactly 10 fly (the
    seats' floor), none from a group beyond its count, and the land group's 5 all go; with 60
    seats all 50 fly and the seats do not bind."""
    for seats, flown, binding in ((10.7, 10, 1.0), (60.0, 50, 0.0)):
        plan = _removal_plan(3, 1.0, False, 4)._replace(
            is_mexico=np.array([False, True, False]), seats=seats
        )
        matrix = np.zeros((5, 3), dtype=np.int64)
        matrix[HELD_REMOVAL] = [30, 5, 20]
        out = _counts()
        removed, _ = removal.run(
            draws.stream(np.random.default_rng(9)),
            matrix,
            plan,
            removal.cohorts(None, plan, 3),
            out,
        )
        assert out[Count.REMOVALS_AIR] == flown and out[Count.REMOVALS_LAND] == 5
        assert out[Count.BINDING_SEATS] == binding
        assert removed[1] == 5 and removed[0] + removed[2] == flown
        assert 0 <= removed[0] <= 30 and 0 <= removed[2] <= 20
        assert matrix[HELD_REMOVAL].tolist() == [30 - removed[0], 0, 20 - removed[2]]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 400), min_size=1, max_size=27),
    st.floats(0, 1),
    seeds,
)
def test_removal_choice_draws_as_draws_choose(full: list[int], share: float, seed: int) -> None:
    """The cohorts' choice of whom a week removes (``draws.choose_into``, written into
    buffers allocated once a week, longer than the cohorts and holding old values) takes the same people as ``draws.choose`` with the same
    random numbers, leaving the stream where it leaves it: from few people chosen (sorted
    uniforms) to most (the rest chosen, by conditional binomials when they are many)."""
    counts = np.array(full, dtype=np.int64)
    total = int(counts.sum())
    keep = round(share * total)
    if keep == 0:
        return  # the stage chooses only where someone is removed
    a = draws.stream(np.random.default_rng(seed))
    b = a.copy()
    expected = draws.choose(a, counts, total, keep)
    size = counts.size + 3  # buffers longer than the cohorts, as the stage's are
    chosen, room = (np.full(size, -7, dtype=np.int64) for _ in range(2))
    spacings = np.empty(total // 2 + 2)
    draws.choose_into(b, counts, counts.size, total, keep, chosen, room, spacings)
    assert chosen[: counts.size].tolist() == expected.tolist()
    assert int(chosen[: counts.size].sum()) == keep
    assert a.tolist() == b.tolist()


def _cbp_home_per_week(day: dt.date) -> float:
    return float(load_baseline().snapshot(day)["flows.cbp_home_departures"]) / WEEKS_PER_YEAR


def test_cbp_home_takes_the_records_count_a_week_from_the_eligible_at_large() -> None:
    """By hand: the tree's 28,815 departures a year from 17 April 2025 (a lower bound of DHS's
    "tens of thousands") are 28,815 / 52.18 = 552.2 a week. Over 200 weeks from an eligible
    group holding 400,000 at large with no order and 100,000 with a final order (neither runs
    short), the mean week takes 552 +/- 5 standard errors (Poisson: sqrt(552 / 200) = 1.7), four
    fifths of them from those with no order (their share of the pool); the group with a
    criminal record (not offered the stipend) and the released docket lose no one, and the
    departures are counted apart from the removals."""
    per_week = _cbp_home_per_week(dt.date(2026, 1, 1))
    assert abs(per_week - 28_815 / WEEKS_PER_YEAR) < 1e-9 and 552 < per_week < 553
    plan = _one_group_background(cbp_home_per_week=per_week, groups=2, eligible=(True, False))
    bits = draws.stream(np.random.default_rng(29))
    weeks, free0, ordered0 = 200, 400_000, 100_000
    stocks = np.zeros((5, 2), dtype=np.int64)
    stocks[FREE] = [free0, 50_000]
    stocks[ORDERED] = [ordered0, 20_000]
    stocks[RELEASED] = [30_000, 30_000]
    gone = 0
    for _ in range(weeks):
        out = _counts()
        background.run(bits, stocks, plan, out)
        gone += int(out[Count.CBP_HOME_DEPARTURES])
        assert out[Count.REMOVALS_LAND] == out[Count.REMOVALS_AIR] == 0
    assert abs(gone / weeks - per_week) < 5 * np.sqrt(per_week / weeks)
    assert free0 + ordered0 - stocks[FREE, 0] - stocks[ORDERED, 0] == gone
    assert abs((free0 - stocks[FREE, 0]) / gone - 0.8) < 0.02
    assert stocks[FREE, 1] == 50_000 and stocks[ORDERED, 1] == 20_000
    assert stocks[RELEASED].tolist() == [30_000, 30_000]


def test_cbp_home_never_takes_more_than_the_pool_and_none_before_the_app() -> None:
    """A week wanting far more than the pool empties it and no more (100 + 20 eligible people
    at large: 120 leave). Before the app (10 March 2025) the tree's count is 0 and the week
    draws nothing: the stocks and the random stream are untouched."""
    big = _one_group_background(cbp_home_per_week=1e6)
    stocks = np.zeros((5, 1), dtype=np.int64)
    stocks[FREE, 0], stocks[ORDERED, 0] = 100, 20
    out = _counts()
    background.run(draws.stream(np.random.default_rng(1)), stocks, big, out)
    assert out[Count.CBP_HOME_DEPARTURES] == 120 and stocks.sum() == 0
    assert _cbp_home_per_week(dt.date(2025, 3, 9)) == 0.0
    assert _cbp_home_per_week(dt.date(2025, 3, 10)) > 0.0
    none = _one_group_background(cbp_home_per_week=_cbp_home_per_week(dt.date(2025, 3, 9)))
    stocks[FREE, 0] = 1_000
    a, b = draws.stream(np.random.default_rng(2)), draws.stream(np.random.default_rng(2))
    out = _counts()
    background.run(a, stocks, none, out)
    assert out[Count.CBP_HOME_DEPARTURES] == 0 and stocks[FREE, 0] == 1_000
    assert draws.bits64(a) == draws.bits64(b)


def _third_country_per_week(day: dt.date) -> float:
    key = "removal.logistics.third_country_removals"
    return float(load_baseline().snapshot(day)[key]) / WEEKS_PER_YEAR


def test_third_country_removals_take_the_records_count_from_the_stuck_held() -> None:
    """By hand: the tree's 13,399 a year from 20 January 2025 (Mexico's count of non-Mexicans
    received, 11,886 in 324 days) are 13,399 / 52.18 = 256.8 a week. With 10,000 held awaiting
    removal in a group whose removal is not foreseeable and no documents, 10 weeks (a
    Zadvydas period longer than the run) remove 2,568 +/- 5 sqrt(2,568) as third-country
    removals, no one else is removed and no one is released; a group whose removal is
    foreseeable loses no one to them. None before 20 January 2025."""
    per_week = _third_country_per_week(dt.date(2026, 1, 1))
    assert abs(per_week - 13_399 / WEEKS_PER_YEAR) < 1e-9
    assert _third_country_per_week(dt.date(2025, 1, 19)) == 0.0
    weeks = 10
    plan = _removal_plan(1, 0.0, True, 26, third_country=per_week)
    matrix = np.zeros((5, 1), dtype=np.int64)
    matrix[HELD_REMOVAL] = 10_000
    held = removal.cohorts(None, plan, 1)
    bits = draws.stream(np.random.default_rng(19))
    total = 0
    for _ in range(weeks):
        out = _counts()
        removal.run(bits, matrix, plan, held, out)
        total += int(out[Count.REMOVALS_THIRD_COUNTRY])
        assert out[Count.REMOVALS_LAND] == out[Count.REMOVALS_AIR] == 0
        assert out[Count.ZADVYDAS_RELEASES] == 0
        assert held.sum() == matrix[HELD_REMOVAL].sum()
    want = weeks * per_week
    assert abs(total - want) < 5 * np.sqrt(want)
    assert matrix[HELD_REMOVAL, 0] == 10_000 - total
    spared = _removal_plan(1, 0.0, False, 26, third_country=per_week)
    matrix[HELD_REMOVAL] = 500
    out = _counts()
    removal.run(bits, matrix, spared, removal.cohorts(None, spared, 1), out)
    assert out[Count.REMOVALS_THIRD_COUNTRY] == 0 and matrix[HELD_REMOVAL, 0] == 500


def test_third_country_removals_never_exceed_those_still_held() -> None:
    """A week wanting far more than are held removes those left after the week's removals
    with documents and no more: of 100 held, the documented (half, over land) go first and
    the rest are the third-country removals; the stock is empty and nobody is released."""
    plan = _removal_plan(1, 0.5, True, 26, third_country=1e6)
    matrix = np.zeros((5, 1), dtype=np.int64)
    matrix[HELD_REMOVAL] = 100
    held = removal.cohorts(None, plan, 1)
    out = _counts()
    removal.run(draws.stream(np.random.default_rng(7)), matrix, plan, held, out)
    land, third = int(out[Count.REMOVALS_LAND]), int(out[Count.REMOVALS_THIRD_COUNTRY])
    assert 20 < land < 80 and land + third == 100
    assert matrix[HELD_REMOVAL, 0] == 0 and out[Count.ZADVYDAS_RELEASES] == 0
    assert not held.any()


sparse_counts = st.lists(
    st.one_of(st.just(0), st.just(0), st.integers(1, 3), st.integers(0, 20_000)),
    min_size=1,
    max_size=60,
)


@settings(max_examples=80, deadline=None)
@given(sparse_counts, st.one_of(st.floats(0, 1), st.just(1.0), st.floats(1e-6, 1e-2)), seeds)
def test_the_stages_own_sweeps_draw_what_sweep_all_draws(
    row: list[int], p: float, seed: int
) -> None:
    """Background's emigration sweep (no test for an empty group) and the court's sweep of the
    cases ready (kept as a list) make ``draws.sweep_all``'s draws: the same counts by group and
    the stream left in the same state, empty groups and a chance of 1 included."""
    n = np.array(row, dtype=np.int64)
    reference = draws.stream(np.random.default_rng(seed))
    bits = reference.copy()
    expected = draws.sweep_all(reference, n, p)
    if p > 0.0:  # the stage draws nothing where nobody can leave
        moved = n.copy()
        assert background._leaving(bits, moved, p) == expected.sum()
        assert np.array_equal(moved, n - expected) and np.array_equal(bits, reference)
    bits = draws.stream(np.random.default_rng(seed))
    groups, ready = court._ready(bits, n, p)
    assert np.array_equal(groups, np.flatnonzero(expected))
    assert np.array_equal(ready, expected[groups]) and np.array_equal(bits, reference)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 400), st.integers(0, 400)), min_size=1, max_size=40),
    st.lists(st.booleans(), min_size=40, max_size=40),
    st.floats(0, 900),
    seeds,
)
def test_cbp_home_chooses_as_capped_chooses_from_the_pool(
    at_large: list[tuple[int, int]], eligible: list[bool], per_week: float, seed: int
) -> None:
    """The CBP Home departures, listed from the eligible groups, are ``draws.capped``'s choice
    from a pool of every group's free then every group's ordered (zero where not eligible),
    with the week's count drawn first: the same departures, the stream in the same state."""
    size = len(at_large)
    matrix = np.zeros((5, size), dtype=np.int64)
    matrix[FREE] = [free for free, _ in at_large]
    matrix[ORDERED] = [ordered for _, ordered in at_large]
    mask = np.array(eligible[:size])
    pool = np.concatenate([matrix[FREE] * mask, matrix[ORDERED] * mask])
    reference = draws.stream(np.random.default_rng(seed))
    bits = reference.copy()
    gone = draws.capped(reference, pool, draws.poisson(reference, per_week))
    before = matrix.copy()
    left = background.cbp_home(bits, matrix, per_week, np.flatnonzero(mask))
    assert left == gone.sum() and np.array_equal(bits, reference)
    assert np.array_equal(before[FREE] - matrix[FREE], gone[:size])
    assert np.array_equal(before[ORDERED] - matrix[ORDERED], gone[size:])


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 30),
    st.integers(1, 4),
    st.integers(0, 2**32 - 1),
    st.integers(0, 400),
)
def test_admissions_follow_the_national_order_and_transfer_beyond_the_own_area(
    size: int, areas: int, seed: int, beds: int
) -> None:
    """The week's admissions, by hand: requests ranked over the nation (a random order of the
    removal then court requests) are admitted in that order until the beds left run out (a
    partial last request), each admitted person to their own area's free beds (its beds less
    its detained) while any are free, transferred beyond; the rest released with an order or a
    notice to appear. The beds and the detained are drawn so that they bind, or not."""
    rng = np.random.default_rng(seed)
    area = rng.integers(0, areas, size)
    matrix = np.zeros((5, size), dtype=np.int64)
    matrix[HELD_COURT] = rng.integers(0, 8, size)
    matrix[HELD_REMOVAL] = rng.integers(0, 8, size)
    to_removal = rng.integers(0, 6, size) * (rng.random(size) < 0.4)
    to_court = rng.integers(0, 6, size) * (rng.random(size) < 0.4)
    order = rng.permutation(2 * size)
    rank = np.empty_like(order)
    rank[order] = np.arange(2 * size)
    shares = rng.random(areas) + 0.1
    area_beds = np.floor(beds * shares / shares.sum()).astype(np.int64)
    none = np.zeros(size, dtype=bool)
    plan = detention.DetentionPlan(
        funded_beds=float(beds),
        beds=int(area_beds.sum()),
        area=area,
        area_beds=area_beds,
        p_bond_release=0.0,
        bondable=none,
        p_parolee_bond_release=0.0,
        parolee_bondable=none,
        recognizance_per_week=0.0,
        recognizable=none,
        bond_per_week=0.0,
        release_order=np.arange(size, dtype=np.int64),
        admission_rank=rank,
        admission_order=order,
    )
    before = matrix.copy()
    # the hand count: the beds left after any release for want of beds (none here unless the
    # detained are over the beds: then they are released first, and nobody is admitted)
    held = before[HELD_COURT] + before[HELD_REMOVAL]
    left = max(0, plan.beds - int(held.sum()))
    room = {a: max(0, int(area_beds[a]) - int(held[area == a].sum())) for a in range(areas)}
    admitted = np.zeros(2 * size, dtype=np.int64)
    transferred = np.zeros(size, dtype=np.int64)
    asked = np.concatenate([to_removal, to_court])
    for r in order:
        x = min(int(asked[r]), left)
        left -= x
        admitted[r] = x
        own = min(x, room[int(area[r % size])])
        room[int(area[r % size])] -= own
        transferred[r % size] += x - own
    out = _counts()
    bound, by_group, moved = detention.run(
        draws.stream(rng), matrix, to_removal, to_court, plan, out
    )
    if held.sum() > plan.beds:  # released for want of beds first: only the totals hold
        assert out[Count.CAPACITY_RELEASES] == held.sum() - plan.beds and bound
        assert out[Count.ADMISSIONS] == 0
        return
    assert np.array_equal(by_group, admitted[:size] + admitted[size:])
    assert np.array_equal(moved, transferred)  # none in one area: its beds are all the beds
    assert np.array_equal(matrix[HELD_REMOVAL], before[HELD_REMOVAL] + admitted[:size])
    assert np.array_equal(matrix[HELD_COURT], before[HELD_COURT] + admitted[size:])
    assert np.array_equal(matrix[ORDERED], before[ORDERED] + to_removal - admitted[:size])
    assert np.array_equal(matrix[RELEASED], before[RELEASED] + to_court - admitted[size:])
    assert out[Count.ADMISSIONS] == admitted.sum()
    assert out[Count.REFUSED_BED] == asked.sum() - admitted.sum()
    assert bound == (asked.sum() > admitted.sum())


def test_custody_moves_the_taken_to_their_charged_groups_as_the_pass_over_every_group() -> None:
    """``custody.to_charged`` reads only the listed groups, yet leaves the taken where a pass
    over both rows of every group, in ascending order, leaves them: a chain followed only
    forwards (group 0's taken go to 2, then on to 3; group 4's go back to 0 and stay, the pass
    having left 0 behind), and a group listed twice moved once."""
    charged = np.array([2, 1, 3, 3, 0], dtype=np.int64)
    taken = np.zeros((3, 5), dtype=np.int64)
    taken[FREE] = [5, 7, 0, 1, 2]
    taken[ORDERED] = [0, 0, 4, 0, 3]
    group = np.array([0, 1, 3, 4, 4, 2, 4], dtype=np.int64)
    source = np.array([FREE, FREE, FREE, FREE, FREE, ORDERED, ORDERED], dtype=np.int64)
    custody.to_charged(taken, charged, group, source)
    # by hand, the pass over the free row: 0 -> 2 ([0,7,5,1,2]), 2 -> 3 ([0,7,0,6,2]),
    # 4 -> 0 ([2,7,0,6,0]); the ordered row: 2 -> 3 ([0,0,0,4,3]), 4 -> 0 ([3,0,0,4,0])
    assert taken[FREE].tolist() == [2, 7, 0, 6, 0]
    assert taken[ORDERED].tolist() == [3, 0, 0, 4, 0]
    assert taken[RELEASED].tolist() == [0, 0, 0, 0, 0]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_custody_charged_move_equals_the_pass_over_every_group(seed: int) -> None:
    """The same against the pass over every group (as the stage made it before the list),
    written out here, on random charged groups with chains both ways and random listings."""
    rng = np.random.default_rng(seed)
    size = 12
    charged = np.where(rng.random(size) < 0.5, rng.integers(0, size, size), np.arange(size))
    taken = np.zeros((3, size), dtype=np.int64)
    listed = rng.integers(0, size, 10)
    rows = np.where(rng.random(10) < 0.5, FREE, ORDERED).astype(np.int64)
    for i, r in zip(listed, rows, strict=True):
        taken[r, i] = rng.integers(0, 5)
    expected = taken.copy()
    for r in (FREE, ORDERED):
        for i in range(size):
            j = charged[i]
            if j != i and expected[r, i] > 0:
                expected[r, j] += expected[r, i]
                expected[r, i] = 0
    custody.to_charged(taken, charged.astype(np.int64), listed.astype(np.int64), rows)
    assert (taken == expected).all()


def test_the_jail_chain_reads_each_groups_chances_from_its_class() -> None:
    # the chain computes a class's chances once and reads them at each of its groups: they
    # must be, bit for bit, what the same operations give group by group (as the chain made
    # them until 2026-12-05), for groups of a class that share every input
    rng = np.random.default_rng(11)
    for case in range(40):
        n_classes = int(rng.integers(1, 12))
        size = int(rng.integers(1, 200))
        label = rng.integers(0, n_classes, size)
        per_class = {
            "booking": rng.random(n_classes) * 0.2,
            "match": rng.random(n_classes),
            "enforce": rng.random(n_classes) * (rng.random(n_classes) < 0.8),
            "detainer": rng.integers(0, 4, n_classes).astype(np.int8),
            "p_detainer": rng.random(n_classes),
            "p_notification": rng.random(n_classes),
            "protect": np.where(rng.random(n_classes) < 0.7, 1.0, rng.random(n_classes)),
        }
        share, approve = float(rng.random()), float(rng.random())
        inputs = {name: values[label] for name, values in per_class.items()}
        chain = jail.chain(
            **inputs,  # type: ignore[arg-type]
            share_287g=share,
            approve=approve,
            classes=label * 7 + 3,  # any labels
        )
        # group by group: a detainer (2) or one on approval (3) honoured, a notification (1)
        # acted on, in time; a 287(g) hold of whoever the regime would arrest
        code = inputs["detainer"].astype(np.float64)
        d, note = inputs["p_detainer"], inputs["p_notification"]
        honour = inputs["protect"] * np.where(
            code == 2, d, np.where(code == 3, approve * d, np.where(code == 1, note, 0.0))
        )
        held = share * inputs["enforce"]
        either = held + (1.0 - share) * honour
        arrest = np.clip(inputs["booking"] * inputs["match"] * either, 0.0, 1.0)
        held_share = np.clip(
            np.divide(held, either, out=np.zeros_like(either), where=either > 0), 0.0, 1.0
        )
        assert chain.arrest.tobytes() == arrest.tobytes(), case
        assert chain.hazard.tobytes() == draws.hazards(arrest).tobytes(), case
        assert chain.held_share.tobytes() == held_share.tobytes(), case
        assert chain.pooled.shape[0] == np.unique(label).size


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 200),
    st.integers(1, 4),
    st.integers(0, 2**32 - 1),
    st.sampled_from([0.0, 0.02, 0.3, 1.0]),
    st.sampled_from([0.0, 0.1]),
    st.sampled_from([0.0, 3.0, 1e6]),
    st.sampled_from([0.0, 5.0, 1e6]),
)
def test_detention_draws_as_the_moves_over_every_group_and_admits_in_the_order(
    size: int,
    areas: int,
    seed: int,
    p_bond: float,
    p_parolee: float,
    bond_per_week: float,
    recognizance_per_week: float,
) -> None:
    """``detention.run`` (its releases swept over the groups with anyone awaiting court, the
    detained by area and the pool of the releases by count summed once and kept from the
    groups with a release, the requests' places marked as bits of words) against the week
    as it was made before, written out here from the stage's parts: ``stocks.move`` over every
    group at the bond rate (and the parolees' own), ``bonded`` and ``recognizance`` (each
    summing its pool over every group), the releases for want of beds (``admit`` in the
    release order) and the requests admitted in the national order (a random order of up to
    400 places, so the bits span several words) to their own area's free beds first. The same
    stocks, counts, admitted and transferred, and the stream in the same state; chances of 1
    and 0, counts above the pool and none, beds that bind or not."""
    rng = np.random.default_rng(seed)
    area = rng.integers(0, areas, size)
    matrix = np.zeros((5, size), dtype=np.int64)
    matrix[HELD_COURT] = rng.integers(0, 12, size) * (rng.random(size) < 0.4)
    matrix[HELD_REMOVAL] = rng.integers(0, 12, size) * (rng.random(size) < 0.3)
    matrix[RELEASED] = rng.integers(0, 5, size)
    to_removal = rng.integers(1, 6, size) * (rng.random(size) < 0.3)
    to_court = rng.integers(1, 6, size) * (rng.random(size) < 0.3)
    order = rng.permutation(2 * size)
    rank = np.empty_like(order)
    rank[order] = np.arange(2 * size)
    recognizable = rng.random(size) < 0.7
    parole = rng.random(size) < 0.2
    held_before = int(matrix[HELD_COURT].sum() + matrix[HELD_REMOVAL].sum())
    beds = int(rng.integers(0, 2 * held_before + 40))
    shares = rng.random(areas) + 0.1
    area_beds = np.floor(beds * shares / shares.sum()).astype(np.int64)
    plan = detention.DetentionPlan(
        funded_beds=float(beds),
        beds=int(area_beds.sum()),
        area=area,
        area_beds=area_beds,
        p_bond_release=p_bond,
        bondable=recognizable & ~parole,
        p_parolee_bond_release=p_parolee,
        parolee_bondable=recognizable & parole,
        recognizance_per_week=recognizance_per_week,
        recognizable=recognizable,
        bond_per_week=bond_per_week,
        release_order=rng.permutation(size).astype(np.int64),
        admission_rank=rank,
        admission_order=order,
    )
    start = draws.stream(rng)
    # the week as it was made: every sweep over every group, then the requests in order
    ref, s = start.copy(), matrix.copy()
    bond = stocks.move(ref, s, HELD_COURT, RELEASED, plan.bondable, p_bond)
    if p_parolee > 0.0:
        bond += stocks.move(ref, s, HELD_COURT, RELEASED, plan.parolee_bondable, p_parolee)
    bond += detention.bonded(ref, s, plan)
    recognized = detention.recognizance(ref, s, plan)
    held = s[HELD_COURT] + s[HELD_REMOVAL]
    over = int(held.sum()) - plan.beds
    capacity_released = 0
    if over > 0:
        out_court = detention.admit(s[HELD_COURT].copy(), plan.release_order, over)
        s[HELD_COURT] -= out_court
        s[RELEASED] += out_court
        out_removal = detention.admit(
            s[HELD_REMOVAL].copy(), plan.release_order, over - int(out_court.sum())
        )
        s[HELD_REMOVAL] -= out_removal
        s[ORDERED] += out_removal
        capacity_released = int(out_court.sum() + out_removal.sum())
        held = s[HELD_COURT] + s[HELD_REMOVAL]
    left = max(0, plan.beds - int(held.sum()))
    room = [max(0, int(area_beds[a]) - int(held[area == a].sum())) for a in range(areas)]
    asked = np.concatenate([to_removal, to_court])
    admitted = np.zeros(2 * size, dtype=np.int64)
    transferred = np.zeros(size, dtype=np.int64)
    for r in order:
        x = min(int(asked[r]), left)
        left -= x
        admitted[r] = x
        own = min(x, room[int(area[r % size])]) if areas > 1 else x
        if areas > 1:
            room[int(area[r % size])] -= own
        transferred[r % size] += x - own
    s[HELD_REMOVAL] += admitted[:size]
    s[ORDERED] += to_removal - admitted[:size]
    s[HELD_COURT] += admitted[size:]
    s[RELEASED] += to_court - admitted[size:]
    bits, out = start.copy(), _counts()
    bound, by_group, moved = detention.run(bits, matrix, to_removal, to_court, plan, out)
    assert np.array_equal(bits, ref) and np.array_equal(matrix, s)
    assert np.array_equal(by_group, admitted[:size] + admitted[size:])
    assert np.array_equal(moved, transferred)
    assert out[Count.BOND_RELEASES] == bond
    assert out[Count.RECOGNIZANCE_RELEASES] == recognized
    assert out[Count.CAPACITY_RELEASES] == capacity_released
    assert out[Count.ADMISSIONS] == admitted.sum()
    assert out[Count.REFUSED_BED] == asked.sum() - admitted.sum()
    assert bound == (asked.sum() > admitted.sum() or capacity_released > 0)


@settings(max_examples=80, deadline=None)
@given(
    sparse_counts,
    st.one_of(st.floats(0, 1), st.just(1.0), st.just(0.0), st.floats(1e-6, 1e-2)),
    st.integers(0, 2**32 - 1),
)
def test_prison_releases_draw_what_sweep_all_and_binom_each_draw(
    row: list[int], p: float, seed: int
) -> None:
    """The prison releases read the felons' stocks in place and keep those released in the
    candidates' own row: the draws must be ``draws.sweep_all`` on the felons' stocks gathered,
    then ``draws.binom_each`` on its counts (as the stage drew them until 2026-12-05), the
    same candidates by group and the stream left in the same state, after a row already holding
    entries, with empty groups and chances of 0 and 1."""
    rng = np.random.default_rng(seed)
    free = np.array(row, dtype=np.int64)
    felons = np.flatnonzero(rng.random(free.size) < 0.6).astype(np.int64)
    enforce = np.where(rng.random(felons.size) < 0.2, 1.0, rng.random(felons.size))
    plan = prison.PrisonPlan(True, p, felons, enforce)
    reference = draws.stream(np.random.default_rng(seed))
    bits = reference.copy()
    released = draws.sweep_all(reference, free[felons], p)
    arrested = draws.binom_each(reference, released, enforce)
    counts, groups, length = capacity.lists(2, free.size + 1)  # room for that entry too
    counts[1, 0], groups[1, 0], length[1] = 7, 3, 1  # an entry already in the row
    prison.candidates(bits, free, plan, counts, groups, length, 1)
    assert np.array_equal(bits, reference)
    assert length[1] == 1 + np.count_nonzero(arrested)
    assert counts[1, 0] == 7 and groups[1, 0] == 3
    assert np.array_equal(groups[1, 1 : length[1]], felons[arrested > 0])
    assert np.array_equal(counts[1, 1 : length[1]], arrested[arrested > 0])


def _listed_rows(lists: tuple[np.ndarray, np.ndarray, np.ndarray]) -> list[list[int]]:
    counts, groups, length = lists
    return [[*counts[r, : length[r]], -1, *groups[r, : length[r]]] for r in range(length.size)]


@settings(max_examples=80, deadline=None)
@given(sparse_counts, st.floats(0, 1), st.floats(0, 1), seeds)
def test_sweeps_over_the_occupied_groups_draw_what_sweeps_over_every_group_draw(
    row: list[int], scale: float, share: float, seed: int
) -> None:
    """Custody sweeps the ordered stock's occupied groups only (``capacity.occupied``): the
    task forces' competing events and the jail chain must give the same candidates, counts
    and stream as over every group, with empty groups, chances of 0 and 1 among them."""
    rng = np.random.default_rng(seed)
    n = np.array(row, dtype=np.int64)
    at = np.empty(n.size, dtype=np.int64)
    m = capacity.occupied(n, at)
    assert at[:m].tolist() == np.flatnonzero(n).tolist()
    chances = np.where(rng.random(n.size) < 0.1, 1.0, scale * rng.random(n.size))
    chances[rng.random(n.size) < 0.1] = 0.0
    events = competing([chances * share, chances * (1.0 - share)], n.size)
    results = []
    for listed in (False, True):
        bits = draws.stream(np.random.default_rng(seed))
        lists = capacity.lists(2, n.size)
        if listed:
            capacity.competing_listed(bits, n, *events, *lists, 0, at, m)
        else:
            capacity.competing_listed(bits, n, *events, *lists, 0)
        results.append((bits.tolist(), _listed_rows(lists)))
    assert results[0] == results[1]
    # the jail chain on a stock of its seven groups with some emptied
    stock, c = _chain_case()
    stock = np.where(rng.random(stock.size) < 0.4, 0, stock * (1 + (n[0] % 3)))
    chain = jail.chain(**c, classes=np.array([7, 7, 1, 2, 3, 4, 5]))  # type: ignore[arg-type]
    at = np.empty(stock.size, dtype=np.int64)
    m = capacity.occupied(stock, at)
    results = []
    for listed in (False, True):
        bits = draws.stream(np.random.default_rng(seed))
        out = _counts()
        lists = capacity.lists(2, stock.size)
        if listed:
            jail.candidates(bits, stock, chain, *lists, 0, out, at, m)
        else:
            jail.candidates(bits, stock, chain, *lists, 0, out)
        results.append((bits.tolist(), out.tolist(), _listed_rows(lists)))
    assert results[0] == results[1]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_custody_takes_every_candidate_as_take_listed_takes_each_share(seed: int) -> None:
    """Where the hours take every marked candidate (a scale of one), custody's take reads the
    list in place: the stocks, the taken, the counts and the hours used must be those of
    ``capacity.take_listed`` called on each share's candidates gathered (full-cost rows, then
    the partners'; as the take was made before 2026-12-05), with groups listed by two rows of
    one stock, candidates beyond their stock and rows of one share only."""
    rng = np.random.default_rng(seed)
    size, rows = 8, 5
    stocks = rng.integers(0, 6, (5, size)).astype(np.int64)
    sources = np.array([FREE, FREE, ORDERED, FREE, ORDERED], dtype=np.int64)
    channels = np.array(
        [Count.ARRESTS_287G, Count.ARRESTS_JAIL, Count.ARRESTS_JAIL, Count.ARRESTS_PRISON,
         Count.ARRESTS_287G_TASK_FORCE],
        dtype=np.int64,
    )  # fmt: skip
    partner = rng.random(rows) < (0.5 if seed % 3 else 0.0)
    cost = np.where(partner, 0.35, 1.7)
    found, group, of_row = [], [], []
    for c in range(rows):
        for i in np.flatnonzero(rng.random(size) < 0.5):
            found.append(int(rng.integers(1, 8)))
            group.append(int(i))
            of_row.append(c)
    f, g, r = (np.array(x, dtype=np.int64) for x in (found, group, of_row))
    among = rng.random(f.size) < 0.8
    expected_stocks, expected_taken = stocks.copy(), np.zeros((3, size), dtype=np.int64)
    expected_out, expected_used = _counts(), 0.0
    for kind in (False, True):
        if not (partner == kind).any():
            continue
        keep = among & (partner[r] == kind)
        _, n = capacity.take_listed(
            draws.stream(np.random.default_rng(0)), expected_stocks, f[keep], g[keep], r[keep],
            sources, channels, float(f[keep].sum()), expected_out, expected_taken,
        )  # fmt: skip
        expected_used += n * cost[np.flatnonzero(partner == kind)[0]]
    bits = draws.stream(np.random.default_rng(seed))
    before = bits.copy()
    taken, out = np.zeros((3, size), dtype=np.int64), _counts()
    cut, used = custody._take(
        bits, stocks, f, g, r, among, rows, sources, channels, partner, cost, 1.0, out, taken
    )
    assert not cut and used == expected_used
    assert (stocks == expected_stocks).all() and (taken == expected_taken).all()
    assert (out == expected_out).all() and (bits == before).all()


@settings(max_examples=80, deadline=None)
@given(
    sparse_counts,
    st.one_of(st.floats(0, 1), st.just(1.0), st.just(0.0), st.floats(1e-6, 1e-2)),
    seeds,
)
def test_the_courts_one_pass_draws_what_sweep_all_draws_and_lists_the_released(
    row: list[int], p: float, seed: int
) -> None:
    """The court's one pass over the groups: the detained cases ready are ``draws.sweep_all``'s
    draws on the detained awaiting court (the same counts by group, listed where any, and the
    stream left in the same state; empty groups, a chance of 1 and of 0 included), and the
    released awaiting court (another row, empty where the first is not) are the groups
    ``np.flatnonzero`` lists, with their counts and their sum."""
    n = np.array(row, dtype=np.int64)
    matrix = np.zeros((5, n.size), dtype=np.int64)
    matrix[HELD_COURT] = n
    matrix[RELEASED] = np.roll(n, 1) * (n == 0) + (np.arange(n.size) % 3 == 0)
    reference = draws.stream(np.random.default_rng(seed))
    bits = reference.copy()
    expected = draws.sweep_all(reference, n, p)
    before = matrix.copy()
    groups, ready, released, pending, total = court._ready_and_pending(bits, matrix, p)
    assert np.array_equal(groups, np.flatnonzero(expected))
    assert np.array_equal(ready, expected[groups]) and np.array_equal(bits, reference)
    assert np.array_equal(released, np.flatnonzero(before[RELEASED]))
    assert np.array_equal(pending, before[RELEASED][released])
    assert total == before[RELEASED].sum() and np.array_equal(matrix, before)


@settings(max_examples=80, deadline=None)
@given(sparse_counts, st.sampled_from([0.0, 0.5, 3.0, 40.0, 1e6]), seeds)
def test_third_country_removals_choose_as_capped_chooses_from_the_stuck_still_held(
    row: list[int], per_week: float, seed: int
) -> None:
    """The third countries' removals, listed from the stuck groups with anyone still held, are
    ``draws.capped``'s choice from the pool of every stuck group (zero where none is left),
    with the week's count drawn first (``draws.poisson``): the same people, the stream in the
    same state; a count of none, some and more than the pool."""
    pool = np.array(row, dtype=np.int64)
    reference = draws.stream(np.random.default_rng(seed))
    bits = reference.copy()
    expected = draws.capped(reference, pool, draws.poisson(reference, per_week))
    listed = np.flatnonzero(pool)
    chosen = removal._third_country(bits, pool[listed], int(pool.sum()), per_week)
    assert np.array_equal(chosen, expected[listed]) and np.array_equal(bits, reference)
    assert not expected[pool == 0].any()
