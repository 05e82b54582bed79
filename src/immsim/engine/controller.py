"""The goal controller: under a numeric removal goal, officers' effort (a multiplier on their
hours for arrests) rises while removals run behind the goal's pace, up to a surge limit, and
falls back as they catch up; without a goal it stays at one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from immsim.dates import WEEKS_PER_YEAR


class GoalPlan(NamedTuple):
    goal: float  # removals a year (0: none)
    window_weeks: int  # over which the pace is measured
    surge_max: float
    gain: float


def plan(p: Mapping[str, Any]) -> GoalPlan:
    return GoalPlan(
        goal=float(p["enforcement.effort.removal_goal"]),
        window_weeks=int(p["enforcement.effort.goal_window_weeks"]),
        surge_max=float(p["enforcement.effort.surge_max"]),
        gain=float(p["enforcement.effort.controller_gain"]),
    )


def next_effort(plan: GoalPlan, effort: float, recent: list[float], removals: float) -> float:
    """The effort for next week, after a week of ``removals``; ``recent`` holds the removals of
    the latest weeks and is updated in place."""
    recent.append(removals)
    if len(recent) > plan.window_weeks:
        recent.pop(0)
    if plan.goal <= 0:
        return 1.0
    pace = sum(recent) / len(recent) * WEEKS_PER_YEAR
    return min(max(effort * (1 + plan.gain * (plan.goal - pace) / plan.goal), 1.0), plan.surge_max)
