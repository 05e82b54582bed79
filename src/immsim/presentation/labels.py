"""Plain-language names for the attributes and levels a person reads in a chart, in their natural
order (years in the U.S. ascending, criminal history from none to aggravated felony), and the
regime's own titles for its priority tiers.

The levels themselves come from :mod:`immsim.population.attributes`; this module only names them,
so a level the population gains without a name here still shows (as its code, words spaced).
"""

from __future__ import annotations

from immsim.engine.prepared import CRIMINALITY
from immsim.population.attributes import COUNTRY_GROUPS, CRIMINAL_HISTORY, YEARS_IN_US

ATTRIBUTES = {
    "criminal_history": "criminal history",
    "criminality": "ICE's 'criminal' since FY2017",
    "years_in_us": "years in the U.S.",
    "us_citizen_child": "U.S.-citizen child",
    "country_group": "country group",
    "tier": "the regime's priority tier",
}
"""The breakdown's attributes, in the order the report shows them."""

LEVELS: dict[str, dict[str, str]] = {
    "criminal_history": {
        "none": "no conviction",
        "minor": "minor offence",
        "significant_misdemeanor": "significant misdemeanour",
        "felony": "felony",
        "aggravated_felony": "aggravated felony",
    },
    "criminality": {
        "convicted": "convicted",
        "charged": "pending charges, not convicted",
        "no_record": "neither",
    },
    "years_in_us": {
        "y0_1": "under 2 years",
        "y2_4": "2 to 4 years",
        "y5_9": "5 to 9 years",
        "y10_14": "10 to 14 years",
        "y15_plus": "15 years or more",
    },
    "us_citizen_child": {"false": "no U.S.-citizen child", "true": "has a U.S.-citizen child"},
    "country_group": {
        "mexico_land": "Mexico (removed over land)",
        "central_america_flight": "Central America (removed by flight)",
        "refusing_or_delaying": "countries refusing or delaying documents",
        "other": "other countries",
    },
}
"""Each level's name, in the attribute's natural order."""

ORDER: dict[str, tuple[str, ...]] = {
    "criminal_history": CRIMINAL_HISTORY,
    "criminality": CRIMINALITY,
    "years_in_us": tuple(sorted(YEARS_IN_US, key=YEARS_IN_US.__getitem__)),
    "us_citizen_child": ("false", "true"),
    "country_group": COUNTRY_GROUPS,
}

TIER_EXTRAS = {"non_priority": "not a priority", "exempt": "exempt"}


def words(code: str) -> str:
    """A code as words, for a level nothing names: ``final_order`` → ``final order``."""
    return code.replace("_", " ")


def tier_names(regime: str) -> dict[str, str]:
    """The regime's tier titles by tier id (its own, else any shipped regime's), then the
    non-priority and exempt groups."""
    from immsim.regimes.catalog import shipped_regimes

    names: dict[str, str] = {}
    for candidate in sorted(shipped_regimes(), key=lambda r: r.name != regime):
        for tier in candidate.tiers:
            names.setdefault(tier.id, tier.label)
    return {**names, **TIER_EXTRAS}


def level_name(attribute: str, level: str, tiers: dict[str, str] | None = None) -> str:
    """A level as a legend shows it."""
    if attribute == "tier":
        return (tiers or TIER_EXTRAS).get(level, words(level))
    return LEVELS.get(attribute, {}).get(level, words(level))


def ordered(attribute: str, levels: list[str], tier_order: list[str] | None = None) -> list[str]:
    """``levels`` in the attribute's natural order; levels it does not know come last, sorted."""
    natural = list(ORDER.get(attribute, ()))
    if attribute == "tier":
        natural = list(dict.fromkeys([*(tier_order or []), *TIER_EXTRAS]))
    known = [lv for lv in natural if lv in levels]
    return known + sorted(set(levels) - set(known))
