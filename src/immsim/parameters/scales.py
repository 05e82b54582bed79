"""The scale a parameter is fitted and drawn on: logit for shares, log for everything else, so
that fitted values and random draws stay inside their unit's range."""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Literal

import numpy as np

from immsim.parameters.loader import ParameterTree
from immsim.parameters.schema import MAX_MAGNITUDE, units

Scale = Literal["logit", "log", "none"]
Z90 = NormalDist().inv_cdf(0.95)
"""The standard normal's 95th percentile: a 90% interval is the estimate +- Z90 standard errors."""
EDGE = 1e-9
"""How close to 0 (or 1, for a share) a value is taken before its transform."""


def fitting_scale(tree: ParameterTree, key: str) -> Scale:
    return "logit" if units()[tree.leaf(key).unit].kind == "share" else "log"


def to_scale(scale: str, value: float) -> float:
    if scale == "logit":
        v = min(max(value, EDGE), 1 - EDGE)
        return math.log(v / (1 - v))
    if scale == "log":
        return math.log(max(value, EDGE))
    return value


def from_scale(scale: str, x: float) -> float:
    if scale == "logit":
        return 1 / (1 + math.exp(-x))
    if scale == "log":
        return math.exp(x)
    return x


def clamp(tree: ParameterTree, key: str, value: float) -> float:
    """A drawn value inside its unit's range: a normal draw or a multiplied value may fall
    below zero or, multiplied, above the unit's input limit."""
    kind = units()[tree.leaf(key).unit].kind
    if kind == "share":
        return min(1.0, max(0.0, value))
    if kind in MAX_MAGNITUDE:
        return min(MAX_MAGNITUDE[kind], max(0.0, value))
    return value


def split_normal(z: np.ndarray, centre: float, low: float, high: float) -> np.ndarray:
    """Values at the standard normal draws ``z`` whose median is ``centre`` and whose 5th and
    95th percentiles are ``low`` and ``high``: normal on each side of the centre, each side with
    the spread its end of the interval gives (an interval cut at a bound, or a study's band
    around its central reading, is lopsided). On whatever scale the caller gives: the fitting
    scale for the tree's intervals (:func:`immsim.parameters.intervals.parameter_draws`), the
    log scale for positive bands (:meth:`immsim.analysis.effects.Band.draw`)."""
    z = np.asarray(z, dtype=float)
    return np.asarray(centre + np.where(z > 0, z * abs(high - centre), z * abs(centre - low)) / Z90)
