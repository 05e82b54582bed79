"""The report's map and table by area, and the web app's area picker, for runs whose results
carry areas. Until the engine reports areas, the results by area are stood in for here: a
quarter of every outcome in Seattle and the rest in Atlanta (what a run by area would give, in
the by-area table's shape); a run without them shows no area anywhere."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import builds
import polars as pl
import pytest
from area_examples import SHARES, quarter_in_seattle

import immsim.analysis.areas as areas
from immsim.engine.run import run
from immsim.outcomes import by_year
from immsim.parameters import load_baseline
from immsim.presentation.areamap import TILES
from immsim.presentation.report import write_report
from immsim.scenario import load_scenario

# the populations built inside the package shared with the session's (conftest)
pytestmark = pytest.mark.usefixtures("shared_builds")

DONE = "document.getElementById('status').textContent.startsWith('Done')"


@pytest.fixture(scope="module")
def with_areas() -> Iterator[None]:
    patch = pytest.MonkeyPatch()
    patch.setattr(areas, "results_by_area", quarter_in_seattle)
    yield
    patch.undo()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("arearun")
    path = folder / "s.yaml"
    path.write_text(
        "name: area-report\nregime: eo13768\nstart: 2017-01-25\nhorizon_years: 2\nseed: 3\n",
        encoding="utf-8",
    )
    scenario = load_scenario(path)  # the population of test_web's report: built once
    return run(scenario, population=builds.prepared(scenario)).save(folder / "out")


def figures(text: str) -> dict[str, dict[str, Any]]:
    found = re.findall(r'data-figure="([^"]+)">(.*?)</script>', text)
    return {name: json.loads(spec.replace("<\\/", "</")) for name, spec in found}


def test_a_run_without_areas_has_no_area_section(run_dir: Path, tmp_path: Path) -> None:
    text = write_report(run_dir, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "By area of responsibility" not in text and "area-map" not in figures(text)


def test_the_map_colours_each_state_by_its_areas_rate(
    with_areas: None, run_dir: Path, tmp_path: Path
) -> None:
    from immsim.engine.results import load_results

    text = write_report(run_dir, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "By area of responsibility" in text
    heatmap = figures(text)["area-map"]["data"][0]
    # the run covers FY2017 from late January and FY2018 whole: the map is of FY2018
    national = by_year(load_results(run_dir), ("removals_interior",))
    removed = national.filter(pl.col("fiscal_year") == 2018)["removals_interior"][0]
    tree = load_baseline()
    for area, state in (("sea", "WA"), ("sea", "OR"), ("sea", "AK"), ("atl", "GA")):
        people = tree.get(f"population.by_aor.{area}", dt.date(2017, 10, 1))
        row, col = TILES[state]
        assert heatmap["z"][row][col] == pytest.approx(1000 * removed * SHARES[area] / people)
        assert heatmap["text"][row][col] == state
    # California is split: it is marked, and its label names each of its areas with its share
    row, col = TILES["CA"]
    assert heatmap["text"][row][col] == "CA*"
    assert heatmap["z"][row][col] is None  # Los Angeles, the largest, has no value in this run
    assert "Los Angeles (LOS): no value (49% of the state" in heatmap["hovertext"][row][col]
    assert "San Diego (SND)" in heatmap["hovertext"][row][col]
    assert "FY2018" in figures(text)["area-map"]["layout"]["title"]["text"]
    # the table: each area's counts and its states
    assert "<td>Seattle (SEA)</td><td>AK, OR, WA</td>" in text
    assert f"<td>{removed * 0.25:,.0f}</td>" in text


def test_every_state_has_a_tile_and_an_area() -> None:
    from immsim.presentation.areamap import state_areas

    states = {s["state"]: s for s in state_areas()}
    assert set(states) == set(TILES) and len(TILES) == 52  # 50 states, D.C., Puerto Rico
    assert len(set(TILES.values())) == 52  # no two tiles on one square
    split = {code for code, s in states.items() if len(s["areas"]) > 1}
    assert split == {"CA", "NY", "TX"}
    for state in states.values():
        assert sum(state["areas"].values()) == pytest.approx(1, abs=0.002)
    tree_areas = {k.rsplit(".", 1)[1] for k in load_baseline().keys("population.by_aor")}
    assert {a for s in states.values() for a in s["areas"]} == tree_areas


def test_the_map_draws_offline_with_a_title_and_a_unit(
    with_areas: None, run_dir: Path, tmp_path: Path, browser: Any
) -> None:
    report = write_report(run_dir, tmp_path / "r.html")
    page = browser.new_page()
    refused: list[str] = []
    page.route(
        "**/*",
        lambda r: (
            r.continue_()
            if r.request.url.startswith(("file:", "data:", "blob:"))
            else (refused.append(r.request.url), r.abort())
        ),
    )
    page.goto(report.as_uri())
    page.wait_for_function("document.querySelector('#area-map.js-plotly-plot') !== null")
    drawn = page.evaluate(
        """() => { const gd = document.getElementById('area-map');
        return {title: gd.querySelector('.gtitle').textContent,
                colorbar: gd.querySelector('.cbtitle')?.textContent ?? '',
                tiles: [...gd.querySelectorAll('.hm text, text.textpoint, .heatmaplayer text')]
                  .map(t => t.textContent).filter(t => t)}; }"""
    )
    page.close()
    assert refused == []
    assert "Interior removals by area, FY2018" in drawn["title"]
    assert "per 1,000 residents without status" in drawn["colorbar"]
    assert {"WA", "GA", "CA*", "TX*", "NY*"} <= set(drawn["tiles"]), drawn["tiles"]


def test_the_web_app_picks_an_area(with_areas: None, server: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(server)
    page.wait_for_function(DONE, timeout=90000)
    assert page.is_visible("#area")
    options = page.eval_on_selector_all("#area option", "os => os.map(o => o.textContent)")
    assert options == ["The nation", "Atlanta (ATL)", "Seattle (SEA)"]
    nation = float(page.get_attribute("#chart", "data-removals") or "nan")
    charts = page.eval_on_selector_all(".js-plotly-plot", "gs => gs.length")
    page.select_option("#area", "sea")
    page.wait_for_function("document.querySelector('.gtitle').textContent.includes('Seattle')")
    seattle = float(page.get_attribute("#chart", "data-removals") or "nan")
    assert seattle == pytest.approx(nation * 0.25)
    titles = page.eval_on_selector_all(
        ".js-plotly-plot .gtitle", "ts => ts.map(t => t.textContent)"
    )
    # only the outcomes counted by area: the court's docket, cost and shares are national
    assert len(titles) == 4 < charts
    assert all(t.endswith(": Seattle (SEA)") for t in titles), titles
    header = page.eval_on_selector_all("#summary th", "ts => ts.map(t => t.textContent)")
    assert not any("cost" in h for h in header) and "binds most weeks" not in header
    assert header[:3] == ["scenario", "FY", "ICE arrests (people a year)"]
    # the effects table shows the families Seattle's removals reach: a quarter of the nation's
    heads = page.eval_on_selector_all("#effects th", "ts => ts.map(t => t.textContent)")
    assert [h.split(" (")[0] for h in heads[2:]] == [
        "parents of U.S.-citizen children removed",
        "U.S.-citizen children who lost a parent",
        "mixed-status households reached",
    ]
    cells = page.eval_on_selector_all(
        "#effects tbody tr:first-child td", "ts => ts.map(t => t.textContent)"
    )
    parents, children = (float(c.replace(",", "")) for c in cells[2:4])
    assert children == pytest.approx(1.125 * parents, abs=1)  # Pew: 1.125 children a parent
    page.select_option("#area", "")
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot').length === {charts}")
    page.close()
