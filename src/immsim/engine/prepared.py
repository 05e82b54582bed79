"""A population made ready for runs: its engine groups, and what depends only on the groups, the
regime and the year (the triage and each group's breakdown columns).

Collapsing the strata to groups costs some 25 ms, and the triage and breakdown cells a few more
per regime and year: small for one run, but the draws of a Monte Carlo repeat them hundreds of
times on the same population. So a caller that runs many times on one population prepares it
once and passes it to each run; nothing is kept between runs otherwise. Runs never change what
is prepared (its arrays are read-only), so several may share it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from immsim.engine.groups import LEVELS, Groups, build_groups
from immsim.engine.inputs import Attributes
from immsim.engine.stages import criminality
from immsim.engine.triage import NO_TIER, Triage, triage
from immsim.population.attributes import YEARS_IN_US
from immsim.population.build import Population
from immsim.regimes.model import Regime

IntArray = NDArray[np.int64]


CRIMINALITY = ("convicted", "charged", "no_record")
"""Criminal history as ICE has counted it since FY2017: a conviction, or else pending criminal
charges, or neither (the breakdown's ``criminality``; ``criminal_history`` counts convictions
only, as ICE did before)."""


def _criminality(g: Groups) -> IntArray:
    # the codes tested, not level_of's strings (6.7 MB of them by area, 13 ms a call in a run's
    # fresh pages: 11 calls, one a year, in a run's first plans)
    convicted = ~g.is_level("criminal_history", "none")
    charged = g.flags["pending_charges"]
    out: IntArray = np.where(convicted, 0, np.where(charged, 1, 2)).astype(np.int64)
    return out


@dataclass(frozen=True)
class Cells:
    """Each group's breakdown column under every attribute (``codes[group, attribute]``, a
    group's columns together in the narrowest unsigned integers that hold them:
    :func:`narrowest`) and the (attribute, level) each column stands for."""

    codes: NDArray[np.unsignedinteger[Any]]
    columns: list[tuple[str, str]]


def narrowest(columns: int) -> type[np.unsignedinteger[Any]]:
    """The narrowest unsigned integers that hold ``columns`` breakdown columns: one byte each
    for the breakdown's 54 columns by area. The week's tally reads a group's row of columns for
    every group with an event, some 7,000 of 62,000 a week by area, scattered over the groups (a
    cache line each); one byte a column puts them in 0.5 MB where int64 codes took 4 MB, and the
    tally on the week's own flows a year into the default run by area fell from 0.50-0.53 to
    0.37-0.42 ms (measured on 2026-12-05, the same sums)."""
    for dtype in (np.uint8, np.uint16, np.uint32):
        if columns <= np.iinfo(dtype).max + 1:
            return dtype
    raise ValueError(f"{columns} breakdown columns")


@dataclass
class Prepared:
    """``population`` as engine groups for runs ending by ``end`` (arrivals get a cohort per
    entry year up to then), keeping the most common arrival combinations that hold
    ``coverage`` of the latest arrivals, by area of responsibility if ``areas`` (see
    :func:`immsim.engine.groups.build_groups`)."""

    population: Population
    end: dt.date
    coverage: float
    areas: bool = False
    groups: Groups = field(init=False)
    attributes: Attributes = field(init=False)
    _triage: dict[tuple[int, int, bool], tuple[Regime, Triage]] = field(
        init=False, default_factory=dict
    )
    _cells: dict[tuple[int, int], tuple[Regime, Cells]] = field(init=False, default_factory=dict)
    _moves: IntArray = field(init=False)

    def __post_init__(self) -> None:
        groups = build_groups(self.population, self.end, self.coverage, self.areas)
        arrays: list[np.ndarray[Any, Any]] = [
            groups.area,
            groups.entry_year,
            groups.initial,
            groups.arrival_weights,
            *groups.codes.values(),
            *groups.flags.values(),
            *groups.arrival_groups.values(),
        ]
        for array in arrays:
            array.flags.writeable = False  # shared between runs: a run that wrote to one fails
        self.groups = groups
        self.attributes = Attributes.of(groups)
        # where a new conviction or charge moves a person: made here, with the groups, not in
        # a run's first plan (a sort and five searches over the groups, 20-26 ms by area). It
        # depends on the groups alone (no parameter, regime, seed or draw of a run), so every
        # run this serves reads the same, and a run that is not given a prepared population
        # (``immsim run``) prepares one and pays it the same
        moves = criminality.targets(groups)
        moves.flags.writeable = False
        self._moves = moves

    def serves(
        self, population: Population | None, end: dt.date, coverage: float, areas: bool = False
    ) -> bool:
        """Whether a run of ``population`` (None: any) to ``end`` (by area if ``areas``) can
        use these groups."""
        same = population is None or population is self.population
        return same and end <= self.end and coverage == self.coverage and areas == self.areas

    def moves(self) -> IntArray:
        """Where a new conviction or charge moves a person, over all the groups
        (:func:`immsim.engine.stages.criminality.targets`; made with the groups, on which alone
        it depends)."""
        return self._moves

    def triage(self, regime: Regime, day: dt.date, final_order: bool = False) -> Triage:
        """The regime's triage of the groups in ``day``'s year (``final_order``: of the same
        people as if they held an order)."""
        key = (id(regime), day.year, final_order)
        found = self._triage.get(key)
        if found is None or found[0] is not regime:  # (an id is only unique while in use)
            found = (regime, triage(regime, self.groups, day, final_order))
            self._triage[key] = found
        return found[1]

    def cells(self, regime: Regime, day: dt.date) -> Cells:
        """Each group's breakdown column in ``day``'s year under the regime."""
        key = (id(regime), day.year)
        found = self._cells.get(key)
        if found is None or found[0] is not regime:
            found = (regime, self._cells_of(regime, day))
            self._cells[key] = found
        return found[1]

    def _cells_of(self, regime: Regime, day: dt.date) -> Cells:
        # written straight into the narrow table a group at a row, as the tally reads it and a
        # plan cuts it (a gather of rows): until 2026-12-05 int64 rows were stacked (6.3 MB a
        # year by area, 70 MB over a ten-year run's 11 years, all of it fresh pages in a run's
        # first plans) and each plan cut, transposed, narrowed and copied them
        codes = self._codes(regime, day)
        n_columns = sum(len(labels) for _, labels in codes.values())
        out = np.empty((self.groups.size, len(codes)), dtype=narrowest(n_columns))
        columns: list[tuple[str, str]] = []
        for row, (attribute, (code, labels)) in enumerate(codes.items()):
            # the code cast to the narrow type, then the offset added in it: every value is
            # below n_columns, so both are exact
            out[:, row] = code
            out[:, row] += len(columns)
            columns += [(attribute, label) for label in labels]
        return Cells(out, columns)

    def _codes(self, regime: Regime, day: dt.date) -> dict[str, tuple[IntArray, list[str]]]:
        g = self.groups
        tri = self.triage(regime, day)
        n_tiers = len(regime.tiers)
        tier_code = np.where(tri.rank < NO_TIER, tri.rank - 1, n_tiers)
        tier_code = np.where(tri.exempt, n_tiers + 1, tier_code)
        years = day.year - g.entry_year
        bands = list(YEARS_IN_US)  # the population's bands of years in the U.S., by lower edge
        edges = [YEARS_IN_US[band] for band in bands[1:]]
        return {
            "criminal_history": (
                g.codes["criminal_history"].astype(np.int64),
                list(LEVELS["criminal_history"]),
            ),
            "country_group": (
                g.codes["country_group"].astype(np.int64),
                list(LEVELS["country_group"]),
            ),
            "years_in_us": (
                np.searchsorted(edges, years, side="right").astype(np.int64),
                bands,
            ),
            "criminality": (_criminality(g), list(CRIMINALITY)),
            "us_citizen_child": (g.flags["us_citizen_child"].astype(np.int64), ["false", "true"]),
            "protected_status": (
                g.codes["protected_status"].astype(np.int64),
                list(LEVELS["protected_status"]),
            ),
            "tier": (tier_code.astype(np.int64), [*regime.tier_ids(), "non_priority", "exempt"]),
            **({"area": (g.area, list(g.area_names))} if g.areas else {}),
        }
