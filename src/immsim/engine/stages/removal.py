"""Removal: travel documents, then the land border (Mexico) or seats on removal flights; people
whose countries refuse or delay documents may be released after the Zadvydas period."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from immsim.dates import WEEKS_PER_YEAR
from immsim.engine import draws
from immsim.engine.compiled import jit
from immsim.engine.counts import Count
from immsim.engine.draws import Stream
from immsim.engine.groups import LEVELS
from immsim.engine.inputs import PlanInputs
from immsim.engine.rates import weekly
from immsim.engine.stocks import HELD_REMOVAL, ORDERED, move

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


class RemovalPlan(NamedTuple):
    p_documented: FloatArray  # a week
    is_mexico: BoolArray  # removed over land
    stuck: BoolArray  # where removal can stall (Zadvydas)
    seats: float  # on flights a week, for the interior
    p_zadvydas: float


def plan(x: PlanInputs, border_air: float) -> RemovalPlan:
    """``border_air``: the seats a week that border removals take."""
    p = x.p
    documents = np.array(
        [
            float(p[f"removal.logistics.travel_document_rate.{level}"])
            for level in LEVELS["country_group"]
        ]
    )
    return RemovalPlan(
        p_documented=weekly(documents[x.a.country_group]),
        is_mexico=x.a.is_mexico,
        stuck=x.a.stuck,
        seats=max(
            0.0, float(p["removal.logistics.air_seats_per_year"]) / WEEKS_PER_YEAR - border_air
        ),
        p_zadvydas=1.0 / max(1.0, float(p["detention.release.zadvydas_weeks"])),
    )


@jit
def run(state: Stream, stocks: IntArray, plan: RemovalPlan, out: FloatArray) -> IntArray:
    """The week's removals, in place; returns who was removed, by group."""
    documented = draws.binom_each(state, stocks[HELD_REMOVAL], plan.p_documented)
    land = np.where(plan.is_mexico, documented, 0)
    air_ready = documented - land
    air = draws.capped(state, air_ready, plan.seats)
    n_air = air.sum()
    removed = land + air
    stocks[HELD_REMOVAL] -= removed
    zadvydas = move(state, stocks, HELD_REMOVAL, ORDERED, plan.stuck, plan.p_zadvydas)
    out[Count.ZADVYDAS_RELEASES] = zadvydas
    out[Count.REMOVALS_LAND] = land.sum()
    out[Count.REMOVALS_AIR] = n_air
    out[Count.BINDING_SEATS] = 1.0 if n_air < air_ready.sum() else 0.0
    out[Count.BINDING_TRAVEL_DOCUMENTS] = 1.0 if zadvydas > 0 else 0.0
    return removed
