"""Shared fixtures. Real data lives in ../shared/data beside the checkout; tests that need it
skip loudly (with the path they looked at) when it is absent."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("IMMSIM_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"SKIPPED: real data folder not found at {SHARED_DATA} (set IMMSIM_SHARED_DATA)"
        )
    return SHARED_DATA


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
