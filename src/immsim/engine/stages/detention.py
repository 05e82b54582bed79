"""Detention: bond releases, releases when beds fall short, then admissions of the week's
arrests in the regime's order (removal cases and mandatory detention first, then by tier); whom
the beds cannot hold is released, with an order or a notice to appear."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from immsim.engine import border
from immsim.engine.compiled import jit
from immsim.engine.counts import Count
from immsim.engine.draws import Stream
from immsim.engine.inputs import PlanInputs
from immsim.engine.rates import weekly
from immsim.engine.stocks import HELD_COURT, HELD_REMOVAL, ORDERED, RELEASED, move

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class DetentionPlan(NamedTuple):
    funded_beds: float
    beds: int  # for the interior: the beds usable (pandemic limits) less those the border holds
    p_bond_release: float
    bondable: BoolArray
    release_order: IntArray  # who goes first when beds fall short
    admission_order: IntArray  # over removal requests (0 … n-1), then court ones (n … 2n-1)


def interior_beds(p: Mapping[str, Any]) -> int:
    """The beds the interior can fill: the usable funded beds less those the border holds."""
    # ICE's pandemic requirements (April 2020 to May 2023) held facilities below capacity
    usable = float(p["detention.funded_beds"]) * float(p["detention.pandemic_capacity_share"])
    return max(0, int(usable - border.detained(p)))


def plan(x: PlanInputs) -> DetentionPlan:
    p, a, tri, tri_o = x.p, x.a, x.tri, x.tri_o
    return DetentionPlan(
        funded_beds=float(p["detention.funded_beds"]),
        beds=interior_beds(p),
        # since Matter of Yajure Hurtado (2025) judges may release only those admitted (not
        # entries without inspection); the groups do not tell them apart, so the rate is scaled
        p_bond_release=float(
            weekly(
                float(p["detention.release.bond_release_rate"])
                * float(p["detention.release.bond_eligible_share"])
            )
        ),
        bondable=a.bondable,
        release_order=np.lexsort((-tri.rank, a.mandatory)),  # non-mandatory, lowest tier first
        # one ordering over both queues: removal cases and mandatory cases first, then by tier
        admission_order=np.lexsort(
            (
                np.concatenate([tri_o.rank, tri.rank]).astype(np.int64),
                ~np.concatenate([np.ones(x.size, dtype=bool), a.mandatory]),
            )
        ),
    )


@jit
def admit(requests: IntArray, order: IntArray, space: int) -> IntArray:
    """Admit requests in the given group order until ``space`` runs out (partial last group)."""
    admitted = np.zeros(requests.size, dtype=np.int64)
    left = space
    for j in range(order.size):
        if left <= 0:
            break
        i = order[j]
        x = min(requests[i], left)
        admitted[i] = x
        left -= x
    return admitted


@jit
def run(
    state: Stream,
    stocks: IntArray,
    to_removal: IntArray,
    to_court: IntArray,
    plan: DetentionPlan,
    out: FloatArray,
) -> bool:
    """The week's detention, in place; True if the beds bound (someone refused or released
    for want of a bed)."""
    size = stocks.shape[1]
    out[Count.BOND_RELEASES] = move(
        state, stocks, HELD_COURT, RELEASED, plan.bondable, plan.p_bond_release
    )
    over = stocks[HELD_COURT].sum() + stocks[HELD_REMOVAL].sum() - plan.beds
    released = 0
    if over > 0:
        out_now = admit(stocks[HELD_COURT].copy(), plan.release_order, over)
        stocks[HELD_COURT] -= out_now
        stocks[RELEASED] += out_now
        released = out_now.sum()
    out[Count.CAPACITY_RELEASES] = released
    space = max(0, plan.beds - (stocks[HELD_COURT].sum() + stocks[HELD_REMOVAL].sum()))
    both = np.empty(2 * size, dtype=np.int64)
    both[:size] = to_removal
    both[size:] = to_court
    admitted = admit(both, plan.admission_order, space)
    refused = 0
    for i in range(size):
        stocks[HELD_REMOVAL, i] += admitted[i]
        stocks[HELD_COURT, i] += admitted[size + i]
        stocks[ORDERED, i] += to_removal[i] - admitted[i]  # released with an order
        stocks[RELEASED, i] += to_court[i] - admitted[size + i]  # with a notice to appear
        refused += to_removal[i] - admitted[i] + to_court[i] - admitted[size + i]
    out[Count.ADMISSIONS] = admitted.sum()
    out[Count.REFUSED_BED] = refused
    return refused > 0 or released > 0
