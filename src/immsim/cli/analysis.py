"""The analysis commands: ``compare`` scenarios, ``sweep`` levers and uncertainties,
``sensitivity`` of the outcomes to the uncertainties, and the ``capacity`` a removal goal needs."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from immsim.cli.options import (
    DEFAULT_WORKERS,
    FiguresOpt,
    JsonOpt,
    RayOpt,
    WideOpt,
    WorkersOpt,
    figures_file,
)
from immsim.cli.output import console, emit_json, print_bands, task_progress, widen
from immsim.errors import InputError

if TYPE_CHECKING:
    from immsim.analysis.capacity import RequiredCapacity
    from immsim.analysis.effects import Band, Effects
    from immsim.analysis.published import Comparison


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
    console.print(
        f"Saved to [bold]{escape(str(folder))}[/] (levels, differences and every run as Parquet)."
    )


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
    for metric, info in report.outputs.items():
        console.print(escape(info.summary or f"{metric}: constant across the samples."))


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
    from immsim.analysis.capacity import required_capacity
    from immsim.analysis.published import compare_published
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
    published: list[Comparison] = []
    with contextlib.suppress(InputError):
        published = compare_published(
            result, scenario.parameters(), scenario.start, figures_file(figures)
        )
    if as_json:
        extra = {"everyone_in_years": everyone_in, "population_at_start": population.total}
        emit_json({**result.as_dict(), **extra, "published": [c.as_dict() for c in published]})
        return
    widen(120)
    _print_capacity(result, years, max_runs)
    if published:
        _print_published(published)


def _print_capacity(result: RequiredCapacity, years: int, max_runs: int) -> None:
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
    table = Table("capacity", "today", column, "x", padding=(0, 1))
    for name, level in result.capacities.items():
        table.add_row(name, f"{level.start:,.0f}", f"{level.required:,.0f}", f"{level.ratio:.1f}")
    console.print(table)
    _print_costs(result, interior)
    if result.effects is not None:
        _print_effects(result.effects)


def _print_costs(result: RequiredCapacity, interior: bool) -> None:
    """A year's cost by component, its band, and the cost per removal."""
    from immsim.engine.costs import LABELS

    low, high = result.cost_band
    costs = Table("cost a year", "USD billion", "share", padding=(0, 1))
    for column, value in result.cost_by_component.items():
        share = value / result.cost_per_year if result.cost_per_year else 0.0
        costs.add_row(LABELS.get(column, column), f"{value / 1e9:,.2f}", f"{share:.0%}")
    costs.add_row("total", f"{result.cost_per_year / 1e9:,.2f}", "100%")
    console.print(costs)
    console.print(
        f"Cost a year: ${result.cost_per_year / 1e9:,.1f} billion (90% band "
        f"${low / 1e9:,.1f}-{high / 1e9:,.1f} billion from the officer-year cost's interval; "
        "unit costs of the run's years, which the CPI-U in the tree prices as base-year "
        "dollars after 2024); "
        f"${result.cost_per_removal:,.0f} per removal"
        + (" (border removals included)." if interior else ".")
        + " Detention capital: new beds above today's funded level at their cost per bed, "
        "spread over their life."
    )


def _print_effects(effects: Effects) -> None:
    """What a year of these removals does to the economy, the public purse and families."""

    def band(b: Band, unit: float = 1e9) -> list[str]:
        return [f"{b.low / unit:,.1f}", f"{b.central / unit:,.1f}", f"{b.high / unit:,.1f}"]

    table = Table("a year of these removals", "low", "central", "high", "studies", padding=(0, 1))
    table.add_row(
        "workers removed or leaving (thousands)",
        *band(effects.workers, 1e3),
        "CAP 2016 / Pew 2022 employment rate",
    )
    table.add_row(
        f"GDP lost a year after ({effects.base_year} USD billion)",
        *band(effects.output_lost),
        "CAP 2016 at once / CAP 2016 long run / AAF 2015",
    )
    table.add_row(
        f"federal taxes lost a year ({effects.base_year} USD billion)",
        *band(effects.federal_taxes_lost),
        "AIC 2024 / ITEP 2024",
    )
    table.add_row(
        f"state and local taxes lost a year ({effects.base_year} USD billion)",
        *band(effects.state_local_taxes_lost),
        "AIC 2024 / ITEP 2024",
    )
    console.print(table)
    console.print(
        f"Families: {effects.parents:,.0f} parents of U.S.-citizen children removed a year, "
        f"{effects.usc_children:,.0f} U.S.-citizen children losing a parent (Pew: children per "
        "parent). Each study's per-worker or per-person figure is applied to this run's interior "
        f"removals and its {effects.left:,.0f} voluntary returns after arrest (border removals "
        "are not counted as workers or taxpayers) and restated in "
        "base-year dollars with the CPI-U."
    )


def _print_published(published: list[Comparison]) -> None:
    """Other studies' estimates restated for this goal beside the model's, and why they differ."""
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
