"""The command line: tables and --json, and one clear message (no traceback) on bad input."""

from __future__ import annotations

import json

import pytest
from terminal import fits, lines, text

from immsim.cli import main

# the populations built inside the package shared with the session's (conftest)
pytestmark = pytest.mark.usefixtures("shared_builds")


def run(capsys, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_params_show_json_gives_value_unit_and_source(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        capsys, "params", "show", "detention.funded_beds", "--at", "2016-06-01", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["value"] == 34000
    assert data["unit"] == "beds"
    assert data["in_force_from"] == "2015-10-01"
    assert data["source"][0]["title"]
    assert len(data["values"]) >= 5


def test_params_show_table(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "params", "show", "courts.immigration_judges", "--at", "2018-06-01")
    assert code == 0
    assert "340" in out and "judges" in out


def test_params_list_prefix_and_json(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "params", "list", "removal", "--at", "2017-01-01", "--json")
    assert code == 0
    keys = [row["key"] for row in json.loads(out)["parameters"]]
    assert keys and all(k.startswith("removal.") for k in keys)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("params", "show", "detention.funded_bedz"), "unknown parameter"),
        (("params", "show", "detention.funded_beds", "--at", "2016-99-01"), "bad date"),
        (("params", "show", "detention.funded_beds", "--at", "1990-01-01"), "no value before"),
        (("params", "list", "nothing"), "no parameter under"),
        (("regimes", "show", "nobody"), "unknown regime"),
        (("scenario", "check", "not-a-scenario"), "no embedded scenario"),
    ],
)
def test_bad_input_is_one_message_without_traceback(capsys, args, fragment) -> None:  # type: ignore[no-untyped-def]
    code, _out, err = run(capsys, *args)
    assert code == 2
    assert fragment in err
    assert "Traceback" not in err


def test_scenario_check_reports_file_and_line(capsys, write) -> None:  # type: ignore[no-untyped-def]
    path = write("s.yaml", "name: x\nregime: eo13768\nstart: 2017-02-01\nhorizon_yearz: 3\n")
    code, out, err = run(capsys, "scenario", "check", str(path), "--json")
    assert code == 2
    assert f"{path}:4" in err
    assert json.loads(out)["line"] == 4


def test_debug_shows_the_traceback(write) -> None:  # type: ignore[no-untyped-def]
    from immsim.errors import InputError

    with pytest.raises(InputError):
        main(["--debug", "params", "show", "nope.nothing"])


def test_default_scenario_check(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "scenario", "check", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["ok"] and data["scenario"]["horizon_years"] == 10


def test_regimes_list_json_has_dates_and_sources(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "regimes", "list", "--json")
    assert code == 0
    regimes = json.loads(out)["regimes"]
    assert len(regimes) == 9  # the COVID-19 posture in two spans (branch covid33)
    for regime in regimes:
        assert regime["in_force"][0]["start"]
        assert regime["sources"] and regime["sources"][0]["href"]


def test_regimes_show_in_words(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "regimes", "show", "eo13768")
    assert code == 0
    assert "Convicted" in out
    assert "Q22" in out


def test_regimes_classify_profiles(capsys, write) -> None:  # type: ignore[no-untyped-def]
    path = write(
        "p.yaml",
        "profiles:\n  - {label: one misdemeanour, criminal_history: minor, entry_year: 2005, us_citizen_child: true}\n"
        "  - {label: no record, entry_year: 2005}\n",
    )
    code, out, _ = run(capsys, "regimes", "classify", "eo13768", "--profile", str(path), "--json")
    assert code == 0
    results = json.loads(out)["results"]
    assert [r["tier"] for r in results] == ["convicted", None]
    code, out, _ = run(capsys, "regimes", "classify", "nov2014", "--profile", str(path), "--json")
    assert [r["tier"] for r in json.loads(out)["results"]] == [None, None]


def test_regimes_classify_bad_profile_is_located(capsys, write) -> None:  # type: ignore[no-untyped-def]
    path = write(
        "p.yaml",
        "profiles:\n  - {label: x, entry_year: 2005}\n  - {label: y, criminal_history: murky, entry_year: 2005}\n",
    )
    code, _, err = run(capsys, "regimes", "classify", "eo13768", "--profile", str(path))
    assert code == 2
    assert f"{path}:3" in err


# --- in an 80-column terminal ----------------------------------------------------------------


def test_run_summary_fits_80_columns_with_every_number(capsys, write, tmp_path, terminal80) -> None:  # type: ignore[no-untyped-def]
    from immsim.engine.results import load_results
    from immsim.outcomes import by_year

    path = write(
        "s.yaml", "name: narrow\nregime: sep2021\nstart: 2021-10-01\nhorizon_years: 2\nseed: 3\n"
    )
    code, out, _ = run(capsys, "run", str(path), "--out", str(tmp_path / "r"))
    assert code == 0
    fits(out)
    for row in by_year(load_results(tmp_path / "r")).to_dicts():
        for name in ("arrests", "removals", "removals_interior", "detained", "court_pending"):
            assert f"{row[name]:,.0f}" in out, (name, row[name])
        assert f"{row['cost'] / 1e6:,.0f}" in out and row["binding"] in out
    # the cost by component, and its total in base-year dollars (FY2022 and FY2023 are priced
    # below 2024's CPI-U, so the constant total differs from the nominal one)
    import datetime as dt

    from immsim.analysis.effects import costs_by_year
    from immsim.parameters import load_baseline

    costs = costs_by_year(load_results(tmp_path / "r"), load_baseline(), dt.date(2021, 10, 1))
    for row in costs.to_dicts():
        for name in ("cost_atd", "cost_court", "cost_overhead", "cost_constant"):
            assert f"{row[name] / 1e6:,.0f}" in out, (name, row[name])
        assert row["cost_constant"] > row["cost"]
    assert "USC children" in out


def test_params_list_is_a_summary_unless_asked_for_all(capsys, terminal80) -> None:  # type: ignore[no-untyped-def]
    from immsim.parameters import load_baseline

    code, out, _ = run(capsys, "params", "list", "--at", "2026-10-01")
    assert code == 0
    fits(out)
    assert len(lines(out)) < 30 and "population" in out and "--all" in out
    code, out, _ = run(capsys, "params", "list", "--all", "--at", "2026-10-01")
    assert code == 0
    fits(out)
    keys = load_baseline().keys()
    assert len(lines(out)) < 2 * len(keys)  # one line a key, and a heading a group
    assert all(key.rsplit(".", 1)[-1] in out for key in keys)
    beds = load_baseline().get("detention.funded_beds", "2026-10-01")
    assert f"{beds:,.0f}" in out  # detention.funded_beds, whole
    gdp = load_baseline().get("economy.gdp", "2026-10-01")
    assert f"{gdp / 1e12:.2f} trillion" in out  # in words, so the unit still fits beside it
    code, out, _ = run(capsys, "params", "list", "--all", "--wide", "--at", "2026-10-01")
    assert "source" in lines(out)[1] and "detention.funded_beds" in out


def test_scenario_check_is_a_summary_unless_asked_for_all(capsys, terminal80) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "scenario", "check", "plus-10000-officers")
    assert code == 0
    fits(out)
    assert len(lines(out)) < 40
    from immsim.scenario import resolve_scenario

    scenario = resolve_scenario("plus-10000-officers")
    officers = scenario.parameters().get("enforcement.ero_deportation_officers", scenario.start)
    assert f"{officers:,.0f}" in out  # the reform's officers, whole
    assert "--all" in out
    code, out, _ = run(capsys, "scenario", "check", "--all")
    assert code == 0
    fits(out)
    assert "total_estimator" in out


def test_regimes_tables_fit_80_columns(capsys, write, terminal80) -> None:  # type: ignore[no-untyped-def]
    from immsim.regimes.catalog import shipped_regimes

    code, out, _ = run(capsys, "regimes", "list")
    assert code == 0
    fits(out)
    for regime in shipped_regimes():
        assert regime.name in out and f"{regime.in_force[0].start}" in out
    assert "(continued)" in out  # too wide for one table at 80 columns: the rest follows
    code, wide, _ = run(capsys, "regimes", "list", "--wide")
    assert "(continued)" not in wide and "sources" in lines(wide)[1]
    code, out, _ = run(capsys, "regimes", "show", "eo13768")
    assert code == 0
    fits(out)
    assert "Assumption:" in out and "[i]" not in out  # no markup printed as text
    path = write(
        "p.yaml",
        "profiles:\n  - {label: one misdemeanour, criminal_history: minor, entry_year: 2005}\n",
    )
    code, out, _ = run(capsys, "regimes", "classify", "eo13768", "--profile", str(path))
    assert code == 0
    fits(out)
    assert "one misdemeanour" in text(out)


def test_population_describe_fits_80_columns_with_every_number(
    capsys, tmp_path, terminal80
) -> None:  # type: ignore[no-untyped-def]
    import polars as pl
    from strata_examples import user_rows

    path = tmp_path / "strata.csv"
    pl.DataFrame(user_rows()).write_csv(path)
    code, out, _ = run(capsys, "population", "describe", str(path), "--date", "2020-01-01")
    assert code == 0
    fits(out)
    words = text(out)
    assert "1,020 people" in words
    for persons, share in ((1000, 1000 / 1020), (20, 20 / 1020)):
        assert f"{persons:,} {share:.1%}" in words  # a level's people and share, whole


def test_data_tables_fit_80_columns(capsys, tmp_path, terminal80) -> None:  # type: ignore[no-untyped-def]
    from test_data import ARREST_HEADER, PREAMBLE, arrest_row

    path = tmp_path / "arrests-with-a-long-name-as-released-by-the-agency.csv"
    rows = arrest_row() * 1203 + arrest_row(method="?") * 2
    path.write_text(PREAMBLE + ARREST_HEADER + rows, encoding="utf-8")
    code, out, _ = run(capsys, "data", "ingest", str(path), "--out", str(tmp_path / "out"))
    assert code == 0
    fits(out)
    assert "1,205 1,203 2" in text(out)  # read, written, rejected: whole
    assert "unknown arrest" in out and "method (2)" in out  # the top reason, wrapped
    code, out, _ = run(capsys, "data", "summarize", str(tmp_path / "out"))
    assert code == 0
    fits(out)
    assert "2020 1,203" in text(out)
    code, out, _ = run(capsys, "data", "fetch", "--list")
    assert code == 0
    fits(out)


def test_run_by_area_prints_each_areas_outcomes_in_80_columns(
    capsys, write, tmp_path, terminal80
) -> None:  # type: ignore[no-untyped-def]
    import polars as pl

    from immsim.engine.results import load_results
    from immsim.outcomes import by_area

    path = write(
        "s.yaml", "name: areas\nregime: jan2025\nstart: 2026-10-01\nhorizon_years: 1\nseed: 3\n"
    )
    code, out, _ = run(capsys, "run", str(path), "--by-area", "--out", str(tmp_path / "r"))
    assert code == 0
    fits(out)
    table = by_area(load_results(tmp_path / "r")).filter(pl.col("weeks") >= 52)
    for row in table.to_dicts():  # one full year: the means printed are the year's values
        assert row["area"].upper() in out
        for name in (
            "arrests",
            "arrests_custodial",
            "admissions",
            "detained",
            "removals_interior",
            "removals",
        ):
            assert f"{row[name]:,.0f}" in out, (row["area"], name)
    # and the families each area's removals reach
    import datetime as dt

    from immsim.analysis.effects import families_by_area
    from immsim.parameters import load_baseline

    results = load_results(tmp_path / "r")
    families = families_by_area(results, load_baseline(), dt.date(2026, 10, 1))
    assert families is not None
    full = families.join(table.select("area", "fiscal_year"), on=["area", "fiscal_year"])
    assert full.height == table.filter(pl.col("area") != "border").height  # none at the border
    for row in full.to_dicts():
        for name in ("parents", "usc_children", "mixed_status_households"):
            assert f"{row[name]:,.0f}" in out, (row["area"], name)


def test_python_dash_m_is_the_same_cli_with_its_exit_status() -> None:
    """``python -m immsim`` (a checkout run without install) keeps exit status 2 on bad input."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": src}
    done = subprocess.run(
        [sys.executable, "-m", "immsim", "scenario", "check", "not-a-scenario"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 2
    assert "no embedded scenario" in done.stderr
    assert "Traceback" not in done.stderr
