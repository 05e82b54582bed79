"""A self-contained HTML report of a run: one file, charts included, readable offline.

It answers, in order: where did people go (a flow diagram of the whole run), how did arrests,
detention, the court backlog and removals move, who was removed, what it cost, which capacity
held things back, which assumptions differ from the baseline, and the scenario itself.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl
from plotly.offline import get_plotlyjs

from immsim.atomic import atomic_file
from immsim.engine.results import Results, load_results
from immsim.errors import InputError
from immsim.outcomes import HEADLINES, OUTCOMES, by_year
from immsim.parameters import load_baseline

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
LABELS = {
    "criminal_history": "criminal history",
    "years_in_us": "years in the U.S.",
    "us_citizen_child": "has a U.S.-citizen child",
    "country_group": "country group",
    "tier": "priority tier",
}


def _sankey(results: Results) -> go.Figure:
    w = results.weekly
    total = {c: float(w[c].sum()) for c in w.columns if w[c].dtype.is_numeric()}
    nodes = [
        "interior population",
        "jails and 287(g)",
        "prisons",
        "leads and check-ins",
        "at-large operations",
        "ICE arrest",
        "voluntary return",
        "order without a judge",
        "immigration court",
        "relief granted",
        "removal order",
        "removed (interior)",
    ]
    index = {n: i for i, n in enumerate(nodes)}
    leads = sum(
        total.get(c, 0)
        for c in ("arrests_task_force", "arrests_database", "arrests_worksite", "arrests_check_in")
    )
    links = [
        ("interior population", "jails and 287(g)", total["arrests_jail"] + total["arrests_287g"]),
        ("interior population", "prisons", total["arrests_prison"]),
        ("interior population", "leads and check-ins", leads),
        (
            "interior population",
            "at-large operations",
            total["arrests_at_large"] + total["arrests_collateral"],
        ),
        ("jails and 287(g)", "ICE arrest", total["arrests_jail"] + total["arrests_287g"]),
        ("prisons", "ICE arrest", total["arrests_prison"]),
        ("leads and check-ins", "ICE arrest", leads),
        (
            "at-large operations",
            "ICE arrest",
            total["arrests_at_large"] + total["arrests_collateral"],
        ),
        ("ICE arrest", "voluntary return", total["voluntary_returns"]),
        (
            "ICE arrest",
            "order without a judge",
            total["reinstatements"] + total["expedited_removals"] + total["administrative_orders"],
        ),
        ("ICE arrest", "immigration court", total["notices_to_appear"]),
        ("immigration court", "relief granted", total["relief_granted"]),
        ("immigration court", "removal order", total["orders"]),
        ("order without a judge", "removed (interior)", total["removals_interior"] * 0.5),
        ("removal order", "removed (interior)", total["removals_interior"] * 0.5),
    ]
    # split removals between the two kinds of order in proportion to the orders made
    no_judge = (
        total["reinstatements"] + total["expedited_removals"] + total["administrative_orders"]
    )
    judged = total["orders"]
    if no_judge + judged > 0:
        share = no_judge / (no_judge + judged)
        links[-2] = (
            "order without a judge",
            "removed (interior)",
            total["removals_interior"] * share,
        )
        links[-1] = (
            "removal order",
            "removed (interior)",
            total["removals_interior"] * (1 - share),
        )
    links = [link for link in links if link[2] > 0]
    figure = go.Figure(
        go.Sankey(
            node={"label": nodes, "pad": 18, "thickness": 16},
            link={
                "source": [index[a] for a, _, _ in links],
                "target": [index[b] for _, b, _ in links],
                "value": [round(v) for _, _, v in links],
            },
        )
    )
    figure.update_layout(title="Where people went over the whole run (people)", height=460)
    return figure


def _series(results: Results) -> go.Figure:
    w = results.weekly
    figure = go.Figure()
    for column, name in (
        ("arrests", "ICE arrests per week"),
        ("removals", "removals per week (with border)"),
        ("detained", "people detained"),
        ("court_pending", "court cases pending"),
    ):
        figure.add_trace(
            go.Scatter(x=w["date"].to_list(), y=w[column].to_list(), name=name, mode="lines")
        )
    figure.update_layout(
        title="Week by week",
        height=420,
        yaxis={"type": "log", "title": "people (log scale)"},
        legend={"orientation": "h"},
    )
    return figure


def _who(results: Results) -> go.Figure:
    from plotly.subplots import make_subplots

    attributes = [a for a in LABELS if a != "tier"]
    figure = make_subplots(
        rows=1, cols=len(attributes), subplot_titles=[LABELS[a] for a in attributes]
    )
    for col, attribute in enumerate(attributes, start=1):
        shares = results.shares("removed", attribute)
        for i, level in enumerate(sorted(shares["level"].unique().to_list())):
            one = shares.filter(pl.col("level") == level)
            figure.add_trace(
                go.Bar(
                    x=[str(y) for y in one["fiscal_year"].to_list()],
                    y=one["share"].to_list(),
                    name=f"{level}",
                    marker_color=COLORS[i % len(COLORS)],
                    showlegend=False,
                    hovertemplate=f"{attribute}: {level}<br>FY %{{x}}: %{{y:.0%}}<extra></extra>",
                ),
                row=1,
                col=col,
            )
    figure.update_layout(
        barmode="stack",
        title="Who was removed (share of interior removals, by fiscal year)",
        height=380,
    )
    figure.update_yaxes(tickformat=".0%")
    return figure


def _costs(results: Results) -> go.Figure:
    yearly = results.yearly()
    figure = go.Figure()
    for column, name in (
        ("cost_arrest", "arrests (officers)"),
        ("cost_detention", "detention"),
        ("cost_court", "courts"),
        ("cost_removal", "removal transport"),
    ):
        figure.add_trace(
            go.Bar(
                x=[str(y) for y in yearly["fiscal_year"].to_list()],
                y=(yearly[column] / 1e6).to_list(),
                name=name,
            )
        )
    figure.update_layout(
        barmode="stack", title="Cost by component (USD millions, nominal)", height=380
    )
    return figure


def _binding(results: Results) -> go.Figure:
    w = results.weekly
    names = ["beds", "officers", "judges", "seats", "travel_documents"]
    figure = go.Figure(
        go.Heatmap(
            x=w["date"].to_list(),
            y=names,
            z=[w[f"binding_{n}"].to_list() for n in names],
            colorscale=[[0, "#f0f0f0"], [1, "#d62728"]],
            showscale=False,
        )
    )
    figure.update_layout(title="Which capacity bound, week by week (red: binding)", height=300)
    return figure


def _changed_parameters(results: Results) -> list[dict[str, Any]]:
    baseline = load_baseline()
    rows = []
    for key, info in results.manifest.get("parameters", {}).items():
        if key not in baseline:
            continue
        reformed = [v for v in info["values"] if v.get("origin", "baseline") != "baseline"]
        for v in reformed:
            rows.append({"key": key, "unit": info["unit"], **v})
    return rows


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(r.get(c, '')))}</td>" for c in columns) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(results: Results) -> str:
    m = results.manifest
    scenario = m.get("scenario", {})
    source = scenario.get("source") or ""
    scenario_text = ""
    if source and Path(source).is_file():
        scenario_text = Path(source).read_text(encoding="utf-8")
    else:
        scenario_text = json.dumps(scenario, indent=2, default=str)
    shown = ("arrests", "removals", "removals_interior", "detained", "court_pending")
    summary = [
        {
            "FY": r["fiscal_year"],
            **{OUTCOMES[name].label: f"{r[name]:,.0f}" for name in shown},
            "capacity binding most weeks": r["binding"],
        }
        for r in by_year(results, shown).to_dicts()
    ]
    changed = _changed_parameters(results)
    figures = [
        _sankey(results),
        _series(results),
        _who(results),
        _costs(results),
        _binding(results),
    ]
    charts = "\n".join(
        f'<section class="chart">{f.to_html(full_html=False, include_plotlyjs=False)}</section>'
        for f in figures
    )
    changed_html = (
        _table(changed, ["key", "from", "value", "unit", "source"])
        if changed
        else "<p>None: every parameter is at its baseline value.</p>"
    )
    title = f"immsim: {scenario.get('name', 'run')}"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; line-height: 1.45; }}
table {{ border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 0.3rem 0.6rem; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
pre {{ background: #f6f6f6; padding: 1rem; overflow-x: auto; }}
.note {{ color: #555; font-size: 0.9rem; }}
</style>
<script>{get_plotlyjs()}</script></head>
<body>
<h1>{html.escape(title)}</h1>
<p>{html.escape(scenario.get("description") or "")}</p>
<p>Regime: <b>{html.escape(m["regime"]["name"])}</b> ({html.escape(m["regime"]["title"])}).
From {m["start"]} to {m["end"]}, seed {m["seed"]}, {m["population"]["people"]:,} people at the start.
Run {html.escape(m["run_id"])} with immsim {html.escape(str(m.get("code_version")))}.</p>
<p class="note">Aggregate counts of a simulation, not of real people. Many rates are estimates,
fitted to FY2012–FY2016 or assumed; see the parameter sources.</p>
<h2>Year by year</h2>
{_table(summary, list(summary[0]) if summary else [])}
{charts}
<h2>Assumptions that differ from the baseline</h2>
{changed_html}
<h2>The scenario</h2>
<pre>{html.escape(scenario_text)}</pre>
</body></html>
"""


METRIC_LABELS = {name: f"{OUTCOMES[name].label} ({OUTCOMES[name].unit})" for name in HEADLINES}


def _band_figure(frame: pl.DataFrame, metric: str, title: str, group: str | None) -> go.Figure:
    figure = go.Figure()
    groups = sorted(frame[group].unique().to_list()) if group else [None]
    for i, name in enumerate(groups):
        part = frame.filter(pl.col("metric") == metric)
        if group:
            part = part.filter(pl.col(group) == name)
        part = part.sort("fiscal_year")
        x = [str(y) for y in part["fiscal_year"].to_list()]
        color = COLORS[i % len(COLORS)]
        label = name or "median"
        for lo, hi, opacity in (("p05", "p95", 0.15), ("p25", "p75", 0.3)):
            figure.add_trace(
                go.Scatter(
                    x=x + x[::-1],
                    y=part[hi].to_list() + part[lo].to_list()[::-1],
                    fill="toself",
                    fillcolor=color,
                    opacity=opacity,
                    line={"width": 0},
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
        figure.add_trace(
            go.Scatter(
                x=x,
                y=part["median"].to_list(),
                name=label,
                line={"color": color},
                mode="lines+markers",
            )
        )
    figure.update_layout(
        title=title, height=340, xaxis={"type": "category", "title": "fiscal year"}
    )
    if metric.endswith("share"):
        figure.update_yaxes(tickformat=".0%")
    return figure


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
        for metric, label in METRIC_LABELS.items():
            sections.append(_band_figure(levels, metric, label, "scenario"))
            sections.append(
                _band_figure(diffs, metric, f"{label}: difference from {base}", "scenario")
            )
        scenarios_text = json.dumps(manifest.get("scenarios"), indent=2, default=str)
    else:
        bands = pl.read_parquet(folder / "bands.parquet")
        scenario = manifest.get("scenario", {})
        title = f"immsim: {scenario.get('name', 'draws')}"
        intro = f"{manifest.get('draws')} draws: medians with 50% (dark) and 90% (light) bands."
        for metric, label in METRIC_LABELS.items():
            sections.append(_band_figure(bands, metric, label, None))
        scenarios_text = json.dumps(scenario, indent=2, default=str)
    charts = "\n".join(
        f'<section class="chart">{f.to_html(full_html=False, include_plotlyjs=False)}</section>'
        for f in sections
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; }}
pre {{ background: #f6f6f6; padding: 1rem; overflow-x: auto; }}</style>
<script>{get_plotlyjs()}</script></head>
<body><h1>{html.escape(title)}</h1><p>{html.escape(intro)}</p>
<p>Bands show the spread over draws of the uncertain parameters and of the model's randomness.
Aggregate counts of a simulation, not of real people.</p>
{charts}
<h2>Scenarios</h2><pre>{html.escape(scenarios_text)}</pre></body></html>
"""


_UNREADABLE = (OSError, ValueError, KeyError, TypeError, IndexError, pl.exceptions.PolarsError)
"""What a damaged or foreign folder raises while it is read and drawn: truncated Parquet, JSON
that is not JSON, a manifest or a table without what a run writes."""


def write_report(run_dir: Path, out: Path) -> Path:
    """Report on a run folder, a Monte Carlo folder or a comparison folder. A folder that cannot
    be read as one (damaged, or not written by immsim) is an :class:`InputError` naming it, and
    nothing is written."""
    try:
        if (run_dir / "bands.parquet").is_file() or (run_dir / "levels.parquet").is_file():
            text = render_bands(run_dir)
        else:
            text = render(load_results(run_dir))
    except _UNREADABLE as err:
        detail = str(err).strip().splitlines()[0][:200] if str(err).strip() else ""
        raise InputError(
            f"cannot read as a saved run ({type(err).__name__}{': ' + detail if detail else ''})",
            file=str(run_dir),
            allowed="a folder written by immsim run, run --draws or compare",
        ) from err
    with atomic_file(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return out
