"""The ``immsim`` command line.

Every command that prints a table also takes ``--json``. Input problems print one located message
(file:line: key: what is wrong (allowed: ...)) and exit with status 2; ``--debug`` shows the
traceback instead.

Each module of this package holds one group of commands; this one assembles them into the root
app, in the order ``immsim --help`` lists them, and turns errors into exit statuses.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape

from immsim import __version__
from immsim.cli import (
    analysis,
    calibration,
    data,
    params,
    population,
    present,
    regimes,
    run,
    scenario,
)
from immsim.cli.output import console, emit_json, err_console
from immsim.errors import ImmsimError, InputError

app = typer.Typer(
    name="immsim",
    help=(
        "Simulator and data toolkit for U.S. interior immigration enforcement. "
        "Aggregate policy analysis only: it never scores or identifies a person."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("run")(run.run_command)
app.command("validate")(calibration.validate_command)
app.command("calibrate")(calibration.calibrate_command)
app.command("compare")(analysis.compare_command)
app.command("sweep")(analysis.sweep_command)
app.command("sensitivity")(analysis.sensitivity_command)
app.command("capacity")(analysis.capacity_command)
app.command("report")(present.report_command)
app.command("serve")(present.serve_command)
app.add_typer(params.app, name="params")
app.add_typer(scenario.app, name="scenario")
app.add_typer(regimes.app, name="regimes")
app.add_typer(population.app, name="population")
app.add_typer(data.app, name="data")


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        console.print(f"immsim {__version__}")
        raise typer.Exit()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; turn user errors into one clear message and exit status 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    if debug:
        args.remove("--debug")
    try:
        app(args=args, prog_name="immsim")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except ImmsimError as exc:
        if debug:
            raise
        if "--json" in args and isinstance(exc, InputError):
            emit_json(exc.as_dict())
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    except Exception as exc:  # last resort: never a bare traceback for users
        if debug:
            raise
        err_console.print(
            f"[bold red]internal error:[/] {escape(type(exc).__name__)}: {escape(str(exc))}\n"
            "Run again with --debug for the traceback, and please report it."
        )
        return 3
    return 0
