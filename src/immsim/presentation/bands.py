"""The report of a Monte Carlo folder (``run --draws``: medians and bands) or a comparison folder
(``compare``: each scenario's levels and the paired differences from the first), every outcome
named, measured and scaled as :mod:`immsim.outcomes` declares it."""

from __future__ import annotations

import html
import json
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from immsim.outcomes import HEADLINES, OUTCOMES
from immsim.presentation.charts import COLORS, axis, count_axis, layout, plotly_script
from immsim.presentation.report import STYLE, charts_html, definitions, table_html

BANDS = (("p05", "p95", 0.15, "90% of draws"), ("p25", "p75", 0.3, "50% of draws"))


def band_figure(frame: pl.DataFrame, metric: str, title: str, group: str | None) -> go.Figure:
    """Medians by fiscal year with their 50% and 90% bands, a colour for each ``group``; the
    y axis from zero, titled with the outcome and its unit."""
    outcome = OUTCOMES[metric]
    figure = go.Figure()
    groups = sorted(frame[group].unique().to_list()) if group else [None]
    for i, name in enumerate(groups):
        part = frame.filter(pl.col("metric") == metric)
        if group:
            part = part.filter(pl.col(group) == name)
        part = part.sort("fiscal_year")
        x = [str(y) for y in part["fiscal_year"].to_list()]
        color = COLORS[i % len(COLORS)]
        label = f"{name}: median" if name else "median"

        def scaled(column: str, part: pl.DataFrame = part) -> list[float]:
            return (part[column] * outcome.scale).to_list()

        for lo, hi, opacity, band in BANDS:
            figure.add_trace(
                go.Scatter(
                    x=x + x[::-1],
                    y=scaled(hi) + scaled(lo)[::-1],
                    fill="toself",
                    fillcolor=color,
                    opacity=opacity,
                    line={"width": 0},
                    hoverinfo="skip",
                    name=f"{name}: {band}" if name else band,
                    legendgroup=str(name),
                )
            )
        figure.add_trace(
            go.Scatter(
                x=x,
                y=scaled("median"),
                name=label,
                legendgroup=str(name),
                line={"color": color},
                mode="lines+markers",
            )
        )
    figure.update_layout(
        layout(
            title,
            380,
            xaxis=axis("fiscal year", type="category"),
            yaxis=count_axis(outcome.axis_title, zeroline=True, zerolinecolor="#888"),
        )
    )
    return figure


def effects_html(differences: pl.DataFrame, base: str) -> str:
    """The comparison's costs and economic, fiscal and family effects against ``base`` in its
    last fiscal year (``analysis.compare.effect_differences``), or nothing for a comparison
    saved without them."""
    from immsim.analysis.compare import effect_differences

    year, found = effect_differences(differences)
    if not found:
        return ""

    rows = [
        {
            "scenario": d.scenario,
            "cost or effect": d.label,
            "unit": "USD millions, base-year dollars" if d.money else d.unit,
            "difference": d.shown(d.median),
            "90% band of the draws": f"{d.shown(d.p05)} to {d.shown(d.p95)}",
            "studies' range": " to ".join(d.shown(v) for v in d.studies) if d.studies else "",
        }
        for d in found
    ]
    return (
        f"<h2>Costs and effects in FY{year}: difference from {html.escape(base)}</h2>"
        + table_html(rows, list(rows[0]))
        + '<p class="note">Median of the paired draws\' differences and their 90% band; the '
        "studies' range: the difference with every rate at the low and at the high end of "
        "the studies' figures. Costs in base-year dollars (CPI-U); GDP, taxes and U.S.-born "
        "jobs lost that year from everyone gone since the runs began (CAP 2016, AAF 2015, "
        "ITEP 2024, AIC 2024, EPI 2025), wages moved by the share of the starting population "
        "gone (Penn Wharton 2025); parents of U.S.-citizen children removed, the "
        "children who lost a parent (Pew) and the mixed-status households reached (CMS 2024) "
        "by that year's removals.</p>"
    )


def render_bands(folder: Path) -> str:
    """A report for a Monte Carlo folder (bands) or a comparison folder (levels, differences)."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    comparison = (folder / "levels.parquet").is_file()
    sections = []
    if comparison:
        levels = pl.read_parquet(folder / "levels.parquet")
        diffs = pl.read_parquet(folder / "differences.parquet")
        base = str(diffs["against"][0]) if diffs.height else ""
        names = [s["name"] for s in manifest.get("scenarios", [])]
        title = "immsim: " + " vs ".join(names)
        intro = (
            f"{len(names)} scenarios, each run with the same {manifest.get('draws')} draws "
            f"(seed {manifest.get('seed')}): the differences are paired, draw by draw, against {base}."
        )
        for metric in HEADLINES:
            label = OUTCOMES[metric].label
            sections.append(band_figure(levels, metric, f"{label} by scenario", "scenario"))
            sections.append(
                band_figure(diffs, metric, f"{label}: difference from {base}", "scenario")
            )
        scenarios_text = json.dumps(manifest.get("scenarios"), indent=2, default=str)
        effects = effects_html(diffs, base)
    else:
        bands = pl.read_parquet(folder / "bands.parquet")
        scenario = manifest.get("scenario", {})
        title = f"immsim: {scenario.get('name', 'draws')}"
        intro = f"{manifest.get('draws')} draws: medians with 50% (dark) and 90% (light) bands."
        for metric in HEADLINES:
            sections.append(band_figure(bands, metric, OUTCOMES[metric].label, None))
        scenarios_text = json.dumps(scenario, indent=2, default=str)
        effects = ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style></head>
<body><h1>{html.escape(title)}</h1><p>{html.escape(intro)}</p>
<p>Bands show the spread over draws of the uncertain parameters and of the model's randomness.
Aggregate counts of a simulation, not of real people.</p>
<p class="note" id="charts-note">Drawing the charts…</p>
{charts_html(sections, "band")}
{effects}
{definitions()}
<h2>Scenarios</h2><pre>{html.escape(scenarios_text)}</pre>
{plotly_script()}
</body></html>
"""
