"""A self-contained HTML report of a run: one file, charts included, readable offline.

It answers, in order: where did people go (a flow diagram of the whole run), how did arrests,
detention, the court backlog and removals move, who was removed, what it cost, which capacity
held things back, which assumptions differ from the baseline, and the scenario itself. Every
outcome is named, measured and reduced to a year as :mod:`immsim.outcomes` declares it.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl

from immsim.analysis import areas as area_results
from immsim.atomic import atomic_file
from immsim.engine.costs import COMPONENTS, LABELS
from immsim.engine.results import Results, load_results
from immsim.errors import InputError
from immsim.outcomes import HEADLINES, OUTCOMES, by_year
from immsim.parameters import load_baseline
from immsim.presentation.areamap import area_section, whole_year
from immsim.presentation.charts import (
    COLORS,
    axis,
    count_axis,
    figure_html,
    layout,
    plotly_script,
)
from immsim.presentation.labels import ATTRIBUTES, level_name, ordered, tier_names

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem;
  color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; display: block;
  overflow-x: auto; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
pre { background: #f6f6f6; padding: 1rem; overflow-x: auto; }
.note { color: #555; font-size: 0.9rem; }
dt { font-weight: 600; } dd { margin: 0 0 0.5rem 1rem; }
"""


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
        for c in ("arrests_checkpoint", "arrests_database", "arrests_worksite", "arrests_check_in")
    )
    # a 287(g) task force's arrests are handed over from its agency's custody, as jails' are
    custodial = sum(
        total.get(c, 0) for c in ("arrests_jail", "arrests_287g", "arrests_287g_task_force")
    )
    links = [
        ("interior population", "jails and 287(g)", custodial),
        ("interior population", "prisons", total["arrests_prison"]),
        ("interior population", "leads and check-ins", leads),
        (
            "interior population",
            "at-large operations",
            total["arrests_at_large"] + total["arrests_collateral"],
        ),
        ("jails and 287(g)", "ICE arrest", custodial),
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
    figure.update_layout(layout("Where people went over the whole run (people)", 460))
    return figure


WEEKLY = ("arrests", "removals", "detained", "court_pending")
"""The outcomes the report draws week by week, each in its own panel from zero."""
CAPACITIES = {
    "beds": "detention beds",
    "officers": "officers",
    "judges": "immigration judges",
    "seats": "seats on removal flights",
    "travel_documents": "travel documents",
}


def _short(label: str) -> str:
    """An outcome's label without its yearly reduction: "detained (average)" → "detained"."""
    return label.split(" (")[0]


def _series(results: Results) -> go.Figure:
    from plotly.subplots import make_subplots

    w = results.weekly
    chosen = [OUTCOMES[name] for name in WEEKLY]
    figure = make_subplots(
        rows=2,
        cols=2,
        subplot_titles=[_short(o.label) for o in chosen],
        vertical_spacing=0.2,
        horizontal_spacing=0.12,
    )
    for i, outcome in enumerate(chosen):
        row, col = divmod(i, 2)
        values = w.select(pl.sum_horizontal(*outcome.columns) * outcome.scale).to_series()
        figure.add_trace(
            go.Scatter(
                x=w["date"].to_list(),
                y=values.to_list(),
                name=f"{_short(outcome.label)} ({outcome.weekly_unit})",
                mode="lines",
                line={"color": COLORS[i]},
            ),
            row=row + 1,
            col=col + 1,
        )
        figure.update_yaxes(
            count_axis(f"{_short(outcome.label)} ({outcome.weekly_unit})"), row=row + 1, col=col + 1
        )
        figure.update_xaxes(axis("week"), row=row + 1, col=col + 1)
    figure.update_layout(layout("Week by week", 620, legend={"orientation": "h", "y": -0.15}))
    return figure


def _who(results: Results) -> go.Figure:
    """Stacked shares by fiscal year, a row of bars and a legend for each attribute."""
    from plotly.subplots import make_subplots

    regime = results.manifest.get("regime", {}).get("name", "")
    tiers = tier_names(regime)
    attributes = [a for a in ATTRIBUTES if not results.shares("removed", a).is_empty()]
    figure = make_subplots(
        rows=len(attributes),
        cols=1,
        subplot_titles=[f"by {ATTRIBUTES[a]}" for a in attributes],
        vertical_spacing=0.35 / len(attributes),
    )
    figure.update_layout(
        layout(
            "Who was removed (share of interior removals, by fiscal year)",
            240 * len(attributes),
            barmode="stack",
        )
    )
    for title in figure.layout.annotations:  # over the bars, not the legends beside them
        title.update(x=0, xanchor="left")
    for row, attribute in enumerate(attributes, start=1):
        shares = results.shares("removed", attribute)
        legend = "legend" if row == 1 else f"legend{row}"
        levels = ordered(attribute, shares["level"].unique().to_list(), list(tiers))
        for i, level in enumerate(levels):
            one = shares.filter(pl.col("level") == level).sort("fiscal_year")
            name = level_name(attribute, level, tiers)
            figure.add_trace(
                go.Bar(
                    x=[str(y) for y in one["fiscal_year"].to_list()],
                    y=(one["share"] * 100).to_list(),
                    name=name,
                    legend=legend,
                    marker_color=COLORS[i % len(COLORS)],
                    hovertemplate=f"{html.escape(name)}<br>FY %{{x}}: %{{y:.0f}}%<extra></extra>",
                ),
                row=row,
                col=1,
            )
        domain = figure.layout[f"yaxis{'' if row == 1 else row}"].domain
        figure.layout[legend] = {
            "y": domain[1],
            "yanchor": "top",
            "x": 0.6,
            "xanchor": "left",
            "traceorder": "reversed",  # as the bars stack: the first level at the bottom
            "font": {"size": 11},
        }
    figure.update_xaxes(axis("fiscal year", type="category"), domain=[0, 0.56])
    figure.update_yaxes(axis("share of removals (%)", range=[0, 100], ticksuffix="%"))
    return figure


def _costs(results: Results) -> go.Figure:
    yearly = results.yearly()
    cost = OUTCOMES["cost"]
    figure = go.Figure()
    for column in COMPONENTS:
        name = LABELS[column]
        figure.add_trace(
            go.Bar(
                x=[str(y) for y in yearly["fiscal_year"].to_list()],
                y=(yearly[column] * cost.scale).to_list(),
                name=name,
            )
        )
    figure.update_layout(
        layout(
            "Cost by component (USD millions, nominal)",
            400,
            barmode="stack",
            xaxis=axis("fiscal year", type="category"),
            yaxis=count_axis(cost.axis_title),
        )
    )
    return figure


def _binding(results: Results) -> go.Figure:
    w = results.weekly
    figure = go.Figure(
        go.Heatmap(
            x=w["date"].to_list(),
            y=list(CAPACITIES.values()),
            z=[w[f"binding_{n}"].to_list() for n in CAPACITIES],
            colorscale=[[0, "#f0f0f0"], [1, "#d62728"]],
            showscale=False,
            hovertemplate="%{y}, week of %{x}: %{z}<extra></extra>",
        )
    )
    figure.update_layout(
        layout(
            "Which capacity bound, week by week (red: binding)",
            320,
            xaxis=axis("week"),
            yaxis=axis("capacity", automargin=True),
        )
    )
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


def table_html(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """An HTML table of ``rows`` under ``columns``, every cell escaped."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(r.get(c, '')))}</td>" for c in columns) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def year_table(results: Results) -> list[dict[str, str]]:
    """The headline outcomes by fiscal year, each column headed with its label and unit."""
    rows = []
    for r in by_year(results).to_dicts():
        row = {"FY": str(r["fiscal_year"])}
        for name in HEADLINES:
            outcome, value = OUTCOMES[name], r[name]
            row[f"{outcome.label} ({outcome.display_unit})"] = (
                "–" if value is None else f"{value * outcome.scale:,.0f}"
            )
        row["capacity binding most weeks"] = CAPACITIES.get(r["binding"], r["binding"])
        rows.append(row)
    return rows


def effects_table(results: Results) -> list[dict[str, str]]:
    """Each fiscal year's cost in nominal and base-year dollars, and the economic, fiscal and
    family effects of its removals (``analysis.effects``), the studies' range beside each
    central value. Prices and the studies' figures are the baseline tree's."""
    import datetime as dt

    from immsim.analysis.effects import Band, base_year, costs_by_year, effects_by_year

    tree = load_baseline()
    at = dt.date.fromisoformat(str(results.manifest["start"]))
    base = base_year(tree, at)
    costs = costs_by_year(results, tree, at).to_dicts()

    def millions(band: Band, unit: float = 1e6) -> str:
        return f"{band.central / unit:,.0f} ({band.low / unit:,.0f}–{band.high / unit:,.0f})"

    return [
        {
            "FY": str(cost["fiscal_year"]),
            "operating cost (USD millions)": f"{cost['cost'] / 1e6:,.0f}",
            "new beds' capital (USD millions)": f"{cost['cost_capital'] / 1e6:,.0f}",
            f"cost, capital included ({base} USD millions)": f"{cost['cost_constant'] / 1e6:,.0f}",
            "workers removed or leaving": f"{e.workers.central:,.0f}",
            f"GDP lost ({base} USD millions)": millions(e.output_lost),
            f"federal taxes lost ({base} USD millions)": millions(e.federal_taxes_lost),
            f"state and local taxes lost ({base} USD millions)": millions(e.state_local_taxes_lost),
            "parents of U.S.-citizen children removed": f"{e.parents:,.0f}",
            "U.S.-citizen children who lost a parent": f"{e.usc_children:,.0f}",
            "mixed-status households reached": f"{e.mixed_status_households:,.0f}",
            "U.S.-born workers' jobs lost": millions(e.us_born_jobs_lost, 1.0),
            "average wage (% change)": f"{e.average_wage_change.central:+.2%}",
        }
        for cost, e in zip(costs, effects_by_year(results, tree, at), strict=True)
    ]


def families_table(results: Results) -> str:
    """The family counts by area and fiscal year of a run with areas
    (``analysis.effects.families_by_area``), or "" for a run without them."""
    import datetime as dt

    from immsim.analysis.effects import families_by_area

    at = dt.date.fromisoformat(str(results.manifest["start"]))
    families = families_by_area(results, load_baseline(), at)
    if families is None or families.is_empty():
        return ""
    year = whole_year(results.weekly)  # the year the map and the table by area show
    rows = [
        {
            "area": area_results.area_label(r["area"]),
            "parents of U.S.-citizen children removed": f"{r['parents']:,.0f}",
            "U.S.-citizen children who lost a parent": f"{r['usc_children']:,.0f}",
            "mixed-status households reached": f"{r['mixed_status_households']:,.0f}",
        }
        for r in families.filter(pl.col("fiscal_year") == year).to_dicts()
    ]
    return (
        f"<h3>Families by area of responsibility, FY{year}</h3>"
        + table_html(rows, list(rows[0]))
        + '<p class="note">Each area\'s own removed parents of U.S.-citizen children (the '
        "engine tallies them by area: the outcome removals_parents), Pew's children per parent "
        "and CMS 2024's households per person; every year: "
        "analysis.effects.families_by_area.</p>"
    )


def definitions(names: tuple[str, ...] = HEADLINES) -> str:
    """What each outcome means, as every table and chart of it counts it."""
    items = "".join(
        f"<dt>{html.escape(OUTCOMES[n].label)} ({html.escape(OUTCOMES[n].display_unit)})</dt>"
        f"<dd>{html.escape(OUTCOMES[n].definition)}</dd>"
        for n in names
    )
    return f"<h2>What the outcomes mean</h2><dl>{items}</dl>"


def charts_html(figures: list[go.Figure], prefix: str) -> str:
    """Each figure in a section of its own, drawn by :func:`plotly_script`."""
    return "\n".join(
        f'<section class="chart">{figure_html(f, f"{prefix}{i}")}</section>'
        for i, f in enumerate(figures)
    )


def render(results: Results) -> str:
    m = results.manifest
    scenario = m.get("scenario", {})
    source = scenario.get("source") or ""
    if source and Path(source).is_file():
        scenario_text = Path(source).read_text(encoding="utf-8")
    else:
        scenario_text = json.dumps(scenario, indent=2, default=str)
    summary = year_table(results)
    by_area = area_section(
        area_results.results_by_area(results), results.weekly, load_baseline(), table_html
    )
    effects = effects_table(results)
    families = families_table(results)
    changed = _changed_parameters(results)
    figures = [_sankey(results), _series(results), _who(results), _costs(results)]
    figures.append(_binding(results))
    changed_html = (
        table_html(changed, ["key", "from", "value", "unit", "source"])
        if changed
        else "<p>None: every parameter is at its baseline value.</p>"
    )
    title = f"immsim: {scenario.get('name', 'run')}"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style></head>
<body>
<h1>{html.escape(title)}</h1>
<p>{html.escape(scenario.get("description") or "")}</p>
<p>Regime: <b>{html.escape(m["regime"]["name"])}</b> ({html.escape(m["regime"]["title"])}).
From {m["start"]} to {m["end"]}, seed {m["seed"]}, {m["population"]["people"]:,} people at the start.
Run {html.escape(m["run_id"])} with immsim {html.escape(str(m.get("code_version")))}.</p>
<p class="note">Aggregate counts of a simulation, not of real people. Many rates are estimates,
fitted to FY2012–FY2016 or assumed; see the parameter sources.</p>
<h2>Year by year</h2>
{table_html(summary, list(summary[0]) if summary else [])}
{by_area}
<h2>Costs in constant dollars, and what the removals do</h2>
{table_html(effects, list(effects[0]) if effects else [])}
{families}
<p class="note">Workers removed or leaving that year (interior removals and voluntary returns after
arrest, at Pew's employment rate); GDP and
taxes lost that year from everyone removed since the run began, central value and in brackets the
90% band from the studies' range (CAP 2016, AAF 2015; ITEP 2024, AIC 2024); children: removed
parents of U.S.-citizen children times Pew's children per parent; mixed-status households reached
by that year's removals (CMS 2024); U.S.-born workers' jobs lost beside everyone gone so far (EPI
2025; none in the cost studies, East et al. 2019 at the high end); the average wage's change
with the share of the starting population gone so far (Penn Wharton 2025). New beds' capital: the
beds funded above the run's start at their cost per bed, spread over their life (the operating
cost leaves it out). Constant dollars: CPI-U.</p>
<p class="note" id="charts-note">Drawing the charts…</p>
{charts_html(figures, "chart")}
{definitions()}
<h2>Assumptions that differ from the baseline</h2>
{changed_html}
<h2>The scenario</h2>
<pre>{html.escape(scenario_text)}</pre>
{plotly_script()}
</body></html>
"""


_UNREADABLE = (OSError, ValueError, KeyError, TypeError, IndexError, pl.exceptions.PolarsError)
"""What a damaged or foreign folder raises while it is read and drawn: truncated Parquet, JSON
that is not JSON, a manifest or a table without what a run writes."""


def write_report(run_dir: Path, out: Path, overwrite: bool = True) -> Path:
    """Report on a run folder, a Monte Carlo folder or a comparison folder. A folder that cannot
    be read as one (damaged, or not written by immsim) is an :class:`InputError` naming it, and
    nothing is written."""
    try:
        if (run_dir / "bands.parquet").is_file() or (run_dir / "levels.parquet").is_file():
            from immsim.presentation.bands import render_bands

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
    with atomic_file(out, overwrite) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return out
