"""Immigration court: judges' hours go to the detained docket first, then to as many released
cases as they allow (in no particular order: the model does not track a case's age), within the
share of those hours the courts could hold non-detained hearings (none from March to June 2020,
when EOIR postponed them for COVID-19, then court by court until February 2022). Each
completion is relief (the case ends, the person stays) or a removal order, relief granted at
each docket's own rate (judges grant it far less often to people they hear in detention);
released cases may be ordered in absentia. Some detained cases end in voluntary departure
instead of an order: the person still leaves from custody (departure under safeguards, which
ICE counts among its removals and returns), so it is a decision of its own in the counts, not
another way out of detention.

The released docket also holds the cases of people who left the country while their case was
pending (``Count.COURT_ABROAD``, :mod:`.background`): EOIR counts them pending until a hearing,
where the absent respondent is ordered removed in absentia. They take judge hours like any
released case and are heard at the same rate a week; each completion is an in-absentia order,
with nobody to join the final orders at large."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from immsim.dates import WEEKS_PER_YEAR
from immsim.engine.compiled import jit
from immsim.engine.counts import Count
from immsim.engine.draws import Stream, binomial, choose, exponential, walk
from immsim.engine.inputs import PlanInputs
from immsim.engine.stocks import HELD_COURT, HELD_REMOVAL, ORDERED, RELEASED, CountArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


class CourtPlan(NamedTuple):
    judge_hours: float  # a week
    hours_detained: float  # per completion
    hours_released: float
    released_share: float  # of the hours left after the detained docket, usable for released cases
    p_detained_ready: float  # a detained case ready for decision, a week
    relief_detained: FloatArray  # by group
    relief_released: FloatArray
    p_in_absentia: float
    p_voluntary_departure: float  # of detained completions


def plan(x: PlanInputs) -> CourtPlan:
    """The week's court from the parameters in force. Hours per released case are the fitted
    pace times its dated factor: EOIR's completion quota for each judge (FY2019 to October 2021)
    sped the released docket, which the fit on FY2012-FY2016 never saw."""
    p = x.p
    judges = float(p["courts.immigration_judges"])
    return CourtPlan(
        judge_hours=judges * float(p["courts.process.hours_per_judge_year"]) / WEEKS_PER_YEAR,
        hours_detained=float(p["courts.process.hours_per_case_detained"]),
        hours_released=float(p["courts.process.hours_per_case_released"])
        * float(p["courts.process.released_hours_factor"]),
        released_share=float(p["courts.process.non_detained_hearing_share"]),
        p_detained_ready=1.0 / max(1.0, float(p["courts.process.detained_case_weeks"])),
        relief_detained=np.where(
            x.a.asylum,
            float(p["courts.process.relief_share_asylum"]),
            float(p["courts.process.relief_share_detained"]),
        ),
        relief_released=np.where(
            x.a.asylum,
            float(p["courts.process.relief_share_asylum"]),
            float(p["courts.process.relief_share_released"]),
        ),
        p_in_absentia=float(p["courts.process.in_absentia_share"]),
        p_voluntary_departure=float(p["courts.process.detained_voluntary_departure_share"]),
    )


@jit
def _of_the_rest(share: float, taken: float) -> float:
    """A share of all, as a chance among those left after a share ``taken`` of all."""
    return min(1.0, share / (1.0 - taken)) if taken < 1.0 else 0.0


@jit
def decide(
    state: Stream,
    stocks: CountArray,
    done_detained: IntArray,
    done_released: IntArray,
    relief_detained: FloatArray,
    relief_released: FloatArray,
    p_absentia: float,
    p_departure: float,
    out: FloatArray,
) -> None:
    """Court completions decided, in place: detained cases ordered removed or granted voluntary
    departure stay held until they leave, released ones ordered removed are at large with an
    order. Voluntary departure is a share of all detained completions, as the records count
    it, taken from those not granted relief so that relief keeps its own share. Each docket
    grants relief at its own rate by group. (The completions by group: :func:`_decide_listed`
    decides them from the lists of the groups with any.)"""
    det = np.flatnonzero(done_detained)
    rel = np.flatnonzero(done_released)
    _decide_listed(
        state,
        stocks,
        det,
        done_detained[det],
        rel,
        done_released[rel],
        relief_detained,
        relief_released,
        p_absentia,
        p_departure,
        out,
    )


@jit
def _decide_listed(
    state: Stream,
    stocks: CountArray,
    det_groups: IntArray,
    det_done: IntArray,
    rel_groups: IntArray,
    rel_done: IntArray,
    relief_detained: FloatArray,
    relief_released: FloatArray,
    p_absentia: float,
    p_departure: float,
    out: FloatArray,
) -> None:
    """:func:`decide` of the completions listed by group (each list's groups ascending, zero
    counts allowed): the two lists are merged so that the draws fall as a pass over every
    group makes them, a group's detained cases before its released ones.

    A week's completions fall in a few thousand of the 62,000 groups by area (a year into the
    default run: 2,055 with detained and 1,332 with released completions), where a pass over
    every group tested each twice (see :func:`run` for what the lists saved)."""
    a = 0
    b = 0
    end = stocks.shape[1]  # past every group: a list that is done
    while a < det_groups.size or b < rel_groups.size:
        i_det = det_groups[a] if a < det_groups.size else end
        i_rel = rel_groups[b] if b < rel_groups.size else end
        if i_det <= i_rel:
            i = i_det
            d = det_done[a]
            a += 1
            if d > 0:
                stocks[HELD_COURT, i] -= d
                granted = binomial(state, d, relief_detained[i])
                stocks[HELD_REMOVAL, i] += d - granted
                p_depart = _of_the_rest(p_departure, relief_detained[i])
                departing = binomial(state, d - granted, p_depart)
                out[Count.RELIEF_GRANTED] += granted
                out[Count.VOLUNTARY_DEPARTURES] += departing
                out[Count.ORDERS] += d - granted - departing
        if i_rel <= i_det:
            i = i_rel
            r = rel_done[b]
            b += 1
            if r > 0:
                stocks[RELEASED, i] -= r
                absentia = binomial(state, r, p_absentia)
                granted = binomial(state, r - absentia, relief_released[i])
                stocks[ORDERED, i] += r - granted
                out[Count.RELIEF_GRANTED] += granted
                out[Count.ORDERS_IN_ABSENTIA] += absentia
                out[Count.ORDERS] += r - granted


@jit
def _ready(state: Stream, n: IntArray, p: float) -> tuple[IntArray, IntArray]:
    """``draws.sweep_all(state, n, p)``'s draws, the same random numbers in the same order,
    kept for the groups with an event only: their indices (ascending) and counts.

    The detained court row is empty in five of six groups by area, and few of the rest have a
    case ready (2,055 of 62,000 a year into the default run), so a zeroed table of every group
    and the searches of it for the groups with any (``draws.capped``'s) cost more than the
    draws; the events are listed here as they are drawn."""
    where = np.empty(n.size, dtype=np.int64)
    got = np.empty(n.size, dtype=np.int64)
    m = 0
    if p <= 0.0:
        return where[:0], got[:0]
    hazard = -math.log1p(-p) if p < 1.0 else math.inf
    clock = exponential(state)
    for i in range(n.size):
        if n[i] == 0:
            continue
        h = n[i] * hazard
        if clock >= h:  # no event in this group: the clock runs on (it is memoryless)
            clock -= h
            continue
        got[m], clock = walk(state, n[i], p, hazard, clock)
        where[m] = i
        m += 1
    return where[:m], got[:m]


@jit
def _ready_and_pending(
    state: Stream, stocks: CountArray, p: float
) -> tuple[IntArray, IntArray, IntArray, IntArray, int]:
    """In one pass over the groups: :func:`_ready`'s draws on the detained awaiting court (the
    groups with a case ready, ascending, and their counts), and the groups with anyone released
    awaiting court (ascending), their counts and the count of all, which draws nothing.

    Two passes, each reading one row of the stocks, took 0.13 and 0.09 ms a year into the
    default run by area (62,000 groups; least thread time of 100 on the week's real stocks),
    and the stage 0.46-0.54 ms against 0.42-0.47 ms with this one (alternated with main on
    2026-12-05; ``docs/calibration.md``, branch ``spdL``).
    The sweep compares the clock with the group's share before testing it for being empty, as
    ``draws.sweep_all`` does (an empty group's share is 0 and leaves the clock as it was; at a
    chance of 1 it is not a number and the group is passed over): the detained awaiting court
    are empty in five groups of six by area, in no pattern a test of emptiness first could
    predict. The released are listed without a branch (each group written, the end moved on by
    whether it holds anyone). Where ``p`` is 0 no clock is drawn and no group has an event."""
    size = stocks.shape[1]
    where = np.empty(size, dtype=np.int64)
    got = np.empty(size, dtype=np.int64)
    groups = np.empty(size, dtype=np.int64)
    counts = np.empty(size, dtype=np.int64)
    m = 0
    k = 0
    total = 0
    hazard = 0.0  # with no chance, every group's share is 0 and the clock never runs out
    clock = math.inf
    if p > 0.0:
        hazard = -math.log1p(-p) if p < 1.0 else math.inf
        clock = exponential(state)
    for i in range(size):
        r = stocks[RELEASED, i]
        groups[k] = i
        counts[k] = r
        total += r
        k += r > 0
        n = stocks[HELD_COURT, i]
        h = n * hazard
        if clock >= h:  # no event in this group: the clock runs on (it is memoryless)
            clock -= h
            continue
        if n == 0:  # 0 times an infinite hazard (p = 1)
            continue
        got[m], clock = walk(state, n, p, hazard, clock)
        where[m] = i
        m += 1
    return where[:m], got[:m], groups[:k], counts[:k], total


@jit
def _nonzero(where: IntArray, counts: IntArray) -> tuple[IntArray, IntArray]:
    """The entries of a list with a non-zero count (in order), compacted without a branch."""
    keep_where = np.empty(where.size, dtype=np.int64)
    keep_counts = np.empty(where.size, dtype=np.int64)
    m = 0
    for j in range(where.size):
        keep_where[m] = where[j]
        keep_counts[m] = counts[j]
        m += counts[j] > 0
    return keep_where[:m], keep_counts[:m]


@jit
def _capped_listed(state: Stream, counts: IntArray, total: int, limit: float) -> IntArray:
    """``draws.capped`` of a list of non-zero counts adding up to ``total``: its draws, since
    ``capped`` itself chooses among its non-zero counts only (``draws.choose``), in order."""
    keep = max(0, math.floor(min(limit, total)))
    if keep == 0:
        return np.zeros_like(counts)
    if total <= keep:
        return counts.copy()
    return choose(state, counts, total, keep)


@jit
def run(state: Stream, stocks: CountArray, plan: CourtPlan, out: FloatArray) -> bool:
    """The week's court, in place; True if judges' hours bound.

    The detained cases ready and the released cases pending are kept as lists of the groups
    with any, the draws those of ``draws.sweep_all`` and ``draws.capped`` on the rows by group
    (exact: the same draws in the same order). A year into the default run by area (62,000
    groups) the stage took 0.75 ms, and 0.57 ms with the lists (least thread time of 60 on the
    week's real stocks, three rounds each): the rows by group were zeroed, searched for the
    groups with any and scattered back, and the decisions passed over every group."""
    h_det = plan.hours_detained
    h_rel = plan.hours_released
    det_groups, ready, rel_groups, pending, n_pending = _ready_and_pending(
        state, stocks, plan.p_detained_ready
    )
    n_ready = ready.sum()
    done_det = _capped_listed(state, ready, n_ready, plan.judge_hours / h_det)
    n_done_det = done_det.sum()
    hours_left = max(0.0, plan.judge_hours - n_done_det * h_det) * plan.released_share
    abroad = int(out[Count.COURT_ABROAD])
    released_pending = float(n_pending + abroad)
    heard = min(1.0, (hours_left / h_rel) / released_pending) if released_pending > 0 else 0.0
    # the cases of people abroad at the week's rate of hearing (never past the hours), the
    # hours left to those here
    done_abroad = min(binomial(state, abroad, heard), math.floor(hours_left / h_rel))
    done_rel = _capped_listed(state, pending, n_pending, hours_left / h_rel - done_abroad)
    n_done_rel = done_rel.sum()
    # the completions fall in a few groups of those pending (1,332 of 24,703 a year in by
    # area): merging the whole list into the decisions cost 0.08 ms more than this pass
    rel_groups, done_rel = _nonzero(rel_groups, done_rel)
    out[Count.JUDGE_HOURS_USED] = n_done_det * h_det + (n_done_rel + done_abroad) * h_rel
    out[Count.COURT_ABROAD] = abroad - done_abroad
    out[Count.ORDERS_IN_ABSENTIA] += done_abroad
    out[Count.ORDERS] += done_abroad
    _decide_listed(
        state,
        stocks,
        det_groups,
        done_det,
        rel_groups,
        done_rel,
        plan.relief_detained,
        plan.relief_released,
        plan.p_in_absentia,
        plan.p_voluntary_departure,
        out,
    )
    out[Count.COMPLETIONS_DETAINED] = n_done_det
    out[Count.COMPLETIONS_RELEASED] = n_done_rel + done_abroad
    return n_done_det < n_ready or (heard < 1.0 and released_pending > 0)
