"""The border as the interior model sees it: removals and detention at the border, taken as
given from the parameter tree. They share the flights and beds the interior uses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from immsim.dates import WEEKS_PER_YEAR


class BorderPlan(NamedTuple):
    removals: float  # a week
    air: float  # of which by air, a week (seats the interior cannot use)
    detained: float  # beds the border holds


def plan(p: Mapping[str, Any]) -> BorderPlan:
    removals = float(p["border.removals"]) / WEEKS_PER_YEAR
    return BorderPlan(
        removals=removals,
        air=removals * float(p["border.air_share"]),
        detained=float(p["detention.release.border_detained"]),
    )
