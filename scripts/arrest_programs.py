"""Derive the officer-time shares by arrest program and the collateral ratio from cited figures.

The engine splits officers' arrest hours between three programs (see docs/design.md, "Officer
time by program"): the Criminal Alien Program (custodial arrests from jails and prisons), the
Fugitive Operations teams (at-large arrests and the collateral arrests made in them), and the
rest of ERO's arrest work that the budget funds under Alternatives to Detention (check-ins of
people who report, and the lead channels counted with them). Each program's share of the three
is its enacted budget line over their sum; the figures are ICE's budget fact sheets as tabulated
by TRAC (report 224, table 3), in millions of nominal dollars. The collateral ratio is the share
of Fugitive Operations arrests in FY2007 that were of people who were not the teams' targets
(the Migration Policy Institute's report on the program, from ICE's own data), as arrests of
others per targeted arrest.

    python scripts/arrest_programs.py

prints the values written in ``parameters/tree/enforcement/effort.yaml`` (``program_share``)
and ``parameters/tree/enforcement/channels.yaml`` (``collateral_per_targeted``).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _args

BUDGET_SOURCE = (
    "TRAC report 224, table 3: ICE Budget Expenditures FY2005-FY2010 (from ICE budget fact "
    "sheets), http://trac.syr.edu/immigration/reports/224/include/3.html"
)
BUDGET = {  # fiscal year: enacted lines, USD millions (nominal)
    2008: {"criminal_alien_program": 179, "fugitive_operations": 219, "alternatives": 54},
    2009: {"criminal_alien_program": 189, "fugitive_operations": 226, "alternatives": 63},
    2010: {"criminal_alien_program": 193, "fugitive_operations": 230, "alternatives": 70},
}
PROGRAM_OF_POOL = {
    "custodial": "criminal_alien_program",
    "at_large": "fugitive_operations",
    "other": "alternatives",
}

COLLATERAL_SOURCE = (
    "Mendelson, Strom and Wishnie (2009), Collateral Damage: An Examination of ICE's Fugitive "
    "Operations Program, Migration Policy Institute; FY2007 as reported by the New York Times"
)
NON_TARGET_SHARE_FY2007 = 0.40  # of Fugitive Operations arrests: people without an order


def program_shares(year: int) -> dict[str, float]:
    """Each pool's share of the officers' arrest hours in ``year``."""
    lines = BUDGET[year]
    total = sum(lines.values())
    return {pool: lines[line] / total for pool, line in PROGRAM_OF_POOL.items()}


def collateral_per_targeted(non_target_share: float) -> float:
    """Arrests of others per targeted arrest when ``non_target_share`` of all are of others."""
    return non_target_share / (1.0 - non_target_share)


def main() -> None:
    print(f"# officer hours by program, from {BUDGET_SOURCE}")
    for year in sorted(BUDGET):
        lines = BUDGET[year]
        total = sum(lines.values())
        shares = program_shares(year)
        detail = ", ".join(
            f"{pool} {lines[PROGRAM_OF_POOL[pool]]}/{total} = {share:.4f}"
            for pool, share in shares.items()
        )
        print(f"FY{year}: {detail}")
    ratio = collateral_per_targeted(NON_TARGET_SHARE_FY2007)
    print(f"# collateral per targeted arrest, from {COLLATERAL_SOURCE}")
    print(f"FY2007: {NON_TARGET_SHARE_FY2007} / (1 - {NON_TARGET_SHARE_FY2007}) = {ratio:.4f}")


if __name__ == "__main__":
    _args.parser(__doc__, __file__).parse_args()
    main()
