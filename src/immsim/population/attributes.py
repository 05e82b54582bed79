"""The person attributes of a stratum, and the levels each may take.

This is the shared vocabulary of the population, the regimes' priority predicates and the engine.
It describes *kinds* of people for aggregate counts; no attribute identifies anyone.

Criminal history is none / minor / significant misdemeanour / felony / aggravated felony: the
2014 priorities memo puts significant misdemeanours and felonies in different priority levels, so
they are kept apart. The gang / national-security flag is its own yes-no attribute because it
cuts across convictions.
"""

from __future__ import annotations

from typing import Final

CRIMINAL_HISTORY: Final = (
    "none",
    "minor",
    "significant_misdemeanor",
    "felony",
    "aggravated_felony",
)
"""Most serious conviction: ``minor`` is traffic and other minor misdemeanours."""

COUNTRY_GROUPS: Final = ("mexico_land", "central_america_flight", "refusing_or_delaying", "other")
"""Country of citizenship grouped by how a removal is carried out and whether it can be."""

IMMIGRATION_HISTORY: Final = ("none", "final_order", "prior_removal")
"""``final_order``: an unexecuted final order of removal; ``prior_removal``: removed before and
returned (the case for reinstatement of the earlier order)."""

PROTECTED_STATUS: Final = ("none", "deferred_action", "tps", "pending_asylum", "parole")
"""``parole``: paroled on arrival through the 2022-2024 processes (CHNV, CBP One appointments);
the level stays after a parole ends, when the dated share in force says who is still protected."""

AGE_BANDS: Final = ("under_18", "age_18_29", "age_30_44", "age_45_64", "age_65_plus")

YEARS_IN_US: Final[dict[str, int]] = {
    "y0_1": 0,
    "y2_4": 2,
    "y5_9": 5,
    "y10_14": 10,
    "y15_plus": 15,
}
"""Bands of completed years since the most recent entry, with each band's lower edge.

A stratum records its band's lower edge as its entry year (``entry_year = year - edge``), so
that the regimes' thresholds at 2 and 10 years classify a band exactly; a threshold inside a
band (e.g. "entered after January 2014" at a 2017 date) classifies the whole band one way.
"""

CATEGORICAL: Final[dict[str, tuple[str, ...]]] = {
    "criminal_history": CRIMINAL_HISTORY,
    "country_group": COUNTRY_GROUPS,
    "immigration_history": IMMIGRATION_HISTORY,
    "protected_status": PROTECTED_STATUS,
    "age_band": AGE_BANDS,
}

BOOLEAN: Final = (
    "gang_or_national_security",
    "pending_charges",
    "us_citizen_child",
    "known_to_agency",
)
"""Yes/no attributes."""

ENTRY_YEAR_RANGE: Final = (1950, 2060)
"""``entry_year``: the calendar year of the most recent entry (an integer)."""

ATTRIBUTES: Final = (*CATEGORICAL, *BOOLEAN, "entry_year")


def levels(attribute: str) -> tuple[str, ...] | tuple[bool, ...] | None:
    """The levels of a categorical or yes/no attribute (None for ``entry_year``)."""
    if attribute in CATEGORICAL:
        return CATEGORICAL[attribute]
    if attribute in BOOLEAN:
        return (False, True)
    return None
