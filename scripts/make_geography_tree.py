"""Regenerate ``parameters/tree/geography/``: the inputs the engine reads by area of
responsibility when a run carries areas (``docs/design.md``, the area axis).

Two families of leaves, ``geography.<measure>.<aor>`` with the area's lower-case code:

- ``bed_share``: the share of ICE's detained population held in facilities of the area over
  each fiscal year, from the daily headcount by facility (UWCHR's release of ICE FOIA records)
  and each facility's area (UWCHR's facility list, else its ``detloc_aor`` table). The engine
  gives each area that share of the interior's beds (``detention.funded_beds`` stays the one
  source of the national level); the shares of a year sum to one.
- ``cooperation_full``: how an area's jails honour detainers relative to the nation, an index
  whose mean over the areas, weighted by their unauthorized population
  (``population.by_aor``), is one. It is zero in the part of an area that lies in a state whose
  law (or highest court) bars holding people on ICE's civil detainers, from the date the law
  took effect (``STATE_LAWS``, each cited), and the same everywhere else; so an area's index
  is its population's share outside such states over the nation's. The engine multiplies the
  national share (``enforcement.channels.cooperation_full``, the one source of the level) by
  it, capped at one. A state's share of an area is its counties' share of the area's total
  population (UWCHR's county-to-area table, ACS): the unauthorized are not counted by county.

Run when the records change (paths default to ``../shared/data``):

    python scripts/make_geography_tree.py [DATA_DIR]

The output is a reviewable data change; the package never reads the records themselves.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import polars as pl
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _args

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src/immsim/parameters/tree/geography"
HEADCOUNT = {
    "title": "UWCHR ice-detain: daily detained headcount by facility, FY2012 to January 2024 "
    "(headcount/frozen/inc_headcount_fy12-24ytd.csv.gz, from ICE FOIA detention records)",
    "href": "https://github.com/UWCHR/ice-detain/blob/0e362e47cc3476a5ce3178cd27a5c5e163a3ba0b/headcount/frozen/inc_headcount_fy12-24ytd.csv.gz",
}
FACILITIES = {
    "title": "UWCHR ice-detain: detention facility attributes incl. area of responsibility "
    "(facilities.csv.gz) and facility to area table (detloc_aor.csv)",
    "href": "https://github.com/UWCHR/ice-detain",
}
COUNTIES = {
    "title": "UWCHR ice-enforce: county to ICE area of responsibility with ACS total population "
    "(county_aor.csv)",
    "href": "https://github.com/UWCHR/ice-enforce",
}
FIRST_FY, LAST_FY = 2012, 2023

# States whose law or highest court bars holding people on ICE's civil detainers (a hold past
# release without a judicial warrant), with the day it took effect. State FIPS codes.
STATE_LAWS: list[dict[str, Any]] = [
    {
        "state": "06",
        "name": "California",
        "date": dt.date(2018, 1, 1),
        "title": "California Values Act, SB 54 (2017), Cal. Gov. Code 7284 et seq., "
        "in force 1 January 2018",
        "href": "https://leginfo.legislature.ca.gov/faces/billNavClient.xhtml?bill_id=201720180SB54",
    },
    {
        "state": "17",
        "name": "Illinois",
        "date": dt.date(2017, 8, 28),
        "title": "Illinois TRUST Act, Public Act 100-0463, in force 28 August 2017",
        "href": "https://www.ilga.gov/legislation/publicacts/fulltext.asp?Name=100-0463",
    },
    {
        "state": "25",
        "name": "Massachusetts",
        "date": dt.date(2017, 7, 24),
        "title": "Lunn v. Commonwealth, 477 Mass. 517 (24 July 2017): Massachusetts officers "
        "have no authority to hold anyone on a civil immigration detainer",
        "href": "https://law.justia.com/cases/massachusetts/supreme-court/2017/sjc-12276.html",
    },
    {
        "state": "53",
        "name": "Washington",
        "date": dt.date(2019, 5, 21),
        "title": "Keep Washington Working Act, SSB 5497 (2019), signed 21 May 2019",
        "href": "https://app.leg.wa.gov/billsummary?BillNumber=5497&Year=2019",
    },
    {
        "state": "08",
        "name": "Colorado",
        "date": dt.date(2019, 5, 28),
        "title": "HB19-1124, Protect Colorado Residents From Federal Government Overreach, "
        "signed 28 May 2019 (no arrest or detention solely on a civil immigration detainer)",
        "href": "https://leg.colorado.gov/bills/hb19-1124",
    },
    {
        "state": "34",
        "name": "New Jersey",
        "date": dt.date(2019, 3, 15),
        "title": "New Jersey Attorney General Law Enforcement Directive 2018-6 (Immigrant "
        "Trust Directive), in force 15 March 2019",
        "href": "https://www.nj.gov/oag/dcj/agguide/directives/ag-directive-2018-6_v2.pdf",
    },
    {
        "state": "41",
        "name": "Oregon",
        "date": dt.date(2021, 7, 19),
        "title": "Oregon Sanctuary Promise Act, HB 3265 (2021), Chapter 550, 2021 Laws, "
        "in force 19 July 2021",
        "href": "https://legiscan.com/OR/bill/HB3265/2021",
    },
]


def area_code(name: str) -> str:
    return name.strip().lower()


def bed_shares(data: Path) -> dict[int, dict[str, float]]:
    """Each fiscal year's share of the detained (facility-days) by area of the facility."""
    facilities = pl.read_csv(
        data / "uwchr/facilities.csv.gz", separator="|", infer_schema_length=0
    ).select(pl.col("detloc").alias("facility"), pl.col("aor"))
    fallback = pl.read_csv(data / "uwchr/detloc_aor.csv", infer_schema_length=0).select(
        pl.col("detention_facility_code").alias("facility"),
        pl.col("area_of_responsibility").alias("aor_name"),
    )
    names = {
        "Atlanta": "ATL", "Baltimore": "BAL", "Boston": "BOS", "Buffalo": "BUF",
        "Chicago": "CHI", "Dallas": "DAL", "Denver": "DEN", "Detroit": "DET",
        "El Paso": "ELP", "Houston": "HOU", "Los Angeles": "LOS", "Miami": "MIA",
        "Newark": "NEW", "New Orleans": "NOL", "New York City": "NYC", "New York": "NYC",
        "Philadelphia": "PHI", "Phoenix": "PHO", "Seattle": "SEA", "San Francisco": "SFR",
        "Salt Lake City": "SLC", "San Antonio": "SNA", "San Diego": "SND",
        "St. Paul": "SPM", "Saint Paul": "SPM", "Washington": "WAS",
    }  # fmt: skip
    fallback = fallback.with_columns(
        pl.col("aor_name")
        .str.replace(" Area of Responsibility", "")
        .replace_strict(names, default=None)
        .alias("aor_fallback")
    ).select("facility", "aor_fallback")
    counts = pl.read_csv(
        data / "uwchr/inc_headcount_fy12-24ytd.csv.gz",
        separator="|",
        schema_overrides={"detention_facility_code": pl.String, "n": pl.Int64, "date": pl.Date},
    ).rename({"detention_facility_code": "facility"})
    counts = counts.with_columns(
        (pl.col("date").dt.year() + (pl.col("date").dt.month() >= 10).cast(pl.Int32)).alias("fy")
    ).filter(pl.col("fy").is_between(FIRST_FY, LAST_FY))
    joined = (
        counts.join(facilities, on="facility", how="left")
        .join(fallback, on="facility", how="left")
        .with_columns(pl.coalesce("aor", "aor_fallback").alias("area"))
    )
    unplaced = joined.filter(pl.col("area").is_null())["n"].sum() / joined["n"].sum()
    print(f"facility-days with no area: {unplaced:.4%} (left out of the shares)")
    by_area = (
        joined.filter(pl.col("area").is_not_null())
        .group_by("fy", "area")
        .agg(pl.col("n").sum())
        .with_columns((pl.col("n") / pl.col("n").sum().over("fy")).alias("share"))
    )
    out: dict[int, dict[str, float]] = {}
    for row in by_area.iter_rows(named=True):
        out.setdefault(row["fy"], {})[area_code(row["area"])] = row["share"]
    return out


def state_shares(data: Path) -> dict[str, dict[str, float]]:
    """Each area's population share by state (FIPS), from its counties."""
    counties = pl.read_csv(data / "uwchr/county_aor.csv", infer_schema_length=0).select(
        pl.col("geoid_state").alias("state"),
        pl.col("aor").str.to_lowercase().alias("area"),
        pl.col("estimate").cast(pl.Float64).alias("people"),
    )
    shares = (
        counties.group_by("area", "state")
        .agg(pl.col("people").sum())
        .with_columns((pl.col("people") / pl.col("people").sum().over("area")).alias("share"))
    )
    out: dict[str, dict[str, float]] = {}
    for row in shares.iter_rows(named=True):
        out.setdefault(row["area"], {})[row["state"]] = row["share"]
    return out


def area_weights() -> dict[str, float]:
    """The areas' unauthorized population on the tree's latest date (``population.by_aor``)."""
    tree = yaml.safe_load((ROOT / "src/immsim/parameters/tree/population/by_aor.yaml").read_text())
    weights = {}
    for area, leaf in tree.items():
        latest = max(leaf["values"], key=str)
        value = leaf["values"][latest]
        weights[area] = float(value["value"] if isinstance(value, dict) else value)
    return weights


def cooperation_index(
    shares: dict[str, dict[str, float]], weights: dict[str, float], on: dt.date
) -> dict[str, float]:
    """Each area's population share outside the states whose law bars detainer holds on
    ``on``, over the nation's (weighted by ``weights``): a mean of one."""
    barred = {law["state"] for law in STATE_LAWS if law["date"] <= on}
    outside = {a: 1.0 - sum(s for st, s in shares[a].items() if st in barred) for a in weights}
    mean = sum(weights[a] * outside[a] for a in weights) / sum(weights.values())
    return {a: outside[a] / mean for a in weights}


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # every leaf written out in full
        return True


def _render(header: str, leaves: dict[str, Any]) -> str:
    text = f"# Generated by scripts/make_geography_tree.py; do not edit by hand.\n{header}"
    return text + yaml.dump(leaves, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def main(data: Path) -> None:
    beds = bed_shares(data)
    missing = [fy for fy in range(FIRST_FY, LAST_FY + 1) if not beds.get(fy)]
    _args.require(not missing, f"no daily headcount in {data / 'uwchr'} for FY{missing}")
    files: dict[str, str] = {}
    areas = sorted(area_weights())
    leaves: dict[str, Any] = {}
    for area in areas:
        values: dict[str, Any] = {
            "2011-01-01": {
                "value": round(beds[FIRST_FY].get(area, 0.0), 5),
                "note": f"FY{FIRST_FY}'s share carried back: the headcount starts in October 2011.",
            }
        }
        for fy in range(FIRST_FY, LAST_FY + 1):
            values[f"{fy - 1}-10-01"] = round(beds[fy].get(area, 0.0), 5)
        leaves[area] = {
            "description": f"Share of ICE's detained population held in facilities of the "
            f"{area.upper()} area over the fiscal year (the area's share of the interior's beds).",
            "unit": "share",
            "derived_by": "scripts/make_geography_tree.py",
            "reference": [HEADCOUNT, FACILITIES],
            "values": values,
        }
    files["bed_share"] = _render(
        "# Each area's share of the detained, by fiscal year from its first day; the shares of a\n"
        "# year sum to one (rounding aside). The engine gives each area this share of the\n"
        "# interior's beds when a run carries areas.\n",
        leaves,
    )
    shares = state_shares(data)
    weights = area_weights()
    dates = [dt.date(2011, 1, 1), *sorted({law["date"] for law in STATE_LAWS})]
    leaves = {}
    for area in areas:
        values = {}
        for day in dates:
            index = cooperation_index(shares, weights, day)[area]
            laws = [law for law in STATE_LAWS if law["date"] == day]
            entry: dict[str, Any] = {"value": round(index, 4)}
            if laws:
                entry["reference"] = [{"title": law["title"], "href": law["href"]} for law in laws]
            values[day.isoformat()] = entry
        leaves[area] = {
            "description": f"Detainer cooperation in the {area.upper()} area relative to the "
            "nation (multiplies enforcement.channels.cooperation_full): its population's "
            "share outside states that bar detainer holds, over the nation's.",
            "unit": "multiplier",
            "derived_by": "scripts/make_geography_tree.py",
            "reference": [COUNTIES],
            "values": values,
        }
    files["cooperation_full"] = _render(
        "# Relative to the national share: the population-weighted mean over the areas is one\n"
        "# on every date (tests/test_geography.py). A value dated at a state law cites it.\n",
        leaves,
    )

    for name, text in files.items():  # written only once both are derived
        _args.write(OUT / f"{name}.yaml", text)


if __name__ == "__main__":
    parser = _args.parser(__doc__, __file__)
    _args.data_folder(parser, str(ROOT.parent / "shared/data"))
    _args.run(main, parser.parse_args().data)
