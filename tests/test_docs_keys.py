"""What README.md, docs/design.md and docs/levers.md name exists: parameter keys, paths, commands.

The three documents users read first must stay true to the code. docs/calibration.md is left
out: it is a dated log of experiments, where old keys and scripts are history.

- **Parameter keys.** Every dotted name inside backticks (inline code or a fenced block) that
  starts with a branch of the tree (``border.``, ``courts.``, ...) is a leaf of the tree loaded
  by :func:`immsim.parameters.load_baseline`, or a branch of it (a prefix of leaves). A segment
  ``*`` or ``<area>`` (any ``<...>``) stands for any one segment. Not keys: a dotted name called
  as a function (``border.detained()``: a function of module ``engine/border.py``) and a file
  name (``stages/removal.py``, ``tree/flows.yaml``).
- **History.** A key that no longer exists may be named only as history, marked next to it: the
  word *was* or *formerly* right before its backticks (was ``old.key``), or ``(renamed``,
  ``(removed`` or ``(new`` right after them (``old.key`` (renamed ...); ``(new`` for a leaf a
  worked example proposes).
- **Siblings.** A span that is only ``.name``, listed right after a key's span on the same
  line (after a comma, slash, *and* or *or*, a bracket between allowed), names that key's
  sibling (``enforcement.effort.program_share.custodial``, ``.at_large``), which must exist.
- **Paths.** Every ``src/``, ``scripts/``, ``tests/``, ``benchmarks/`` or ``docs/`` path the
  text names (anywhere, links included) exists; ``*`` and ``<name>`` are wildcards. A module
  path in backticks (``engine/stages/leads.py``, ``tree/processing.yaml``) exists under
  ``src/immsim/``, ``src/immsim/engine/`` or ``src/immsim/parameters/``.
- **Commands.** Every ``immsim COMMAND [SUBCOMMAND]`` in backticks is a command of the CLI, and
  every ``--option`` after it (up to a ``#`` comment) is one of that command's options; so is
  every ``--option`` of a span that starts with a command's name (``calibrate --prior range``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.core import TyperGroup

from immsim.cli import app
from immsim.parameters import load_baseline

ROOT = Path(__file__).resolve().parents[1]
DOCS = ("README.md", "docs/design.md", "docs/levers.md")
BRANCHES = (
    "border",
    "courts",
    "detention",
    "enforcement",
    "flows",
    "population",
    "removal",
    "economy",
    "geography",
    "processing",
    "costs",
    "prices",
)
KEY = re.compile(
    r"(?<![\w/.<-])((?:%s)(?:\.(?:\w+|<[^>\s]+>|\*))+)(\()?" % "|".join(BRANCHES)  # noqa: UP031
)
FILE_SUFFIX = re.compile(r"\.(py|ya?ml|csv|json|md|parquet|html|txt|sh)$")
HISTORY_BEFORE = re.compile(r"\b(was|formerly)\s+$")
HISTORY_AFTER = re.compile(r"^\s*\((renamed|removed|new)\b")
PATH = re.compile(r"(?<![\w/.-])((?:src|scripts|tests|benchmarks|docs)/[\w./*<>-]*[\w*>])")
MODULE_PATH = re.compile(
    r"(?<![\w/.-])((?:engine|stages|parameters|tree|cli|population|analysis|calibration|"
    r"presentation|regimes|data|scenarios)/[\w./*<>-]*\.(?:py|yaml))"
)
COMMAND = re.compile(r"(?<![\w/.-])immsim((?:\s+[^\s#|;&`]+)*)")
ROOT_OPTIONS = {"--help", "--version", "--debug"}


@dataclass(frozen=True)
class Code:
    """One piece of code in a document: an inline span, or one line of a fenced block."""

    where: str
    text: str
    before: str  # the prose just before an inline span on its line ("" in a fenced block)
    after: str


def code(doc: str, text: str) -> Iterator[Code]:
    fenced = False
    for number, line in enumerate(text.splitlines(), 1):
        where = f"{doc}:{number}"
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            yield Code(where, line, "", "")
            continue
        for span in re.finditer(r"`([^`]+)`", line):
            yield Code(where, span.group(1), line[: span.start()], line[span.end() :])


def documents() -> Iterator[tuple[str, str]]:
    for doc in DOCS:
        yield doc, (ROOT / doc).read_text(encoding="utf-8")


def _pattern(name: str) -> re.Pattern[str]:
    segments = (
        r"[^.]+" if s == "*" or s.startswith("<") else re.escape(s) for s in name.split(".")
    )
    return re.compile(r"\.".join(segments) + r"(\.|$)")


def missing_keys(items: Iterator[Code], keys: set[str]) -> list[str]:
    """Keys named in these pieces of code that are neither in ``keys`` (as a leaf or a branch)
    nor marked as history."""
    wrong = []
    last: dict[str, str] = {}  # the line's last key named in full
    for item in items:
        sibling = re.fullmatch(r"\.\w+(?:\.\w+)*", item.text)
        listed = re.search(r"`\s*(?:\([^()]*\))?\s*(?:,|/|and|or)\s*$", item.before)  # after a span
        if (
            sibling and listed and item.where in last
        ):  # `.other` after `enforcement.effort.program_share.x`
            name = last[item.where].rsplit(".", 1)[0] + item.text
            if not any(_pattern(name).match(key) for key in keys):
                wrong.append(f"{item.where}: `{item.text}` ({name})")
            continue
        for match in KEY.finditer(item.text):
            name, called = match.group(1), match.group(2)
            if called or FILE_SUFFIX.search(name):
                continue
            if item.before and HISTORY_BEFORE.search(item.before):
                continue
            if item.after and HISTORY_AFTER.search(item.after):
                continue
            last[item.where] = name
            pattern = _pattern(name)
            if not any(pattern.match(key) for key in keys):
                wrong.append(f"{item.where}: `{name}`")
    return wrong


def _exists(path: str, bases: tuple[Path, ...]) -> bool:
    pattern = re.sub(r"<[^>]+>", "*", path)
    return any(
        any(base.glob(pattern)) if "*" in pattern else (base / pattern).exists() for base in bases
    )


def missing_paths(doc: str, text: str) -> list[str]:
    wrong = [
        f"{doc}:{number}: {match.group(1)}"
        for number, line in enumerate(text.splitlines(), 1)
        for match in PATH.finditer(line)
        if not _exists(match.group(1), (ROOT,))
    ]
    bases = (ROOT / "src/immsim", ROOT / "src/immsim/engine", ROOT / "src/immsim/parameters")
    wrong += [
        f"{item.where}: {match.group(1)}"
        for item in code(doc, text)
        for match in MODULE_PATH.finditer(item.text)
        if not _exists(match.group(1), bases)
    ]
    return wrong


def _options(command: Any) -> set[str]:
    return {o for p in command.params for o in (*p.opts, *p.secondary_opts)} | ROOT_OPTIONS


def wrong_commands(items: Iterator[Code], root: TyperGroup) -> list[str]:
    """``immsim`` commands, subcommands and options named in these pieces of code that the CLI
    does not have."""
    wrong = []
    for item in items:
        text = item.text
        if text.split(" ", 1)[0] in root.commands and " --" in text:
            text = "immsim " + text  # a command named without its program: `calibrate --prior`
        for match in COMMAND.finditer(text):
            words = match.group(1).split()
            if not words or words[0].startswith("-"):
                wrong += [f"{item.where}: immsim {w}" for w in words[:1] if w not in ROOT_OPTIONS]
                continue
            command: Any = root.commands.get(words[0])
            rest = words[1:]
            if isinstance(command, TyperGroup) and rest and not rest[0].startswith("-"):
                command, rest = command.commands.get(rest[0]), rest[1:]
            if command is None:
                wrong.append(f"{item.where}: immsim {' '.join(words[:2])}")
                continue
            allowed = _options(command)
            for word in rest:
                option = word.strip("[](),.:'\"").split("=")[0]
                if option.startswith("--") and option not in allowed:
                    wrong.append(f"{item.where}: immsim {words[0]} ... {option}")
    return wrong


@pytest.fixture(scope="module")
def keys() -> set[str]:
    return set(load_baseline().keys())


@pytest.fixture(scope="module")
def root() -> TyperGroup:
    command = typer.main.get_command(app)
    assert isinstance(command, TyperGroup)
    return command


def test_every_key_the_docs_name_is_in_the_tree(keys: set[str]) -> None:
    wrong = [w for doc, text in documents() for w in missing_keys(code(doc, text), keys)]
    assert wrong == [], "not in the tree (fix the name, or mark it: was `old.key`)"


def test_every_path_the_docs_name_exists() -> None:
    assert [w for doc, text in documents() for w in missing_paths(doc, text)] == []


def test_every_command_and_option_the_docs_name_exists(root: TyperGroup) -> None:
    wrong = [w for doc, text in documents() for w in wrong_commands(code(doc, text), root)]
    assert wrong == []


def test_the_checks_see_what_is_wrong(keys: set[str], root: TyperGroup) -> None:
    """By hand: made-up names are caught; branches, placeholders, functions, file names and
    marked history are not."""
    text = (
        "`detention.funded_beds_typo` and `detention.funded_beds` and `geography.<measure>.<area>`"
        " and `economy.*` and `border.detained()` and `stages/removal.py` and"
        " was `detention.old_key` and `courts.gone` (renamed to courts.immigration_judges)"
        " `detention.start.detained`, `.removal_share`, `.made_up_share`; `Results` has `.weekly`\n"
        "```\nimmsim params show detention.nonexistent --at 2016-06-01\n```\n"
        "`immsim validate --figures F --no-such-option` `immsim teleport` `immsim params frob`"
        " `immsim run --draws 3 --seed 1` # ok `calibrate --no-prior`\n"
        "see scripts/no_such_script.py and tests/test_docs_keys.py and `engine/stages/nowhere.py`"
    )
    assert missing_keys(code("probe", text), keys) == [
        "probe:1: `detention.funded_beds_typo`",
        "probe:1: `.made_up_share` (detention.start.made_up_share)",
        "probe:3: `detention.nonexistent`",
    ]
    assert wrong_commands(code("probe", text), root) == [
        "probe:5: immsim validate ... --no-such-option",
        "probe:5: immsim teleport",
        "probe:5: immsim params frob",
        "probe:5: immsim calibrate ... --no-prior",
    ]
    assert missing_paths("probe", text) == [
        "probe:6: scripts/no_such_script.py",
        "probe:6: engine/stages/nowhere.py",
    ]
