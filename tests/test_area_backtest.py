"""Results by area (``immsim.analysis.areas``) and the back-test by area
(``immsim.calibration.area_backtest``), on by-area tables built here and records built here or
read from the shared data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import builds
import polars as pl
import pytest
from area_examples import quarter_in_seattle
from terminal import fits

from immsim.analysis.areas import (
    check_by_area,
    effect_there_and_elsewhere,
    results_by_area,
    select_area,
)
from immsim.calibration.area_backtest import (
    AFTER_RECORDS,
    area_backtest,
    median_over_draws,
)
from immsim.data.area_records import TARGET_SCHEMA, area_targets
from immsim.engine.results import Results
from immsim.errors import InputError

# the populations built inside the package shared with the session's (conftest)
pytestmark = pytest.mark.usefixtures("shared_builds")


def targets(*rows: tuple[str, int, str, float]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "area": a,
                "fiscal_year": y,
                "outcome": o,
                "value": v,
                "source": "f.csv",
                "counts": "x",
            }
            for a, y, o, v in rows
        ],
        schema=TARGET_SCHEMA,
    )


def test_errors_are_relative_to_the_record_and_summarised_by_period_and_area() -> None:
    by_area = pl.DataFrame(
        {
            "area": ["sea", "sea", "sea", "atl"],
            "fiscal_year": [2013, 2018, 2024, 2013],
            "removals": [4471 * 1.10, 4110 * 0.80, None, 900.0],
            "arrests": [None, None, 2180 * 1.5, None],
            "detained": [1196.9 * 0.9, None, None, 1000.0],
        }
    )
    records = targets(
        ("sea", 2013, "removals", 4471),
        ("sea", 2018, "removals", 4110),
        ("sea", 2024, "arrests", 2180),
        ("sea", 2013, "detained", 1196.9),
        ("atl", 2013, "detained", 800),
        ("den", 2013, "detained", 700),  # no such area in the run
        ("sea", 2016, "removals", 2108),  # no such year in the run
    )
    result = area_backtest(by_area, records)
    errors = {(r.area, r.outcome, r.fiscal_year): r.error for r in result.rows}
    assert errors == pytest.approx(
        {
            ("sea", "removals", 2013): 0.10,
            ("sea", "removals", 2018): -0.20,
            ("sea", "arrests", 2024): 0.50,
            ("sea", "detained", 2013): -0.10,
            ("atl", "detained", 2013): 0.25,
        }
    )
    assert set(result.unscored) == {"DEN FY2013 detained", "SEA FY2016 removals"}
    # FY2013: |0.10|, |-0.10|, |0.25| -> 0.10; FY2018: 0.20; FY2024 (after the records): 0.50
    periods = result.periods()
    assert periods["FY2012-FY2016"] == {"median_abs_pct_error": pytest.approx(0.10), "cells": 3}
    assert periods["FY2017-FY2019"]["median_abs_pct_error"] == pytest.approx(0.20)
    assert periods[AFTER_RECORDS]["cells"] == 1
    # Seattle: 0.10, 0.20, 0.50, 0.10 -> median 0.15
    assert result.areas()["sea"]["median_abs_pct_error"] == pytest.approx(0.15)
    assert result.areas()["atl"]["cells"] == 1
    # every cell: 0.10, 0.20, 0.50, 0.10, 0.25 -> median 0.20
    assert result.as_dict()["median_abs_pct_error"] == pytest.approx(0.20)


def test_harlingen_counts_under_san_antonio_only_when_the_run_has_no_harlingen() -> None:
    records = targets(("sna", 2014, "detained", 3000), ("hal", 2014, "detained", 1000))
    run = pl.DataFrame({"area": ["sna"], "fiscal_year": [2014], "detained": [4400.0]})
    (row,) = area_backtest(run, records).rows
    assert row.observed == 4000 and row.error == pytest.approx(0.10)
    with_hal = pl.DataFrame(
        {"area": ["sna", "hal"], "fiscal_year": [2014, 2014], "detained": [3300.0, 1000.0]}
    )
    rows = {r.area: r.error for r in area_backtest(with_hal, records).rows}
    assert rows == pytest.approx({"sna": 0.10, "hal": 0.0})


def test_the_median_of_the_draws_is_scored() -> None:
    draws = [
        pl.DataFrame({"area": ["sea"], "fiscal_year": [2014], "removals": [v]})
        for v in (2000.0, 2600.0, 2400.0)
    ]
    median = median_over_draws(draws)
    assert median["removals"].to_list() == [2400.0]
    (row,) = area_backtest(median, targets(("sea", 2014, "removals", 2000))).rows
    assert row.error == pytest.approx(0.2)


def test_a_by_area_table_must_say_where_and_when() -> None:
    with pytest.raises(InputError, match="need the column area"):
        check_by_area(pl.DataFrame({"fiscal_year": [2014], "removals": [1.0]}))
    with pytest.raises(InputError, match="unknown column cost"):
        check_by_area(pl.DataFrame({"area": ["sea"], "fiscal_year": [2014], "cost": [1.0]}))
    with pytest.raises(InputError, match="repeat area sea in FY2014"):
        check_by_area(pl.DataFrame({"area": ["sea", "sea"], "fiscal_year": [2014, 2014]}))


def test_select_area_takes_a_code_or_a_name_and_names_the_areas_on_a_typo() -> None:
    frame = pl.DataFrame({"area": ["sea", "atl", "sea"], "fiscal_year": [2014, 2014, 2015]})
    assert select_area(frame, "SEA")["fiscal_year"].to_list() == [2014, 2015]
    assert select_area(frame, "seattle").height == 2
    with pytest.raises(InputError) as err:
        select_area(frame, "SAE")
    assert "no area 'SAE'" in str(err.value)
    assert "ATL (Atlanta), SEA (Seattle)" in str(err.value)


def run_by_area() -> Results:
    """Two areas over the last week of FY2014 and the first two of FY2015, as the engine
    writes a run with areas: the weeks in ``weekly`` (with the border's), the people of each
    area in the breakdown by ``area``."""
    weeks = [1, 2, 3]
    dates = [dt.date(2014, 9, 27), dt.date(2014, 10, 4), dt.date(2014, 10, 11)]
    years = [date.year + (date.month >= 10) for date in dates]
    weekly = pl.DataFrame(
        {
            "week": weeks,
            "date": dates,
            "fiscal_year": years,
            "removals_border": [5.0, 5.0, 5.0],
            "detained_border": [7.0, 7.0, 7.0],
        }
    )
    rows = []
    for area, scale in (("sea", 1.0), ("atl", 2.0)):
        for year, arrests, detained in zip(years, (10, 20, 30), (100, 200, 300), strict=True):
            for stage, persons in (("arrested", arrests), ("detained", detained)):
                rows.append(
                    {
                        "fiscal_year": year,
                        "attribute": "area",
                        "level": area,
                        "stage": stage,
                        "persons": int(persons * scale),
                    }
                )
    return Results(weekly, pl.DataFrame(rows), {"scenario": {"areas": True}})


def test_results_by_area_reduce_each_outcome_as_it_is_defined() -> None:
    frame = results_by_area(run_by_area())
    assert frame is not None
    got = {(r["area"], r["fiscal_year"]): (r["arrests"], r["detained"]) for r in frame.to_dicts()}
    # arrests add up over a year's weeks; detained is the year's average; no border row
    assert got == {
        ("sea", 2014): (10, 100),
        ("sea", 2015): (50, 250),
        ("atl", 2014): (20, 200),
        ("atl", 2015): (100, 500),
    }


def test_results_without_areas_give_none() -> None:
    run = run_by_area()
    national = run.breakdown.with_columns(pl.lit("criminal_history").alias("attribute"))
    assert results_by_area(Results(run.weekly, national, {})) is None
    assert results_by_area(Results(run.weekly, pl.DataFrame(), {})) is None


def test_the_records_score_a_run_that_matches_them(shared_data: Path) -> None:
    """A by-area table equal to the records scores zero everywhere; one 10% above, 10%."""
    records = area_targets(shared_data)
    if records.is_empty():
        pytest.skip(f"SKIPPED: no per-area records under {shared_data}")
    wide = records.pivot(on="outcome", index=["area", "fiscal_year"], values="value")
    exact = area_backtest(wide, records)
    assert exact.median_abs_pct_error() == 0 and not exact.unscored
    assert len(exact.areas()) >= 24
    above = wide.with_columns(pl.exclude("area", "fiscal_year") * 1.1)
    assert area_backtest(above, records).median_abs_pct_error() == pytest.approx(0.1)


def test_validate_by_area_scores_a_run_by_area_in_every_area_with_records(
    shared_data: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    """The back-test by area runs the back-test's years carrying the areas through the engine
    and scores every area with records in those years: detention in each of the 24 areas
    (Harlingen's records under San Antonio) FY2012-FY2023 and Seattle's removals FY2013-FY2018,
    each cell's error relative to its record; Seattle's arrests FY2024-FY2025 lie past the run."""
    from immsim.cli import main

    figures = shared_data / "published_figures.csv"
    records = area_targets(shared_data)
    if records.is_empty() or not figures.is_file():
        pytest.skip(f"SKIPPED: no per-area records or published figures under {shared_data}")
    args = ["validate", "--figures", str(figures), "--by-area", "--draws", "1", "--seeds-only"]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert not any(note.startswith("Benchmark") for note in data["notes"])  # the model by area
    rows = data["rows"]
    detained = {(r["area"], r["fiscal_year"]) for r in rows if r["outcome"] == "detained"}
    areas = {area for area, _ in detained}
    assert len(areas) == 24 and "hal" not in areas
    assert detained == {(area, year) for area in areas for year in range(2012, 2024)}
    removals = sorted(r["fiscal_year"] for r in rows if r["outcome"] == "removals")
    assert removals == list(range(2013, 2019))
    assert all(r["area"] == "sea" for r in rows if r["outcome"] == "removals")
    for row in rows:
        assert row["simulated"] > 0
        assert row["error"] == pytest.approx((row["simulated"] - row["observed"]) / row["observed"])
    assert set(data["areas"]) == areas
    assert set(data["periods"]) == {"FY2012-FY2016", "FY2017-FY2019", "FY2020-FY2023"}


def test_validate_by_area_scores_the_population_share_benchmark(
    shared_data: Path, capsys, terminal80
) -> None:  # type: ignore[no-untyped-def]
    """The benchmark spreads the national run by population: each area's detained is the
    national average times its share, so the areas' detained add up to the national run's."""
    from immsim.cli import main

    figures = shared_data / "published_figures.csv"
    if not (shared_data / "uwchr" / "inc_headcount_fy12-24ytd.csv.gz").is_file():
        pytest.skip(f"SKIPPED: no headcount under {shared_data}")
    args = ["validate", "--figures", str(figures), "--population-shares", "--draws", "1"]
    args.append("--seeds-only")  # the tree's values, which the hand check below runs
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["notes"][0].startswith("Benchmark, not the model by area")
    detained = [r for r in data["rows"] if r["outcome"] == "detained" and r["fiscal_year"] == 2014]
    assert len(detained) == 24  # every area of the tree (Harlingen's records under San Antonio)
    from immsim.calibration.validate import START, backtest_scenario
    from immsim.engine.run import run
    from immsim.outcomes import by_year
    from immsim.parameters import load_baseline

    population = builds.national(load_baseline(), START, seed=2012)
    national = by_year(run(backtest_scenario(2012), population=population), ("detained",))
    in_2014 = national.filter(pl.col("fiscal_year") == 2014)["detained"][0]
    assert sum(r["simulated"] for r in detained) == pytest.approx(in_2014, rel=1e-9)
    for row in detained:
        assert row["error"] == pytest.approx((row["simulated"] - row["observed"]) / row["observed"])
    assert set(data["periods"]) == {"FY2012-FY2016", "FY2017-FY2019", "FY2020-FY2023"}
    assert main(args) == 0
    out = capsys.readouterr().out
    fits(out)
    words = " ".join(out.split())
    assert "Seattle (SEA)" in words and "Median absolute error by area" in words
    assert "by the facility's area, not the arrest's" in words


def test_run_area_typo_is_caught_before_the_run_naming_every_area(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from immsim.cli import main

    assert main(["run", "--area", "SAE", "--out", str(tmp_path / "run")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "no area 'SAE'" in err and "SEA (Seattle)" in err and "WAS (Washington)" in err
    assert not (tmp_path / "run").exists()  # nothing was run
    assert main(["run", "--area", "SEA", "--draws", "2"]) == 2
    assert "single run" in capsys.readouterr().err


def test_run_area_shows_that_area_of_the_results_by_area(
    capsys, tmp_path: Path, monkeypatch, terminal80
) -> None:  # type: ignore[no-untyped-def]
    """With results by area (here: a quarter of every outcome in Seattle, the rest in Atlanta),
    ``run --area`` shows Seattle's quarter, year by year, and saves the whole run."""
    import immsim.analysis.areas as areas
    from immsim.cli import main
    from immsim.outcomes import by_year

    monkeypatch.setattr(areas, "results_by_area", quarter_in_seattle)
    folder = tmp_path / "run"
    assert main(["run", "--area", "Seattle", "--out", str(folder), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    from immsim.engine.results import load_results

    national = by_year(load_results(folder), ("removals", "detained")).to_dicts()
    assert data["area"] == "sea"
    assert [r["fiscal_year"] for r in data["outcomes"]] == [r["fiscal_year"] for r in national]
    for mine, whole in zip(data["outcomes"], national, strict=True):
        assert mine["removals"] == pytest.approx(whole["removals"] / 4)
        assert mine["detained"] == pytest.approx(whole["detained"] / 4)
    assert main(["run", "--area", "SEA", "--out", str(folder), "--overwrite"]) == 0
    out = capsys.readouterr().out
    fits(out)
    assert "Seattle (SEA)" in out and f"{national[1]['removals'] / 4:,.0f}" in out


def test_the_effect_in_an_area_and_its_spill_over_elsewhere() -> None:
    """Seattle's sanctuary law in FY2018: 300 fewer arrests there, 120 more in Atlanta (people
    moving, officers sent elsewhere), so 180 fewer in the nation; detention is untouched."""
    baseline = pl.DataFrame(
        {
            "area": ["sea", "atl", "sea", "atl"],
            "fiscal_year": [2017, 2017, 2018, 2018],
            "arrests": [1000.0, 5000.0, 1000.0, 5000.0],
            "detained": [500.0, 2000.0, 500.0, 2000.0],
        }
    )
    scenario = baseline.with_columns(
        pl.when(pl.col("fiscal_year") == 2018)
        .then(pl.col("arrests") + pl.when(pl.col("area") == "sea").then(-300).otherwise(120))
        .otherwise(pl.col("arrests"))
        .alias("arrests")
    )
    effect = effect_there_and_elsewhere(scenario, baseline, "SEA")
    rows = {(r["outcome"], r["fiscal_year"]): r for r in effect.to_dicts()}
    assert rows[("arrests", 2018)] == {
        "area": "sea",
        "fiscal_year": 2018,
        "outcome": "arrests",
        "there": -300,
        "elsewhere": 120,
        "nation": -180,
    }
    assert rows[("arrests", 2017)]["nation"] == 0 and rows[("detained", 2018)]["there"] == 0
    with pytest.raises(InputError, match="different areas or years"):
        effect_there_and_elsewhere(scenario.filter(pl.col("fiscal_year") == 2018), baseline, "sea")
