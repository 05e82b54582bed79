"""Draws of the tree's uncertain values: every value with a 90% interval (the fitted values and
the estimates that state their uncertainty), drawn from that interval into a reform per draw, so
that the back-test's and the capacity search's bands carry parameter uncertainty, not only the
seeds' noise."""

from __future__ import annotations

import datetime as dt
import zlib

import numpy as np

from immsim.parameters.loader import ParameterTree
from immsim.parameters.reform import Override, Reform
from immsim.parameters.scales import clamp, fitting_scale, from_scale, split_normal, to_scale

PARAMETER_STREAM = 20
"""The random stream of the parameter draws, apart from the engine's seeds (any fixed number:
the draws are then the same for the same seed)."""


def uncertain_values(
    tree: ParameterTree, start: dt.date, end: dt.date
) -> list[tuple[str, dt.date]]:
    """Every value with a 90% interval in force at some time from ``start`` to ``end``: the
    fitted values and the estimates that state their uncertainty."""
    out = []
    for key in tree:
        values = tree.leaf(key).values
        for value, after in zip(values, (*values[1:], None), strict=True):
            in_force = value.start < end and (after is None or after.start > start)
            if value.interval_90 is not None and in_force:
                out.append((key, value.start))
    return out


def parameter_draws(
    tree: ParameterTree,
    draws: int,
    seed: int,
    allowed: dict[str, tuple[float, float]],
    start: dt.date,
    end: dt.date,
) -> list[Reform]:
    """``draws`` reforms, each with every uncertain value (:func:`uncertain_values`) drawn from
    its 90% interval: normal on the value's fitting scale (logit for shares, log otherwise),
    centred on the value, with each side's spread set by that side's end of the interval (an
    interval cut at a bound of its allowed range is lopsided), then kept within ``allowed``
    (``calibration/fit.yaml``'s ranges, by key) and within the unit's range."""
    chosen = uncertain_values(tree, start, end)
    # one stream a value, named by its key and date: a value's draws stay the same when other
    # values gain or lose an interval, so two trees' back-tests differ by their values, not by
    # reshuffled draws (common random numbers)
    normals = {
        (key, begins): np.random.default_rng(
            [seed, PARAMETER_STREAM, zlib.crc32(f"{key}@{begins.isoformat()}".encode())]
        ).standard_normal(draws)
        for key, begins in chosen
    }
    out = []
    for i in range(draws):
        dated: dict[str, dict[dt.date, float]] = {}
        for key, begins in chosen:
            entry = tree.entry(key, begins)
            low, high = entry.interval_90 or (entry.value, entry.value)
            scale = fitting_scale(tree, key)
            z = normals[(key, begins)][i]
            centre, lower, upper = (to_scale(scale, float(v)) for v in (entry.value, low, high))
            value = from_scale(scale, float(split_normal(z, centre, lower, upper)))
            floor, ceiling = allowed.get(key, (-np.inf, np.inf))
            dated.setdefault(key, {})[begins] = clamp(tree, key, min(max(value, floor), ceiling))
        overrides = {
            key: Override.model_validate(
                {"values": {v.start: values.get(v.start, v.value) for v in tree.leaf(key).values}}
            )
            for key, values in dated.items()
        }
        out.append(Reform(name=f"parameter-draw-{i}", overrides=overrides))
    return out
