"""Golden digests: every shipped scenario, run with its own seed, against a committed fingerprint
of its ``weekly`` and ``breakdown`` tables (``tests/golden/digests.json``).

A change that is not meant to move outputs (a refactor, a faster draw of the same numbers) must
keep every digest. A change that is meant to move them updates the file, and the commit says why
the outputs moved; the totals stored beside each digest show by how much:

    .venv/bin/python tests/golden.py            # compare, printing what moved
    .venv/bin/python tests/golden.py --update   # rewrite tests/golden/digests.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from builds import prepared

from immsim.engine.run import run
from immsim.scenario import embedded_scenario_names, load_embedded_scenario

FILE = Path(__file__).parent / "golden" / "digests.json"
TOTALS = ("arrests", "removals", "removals_interior", "admissions", "orders")
"""Flows summed over the run, stored beside each digest to show how far a change moved them."""


def fingerprint(name: str) -> dict[str, Any]:
    """One shipped scenario's digests and headline totals, run with the scenario's own seed (on
    the population its run builds, shared with scenarios whose builds read the same: see
    ``tests/builds.py``)."""
    scenario = load_embedded_scenario(name)
    results = run(scenario, population=prepared(scenario))
    weekly = results.weekly
    return {
        "seed": scenario.seed,
        "weeks": weekly.height,
        **results.digest(),
        "totals": {column: round(float(weekly[column].sum()), 3) for column in TOTALS},
        "detained_mean": round(float(weekly["detained"].mean()), 3),  # type: ignore[arg-type]
    }


def committed() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(FILE.read_text(encoding="utf-8"))
    return loaded


def main(argv: list[str]) -> int:
    current = {name: fingerprint(name) for name in embedded_scenario_names()}
    if "--update" in argv:
        FILE.parent.mkdir(exist_ok=True)
        FILE.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {FILE} ({len(current)} scenarios)")
        return 0
    before = committed() if FILE.is_file() else {}
    moved = 0
    for name, now in current.items():
        was = before.get(name)
        if was == now:
            print(f"{name}: unchanged")
            continue
        moved += 1
        print(f"{name}: MOVED")
        for key in sorted({*now, *(was or {})}):
            old, new = (was or {}).get(key), now.get(key)
            if old != new:
                print(f"  {key}: {old} -> {new}")
    return 1 if moved else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
