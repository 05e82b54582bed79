"""A regime's rules evaluated over every engine group at once.

The same predicates as :func:`immsim.regimes.model.classify`, but on attribute arrays, so that a
weekly engine can re-triage thousands of groups whenever the year (and so everyone's years in the
U.S.) or the regime changes. A test checks the two agree on random profiles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from immsim.engine.groups import BOOLEAN, CATEGORICAL, Groups
from immsim.regimes.model import Condition, Regime

NO_TIER = 99
"""Tier rank of people the regime does not prioritise (and of the exempt)."""
DETAINER_CODES = {"none": 0, "notification": 1, "detainer": 2, "case_by_case": 3}

BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Triage:
    """Per group: priority rank (1 = highest; NO_TIER otherwise), exemption, detainer action."""

    rank: NDArray[np.int16]
    exempt: BoolArray
    detainer: NDArray[np.int8]
    review_closable: BoolArray


def condition_mask(
    cond: Condition, groups: Groups, day: dt.date, final_order: bool = False
) -> BoolArray:
    """Which groups satisfy ``cond`` on ``day`` (``final_order``: as if they held an order)."""
    out = np.ones(groups.size, dtype=bool)
    for name in CATEGORICAL:
        chosen = getattr(cond, name)
        if chosen is None:
            continue
        if name == "immigration_history" and final_order:
            if "final_order" not in chosen:
                return np.zeros(groups.size, dtype=bool)
            continue
        out &= groups.mask(name, chosen)
    for name in BOOLEAN:
        wanted = getattr(cond, name)
        if wanted is not None:
            out &= groups.flags[name] == wanted
    if cond.age_band is not None:
        # engine groups carry no age; an age condition holds for the typical (adult) member
        out &= "age_30_44" in cond.age_band or "age_18_29" in cond.age_band
    if cond.entry_year_at_least is not None:
        out &= groups.entry_year >= cond.entry_year_at_least
    if cond.entry_year_before is not None:
        out &= groups.entry_year < cond.entry_year_before
    years = np.maximum(0, day.year - groups.entry_year)
    if cond.years_in_us_under is not None:
        out &= years < cond.years_in_us_under
    if cond.years_in_us_at_least is not None:
        out &= years >= cond.years_in_us_at_least
    return out


def triage(regime: Regime, groups: Groups, day: dt.date, final_order: bool = False) -> Triage:
    exempt = np.zeros(groups.size, dtype=bool)
    for rule in regime.exempt:
        exempt |= condition_mask(rule.when, groups, day, final_order)
    rank = np.full(groups.size, NO_TIER, dtype=np.int16)
    for index, tier in enumerate(regime.tiers):
        hit = np.zeros(groups.size, dtype=bool)
        for cond in tier.any:
            hit |= condition_mask(cond, groups, day, final_order)
        for factor in regime.lowering(tier.id):  # the memo takes them out of this tier
            hit &= ~condition_mask(factor.when, groups, day, final_order)
        new = hit & (rank == NO_TIER) & ~exempt
        rank[new] = index + 1
    detainer = np.zeros(groups.size, dtype=np.int8)
    decided = exempt.copy()
    for drule in regime.detainer_policy:
        applies = ~decided
        if drule.tiers is not None:
            allowed = [
                regime.tier_ids().index(t) + 1 for t in drule.tiers if t in regime.tier_ids()
            ]
            applies &= np.isin(rank, allowed)
        if drule.non_priority:
            applies &= rank == NO_TIER
        if drule.when is not None:
            applies &= condition_mask(drule.when, groups, day, final_order)
        detainer[applies] = DETAINER_CODES[drule.action]
        decided |= applies
    review = np.zeros(groups.size, dtype=bool)
    if regime.docket_review is not None:
        review = condition_mask(regime.docket_review.closure_criteria, groups, day, final_order)
    return Triage(rank, exempt, detainer, review)
