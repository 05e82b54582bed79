"""Regenerate the README's screenshots (needs Debian's chromium and the test extras).

.venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from immsim.engine.run import run
from immsim.presentation.report import write_report
from immsim.presentation.server import create_app
from immsim.scenario import resolve_scenario

OUT = Path(__file__).resolve().parents[1] / "docs" / "img"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.1)
    folder = Path(tempfile.mkdtemp())
    scenario = resolve_scenario("eo13768-from-2017")
    report = write_report(run(scenario).save(folder / "run"), folder / "report.html")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_function(
            "document.getElementById('status').textContent.startsWith('Done')", timeout=60000
        )
        page.fill("input[name=officers]", "16100")
        page.dispatch_event("input[name=officers]", "change")
        time.sleep(0.5)
        page.wait_for_function(
            "document.getElementById('status').textContent.startsWith('Done')", timeout=60000
        )
        page.screenshot(path=str(OUT / "serve.png"), full_page=True)
        page.goto(report.as_uri())
        page.wait_for_selector(".js-plotly-plot")
        time.sleep(1)
        page.screenshot(path=str(OUT / "report.png"), full_page=False)
        browser.close()
    server.should_exit = True
    print(f"wrote {OUT / 'serve.png'} and {OUT / 'report.png'}")


if __name__ == "__main__":
    main()
