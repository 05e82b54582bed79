"""``immsim serve``: pick a regime, move the levers, see the result against the baseline.

A JSON API (its reference at ``/docs``, written from the OpenAPI schema and read offline) and one
page that calls it. Every request is validated and bounded (horizon, body size, each lever's
range, up to three scenarios); nothing a user sends is ever run as code; runs are serialized
behind a lock so concurrent requests cannot interfere through the shared caches, and a streamed
run whose page went away is stopped (see :func:`_stream`) rather than left holding the lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from functools import lru_cache
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from pydantic import BaseModel

from immsim.analysis.effects import FAMILY_COUNTS
from immsim.errors import ImmsimError
from immsim.outcomes import HEADLINES
from immsim.presentation.apidocs import render_docs
from immsim.presentation.charts import plotly_gz
from immsim.presentation.levers import (
    LEVER_KEYS,
    MAX_SCENARIOS,
    START,
    Levers,
    Scenarios,
    page_config,
)
from immsim.regimes.catalog import regime_names

__all__ = ["LEVER_KEYS", "MAX_BODY", "START", "Levers", "create_app", "simulate"]

MAX_BODY = 16_384
SERIES = HEADLINES
"""The outcomes the page charts, as :mod:`immsim.outcomes` declares them."""
Tick = Callable[[int, int], None]
log = logging.getLogger(__name__)


class AreaSeries(BaseModel):
    label: str
    series: dict[str, list[float | None]]
    families: dict[str, list[float | None]] | None = None
    """The families the area's removals reach each year (``analysis.effects.families_by_area``:
    parents of U.S.-citizen children removed, the children, mixed-status households)."""


class Outcome(BaseModel):
    fiscal_years: list[int]
    series: dict[str, list[float | None]]
    baseline: dict[str, list[float | None]]
    convicted_share: list[float]
    binding: list[str]
    areas: dict[str, AreaSeries] | None = None
    """The outcomes by ICE area of responsibility, when the run carries areas (the page's area
    picker shows them); absent otherwise."""
    baseline_areas: dict[str, AreaSeries] | None = None
    effects: dict[str, list[float]] | None = None
    """Each fiscal year's cost in base-year dollars and the economic, fiscal and family
    effects of its removals (``analysis.effects.effect_rows``: the names of the page config's
    ``effects``, a banded effect also with ``_low`` and ``_high``)."""


_LOCK = threading.Lock()
_RESULTS: OrderedDict[str, Any] = OrderedDict()
_KEPT = 12


def _scenario(levers: Levers) -> Any:
    from immsim.scenario import parse_scenario
    from immsim.yamlio import load_yaml_text

    return parse_scenario(load_yaml_text(levers.scenario_yaml(), "web-levers.yaml"))


@lru_cache(maxsize=MAX_SCENARIOS)  # one for each seed a request may carry
def _population(seed: int) -> Any:
    """The population ``immsim run`` builds for a run of ``seed`` (its ``population_seed``), so
    the page's run of some levers and seed and a user's ``immsim run`` of the same start from the
    same people. No lever sets a population parameter: the baseline tree builds it."""
    from immsim.engine.run import population_seed
    from immsim.parameters import load_baseline
    from immsim.population.build import build_population

    return build_population(load_baseline(), START, seed=population_seed(seed))


def _results(levers: Levers, tick: Tick | None = None) -> Any:
    """The run of ``levers`` (the last few are kept: a baseline, or the report of what the page
    has just drawn, is not run twice). Call with the lock held."""
    from immsim.engine.run import run

    key = levers.model_dump_json()
    if key in _RESULTS:
        _RESULTS.move_to_end(key)
        return _RESULTS[key]
    scenario = _scenario(levers)
    results = run(scenario, population=_population(scenario.seed), progress=tick)
    _RESULTS[key] = results
    while len(_RESULTS) > _KEPT:
        _RESULTS.popitem(last=False)
    return results


def _summarize(results: Any) -> dict[str, Any]:
    from immsim.outcomes import by_year

    years = by_year(results)
    fiscal_years: list[int] = years["fiscal_year"].to_list()
    summary: dict[str, Any] = {
        "fiscal_years": fiscal_years,
        "series": {c: years[c].to_list() for c in SERIES},
        "convicted_share": [float(v or 0.0) for v in years["convicted_share"].to_list()],
        "binding": years["binding"].to_list(),
        "effects": _effects(results),
    }
    areas = _by_area(results, fiscal_years)
    return summary if areas is None else {**summary, "areas": areas}


def _effects(results: Any) -> dict[str, list[float]]:
    """Each effect's values by fiscal year (``analysis.effects.effect_rows``, priced with the
    baseline tree, as the report is)."""
    import datetime as dt

    from immsim.analysis.effects import effect_rows
    from immsim.parameters import load_baseline

    at = dt.date.fromisoformat(str(results.manifest["start"]))
    out: dict[str, list[float]] = {}
    for row in sorted(effect_rows(results, load_baseline(), at), key=lambda r: r["fiscal_year"]):
        out.setdefault(row["metric"], []).append(row["value"])
    return out


def _by_area(results: Any, fiscal_years: list[int]) -> dict[str, Any] | None:
    """Each area's outcomes, year by year as the national series (None where the results by
    area lack a year), or None for a run without areas."""
    from immsim.analysis import areas

    frame = areas.results_by_area(results)
    if frame is None:
        return None
    outcomes = [n for n in areas.AREA_OUTCOMES if n in frame.columns and n in SERIES]
    families = _families_by_area(results, frame)
    out = {}
    for area in sorted(frame["area"].unique().to_list()):
        rows = {r["fiscal_year"]: r for r in frame.filter(frame["area"] == area).to_dicts()}
        reached = {r["fiscal_year"]: r for r in families if r["area"] == area}
        out[area] = {
            "label": areas.area_label(area),
            "series": {n: [rows.get(y, {}).get(n) for y in fiscal_years] for n in outcomes},
            "families": {
                n: [reached.get(y, {}).get(n) for y in fiscal_years] for n in FAMILY_COUNTS
            },
        }
    return out


def _families_by_area(results: Any, frame: Any) -> list[dict[str, Any]]:
    """The family counts by area and year of a run with areas (baseline prices and rates, as
    the report's)."""
    import datetime as dt

    from immsim.analysis.effects import families_by_area
    from immsim.parameters import load_baseline

    at = dt.date.fromisoformat(str(results.manifest["start"]))
    found = families_by_area(results, load_baseline(), at, by_area=frame)
    return [] if found is None else found.to_dicts()


def _with_baseline(result: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """A scenario's summary with its baseline's series (and areas, when it has them)."""
    answer = {**result, "baseline": base["series"]}
    if "areas" in base:
        answer["baseline_areas"] = base["areas"]
    return answer


def _check_regime(levers: Levers, index: int | None = None) -> None:
    if levers.regime not in regime_names():
        where = "regime" if index is None else f"scenarios.{index}.regime"
        raise ImmsimError(
            f"{where}: unknown regime {levers.regime!r} (allowed: {', '.join(regime_names())})"
        )


def simulate(levers: Levers, tick: Tick | None = None) -> dict[str, Any]:
    """``levers``' outcomes by fiscal year, and its baseline's."""
    with _LOCK:
        result = _summarize(_results(levers, tick))
        base = _summarize(_results(levers.baseline(), tick))
    return _with_baseline(result, base)


class Abandoned(Exception):
    """The page that asked for a run went away (it closed, moved on, or asked for another run):
    the run stops at the end of the week it is computing and nothing of it is kept."""

    def __init__(self, running: str, weeks: int, of: int) -> None:
        super().__init__(f"{running} abandoned after {weeks} of {of} weeks")
        self.running, self.weeks, self.of = running, weeks, of


def simulate_all(
    request: Scenarios,
    tick: Callable[[float, str], None],
    abandoned: threading.Event | None = None,
) -> list[dict[str, Any]]:
    """Each scenario and its baseline; ``tick(fraction done, what is running)``. Once
    ``abandoned`` is set, raises :class:`Abandoned` before the next run or week: the engine
    reports every week done (its progress callback), and that is where it is stopped."""
    runs: list[Levers] = []
    for levers in request.scenarios:
        runs += [levers, levers.baseline()]
    answers = []
    with _LOCK:
        for i, levers in enumerate(runs):
            label = f"scenario {'ABC'[i // 2]}" + (" (its baseline)" if i % 2 else "")
            if abandoned is not None and abandoned.is_set():
                raise Abandoned(label, 0, 0)

            def part(done: int, total: int, i: int = i, label: str = label) -> None:
                if abandoned is not None and abandoned.is_set():
                    raise Abandoned(label, done, total)
                tick((i + done / max(total, 1)) / len(runs), label)

            answers.append(_summarize(_results(levers, part)))
            tick((i + 1) / len(runs), label)
    return [
        _with_baseline(answers[2 * k], answers[2 * k + 1]) for k in range(len(request.scenarios))
    ]


async def _stream(request: Scenarios) -> AsyncIterator[str]:
    """NDJSON: progress lines ``{"progress": f, "running": ...}``, then ``{"results": [...]}``
    (or ``{"error": [...]}``).

    The runs go in a thread of their own. When the page stops reading (the browser closes the
    connection: the user left, or started another run, which aborts this request), the server
    cancels this generator; its ``finally`` marks the runs abandoned, and they stop at the end of
    the week they are on instead of holding the lock, and the machine, for minutes."""
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
    abandoned = threading.Event()

    def put(line: dict[str, Any] | None) -> None:
        with contextlib.suppress(RuntimeError):  # the server has stopped: nobody to tell
            loop.call_soon_threadsafe(lines.put_nowait, line)

    def work() -> None:
        try:
            results = simulate_all(
                request,
                lambda f, what: put({"progress": round(f, 4), "running": what}),
                abandoned,
            )
            put({"results": results})
        except Abandoned as exc:
            log.info("stopped a run nobody waits for: %s", exc)
        except ImmsimError as exc:
            put({"error": [str(exc)]})
        except Exception as exc:  # reported to the page, never a dropped connection
            put({"error": [f"internal error: {type(exc).__name__}: {exc}"]})
        finally:
            put(None)

    threading.Thread(target=work, daemon=True).start()
    try:
        while (line := await lines.get()) is not None:
            yield json.dumps(line) + "\n"
    finally:
        abandoned.set()  # a no-op once the runs are done


def _static(name: str) -> str:
    return resources.files("immsim.presentation").joinpath("static", name).read_text("utf-8")


def _problems(exc: RequestValidationError) -> list[str]:
    return [
        f"{'.'.join(str(p) for p in e['loc'] if p != 'body')}: {e['msg']}" for e in exc.errors()
    ]


def create_app() -> FastAPI:
    app = FastAPI(
        title="immsim",
        description="Aggregate simulation of U.S. interior immigration enforcement. "
        "It never scores or identifies a person.",
        version="1",
        docs_url=None,
        redoc_url=None,
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
        return JSONResponse({"detail": _problems(exc)}, status_code=422)

    @app.exception_handler(ImmsimError)
    async def immsim_error(request: Request, exc: ImmsimError) -> JSONResponse:
        return JSONResponse({"detail": [str(exc)]}, status_code=422)

    _api(app)
    _pages(app)
    return app


def _api(app: FastAPI) -> None:
    @app.get("/api/regimes", summary="The shipped regimes' names, oldest first")
    def regimes() -> list[str]:
        return regime_names()

    @app.get("/api/levers", summary="Regimes in words, each lever with today's value and unit")
    def levers() -> dict[str, Any]:
        return page_config()

    @app.post("/api/run", response_model=Outcome, summary="One scenario against its baseline")
    def run_levers(levers: Levers) -> dict[str, Any]:
        _check_regime(levers)
        return simulate(levers)

    @app.post(
        "/api/runs",
        summary="Up to three scenarios, each against its baseline, with progress",
        description="Answers NDJSON: lines {progress: 0..1, running: what} while the runs go "
        "(about a second a simulated year), then {results: [one Outcome a scenario]}, or "
        "{error: [problems]}.",
        response_class=StreamingResponse,
    )
    def run_many(request: Scenarios) -> StreamingResponse:
        for index, levers in enumerate(request.scenarios):
            _check_regime(levers, index)
        return StreamingResponse(_stream(request), media_type="application/x-ndjson")

    @app.post("/api/scenario", response_class=PlainTextResponse, summary="The scenario file")
    def scenario_file(levers: Levers) -> str:
        _check_regime(levers)
        _scenario(levers)  # validated like any scenario file
        return levers.scenario_yaml()

    @app.post("/api/report", response_class=HTMLResponse, summary="The HTML report of a run")
    def report(levers: Levers) -> str:
        from immsim.presentation.report import render

        _check_regime(levers)
        with _LOCK:
            results = _results(levers)
        return render(results)


def _pages(app: FastAPI) -> None:
    @app.get("/plotly.js", include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        headers = {"Cache-Control": "max-age=86400", "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(plotly_gz(), media_type="application/javascript", headers=headers)
        plain = gzip.decompress(plotly_gz())
        return Response(plain, media_type="application/javascript", headers=headers)

    @app.get("/app.js", include_in_schema=False)
    def app_js() -> Response:
        return Response(_static("app.js"), media_type="application/javascript")

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> str:
        return render_docs(app.openapi())

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> str:
        config = json.dumps(page_config()).replace("</", "<\\/")
        return _static("index.html").replace("{{CONFIG}}", config)
