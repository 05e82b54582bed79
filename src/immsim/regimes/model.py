"""The schema of a regime file and the rules for applying it to a profile.

Tiers are ordered predicates over the population's attributes (``immsim.population.attributes``);
the first tier a profile satisfies is its priority. Exempt classes win over tiers. The detainer
policy is an ordered list of rules, first match wins. Every tier, exemption, factor and rule cites
the document passage it encodes, or says plainly that it is our assumption.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from immsim.errors import InputError
from immsim.population.attributes import (
    AGE_BANDS,
    BOOLEAN,
    CATEGORICAL,
    COUNTRY_GROUPS,
    CRIMINAL_HISTORY,
    ENTRY_YEAR_RANGE,
    IMMIGRATION_HISTORY,
    PROTECTED_STATUS,
)
from immsim.yamlio import LocatedYaml

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
DetainerAction = Literal["detainer", "notification", "case_by_case", "none"]
"""``case_by_case``: a detainer only where a supervisor approves it, at the share of
non-priority cases the regime's case-by-case enforcement reaches
(``enforcement.effort.non_priority_arrest_share``): ICE's COVID-19 posture of March 2020 left
detainers outside its targets to officers' discretion, and its interim guidance of 2021 allowed
any enforcement action outside its priorities with preapproval."""
NonPriorityAction = Literal["enforce", "case_by_case", "decline"]

CriminalHistory = Literal["none", "minor", "significant_misdemeanor", "felony", "aggravated_felony"]
CountryGroup = Literal["mexico_land", "central_america_flight", "refusing_or_delaying", "other"]
ImmigrationHistory = Literal["none", "final_order", "prior_removal"]
ProtectedStatus = Literal["none", "deferred_action", "tps", "pending_asylum", "parole"]
AgeBand = Literal["under_18", "age_18_29", "age_30_44", "age_45_64", "age_65_plus"]
EntryYear = Annotated[int, Field(ge=ENTRY_YEAR_RANGE[0], le=ENTRY_YEAR_RANGE[1])]

# The Literal types above must list exactly the population's levels.
assert CriminalHistory.__args__ == CRIMINAL_HISTORY  # type: ignore[attr-defined]
assert CountryGroup.__args__ == COUNTRY_GROUPS  # type: ignore[attr-defined]
assert ImmigrationHistory.__args__ == IMMIGRATION_HISTORY  # type: ignore[attr-defined]
assert ProtectedStatus.__args__ == PROTECTED_STATUS  # type: ignore[attr-defined]
assert AgeBand.__args__ == AGE_BANDS  # type: ignore[attr-defined]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _require_citation(source: Citation | None, assumption: str | None) -> None:
    """A rule of a regime is the model's claim about a document: it names the document it comes
    from or says that it is an assumption, never neither."""
    if source is None and not assumption:
        raise ValueError("cite a `source`, or state the `assumption` this rule is")


class Profile(_Strict):
    """A *hypothetical* combination of attributes, for checking rules; never a real person."""

    label: str = ""
    criminal_history: CriminalHistory = "none"
    country_group: CountryGroup = "other"
    immigration_history: ImmigrationHistory = "none"
    protected_status: ProtectedStatus = "none"
    age_band: AgeBand = "age_30_44"
    gang_or_national_security: bool = False
    pending_charges: bool = False
    us_citizen_child: bool = False
    known_to_agency: bool = False
    entry_year: EntryYear

    def years_in_us(self, at: dt.date) -> int:
        return max(0, at.year - self.entry_year)


class Condition(_Strict):
    """All listed attributes must match (any of the listed levels); unlisted ones are free."""

    criminal_history: list[CriminalHistory] | None = None
    country_group: list[CountryGroup] | None = None
    immigration_history: list[ImmigrationHistory] | None = None
    protected_status: list[ProtectedStatus] | None = None
    age_band: list[AgeBand] | None = None
    gang_or_national_security: bool | None = None
    pending_charges: bool | None = None
    us_citizen_child: bool | None = None
    known_to_agency: bool | None = None
    entry_year_at_least: EntryYear | None = None
    entry_year_before: EntryYear | None = None
    years_in_us_under: Annotated[int, Field(ge=1, le=100)] | None = None
    years_in_us_at_least: Annotated[int, Field(ge=1, le=100)] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Condition:
        for name in CATEGORICAL:
            chosen = getattr(self, name)
            if chosen is not None and not chosen:
                raise ValueError(f"`{name}` lists no levels, so nothing could ever match")
        lo, hi = self.entry_year_at_least, self.entry_year_before
        if lo is not None and hi is not None and lo >= hi:
            raise ValueError(f"entry_year_at_least ({lo}) must be below entry_year_before ({hi})")
        lo, hi = self.years_in_us_at_least, self.years_in_us_under
        if lo is not None and hi is not None and lo >= hi:
            raise ValueError(f"years_in_us_at_least ({lo}) must be below years_in_us_under ({hi})")
        return self

    def is_everyone(self) -> bool:
        return all(v is None for v in self.model_dump().values())

    def matches(self, profile: Profile, at: dt.date) -> bool:
        for name in CATEGORICAL:
            chosen = getattr(self, name)
            if chosen is not None and getattr(profile, name) not in chosen:
                return False
        for name in BOOLEAN:
            wanted = getattr(self, name)
            if wanted is not None and getattr(profile, name) is not wanted:
                return False
        if self.entry_year_at_least is not None and profile.entry_year < self.entry_year_at_least:
            return False
        if self.entry_year_before is not None and profile.entry_year >= self.entry_year_before:
            return False
        years = profile.years_in_us(at)
        if self.years_in_us_under is not None and years >= self.years_in_us_under:
            return False
        return not (self.years_in_us_at_least is not None and years < self.years_in_us_at_least)

    def describe(self) -> str:
        parts = []
        for name, value in self.model_dump(exclude_none=True).items():
            label = name.replace("_", " ")
            if isinstance(value, list):
                parts.append(f"{label} is {' or '.join(str(v).replace('_', ' ') for v in value)}")
            elif isinstance(value, bool):
                parts.append(label if value else f"not {label}")
            else:
                parts.append(f"{label} {value}")
        return " and ".join(parts) or "everyone"


class Document(_Strict):
    id: Name
    title: str
    date: dt.date
    href: str


class Citation(_Strict):
    """Where in which document a rule is stated: a document id and the passage (or section)."""

    document: Name
    passage: str


class _Sourced(_Strict):
    """A regime's statement that must say where it comes from: a passage of one of the regime's
    documents (``source``) or, where none states it, the assumption made in its place."""

    source: Citation | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _cited(self) -> _Sourced:
        _require_citation(self.source, self.assumption)
        return self


class Tier(_Strict):
    id: Name
    label: str
    any: list[Condition] = Field(default_factory=list)
    unobservable: str | None = None
    source: Citation
    assumption: str | None = None

    @model_validator(mode="after")
    def _has_rule(self) -> Tier:
        if not self.any and not self.unobservable:
            raise ValueError(
                "a tier needs `any:` conditions, or `unobservable:` saying why no attribute of "
                "the population can express it"
            )
        if self.any and self.unobservable:
            raise ValueError("a tier cannot have both `any:` conditions and `unobservable:`")
        return self

    def matches(self, profile: Profile, at: dt.date) -> bool:
        return any(c.matches(profile, at) for c in self.any)

    def describe(self) -> str:
        if self.unobservable:
            return f"(not expressible in population attributes: {self.unobservable})"
        return "; or ".join(c.describe() for c in self.any)


class Rule(_Sourced):
    """A labelled condition: an exempt class or a mitigating factor.

    A mitigating factor may name the tiers it ``lowers``: where a memo states that the factor
    takes a person out of a priority (the 2014 memo's Priority 2 and 3 "unless ... there are
    factors indicating the alien ... should not therefore be an enforcement priority"; the
    2021 guidelines' public-safety assessment, where mitigating factors "militate in favor of
    declining enforcement action"), a person with the factor does not match those tiers and
    falls to a later one or outside them. No record gives how often a factor decided a case,
    so a factor that lowers is read whole: everyone with it is lowered (an upper bound). The
    shipped regimes weigh their factors case by case and name no tier to lower; a factor that
    lowers no tier is listed and shown (``immsim regimes``) but changes nothing."""

    id: Name
    label: str
    when: Condition
    lowers: list[Name] = Field(default_factory=list)


class DetainerRule(_Sourced):
    tiers: list[Name] | None = None
    non_priority: bool = False
    when: Condition | None = None
    action: DetainerAction

    @model_validator(mode="after")
    def _one_target(self) -> DetainerRule:
        if self.tiers is not None and self.non_priority:
            raise ValueError("a rule applies to `tiers` or to `non_priority`, not both")
        return self

    def applies(self, tier: str | None, profile: Profile, at: dt.date) -> bool:
        if self.tiers is not None and tier not in self.tiers:
            return False
        if self.non_priority and tier is not None:
            return False
        return self.when is None or self.when.matches(profile, at)


class Channels(_Strict):
    """Which arrest channels the regime permits, and whether collateral arrests are made."""

    jail_booking: bool
    prison: bool
    at_large: bool
    checkpoint_task_force: bool
    database_leads: bool
    worksite: bool
    check_in: bool
    collateral_arrests: bool
    source: Citation | None = None
    assumption: str | None = None

    def permitted(self) -> list[str]:
        return [k for k, v in self.model_dump().items() if v is True]


Program = Literal["custodial", "at_large", "other"]


class GoalBeds(_Sourced):
    """How a numeric removal goal fills the beds, when the regime's documents say: the removal
    cases removed quickest (over land to Mexico: no seat on a flight to wait for) are admitted
    before every other request, so that a bed turns over more removals while the goal runs."""

    quick_removals_first: bool


class GoalSurge(_Sourced):
    """Where the hours a numeric removal goal adds go (the officers' arrest programs: the
    Criminal Alien Program, Fugitive Operations, the other arrest work with its leads), when the
    regime's documents say; without it the added hours go to every program in its share. And,
    where the documents say, how the goal fills the beds (``beds``)."""

    programs: list[Program] = Field(min_length=1)
    beds: GoalBeds | None = None


class TierOrder(_Strict):
    """How the tiers share officer time that cannot reach everyone: ``ranked``, the first tier
    served first (the 2011 and 2014 memos rank their priorities: "the highest priority", "the
    second-highest priority"), or ``equal``, where the tiers are a list of categories any one
    of which makes a person a priority (the 2017 memo's seven, joined by "or"), so their people
    are served alike, before anyone outside them. Without it a regime's tiers are ranked."""

    order: Literal["ranked", "equal"]
    source: Citation


class Period(_Strict):
    start: dt.date
    end: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"period ends ({self.end}) on or before it starts ({self.start})")
        return self

    def contains(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


class DocketReview(_Strict):
    """A prosecutorial-discretion review of pending court cases."""

    start: dt.date
    scope: str
    closure_criteria: Condition
    source: Citation
    assumption: str | None = None


class Preapproval(_Strict):
    """A requirement of written justification and a supervisor's preapproval for an action
    outside the regime's priorities, in force from ``start`` (which may fall after the regime's
    own start: ICE's interim guidance of February 18, 2021 within the priorities in force from
    January 20)."""

    start: dt.date
    source: Citation


class Regime(_Strict):
    name: Name
    title: str
    summary: str
    in_force: list[Period] = Field(min_length=1)
    documents: list[Document] = Field(min_length=1)
    tiers: list[Tier] = Field(min_length=1)
    tier_order: TierOrder | None = None
    non_priority: NonPriorityAction
    non_priority_source: Citation | None = None
    preapproval: Preapproval | None = None
    """Where the regime requires written justification and a supervisor's preapproval for an
    action outside its priorities (ICE's interim guidance of February 2021), from which day and
    the passage that says so: from that day its case-by-case actions reach non-priority cases at
    ``enforcement.effort.preapproval_arrest_share`` instead of
    ``enforcement.effort.non_priority_arrest_share`` (:func:`immsim.engine.inputs.case_by_case_share`)."""
    exempt: list[Rule] = Field(default_factory=list)
    mitigating_factors: list[Rule] = Field(default_factory=list)
    detainer_policy: list[DetainerRule] = Field(min_length=1)
    channels: Channels
    docket_review: DocketReview | None = None
    goal_surge: GoalSurge | None = None
    assumptions: list[str] = Field(default_factory=list)

    def preapproval_on(self, day: dt.date) -> bool:
        """Whether the regime's preapproval requirement is in force on ``day``."""
        return self.preapproval is not None and day >= self.preapproval.start

    def tier_ids(self) -> list[str]:
        return [t.id for t in self.tiers]

    def lowering(self, tier: str) -> list[Rule]:
        """The mitigating factors that take people out of ``tier`` (:class:`Rule`)."""
        return [f for f in self.mitigating_factors if tier in f.lowers]

    @property
    def tiers_ranked(self) -> bool:
        """Whether scarce officer time goes down the tiers in order (:class:`TierOrder`)."""
        return self.tier_order is None or self.tier_order.order == "ranked"

    def document(self, doc_id: str) -> Document:
        return next(d for d in self.documents if d.id == doc_id)

    def in_force_on(self, day: dt.date) -> bool:
        return any(p.contains(day) for p in self.in_force)

    def cite(self, citation: Citation | None) -> str:
        if citation is None:
            return ""
        doc = self.document(citation.document)
        return f"{doc.title} ({doc.date.isoformat()}), {citation.passage}"


@dataclass(frozen=True)
class Classification:
    """What a regime makes of one hypothetical profile on a date."""

    regime: str
    tier: str | None
    tier_rank: int | None
    tier_label: str
    exempt: str | None
    enforcement: str
    detainer: str
    mitigating: tuple[str, ...]
    reasons: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "regime": self.regime,
            "tier": self.tier,
            "tier_rank": self.tier_rank,
            "tier_label": self.tier_label,
            "exempt": self.exempt,
            "enforcement": self.enforcement,
            "detainer": self.detainer,
            "mitigating": list(self.mitigating),
            "reasons": list(self.reasons),
        }


def classify(regime: Regime, profile: Profile, at: dt.date | None = None) -> Classification:
    """The tier, exemption, detainer action and mitigating factors of a hypothetical profile."""
    day = at or regime.in_force[0].start
    reasons: list[str] = []
    mitigating = tuple(f.id for f in regime.mitigating_factors if f.when.matches(profile, day))
    for rule in regime.exempt:
        if rule.when.matches(profile, day):
            reasons.append(f"exempt: {rule.label} — {regime.cite(rule.source) or rule.assumption}")
            return Classification(
                regime.name,
                None,
                None,
                "exempt",
                rule.id,
                "none",
                "none",
                mitigating,
                tuple(reasons),
            )
    tier: Tier | None = None
    rank: int | None = None
    for index, candidate in enumerate(regime.tiers):
        if candidate.matches(profile, day):
            lowered = [f for f in regime.lowering(candidate.id) if f.when.matches(profile, day)]
            if lowered:
                factor = lowered[0]
                reasons.append(
                    f"not {candidate.label}: {factor.label} — "
                    f"{regime.cite(factor.source) or factor.assumption}"
                )
                continue
            tier, rank = candidate, index + 1
            reasons.append(f"{candidate.label} — {regime.cite(candidate.source)}")
            break
    enforcement: str
    if tier is None:
        enforcement = regime.non_priority
        reasons.append(f"not a priority: {enforcement} — {regime.cite(regime.non_priority_source)}")
    else:
        enforcement = "priority"
    detainer = "none"
    for drule in regime.detainer_policy:
        if drule.applies(tier.id if tier else None, profile, day):
            detainer = drule.action
            reasons.append(
                f"detainer policy: {detainer} — {regime.cite(drule.source) or drule.assumption}"
            )
            break
    return Classification(
        regime=regime.name,
        tier=tier.id if tier else None,
        tier_rank=rank,
        tier_label=tier.label if tier else "not a priority",
        exempt=None,
        enforcement=enforcement,
        detainer=detainer,
        mitigating=mitigating,
        reasons=tuple(reasons),
    )


# --- consistency checks ---------------------------------------------------------------------


def _citations(regime: Regime) -> list[tuple[tuple[Any, ...], Citation]]:
    found: list[tuple[tuple[Any, ...], Citation]] = []
    for i, tier in enumerate(regime.tiers):
        found.append((("tiers", i, "source"), tier.source))
    for group in ("exempt", "mitigating_factors"):
        for i, rule in enumerate(getattr(regime, group)):
            if rule.source:
                found.append(((group, i, "source"), rule.source))
    for i, drule in enumerate(regime.detainer_policy):
        if drule.source:
            found.append((("detainer_policy", i, "source"), drule.source))
    if regime.channels.source:
        found.append((("channels", "source"), regime.channels.source))
    if regime.non_priority_source:
        found.append((("non_priority_source",), regime.non_priority_source))
    if regime.preapproval:
        found.append((("preapproval", "source"), regime.preapproval.source))
    if regime.tier_order is not None:
        found.append((("tier_order", "source"), regime.tier_order.source))
    if regime.docket_review:
        found.append((("docket_review", "source"), regime.docket_review.source))
    if regime.goal_surge is not None and regime.goal_surge.source is not None:
        found.append((("goal_surge", "source"), regime.goal_surge.source))
    beds = regime.goal_surge.beds if regime.goal_surge is not None else None
    if beds is not None and beds.source is not None:
        found.append((("goal_surge", "beds", "source"), beds.source))
    return found


def _probe_profiles(regime: Regime) -> list[Profile]:
    """Every combination of the attribute levels the regime's conditions can tell apart."""
    conditions: list[Condition] = [c for t in regime.tiers for c in t.any]
    conditions += [r.when for r in regime.exempt]
    start_year = regime.in_force[0].start.year
    years = {1990, start_year}
    for c in conditions:
        for y in (c.entry_year_at_least, c.entry_year_before):
            if y is not None:
                years.update({y - 1, y})
        for n in (c.years_in_us_under, c.years_in_us_at_least):
            if n is not None:
                years.update({start_year - n, start_year - n + 1})
    used = {
        name
        for c in conditions
        for name, value in c.model_dump(exclude_none=True).items()
        if name in CATEGORICAL or name in BOOLEAN
    }
    axes: dict[str, tuple[Any, ...]] = {}
    for name in (*CATEGORICAL, *BOOLEAN):
        if name in used:
            axes[name] = CATEGORICAL.get(name) or (False, True)
    names = list(axes)
    return [
        Profile(entry_year=year, **dict(zip(names, combo, strict=True)))
        for combo in itertools.product(*(axes[n] for n in names))
        for year in sorted(years)
    ]


def check_regime(regime: Regime, located: LocatedYaml) -> None:
    """Contradictions and gaps a schema alone cannot see, located in the file."""

    def fail(message: str, path: tuple[Any, ...]) -> InputError:
        return InputError(message, file=located.source, line=located.line_of(path), key=regime.name)

    doc_ids = [d.id for d in regime.documents]
    for ids, what, section in (
        (doc_ids, "document", "documents"),
        (regime.tier_ids(), "tier", "tiers"),
    ):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise fail(f"{what} id(s) used twice: {', '.join(dupes)}", (section,))
    for path, citation in _citations(regime):
        if citation.document not in doc_ids:
            raise InputError(
                f"cites unknown document {citation.document!r}",
                file=located.source,
                line=located.line_of((*path, "document")),
                allowed=doc_ids,
            )
    for i, rule in enumerate(regime.exempt):
        if rule.lowers:
            raise fail("an exempt class lowers no tier (it is outside them all)", ("exempt", i))
    named: list[tuple[str, tuple[Any, ...], list[str]]] = [
        ("mitigating factor lowers", ("mitigating_factors", i, "lowers"), factor.lowers)
        for i, factor in enumerate(regime.mitigating_factors)
    ] + [
        ("detainer rule names", ("detainer_policy", i, "tiers"), drule.tiers or [])
        for i, drule in enumerate(regime.detainer_policy)
    ]
    for what, path, tier_ids in named:
        for tier_id in tier_ids:
            if tier_id not in regime.tier_ids():
                raise InputError(
                    f"{what} unknown tier {tier_id!r}",
                    file=located.source,
                    line=located.line_of(path),
                    allowed=regime.tier_ids(),
                )
    periods = sorted(regime.in_force, key=lambda p: p.start)
    for before, after in itertools.pairwise(periods):
        if before.end is None or before.end > after.start:
            raise fail("in_force periods overlap", ("in_force",))
    for i, tier in enumerate(regime.tiers[:-1]):
        if any(c.is_everyone() for c in tier.any):
            raise fail(
                f"tier {tier.id!r} matches everyone, so the tiers after it can never apply",
                ("tiers", i),
            )
    probes = _probe_profiles(regime)
    day = regime.in_force[0].start
    exempted = [any(r.when.matches(p, day) for r in regime.exempt) for p in probes]
    for i, tier in enumerate(regime.tiers):
        if tier.unobservable:
            continue
        reachable = any(
            not ex and tier.matches(p, day) and not any(t.matches(p, day) for t in regime.tiers[:i])
            for p, ex in zip(probes, exempted, strict=True)
        )
        if not reachable:
            raise fail(
                f"tier {tier.id!r} can never apply: every profile it matches is exempt or "
                "already in an earlier tier",
                ("tiers", i),
            )
