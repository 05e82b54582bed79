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
from immsim.engine import draws
from immsim.engine.compiled import jit
from immsim.engine.counts import Count
from immsim.engine.draws import Stream, binomial
from immsim.engine.inputs import PlanInputs
from immsim.engine.stocks import HELD_COURT, HELD_REMOVAL, ORDERED, RELEASED

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
    stocks: IntArray,
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
    grants relief at its own rate by group."""
    for i in range(stocks.shape[1]):
        d = done_detained[i]
        r = done_released[i]
        if d > 0:
            stocks[HELD_COURT, i] -= d
            granted = binomial(state, d, relief_detained[i])
            stocks[HELD_REMOVAL, i] += d - granted
            p_depart = _of_the_rest(p_departure, relief_detained[i])
            departing = binomial(state, d - granted, p_depart)
            out[Count.RELIEF_GRANTED] += granted
            out[Count.VOLUNTARY_DEPARTURES] += departing
            out[Count.ORDERS] += d - granted - departing
        if r > 0:
            stocks[RELEASED, i] -= r
            absentia = binomial(state, r, p_absentia)
            granted = binomial(state, r - absentia, relief_released[i])
            stocks[ORDERED, i] += r - granted
            out[Count.RELIEF_GRANTED] += granted
            out[Count.ORDERS_IN_ABSENTIA] += absentia
            out[Count.ORDERS] += r - granted


@jit
def run(state: Stream, stocks: IntArray, plan: CourtPlan, out: FloatArray) -> bool:
    """The week's court, in place; True if judges' hours bound."""
    h_det = plan.hours_detained
    h_rel = plan.hours_released
    ready_det = draws.sweep_all(state, stocks[HELD_COURT], plan.p_detained_ready)
    done_det = draws.capped(state, ready_det, plan.judge_hours / h_det)
    n_done_det = done_det.sum()
    hours_left = max(0.0, plan.judge_hours - n_done_det * h_det) * plan.released_share
    abroad = int(out[Count.COURT_ABROAD])
    released_pending = float(stocks[RELEASED].sum() + abroad)
    heard = min(1.0, (hours_left / h_rel) / released_pending) if released_pending > 0 else 0.0
    # the cases of people abroad at the week's rate of hearing (never past the hours), the
    # hours left to those here
    done_abroad = min(binomial(state, abroad, heard), math.floor(hours_left / h_rel))
    done_rel = draws.capped(state, stocks[RELEASED], hours_left / h_rel - done_abroad)
    n_done_rel = done_rel.sum()
    out[Count.JUDGE_HOURS_USED] = n_done_det * h_det + (n_done_rel + done_abroad) * h_rel
    out[Count.COURT_ABROAD] = abroad - done_abroad
    out[Count.ORDERS_IN_ABSENTIA] += done_abroad
    out[Count.ORDERS] += done_abroad
    decide(
        state,
        stocks,
        done_det,
        done_rel,
        plan.relief_detained,
        plan.relief_released,
        plan.p_in_absentia,
        plan.p_voluntary_departure,
        out,
    )
    out[Count.COMPLETIONS_DETAINED] = n_done_det
    out[Count.COMPLETIONS_RELEASED] = n_done_rel + done_abroad
    return n_done_det < ready_det.sum() or (heard < 1.0 and released_pending > 0)
