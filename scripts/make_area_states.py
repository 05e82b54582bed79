"""Regenerate ``presentation/static/area_states.json``: which ICE areas of responsibility each
state (and D.C., Puerto Rico) belongs to, and what share of its residents each area holds, from
UWCHR's county → area table (Census county populations). The report's map colours each state
by its area; California, New York and Texas are split between areas, which the map says.

    python scripts/make_area_states.py ../shared/data/uwchr/county_aor.csv

The output is small and reviewable: one entry per state.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _args

OUT = Path(__file__).resolve().parents[1] / "src/immsim/presentation/static/area_states.json"
SOURCE = {
    "title": "UWCHR ice-enforce, share/input/county_aor.csv (ICE area of responsibility of each "
    "county, with the county's total population from the Census Bureau's ACS)",
    "href": "https://github.com/UWCHR/ice-enforce/blob/bdb224c216bc98216b5f09de32841817b623162d/share/input/county_aor.csv",
}
STATES = {  # Census FIPS state code: (postal code, name)
    "01": ("AL", "Alabama"), "02": ("AK", "Alaska"), "04": ("AZ", "Arizona"),
    "05": ("AR", "Arkansas"), "06": ("CA", "California"), "08": ("CO", "Colorado"),
    "09": ("CT", "Connecticut"), "10": ("DE", "Delaware"), "11": ("DC", "District of Columbia"),
    "12": ("FL", "Florida"), "13": ("GA", "Georgia"), "15": ("HI", "Hawaii"),
    "16": ("ID", "Idaho"), "17": ("IL", "Illinois"), "18": ("IN", "Indiana"),
    "19": ("IA", "Iowa"), "20": ("KS", "Kansas"), "21": ("KY", "Kentucky"),
    "22": ("LA", "Louisiana"), "23": ("ME", "Maine"), "24": ("MD", "Maryland"),
    "25": ("MA", "Massachusetts"), "26": ("MI", "Michigan"), "27": ("MN", "Minnesota"),
    "28": ("MS", "Mississippi"), "29": ("MO", "Missouri"), "30": ("MT", "Montana"),
    "31": ("NE", "Nebraska"), "32": ("NV", "Nevada"), "33": ("NH", "New Hampshire"),
    "34": ("NJ", "New Jersey"), "35": ("NM", "New Mexico"), "36": ("NY", "New York"),
    "37": ("NC", "North Carolina"), "38": ("ND", "North Dakota"), "39": ("OH", "Ohio"),
    "40": ("OK", "Oklahoma"), "41": ("OR", "Oregon"), "42": ("PA", "Pennsylvania"),
    "44": ("RI", "Rhode Island"), "45": ("SC", "South Carolina"), "46": ("SD", "South Dakota"),
    "47": ("TN", "Tennessee"), "48": ("TX", "Texas"), "49": ("UT", "Utah"),
    "50": ("VT", "Vermont"), "51": ("VA", "Virginia"), "53": ("WA", "Washington"),
    "54": ("WV", "West Virginia"), "55": ("WI", "Wisconsin"), "56": ("WY", "Wyoming"),
    "72": ("PR", "Puerto Rico"),
}  # fmt: skip


def main(path: str | Path) -> None:
    people: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            people[row["geoid_state"]][row["aor"].lower()] += int(row["estimate"])
    _args.require(people, f"no counties in {path}")
    unknown = set(people) - set(STATES)
    if unknown:
        raise SystemExit(f"state codes not in STATES: {sorted(unknown)}")
    states = []
    for fips in sorted(people, key=lambda f: STATES[f][0]):
        total = sum(people[fips].values())
        areas = sorted(people[fips].items(), key=lambda item: -item[1])
        states.append(
            {
                "state": STATES[fips][0],
                "name": STATES[fips][1],
                "areas": {area: round(n / total, 3) for area, n in areas},
            }
        )
    document = {
        "generated_by": "scripts/make_area_states.py",
        "source": SOURCE,
        "share": "each area's share of the state's residents (all residents, by county)",
        "states": states,
    }
    _args.write(OUT, json.dumps(document, indent=1) + "\n")
    print(f"wrote {OUT} ({len(states)} states)")


if __name__ == "__main__":
    parser = _args.parser(__doc__, __file__)
    parser.add_argument(
        "counties",
        nargs="?",
        type=_args.file,
        default="../shared/data/uwchr/county_aor.csv",
        help="UWCHR's county-to-area table (default: %(default)s)",
    )
    _args.run(main, parser.parse_args().counties)
