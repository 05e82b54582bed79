"""The presentation commands: an offline HTML ``report`` of a run, and the web page to
``serve``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from immsim.cli.output import console, warm_engine


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
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace the HTML file if it exists.")
    ] = False,
) -> None:
    """One self-contained HTML report (charts included, works offline)."""
    from immsim.atomic import check_target
    from immsim.presentation.report import write_report

    check_target(out, overwrite)  # before reading and drawing the run
    path = write_report(run_dir, out, overwrite)
    console.print(f"Wrote [bold]{escape(str(path))}[/] ({path.stat().st_size / 1e6:.1f} MB).")


def serve_command(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
) -> None:
    """A web page to move the levers and see the results against the baseline."""
    import uvicorn

    from immsim.presentation.server import create_app

    console.print(f"Serving on http://{host}:{port}/ (API docs at /docs). Ctrl-C to stop.")
    warm_engine(quiet=False)  # so that the first request answers in about a second
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")
