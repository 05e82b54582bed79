"""Regenerate the README's screenshots (needs Debian's chromium and the test extras).

.venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _args

OUT = Path(__file__).resolve().parents[1] / "docs" / "img"
DONE = "document.getElementById('status').textContent.startsWith('Done')"


def main() -> None:
    # imported here: --help needs neither the browser nor the server (test extras)
    import uvicorn
    from playwright.sync_api import sync_playwright

    from immsim.engine.run import run
    from immsim.presentation.report import write_report
    from immsim.presentation.server import create_app
    from immsim.scenario import resolve_scenario

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
        page.wait_for_function(DONE, timeout=120000)
        page.click("#add")  # scenario B: the same, with the officers of 2017
        page.wait_for_function(DONE, timeout=120000)
        second = "fieldset.scenario[data-index='1']"
        page.fill(f"{second} input[name=officers]", "16100")
        page.dispatch_event(f"{second} input[name=officers]", "change")
        time.sleep(0.5)
        page.wait_for_function(DONE, timeout=120000)
        time.sleep(1)
        page.screenshot(path=str(OUT / "serve.png"), full_page=True)
        narrow = browser.new_page(viewport={"width": 360, "height": 760})
        narrow.goto(f"http://127.0.0.1:{port}/")
        narrow.wait_for_function(DONE, timeout=120000)
        narrow.screenshot(path=str(OUT / "serve-narrow.png"), full_page=False)
        narrow.close()
        page.goto(report.as_uri())
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 5")
        time.sleep(1)
        page.screenshot(path=str(OUT / "report.png"), full_page=False)
        page.locator(".js-plotly-plot").nth(2).scroll_into_view_if_needed()
        page.locator(".js-plotly-plot").nth(2).screenshot(path=str(OUT / "report-who.png"))
        browser.close()
    server.should_exit = True
    print(f"wrote serve.png, serve-narrow.png, report.png and report-who.png in {OUT}")


if __name__ == "__main__":
    _args.parser(__doc__, __file__).parse_args()
    main()
