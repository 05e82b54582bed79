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
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immsim.engine import draws, stages
from immsim.engine import week as week_kernel
from immsim.engine.groups import LEVELS, Groups
from immsim.engine.plan import WEEKS_PER_YEAR, Attributes, WeekPlan, build_plan
from immsim.engine.triage import NO_TIER, Triage, triage
from immsim.errors import InputError
from immsim.regimes.model import Regime

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

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


def _spread(rng: np.random.Generator, total: int, weights: FloatArray) -> IntArray:
    """Share ``total`` people over groups in proportion to ``weights`` (a multinomial draw)."""
    mass = float(weights.sum())
    if total <= 0 or mass <= 0:
        return np.zeros(weights.size, dtype=np.int64)
    return rng.multinomial(total, weights / mass).astype(np.int64)


Cells = tuple[Regime, IntArray, list[tuple[str, str]]]
_SHARED: list[
    tuple[Groups, dict[tuple[int, int, bool], tuple[Regime, Triage]], dict[tuple[int, int], Cells]]
] = []


class Pipeline:
    """One run of the weekly model; ``step`` advances one week and returns its record."""

    def __init__(
        self,
        groups: Groups,
        regime_at: Callable[[dt.date], Regime],
        params_at: Callable[[dt.date], dict[str, Any]],
        start: dt.date,
        rng: np.random.Generator,
        span_at: Callable[[dt.date], Hashable] | None = None,
    ) -> None:
        """``params_at(day)`` gives the parameter values in force on a day and ``span_at(day)``
        which span of unchanged values the day is in (None: every day its own span)."""
        self.groups = groups
        self.regime_at = regime_at
        self.params_at = params_at
        self.span_at = span_at
        self.start = start
        self.rng = rng
        self.bits = draws.stream(rng)  # the compiled draws' uniforms
        self.attributes = Attributes.of(groups)
        # what depends only on the groups, the regime and the year is shared with the previous
        # run on the same groups (the draws of a Monte Carlo share them)
        if _SHARED and _SHARED[0][0] is groups:
            self._triage, self._cells = _SHARED[0][1], _SHARED[0][2]
        else:
            self._triage, self._cells = {}, {}
            _SHARED[:] = [(groups, self._triage, self._cells)]
        self._plans: dict[tuple[Hashable, str, int], WeekPlan] = {}
        self._packs: dict[int, tuple[WeekPlan, week_kernel.Packed]] = {}
        self._located_plan: WeekPlan | None = None
        self._located_share: float | None = None
        self._located_value: tuple[FloatArray, FloatArray, FloatArray, FloatArray] | None = None
        self.state = self._initial_state(start)

    # --- setup ----------------------------------------------------------------------------

    def _initial_state(self, start: dt.date) -> State:
        g = self.groups
        a = self.attributes
        p = self.params(start)
        free = g.initial.copy()
        ordered = np.where(g.level_of("immigration_history") == "final_order", free, 0)
        ordered = ordered.astype(np.int64)
        free -= ordered
        pending = int(p["courts.process.pending_cases"])
        weights = free * np.where(a.asylum, float(p["courts.process.backlog_asylum_weight"]), 1.0)
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

    def triage(self, regime: Regime, day: dt.date, final_order: bool = False) -> Triage:
        key = (id(regime), day.year, final_order)
        found = self._triage.get(key)
        if found is None or found[0] is not regime:  # (an id is only unique while in use)
            found = (regime, triage(regime, self.groups, day, final_order))
            self._triage[key] = found
        return found[1]

    def plan(self, day: dt.date) -> WeekPlan:
        """The plan in force on ``day``, built once per parameter span, regime and year."""
        regime = self.regime_at(day)
        span = self.span_at(day) if self.span_at is not None else day
        key = (span, regime.name, day.year)
        found = self._plans.get(key)
        if found is None:
            if len(self._plans) > 64:
                self._plans.clear()
            found = build_plan(
                self.params(day),
                regime,
                self.triage(regime, day),
                self.triage(regime, day, final_order=True),
                self.groups,
                self.attributes,
                day,
            )
            self._plans[key] = found
        return found

    # --- one week ---------------------------------------------------------------------------

    def step(self, week: int) -> WeekRecord:
        day = self.start + dt.timedelta(weeks=week)
        w = self.plan(day)
        packed = self._packed(w)
        regime = w.regime
        s = self.state
        out: dict[str, float] = dict.fromkeys(FLOW_COLUMNS, 0.0)

        # the week: one compiled pass (background flows, arrivals, arrests ... removal) ---------
        share = w.non_priority_share
        if share is not None and w.goal > 0 and regime.non_priority == "case_by_case":
            share = min(1.0, share * s.effort)  # the goal's surge reaches non-priority cases
        review = regime.docket_review
        review_on = review is not None and day >= review.start
        scope = -1.0 if s.review_scope is None else float(s.review_scope)
        n = w.active  # later entry cohorts are empty: the week leaves them out
        cells, columns = self._cells_for(day, regime, w.tri, n)
        located = self._located(w, share)
        counts, sums = week_kernel.week(
            self.bits,
            s.stocks,
            packed,
            s.effort,
            (located[0][:n], located[1][:n], located[2][:n], located[3][:n]),
            (review_on, scope, s.reviewed),
            cells,
            len(columns),
        )
        values = dict(zip(week_kernel.OUT, counts.tolist(), strict=True))
        if review_on:
            s.review_scope = int(values["review_scope"])
            s.reviewed += values["review_cases"]
        hours = w.hours * s.effort
        n_land, n_air = values["removals_land"], values["removals_air"]
        for name in FLOW_COLUMNS:
            if name in values:
                out[name] = values[name]
        out["removals_interior"] = n_land + n_air
        out["removals_border"] = w.border_removals
        out["removals"] = n_land + n_air + w.border_removals

        # the goal controller: raise effort while removals run behind the goal --------------------
        s.recent_removals.append(out["removals"])
        if len(s.recent_removals) > w.goal_window_weeks:
            s.recent_removals.pop(0)
        if w.goal > 0:
            goal = w.goal
            pace = sum(s.recent_removals) / len(s.recent_removals) * WEEKS_PER_YEAR
            s.effort = min(
                max(s.effort * (1 + w.controller_gain * (goal - pace) / goal), 1.0), w.surge_max
            )
        else:
            s.effort = 1.0

        # stocks, costs, capacities ---------------------------------------------------------------
        free, ordered, released, held_court, held_removal = s.stocks.sum(axis=1).tolist()
        border_detained = w.border_detained
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
        # every officer is paid in full (an agency that hires for arrests pays for the whole
        # officer); the goal's surge adds overtime on the arrest share of their hours
        out["cost_arrest"] = (
            w.officers * w.cost_officer_week * (1.0 + w.arrest_share * (s.effort - 1.0))
        )
        out["cost_detention"] = (
            (float(held_court + held_removal) + border_detained) * 7 * w.cost_bed_day
        )
        out["cost_court"] = w.cost_court_week
        out["cost_removal"] = float(n_land) * w.cost_land + float(n_air + w.border_air) * w.cost_air
        out.update(
            officer_hours=hours,
            officer_hours_used=values["officer_hours_used"],
            beds=w.beds,
            judge_hours=w.judge_hours,
            judge_hours_used=values["judge_hours_used"],
            air_seats=w.seats,
            air_seats_used=float(n_air),
            effort=s.effort,
        )
        binding = "none"
        for name in BINDING:
            flag = values[f"binding_{name}"]
            out[f"binding_{name}"] = flag
            if flag and binding == "none":
                binding = name
        return WeekRecord(
            week=week,
            date=day,
            values=out,
            binding=binding,
            breakdown=Breakdown(columns=columns, sums=sums),
        )

    def _packed(self, w: WeekPlan) -> week_kernel.Packed:
        found = self._packs.get(id(w))
        if found is None or found[0] is not w:
            if len(self._packs) > 64:
                self._packs.clear()
            found = (w, week_kernel.pack(w, self.attributes))
            self._packs[id(w)] = found
        return found[1]

    def _located(
        self, w: WeekPlan, share: float | None
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """The week's locate probabilities and hazards of the two stocks at large, with the
        non-priority ones scaled by ``share`` (kept for the last share asked)."""
        if (
            self._located_value is None
            or self._located_plan is not w
            or self._located_share != share
        ):

            def scaled(base: FloatArray, t: Triage) -> FloatArray:
                rate = base if share is None else np.where(t.rank < NO_TIER, base, base * share)
                return np.asarray(rate, dtype=np.float64)

            locate_p, locate_o = scaled(w.locate_p, w.tri), scaled(w.locate_o, w.tri_o)
            self._located_value = (
                locate_p,
                draws.hazards(locate_p),
                locate_o,
                draws.hazards(locate_o),
            )
            self._located_plan, self._located_share = w, share
        return self._located_value

    def _cells_for(
        self, day: dt.date, regime: Regime, tri: Triage, active: int
    ) -> tuple[IntArray, list[tuple[str, str]]]:
        """The breakdown columns of the first ``active`` groups (see ``_cells_of``)."""
        key = (id(regime), day.year)
        found = self._cells.get(key)
        if found is None or found[0] is not regime:
            cells, columns = self._cells_of(day, regime, tri)
            found = (regime, np.ascontiguousarray(cells[:, :active]), columns)
            self._cells[key] = found
        return found[1], found[2]

    def _cells_of(
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
