"""Rules as code: the cited, dated parameter tree and its loader.

Every number the model uses lives in a YAML leaf under ``parameters/tree/`` with its unit, the
dates it holds from, and where it was read. Code never hard-codes a figure; it asks
``params.get("detention.funded_beds", at=date)``.
"""

from immsim.parameters.loader import (
    DatedValue,
    Leaf,
    ParameterTree,
    Reference,
    load_baseline,
    load_parameters,
)
from immsim.parameters.reform import Reform, load_reform

__all__ = [
    "DatedValue",
    "Leaf",
    "ParameterTree",
    "Reference",
    "Reform",
    "load_baseline",
    "load_parameters",
    "load_reform",
]
