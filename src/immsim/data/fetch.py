"""Download public releases from their publishers (the tests never use the network)."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from immsim.atomic import atomic_file
from immsim.errors import ImmsimError, InputError

Progress = Callable[[str, int, int | None], None]


@cache
def sources() -> dict[str, dict[str, Any]]:
    text = resources.files("immsim.data").joinpath("sources.yaml").read_text("utf-8")
    data: dict[str, dict[str, Any]] = yaml.safe_load(text)
    return data


def _url_and_name(entry: str | dict[str, str]) -> tuple[str, str]:
    """A registry file is a web address, or ``{url, name}`` where the address does not end in
    a usable file name (shared-link downloads)."""
    if isinstance(entry, dict):
        return entry["url"], entry["name"]
    return entry, Path(urlparse(entry).path).name


def fetch(
    name: str,
    out: Path,
    urls: list[str] | None = None,
    progress: Progress | None = None,
    timeout: float = 60.0,
) -> list[Path]:
    """Download a named source's files (or ``urls``) into ``out``; each file lands whole or
    not at all."""
    known = sources()
    if name not in known:
        raise InputError(f"unknown source {name!r}", allowed=", ".join(sorted(known)))
    wanted: list[str | dict[str, str]] = list(urls or known[name]["files"])
    if not wanted:
        raise InputError(
            f"{name} has no fixed file list; give the files with --url",
            allowed=known[name]["description"],
        )
    saved = []
    for entry in wanted:
        url, filename = _url_and_name(entry)
        if urlparse(url).scheme not in ("https", "http"):
            raise InputError(f"not a web address: {url}")
        target = out / filename
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                size = response.headers.get("Content-Length")
                total = int(size) if size else None
                with atomic_file(target) as tmp, tmp.open("wb") as handle:
                    done = 0
                    while chunk := response.read(1 << 20):
                        handle.write(chunk)
                        done += len(chunk)
                        if progress:
                            progress(target.name, done, total)
        except OSError as err:
            raise ImmsimError(f"download failed: {url}: {err}") from None
        saved.append(target)
    return saved


__all__ = ["fetch", "sources"]
