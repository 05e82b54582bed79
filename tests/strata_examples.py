"""A user's strata rows for the tests that load user strata files (two strata of one area: a
thousand people with no conviction and twenty with a felony)."""

from __future__ import annotations


def user_rows() -> list[dict[str, object]]:
    base: dict[str, object] = {
        "aor": "sea",
        "country_group": "other",
        "years_in_us": "y10_14",
        "age_band": "age_30_44",
        "criminal_history": "none",
        "immigration_history": "none",
        "protected_status": "none",
        "gang_or_national_security": "false",
        "pending_charges": "false",
        "us_citizen_child": "true",
        "known_to_agency": "false",
        "count": 1000,
    }
    return [base, {**base, "criminal_history": "felony", "count": 20}]
