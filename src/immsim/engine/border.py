"""The border as the interior model sees it: people Border Patrol apprehends and ICE removes,
and the border's detention. They share the flights and beds the interior uses.

The border's detained are ICE's workbooks' CBP-arrested population where the workbooks split
the detained by arresting agency (FY2019-FY2023, ``border.record.cbp_detained``); before and
after, its removals times the days in detention per border removal
(``border.record.bed_days_per_removal``: a CBP arrestee's average stay before; the workbooks'
last months' ratio after).

Border removals follow the record, not ICE's totals (which the back-test scores): Border
Patrol's Title 8 apprehensions a year (``border.record.usbp_title8_apprehensions``, monthly from
October 2019, derived from CBP's releases by ``scripts/make_border_tree.py``), times the share
who are single adults (``border.single_adult_share``: families were mostly released with a
notice to appear and children handed to HHS), times the share of them from countries that take
removals back (``border.removable_share``: Mexico and northern Central America, 96% of the
apprehensions in FY2014, 42% of the Title 8 single adults after Title 42 ended), times the
share of those ICE removes (``border.record.removal_share``, fitted on FY2013-FY2014 only),
times the lag to removal (``border.record.removal_lag_factor``, derived by the script): a
removal follows its apprehension by the stay in ICE detention, so a month's removals are the
removable single adults of earlier days, a stock awaiting removal that empties at one over the CBP
arrestees' average length of stay in ICE's workbooks (FY2019-FY2023 by month). FY2019's surge
and the months before Title 42 were removed into FY2020; the summer of 2023 into FY2024.
Title 42 (21 March 2020 to 11 May 2023) enters through the record itself: expelled people are
not Title 8 apprehensions and never reach ICE. Title 42 expelled Mexicans and northern Central
Americans to Mexico first, so the single adults it left under Title 8 were a quarter to a half
of the base and mostly from countries that take few removals back (CBP's encounter file by
demographic, citizenship and title: ``border.single_adult_share`` and
``border.removable_share`` FY2020-FY2023).

Performance: the monthly values (October 2019 on) are parameter spans like any other, so a run
over FY2020-FY2023 builds about 48 more week plans than with yearly values: measured 0.43 s
against 0.33 s for a four-year run from October 2019 (a shared, noisy machine). Kept monthly,
since Title 42's start and end fall within months and the back-test scores those years; the
default run (from 2026, after the last monthly value) is unaffected (bench_versus 1.01).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from immsim.dates import DAYS_PER_YEAR, WEEKS_PER_YEAR


class BorderPlan(NamedTuple):
    removals: float  # a week
    air: float  # of which by air, a week (seats the interior cannot use)
    detained: float  # beds the border holds


def removals_per_year(p: Mapping[str, Any]) -> float:
    """ICE removals of people Border Patrol apprehended, a year at the rates in force: the
    removals the month's apprehensions give (:func:`apprehended_removals_per_year`) times the
    lag to removal (``border.record.removal_lag_factor``: the removable single adults of earlier
    days reaching removal, carried by the CBP arrestees' average stay in ICE detention, over
    the month's; 1 where the base has held for a few stays)."""
    return apprehended_removals_per_year(p) * float(p["border.record.removal_lag_factor"])


def apprehended_removals_per_year(p: Mapping[str, Any]) -> float:
    """The removals the apprehensions in force give, a year, before the lag to removal: those
    ICE can remove quickly (:func:`removable_per_year`) times the share it removes."""
    return removable_per_year(p) * float(p["border.record.removal_share"])


def removable_per_year(p: Mapping[str, Any]) -> float:
    """Single adults Border Patrol apprehends under Title 8 from countries that take removals
    back, a year: the base of the border's removals. After Title 42 nearly half of them came
    from countries that take few back (``border.removable_share``), which ICE released or held
    rather than removed, so a Title 8 apprehension then yields fewer removals than in FY2019."""
    return (
        float(p["border.record.usbp_title8_apprehensions"])
        * float(p["border.single_adult_share"])
        * float(p["border.removable_share"])
    )


def released_per_year(p: Mapping[str, Any]) -> float:
    """People Border Patrol apprehended under Title 8 and released into the interior, a year:
    members of families (mostly released with a notice to appear), unaccompanied children
    (placed in proceedings and released by HHS to sponsors) and, under Title 42, the single
    adults released by Border Patrol or by ICE after a transfer
    (``border.single_adult_release_share``, 0 before October 2020: the single adults were
    detained and removed), times the share Border Patrol releases (``border.release_share``:
    none from May 2025, as CBP reported). Under Title 42 this makes the border's releases DHS's
    monthly tables' (Border Patrol's releases, its transfers to HHS and ICE's releases of its
    transfers), at the tree's single-adult share. Less the family members Border Patrol returned
    to Mexico under the Migrant Protection Protocols (``border.mpp_family_returns``, 2019-2021):
    they waited for their hearings outside the country, their cases among
    :func:`mpp_cases_per_year`."""
    single = float(p["border.single_adult_share"])
    families_and_released = (
        float(p["border.record.usbp_title8_apprehensions"])
        * ((1.0 - single) + single * float(p["border.single_adult_release_share"]))
        * float(p["border.release_share"])
    )
    return max(0.0, families_and_released - float(p["border.mpp_family_returns"]))


def mpp_cases_per_year(p: Mapping[str, Any]) -> float:
    """Removal cases opened for people CBP returned to Mexico under the Migrant Protection
    Protocols to await their hearings (``border.mpp_returns``, March 2019 to January 2021 and
    December 2021 to August 2022, DHS's monthly tables), a year: on EOIR's docket, their
    respondents abroad. The background stage adds them to the court's cases of people abroad
    (:mod:`immsim.engine.stages.background`)."""
    return float(p["border.mpp_returns"])


def released_with_case_per_year(p: Mapping[str, Any]) -> float:
    """The border's releases (:func:`released_per_year`) whose charging document reaches the
    court: all of them, except from 2021, when a share left with a Notice to Report or on
    Parole+ATD instead (``border.release_uncharged_share``, late March 2021 to March 2023) and a
    share of the notices to appear were never filed, so judges dismissed the cases
    (``border.release_unfiled_share``, from January 2021).

    The background stage's arrivals with a court case are this series, a week at a time
    (:mod:`immsim.engine.stages.background`): the court docket's inflow from the border comes
    from CBP's record, not from a share of the tree's arrivals."""
    return (
        released_per_year(p)
        * (1.0 - float(p["border.release_uncharged_share"]))
        * (1.0 - float(p["border.release_unfiled_share"]))
    )


def released_uncharged_per_year(p: Mapping[str, Any]) -> float:
    """The border's releases whose case never reaches the court: released with no charging
    document (588,000 still without one in January 2023, NBC News from DHS's records) or with a
    notice never filed (about 200,000 dismissed for it from January 2021 to February 2024,
    TRAC). They join the population at large with no court case, so the court backlog does not
    count them, as EOIR's did not (the unfiled until their first hearing, which the engine does
    not wait for)."""
    return released_per_year(p) - released_with_case_per_year(p)


def detained(p: Mapping[str, Any]) -> float:
    """People CBP arrested held in ICE detention on an average day. They hold beds of their own,
    which the interior cannot fill (:mod:`immsim.engine.stages.detention`).

    Where ICE's workbooks split the detained by arresting agency (``border.record.cbp_detained``,
    October 2018 to September 2023) they are the record's month itself, not removals times a
    ratio derived with the tree's shares: a draw of the single-adult or removable share then
    moves the border's removals and leaves the beds the record says it held, where through the
    ratio a high draw held more people than there were beds and left the interior none for a
    year. Outside those months (the leaf is 0 there) they are the removals the month's
    apprehensions give a year (:func:`apprehended_removals_per_year`: the beds fill when people
    are booked in, not a stay later when they are removed) times the days in detention per
    border removal (``border.record.bed_days_per_removal``) over 365: before, a CBP arrestee's
    average stay (FY2019's, the first published); after, the mean ratio of the months after
    Title 42's."""
    recorded = float(p["border.record.cbp_detained"])
    if recorded > 0:
        return recorded
    return (
        apprehended_removals_per_year(p)
        * float(p["border.record.bed_days_per_removal"])
        / DAYS_PER_YEAR
    )


def plan(p: Mapping[str, Any]) -> BorderPlan:
    removals = removals_per_year(p) / WEEKS_PER_YEAR
    return BorderPlan(
        removals=removals,
        air=removals * float(p["border.record.air_share"]),
        detained=detained(p),
    )
