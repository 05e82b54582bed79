"""Removal: travel documents, then the land border (Mexico) or seats on removal flights; people
whose removal is not foreseeable are released once they have been held the Zadvydas period.

Whose removal is not foreseeable: people of a country whose travel documents come no faster
than those of the countries that refuse or delay them (so a reform that slows a country's
documents to that pace makes its people such cases too). Their release is keyed to the time
they have been held awaiting removal, not to a weekly chance: their stock is carried in weekly
cohorts by weeks held (``held``, a row per group, a column per week from 0 to the Zadvydas
period), and whoever is still held when their cohort reaches the period is released with their
order (Zadvydas v. Davis, 533 U.S. 678 (2001): six months presumptively reasonable).

From 20 January 2025 some of them are removed to a third country that agreed to take them
(``removal.logistics.third_country_removals``, the record's count a year): each week that many
of those still held after the week's removals with documents are chosen at random and removed
(``Count.REMOVALS_THIRD_COUNTRY``, ICE removals flown at the air cost), at most all of them,
before the Zadvydas releases.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from immsim.dates import WEEKS_PER_YEAR
from immsim.engine import draws
from immsim.engine.compiled import jit
from immsim.engine.counts import Count
from immsim.engine.draws import (
    Stream,
    binomial,
)
from immsim.engine.groups import LEVELS
from immsim.engine.inputs import PlanInputs
from immsim.engine.rates import weekly
from immsim.engine.stocks import COUNT, HELD_REMOVAL, ORDERED, CountArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class RemovalPlan(NamedTuple):
    p_documented: FloatArray  # a week
    is_mexico: BoolArray  # removed over land
    stuck: BoolArray  # whose removal is not foreseeable (Zadvydas applies)
    stuck_index: IntArray  # those groups, in order: the only columns of the cohorts kept
    seats: float  # on flights a week, for the interior
    zadvydas_weeks: int  # held this many weeks, they are released
    third_country_per_week: float  # removed to a third country, of the stuck groups held


def zadvydas_weeks(p: Mapping[str, Any]) -> int:
    """The Zadvydas period in whole weeks (the rows of the cohorts by weeks held, less one)."""
    return max(1, round(float(p["detention.release.zadvydas_weeks"])))


def plan(x: PlanInputs, border_air: float) -> RemovalPlan:
    """``border_air``: the seats a week that border removals take."""
    p = x.p
    documents = np.array(
        [
            float(p[f"removal.logistics.travel_document_rate.{level}"])
            for level in LEVELS["country_group"]
        ]
    )
    refusing = float(p["removal.logistics.travel_document_rate.refusing_or_delaying"])
    stuck = (documents <= refusing)[x.a.country_group]
    return RemovalPlan(
        p_documented=weekly(documents[x.a.country_group]),
        is_mexico=x.a.is_mexico,
        stuck=stuck,
        stuck_index=np.flatnonzero(stuck).astype(np.int64),
        seats=max(
            0.0, float(p["removal.logistics.air_seats_per_year"]) / WEEKS_PER_YEAR - border_air
        ),
        zadvydas_weeks=zadvydas_weeks(p),
        third_country_per_week=float(p["removal.logistics.third_country_removals"])
        / WEEKS_PER_YEAR,
    )


# The cohorts are a matrix of groups by weeks held, a row per group so that a group's cohorts lie
# together (summed, searched and aged in one stretch of memory), and only the stuck groups' rows
# are kept (the others hold zeros, cleared by :func:`cohorts` when the plan changes): walking
# every group's cohorts every week, to clear them and to age them, cost more than the rest of
# the week's removals (measured: about a millisecond a week on the national population, a fifth
# of the groups stuck; some 30 µs now).


@jit
def _age(
    state: Stream,
    stocks: CountArray,
    removed: CountArray,
    stuck: IntArray,
    held: CountArray,
    most: int,
) -> CountArray:
    """Bring the cohorts of the ``stuck`` groups (their indices) up to date with the week's
    admissions (whoever is held awaiting removal but in no cohort came in this week: removal
    is the only stage that takes people out of this stock, and nothing in the week before it
    reads the cohorts), take the week's removals out of them (any held person as likely as
    another), then release the cohort that has been held the whole period and age the rest a
    week; returns those released, by group. ``stocks`` are the week's before its removals: a
    group with none held awaiting removal has only empty cohorts (a row never holds more than
    the stock), and is left out of ``stuck`` by the caller (most stuck groups, on a population
    by area: walking their rows was most of this stage's time there, measured by
    ``benchmarks/profile_week.py --areas``); ``most`` is the most held in one of them. The
    admissions are brought in the same pass as the ageing, while the row is in cache (they
    were a pass of their own, some 0.08 ms a week by area)."""
    weeks = held.shape[1]
    last = weeks - 1
    released = np.zeros(stocks.shape[1], dtype=COUNT)
    full = np.empty(weeks, dtype=np.int64)  # the nonzero cohorts of a group, and their weeks
    at = np.empty(weeks, dtype=np.int64)
    chosen = np.empty(weeks, dtype=np.int64)
    room = np.empty(weeks, dtype=np.int64)
    spacings = np.empty(most // 2 + 2)  # half the most held bounds a choice's draws
    for i in stuck:
        n = stocks[HELD_REMOVAL, i]
        cohort = held[i]
        counted = 0
        for week in range(weeks):
            counted += cohort[week]
        cohort[0] += n - counted
        if removed[i] > 0:
            k = 0
            for week in range(weeks):
                if cohort[week] != 0:
                    full[k] = cohort[week]
                    at[k] = week
                    k += 1
            draws.choose_into(state, full, k, n, removed[i], chosen, room, spacings)
            for j in range(k):
                cohort[at[j]] -= chosen[j]
        released[i] = cohort[last]
        for week in range(last, 0, -1):
            cohort[week] = cohort[week - 1]
        cohort[0] = 0
    return released


@jit
def _third_country(state: Stream, still: IntArray, total: int, per_week: float) -> IntArray:
    """The week's removals to a third country: ``draws.capped(state, pool, draws.poisson(state,
    per_week))``'s draws and choice, where ``still`` lists the pool's non-zero counts (those
    still held in the stuck groups with any, in the groups' order) and ``total`` is their sum:
    ``capped`` chooses among its non-zero counts only, so this is its choice. The pool was a
    table of every stuck group (12,415 a year into the default run by area, 3,418 with anyone
    held), summed, searched for its non-zero counts and scattered back; listed in the pass
    that finds the stuck groups with anyone held, the removals by area took 0.66-0.72 ms a week
    against 0.61-0.65 ms with the cohorts aged from that list too (least thread time of 100 on
    the week's real stocks, alternated with main on 2026-12-05)."""
    limit = draws.poisson(state, per_week)
    keep = max(0, math.floor(min(limit, total)))
    if keep == 0:
        return np.zeros_like(still)
    if total <= keep:
        return still.copy()
    chosen = np.empty(still.size, dtype=np.int64)
    room = np.empty(still.size, dtype=np.int64)
    spacings = np.empty(min(keep, total - keep) + 1)
    draws.choose_into(state, still, still.size, total, keep, chosen, room, spacings)
    return chosen


@jit
def run(
    state: Stream, stocks: CountArray, plan: RemovalPlan, held: CountArray, out: FloatArray
) -> tuple[CountArray, CountArray]:
    """The week's removals and Zadvydas releases, in place (``held``: the cohorts of stuck
    groups by weeks held, as :func:`_age` keeps them); returns who was removed and who was
    released, by group (the releases told by the group's attributes in the breakdown, as ICE
    told its Zadvydas releases by criminal history)."""
    # travel documents drawn for each group with anyone held (as draws.binom_each draws them),
    # sorted into land and air in the same pass, and the stocks changed in one pass at the end:
    # a pass and a new array for each step had cost more than the draws (measured with a
    # stage-by-stage copy of the week, on a run by area)
    size = stocks.shape[1]
    # the groups with anyone held (a fifth of them by area), listed first with no branch (each
    # index written, the count advanced by the test): the draws' loop then has no branch on
    # an empty group to mispredict, and the last pass visits only these (0.27 -> 0.24 ms for
    # the draws' pass by area, measured a year into the default run on 2026-12-05)
    listed = np.empty(size, dtype=np.int64)
    m = 0
    for i in range(size):
        listed[m] = i
        m += stocks[HELD_REMOVAL, i] > 0
    removed = np.zeros(size, dtype=COUNT)  # the documented, over land and by air
    n_land = 0
    n_ready = 0
    for j in range(m):
        i = listed[j]
        documented = binomial(state, stocks[HELD_REMOVAL, i], plan.p_documented[i])
        removed[i] = documented
        if plan.is_mexico[i]:
            n_land += documented
        else:
            n_ready += documented
    # the seats cut the air removals only when those ready outnumber them (a whole count above
    # the seats is above their floor, where draws.capped draws); otherwise every one ready
    # flies, as capped's copy would give, without the copy and the pass adding land and air
    # (0.25 -> 0.21 ms for the draws and the cut by area, measured on 2026-12-05); the table of
    # those ready by group, which only the cut reads, is made only then
    n_air = n_ready
    if n_ready > plan.seats:
        air_ready = np.zeros(size, dtype=np.int64)
        for j in range(m):
            i = listed[j]
            if not plan.is_mexico[i]:
                air_ready[i] = removed[i]
        air = draws.capped(state, air_ready, plan.seats)
        n_air = 0
        for j in range(m):
            i = listed[j]
            if not plan.is_mexico[i]:
                removed[i] = air[i]
                n_air += air[i]
    # the stuck groups with anyone held (a quarter of them by area: 3,418 of 12,415 a year into
    # the default run), listed once for the third countries' choice and the cohorts, and the
    # most held in one of them (the cohorts' buffer); with them, those still held after the
    # removals with documents (the third countries' pool), listed where any are: as
    # draws.capped lists its non-zero counts, so the choice among them draws what capped draws
    stuck = plan.stuck_index
    busy = np.empty(stuck.size, dtype=np.int64)
    pool = np.empty(stuck.size, dtype=np.int64)  # the entries of busy with anyone still held
    still = np.empty(stuck.size, dtype=np.int64)
    n_busy = 0
    n_pool = 0
    most = 0
    total = 0
    for j in range(stuck.size):
        i = stuck[j]
        n = stocks[HELD_REMOVAL, i]
        most = max(most, n)
        left = n - removed[i]
        busy[n_busy] = i
        pool[n_pool] = n_busy
        still[n_pool] = left
        n_pool += left > 0
        n_busy += n > 0
        total += left
    n_third = 0
    if plan.third_country_per_week > 0.0 and stuck.size > 0:  # no draw before 2025
        third = _third_country(state, still[:n_pool], total, plan.third_country_per_week)
        for j in range(n_pool):
            i = busy[pool[j]]
            removed[i] += third[j]
            n_third += third[j]
    released = _age(state, stocks, removed, busy[:n_busy], held, most)
    zadvydas = 0
    for j in range(m):  # nobody held, nobody removed or released
        i = listed[j]
        stocks[HELD_REMOVAL, i] -= removed[i] + released[i]
        stocks[ORDERED, i] += released[i]
        zadvydas += released[i]
    out[Count.ZADVYDAS_RELEASES] = zadvydas
    out[Count.REMOVALS_LAND] = n_land
    out[Count.REMOVALS_AIR] = n_air
    out[Count.REMOVALS_THIRD_COUNTRY] = n_third
    out[Count.BINDING_SEATS] = 1.0 if n_air < n_ready else 0.0
    out[Count.BINDING_TRAVEL_DOCUMENTS] = 1.0 if zadvydas > 0 else 0.0
    return removed, released


def cohorts(held: CountArray | None, plan: RemovalPlan, groups: int) -> CountArray:
    """The cohorts by weeks held (a row per group, columns 0 to the plan's Zadvydas period) for
    a new ``plan``: ``held`` re-cut to the plan's period where it changed (anyone held longer
    than a shortened period put in its last column, released in the week it applies), and the
    rows of groups the plan does not hold stuck cleared (their people stay held, awaiting
    removal as any other). Called when the plan changes, not every week."""
    weeks = plan.zadvydas_weeks + 1
    if held is None or held.shape[1] != weeks:
        out = np.zeros((groups, weeks), dtype=COUNT)
        if held is not None:
            keep = min(weeks, held.shape[1])
            out[:, :keep] = held[:, :keep]
            out[:, weeks - 1] += held[:, keep:].sum(axis=1)
        held = out
    tracked = np.zeros(groups, dtype=np.bool_)
    tracked[plan.stuck_index] = True
    held[~tracked] = 0
    return held
