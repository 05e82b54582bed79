"""The population builder: margins from the tree, structure from the associations, whole people,
files that round-trip, and clear errors on bad strata files or inconsistent parameters."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strata_examples import user_rows

from immsim.cli import main
from immsim.errors import InputError
from immsim.parameters import load_baseline, load_parameters, load_reform
from immsim.population.build import STRATA_COLUMNS, build_population, systematic_round
from immsim.population.describe import MARGIN_SLACK, MARGIN_TOLERANCE, describe
from immsim.population.strata_io import load_population, save_population

TREE = load_baseline()
DATES = [dt.date(2011, 6, 1), dt.date(2017, 1, 1), dt.date(2026, 10, 1)]


@pytest.fixture(scope="module")
def built() -> dict[dt.date, object]:
    return {d: build_population(TREE, d, seed=7) for d in DATES}


def _margin(frame: pl.DataFrame, column: str, level: object) -> int:
    return int(frame.filter(pl.col(column) == level)["count"].sum())


def _close(value: float, target: float) -> bool:
    return abs(value - target) <= max(MARGIN_TOLERANCE * target, MARGIN_SLACK)


@pytest.mark.parametrize("day", DATES)
def test_margins_match_the_tree(built, day: dt.date) -> None:  # type: ignore[no-untyped-def]
    pop = built[day]
    frame = pop.strata
    estimator = TREE.get("population.total_estimator", day)
    total = TREE.get(f"population.unauthorized_total_{estimator}", day)
    assert pop.total == total
    # shares: read straight from the tree, not from the builder's targets
    comp = "population.composition"
    assert _close(
        _margin(frame, "country_group", "mexico_land"),
        total * TREE.get(f"{comp}.country_group.mexico_land", day),
    )
    assert _close(
        _margin(frame, "years_in_us", "y15_plus"),
        total * TREE.get(f"{comp}.years_in_us.y15_plus", day),
    )
    assert _close(
        _margin(frame, "us_citizen_child", True), total * TREE.get(f"{comp}.us_citizen_child", day)
    )
    # counts
    for level in ("felony", "aggravated_felony", "significant_misdemeanor"):
        assert _close(
            _margin(frame, "criminal_history", level),
            TREE.get(f"{comp}.criminal_history.{level}", day),
        )
    assert _close(
        _margin(frame, "protected_status", "tps"), TREE.get(f"{comp}.protected_status.tps", day)
    )
    # geography: shares of the per-area estimates
    areas = TREE.keys("population.by_aor")
    weights = {k.rsplit(".", 1)[1]: TREE.get(k, day) for k in areas}
    for aor in ("los", "sea", "buf"):
        assert abs(_margin(frame, "aor", aor) - total * weights[aor] / sum(weights.values())) < 1.5
    assert all(row.within_tolerance is not False for row in describe(pop))


def test_counts_are_whole_positive_and_distinct(built) -> None:  # type: ignore[no-untyped-def]
    frame = built[DATES[1]].strata
    assert frame.columns == list(STRATA_COLUMNS)
    assert frame["count"].dtype == pl.Int64
    assert frame["count"].min() >= 1
    keys = [c for c in frame.columns if c not in ("count", "entry_year")]
    assert not frame.select(keys).is_duplicated().any()
    # entry year is the reference year less the band's lower edge
    edges = {"y0_1": 0, "y2_4": 2, "y5_9": 5, "y10_14": 10, "y15_plus": 15}
    for band, edge in edges.items():
        years = frame.filter(pl.col("years_in_us") == band)["entry_year"].unique().to_list()
        assert years == [2017 - edge]


def test_structure_follows_the_associations(built) -> None:  # type: ignore[no-untyped-def]
    frame = built[DATES[1]].strata
    minors = frame.filter(pl.col("age_band") == "under_18")
    assert _margin(minors, "criminal_history", "none") == int(minors["count"].sum())
    assert int(minors.filter(pl.col("us_citizen_child"))["count"].sum()) == 0
    mexico = frame.filter(pl.col("country_group") == "mexico_land")
    assert _margin(mexico, "protected_status", "tps") == 0
    daca = frame.filter(pl.col("protected_status") == "deferred_action")
    assert daca.filter(pl.col("age_band").is_in(["age_45_64", "age_65_plus"])).height == 0
    # DACA is concentrated among Mexicans beyond their population share
    assert _margin(daca, "country_group", "mexico_land") / daca["count"].sum() > 0.7
    # a final order or a protected status means the agency knows the person
    recorded = frame.filter(
        (pl.col("immigration_history") != "none") | (pl.col("protected_status") != "none")
    )
    assert recorded["known_to_agency"].all()
    others = frame.filter(
        (pl.col("immigration_history") == "none") & (pl.col("protected_status") == "none")
    )
    share = others.filter(pl.col("known_to_agency"))["count"].sum() / others["count"].sum()
    assert share == pytest.approx(
        TREE.get("population.composition.known_share_of_others", DATES[1]), abs=0.002
    )


def test_seeded_builds_are_identical_and_seeds_differ() -> None:
    a = build_population(TREE, DATES[0], seed=3).strata
    b = build_population(TREE, DATES[0], seed=3).strata
    c = build_population(TREE, DATES[0], seed=4).strata
    assert a.equals(b)
    assert not a.equals(c)
    assert a["count"].sum() == c["count"].sum()


def test_reform_moves_the_margin(write) -> None:  # type: ignore[no-untyped-def]
    path = write(
        "r.yaml",
        "name: more-felons\noverrides:\n  population.composition.criminal_history.felony:\n"
        "    unit: persons\n    values:\n      2011-01-01: 400000\n",
    )
    pop = build_population(load_parameters(load_reform(path)), DATES[1])
    assert _close(_margin(pop.strata, "criminal_history", "felony"), 400000)


@pytest.mark.parametrize(
    ("key", "unit", "value", "fragment"),
    [
        ("population.composition.country_group.other", "share", 0.5, "sum to"),
        ("population.composition.criminal_history.felony", "persons", 2e7, "more than the total"),
    ],
)
def test_inconsistent_parameters_are_named(write, key, unit, value, fragment) -> None:  # type: ignore[no-untyped-def]
    path = write(
        "r.yaml",
        f"name: bad\noverrides:\n  {key}:\n    unit: {unit}\n    values:\n      2011-01-01: {value}\n",
    )
    with pytest.raises(InputError) as err:
        build_population(load_parameters(load_reform(path)), DATES[1])
    assert fragment in str(err.value)
    assert key.rsplit(".", 1)[0] in str(err.value)


def test_a_date_before_the_sources_is_an_error() -> None:
    with pytest.raises(InputError):
        build_population(TREE, dt.date(2001, 1, 1))


# --- whole people ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.floats(0, 50, allow_nan=False, allow_subnormal=False), min_size=6, max_size=60
    ).filter(lambda xs: len(xs) % 3 == 0),
    st.integers(0, 2**32 - 1),
)
def test_systematic_rounding_is_exact_and_close(values: list[float], seed: int) -> None:
    table = np.array(values).reshape(3, -1)
    counts = systematic_round(table, seed)
    assert np.floor(table.sum()) <= counts.sum() <= np.ceil(table.sum())
    if table.sum() > 0:  # a table summing to whole people gets exactly that many
        whole = table * (np.ceil(table.sum()) / table.sum())
        assert systematic_round(whole, seed).sum() == round(whole.sum())
    assert np.all(np.abs(counts - table) < 1)
    assert np.all(counts >= 0)
    # blocks of the first axis are contiguous: each within one person
    assert np.all(np.abs(counts.sum(axis=1) - table.sum(axis=1)) < 1 + 1e-9)


# --- files ----------------------------------------------------------------------------------


def test_save_and_load_round_trip(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pop = built[DATES[1]]
    path = save_population(pop, tmp_path / "sub" / "p.parquet")
    back = load_population(path)
    assert back.strata.equals(pop.strata)
    assert back.reference_date == pop.reference_date
    assert [t.attribute for t in back.targets] == [t.attribute for t in pop.targets]
    assert back.parameters["population.total_estimator"] == "dhs"


def test_failed_save_leaves_nothing(built, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pyarrow.parquet as pq

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", boom)
    with pytest.raises(OSError):
        save_population(built[DATES[1]], tmp_path / "p.parquet")
    assert list(tmp_path.iterdir()) == []


def _write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_user_csv_loads_with_derived_entry_year(tmp_path: Path) -> None:
    pop = load_population(_write_csv(tmp_path / "u.csv", user_rows()), dt.date(2020, 1, 1))
    assert pop.total == 1020
    assert pop.strata["entry_year"].to_list() == [2010, 2010]
    assert pop.marginal("criminal_history") == {"none": 1000, "felony": 20}


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"criminal_history": "murder"}, "row 2: bad criminal_history ('murder')"),
        ({"count": -5}, "row 2: bad count"),
        ({"count": 2.5}, "row 2: bad count"),
        ({"us_citizen_child": "maybe"}, "row 2: bad us_citizen_child"),
        ({"criminal_history": "none"}, "each combination once"),
    ],
)
def test_bad_user_rows_are_located(tmp_path: Path, change, fragment) -> None:  # type: ignore[no-untyped-def]
    rows = user_rows()
    rows[1] = {**rows[1], **change}
    path = _write_csv(tmp_path / "u.csv", rows)
    with pytest.raises(InputError) as err:
        load_population(path, dt.date(2020, 1, 1))
    assert fragment in str(err.value)
    assert "u.csv" in str(err.value)


def test_bad_user_files(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "age_band"} for r in user_rows()]
    with pytest.raises(InputError, match="missing column"):
        load_population(_write_csv(tmp_path / "a.csv", rows), dt.date(2020, 1, 1))
    with pytest.raises(InputError, match="reference date"):
        load_population(_write_csv(tmp_path / "b.csv", user_rows()))
    garbage = tmp_path / "c.parquet"
    garbage.write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match="cannot read"):
        load_population(garbage)
    with pytest.raises(InputError, match="no such file"):
        load_population(tmp_path / "missing.parquet")


# --- command line ---------------------------------------------------------------------------


def test_cli_build_and_describe(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "p.parquet"
    code = main(["population", "build", "--date", "2017-01-01", "--out", str(out), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and out.is_file()
    assert data["total"] == TREE.get("population.unauthorized_total_dhs", "2017-01-01")
    assert data["all_within_tolerance"] is True
    code = main(["population", "describe", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    assert "mexico_land" in text and "All margins within it" in text
    code = main(["population", "describe", str(tmp_path / "nope.parquet")])
    assert code == 2
    assert "no such file" in capsys.readouterr().err


# --- the geography comes from the published table -------------------------------------------


def test_aor_leaves_match_the_published_table(shared_data: Path) -> None:
    path = shared_data / "uwchr" / "aor_demog_indicators.csv"
    if not path.is_file():
        pytest.skip(f"SKIPPED: {path} not found")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="|"))
    assert len(rows) >= 24 * 8
    for row in rows:
        key = f"population.by_aor.{row['aor'].lower()}"
        assert TREE.get(key, f"{row['year']}-07-01") == round(float(row["undocu_pop"]))
