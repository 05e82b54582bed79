"""Hostile inputs (issue 25): every one is a single located InputError, never a traceback, a
hang, a run written where it should not be, or a silently wrong number."""

from __future__ import annotations

import datetime as dt
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
    """Run ``action``, which must raise InputError within the per-input budget."""
    tracemalloc.start()
    began = time.perf_counter()
    try:
        with pytest.raises(InputError) as info:
            action()
    finally:
        elapsed = time.perf_counter() - began
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.1f} s"
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
