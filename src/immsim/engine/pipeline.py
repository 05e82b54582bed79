"""The weekly pipeline: encounter, arrest, processing, detention, court, removal.

State is a handful of count arrays over engine groups (see :mod:`immsim.engine.stocks`). Each
week people move between them by binomial (and, for arrivals and capacity cuts, multinomial)
draws, so counts stay whole and the run is exact for exchangeable people. Every capacity is a
hard limit applied in the regime's order: officer hours (each arrest program within its share:
custodial arrests, leads, at-large operations down the priority tiers), beds (mandatory detention first, then by
tier), judge hours (detained docket first), attorney hours for a discretion review, and seats on
removal flights. Every rate comes from the parameter tree via the week's plan
(:mod:`immsim.engine.plan`); the week itself is compiled (:mod:`immsim.engine.week`), and this
module runs it, the goal controller and the cost model, and records each week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immsim.engine import costs, draws
from immsim.engine.compiled import jit
from immsim.engine.controller import next_effort
from immsim.engine.counts import BINDING, FLOWS, Count
from immsim.engine.glide import BedPath
from immsim.engine.inputs import PlanInputs, live_groups
from immsim.engine.plan import WeekPlan, build_plan, frozen
from immsim.engine.prepared import Prepared
from immsim.engine.stages import at_large, detention, leads, removal
from immsim.engine.start import initial_effort, initial_stocks
from immsim.engine.stocks import COUNT, HELD_REMOVAL, CountArray
from immsim.engine.week import CHANNELS, NO_CHANNELS, KernelPlan, RunState, carried, week
from immsim.errors import InputError
from immsim.regimes.model import Regime

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

FLOW_COLUMNS = (
    *(count.column for count in FLOWS),
    "removals_interior",  # land, air and third countries
    "removals_border",  # as the parameter tree gives them
    "removals",  # both
)
STOCK_COLUMNS = (
    "at_large",
    "final_orders_at_large",
    "court_released",
    "detained_court",
    "detained_removal",
    "detained_border",
    "detained",
    "court_abroad",
    "court_pending",
)
COST_COLUMNS = costs.COMPONENTS
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
BINDING_COLUMNS = tuple(f"binding_{name}" for name in BINDING)
# where the weekly table's kernel columns sit in the week's count vector: looked up once here,
# since naming them through the enum each week cost a tenth of a run (measured)
_FLOW_NAMES = tuple(count.column for count in FLOWS)
_FLOW_INDEX = np.array([int(count) for count in FLOWS])
_BINDING_NAMES = tuple(BINDING_COLUMNS)
_BINDING_INDEX = np.array([int(count) for count in BINDING.values()])
BREAKDOWN_STAGES = (
    "removed",
    "arrested",
    "released",
    "admitted",
    "transferred",
    "detained",
    "custodial",
    "removed_parents",
)
"""The breakdown's stages: people removed, arrested and released under Zadvydas in the week,
and in a run with areas also people admitted to detention, those of them transferred to
another area's beds, people detained at the week's end, those of the arrests made in
custody (from jails, prisons and 287(g): the weekly table's ``arrests_jail``,
``arrests_287g``, ``arrests_prison`` and ``arrests_287g_task_force``), and those of the
removed who are parents of U.S.-citizen children (the population's ``us_citizen_child``; the
``removed`` stage's ``us_citizen_child`` column counts them nationally, this stage by every
other attribute, the area among them) (the first three only, without areas)."""


@dataclass(frozen=True)
class Breakdown:
    """Who was removed, arrested and released under Zadvydas in a week (and, with areas,
    admitted, transferred and detained), by attribute: ``sums[stage, column]`` persons for the
    (attribute, level) of each column (rows as the first ``BREAKDOWN_STAGES``)."""

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
    """The stocks as rows of one matrix (:mod:`immsim.engine.stocks`) whose columns are the
    groups at ``live`` (the plan in force's: every other group is empty), the goal
    controller's effort and recent removals, the docket review's progress, and the people held
    awaiting a removal that is not foreseeable, by weeks held (:func:`removal.cohorts`, a row
    per group at ``live``; None until the first week), and the court's pending cases of people
    who left the country (none at the start: the record's pending cases start as people here)."""

    stocks: CountArray  # 32-bit counts (stocks.COUNT)
    live: IntArray
    effort: float = 1.0
    recent_removals: list[float] = field(default_factory=list)
    review_scope: int | None = None
    reviewed: float = 0.0
    held: CountArray | None = None
    court_abroad: int = 0
    # the cohorts' table before the last plan's, kept for the next regroup to write into
    spare: CountArray | None = field(default=None, repr=False)

    def total(self) -> int:
        return int(self.stocks.sum())

    def occupied(self, groups: int) -> NDArray[np.bool_]:
        """Which of the run's ``groups`` hold anyone."""
        out = np.zeros(groups, dtype=np.bool_)
        out[self.live] = self.stocks.any(axis=0)
        return out

    def full_stocks(self, groups: int) -> IntArray:
        """The stocks over all the run's ``groups``."""
        out = np.zeros((self.stocks.shape[0], groups), dtype=np.int64)
        out[:, self.live] = self.stocks
        return out

    def regroup(self, live: IntArray) -> None:
        """Make the columns of the stocks (and the rows of ``held``) those of the groups at
        ``live``, which must include every group holding anyone (both ``live`` and the groups
        now at ``self.live`` ascending and distinct, as :func:`.inputs.live_groups` makes them)."""
        stocks = np.zeros((self.stocks.shape[0], live.size), dtype=self.stocks.dtype)
        held = None
        if self.held is not None:
            held = self._cohorts_table(live.size, self.held.shape[1], self.held.dtype)
        # one compiled pass (_regroup) merges the two ascending lists of groups and copies what
        # each kept group holds: NumPy's searchsorted of the old groups among the new, the
        # boolean tests and the fancy-indexed copies of the stocks' rows and the cohorts' rows
        # took 50 ms over the 12 regroups of a ten-year run by area, of which the searches 11,
        # the stocks' copies 11 and the cohorts' 8-12 ms (the run's own inputs saved, the
        # allocator's trim and mmap thresholds raised, mean of 5)
        if _regroup(
            self.live,
            live,
            self.stocks,
            stocks,
            _NO_COHORTS if self.held is None else self.held,
            _NO_COHORTS if held is None else held,
            held is not None,
        ):
            raise AssertionError("a plan left out a group that holds people")
        if self.held is not None:
            self.spare = self.held if self.held.base is None else self.held.base
        self.held = held
        self.stocks = stocks
        self.live = live

    def _cohorts_table(self, rows: int, weeks: int, dtype: np.dtype[Any]) -> CountArray:
        """A zeroed table of ``rows`` cohorts by ``weeks`` in ``dtype`` (the cohorts' own): the
        first rows of the table the plan before last held (``spare``, which nothing reads any
        more: the week is handed ``held`` anew each week), where it has as many rows, the same
        weeks and the same type, else a new one.

        Why: a new table is 11-14 MB by area, which NumPy asks the kernel to back with huge
        pages, and a regroup's writes into its fresh pages stalled 20-30 ms at a time (3 to 8 of
        a run's 12 regroups, at random: in a fresh process the 12 took 134-234 ms on 9f75c8e
        and 44-142 ms with the compiled pass, against 12-26 ms on the same inputs in a process
        whose pages were warm). Two tables used in turn are written over and never faulted in
        again after the first two plans; zeroing one costs some 0.7 ms."""
        spare, self.spare = self.spare, None
        if (
            spare is not None
            and spare.ndim == 2
            and spare.shape[0] >= rows
            and spare.shape[1] == weeks
            and spare.dtype == dtype
            and spare.flags.c_contiguous
        ):
            table: CountArray = spare[:rows]
            table.fill(0)
            return table
        return np.zeros((rows, weeks), dtype=dtype)


_NO_COHORTS = np.zeros((0, 0), dtype=COUNT)
"""The cohorts :func:`_regroup` is given before the first plan makes them (none to move)."""


@jit
def _regroup(
    old_live: IntArray,
    new_live: IntArray,
    old_stocks: CountArray,
    new_stocks: CountArray,
    old_held: CountArray,
    new_held: CountArray,
    with_held: bool,
) -> bool:
    """Copy each group's column of ``old_stocks`` (its groups at ``old_live``) into its column
    of ``new_stocks`` (at ``new_live``; both lists ascending, so one merged pass finds every
    group's new place), and with ``with_held`` its row of the cohorts ``old_held`` into
    ``new_held`` where the group holds anyone awaiting removal. Returns whether a group left
    out of ``new_live`` holds anyone (then the caller drops what was written).

    Only the cohorts of groups whose stock awaiting removal is positive are moved (a few
    thousand of 63,000 by area): a row never holds more than its group's stock awaiting removal
    (removal._age's premise; removal alone takes people out of that stock), so the rows of the
    others are all zero, as the new table's rows start."""
    n_new = new_live.size
    n_rows = old_stocks.shape[0]
    lost = False
    j = 0
    for i in range(old_live.size):
        group = old_live[i]
        while j < n_new and new_live[j] < group:
            j += 1
        if j < n_new and new_live[j] == group:
            for row in range(n_rows):
                new_stocks[row, j] = old_stocks[row, i]
            if with_held and old_stocks[HELD_REMOVAL, i] > 0:
                for column in range(old_held.shape[1]):
                    new_held[j, column] = old_held[i, column]
        else:
            for row in range(n_rows):
                if old_stocks[row, i] != 0:  # counts are never negative
                    lost = True
    return lost


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


class Pipeline:
    """One run of the weekly model; ``step`` advances one week and returns its record."""

    def __init__(
        self,
        prepared: Prepared,
        regime_at: Callable[[dt.date], Regime],
        params_at: Callable[[dt.date], dict[str, Any]],
        start: dt.date,
        rng: np.random.Generator,
        span_at: Callable[[dt.date], Hashable] | None = None,
    ) -> None:
        """``params_at(day)`` gives the parameter values in force on a day and ``span_at(day)``
        which span of unchanged values the day is in (None: every day its own span)."""
        self.prepared = prepared
        self.groups = prepared.groups
        self.regime_at = regime_at
        self.params_at = params_at
        self.span_at = span_at
        self.start = start
        self.rng = rng
        self.bits = draws.stream(rng)  # the compiled draws' uniforms
        self._plans: dict[tuple[Hashable, str, bool, int], WeekPlan] = {}
        self._located: tuple[WeekPlan, float, at_large.Located] | None = None
        self._thinned = leads.thinned_tables(self.groups.size)
        self._in_force: WeekPlan | None = None  # last week's plan
        # with areas, the breakdown's detained by column and by group as last tallied (made
        # anew with each plan: week._tally)
        self._detained, self._counted = carried(0, 0, False)
        # an analysis sets this to have each week record its arrests by channel and removals
        # by group (week.CHANNELS) in ``channels``, over the plan's groups (``state.live``)
        self.record_channels = False
        self.channels: CountArray = NO_CHANNELS
        self._beds = BedPath()  # the funded beds week by week (a glide after a step down)
        self._held = 0.0  # the people detained at last week's end, the border's included
        self.state = self._initial_state(start)

    def _initial_state(self, start: dt.date) -> State:
        """The stocks and the goal's effort on the start date, from the record
        (:mod:`immsim.engine.start`)."""
        stocks = initial_stocks(
            self.groups, self.prepared.attributes.asylum, self.params(start), self.rng
        )
        live = np.arange(self.groups.size, dtype=np.int64)
        # read-only as every plan's groups are (frozen), so that the compiled regroup has one
        # signature, the one warm_up compiles: the first run's second regroup loaded another
        # from numba's cache, 6-8 ms, or compiled it, 0.2 s
        live.flags.writeable = False
        return State(stocks=stocks, live=live, effort=initial_effort(start, self.params))

    def params(self, day: dt.date) -> dict[str, Any]:
        return _Snapshot(day, self.params_at(day))

    def plan(self, day: dt.date) -> WeekPlan:
        """The plan in force on ``day``, built once per parameter span, regime (and whether its
        preapproval requirement is in force) and year over the groups that hold anyone when it is
        built (:func:`.inputs.live_groups`; built anew if someone is now in a group it left out)."""
        regime = self.regime_at(day)
        span = self.span_at(day) if self.span_at is not None else day
        key = (span, regime.name, regime.preapproval_on(day), day.year)
        found = self._plans.get(key)
        occupied: NDArray[np.bool_] | None = None
        if found is not None and found is not self._in_force:
            occupied = self.state.occupied(self.groups.size)
            covered = np.zeros(self.groups.size, dtype=np.bool_)
            covered[found.live] = True
            if (occupied & ~covered).any():
                found = None
        if found is None:
            if occupied is None:
                occupied = self.state.occupied(self.groups.size)
            if len(self._plans) > 64:
                self._plans.clear()
            inputs = PlanInputs.of(
                self.params(day),
                regime,
                self.prepared.triage(regime, day),
                self.prepared.triage(regime, day, final_order=True),
                self.groups,
                self.prepared.attributes,
                day,
                live_groups(self.groups, day, occupied),
                self.prepared.moves(),
            )
            found = build_plan(inputs, self.prepared.cells(regime, day))
            self._plans[key] = found
        return found

    def step(self, week_index: int) -> WeekRecord:
        day = self.start + dt.timedelta(weeks=week_index)
        w = self.plan(day)
        s = self.state
        review = w.regime.docket_review
        review_on = review is not None and day >= review.start
        if self._in_force is not w:  # what the run keeps for its plan, made anew
            s.regroup(w.live)
            s.held = removal.cohorts(s.held, w.kernel.removal, w.kernel.groups)
            self._thinned.ready[:] = False
            # the breakdown's detained, carried from week to week over this plan's groups and
            # columns: recounted in full in the plan's first week (week._tally)
            self._detained, self._counted = carried(w.kernel.groups, len(w.columns), w.kernel.areas)
            self._in_force = w
        assert s.held is not None  # made with the first week's plan
        kernel = self._kernel(w, day)
        self.channels = (
            np.zeros((len(CHANNELS), s.stocks.shape[1]), dtype=COUNT)
            if self.record_channels
            else NO_CHANNELS
        )
        counts, sums, levels = week(
            self.bits,
            s.stocks,
            kernel,
            RunState(
                effort=s.effort,
                located=self._located_for(w, s.effort),
                review_on=review_on,
                review_scope=-1.0 if s.review_scope is None else float(s.review_scope),
                reviewed=s.reviewed,
                held=s.held,
                thinned=self._thinned,
                court_abroad=float(s.court_abroad),
                detained=self._detained,
                counted=self._counted,
                channels=self.channels,
            ),
            w.cells,
            len(w.columns),
        )
        if review_on:
            s.review_scope = int(counts[Count.REVIEW_SCOPE])
            s.reviewed += float(counts[Count.REVIEW_CASES])
        s.court_abroad = int(counts[Count.COURT_ABROAD])
        values = self._flows(w, counts)
        values.update(self._levels(w, kernel, counts, levels))
        self._held = values["detained"]
        s.effort = next_effort(w.goal, s.effort, s.recent_removals, values["removals"])
        flags = counts[_BINDING_INDEX]
        binding = next((name for name, flag in zip(BINDING, flags, strict=True) if flag), "none")
        return WeekRecord(
            week=week_index,
            date=day,
            values=values,
            binding=binding,
            breakdown=Breakdown(columns=w.columns, sums=sums),
        )

    def _kernel(self, w: WeekPlan, day: dt.date) -> KernelPlan:
        """The plan's stages with the week's funded beds: the tree's, or on a glide path to the
        year's end after a step down below the people held (:mod:`immsim.engine.glide`)."""
        d = w.kernel.detention
        funded = self._beds.week(d.funded_beds, day, self._held)
        if funded == d.funded_beds:
            return w.kernel
        p = self.params(day)
        beds = detention.interior_beds(p, funded)
        return w.kernel._replace(
            detention=d._replace(
                funded_beds=funded,
                beds=beds,
                area_beds=frozen(detention.shared_beds(self.groups, p, beds)),
            )
        )

    @staticmethod
    def _flows(w: WeekPlan, counts: FloatArray) -> dict[str, float]:
        """The weekly table's flow columns."""
        out = dict(zip(_FLOW_NAMES, counts[_FLOW_INDEX].tolist(), strict=True))
        n_land = out["removals_land"]
        n_air = out["removals_air"] + out["removals_third_country"]
        out["removals_interior"] = n_land + n_air
        out["removals_border"] = w.border.removals
        out["removals"] = n_land + n_air + w.border.removals
        return out

    def _levels(
        self, w: WeekPlan, k: KernelPlan, counts: FloatArray, levels: IntArray
    ) -> dict[str, float]:
        """The weekly table's stocks at the week's end (``levels``: each row of the stocks summed,
        which the compiled week returns from the pass its tally makes over the groups: a NumPy
        sum here read the stocks again, some 0.1 ms a week by area), and its costs, capacities
        and binding flags at the effort the week ran at."""
        s = self.state
        n_land = float(counts[Count.REMOVALS_LAND])
        n_air = float(counts[Count.REMOVALS_AIR] + counts[Count.REMOVALS_THIRD_COUNTRY])
        departures = float(counts[Count.CBP_HOME_DEPARTURES])
        out: dict[str, float] = {}
        free, ordered, released, held_court, held_removal = levels.tolist()
        detained = float(held_court + held_removal) + w.border.detained
        out.update(
            at_large=free,
            final_orders_at_large=ordered,
            court_released=released,
            detained_court=held_court,
            detained_removal=held_removal,
            detained_border=w.border.detained,
            detained=detained,
            court_abroad=float(s.court_abroad),
            court_pending=released + held_court + s.court_abroad,
        )
        out.update(
            costs.week_costs(w.costs, s.effort, detained, n_land, n_air + w.border.air, departures)
        )
        out.update(
            officer_hours=k.officer_hours * s.effort,
            officer_hours_used=float(counts[Count.OFFICER_HOURS_USED]),
            beds=k.detention.funded_beds,
            judge_hours=k.court.judge_hours,
            judge_hours_used=float(counts[Count.JUDGE_HOURS_USED]),
            air_seats=k.removal.seats,
            air_seats_used=n_air,
            effort=s.effort,
        )
        out.update(zip(_BINDING_NAMES, counts[_BINDING_INDEX].tolist(), strict=True))
        return out

    def _located_for(self, w: WeekPlan, effort: float) -> at_large.Located:
        """The week's chances of being located; a goal's surge reaches non-priority cases where
        the regime weighs them case by case (kept while plan and share stay the same)."""
        plan = w.kernel.at_large
        share = plan.non_priority_share
        if plan.case_by_case and w.goal.goal > 0:
            share = min(1.0, share * effort)
        if self._located is None or self._located[0] is not w or self._located[1] != share:
            self._located = (w, share, at_large.located(plan, share))
        return self._located[2]
