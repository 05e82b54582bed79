"""``immsim regimes``: the shipped policy regimes in plain words, and rule checks on
hypothetical profiles."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from immsim.cli.options import AtOpt, JsonOpt, WideOpt, at_day
from immsim.cli.output import console, emit_json
from immsim.cli.tables import Column, print_table

app = typer.Typer(help="Policy regimes: priorities, exemptions, detainers.", no_args_is_help=True)


@app.command("list")
def regimes_list(wide: WideOpt = False, as_json: JsonOpt = False) -> None:
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
        emit_json({"regimes": rows})
        return
    columns = [
        Column("name"),
        Column("in force"),
        Column("title", text=True),
        Column("tiers", number=True),
        Column("others"),
        Column("sources", text=True),
    ]
    table = [
        [
            row["name"],
            "\n".join(f"{p['start']} → {p['end'] or 'now'}" for p in row["in_force"]),
            row["title"],
            str(row["tiers"]),
            row["non_priority"],
            "\n".join(f"{d['title']} ({d['date']})" for d in row["sources"]),
        ]
        for row in rows
    ]
    print_table(columns, table, title="Policy regimes", wide=wide, lines=True)


@app.command("show")
def regimes_show(
    name: Annotated[
        str, typer.Argument(help="A regime name (see `immsim regimes list`) or a regime file.")
    ],
    wide: WideOpt = False,
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
        emit_json(payload)
        return
    console.print(f"[bold]{regime.name}[/] — {escape(regime.title)}")
    console.print(escape(regime.summary))
    console.print(
        "In force: " + "; ".join(f"{p.start} → {p.end or 'now'}" for p in regime.in_force)
    )
    columns = [
        Column("#", number=True),
        Column("tier", text=True),
        Column("who", text=True),
        Column("cited passage / assumption", text=True),
    ]
    tiers = [
        [
            str(i),
            tier.label,
            tier.describe(),
            regime.cite(tier.source)
            + (f"\nAssumption: {tier.assumption}" if tier.assumption else ""),
        ]
        for i, tier in enumerate(regime.tiers, 1)
    ]
    title = "Priority tiers (first match wins)"
    print_table(columns, tiers, title=title, wide=wide, lines=True)
    if regime.tier_order is not None:
        console.print(
            f"Tiers served: [bold]{regime.tier_order.order}[/] — "
            f"{escape(regime.cite(regime.tier_order.source))}"
        )
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
            lowers = f"; out of {', '.join(rule.lowers)}" if rule.lowers else ""
            console.print(
                f"  • {escape(rule.label)} ({escape(rule.when.describe())}{lowers}) — "
                f"{escape(basis)}"
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


@app.command("classify")
def regimes_classify(
    name: Annotated[str, typer.Argument(help="A regime name or a regime file.")],
    profile: Annotated[
        Path,
        typer.Option("--profile", help="YAML file of hypothetical profiles (`profiles: [...]`)."),
    ],
    at: AtOpt = None,
    wide: WideOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Classify a table of *hypothetical* profiles under a regime — for checking rules, never real people."""
    from immsim.regimes import classify, load_regime
    from immsim.regimes.profiles import load_profiles

    regime = load_regime(name)
    day = at_day(at) if at else regime.in_force[0].start
    profiles = load_profiles(profile)
    results = [(p, classify(regime, p, day)) for p in profiles]
    if as_json:
        emit_json(
            {
                "regime": regime.name,
                "at": day.isoformat(),
                "results": [{"profile": p.model_dump(), **c.as_dict()} for p, c in results],
            }
        )
        return
    columns = [
        Column("profile", text=True),
        Column("tier", text=True),
        Column("enforcement"),
        Column("detainer"),
        Column("mitigating", text=True),
        Column("why", text=True),
    ]
    table = [
        [
            p.label or "—",
            c.tier_label,
            c.enforcement,
            c.detainer,
            ", ".join(c.mitigating) or "—",
            "\n".join(c.reasons),
        ]
        for p, c in results
    ]
    title = f"{regime.name} on {day.isoformat()} (hypothetical profiles)"
    print_table(columns, table, title=title, wide=wide, lines=True)
