"""Marginals of a strata table against the targets it was built to meet, with their sources."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from immsim.errors import ImmsimError
from immsim.parameters.loader import ParameterTree
from immsim.population.build import BOOLEAN_COLUMNS, CATEGORICAL_COLUMNS, Population

MARGIN_TOLERANCE = 0.003
"""Built marginals match their targets to this relative error (or to ``MARGIN_SLACK`` people,
whichever is larger). Rounding to whole people is the only source of error: IPF itself fits to
1e-9 of the total."""
MARGIN_SLACK = 50


@dataclass(frozen=True)
class MarginRow:
    attribute: str
    level: str
    persons: int
    share: float
    target: float | None
    difference: float | None
    within_tolerance: bool | None
    source: str
    citation: str = ""


def citation(tree: ParameterTree | None, key: str, population: Population) -> str:
    """The source of a target: the reference of the value in force, or the estimate's method."""
    if tree is None or not key.startswith("population."):
        return ""
    try:
        entry = tree.entry(key, population.reference_date)
    except (ImmsimError, KeyError):
        return ""
    if entry.references:
        return entry.references[0].title
    return f"estimate: {entry.method}" if entry.estimated else ""


def describe(population: Population, tree: ParameterTree | None = None) -> list[MarginRow]:
    """One row per attribute level; ``tree`` (if given) supplies each target's citation."""
    total = max(population.total, 1)
    targets = {t.attribute: t for t in population.targets}
    rows: list[MarginRow] = []
    for attribute in (*CATEGORICAL_COLUMNS, *BOOLEAN_COLUMNS):
        built = population.marginal(attribute)
        target = targets.get(attribute)
        levels = list(target.levels) if target else sorted(built)
        for level in [*levels, *(lvl for lvl in sorted(built) if lvl not in levels)]:
            persons = built.get(level, 0)
            goal: float | None = None
            source = "(derived)" if attribute == "known_to_agency" else ""
            if target and level in target.levels:
                i = target.levels.index(level)
                goal = float(target.persons[i])
                source = target.sources[i]
            diff = None if goal is None else persons - goal
            ok = (
                None
                if goal is None or diff is None
                else abs(diff) <= max(MARGIN_TOLERANCE * goal, MARGIN_SLACK)
            )
            rows.append(
                MarginRow(
                    attribute,
                    level,
                    persons,
                    persons / total,
                    goal,
                    diff,
                    ok,
                    source,
                    citation(tree, source, population),
                )
            )
    return rows


def describe_dict(population: Population, tree: ParameterTree | None = None) -> dict[str, object]:
    rows = describe(population, tree)
    return {
        "reference_date": population.reference_date.isoformat(),
        "origin": population.origin,
        "seed": population.seed,
        "total": population.total,
        "strata": population.strata.height,
        "tolerance": {"relative": MARGIN_TOLERANCE, "persons": MARGIN_SLACK},
        "all_within_tolerance": all(r.within_tolerance is not False for r in rows),
        "margins": [asdict(r) for r in rows],
    }
