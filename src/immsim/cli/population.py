"""``immsim population``: build the strata table for a date, and describe one against its
targets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from immsim.cli.options import JsonOpt, WideOpt
from immsim.cli.output import console, emit_json
from immsim.cli.tables import Column, print_table
from immsim.parameters import load_baseline, load_parameters
from immsim.parameters.loader import as_date

app = typer.Typer(
    help="The population of strata the system acts on: build, describe.", no_args_is_help=True
)


MARGINS = (
    Column("level", text=True),
    Column("people", number=True),
    Column("%", number=True),
    Column("target", number=True),
    Column("diff", number=True),
    Column("source", text=True),
)


@app.command("build")
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
        emit_json({"file": str(path), "seconds": round(seconds, 3), **summary})
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


@app.command("describe")
def population_describe(
    file: Annotated[Path, typer.Argument(help="A strata file (.parquet, or .csv).")],
    date: Annotated[
        str | None,
        typer.Option("--date", help="Reference date, for a file that does not record one."),
    ] = None,
    wide: WideOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Marginals of a strata file against the targets it was built to meet, with sources."""
    from immsim.population.describe import describe_dict
    from immsim.population.strata_io import load_population

    population = load_population(file, as_date(date) if date else None)
    summary = describe_dict(population, load_baseline())
    if as_json:
        emit_json(summary)
        return
    console.print(
        f"[bold]{escape(str(file))}[/]: {population.total:,} people in "
        f"{population.strata.height:,} strata; reference date "
        f"{population.reference_date.isoformat()}; {escape(population.origin)}"
    )
    margins = summary["margins"]
    assert isinstance(margins, list)
    rows = []
    last = None
    cited = None
    for row in margins:
        if row["attribute"] != last:
            last = row["attribute"]
            cited = None
            rows.append([last, "", "", "", "", ""])
        source = row["citation"] or row["source"]
        shown, cited = ("″" if source == cited else source), source
        target = row["target"]
        diff = row["difference"]
        flag = "" if row["within_tolerance"] in (True, None) else " ✗"
        rows.append(
            [
                f"  {row['level']}",
                f"{row['persons']:,}",
                f"{row['share']:.1%}",
                "" if target is None else f"{target:,.0f}",
                ("" if diff is None else f"{round(diff) + 0:+,}") + flag,
                shown,
            ]
        )
    print_table(list(MARGINS), rows, wide=wide)
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
