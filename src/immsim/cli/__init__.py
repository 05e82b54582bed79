"""The ``immsim`` command line.

Every command that prints a table also takes ``--json``. Input problems print one located message
(file:line: key: what is wrong (allowed: ...)) and exit with status 2; ``--debug`` shows the
traceback instead.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from immsim import __version__
from immsim.errors import ImmsimError, InputError
from immsim.parameters import load_baseline, load_parameters
from immsim.parameters.loader import Leaf, as_date

app = typer.Typer(
    name="immsim",
    help=(
        "Simulator and data toolkit for U.S. interior immigration enforcement. "
        "Aggregate policy analysis only: it never scores or identifies a person."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
params_app = typer.Typer(
    help="The cited, dated parameter tree (rules as code).", no_args_is_help=True
)
scenario_app = typer.Typer(help="Scenario files: check and summarise.", no_args_is_help=True)
regimes_app = typer.Typer(
    help="Policy regimes: priorities, exemptions, detainers.", no_args_is_help=True
)
app.add_typer(params_app, name="params")
app.add_typer(scenario_app, name="scenario")
app.add_typer(regimes_app, name="regimes")
population_app = typer.Typer(
    help="The population of strata the system acts on: build, describe.", no_args_is_help=True
)
app.add_typer(population_app, name="population")
data_app = typer.Typer(
    help="Published enforcement records: fetch, ingest, summarize.", no_args_is_help=True
)
app.add_typer(data_app, name="data")

console = Console()
err_console = Console(stderr=True)

JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")
]
AtOpt = Annotated[
    str | None, typer.Option("--at", help="Date of the look-up, YYYY-MM-DD (default: today).")
]


def _emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _day(at: str | None) -> dt.date:
    return as_date(at) if at else dt.date.today()


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        console.print(f"immsim {__version__}")
        raise typer.Exit()


# --- params ---------------------------------------------------------------------------------


def _current(leaf: Leaf, day: dt.date) -> dict[str, Any]:
    try:
        entry = leaf.entry(day)
    except InputError:
        return {"value": None, "from": None, "estimated": False, "source": None}
    source = entry.references[0].title if entry.references else (entry.method or "")
    return {
        "value": entry.value,
        "from": entry.start.isoformat(),
        "estimated": entry.estimated,
        "source": source,
    }


@params_app.command("list")
def params_list(
    prefix: Annotated[
        str | None, typer.Argument(help="Only keys under this prefix, e.g. detention.")
    ] = None,
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List parameters with their value on a date, unit and source."""
    tree = load_baseline()
    keys = tree.keys(prefix)
    if not keys:
        raise InputError(
            f"no parameter under {prefix!r}", allowed=sorted({k.split(".")[0] for k in tree})
        )
    day = _day(at)
    rows = [{"key": k, "unit": tree.leaf(k).unit, **_current(tree.leaf(k), day)} for k in keys]
    if as_json:
        _emit_json({"at": day.isoformat(), "parameters": rows})
        return
    table = Table(title=f"Parameters on {day.isoformat()}", title_justify="left")
    for col in ("key", "value", "unit", "from", "source"):
        table.add_column(col, overflow="fold", no_wrap=col == "key")
    for row in rows:
        value = (
            "—"
            if row["value"] is None
            else _fmt(row["value"]) + (" (est.)" if row["estimated"] else "")
        )
        table.add_row(
            row["key"], value, row["unit"], row["from"] or "not yet", escape(row["source"] or "")
        )
    console.print(table)


@params_app.command("show")
def params_show(
    key: Annotated[str, typer.Argument(help="Parameter key, e.g. detention.funded_beds.")],
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One parameter: its value on a date, unit, and every dated value with its source."""
    tree = load_baseline()
    leaf = tree.leaf(key)
    day = _day(at)
    entry = leaf.entry(day)
    if as_json:
        _emit_json(
            {
                **leaf.as_dict(),
                "at": day.isoformat(),
                "value": entry.value,
                "in_force_from": entry.start.isoformat(),
                "source": [r.model_dump(exclude_none=True) for r in entry.references],
                "estimated": entry.estimated,
            }
        )
        return
    console.print(f"[bold]{leaf.key}[/]: {escape(leaf.description)}")
    console.print(
        f"On {day.isoformat()}: [bold]{_fmt(entry.value)} {escape(leaf.unit)}[/] "
        f"(in force from {entry.start.isoformat()}{', our estimate' if entry.estimated else ''})"
    )
    table = Table(title_justify="left")
    for col in ("from", "value", "source", "note"):
        table.add_column(col, overflow="fold")
    for v in leaf.values:
        refs = "; ".join(f"{r.title} <{r.href}>" if r.href else r.title for r in v.references)
        if v.estimated:
            refs = f"ESTIMATE — {v.method}" + (f"; {refs}" if refs else "")
        marker = " ◀" if v is entry else ""
        table.add_row(
            v.start.isoformat() + marker, _fmt(v.value), escape(refs), escape(v.note or "")
        )
    console.print(table)


# --- scenario -------------------------------------------------------------------------------


@scenario_app.command("check")
def scenario_check(
    file: Annotated[
        str | None,
        typer.Argument(
            help="Scenario YAML file, or the name of an embedded one (default: 'default')."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate a scenario and show what it runs: regime, dates, reform, key parameter values."""
    from immsim.regimes import load_regime
    from immsim.regimes.catalog import regime_at
    from immsim.scenario import resolve_scenario

    def regime_at_start(day: dt.date) -> str:
        return regime_at(day).name

    scenario = resolve_scenario(file)
    tree = load_parameters(scenario.reform)
    regime = load_regime(
        scenario.regime if scenario.regime != "historical" else regime_at_start(scenario.start)
    )
    shown = sorted(set(tree.keys()) if scenario.reform is None else set(scenario.reform.overrides))
    values = []
    for key in shown:
        leaf = tree.leaf(key)
        values.append({"key": key, "unit": leaf.unit, **_current(leaf, scenario.start)})
    if as_json:
        _emit_json(
            {
                "ok": True,
                "scenario": scenario.summary(),
                "regime_title": regime.title,
                "parameters": values,
            }
        )
        return
    summary = scenario.summary()
    console.print(
        f"[green]✓[/] scenario [bold]{escape(summary['name'])}[/] is valid ({escape(summary['source'])})"
    )
    console.print(f"  regime      {regime.name}: {escape(regime.title)}")
    console.print(
        f"  period      {summary['start']} → {summary['end']} ({summary['horizon_years']} years, weekly)"
    )
    console.print(f"  seed        {summary['seed']}    population: {escape(summary['population'])}")
    console.print(f"  reform      {escape(summary['reform'] or 'none (baseline)')}")
    table = Table(title=f"Parameter values at the start ({summary['start']})", title_justify="left")
    table.add_column("key", no_wrap=True)
    for col in ("value", "unit", "source"):
        table.add_column(col, overflow="fold")
    for row in values:
        value = (
            "—"
            if row["value"] is None
            else _fmt(row["value"]) + (" (est.)" if row["estimated"] else "")
        )
        table.add_row(row["key"], value, row["unit"], escape(row["source"] or ""))
    console.print(table)


# --- regimes --------------------------------------------------------------------------------


@regimes_app.command("list")
def regimes_list(as_json: JsonOpt = False) -> None:
    """The shipped regimes with the dates they were in force and their sources."""
    from immsim.regimes.catalog import shipped_regimes

    rows: list[dict[str, Any]] = [
        {
            "name": r.name,
            "title": r.title,
            "in_force": [
                {"start": p.start.isoformat(), "end": p.end.isoformat() if p.end else None}
                for p in r.in_force
            ],
            "tiers": len(r.tiers),
            "non_priority": r.non_priority,
            "sources": [d.model_dump(mode="json") for d in r.documents],
        }
        for r in shipped_regimes()
    ]
    if as_json:
        _emit_json({"regimes": rows})
        return
    table = Table(title="Policy regimes", title_justify="left")
    for col in ("name", "in force", "title", "tiers", "others", "sources"):
        table.add_column(col, overflow="fold")
    for row in rows:
        periods = "\n".join(f"{p['start']} → {p['end'] or 'now'}" for p in row["in_force"])
        sources = "\n".join(f"{d['title']} ({d['date']})" for d in row["sources"])
        table.add_row(
            row["name"],
            periods,
            escape(row["title"]),
            str(row["tiers"]),
            row["non_priority"],
            escape(sources),
        )
    console.print(table)


@regimes_app.command("show")
def regimes_show(
    name: Annotated[
        str, typer.Argument(help="A regime name (see `immsim regimes list`) or a regime file.")
    ],
    as_json: JsonOpt = False,
) -> None:
    """A regime's tiers, exemptions, detainer policy and channels in plain words, with the cited passages."""
    from immsim.regimes import load_regime

    regime = load_regime(name)
    if as_json:
        payload = regime.model_dump(mode="json")
        payload["tiers_in_words"] = [
            {
                "id": t.id,
                "label": t.label,
                "rule": t.describe(),
                "cited": regime.cite(t.source),
                "assumption": t.assumption,
            }
            for t in regime.tiers
        ]
        _emit_json(payload)
        return
    console.print(f"[bold]{regime.name}[/] — {escape(regime.title)}")
    console.print(escape(regime.summary))
    console.print(
        "In force: " + "; ".join(f"{p.start} → {p.end or 'now'}" for p in regime.in_force)
    )
    table = Table(title="Priority tiers (first match wins)", title_justify="left", show_lines=True)
    for col in ("#", "tier", "who", "cited passage / assumption"):
        table.add_column(col, overflow="fold")
    for i, tier in enumerate(regime.tiers, 1):
        cited = regime.cite(tier.source) + (
            f"\n[i]Assumption:[/] {escape(tier.assumption)}" if tier.assumption else ""
        )
        table.add_row(str(i), escape(tier.label), escape(tier.describe()), cited)
    console.print(table)
    console.print(
        f"Not in any tier: [bold]{regime.non_priority}[/] — {escape(regime.cite(regime.non_priority_source))}"
    )
    for title, rules in (
        ("Exempt", regime.exempt),
        ("Mitigating factors", regime.mitigating_factors),
    ):
        console.print(f"[bold]{title}:[/]" + ("" if rules else " none"))
        for rule in rules:
            basis = regime.cite(rule.source) or f"assumption: {rule.assumption}"
            console.print(
                f"  • {escape(rule.label)} ({escape(rule.when.describe())}) — {escape(basis)}"
            )
    console.print("[bold]Detainer policy[/] (first match wins):")
    for drule in regime.detainer_policy:
        who = (
            "people in no tier"
            if drule.non_priority
            else ("tiers " + ", ".join(drule.tiers) if drule.tiers else "anyone")
        )
        if drule.when:
            who += f" where {drule.when.describe()}"
        basis = regime.cite(drule.source) or f"assumption: {drule.assumption}"
        console.print(f"  • {drule.action} — {escape(who)} — {escape(basis)}")
    ch = regime.channels
    console.print(
        "[bold]Channels permitted:[/] " + ", ".join(c.replace("_", " ") for c in ch.permitted())
    )
    for text in regime.assumptions:
        console.print(f"[i]Assumption:[/] {escape(text)}")


@regimes_app.command("classify")
def regimes_classify(
    name: Annotated[str, typer.Argument(help="A regime name or a regime file.")],
    profile: Annotated[
        Path,
        typer.Option("--profile", help="YAML file of hypothetical profiles (`profiles: [...]`)."),
    ],
    at: AtOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Classify a table of *hypothetical* profiles under a regime — for checking rules, never real people."""
    from immsim.regimes import classify, load_regime
    from immsim.regimes.profiles import load_profiles

    regime = load_regime(name)
    day = _day(at) if at else regime.in_force[0].start
    profiles = load_profiles(profile)
    results = [(p, classify(regime, p, day)) for p in profiles]
    if as_json:
        _emit_json(
            {
                "regime": regime.name,
                "at": day.isoformat(),
                "results": [{"profile": p.model_dump(), **c.as_dict()} for p, c in results],
            }
        )
        return
    table = Table(
        title=f"{regime.name} on {day.isoformat()} (hypothetical profiles)",
        title_justify="left",
        show_lines=True,
    )
    for col in ("profile", "tier", "enforcement", "detainer", "mitigating", "why"):
        table.add_column(col, overflow="fold")
    for p, c in results:
        table.add_row(
            escape(p.label or "—"),
            escape(c.tier_label),
            c.enforcement,
            c.detainer,
            ", ".join(c.mitigating) or "—",
            escape("\n".join(c.reasons)),
        )
    console.print(table)


# --- run ------------------------------------------------------------------------------------

WorkersOpt = Annotated[
    int,
    typer.Option(
        "--workers",
        min=1,
        max=256,
        help="Processes in the local pool (default: the CPUs this process may use).",
    ),
]
DEFAULT_WORKERS = max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
RayOpt = Annotated[
    str | None,
    typer.Option("--ray", help="Run on a Ray cluster: its address, or 'local' for one here."),
]


@app.command("run")
def run_command(
    scenario_file: Annotated[
        str | None,
        typer.Argument(
            help="Scenario YAML file, or an embedded scenario's name (default: 'default')."
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Override the scenario's seed.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder to save the run in (default: runs/<run id>)."),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace --out if it exists.")
    ] = False,
    draws: Annotated[
        int,
        typer.Option(
            "--draws", min=1, max=10000, help="Monte Carlo draws: medians and 50%/90% bands."
        ),
    ] = 1,
    workers: WorkersOpt = DEFAULT_WORKERS,
    ray: RayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Simulate a scenario week by week and save the results (Parquet + manifest.json)."""
    if draws > 1:
        _run_draws(scenario_file, draws, seed, out, overwrite, workers, ray, as_json)
        return
    import polars as pl

    from immsim.engine.run import run
    from immsim.scenario import resolve_scenario

    scenario = resolve_scenario(scenario_file)
    if seed is not None and seed < 0:
        raise InputError("the seed must be a non-negative integer", key="--seed")
    _warm_engine(as_json)
    with _task_progress(f"Running {scenario.name} (weeks)", as_json) as bar:
        task = bar.add_task("weeks", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        results = run(scenario, seed=seed, progress=tick)
    folder = results.save(out or Path("runs") / results.manifest["run_id"], overwrite=overwrite)
    yearly = results.yearly()
    if as_json:
        _emit_json(
            {
                "run_id": results.manifest["run_id"],
                "folder": str(folder),
                "wall_seconds": results.manifest["wall_seconds"],
                "yearly": yearly.to_dicts(),
            }
        )
        return
    manifest = results.manifest
    console.print(
        f"[bold]{escape(scenario.name)}[/]: {manifest['regime']['name']}, "
        f"{manifest['start']} to {manifest['end']}, seed {manifest['seed']} "
        f"({manifest['wall_seconds']:.1f} s)"
    )
    table = Table(padding=(0, 1))
    convicted = (
        results.shares("removed", "criminal_history")
        .filter(pl.col("level") != "none")
        .group_by("fiscal_year")
        .agg(pl.col("share").sum())
    )
    convicted_by_year = dict(zip(convicted["fiscal_year"], convicted["share"], strict=True))
    for name in (
        "FY",
        "arrests",
        "removed",
        "interior",
        "convicted",
        "detained",
        "backlog",
        "cost $M",
        "binds",
    ):
        table.add_column(name, justify="left" if name in ("FY", "binds") else "right", no_wrap=True)
    for row in yearly.to_dicts():
        cost = sum(row[c] for c in ("cost_arrest", "cost_detention", "cost_court", "cost_removal"))
        table.add_row(
            str(row["fiscal_year"]),
            f"{row['arrests']:,.0f}",
            f"{row['removals']:,.0f}",
            f"{row['removals_interior']:,.0f}",
            f"{convicted_by_year.get(row['fiscal_year'], 0.0):.0%}",
            f"{row['detained_avg']:,.0f}",
            f"{row['court_pending_avg']:,.0f}",
            f"{cost / 1e6:,.0f}",
            row["binding_most_weeks"],
        )
    if not console.is_terminal:  # piped: don't cut numbers to fit 80 columns
        console.width = max(console.width, 110)
    console.print(table)
    console.print(
        "convicted: share of interior removals with a criminal conviction; binds: the capacity "
        "that bound in most weeks."
    )
    console.print(
        f"Saved to [bold]{escape(str(folder))}[/] (weekly.parquet, breakdown.parquet, manifest.json)."
    )


def _run_draws(
    scenario_file: str | None,
    draws: int,
    seed: int | None,
    out: Path | None,
    overwrite: bool,
    workers: int,
    ray: str | None,
    as_json: bool,
) -> None:
    import polars as pl

    from immsim.analysis.montecarlo import bands, draw_tasks
    from immsim.analysis.tasks import execute
    from immsim.analysis.uncertainty import parse_uncertainties
    from immsim.atomic import atomic_folder
    from immsim.scenario import resolve_scenario

    scenario = resolve_scenario(scenario_file)
    dists = parse_uncertainties(scenario.uncertainties, scenario.parameters())
    tasks = draw_tasks(scenario, draws, scenario.seed if seed is None else seed, dists)
    with _task_progress(f"Running {scenario.name}", as_json) as bar:
        task = bar.add_task("draws", total=draws)
        results = execute(
            tasks, workers, ray, lambda n, total: bar.update(task, completed=n, total=total)
        )
    rows = pl.DataFrame([r for result in results for r in result])
    summary = bands(rows)
    folder = out or Path("runs") / f"{scenario.name}-draws{draws}"
    with atomic_folder(folder, overwrite=overwrite) as tmp:
        rows.write_parquet(tmp / "draws.parquet")
        summary.write_parquet(tmp / "bands.parquet")
        (tmp / "manifest.json").write_text(
            json.dumps({"scenario": scenario.summary(), "draws": draws}, indent=2, default=str)
        )
    if as_json:
        _emit_json({"folder": str(folder), "bands": summary.to_dicts()})
        return
    if not console.is_terminal:
        console.width = max(console.width, 120)
    console.print(_bands_table(f"{scenario.name}: {draws} draws", summary))
    console.print(f"Saved to [bold]{escape(str(folder))}[/] (draws.parquet, bands.parquet).")


# --- population -----------------------------------------------------------------------------


@population_app.command("build")
def population_build(
    date: Annotated[
        str, typer.Option("--date", help="Reference date, YYYY-MM-DD (2011-01-01 or later).")
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Parquet file to write (default: population-DATE.parquet)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for rounding to whole people.")] = 0,
    reform: Annotated[
        Path | None, typer.Option("--reform", help="Reform file overriding population parameters.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Rake a national strata table to the cited marginals for a date and save it as Parquet."""
    import time

    from immsim.parameters.reform import load_reform
    from immsim.population.build import build_population
    from immsim.population.describe import describe_dict
    from immsim.population.strata_io import save_population

    day = as_date(date)
    tree = load_parameters(load_reform(reform) if reform else None)
    started = time.perf_counter()
    with console.status(f"Building the population for {day.isoformat()}…", spinner="dots"):
        population = build_population(tree, day, seed=seed)
        path = save_population(population, out or Path(f"population-{day.isoformat()}.parquet"))
    seconds = time.perf_counter() - started
    summary = describe_dict(population, tree)
    if as_json:
        _emit_json({"file": str(path), "seconds": round(seconds, 3), **summary})
        return
    console.print(
        f"Wrote [bold]{escape(str(path))}[/]: {population.total:,} people in "
        f"{population.strata.height:,} strata, reference date {day.isoformat()}, seed {seed} "
        f"({seconds:.1f} s)."
    )
    ok = summary["all_within_tolerance"]
    console.print(
        "Every margin matches its target within tolerance."
        if ok
        else "[bold red]Some margins miss their targets[/]: see `immsim population describe`."
    )


_NUMERIC = {"people", "share", "target", "difference"}


@population_app.command("describe")
def population_describe(
    file: Annotated[Path, typer.Argument(help="A strata file (.parquet, or .csv).")],
    date: Annotated[
        str | None,
        typer.Option("--date", help="Reference date, for a file that does not record one."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Marginals of a strata file against the targets it was built to meet, with sources."""
    from immsim.population.describe import describe_dict
    from immsim.population.strata_io import load_population

    population = load_population(file, as_date(date) if date else None)
    summary = describe_dict(population, load_baseline())
    if as_json:
        _emit_json(summary)
        return
    console.print(
        f"[bold]{escape(str(file))}[/]: {population.total:,} people in "
        f"{population.strata.height:,} strata; reference date "
        f"{population.reference_date.isoformat()}; {escape(population.origin)}"
    )
    table = Table(padding=(0, 1))
    table.add_column("level", max_width=16, overflow="fold")
    for name in ("people", "%", "target", "diff"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("source", min_width=14, overflow="fold")
    margins = summary["margins"]
    assert isinstance(margins, list)
    last = None
    cited = None
    for row in margins:
        if row["attribute"] != last:
            last = row["attribute"]
            cited = None
            table.add_row(f"[bold]{last}[/]", end_section=False)
        source = row["citation"] or row["source"]
        shown, cited = ("″" if source == cited else source), source
        target = row["target"]
        diff = row["difference"]
        flag = "" if row["within_tolerance"] in (True, None) else " [bold red]✗[/]"
        table.add_row(
            f"  {row['level']}",
            f"{row['persons']:,}",
            f"{row['share']:.1%}",
            "" if target is None else f"{target:,.0f}",
            ("" if diff is None else f"{round(diff) + 0:+,}") + flag,
            escape(shown),
        )
    console.print(table)
    tol = summary["tolerance"]
    assert isinstance(tol, dict)
    console.print(
        f"Tolerance: {tol['relative']:.1%} of the target or {tol['persons']} people. "
        + (
            "All margins within it."
            if summary["all_within_tolerance"]
            else "[bold red]Some margins outside it.[/]"
        )
    )


# --- data -------------------------------------------------------------------------------------


@data_app.command("fetch")
def data_fetch(
    source: Annotated[str | None, typer.Argument(help="A source name (see --list).")] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder to download into.")] = Path("data"),
    url: Annotated[
        list[str] | None, typer.Option("--url", help="Download these addresses instead.")
    ] = None,
    show: Annotated[bool, typer.Option("--list", help="List the known sources.")] = False,
) -> None:
    """Download public releases from their publishers (needs the network)."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    from immsim.data.fetch import fetch, sources

    if show or source is None:
        table = Table("source", "description", "files")
        for name, info in sources().items():
            table.add_row(name, escape(info["description"]), str(len(info["files"])))
        console.print(table)
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), console=err_console
    ) as bar:
        tasks: dict[str, Any] = {}

        def tick(name: str, done: int, total: int | None) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done)

        saved = fetch(source, out, urls=url, progress=tick)
    for path in saved:
        console.print(f"saved {escape(str(path))}")


@data_app.command("ingest")
def data_ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files to ingest (layouts are detected).")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write (Parquet + reports).")],
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace --out if it exists.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Read published layouts into the normalized event schema, with a report per file."""
    from immsim.data.ingest import ingest

    with console.status("Ingesting…", spinner="dots") as status:
        reports = ingest(
            paths, out, overwrite=overwrite, progress=lambda text: status.update(escape(text))
        )
    if as_json:
        _emit_json({"out": str(out), "files": [r.as_dict() for r in reports]})
        return
    table = Table("file", "layout", "read", "written", "rejected", "top reason")
    for r in reports:
        top = r.rejected_by_reason.most_common(1)
        table.add_row(
            escape(Path(r.source).name),
            r.layout,
            f"{r.rows_read:,}",
            f"{r.rows_written:,}",
            f"{r.rows_rejected:,}",
            escape(f"{top[0][0]} ({top[0][1]:,})") if top else "",
        )
    console.print(table)
    console.print(f"Wrote [bold]{escape(str(out))}[/]; every rejected row is listed in reports/.")


@data_app.command("summarize")
def data_summarize(
    folder: Annotated[Path, typer.Argument(help="A folder written by `immsim data ingest`.")],
    figures: Annotated[
        Path | None,
        typer.Option("--figures", help="published_figures.csv to cross-check against."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Yearly and monthly flows by method, criminality, country and area; cross-checks."""
    from immsim.data.summarize import summarize

    summary = summarize(folder, figures)
    if as_json:
        _emit_json(summary)
        return
    for kind in ("arrest", "removal"):
        if kind not in summary:
            continue
        block = summary[kind]
        table = Table(title=f"{kind} events by fiscal year")
        table.add_column("FY")
        table.add_column("events", justify="right")
        for row in block["yearly"]:
            table.add_row(str(row["fiscal_year"]), f"{row['events']:,}")
        console.print(table)
        dim = "channel" if kind == "arrest" else "removal_kind"
        table = Table(title=f"{kind} events by {dim}")
        for name in ("FY", dim, "events"):
            table.add_column(name, justify="right" if name == "events" else "left")
        for row in block[f"by_{dim}"]:
            table.add_row(str(row["fiscal_year"]), str(row["level"]), f"{row['events']:,}")
        console.print(table)
    if "detention_stay" in summary:
        table = Table(title="average daily detained population (from daily headcounts)")
        table.add_column("FY")
        table.add_column("people", justify="right")
        for row in summary["detention_stay"]["yearly_average_daily_population"]:
            table.add_row(str(row["fiscal_year"]), f"{row['average_daily_population']:,.0f}")
        console.print(table)
    if summary["cross_check"]:
        table = Table(title="against published figures")
        for name in ("metric", "FY", "ingested", "published", "difference", "source"):
            table.add_column(
                name, justify="right" if name in ("ingested", "published", "difference") else "left"
            )
        for row in summary["cross_check"]:
            table.add_row(
                row["metric"],
                str(row["fiscal_year"]),
                f"{row['ingested']:,.0f}",
                f"{row['published']:,.0f}",
                f"{row['difference']:+,.0f} ({row['relative']:+.1%})"
                if row["relative"] is not None
                else "",
                escape(row["source"][:60]),
            )
        console.print(table)
    elif figures is None:
        console.print(
            "Pass --figures published_figures.csv to cross-check against published totals."
        )


# --- calibration and validation ---------------------------------------------------------------


def _figures(path: Path | None) -> Path:
    """--figures, else $IMMSIM_FIGURES, else ../shared/data/published_figures.csv if present."""
    import os

    if path is not None:
        return path
    env = os.environ.get("IMMSIM_FIGURES")
    if env:
        return Path(env)
    guess = Path("../shared/data/published_figures.csv")
    if guess.is_file():
        return guess
    raise InputError(
        "no published figures to compare with",
        key="--figures",
        allowed="the path of published_figures.csv (or set IMMSIM_FIGURES)",
    )


FiguresOpt = Annotated[
    Path | None,
    typer.Option("--figures", help="published_figures.csv (default: $IMMSIM_FIGURES)."),
]


@app.command("validate")
def validate_command(
    figures: FiguresOpt = None,
    draws: Annotated[int, typer.Option("--draws", min=1, max=200, help="Runs (seeds).")] = 5,
    seed: Annotated[int, typer.Option("--seed", min=0)] = 2012,
    as_json: JsonOpt = False,
) -> None:
    """Back-test FY2012-FY2019 under the regimes in force each year; no value is refitted."""
    from rich.progress import Progress

    from immsim.calibration.validate import validate

    path = _figures(figures)
    with Progress(console=err_console, transient=True, disable=as_json) as bar:
        task = bar.add_task("Back-testing", total=draws)
        result = validate(
            path,
            load_baseline(),
            draws=draws,
            seed=seed,
            progress=lambda done, total: bar.update(task, completed=done),
        )
    if as_json:
        _emit_json(result)
        return
    if not console.is_terminal:
        console.width = max(console.width, 120)
    table = Table(title="Back-test FY2012-FY2019 (median of draws, 90% band)", padding=(0, 1))
    for name in ("metric", "FY", "observed", "simulated", "90% band", "error", "sample"):
        table.add_column(name, justify="left" if name in ("metric", "sample") else "right")
    last = None
    for row in result["rows"]:
        if row["observed"] is None:
            continue
        share = row["metric"].endswith("share")

        def fmt(v: float, share: bool = share) -> str:
            return f"{v:.0%}" if share else f"{v:,.0f}"

        table.add_row(
            row["label"] if row["metric"] != last else "",
            str(row["fiscal_year"]),
            fmt(row["observed"]),
            fmt(row["median"]),
            f"{fmt(row['low'])}-{fmt(row['high'])}",
            f"{row['error']:+.0%}",
            row["sample"],
        )
        last = row["metric"]
    console.print(table)
    for item in result["directions"]:
        verdict = "agrees" if item["agree"] else "DISAGREES"
        console.print(
            f"FY2016->FY2017 {item['label']}: the model {verdict} with the record's direction."
        )
    oos = result["out_of_sample_median_abs_pct_error"]
    fitted = result["fitted_median_abs_pct_error"]
    console.print(
        f"Median absolute error: fitted years {fitted:.1%}; out of sample (FY2017-FY2019, "
        f"{result['out_of_sample_cells']} cells) [bold]{oos:.1%}[/]."
    )
    for info in result["metrics"].values():
        if info["note"]:
            console.print(f"[i]{escape(info['label'])}[/]: {escape(info['note'])}")


@app.command("calibrate")
def calibrate_command(
    figures: FiguresOpt = None,
    max_evaluations: Annotated[
        int, typer.Option("--max-evaluations", min=2, max=2000, help="Model runs allowed.")
    ] = 60,
    seed: Annotated[int, typer.Option("--seed", min=0)] = 2012,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Fit and report; change no file.")
    ] = False,
    tree_dir: Annotated[
        Path | None,
        typer.Option(
            "--tree-dir", help="The parameter tree folder to write (default: the package's)."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Fit the parameters no source states to FY2012-FY2016; write them into the tree."""
    from importlib import resources

    from rich.progress import Progress, TextColumn

    from immsim.calibration.calibrate import calibrate, write_back

    path = _figures(figures)
    with Progress(
        *Progress.get_default_columns(),
        TextColumn("RMS error {task.fields[error]}"),
        console=err_console,
        transient=True,
        disable=as_json,
    ) as bar:
        task = bar.add_task("Calibrating", total=max_evaluations, error="-")
        result = calibrate(
            path,
            load_baseline(),
            seed=seed,
            max_evaluations=max_evaluations,
            progress=lambda n, e: bar.update(task, completed=n, error=f"{e:.3f}"),
        )
    changed: list[Path] = []
    if not dry_run:
        folder = tree_dir or Path(str(resources.files("immsim.parameters").joinpath("tree")))
        changed = write_back(result, load_baseline(), folder)
    if as_json:
        _emit_json({**result, "changed_files": [str(p) for p in changed]})
        return
    if not console.is_terminal:
        console.width = max(console.width, 130)
    table = Table(title="Fitted parameters (FY2012-FY2016)", padding=(0, 1))
    for name in ("parameter", "unit", "was", "fitted", "90% interval", "allowed"):
        table.add_column(name, justify="left" if name in ("parameter", "unit") else "right")
    for item in result["parameters"]:
        lo, hi = item["interval_90"]
        low, high = item["range"]
        table.add_row(
            item["key"],
            item["unit"],
            f"{item['before']:.4g}",
            f"{item['value']:.4g}" + (" [bold red](bound)[/]" if item["at_bound"] else ""),
            f"{lo:.3g}-{hi:.3g}",
            f"{low:.3g}-{high:.3g}",
        )
    console.print(table)
    console.print(
        f"RMS relative error on {len(result['targets'])} targets: "
        f"{result['rms_relative_error_before']:.3f} before, {result['rms_relative_error_after']:.3f} after "
        f"({result['evaluations']} runs)."
    )
    if changed:
        console.print(
            "Wrote " + ", ".join(escape(str(p)) for p in changed) + "; review with git diff."
        )
    else:
        console.print("Dry run: no file changed.")


# --- analysis ---------------------------------------------------------------------------------


def _warm_engine(quiet: bool) -> None:
    """Load the engine's compiled loops before the progress bar starts (on a machine's first
    run they are compiled, which takes a while and would look like a stall)."""
    from immsim.engine.week import warm_up

    if quiet:
        warm_up()
        return
    with err_console.status("Loading the engine (the first run on a machine compiles it, ~40 s)"):
        warm_up()


def _task_progress(label: str, disable: bool) -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=disable,
    )


def _bands_table(title: str, frame: Any, by: str | None = None) -> Table:
    table = Table(title=title, padding=(0, 1))
    columns = ([by] if by else []) + ["FY", "metric", "median", "50% band", "90% band"]
    for name in columns:
        table.add_column(name, justify="right" if "band" in name or name == "median" else "left")

    def fmt(metric: str, v: float) -> str:
        return f"{v:.0%}" if metric.endswith("share") else f"{v:,.0f}"

    for row in frame.iter_rows(named=True):
        m = row["metric"]
        table.add_row(
            *([str(row[by])] if by else []),
            str(row["fiscal_year"]),
            m,
            fmt(m, row["median"]),
            f"{fmt(m, row['p25'])} to {fmt(m, row['p75'])}",
            f"{fmt(m, row['p05'])} to {fmt(m, row['p95'])}",
        )
    return table


@app.command("compare")
def compare_command(
    scenarios: Annotated[list[str], typer.Argument(help="Two or more scenario files or names.")],
    draws: Annotated[int, typer.Option("--draws", min=1, max=10000)] = 5,
    seed: Annotated[int, typer.Option("--seed", min=0)] = 1,
    out: Annotated[Path | None, typer.Option("--out", help="Comparison folder to write.")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite")] = False,
    workers: WorkersOpt = DEFAULT_WORKERS,
    ray: RayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run scenarios with the same seeds and show the differences with uncertainty bands."""
    import polars as pl

    from immsim.analysis.compare import compare, save_comparison
    from immsim.scenario import resolve_scenario

    chosen = [resolve_scenario(s) for s in scenarios]
    with _task_progress("Comparing", as_json) as bar:
        task = bar.add_task("runs", total=draws * len(chosen))
        result = compare(
            chosen,
            draws=draws,
            seed=seed,
            workers=workers,
            ray=ray,
            progress=lambda n, total: bar.update(task, completed=n, total=total),
        )
    folder = out or Path("runs") / ("compare-" + "-vs-".join(s.name for s in chosen))
    save_comparison(
        result,
        folder,
        {"scenarios": [s.summary() for s in chosen], "draws": draws, "seed": seed},
        overwrite=overwrite,
    )
    if as_json:
        _emit_json(
            {
                "folder": str(folder),
                "levels": result["levels"].to_dicts(),
                "differences": result["differences"].to_dicts(),
            }
        )
        return
    if not console.is_terminal:
        console.width = max(console.width, 120)
    headline = result["differences"].filter(
        pl.col("metric").is_in(["arrests", "removals", "detained", "cost", "convicted_share"])
    )
    console.print(
        _bands_table(
            f"Difference from {chosen[0].name} (paired draws: {draws})", headline, "scenario"
        )
    )
    console.print(
        f"Saved to [bold]{escape(str(folder))}[/] (levels, differences and every run as Parquet)."
    )


@app.command("sweep")
def sweep_command(
    spec: Annotated[Path, typer.Argument(help="Sweep spec (YAML).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder (default: runs/sweep-NAME).")
    ] = None,
    workers: WorkersOpt = DEFAULT_WORKERS,
    ray: RayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Levers x uncertainties; results in one Parquet table. Re-running resumes."""
    from immsim.analysis.sweep import load_spec, run_sweep

    parsed, _, _ = load_spec(spec)
    folder = out or Path("runs") / f"sweep-{parsed.name}"
    with _task_progress("Sweeping", as_json) as bar:
        task = bar.add_task("runs", total=None)
        result = run_sweep(
            spec,
            folder,
            workers=workers,
            ray=ray,
            progress=lambda n, total: bar.update(task, completed=n, total=total),
        )
    if as_json:
        _emit_json(result)
        return
    console.print(
        f"{result['runs']} runs ({result['resumed']} found done, {result['ran']} run now). "
        f"Results: [bold]{escape(result['results'])}[/]"
    )
    console.print(
        "Query it with DuckDB, e.g.: SELECT * FROM read_parquet('"
        + escape(result["results"])
        + "') WHERE metric = 'removals'"
    )


@app.command("sensitivity")
def sensitivity_command(
    spec: Annotated[Path, typer.Argument(help="Spec with `uncertainties` (their ranges).")],
    method: Annotated[str, typer.Option("--method", help="morris or sobol.")] = "morris",
    n: Annotated[
        int,
        typer.Option(
            "--n", min=2, max=100000, help="Trajectories (morris) or base samples (sobol)."
        ),
    ] = 10,
    workers: WorkersOpt = DEFAULT_WORKERS,
    ray: RayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Global sensitivity (SALib): which uncertain parameters drive each outcome."""
    from immsim.analysis.sensitivity import sensitivity
    from immsim.analysis.sweep import load_spec

    if method not in ("morris", "sobol"):
        raise InputError(f"unknown method {method!r}", key="--method", allowed="morris, sobol")
    parsed, scenario, dists = load_spec(spec)
    with _task_progress(f"Sensitivity ({method})", as_json) as bar:
        task = bar.add_task("runs", total=None)
        report = sensitivity(
            parsed,
            scenario,
            dists,
            method=method,  # type: ignore[arg-type]
            n=n,
            workers=workers,
            ray=ray,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if as_json:
        _emit_json(report)
        return
    for metric, info in report["outputs"].items():
        console.print(escape(info.get("summary") or f"{metric}: constant across the samples."))


@app.command("capacity")
def capacity_command(
    scenario_file: Annotated[
        str | None, typer.Argument(help="Scenario (default: 'default').")
    ] = None,
    goal: Annotated[
        float, typer.Option("--goal", help="Removals a year to reach (all ICE removals).")
    ] = 1_000_000,
    everyone_in: Annotated[
        int | None,
        typer.Option(
            "--everyone-in",
            min=1,
            max=20,
            help="Instead of --goal: remove the whole interior population at the start within "
            "this many years (counts interior removals, averaged over the run).",
        ),
    ] = None,
    years: Annotated[
        int | None,
        typer.Option(
            "--years",
            min=1,
            max=20,
            help="Horizon of each trial run (default 3, or N with --everyone-in N).",
        ),
    ] = None,
    max_runs: Annotated[int, typer.Option("--max-runs", min=1, max=500)] = 30,
    figures: FiguresOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The smallest officers, beds, judges and seats that meet a removal goal, and the cost."""
    from immsim.analysis.capacity import GAIN, required_capacity
    from immsim.analysis.published import Comparison, compare_published
    from immsim.population.build import build_population
    from immsim.scenario import resolve_scenario

    if years is None:
        years = everyone_in if everyone_in is not None else 3
    scenario = resolve_scenario(scenario_file).model_copy(update={"horizon_years": years})
    population = build_population(scenario.parameters(), scenario.start, seed=scenario.seed)
    counted = "removals"
    if everyone_in is not None:
        goal = population.total / everyone_in
        counted = "removals_interior"
        if not as_json:
            console.print(
                f"Everyone in {everyone_in} years: {population.total:,} people at the start, "
                f"{goal:,.0f} interior removals a year (arrivals during the run come on top)."
            )
    with _task_progress("Searching", as_json) as bar:
        task = bar.add_task("runs", total=max_runs)
        result = required_capacity(
            scenario,
            goal,
            max_runs=max_runs,
            progress=lambda n, trial: bar.update(task, completed=n),
            counted=counted,
            population=population,
            whole_run=everyone_in is not None,
        )
    published: list[Comparison] = []
    with contextlib.suppress(InputError):
        published = compare_published(
            result, scenario.parameters(), scenario.start, _figures(figures)
        )
    if as_json:
        extra = {"everyone_in_years": everyone_in, "population_at_start": population.total}
        _emit_json({**result, **extra, "published": [c.as_dict() for c in published]})
        return
    if not console.is_terminal:
        console.width = max(console.width, 120)
    verdict = "met" if result["met"] else "NOT met"
    kind = "interior removals" if counted == "removals_interior" else "removals"
    over = (
        f"a year on average over a {years}-year run"
        if result["measured_over"] == "whole run"
        else f"in the last year of a {years}-year run"
    )
    console.print(
        f"Goal {goal:,.0f} {kind} a year: {verdict} ({result['removals_per_year']:,.0f} {over}; "
        f"{result['runs']} runs). Binds at the end: {result['binding']}."
    )
    if result["stopped"] == "no relief helps":
        console.print(
            "Out of reach: more of any capacity that money buys no longer raised the removals "
            f"by {GAIN:.1%}. Removals are held by how fast people are found and "
            "ordered removed, and by countries that delay travel documents; the table gives the "
            "run that removed the most, trimmed of what it did not need."
            + (
                ""
                if result["measured_over"] == "whole run"
                else " A longer run (--years) gives the pipeline time to fill."
            )
        )
    elif result["stopped"] == "run limit":
        console.print(f"The search stopped at {max_runs} runs; --max-runs allows more.")
    column = "required" if result["met"] else "most that helps"
    table = Table("capacity", "today", column, "x", padding=(0, 1))
    for name, info in result["capacities"].items():
        table.add_row(
            name,
            f"{info['start']:,.0f}",
            f"{info['required']:,.0f}",
            f"{info['required'] / info['start']:.1f}",
        )
    console.print(table)
    per = result["cost_per_year"] / max(result["volumes"]["removals"], 1.0)  # all removals
    console.print(
        f"Cost a year: ${result['cost_per_year'] / 1e9:,.1f} billion "
        + ", ".join(
            f"{k.removeprefix('cost_')} ${v / 1e9:,.1f}B"
            for k, v in result["cost_by_component"].items()
        )
        + f"; ${per:,.0f} per removal"
        + (" (border removals included)." if counted == "removals_interior" else ".")
    )
    if published:
        ptable = Table(
            "#",
            "study",
            "quantity",
            "as published",
            "restated for this goal",
            "model",
            "model / restated",
            padding=(0, 1),
        )
        for i, c in enumerate(published, 1):
            ptable.add_row(
                str(i),
                c.study,
                c.quantity,
                f"{c.published:,.0f} {escape(c.published_unit)}",
                f"{c.restated:,.0f} {c.unit}",
                f"{c.ours:,.0f}",
                f"{c.ratio:.2f}",
            )
        console.print(ptable)
        console.print(
            "Restated: scaled to this goal's removals a year and to the dollars of the run's "
            "start (CPI-U). Why each differs:"
        )
        for i, c in enumerate(published, 1):
            console.print(f"  {i}. {escape(c.why)}")


# --- presentation -------------------------------------------------------------------------------


@app.command("report")
def report_command(
    run_dir: Annotated[
        Path,
        typer.Argument(
            help="A run folder, a Monte Carlo folder (run --draws) or a comparison folder."
        ),
    ],
    out: Annotated[Path, typer.Option("-o", "--out", help="HTML file to write.")] = Path(
        "report.html"
    ),
) -> None:
    """One self-contained HTML report (charts included, works offline)."""
    from immsim.presentation.report import write_report

    path = write_report(run_dir, out)
    console.print(f"Wrote [bold]{escape(str(path))}[/] ({path.stat().st_size / 1e6:.1f} MB).")


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
) -> None:
    """A web page to move the levers and see the results against the baseline."""
    import uvicorn

    from immsim.presentation.server import create_app

    console.print(f"Serving on http://{host}:{port}/ (API docs at /docs). Ctrl-C to stop.")
    _warm_engine(quiet=False)  # so that the first request answers in about a second
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")


# --- entry point ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; turn user errors into one clear message and exit status 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    if debug:
        args.remove("--debug")
    try:
        app(args=args, prog_name="immsim")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except ImmsimError as exc:
        if debug:
            raise
        if "--json" in args and isinstance(exc, InputError):
            _emit_json(exc.as_dict())
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    except Exception as exc:  # last resort: never a bare traceback for users
        if debug:
            raise
        err_console.print(
            f"[bold red]internal error:[/] {escape(type(exc).__name__)}: {escape(str(exc))}\n"
            "Run again with --debug for the traceback, and please report it."
        )
        return 3
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
