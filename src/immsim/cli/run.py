"""``immsim run``: one seeded run of a scenario, or with ``--draws`` its Monte Carlo."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from immsim.atomic import check_target
from immsim.cli.options import DEFAULT_WORKERS, JsonOpt, RayOpt, WideOpt, WorkersOpt
from immsim.cli.output import console, emit_json, print_bands, task_progress, warm_engine
from immsim.cli.tables import Column, print_table

if TYPE_CHECKING:
    import datetime as dt

    import polars as pl

    from immsim.engine.results import Results
    from immsim.parameters.loader import ParameterTree


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
    by_area: Annotated[
        bool,
        typer.Option(
            "--by-area",
            help="Carry areas of responsibility through the run (as `areas: true` in the "
            "scenario) and print the outcomes by area.",
        ),
    ] = False,
    area: Annotated[
        str | None,
        typer.Option(
            "--area",
            help="Show one ICE area of responsibility (SEA, or Seattle) instead of the nation "
            "(the run carries areas); the run is saved whole.",
        ),
    ] = None,
    wide: WideOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Simulate a scenario week by week and save the results (Parquet + manifest.json)."""
    from immsim.errors import InputError
    from immsim.validation import check_seed

    if seed is not None:
        seed = check_seed(seed, key="--seed")
    if out is not None:  # before simulating: a long run is not lost to an unwritable folder
        check_target(out, overwrite)
    if draws > 1:
        if area is not None:
            raise InputError(
                "one area is shown for a single run; Monte Carlo draws are summarised for the "
                "nation only",
                key="--area",
            )
        _run_draws(scenario_file, draws, seed, out, overwrite, workers, ray, as_json, wide)
        return
    from immsim.engine.run import run
    from immsim.scenario import resolve_scenario

    scenario = resolve_scenario(scenario_file)
    if area is not None:  # a typo is caught before the run, against the tree's areas
        from immsim.analysis.areas import area_code
        from immsim.population.targets import aor_levels

        area = area_code(area, aor_levels(scenario.parameters()))
    if (by_area or area is not None) and not scenario.areas:
        scenario = scenario.model_copy(update={"areas": True})
    if out is None:
        check_target(Path("runs") / scenario.name, overwrite=True)  # runs/ can be written
    warm_engine(as_json)
    with task_progress(f"Running {scenario.name} (weeks)", as_json) as bar:
        task = bar.add_task("weeks", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        results = run(scenario, seed=seed, progress=tick)
    folder = results.save(out or Path("runs") / results.manifest["run_id"], overwrite=overwrite)
    if area is not None:
        _show_area(scenario.name, results, folder, area, as_json, wide)
        return
    if as_json:
        from immsim.outcomes import OUTCOMES, by_year

        emit_json(
            {
                "run_id": results.manifest["run_id"],
                "folder": str(folder),
                "wall_seconds": results.manifest["wall_seconds"],
                # the headline outcomes as every output defines them (immsim.outcomes), and
                # every weekly column by fiscal year (flows summed, stocks averaged: *_avg)
                "outcomes": by_year(results, tuple(OUTCOMES)).to_dicts(),
                "yearly": results.yearly().to_dicts(),
                **(_areas_json(results, scenario) if scenario.areas else {}),
            }
        )
        return
    _print_run(scenario.name, results, folder, wide)
    _print_costs(results, scenario.parameters(), scenario.start, wide)
    if scenario.areas:
        _print_areas(results, scenario.parameters(), scenario.start, wide)


def _areas_json(results: Results, scenario: Any) -> dict[str, Any]:
    """A run's outcomes by area and the families its removals reach there, for ``--json``."""
    from immsim.analysis.effects import families_by_area

    table = _by_area(results)
    families = families_by_area(results, scenario.parameters(), scenario.start, by_area=table)
    return {
        "by_area": table.to_dicts(),
        "families_by_area": [] if families is None else families.to_dicts(),
    }


def _by_area(results: Results) -> pl.DataFrame:
    from immsim.outcomes import by_area

    return by_area(results)


BY_AREA = (
    ("arrests", "arrests"),
    ("arrests_custodial", "in custody"),
    ("admissions", "book-ins"),
    ("transfers", "transfers"),
    ("detained", "detained"),
    ("removals_interior", "interior"),
    ("removals", "removed"),
)
"""The columns of the table by area: ``outcomes.by_area``'s column, and its header."""


def _print_areas(results: Results, tree: ParameterTree, at: dt.date, wide: bool) -> None:
    """The run's outcomes by area, and the families its removals reach there: each area's
    yearly mean over the run's full fiscal years (a table a line per area; the years are in
    the saved run, ``outcomes.by_area`` and ``analysis.effects.families_by_area``)."""
    import polars as pl

    from immsim.analysis.effects import FAMILY_COUNTS, families_by_area

    table = _by_area(results)
    families = families_by_area(results, tree, at, by_area=table)
    if families is not None:
        table = table.join(families, on=["area", "fiscal_year"], how="left").with_columns(
            pl.col(list(FAMILY_COUNTS)).fill_null(0.0)
        )
    full = table.filter(pl.col("weeks") >= 52)
    if not full.is_empty():
        table = full
    shown = [*BY_AREA, *(c for c in FAMILY_COUNTS.items() if c[0] in table.columns)]
    means = (
        table.group_by("area")
        .agg(
            pl.col("fiscal_year").min().alias("first"),
            pl.col("fiscal_year").max().alias("last"),
            *(pl.col(name).mean() for name, _ in shown),
        )
        .sort("area")
    )
    columns = [Column("area"), *(Column(header, number=True) for _, header in shown)]
    rows = [
        [row["area"].upper(), *(f"{row[name]:,.0f}" for name, _ in shown)]
        for row in means.to_dicts()
    ]
    print_table(columns, rows, wide=wide)
    first, last = min(means["first"].to_list()), max(means["last"].to_list())
    console.print(
        f"By area of responsibility, people a year (mean of FY{first}-FY{last}): ICE arrests, "
        "those of them in custody (jails, prisons, 287(g)), detention book-ins, those held in "
        "another area's beds, detained on an average day, "
        "interior removals, and removals; parents of U.S.-citizen children removed, the "
        "U.S.-citizen children who lost a parent and the mixed-status households reached "
        "(each area's own removed parents, as the engine tallies them by area); BORDER: what "
        "the border adds (its removals and detained are not placed in an area, nor told by "
        "family). By year: immsim.outcomes.by_area, "
        "immsim.analysis.effects.families_by_area.",
        highlight=False,
    )


def _show_area(
    name: str, results: Results, folder: Path, area: str, as_json: bool, wide: bool
) -> None:
    """``run --area``: the saved run's outcomes in one area, by fiscal year."""
    from immsim.analysis.areas import AREA_OUTCOMES, area_label, results_by_area, select_area
    from immsim.errors import InputError
    from immsim.outcomes import OUTCOMES

    by_area = results_by_area(results)
    if by_area is None:
        raise InputError(
            f"the run (saved to {folder}) carries no results by area: the engine does not yet "
            "report areas",
            key="--area",
        )
    rows = select_area(by_area, area)
    if as_json:
        emit_json(
            {
                "run_id": results.manifest["run_id"],
                "folder": str(folder),
                "area": area,
                "outcomes": rows.to_dicts(),
            }
        )
        return
    shown = [n for n in AREA_OUTCOMES if n in rows.columns]
    columns = [Column("FY"), *(Column(OUTCOMES[n].label, number=True) for n in shown)]
    table = [
        [str(r["fiscal_year"]), *("–" if r[n] is None else f"{r[n]:,.0f}" for n in shown)]
        for r in rows.to_dicts()
    ]
    console.print(f"[bold]{escape(name)}[/], {escape(area_label(area))}:", highlight=False)
    print_table(columns, table, wide=wide)
    console.print(
        "; ".join(f"{OUTCOMES[n].label}: {OUTCOMES[n].unit}" for n in shown) + ".", highlight=False
    )
    console.print(f"Saved to [bold]{escape(str(folder))}[/] (every area and the nation).")


SUMMARY = (
    Column("FY"),
    Column("arrests", number=True),
    Column("removed", number=True),
    Column("interior", number=True),
    Column("convicted", number=True),
    Column("detained", number=True),
    Column("backlog", number=True),
    Column("cost $M", number=True),
    Column("binds"),
)


def _print_run(name: str, results: Results, folder: Path, wide: bool = False) -> None:
    """The run in a line, its fiscal years in a table, and where it was saved."""
    from immsim.outcomes import by_year

    years = by_year(results)
    manifest = results.manifest
    console.print(
        f"[bold]{escape(name)}[/]: {manifest['regime']['name']}, "
        f"{manifest['start']} to {manifest['end']}, seed {manifest['seed']} "
        f"({manifest['wall_seconds']:.1f} s)",
        highlight=False,
    )
    rows = []
    for row in years.to_dicts():
        share = row["convicted_share"]
        rows.append(
            [
                str(row["fiscal_year"]),
                f"{row['arrests']:,.0f}",
                f"{row['removals']:,.0f}",
                f"{row['removals_interior']:,.0f}",
                "–" if share is None else f"{share:.0%}",
                f"{row['detained']:,.0f}",
                f"{row['court_pending']:,.0f}",
                f"{row['cost'] / 1e6:,.0f}",
                row["binding"],
            ]
        )
    print_table(list(SUMMARY), rows, wide=wide)
    console.print(
        "arrests, removed (with the border's), interior: people a year; convicted: share of "
        "interior removals with a criminal conviction; detained: people on an average day; "
        "backlog: court cases pending at the year's end; cost: USD millions a year; binds: the "
        "capacity that bound in most weeks.",
        highlight=False,
    )
    console.print(
        f"Saved to [bold]{escape(str(folder))}[/] (weekly.parquet, breakdown.parquet, manifest.json)."
    )


def _print_costs(results: Results, tree: ParameterTree, at: dt.date, wide: bool) -> None:
    """Each fiscal year's cost by component (nominal and in base-year dollars), and the
    economic, fiscal and family effects of its removals (central values; ``capacity`` gives
    the bands)."""
    from immsim.analysis.effects import ALL_COSTS, base_year, costs_by_year, effects_by_year
    from immsim.engine.costs import LABELS

    base = base_year(tree, at)
    costs = costs_by_year(results, tree, at)
    columns = [
        Column("FY"),
        *(Column(LABELS[c], number=True) for c in ALL_COSTS),
        Column("total", number=True),
        Column(f"{base} $", number=True),
    ]
    rows = [
        [
            str(row["fiscal_year"]),
            *(f"{row[c] / 1e6:,.0f}" for c in ALL_COSTS),
            f"{row['cost_total'] / 1e6:,.0f}",
            f"{row['cost_constant'] / 1e6:,.0f}",
        ]
        for row in costs.to_dicts()
    ]
    print_table(columns, rows, wide=wide)
    console.print(
        f"Cost by component, USD millions a year in each year's dollars; detention capital: the "
        f"beds funded above the run's start at their cost per bed, spread over their life; the "
        f"last column is the total in {base} dollars (CPI-U).",
        highlight=False,
    )
    effects = effects_by_year(results, tree, at)
    columns = [
        Column("FY"),
        Column("workers gone", number=True),
        Column("GDP lost $M", number=True),
        Column("federal taxes $M", number=True),
        Column("state+local $M", number=True),
        Column("parents removed", number=True),
        Column("USC children", number=True),
        Column("mixed-status households", number=True, optional=True),
        Column("U.S.-born jobs lost", number=True, optional=True),
        Column("average wage", number=True, optional=True),
    ]
    years = costs["fiscal_year"].to_list()
    rows = [
        [
            str(year),
            f"{e.workers.central:,.0f}",
            f"{e.output_lost.central / 1e6:,.0f}",
            f"{e.federal_taxes_lost.central / 1e6:,.0f}",
            f"{e.state_local_taxes_lost.central / 1e6:,.0f}",
            f"{e.parents:,.0f}",
            f"{e.usc_children:,.0f}",
            f"{e.mixed_status_households:,.0f}",
            f"{e.us_born_jobs_lost.central:,.0f}",
            f"{e.average_wage_change.central:+.2%}",
        ]
        for year, e in zip(years, effects, strict=True)
    ]
    print_table(columns, rows, wide=wide)
    console.print(
        "Workers gone that year (removed from the interior, or left by voluntary return after "
        "arrest or through CBP Home's paid self-departure); GDP and taxes lost that year from everyone gone since the run began"
        f" ({base} dollars; CAP 2016 output per worker, each year's removals moving from the "
        "immediate to the long-run loss on Penn Wharton's 2025 path; ITEP 2024 "
        "taxes); parents of U.S.-citizen children removed, and the U.S.-citizen children who "
        "lost a parent (Pew); mixed-status households reached by a removal that year (CMS "
        "2024); U.S.-born workers' jobs lost beside everyone gone so far (EPI 2025), and the "
        "average wage's change with the share of the starting population gone (Penn Wharton "
        "2025). "
        "`immsim capacity` gives the 90% bands.",
        highlight=False,
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
    wide: bool,
) -> None:
    from immsim.analysis.montecarlo import run_draws
    from immsim.scenario import resolve_scenario

    scenario = resolve_scenario(scenario_file)
    if seed is not None:  # the draws' population is the one `immsim run --seed` builds
        scenario = scenario.model_copy(update={"seed": seed})
    check_target(out or Path("runs") / f"{scenario.name}-draws{draws}", overwrite)
    with task_progress(f"Running {scenario.name}", as_json) as bar:
        task = bar.add_task("draws", total=draws)
        result = run_draws(
            scenario,
            draws,
            scenario.seed,
            workers,
            ray,
            lambda n, total: bar.update(task, completed=n, total=total),
        )
    folder = out or Path("runs") / f"{scenario.name}-draws{draws}"
    result.save(folder, overwrite=overwrite)
    if as_json:
        emit_json({"folder": str(folder), "bands": result.bands.to_dicts()})
        return
    print_bands(f"{scenario.name}: {draws} draws", result.bands, wide=wide)
    console.print(f"Saved to [bold]{escape(str(folder))}[/] (draws.parquet, bands.parquet).")
