"""Engine groups: the population's strata collapsed to what the pipeline acts on.

The engine moves counts of exchangeable people, so a group is a combination of the attributes
that change what happens to someone (priority, processing path, removal logistics) plus the
entry cohort, and, in a run that carries areas, the area of responsibility (``AREA``), where
cooperation, beds and the results differ by area. Without areas the area is dropped (every
group is in one area, ``NATIONAL``) and cooperation enters as national shares. Age matters in
the regimes only as a mitigating factor, and age is not a group attribute here, so a factor on
age cannot lower a tier (factors on years in the U.S. or a U.S.-citizen child can: see
docs/design.md). New arrivals during a run get their own cohort groups, one per entry year, with
the composition of the population's most recent arrivals (by area, with areas).

Carrying areas makes some 60,900 groups of the national population's 4,837 (measured on the
default scenario's population: areas are its outermost raked axis, and only the combinations
that hold someone are kept). No attribute can be coarsened without changing what the engine
does: each is read by the regimes' triage, a stage or the breakdown, and the entry years are
already the population's five bands of years in the U.S., whose edges (2 and 10 years) the
rules read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from immsim.errors import InputError
from immsim.population.attributes import BOOLEAN as BOOLEAN  # the engine carries them all
from immsim.population.attributes import CATEGORICAL as ATTRIBUTE_LEVELS
from immsim.population.build import Population
from immsim.population.targets import GEOGRAPHY

CATEGORICAL = (  # the population's categorical attributes the engine carries (not area or age)
    "country_group",
    "criminal_history",
    "immigration_history",
    "protected_status",
)
KEY = (*CATEGORICAL, *BOOLEAN, "entry_year")
LEVELS: dict[str, tuple[str, ...]] = {name: ATTRIBUTE_LEVELS[name] for name in CATEGORICAL}
AREA = GEOGRAPHY  # the strata's area of responsibility (lower-case ICE codes)
NATIONAL = "national"
"""The one area of a run that does not carry areas."""

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
    area: IntArray  # each group's area, an index into ``area_names``
    area_names: tuple[str, ...]  # (NATIONAL,) in a run without areas

    @property
    def areas(self) -> bool:
        """Whether the groups carry areas."""
        return self.area_names != (NATIONAL,)

    @property
    def size(self) -> int:
        return int(self.initial.size)

    def level_of(self, attribute: str) -> NDArray[np.str_]:
        """Each group's level of ``attribute``, by name. For reading and tests: the engine tests
        the codes (:meth:`is_level`, :meth:`mask`), since a string per group is some 6.7 MB by
        area (17 four-byte characters for each of 99,190 groups), 13 ms a call in a run's fresh
        pages against 0.003 ms for a test of the codes."""
        return np.asarray(LEVELS[attribute])[self.codes[attribute]]

    def is_level(self, attribute: str, level: str) -> NDArray[np.bool_]:
        """Which groups are at ``level`` of ``attribute`` (its code compared, no strings)."""
        out: NDArray[np.bool_] = self.codes[attribute] == LEVELS[attribute].index(level)
        return out

    def mask(self, attribute: str, levels: list[str] | tuple[str, ...]) -> NDArray[np.bool_]:
        """Which groups are at any of ``levels`` of ``attribute``: the codes compared with each
        level's (a level or two: ``np.isin`` cost 0.085 ms a call over the 99,190 groups by area
        against 0.011 ms for two levels, and a table read at every code 0.18 ms; the triage
        makes some 150 masks for a run's plans)."""
        codes = self.codes[attribute]
        out = np.zeros(codes.shape, dtype=np.bool_)
        for level in levels:
            out |= codes == LEVELS[attribute].index(level)
        return out

    def cohort(self, year: int) -> IntArray:
        """The groups that ``year``'s arrivals join (past the last cohort's year, the last's)."""
        found = self.arrival_groups.get(year)
        return self.arrival_groups[max(self.arrival_groups)] if found is None else found

    def take(self, index: IntArray) -> Groups:
        """The groups at ``index`` (ascending), in that order: a run's groups cut to those its
        plan covers (:func:`immsim.engine.inputs.live_groups`). Arrival cohorts are kept, as
        positions among these, for the years whose groups are all here."""
        position = np.full(self.size, -1, dtype=np.int64)
        position[index] = np.arange(index.size)
        cohorts = {
            year: position[groups]
            for year, groups in self.arrival_groups.items()
            if bool((position[groups] >= 0).all())
        }
        return Groups(
            codes={name: code[index] for name, code in self.codes.items()},
            flags={name: flag[index] for name, flag in self.flags.items()},
            entry_year=self.entry_year[index],
            initial=self.initial[index],
            arrival_groups=cohorts,
            arrival_weights=self.arrival_weights,
            area=self.area[index],
            area_names=self.area_names,
        )


def build_groups(
    population: Population, end: dt.date, arrival_coverage: float = 1.0, areas: bool = False
) -> Groups:
    """Collapse the strata to engine groups, adding a cohort per later entry year up to ``end``
    (``areas``: keeping each stratum's area of responsibility).

    Later cohorts take the composition of the most recent arrivals, keeping the most common
    combinations that together hold ``arrival_coverage`` of them (the long tail of one- and
    two-person combinations would double the engine's work for a fraction of a percent of
    arrivals)."""
    # with areas, a combination's groups in the areas lie side by side (the area last): the
    # groups differing only by area are contiguous, so the week's events in a large combination
    # read neighbouring memory (the week by area ~10% less CPU; docs/design.md, Performance);
    # until 2026-12-04 the area came first
    key = [*KEY, AREA] if areas else list(KEY)
    strata = population.strata
    if areas and AREA not in strata.columns:
        raise InputError(
            "a run by area needs the population's area of responsibility, and these strata "
            f"have no column {AREA!r}",
            allowed="the national population, or a strata file with an 'aor' column",
        )
    if areas:
        strata = strata.with_columns(pl.col(AREA).cast(pl.String).str.to_lowercase())
    base = strata.group_by(key).agg(pl.col("count").sum()).sort(key)
    latest = int(base["entry_year"].max())  # type: ignore[arg-type]
    template = base.filter(pl.col("entry_year") == latest)
    if arrival_coverage < 1.0:
        ranked = template.sort("count", descending=True)
        cumulative = ranked["count"].cum_sum() / max(int(ranked["count"].sum()), 1)
        keep = int((cumulative < arrival_coverage).sum()) + 1
        template = ranked.head(keep).sort(key)
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
    base_keys = base.select(key).with_row_index("row")
    kept_rows = template.select(key).join(base_keys, on=key, how="left")["row"]
    arrival_groups: dict[int, IntArray] = {latest: kept_rows.to_numpy().astype(np.int64)}
    for i, year in enumerate(years):
        first = base.height + i * n_template
        arrival_groups[year] = np.arange(first, first + n_template, dtype=np.int64)
    if areas:
        area_names = tuple(sorted(table[AREA].unique().to_list()))
        area = np.searchsorted(np.array(area_names), table[AREA].to_numpy()).astype(np.int64)
    else:
        area_names = (NATIONAL,)
        area = np.zeros(table.height, dtype=np.int64)
    return Groups(
        codes=codes,
        flags=flags,
        entry_year=table["entry_year"].to_numpy().astype(np.int32),
        initial=table["count"].to_numpy().astype(np.int64),
        arrival_groups=arrival_groups,
        arrival_weights=weights / weights.sum(),
        area=area,
        area_names=area_names,
    )
