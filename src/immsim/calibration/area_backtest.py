"""The back-test by area: a run's outcomes by ICE area of responsibility against the records
that count them by area (:mod:`immsim.data.area_records`), reported like the national
back-test (:mod:`immsim.calibration.validate`): each cell's relative error, and the median
absolute error of each period and each area.

Nothing is fitted here, and nothing in the tree is set from these records. The Seattle arrests
of FY2024-FY2025 are after the records the model may see (FY2023): they are scored in a period of
their own, as a forecast check.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import polars as pl

from immsim.analysis.areas import AREA_OUTCOMES, check_by_area, results_by_area
from immsim.calibration.validate import END, PERIODS, RECENT_NOTE, START, simulate_draws
from immsim.engine.results import Results
from immsim.outcomes import OUTCOMES
from immsim.parameters.loader import ParameterTree
from immsim.progress import Progress

AFTER_RECORDS = "FY2024 on"
"""The period of records after FY2023, which the model's inputs stop before."""

MERGED_AREAS = {"hal": "sna"}
"""Areas the records hold that a run may not: Harlingen's facilities count under San Antonio,
whose area UWCHR's county table (the source of ``population.by_aor``) gives Harlingen's
counties. Applied only to a run without the area itself."""


def area_period(year: int) -> str:
    """The national back-test's period of ``year``, or :data:`AFTER_RECORDS`."""
    return next((name for name, years in PERIODS.items() if year in years), AFTER_RECORDS)


@dataclass(frozen=True)
class AreaRow:
    """One outcome of one area in one fiscal year: the record, the run and the error."""

    area: str
    outcome: str
    label: str
    fiscal_year: int
    observed: float
    simulated: float
    error: float | None
    period: str
    source: str
    counts: str


@dataclass(frozen=True)
class AreaBacktest:
    """The answer of :func:`area_backtest`. ``unscored``: the records with no simulated value to
    compare with (an area, year or outcome the run does not carry), one line each."""

    rows: tuple[AreaRow, ...]
    unscored: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def errors(self, area: str | None = None, period: str | None = None) -> list[float]:
        return [
            abs(r.error)
            for r in self.rows
            if r.error is not None
            and (area is None or r.area == area)
            and (period is None or r.period == period)
        ]

    def median_abs_pct_error(
        self, area: str | None = None, period: str | None = None
    ) -> float | None:
        errors = self.errors(area, period)
        return statistics.median(errors) if errors else None

    def periods(self) -> dict[str, dict[str, Any]]:
        """Each period with a scored cell: its median absolute error and number of cells."""
        names = [*PERIODS, AFTER_RECORDS]
        return {
            name: {
                "median_abs_pct_error": self.median_abs_pct_error(period=name),
                "cells": len(self.errors(period=name)),
            }
            for name in names
            if self.errors(period=name)
        }

    def areas(self) -> dict[str, dict[str, Any]]:
        """Each area with a scored cell: its median absolute error over every year and outcome,
        its number of cells, and the outcomes scored."""
        return {
            area: {
                "median_abs_pct_error": self.median_abs_pct_error(area=area),
                "cells": len(self.errors(area=area)),
                "outcomes": sorted({r.outcome for r in self.rows if r.area == area}),
            }
            for area in sorted({r.area for r in self.rows})
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": [asdict(r) for r in self.rows],
            "median_abs_pct_error": self.median_abs_pct_error(),
            "periods": self.periods(),
            "areas": self.areas(),
            "unscored": list(self.unscored),
            "notes": list(self.notes),
        }


def _merge_areas(targets: pl.DataFrame, held: set[str]) -> tuple[pl.DataFrame, list[str]]:
    """``targets`` with each area of :data:`MERGED_AREAS` the run lacks added to its host."""
    notes = []
    for area, host in MERGED_AREAS.items():
        if area in held or host not in held or area not in set(targets["area"]):
            continue
        notes.append(
            f"{area.upper()}'s records count under {host.upper()} (the run has no {area.upper()})"
        )
        targets = targets.with_columns(
            pl.when(pl.col("area") == area).then(pl.lit(host)).otherwise("area").alias("area")
        )
    merged = targets.group_by("area", "fiscal_year", "outcome", maintain_order=True).agg(
        pl.col("value").sum(),
        pl.col("source").unique().sort().str.join(" + "),
        pl.col("counts").first(),
    )
    return merged.select(targets.columns), notes


def area_backtest(by_area: pl.DataFrame, targets: pl.DataFrame) -> AreaBacktest:
    """Score a by-area table (:func:`immsim.analysis.areas.check_by_area`) against the records
    (:func:`immsim.data.area_records.area_targets`): every record whose area, year and outcome
    the run carries is a cell; the error is (simulated - observed) / observed, as nationally."""
    by_area = check_by_area(by_area)
    held = set(by_area["area"].unique().to_list())
    targets, notes = _merge_areas(targets, held)
    simulated = {
        (row["area"], int(row["fiscal_year"]), name): row[name]
        for row in by_area.to_dicts()
        for name in AREA_OUTCOMES
        if name in row and row[name] is not None
    }
    rows, unscored = [], []
    for t in targets.sort("area", "outcome", "fiscal_year").to_dicts():
        key = (t["area"], int(t["fiscal_year"]), t["outcome"])
        if key not in simulated:
            unscored.append(f"{t['area'].upper()} FY{t['fiscal_year']} {t['outcome']}")
            continue
        value = float(simulated[key])
        observed = float(t["value"])
        rows.append(
            AreaRow(
                area=t["area"],
                outcome=t["outcome"],
                label=OUTCOMES[t["outcome"]].label,
                fiscal_year=int(t["fiscal_year"]),
                observed=observed,
                simulated=value,
                error=(value - observed) / observed if observed else None,
                period=area_period(int(t["fiscal_year"])),
                source=t["source"],
                counts=t["counts"],
            )
        )
    if any(r.period == "FY2020-FY2023" for r in rows):
        notes.append(RECENT_NOTE)
    return AreaBacktest(tuple(rows), tuple(unscored), tuple(notes))


def median_over_draws(frames: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """Each area's and year's median over the draws' by-area tables (the national back-test
    also scores the median of its draws)."""
    stacked = pl.concat([check_by_area(f) for f in frames], how="diagonal_relaxed")
    outcomes = [c for c in stacked.columns if c in AREA_OUTCOMES]
    return (
        stacked.group_by("area", "fiscal_year")
        .agg(pl.col(c).median() for c in outcomes)
        .sort("area", "fiscal_year")
    )


class NoAreas(Exception):
    """The run carries no areas: the engine does not report results by area."""


NO_AREAS = (
    "the runs' results carry no 'area' column: the engine does not yet report results by area "
    "(immsim.analysis.areas.results_by_area is where they come in); --population-shares scores "
    "the national run spread by population instead, as a benchmark"
)


def validate_by_area(
    data: Path,
    tree: ParameterTree,
    draws: int = 5,
    seed: int = 2012,
    progress: Progress | None = None,
    provider: Callable[[Results], pl.DataFrame | None] = results_by_area,
    population_shares: bool = False,
    seeds_only: bool = False,
) -> AreaBacktest:
    """Run the national back-test's draws (FY2012 onward under the regimes in force; each draw
    another seed and, unless ``seeds_only``, another draw of the values with a 90% interval, as
    :func:`immsim.calibration.validate.validate` draws them), take each run's results by area
    from ``provider``, and score their median against the records in the shared data folder
    ``data``. Raises :class:`NoAreas` at the first run that carries no areas.

    ``population_shares``: score instead the benchmark of
    :func:`immsim.analysis.areas.population_share_benchmark` (the national run spread by each
    area's share of the population), which any run by area should beat."""
    from immsim.analysis.areas import population_share_benchmark
    from immsim.calibration.calibrate import fit_specs
    from immsim.data.area_records import area_targets
    from immsim.parameters.intervals import parameter_draws
    from immsim.population.build import build_population

    population = build_population(tree, START, seed=seed)

    def by_area(results: Results) -> pl.DataFrame:
        found = (
            population_share_benchmark(results, population)
            if population_shares
            else provider(results)
        )
        if found is None:
            raise NoAreas(NO_AREAS)
        return found

    allowed = {spec.key: (spec.low, spec.high) for spec in fit_specs()}
    reforms = None if seeds_only else parameter_draws(tree, draws, seed, allowed, START, END)
    frames = simulate_draws(
        tree,
        draws,
        seed,
        progress=progress,
        population=population,
        reforms=reforms,
        reduce=by_area,
        areas=not population_shares,  # the benchmark spreads the national run
    )
    notes = (BENCHMARK_NOTE,) if population_shares else ()
    result = area_backtest(median_over_draws(frames), area_targets(data))
    return AreaBacktest(result.rows, result.unscored, notes + result.notes)


BENCHMARK_NOTE = (
    "Benchmark, not the model by area: the national run spread over the areas by their share "
    "of the starting population (population.by_aor)."
)
