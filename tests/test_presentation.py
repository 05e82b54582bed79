"""What people look at: the HTML report, the JSON API (bad requests get a clear 422, never a
500), and the page itself driven in headless Chromium."""

from __future__ import annotations

import html
import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from immsim.engine.run import run
from immsim.presentation.charts import TRACE_TYPES
from immsim.presentation.report import write_report
from immsim.presentation.server import MAX_BODY, create_app
from immsim.scenario import parse_scenario
from immsim.yamlio import load_yaml_text

# the populations built inside the package shared with the session's (conftest)
pytestmark = pytest.mark.usefixtures("shared_builds")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("run")
    scenario_path = folder / "s.yaml"
    scenario_path.write_text(
        "name: report-test\nregime: nov2014\nstart: 2015-10-01\nhorizon_years: 1\nseed: 2\n"
        "reform:\n  name: more-judges\n  overrides:\n    courts.immigration_judges:\n"
        "      values:\n        2015-10-01: 500\n",
        encoding="utf-8",
    )
    from immsim.scenario import load_scenario

    return run(load_scenario(scenario_path)).save(folder / "out")


def test_bundled_plotly_js_is_the_version_plotly_draws_for() -> None:
    """The figures' JSON is written by the plotly package for its plotly.js; the bundle is built
    from that version (scripts/build_plotly_bundle.sh: rerun it after upgrading plotly)."""
    import gzip
    import re

    from plotly.offline import get_plotlyjs_version

    from immsim.presentation.charts import TRACE_TYPES, plotly_gz

    head = gzip.decompress(plotly_gz())[:400].decode()
    version = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", head)
    assert version, head
    assert version[1].split(".")[0] == get_plotlyjs_version().split(".")[0]
    assert all(kind in head for kind in TRACE_TYPES)  # as the build recorded them
    license_text = (
        Path(__file__).parents[1] / "src/immsim/presentation/static/plotly.js-LICENSE.txt"
    ).read_text(encoding="utf-8")
    assert "MIT" in license_text or "Permission is hereby granted" in license_text


def test_page_serves_the_partial_plotly_js(client: TestClient) -> None:
    import gzip

    from immsim.presentation.charts import plotly_gz

    zipped = client.get("/plotly.js", headers={"Accept-Encoding": "gzip"})
    assert zipped.status_code == 200 and zipped.content == gzip.decompress(plotly_gz())
    assert len(plotly_gz()) < 600_000  # the full build gzipped is 1.45 MB


def test_report_is_self_contained(run_dir: Path, tmp_path: Path) -> None:
    path = write_report(run_dir, tmp_path / "report.html")
    text = path.read_text(encoding="utf-8")
    assert "<script src=" not in text  # plotly is inlined: the file works offline
    assert text.count('class="chart"') == 5
    assert "Sankey" in text or "sankey" in text
    assert "courts.immigration_judges" in text  # the changed assumption, with its value
    assert "name: report-test" in text  # the scenario file itself
    assert "Who was removed" in text and "Cost by component" in text


def test_report_restates_costs_and_effects_by_year(run_dir: Path, tmp_path: Path) -> None:
    import datetime as dt

    from immsim.analysis.effects import costs_by_year
    from immsim.engine.results import load_results
    from immsim.parameters import load_baseline

    text = write_report(run_dir, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Costs in constant dollars" in text
    assert "cost, capital included (2024 USD millions)" in text
    results = load_results(run_dir)
    for row in costs_by_year(results, load_baseline(), dt.date(2015, 10, 1)).to_dicts():
        # FY2016 is priced at 2016's CPI-U (240.007) against 2024's (313.689)
        if row["fiscal_year"] == 2016:
            assert row["cost_constant"] == pytest.approx(
                (row["cost"] + row["cost_capital"]) * 313.689 / 240.007
            )
        assert f"{row['cost_constant'] / 1e6:,.0f}" in text
    # the families each year's removals reach: parents, and Pew's 1.125 children a parent
    from immsim.analysis.effects import parents_removed

    assert "parents of U.S.-citizen children removed" in text
    for row in parents_removed(results).to_dicts():
        assert f"<td>{row['parents']:,.0f}</td><td>{1.125 * row['parents']:,.0f}</td>" in text


def test_api_runs_levers_against_the_baseline(client: TestClient) -> None:
    r = client.post("/api/run", json={"regime": "sep2021", "horizon_years": 1, "judges": 900})
    assert r.status_code == 200
    out = r.json()
    assert len(out["fiscal_years"]) == 1
    assert set(out["series"]) == set(out["baseline"])
    assert 0 <= out["convicted_share"][0] <= 1
    # each year's costs and effects: Pew's 1.125 children a parent, a GDP loss within its band
    effects = out["effects"]
    assert effects["usc_children"][0] == pytest.approx(1.125 * effects["parents"][0])
    low, gdp, high = (effects[f"output_lost{e}"][0] for e in ("_low", "", "_high"))
    assert 0 < low <= gdp <= high


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"horizon_years": 99}, "horizon_years"),
        ({"officers": -5}, "officers"),
        ({"cooperation": 1.5}, "cooperation"),
        ({"regime": "martial_law"}, "unknown regime"),
        ({"code": "import os"}, "code"),
        ({"goal": "a lot"}, "goal"),
    ],
)
def test_bad_requests_get_a_clear_422(
    client: TestClient, body: dict[str, object], fragment: str
) -> None:
    r = client.post("/api/run", json=body)
    assert r.status_code == 422
    assert any(fragment in problem for problem in r.json()["detail"])


def test_malformed_and_oversized_bodies(client: TestClient) -> None:
    r = client.post("/api/run", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    r = client.post(
        "/api/run",
        content=json.dumps({"regime": "x" * (MAX_BODY + 10)}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413


def test_scenario_download_is_a_valid_scenario(client: TestClient) -> None:
    r = client.post(
        "/api/scenario", json={"regime": "eo13768", "officers": 16100, "horizon_years": 3}
    )
    assert r.status_code == 200
    scenario = parse_scenario(load_yaml_text(r.text, "downloaded.yaml"))
    assert scenario.regime == "eo13768" and scenario.horizon_years == 3
    assert scenario.reform is not None
    assert yaml.safe_load(r.text)["reform"]["overrides"]["enforcement.ero_deportation_officers"]


def test_openapi_docs_and_page(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert "/api/run" in client.get("/openapi.json").json()["paths"]
    page = client.get("/")
    assert page.status_code == 200 and "jan2025" in page.text


def test_concurrent_requests_do_not_interfere(client: TestClient) -> None:
    bodies = [
        {"regime": "sep2021", "horizon_years": 1, "officers": n} for n in (3000, 9000, 3000, 9000)
    ]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda b: client.post("/api/run", json=b).json(), bodies))
    serial = [client.post("/api/run", json=b).json() for b in bodies[:2]]
    assert answers[0] == answers[2] == serial[0]
    assert answers[1] == answers[3] == serial[1]
    assert answers[0] != answers[1]


def test_an_abandoned_run_stops_at_the_end_of_the_week_it_is_on() -> None:
    """The server marks a run abandoned when its page goes away (test_web shows it in Chromium);
    the run then computes the week it is on and no more, and nothing of it is kept."""
    import threading

    from immsim.presentation import server
    from immsim.presentation.levers import Scenarios

    abandoned = threading.Event()
    ticks: list[float] = []

    def tick(fraction: float, running: str) -> None:
        ticks.append(fraction)
        if len(ticks) == 5:  # the fifth week is done: the page goes away
            abandoned.set()

    request = Scenarios.model_validate(
        {"scenarios": [{"regime": "sep2021", "horizon_years": 3, "officers": 7373}]}
    )
    with pytest.raises(server.Abandoned) as stopped:
        server.simulate_all(request, tick, abandoned)
    assert (stopped.value.weeks, len(ticks)) == (6, 5)  # the sixth week was under way
    assert stopped.value.of >= 3 * 52 and stopped.value.running == "scenario A"
    key = request.scenarios[0].model_dump_json()
    assert key not in server._RESULTS  # the unfinished run is not kept as an answer


# --- in a real browser -----------------------------------------------------------------------


def test_page_levers_chart_and_report_in_chromium(
    server: str, tmp_path: Path, run_dir: Path
) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"SKIPPED: Chromium not found at {CHROMIUM} (apt install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(accept_downloads=True)
        page.goto(server)
        page.wait_for_function(
            "document.getElementById('status').textContent.startsWith('Done')", timeout=60000
        )
        before = page.get_attribute("#chart", "data-removals")
        assert page.locator("#chart .js-plotly-plot, #chart.js-plotly-plot").count() >= 1
        page.fill("input[name=officers]", "30000")
        page.fill("input[name=beds]", "150000")
        page.evaluate("document.getElementById('status').textContent = ''")
        page.dispatch_event("input[name=beds]", "change")
        page.wait_for_function(
            "document.getElementById('status').textContent.startsWith('Done')", timeout=60000
        )
        after = page.get_attribute("#chart", "data-removals")
        assert before and after and float(after) != float(before)
        with page.expect_download(timeout=60000) as info:
            page.click("#download-report")
        saved = tmp_path / "downloaded.html"
        info.value.save_as(saved)
        text = saved.read_text(encoding="utf-8")
        assert 'id="plotly-packed"' in text and text.count("data-figure=") == 5  # a whole report
        # the HTML report renders its charts in the same browser, offline
        report = write_report(run_dir, tmp_path / "report.html")
        page.goto(report.as_uri())
        page.wait_for_selector(".js-plotly-plot", timeout=30000)
        assert page.locator(".js-plotly-plot").count() == 5
        browser.close()


def test_reports_on_draws_and_comparisons_show_bands(tmp_path: Path) -> None:
    from immsim.cli import main

    a = tmp_path / "a.yaml"
    a.write_text(
        "name: a\nregime: sep2021\nstart: 2021-10-01\nhorizon_years: 2\nseed: 4\n"
        "uncertainties:\n  flows.emigration_rate: {dist: uniform, low: 0.02, high: 0.04}\n",
        encoding="utf-8",
    )
    b = tmp_path / "b.yaml"
    b.write_text(
        "name: b\nregime: jan2025\nstart: 2021-10-01\nhorizon_years: 2\nseed: 4\n", encoding="utf-8"
    )
    # in this process (the pool gives the same runs: test_analysis), sharing the session's builds
    one = ["--workers", "1"]
    assert main(["run", str(a), "--draws", "3", *one, "--out", str(tmp_path / "d")]) == 0
    assert (
        main(["compare", str(a), str(b), "--draws", "2", *one, "--out", str(tmp_path / "c")]) == 0
    )
    for folder in ("d", "c"):
        out = tmp_path / f"{folder}.html"
        assert main(["report", str(tmp_path / folder), "-o", str(out)]) == 0
        text = out.read_text(encoding="utf-8")
        assert '"fill":"toself"' in text.replace(" ", "")  # the bands
        assert "court cases pending" in text
        kinds = {t.get("type", "scatter") for f in _figures(text) for t in f["data"]}  # type: ignore[attr-defined]
        assert kinds <= TRACE_TYPES  # what the bundled plotly.js can draw
    compared = (tmp_path / "c.html").read_text(encoding="utf-8")
    assert "difference from a" in compared
    # the comparison's costs and effects: GDP lost, taxes, families, with the studies' range
    assert "Costs and effects in FY" in compared and "GDP lost a year" in compared
    assert "U.S.-citizen children who lost a parent" in compared


# --- what the report says and how it draws it ------------------------------------------------


def _figures(text: str) -> list[dict[str, object]]:
    """Every figure a report draws, as the JSON it hands plotly.js."""
    import re

    found = re.findall(r'<script type="application/json" data-figure="[^"]+">(.*?)</script>', text)
    return [json.loads(f.replace("<\\/", "</")) for f in found]


def test_report_names_levels_in_words_and_natural_order(run_dir: Path, tmp_path: Path) -> None:
    text = write_report(run_dir, tmp_path / "r.html").read_text(encoding="utf-8")
    who = next(f for f in _figures(text) if "Who was removed" in f["layout"]["title"]["text"])  # type: ignore[index]
    names = [t["name"] for t in who["data"]]  # type: ignore[attr-defined]
    assert not [n for n in names if "_" in n], names  # no raw codes
    years = [n for n in names if "year" in n]
    assert years == [
        "under 2 years",
        "2 to 4 years",
        "5 to 9 years",
        "10 to 14 years",
        "15 years or more",
    ]
    crimes = names[: names.index("aggravated felony") + 1]
    assert crimes[0] == "no conviction" and crimes[-1] == "aggravated felony"
    # the tiers by the regime's own titles (nov2014: "Priority 1, Level 1: ...")
    assert any(n.startswith("Priority 1") for n in names), names
    assert all(t.get("showlegend", True) is not False for t in who["data"])  # type: ignore[attr-defined]


def test_report_is_smaller_and_defines_each_outcome_once(run_dir: Path, tmp_path: Path) -> None:
    from immsim.outcomes import HEADLINES, OUTCOMES

    path = write_report(run_dir, tmp_path / "r.html")
    # was 4.9 MB with plotly.js raw, then 2.1 MB with it packed; now packed and partial
    assert path.stat().st_size < 800_000
    text = path.read_text(encoding="utf-8")
    for name in HEADLINES:
        assert html.escape(OUTCOMES[name].definition) in text
        assert html.escape(OUTCOMES[name].axis_title) in text
    for figure in _figures(text):
        layout = figure["layout"]
        assert layout["title"]["text"]  # type: ignore[index]
        for key, value in layout.items():  # type: ignore[attr-defined]
            if key.startswith(("xaxis", "yaxis")):
                assert value["title"]["text"], (layout["title"], key)


def test_band_reports_start_at_zero_with_units(tmp_path: Path) -> None:
    import polars as pl

    from immsim.outcomes import HEADLINES, OUTCOMES
    from immsim.presentation.bands import band_figure

    frame = pl.DataFrame(
        {
            "fiscal_year": [2020, 2021],
            "metric": ["cost", "cost"],
            "p05": [1e9, 2e9],
            "p25": [2e9, 3e9],
            "median": [3e9, 4e9],
            "p75": [4e9, 5e9],
            "p95": [5e9, 6e9],
        }
    )
    figure = band_figure(frame, "cost", "cost", None)
    assert figure.layout.yaxis.title.text == "operating cost (USD millions a year)"
    assert figure.layout.yaxis.rangemode == "tozero"
    assert figure.layout.xaxis.title.text == "fiscal year"
    assert max(figure.data[-1].y) == 4000  # in millions, as the axis says
    assert [t.name for t in figure.data] == ["90% of draws", "50% of draws", "median"]
    assert {OUTCOMES[n].axis_title for n in HEADLINES} >= {"ICE arrests (people a year)"}


# --- the levers API --------------------------------------------------------------------------


def test_levers_are_todays_values_and_units_from_the_tree(client: TestClient) -> None:
    from immsim.parameters import load_baseline
    from immsim.presentation.levers import START

    config = client.get("/api/levers").json()
    tree = load_baseline()
    assert config["max_years"] == 10 and config["max_scenarios"] == 3
    for lever in config["levers"]:
        leaf = tree.leaf(lever["key"])
        assert lever["today"] == leaf.entry(START).value
        assert lever["tree_unit"] == leaf.unit and lever["unit"]
        assert lever["min"] <= lever["today"] <= lever["max"]
    words = {r["name"]: r for r in config["regimes"]}
    # ICE's COVID-19 posture (18 March 2020) ended EO 13768's rules before the 2021 revocation
    assert words["eo13768"]["in_force"] == "25 January 2017 to 18 March 2020"
    assert words["mar2020_covid"]["in_force"] == "18 March 2020 to 13 July 2020"
    assert words["jul2020_covid"]["in_force"] == "13 July 2020 to 20 January 2021"
    assert words["jan2025"]["in_force"] == "since 20 January 2025"
    assert "Executive Order 13768" in words["eo13768"]["title"]
    page = client.get("/").text
    assert "Executive Order 13768" in page and "since 20 January 2025" in page


def test_ten_year_horizons_and_no_more(client: TestClient) -> None:
    assert client.post("/api/scenario", json={"horizon_years": 10}).status_code == 200
    r = client.post("/api/scenario", json={"horizon_years": 11})
    assert r.status_code == 422 and "horizon_years" in r.json()["detail"][0]


def test_runs_stream_progress_then_each_scenario_against_its_baseline(client: TestClient) -> None:
    body = {
        "scenarios": [
            {"regime": "sep2021", "horizon_years": 1, "seed": 5},
            {"regime": "sep2021", "horizon_years": 1, "seed": 5, "officers": 12000},
        ]
    }
    r = client.post("/api/runs", json=body)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in r.text.splitlines()]
    progress = [line["progress"] for line in lines if "progress" in line]
    assert progress == sorted(progress) and progress[-1] == 1.0 and len(progress) > 4
    results = lines[-1]["results"]
    assert len(results) == 2
    assert results[0]["series"] == results[0]["baseline"]  # no lever moved: the baseline itself
    assert results[1]["baseline"] == results[0]["baseline"]
    assert results[1]["series"]["arrests"] != results[0]["series"]["arrests"]
    assert set(results[0]["series"]) >= {"arrests", "removals", "cost", "convicted_share"}


@pytest.mark.parametrize(
    ("scenarios", "fragment"),
    [
        ([{}] * 4, "scenarios"),
        ([{}, {"officers": -1}], "scenarios.1.officers"),
        ([{"regime": "nobody"}], "scenarios.0.regime"),
        ([], "scenarios"),
    ],
)
def test_runs_reject_bad_scenarios_naming_the_field(
    client: TestClient, scenarios: list[dict[str, object]], fragment: str
) -> None:
    r = client.post("/api/runs", json={"scenarios": scenarios})
    assert r.status_code == 422
    assert any(problem.startswith(fragment) for problem in r.json()["detail"]), r.json()


def test_api_docs_are_served_from_here(client: TestClient) -> None:
    import re

    text = client.get("/docs").text
    assert "/api/runs" in text and "horizon_years" in text and "≤ 10<" in text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)  # nothing from elsewhere
