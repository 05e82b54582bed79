"""``immsim scenario``: check a scenario file and show what it would run."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from immsim.cli.options import JsonOpt
from immsim.cli.output import console, emit_json
from immsim.cli.params import in_force, value_cell
from immsim.parameters import load_parameters

app = typer.Typer(help="Scenario files: check and summarise.", no_args_is_help=True)


@app.command("check")
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

    scenario = resolve_scenario(file)
    tree = load_parameters(scenario.reform)
    regime = load_regime(
        scenario.regime if scenario.regime != "historical" else regime_at(scenario.start).name
    )
    shown = sorted(set(tree.keys()) if scenario.reform is None else set(scenario.reform.overrides))
    values = []
    for key in shown:
        leaf = tree.leaf(key)
        values.append({"key": key, "unit": leaf.unit, **in_force(leaf, scenario.start)})
    summary = scenario.summary()
    if as_json:
        emit_json(
            {"ok": True, "scenario": summary, "regime_title": regime.title, "parameters": values}
        )
        return
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
        table.add_row(row["key"], value_cell(row), row["unit"], escape(row["source"] or ""))
    console.print(table)
