"""The analysis commands: ``compare`` scenarios, ``sweep`` levers and uncertainties,
``sensitivity`` of the outcomes to the uncertainties, and the ``capacity`` a removal goal needs."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from immsim.cli.options import (
    DEFAULT_WORKERS,
    FiguresOpt,
    JsonOpt,
    RayOpt,
    WideOpt,
    WorkersOpt,
    figures_file,
)
from immsim.cli.output import console, emit_json, print_bands, task_progress
from immsim.cli.tables import Column, is_wide, nest_keys, print_table
from immsim.errors import InputError

if TYPE_CHECKING:
    import polars as pl

    from immsim.analysis.capacity import CapacityBands, RequiredCapacity
    from immsim.analysis.effects import Band, Effects
    from immsim.analysis.published import Comparison, Trace
    from immsim.analysis.sensitivity import SensitivityReport
    from immsim.analysis.sweep import SweepResult
    from immsim.scenario import Scenario


def compare_command(
    scenarios: Annotated[list[str], typer.Argument(help="Two or more scenario files or names.")],
    draws: Annotated[int, typer.Option("--draws", min=1, max=10000)] = 5,
    seed: Annotated[int, typer.Option("--seed", min=0)] = 1,
    out: Annotated[Path | None, typer.Option("--out", help="Comparison folder to write.")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite")] = False,
    workers: WorkersOpt = DEFAULT_WORKERS,
    ray: RayOpt = None,
    wide: WideOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Run scenarios with the same seeds and show the differences with uncertainty bands."""
    import polars as pl

    from immsim.analysis.compare import compare, save_comparison
    from immsim.scenario import resolve_scenario

    chosen = [resolve_scenario(s) for s in scenarios]
    with task_progress("Comparing", as_json) as bar:
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
        emit_json(
            {
                "folder": str(folder),
                "levels": result["levels"].to_dicts(),
                "differences": result["differences"].to_dicts(),
            }
        )
        return
    headline = result["differences"].filter(
        pl.col("metric").is_in(["arrests", "removals", "detained", "cost", "convicted_share"])
    )
    print_bands(
        f"Difference from {chosen[0].name} (paired draws: {draws})", headline, "scenario", wide
    )
    _print_effect_differences(result["differences"], chosen[0], wide)
    console.print(
        f"Saved to [bold]{escape(str(folder))}[/] (levels, differences and every run as Parquet)."
    )


def _print_effect_differences(differences: pl.DataFrame, base: Scenario, wide: bool) -> None:
    """Each scenario's costs and economic, fiscal and family effects against the first in
    the last fiscal year the runs cover (``analysis.compare.effect_differences``)."""
    from immsim.analysis.compare import effect_differences
    from immsim.analysis.effects import base_year

    year, found = effect_differences(differences)
    if not found:
        return
    dollars = f"{base_year(base.parameters(), base.start)} $M"
    rows = [
        [
            d.scenario,
            d.label,
            dollars if d.money else d.unit,
            d.shown(d.median),
            f"{d.shown(d.p05)} to {d.shown(d.p95)}",
            " to ".join(d.shown(v) for v in d.studies) if d.studies else "",
        ]
        for d in found
    ]
    columns = [Column("scenario"), Column("cost or effect", text=True), Column("unit")]
    columns += [Column("difference", number=True), Column("90% band", number=True)]
    columns += [Column("studies' range", number=True, optional=True)]
    title = f"Costs and effects, FY{year}: difference from {base.name}"
    print_table(columns, rows, title=title, keys=2, wide=wide)
    console.print(
        "Median of the paired draws' differences and their 90% band (the draws vary the seeds "
        "and any uncertain values); studies' range: the difference with each rate at the low "
        "and the high end of the studies' figures (analysis.effects). Costs by component in "
        "base-year dollars (CPI-U); GDP, taxes and U.S.-born jobs lost that year from everyone "
        "gone since the runs began, and wages moved by the share of the starting population "
        "gone (Penn Wharton 2025); families reached by that year's removals.",
        highlight=False,
    )


def sweep_command(
    spec: Annotated[Path, typer.Argument(help="Sweep spec (YAML).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder (default: runs/sweep-NAME).")
    ] = None,
    workers: WorkersOpt = DEFAULT_WORKERS,
    ray: RayOpt = None,
    wide: WideOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Levers x uncertainties; results in one Parquet table. Re-running resumes."""
    from immsim.analysis.sweep import load_spec, run_sweep

    parsed, _, _ = load_spec(spec)
    folder = out or Path("runs") / f"sweep-{parsed.name}"
    with task_progress("Sweeping", as_json) as bar:
        task = bar.add_task("runs", total=None)
        result = run_sweep(
            spec,
            folder,
            workers=workers,
            ray=ray,
            progress=lambda n, total: bar.update(task, completed=n, total=total),
        )
    if as_json:
        emit_json(result.as_dict())
        return
    _print_sweep(result, wide)
    console.print(
        f"{result.runs} runs ({result.resumed} found done, {result.ran} run now). "
        f"Results: [bold]{escape(str(result.results))}[/]"
    )
    console.print(
        "Query it with DuckDB, e.g.: SELECT * FROM read_parquet('"
        + escape(str(result.results))
        + "') WHERE metric = 'removals'"
    )


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
    wide: WideOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Global sensitivity (SALib): which uncertain parameters drive each outcome."""
    from immsim.analysis.sensitivity import sensitivity
    from immsim.analysis.sweep import load_spec

    if method not in ("morris", "sobol"):
        raise InputError(f"unknown method {method!r}", key="--method", allowed="morris, sobol")
    parsed, scenario, dists = load_spec(spec)
    with task_progress(f"Sensitivity ({method})", as_json) as bar:
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
        emit_json(report.as_dict())
        return
    _print_sensitivity(report, wide)


SWEPT = ("arrests", "removals", "detained", "cost")
"""The outcomes the sweep's table shows (every headline outcome is in its Parquet file)."""


def _print_sweep(result: SweepResult, wide: bool) -> None:
    """A row for each point of the design: its levers' values, and the medians over the draws
    of some headline outcomes in the last fiscal year, each in its display unit."""
    import polars as pl

    from immsim.cli.output import fmt
    from immsim.outcomes import OUTCOMES

    table = pl.read_parquet(result.results)
    last = table.select(pl.col("fiscal_year").max()).item()
    levers = [f"lever:{k}" for k in result.spec.levers]  # in the spec's order
    medians = (
        table.filter((pl.col("fiscal_year") == last) & pl.col("metric").is_in(SWEPT))
        .group_by(["point", *levers, "metric"])
        .agg(pl.col("value").median())
        .pivot(on="metric", index=["point", *levers], values="value")
        .sort("point")
    )
    names = [c.removeprefix("lever:") for c in levers]
    short = [n.rsplit(".", 1)[-1] for n in names]
    headers = short if len(set(short)) == len(short) else names
    columns = [Column("point", number=True), *(Column(h, number=True) for h in headers)]
    columns += [Column(m, number=True) for m in SWEPT]
    rows = [
        [
            str(row["point"]),
            *(fmt(row[c]) for c in levers),
            *(f"{row[m] * OUTCOMES[m].scale:,.0f}" for m in SWEPT),
        ]
        for row in medians.to_dicts()
    ]
    draws = result.spec.draws
    print_table(columns, rows, title=f"FY{last}, median of {draws} draws a point", wide=wide)
    console.print(
        "; ".join(f"{m}: {OUTCOMES[m].display_unit}" for m in SWEPT)
        + (f". Levers: {', '.join(names)}." if headers != names and names else "."),
        highlight=False,
    )


def _index(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _print_sensitivity(report: SensitivityReport, wide: bool) -> None:
    """For each outcome, its uncertain parameters, most influential first, with SALib's indices
    (``mu_star``, in the outcome's unit, for Morris; ``S1`` and ``ST``, shares of the variance,
    for Sobol), then the sentence that says what drives it."""
    from immsim.outcomes import OUTCOMES

    for metric, info in report.outputs.items():
        if info.constant:
            console.print(escape(f"{metric}: constant across the samples."))
            continue
        names = list(info.indices[0].values)
        columns = [Column("parameter")]
        columns += [Column(n, number=True, optional=n.endswith("_conf")) for n in names]
        rows = [[i.parameter, *(_index(i.values[n]) for n in names)] for i in info.indices]
        unit = OUTCOMES[metric].unit if metric in OUTCOMES else ""
        title = f"{metric} ({unit})" if unit else metric
        print_table(columns, rows if is_wide(wide) else nest_keys(rows), title=title, wide=wide)
        console.print(escape(info.summary or ""))


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
    draws: Annotated[
        int,
        typer.Option(
            "--draws",
            min=0,
            max=200,
            help="Repeat the search this many times with the values that have a 90% interval "
            "drawn from it: 90% bands of the capacities and the cost (0: no bands).",
        ),
    ] = 0,
    figures: FiguresOpt = None,
    wide: WideOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """The smallest officers, beds, judges and seats that meet a removal goal, and the cost."""
    from immsim.analysis.capacity import capacity_bands, check_goal, required_capacity
    from immsim.analysis.published import compare_published, trace_assumptions
    from immsim.calibration.calibrate import fit_specs
    from immsim.engine.run import seeded_population
    from immsim.scenario import resolve_scenario

    if everyone_in is None:
        check_goal(goal)  # before the population's build: a typo fails at once, not after ~10 s
    if years is None:
        years = everyone_in if everyone_in is not None else 3
    scenario = resolve_scenario(scenario_file).model_copy(update={"horizon_years": years})
    population = seeded_population(scenario, scenario.parameters())
    counted = "removals"
    if everyone_in is not None:
        goal = population.total / everyone_in
        counted = "removals_interior"
        if not as_json:
            console.print(
                f"Everyone in {everyone_in} years: {population.total:,} people at the start, "
                f"{goal:,.0f} interior removals a year (arrivals during the run come on top)."
            )
    with task_progress("Searching", as_json) as bar:
        task = bar.add_task("runs", total=max_runs)
        result = required_capacity(
            scenario,
            goal,
            max_runs=max_runs,
            progress=lambda n, total: bar.update(task, completed=n),
            counted=counted,
            population=population,
            whole_run=everyone_in is not None,
        )
    bands = None
    if draws:
        with task_progress("Drawing parameters", as_json) as bar:
            task = bar.add_task("draws", total=draws)
            bands = capacity_bands(
                scenario,
                goal,
                draws,
                {spec.key: (spec.low, spec.high) for spec in fit_specs()},
                max_runs=max_runs,
                counted=counted,
                whole_run=everyone_in is not None,
                population=population,
                progress=lambda n, total: bar.update(task, completed=n),
            )
    published: list[Comparison] = []
    traces: list[Trace] = []
    with contextlib.suppress(InputError):
        published = compare_published(
            result, scenario.parameters(), scenario.start, figures_file(figures)
        )
        traces = trace_assumptions(
            result, scenario.parameters(), scenario.start, figures_file(figures)
        )
    if as_json:
        extra = {"everyone_in_years": everyone_in, "population_at_start": population.total}
        emit_json(
            {
                **result.as_dict(),
                **extra,
                "bands": bands.as_dict() if bands else None,
                "published": [c.as_dict() for c in published],
                "traces": [t.as_dict() for t in traces],
            }
        )
        return
    _print_capacity(result, years, max_runs, wide)
    if bands:
        _print_bands(bands, wide)
    if published:
        _print_published(published, wide)
    if traces:
        _print_traces(traces, wide)


def _print_bands(bands: CapacityBands, wide: bool) -> None:
    """Each capacity's, the cost's and the effects' 90% band over the parameter draws (the
    effects' with the studies' range drawn in each answer too)."""
    columns = [Column("capacity, cost or effect", text=True), Column("5%", number=True)]
    columns += [Column("median", number=True), Column("95%", number=True)]
    rows = [[name, *(f"{v:,.0f}" for v in band)] for name, band in bands.capacities.items()]
    rows.append(["cost ($ billion)", *(f"{v / 1e9:,.1f}" for v in bands.cost_per_year)])
    from immsim.analysis.effects import EFFECT_METRICS, PERCENT
    from immsim.engine.costs import LABELS

    for name, band in bands.cost_by_component.items():
        rows.append([f"cost: {LABELS[name]} ($ billion)", *(f"{v / 1e9:,.1f}" for v in band)])

    for name, band in bands.effects.items():
        label, unit = EFFECT_METRICS[name]
        if unit == "base-year USD":
            rows.append([f"{label} ($ billion)", *(f"{v / 1e9:,.1f}" for v in band)])
        elif unit == PERCENT:  # the field is a share of the wage
            rows.append([f"{label} (% change)", *(f"{v * 100:+,.2f}" for v in band)])
        else:
            rows.append([label, *(f"{v:,.0f}" for v in band)])
    title = (
        f"90% bands over {bands.draws} draws of the {bands.drawn} values with a 90% interval "
        f"(goal met in {bands.met})"
    )
    print_table(columns, rows, title=title, wide=wide)
    console.print(
        "Capacities and costs: the spread of the draws' answers. Effects: the draws' answers "
        "with the studies' range (their _low and _high rates in the tree) drawn in each, pooled.",
        highlight=False,
    )


def _print_capacity(result: RequiredCapacity, years: int, max_runs: int, wide: bool) -> None:
    """The answer in words, the capacities against today's, and what a year of them costs."""
    from immsim.analysis.capacity import GAIN

    verdict = "met" if result.met else "NOT met"
    interior = result.counted == "removals_interior"
    kind = "interior removals" if interior else "removals"
    whole_run = result.measured_over == "whole run"
    over = (
        f"a year on average over a {years}-year run"
        if whole_run
        else f"in the last year of a {years}-year run"
    )
    console.print(
        f"Goal {result.goal:,.0f} {kind} a year: {verdict} ({result.removals_per_year:,.0f} "
        f"{over}; {result.runs} runs). Binds at the end: {result.binding}."
    )
    if result.stopped == "no relief helps":
        console.print(
            "Out of reach: more of any capacity that money buys no longer raised the removals "
            f"by {GAIN:.1%}. Removals are held by how fast people are found and "
            "ordered removed, and by countries that delay travel documents; the table gives the "
            "run that removed the most, trimmed of what it did not need."
            + ("" if whole_run else " A longer run (--years) gives the pipeline time to fill.")
        )
    elif result.stopped == "run limit":
        console.print(f"The search stopped at {max_runs} runs; --max-runs allows more.")
    column = "required" if result.met else "most that helps"
    columns = [Column("capacity"), Column("today", number=True)]
    columns += [Column(column, number=True), Column("x", number=True)]
    rows = [
        [name, f"{level.start:,.0f}", f"{level.required:,.0f}", f"{level.ratio:.1f}"]
        for name, level in result.capacities.items()
    ]
    print_table(columns, rows, wide=wide)
    _print_costs(result, interior, wide)
    if result.effects is not None:
        _print_effects(result.effects, wide)


def _print_costs(result: RequiredCapacity, interior: bool, wide: bool) -> None:
    """A year's cost by component, its band, and the cost per removal."""
    from immsim.engine.costs import LABELS

    low, high = result.cost_band
    total = result.cost_per_year
    bands = result.cost_bands

    def band(column: str) -> str:
        b = bands.get(column)
        return f"{b.low / 1e9:,.2f}-{b.high / 1e9:,.2f}" if b else ""

    rows = [
        [
            LABELS.get(column, column),
            f"{value / 1e9:,.2f}",
            band(column),
            f"{value / total:.0%}" if total else "",
        ]
        for column, value in result.cost_by_component.items()
    ]
    rows.append(["total", f"{total / 1e9:,.2f}", band("total"), "100%"])
    columns = [
        Column("cost a year"),
        Column("USD billion", number=True),
        Column("90% band", number=True),
        Column("share", number=True),
    ]
    print_table(columns, rows, wide=wide)
    console.print(
        f"Cost a year: ${result.cost_per_year / 1e9:,.1f} billion (90% band "
        f"${low / 1e9:,.1f}-{high / 1e9:,.1f} billion, each unit cost drawn from its interval "
        "in the tree, independently; "
        "unit costs of the run's years, which the CPI-U in the tree prices as base-year "
        "dollars after 2024); "
        f"${result.cost_per_removal:,.0f} per removal"
        + (" (border removals included)." if interior else ".")
        + " Detention capital: new beds above today's funded level at their cost per bed, "
        "spread over their life."
    )


def _print_effects(effects: Effects, wide: bool) -> None:
    """What a year of these removals does to the economy, the public purse and families."""

    def band(b: Band, unit: float = 1e9) -> list[str]:
        digits = 2 if unit < 1 else 1  # wages move by hundredths of a percent a year
        return [f"{v / unit:,.{digits}f}" for v in (b.low, b.central, b.high)]

    base = effects.base_year
    rows = [
        [
            "workers removed or leaving (thousands)",
            *band(effects.workers, 1e3),
            "CAP 2016 / Pew 2022 employment rate",
        ],
        [
            f"GDP lost a year after ({base} USD billion)",
            *band(effects.output_lost),
            "CAP 2016 at once / CAP 2016 long run / AAF 2015",
        ],
        [
            f"federal taxes lost a year ({base} USD billion)",
            *band(effects.federal_taxes_lost),
            "AIC 2024 / ITEP 2024",
        ],
        [
            f"state and local taxes lost a year ({base} USD billion)",
            *band(effects.state_local_taxes_lost),
            "AIC 2024 / ITEP 2024",
        ],
        [
            "U.S.-born workers' jobs lost (thousands)",
            *band(effects.us_born_jobs_lost, 1e3),
            "CAP/AAF/AIC (none) / EPI 2025 / East et al. 2019",
        ],
        [
            "average wage (% change)",
            *band(effects.average_wage_change, 1e-2),
            "PWBM 2025 10-year / 4-year policy",
        ],
        [
            "authorized low-skilled wages (% change)",
            *band(effects.low_skilled_wage_change, 1e-2),
            "PWBM 2025 4-year / 10-year policy",
        ],
    ]
    columns = [
        Column("a year of these removals", text=True),
        Column("5%", number=True),
        Column("central", number=True),
        Column("95%", number=True),
        Column("studies", text=True, optional=True),
    ]
    print_table(columns, rows, wide=wide)
    for title, groups in (
        ("workers gone by occupation (Pew 2012)", effects.workers_by_occupation),
        ("workers gone by industry (AIC 2024, 2022 data)", effects.workers_by_industry),
    ):
        if groups:
            print_table(
                [
                    Column(title, text=True),
                    Column("thousands", number=True),
                    Column("90% band", number=True),
                ],
                [
                    [name, f"{b.central / 1e3:,.1f}", f"{b.low / 1e3:,.1f}-{b.high / 1e3:,.1f}"]
                    for name, b in groups
                ],
                wide=wide,
            )
    console.print(
        f"Families: {effects.parents:,.0f} parents of U.S.-citizen children removed a year, "
        f"{effects.usc_children:,.0f} U.S.-citizen children losing a parent (Pew: children per "
        f"parent); {effects.mixed_status_households:,.0f} mixed-status households reached by a "
        "removal (CMS 2024: households per unauthorized resident). Each study's per-worker or "
        "per-person figure is applied to this run's interior "
        f"removals and its {effects.left:,.0f} voluntary returns after arrest (border removals "
        "are not counted as workers or taxpayers) and restated in "
        "base-year dollars with the CPI-U. 5% and 95%: the 90% band with each rate drawn "
        "between the studies' lowest and highest figures (the studies column names them)."
    )


PUBLISHED = (
    Column("#", number=True),
    Column("study", text=True),
    Column("quantity", text=True),
    Column("restated for this goal", number=True),
    Column("model", number=True),
    Column("model / restated", number=True),
    Column("as published", number=True, optional=True),
)


def _print_published(published: list[Comparison], wide: bool) -> None:
    """Other studies' estimates restated for this goal beside the model's, and why they differ."""
    rows = [
        [
            str(i),
            c.study,
            c.quantity,
            f"{c.restated:,.0f} {c.unit}",
            f"{c.ours:,.0f}",
            f"{c.ratio:.2f}",
            f"{c.published:,.0f} {c.published_unit}"
            if abs(c.published) >= 100
            else f"{c.published:g} {c.published_unit}",
        ]
        for i, c in enumerate(published, 1)
    ]
    print_table(list(PUBLISHED), rows, wide=wide)
    console.print(
        "Restated: scaled to this goal's removals a year and to the dollars of the run's "
        "start (CPI-U). Why each differs:"
    )
    for i, c in enumerate(published, 1):
        console.print(f"  {i}. {escape(c.why)}")


def _print_traces(traces: list[Trace], wide: bool) -> None:
    """Each study restated on the run's basis, component by component: the study's assumption
    and the model's, their figures per removal and what the difference adds a year at this
    goal."""
    rows = [
        [
            t.study,
            t.component,
            t.assumption,
            t.ours_assumption,
            f"{t.theirs:,.0f}",
            f"{t.ours:,.0f}",
            f"{t.effect / 1e9:+,.1f}",
        ]
        for t in traces
    ]
    columns = [
        Column("study", text=True),
        Column("component", text=True),
        Column("study's assumption", text=True),
        Column("the model's", text=True),
        Column("study $/removal", number=True, optional=True),
        Column("model $/removal", number=True, optional=True),
        Column("effect $bn/yr", number=True),
    ]
    print_table(columns, rows, wide=wide, lines=True)
    from immsim.analysis.published import TRACED

    sources = []
    for study in dict.fromkeys(t.study for t in traces):
        # each place in the report once (AAF 2015's four stages all come from its Table 1)
        pages = list(dict.fromkeys(t.basis for t in traces if t.study == study and t.basis))
        sources.append(f"{study}, {TRACED[study]}" + (f", {', '.join(pages)}" if pages else ""))
    console.print(
        "Each study restated on this run's basis (its removals, the dollars of its start): "
        "the study's figure per removal of each component beside the model's; effect = the "
        "difference x this run's removals, so a study's effects add up to its restated total "
        "less the model's ('other': what the model prices that the study does not list). "
        "Penn Wharton's GDP row compares output lost a year per person gone, not cost; AAF's "
        "rows price its capacities at the model's unit costs. "
        "Sources: " + "; ".join(sources) + ".",
        highlight=False,
    )
