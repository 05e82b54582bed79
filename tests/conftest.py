"""Shared fixtures. Real data lives in ../shared/data beside the checkout; tests that need it
skip loudly (with the path they looked at) when it is absent."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("IMMSIM_SHARED_DATA", REPO.parent / "shared" / "data"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"SKIPPED: real data folder not found at {SHARED_DATA} (set IMMSIM_SHARED_DATA)"
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def shared_prepare() -> Callable[[Any], Any]:
    """``prepare(scenario)`` built once per session for everything the population's build reads
    (date, seed, the tree's answers: see tests/builds.py), to pass to ``run(population=...)``.
    Modules that build at import time call ``builds.prepared`` / ``builds.national`` directly."""
    import builds

    return builds.prepared


@pytest.fixture(scope="module")
def shared_builds() -> Iterator[None]:
    """Every ``build_population`` of the module (the CLI's, the analyses', the back-test's, the
    web app's, which build inside the package) served by the session's builds (tests/builds.py,
    through ``immsim.population.build.share_builds``), for modules that only use populations.
    Not for tests of the build itself, whose reads and repeats must happen."""
    import builds

    from immsim.population.build import share_builds

    before = share_builds(builds.national)
    yield
    share_builds(before)


@pytest.fixture
def write(tmp_path: Path):
    """Write a text file under tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def terminal80(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's console as on a real 80-column terminal (see tests/terminal.py)."""
    from immsim.cli.output import console

    monkeypatch.setattr(console, "_force_terminal", True)
    monkeypatch.setattr(console, "width", 80)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The web app served on a free local port, for the browser tests of a module."""
    import uvicorn

    from immsim.presentation.server import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    for _ in range(100):
        if instance.started:
            break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium driven by Playwright, for the tests of pages as people meet them."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"SKIPPED: Chromium not found at {CHROMIUM} (apt install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield instance
        instance.close()
