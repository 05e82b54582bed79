"""The web app and the report as a person meets them, in real Chromium: every chart titled with
labelled axes and units, legends where there are several series, no result left on screen that
does not match the inputs, a narrow screen, and API docs that need no network."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import builds
import pytest

from immsim.engine.run import run
from immsim.presentation.report import write_report

DONE = "document.getElementById('status').textContent.startsWith('Done')"

# Every chart's title, axis titles and legend entries, as Plotly drew them (not as asked for).
CHARTS = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(gd => gd.offsetParent !== null)
  .map(gd => ({
    title: gd.querySelector('.gtitle')?.textContent ?? '',
    kinds: (gd.data || []).map(t => t.type || 'scatter'),
    xtitles: [...gd.querySelectorAll('.xtitle, .x2title, .x3title, .x4title, .x5title')].map(e => e.textContent),
    ytitles: [...gd.querySelectorAll('.ytitle, .y2title, .y3title, .y4title, .y5title')].map(e => e.textContent),
    legends: [...gd.querySelectorAll('.infolayer > g[class^=legend]')].map(
      l => [...l.querySelectorAll('text[class^=legend][class$=text]')].map(e => e.textContent)),
    traces: (gd.data || []).length,
    names: (gd.data || []).map(t => t.name),
  }))"""


def _offline(page: Any) -> list[str]:
    """Refuse every request that leaves this machine; return the refused addresses."""
    refused: list[str] = []

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("http://127.0.0.1", "file:", "data:", "blob:")):
            r.continue_()
        else:
            refused.append(url)
            r.abort()

    page.route("**/*", route)
    return refused


def _assert_labelled(charts: list[dict[str, Any]]) -> None:
    assert charts, "no chart on the page"
    for chart in charts:
        assert chart["title"].strip(), f"a chart has no title: {chart}"
        if "sankey" in chart["kinds"]:
            continue
        assert chart["xtitles"] and all(t.strip() for t in chart["xtitles"]), chart
        assert chart["ytitles"] and all(t.strip() for t in chart["ytitles"]), chart
        if "heatmap" not in chart["kinds"]:
            assert all("(" in t for t in chart["ytitles"]), f"a y axis without its unit: {chart}"


def test_page_charts_are_titled_with_axes_units_and_legends(server: str, browser: Any) -> None:
    page = browser.new_page()
    _offline(page)
    page.goto(server)
    page.wait_for_function(DONE, timeout=90000)
    charts = page.evaluate(CHARTS)
    _assert_labelled(charts)
    for chart in charts:  # each chart draws a scenario against its baseline: both named
        assert chart["legends"] and len(chart["legends"][0]) >= 2, chart
        assert any("baseline" in entry for entry in chart["legends"][0]), chart
    # the costs and effects: a row a year, each banded effect with the studies' range
    heads = page.evaluate("[...document.querySelectorAll('#effects th')].map(e => e.textContent)")
    assert any(h.startswith("GDP lost a year") for h in heads), heads
    assert any(h.startswith("U.S.-citizen children who lost a parent") for h in heads), heads
    rows = page.evaluate(
        "[...document.querySelectorAll('#effects tbody tr')].map(r => r.textContent)"
    )
    assert rows and all("FY" in r for r in rows), rows
    gdp = heads.index(next(h for h in heads if h.startswith("GDP lost")))
    cell = page.evaluate(f"document.querySelector('#effects tbody tr').children[{gdp}].textContent")
    assert "(" in cell and "–" in cell, cell  # central (low–high)
    # the wage response in hundredths of a percent (a whole number would read 0 or -0)
    wage = heads.index("average wage (% of the wage)")
    cell = page.evaluate(
        f"document.querySelector('#effects tbody tr').children[{wage}].textContent"
    )
    assert re.match(r"-\d+\.\d\d \(-\d+\.\d\d–-\d+\.\d\d\)", cell), cell
    assert any(h.startswith("detention capital (new beds)") for h in heads), heads
    page.close()


def test_invalid_change_after_a_valid_run_leaves_no_result_on_screen(
    server: str, browser: Any
) -> None:
    page = browser.new_page()
    page.goto(server)
    page.wait_for_function(DONE, timeout=90000)
    assert page.locator(".js-plotly-plot:visible").count() >= 1
    page.fill("input[name=officers]", "-5")
    page.dispatch_event("input[name=officers]", "change")
    alert = page.locator("[role=alert]:visible", has_text="officers")
    alert.first.wait_for(timeout=30000)
    time.sleep(1.5)  # whatever request the change might have sent has answered by now
    assert not page.evaluate(DONE)
    assert page.locator(".js-plotly-plot:visible").count() == 0
    assert page.evaluate("document.getElementById('summary').textContent.trim()") == ""
    colour = page.evaluate(
        "getComputedStyle(document.querySelector('[role=alert]:not(:empty)')).color"
    )
    red, green, blue = (int(c) for c in colour[colour.index("(") + 1 : -1].split(",")[:3])
    assert red > 150 and green < 80 and blue < 80, f"error text is not red: {colour}"
    # the alert sits next to the field it is about
    field = page.locator("input[name=officers]").bounding_box()
    box = page.locator("[role=alert]:visible", has_text="officers").first.bounding_box()
    assert field and box and abs(box["y"] - (field["y"] + field["height"])) < 60
    page.close()


def test_page_fits_a_narrow_screen(server: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(server)
    page.wait_for_function(DONE, timeout=90000)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide on a 360 px screen"
    for selector in ("input[name=officers]", "select[name=regime]", ".js-plotly-plot"):
        box = page.locator(selector).first.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360, selector
    page.close()


def test_api_docs_render_offline(server: str, browser: Any) -> None:
    page = browser.new_page()
    refused = _offline(page)
    page.goto(f"{server}/docs")
    page.wait_for_load_state("networkidle")
    text = page.inner_text("body")
    assert refused == [], f"/docs reaches out for {refused}"
    assert "/api/run" in text and "horizon_years" in text
    page.close()


def test_report_charts_have_titles_axes_units_and_legends(
    browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from immsim.scenario import load_scenario

    folder = tmp_path_factory.mktemp("webrun")
    path = folder / "s.yaml"
    path.write_text(
        "name: web-report\nregime: eo13768\nstart: 2017-01-25\nhorizon_years: 2\nseed: 3\n",
        encoding="utf-8",
    )
    scenario = load_scenario(path)  # the population of test_area_presentation's report
    results = run(scenario, population=builds.prepared(scenario))
    report = write_report(results.save(folder / "out"), folder / "r.html")
    page = browser.new_page()
    refused = _offline(page)
    page.goto(report.as_uri())
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 5")
    time.sleep(0.5)
    charts = page.evaluate(CHARTS)
    assert refused == []
    _assert_labelled(charts)
    who = next(c for c in charts if "Who was removed" in c["title"])
    legends = [entry for legend in who["legends"] for entry in legend]
    assert "15 years or more" in legends and "aggravated felony" in legends, legends
    assert not [e for e in legends if "_" in e], f"raw codes in a legend: {legends}"
    # stacked from the bottom in their natural order (the legend lists them as they stack)
    names = who["names"]
    assert (
        names.index("under 2 years") < names.index("2 to 4 years") < names.index("15 years or more")
    )
    assert names.index("no conviction") < names.index("felony") < names.index("aggravated felony")
    for chart in charts:
        if chart["traces"] > 1 and not {"sankey", "heatmap"} & set(chart["kinds"]):
            assert chart["legends"], f"several series and no legend: {chart['title']}"
    page.close()


def test_plotly_bundle_draws_every_trace_type_the_charts_use(browser: Any, tmp_path: Path) -> None:
    """The plotly.js built for immsim (scripts/build_plotly_bundle.sh) registers every trace
    type a report draws, as plotly.js itself lists them once loaded."""
    import gzip
    import json
    import re

    from immsim.presentation.charts import TRACE_TYPES, plotly_gz
    from immsim.scenario import load_scenario

    (tmp_path / "plotly.js").write_bytes(gzip.decompress(plotly_gz()))
    (tmp_path / "page.html").write_text('<script src="plotly.js"></script>', encoding="utf-8")
    page = browser.new_page()
    page.goto((tmp_path / "page.html").as_uri())
    registered = set(page.evaluate("Object.keys(Plotly.PlotSchema.get().traces)"))
    page.close()
    assert registered >= TRACE_TYPES, TRACE_TYPES - registered
    assert "scattergl" not in registered  # the partial build, not the full one
    path = tmp_path / "s.yaml"
    path.write_text("name: kinds\nregime: sep2021\nstart: 2021-10-01\nhorizon_years: 1\n")
    report = write_report(run(load_scenario(path)).save(tmp_path / "out"), tmp_path / "r.html")
    found = re.findall(r'data-figure="[^"]+">(.*?)</script>', report.read_text(encoding="utf-8"))
    kinds = {t.get("type", "scatter") for f in found for t in json.loads(f)["data"]}
    assert kinds == TRACE_TYPES  # the single-run report draws each kind the bundle carries


def _abandoned(caplog: pytest.LogCaptureFixture, count: int = 1) -> list[Any]:
    """The runs the server stopped because nobody waited for them (server.Abandoned), once it
    has stopped ``count`` of them (each stops at the end of the week it is on)."""
    for _ in range(600):
        found = [r.args[0] for r in caplog.records if r.name == "immsim.presentation.server"]
        if len(found) >= count:
            return found
        time.sleep(0.1)
    return found


def _ten_year_run(server: str, browser: Any, officers: int, caplog: Any) -> Any:
    """A page with a ten-year run of its own under way (``officers`` makes it one no other test
    has asked for, so it is not answered from the server's cache), past its first weeks."""
    import logging

    caplog.set_level(logging.INFO, logger="immsim.presentation.server")
    page = browser.new_page()
    page.goto(server)
    page.wait_for_function(DONE, timeout=90000)
    page.fill("input[name=officers]", str(officers))
    page.fill("input[name=horizon_years]", "10")
    page.dispatch_event("input[name=horizon_years]", "change")
    page.wait_for_function(
        "/Running scenario A[^0-9]*[1-9][0-9]*%/.test(document.getElementById('status').textContent)",
        timeout=120000,
    )
    return page


def test_a_run_superseded_by_another_stops_early(
    server: str, browser: Any, caplog: pytest.LogCaptureFixture
) -> None:
    page = _ten_year_run(server, browser, 7777, caplog)
    page.fill("input[name=horizon_years]", "1")  # another run: the ten-year one is abandoned
    page.dispatch_event("input[name=horizon_years]", "change")
    page.wait_for_function(DONE, timeout=120000)
    (stopped,) = _abandoned(caplog)
    assert stopped.running == "scenario A"
    assert stopped.of >= 52 * 10 and 0 < stopped.weeks < stopped.of / 2, stopped
    # what is on screen is the run asked for last
    years = page.evaluate("document.querySelector('#chart .js-plotly-plot').data[0].x.length")
    assert years == 1
    page.close()


def test_a_run_left_behind_by_closing_the_page_stops_early(
    server: str, browser: Any, caplog: pytest.LogCaptureFixture
) -> None:
    page = _ten_year_run(server, browser, 7676, caplog)
    page.close()
    (stopped,) = _abandoned(caplog)
    assert stopped.of >= 52 * 10 and 0 < stopped.weeks < stopped.of / 2, stopped


def test_three_scenarios_side_by_side_with_progress(server: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server)
    page.wait_for_function(DONE, timeout=90000)
    # every status line the page shows from here on
    page.evaluate(
        """window.seen = []; new MutationObserver(() => window.seen.push(
             document.getElementById('status').textContent)).observe(
             document.getElementById('status'), {childList: true, characterData: true, subtree: true})"""
    )
    page.click("#add")
    page.click("#add")
    assert page.locator("fieldset.scenario").count() == 3
    assert page.is_disabled("#add")
    third = "fieldset.scenario[data-index='2']"
    page.fill(f"{third} input[name=officers]", "20000")
    page.select_option(f"{third} select[name=regime]", "eo13768")
    page.dispatch_event(f"{third} select[name=regime]", "change")
    page.wait_for_function(DONE, timeout=120000)
    assert any("%" in line for line in page.evaluate("window.seen")), "no progress shown"
    charts = page.evaluate(CHARTS)
    _assert_labelled(charts)
    for chart in charts:
        entries = chart["legends"][0]
        assert {"Scenario A", "Scenario B", "Scenario C"} <= set(entries), entries
        assert sum("baseline" in e for e in entries) == 2  # one for each regime run
    # side by side: the three scenario boxes share a row
    tops = {
        round(page.locator(f"fieldset.scenario[data-index='{i}']").bounding_box()["y"])
        for i in range(3)
    }
    assert len(tops) == 1
    # the option names the regime in words with its dates
    option = page.inner_text(f"{third} select[name=regime] option[value=eo13768]")
    assert "Executive Order 13768" in option and "2017" in option
    page.close()


def test_a_valid_change_marks_the_results_out_of_date_at_once(server: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(server)
    page.wait_for_function(DONE, timeout=90000)
    assert not page.is_disabled("#download-csv")
    page.fill("input[name=beds]", "90000")  # typed, not yet committed
    assert page.evaluate("document.getElementById('chart').classList.contains('stale')")
    assert page.is_disabled("#download-csv")
    assert not page.evaluate(DONE)
    page.dispatch_event("input[name=beds]", "change")
    page.wait_for_function(DONE, timeout=90000)
    assert not page.evaluate("document.getElementById('chart').classList.contains('stale')")
    with page.expect_download() as info:
        page.click("#download-csv")
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert text.startswith("scenario,regime,fiscal_year,ICE arrests (people a year)")
    assert "Scenario A: baseline" in text
    page.close()
