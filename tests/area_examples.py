"""Results by area for the tests, until the engine reports areas: a quarter of every outcome of
the run in Seattle and the rest in Atlanta, in the by-area table's shape
(``immsim.analysis.areas``)."""

from __future__ import annotations

import polars as pl

from immsim.analysis.areas import AREA_OUTCOMES
from immsim.engine.results import Results
from immsim.outcomes import by_year

SHARES = {"sea": 0.25, "atl": 0.75}


def quarter_in_seattle(results: Results) -> pl.DataFrame:
    national = by_year(results, AREA_OUTCOMES).select("fiscal_year", *AREA_OUTCOMES)
    return pl.concat(
        national.select(
            pl.lit(area).alias("area"),
            "fiscal_year",
            *(pl.col(n) * share for n in AREA_OUTCOMES),
        )
        for area, share in SHARES.items()
    )
