"""What every stage's plan is derived from: the parameter values in force, the regime and its
triage of the groups, and the group attributes the rules read.

A plan covers only the groups that can hold anyone in its year (the ``active`` groups first in
the group order; the cohorts of later arrivals come last and are empty until their year), so the
arrays here are already cut to those groups and every stage's plan comes out the right size.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from immsim.engine.groups import Groups
from immsim.engine.triage import NO_TIER, Triage
from immsim.regimes.model import Regime

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Attributes:
    """The group attributes the pipeline's rules read, as masks and codes (fixed for a run)."""

    criminal_history: NDArray[np.int8]  # codes of groups.LEVELS["criminal_history"]
    country_group: NDArray[np.int8]
    entry_year: NDArray[np.int32]
    is_mexico: BoolArray
    known: BoolArray
    pending: BoolArray
    felon: BoolArray
    aggravated: BoolArray
    prior_removal: BoolArray
    asylum: BoolArray
    tps: BoolArray  # holds Temporary Protected Status (protected while its designation holds)
    return_eligible: BoolArray
    mandatory: BoolArray  # INA 236(c): serious convictions are held without bond
    bondable: BoolArray

    @classmethod
    def of(cls, g: Groups) -> Self:
        country = g.level_of("country_group")
        crim = g.level_of("criminal_history")
        imm = g.level_of("immigration_history")
        prot = g.level_of("protected_status")
        felon = np.isin(crim, ["felony", "aggravated_felony"])
        asylum = prot == "pending_asylum"
        return cls(
            criminal_history=g.codes["criminal_history"],
            country_group=g.codes["country_group"],
            entry_year=g.entry_year,
            is_mexico=country == "mexico_land",
            known=g.flags["known_to_agency"],
            pending=g.flags["pending_charges"],
            felon=felon,
            aggravated=crim == "aggravated_felony",
            prior_removal=imm == "prior_removal",
            asylum=asylum,
            tps=prot == "tps",
            return_eligible=(crim == "none") & ~asylum,
            mandatory=felon,
            bondable=~felon,
        )

    def head(self, n: int) -> Self:
        """The first ``n`` groups' attributes."""
        return dataclasses.replace(
            self, **{f.name: getattr(self, f.name)[:n] for f in dataclasses.fields(self)}
        )


def head(t: Triage, n: int) -> Triage:
    """The first ``n`` groups' triage."""
    return Triage(t.rank[:n], t.exempt[:n], t.detainer[:n], t.review_closable[:n])


def active_groups(g: Groups, day: dt.date) -> int:
    """How many groups, from the first, can hold anyone in ``day``'s year: the cohorts of later
    arrivals come last among the groups, and nobody is in them yet."""
    first = min(g.arrival_groups)  # arrivals of the population's own latest year
    later = [idx for year, idx in g.arrival_groups.items() if year > max(day.year, first)]
    return min((int(idx.min()) for idx in later if idx.size), default=g.size)


def enforce(regime: Regime, t: Triage, p: Mapping[str, Any]) -> FloatArray:
    """The probability that an encountered person is arrested under the regime."""
    non_priority = {
        "enforce": 1.0,
        "case_by_case": float(p["enforcement.effort.non_priority_arrest_share"]),
        "decline": 0.0,
    }[regime.non_priority]
    prob = np.where(t.rank < NO_TIER, 1.0, non_priority)
    out: FloatArray = np.where(t.exempt, 0.0, prob)
    return out


def protection(p: Mapping[str, Any], a: Attributes) -> FloatArray:
    """The chance that a statute leaves someone removable, whatever the regime: people holding
    Temporary Protected Status may not be removed while their country's designation holds
    (INA 244(a)(1)(A)), so only the share whose designation has ended can be arrested."""
    in_force = float(p["enforcement.protections.tps_in_force_share"])
    out: FloatArray = np.where(a.tps, 1.0 - in_force, 1.0)
    return out


@dataclass(frozen=True)
class PlanInputs:
    """Everything a stage's ``plan`` reads, for the weeks of one parameter span, regime and
    year; ``tri`` triages people without an order, ``tri_o`` the same people as if they held
    one, and ``enforce_p`` / ``enforce_o`` are the chances that either is arrested when
    encountered. Arrays cover the active groups only."""

    p: Mapping[str, Any]
    regime: Regime
    day: dt.date
    groups: Groups  # all of them (arrival cohorts are indices into these)
    size: int  # active groups
    a: Attributes
    tri: Triage
    tri_o: Triage
    enforce_p: FloatArray
    enforce_o: FloatArray
    protect: FloatArray  # 0 for whom a statute protects from removal, 1 otherwise (or between)

    @classmethod
    def of(
        cls,
        p: Mapping[str, Any],
        regime: Regime,
        tri: Triage,
        tri_o: Triage,
        g: Groups,
        a: Attributes,
        day: dt.date,
    ) -> Self:
        n = active_groups(g, day)
        tri, tri_o = head(tri, n), head(tri_o, n)
        a = a.head(n)
        protect = protection(p, a)
        return cls(
            p=p,
            regime=regime,
            day=day,
            groups=g,
            size=n,
            a=a,
            tri=tri,
            tri_o=tri_o,
            enforce_p=enforce(regime, tri, p) * protect,
            enforce_o=enforce(regime, tri_o, p) * protect,
            protect=protect,
        )
