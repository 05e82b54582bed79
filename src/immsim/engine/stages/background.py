"""Background flows and arrivals: emigration and grants of status among everyone at large, then
the week's new arrivals: those who settle without a court case (``flows.arrivals``), and the
people Border Patrol released into the interior, from CBP's record: with a charging document
(:func:`immsim.engine.border.released_with_case_per_year`), who join the court backlog at once,
and, in 2021-2023, without one (:func:`immsim.engine.border.released_uncharged_per_year`), who
join the people at large with no case. The sources are separate, one leaf each: no share of the
tree's arrivals decides who has a case. The people CBP returned to Mexico under the Migrant
Protection Protocols (2019-2021, 2022: :func:`immsim.engine.border.mpp_cases_per_year`) arrive
in no stock: only their cases do, among the cases of people abroad (below).

An emigrant from the released court docket leaves the population but not the court's docket:
leaving does not end removal proceedings, the judge keeps jurisdiction and orders the absent
respondent removed in absentia when the Department shows notice and removability (Matter of
Sanchez-Herbert, 26 I&N Dec. 43 (BIA 2012); INA 240(b)(5)(A)), so EOIR counts the case pending
until that hearing and then among its in-absentia orders. The week adds such cases to the court's stock
of cases of people who left (``Count.COURT_ABROAD``), which the court completes
(:mod:`.court`).

From 10 March 2025 people also leave through the CBP Home app (``flows.cbp_home_departures``,
the record's count a year): each week that many of the people at large with no pending case
(with or without a final order) and no conviction or pending charge (whom the stipend is
offered to) are chosen at random and leave the population, at most all of them. They are
counted apart (``Count.CBP_HOME_DEPARTURES``), not as removals, and priced by
:mod:`immsim.engine.costs`."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from immsim.dates import WEEKS_PER_YEAR
from immsim.engine import border, draws
from immsim.engine.compiled import jit
from immsim.engine.counts import Count
from immsim.engine.draws import Stream, binomial, exponential, walk
from immsim.engine.groups import LEVELS
from immsim.engine.inputs import PlanInputs
from immsim.engine.rates import weekly
from immsim.engine.stocks import FREE, ORDERED, RELEASED, CountArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


class BackgroundPlan(NamedTuple):
    p_emigration: float
    p_status_grant: float
    arrivals_per_week: float  # without a court case
    cases_per_week: float  # released at the border with a court case
    uncharged_per_week: float  # released at the border with no charging document filed
    mpp_cases_per_week: float  # returned to Mexico at the border to await a hearing (MPP)
    cohort: IntArray  # the groups this year's arrivals join
    arrival_weights: FloatArray  # their shares of arrivals without a court case
    case_weights: FloatArray  # and with one
    cbp_home_per_week: float  # paid self-departures through the CBP Home app (the record's count)
    cbp_home_groups: IntArray  # the groups the app's stipend is offered to: no criminal record


def plan(x: PlanInputs) -> BackgroundPlan:
    g, p = x.groups, x.p
    cohort = g.cohort(x.day.year)
    asylum_weight = float(p["courts.process.backlog_asylum_weight"])
    return BackgroundPlan(
        p_emigration=float(weekly(p["flows.emigration_rate"])),
        p_status_grant=float(weekly(p["flows.status_grant_rate"])),
        arrivals_per_week=float(p["flows.arrivals"]) / WEEKS_PER_YEAR,
        cases_per_week=border.released_with_case_per_year(p) / WEEKS_PER_YEAR,
        uncharged_per_week=border.released_uncharged_per_year(p) / WEEKS_PER_YEAR,
        mpp_cases_per_week=border.mpp_cases_per_year(p) / WEEKS_PER_YEAR,
        cohort=cohort,
        arrival_weights=g.arrival_weights,
        # people released at the border (with a notice to appear or, uncharged, with a notice to
        # report or on parole) are asylum seekers more often than others
        case_weights=g.arrival_weights * np.where(x.a.asylum[cohort], asylum_weight, 1.0),
        cbp_home_per_week=float(p["flows.cbp_home_departures"]) / WEEKS_PER_YEAR,
        # the stipend is offered to non-criminal aliens: no conviction and no pending charge
        cbp_home_groups=np.flatnonzero(
            (x.a.criminal_history == LEVELS["criminal_history"].index("none")) & ~x.a.pending
        ),
    )


@jit
def leave(state: Stream, stocks: CountArray, p_emig: float, p_grant: float) -> tuple[int, int, int]:
    """Emigration and grants of status in the three stocks at large, in place; returns how many
    emigrated, how many were granted status (competing events: at most one each) and how many
    of the emigrants left a court case pending (from the released docket)."""
    emigrated = 0
    granted = 0
    with_case = 0
    for row in (FREE, RELEASED, ORDERED):
        # a final order bars a grant of status
        p_any = min(1.0, p_emig + (p_grant if row != ORDERED else 0.0))
        if p_any <= 0.0:
            continue
        left = _leaving(state, stocks[row], p_any)
        # which of the leavers emigrated: one share for the whole stock, so one draw for it
        gone = binomial(state, left, p_emig / p_any)
        emigrated += gone
        granted += left - gone
        if row == RELEASED:
            with_case = gone
    return emigrated, granted, with_case


@jit
def _leaving(state: Stream, n: IntArray, p: float) -> int:
    """Each person of ``n`` (a row of the stocks) leaves with the chance ``p``, in place, swept
    with one clock over the groups (see ``draws.walk``); returns how many left.

    An empty group is not tested for: its share of the clock, ``0 * hazard``, is zero, so the
    clock outlasts it and runs on unchanged, as if it were skipped (the same draws). The rows
    at large are empty in 40-70% of the groups by area, in no pattern, so the test mispredicted:
    the three sweeps took 0.46-0.50 ms a year into the default run by area, 0.37-0.40 ms
    without it (least thread time of 60 on the week's real stocks). Where everyone leaves
    (``p`` of 1, an infinite hazard, whose product with an empty group is not zero) the groups
    are tested as before."""
    clock = exponential(state)
    left = 0
    if p >= 1.0:
        for i in range(n.size):
            if n[i] == 0:
                continue
            anyone, clock = walk(state, n[i], p, math.inf, clock)
            n[i] -= anyone
            left += anyone
        return left
    hazard = -math.log1p(-p)
    for i in range(n.size):
        h = n[i] * hazard
        if clock >= h:
            clock -= h
            continue
        anyone, clock = walk(state, n[i], p, hazard, clock)
        n[i] -= anyone
        left += anyone
    return left


@jit
def cbp_home(state: Stream, stocks: CountArray, per_week: float, groups: IntArray) -> int:
    """The week's departures through the CBP Home app, in place: the week's count (a Poisson
    draw of ``per_week``) chosen at random among the people at large with no pending case, with
    or without a final order, of the eligible ``groups`` (ascending), at most all of them;
    returns how many left.

    The people are chosen as ``draws.capped`` chooses them from a pool of every group's free,
    then every group's ordered (the same draws): ``capped`` chooses among the pool's non-zero
    counts only, in order, so the pool is listed here with those alone. A year into the default
    run by area the pool of every group (124,000 counts zeroed, searched and scattered back)
    made the stage 0.33 ms, the list of the eligible groups' 0.11 ms."""
    size = stocks.shape[1]
    where = np.empty(2 * groups.size, dtype=np.int64)
    pool = np.empty(2 * groups.size, dtype=np.int64)
    m = 0
    total = 0
    for row in (FREE, ORDERED):
        for j in range(groups.size):  # compacted without a branch
            i = groups[j]
            where[m] = i if row == FREE else size + i
            pool[m] = stocks[row, i]
            total += stocks[row, i]
            m += stocks[row, i] > 0
    wanted = draws.poisson(state, per_week)
    keep = max(0, math.floor(min(wanted, total)))  # as draws.capped
    if keep == 0:
        return 0
    gone = pool[:m] if total <= keep else draws.choose(state, pool[:m], total, keep)
    for j in range(m):
        if where[j] < size:
            stocks[FREE, where[j]] -= gone[j]
        else:
            stocks[ORDERED, where[j] - size] -= gone[j]
    left: int = gone.sum()
    return left


@jit
def run(state: Stream, stocks: CountArray, plan: BackgroundPlan, out: FloatArray) -> None:
    """The week's background flows and arrivals, in place; the emigrants' pending cases and the
    cases of people returned to Mexico under MPP are added to ``out[Count.COURT_ABROAD]`` (the
    court's stock of them, carried in by the week)."""
    emigrated, granted, left_case = leave(state, stocks, plan.p_emigration, plan.p_status_grant)
    out[Count.COURT_ABROAD] += left_case
    if plan.cbp_home_per_week > 0.0:  # no draw before the app, so earlier runs keep theirs
        out[Count.CBP_HOME_DEPARTURES] = cbp_home(
            state, stocks, plan.cbp_home_per_week, plan.cbp_home_groups
        )
    without = draws.poisson(state, plan.arrivals_per_week)
    with_case = draws.poisson(state, plan.cases_per_week)
    arrivals = without + with_case
    no_case = draws.spread(state, without, plan.arrival_weights)
    has_case = draws.spread(state, with_case, plan.case_weights)
    for j in range(plan.cohort.size):
        stocks[FREE, plan.cohort[j]] += no_case[j]
        stocks[RELEASED, plan.cohort[j]] += has_case[j]
    if plan.uncharged_per_week > 0.0:  # no draw outside 2021-2023, so other years' runs keep theirs
        uncharged = draws.poisson(state, plan.uncharged_per_week)
        arrivals += uncharged
        at_large = draws.spread(state, uncharged, plan.case_weights)
        for j in range(plan.cohort.size):
            stocks[FREE, plan.cohort[j]] += at_large[j]
    if plan.mpp_cases_per_week > 0.0:  # no draw outside MPP's months, as above
        mpp = draws.poisson(state, plan.mpp_cases_per_week)
        out[Count.COURT_ABROAD] += mpp
        out[Count.MPP_CASES] = mpp
    out[Count.EMIGRATED] = emigrated
    out[Count.STATUS_GRANTED] = granted
    out[Count.ARRIVALS] = arrivals
    out[Count.ARRIVALS_WITH_CASE] = with_case
