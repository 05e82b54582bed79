"""Derive the jails' cooperation with ICE after 2014 from the fitted level (issue 20).

``enforcement.channels.cooperation_full`` is the share of jail bookings in jails that hold people
on ICE's detainers; ``cooperation_notify_only`` the share in jails that do not hold but tell ICE
of a release. The level of 2014-10-01 is fitted (``immsim calibrate``, FY2012-FY2016: after the
Miranda-Olivares ruling of April 2014 hundreds of counties stopped holding without a warrant).

- ``cooperation_notify_only`` from 2014-10-01: of the bookings in jails that no longer held, the
  share whose jurisdictions still reported releases. DHS reported in December 2015 that 16 of
  the 25 largest jurisdictions that had restricted their cooperation were "working with us
  again", under the Priority Enforcement Program's requests for notification:
  ``(1 - cooperation_full) * 16 / 25``.
- The values of 2025-01-20 carry the 2014 levels. The state laws between (the bars on holds of
  California, Illinois, Massachusetts, New Jersey, Washington, Colorado and Oregon, 2017-2021;
  the mandates of Texas, 2017, and Florida, 2019) mostly wrote into law what their counties
  had done since 2014 (the counties of the barring states had stopped holding by 2016, the
  fitted level's years: ILRC's survey of December 2016), so they are not taken to move the
  national level. Applied instead to a level the same in every state (a law's state at zero,
  or at one for a mandate, the rest at the 2014 level) they took the back-test's FY2017-FY2019
  median error from 11.0% to 12.4% (``validate --draws 3 --seeds-only``; ICE arrests in
  FY2018 -12%), counting twice the refusals the 2014 level already holds.

Run to print the values, or with ``--write`` to write them into
``tree/enforcement/channels.yaml`` (after each refit of the 2014 level):

    python scripts/derive_cooperation.py [--write]
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _args

ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / "src/immsim/parameters/tree/enforcement/channels.yaml"

RESUMED, RESTRICTED = 16, 25
"""DHS (Johnson, 22 December 2015): "Of the 25 largest jurisdictions that had placed
restrictions on their own cooperation with ICE, 16 are now working with us again" (as quoted
in TRAC report 433)."""

BASE, LAST = "2014-10-01", "2025-01-20"
SCRIPT = "scripts/derive_cooperation.py"
DHS = [
    '        - title: "TRAC report 433 quoting DHS Secretary Johnson (22 December 2015): of the 25 '
    "largest jurisdictions that had placed restrictions on their cooperation, 16 are now working "
    'with us again"',
    "          href: http://trac.syr.edu/immigration/reports/433",
]
ILRC = [
    "        - title: \"ILRC, Searching for Sanctuary: An Analysis of America's Counties and Their "
    'Voluntary Assistance With Deportations (December 2016)"',
    "          href: https://docslib.org/doc/637047/searching-for-sanctuary",
]


def levels() -> tuple[float, float]:
    """The fitted 2014 share of bookings in jails that hold, read from the file itself (what
    this rewrites), and the derived notify-only share."""
    leaf = yaml.safe_load(TREE.read_text(encoding="utf-8"))["cooperation_full"]
    values = {str(day): value for day, value in leaf["values"].items()}  # YAML reads dates
    full = float(values[BASE]["value"])
    return full, (1.0 - full) * RESUMED / RESTRICTED


def _carried(value: float) -> list[str]:
    return [
        f"    {LAST}:",
        f"      value: {value:.4f}",
        f"      derived_by: {SCRIPT}",
        "      note: >-",
        "        The 2014-10-01 level carried: the state laws since (bars on holds 2017-2021,",
        "        the Texas and Florida mandates) mostly wrote into law what their counties did",
        f"        from 2014, which that level holds ({SCRIPT} gives the measurement).",
        "      reference:",
        *ILRC,
    ]


def yaml_values() -> tuple[list[str], list[str]]:
    """The derived values as lines of the tree's YAML, ``cooperation_full`` after its fitted
    2014 value and ``cooperation_notify_only`` from 2014."""
    full, notify = levels()
    notify_lines = [
        f"    {BASE}:",
        f"      value: {notify:.4f}",
        f"      derived_by: {SCRIPT}",
        "      note: >-",
        f"        (1 - cooperation_full {full}) x {RESUMED} / {RESTRICTED}: of the bookings in",
        "        jails that no longer held, the share whose jurisdictions worked with ICE again",
        "        under the Priority Enforcement Program's requests for notification.",
        "      reference:",
        *DHS,
        *_carried(notify),
    ]
    return _carried(full), notify_lines


def _region(lines: list[str], leaf: str) -> tuple[int, int]:
    """The lines of a top-level leaf of the file: its first and one past its last."""
    start = lines.index(f"{leaf}:")
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i] and not lines[i][0].isspace()),
        len(lines),
    )
    return start, end


def write(full: list[str], notify: list[str]) -> None:
    """Replace the leaves' values from 2014-10-01 (``cooperation_full``: those after its
    fitted value, which is one line) with the derived ones."""
    lines = TREE.read_text(encoding="utf-8").split("\n")
    start, end = _region(lines, "cooperation_notify_only")
    first = next((i for i in range(start, end) if lines[i].startswith(f"    {BASE}:")), end)
    lines[first:end] = notify
    start, end = _region(lines, "cooperation_full")
    fitted = next(i for i in range(start, end) if lines[i].startswith(f"    {BASE}:"))
    lines[fitted + 1 : end] = full
    _args.write(TREE, "\n".join(lines))


def main(apply: bool) -> None:
    full, notify = yaml_values()
    if apply:
        write(full, notify)
        print(f"wrote {TREE.relative_to(ROOT)}; review with git diff")
        return
    print("cooperation_full (after 2014-10-01):", *full, sep="\n")
    print("cooperation_notify_only (from 2014-10-01):", *notify, sep="\n")


if __name__ == "__main__":
    parser = _args.parser(__doc__, __file__)
    parser.add_argument(
        "--write", action="store_true", help="write the values into the tree (else print them)"
    )
    _args.run(main, parser.parse_args().write)
