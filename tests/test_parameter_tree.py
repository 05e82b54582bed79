"""The shipped parameter tree: every leaf complete and cited, dated look-ups exact at boundaries."""

from __future__ import annotations

import csv
import datetime as dt
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from immsim.errors import InputError, LookupOutOfRangeError
from immsim.parameters import load_baseline
from immsim.parameters.loader import DatedValue, Leaf, ParameterTree
from immsim.parameters.schema import units
from immsim.yamlio import load_yaml_text

TREE = load_baseline()


@pytest.mark.parametrize("leaf", TREE.leaves(), ids=lambda leaf: leaf.key)
def test_every_leaf_has_unit_reference_and_distinct_dates(leaf: Leaf) -> None:
    assert leaf.unit in units(), f"{leaf.key}: unit {leaf.unit!r} not in the registry"
    assert leaf.description.strip()
    starts = [v.start for v in leaf.values]
    assert len(starts) == len(set(starts)), f"{leaf.key}: two values share a date"
    assert starts == sorted(starts)
    for value in leaf.values:
        if value.estimated:
            assert value.method, f"{leaf.key} {value.start}: estimate without a method"
        else:
            assert value.references, f"{leaf.key} {value.start}: no reference"
            assert all(r.title.strip() for r in value.references)


def test_tree_files_on_disk_all_load() -> None:
    folder = resources.files("immsim.parameters").joinpath("tree")
    files = [e.name for e in folder.iterdir() if e.name.endswith(".yaml")]
    prefixes = {key.split(".")[0] for key in TREE}
    assert {f[:-5] for f in files} == prefixes


def test_two_values_on_one_date_are_an_error() -> None:
    text = "x:\n  values:\n    2012-10-01: 1\n    2012-10-01: 2\n"
    with pytest.raises(InputError) as info:
        load_yaml_text(text, "t.yaml")
    assert info.value.line == 4
    assert "duplicate key" in info.value.message


def test_lookup_boundaries_on_funded_beds() -> None:
    beds = TREE.leaf("detention.funded_beds")
    first, second = beds.values[0], beds.values[1]
    assert TREE.get("detention.funded_beds", first.start) == first.value
    assert TREE.get("detention.funded_beds", second.start - dt.timedelta(days=1)) == first.value
    assert TREE.get("detention.funded_beds", second.start) == second.value
    assert TREE.get("detention.funded_beds", "2100-01-01") == beds.values[-1].value
    with pytest.raises(LookupOutOfRangeError) as info:
        TREE.get("detention.funded_beds", first.start - dt.timedelta(days=1))
    assert first.start.isoformat() in str(info.value)


def test_fy2017_beds_differ_from_fy2016_at_the_fiscal_year_boundary() -> None:
    assert TREE.get("detention.funded_beds", "2016-09-30") == 34000
    assert TREE.get("detention.funded_beds", "2016-10-01") == 39324


def test_unknown_key_suggests_close_matches() -> None:
    with pytest.raises(InputError) as info:
        TREE.get("detention.funded_bed", "2016-01-01")
    assert "detention.funded_beds" in (info.value.allowed or "")


@pytest.mark.parametrize("bad", ["2016-13-01", "yesterday", "2016/01/01", ""])
def test_bad_lookup_dates_are_input_errors(bad: str) -> None:
    with pytest.raises(InputError, match="bad date"):
        TREE.get("detention.funded_beds", bad)


def test_snapshot_agrees_with_get_and_is_cached() -> None:
    day = dt.date(2018, 1, 1)
    snap = TREE.snapshot(day)
    for key, value in snap.items():
        assert TREE.get(key, day) == value
    assert TREE.snapshot(day) == snap
    snap["detention.funded_beds"] = -1  # a caller's copy must not poison the cache
    assert TREE.snapshot(day)["detention.funded_beds"] != -1


dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))


@given(
    st.lists(
        st.tuples(dates, st.integers(0, 10**7)), min_size=1, max_size=12, unique_by=lambda t: t[0]
    ),
    dates,
)
def test_lookup_matches_brute_force(series: list[tuple[dt.date, int]], day: dt.date) -> None:
    series.sort()
    leaf = Leaf(
        key="t.x",
        description="test",
        unit="persons",
        values=tuple(DatedValue(start=d, value=v, references=()) for d, v in series),
        file="t.yaml",
    )
    tree = ParameterTree({"t.x": leaf})
    in_force = [v for d, v in series if d <= day]
    if not in_force:
        with pytest.raises(LookupOutOfRangeError):
            tree.get("t.x", day)
    else:
        assert tree.get("t.x", day) == in_force[-1]


# --- the tree against the project's table of published figures -------------------------------

CROSS_CHECK = {
    # parameter key: (published_figures metric, how its `period` maps to our dates)
    "detention.funded_beds": "ice_funded_beds",
    "courts.immigration_judges": "immigration_judges",
}


def _fy_start(period: str) -> dt.date | None:
    if period.startswith("FY") and period[2:6].isdigit() and len(period) == 6:
        return dt.date(int(period[2:6]) - 1, 10, 1)
    return None


def test_funded_beds_match_published_figures(shared_data) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader((shared_data / "published_figures.csv").open(encoding="utf-8")))
    beds = TREE.leaf("detention.funded_beds")
    published = {
        _fy_start(r["period"]): float(r["value"]) for r in rows if r["metric"] == "ice_funded_beds"
    }
    checked = 0
    for value in beds.values:
        if value.start in published:
            assert value.value == published[value.start], value.start
            checked += 1
    assert checked >= 4


def test_unit_costs_match_published_figures(shared_data) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader((shared_data / "published_figures.csv").open(encoding="utf-8")))
    figures = {(r["metric"], r["period"]): r["value"] for r in rows}
    assert TREE.get("removal.flight_cost_per_hour", "2016-06-01") == float(
        figures[("removal_flight_cost_per_hour", "FY2016")]
    )
    assert TREE.get("removal.cost_per_removal", "2016-06-01") == float(
        figures[("cost_per_removal", "FY2016")]
    )
    assert TREE.get("detention.cost_per_bed_day", "2017-06-01") == float(
        figures[("detention_cost_per_bed_day_adult", "FY2017")]
    )
    assert TREE.get("population.unauthorized_total_dhs", "2018-06-01") == float(
        figures[("unauthorized_population_dhs", "2018-01")]
    )


# --- from 2019 to today (issue 19): capacities and unit costs carry values after FY2019 ----------

LATEST_YEAR = {
    # key: the calendar year its latest dated value must reach
    "detention.funded_beds": 2026,
    "detention.cost_per_bed_day": 2024,
    "detention.alternatives_enrolled": 2023,
    "detention.alternatives_technology_cost_per_day": 2022,
    "courts.immigration_judges": 2026,
    "courts.process.pending_cases": 2023,
    "courts.process.attorneys": 2023,
    "enforcement.ero_deportation_officers": 2026,
    "enforcement.agreements_287g": 2026,
    "enforcement.agreements_287g_jail": 2026,
    "enforcement.agreements_287g_task_force": 2026,
    "enforcement.agreements_287g_warrant_service": 2026,
    "enforcement.agencies_287g": 2020,
    "enforcement.partners.task_force.officers": 2026,
    "removal.flight_cost_per_hour": 2024,
    "removal.air_cost_per_person": 2024,
    "removal.cost_per_removal": 2025,
    "removal.logistics.air_seats_per_year": 2025,
}


@pytest.mark.parametrize("key", sorted(LATEST_YEAR))
def test_capacities_and_unit_costs_reach_recent_years(key: str) -> None:
    assert TREE.leaf(key).values[-1].start.year >= LATEST_YEAR[key]


def test_287g_agreement_counts_say_what_the_engine_reads_instead() -> None:
    # 287(g) by model reads the jail models' share of bookings and the task-force officers;
    # the counts of agreements are context, and each says which leaf stands for it
    for model in ("jail", "task_force", "warrant_service"):
        leaf = TREE.leaf(f"enforcement.agreements_287g_{model}")
        assert leaf.documentation_only
        assert "jail_287g_share" in leaf.documentation_only or (
            "enforcement.partners" in leaf.documentation_only
        )


def test_funded_beds_are_never_read_from_the_detained_population() -> None:
    """Beds are an input; the detained population (ADP) is an outcome the back-test scores."""
    for value in TREE.leaf("detention.funded_beds").values:
        text = f"{value.method or ''}".lower()
        assert "detained population" not in text and "adp" not in text.split(), value.start


# --- ERO's deportation officers by fiscal year (issues 19/20, branch officers13) ----------------

HOURS = ("custodial", "at_large", "collateral", "lead")


def officers(day: str) -> float:
    return float(TREE.get("enforcement.ero_deportation_officers", day))


def test_officers_after_fy2016_against_the_fitted_years_as_ice_counted_them() -> None:
    """ICE's own round counts, by hand: about 5,800 deportation officers before January 2017
    (PolitiFact from ICE), carried back over the fitted years; "just over 6,000" from March 2019
    (ERO's acting head) and about 6,000 through 2024 (ICE's FY2022 report, AP). FY2018 has what
    FY2013 had; FY2019-FY2024 have 6,000 / 5,800 = 1.034 times as many; 2025 ICE's 6,100."""
    fy2013 = officers("2013-03-01")
    assert fy2013 == 5_800
    assert all(officers(f"{year}-03-01") == fy2013 for year in range(2012, 2017))
    assert officers("2018-03-01") / fy2013 == 1.0
    for year in (2019, 2020, 2021, 2022, 2023, 2024):
        assert officers(f"{year}-09-01") / fy2013 == pytest.approx(6_000 / 5_800)
    assert officers("2025-03-01") == 6_100


def test_rescaled_hours_keep_the_fitted_years_arrest_capacity() -> None:
    """The four hours per arrest were fitted reading 6,100 officers in FY2012-FY2016 (their
    methods' values: custodial 5.933, at large 31.35, collateral 0.5382, lead 24.67); with ICE's
    5,800 each is the fitted value times 5,800 / 6,100, so officers / hours per arrest, the
    arrests the fitted years' hours buy in each channel, stays what the fit found (within the
    rounding of the tree's four digits)."""
    fitted = {"custodial": 5.933, "at_large": 31.35, "collateral": 0.5382, "lead": 24.67}
    for name in HOURS:
        hours = float(TREE.get(f"enforcement.effort.hours_per_arrest.{name}", "2013-03-01"))
        assert officers("2013-03-01") / hours == pytest.approx(6_100 / fitted[name], rel=5e-4)
        assert str(fitted[name]) in (
            TREE.entry(f"enforcement.effort.hours_per_arrest.{name}", "2013-03-01").method or ""
        )
