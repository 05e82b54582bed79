"""What every stage's plan is derived from: the parameter values in force, the regime and its
triage of the groups, and the group attributes the rules read.

A plan covers only the groups that hold anyone when it is made, and those its year's arrivals
join (:func:`live_groups`), so the arrays here are already cut to those groups and every stage's
plan comes out the right size. Nobody ever moves between groups (a stage moves people between
the stocks of their own group; only arrivals enter a group), so a group that is empty when a
plan is made stays empty under it unless it is one its arrivals join: leaving the others out
changes nothing a week draws (every draw for an empty group is skipped, and consumes no random
number), and the week's passes over the groups are that much shorter. With areas about a third
of the groups are empty a year into a run, and near half by its end (measured on the default
scenario: 55,552 of 67,715 hold anyone in week 104, 51,539 of 94,819 in week 519).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple, Self

import numpy as np
from numpy.typing import NDArray

from immsim.engine.codes import distinct
from immsim.engine.compiled import jit
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
    parole: BoolArray  # paroled on arrival in 2022-2024 (protected while the parole holds)
    return_eligible: BoolArray
    mandatory: BoolArray  # INA 236(c): serious convictions are held without bond
    bondable: BoolArray
    kind: IntArray  # each group's kind: groups of a kind are alike but for the area (kinds_of)
    first: IntArray = field(compare=False)  # the first of the run's groups of each kind (not
    # cut by take: it indexes the run's groups, whichever of them these attributes cover)

    @classmethod
    def of(cls, g: Groups) -> Self:
        # the codes tested, not level_of's strings (Groups.level_of: 13 ms a call by area)
        felon = g.mask("criminal_history", ["felony", "aggravated_felony"])
        asylum = g.is_level("protected_status", "pending_asylum")
        return cls(
            criminal_history=g.codes["criminal_history"],
            country_group=g.codes["country_group"],
            entry_year=g.entry_year,
            is_mexico=g.is_level("country_group", "mexico_land"),
            known=g.flags["known_to_agency"],
            pending=g.flags["pending_charges"],
            felon=felon,
            aggravated=g.is_level("criminal_history", "aggravated_felony"),
            prior_removal=g.is_level("immigration_history", "prior_removal"),
            asylum=asylum,
            tps=g.is_level("protected_status", "tps"),
            parole=g.is_level("protected_status", "parole"),
            return_eligible=g.is_level("criminal_history", "none") & ~asylum,
            mandatory=felon,
            bondable=~felon,
            **dict(zip(("kind", "first"), kinds_of(g), strict=True)),
        )

    def take(self, index: IntArray) -> Self:
        """The attributes of the groups at ``index`` (``first`` as it is)."""
        return dataclasses.replace(
            self,
            **{
                f.name: getattr(self, f.name)[index]
                for f in dataclasses.fields(self)
                if f.name != "first"
            },
        )


_KEY_LIMIT = 2**63
"""The kinds' one-number key (:func:`kinds_of`) must stay below this (int64's range): beyond it
the groups' attribute rows are compared whole (slower, the same kinds)."""


def kinds_of(g: Groups) -> tuple[IntArray, IntArray]:
    """Each group's kind and the first group of each kind: groups of one kind share every
    attribute but the area (the codes, flags and entry year), so every input of a plan that does
    not read the area (the attributes, the triage, the parameters) is the same for all of them.
    A plan computes such inputs once a kind and gathers them at its groups (:class:`Alike`): by
    area 99,190 groups are 7,371 kinds (the default scenario), and a plan's group-by-group
    arithmetic on them, with its ``np.where`` (0.2 ms each over 63,000 groups) and logarithms,
    was most of a plan's time. Without areas every group is its own kind."""
    columns = [c.astype(np.int64) for c in (*g.codes.values(), *g.flags.values(), g.entry_year)]
    spans = [int(c.max(initial=0)) - int(c.min(initial=0)) + 1 for c in columns]
    if math.prod(spans) >= _KEY_LIMIT:  # one mixed-radix key would wrap: compare the rows whole
        rows = np.stack(columns, axis=1) if columns else np.zeros((g.size, 0), dtype=np.int64)
        _, first, kind = np.unique(rows, axis=0, return_index=True, return_inverse=True)
        return kind.reshape(-1).astype(np.int64), first.astype(np.int64)
    key = np.zeros(g.size, dtype=np.int64)
    for values, span in zip(columns, spans, strict=True):
        key = key * span + (values - int(values.min(initial=0)))
    _, first, kind = np.unique(key, return_index=True, return_inverse=True)
    return kind.reshape(-1).astype(np.int64), first.astype(np.int64)


def take(t: Triage, index: IntArray) -> Triage:
    """The triage of the groups at ``index``."""
    return Triage(t.rank[index], t.exempt[index], t.detainer[index], t.review_closable[index])


def live_groups(g: Groups, day: dt.date, occupied: BoolArray) -> IntArray:
    """The groups a plan made on ``day`` covers, in group order: those holding anyone
    (``occupied``, by group) and those ``day``'s year's arrivals join."""
    keep = occupied.copy()
    keep[g.cohort(day.year)] = True
    out: IntArray = np.flatnonzero(keep).astype(np.int64)
    return out


def cut_targets(full: IntArray, live: IntArray) -> IntArray:
    """A map from every group to a group of the run (``full[event, group]``: the group that
    event moves a person to, the group's own index where none), cut to the groups at ``live``
    (ascending) as positions among them, the group's own where the target is not at ``live``.

    For the criminality stage's targets this is the same as making them over those groups
    alone, since no two groups share a key: the group an event moves a person to is the same
    whichever others are there. Made over every group once (:meth:`.prepared.Prepared.moves`)
    and cut for each plan, because making them (a sort and five searches over the groups) was a
    third of the time spent making plans in a run by area (measured: 0.8 of 2.8 s, on a loaded
    machine)."""
    # one array in row order, filled by a compiled pass (_cut_into): until 2026-12-05 NumPy's
    # take along the second axis, a take of the positions and a copy where none, three passes
    # over the 6 x 63,000 targets by area with an index array as large. The same positions;
    # the 12 cuts of a ten-year run by area (their inputs saved, least thread time of 7):
    # 18.1 -> 5.0 ms
    position = np.full(full.shape[1], -1, dtype=np.int64)
    out: IntArray = np.empty((full.shape[0], live.size), dtype=np.int64)
    _cut_into(full, live, position, out)
    return out


@jit
def _cut_into(full: IntArray, live: IntArray, position: IntArray, out: IntArray) -> None:
    """:func:`cut_targets` into ``out`` (``position``: -1 for every group, written here)."""
    for j in range(live.size):
        position[live[j]] = j
    for e in range(full.shape[0]):
        for j in range(live.size):
            at = position[full[e, live[j]]]
            out[e, j] = at if at >= 0 else j


def case_by_case_share(regime: Regime, p: Mapping[str, Any], day: dt.date) -> float:
    """The share of non-priority cases the regime's case-by-case actions reach on ``day``: under a
    preapproval requirement in force that day (``Regime.preapproval``, from its ``start``)
    ``enforcement.effort.preapproval_arrest_share``, else
    ``enforcement.effort.non_priority_arrest_share``."""
    if regime.preapproval_on(day):
        return float(p["enforcement.effort.preapproval_arrest_share"])
    return float(p["enforcement.effort.non_priority_arrest_share"])


def non_priority_share(regime: Regime, p: Mapping[str, Any], day: dt.date) -> float:
    """The chance that the regime acts on a non-priority case it meets on ``day``: all of them
    where it enforces against everyone, none where it declines, the case-by-case share
    (:func:`case_by_case_share`) between."""
    if regime.non_priority == "enforce":
        return 1.0
    if regime.non_priority == "decline":
        return 0.0
    return case_by_case_share(regime, p, day)


def enforce(regime: Regime, t: Triage, p: Mapping[str, Any], day: dt.date) -> FloatArray:
    """The probability that an encountered person is arrested under the regime."""
    prob = np.where(t.rank < NO_TIER, 1.0, non_priority_share(regime, p, day))
    out: FloatArray = np.where(t.exempt, 0.0, prob)
    return out


def protection(p: Mapping[str, Any], a: Attributes) -> FloatArray:
    """The chance that a statute leaves someone removable, whatever the regime: people holding
    Temporary Protected Status may not be removed while their country's designation holds
    (INA 244(a)(1)(A)), and a parolee's parole lasts until it expires or DHS terminates it
    (INA 212(d)(5)(A), 8 CFR 212.5(e)), so only the share whose designation or parole has
    ended can be arrested."""
    tps = float(p["enforcement.protections.tps_in_force_share"])
    parole = float(p["enforcement.protections.parole_in_force_share"])
    out: FloatArray = np.where(a.tps, 1.0 - tps, np.where(a.parole, 1.0 - parole, 1.0))
    return out


class Alike(NamedTuple):
    """A plan's inputs that do not read the area, once a kind (:func:`kinds_of`: over every
    kind of the run's groups, whether or not the plan covers any of its groups): a stage computes
    what it derives from these alone over the kinds and gathers the result at its groups
    (``x.a.kind``). The same operations on the same numbers give the same bits, so the gathered
    values are those computed group by group."""

    a: Attributes
    tri: Triage
    tri_o: Triage
    enforce_p: FloatArray
    enforce_o: FloatArray
    protect: FloatArray


RANK = np.int8
"""The dtype of a plan's tier codes by group (:func:`rank_codes`): the custody and at-large
stages read them every week, at-large once a group with anyone in two passes (the tiers' needs
and the sweep). Codes are below the distinct tier ranks, at most ``NO_TIER`` + 1 = 100, so 8 bits
hold them; as int64 they were 1 MB of the 3 MB by area at-large's needs pass reads. The
compiled week a year into the default run by area (``week_least.py --areas --rounds 3``,
alternated with e5a4066, load 1-2): 4.470, 4.432 -> 4.345, 4.400 ms, then with detention's
area as int32 too 4.417, 4.249 -> 4.398, 4.381 ms; at-large alone (``profile_week.py --areas``)
0.546 -> 0.551 ms: within the noise. Kept for the codes made once a plan (below), not for the
week."""

RankArray = NDArray[np.int8]


def rank_codes(
    rank_p: NDArray[np.int16], rank_o: NDArray[np.int16], ranked: bool = True
) -> tuple[RankArray, RankArray, int]:
    """Tier ranks of two triages as codes 0, 1, … in rank order, over the ranks either uses;
    where the regime's tiers are not ``ranked`` (``Regime.tiers_ranked``), every priority tier
    has the one code, before the non-priority's."""
    both = np.concatenate([rank_p, rank_o])
    if not ranked:
        both = np.where(both < NO_TIER, 1, both)
    ranks, codes = distinct(both)  # np.unique's, without its sort (see engine/codes.py)
    if ranks.size > np.iinfo(RANK).max + 1:  # cannot happen with ranks 0..NO_TIER
        raise OverflowError(f"{ranks.size} tier ranks do not fit the tier codes' {RANK}")
    small = codes.astype(RANK)
    return small[: rank_p.size], small[rank_p.size :], int(ranks.size)


def _at(values: FloatArray, kind: IntArray | None) -> FloatArray:
    """``values`` by kind at the groups of ``kind`` (None: already by group)."""
    return values if kind is None else values[kind]


@dataclass(frozen=True)
class PlanInputs:
    """Everything a stage's ``plan`` reads, for the weeks of one parameter span, regime and
    year; ``tri`` triages people without an order, ``tri_o`` the same people as if they held
    one, and ``enforce_p`` / ``enforce_o`` are the chances that either is arrested when
    encountered. Arrays cover the plan's groups only (:func:`live_groups`)."""

    p: Mapping[str, Any]
    regime: Regime
    day: dt.date
    groups: Groups  # the plan's groups (arrival cohorts are positions among these)
    size: int  # how many
    live: IntArray  # their indices among the run's groups
    a: Attributes
    tri: Triage
    tri_o: Triage
    enforce_p: FloatArray
    enforce_o: FloatArray
    protect: FloatArray  # 0 for whom a statute protects from removal, 1 otherwise (or between)
    moves: IntArray  # (events, groups): the group a new conviction or charge moves a person to
    alike: Alike  # the inputs that do not read the area, by kind (gathered at ``kind``)
    kind: IntArray | None  # each group's kind in ``alike`` (None: ``alike`` is by group)

    def by_group(self, values: FloatArray) -> FloatArray:
        """``values`` over ``alike`` (by kind) at the plan's groups."""
        return _at(values, self.kind)

    @cached_property
    def ranks(self) -> tuple[RankArray, RankArray, int]:
        """:func:`rank_codes` of the two triages: made once a plan for the custody and at-large
        stages, which both read them (the same codes from the same triages). The 12 plans of a
        ten-year run by area (their inputs saved, the cache cleared before each, least thread
        time of 5, alternated with e5a4066): ``build_plan`` 134.0, 135.1 -> 127.5, 128.3 ms."""
        return rank_codes(self.tri.rank, self.tri_o.rank, self.regime.tiers_ranked)

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
        live: IntArray,
        moves: IntArray,
    ) -> Self:
        """``tri``, ``tri_o``, ``g``, ``a`` and ``moves`` (the criminality stage's targets,
        :meth:`immsim.engine.prepared.Prepared.moves`) cover every group; the inputs cover those
        at ``live`` (:func:`live_groups`)."""
        # With areas the chances are computed once a kind (Alike) and gathered at the plan's
        # groups; without, every group is its own kind, and the plan's own groups are fewer
        # than the kinds (those a plan leaves out are kinds too): ``alike`` is then the
        # groups' own inputs, and nothing is gathered (the 12 plans of a ten-year national run
        # by kind, inputs saved, least thread time of 7: 24.3 -> 34 ms, so not by kind)
        own_a, own_tri, own_tri_o = a.take(live), take(tri, live), take(tri_o, live)
        kind: IntArray | None = None
        k_a, k_tri, k_tri_o = own_a, own_tri, own_tri_o
        if g.areas:
            kind = own_a.kind
            k_a, k_tri, k_tri_o = a.take(a.first), take(tri, a.first), take(tri_o, a.first)
        k_protect = protection(p, k_a)
        alike = Alike(
            k_a,
            k_tri,
            k_tri_o,
            enforce(regime, k_tri, p, day) * k_protect,
            enforce(regime, k_tri_o, p, day) * k_protect,
            k_protect,
        )
        return cls(
            p=p,
            regime=regime,
            day=day,
            groups=g.take(live),
            size=int(live.size),
            live=live,
            a=own_a,
            tri=own_tri,
            tri_o=own_tri_o,
            enforce_p=_at(alike.enforce_p, kind),
            enforce_o=_at(alike.enforce_o, kind),
            protect=_at(alike.protect, kind),
            moves=cut_targets(moves, live),
            alike=alike,
            kind=kind,
        )
