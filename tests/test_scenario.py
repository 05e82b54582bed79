"""Scenario files: the embedded default, located errors, and a fuzzed loader that never crashes."""

from __future__ import annotations

import contextlib
import datetime as dt
import string

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immsim.errors import InputError
from immsim.regimes import regime_names
from immsim.scenario import Scenario, load_embedded_scenario, load_scenario, parse_scenario
from immsim.yamlio import load_yaml_text

GOOD = """\
name: test
regime: nov2014
start: 2015-10-01
horizon_years: 5
seed: 7
"""


def test_default_scenario_is_a_ten_year_national_run_under_a_known_regime() -> None:
    scenario = load_embedded_scenario()
    assert scenario.horizon_years == 10
    assert scenario.population == "national"
    assert scenario.regime in regime_names()
    assert scenario.end == dt.date(
        scenario.start.year + 10, scenario.start.month, scenario.start.day
    )


def test_good_scenario(write) -> None:  # type: ignore[no-untyped-def]
    scenario = load_scenario(write("s.yaml", GOOD))
    assert (scenario.regime, scenario.seed, scenario.start) == ("nov2014", 7, dt.date(2015, 10, 1))
    assert scenario.reform is None
    assert scenario.parameters().get("detention.funded_beds", scenario.start) == 34000


@pytest.mark.parametrize(
    ("text", "line", "fragment", "allowed"),
    [
        (GOOD + "horizon: 5\n", 6, "unknown key 'horizon'", "horizon_years"),
        (GOOD.replace("horizon_years: 5", "horizon_years: five"), 4, "integer", None),
        (
            GOOD.replace("horizon_years: 5", "horizon_years: 50"),
            4,
            "less than or equal to 20",
            None,
        ),
        (GOOD.replace("2015-10-01", "2015-02-30"), 3, "date", None),
        (GOOD.replace("2015-10-01", "1999-01-01"), 3, "start must lie between", None),
        (GOOD.replace("nov2014", "obama"), 2, "unknown regime 'obama'", "nov2014"),
        (GOOD.replace("seed: 7", "seed: -1"), 5, "greater than or equal to 0", None),
        (GOOD.replace("name: test\n", ""), 1, "required key is missing", None),
        (GOOD + "  bad indent: [\n", 6, "malformed YAML", None),
        (GOOD + "seed: 8\n", 6, "duplicate key 'seed'", None),
    ],
)
def test_bad_scenarios_name_file_line_and_allowed(write, text, line, fragment, allowed) -> None:  # type: ignore[no-untyped-def]
    path = write("s.yaml", text)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    err = info.value
    assert fragment in str(err)
    assert err.file == str(path)
    assert err.line == line
    if allowed:
        assert allowed in (err.allowed or "")


def test_reform_by_relative_path_and_inline(write) -> None:  # type: ignore[no-untyped-def]
    write(
        "r.yaml",
        "name: beds\nregime: eo13768\noverrides:\n  detention.funded_beds:\n    values:\n      2018-01-01: 50000\n",
    )
    by_path = load_scenario(write("s.yaml", GOOD.replace("regime: nov2014\n", "reform: r.yaml\n")))
    assert by_path.regime == "eo13768"  # the reform's regime
    assert by_path.parameters().get("detention.funded_beds", "2018-06-01") == 50000
    inline = load_scenario(
        write(
            "s2.yaml",
            GOOD + "reform:\n  name: inline\n  overrides:\n    courts.immigration_judges:\n"
            "      values:\n        2016-01-01: 999\n",
        )
    )
    assert inline.parameters().get("courts.immigration_judges", "2016-06-01") == 999


def test_inline_reform_errors_point_into_the_scenario(write) -> None:  # type: ignore[no-untyped-def]
    path = write(
        "s.yaml",
        GOOD
        + "reform:\n  name: inline\n  overrides:\n    courts.immigration_judgez:\n      values:\n        2016-01-01: 9\n",
    )
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert info.value.line == 9
    assert "courts.immigration_judges" in (info.value.allowed or "")


def test_conflicting_regimes_are_an_error(write) -> None:  # type: ignore[no-untyped-def]
    write("r.yaml", "name: r\nregime: eo13768\n")
    with pytest.raises(InputError, match="names regime 'nov2014' but its reform names 'eo13768'"):
        load_scenario(write("s.yaml", GOOD + "reform: r.yaml\n"))


def test_missing_reform_file(write) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="not found"):
        load_scenario(write("s.yaml", GOOD + "reform: nowhere.yaml\n"))


def test_unreadable_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="file not found"):
        load_scenario(tmp_path / "absent.yaml")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00name")
    with pytest.raises(InputError, match="UTF-8"):
        load_scenario(binary)


# --- fuzzing: whatever the text, the loader returns a Scenario or raises InputError ----------

keys = st.sampled_from(
    ["name", "regime", "start", "horizon_years", "seed", "population", "reform", "baseline", "x"]
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.dates(),
    st.sampled_from(regime_names()),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.dictionaries(keys, values, max_size=8))
def test_fuzz_structured_scenarios(doc: dict) -> None:  # type: ignore[type-arg]
    text = yaml.safe_dump(doc, allow_unicode=True)
    try:
        result = parse_scenario(load_yaml_text(text, "fuzz.yaml"))
    except InputError as exc:
        assert exc.file == "fuzz.yaml"
        assert exc.message
    else:
        assert isinstance(result, Scenario)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.printable + "äé\u2028", max_size=200))
def test_fuzz_raw_text(text: str) -> None:
    try:
        parse_scenario(load_yaml_text(text, "fuzz.yaml"))
    except InputError as exc:
        assert exc.file == "fuzz.yaml"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_fuzz_mutated_good_scenario(noise: str) -> None:
    lines = GOOD.splitlines()
    for index in range(len(lines)):
        mutated = "\n".join(lines[:index] + [lines[index] + noise] + lines[index + 1 :])
        with contextlib.suppress(InputError):
            parse_scenario(load_yaml_text(mutated, "fuzz.yaml"))


def test_a_users_regime_file_is_resolved_and_validated(write) -> None:  # type: ignore[no-untyped-def]
    from importlib import resources

    text = (
        resources.files("immsim.parameters").joinpath("regimes", "nov2014.yaml").read_text("utf-8")
    )
    write("mine.yaml", text.replace("name: nov2014", "name: mine"))
    scenario = load_scenario(write("s.yaml", GOOD.replace("regime: nov2014", "regime: mine.yaml")))
    assert scenario.regime.endswith("mine.yaml")
    write("broken.yaml", text.replace("non_priority: case_by_case", "non_priority: maybe"))
    with pytest.raises(InputError) as info:
        load_scenario(write("s2.yaml", GOOD.replace("regime: nov2014", "regime: broken.yaml")))
    assert info.value.file is not None and info.value.file.endswith("broken.yaml")
