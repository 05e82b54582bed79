"""``immsim scenario``: check a scenario file and show what it would run."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from immsim.cli.options import AllOpt, JsonOpt, WideOpt
from immsim.cli.output import console, emit_json
from immsim.cli.params import in_force, print_parameters
from immsim.parameters import load_parameters

app = typer.Typer(help="Scenario files: check one and see what it runs.", no_args_is_help=True)


KEY_PARAMETERS = (
    "enforcement.ero_deportation_officers",
    "detention.funded_beds",
    "courts.immigration_judges",
    "enforcement.effort.removal_goal",
    "enforcement.channels.cooperation_full",
    "enforcement.channels.jail_287g_share",
    "removal.logistics.travel_document_rate.refusing_or_delaying",
)
"""The capacities and policies a summary shows (the web app's levers)."""


@app.command("check")
def scenario_check(
    file: Annotated[
        str | None,
        typer.Argument(
            help="Scenario YAML file, or the name of an embedded one (default: 'default')."
        ),
    ] = None,
    everything: AllOpt = False,
    wide: WideOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Validate a scenario and show what it runs: regime, dates, reform, and the key parameters'
    values at the start (--all: every parameter)."""
    from immsim.regimes import load_regime
    from immsim.regimes.catalog import regime_at
    from immsim.scenario import resolve_scenario

    scenario = resolve_scenario(file)
    tree = load_parameters(scenario.reform)
    regime = load_regime(
        scenario.regime if scenario.regime != "historical" else regime_at(scenario.start).name
    )
    overridden = set() if scenario.reform is None else set(scenario.reform.overrides)
    if as_json:  # every parameter, or a reform's overrides
        shown = sorted(set(tree.keys()) if scenario.reform is None else overridden)
    elif everything:
        shown = sorted(tree.keys())
    else:
        shown = sorted(overridden | {k for k in KEY_PARAMETERS if k in tree})
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
        f"[green]✓[/] scenario [bold]{escape(summary['name'])}[/] is valid ({escape(summary['source'])})",
        highlight=False,
    )
    console.print(f"  regime      {regime.name}: {escape(regime.title)}", highlight=False)
    console.print(
        f"  period      {summary['start']} → {summary['end']} ({summary['horizon_years']} years, weekly)",
        highlight=False,
    )
    console.print(
        f"  seed        {summary['seed']}    population: {escape(summary['population'])}",
        highlight=False,
    )
    console.print(
        f"  reform      {escape(summary['reform'] or 'none (baseline)')}", highlight=False
    )
    what = "Parameter values" if everything else "Key parameters and every override"
    print_parameters(values, f"{what} at the start ({summary['start']})", wide)
    if not everything:
        console.print(
            f"{len(tree.keys()):,} parameters in force; [bold]--all[/] lists every one.",
            highlight=False,
        )
