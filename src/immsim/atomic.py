"""Write files and folders all at once: a failed or interrupted write leaves the old version, or
nothing, never half of one.

Everything is written to a temporary name in the same folder (same file system) and renamed
into place, which POSIX makes atomic. A place that cannot be written (no permission, a file
where a folder should be, a read-only or full disk) is an :class:`InputError` naming the target:
the user chose the path, and can choose another.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from immsim.errors import InputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _cannot_write(target: Path, err: OSError) -> InputError:
    reason = err.strerror or type(err).__name__
    return InputError(f"cannot write here: {reason}", file=str(target))


def check_target(target: Path, overwrite: bool = False) -> None:
    """Fail now, before a long computation, where writing ``target`` later would fail: it exists
    and may not be replaced, or the nearest folder above it that exists cannot be written.
    Writes nothing."""
    if target.exists() and not overwrite:
        raise InputError(
            "already exists; pick another output or allow overwriting", file=str(target)
        )
    folder = target.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"cannot write here: {folder} is not a writable folder", file=str(target))


@contextmanager
def atomic_file(target: Path, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``target`` (which must not exist
    unless ``overwrite``)."""
    if target.is_dir():
        raise InputError("is a folder; give a file name", file=str(target))
    check_target(target, overwrite)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
    except OSError as err:
        raise _cannot_write(target, err) from err
    tmp = Path(name)
    try:
        yield tmp
        try:
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, target)
        except OSError as err:
            raise _cannot_write(target, err) from err
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_folder(target: Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder to fill; on success it becomes ``target``."""
    check_target(target, overwrite)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as err:
        raise _cannot_write(target, err) from err
    try:
        yield tmp
        try:
            os.chmod(tmp, 0o777 & ~_umask())
            if target.exists():
                old = target.with_name(f".{target.name}.old")
                shutil.rmtree(old, ignore_errors=True)
                os.replace(target, old)
                os.replace(tmp, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, target)
        except OSError as err:
            raise _cannot_write(target, err) from err
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
