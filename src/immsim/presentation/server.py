"""``immsim serve``: pick a regime, move the levers, see the result against the baseline.

A JSON API (OpenAPI docs at ``/docs``) and one light page that calls it. Every request is
validated and bounded (horizon, body size, each lever's range); nothing a user sends is ever run
as code; runs are serialized behind a lock so concurrent requests cannot interfere through the
shared caches.
"""

from __future__ import annotations

import datetime as dt
import threading
from functools import lru_cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from plotly.offline import get_plotlyjs
from pydantic import BaseModel, ConfigDict, Field

from immsim.errors import ImmsimError
from immsim.regimes.catalog import regime_names
from immsim.yamlio import dump_yaml

MAX_BODY = 16_384
START = dt.date(2026, 10, 1)
LEVER_KEYS = {
    "officers": "enforcement.ero_deportation_officers",
    "beds": "detention.funded_beds",
    "judges": "courts.immigration_judges",
    "goal": "enforcement.effort.removal_goal",
    "cooperation": "enforcement.channels.cooperation_full",
    "jail_287g": "enforcement.channels.jail_287g_share",
    "refusal_document_rate": "removal.logistics.travel_document_rate.refusing_or_delaying",
}


class Levers(BaseModel):
    """What a visitor may set. Bounds keep every request to a short, safe run."""

    model_config = ConfigDict(extra="forbid")

    regime: str = Field(default="jan2025", description="A shipped regime's name.")
    horizon_years: int = Field(default=2, ge=1, le=5)
    seed: int = Field(default=1, ge=0, le=2**31)
    officers: float | None = Field(default=None, ge=0, le=200_000)
    beds: float | None = Field(default=None, ge=0, le=2_000_000)
    judges: float | None = Field(default=None, ge=1, le=20_000)
    goal: float | None = Field(default=None, ge=0, le=5_000_000)
    cooperation: float | None = Field(default=None, ge=0, le=1)
    jail_287g: float | None = Field(default=None, ge=0, le=1)
    refusal_document_rate: float | None = Field(default=None, ge=0, le=52)

    def overrides(self) -> dict[str, float]:
        return {
            LEVER_KEYS[name]: float(value)
            for name in LEVER_KEYS
            if (value := getattr(self, name)) is not None
        }

    def scenario_yaml(self) -> str:
        doc: dict[str, Any] = {
            "name": "web-levers",
            "description": "Levers set in immsim serve",
            "regime": self.regime,
            "start": START,
            "horizon_years": self.horizon_years,
            "seed": self.seed,
        }
        if self.overrides():
            doc["reform"] = {
                "name": "web-levers",
                "overrides": {k: {"values": {START: v}} for k, v in self.overrides().items()},
            }
        return dump_yaml(doc)


SERIES = ("arrests", "removals", "removals_interior", "detained", "court_pending")
"""The outcomes the levers page charts (see :mod:`immsim.outcomes`)."""


class Outcome(BaseModel):
    fiscal_years: list[int]
    series: dict[str, list[float]]
    baseline: dict[str, list[float]]
    convicted_share: list[float]
    binding: list[str]


_LOCK = threading.Lock()


def _scenario(levers: Levers) -> Any:
    from immsim.scenario import parse_scenario
    from immsim.yamlio import load_yaml_text

    return parse_scenario(load_yaml_text(levers.scenario_yaml(), "web-levers.yaml"))


def _summarize(results: Any) -> dict[str, Any]:
    from immsim.outcomes import by_year

    years = by_year(results, (*SERIES, "convicted_share"))
    return {
        "fiscal_years": years["fiscal_year"].to_list(),
        "series": {c: [float(v) for v in years[c].to_list()] for c in SERIES},
        "convicted_share": [float(v or 0.0) for v in years["convicted_share"].to_list()],
        "binding": years["binding"].to_list(),
    }


@lru_cache(maxsize=1)
def _population() -> Any:
    from immsim.parameters import load_baseline
    from immsim.population.build import build_population

    return build_population(load_baseline(), START, seed=1)


@lru_cache(maxsize=32)
def _baseline(regime: str, horizon: int, seed: int) -> dict[str, Any]:
    from immsim.engine.run import run

    levers = Levers(regime=regime, horizon_years=horizon, seed=seed)
    return _summarize(run(_scenario(levers), population=_population()))


def simulate(levers: Levers) -> dict[str, Any]:
    from immsim.engine.run import run

    with _LOCK:
        result = _summarize(run(_scenario(levers), population=_population()))
        base = _baseline(levers.regime, levers.horizon_years, levers.seed)
    return {**result, "baseline": base["series"]}


def create_app() -> FastAPI:
    app = FastAPI(
        title="immsim",
        description="Aggregate simulation of U.S. interior immigration enforcement. "
        "It never scores or identifies a person.",
        version="1",
    )

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Any) -> Response:
        size = request.headers.get("content-length")
        if size is not None and (not size.isdigit() or int(size) > MAX_BODY):
            return JSONResponse({"detail": f"request body over {MAX_BODY} bytes"}, status_code=413)
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"detail": f"request body over {MAX_BODY} bytes"}, status_code=413)
        response: Response = await call_next(request)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in e['loc'] if p != 'body')}: {e['msg']}" for e in exc.errors()
        ]
        return JSONResponse({"detail": problems}, status_code=422)

    @app.exception_handler(ImmsimError)
    async def immsim_error(request: Request, exc: ImmsimError) -> JSONResponse:
        return JSONResponse({"detail": [str(exc)]}, status_code=422)

    @app.get("/api/regimes")
    def regimes() -> list[str]:
        return regime_names()

    @app.post("/api/run", response_model=Outcome)
    def run_levers(levers: Levers) -> dict[str, Any]:
        if levers.regime not in regime_names():
            raise ImmsimError(
                f"regime: unknown regime {levers.regime!r} (allowed: {', '.join(regime_names())})"
            )
        return simulate(levers)

    @app.post("/api/scenario", response_class=PlainTextResponse)
    def scenario_file(levers: Levers) -> str:
        if levers.regime not in regime_names():
            raise ImmsimError(f"regime: unknown regime {levers.regime!r}")
        _scenario(levers)  # validated like any scenario file
        return levers.scenario_yaml()

    @app.post("/api/report", response_class=HTMLResponse)
    def report(levers: Levers) -> str:
        from immsim.engine.run import run
        from immsim.presentation.report import render

        if levers.regime not in regime_names():
            raise ImmsimError(f"regime: unknown regime {levers.regime!r}")
        with _LOCK:
            results = run(_scenario(levers), population=_population())
        return render(results)

    @app.get("/plotly.js", response_class=PlainTextResponse)
    def plotly_js() -> Response:
        return Response(get_plotlyjs(), media_type="application/javascript")

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        options = "".join(
            f'<option value="{n}"{" selected" if n == "jan2025" else ""}>{n}</option>'
            for n in regime_names()
        )
        return PAGE.replace("{{OPTIONS}}", options)

    return app


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>immsim</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<script src="/plotly.js"></script>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 1100px; color: #222; }
form { display: grid; grid-template-columns: repeat(4, 1fr); gap: 0.6rem 1.2rem; }
label { font-size: 0.85rem; display: flex; flex-direction: column; }
#status { color: #555; min-height: 1.2rem; }
.error { color: #b00020; }
</style></head>
<body>
<h1>immsim: move the levers</h1>
<p>Ten-year questions in a few seconds: each change runs the model from October 2026 and draws it
against the same regime with today's capacities (dashed). Aggregate simulation only.</p>
<form id="levers">
<label>Regime <select name="regime">{{OPTIONS}}</select></label>
<label>Years <input name="horizon_years" type="number" min="1" max="5" value="2"></label>
<label>ERO officers <input name="officers" type="number" min="0" max="200000" step="500" placeholder="today"></label>
<label>Detention beds <input name="beds" type="number" min="0" max="2000000" step="1000" placeholder="today"></label>
<label>Immigration judges <input name="judges" type="number" min="1" max="20000" step="10" placeholder="today"></label>
<label>Removal goal a year <input name="goal" type="number" min="0" max="5000000" step="50000" placeholder="none"></label>
<label>Jails honouring detainers (share) <input name="cooperation" type="number" min="0" max="1" step="0.05" placeholder="today"></label>
<label>Jails with 287(g) (share) <input name="jail_287g" type="number" min="0" max="1" step="0.05" placeholder="today"></label>
<label>Travel documents a year, refusing countries <input name="refusal_document_rate" type="number" min="0" max="52" step="0.5" placeholder="today"></label>
</form>
<p><button id="run" type="button">Run</button>
<button id="download-scenario" type="button">Download scenario</button>
<button id="download-report" type="button">Download report</button></p>
<p id="status"></p>
<div id="chart" style="height:420px"></div>
<table id="summary"></table>
<script>
const form = document.getElementById('levers');
const status = document.getElementById('status');
function levers() {
  const data = {};
  for (const el of form.elements) {
    if (!el.name || el.value === '') continue;
    data[el.name] = el.name === 'regime' ? el.value : Number(el.value);
  }
  return data;
}
async function post(path, body) {
  const r = await fetch(path, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  if (!r.ok) { const e = await r.json(); throw new Error((e.detail || []).join('; ')); }
  return r;
}
async function run() {
  status.textContent = 'Running…'; status.className = '';
  const t0 = performance.now();
  try {
    const out = await (await post('/api/run', levers())).json();
    const x = out.fiscal_years.map(String);
    const traces = [];
    const names = {removals: 'removals', arrests: 'ICE arrests', detained: 'detained (average)'};
    for (const [k, label] of Object.entries(names)) {
      traces.push({x, y: out.series[k], name: label, type: 'scatter', mode: 'lines+markers'});
      traces.push({x, y: out.baseline[k], name: label + ' (baseline)', type: 'scatter', mode: 'lines', line: {dash: 'dash'}});
    }
    Plotly.react('chart', traces, {title: 'Your levers against the baseline', xaxis: {type: 'category', title: 'fiscal year'}, yaxis: {title: 'people'}});
    document.getElementById('chart').dataset.removals = String(out.series.removals.reduce((a, b) => a + b, 0));
    const rows = out.fiscal_years.map((fy, i) => `<tr><td>FY${fy}</td><td>${Math.round(out.series.removals[i]).toLocaleString()} removals</td><td>${Math.round(out.convicted_share[i] * 100)}% convicted</td><td>binds: ${out.binding[i]}</td></tr>`);
    document.getElementById('summary').innerHTML = rows.join('');
    status.textContent = `Done in ${((performance.now() - t0) / 1000).toFixed(1)} s.`;
  } catch (err) { status.textContent = err.message; status.className = 'error'; }
}
async function download(path, name, type) {
  try {
    const blob = new Blob([await (await post(path, levers())).text()], {type});
    const a = document.createElement('a'); a.href = URL.createObjectURL(blob); a.download = name; a.click();
  } catch (err) { status.textContent = err.message; status.className = 'error'; }
}
document.getElementById('run').onclick = run;
form.addEventListener('change', run);
document.getElementById('download-scenario').onclick = () => download('/api/scenario', 'scenario.yaml', 'text/yaml');
document.getElementById('download-report').onclick = () => download('/api/report', 'report.html', 'text/html');
run();
</script>
</body></html>
"""
