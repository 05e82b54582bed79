"""A row of ICE's person-level arrests workbook (ERO-LESA layout), for the tests that write
such workbooks: one located arrest in Houston of a convicted Mexican woman with a reinstated
order, identifiers redacted as the releases redact them."""

from __future__ import annotations

import datetime as dt


def workbook_arrest_row(day: dt.datetime) -> list[object]:
    return [
        day,
        "TX",
        "HOU",
        "Located",
        "1 Convicted Criminal",
        "[16] Reinstated Final Order",
        "YES",
        "MEXICO",
        "Female",
        "(b)(6)",
    ]
