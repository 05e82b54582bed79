"""287(g) task forces: partner officers who question and arrest people for immigration
violations during routine policing and hand them to ICE (candidates, taken within the custodial
program's hours in :mod:`immsim.engine.stages.custody`, at the share of an arrest's hours that
ICE still spends on an arrest a partner processed).

The parameter tree gives national quantities (the certified officers and the arrests each makes
a year); spread over the population at large, they are a chance a year for each person, arrested
where the regime would arrest them when encountered. The jail models (jail enforcement, warrant
service) are the 287(g) share of jail bookings in :mod:`.jail`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from immsim.engine.inputs import PlanInputs
from immsim.engine.rates import Competing, competing, gathered, weekly


class TaskForcePlan(NamedTuple):
    on: bool
    free: Competing  # the chance a week of a task-force arrest, people at large with no order
    ordered: Competing  # with an order


def encounter_rate(x: PlanInputs) -> float:
    """Task-force arrests a year per person at large: the partners' national arrests over the
    population total of the estimator in force (the population a run is built to)."""
    p = x.p
    arrests = float(p["enforcement.partners.task_force.officers"]) * float(
        p["enforcement.partners.task_force.arrests_per_officer_year"]
    )
    estimator = p["population.total_estimator"]
    return arrests / float(p[f"population.unauthorized_total_{estimator}"])


def plan(x: PlanInputs) -> TaskForcePlan:
    rate = encounter_rate(x) if x.regime.channels.checkpoint_task_force else 0.0
    chance = float(weekly(rate))
    # the chances read no area: made once a kind of groups and gathered (inputs.Alike)
    k = x.alike
    return TaskForcePlan(
        on=chance > 0.0,
        free=gathered(competing([chance * k.enforce_p], k.enforce_p.size), x.kind),
        ordered=gathered(competing([chance * np.asarray(k.enforce_o)], k.enforce_o.size), x.kind),
    )
