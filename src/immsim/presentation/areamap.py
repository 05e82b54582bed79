"""The report's section by ICE area of responsibility: a map of the United States with each state
coloured by its area's outcome, and a table of every area. It appears when a run's results carry
areas (:func:`immsim.analysis.areas.results_by_area`), and not otherwise.

The map is a tile grid, one square per state (and D.C., Puerto Rico) at its rough place, drawn
as a heatmap, a trace the report's plotly.js already carries: plotly's own maps of the United
States need its geo traces, which the partial bundle leaves out (``scripts/build_plotly_bundle.sh``)
and which fetch their outlines (topojson) from a CDN at drawing time, which an offline report
cannot. Areas are unions of counties; three states are split between
areas (California, New York, Texas: UWCHR's county table, ``static/area_states.json``, made by
``scripts/make_area_states.py``). A split state takes the colour of the area holding most of its
residents, is marked ``*``, and its tile's label lists every area with its share.

The colour is the outcome per 1,000 residents without status (``population.by_aor``, the
estimate in force at the year's start), so that large and small areas compare; the table gives
the counts.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from functools import cache
from importlib import resources
from typing import Any

import plotly.graph_objects as go
import polars as pl

from immsim.analysis.areas import AREA_OUTCOMES, area_label
from immsim.outcomes import OUTCOMES
from immsim.parameters.loader import ParameterTree
from immsim.presentation.charts import figure_html, layout

TILES: dict[str, tuple[int, int]] = {
    "AK": (0, 0), "ME": (0, 11),
    "VT": (1, 10), "NH": (1, 11),
    "WA": (2, 1), "ID": (2, 2), "MT": (2, 3), "ND": (2, 4), "MN": (2, 5), "IL": (2, 6),
    "WI": (2, 7), "MI": (2, 8), "NY": (2, 9), "RI": (2, 10), "MA": (2, 11),
    "OR": (3, 1), "NV": (3, 2), "WY": (3, 3), "SD": (3, 4), "IA": (3, 5), "IN": (3, 6),
    "OH": (3, 7), "PA": (3, 8), "NJ": (3, 9), "CT": (3, 10),
    "CA": (4, 1), "UT": (4, 2), "CO": (4, 3), "NE": (4, 4), "MO": (4, 5), "KY": (4, 6),
    "WV": (4, 7), "VA": (4, 8), "MD": (4, 9), "DE": (4, 10),
    "AZ": (5, 2), "NM": (5, 3), "KS": (5, 4), "AR": (5, 5), "TN": (5, 6), "NC": (5, 7),
    "SC": (5, 8), "DC": (5, 9),
    "OK": (6, 4), "LA": (6, 5), "MS": (6, 6), "AL": (6, 7), "GA": (6, 8),
    "HI": (7, 0), "TX": (7, 4), "FL": (7, 9), "PR": (7, 11),
}  # fmt: skip
"""Each state's tile, (row from the top, column from the west): the usual tile-grid map."""
ROWS = 1 + max(r for r, _ in TILES.values())
COLUMNS = 1 + max(c for _, c in TILES.values())
MAPPED = ("removals_interior", "removals", "arrests", "detained", "admissions")
"""The outcome the map colours: the first of these the results by area carry."""


@cache
def state_areas() -> tuple[dict[str, Any], ...]:
    """Each state's name and areas with their shares of its residents (``area_states.json``)."""
    path = resources.files("immsim.presentation").joinpath("static", "area_states.json")
    return tuple(json.loads(path.read_text("utf-8"))["states"])


def whole_year(results_weekly: pl.DataFrame) -> int:
    """The run's last fiscal year among those it covers most weeks of: a map of a year of which
    the run saw a few weeks would look like a place where little happened."""
    weeks = results_weekly.group_by("fiscal_year").len().rows()
    return int(max(weeks, key=lambda row: (row[1], row[0]))[0])


def residents(tree: ParameterTree, areas: list[str], year: int) -> dict[str, float]:
    """The estimated residents without status of each area the tree knows, at the start of
    fiscal ``year``."""
    at = dt.date(year - 1, 10, 1)
    keys = {a: f"population.by_aor.{a}" for a in areas}
    return {a: float(tree.get(key, at)) for a, key in keys.items() if key in tree}


def mapped_outcome(by_area: pl.DataFrame) -> str:
    return next(name for name in MAPPED if name in by_area.columns)


def area_map(by_area: pl.DataFrame, year: int, people: dict[str, float]) -> go.Figure:
    """The tile-grid map of the mapped outcome per 1,000 residents without status in ``year``."""
    name = mapped_outcome(by_area)
    outcome = OUTCOMES[name]
    values = {
        r["area"]: r[name]
        for r in by_area.filter(pl.col("fiscal_year") == year).to_dicts()
        if r[name] is not None
    }
    rate = {a: 1000 * v / people[a] for a, v in values.items() if people.get(a)}
    z: list[list[float | None]] = [[None] * COLUMNS for _ in range(ROWS)]
    text: list[list[str]] = [[""] * COLUMNS for _ in range(ROWS)]
    hover: list[list[str]] = [[""] * COLUMNS for _ in range(ROWS)]
    for state in state_areas():
        if state["state"] not in TILES:
            continue
        row, col = TILES[state["state"]]
        areas: dict[str, float] = state["areas"]
        main = next(iter(areas))
        split = len(areas) > 1
        z[row][col] = rate.get(main)
        text[row][col] = state["state"] + ("*" if split else "")
        parts = [
            f"{html.escape(area_label(a))}: "
            + (f"{rate[a]:,.1f} per 1,000" if a in rate else "no value")
            + (f" ({share:.0%} of the state's residents)" if split else "")
            for a, share in areas.items()
        ]
        hover[row][col] = f"<b>{html.escape(state['name'])}</b><br>" + "<br>".join(parts)
    unit = f"{outcome.unit} per 1,000 residents without status"
    figure = go.Figure(
        go.Heatmap(
            z=z,
            text=text,
            texttemplate="%{text}",
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            colorscale="Blues",
            xgap=3,
            ygap=3,
            colorbar={"title": {"text": unit, "side": "right"}, "thickness": 12},
        )
    )
    figure.update_layout(
        layout(
            f"{outcome.label[0].upper()}{outcome.label[1:]} by area, FY{year} "
            f"({unit}; * a state split between areas)",
            460,
            xaxis={"visible": False, "title": {"text": "west to east"}},
            yaxis={"visible": False, "autorange": "reversed", "title": {"text": "north to south"}},
            plot_bgcolor="white",
        )
    )
    return figure


def area_rows(by_area: pl.DataFrame, year: int, people: dict[str, float]) -> list[dict[str, str]]:
    """Every area's outcomes in ``year``, its states, and the mapped outcome per 1,000."""
    name = mapped_outcome(by_area)
    states: dict[str, list[str]] = {}
    for state in state_areas():
        for area, share in state["areas"].items():
            states.setdefault(area, []).append(
                state["state"] + (f" ({share:.0%})" if share < 1 else "")
            )
    shown = [n for n in AREA_OUTCOMES if n in by_area.columns]
    rows = []
    for r in by_area.filter(pl.col("fiscal_year") == year).sort("area").to_dicts():
        row = {"area": area_label(r["area"]), "states": ", ".join(states.get(r["area"], []))}
        for n in shown:
            row[f"{OUTCOMES[n].label} ({OUTCOMES[n].unit})"] = (
                "–" if r[n] is None else f"{r[n]:,.0f}"
            )
        per = people.get(r["area"])
        row[f"{OUTCOMES[name].label} per 1,000 residents without status"] = (
            f"{1000 * r[name] / per:,.1f}" if per and r[name] is not None else "–"
        )
        rows.append(row)
    return rows


def area_section(
    by_area: pl.DataFrame | None, weekly: pl.DataFrame, tree: ParameterTree, table: Any
) -> str:
    """The report's section by area (a heading, the map, the table, a note), or "" for a run
    without areas. ``table`` renders rows as the report's other tables are."""
    if by_area is None or by_area.is_empty():
        return ""
    year = whole_year(weekly)
    people = residents(tree, sorted(by_area["area"].unique().to_list()), year)
    rows = area_rows(by_area, year, people)
    return (
        "<h2>By area of responsibility</h2>\n"
        f'<section class="chart">{figure_html(area_map(by_area, year, people), "area-map")}'
        "</section>\n"
        f"{table(rows, list(rows[0]) if rows else [])}\n"
        '<p class="note">ICE\'s areas of responsibility, FY'
        f"{year}. A state split between areas (California, New York, Texas) takes the colour of "
        "the area holding most of its residents; the table gives each area's share of them "
        "(UWCHR's county table, Census populations). Residents without status: "
        "population.by_aor.</p>"
    )
