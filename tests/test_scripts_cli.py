"""The repository's scripts on bad arguments: every ``scripts/*.py`` (listed from the folder, so
a new one is covered; ``_``-named helpers such as ``_args.py`` are imported, not run) answers
``--help`` with its usage and docstring and writes nothing, and a script that writes a tree file
given a data path that does not exist, or a data folder with no records, stops with a message
naming the path and writes nothing (before, ``derive_detention_stays.py --help`` read no
workbook under the folder "--help" and overwrote ``tree/detention/record.yaml`` with an empty
leaf).

Each case is a subprocess (one interpreter a script, four at a time); the files the scripts
write are hashed before and after them all."""

from __future__ import annotations

import ast
import hashlib
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
WRITTEN = [
    ROOT / "src/immsim/parameters/tree",
    ROOT / "src/immsim/presentation/static/area_states.json",  # make_area_states.py's output
]

FOLDER, FILE = "folder", "file"
WRITERS = {
    # a script that writes a generated file: what its data argument is
    "derive_detention_stays": FOLDER,
    "make_border_tree": FOLDER,
    "make_geography_tree": FOLDER,
    "make_start_state_tree": FOLDER,
    "derive_ice_arrestee_releases": FILE,
    "derive_enforcement_channels": FILE,
    "make_aor_population_tree": FILE,
    "make_area_states": FILE,
}
NO_DATA_ARGUMENT = {"derive_cooperation"}
"""Writes the tree (``--write``) from the tree file itself: no data path to get wrong."""


def _scripts() -> list[Path]:
    return sorted(p for p in SCRIPTS.glob("*.py") if not p.name.startswith("_"))


def _digests() -> dict[str, str]:
    files: list[Path] = []
    for place in WRITTEN:
        files += sorted(p for p in place.rglob("*") if p.is_file()) if place.is_dir() else [place]
    return {str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _run_all(cases: dict[str, list[str]], cwd: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    def one(args: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=300
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(cases, pool.map(one, cases.values()), strict=True))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """Every script with ``--help``, and each writer on a missing path and on an empty folder,
    run from an empty folder (so a relative default finds nothing either)."""
    work = tmp_path_factory.mktemp("scripts_cli")
    empty = work / "empty"
    empty.mkdir()
    cases = {f"help {p.stem}": [str(p), "--help"] for p in _scripts()}
    for name, kind in WRITERS.items():
        missing = work / ("no-such-data" if kind == FOLDER else "no-such-file.csv")
        cases[f"missing {name}"] = [str(SCRIPTS / f"{name}.py"), str(missing)]
        if kind == FOLDER:
            cases[f"empty {name}"] = [str(SCRIPTS / f"{name}.py"), str(empty)]
    before = _digests()
    results = _run_all(cases, work)
    yield {"results": results, "before": before, "after": _digests(), "work": work}


def test_every_script_answers_help_with_its_usage_and_docstring(runs: dict[str, object]) -> None:
    results = runs["results"]
    assert isinstance(results, dict)
    scripts = _scripts()
    assert len(scripts) >= 20  # the folder was listed
    for path in scripts:
        done = results[f"help {path.stem}"]
        assert done.returncode == 0, (path.name, done.stderr[-2000:])
        assert done.stdout.startswith(f"usage: {path.name}"), (path.name, done.stdout[:200])
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc, f"{path.name} has no docstring for its --help"
        assert doc.splitlines()[0] in done.stdout, path.name


def test_no_bad_argument_writes_a_file(runs: dict[str, object]) -> None:
    """--help, a missing path and an empty folder leave every generated file byte-identical."""
    before, after = runs["before"], runs["after"]
    assert isinstance(before, dict) and isinstance(after, dict)
    assert before, "no files hashed"
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"written by a script on bad arguments (git checkout them): {changed}"


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_a_writer_given_a_missing_path_stops_naming_it(runs: dict[str, object], name: str) -> None:
    results, work = runs["results"], runs["work"]
    assert isinstance(results, dict) and isinstance(work, Path)
    done = results[f"missing {name}"]
    missing = work / ("no-such-data" if WRITERS[name] == FOLDER else "no-such-file.csv")
    assert done.returncode == 2, done.stderr[-2000:]  # argparse's usage error
    assert str(missing) in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("name", sorted(n for n, kind in WRITERS.items() if kind == FOLDER))
def test_a_writer_given_a_folder_without_records_stops_naming_it(
    runs: dict[str, object], name: str
) -> None:
    """The case that emptied record.yaml: a folder that exists and holds no records."""
    results, work = runs["results"], runs["work"]
    assert isinstance(results, dict) and isinstance(work, Path)
    done = results[f"empty {name}"]
    assert done.returncode == 1, done.stderr[-2000:]
    assert str(work / "empty") in done.stderr
    assert "Traceback" not in done.stderr


def test_every_script_that_writes_a_file_is_checked_here() -> None:
    """A script writes a generated file only through ``_args.write`` (atomic, after its checks),
    and each that does is in WRITERS (or has no data argument), so a new one is tested above."""
    writers = set()
    for path in _scripts():
        text = path.read_text(encoding="utf-8")
        direct = (".write_text(", ".write_bytes(") + tuple(f"open({a}" for a in ("OUT", "TREE"))
        assert not any(d in text for d in direct), f"{path.name} writes around _args.write"
        assert not re.search(r"open\([^)]*[\"']w", text), f"{path.name} opens a file to write"
        if "_args.write(" in text:
            writers.add(path.stem)
    assert writers == set(WRITERS) | NO_DATA_ARGUMENT
