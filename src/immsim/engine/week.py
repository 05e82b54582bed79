"""One week of the pipeline as one compiled loop nest.

:mod:`immsim.engine.pipeline` decides what a week does (its :class:`~immsim.engine.plan.WeekPlan`
holds every rate, capacity and ordering, derived from the parameter tree); this module carries
it out. A week is some twenty passes over the engine groups, each a few thousand elements: run
one by one from Python they cost as much in call overhead and temporary arrays as in their own
work, so here they run in one compiled function, calling the stage loops of
:mod:`immsim.engine.stages` and the draws of :mod:`immsim.engine.draws` directly.

The plan reaches the loop packed into a few arrays (see :func:`pack`): per-group probabilities
as the rows of one float matrix, per-group flags and codes as the rows of one integer matrix,
and the scalars as one vector, each row and entry named by a constant here. The week's counts
come back as one vector named by ``OUT``.

Numba's disk cache checks only this file's date, though the week inlines the loops of
``stages.py`` and ``draws.py``: the engine package drops its caches when any of the three
changes (see ``immsim/engine/__init__.py``).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import NDArray

from immsim.engine import draws, stages
from immsim.engine.draws import Stream, binomial
from immsim.engine.plan import Attributes, WeekPlan
from immsim.engine.stages import FREE, HELD_COURT, HELD_REMOVAL, ORDERED, RELEASED

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

# rows of the per-group float matrix
(
    ENFORCE_P,
    ENFORCE_O,
    JAIL_ARREST_P,
    JAIL_HAZARD_P,
    JAIL_HELD_P,
    JAIL_ARREST_O,
    JAIL_HAZARD_O,
    JAIL_HELD_O,
    RELIEF,
    DOCUMENTED,
    LEADS,
) = range(11)
LEADS_BLOCKS = ((FREE, LEADS, 3), (ORDERED, LEADS + 4, 2), (RELEASED, LEADS + 7, 1))
"""Each stock's lead channels (its stock, first row, number of channels), from row ``LEADS``
on: the probability of any, its hazard, then each channel's share of what is left but the
last's (one row each)."""
N_FLOAT_ROWS = LEADS + 9

# rows of the per-group integer matrix
(
    FELON,
    EXEMPT_P,
    RANK_P,
    RANK_O,
    EXPEDITED,
    PRIOR_REMOVAL,
    AGGRAVATED,
    RETURN_ELIGIBLE,
    BONDABLE,
    REVIEW_CLOSABLE,
    IS_MEXICO,
    STUCK,
    RELEASE_ORDER,
    JAIL_CLASS_P,
    JAIL_CLASS_O,
    N_INT_ROWS,
) = range(16)

# entries of the scalar vector
(
    Q_HOURS,
    Q_H_CUSTODIAL,
    Q_H_AT_LARGE,
    Q_H_COLLATERAL,
    Q_H_LEAD,
    Q_JAIL,
    Q_PRISON,
    Q_P_PRISON_RELEASE,
    Q_AT_LARGE,
    Q_HOURS_PER_TARGET,
    Q_COLLATERAL_RATIO,
    Q_N_RANKS,
    Q_P_VOLUNTARY_RETURN,
    Q_INTERIOR_BEDS,
    Q_P_BOND_RELEASE,
    Q_JUDGE_HOURS,
    Q_H_DETAINED,
    Q_H_RELEASED,
    Q_P_DETAINED_READY,
    Q_P_IN_ABSENTIA,
    Q_REVIEW_PER_WEEK,
    Q_REVIEW_CLOSURE_SHARE,
    Q_SEATS,
    Q_P_ZADVYDAS,
    Q_P_EMIGRATION,
    Q_P_STATUS_GRANT,
    Q_ARRIVALS_PER_WEEK,
    Q_ARRIVAL_SHARE_WITH_CASE,
    N_SCALARS,
) = range(29)

OUT = (
    "emigrated",
    "status_granted",
    "arrivals",
    "arrivals_with_case",
    "jail_bookings",
    "jail_matches",
    "detainers",
    "notifications",
    "arrests_jail",
    "arrests_287g",
    "arrests_prison",
    "arrests_task_force",
    "arrests_database",
    "arrests_worksite",
    "arrests_check_in",
    "arrests_at_large",
    "arrests_collateral",
    "arrests",
    "reinstatements",
    "expedited_removals",
    "administrative_orders",
    "voluntary_returns",
    "notices_to_appear",
    "admissions",
    "refused_bed",
    "bond_releases",
    "capacity_releases",
    "zadvydas_releases",
    "completions_detained",
    "completions_released",
    "relief_granted",
    "orders_in_absentia",
    "orders",
    "review_cases",
    "review_closures",
    "removals_land",
    "removals_air",
    "officer_hours_used",
    "judge_hours_used",
    "binding_beds",
    "binding_officers",
    "binding_judges",
    "binding_seats",
    "binding_travel_documents",
    "review_scope",
)
"""What :func:`week` counts, in the order of the vector it returns."""
(
    O_EMIGRATED,
    O_STATUS_GRANTED,
    O_ARRIVALS,
    O_ARRIVALS_WITH_CASE,
    O_JAIL_BOOKINGS,
    O_JAIL_MATCHES,
    O_DETAINERS,
    O_NOTIFICATIONS,
    O_ARRESTS_JAIL,
    O_ARRESTS_287G,
    O_ARRESTS_PRISON,
    O_ARRESTS_TASK_FORCE,
    O_ARRESTS_DATABASE,
    O_ARRESTS_WORKSITE,
    O_ARRESTS_CHECK_IN,
    O_ARRESTS_AT_LARGE,
    O_ARRESTS_COLLATERAL,
    O_ARRESTS,
    O_REINSTATEMENTS,
    O_EXPEDITED,
    O_ADMINISTRATIVE,
    O_VOLUNTARY_RETURNS,
    O_NOTICES,
    O_ADMISSIONS,
    O_REFUSED_BED,
    O_BOND_RELEASES,
    O_CAPACITY_RELEASES,
    O_ZADVYDAS,
    O_COMPLETIONS_DETAINED,
    O_COMPLETIONS_RELEASED,
    O_RELIEF,
    O_ABSENTIA,
    O_ORDERS,
    O_REVIEW_CASES,
    O_REVIEW_CLOSURES,
    O_REMOVALS_LAND,
    O_REMOVALS_AIR,
    O_OFFICER_HOURS_USED,
    O_JUDGE_HOURS_USED,
    O_BINDING_BEDS,
    O_BINDING_OFFICERS,
    O_BINDING_JUDGES,
    O_BINDING_SEATS,
    O_BINDING_DOCUMENTS,
    O_REVIEW_SCOPE,
    N_OUT,
) = range(len(OUT) + 1)

# the lead channels in the order of LEADS_BLOCKS' rows: the stock each draws from and the
# count it adds to (database leads and check-ins reach two stocks each)
LEAD_SOURCES = np.array([source for source, _, n in LEADS_BLOCKS for _ in range(n)])
LEAD_CHANNELS = np.array(
    [
        O_ARRESTS_TASK_FORCE,
        O_ARRESTS_DATABASE,
        O_ARRESTS_WORKSITE,
        O_ARRESTS_DATABASE,
        O_ARRESTS_CHECK_IN,
        O_ARRESTS_CHECK_IN,
    ]
)

_jit = numba.njit(cache=True, nogil=True)


@dataclass(frozen=True)
class Packed:
    """A plan as the compiled week takes it."""

    floats: FloatArray
    ints: IntArray
    admission_order: IntArray
    scalars: FloatArray
    jail_pooled_p: FloatArray
    jail_pooled_o: FloatArray
    cohort: IntArray  # the groups this year's arrivals join
    arrival_weights: FloatArray  # their shares of arrivals, without and with a court case
    case_weights: FloatArray


def pack(w: WeekPlan, a: Attributes) -> Packed:
    """Lay a plan (and the group attributes it reads) out for :func:`week` (once per plan),
    over its active groups only (``w.active``: the stocks passed to :func:`week` are those
    groups' columns)."""
    size = w.enforce_p.size
    floats = np.zeros((N_FLOAT_ROWS, size))
    floats[ENFORCE_P] = w.enforce_p
    floats[ENFORCE_O] = w.enforce_o
    ints = np.zeros((N_INT_ROWS, size), dtype=np.int64)
    no_classes = np.zeros((1, 4))
    pooled = {JAIL_CLASS_P: no_classes, JAIL_CLASS_O: no_classes}
    for chain, arrest, hazard, held, classes in (
        (w.jail_p, JAIL_ARREST_P, JAIL_HAZARD_P, JAIL_HELD_P, JAIL_CLASS_P),
        (w.jail_o, JAIL_ARREST_O, JAIL_HAZARD_O, JAIL_HELD_O, JAIL_CLASS_O),
    ):
        if chain is not None:
            floats[arrest] = chain.arrest
            floats[hazard] = chain.hazard
            floats[held] = chain.held_share
            ints[classes] = chain.classes
            pooled[classes] = chain.pooled
    for (_, block, channels), (any_lead, shares, any_hazard) in zip(
        LEADS_BLOCKS, (w.leads_free, w.leads_ordered, w.leads_released), strict=True
    ):
        floats[block] = any_lead
        floats[block + 1] = any_hazard
        floats[block + 2 : block + 1 + channels] = shares
    floats[RELIEF] = w.relief
    floats[DOCUMENTED] = w.p_documented
    ints[FELON] = a.felon
    ints[EXEMPT_P] = w.tri.exempt
    ints[RANK_P] = w.rank_p
    ints[RANK_O] = w.rank_o
    ints[EXPEDITED] = w.expedited
    ints[PRIOR_REMOVAL] = a.prior_removal
    ints[AGGRAVATED] = a.aggravated
    ints[RETURN_ELIGIBLE] = a.return_eligible
    ints[BONDABLE] = a.bondable
    ints[REVIEW_CLOSABLE] = w.tri.review_closable
    ints[IS_MEXICO] = a.is_mexico
    ints[STUCK] = a.stuck
    q = np.zeros(N_SCALARS)
    q[Q_HOURS] = w.hours
    q[Q_H_CUSTODIAL] = w.h_custodial
    q[Q_H_AT_LARGE] = w.h_at_large
    q[Q_H_COLLATERAL] = w.h_collateral
    q[Q_H_LEAD] = w.h_lead
    if w.jail_p is not None:
        q[Q_JAIL] = 1.0
    if w.p_prison_release is not None:
        q[Q_PRISON] = 1.0
        q[Q_P_PRISON_RELEASE] = w.p_prison_release
    q[Q_AT_LARGE] = float(w.at_large)
    q[Q_HOURS_PER_TARGET] = w.hours_per_target
    q[Q_COLLATERAL_RATIO] = w.collateral_ratio
    q[Q_N_RANKS] = w.n_ranks
    q[Q_P_VOLUNTARY_RETURN] = w.p_voluntary_return
    q[Q_INTERIOR_BEDS] = w.interior_beds
    q[Q_P_BOND_RELEASE] = w.p_bond_release
    q[Q_JUDGE_HOURS] = w.judge_hours
    q[Q_H_DETAINED] = w.h_detained
    q[Q_H_RELEASED] = w.h_released
    q[Q_P_DETAINED_READY] = w.p_detained_ready
    q[Q_P_IN_ABSENTIA] = w.p_in_absentia
    q[Q_REVIEW_PER_WEEK] = w.review_per_week
    q[Q_REVIEW_CLOSURE_SHARE] = w.review_closure_share
    q[Q_SEATS] = w.seats
    q[Q_P_ZADVYDAS] = w.p_zadvydas
    q[Q_P_EMIGRATION] = w.p_emigration
    q[Q_P_STATUS_GRANT] = w.p_status_grant
    q[Q_ARRIVALS_PER_WEEK] = w.arrivals_per_week
    q[Q_ARRIVAL_SHARE_WITH_CASE] = w.arrival_share_with_case
    # only the groups that can hold anyone: the later cohorts' are left out of every loop
    n = w.active
    ints[RELEASE_ORDER, :n] = w.release_order[w.release_order < n]
    order = w.admission_order  # removal requests 0 … size-1, court requests size … 2 size-1
    court = order >= size
    kept = np.where(court, order - size < n, order < n)
    admission = np.where(court, order - size + n, order)[kept].astype(np.int64)
    floats = np.ascontiguousarray(floats[:, :n])
    ints = np.ascontiguousarray(ints[:, :n])
    for array in (floats, ints, q, *pooled.values()):
        array.flags.writeable = False
    return Packed(
        floats,
        ints,
        admission,
        q,
        pooled[JAIL_CLASS_P],
        pooled[JAIL_CLASS_O],
        np.array(w.cohort, dtype=np.int64),  # copies: the groups' own arrays are read-only
        np.array(w.arrival_weights, dtype=np.float64),
        np.array(w.case_weights, dtype=np.float64),
    )


@_jit
def _take(
    state: Stream,
    stocks: IntArray,
    drawn: IntArray,
    sources: IntArray,
    channels: IntArray,
    limit: float,
    out: FloatArray,
    taken: IntArray,
) -> bool:
    """Arrest the candidates of several channels (rows of ``drawn``) within one capacity of
    ``limit`` arrests, taking them out of their source stocks into ``taken``; True if the
    capacity cut any. Someone drawn by two channels is arrested once."""
    keep = max(0, math.floor(limit))
    size = drawn.shape[1]
    flat = drawn.ravel()
    where = np.flatnonzero(flat)  # most groups have no candidate: only these are visited
    counts = flat[where]
    total = counts.sum()
    cut: bool = total > keep
    if cut:  # exactly floor(limit) taken, fewer than wanted
        counts = draws._choose(state, counts, total, keep)
    for j in range(where.size):
        c = where[j] // size
        i = where[j] - c * size
        row = sources[c]
        part = min(counts[j], stocks[row, i])
        if part > 0:
            stocks[row, i] -= part
            taken[row, i] += part
            out[channels[c]] += part
    return cut


@_jit
def _reachable(stock: IntArray, p: FloatArray) -> bool:
    """Whether anyone in ``stock`` has a chance ``p`` of an event (stops at the first)."""
    for i in range(stock.size):  # noqa: SIM110 (numba compiles no generator in any())
        if stock[i] > 0 and p[i] > 0.0:
            return True
    return False


@_jit
def _week(
    state: Stream,
    all_stocks: IntArray,
    floats: FloatArray,
    ints: IntArray,
    admission_order: IntArray,
    q: FloatArray,
    jail_pooled_p: FloatArray,
    jail_pooled_o: FloatArray,
    cohort: IntArray,
    arrival_weights: FloatArray,
    case_weights: FloatArray,
    effort: float,
    locate_p: FloatArray,
    hazard_p: FloatArray,
    locate_o: FloatArray,
    hazard_o: FloatArray,
    review_on: bool,
    review_scope: float,
    reviewed: float,
    cells: IntArray,
    n_columns: int,
) -> tuple[FloatArray, FloatArray]:
    size = floats.shape[1]  # the plan's active groups (later entry cohorts are empty)
    stocks = all_stocks[:, :size]
    out = np.zeros(N_OUT)

    # background flows (emigration, grants of status), then this week's arrivals: people
    # released at the border with a notice to appear arrive with a court case
    emigrated, granted = stages._background(state, stocks, q[Q_P_EMIGRATION], q[Q_P_STATUS_GRANT])
    arrivals = draws.poisson(state, q[Q_ARRIVALS_PER_WEEK])
    with_case = binomial(state, arrivals, q[Q_ARRIVAL_SHARE_WITH_CASE])
    no_case = draws.spread(state, arrivals - with_case, arrival_weights)
    has_case = draws.spread(state, with_case, case_weights)
    for j in range(cohort.size):
        stocks[FREE, cohort[j]] += no_case[j]
        stocks[RELEASED, cohort[j]] += has_case[j]
    out[O_EMIGRATED] = emigrated
    out[O_STATUS_GRANTED] = granted
    out[O_ARRIVALS] = arrivals
    out[O_ARRIVALS_WITH_CASE] = with_case

    taken = np.zeros_like(stocks)

    # officer capacity; custodial arrests (jails, prisons) come first on its hours
    hours = q[Q_HOURS] * effort
    custodial = np.zeros((5, size), dtype=np.int64)
    n_custodial = 0
    sources = np.zeros(5, dtype=np.int64)
    channels = np.zeros(5, dtype=np.int64)
    if q[Q_JAIL] > 0.0:
        for source, arrest, arrest_hazard, held, classes, pooled in (
            (FREE, JAIL_ARREST_P, JAIL_HAZARD_P, JAIL_HELD_P, JAIL_CLASS_P, jail_pooled_p),
            (ORDERED, JAIL_ARREST_O, JAIL_HAZARD_O, JAIL_HELD_O, JAIL_CLASS_O, jail_pooled_o),
        ):
            totals = stages._jail(
                state,
                stocks[source],
                floats[arrest],
                floats[arrest_hazard],
                floats[held],
                ints[classes],
                pooled,
                custodial[n_custodial],
                custodial[n_custodial + 1],
            )
            out[O_JAIL_BOOKINGS] += totals[0]
            out[O_JAIL_MATCHES] += totals[1]
            out[O_DETAINERS] += totals[2]
            out[O_NOTIFICATIONS] += totals[3]
            sources[n_custodial : n_custodial + 2] = source
            channels[n_custodial] = O_ARRESTS_287G
            channels[n_custodial + 1] = O_ARRESTS_JAIL
            n_custodial += 2
    if q[Q_PRISON] > 0.0:
        felons = np.where(ints[FELON] != 0, stocks[FREE], 0)
        released = draws._sweep_all(state, felons, q[Q_P_PRISON_RELEASE])
        custodial[n_custodial] = draws._binom_each(state, released, floats[ENFORCE_P])
        sources[n_custodial] = FREE
        channels[n_custodial] = O_ARRESTS_PRISON
        n_custodial += 1
    officers_binding = False
    if n_custodial > 0:
        officers_binding = _take(
            state,
            stocks,
            custodial[:n_custodial],
            sources[:n_custodial],
            channels[:n_custodial],
            hours / q[Q_H_CUSTODIAL],
            out,
            taken,
        )
    hours_left = max(0.0, hours - float(taken.sum()) * q[Q_H_CUSTODIAL])

    # leads: task forces, databases, worksites, check-ins (each stock's compete in one draw);
    # with no hours left for even one, none are drawn (all would be cut)
    lead_limit = hours_left / q[Q_H_LEAD]
    if lead_limit >= 1.0:
        leads = np.zeros((LEAD_CHANNELS.size, size), dtype=np.int64)
        first = 0
        for source, block, n_channels in LEADS_BLOCKS:
            draws._competing_into(
                state,
                stocks[source],
                floats[block],
                floats[block + 1],
                floats[block + 2 : block + 1 + n_channels],
                leads[first : first + n_channels],
            )
            first += n_channels
        from_leads = np.zeros_like(stocks)
        leads_binding = _take(
            state, stocks, leads, LEAD_SOURCES, LEAD_CHANNELS, lead_limit, out, from_leads
        )
        hours_left = max(0.0, hours_left - float(from_leads.sum()) * q[Q_H_LEAD])
        taken += from_leads
    else:
        leads_binding = False
        for source, block, _ in LEADS_BLOCKS:
            leads_binding = leads_binding or _reachable(stocks[source], floats[block])
    officers_binding = officers_binding or leads_binding

    # at-large operations, down the tiers: each takes what it needs of the hours left
    capacity = hours_left / q[Q_HOURS_PER_TARGET] if q[Q_AT_LARGE] > 0.0 else 0.0
    n_ranks = int(q[Q_N_RANKS])
    needs_p = np.zeros(n_ranks)
    needs_o = np.zeros(n_ranks)
    rank_p = ints[RANK_P]
    rank_o = ints[RANK_O]
    if capacity > 0.0:
        for i in range(size):
            needs_p[rank_p[i]] += stocks[FREE, i] * locate_p[i]
            needs_o[rank_o[i]] += stocks[ORDERED, i] * locate_o[i]
    by_rank = np.zeros(n_ranks)
    remaining = capacity
    for index in range(n_ranks):
        need = needs_p[index] + needs_o[index]
        if need <= 0:
            continue
        f = min(1.0, remaining / need)
        by_rank[index] = f
        remaining -= f * need
        if remaining <= 0:
            break
    large_p = np.zeros(size, dtype=np.int64)
    large_o = np.zeros(size, dtype=np.int64)
    if capacity >= 1.0:  # below one arrest's hours none is drawn (all would be cut)
        located = np.empty(2 * size, dtype=np.int64)
        located[:size] = stages._binom_by_rank(
            state, stocks[FREE], locate_p, hazard_p, rank_p, by_rank
        )
        located[size:] = stages._binom_by_rank(
            state, stocks[ORDERED], locate_o, hazard_o, rank_o, by_rank
        )
        drawn = draws._cap(state, located, capacity)
        large_p = drawn[:size]
        large_o = drawn[size:]
        stocks[FREE] -= large_p
        stocks[ORDERED] -= large_o
    targeted = large_p.sum() + large_o.sum()
    if remaining <= 1e-9 and capacity > 0:
        officers_binding = True
    n_collateral = 0
    collateral = np.zeros(size, dtype=np.int64)
    if q[Q_COLLATERAL_RATIO] > 0.0 and targeted > 0:
        h_coll = q[Q_H_COLLATERAL]
        room = (hours_left - targeted * q[Q_H_AT_LARGE]) / h_coll if h_coll > 0 else targeted
        n_coll = min(binomial(state, targeted, min(1.0, q[Q_COLLATERAL_RATIO])), max(0, int(room)))
        # bystanders met in the operations: any of the non-exempt at large, one arrest each
        pool = np.where(ints[EXEMPT_P] != 0, 0, stocks[FREE])
        collateral = draws._cap(state, pool, float(n_coll))
        stocks[FREE] -= collateral
        n_collateral = collateral.sum()
    out[O_ARRESTS_AT_LARGE] = targeted
    out[O_ARRESTS_COLLATERAL] = n_collateral
    from_p = taken[FREE] + large_p + collateral
    from_o = taken[ORDERED] + large_o
    from_r = taken[RELEASED].copy()
    out[O_OFFICER_HOURS_USED] = (
        hours - hours_left + targeted * q[Q_H_AT_LARGE] + n_collateral * q[Q_H_COLLATERAL]
    )
    arrested = from_p + from_o + from_r
    out[O_ARRESTS] = arrested.sum()

    # processing
    to_removal, to_court, paths = stages._processing(
        state,
        from_p,
        from_o,
        from_r,
        ints[PRIOR_REMOVAL],
        ints[EXPEDITED],
        ints[AGGRAVATED],
        ints[RETURN_ELIGIBLE],
        q[Q_P_VOLUNTARY_RETURN],
    )
    out[O_REINSTATEMENTS] = paths[0]
    out[O_EXPEDITED] = paths[1]
    out[O_ADMINISTRATIVE] = paths[2]
    out[O_VOLUNTARY_RETURNS] = paths[3]
    out[O_NOTICES] = paths[4]

    # detention: bond releases, then releases if beds fell short, then admissions in order
    interior_beds = int(q[Q_INTERIOR_BEDS])
    out[O_BOND_RELEASES] = stages._move(
        state, stocks, HELD_COURT, RELEASED, ints[BONDABLE], q[Q_P_BOND_RELEASE]
    )
    over = stocks[HELD_COURT].sum() + stocks[HELD_REMOVAL].sum() - interior_beds
    capacity_released = 0
    if over > 0:
        out_now = stages._admit(stocks[HELD_COURT].copy(), ints[RELEASE_ORDER], over)
        stocks[HELD_COURT] -= out_now
        stocks[RELEASED] += out_now
        capacity_released = out_now.sum()
    out[O_CAPACITY_RELEASES] = capacity_released
    space = max(0, interior_beds - (stocks[HELD_COURT].sum() + stocks[HELD_REMOVAL].sum()))
    both = np.empty(2 * size, dtype=np.int64)
    both[:size] = to_removal
    both[size:] = to_court
    admitted = stages._admit(both, admission_order, space)
    refused = 0
    for i in range(size):
        stocks[HELD_REMOVAL, i] += admitted[i]
        stocks[HELD_COURT, i] += admitted[size + i]
        stocks[ORDERED, i] += to_removal[i] - admitted[i]  # released with an order
        stocks[RELEASED, i] += to_court[i] - admitted[size + i]  # with a notice to appear
        refused += to_removal[i] - admitted[i] + to_court[i] - admitted[size + i]
    out[O_ADMISSIONS] = admitted.sum()
    out[O_REFUSED_BED] = refused
    beds_binding = refused > 0 or capacity_released > 0

    # court: judge hours, detained docket first
    judge_hours = q[Q_JUDGE_HOURS]
    h_det = q[Q_H_DETAINED]
    h_rel = q[Q_H_RELEASED]
    ready_det = draws._sweep_all(state, stocks[HELD_COURT], q[Q_P_DETAINED_READY])
    done_det = draws._cap(state, ready_det, judge_hours / h_det)
    n_done_det = done_det.sum()
    hours_left_j = max(0.0, judge_hours - n_done_det * h_det)
    released_pending = float(stocks[RELEASED].sum())
    heard = min(1.0, (hours_left_j / h_rel) / released_pending) if released_pending > 0 else 0.0
    # judges hear as many non-detained cases as their hours allow (in no particular order:
    # the model does not track a case's age)
    done_rel = draws._cap(state, stocks[RELEASED], hours_left_j / h_rel)
    n_done_rel = done_rel.sum()
    judges_binding = n_done_det < ready_det.sum() or (heard < 1.0 and released_pending > 0)
    out[O_JUDGE_HOURS_USED] = n_done_det * h_det + n_done_rel * h_rel
    outcomes = stages._court(state, stocks, done_det, done_rel, floats[RELIEF], q[Q_P_IN_ABSENTIA])
    out[O_RELIEF] = outcomes[0]
    out[O_ABSENTIA] = outcomes[1]
    out[O_ORDERS] = outcomes[2]
    out[O_COMPLETIONS_DETAINED] = n_done_det
    out[O_COMPLETIONS_RELEASED] = n_done_rel

    # prosecutorial-discretion review of pending cases (attorney hours)
    if review_on:
        if review_scope < 0:
            review_scope = float(stocks[RELEASED].sum() + stocks[HELD_COURT].sum())
        left = review_scope - reviewed
        if left > 0:
            n = min(left, q[Q_REVIEW_PER_WEEK])
            frac = min(1.0, n / max(float(stocks[RELEASED].sum()), 1.0))
            # administratively closed: back at large, still unauthorized
            out[O_REVIEW_CLOSURES] = stages._move(
                state,
                stocks,
                RELEASED,
                FREE,
                ints[REVIEW_CLOSABLE],
                frac * q[Q_REVIEW_CLOSURE_SHARE],
            )
            out[O_REVIEW_CASES] = n
    out[O_REVIEW_SCOPE] = review_scope

    # removal: travel documents, then land (Mexico) or seats on flights, and Zadvydas
    documented = draws._binom_each(state, stocks[HELD_REMOVAL], floats[DOCUMENTED])
    land = np.where(ints[IS_MEXICO] != 0, documented, 0)
    air_ready = documented - land
    air = draws._cap(state, air_ready, q[Q_SEATS])
    n_air = air.sum()
    removed = land + air
    stocks[HELD_REMOVAL] -= removed
    out[O_ZADVYDAS] = stages._move(
        state, stocks, HELD_REMOVAL, ORDERED, ints[STUCK], q[Q_P_ZADVYDAS]
    )
    out[O_REMOVALS_LAND] = land.sum()
    out[O_REMOVALS_AIR] = n_air
    out[O_BINDING_BEDS] = 1.0 if beds_binding else 0.0
    out[O_BINDING_OFFICERS] = 1.0 if officers_binding else 0.0
    out[O_BINDING_JUDGES] = 1.0 if judges_binding else 0.0
    out[O_BINDING_SEATS] = 1.0 if n_air < air_ready.sum() else 0.0
    out[O_BINDING_DOCUMENTS] = 1.0 if out[O_ZADVYDAS] > 0 else 0.0

    counts = np.empty((2, size), dtype=np.int64)
    counts[0] = removed
    counts[1] = arrested
    return out, stages._tally(cells, counts, n_columns)


def week(
    state: Stream,
    stocks: IntArray,
    plan: Packed,
    effort: float,
    located: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    review: tuple[bool, float, float],
    cells: IntArray,
    n_columns: int,
) -> tuple[FloatArray, FloatArray]:
    """Carry out a week (background flows, arrivals, arrests, processing, detention, court,
    review and removal) on ``stocks``, in place, in the
    plan's active groups (the first ``plan.floats.shape[1]``; ``located`` and ``cells`` are
    given for those only).

    ``effort`` is the goal controller's multiplier on officer hours; ``located`` the week's
    locate probabilities and hazards of people without and with an order (non-priority ones
    scaled by the week's share); ``review`` whether a discretion review runs, the number of
    cases in its scope (negative: not yet fixed, fixed now from the pending cases) and how many
    are reviewed already. Returns the counts named by ``OUT`` and the removals and arrests by
    breakdown column (``cells``, as :func:`immsim.engine.stages.tally`)."""
    out, sums = _week(
        state,
        stocks,
        plan.floats,
        plan.ints,
        plan.admission_order,
        plan.scalars,
        plan.jail_pooled_p,
        plan.jail_pooled_o,
        plan.cohort,
        plan.arrival_weights,
        plan.case_weights,
        float(effort),
        *located,
        bool(review[0]),
        float(review[1]),
        float(review[2]),
        cells,
        int(n_columns),
    )
    return out, sums


def kernels() -> list[object]:
    """Every compiled loop of the engine (their ``signatures`` say what is compiled)."""
    from numba.core.registry import CPUDispatcher

    return [
        value
        for module in (draws, stages, sys.modules[__name__])
        for value in vars(module).values()
        if isinstance(value, CPUDispatcher)
    ]


def warm_up() -> None:
    """Compile (on a machine's first run, some 40 s; numba caches the result on disk) or load
    the loops a run calls, with the argument types a run gives them, so that a run's progress
    does not stall in its first week. The values are placeholders: only their types count."""
    size = 4
    bits = draws.stream(np.random.default_rng(0))
    stocks = np.ones((len(stages.STOCKS), size + 1), dtype=np.int64)  # one group inactive
    floats = np.full((N_FLOAT_ROWS, size), 0.5)
    ints = np.zeros((N_INT_ROWS, size), dtype=np.int64)
    scalars = np.ones(N_SCALARS)
    for array in (floats, ints, scalars):
        array.flags.writeable = False
    pooled = np.full((1, 4), 0.5)
    pooled.flags.writeable = False
    cohort = np.arange(2, dtype=np.int64)
    plan = Packed(
        floats,
        ints,
        np.arange(2 * size, dtype=np.int64),
        scalars,
        pooled,
        pooled,
        cohort,
        np.full(2, 0.5),
        np.full(2, 0.5),
    )
    probs = np.full(size, 0.5)
    week(
        bits,
        stocks,
        plan,
        1.0,
        (probs, draws.hazards(probs), probs, draws.hazards(probs)),
        (True, -1.0, 0.0),
        np.zeros((2, size), dtype=np.int64),
        1,
    )
