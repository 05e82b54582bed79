"""The weekly pipeline: encounter, arrest, processing, detention, court, removal.

State is a handful of count arrays over engine groups:

``free``: at large with no order · ``ordered``: at large with an unexecuted final order ·
``released``: released with a case pending in court · ``held_court``: detained awaiting court ·
``held_removal``: detained awaiting removal.

Each week people move between them by binomial (and, for collateral arrests and arrivals,
multinomial) draws, so counts stay whole and the run is exact for exchangeable people. Every
capacity is a hard limit applied in the regime's order: officer hours (custodial arrests first,
then leads, then at-large operations down the priority tiers), beds (mandatory detention first,
then by tier), judge hours (detained docket first), attorney hours for a discretion review, and
seats on removal flights. Every rate comes from the parameter tree via the week's snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immsim.engine import draws, stages
from immsim.engine.groups import LEVELS, Groups
from immsim.engine.triage import NO_TIER, Triage, triage
from immsim.errors import InputError
from immsim.regimes.model import Regime

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
WEEKS_PER_YEAR = 52.1775

FLOW_COLUMNS = (
    "arrivals",
    "arrivals_with_case",
    "emigrated",
    "status_granted",
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
    "voluntary_returns",
    "reinstatements",
    "expedited_removals",
    "administrative_orders",
    "notices_to_appear",
    "admissions",
    "refused_bed",
    "bond_releases",
    "capacity_releases",
    "zadvydas_releases",
    "completions_detained",
    "completions_released",
    "orders_in_absentia",
    "orders",
    "relief_granted",
    "review_cases",
    "review_closures",
    "removals_interior",
    "removals_land",
    "removals_air",
    "removals_border",
    "removals",
)
STOCK_COLUMNS = (
    "at_large",
    "final_orders_at_large",
    "court_released",
    "detained_court",
    "detained_removal",
    "detained_border",
    "detained",
    "court_pending",
)
COST_COLUMNS = ("cost_arrest", "cost_detention", "cost_court", "cost_removal")
CAPACITY_COLUMNS = (
    "officer_hours",
    "officer_hours_used",
    "beds",
    "judge_hours",
    "judge_hours_used",
    "air_seats",
    "air_seats_used",
    "effort",
)
BINDING = ("beds", "officers", "judges", "seats", "travel_documents")
YEARS_BANDS = (
    (0, 2, "y0_1"),
    (2, 5, "y2_4"),
    (5, 10, "y5_9"),
    (10, 15, "y10_14"),
    (15, 999, "y15_plus"),
)


BREAKDOWN_STAGES = ("removed", "arrested")


@dataclass(frozen=True)
class Breakdown:
    """Who was removed and arrested in a week, by attribute: ``sums[stage, column]`` persons
    for the (attribute, level) of each column (rows as ``BREAKDOWN_STAGES``)."""

    columns: list[tuple[str, str]]
    sums: FloatArray


@dataclass
class WeekRecord:
    """One week: every column of the weekly table, the binding capacity, and who was removed
    and arrested by attribute."""

    week: int
    date: dt.date
    values: dict[str, float]
    binding: str
    breakdown: Breakdown


@dataclass
class State:
    """The stocks as rows of one matrix (``stages.STOCKS``), with each row also a named view
    (``free``, ``ordered``, …) that updates the matrix in place."""

    stocks: IntArray
    effort: float = 1.0
    recent_removals: list[float] = field(default_factory=list)
    review_scope: int | None = None
    reviewed: float = 0.0
    free: IntArray = field(init=False)
    ordered: IntArray = field(init=False)
    released: IntArray = field(init=False)
    held_court: IntArray = field(init=False)
    held_removal: IntArray = field(init=False)

    def __post_init__(self) -> None:
        for row, name in enumerate(stages.STOCKS):
            setattr(self, name, self.stocks[row])

    def total(self) -> int:
        return int(self.stocks.sum())


class _Snapshot(dict[str, Any]):
    """The parameter values in force on a day; a missing one is a clear input error."""

    def __init__(self, day: dt.date, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.day = day

    def __missing__(self, key: str) -> Any:
        raise InputError(
            f"the run needs a value on {self.day.isoformat()}, but the parameter has none "
            "(its series starts later, or the key is missing from the tree)",
            key=key,
        )


def competing_plan(
    probs: Sequence[FloatArray | float], shape: tuple[int, ...]
) -> tuple[FloatArray, FloatArray, FloatArray]:
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


def _weekly(rate_per_year: float | FloatArray) -> FloatArray:
    """A hazard per year as a probability per week (exact for a constant hazard)."""
    return -np.expm1(-np.asarray(rate_per_year, dtype=np.float64) / WEEKS_PER_YEAR)


def _spread(rng: np.random.Generator, total: int, weights: FloatArray) -> IntArray:
    """Share ``total`` people over groups in proportion to ``weights`` (a multinomial draw)."""
    mass = float(weights.sum())
    if total <= 0 or mass <= 0:
        return np.zeros(weights.size, dtype=np.int64)
    return rng.multinomial(total, weights / mass).astype(np.int64)


def _rank_codes(
    rank_p: NDArray[np.int16], rank_o: NDArray[np.int16]
) -> tuple[IntArray, IntArray, int]:
    """Tier ranks of two triages as codes 0, 1, … in rank order, over the ranks either uses."""
    ranks, codes = np.unique(np.concatenate([rank_p, rank_o]), return_inverse=True)
    codes = codes.astype(np.int64)
    return codes[: rank_p.size], codes[rank_p.size :], int(ranks.size)


class Pipeline:
    """One run of the weekly model; ``step`` advances one week and returns its record."""

    def __init__(
        self,
        groups: Groups,
        regime_at: Any,
        params_at: Any,
        start: dt.date,
        rng: np.random.Generator,
    ) -> None:
        self.groups = groups
        self.regime_at = regime_at  # date -> Regime
        self.params_at = params_at  # date -> dict of parameter values
        self.start = start
        self.rng = rng
        self.bits = draws.stream(rng)  # the compiled draws' uniforms
        self._triage: dict[tuple[str, int, bool], Triage] = {}
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._used: dict[str, Any] = {}
        g = groups
        country = g.level_of("country_group")
        self.is_mexico = country == "mexico_land"
        self.stuck = country == "refusing_or_delaying"  # where removal can stall (Zadvydas)
        self.crim = g.level_of("criminal_history")
        self.imm = g.level_of("immigration_history")
        self.prot = g.level_of("protected_status")
        self.known = g.flags["known_to_agency"]
        self.pending = g.flags["pending_charges"]
        self.felon = np.isin(self.crim, ["felony", "aggravated_felony"])
        self.aggravated = self.crim == "aggravated_felony"
        self.convicted = self.crim != "none"
        self.prior_removal = self.imm == "prior_removal"
        self.asylum = self.prot == "pending_asylum"
        self.return_eligible = ~self.convicted & ~self.asylum
        self.mandatory = self.felon  # INA 236(c): serious convictions are held without bond
        self.bondable = ~self.mandatory
        self.state = self._initial_state(start)

    # --- setup ----------------------------------------------------------------------------

    def _initial_state(self, start: dt.date) -> State:
        g = self.groups
        p = self.params(start)
        free = g.initial.copy()
        ordered = np.where(self.imm == "final_order", free, 0).astype(np.int64)
        free -= ordered
        pending = int(p["courts.process.pending_cases"])
        weights = free * np.where(
            self.asylum, float(p["courts.process.backlog_asylum_weight"]), 1.0
        )
        released = np.minimum(
            _spread(self.rng, min(pending, int(free.sum())), weights.astype(float)), free
        )
        free -= released
        stocks = np.zeros((len(stages.STOCKS), g.size), dtype=np.int64)
        stocks[stages.FREE] = free
        stocks[stages.ORDERED] = ordered
        stocks[stages.RELEASED] = released
        return State(stocks=stocks)

    def params(self, day: dt.date) -> dict[str, Any]:
        return _Snapshot(day, self.params_at(day))

    def _memo(self, key: tuple[Any, ...], build: Any) -> Any:
        """Arrays that depend only on parameter values, built once per distinct value."""
        if key not in self._cache:
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[key] = build()
        return self._cache[key]

    def _by_level(self, attribute: str, values: list[float]) -> FloatArray:
        """A per-group array holding each level's value (cached by the values)."""

        def build() -> FloatArray:
            codes = self.groups.codes[attribute]
            return np.asarray(values, dtype=np.float64)[codes]

        array: FloatArray = self._memo((attribute, tuple(values)), build)
        return array

    def triage(self, regime: Regime, day: dt.date, final_order: bool = False) -> Triage:
        key = (regime.name, day.year, final_order)
        if key not in self._triage:
            self._triage[key] = triage(regime, self.groups, day, final_order)
        return self._triage[key]

    def _take(
        self, candidates: list[tuple[str, str, IntArray]], limit: float, out: dict[str, float]
    ) -> tuple[IntArray, bool]:
        """Arrest the candidates of several channels within one capacity (``limit`` arrests),
        removing them from the stocks they came from; returns the arrests by source stock (rows
        as the state's stocks) and whether the capacity cut any. Someone drawn by two channels
        is arrested once."""
        taken = np.zeros_like(self.state.stocks)
        if not candidates:
            return taken, False
        drawn = np.stack([a for _, _, a in candidates])
        cut = int(drawn.sum()) > max(0, int(np.floor(limit)))
        if cut:  # exactly floor(limit) taken, fewer than wanted
            drawn = draws.cap(self.bits, drawn.ravel(), limit).reshape(drawn.shape)
        sources = np.array([stages.STOCKS.index(source) for _, source, _ in candidates])
        totals = stages.apply_arrests(self.state.stocks, drawn, sources, taken)
        for (channel, _, _), total in zip(candidates, totals.tolist(), strict=True):
            out[channel] += total
        return taken, cut

    # --- one week ---------------------------------------------------------------------------

    def step(self, week: int) -> WeekRecord:
        day = self.start + dt.timedelta(weeks=week)
        p = self.params(day)
        regime: Regime = self.regime_at(day)
        tri = self.triage(regime, day)
        tri_o = self.triage(regime, day, final_order=True)
        rng = self.rng
        bits = self.bits
        s = self.state
        g = self.groups
        out: dict[str, float] = dict.fromkeys(FLOW_COLUMNS, 0.0)
        ch = regime.channels

        # background flows --------------------------------------------------------------------
        out["emigrated"], out["status_granted"] = stages.background(
            bits,
            s.stocks,
            float(_weekly(p["flows.emigration_rate"])),
            float(_weekly(p["flows.status_grant_rate"])),
        )
        arrivals = int(rng.poisson(float(p["flows.arrivals"]) / WEEKS_PER_YEAR))
        cohort = g.arrival_groups.get(day.year)
        if cohort is None:
            cohort = g.arrival_groups[max(g.arrival_groups)]
        # people released at the border with a notice to appear arrive with a court case
        with_case = int(rng.binomial(arrivals, float(p["flows.arrival_share_with_case"])))
        case_weights = g.arrival_weights * np.where(
            self.asylum[cohort], float(p["courts.process.backlog_asylum_weight"]), 1.0
        )
        s.free[cohort] += _spread(rng, arrivals - with_case, g.arrival_weights)
        s.released[cohort] += _spread(rng, with_case, case_weights)
        out["arrivals"] = arrivals
        out["arrivals_with_case"] = with_case

        # who the regime acts on: probability an encountered person is arrested ----------------
        def enforce_prob(t: Triage) -> FloatArray:
            non_priority = {
                "enforce": 1.0,
                "case_by_case": float(p["enforcement.effort.non_priority_arrest_share"]),
                "decline": 0.0,
            }[regime.non_priority]

            def build() -> FloatArray:
                prob = np.where(t.rank < NO_TIER, 1.0, non_priority)
                return np.where(t.exempt, 0.0, prob)

            array: FloatArray = self._memo(("enforce", id(t), non_priority), build)
            return array

        e_p = enforce_prob(tri)
        e_o = enforce_prob(tri_o)

        # officer capacity -----------------------------------------------------------------------
        officers = float(p["enforcement.ero_deportation_officers"])
        hours = (
            officers
            * float(p["enforcement.effort.hours_per_officer_year"])
            * float(p["enforcement.effort.share_on_arrests"])
            / WEEKS_PER_YEAR
            * s.effort
        )
        h_cust = float(p["enforcement.effort.hours_per_arrest.custodial"])
        h_large = float(p["enforcement.effort.hours_per_arrest.at_large"])
        h_coll = float(p["enforcement.effort.hours_per_arrest.collateral"])
        h_lead = float(p["enforcement.effort.hours_per_arrest.lead"])
        c = "enforcement.channels."

        # jails: booking -> fingerprint match -> detainer / notification -> transfer ---------------
        custodial: list[tuple[str, str, IntArray]] = []
        if ch.jail_booking:
            booking = self._by_level(
                "criminal_history",
                [float(p[f"{c}jail_booking_rate.{level}"]) for level in LEVELS["criminal_history"]],
            )
            weekly_booking = self._memo(
                ("booking", id(booking), float(p[f"{c}pending_charges_booking_rate"])),
                lambda: _weekly(
                    booking
                    + np.where(self.pending, float(p[f"{c}pending_charges_booking_rate"]), 0.0)
                ),
            )
            booking_hazard = self._memo(
                ("booking_hazard", id(weekly_booking)), lambda: draws.hazards(weekly_booking)
            )
            match_known = float(p[f"{c}fingerprint_match_known"])
            match = self._memo(
                ("match", match_known, float(p[f"{c}fingerprint_match_unknown"])),
                lambda: np.where(
                    self.known, match_known, float(p[f"{c}fingerprint_match_unknown"])
                ),
            )
            full = float(p[f"{c}cooperation_full"])
            notify = float(p[f"{c}cooperation_notify_only"])
            pickup = float(p[f"{c}notification_pickup"])
            s287 = float(p[f"{c}jail_287g_share"])
            match_o = self._memo(("match_o", match_known), lambda: np.full(g.size, match_known))
            for source, t, e, m in (
                ("free", tri, e_p, match),
                ("ordered", tri_o, e_o, match_o),
            ):
                # 287(g) jails screen everyone and hold whoever the regime would arrest
                held287, transferred, counts = stages.jail(
                    bits,
                    getattr(s, source),
                    weekly_booking,
                    booking_hazard,
                    m,
                    s287,
                    e,
                    t.detainer,
                    full + notify * pickup,
                    (full + notify) * pickup,
                )
                for name, count in counts.items():
                    out[name] += count
                custodial.append(("arrests_287g", source, held287))
                custodial.append(("arrests_jail", source, transferred))
        if ch.prison:
            released = draws.binom(
                bits, np.where(self.felon, s.free, 0), _weekly(float(p[f"{c}prison_release_rate"]))
            )
            custodial.append(("arrests_prison", "free", draws.binom(bits, released, e_p)))
        # custodial arrests come first on officer time
        taken, officers_binding = self._take(custodial, hours / h_cust, out)
        hours_left = max(0.0, hours - float(taken.sum()) * h_cust)

        # leads: task forces, databases, worksites, check-ins ---------------------------------
        leads: list[tuple[str, str, IntArray]] = []
        # each stock's lead channels compete in one draw (a thinned binomial is binomial, and the
        # split of the few people drawn is cheap)
        zero = np.zeros(g.size)
        tf_rate = _weekly(float(p[f"{c}task_force_rate"])) if ch.checkpoint_task_force else 0.0
        db_rate = _weekly(float(p[f"{c}database_lead_rate"])) if ch.database_leads else 0.0
        ws_rate = _weekly(float(p[f"{c}worksite_rate"])) if ch.worksite else 0.0
        ci_rate = _weekly(float(p[f"{c}check_in_rate"])) if ch.check_in else 0.0
        rates = (float(tf_rate), float(db_rate), float(ws_rate), float(ci_rate))
        shape = (g.size,)
        free_plan, ordered_plan, released_plan = self._memo(
            ("leads", id(e_p), id(e_o), rates),
            lambda: (
                competing_plan(
                    [tf_rate * e_p, np.where(self.known, db_rate * e_p, zero), ws_rate * e_p],
                    shape,
                ),
                competing_plan([db_rate * e_o, ci_rate * e_o], shape),
                competing_plan([ci_rate * e_p], shape),
            ),
        )
        tf, db, ws = draws.competing(bits, s.free, *free_plan)
        dbo, cio = draws.competing(bits, s.ordered, *ordered_plan)
        (cir,) = draws.competing(bits, s.released, *released_plan)
        leads += [
            ("arrests_task_force", "free", tf),
            ("arrests_database", "free", db),
            ("arrests_worksite", "free", ws),
            ("arrests_database", "ordered", dbo),
            ("arrests_check_in", "ordered", cio),
            ("arrests_check_in", "released", cir),
        ]
        from_leads, leads_binding = self._take(leads, hours_left / h_lead, out)
        officers_binding = officers_binding or leads_binding
        hours_left = max(0.0, hours_left - float(from_leads.sum()) * h_lead)
        taken += from_leads
        arrests_from_p = taken[stages.FREE]
        arrests_from_o = taken[stages.ORDERED]
        arrests_from_r = taken[stages.RELEASED]

        # at-large operations, down the tiers -------------------------------------------------
        goal = float(p["enforcement.effort.removal_goal"])
        collateral_ratio = float(p[f"{c}collateral_per_targeted"]) if ch.collateral_arrests else 0.0
        per_target = h_large + collateral_ratio * h_coll
        capacity = hours_left / per_target if ch.at_large and per_target > 0 else 0.0
        known_rate = float(p[f"{c}at_large_locate_rate_known"])
        unknown_rate = float(p[f"{c}at_large_locate_rate_unknown"])
        locate_p = self._memo(
            ("locate", id(tri), known_rate, unknown_rate),
            lambda: (
                _weekly(np.where(self.known, known_rate, unknown_rate))
                * np.where(tri.exempt, 0.0, 1.0)
            ),
        )
        locate_o = self._memo(
            ("locate_o", id(tri_o), known_rate),
            lambda: _weekly(known_rate) * np.where(tri_o.exempt, 0.0, 1.0),
        )
        share: float | None = None
        if regime.non_priority != "enforce":
            share = float(p["enforcement.effort.non_priority_arrest_share"])
            if goal > 0:
                share = min(1.0, share * s.effort)
            if regime.non_priority == "decline":
                share = 0.0

        def scaled(base: FloatArray, t: Triage) -> tuple[FloatArray, FloatArray]:
            rate = base if share is None else np.where(t.rank < NO_TIER, base, base * share)
            return rate, draws.hazards(rate)

        (locate_p, hazard_p), (locate_o, hazard_o) = self._memo(
            ("located", id(locate_p), id(locate_o), id(tri), id(tri_o), share),
            lambda: (scaled(locate_p, tri), scaled(locate_o, tri_o)),
        )
        ceiling_p = s.free * locate_p
        ceiling_o = s.ordered * locate_o
        # each tier takes what it needs of the hours left by the tiers above it
        rank_p, rank_o, n_ranks = self._memo(
            ("ranks", id(tri), id(tri_o)), lambda: _rank_codes(tri.rank, tri_o.rank)
        )
        needs = np.bincount(rank_p, weights=ceiling_p, minlength=n_ranks) + np.bincount(
            rank_o, weights=ceiling_o, minlength=n_ranks
        )
        by_rank = np.zeros(n_ranks)
        remaining = capacity
        for index, need in enumerate(needs.tolist()):
            if need <= 0:
                continue
            f = min(1.0, remaining / need)
            by_rank[index] = f
            remaining -= f * need
            if remaining <= 0:
                break
        drawn = draws.cap(
            bits,
            np.concatenate(
                [
                    stages.binom_by_rank(bits, s.free, locate_p, hazard_p, rank_p, by_rank),
                    stages.binom_by_rank(bits, s.ordered, locate_o, hazard_o, rank_o, by_rank),
                ]
            ),
            capacity,
        )
        large_p, large_o = drawn[: g.size], drawn[g.size :]
        s.free -= large_p
        s.ordered -= large_o
        targeted = int(large_p.sum() + large_o.sum())
        if remaining <= 1e-9 and capacity > 0:
            officers_binding = True
        collateral = np.zeros(g.size, dtype=np.int64)
        if collateral_ratio > 0 and targeted > 0:
            room = (hours_left - targeted * h_large) / h_coll if h_coll > 0 else float(targeted)
            n_coll = min(int(rng.binomial(targeted, min(1.0, collateral_ratio))), max(0, int(room)))
            weights = np.where(tri.exempt, 0.0, s.free.astype(float))
            collateral = np.minimum(_spread(rng, min(n_coll, int(weights.sum())), weights), s.free)
            s.free -= collateral
        out["arrests_at_large"] = targeted
        n_collateral = int(collateral.sum())
        out["arrests_collateral"] = n_collateral
        arrests_from_p += large_p + collateral
        arrests_from_o += large_o
        used_hours = hours - hours_left + targeted * h_large + n_collateral * h_coll
        arrested = arrests_from_p + arrests_from_o + arrests_from_r
        out["arrests"] = int(arrested.sum())

        # processing -------------------------------------------------------------------------------
        years = day.year - g.entry_year
        er_years = float(p["processing.expedited_removal_max_years"])
        expedited = (years < er_years) & ~self.prior_removal
        to_removal, to_court, counts = stages.processing(
            bits,
            arrests_from_p,
            arrests_from_o,
            arrests_from_r,
            self.prior_removal,
            expedited,
            self.aggravated,
            self.return_eligible,
            float(p["processing.voluntary_return_share"]),
        )
        out.update(counts)

        # detention: beds in order (mandatory first, then by tier) ----------------------------------
        beds = float(p["detention.funded_beds"])
        border_detained = float(p["detention.release.border_detained"])
        interior_beds = max(0, int(beds - border_detained))
        # bond and parole releases of people not held by law
        out["bond_releases"] = stages.move(
            bits,
            s.stocks,
            stages.HELD_COURT,
            stages.RELEASED,
            self.bondable,
            float(_weekly(float(p["detention.release.bond_release_rate"]))),
        )
        # if beds fell below occupancy, release the lowest priority court cases first
        over = int(s.held_court.sum() + s.held_removal.sum()) - interior_beds
        capacity_released = 0
        if over > 0:
            order = np.lexsort((-tri.rank, self.mandatory))  # non-mandatory, lowest tier first
            out_now = stages.admit_in_order(s.held_court, order, over)
            s.held_court -= out_now
            s.released += out_now
            capacity_released = int(out_now.sum())
        out["capacity_releases"] = capacity_released
        space = max(0, interior_beds - int(s.held_court.sum() + s.held_removal.sum()))
        requests_r = to_removal
        requests_c = to_court
        # one ordering over both queues: removal cases and mandatory cases first, then by tier
        both = np.concatenate([requests_r, requests_c])
        order = self._memo(
            ("admission", id(tri), id(tri_o)),
            lambda: np.lexsort(
                (
                    np.concatenate([tri_o.rank, tri.rank]).astype(np.int64),
                    ~np.concatenate([np.ones(g.size, dtype=bool), self.mandatory]),
                )
            ),
        )
        admitted = stages.admit_in_order(both, order, space)
        adm_r, adm_c = admitted[: g.size], admitted[g.size :]
        s.held_removal += adm_r
        s.held_court += adm_c
        refused_r = requests_r - adm_r
        refused_c = requests_c - adm_c
        s.ordered += refused_r  # released with an order under supervision
        s.released += refused_c  # released with a notice to appear
        out["admissions"] = int(admitted.sum())
        out["refused_bed"] = int(refused_r.sum() + refused_c.sum())
        beds_binding = out["refused_bed"] > 0 or capacity_released > 0

        # court: judge hours, detained docket first --------------------------------------------------
        judges = float(p["courts.immigration_judges"])
        cp = "courts.process."
        judge_hours = judges * float(p[f"{cp}hours_per_judge_year"]) / WEEKS_PER_YEAR
        h_det = float(p[f"{cp}hours_per_case_detained"])
        h_rel = float(p[f"{cp}hours_per_case_released"])
        ready_det = draws.binom(
            bits, s.held_court, 1.0 / max(1.0, float(p[f"{cp}detained_case_weeks"]))
        )
        done_det = draws.cap(bits, ready_det, judge_hours / h_det)
        n_done_det = int(done_det.sum())
        hours_left_j = max(0.0, judge_hours - n_done_det * h_det)
        released_pending = float(s.released.sum())
        hazard = (
            min(1.0, (hours_left_j / h_rel) / released_pending) if released_pending > 0 else 0.0
        )
        # judges hear as many non-detained cases as their hours allow (in no particular order:
        # the model does not track a case's age)
        done_rel = draws.cap(bits, s.released, hours_left_j / h_rel)
        n_done_rel = int(done_rel.sum())
        judges_binding = n_done_det < int(ready_det.sum()) or (
            hazard < 1.0 and released_pending > 0
        )
        judge_hours_used = n_done_det * h_det + n_done_rel * h_rel
        relief_asylum = float(p[f"{cp}relief_share_asylum"])
        relief_other = float(p[f"{cp}relief_share"])
        relief_p = self._memo(
            ("relief", relief_asylum, relief_other),
            lambda: np.where(self.asylum, relief_asylum, relief_other),
        )
        out.update(
            stages.court(
                bits, s.stocks, done_det, done_rel, relief_p, float(p[f"{cp}in_absentia_share"])
            )
        )
        out["completions_detained"] = n_done_det
        out["completions_released"] = n_done_rel

        # prosecutorial-discretion review of pending cases (attorney hours) ----------------------
        review = regime.docket_review
        if review is not None and day >= review.start:
            if s.review_scope is None:
                s.review_scope = int(s.released.sum() + s.held_court.sum())
            left = s.review_scope - s.reviewed
            if left > 0:
                per_week = (
                    float(p["courts.process.attorneys"])
                    * float(p["enforcement.effort.hours_per_officer_year"])
                    * float(p[f"{cp}review_share_of_hours"])
                    / WEEKS_PER_YEAR
                    / float(p[f"{cp}review_hours_per_case"])
                )
                n = min(left, per_week)
                frac = min(1.0, n / max(float(s.released.sum()), 1.0))
                # administratively closed: back at large, still unauthorized
                closed = stages.move(
                    bits,
                    s.stocks,
                    stages.RELEASED,
                    stages.FREE,
                    tri.review_closable,
                    frac * float(p[f"{cp}review_closure_share"]),
                )
                s.reviewed += n
                out["review_cases"] = n
                out["review_closures"] = closed

        # removal: travel documents, seats, Zadvydas ------------------------------------------------
        doc_rate = self._by_level(
            "country_group",
            [
                float(p[f"removal.logistics.travel_document_rate.{level}"])
                for level in LEVELS["country_group"]
            ],
        )
        documented = draws.binom(
            bits, s.held_removal, self._memo(("docs", id(doc_rate)), lambda: _weekly(doc_rate))
        )
        land = np.where(self.is_mexico, documented, 0)
        air_ready = documented - land
        seats_year = float(p["removal.logistics.air_seats_per_year"])
        border_removals = float(p["border.removals"]) / WEEKS_PER_YEAR
        border_air = border_removals * float(p["border.air_share"])
        seats = max(0.0, seats_year / WEEKS_PER_YEAR - border_air)
        air = draws.cap(bits, air_ready, seats)
        n_land, n_air = int(land.sum()), int(air.sum())
        seats_binding = n_air < int(air_ready.sum())
        removed = land + air
        s.held_removal -= removed
        out["zadvydas_releases"] = stages.move(
            bits,
            s.stocks,
            stages.HELD_REMOVAL,
            stages.ORDERED,
            self.stuck,
            1.0 / max(1.0, float(p["detention.release.zadvydas_weeks"])),
        )
        out["removals_land"] = n_land
        out["removals_air"] = n_air
        out["removals_interior"] = n_land + n_air
        out["removals_border"] = border_removals
        out["removals"] = float(n_land + n_air) + border_removals
        docs_binding = out["zadvydas_releases"] > 0

        # the goal controller: raise effort while removals run behind the goal --------------------
        s.recent_removals.append(out["removals"])
        if len(s.recent_removals) > int(p["enforcement.effort.goal_window_weeks"]):
            s.recent_removals.pop(0)
        if goal > 0:
            pace = sum(s.recent_removals) / len(s.recent_removals) * WEEKS_PER_YEAR
            surge = float(p["enforcement.effort.surge_max"])
            gain = float(p["enforcement.effort.controller_gain"])
            s.effort = min(max(s.effort * (1 + gain * (goal - pace) / goal), 1.0), surge)
        else:
            s.effort = 1.0

        # stocks, costs, capacities ---------------------------------------------------------------
        free, ordered, released, held_court, held_removal = s.stocks.sum(axis=1).tolist()
        out.update(
            at_large=free,
            final_orders_at_large=ordered,
            court_released=released,
            detained_court=held_court,
            detained_removal=held_removal,
            detained_border=border_detained,
            detained=float(held_court + held_removal) + border_detained,
            court_pending=released + held_court,
        )
        per_officer = float(p["enforcement.effort.cost_per_officer_year"]) / WEEKS_PER_YEAR
        # every officer is paid in full (an agency that hires for arrests pays for the whole
        # officer); the goal's surge adds overtime on the arrest share of their hours
        arrest_share = float(p["enforcement.effort.share_on_arrests"])
        out["cost_arrest"] = officers * per_officer * (1.0 + arrest_share * (s.effort - 1.0))
        out["cost_detention"] = (
            (float(held_court + held_removal) + border_detained)
            * 7
            * float(p["detention.cost_per_bed_day"])
        )
        out["cost_court"] = judges * float(p["courts.process.cost_per_judge_year"]) / WEEKS_PER_YEAR
        out["cost_removal"] = float(n_land) * float(
            p["removal.logistics.land_cost_per_person"]
        ) + float(n_air + border_air) * float(p["removal.air_cost_per_person"])
        out.update(
            officer_hours=hours,
            officer_hours_used=used_hours,
            beds=beds,
            judge_hours=judge_hours,
            judge_hours_used=judge_hours_used,
            air_seats=seats,
            air_seats_used=float(n_air),
            effort=s.effort,
        )
        flags = {
            "beds": beds_binding,
            "officers": officers_binding,
            "judges": judges_binding,
            "seats": seats_binding,
            "travel_documents": docs_binding,
        }
        binding = next((name for name in BINDING if flags[name]), "none")
        for name in BINDING:
            out[f"binding_{name}"] = float(flags[name])
        return WeekRecord(
            week=week,
            date=day,
            values=out,
            binding=binding,
            breakdown=self._breakdown(day, regime, tri, removed, arrested),
        )

    def _breakdown(
        self, day: dt.date, regime: Regime, tri: Triage, removed: IntArray, arrested: IntArray
    ) -> Breakdown:
        cells, columns = self._memo(
            ("breakdown", id(tri), day.year), lambda: self._cells(day, regime, tri)
        )
        sums = stages.tally(cells, np.stack([removed, arrested]), len(columns))
        return Breakdown(columns=columns, sums=sums)

    def _cells(
        self, day: dt.date, regime: Regime, tri: Triage
    ) -> tuple[IntArray, list[tuple[str, str]]]:
        """Each group's breakdown column under every attribute (one row per attribute): one
        pass over the groups then gives all the week's sums."""
        rows: list[IntArray] = []
        columns: list[tuple[str, str]] = []
        for attribute, (code, labels) in self._codes(day, regime, tri).items():
            rows.append(code + len(columns))
            columns += [(attribute, label) for label in labels]
        return np.stack(rows), columns

    def _codes(
        self, day: dt.date, regime: Regime, tri: Triage
    ) -> dict[str, tuple[NDArray[np.int64], list[str]]]:
        g = self.groups
        n_tiers = len(regime.tiers)
        tier_code = np.where(tri.rank < NO_TIER, tri.rank - 1, n_tiers)
        tier_code = np.where(tri.exempt, n_tiers + 1, tier_code)
        years = day.year - g.entry_year
        edges = [lo for lo, _, _ in YEARS_BANDS[1:]]
        codes: dict[str, tuple[NDArray[np.int64], list[str]]] = {
            "criminal_history": (
                g.codes["criminal_history"].astype(np.int64),
                list(LEVELS["criminal_history"]),
            ),
            "country_group": (
                g.codes["country_group"].astype(np.int64),
                list(LEVELS["country_group"]),
            ),
            "years_in_us": (
                np.searchsorted(edges, years, side="right").astype(np.int64),
                [b for _, _, b in YEARS_BANDS],
            ),
            "us_citizen_child": (g.flags["us_citizen_child"].astype(np.int64), ["false", "true"]),
            "tier": (tier_code.astype(np.int64), [*regime.tier_ids(), "non_priority", "exempt"]),
        }
        return codes
