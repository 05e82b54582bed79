"""Results by ICE area of responsibility: the one table every by-area output reads.

A by-area table has one row per area and fiscal year: ``area`` (ICE's area code in lower case,
as ``population.by_aor`` names the areas: ``sea``, ``atl``), ``fiscal_year``, and any of the
outcomes of :data:`AREA_OUTCOMES`, each named and reduced to a year as
:mod:`immsim.outcomes` declares it. The back-test by area, ``immsim run --area``, the report's
map and table and the web app's area picker all take it from :func:`results_by_area`, the one
place where the engine's results by area are read.
"""

from __future__ import annotations

import polars as pl

from immsim.data.lesa import AOR_CODES
from immsim.engine.results import Results
from immsim.errors import InputError
from immsim.outcomes import AREA_OUTCOMES as AREA_OUTCOMES  # (imported from here too)
from immsim.outcomes import BORDER, by_area, by_year
from immsim.population.build import Population

AREA_NAMES: dict[str, str] = {}
"""ICE's areas by lower-case code: "sea" → "Seattle" (the first spelling ICE's releases use)."""
for _name, _code in AOR_CODES.items():
    AREA_NAMES.setdefault(_code.lower(), _name.title())


def area_label(area: str) -> str:
    """ "Seattle (SEA)"; an area ICE does not name keeps its code."""
    name = AREA_NAMES.get(area)
    return f"{name} ({area.upper()})" if name else area.upper()


def results_by_area(results: Results) -> pl.DataFrame | None:
    """The run's outcomes by area and fiscal year, or None when the run does not carry areas.

    This is the seam where the engine's results by area come in: a run that carried areas
    (a scenario's ``areas: true``) is read by :func:`immsim.outcomes.by_area`, the engine's one
    table by area, less its ``border`` row (the border's removals and detained, which no area
    holds: the areas' rows add up to the nation's outcomes but for them). Everything downstream
    reads only this table."""
    breakdown = results.breakdown
    if "attribute" not in breakdown.columns or not (breakdown["attribute"] == "area").any():
        return None
    engine = by_area(results).filter(pl.col("area") != BORDER)
    return check_by_area(engine.select("area", "fiscal_year", *AREA_OUTCOMES))


def check_by_area(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` if it is a by-area table (see the module), with ``fiscal_year`` as Int64;
    otherwise an :class:`InputError` saying what is missing or unknown."""
    missing = [c for c in ("area", "fiscal_year") if c not in frame.columns]
    if missing:
        raise InputError(
            f"results by area need the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}",
            allowed="area, fiscal_year and outcomes of " + ", ".join(AREA_OUTCOMES),
        )
    unknown = [c for c in frame.columns if c not in ("area", "fiscal_year", *AREA_OUTCOMES)]
    if unknown:
        raise InputError(
            f"unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} in results "
            "by area",
            allowed=", ".join(AREA_OUTCOMES),
        )
    duplicated = frame.select("area", "fiscal_year").is_duplicated()
    if duplicated.any():
        area, year = frame.filter(duplicated).row(0)
        raise InputError(f"results by area repeat area {area} in FY{year}")
    return frame.with_columns(pl.col("fiscal_year").cast(pl.Int64))


def area_code(area: str, held: list[str] | tuple[str, ...]) -> str:
    """The code among ``held`` that ``area`` names (``SEA``, ``sea`` or ``Seattle``), or an
    :class:`InputError` listing them."""
    wanted = area.strip().lower()
    by_name = {name.lower(): code for code, name in AREA_NAMES.items()}
    code = wanted if wanted in held else by_name.get(wanted, wanted)
    if code not in held:
        raise InputError(
            f"no area {area!r}",
            key="--area",
            allowed=", ".join(
                f"{a.upper()} ({AREA_NAMES[a]})" if a in AREA_NAMES else a.upper()
                for a in sorted(held)
            ),
        )
    return code


def select_area(frame: pl.DataFrame, area: str) -> pl.DataFrame:
    """The rows of one area (``SEA``, ``sea`` or ``Seattle``), or an :class:`InputError` naming
    the areas the results hold."""
    code = area_code(area, sorted(frame["area"].unique().to_list()))
    return frame.filter(pl.col("area") == code)


def population_share_benchmark(results: Results, population: Population) -> pl.DataFrame:
    """A national run spread over the areas by each area's share of the run's starting
    population (its ``aor`` margin): what a model that knows nothing of place would say about
    each area. The back-test by area scores it beside the engine's own results by area, which
    must do better to say something about places."""
    people = population.marginal("aor")
    total = sum(people.values())
    if not total:
        raise InputError("the population has nobody in any area")
    national = by_year(results, AREA_OUTCOMES).select("fiscal_year", *AREA_OUTCOMES)
    shares = pl.DataFrame(
        {"area": [a.lower() for a in people], "share": [n / total for n in people.values()]}
    )
    return check_by_area(
        shares.join(national, how="cross")
        .select(
            "area",
            "fiscal_year",
            *(pl.col(name) * pl.col("share") for name in AREA_OUTCOMES),
        )
        .sort("area", "fiscal_year")
    )


def effect_there_and_elsewhere(
    scenario: pl.DataFrame, baseline: pl.DataFrame, area: str
) -> pl.DataFrame:
    """What a scenario changes in one area and in the others, against its baseline: one row per
    fiscal year and outcome with ``there`` (the area's difference), ``elsewhere`` (the other
    areas' summed difference: the spill-over, e.g. arrests that move to a neighbour when a
    state stops honouring detainers) and ``nation`` (their sum). Both tables by area (see
    :func:`check_by_area`) must hold the same areas and years."""
    scenario, baseline = check_by_area(scenario), check_by_area(baseline)
    code = select_area(scenario, area)["area"][0]
    keys = ("area", "fiscal_year")
    if scenario.select(keys).sort(keys).rows() != baseline.select(keys).sort(keys).rows():
        raise InputError("the scenario and its baseline hold different areas or years")
    outcomes = [n for n in AREA_OUTCOMES if n in scenario.columns and n in baseline.columns]
    long = (
        scenario.unpivot(index=list(keys), on=outcomes, variable_name="outcome")
        .join(
            baseline.unpivot(index=list(keys), on=outcomes, variable_name="outcome"),
            on=[*keys, "outcome"],
            suffix="_baseline",
        )
        .with_columns((pl.col("value") - pl.col("value_baseline")).alias("difference"))
    )
    here = pl.col("area") == code
    return (
        long.group_by("fiscal_year", "outcome")
        .agg(
            pl.col("difference").filter(here).sum().alias("there"),
            pl.col("difference").filter(~here).sum().alias("elsewhere"),
            pl.col("difference").sum().alias("nation"),
        )
        .with_columns(pl.lit(code).alias("area"))
        .sort("outcome", "fiscal_year")
        .select("area", "fiscal_year", "outcome", "there", "elsewhere", "nation")
    )
