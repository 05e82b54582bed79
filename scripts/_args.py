"""The scripts' command lines, made one way (imported by the scripts, not run itself).

- :func:`parser`: an ``argparse`` parser whose ``--help`` prints the script's docstring as
  written (it explains the derivation and the usage).
- :func:`file` and :func:`folder`: argument types that turn a missing input into a usage error
  naming the path (exit status 2), before anything is read or written.
- :func:`write`: a generated file written all at once (``immsim.atomic.atomic_file``), so a
  failed run leaves the old file; :func:`require` checks what was derived before that.
- :func:`run`: a script's ``main`` run so that a missing input file or an unwritable target is
  one line naming the path (exit status 1), not a traceback.

A script puts its own folder on ``sys.path`` before ``import _args``, so the import works both
run as ``python scripts/X.py`` and loaded by path (``tests/script_modules.py``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(1, str(ROOT / "src"))  # the package without an install, as before

from immsim.atomic import atomic_file  # noqa: E402
from immsim.errors import InputError  # noqa: E402


def parser(doc: str | None, script: str) -> argparse.ArgumentParser:
    """The parser of ``script`` (its ``__file__``), its help the module docstring ``doc``."""
    return argparse.ArgumentParser(
        prog=Path(script).name,
        description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def file(text: str) -> Path:
    """An input file that must exist."""
    path = Path(text)
    if not path.is_file():
        reason = "is a folder, not a file" if path.is_dir() else "no such file"
        raise argparse.ArgumentTypeError(f"{reason}: {text}")
    return path


def folder(text: str) -> Path:
    """An input folder that must exist."""
    path = Path(text)
    if not path.is_dir():
        reason = "is a file, not a folder" if path.exists() else "no such folder"
        raise argparse.ArgumentTypeError(f"{reason}: {text}")
    return path


def data_folder(parser: argparse.ArgumentParser, default: str) -> None:
    """The optional positional ``data``: the records' folder, ``default`` where not given."""
    parser.add_argument(
        "data",
        nargs="?",
        type=folder,
        default=default,
        help="the records' folder (default: %(default)s)",
    )


def fail(message: str) -> NoReturn:
    """Stop with ``message`` on standard error and exit status 1."""
    raise SystemExit(f"error: {message}")


def require(condition: object, message: str) -> None:
    """Stop (nothing written) unless what was derived is complete."""
    if not condition:
        fail(message)


def found(folder: Path, pattern: str) -> list[Path]:
    """The files in ``folder`` matching ``pattern``, sorted; none is an error naming both."""
    paths = sorted(folder.glob(pattern))
    require(paths, f"no {pattern} in {folder}")
    return paths


def write(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` all at once: the old file stays if anything fails."""
    with atomic_file(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def run(main: Callable[..., None], *args: object) -> None:
    """``main(*args)``, with a missing input file or an unwritable target reported in a line."""
    try:
        main(*args)
    except FileNotFoundError as err:
        fail(f"missing input: {err.filename or err}")
    except InputError as err:
        fail(str(err))
