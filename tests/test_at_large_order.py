"""Fugitive Operations' own order at large under EO 13768 (``Regime.at_large_order``): the 2009
NFOP memo's fugitives first, criminals first among them; a toy where the hours bind, worked by
hand (docs/calibration.md, branch ``nfop28``)."""

from __future__ import annotations

import numpy as np

from immsim.engine.stages.at_large import (
    AtLargePlan,
    Located,
    _served,
    at_large_ranks,
    rank_codes,
)
from immsim.engine.stocks import FREE, STOCKS
from immsim.engine.triage import NO_TIER
from immsim.regimes.catalog import load_regime


def _plan(rank: np.ndarray, ranked: bool) -> tuple[AtLargePlan, Located]:
    codes, codes_o, n_ranks = rank_codes(rank, rank, ranked)
    half = np.full(rank.size, 0.5)
    plan = AtLargePlan(
        on=True,
        hours_per_arrest=1.0,
        hours_per_collateral=1.0,
        hours_per_target=1.0,
        collateral_ratio=0.0,
        n_ranks=n_ranks,
        rank_p=codes,
        rank_o=codes_o,
        met_p=np.ones(rank.size),
        locate_p=half,
        locate_o=half,
        priority_p=rank < NO_TIER,
        priority_o=rank < NO_TIER,
        non_priority_share=1.0,
        case_by_case=False,
    )
    return plan, Located(half, half, half, half)


def test_the_ranked_order_decides_who_is_taken_when_the_hours_bind() -> None:
    # Three groups of 100 at large, each found half the time (50 expected arrests each), all in
    # one of EO 13768's seven categories (tier 1: a conviction; tier 6: a final order). Group 0
    # a fugitive with a conviction, group 1 a fugitive without, group 2 a re-entrant without.
    # Hours for 60 arrests. Alike (tier_order: equal): each group served 60/150 = 0.4 of its 50,
    # 20 arrests each. In the 2009 memo's order (criminal fugitives, other fugitives,
    # re-entrants and criminals): group 0 all 50, group 1 the 10 left (0.2 of its 50), group 2
    # none.
    tiers = np.array([1, 6, 6], dtype=np.int16)
    matched = [
        np.array([True, False, False]),  # criminal fugitives
        np.array([True, True, False]),  # fugitives
        np.array([True, False, True]),  # re-entrants and criminals
    ]
    ranked = at_large_ranks(tiers, matched)
    assert ranked.tolist() == [1, 2, 3]
    stocks = np.zeros((len(STOCKS), 3), dtype=np.int64)
    stocks[FREE] = 100

    plan, located = _plan(tiers, ranked=False)
    by_rank, left = _served(stocks, plan, located, 60.0)
    served = by_rank[plan.rank_p]
    assert np.allclose(served * 50, [20, 20, 20]) and left == 0.0

    plan, located = _plan(ranked, ranked=True)
    by_rank, left = _served(stocks, plan, located, 60.0)
    served = by_rank[plan.rank_p]
    assert np.allclose(served * 50, [50, 10, 0]) and left == 0.0


def test_the_non_priority_stay_after_every_rank() -> None:
    tiers = np.array([1, NO_TIER, 6], dtype=np.int16)
    ranked = at_large_ranks(tiers, [np.array([False, True, False])])
    # the non-priority group matches the rank's conditions but stays outside the tiers; the
    # priority group matching no rank comes after the ranks
    assert ranked.tolist() == [2, NO_TIER, 2]
    assert at_large_ranks(tiers, []).tolist() == tiers.tolist()


def test_eo13768_ranks_criminal_fugitives_first_for_the_teams_at_large() -> None:
    regime = load_regime("eo13768")
    order = regime.at_large_order
    assert order is not None
    assert [r.id for r in order.ranks] == [
        "criminal_fugitives",
        "fugitives",
        "reentrants_and_criminals",
    ]
    assert {order.source.document, *(c.document for c in order.also)} <= {
        d.id for d in regime.documents
    }
    # custody keeps the seven categories as one tier (no source covers custody)
    assert regime.tier_order is not None and regime.tier_order.order == "equal"
