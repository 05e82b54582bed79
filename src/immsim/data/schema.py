"""The normalized event schema every published layout is read into.

One table per event kind (encounter, arrest, detainer, detention stay, removal, court case) with
typed columns and validated codes, plus ``published_stats`` for the agencies' aggregate tables.
Records are events, not people: identifiers, names, birth dates and free-text locations in the
releases are never read into it, so nothing downstream can link a record to a person.
"""

from __future__ import annotations

import re
from typing import Any, Final

import polars as pl

EVENT_KINDS: Final = (
    "encounter",
    "arrest",
    "detainer",
    "detention_stay",
    "detention_stint",
    "removal",
    "court_case",
)

CRIMINALITY: Final = ("convicted", "pending_charges", "other_violator", "unknown")
"""ICE's three criminality classes (the FY2017 definition split out pending charges)."""

CHANNELS: Final = (
    "jail",
    "prison",
    "287g",
    "at_large",
    "task_force",
    "worksite",
    "check_in",
    "other",
    "unknown",
)
"""The model's arrest channels (docs/design.md, the week) that ICE's arrest methods map onto."""

GENDERS: Final = ("female", "male", "unknown")

REMOVAL_KINDS: Final = (
    "expedited",
    "reinstatement",
    "administrative",
    "judicial",
    "other",
    "unknown",
)

COMMON: dict[str, Any] = {
    "event_date": pl.Date,
    "fiscal_year": pl.Int16,
    "aor": pl.String,
    "citizenship_country": pl.String,
    "gender": pl.Enum(list(GENDERS)),
    "source_file": pl.String,
    "source_row": pl.Int64,
}

SCHEMAS: Final[dict[str, dict[str, Any]]] = {
    "arrest": {
        **COMMON,
        "state": pl.String,
        "method": pl.String,
        "channel": pl.Enum(list(CHANNELS)),
        "criminality": pl.Enum(list(CRIMINALITY)),
        "case_category_code": pl.String,
        "case_category": pl.String,
        "final_order": pl.Boolean,
    },
    "removal": {
        **COMMON,
        "criminality": pl.Enum(list(CRIMINALITY)),
        "most_serious_conviction": pl.String,
        "case_category_code": pl.String,
        "case_category": pl.String,
        "removal_kind": pl.Enum(list(REMOVAL_KINDS)),
    },
    "encounter": {
        **COMMON,
        "method": pl.String,
        "channel": pl.Enum(list(CHANNELS)),
        "criminality": pl.Enum(list(CRIMINALITY)),
        "processing_disposition": pl.String,
    },
    "detainer": {
        **COMMON,
        "criminality": pl.Enum(list(CRIMINALITY)),
        "facility_state": pl.String,
        "lifted_reason": pl.String,
    },
    "detention_stay": {
        "event_date": pl.Date,
        "fiscal_year": pl.Int16,
        "facility_code": pl.String,
        "facility_name": pl.String,  # where a layout names facilities instead of coding them
        "state": pl.String,
        "persons": pl.Int64,  # held at midnight (ICE's average daily population counts these)
        "persons_during_day": pl.Int64,  # held at any time that day
        "male": pl.Int64,
        "female": pl.Int64,
        "convicted": pl.Int64,
        "possibly_under_18": pl.Int64,
        "source_file": pl.String,
        "source_row": pl.Int64,
    },
    "detention_stint": {
        "event_date": pl.Date,  # book-in at this facility
        "end_date": pl.Date,  # book-out (null while held)
        "stay_start": pl.Date,  # book-in of the whole stay the stint belongs to
        "fiscal_year": pl.Int16,
        "facility_code": pl.String,
        "release_reason": pl.String,
        "criminality": pl.Enum(list(CRIMINALITY)),
        "citizenship_country": pl.String,
        "gender": pl.Enum(list(GENDERS)),
        "source_file": pl.String,
        "source_row": pl.Int64,
    },
    "court_case": {
        "event_date": pl.Date,  # completion (null while pending)
        "filed_date": pl.Date,
        "fiscal_year": pl.Int16,  # of completion, else of filing
        "court": pl.String,
        "case_type": pl.String,
        "custody": pl.String,
        "decision_code": pl.String,
        "decision": pl.String,
        "in_absentia": pl.Boolean,
        "nationality": pl.String,
        "source_file": pl.String,
        "source_row": pl.Int64,
    },
    "published_stats": {
        "fiscal_year": pl.Int16,
        "sheet": pl.String,
        "table": pl.String,
        "title": pl.String,
        "row_group": pl.String,
        "row_label": pl.String,
        "column_label": pl.String,
        "value": pl.Float64,
        "source_file": pl.String,
    },
}

REDACTION = re.compile(r"^\s*\(?b\)?\s*\(\d\)", re.IGNORECASE)
"""FOIA exemption markers that replace withheld values: ``(b)(6)``, ``(b)(7)(c)``, and the
later releases' ``b(6), b(7)c``."""

BRACKET_CODE = re.compile(r"^\s*\[(?P<code>[^\]]+)\]\s*(?P<label>.*)$")
"""ICE's bracketed codes: ``[8C] Excludable / Inadmissible - Administrative Final Order Issued``."""

METHOD_CHANNELS: Final[dict[str, str]] = {
    "cap local incarceration": "jail",
    "cap state incarceration": "prison",
    "cap federal incarceration": "prison",
    "287(g) program": "287g",
    "located": "at_large",
    "non-custodial arrest": "at_large",
    "probation and parole": "check_in",
    "traffic check": "task_force",
    "law enforcement agency response unit": "task_force",
    "worksite enforcement": "worksite",
    "other efforts": "other",
    "inspections": "other",
    "anti-smuggling": "other",
    "ero reprocessed arrest": "other",
    "boat patrol": "other",
    "transportation check": "task_force",
    "patrol border": "other",
    # the short forms of the same methods in the 2025-26 releases and in encounters' Event Type
    "cap local": "jail",
    "cap state": "prison",
    "cap federal": "prison",
    "custodial": "jail",  # taken into ICE custody from another agency's, mostly a county jail
    "non-custodial": "at_large",
    "287(g)": "287g",
    "law enforcement assist": "task_force",
    "other task force": "task_force",
    "other agency": "other",
    "other agency (turned over to ins)": "other",
    "inspection": "other",
    "patrolling": "other",
    "worksite": "worksite",
}
"""ICE arrest methods (ERO-LESA ``Apprehension Method``, encounters' ``Event Type``) mapped to
the model's channels: our grouping, by where the person was when ICE took them."""

CASE_CATEGORY_REMOVAL_KIND: Final[dict[str, str]] = {
    "8F": "expedited",
    "8G": "expedited",
    "8H": "expedited",
    "8I": "expedited",  # an ICE fugitive removed by expedited removal
    "16": "reinstatement",
    "1A": "administrative",
    "1B": "administrative",
    "3": "administrative",
    "8C": "administrative",
    "9": "judicial",
    "10": "judicial",
    "11": "judicial",
    "12": "judicial",
    "13": "judicial",
    "14": "judicial",
    "15": "judicial",
}
"""ICE case categories grouped by how the removal order was made (our grouping of the codes)."""


def conform(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    """``frame`` as the kind's table: its columns in order and type, those a layout lacks null."""
    return frame.select(
        [
            (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in SCHEMAS[kind].items()
        ]
    )


def fiscal_year(date: pl.Expr) -> pl.Expr:
    """The federal fiscal year of a date (October to September, named by its September)."""
    return date.dt.year().cast(pl.Int16) + (date.dt.month() >= 10).cast(pl.Int16)
