"""Distributions on parameters, and the reform that puts one draw of them into a run.

A distribution either gives the parameter's value (``apply: value``, in force for the whole run)
or multiplies every dated value of it (``apply: multiplier``, keeping its time profile).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from immsim.errors import InputError
from immsim.parameters.loader import ParameterTree
from immsim.parameters.reform import Override, Reform
from immsim.parameters.scales import clamp, fitting_scale, from_scale, to_scale
from immsim.parameters.schema import magnitude_problem, units
from immsim.yamlio import LocatedYaml


class Dist(BaseModel):
    # NaN and infinity are refused: NaN passes every comparison the checks below make
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    dist: Literal["uniform", "normal", "triangular", "fixed", "fitted"]
    low: float | None = None
    high: float | None = None
    mode: float | None = None
    mean: float | None = None
    sd: float | None = None
    value: float | None = None
    apply: Literal["value", "multiplier"] = "value"
    transform: Literal["none", "log", "logit"] = "none"
    """``fitted`` draws are normal on this scale (resolved from the calibration's interval)."""

    @model_validator(mode="after")
    def _complete(self) -> Dist:
        need = {
            "uniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
            "normal": ("mean", "sd"),
            "fixed": ("value",),
            "fitted": (),
        }[self.dist]
        missing = [n for n in need if getattr(self, n) is None]
        if missing:
            raise ValueError(f"a {self.dist} distribution needs {', '.join(missing)}")
        if self.low is not None and self.high is not None and self.low >= self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.dist == "triangular" and not (self.low <= self.mode <= self.high):  # type: ignore[operator]
            raise ValueError("mode must lie between low and high")
        if self.sd is not None and self.sd <= 0:
            raise ValueError("sd must be positive")
        return self

    def sample(self, rng: np.random.Generator) -> float:
        low, high = float(self.low or 0.0), float(self.high or 0.0)
        if self.dist == "uniform":
            return float(rng.uniform(low, high))
        if self.dist == "triangular":
            return float(rng.triangular(low, float(self.mode or 0.0), high))
        if self.dist == "normal":
            return float(rng.normal(float(self.mean or 0.0), float(self.sd or 1.0)))
        if self.dist == "fitted":
            return from_scale(self.transform, float(rng.normal(self.mean or 0.0, self.sd or 0.0)))
        return float(self.value or 0.0)

    def bounds(self) -> tuple[float, float]:
        """The range a global sensitivity analysis samples (normal: mean ± 2 sd)."""
        if self.low is not None and self.high is not None:
            return self.low, self.high
        if self.dist == "normal":
            return self.mean - 2 * self.sd, self.mean + 2 * self.sd  # type: ignore[operator]
        if self.dist == "fitted":
            mean, sd = float(self.mean or 0.0), float(self.sd or 0.0)
            return (
                from_scale(self.transform, mean - 2 * sd),
                from_scale(self.transform, mean + 2 * sd),
            )
        return self.value, self.value  # type: ignore[return-value]


def parse_uncertainties(
    raw: dict[str, Any] | None, tree: ParameterTree, located: LocatedYaml | None = None
) -> dict[str, Dist]:
    """The distributions of a scenario's or a sweep's ``uncertainties``; with ``located``, an
    error names the file and the line of the parameter."""
    try:
        return _parse_uncertainties(raw, tree)
    except InputError as err:
        if located is None:
            raise
        key = err.key or ""
        raise InputError(
            err.message,
            file=located.source,
            line=located.line_of(("uncertainties", key)),
            key=f"uncertainties.{key}",
            allowed=err.allowed,
        ) from None


def _parse_uncertainties(raw: dict[str, Any] | None, tree: ParameterTree) -> dict[str, Dist]:
    out: dict[str, Dist] = {}
    for key, spec in (raw or {}).items():
        if key not in tree:
            raise InputError(f"unknown parameter {key!r}", key=key)
        if isinstance(spec, dict) and spec.get("dist") == "fitted":
            out[key] = _fitted(tree, key)
            continue
        try:
            out[key] = Dist.model_validate(spec)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            message = str(first.get("msg", "bad distribution")).removeprefix("Value error, ")
            raise InputError(
                f"{where + ': ' if where else ''}{message}",
                key=key,
                allowed="{dist: uniform|triangular|normal|fixed, low, high, mode, mean, sd, value}",
            ) from None
        _check_magnitudes(tree, key, out[key])
    return out


def _check_magnitudes(tree: ParameterTree, key: str, dist: Dist) -> None:
    """A distribution's numbers are values of the leaf (or multipliers of them): each within
    the bound of the leaf's unit, as a reform's would be."""
    kind = "ratio" if dist.apply == "multiplier" else units()[tree.leaf(key).unit].kind
    for name in ("low", "high", "mode", "mean", "sd", "value"):
        number = getattr(dist, name)
        problem = None if number is None else magnitude_problem(kind, number)
        if problem:
            raise InputError(f"{name}: {problem}", key=key)


def _fitted(tree: ParameterTree, key: str) -> Dist:
    """The calibration's estimate of a fitted leaf: normal on the fitting scale, centred on the
    fitted value, with the recorded 90% interval."""
    entry = tree.leaf(key).values[-1]
    if entry.interval_90 is None:
        raise InputError(
            "has no fitted interval (interval_90) to draw from",
            key=key,
            allowed="a leaf fitted by `immsim calibrate`, or another distribution",
        )
    kind = fitting_scale(tree, key)
    low, high = entry.interval_90
    mean = to_scale(kind, float(entry.value))
    sd = max(1e-9, (to_scale(kind, high) - to_scale(kind, low)) / (2 * 1.6449))
    return Dist(dist="fitted", mean=mean, sd=sd, transform=kind)


def draw_reform(
    tree: ParameterTree,
    dists: dict[str, Dist],
    values: dict[str, float],
    base: Reform | None,
    name: str,
) -> Reform | None:
    """The scenario's reform with ``values`` of the uncertain parameters added (they win)."""
    if not values:
        return base
    overrides = dict(base.overrides) if base else {}
    for key, value in values.items():
        leaf = tree.leaf(key)
        if dists[key].apply == "multiplier":
            dated: dict[dt.date, Any] = {
                v.start: clamp(tree, key, float(v.value) * value) for v in leaf.values
            }
        else:
            dated = {leaf.values[0].start: clamp(tree, key, value)}
        overrides[key] = Override.model_validate({"values": dated})
    return Reform(
        name=name,
        description=base.description if base else None,
        regime=base.regime if base else None,
        overrides=overrides,
    )
