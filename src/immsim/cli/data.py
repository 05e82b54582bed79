"""``immsim data``: fetch published enforcement records, read them into the event schema, and
summarize what was read against the published totals."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from immsim.cli.options import JsonOpt, WideOpt
from immsim.cli.output import console, emit_json, err_console
from immsim.cli.tables import Column, print_table

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
    wide: WideOpt = False,
) -> None:
    """Download public releases from their publishers (needs the network)."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    from immsim.data.fetch import fetch, sources

    if show or source is None:
        columns = [Column("source"), Column("description", text=True)]
        columns.append(Column("files", number=True))
        rows = [
            [name, info["description"], str(len(info["files"]))] for name, info in sources().items()
        ]
        print_table(columns, rows, wide=wide)
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
    wide: WideOpt = False,
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
    columns = [Column("file", text=True), Column("layout")]
    columns += [Column(n, number=True) for n in ("read", "written", "rejected")]
    columns.append(Column("top reason", text=True, optional=True))
    rows = []
    for r in reports:
        top = r.rejected_by_reason.most_common(1)
        rows.append(
            [
                Path(r.source).name,
                r.layout,
                f"{r.rows_read:,}",
                f"{r.rows_written:,}",
                f"{r.rows_rejected:,}",
                f"{top[0][0]} ({top[0][1]:,})" if top else "",
            ]
        )
    print_table(columns, rows, wide=wide)
    console.print(f"Wrote [bold]{escape(str(out))}[/]; every rejected row is listed in reports/.")


@app.command("summarize")
def data_summarize(
    folder: Annotated[Path, typer.Argument(help="A folder written by `immsim data ingest`.")],
    figures: Annotated[
        Path | None,
        typer.Option("--figures", help="published_figures.csv to cross-check against."),
    ] = None,
    wide: WideOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Yearly and monthly flows by method, criminality, country and area; cross-checks."""
    from immsim.data.summarize import summarize

    summary = summarize(folder, figures)
    if as_json:
        emit_json(summary)
        return
    fy, events = Column("FY"), Column("events", number=True)
    for kind in ("arrest", "removal"):
        if kind not in summary:
            continue
        block = summary[kind]
        rows = [[str(r["fiscal_year"]), f"{r['events']:,}"] for r in block["yearly"]]
        print_table([fy, events], rows, title=f"{kind} events by fiscal year", wide=wide)
        dim = "channel" if kind == "arrest" else "removal_kind"
        rows = [
            [str(r["fiscal_year"]), str(r["level"]), f"{r['events']:,}"] for r in block[f"by_{dim}"]
        ]
        title = f"{kind} events by {dim}"
        print_table([fy, Column(dim), events], rows, title=title, keys=2, wide=wide)
    if "detention_stay" in summary:
        rows = [
            [str(r["fiscal_year"]), f"{r['average_daily_population']:,.0f}"]
            for r in summary["detention_stay"]["yearly_average_daily_population"]
        ]
        title = "average daily detained population (from daily headcounts)"
        print_table([fy, Column("people", number=True)], rows, title=title, wide=wide)
    if summary["cross_check"]:
        columns = [Column("metric"), fy]
        columns += [Column(n, number=True) for n in ("ingested", "published", "difference")]
        columns.append(Column("source", text=True, optional=True))
        rows = [
            [
                r["metric"],
                str(r["fiscal_year"]),
                f"{r['ingested']:,.0f}",
                f"{r['published']:,.0f}",
                f"{r['difference']:+,.0f} ({r['relative']:+.1%})"
                if r["relative"] is not None
                else "",
                r["source"],
            ]
            for r in summary["cross_check"]
        ]
        print_table(columns, rows, title="against published figures", keys=2, wide=wide)
    elif figures is None:
        console.print(
            "Pass --figures published_figures.csv to cross-check against published totals."
        )
