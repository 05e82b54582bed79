"""What a week of the engine counts, declared once.

The compiled week returns one vector of counts indexed by :class:`Count`; everything that names
those counts (the weekly table's flow columns, the binding capacity, the run's state) derives
from this declaration, so a count added here reaches every output and cannot be forgotten by
one of them. Members are plain integers inside compiled code (numba reads an ``IntEnum`` member
as a constant).
"""

from __future__ import annotations

from enum import IntEnum, auto


class Count(IntEnum):
    """One count of the week; its weekly-table column is the member's name in lower case."""

    @staticmethod
    def _generate_next_value_(name: str, start: int, count: int, last_values: list[int]) -> int:
        return count  # numbered from 0 in the order written: the index in the count vector

    EMIGRATED = auto()
    STATUS_GRANTED = auto()
    CBP_HOME_DEPARTURES = auto()  # paid self-departures through the CBP Home app (not removals)
    ARRIVALS = auto()
    ARRIVALS_WITH_CASE = auto()
    MPP_CASES = auto()  # cases opened for people returned to Mexico to await a hearing
    CHARGES = auto()
    CONVICTIONS = auto()
    DISMISSALS = auto()
    JAIL_BOOKINGS = auto()
    JAIL_MATCHES = auto()
    DETAINERS = auto()
    NOTIFICATIONS = auto()
    ARRESTS_JAIL = auto()
    ARRESTS_287G = auto()
    ARRESTS_287G_TASK_FORCE = auto()
    ARRESTS_PRISON = auto()
    ARRESTS_CHECKPOINT = auto()
    ARRESTS_DATABASE = auto()
    ARRESTS_WORKSITE = auto()
    ARRESTS_CHECK_IN = auto()
    ARRESTS_AT_LARGE = auto()
    ARRESTS_COLLATERAL = auto()
    ARRESTS = auto()
    REINSTATEMENTS = auto()
    EXPEDITED_REMOVALS = auto()
    ADMINISTRATIVE_ORDERS = auto()
    VOLUNTARY_RETURNS = auto()
    NOTICES_TO_APPEAR = auto()
    DISMISSED_TO_EXPEDITED = auto()
    ADMISSIONS = auto()
    REFUSED_BED = auto()
    BOND_RELEASES = auto()
    RECOGNIZANCE_RELEASES = auto()
    CAPACITY_RELEASES = auto()
    ZADVYDAS_RELEASES = auto()
    COMPLETIONS_DETAINED = auto()
    COMPLETIONS_RELEASED = auto()
    RELIEF_GRANTED = auto()
    ORDERS_IN_ABSENTIA = auto()
    ORDERS = auto()
    VOLUNTARY_DEPARTURES = auto()
    REVIEW_CASES = auto()
    REVIEW_CLOSURES = auto()
    REMOVALS_LAND = auto()
    REMOVALS_AIR = auto()
    REMOVALS_THIRD_COUNTRY = auto()  # to a country not the person's own (flown)
    # capacity used
    OFFICER_HOURS_USED = auto()
    JUDGE_HOURS_USED = auto()
    # whether a capacity bound this week (1 or 0)
    BINDING_BEDS = auto()
    BINDING_OFFICERS = auto()
    BINDING_JUDGES = auto()
    BINDING_SEATS = auto()
    BINDING_TRAVEL_DOCUMENTS = auto()
    # the run's state carried to the next week: the docket review's scope, once fixed, and the
    # court's pending cases of people who left the country (:mod:`.stages.background`)
    REVIEW_SCOPE = auto()
    COURT_ABROAD = auto()

    @property
    def column(self) -> str:
        return self.name.lower()


N_COUNTS = len(Count)
"""The length of the week's count vector (a plain integer, which compiled code can allocate)."""

CAPACITY_USE = (Count.OFFICER_HOURS_USED, Count.JUDGE_HOURS_USED)
BINDING = {
    "beds": Count.BINDING_BEDS,
    "officers": Count.BINDING_OFFICERS,
    "judges": Count.BINDING_JUDGES,
    "seats": Count.BINDING_SEATS,
    "travel_documents": Count.BINDING_TRAVEL_DOCUMENTS,
}
"""Each capacity that can bind, by the name the weekly table's ``binding`` column gives it, in
the order that decides which one is reported when several bind in the same week."""
STATE = (Count.REVIEW_SCOPE, Count.COURT_ABROAD)
FLOWS = tuple(c for c in Count if c not in {*CAPACITY_USE, *BINDING.values(), *STATE})
"""The counts that are people moving in the week (the weekly table's flow columns)."""
