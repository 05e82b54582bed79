"""Sweeps: levers (what policy sets) crossed with uncertainties (what nobody controls), every
run's headline outcomes in one Parquet table for DuckDB.

Resumable: each finished run is written at once as its own part file, named by the run's id
(a point of the design and a draw). A sweep started again skips the parts already there, so an
interrupted sweep continues where it stopped, with no run lost or done twice.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl
from pydantic import BaseModel, ConfigDict, Field, field_validator

from immsim.analysis.montecarlo import draw_tasks
from immsim.analysis.tasks import Task, execute
from immsim.analysis.uncertainty import Dist, draw_reform, parse_uncertainties
from immsim.atomic import atomic_file
from immsim.errors import InputError
from immsim.parameters.schema import units, value_problem
from immsim.progress import Progress
from immsim.scenario import Scenario, resolve_scenario
from immsim.validation import MAX_SEED, name_problem, validate_located
from immsim.yamlio import load_yaml_file


class Range(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    low: float
    high: float


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    sample: Literal["random", "lhs"]
    n: int = Field(ge=1, le=100_000)


class SweepSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=120)
    scenario: str = "default"
    horizon_years: int | None = Field(default=None, ge=1, le=20)
    levers: dict[str, list[float] | Range] = Field(default_factory=dict)
    uncertainties: dict[str, dict[str, Any]] = Field(default_factory=dict)
    design: Literal["grid"] | Sample = "grid"
    draws: int = Field(default=1, ge=1, le=10_000)
    seed: int = Field(default=0, ge=0, le=MAX_SEED)

    @field_validator("name")
    @classmethod
    def _safe_name(cls, value: str) -> str:
        problem = name_problem(value)  # the sweep's folder is runs/sweep-<name>
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("levers")
    @classmethod
    def _levers(cls, value: dict[str, list[float] | Range]) -> dict[str, list[float] | Range]:
        for key, spec in value.items():
            if isinstance(spec, list) and not spec:
                raise ValueError(f"lever {key} has no values")
        return value


def load_spec(path: Path) -> tuple[SweepSpec, Scenario, dict[str, Dist]]:
    located = load_yaml_file(path)
    spec = validate_located(SweepSpec, located)
    base = path.parent / spec.scenario
    try:
        scenario = resolve_scenario(
            str(base) if base.suffix in (".yaml", ".yml") else spec.scenario
        )
    except InputError as err:
        if err.file is not None:  # a scenario file's own error names that file
            raise
        raise InputError(
            err.message,
            file=located.source,
            line=located.line_of(("scenario",)),
            key="scenario",
            allowed=err.allowed,
        ) from None
    if spec.horizon_years:
        scenario = scenario.model_copy(update={"horizon_years": spec.horizon_years})
    tree = scenario.parameters()
    for key, lever in spec.levers.items():
        if key not in tree:
            raise InputError(f"unknown lever {key!r}", file=str(path), key=f"levers.{key}")
        leaf = tree.leaf(key)
        kind = units()[leaf.unit].kind
        values = [lever.low, lever.high] if isinstance(lever, Range) else lever
        for value in values:  # a lever sets the leaf's value: checked as a reform's would be
            problem = value_problem(kind, value, list(leaf.allowed) if leaf.allowed else None)
            if problem:
                raise InputError(
                    f"{problem} (unit {leaf.unit!r})",
                    file=str(path),
                    line=located.line_of(("levers", key)),
                    key=f"levers.{key}",
                )
        if isinstance(lever, Range) and lever.low >= lever.high:
            raise InputError("low must be below high", file=str(path), key=f"levers.{key}")
        if isinstance(lever, list) and spec.design != "grid":
            raise InputError(
                "a sampled design needs ranges ({low, high}), not lists",
                file=str(path),
                key=f"levers.{key}",
            )
        if isinstance(lever, Range) and spec.design == "grid":
            raise InputError("a grid needs lists of values", file=str(path), key=f"levers.{key}")
    dists = parse_uncertainties(spec.uncertainties, tree, located)
    return spec, scenario, dists


def design_points(spec: SweepSpec) -> list[dict[str, float]]:
    keys = sorted(spec.levers)
    if not keys:
        return [{}]
    if spec.design == "grid":
        grids = [spec.levers[k] for k in keys]
        return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*grids)]  # type: ignore[arg-type]
    assert isinstance(spec.design, Sample)
    rng = np.random.default_rng([spec.seed, 11])
    n = spec.design.n
    if spec.design.sample == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(keys), seed=rng).random(n)
    else:
        unit = rng.random((n, len(keys)))
    points = []
    for row in unit:
        point = {}
        for k, u in zip(keys, row, strict=True):
            r = spec.levers[k]
            assert isinstance(r, Range)
            point[k] = float(r.low + u * (r.high - r.low))
        points.append(point)
    return points


def sweep_tasks(spec: SweepSpec, scenario: Scenario, dists: dict[str, Dist]) -> list[Task]:
    tree = scenario.parameters()
    lever_dists = {k: Dist(dist="fixed", value=0.0) for k in spec.levers}
    tasks: list[Task] = []
    for p, point in enumerate(design_points(spec)):
        reform = draw_reform(tree, lever_dists, point, scenario.reform, f"{spec.name}-{p}")
        at_point = scenario.model_copy(update={"reform": reform})
        labels = {"point": p, **{f"lever:{k}": v for k, v in point.items()}}
        tasks += draw_tasks(at_point, spec.draws, spec.seed, dists, labels, prefix=f"{p}-")
    return tasks


def _manifest(spec: SweepSpec, scenario: Scenario, runs: int) -> dict[str, Any]:
    """What the sweep's folder records about it; a resumed sweep must have the same spec."""
    return {
        "name": spec.name,
        "spec": spec.model_dump(mode="json"),
        "scenario": scenario.summary(),
        "runs": runs,
    }


@dataclass(frozen=True)
class SweepResult:
    """The answer of :func:`run_sweep`: what ran, and where its one results table is. Of the
    ``runs``, ``resumed`` were found done in the folder (an interrupted sweep picked up again)
    and ``ran`` were run now."""

    spec: SweepSpec
    scenario: Scenario
    runs: int
    resumed: int
    ran: int
    results: Path

    @property
    def name(self) -> str:
        return self.spec.name

    def as_dict(self) -> dict[str, Any]:
        return {
            **_manifest(self.spec, self.scenario, self.runs),
            "resumed": self.resumed,
            "ran": self.ran,
            "results": str(self.results),
        }


def run_sweep(
    spec_path: Path,
    out: Path,
    workers: int = 1,
    ray: str | None = None,
    progress: Progress | None = None,
) -> SweepResult:
    spec, scenario, dists = load_spec(spec_path)
    tasks = sweep_tasks(spec, scenario, dists)
    parts = out / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    meta = _manifest(spec, scenario, len(tasks))
    manifest = out / "manifest.json"
    if manifest.is_file():
        previous = json.loads(manifest.read_text())
        if previous.get("spec") != meta["spec"]:
            raise InputError(
                "this folder holds a different sweep; use a new --out or remove it", file=str(out)
            )
    with atomic_file(manifest) as tmp:
        tmp.write_text(json.dumps(meta, indent=2, default=str) + "\n")
    done = {p.stem for p in parts.glob("*.parquet")}
    todo = [t for t in tasks if t.id not in done]

    def save(task: Task, rows: list[dict[str, Any]]) -> None:
        with atomic_file(parts / f"{task.id}.parquet") as tmp:
            pl.DataFrame(rows).write_parquet(tmp)

    skipped = len(tasks) - len(todo)

    def tick(n: int, total: int) -> None:
        if progress:
            progress(skipped + n, len(tasks))

    execute(todo, workers, ray, tick, on_result=save)
    frames = [pl.read_parquet(parts / f"{t.id}.parquet") for t in tasks]
    table = pl.concat(frames, how="diagonal_relaxed")
    results = out / "results.parquet"
    with atomic_file(results) as tmp:
        table.write_parquet(tmp)
    return SweepResult(spec, scenario, len(tasks), skipped, len(todo), results)
