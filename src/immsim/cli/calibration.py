"""The calibration commands: ``validate`` back-tests the model against the record, ``calibrate``
fits what no source states and writes it into the parameter tree."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from immsim.cli.options import FiguresOpt, JsonOpt, WideOpt, figures_file
from immsim.cli.output import console, emit_json, err_console
from immsim.cli.tables import Column, is_wide, nest_keys, print_table
from immsim.parameters import load_baseline

if TYPE_CHECKING:
    from immsim.calibration.area_backtest import AreaBacktest
    from immsim.calibration.calibrate import Calibration, FitSpec, Fold, Loss, Prior, Weights
    from immsim.calibration.validate import Backtest, Row

BACKTEST = (
    Column("metric", text=True),
    Column("FY"),
    Column("observed", number=True),
    Column("simulated", number=True),
    Column("error", number=True),
    Column("sample"),
    Column("90% band", number=True, optional=True),
)
BY_AREA = (
    Column("area", text=True),
    Column("outcome", text=True),
    Column("FY"),
    Column("observed", number=True),
    Column("simulated", number=True),
    Column("error", number=True),
    Column("period", optional=True),
)
AREA_SUMMARY = (
    Column("area", text=True),
    Column("outcomes", text=True),
    Column("cells", number=True),
    Column("median abs. error", number=True),
)
FITTED = (
    Column("parameter"),
    Column("unit", text=True),
    Column("fitted", number=True),
    Column("90% interval", number=True),
    Column("targets", text=True),
    Column("was", number=True, optional=True),
    Column("allowed", number=True, optional=True),
)
FOLDS = (
    Column("period predicted"),
    Column("fitted on"),
    Column("cells", number=True),
    Column("error, tree", number=True),
)
REFIT_HEADER = {"none": "refit, no prior", "range": "refit, prior"}
"""The cross-validation's column for each method's refit."""


def validate_command(
    figures: FiguresOpt = None,
    draws: Annotated[int, typer.Option("--draws", min=1, max=200, help="Runs (seeds).")] = 5,
    seed: Annotated[int, typer.Option("--seed", min=0)] = 2012,
    wide: WideOpt = False,
    workbooks: Annotated[
        Path | None,
        typer.Option(
            "--workbooks",
            help="ICE's detention-statistics workbooks (default: ice_detention_stats/ beside "
            "the figures, if there).",
        ),
    ] = None,
    by_area: Annotated[
        bool,
        typer.Option(
            "--by-area",
            help="Back-test each ICE area of responsibility against the records by area in "
            "the data folder beside the figures (Seattle's removals and arrests, detention by "
            "area).",
        ),
    ] = False,
    population_shares: Annotated[
        bool,
        typer.Option(
            "--population-shares",
            help="With --by-area: score the national run spread over the areas by their share "
            "of the population, the benchmark a model with areas must beat.",
        ),
    ] = False,
    seeds_only: Annotated[
        bool,
        typer.Option(
            "--seeds-only",
            help="Draw seeds only, keeping every value as the tree has it (by default each "
            "draw also draws the values with a 90% interval from it).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Back-test FY2012-FY2023 under the regimes in force each year; no value is refitted."""
    from rich.progress import Progress

    from immsim.calibration.validate import validate

    path = figures_file(figures)
    if by_area or population_shares:
        _validate_by_area(path.parent, draws, seed, wide, as_json, population_shares, seeds_only)
        return
    workbooks = workbooks or beside_figures(path)
    with Progress(console=err_console, transient=True, disable=as_json) as bar:
        task = bar.add_task("Back-testing", total=draws)
        result = validate(
            path,
            load_baseline(),
            draws=draws,
            seed=seed,
            progress=lambda done, total: bar.update(task, completed=done),
            workbooks=workbooks,
            seeds_only=seeds_only,
        )
    if as_json:
        emit_json(result.as_dict())
        return
    _print_backtest(result, wide)


def beside_figures(path: Path) -> Path | None:
    """ICE's detention-statistics workbooks, if they are beside the figures file."""
    folder = path.parent / "ice_detention_stats"
    return folder if folder.is_dir() else None


def band(row: Row) -> tuple[float, float]:
    """The 90% band a back-test row shows: the predictive band (the draws and the model's error
    on the fitted years), the draws' own where there is no error to add. The draws' band alone
    holds parameter and seed uncertainty only, and out of sample it held 49-69% of the record
    (docs/calibration.md): a band that says 90% must carry the model's error too."""
    if row.predictive_low is None or row.predictive_high is None:
        return row.low, row.high
    return row.predictive_low, row.predictive_high


def _print_backtest(result: Backtest, wide: bool) -> None:
    """Each metric and year against the record, the directions of FY2016->FY2017, and the
    summary errors with the fitted and the out-of-sample years apart."""
    rows = []
    last = None
    for row in result.rows:
        if row.observed is None:
            continue
        share = row.metric.endswith("share")

        def fmt(v: float, share: bool = share) -> str:
            return f"{v:.0%}" if share else f"{v:,.0f}"

        low, high = band(row)

        rows.append(
            [
                row.label if row.metric != last else "",
                str(row.fiscal_year),
                fmt(row.observed),
                fmt(row.median),
                "" if row.error is None else f"{row.error:+.0%}",
                row.sample,
                f"{fmt(low)} to {fmt(high)}",
            ]
        )
        last = row.metric
    draws = f"{result.draws} draw" + ("s" if result.draws != 1 else "")
    title = f"Back-test FY2012-FY2023 (median of {draws})"
    print_table(list(BACKTEST), rows, title=title, keys=2, wide=wide)
    for item in result.directions:
        verdict = "agrees" if item.agree else "DISAGREES"
        console.print(
            f"FY2016->FY2017 {item.label}: the model {verdict} with the record's direction."
        )
    for name, period in result.periods().items():
        error = period["median_abs_pct_error"]
        coverage, alone = period["predictive_coverage_90"], period["coverage_90"]
        console.print(
            f"Median absolute error, {name} ({period['sample']}, {period['cells']} cells): "
            + (f"[bold]{error:.1%}[/]" if error is not None else "no record")
            + (f"; inside the 90% band: {coverage:.0%}" if coverage is not None else "")
            + (f" (the draws' alone: {alone:.0%})" if alone is not None else "")
            + _draw_spread(period["median_abs_pct_error_by_draw"])
            + "."
        )
    what = (
        f"seeds and {len(result.drawn)} values drawn from their 90% intervals"
        if result.drawn
        else "seeds only"
    )
    predictive = result.out_of_sample_predictive_coverage
    if predictive is not None:
        console.print(
            f"Out-of-sample cells inside the 90% band: [bold]{predictive:.0%}[/] (an honest band "
            f"holds about 90%). The band is the draws ({what}) widened by each metric's error "
            "on FY2012-FY2016, the model's structural error that no draw of the values shows "
            f"({result.discrepancy.get('all', 0.0):.2f} on the log scale over all its cells, "
            "drawn as Student's t with a degree of freedom a fitted cell)."
        )
    coverage = result.out_of_sample_coverage
    if coverage is not None:
        console.print(f"Inside the band of the draws alone ({what}): {coverage:.0%}.")
    for metric in result.metrics:
        if metric.note:
            console.print(f"[i]{escape(metric.label)}[/]: {escape(metric.note)}")


def _validate_by_area(
    data: Path,
    draws: int,
    seed: int,
    wide: bool,
    as_json: bool,
    population_shares: bool,
    seeds_only: bool,
) -> None:
    """``validate --by-area``: the back-test's runs by area against the records by area; skipped,
    with the reason, when the runs carry no areas."""
    from rich.progress import Progress

    from immsim.calibration.area_backtest import NoAreas, validate_by_area

    with Progress(console=err_console, transient=True, disable=as_json) as bar:
        task = bar.add_task("Back-testing by area", total=draws)
        try:
            result = validate_by_area(
                data,
                load_baseline(),
                draws=draws,
                seed=seed,
                progress=lambda done, total: bar.update(task, completed=done),
                population_shares=population_shares,
                seeds_only=seeds_only,
            )
        except NoAreas as skipped:
            if as_json:
                emit_json({"skipped": str(skipped)})
            else:
                err_console.print(f"[yellow]Back-test by area skipped[/]: {escape(str(skipped))}.")
            return
    if as_json:
        emit_json(result.as_dict())
        return
    print_area_backtest(result, draws, wide)


def _draw_spread(medians: list[float]) -> str:
    """Where each draw's own median error falls: the seeds' part of the headline's uncertainty."""
    if len(medians) < 2:
        return ""
    return f"; each draw's own median {min(medians):.1%} to {max(medians):.1%}"


def _percent(error: float | None) -> str:
    """A relative error as a whole per cent; beyond ten times the record (an area that held
    almost nobody), as a multiple, which a reader takes in at once."""
    if error is None:
        return ""
    if abs(error) < 10:
        return f"{error:+.0%}"
    return f"{error + 1:.0f} times"


def print_area_backtest(result: AreaBacktest, draws: int, wide: bool) -> None:
    """Each area's outcomes and years against the records, then the median absolute error of
    each period and of each area (as the national back-test reports them), what each record
    counts, and the records no run value matched."""
    from immsim.analysis.areas import area_label

    rows = []
    last: tuple[str, str] | None = None
    for row in result.rows:
        rows.append(
            [
                area_label(row.area) if last is None or row.area != last[0] else "",
                row.label if (row.area, row.outcome) != last else "",
                str(row.fiscal_year),
                f"{row.observed:,.0f}",
                f"{row.simulated:,.0f}",
                _percent(row.error),
                row.period,
            ]
        )
        last = (row.area, row.outcome)
    title = f"Back-test by area (median of {draws} draw{'s' if draws != 1 else ''})"
    print_table(list(BY_AREA), rows, title=title, keys=3, wide=wide)
    for name, period in result.periods().items():
        error = period["median_abs_pct_error"]
        console.print(
            f"Median absolute error, {name} ({period['cells']} cells): [bold]{error:.1%}[/]."
        )
    summary = [
        [
            area_label(area),
            ", ".join(s["outcomes"]),
            str(s["cells"]),
            _percent(s["median_abs_pct_error"]).lstrip("+"),
        ]
        for area, s in result.areas().items()
    ]
    print_table(list(AREA_SUMMARY), summary, title="Median absolute error by area", wide=wide)
    for counts in dict.fromkeys((r.outcome, r.source, r.counts) for r in result.rows):
        console.print(f"[i]{escape(counts[0])}[/] ({escape(counts[1])}): {escape(counts[2])}.")
    for note in result.notes:
        console.print(f"[i]{escape(note)}[/]")
    if result.unscored:
        shown = ", ".join(result.unscored[:8]) + (" ..." if len(result.unscored) > 8 else "")
        console.print(
            f"{len(result.unscored)} records with no value in the runs to compare: {escape(shown)}."
        )


class Method(StrEnum):
    least_squares = "least-squares"
    emulator = "emulator"


class PriorOpt(StrEnum):
    range = "range"
    none = "none"


class LossOpt(StrEnum):
    linear = "linear"
    soft_l1 = "soft_l1"
    huber = "huber"
    cauchy = "cauchy"


class WeightsOpt(StrEnum):
    per_cell = "per-cell"
    per_metric = "per-metric"


def calibrate_command(
    figures: FiguresOpt = None,
    max_evaluations: Annotated[
        int, typer.Option("--max-evaluations", min=2, max=2000, help="Model runs allowed.")
    ] = 60,
    seed: Annotated[int, typer.Option("--seed", min=0)] = 2012,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Fit and report; change no file.")
    ] = False,
    tree_dir: Annotated[
        Path | None,
        typer.Option(
            "--tree-dir", help="The parameter tree folder to write (default: the package's)."
        ),
    ] = None,
    wide: WideOpt = False,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Fit only this parameter of calibration/fit.yaml (repeat for several); the "
            "others keep their values.",
        ),
    ] = None,
    cross_validate: Annotated[
        bool,
        typer.Option(
            "--cross-validate",
            help="Time-series cross-validation: for each regime period after FY2016, fit on "
            "the years before it and score the period; change no file.",
        ),
    ] = False,
    method: Annotated[
        Method,
        typer.Option(
            "--method",
            help="least-squares: fit and write the values; emulator: a Gaussian-process "
            "emulator on a Latin hypercube of runs (cached) and MCMC over the same values, "
            "compared with least squares on the held-out years (change no file).",
        ),
    ] = Method.least_squares,
    runs: Annotated[
        int,
        typer.Option("--runs", min=4, max=2000, help="With --method emulator: design runs."),
    ] = 40,
    draws: Annotated[
        int,
        typer.Option(
            "--draws", min=2, max=200, help="With --method emulator: back-test runs a method."
        ),
    ] = 5,
    ranged_targets: Annotated[
        bool,
        typer.Option(
            "--ranged-targets",
            help="Add the figures stated as a range over several years (TRAC's arrests a month "
            "from local jails, FY2009-FY2012, as FY2012's): zero error inside the range.",
        ),
    ] = False,
    prior: Annotated[
        PriorOpt | None,
        typer.Option(
            "--prior",
            help="none (the default): plain least squares; range: maximum a posteriori, each "
            "value's prior centred on the value in force with its allowed range "
            "(calibration/fit.yaml) as the 90% interval. --cross-validate runs both unless one "
            "is given.",
        ),
    ] = None,
    loss: Annotated[
        LossOpt,
        typer.Option(
            "--loss",
            help="How a target's relative error counts (scipy's least_squares loss): linear, "
            "least squares (the default); soft_l1, huber or cauchy, robust losses that count an "
            "error beyond the targets' median absolute error at the start less than its square. "
            "Cross-validated (docs/calibration.md, branch calib31): at 60 runs no robust fit took "
            "a step (the tree's 9.5% / 9.6%); at 120 runs soft_l1 13.4% and cauchy 13.3% on "
            "FY2020-FY2023 against least squares' 13.0%, so least squares stays the default.",
        ),
    ] = LossOpt.linear,
    weights: Annotated[
        WeightsOpt,
        typer.Option(
            "--weights",
            help="How the targets' relative errors are weighted: per-cell (the default), each "
            "(metric, year) target once; per-metric, each by 1/sqrt(its metric's number of "
            "targets), so each metric's targets together count as one (docs/calibration.md, "
            "branch permetric35: its refits predicted FY2017-FY2019 with 10.1% and FY2020-FY2023 "
            "with 13.7%, against 10.3% and 10.0% per cell, so per-cell stays the default).",
        ),
    ] = WeightsOpt.per_cell,
    score_draws: Annotated[
        int | None,
        typer.Option(
            "--score-draws",
            min=1,
            max=50,
            help="With --cross-validate: the runs each held-out period is scored on, at the "
            "seeds after --seed (not the fit's own), each cell's median over them, as "
            "validate scores its draws (default 3).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Fit the parameters no source states to FY2012-FY2016; write them into the tree."""
    from rich.progress import Progress, TextColumn

    from immsim.calibration.calibrate import (
        DEFAULT_PRIOR,
        PRIORS,
        calibrate,
        select_specs,
        write_back,
    )

    path = figures_file(figures)
    specs = select_specs(tuple(only or ()))
    if method is Method.emulator:
        _emulator(path, specs, runs, draws, seed, wide, as_json)
        return
    if cross_validate:
        priors = PRIORS if prior is None else (prior.value,)
        _cross_validate(
            path,
            specs,
            seed,
            max_evaluations,
            wide,
            as_json,
            priors,
            loss.value,
            weights.value,
            score_draws,
        )
        return
    with Progress(
        *Progress.get_default_columns(),
        TextColumn("RMS error {task.fields[error]}"),
        console=err_console,
        transient=True,
        disable=as_json,
    ) as bar:
        task = bar.add_task("Calibrating", total=max_evaluations, error="-")
        result = calibrate(
            path,
            load_baseline(),
            specs=specs,
            seed=seed,
            max_evaluations=max_evaluations,
            progress=lambda n, total: bar.update(task, completed=n),
            on_evaluation=lambda e: bar.update(task, error=f"{e:.3f}"),
            ranged=ranged_targets,
            prior=DEFAULT_PRIOR if prior is None else prior.value,
            loss=loss.value,
            weights=weights.value,
        )
    changed = [] if dry_run else write_back(result, load_baseline(), tree_dir)
    if as_json:
        emit_json({**result.as_dict(), "changed_files": [str(p) for p in changed]})
        return
    _print_fitted(result, wide)
    console.print(
        f"RMS relative error on {len(result.targets)} targets: "
        f"{result.rms_relative_error_before:.3f} before, {result.rms_relative_error_after:.3f} after "
        f"({result.evaluations} runs)."
    )
    if changed:
        console.print(
            "Wrote " + ", ".join(escape(str(p)) for p in changed) + "; review with git diff."
        )
    else:
        console.print("Dry run: no file changed.")


COMPARISON = (
    Column("method", text=True),
    Column("period"),
    Column("cells", number=True),
    Column("median abs. error", number=True),
    Column("in draws' 90% band", number=True),
    Column("in predictive band", number=True),
)
POSTERIOR = (
    Column("parameter"),
    Column("posterior median", number=True),
    Column("90% interval", number=True),
    Column("least squares", number=True),
    Column("its 90% interval", number=True, optional=True),
)


def _emulator(
    path: Path,
    specs: tuple[FitSpec, ...],
    runs: int,
    draws: int,
    seed: int,
    wide: bool,
    as_json: bool,
) -> None:
    """The emulator's posterior beside the tree's least-squares values, and both methods'
    back-test on the held-out years."""
    from rich.progress import Progress

    from immsim.calibration.calibrate import fitted_start
    from immsim.calibration.emulator import compare

    tree = load_baseline()
    with Progress(console=err_console, transient=True, disable=as_json) as bar:
        task = bar.add_task("Design runs (cached)", total=runs)
        result = compare(
            path,
            tree,
            specs,
            runs,
            draws,
            seed,
            workbooks=beside_figures(path),
            progress=lambda n, total: bar.update(task, completed=n),
        )
    if as_json:
        emit_json(result.as_dict())
        return
    rows = []
    for spec, item in zip(specs, result.posterior.summary(), strict=True):
        entry = tree.entry(spec.key, fitted_start(tree, spec))
        interval = entry.interval_90
        rows.append(
            [
                spec.name,
                f"{item['median']:.4g}",
                f"{item['interval_90'][0]:.3g} to {item['interval_90'][1]:.3g}",
                f"{float(entry.value):.4g}",
                f"{interval[0]:.3g} to {interval[1]:.3g}" if interval else "none",
            ]
        )
    if not is_wide(wide):
        rows = nest_keys(rows)
    print_table(list(POSTERIOR), rows, title="Posterior (FY2012-FY2016)", wide=wide)
    post = result.posterior
    errors = ", ".join(f"{m} {e:.3f}" for m, e in post.emulator_error.items())
    console.print(
        f"{post.runs} design runs, {len(post.cells)} target cells; chain acceptance "
        f"{post.acceptance:.0%}; emulator's leave-one-out RMS error (log or logit): {errors}."
    )

    table = [
        [
            r["method"],
            r["period"],
            str(r["cells"]),
            pct(r["median_abs_pct_error"]),
            pct(r["coverage_90"]),
            pct(r["predictive_coverage_90"]),
        ]
        for r in result.table()
    ]
    print_table(list(COMPARISON), table, title="Back-test by method", wide=wide)
    console.print(f"{draws} runs a method, the same seeds. No file changed.")


def _print_fitted(result: Calibration, wide: bool, title: str = "FY2012-FY2016") -> None:
    """Each fitted parameter: its value, the 90% interval of the fit, whether the targets pin it
    down and what it was; then the Jacobian's singular values and the combinations of values the
    targets cannot see."""
    rows = []
    for item in result.parameters:
        lo, hi = item.interval_90
        low, high = item.allowed
        rows.append(
            [
                item.name,
                item.unit,
                f"{item.value:.4g}"
                + (" (bound)" if item.at_bound else "")
                + ("" if item.identified else " (not written)"),
                f"{lo:.3g} to {hi:.3g}",
                f"{item.verdict}" + (f" ({item.width:.0%} of range)" if item.identified else ""),
                f"{item.before:.4g}",
                f"{low:.3g} to {high:.3g}",
            ]
        )
    if not is_wide(wide):
        rows = nest_keys(rows)
    print_table(list(FITTED), rows, title=f"Fitted parameters ({title})", wide=wide)
    ident = result.identifiability
    if ident is None or not ident.singular_values:
        return
    values = ", ".join(f"{v:.3g}" for v in ident.singular_values)
    console.print(
        f"Jacobian singular values (relative errors per unit of logit or log): {values}; "
        f"condition number {ident.condition:.3g}."
    )
    for value, loadings in ident.sloppy:
        names = ", ".join(f"{name} ({weight:+.2f})" for name, weight in loadings)
        console.print(f"Not seen by the targets (singular value {value:.3g}): {escape(names)}.")


def _cross_validate(
    path: Path,
    specs: tuple[FitSpec, ...],
    seed: int,
    max_evaluations: int,
    wide: bool,
    as_json: bool,
    priors: tuple[Prior, ...],
    loss: Loss,
    weights: Weights = "per-cell",
    score_draws: int | None = None,
) -> None:
    """Fit on the years before each regime period by each method of ``priors``, score the
    period, and print each fold."""
    from rich.progress import Progress

    from immsim.calibration.calibrate import SCORE_DRAWS, cross_validate

    with Progress(console=err_console, transient=True, disable=as_json) as bar:
        task = bar.add_task("Cross-validating", total=max_evaluations)
        folds = cross_validate(
            path,
            load_baseline(),
            specs=specs,
            seed=seed,
            max_evaluations=max_evaluations,
            workbooks=beside_figures(path),
            on_fold=lambda name: bar.update(task, completed=0, description=f"Fitting for {name}"),
            progress=lambda n, total: bar.update(task, completed=n),
            priors=priors,
            loss=loss,
            weights=weights,
            score_draws=score_draws or SCORE_DRAWS,
        )
    if as_json:
        emit_json({"folds": [fold.as_dict() for fold in folds]})
        return
    for fold in folds:
        first, last = fold.fit_years
        for refit in fold.refits:
            robust = "" if loss == "linear" else f", {loss} loss"
            robust += "" if weights == "per-cell" else f", {weights} weights"
            title = f"FY{first}-FY{last}, prior {refit.prior}{robust}, to predict {fold.period}"
            _print_fitted(refit.calibration, wide, title=title)
            console.print(
                f"RMS relative error on {len(refit.calibration.targets)} targets: "
                f"{refit.calibration.rms_relative_error_before:.3f} before, "
                f"{refit.calibration.rms_relative_error_after:.3f} after "
                f"({refit.calibration.evaluations} runs)."
            )
    columns = [*FOLDS, *(Column(REFIT_HEADER[p], number=True) for p in priors)]
    print_table(columns, _fold_rows(folds), title="Time-series cross-validation", wide=wide)
    console.print(
        "Error: the period's median absolute error of each cell's median over "
        f"{_seeds_text(folds)}; 'tree' with the values as they "
        "are, 'refit' with the values fitted on the years before the period, by plain least "
        "squares ('no prior') or maximum a posteriori ('prior': each value's prior centred on "
        f"the value in force, its allowed range the 90% interval); every fit with the {loss} "
        f"loss and {weights} weights. No file changed."
    )


def _seeds_text(folds: tuple[Fold, ...]) -> str:
    """The runs the folds were scored on, as the note under the table names them."""
    seeds = folds[0].score_seeds if folds else ()
    if not seeds:
        return "the fit's own run"
    runs = "one run" if len(seeds) == 1 else f"{len(seeds)} runs"
    span = str(seeds[0]) if len(seeds) == 1 else f"{seeds[0]}-{seeds[-1]}"
    return f"{runs} (seeds {span}, not the fit's)"


def pct(value: float | None) -> str:
    """A share with one decimal (a median error, a coverage), blank where there is none."""
    return "" if value is None else f"{value:.1%}"


def _fold_rows(folds: tuple[Fold, ...]) -> list[list[str]]:
    return [
        [
            fold.period,
            f"FY{fold.fit_years[0]}-FY{fold.fit_years[1]}",
            str(fold.cells),
            pct(fold.error_tree),
            *(pct(refit.error) for refit in fold.refits),
        ]
        for fold in folds
    ]
