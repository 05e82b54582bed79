"""The weekly engine.

Its loops are compiled by numba, which caches them on disk beside each module and checks only
the caching module's own file: the compiled week (``week.py``) inlines the draws and stages of
``draws.py`` and ``stages.py``, so after an edit to those a stale week would be loaded. The
check below drops the engine's numba caches whenever any of the three files changed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_COMPILED = ("draws.py", "stages.py", "week.py")


def _drop_stale_caches() -> None:
    here = Path(__file__).parent
    cache = here / "__pycache__"
    digest = hashlib.sha256(b"".join((here / name).read_bytes() for name in _COMPILED))
    stamp = cache / "numba-sources.sha256"
    try:
        if stamp.is_file() and stamp.read_text() == digest.hexdigest():
            return
        for path in cache.glob("*.nb[ic]"):
            path.unlink()
        cache.mkdir(exist_ok=True)
        stamp.write_text(digest.hexdigest())
    except OSError:  # a read-only install: its files do not change either
        return


_drop_stale_caches()
