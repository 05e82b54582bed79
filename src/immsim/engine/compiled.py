"""How the engine's loops are compiled, and keeping numba's disk cache of them true.

Numba caches each compiled function beside its module, and by default reloads it as long as
that module's own source is unchanged. But the compiled week calls (and inlines) loops from
several modules — the draws, every stage, the capacity cuts — so after an edit to any of them it
would reload a stale week. Here every engine function's cache is keyed instead to a digest of
all the engine's compiled sources (``_EngineCacheLocator``): an edit to any one of them makes
every engine cache miss and be rebuilt, and nothing outside the engine is affected. Nothing is
deleted; a stale cache entry is simply never read, and overwritten on the next compile.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

import numba
from numba.core import caching

_HERE = Path(__file__).resolve().parent


def compiled_sources() -> list[Path]:
    """Every module of the engine whose loops the week may compile in."""
    return sorted([*_HERE.glob("*.py"), *(_HERE / "stages").glob("*.py")])


@functools.cache
def sources_digest() -> str:
    """A digest of :func:`compiled_sources` (read once per process: a run does not edit them)."""
    digest = hashlib.sha256()
    for path in compiled_sources():
        digest.update(path.relative_to(_HERE).as_posix().encode() + b"\x00" + path.read_bytes())
    return digest.hexdigest()


# numba 0.68 made these public; earlier releases name them with a leading underscore
_names = vars(caching)
_InTree: Any = _names.get("InTreeCacheLocator") or _names["_InTreeCacheLocator"]
_CacheImpl: Any = _names.get("CacheImpl") or _names["_CacheImpl"]


class _EngineCacheLocator(_InTree):  # type: ignore[misc]
    """Numba's in-tree cache (``__pycache__`` beside the module) for the engine's functions,
    stamped with the digest of all the engine's compiled sources instead of the module's own."""

    def get_source_stamp(self) -> Any:
        return sources_digest()

    @classmethod
    def from_function(cls, py_func: Any, py_file: str) -> Any:
        if not Path(py_file).resolve().is_relative_to(_HERE):
            return None
        return super().from_function(py_func, py_file)


if _EngineCacheLocator not in _CacheImpl._locator_classes:
    # numba asks each locator in turn; ours answers for the engine's files only
    _CacheImpl._locator_classes.insert(0, _EngineCacheLocator)

jit = numba.njit(cache=True, nogil=True)
"""A compiled loop, cached on disk (it releases the GIL, so threads could share a core)."""
inline = numba.njit(cache=True, nogil=True, inline="always")
"""A compiled helper inlined into its callers (the draws called once per person or group)."""
