"""Criminal charges and convictions during a run: people at large are charged, and charges
resolve into a conviction or a dismissal, so criminal history and pending charges are not frozen
at the start population's.

Without this stage nobody gains a conviction or a charge during a run, and since the regimes
remove people with convictions first, the convicted share of removals drains away under a
policy that does not change (issue 20: from 45% to 13% over the default run). The record says
otherwise: ICE removed 139,000 to 225,000 people with a conviction every year from FY2011 to
FY2019.

The rates (``flows.criminality``):

- charges: U.S. arrests per resident a year (the FBI's), times the unauthorized population's
  arrest rate relative to the U.S.-born (Texas's records); the rate among people with a
  conviction is ``population.association.charges_with_record`` times the rate of others, the
  same odds the start population is raked to, so the association holds through a run;
- resolution: a pending charge resolves each week with chance 1 / the mean weeks from arrest to
  adjudication; a share of resolutions are convictions, the rest dismissals (or acquittals);
- a conviction's level is drawn from the criminal-history mix of the population
  (``population.composition.criminal_history``: the flow of new convictions taken to have the
  stock's mix), and a person's criminal history becomes the more serious of the old and the new.

Only people at large (no order, an order, released with a case) are charged; people in
detention are not.

Moves go between existing groups: a person charged or convicted moves to the group that differs
only in ``pending_charges`` and ``criminal_history``. The groups hold only the combinations the
start population holds, and about 0.1% of these moves (weighted by people) have no such group;
those people stay where they are. Adding the missing combinations would enlarge the groups by
two thirds (measured on the FY2012 population: 3,476 combinations, 5,728 closed under the moves)
and slow every stage of every week by as much, for a tenth of a percent of the flow. A plan
covers only the groups holding anyone (:func:`immsim.engine.inputs.live_groups`), so a group
emptied during a run is no longer a target until a plan covers it again.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from immsim.engine.compiled import jit
from immsim.engine.counts import Count
from immsim.engine.draws import Stream, competing_sparse_into
from immsim.engine.groups import BOOLEAN, CATEGORICAL, LEVELS, Groups
from immsim.engine.inputs import PlanInputs
from immsim.engine.rates import Competing, competing, gathered, weekly
from immsim.engine.stocks import FREE, ORDERED, RELEASED, CountArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

CONVICTED = LEVELS["criminal_history"][1:]
"""The levels a conviction can bring, from the least serious (the order of the attribute)."""
EVENTS = len(CONVICTED) + 1
"""A conviction at each level, and last: charged (no charge pending) or dismissed (one pending)."""
AT_LARGE = (FREE, ORDERED, RELEASED)


class CriminalityPlan(NamedTuple):
    draws: Competing  # per group: a conviction at each level, then a charge or a dismissal
    target: IntArray  # (events, groups): the group each event moves a person to
    pending: NDArray[np.bool_]  # groups with a charge pending (their last event is a dismissal)


def _codes(g: Groups, crim: IntArray, pending: NDArray[np.bool_]) -> IntArray:
    """One integer per group for its whole key (categories, flags, entry year, area), with
    ``crim`` and ``pending`` in place of the groups' own criminal history and charge."""
    code = np.zeros(g.size, dtype=np.int64)
    for name in CATEGORICAL:
        values = crim if name == "criminal_history" else g.codes[name].astype(np.int64)
        code = code * len(LEVELS[name]) + values
    for name in BOOLEAN:
        flag = pending if name == "pending_charges" else g.flags[name]
        code = code * 2 + flag.astype(np.int64)
    year = g.entry_year.astype(np.int64) - int(g.entry_year.min())
    code = code * (int(year.max()) + 1) + year
    out: IntArray = code * len(g.area_names) + g.area.astype(np.int64)
    return out


def targets(g: Groups) -> IntArray:
    """(events, groups): where a conviction at each level, and the last event (a charge for
    groups with none pending, a dismissal for the others), move a person; the group's own
    index where no group differs only so."""
    crim = g.codes["criminal_history"].astype(np.int64)
    pending = g.flags["pending_charges"]
    codes = _codes(g, crim, pending)
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    own = np.arange(g.size, dtype=np.int64)

    def place(wanted: IntArray) -> IntArray:
        at = np.minimum(np.searchsorted(ordered, wanted), g.size - 1)
        found: IntArray = np.where(ordered[at] == wanted, order[at], own)
        return found

    out = np.empty((EVENTS, g.size), dtype=np.int64)
    cleared = np.zeros(g.size, dtype=bool)
    for k in range(len(CONVICTED)):
        out[k] = place(_codes(g, np.maximum(crim, k + 1), cleared))
    out[EVENTS - 1] = place(_codes(g, crim, ~pending))
    return out


def once_charged(moves: IntArray, pending: NDArray[np.bool_]) -> IntArray:
    """Each group's group once charged: for a group with no charge pending, the group that
    differs from it only by one (the last event of :func:`targets`); a group's own index where
    no group differs only so, and for a group already charged. Named once here for the two
    readers: this stage's charges (nobody is charged where the group is its own) and the
    custody stage, where a person booked on a charge moves (:func:`.custody.charged_groups`)."""
    own = np.arange(pending.size, dtype=np.int64)
    out: IntArray = np.where(pending, own, moves[EVENTS - 1])
    return out


def plan(x: PlanInputs) -> CriminalityPlan:
    p, g, n = x.p, x.groups, x.size
    pending = g.flags["pending_charges"][:n]
    # charges a person-year among the unauthorized, split so that people with a conviction are
    # charged `charges_with_record` times as often as others (in the start population's shares)
    rate = float(p["flows.criminality.arrest_rate"]) * float(
        p["flows.criminality.relative_arrest_rate"]
    )
    ratio = float(p["population.association.charges_with_record"])
    people = g.initial.astype(np.float64)
    with_record = float(people[g.codes["criminal_history"] > 0].sum())
    base = rate * people.sum() / max(people.sum() + (ratio - 1.0) * with_record, 1.0)
    moves = x.moves
    # nobody is charged where no group differs only by the charge
    chargeable = once_charged(moves, pending) != np.arange(n)
    # The chances read the attributes, the parameters and whether a group is chargeable (which
    # reads the groups its area holds). With areas they are made for every kind of groups
    # (inputs.Alike) twice, not chargeable then chargeable, and gathered at each group's kind
    # and case: the same operations on the same numbers as group by group (a charge of 0.0
    # where none is chargeable, as np.where gave). The 12 plans of a ten-year run by area
    # (their inputs saved, least thread time of 5): 25.3 -> 14.1 ms. Without areas ``alike``
    # is the groups' own, and they are made group by group as before
    a = x.alike.a
    charges = weekly(np.where(a.criminal_history > 0, ratio * base, base))
    resolve = np.where(
        a.pending, 1.0 / max(1.0, float(p["flows.criminality.disposition_weeks"])), 0.0
    )
    case: IntArray | None = None
    if x.kind is None:
        charge = np.where(chargeable, charges, 0.0)
    else:
        size = a.pending.size
        charge = np.zeros(2 * size)
        charge[size:] = charges
        resolve = np.concatenate([resolve, resolve])
        case = x.kind + size * chargeable
    convicted = float(p["flows.criminality.conviction_share"])
    mix = np.array(
        [float(p[f"population.composition.criminal_history.{level}"]) for level in CONVICTED]
    )
    probs = [resolve * convicted * weight / mix.sum() for weight in mix]
    probs.append(charge + resolve * (1.0 - convicted))
    return CriminalityPlan(
        draws=gathered(competing(probs, charge.size), case), target=moves, pending=pending
    )


@jit
def run(state: Stream, stocks: CountArray, plan: CriminalityPlan, out: FloatArray) -> None:
    """The week's charges, convictions and dismissals among people at large, in place."""
    # the store of the groups with events, allocated once for the three sweeps (see
    # draws.competing_sparse_into: a store grown inside the sweep cost 0.6 of 1.3 ms by area)
    where = np.empty(stocks.shape[1], dtype=np.int64)
    events = np.empty((stocks.shape[1], EVENTS), dtype=np.int64)
    for row in AT_LARGE:
        # only the groups with an event (a few in twenty): a table of every group's events and
        # a pass over it cost more than the draws (measured on a run by area)
        found = competing_sparse_into(
            state,
            stocks[row],
            plan.draws.any,
            plan.draws.hazard,
            plan.draws.shares,
            where,
            events,
        )
        for m in range(found):
            i = where[m]
            for e in range(EVENTS):
                x = events[m, e]
                if x == 0:
                    continue
                if e < EVENTS - 1:
                    out[Count.CONVICTIONS] += x
                elif plan.pending[i]:
                    out[Count.DISMISSALS] += x
                else:
                    out[Count.CHARGES] += x
                j = plan.target[e, i]
                if j != i:
                    stocks[row, i] -= x
                    stocks[row, j] += x
