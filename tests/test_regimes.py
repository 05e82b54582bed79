"""Each regime classifies hypothetical profiles as its documents say.

Every row names the profile, the tier it must get, and the passage that decides it. These are
hypothetical profiles for checking rules, never real people.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

import numpy as np
import pytest

from immsim.engine.inputs import rank_codes
from immsim.engine.triage import NO_TIER
from immsim.errors import InputError
from immsim.regimes import Profile, classify, load_regime, regime_at, regime_names
from immsim.regimes.catalog import parse_regime
from immsim.yamlio import load_yaml_text

# (regime, profile attributes, expected tier or "-" for none / "exempt", passage that decides it)
TABLE: list[tuple[str, dict[str, Any], str, str]] = [
    # --- the issue's example: one misdemeanour, entered 2005, U.S.-citizen child ---------------
    (
        "nov2014",
        {"criminal_history": "minor", "entry_year": 2005, "us_citizen_child": True},
        "-",
        "2014 memo: a single non-significant misdemeanour is in no priority",
    ),
    (
        "eo13768",
        {"criminal_history": "minor", "entry_year": 2005, "us_citizen_child": True},
        "convicted",
        "EO 13768 sec. 5(a): convicted of any criminal offense",
    ),
    # --- jun2011 ---------------------------------------------------------------------------------
    (
        "jun2011",
        {"criminal_history": "aggravated_felony", "entry_year": 2000},
        "p1_level1",
        "Morton 2011 Level 1",
    ),
    (
        "jun2011",
        {"criminal_history": "felony", "entry_year": 2000},
        "p1_level2",
        "Morton 2011 Level 2",
    ),
    (
        "jun2011",
        {"criminal_history": "minor", "entry_year": 2000},
        "p1_level3",
        "Morton 2011 Level 3",
    ),
    ("jun2011", {"entry_year": 2011}, "p2_recent_entrant", "Morton 2011 Priority 2"),
    (
        "jun2011",
        {"immigration_history": "final_order", "entry_year": 2000},
        "p3_fugitive",
        "Morton 2011 Priority 3",
    ),
    ("jun2011", {"entry_year": 2000}, "-", "no priority category applies"),
    (
        "jun2011",
        {"protected_status": "deferred_action", "entry_year": 2000},
        "exempt",
        "DACA memo 2012",
    ),
    # --- nov2014 ---------------------------------------------------------------------------------
    ("nov2014", {"gang_or_national_security": True, "entry_year": 2000}, "priority_1", "P1(a),(c)"),
    ("nov2014", {"criminal_history": "felony", "entry_year": 2000}, "priority_1", "P1(d)"),
    (
        "nov2014",
        {"criminal_history": "significant_misdemeanor", "entry_year": 2000},
        "priority_2",
        "P2(b)",
    ),
    ("nov2014", {"entry_year": 2014}, "priority_2", "P2(c): entry after January 1, 2014"),
    ("nov2014", {"entry_year": 2013}, "-", "entered before 2014, no conviction"),
    ("nov2014", {"immigration_history": "final_order", "entry_year": 2000}, "priority_3", "P3"),
    (
        "nov2014",
        {"protected_status": "deferred_action", "criminal_history": "minor", "entry_year": 2000},
        "exempt",
        "DACA",
    ),
    # --- eo13768 ---------------------------------------------------------------------------------
    ("eo13768", {"pending_charges": True, "entry_year": 2000}, "charged", "sec. 5(b)"),
    (
        "eo13768",
        {"immigration_history": "final_order", "entry_year": 2000},
        "final_order",
        "sec. 5(f)",
    ),
    (
        "eo13768",
        {"gang_or_national_security": True, "entry_year": 2000},
        "officer_judgment",
        "sec. 5(g)",
    ),
    ("eo13768", {"entry_year": 2000}, "-", "in no category, but no class exempt (Q5)"),
    (
        "eo13768",
        {"protected_status": "deferred_action", "entry_year": 2010},
        "exempt",
        "Q22: DACA not affected",
    ),
    # --- sep2021 ---------------------------------------------------------------------------------
    (
        "sep2021",
        {"gang_or_national_security": True, "entry_year": 2000},
        "national_security",
        "2(A)",
    ),
    (
        "sep2021",
        {"criminal_history": "aggravated_felony", "entry_year": 2000},
        "public_safety",
        "2(B)",
    ),
    ("sep2021", {"entry_year": 2022}, "border_security", "2(C): entry after Nov 1, 2020"),
    (
        "sep2021",
        {"criminal_history": "minor", "entry_year": 2005},
        "-",
        "removability alone is no basis",
    ),
    (
        "sep2021",
        {"criminal_history": "significant_misdemeanor", "entry_year": 2016},
        "public_safety_case_by_case",
        "2(B) totality",
    ),
    (
        "sep2021",
        {"criminal_history": "significant_misdemeanor", "entry_year": 2005},
        "public_safety_case_by_case",
        "2(B) mitigating factors (lengthy presence) weighed on the totality, not deciding",
    ),
    (
        "sep2021",
        {
            "criminal_history": "significant_misdemeanor",
            "entry_year": 2016,
            "us_citizen_child": True,
        },
        "public_safety_case_by_case",
        "2(B) mitigating factors (impact on family) weighed on the totality, not deciding",
    ),
    (
        "sep2021",
        {"criminal_history": "felony", "entry_year": 2005, "us_citizen_child": True},
        "public_safety",
        "2(B): serious criminal conduct",
    ),
    # --- jun2022_vacatur (assumption-based tiers) ------------------------------------------------
    (
        "jun2022_vacatur",
        {"criminal_history": "felony", "entry_year": 2000},
        "serious_threat",
        "vacatur",
    ),
    ("jun2022_vacatur", {"entry_year": 2000}, "-", "vacatur"),
    # --- jan2025 ---------------------------------------------------------------------------------
    (
        "jan2025",
        {"criminal_history": "felony", "entry_year": 2000},
        "public_safety",
        "EO 14159 sec. 1-2",
    ),
    ("jan2025", {"entry_year": 2000}, "all_removable", "EO 14159 sec. 2: all removable aliens"),
]


@pytest.mark.parametrize(
    ("name", "attrs", "expected", "passage"), TABLE, ids=[f"{r[0]}:{r[3]}" for r in TABLE]
)
def test_profile_gets_the_tier_its_document_says(
    name: str, attrs: dict[str, Any], expected: str, passage: str
) -> None:
    regime = load_regime(name)
    day = regime.in_force[-1].start
    result = classify(regime, Profile(**attrs), day)
    if expected == "exempt":
        assert result.exempt is not None and result.tier is None and result.detainer == "none"
    elif expected == "-":
        assert result.tier is None and result.exempt is None
        assert result.enforcement == regime.non_priority
    else:
        assert result.tier == expected
        assert result.reasons and result.reasons[0]  # each classification cites its basis


def test_issue_example_is_a_priority_in_2017_but_not_in_2014() -> None:
    person = Profile(criminal_history="minor", entry_year=2005, us_citizen_child=True)
    in_2014 = classify(regime_at(dt.date(2015, 6, 1)), person, dt.date(2015, 6, 1))
    in_2017 = classify(regime_at(dt.date(2017, 6, 1)), person, dt.date(2017, 6, 1))
    assert in_2014.tier is None and in_2014.detainer == "none"
    assert in_2017.tier == "convicted" and in_2017.detainer == "detainer"
    assert "us_citizen_family" in in_2014.mitigating


def test_pep_narrows_detainers_to_convicted_priorities() -> None:
    regime = load_regime("nov2014")
    convicted = classify(regime, Profile(criminal_history="felony", entry_year=2000))
    recent = classify(regime, Profile(entry_year=2015), dt.date(2015, 6, 1))
    assert convicted.detainer == "detainer"
    assert recent.tier == "priority_2" and recent.detainer == "notification"


def test_secure_communities_restored_in_2017() -> None:
    regime = load_regime("eo13768")
    assert classify(regime, Profile(entry_year=2000)).detainer == "detainer"


def test_regimes_tile_time_without_gaps() -> None:
    day = dt.date(2011, 6, 17)
    while day < dt.date(2027, 1, 1):
        assert regime_at(day).in_force_on(day)
        day += dt.timedelta(days=29)
    assert regime_at(dt.date(2017, 2, 1)).name == "eo13768"
    assert regime_at(dt.date(2020, 3, 17)).name == "eo13768"
    assert regime_at(dt.date(2020, 3, 18)).name == "mar2020_covid"
    assert regime_at(dt.date(2020, 7, 12)).name == "mar2020_covid"
    assert regime_at(dt.date(2020, 7, 13)).name == "jul2020_covid"
    assert regime_at(dt.date(2021, 1, 20)).name == "feb2021_interim"
    assert regime_at(dt.date(2021, 11, 28)).name == "feb2021_interim"
    assert regime_at(dt.date(2021, 11, 29)).name == "sep2021"
    assert regime_at(dt.date(2022, 12, 1)).name == "jun2022_vacatur"
    assert regime_at(dt.date(2024, 1, 1)).name == "sep2021"
    with pytest.raises(InputError):
        regime_at(dt.date(2005, 1, 1))


def test_the_covid_posture_narrows_eo13768_to_criminal_grounds() -> None:
    """ICE's statement of March 18, 2020: enforcement on public-safety risks and people held
    by law on criminal grounds; for everyone else, enforcement delayed until ICE's first
    nationwide at-large operation of the pandemic (July 13, 2020), case by case after it, where
    EO 13768 enforced against anyone removable."""
    covid, later = load_regime("mar2020_covid"), load_regime("jul2020_covid")
    before = load_regime("eo13768")
    felon = Profile(entry_year=2000, criminal_history="felony")
    charged = Profile(entry_year=2000, pending_charges=True)
    final_order = Profile(entry_year=2000, immigration_history="final_order")
    assert classify(covid, felon).tier == "mandatory_criminal"
    assert classify(covid, charged).tier == "public_safety"
    assert classify(covid, final_order).tier is None
    assert classify(before, final_order).tier == "final_order"
    assert covid.non_priority == "decline" and before.non_priority == "enforce"
    assert later.non_priority == "case_by_case"
    assert covid.tiers == later.tiers and covid.detainer_policy == later.detainer_policy
    assert covid.channels == later.channels
    assert not covid.channels.collateral_arrests


def test_the_2021_interim_guidance_is_narrower_than_the_guidelines_on_felonies() -> None:
    """ICE's interim guidance of February 18, 2021 presumed a public-safety priority only for
    an aggravated felony (or gang) conviction; the September 2021 guidelines, in force from
    November 29, 2021, made serious criminal conduct (here a felony) one. A felon who is not an
    aggravated felon was a priority under EO 13768 and the COVID-19 posture, and again under the
    guidelines, but not in between."""
    interim, guidelines = load_regime("feb2021_interim"), load_regime("sep2021")
    felon = Profile(entry_year=2000, criminal_history="felony")
    aggravated = Profile(entry_year=2000, criminal_history="aggravated_felony")
    recent = Profile(entry_year=2021)
    assert classify(interim, felon).tier is None
    assert classify(guidelines, felon).tier == "public_safety"
    assert classify(interim, aggravated).tier == "public_safety"
    assert classify(interim, recent).tier == "border_security"
    assert interim.non_priority == "case_by_case"
    assert not interim.channels.collateral_arrests


def test_collateral_arrests_follow_the_regime() -> None:
    assert load_regime("eo13768").channels.collateral_arrests
    assert not load_regime("nov2014").channels.collateral_arrests
    assert not load_regime("sep2021").channels.worksite


def test_all_regimes_are_listed_with_sources() -> None:
    names = regime_names()
    assert names == [
        "jun2011",
        "nov2014",
        "eo13768",
        "mar2020_covid",
        "jul2020_covid",
        "feb2021_interim",
        "sep2021",
        "jun2022_vacatur",
        "jan2025",
    ]
    for name in names:
        regime = load_regime(name)
        assert regime.documents and all(d.href for d in regime.documents)


# --- contradictory or incomplete regime files -------------------------------------------------

BASE = resources.files("immsim.parameters").joinpath("regimes", "nov2014.yaml").read_text("utf-8")


def _parse(text: str):  # type: ignore[no-untyped-def]
    return parse_regime(load_yaml_text(text, "mine.yaml"))


def test_a_user_regime_file_loads_like_a_shipped_one(write) -> None:  # type: ignore[no-untyped-def]
    path = write("mine.yaml", BASE.replace("name: nov2014", "name: mine"))
    assert load_regime(str(path)).name == "mine"


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("id: priority_2\n", "id: priority_1\n", "tier id(s) used twice: priority_1"),
        (
            '{document: johnson_priorities, passage: "Priority 3',
            '{document: nobody, passage: "Priority 3',
            "unknown document 'nobody'",
        ),
        (
            "tiers: [priority_1, priority_2, priority_3]",
            "tiers: [priority_1, priority_9]",
            "unknown tier 'priority_9'",
        ),
        (
            "criminal_history: [significant_misdemeanor]}",
            "criminal_history: [jaywalking]}",
            "Input should be",
        ),
        (
            "      - {criminal_history: [felony, aggravated_felony]}\n",
            "      - {}\n",
            "matches everyone",
        ),
        (
            "      - {immigration_history: [final_order, prior_removal]}\n",
            "      - {criminal_history: [felony]}\n",
            "can never apply",
        ),
        ("non_priority: case_by_case\n", "non_priority: maybe\n", "Input should be"),
        (
            "  - start: 2014-11-20\n    end: 2017-01-25\n",
            "  - start: 2014-11-20\n    end: 2014-01-25\n",
            "on or before it starts",
        ),
        (
            "    label: Deferred action (DACA and other grants)\n",
            "    label: Deferred action (DACA and other grants)\n    colour: blue\n",
            "unknown key 'colour'",
        ),
        (
            "    label: Length of time in the United States\n",
            "    label: Length of time in the United States\n    lowers: [priority_9]\n",
            "mitigating factor lowers unknown tier 'priority_9'",
        ),
        (
            "    label: Deferred action (DACA and other grants)\n",
            "    label: Deferred action (DACA and other grants)\n    lowers: [priority_3]\n",
            "an exempt class lowers no tier",
        ),
    ],
)
def test_contradictory_or_incomplete_regimes_are_located_errors(
    old: str, new: str, fragment: str
) -> None:
    assert old in BASE, old
    with pytest.raises(InputError) as info:
        _parse(BASE.replace(old, new, 1))
    assert fragment in str(info.value)
    assert info.value.file == "mine.yaml"
    assert info.value.line is not None


def test_a_tier_with_no_rule_must_say_why() -> None:
    text = BASE.replace(
        "    any:\n      - {immigration_history: [final_order, prior_removal]}\n", ""
    )
    with pytest.raises(InputError, match="unobservable"):
        _parse(text)


def test_rules_must_cite_or_state_an_assumption() -> None:
    text = BASE.replace(
        '    source: {document: napolitano_jun2012, passage: "deferred action for people who came as children and meet the guidelines"}\n',
        "",
    )
    with pytest.raises(InputError, match="cite a `source`"):
        _parse(text)


def test_only_eo13768_serves_its_tiers_alike_and_says_why() -> None:
    # The 2017 memo lists its seven categories joined by "or"; the 2011 and 2014 memos rank
    # theirs. A regime that serves its tiers alike cites the passage.
    for name in regime_names():
        regime = load_regime(name)
        assert regime.tiers_ranked == (name != "eo13768"), name
    order = load_regime("eo13768").tier_order
    assert order is not None and order.order == "equal"
    assert (
        order.source.document == "kelly_memo" and "within these categories" in order.source.passage
    )


def test_tiers_served_alike_share_one_code_before_the_non_priority() -> None:
    ranks_p = np.array([1, 2, 6, NO_TIER], dtype=np.int16)
    ranks_o = np.array([6, 6, 6, NO_TIER], dtype=np.int16)
    p, o, n = rank_codes(ranks_p, ranks_o)
    assert n == 4 and list(p) == [0, 1, 2, 3] and list(o) == [2, 2, 2, 3]
    p, o, n = rank_codes(ranks_p, ranks_o, ranked=False)
    assert n == 2 and list(p) == [0, 0, 0, 1] and list(o) == [0, 0, 0, 1]
