"""``immsim data``: fetch published enforcement records, read them into the event schema, and
summarize what was read against the published totals."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from immsim.cli.options import JsonOpt
from immsim.cli.output import console, emit_json, err_console

app = typer.Typer(
    help="Published enforcement records: fetch, ingest, summarize.", no_args_is_help=True
)


@app.command("fetch")
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


@app.command("ingest")
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
        emit_json({"out": str(out), "files": [r.as_dict() for r in reports]})
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


@app.command("summarize")
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
        emit_json(summary)
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
