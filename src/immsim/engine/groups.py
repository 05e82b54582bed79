"""Engine groups: the population's strata collapsed to what the pipeline acts on.

The engine moves counts of exchangeable people, so a group is a combination of the attributes
that change what happens to someone (priority, processing path, removal logistics) plus the
entry cohort. Area and age are dropped: cooperation enters as national shares, and age matters
in the regimes only as a mitigating factor, which the engine does not model (see docs/design.md and
the README). New arrivals during a run get their own cohort groups, one per entry year, with the
composition of the population's most recent arrivals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from immsim.population.attributes import BOOLEAN as BOOLEAN  # the engine carries them all
from immsim.population.attributes import CATEGORICAL as ATTRIBUTE_LEVELS
from immsim.population.build import Population

CATEGORICAL = (  # the population's categorical attributes the engine carries (not area or age)
    "country_group",
    "criminal_history",
    "immigration_history",
    "protected_status",
)
KEY = (*CATEGORICAL, *BOOLEAN, "entry_year")
LEVELS: dict[str, tuple[str, ...]] = {name: ATTRIBUTE_LEVELS[name] for name in CATEGORICAL}

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Groups:
    """Attribute arrays (category codes, booleans, entry year) and the starting counts."""

    codes: dict[str, NDArray[np.int8]]
    flags: dict[str, NDArray[np.bool_]]
    entry_year: NDArray[np.int32]
    initial: IntArray
    arrival_groups: dict[int, IntArray]
    arrival_weights: NDArray[np.float64]

    @property
    def size(self) -> int:
        return int(self.initial.size)

    def level_of(self, attribute: str) -> NDArray[np.str_]:
        return np.asarray(LEVELS[attribute])[self.codes[attribute]]

    def mask(self, attribute: str, levels: list[str] | tuple[str, ...]) -> NDArray[np.bool_]:
        wanted = [LEVELS[attribute].index(lvl) for lvl in levels]
        return np.isin(self.codes[attribute], wanted)


def build_groups(population: Population, end: dt.date, arrival_coverage: float = 1.0) -> Groups:
    """Collapse the strata to engine groups, adding a cohort per later entry year up to ``end``.

    Later cohorts take the composition of the most recent arrivals, keeping the most common
    combinations that together hold ``arrival_coverage`` of them (the long tail of one- and
    two-person combinations would double the engine's work for a fraction of a percent of
    arrivals)."""
    base = population.strata.group_by(list(KEY)).agg(pl.col("count").sum()).sort(list(KEY))
    latest = int(base["entry_year"].max())  # type: ignore[arg-type]
    template = base.filter(pl.col("entry_year") == latest)
    if arrival_coverage < 1.0:
        ranked = template.sort("count", descending=True)
        cumulative = ranked["count"].cum_sum() / max(int(ranked["count"].sum()), 1)
        keep = int((cumulative < arrival_coverage).sum()) + 1
        template = ranked.head(keep).sort(list(KEY))
    frames = [base]
    years = list(range(latest + 1, end.year + 1))
    for year in years:
        frames.append(
            template.with_columns(
                pl.lit(year, dtype=base["entry_year"].dtype).alias("entry_year"),
                pl.lit(0, dtype=pl.Int64).alias("count"),
            )
        )
    table = pl.concat(frames)
    n_template = template.height
    codes = {
        name: np.array(
            [LEVELS[name].index(v) for v in table[name].cast(pl.String).to_list()],
            dtype=np.int8,
        )
        for name in CATEGORICAL
    }
    flags = {name: table[name].to_numpy().astype(bool) for name in BOOLEAN}
    weights = template["count"].to_numpy().astype(np.float64)
    if weights.sum() <= 0:
        weights = np.ones_like(weights)
    # arrivals of the latest entry year join the existing groups of the kept combinations
    base_keys = base.select(list(KEY)).with_row_index("row")
    kept_rows = template.select(list(KEY)).join(base_keys, on=list(KEY), how="left")["row"]
    arrival_groups: dict[int, IntArray] = {latest: kept_rows.to_numpy().astype(np.int64)}
    for i, year in enumerate(years):
        first = base.height + i * n_template
        arrival_groups[year] = np.arange(first, first + n_template, dtype=np.int64)
    return Groups(
        codes=codes,
        flags=flags,
        entry_year=table["entry_year"].to_numpy().astype(np.int32),
        initial=table["count"].to_numpy().astype(np.int64),
        arrival_groups=arrival_groups,
        arrival_weights=weights / weights.sum(),
    )
