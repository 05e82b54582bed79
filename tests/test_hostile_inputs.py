"""Hostile inputs (issue 25): every one is a single located InputError, never a traceback, a
hang, a run written where it should not be, or a silently wrong number."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import time
import tracemalloc
from pathlib import Path

import pytest

from immsim import yamlio
from immsim.errors import InputError
from immsim.scenario import load_scenario, parse_scenario
from immsim.yamlio import load_yaml_file, load_yaml_text

GOOD = """\
name: test
regime: nov2014
start: 2015-10-01
horizon_years: 5
seed: 7
"""

ALIAS_BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)


def _budget(action, seconds: float = 2.0, megabytes: float = 200.0) -> InputError:  # type: ignore[no-untyped-def]
    """Run ``action``, which must raise InputError within the per-input budget: timed on one
    run, its memory traced on another (tracing slows Python several times over)."""
    began = time.perf_counter()
    with pytest.raises(InputError) as info:
        action()
    elapsed = time.perf_counter() - began
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    tracemalloc.start()
    try:
        with pytest.raises(InputError):
            action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < megabytes * 1e6, f"peaked at {peak / 1e6:.0f} MB"
    return info.value


# --- YAML ------------------------------------------------------------------------------------


def test_alias_bomb_is_refused_at_once_naming_the_file(write) -> None:  # type: ignore[no-untyped-def]
    assert len(ALIAS_BOMB) < 1024
    path = write("bomb.yaml", ALIAS_BOMB)
    err = _budget(lambda: load_yaml_file(path))
    assert err.file == str(path)
    assert "alias" in err.message
    assert err.line == 2  # the first alias


def test_a_few_aliases_still_read_as_the_shipped_tree_uses_them() -> None:
    located = load_yaml_text(GOOD + "a: &d [x, y]\nb: *d\n", "s.yaml")
    assert located.data["b"] == ["x", "y"]


def test_a_recursive_alias_is_one_error() -> None:
    err = _budget(lambda: load_yaml_text("a: &a [x, *a]\n", "loop.yaml"))
    assert err.file == "loop.yaml" and "nested" in err.message


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,
        "{a: " * 3000 + "1" + "}" * 3000,
        "".join(" " * i + "k:\n" for i in range(getattr(yamlio, "MAX_YAML_DEPTH", 50) + 5))
        + " " * 80
        + "x\n",
        "".join("  " * i + "-\n" for i in range(getattr(yamlio, "MAX_YAML_DEPTH", 50) + 5))
        + "  " * 80
        + "x\n",
    ],
    ids=["flow-lists", "flow-maps", "block-maps", "block-lists"],
)
def test_deep_nesting_is_one_error_not_a_recursion_crash(text: str) -> None:
    err = _budget(lambda: load_yaml_text(text, "deep.yaml"))
    assert err.file == "deep.yaml"
    assert "nest" in err.message


@pytest.mark.parametrize(
    "text",
    [ALIAS_BOMB, "[" * 500 + "]" * 500, "a: &a [x, *a]\n", GOOD + "a: &d [x]\nb: *d\n"],
    ids=["bomb", "deep", "recursive", "small-alias"],
)
def test_the_pure_python_loader_is_guarded_alike(monkeypatch, text: str) -> None:  # type: ignore[no-untyped-def]
    """Without libyaml PyYAML composes in Python, recursively: the same bounds must hold."""
    monkeypatch.setattr(yamlio, "_LOADER", yamlio._GuardedLoader)
    if text.startswith(GOOD):
        assert load_yaml_text(text).data["b"] == ["x"]
        return
    err = _budget(lambda: load_yaml_text(text, "x.yaml"))
    assert err.file == "x.yaml"


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(
        "a: [" + "1," * (getattr(yamlio, "MAX_YAML_BYTES", 1 << 20) // 2) + "1]\n", encoding="utf-8"
    )
    err = _budget(lambda: load_yaml_file(path))
    assert err.file == str(path)
    assert "too large" in err.message


def test_a_large_legitimate_file_still_loads_within_the_budget() -> None:
    rows = "".join(f"  - {{label: p{i}, criminal_history: none}}\n" for i in range(4000))
    text = "profiles:\n" + rows
    assert len(text.encode()) < yamlio.MAX_YAML_BYTES
    began = time.perf_counter()
    located = load_yaml_text(text, "p.yaml")
    assert time.perf_counter() - began < 2.0
    assert len(located.data["profiles"]) == 4000
    assert located.line_of(("profiles", 3999)) == 4001


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"\xef\xbb\xbf" + GOOD.encode(), None),  # a UTF-8 BOM is read
        (GOOD.replace("\n", "\r\n").encode(), None),  # CRLF is read
        (GOOD.encode("utf-16"), "UTF-8"),
        ("name: caf\xe9\n".encode("latin-1"), "UTF-8"),
        (b"name: a\x00b\n", "malformed YAML"),
    ],
    ids=["bom", "crlf", "utf16", "latin1", "nul"],
)
def test_encodings(tmp_path: Path, raw: bytes, fragment: str | None) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(raw)
    if fragment is None:
        assert load_scenario(path).seed == 7
    else:
        with pytest.raises(InputError, match=fragment) as info:
            load_yaml_file(path)
        assert info.value.file == str(path)


def test_dump_never_writes_anchors_for_shared_values() -> None:
    day = dt.date(2026, 10, 1)
    shared = {"value": 1}
    text = yamlio.dump_yaml({"start": day, "values": {day: 5}, "a": shared, "b": shared})
    assert "&" not in text and "*" not in text
    assert load_yaml_text(text).data["b"] == {"value": 1}


def test_levers_scenario_download_has_no_anchors_and_loads_back() -> None:
    from immsim.presentation.server import Levers

    text = Levers(beds=50_000, officers=7000).scenario_yaml()
    assert "&id" not in text and "*id" not in text
    scenario = parse_scenario(load_yaml_text(text, "scenario.yaml"))
    assert scenario.reform is not None and len(scenario.reform.overrides) == 2


# --- scenario names and seeds ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../../../elsewhere/x",
        "/etc/passwd",
        "a/b",
        "a\\b",
        "..",
        ".hidden",
        "run name",
        "x\x00y",
        "-rf",
        "ünïcode",
    ],
)
def test_scenario_name_must_be_a_safe_slug(write, name: str) -> None:  # type: ignore[no-untyped-def]
    path = write("s.yaml", GOOD.replace("name: test", f"name: {json.dumps(name)}"))
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert info.value.key == "name"
    assert info.value.line == 1
    assert "letters, digits" in info.value.message


def test_embedded_scenario_names_are_safe_and_a_scenario_cannot_be_built_around_the_check() -> None:
    from immsim.scenario import Scenario, embedded_scenario_names, load_embedded_scenario

    for name in embedded_scenario_names():
        assert load_embedded_scenario(name).name == name
    fields = load_embedded_scenario().model_dump()
    with pytest.raises(ValueError, match="unsafe name"):
        Scenario(**{**fields, "name": "../x"})


@pytest.mark.parametrize("seed", [-3, 2**63, 2**64, 10**30])
def test_population_seed_out_of_range_is_an_input_error(seed: int) -> None:
    from immsim.parameters import load_baseline
    from immsim.population.build import build_population

    with pytest.raises(InputError, match="seed") as info:
        build_population(load_baseline(), dt.date(2017, 1, 1), seed=seed)
    assert info.value.key == "seed"


@pytest.mark.parametrize("seed", ["2**64", "18446744073709551616", "-3", "1.5", "true"])
def test_scenario_seed_out_of_range_is_located(write, seed: str) -> None:  # type: ignore[no-untyped-def]
    path = write("s.yaml", GOOD.replace("seed: 7", f"seed: {seed}"))
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert info.value.line == 5
    assert info.value.key == "seed"


def test_population_build_cli_bad_seed_is_exit_2(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from immsim.cli import main

    out = tmp_path / "p.parquet"
    code = main(["population", "build", "--date", "2017-01-01", "--seed", "-3", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "seed" in err and "internal error" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("line", "key"),
    [("name: ../../up\n", "name"), ("name: s\nseed: 18446744073709551616\n", "seed")],
)
def test_sweep_name_and_seed_are_checked_like_a_scenarios(write, line: str, key: str) -> None:  # type: ignore[no-untyped-def]
    from immsim.analysis.sweep import load_spec

    path = write("sweep.yaml", line + "levers:\n  detention.funded_beds: [50000]\n")
    with pytest.raises(InputError) as info:
        load_spec(path)
    assert info.value.file == str(path)
    assert info.value.key == key


# --- capacity goals ----------------------------------------------------------------------------


@pytest.mark.parametrize("goal", [math.nan, math.inf, -math.inf, 0.0, -5.0, 1e10, 1e30])
def test_capacity_goal_must_be_finite_positive_and_sane(goal: float) -> None:
    from immsim.analysis.capacity import required_capacity
    from immsim.scenario import load_embedded_scenario

    began = time.perf_counter()
    with pytest.raises(InputError) as info:
        required_capacity(load_embedded_scenario(), goal)
    assert time.perf_counter() - began < 2.0  # refused before any run
    assert info.value.key == "--goal"


def test_capacity_command_with_a_nan_goal_is_exit_2(capsys) -> None:  # type: ignore[no-untyped-def]
    from immsim.cli import main

    code = main(["capacity", "--goal", "nan", "--json"])
    captured = capsys.readouterr()
    assert code == 2
    assert "finite" in captured.err and "$nan" not in captured.out


# --- numbers in reforms, scenarios and sweeps -------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("detention.funded_beds", "1.0e+19", "at most"),
        ("detention.funded_beds", "10000000000000000000", "at most"),
        ("detention.funded_beds", ".nan", "finite"),
        ("detention.funded_beds", ".inf", "finite"),
        ("detention.funded_beds", "-.inf", "finite"),
        ("detention.cost_per_bed_day", "1.0e+300", "at most"),
        ("enforcement.effort.hours_per_officer_year", "1.0e+12", "at most"),
        ("population.association.gang_with_felony", "1.0e+9", "at most"),
        ("border.record.air_share", ".nan", "share"),
    ],
)
def test_reform_values_must_be_finite_and_within_their_units_bound(
    write,  # type: ignore[no-untyped-def]
    key: str,
    value: str,
    fragment: str,
) -> None:
    from immsim.parameters import load_baseline, load_reform

    if key not in load_baseline():
        pytest.skip(f"SKIPPED: no leaf {key} in this tree")
    path = write(
        "r.yaml", f"name: big\noverrides:\n  {key}:\n    values:\n      2027-01-01: {value}\n"
    )
    with pytest.raises(InputError, match=fragment) as info:
        load_reform(path)
    assert info.value.file == str(path)
    assert info.value.line == 5
    assert info.value.key == key


def test_a_billion_beds_is_still_allowed() -> None:
    """The bound refuses overflow, not ambition: a million-a-year reform must still load."""
    from immsim.parameters import load_parameters
    from immsim.parameters.reform import parse_reform

    text = (
        "name: huge\noverrides:\n  detention.funded_beds:\n    values:\n      2027-01-01: 1.0e+9\n"
    )
    reform = parse_reform(load_yaml_text(text, "r.yaml"))
    assert load_parameters(reform).get("detention.funded_beds", "2028-01-01") == 1e9


@pytest.mark.parametrize(
    "spec",
    [
        "{dist: uniform, low: .nan, high: 5}",
        "{dist: uniform, low: 1, high: .inf}",
        "{dist: fixed, value: 1.0e+19}",
        "{dist: normal, mean: 1000, sd: .nan}",
        "{dist: triangular, low: 0, mode: .nan, high: 4}",
    ],
)
def test_scenario_uncertainties_must_be_finite_and_bounded(spec: str) -> None:
    from immsim.analysis.uncertainty import parse_uncertainties
    from immsim.parameters import load_baseline

    raw = load_yaml_text(f"detention.funded_beds: {spec}\n").data
    with pytest.raises(InputError) as info:
        parse_uncertainties(raw, load_baseline())
    assert info.value.key == "detention.funded_beds"


@pytest.mark.parametrize(
    ("levers", "fragment"),
    [
        ("levers:\n  detention.funded_beds: [1.0e+19]\n", "at most"),
        ("levers:\n  detention.funded_beds: [.nan]\n", "finite"),
        ("levers:\n  border.record.air_share: [1.5]\n", "share"),
        (
            "design: {sample: random, n: 2}\nlevers:\n  detention.funded_beds: {low: 0, high: .inf}\n",
            "finite",
        ),
        (
            "levers:\n  detention.funded_beds: [5]\nuncertainties:\n"
            "  flows.emigration_rate: {dist: uniform, low: 0.01, high: .inf}\n",
            "finite",
        ),
    ],
)
def test_sweep_levers_and_uncertainties_are_checked_like_reforms(
    write,  # type: ignore[no-untyped-def]
    levers: str,
    fragment: str,
) -> None:
    from immsim.analysis.sweep import load_spec

    path = write("sweep.yaml", "name: s\nhorizon_years: 1\n" + levers)
    with pytest.raises(InputError, match=fragment) as info:
        load_spec(path)
    assert info.value.file == str(path)
    assert info.value.line is not None and info.value.line >= 3


def test_scenario_uncertainties_are_checked_with_the_scenario(write) -> None:  # type: ignore[no-untyped-def]
    path = write(
        "s.yaml",
        GOOD + "uncertainties:\n  detention.funded_beds: {dist: fixed, value: 1.0e+19}\n",
    )
    with pytest.raises(InputError, match="at most") as info:
        load_scenario(path)
    assert info.value.line == 7
    assert info.value.key == "uncertainties.detention.funded_beds"


def test_drawn_values_stay_within_their_units_bound() -> None:
    from immsim.analysis.uncertainty import Dist, draw_reform
    from immsim.parameters import load_baseline
    from immsim.parameters.schema import MAX_MAGNITUDE

    tree = load_baseline()
    key = "detention.funded_beds"
    times = {key: Dist(dist="uniform", low=1.0, high=1e6, apply="multiplier")}
    reform = draw_reform(tree, times, {key: 1e6}, None, "draw")
    assert reform is not None
    values = [v.value for v in reform.overrides[key].values.values()]
    assert max(values) == MAX_MAGNITUDE["count"]


# --- where things are written ----------------------------------------------------------------


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_unwritable_output_is_an_input_error(tmp_path: Path) -> None:
    from immsim.atomic import atomic_file, atomic_folder

    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(InputError, match="cannot write") as info, atomic_folder(locked / "out"):
            pass
        assert info.value.file == str(locked / "out")
        with pytest.raises(InputError, match="cannot write"), atomic_file(locked / "x.txt"):
            pass
        with pytest.raises(InputError, match="cannot write"), atomic_folder(locked / "a" / "b"):
            pass
    finally:
        locked.chmod(0o700)
    assert list(locked.iterdir()) == []


def test_output_under_a_file_is_an_input_error(tmp_path: Path) -> None:
    """A path whose parent is a file fails the same way for root and everyone else."""
    from immsim.atomic import atomic_file, atomic_folder

    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="cannot write") as info, atomic_folder(blocker / "out"):
        pass
    assert info.value.file == str(blocker / "out")
    with pytest.raises(InputError, match="cannot write"), atomic_file(blocker / "sub" / "x.txt"):
        pass
    assert blocker.read_text(encoding="utf-8") == "x"


@pytest.mark.parametrize("damage", ["weekly.parquet", "manifest.json", "breakdown.parquet", None])
def test_report_on_a_corrupt_run_folder_is_an_input_error(
    tmp_path: Path, damage: str | None
) -> None:
    import polars as pl

    from immsim.presentation.report import write_report

    run = tmp_path / "run"
    run.mkdir()
    pl.DataFrame({"week": [1]}).write_parquet(run / "weekly.parquet")
    pl.DataFrame({"stage": ["removed"]}).write_parquet(run / "breakdown.parquet")
    (run / "manifest.json").write_text("{}", encoding="utf-8")
    if damage is not None:  # None: every file reads, but none holds what a run holds
        (run / damage).write_bytes(b"\x00garbage")
    out = tmp_path / "report.html"
    with pytest.raises(InputError) as info:
        write_report(run, out)
    assert info.value.file == str(run)
    assert not out.exists()


def test_permission_denied_is_an_input_error_for_root_too(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Root writes anywhere, so the refusal a user meets is simulated where it happens."""
    import tempfile

    from immsim.atomic import atomic_file, atomic_folder

    def denied(*args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", denied)
    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with (
        pytest.raises(InputError, match="Permission denied") as info,
        atomic_folder(tmp_path / "out"),
    ):
        pass
    assert info.value.file == str(tmp_path / "out")
    with pytest.raises(InputError, match="Permission denied"), atomic_file(tmp_path / "f"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_ingest_into_an_unwritable_place_is_exit_2_and_writes_nothing(  # type: ignore[no-untyped-def]
    capsys, tmp_path: Path
) -> None:
    from immsim.cli import main

    source = tmp_path / "headcount.csv"
    source.write_text("detention_facility_code|n|date\nABC|3|2020-01-01\n", encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code = main(["data", "ingest", str(source), "--out", str(blocker / "out")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "cannot write" in err and "internal error" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "headcount.csv"]


def test_a_sweeps_unknown_scenario_is_located_in_the_sweep(write) -> None:  # type: ignore[no-untyped-def]
    from immsim.analysis.sweep import load_spec

    path = write(
        "sweep.yaml", "name: s\nscenario: defualt\nlevers:\n  courts.immigration_judges: [600]\n"
    )
    with pytest.raises(InputError, match="no embedded scenario") as info:
        load_spec(path)
    assert (info.value.file, info.value.line, info.value.key) == (str(path), 2, "scenario")


@pytest.mark.parametrize("count", ["inf", "-inf", "nan", "1e19", "1e30", "99999999999", "-1"])
def test_strata_counts_must_be_finite_whole_and_bounded(tmp_path: Path, count: str) -> None:
    from immsim.population.strata_io import load_population

    header = (
        "aor,country_group,years_in_us,age_band,criminal_history,immigration_history,"
        "protected_status,gang_or_national_security,pending_charges,us_citizen_child,"
        "known_to_agency,count\n"
    )
    row = "sea,other,y10_14,age_30_44,{crim},none,none,false,false,true,false,{count}\n"
    path = tmp_path / "strata.csv"
    path.write_text(
        header + row.format(crim="none", count=5) + row.format(crim="felony", count=count),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="row 2: bad count") as info:
        load_population(path, dt.date(2020, 1, 1))
    assert info.value.file == str(path)


# --- the command line checks before it simulates ------------------------------------------------


def _short(write) -> Path:  # type: ignore[no-untyped-def]
    return write(  # type: ignore[no-any-return]
        "short.yaml", "name: short\nregime: sep2021\nstart: 2021-10-01\nhorizon_years: 1\nseed: 3\n"
    )


@pytest.mark.parametrize("seed", [str(2**64), str(2**63), "-3"])
def test_run_seed_out_of_range_is_exit_2(write, tmp_path, capsys, seed: str) -> None:  # type: ignore[no-untyped-def]
    from immsim.cli import main

    out = tmp_path / "unused"
    assert main(["run", str(_short(write)), "--seed", seed, "--out", str(out)]) == 2
    assert "seed" in capsys.readouterr().err
    assert not out.exists()


def test_the_engine_refuses_a_seed_it_would_wrap() -> None:
    from immsim.engine.run import run
    from immsim.scenario import resolve_scenario

    with pytest.raises(InputError, match="seed"):
        run(resolve_scenario("default"), seed=2**64)


def test_run_out_that_cannot_be_written_fails_before_simulating(write, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from immsim.cli import main

    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    started = time.perf_counter()
    for draws in ("1", "50"):
        code = main(["run", str(_short(write)), "--draws", draws, "--out", str(blocker / "run")])
        assert code == 2
    assert time.perf_counter() - started < 5  # nothing was simulated: 50 draws take minutes
    assert "cannot write here" in capsys.readouterr().err
    existing = tmp_path / "existing"
    existing.mkdir()
    assert main(["run", str(_short(write)), "--out", str(existing)]) == 2  # no --overwrite
    assert "already exists" in capsys.readouterr().err


def test_report_does_not_overwrite_unless_asked(write, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from immsim.cli import main

    run_dir = tmp_path / "run"
    assert main(["run", str(_short(write)), "--out", str(run_dir), "--json"]) == 0
    out = tmp_path / "report.html"
    out.write_text("keep me", encoding="utf-8")
    assert main(["report", str(run_dir), "-o", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "keep me"
    assert "already exists" in capsys.readouterr().err
    assert main(["report", str(run_dir), "-o", str(out), "--overwrite"]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_a_damaged_run_folder_is_an_input_error_for_every_reader(tmp_path: Path) -> None:
    from immsim.engine.results import load_results

    for name in ("weekly.parquet", "breakdown.parquet", "manifest.json"):
        (tmp_path / name).write_bytes(b"\x00 not what a run writes")
    with pytest.raises(InputError, match="cannot read as a saved run"):
        load_results(tmp_path)


def test_limits_beyond_int64_cannot_bind_and_do_not_overflow() -> None:
    import numpy as np

    from immsim.engine import capacity, draws

    counts = np.array([3, 0, 5], dtype=np.int64)
    for limit in (1e19, 1e300, math.inf):
        assert draws.cap(draws.stream(np.random.default_rng(1)), counts, limit).tolist() == [
            3,
            0,
            5,
        ]
        stocks = np.array([[4, 1, 9]], dtype=np.int64)
        out = np.zeros(2)
        taken = np.zeros_like(stocks)
        cut, n = capacity.take(
            draws.stream(np.random.default_rng(1)),
            stocks,
            np.array([[3, 0, 5]], dtype=np.int64),
            np.array([0]),
            np.array([1]),
            limit,
            out,
            taken,
        )
        assert not cut and n == 8 and taken.tolist() == [[3, 0, 5]] and out[1] == 8


def test_scenario_help_names_only_commands_that_exist(capsys) -> None:  # type: ignore[no-untyped-def]
    from immsim.cli import main

    assert main(["scenario", "--help"]) == 0
    text = capsys.readouterr().out
    assert "summar" not in text and "check" in text
