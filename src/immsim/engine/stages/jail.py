"""The jail chain: a booking, a fingerprint match against DHS records, then a 287(g) hold (of
whoever the regime would arrest) or, elsewhere, a detainer or notification honoured in time.

Only the arrests change the stocks, so only they are drawn group by group; everyone else's
bookings and matches are only counted, and groups with the same chances (a *class*) are pooled
for those draws. The arrests are candidates: officers take them within their hours (see
:mod:`immsim.engine.stages.custody`).
"""

from __future__ import annotations

from typing import NamedTuple, Self

import numpy as np
from numpy.typing import NDArray

from immsim.engine import draws
from immsim.engine.codes import distinct_first
from immsim.engine.compiled import jit
from immsim.engine.counts import Count
from immsim.engine.draws import Stream, binomial, exponential, walk
from immsim.engine.groups import LEVELS
from immsim.engine.inputs import Attributes, PlanInputs, case_by_case_share
from immsim.engine.rates import weekly
from immsim.engine.triage import NO_TIER, Triage

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
Plan3 = tuple[FloatArray, FloatArray, FloatArray]


class JailChain(NamedTuple):
    """One stock's chain. ``arrest`` is the probability a week that a person is held or
    transferred (``hazard`` its ``-log(1 - p)``), ``held_share`` the share of those held under
    287(g). Groups of one class (``classes``) have the same chances, given no arrest, of being
    booked, matched and in a 287(g) jail: ``pooled`` holds those three conditional
    probabilities per class, the class's detainer code (3 a detainer on approval, 2 detainer,
    1 notification) and, for code 3, the chance that someone matched and not arrested had a
    detainer issued (approved, and not honoured in time)."""

    arrest: FloatArray
    hazard: FloatArray
    held_share: FloatArray
    classes: IntArray
    pooled: FloatArray

    @classmethod
    def none(cls, size: int) -> Self:
        """The chain of a regime without jail bookings: nobody is booked."""
        zeros = np.zeros(size)
        return cls(zeros, zeros, zeros, np.zeros(size, dtype=np.int64), np.zeros((1, 5)))


class JailPlan(NamedTuple):
    on: bool
    free: JailChain  # people at large with no order
    ordered: JailChain  # people with an order (all known to the agency)


def _share(part: FloatArray, whole: FloatArray) -> FloatArray:
    out: FloatArray = np.clip(
        np.divide(part, whole, out=np.zeros_like(whole), where=whole > 0), 0.0, 1.0
    )
    return out


def chain(
    booking: FloatArray,
    match: FloatArray,
    share_287g: float,
    enforce: FloatArray,
    detainer: NDArray[np.int8],
    p_detainer: FloatArray,
    p_notification: FloatArray,
    classes: IntArray,
    protect: FloatArray,
    approve: float,
) -> JailChain:
    """The chain of one stock from its per-group chances: booking and match a week, the
    regime's enforcement share and detainer code, the chances that a detainer is honoured or a
    notification acted on in time (by group: they differ by area), and the chance that no
    statute protects the person (a detainer on someone protected is not acted on). ``classes``
    labels groups that share all of those (any labels: they are renumbered). ``approve``: the
    share of matches a detainer on approval (code 3) is issued for."""

    def arrests(
        b: FloatArray,
        m: FloatArray,
        e: FloatArray,
        code: FloatArray,
        free: FloatArray,
        d: FloatArray,
        n: FloatArray,
    ) -> Plan3:
        notified = np.where(code == 1, n, 0.0)
        honour = free * np.where(code == 2, d, np.where(code == 3, approve * d, notified))
        held = share_287g * e
        either = held + (1.0 - share_287g) * honour
        return np.clip(b * m * either, 0.0, 1.0), held, either

    _, first, classes = distinct_first(classes)  # np.unique's, without its sort (engine/codes.py)
    b, m, e = booking[first], match[first], enforce[first]
    k = detainer[first].astype(np.float64)
    pa, held, either = arrests(b, m, e, k, protect[first], p_detainer[first], p_notification[first])
    # each group's chances (and the hazard below) are its class's, computed once a class and
    # read at each group: a class's groups share every input (the pooled draws below rest on
    # it too), and the same operations on the same numbers give the same bits (the hazard's
    # logarithm included: both arrays are contiguous, so NumPy takes the same loop for them).
    # Made over every group until 2026-12-05, with some ten group-sized temporaries and a
    # logarithm per group a chain: the 12 chains of the first plans of a run by area (their
    # inputs saved, least thread time of 5, the same arrays) 35.1-38.9 -> 16.6-17.5 ms
    arrest = pa[classes]
    booked_left = np.clip(b - pa, 0.0, None)
    matched_left = np.clip(b * m - pa, 0.0, None)
    # code 3: issued on approval outside 287(g) jails and not honoured in time
    unhonoured = b * m * (1.0 - share_287g) * approve * (1.0 - protect[first] * p_detainer[first])
    pooled = np.stack(
        [
            _share(booked_left, 1.0 - pa),  # booked, given no arrest
            _share(matched_left, booked_left),  # matched, given booked and no arrest
            _share(b * m * share_287g * (1.0 - e), matched_left),  # in 287(g), given those
            k,
            np.where(k == 3, _share(unhonoured, matched_left), 0.0),
        ],
        axis=1,
    )
    return JailChain(
        arrest=arrest,
        hazard=draws.hazards(pa)[classes],
        held_share=_share(held, either)[classes],
        classes=classes,
        pooled=np.ascontiguousarray(pooled),
    )


def _classes(
    a: Attributes, t: Triage, known: bool, cooperation: IntArray, kind: IntArray | None = None
) -> IntArray:
    """Groups that the chain treats alike: booking goes by criminal history and pending
    charges, the match by being known to the agency (``known``: where it matters), the
    regime's enforcement and detainer action by the triage, and the jails' cooperation by area
    (``cooperation``: a code per distinct level, so areas alike share their classes).

    Given ``kind`` (each group's kind, :func:`immsim.engine.inputs.kinds_of`), ``a`` and ``t``
    are by kind, and the classes come as labels in the same order as the keys above but
    numbered densely: the key read no area, so it is made once a kind and ranked among the
    kinds' keys (its order kept), then gathered at the groups and joined with their cooperation
    (the chain renumbers labels in ascending order, so it numbers the classes as it did). The
    keys reached some five times the groups (a tier's rank is a factor of 100), which the
    chain's count of distinct labels paid for in a table of that size."""
    key = a.criminal_history.astype(np.int64) * 2 + a.pending
    if known:
        key = key * 2 + a.known
    key = (((key * (NO_TIER + 1) + t.rank) * 2 + t.exempt) * 4 + t.detainer) * 3 + a.tps
    key = key + 2 * a.parole  # TPS and parole are levels of one attribute: never both
    if kind is not None:
        key = np.unique(key, return_inverse=True)[1].reshape(-1).astype(np.int64)[kind]
    out: IntArray = key * (int(cooperation.max(initial=0)) + 1) + cooperation
    return out


def cooperation(x: PlanInputs) -> FloatArray:
    """Each group's share of bookings in jails that honour detainers: the national share
    (``enforcement.channels.cooperation_full``), times its area's index where the run carries
    areas (``geography.cooperation_full.<area>``, whose population-weighted mean is one: see
    ``scripts/make_geography_tree.py``), at most one."""
    out: FloatArray = area_cooperation(x)[x.groups.area[: x.size]]
    return out


def area_cooperation(x: PlanInputs) -> FloatArray:
    """:func:`cooperation` by area (``x.groups.area_names``; one, the national share, without
    areas)."""
    full = float(x.p["enforcement.channels.cooperation_full"])
    g = x.groups
    if not g.areas:
        return np.array([full])
    index = np.array([float(x.p[f"geography.cooperation_full.{area}"]) for area in g.area_names])
    out: FloatArray = np.minimum(1.0, full * index)
    return out


def plan(x: PlanInputs) -> JailPlan:
    # What reads no area (booking, the match, the classes' keys) is made once a kind of groups
    # and gathered at the plan's groups (inputs.Alike: the same values), what reads only the
    # area (the jails' cooperation and the chances it gives) once an area and gathered: each
    # group-by-group operation was a pass over some 63,000 groups by area. The 12 jail plans
    # of a ten-year run by area (their inputs saved, least thread time of 5): 54.0 -> 28.9 ms
    p, k = x.p, x.alike
    if not x.regime.channels.jail_booking:
        return JailPlan(False, JailChain.none(x.size), JailChain.none(x.size))
    kind = x.kind  # None without areas: the inputs are the groups' own
    by_history = np.array(
        [
            float(p[f"enforcement.channels.jail_booking_rate.{level}"])
            for level in LEVELS["criminal_history"]
        ]
    )
    booking = x.by_group(
        weekly(
            by_history[k.a.criminal_history]
            + np.where(
                k.a.pending, float(p["enforcement.channels.pending_charges_booking_rate"]), 0.0
            )
        )
    )
    match_known = float(p["enforcement.channels.fingerprint_match_known"])
    area = x.groups.area[: x.size]
    full = area_cooperation(x)
    # where an area's jails all honour detainers, none is left to notify only
    notify = np.minimum(float(p["enforcement.channels.cooperation_notify_only"]), 1.0 - full)
    pickup = float(p["enforcement.channels.notification_pickup"])
    share_287g = float(p["enforcement.channels.jail_287g_share"])
    p_detainer = (full + notify * pickup)[area]  # a detainer honoured
    p_notification = ((full + notify) * pickup)[area]  # a notification acted on in time
    # a detainer on approval (ICE's interim guidance of 2021): the case-by-case share
    approve = case_by_case_share(x.regime, p, x.day)
    # each group's cooperation level as a code (np.unique of the groups' cooperation), from its
    # area's: the level is the area's, so only the values of the areas present are sorted (the
    # areas present counted, not listed with their first groups by np.minimum.at)
    present = np.flatnonzero(np.bincount(area, minlength=full.size))
    level_of = np.zeros(full.size, dtype=np.int64)
    level_of[present] = np.unique(full[present], return_inverse=True)[1].reshape(-1)
    level = level_of[area]
    free = chain(
        booking,
        x.by_group(
            np.where(
                k.a.known, match_known, float(p["enforcement.channels.fingerprint_match_unknown"])
            )
        ),
        share_287g,
        x.enforce_p,
        x.tri.detainer,
        p_detainer,
        p_notification,
        _classes(k.a, k.tri, known=True, cooperation=level, kind=kind),
        x.protect,
        approve,
    )
    ordered = chain(
        booking,
        np.full(x.size, match_known),
        share_287g,
        x.enforce_o,
        x.tri_o.detainer,
        p_detainer,
        p_notification,
        _classes(k.a, k.tri_o, known=False, cooperation=level, kind=kind),
        x.protect,
        approve,
    )
    return JailPlan(True, free, ordered)


@jit
def candidates(
    state: Stream,
    stock: IntArray,
    chain: JailChain,
    counts: IntArray,
    groups: IntArray,
    length: IntArray,
    row: int,
    out: FloatArray,
    at: IntArray | None = None,
    m: int = 0,
) -> None:
    """One stock's week of the chain: the 287(g) holds and the transfers on a detainer or
    notification appended to rows ``row`` and ``row + 1`` of the candidates' lists
    (:func:`immsim.engine.capacity.lists`; the stock is not changed: officers take them later,
    within their hours), and the week's bookings, matches, detainers and notifications added
    to ``out``.

    Each person is booked, matched and held or transferred as in the chain; only the arrests
    are drawn per group, the other bookings and matches pooled per class (exact: given who was
    arrested, the rest of a class are alike).

    Given ``at`` (:func:`immsim.engine.capacity.occupied`: the occupied groups, ascending) and
    its length ``m``, only those groups are passed: the same draws and counts, since an empty
    group leaves the clock as it was, draws nothing and adds no one to its class."""
    left = np.zeros(chain.pooled.shape[0], dtype=np.int64)  # people not arrested, by class
    clock = exponential(state)  # one clock over the groups for the arrests (draws.walk)
    for j in range(stock.size if at is None else m):
        if at is None:  # noqa: SIM108 (numba prunes this statement for a None argument)
            i = j
        else:
            i = at[j]
        n = stock[i]
        k = chain.classes[i]
        # an empty group, or one nobody is arrested in (hazard 0), has h = 0 and leaves the
        # clock as it was: tested before emptiness (see draws' notes)
        h = n * chain.hazard[i]
        if clock >= h:
            clock -= h
            left[k] += n
            continue
        arrested = 0
        if n > 0 and chain.arrest[i] > 0.0:
            arrested, clock = walk(state, n, chain.arrest[i], chain.hazard[i], clock)
            held = binomial(state, arrested, chain.held_share[i])
            # (appended as capacity.competing_listed does)
            for r, x in ((row, held), (row + 1, arrested - held)):
                if x > 0:
                    k_r = length[r]
                    counts[r, k_r] = x
                    groups[r, k_r] = i
                    length[r] = k_r + 1
            out[Count.JAIL_BOOKINGS] += arrested  # each was booked and matched
            out[Count.JAIL_MATCHES] += arrested
            if chain.pooled[k, 3] >= 2.0:  # a detainer, issued or approved
                out[Count.DETAINERS] += arrested
            elif chain.pooled[k, 3] == 1.0:
                out[Count.NOTIFICATIONS] += arrested - held
        left[k] += n - arrested
    for k in range(chain.pooled.shape[0]):
        booked = binomial(state, left[k], chain.pooled[k, 0])
        matched = binomial(state, booked, chain.pooled[k, 1])
        out[Count.JAIL_BOOKINGS] += booked
        out[Count.JAIL_MATCHES] += matched
        if chain.pooled[k, 3] == 2.0:  # a detainer on everyone matched
            out[Count.DETAINERS] += matched
        elif chain.pooled[k, 3] == 3.0:  # on those approved whom no jail held for ICE
            out[Count.DETAINERS] += binomial(state, matched, chain.pooled[k, 4])
        elif chain.pooled[k, 3] == 1.0:  # a notification on those matched outside 287(g) jails
            out[Count.NOTIFICATIONS] += matched - binomial(state, matched, chain.pooled[k, 2])
