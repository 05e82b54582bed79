"""How long the interior's detained stay: the record (ICE's workbooks, NPR's court records)
derived by scripts, and the engine's stays against it (issue 19)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest
from scenario_docs import scenario_from
from script_modules import load_script

from immsim.dates import DAYS_PER_YEAR
from immsim.engine.run import run
from immsim.parameters import load_baseline

ROOT = Path(__file__).resolve().parents[1]


def _script() -> ModuleType:
    """The script that derives the stays: the tests read the workbooks with its reader."""
    return load_script("derive_detention_stays")


def test_the_stays_record_is_the_scripts_output(shared_data: Path) -> None:
    """detention/record.yaml is scripts/derive_detention_stays.py's output on the workbooks."""
    if not (shared_data / "ice_detention_stats").is_dir():
        pytest.skip(f"SKIPPED: {shared_data / 'ice_detention_stats'} not found")
    script = _script()
    expected = script.render(script.workbook_years(shared_data))
    assert (ROOT / "src/immsim/parameters/tree/detention/record.yaml").read_text() == expected


def test_the_bond_release_rate_is_the_workbooks_releases_before_an_order(
    shared_data: Path,
) -> None:
    """FY2021 by hand from the workbook's cells: people with pending charges bonded out
    (2,120), released on recognizance (2,863) or paroled (581), over their average daily
    population (1,580.2) and the share of ICE's detained awaiting court on the snapshot
    (1 - 0.2653); the tree's value is the four years' mean, its interval their range."""
    if not (shared_data / "ice_detention_stats").is_dir():
        pytest.skip(f"SKIPPED: {shared_data / 'ice_detention_stats'} not found")
    script = _script()
    years = script.workbook_years(shared_data)
    by_hand = (2_120 + 2_863 + 581) / 1_580.2052 / (1 - 0.2653)
    assert years[2021]["bond_release_rate"] == pytest.approx(by_hand, rel=1e-3)
    assert years[2021]["length_of_stay"] == pytest.approx(71.43, abs=0.01)
    # the family residential centres' share of everyone held, FY2019-FY2023, as the tree has
    # it (FY2019 by hand: 1,315.3 of 50,165.4 on an average day)
    assert years[2019]["family_share"] == pytest.approx(1_315.29863 / 50_165.43836)
    for year, row in years.items():
        day = dt.date(year - 1, 10, 1)
        entry = load_baseline().entry("detention.family_share", day)
        assert entry.derived_by == "scripts/derive_detention_stays.py"
        assert entry.value == pytest.approx(round(row["family_share"], 4)), year
    derived = script.bond_release_rate(years)
    assert derived["years"] == 4  # FY2020-FY2023: FY2019 does not split pending charges out
    tree = load_baseline()
    leaf = tree.leaf("detention.release.bond_release_rate").values[0]
    assert leaf.value == pytest.approx(derived["value"])
    assert leaf.interval_90 is not None
    assert tuple(leaf.interval_90) == pytest.approx((derived["low"], derived["high"]))
    # from FY2018 the releases on recognizance and parole are DHS's count
    # (detention.ice_releases.recognizance): the rate counts bond-outs alone, FY2021 by hand
    # 2,120 / 1,580.2 / (1 - 0.2653) = 1.826 a year
    assert years[2021]["bond_only_release_rate"] == pytest.approx(
        2_120 / 1_580.2052 / (1 - 0.2653), rel=1e-3
    )
    # ... and from October 2017 to August 2024 the bond-outs are DHS's count too
    # (detention.ice_releases.bond), so the rate is 0 there and counts bond-outs alone after
    bond_only = script.bond_release_rate(years, "bond_only_release_rate")
    later = tree.entry("detention.release.bond_release_rate", dt.date(2024, 9, 1))
    assert later.value == pytest.approx(bond_only["value"]) == pytest.approx(1.82)
    assert later.interval_90 is not None
    assert tuple(later.interval_90) == pytest.approx((bond_only["low"], bond_only["high"]))
    assert tree.get("detention.release.bond_release_rate", dt.date(2017, 9, 30)) == 4.34
    assert tree.get("detention.release.bond_release_rate", dt.date(2017, 10, 1)) == 0.0
    assert tree.get("detention.release.bond_release_rate", dt.date(2024, 8, 31)) == 0.0


def test_the_interior_stays_are_the_records_within_a_quarter() -> None:
    """FY2019-FY2023 run under the regimes in force: the interior's detained on an average day
    over its book-ins (Little's law: the average stay) against ICE's average stay of people
    it arrested (detention.record.interior_length_of_stay, 52.2 days over the five years).
    With a detained case's wait at the former placeholder (4 weeks) and the bond rate fitted
    with it, the engine's stays were about 27 days, half the record's."""
    doc = {
        "name": "stays",
        "regime": "historical",
        "start": "2018-10-01",
        "horizon_years": 5,
        "seed": 19,
        "population": "national",
    }
    weekly = run(scenario_from(doc, "t.yaml")).weekly
    held = (weekly["detained_court"] + weekly["detained_removal"]).mean()
    book_ins_a_year = weekly["admissions"].sum() / 5
    stay = held * DAYS_PER_YEAR / book_ins_a_year
    tree = load_baseline()
    record = [
        float(tree.get("detention.record.interior_length_of_stay", dt.date(year - 1, 10, 1)))
        for year in range(2019, 2024)
    ]
    assert sum(record) / len(record) == pytest.approx(52.2, abs=0.1)
    assert stay == pytest.approx(sum(record) / len(record), rel=0.25)


def test_the_first_years_decomposition_is_littles_law_by_hand() -> None:
    """scripts/decompose_first_year.py on two weeks of a made-up run: 70 awaiting court on an
    average day, left by 10 decisions, 2 bond releases and 2 releases on recognizance over 14
    days (1 a day): 70 days; 21 awaiting removal, left by 6 removals and 1 Zadvydas release
    (0.5 a day): 42 days; both stages' 91 over 28 book-ins (2 a day): 45.5 days; 6 removals of
    28 book-ins. The beds: 150 funded less the border's 30 leave the interior 120, bound in one
    week of two; 28 book-ins of 40 arrests (8 refused a bed, 4 voluntary returns)."""
    script = load_script("decompose_first_year")
    columns = {name: [0.0, 0.0] for name in script.FLOWS}
    columns.update(
        fiscal_year=[2027, 2027],
        arrests=[20.0, 20.0],
        voluntary_returns=[2.0, 2.0],
        refused_bed=[4.0, 4.0],
        beds=[150.0, 150.0],
        binding_beds=[1.0, 0.0],
        admissions=[14.0, 14.0],
        completions_detained=[5.0, 5.0],
        bond_releases=[1.0, 1.0],
        recognizance_releases=[1.0, 1.0],
        removals_interior=[3.0, 3.0],
        zadvydas_releases=[0.5, 0.5],
        detained_court=[60.0, 80.0],
        detained_removal=[21.0, 21.0],
        detained_border=[30.0, 30.0],
        detained=[111.0, 131.0],
    )
    weeks = pl.DataFrame(columns)
    out = script.decompose(
        script.year_of(
            pl.concat(
                [weeks, weeks.with_columns(pl.lit(2028, dtype=pl.Int64).alias("fiscal_year"))]
            )
        )
    )
    assert out["days"] == 14
    assert out["court_days"] == pytest.approx(70)
    assert out["removal_days"] == pytest.approx(42)
    assert out["interior_stay_days"] == pytest.approx(45.5)
    assert out["removals_per_admission"] == pytest.approx(6 / 28)
    assert out["interior_beds"] == pytest.approx(120)
    assert out["weeks_beds_bound"] == 1
    assert out["refused_bed"] == 8
    assert out["admissions_per_arrest"] == pytest.approx(28 / 40)


def test_the_first_years_routes_are_shares_of_book_ins_by_hand() -> None:
    """scripts/decompose_first_year.py's routes over two made-up weeks: 20 arrests a week, of
    them 1 reinstated, 2 in expedited removal, 1 administrative order, 2 voluntary returns and 10
    notices to appear, and 1 arrested with a case pending whose case is dismissed into expedited
    removal: 40 - 32 = 8 arrested with an order or a case (the dismissed one among them), 1 in
    3.5 of the 28 book-ins. The court docket is left by 14 (10 decisions, 4 bond releases) and
    grows from 60 to 64 awaiting court: 18 enter it, 18 of 28 book-ins, where its exits alone
    give 14 of 28."""
    script = load_script("decompose_first_year")
    columns = {name: [0.0, 0.0] for name in script.FLOWS}
    columns.update(
        fiscal_year=[2027, 2027],
        arrests=[20.0, 20.0],
        reinstatements=[1.0, 1.0],
        expedited_removals=[2.0, 2.0],
        administrative_orders=[1.0, 1.0],
        dismissed_to_expedited=[1.0, 1.0],
        voluntary_returns=[2.0, 2.0],
        notices_to_appear=[10.0, 10.0],
        admissions=[14.0, 14.0],
        completions_detained=[5.0, 5.0],
        bond_releases=[2.0, 2.0],
        beds=[150.0, 150.0],
        binding_beds=[0.0, 0.0],
        detained_court=[60.0, 64.0],
        detained_removal=[21.0, 21.0],
        detained_border=[0.0, 0.0],
        detained=[81.0, 85.0],
    )
    out = script.decompose(pl.DataFrame(columns))
    assert out["arrested_with_order_or_case"] == 8
    assert out["arrested_with_order_or_case_per_admission"] == pytest.approx(8 / 28)
    assert out["notices_to_appear_per_admission"] == pytest.approx(20 / 28)
    assert out["expedited_removals_per_admission"] == pytest.approx(4 / 28)
    assert out["court_entries"] == 18
    assert out["court_entry_share_of_admissions"] == pytest.approx(18 / 28)
    assert out["court_share_of_admissions"] == pytest.approx(14 / 28)
