"""Scenario files: baseline + reform + regime + start date + horizon + seed.

A scenario is everything needed to reproduce a run. It is validated strictly (unknown keys,
wrong types, bad dates, unknown regimes and reforms that do not fit the tree are all errors with
the file and line) so that a typo never silently runs the baseline.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator

from immsim.errors import InputError
from immsim.parameters.loader import ParameterTree, load_baseline, load_parameters
from immsim.parameters.reform import Reform, load_reform, parse_reform
from immsim.regimes.catalog import load_regime, regime_names
from immsim.validation import MAX_SEED, name_problem, validate_located
from immsim.yamlio import LocatedYaml, load_yaml_file, load_yaml_text

HISTORICAL = "historical"
"""The regime name that means: whichever shipped regime was in force each week."""
EARLIEST_START = dt.date(2011, 1, 1)
LATEST_START = dt.date(2060, 1, 1)
MAX_HORIZON_YEARS = 20


class ScenarioFile(BaseModel):
    """The scenario as written; ``reform`` is a path (relative to the file) or an inline reform."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1, max_length=120)]
    description: str | None = None
    baseline: Literal["default"] = "default"
    reform: str | dict[str, Any] | None = None
    regime: str | None = None
    start: dt.date
    horizon_years: Annotated[StrictInt, Field(ge=1, le=MAX_HORIZON_YEARS)] = 10
    seed: Annotated[StrictInt, Field(ge=0, le=MAX_SEED)] = 0
    population: str = "national"
    areas: StrictBool = False
    """Carry each person's area of responsibility through the run (the engine's area axis:
    cooperation and beds by area, and results by area; some ten times the engine's work)."""
    uncertainties: dict[str, dict[str, Any]] | None = None

    @field_validator("name")
    @classmethod
    def _safe_name(cls, value: str) -> str:
        return _check_name(value)

    @field_validator("start")
    @classmethod
    def _start_in_range(cls, value: dt.date) -> dt.date:
        if not EARLIEST_START <= value <= LATEST_START:
            raise ValueError(f"start must lie between {EARLIEST_START} and {LATEST_START}")
        return value


def _check_name(value: str) -> str:
    """A scenario's name names its run's folder (``runs/<name>-<seed>-<hash>``), so it must not
    climb out of ``runs/`` or hide there."""
    problem = name_problem(value)
    if problem:
        raise ValueError(problem)
    return value


class Scenario(BaseModel):
    """A checked scenario with its reform resolved."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str
    description: str | None
    regime: str
    start: dt.date
    horizon_years: int
    seed: int
    population: str
    reform: Reform | None
    source: str
    uncertainties: dict[str, dict[str, Any]] | None = None
    areas: bool = False

    @field_validator("name")
    @classmethod
    def _safe_name(cls, value: str) -> str:
        return _check_name(value)

    @property
    def end(self) -> dt.date:
        try:
            return self.start.replace(year=self.start.year + self.horizon_years)
        except ValueError:  # 29 February
            return self.start.replace(year=self.start.year + self.horizon_years, day=28)

    def parameters(self) -> ParameterTree:
        return load_parameters(self.reform)

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "regime": self.regime,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "horizon_years": self.horizon_years,
            "seed": self.seed,
            "population": self.population,
            "areas": self.areas,
            "reform": self.reform.name if self.reform else None,
            "overrides": sorted(self.reform.overrides) if self.reform else [],
            "uncertainties": self.uncertainties,
            "source": self.source,
        }


def _existing_file(
    value: str, key: str, located: LocatedYaml, base_dir: Path | None, allowed: str
) -> Path:
    """A path written in the scenario, relative to the scenario's folder; it must exist."""
    path = Path(value)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if not path.is_file():
        raise InputError(
            f"{key} file {value!r} not found (looked at {path})",
            file=located.source,
            line=located.line_of((key,)),
            allowed=allowed,
        )
    return path


def parse_scenario(located: LocatedYaml, base_dir: Path | None = None) -> Scenario:
    raw = validate_located(ScenarioFile, located)
    tree = load_baseline()
    reform: Reform | None = None
    if isinstance(raw.reform, str):
        path = _existing_file(raw.reform, "reform", located, base_dir, "the path of a reform file")
        reform = load_reform(path, tree)
    elif isinstance(raw.reform, dict):
        reform = parse_reform(located, data=raw.reform, base=("reform",), tree=tree)
    regime = raw.regime
    if reform is not None and reform.regime is not None:
        if regime is not None and regime != reform.regime:
            raise InputError(
                f"the scenario names regime {regime!r} but its reform names {reform.regime!r}",
                file=located.source,
                line=located.line_of(("regime",)),
                allowed=[reform.regime],
            )
        regime = reform.regime
    names = regime_names()
    if regime is None:
        raise InputError(
            "no regime: name one in `regime:` (or in the reform)",
            file=located.source,
            line=1,
            allowed=names,
        )
    if regime.endswith((".yaml", ".yml")):
        # a user's own regime file: resolved next to the scenario and validated like a shipped one
        path = _existing_file(regime, "regime", located, base_dir, "a regime name or regime file")
        load_regime(path)
        regime = str(path)
    elif regime not in names and regime != HISTORICAL:
        raise InputError(
            f"unknown regime {regime!r}",
            file=located.source,
            line=located.line_of(("regime",)),
            allowed=[*names, HISTORICAL, "or the path of a regime file (.yaml)"],
        )
    if raw.uncertainties:
        # checked now, against the reformed tree, so that a bad distribution is located here
        # rather than found when the draws start
        from immsim.analysis.uncertainty import parse_uncertainties

        parse_uncertainties(raw.uncertainties, load_parameters(reform), located)
    if raw.population != "national":
        _existing_file(
            raw.population,
            "population",
            located,
            base_dir,
            "'national' or the path of a strata file",
        )
    return Scenario(
        name=raw.name,
        description=raw.description,
        regime=regime,
        start=raw.start,
        horizon_years=raw.horizon_years,
        seed=raw.seed,
        population=raw.population,
        reform=reform,
        source=located.source,
        uncertainties=raw.uncertainties,
        areas=raw.areas,
    )


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file."""
    p = Path(path)
    return parse_scenario(load_yaml_file(p), base_dir=p.parent)


DEFAULT_SCENARIO = "default"


def embedded_scenario_names() -> list[str]:
    folder = resources.files("immsim.scenarios")
    return sorted(e.name[:-5] for e in folder.iterdir() if e.name.endswith(".yaml"))


def load_embedded_scenario(name: str = DEFAULT_SCENARIO) -> Scenario:
    """A scenario shipped with the package (``immsim/scenarios/NAME.yaml``)."""
    names = embedded_scenario_names()
    if name not in names:
        raise InputError(f"no embedded scenario {name!r}", allowed=names)
    text = resources.files("immsim.scenarios").joinpath(f"{name}.yaml").read_text("utf-8")
    return parse_scenario(load_yaml_text(text, f"immsim/scenarios/{name}.yaml"))


def resolve_scenario(spec: str | Path | None) -> Scenario:
    """A path to a scenario file, the name of an embedded scenario, or None for the default."""
    if spec is None:
        return load_embedded_scenario()
    path = Path(spec)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return load_scenario(path)
    return load_embedded_scenario(str(spec))
