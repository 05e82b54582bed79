"""The week's plan: every rate, capacity and per-group probability a week of the pipeline uses.

They depend only on the parameter values in force, the regime and the year (through the triage
and everyone's years in the U.S.), which change a few dozen times in a ten-year run. So they are
derived here once per (parameter span, regime, year) and a week only carries them out; what
depends on the run's state (the goal controller's effort, the stocks) is applied in the week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immsim.engine import draws
from immsim.engine.groups import LEVELS, Groups
from immsim.engine.triage import NO_TIER, Triage
from immsim.regimes.model import Regime

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
WEEKS_PER_YEAR = 52.1775
Plan3 = tuple[FloatArray, FloatArray, FloatArray]


def weekly(rate_per_year: float | FloatArray) -> FloatArray:
    """A hazard per year as a probability per week (exact for a constant hazard)."""
    return -np.expm1(-np.asarray(rate_per_year, dtype=np.float64) / WEEKS_PER_YEAR)


def competing_plan(probs: Sequence[FloatArray | float], shape: tuple[int, ...]) -> Plan3:
    """The probability of any event, each event's share of what is left after the ones before
    it (one row per event but the last; zero for an event that cannot happen), and the hazard
    of any event (for the draws' sweep)."""
    total_p = sum((np.asarray(q, dtype=np.float64) for q in probs), np.zeros(shape))
    shares = np.zeros((max(0, len(probs) - 1), *shape))
    left_p = total_p
    for row, q in enumerate(probs[:-1]):
        if not np.any(q):
            continue
        shares[row] = np.minimum(np.divide(q, left_p, out=np.zeros(shape), where=left_p > 0), 1.0)
        left_p = left_p - q
    total = np.minimum(total_p, 1.0)
    return total, shares, draws.hazards(total)


def rank_codes(
    rank_p: NDArray[np.int16], rank_o: NDArray[np.int16]
) -> tuple[IntArray, IntArray, int]:
    """Tier ranks of two triages as codes 0, 1, … in rank order, over the ranks either uses."""
    ranks, codes = np.unique(np.concatenate([rank_p, rank_o]), return_inverse=True)
    codes = codes.astype(np.int64)
    return codes[: rank_p.size], codes[rank_p.size :], int(ranks.size)


@dataclass(frozen=True)
class Attributes:
    """The group attributes the pipeline's rules read, as masks (fixed for a run)."""

    is_mexico: BoolArray
    stuck: BoolArray  # where removal can stall (Zadvydas)
    known: BoolArray
    pending: BoolArray
    felon: BoolArray
    aggravated: BoolArray
    prior_removal: BoolArray
    asylum: BoolArray
    return_eligible: BoolArray
    mandatory: BoolArray  # INA 236(c): serious convictions are held without bond
    bondable: BoolArray

    @classmethod
    def of(cls, g: Groups) -> Attributes:
        country = g.level_of("country_group")
        crim = g.level_of("criminal_history")
        imm = g.level_of("immigration_history")
        prot = g.level_of("protected_status")
        felon = np.isin(crim, ["felony", "aggravated_felony"])
        asylum = prot == "pending_asylum"
        return cls(
            is_mexico=country == "mexico_land",
            stuck=country == "refusing_or_delaying",
            known=g.flags["known_to_agency"],
            pending=g.flags["pending_charges"],
            felon=felon,
            aggravated=crim == "aggravated_felony",
            prior_removal=imm == "prior_removal",
            asylum=asylum,
            return_eligible=(crim == "none") & ~asylum,
            mandatory=felon,
            bondable=~felon,
        )


@dataclass(frozen=True)
class JailChain:
    """One stock's jail chain: booking → fingerprint match → a 287(g) hold (of whoever the
    regime would arrest) or, elsewhere, a detainer or notification honoured in time.

    Only the arrests change the stocks, so only they are drawn group by group: ``arrest`` is
    the probability a week that a person is held or transferred (``hazard`` its
    ``-log(1 - p)``), ``held_share`` the share of those held under 287(g). Everyone else's
    bookings and matches are only counted, and groups with the same chain (``classes``) have
    the same chances, given no arrest, of being booked, matched and in a 287(g) jail: so each
    class's are drawn at once for the pooled people. ``pooled`` holds those three conditional
    probabilities per class, and the class's detainer code (2 detainer, 1 notification)."""

    arrest: FloatArray
    hazard: FloatArray
    held_share: FloatArray
    classes: IntArray
    pooled: FloatArray


def _share(part: FloatArray, whole: FloatArray) -> FloatArray:
    out: FloatArray = np.clip(
        np.divide(part, whole, out=np.zeros_like(whole), where=whole > 0), 0.0, 1.0
    )
    return out


def jail_chain(
    booking: FloatArray,
    match: FloatArray,
    share_287g: float,
    enforce: FloatArray,
    detainer: NDArray[np.int8],
    p_detainer: float,
    p_notification: float,
    classes: IntArray,
) -> JailChain:
    """The chain of one stock (see :class:`JailChain`) from its per-group chances: booking and
    match a week, the regime's enforcement share and detainer code, and the chances that a
    detainer is honoured or a notification acted on in time. ``classes`` labels groups that
    share all of those (any labels: they are renumbered)."""

    def arrests(b: FloatArray, m: FloatArray, e: FloatArray, code: FloatArray) -> Plan3:
        honour = np.where(code == 2, p_detainer, np.where(code == 1, p_notification, 0.0))
        held = share_287g * e
        either = held + (1.0 - share_287g) * honour
        return np.clip(b * m * either, 0.0, 1.0), held, either

    code = detainer.astype(np.float64)
    arrest, held, either = arrests(booking, match, enforce, code)
    _, first, classes = np.unique(classes, return_index=True, return_inverse=True)
    b, m, e, k = booking[first], match[first], enforce[first], code[first]
    pa, _, _ = arrests(b, m, e, k)
    booked_left = np.clip(b - pa, 0.0, None)
    matched_left = np.clip(b * m - pa, 0.0, None)
    pooled = np.stack(
        [
            _share(booked_left, 1.0 - pa),  # booked, given no arrest
            _share(matched_left, booked_left),  # matched, given booked and no arrest
            _share(b * m * share_287g * (1.0 - e), matched_left),  # in 287(g), given those
            k,
        ],
        axis=1,
    )
    return JailChain(
        arrest=arrest,
        hazard=draws.hazards(arrest),
        held_share=_share(held, either),
        classes=classes.reshape(-1).astype(np.int64),
        pooled=np.ascontiguousarray(pooled),
    )


@dataclass(frozen=True)
class WeekPlan:
    """What a week of one parameter span, regime and year does (see the module's notes)."""

    regime: Regime
    active: int  # groups from the first on that can hold anyone (later entry cohorts are empty)
    tri: Triage  # people without an order
    tri_o: Triage  # the same people as if they held an order
    # background flows and arrivals
    p_emigration: float
    p_status_grant: float
    arrivals_per_week: float
    arrival_share_with_case: float
    cohort: IntArray  # the groups this year's arrivals join
    arrival_weights: FloatArray  # their shares of arrivals without a court case, and with one
    case_weights: FloatArray
    # officer capacity: hours a week before the goal's surge, and hours per arrest
    officers: float
    hours: float
    h_custodial: float
    h_at_large: float
    h_collateral: float
    h_lead: float
    enforce_p: FloatArray
    enforce_o: FloatArray
    jail_p: JailChain | None  # people at large with no order
    jail_o: JailChain | None  # people with an order (all known to the agency)
    p_prison_release: float | None
    leads_free: Plan3
    leads_ordered: Plan3
    leads_released: Plan3
    # at-large operations
    goal: float
    collateral_ratio: float
    at_large: bool
    hours_per_target: float  # an at-large arrest with its expected collateral arrests
    locate_p: FloatArray
    locate_o: FloatArray
    non_priority_share: float | None  # None: the regime enforces on everyone alike
    rank_p: IntArray
    rank_o: IntArray
    n_ranks: int
    # processing and detention
    expedited: BoolArray
    p_voluntary_return: float
    beds: float
    border_detained: float
    interior_beds: int
    p_bond_release: float
    release_order: IntArray  # who goes first when beds fall short
    admission_order: IntArray  # over removal requests, then court requests
    # court
    judges: float
    judge_hours: float
    h_detained: float
    h_released: float
    p_detained_ready: float
    relief: FloatArray
    p_in_absentia: float
    review_per_week: float
    review_closure_share: float
    # removal
    p_documented: FloatArray
    seats: float
    border_removals: float
    border_air: float
    p_zadvydas: float
    # the goal controller and costs
    goal_window_weeks: int
    surge_max: float
    controller_gain: float
    arrest_share: float
    cost_officer_week: float
    cost_bed_day: float
    cost_court_week: float
    cost_land: float
    cost_air: float


def _jail_classes(g: Groups, a: Attributes, t: Triage, known: bool) -> IntArray:
    """Groups that the jail chain treats alike: booking goes by criminal history and pending
    charges, the match by being known to the agency (``known``: where it matters), and the
    regime's enforcement and detainer action by the triage."""
    key = g.codes["criminal_history"].astype(np.int64) * 2 + a.pending
    if known:
        key = key * 2 + a.known
    key = ((key * (NO_TIER + 1) + t.rank) * 2 + t.exempt) * 3 + t.detainer
    out: IntArray = key
    return out


def _by_level(g: Groups, attribute: str, p: Mapping[str, Any], prefix: str) -> FloatArray:
    values = np.array([float(p[f"{prefix}.{level}"]) for level in LEVELS[attribute]])
    out: FloatArray = values[g.codes[attribute]]
    return out


def _enforce(regime: Regime, t: Triage, p: Mapping[str, Any]) -> FloatArray:
    """The probability that an encountered person is arrested under the regime."""
    non_priority = {
        "enforce": 1.0,
        "case_by_case": float(p["enforcement.effort.non_priority_arrest_share"]),
        "decline": 0.0,
    }[regime.non_priority]
    prob = np.where(t.rank < NO_TIER, 1.0, non_priority)
    out: FloatArray = np.where(t.exempt, 0.0, prob)
    return out


def build_plan(
    p: Mapping[str, Any],
    regime: Regime,
    tri: Triage,
    tri_o: Triage,
    g: Groups,
    a: Attributes,
    day: dt.date,
) -> WeekPlan:
    """The plan of the weeks that share ``day``'s parameter values, regime and year."""
    ch = regime.channels
    c = "enforcement.channels."
    e = "enforcement.effort."
    cp = "courts.process."
    size = g.size
    shape = (size,)
    e_p = _enforce(regime, tri, p)
    e_o = _enforce(regime, tri_o, p)

    cohort = g.arrival_groups.get(day.year)
    if cohort is None:
        cohort = g.arrival_groups[max(g.arrival_groups)]
    # the cohorts of later arrivals come last among the groups, and nobody is in them yet
    first = min(g.arrival_groups)  # arrivals of the population's own latest year
    later = [idx for year, idx in g.arrival_groups.items() if year > max(day.year, first)]
    active = min((int(idx.min()) for idx in later if idx.size), default=size)
    asylum_weight = float(p[f"{cp}backlog_asylum_weight"])

    jail_p = jail_o = None
    if ch.jail_booking:
        booking = weekly(
            _by_level(g, "criminal_history", p, f"{c}jail_booking_rate")
            + np.where(a.pending, float(p[f"{c}pending_charges_booking_rate"]), 0.0)
        )
        match_known = float(p[f"{c}fingerprint_match_known"])
        full = float(p[f"{c}cooperation_full"])
        notify = float(p[f"{c}cooperation_notify_only"])
        pickup = float(p[f"{c}notification_pickup"])
        share_287g = float(p[f"{c}jail_287g_share"])
        p_detainer = full + notify * pickup  # a detainer honoured
        p_notification = (full + notify) * pickup  # a notification acted on in time
        jail_p = jail_chain(
            booking,
            np.where(a.known, match_known, float(p[f"{c}fingerprint_match_unknown"])),
            share_287g,
            e_p,
            tri.detainer,
            p_detainer,
            p_notification,
            _jail_classes(g, a, tri, known=True),
        )
        jail_o = jail_chain(
            booking,
            np.full(size, match_known),
            share_287g,
            e_o,
            tri_o.detainer,
            p_detainer,
            p_notification,
            _jail_classes(g, a, tri_o, known=False),
        )

    # leads: each stock's lead channels compete in one draw (a thinned binomial is binomial,
    # and the split of the few people drawn is cheap)
    zero = np.zeros(size)
    tf = float(weekly(float(p[f"{c}task_force_rate"]))) if ch.checkpoint_task_force else 0.0
    db = float(weekly(float(p[f"{c}database_lead_rate"]))) if ch.database_leads else 0.0
    ws = float(weekly(float(p[f"{c}worksite_rate"]))) if ch.worksite else 0.0
    ci = float(weekly(float(p[f"{c}check_in_rate"]))) if ch.check_in else 0.0

    h_large = float(p[f"{e}hours_per_arrest.at_large"])
    h_coll = float(p[f"{e}hours_per_arrest.collateral"])
    collateral_ratio = float(p[f"{c}collateral_per_targeted"]) if ch.collateral_arrests else 0.0
    per_target = h_large + collateral_ratio * h_coll
    known_rate = float(p[f"{c}at_large_locate_rate_known"])
    unknown_rate = float(p[f"{c}at_large_locate_rate_unknown"])
    not_exempt_p = np.where(tri.exempt, 0.0, 1.0)
    share: float | None = None
    if regime.non_priority == "decline":
        share = 0.0
    elif regime.non_priority != "enforce":
        share = float(p[f"{e}non_priority_arrest_share"])
    rank_p, rank_o, n_ranks = rank_codes(tri.rank, tri_o.rank)

    years = day.year - g.entry_year
    beds = float(p["detention.funded_beds"])
    border_detained = float(p["detention.release.border_detained"])
    judges = float(p["courts.immigration_judges"])
    border_removals = float(p["border.removals"]) / WEEKS_PER_YEAR
    border_air = border_removals * float(p["border.air_share"])
    hours_per_officer = float(p[f"{e}hours_per_officer_year"])
    officers = float(p["enforcement.ero_deportation_officers"])
    return WeekPlan(
        regime=regime,
        active=active,
        tri=tri,
        tri_o=tri_o,
        p_emigration=float(weekly(p["flows.emigration_rate"])),
        p_status_grant=float(weekly(p["flows.status_grant_rate"])),
        arrivals_per_week=float(p["flows.arrivals"]) / WEEKS_PER_YEAR,
        arrival_share_with_case=float(p["flows.arrival_share_with_case"]),
        cohort=cohort,
        arrival_weights=g.arrival_weights,
        # people released at the border with a notice to appear arrive with a court case
        case_weights=g.arrival_weights * np.where(a.asylum[cohort], asylum_weight, 1.0),
        officers=officers,
        hours=officers * hours_per_officer * float(p[f"{e}share_on_arrests"]) / WEEKS_PER_YEAR,
        h_custodial=float(p[f"{e}hours_per_arrest.custodial"]),
        h_at_large=h_large,
        h_collateral=h_coll,
        h_lead=float(p[f"{e}hours_per_arrest.lead"]),
        enforce_p=e_p,
        enforce_o=e_o,
        jail_p=jail_p,
        jail_o=jail_o,
        p_prison_release=float(weekly(float(p[f"{c}prison_release_rate"]))) if ch.prison else None,
        leads_free=competing_plan([tf * e_p, np.where(a.known, db * e_p, zero), ws * e_p], shape),
        leads_ordered=competing_plan([db * e_o, ci * e_o], shape),
        leads_released=competing_plan([ci * e_p], shape),
        goal=float(p[f"{e}removal_goal"]),
        collateral_ratio=collateral_ratio,
        at_large=ch.at_large and per_target > 0,
        hours_per_target=per_target,
        locate_p=weekly(np.where(a.known, known_rate, unknown_rate)) * not_exempt_p,
        locate_o=weekly(known_rate) * np.where(tri_o.exempt, 0.0, 1.0),
        non_priority_share=share,
        rank_p=rank_p,
        rank_o=rank_o,
        n_ranks=n_ranks,
        expedited=(years < float(p["processing.expedited_removal_max_years"])) & ~a.prior_removal,
        p_voluntary_return=float(p["processing.voluntary_return_share"]),
        beds=beds,
        border_detained=border_detained,
        interior_beds=max(0, int(beds - border_detained)),
        p_bond_release=float(weekly(float(p["detention.release.bond_release_rate"]))),
        release_order=np.lexsort((-tri.rank, a.mandatory)),  # non-mandatory, lowest tier first
        # one ordering over both queues: removal cases and mandatory cases first, then by tier
        admission_order=np.lexsort(
            (
                np.concatenate([tri_o.rank, tri.rank]).astype(np.int64),
                ~np.concatenate([np.ones(size, dtype=bool), a.mandatory]),
            )
        ),
        judges=judges,
        judge_hours=judges * float(p[f"{cp}hours_per_judge_year"]) / WEEKS_PER_YEAR,
        h_detained=float(p[f"{cp}hours_per_case_detained"]),
        h_released=float(p[f"{cp}hours_per_case_released"]),
        p_detained_ready=1.0 / max(1.0, float(p[f"{cp}detained_case_weeks"])),
        relief=np.where(
            a.asylum, float(p[f"{cp}relief_share_asylum"]), float(p[f"{cp}relief_share"])
        ),
        p_in_absentia=float(p[f"{cp}in_absentia_share"]),
        review_per_week=float(p[f"{cp}attorneys"])
        * hours_per_officer
        * float(p[f"{cp}review_share_of_hours"])
        / WEEKS_PER_YEAR
        / float(p[f"{cp}review_hours_per_case"])
        if regime.docket_review is not None
        else 0.0,
        review_closure_share=float(p[f"{cp}review_closure_share"])
        if regime.docket_review is not None
        else 0.0,
        p_documented=weekly(
            _by_level(g, "country_group", p, "removal.logistics.travel_document_rate")
        ),
        seats=max(
            0.0, float(p["removal.logistics.air_seats_per_year"]) / WEEKS_PER_YEAR - border_air
        ),
        border_removals=border_removals,
        border_air=border_air,
        p_zadvydas=1.0 / max(1.0, float(p["detention.release.zadvydas_weeks"])),
        goal_window_weeks=int(p[f"{e}goal_window_weeks"]),
        surge_max=float(p[f"{e}surge_max"]),
        controller_gain=float(p[f"{e}controller_gain"]),
        arrest_share=float(p[f"{e}share_on_arrests"]),
        cost_officer_week=float(p[f"{e}cost_per_officer_year"]) / WEEKS_PER_YEAR,
        cost_bed_day=float(p["detention.cost_per_bed_day"]),
        cost_court_week=judges * float(p[f"{cp}cost_per_judge_year"]) / WEEKS_PER_YEAR,
        cost_land=float(p["removal.logistics.land_cost_per_person"]),
        cost_air=float(p["removal.air_cost_per_person"]),
    )
