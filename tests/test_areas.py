"""The area axis (issue 22): a run that carries areas of responsibility, its inputs by area
and its results by area (``immsim.outcomes.by_area``)."""

from __future__ import annotations

import datetime as dt
from functools import cache

import polars as pl
import pytest

from immsim.engine.results import Results
from immsim.engine.run import run
from immsim.outcomes import BORDER, by_area, by_year
from immsim.parameters import load_baseline
from immsim.population.targets import aor_levels
from immsim.scenario import Scenario, parse_scenario
from immsim.yamlio import load_yaml_text

TREE = load_baseline()
AREAS = aor_levels(TREE)
START = dt.date(2026, 10, 1)


def scenario(areas: bool, overrides: dict[str, float] | None = None, years: int = 3) -> Scenario:
    """The default scenario's regime and start, ``years`` long, with ``overrides`` of leaves
    from the start (a reform written as a scenario file writes it)."""
    text = (
        f"name: areas-test\nregime: jan2025\nstart: {START.isoformat()}\n"
        f"horizon_years: {years}\nseed: 7\nareas: {str(areas).lower()}\n"
    )
    if overrides:
        text += "reform:\n  name: by-area\n  overrides:\n"
        for key, value in overrides.items():
            text += f"    {key}:\n      values:\n        {START.isoformat()}: {value}\n"
    return parse_scenario(load_yaml_text(text, "areas-test.yaml"))


@cache
def national() -> Results:
    return run(scenario(areas=False))


@cache
def by_areas(overrides: tuple[tuple[str, float], ...] = ()) -> Results:
    return run(scenario(areas=True, overrides=dict(overrides)))


UNIFORM = tuple((f"geography.cooperation_full.{area}", 1.0) for area in AREAS)
"""Every area's jails cooperating as the nation's (an index of one)."""


def test_a_run_with_areas_at_national_values_reproduces_the_national_totals() -> None:
    # every area cooperating as the nation does, the areas differ only in their beds, which
    # transfers pool: the nation's totals must be the national run's, up to the draws
    # (different groups draw different numbers) and the order of admissions under full beds
    # (each area's own first), which moves who is held but not how many
    nat = by_year(national(), ("arrests", "removals", "removals_interior", "detained"))
    areas = by_year(by_areas(UNIFORM), ("arrests", "removals", "removals_interior", "detained"))
    for outcome in ("arrests", "removals", "removals_interior", "detained"):
        a, b = nat[outcome].to_numpy(), areas[outcome].to_numpy()
        assert abs(a.sum() / b.sum() - 1) < 0.02, (outcome, a, b)


def test_outcomes_by_area_add_up_to_the_nations() -> None:
    results = by_areas(UNIFORM)
    table = by_area(results)
    assert set(table["area"].unique()) == {*AREAS, BORDER}
    nation = by_year(
        results, ("arrests", "removals", "removals_interior", "admissions", "detained")
    )
    summed = table.group_by("fiscal_year").agg(
        pl.col("arrests", "removals", "removals_interior", "admissions", "detained").sum()
    )
    joined = nation.join(summed, on="fiscal_year", suffix="_areas")
    for outcome in ("arrests", "removals", "removals_interior", "admissions", "detained"):
        assert joined[outcome].to_list() == pytest.approx(
            joined[f"{outcome}_areas"].to_list(), rel=1e-9
        ), outcome


def test_by_area_refuses_a_run_without_areas() -> None:
    from immsim.errors import InputError

    with pytest.raises(InputError, match="did not carry areas"):
        by_area(national())


# Noise-bound at one seed (issue 22): the nation's fall in jail arrests carries every area's
# draws while Phoenix's is steady. Measured over seeds 7-10 with ERO's officers at 14,000 from
# June 2026 (record6, 2026-12-03): Phoenix's fall 3,513-3,980, the nation's 5,064-6,663, ratios
# 0.75, 0.60, 0.56, 0.72 (0.65 pooled; before, on main f9cdb2b: 0.58, 0.61, 0.68, 0.80, 0.66
# pooled). It was a strict xfail while seed 7 gave 0.58; seed 7 now gives 0.75, so it is a test
# again, and any change that moves seed 7 below 0.6 fails it. Comparing like with like needs
# Phoenix's own jail arrests in by_area (not there yet).
def test_a_sanctuary_law_in_one_area_lands_there_and_spills_over_through_the_beds() -> None:
    """The shipped example's lever (Arizona's jails stop honouring detainers: the Phoenix
    area's ``geography.cooperation_full.pho`` to 0) with beds short under the 2025 goal's surge
    (40,000 funded: they bind in 97% of weeks).

    Hand calculation. In the Phoenix area a detainer was honoured with chance one (the nation's
    0.7 times the area's index of 1.46, capped) and is now honoured only through a notification
    picked up in time (0.1 x 0.5): the area's detainer transfers fall by some 95%, and nothing
    else in the area changes, so its arrests fall by about what the nation's detainer transfers
    (``arrests_jail``) fall, and fewer of its people are admitted. Beds bind: the nation's beds
    are full with or without the law, and ICE admits in the regime's order over the nation, so
    the beds Phoenix's jail transfers no longer take go to the next in that order, nearly all in
    other areas (Phoenix holds 3% of the arrests): the other areas' detained rise by about what
    Phoenix's fall (the spill-over).

    Measured with seeds 7 to 10 (2026-12-03, main as of afe610b merged): Phoenix admitted
    2,500-2,800 fewer and held 370-400 fewer, and the other areas held 0.95-1.14 times as many
    more. Their admissions moved by -349 to +3,719, within the noise of two runs (a standard
    deviation of some 1,600 for the difference, from the same seeds): the spill-over is read on
    the beds, not the admissions. At 20,000 beds under the surge only removal cases reach a bed
    in the national order, so Phoenix's jail transfers (mostly court cases) were seldom held and
    the law freed some 100 beds, within the noise. Before the admissions followed the national
    order (each area's own arrests first to its own beds), Phoenix refilled its beds with its
    own at-large arrests and nothing spilled over (at 20,000 beds, before afe610b: Phoenix held
    31 fewer, the others 90 more, and the others were admitted 671 fewer)."""
    beds = (("detention.funded_beds", 40000.0),)
    law = (("geography.cooperation_full.pho", 0.0),)
    before, after = by_areas(beds), by_areas(beds + law)
    assert before.weekly["binding_beds"].mean() > 0.9

    def totals(results: Results) -> tuple[pl.DataFrame, pl.DataFrame]:
        table = by_area(results).with_columns(pl.col("area") == "pho")
        summed = table.group_by("area").agg(pl.col("arrests", "admissions", "detained").sum())
        return summed.filter(pl.col("area")), summed.filter(~pl.col("area"))

    (pho0, rest0), (pho1, rest1) = totals(before), totals(after)
    jail = after.weekly["arrests_jail"].sum() - before.weekly["arrests_jail"].sum()
    fall = pho1["arrests"][0] - pho0["arrests"][0]
    assert jail < 0 and 0.6 < fall / jail < 1.2, (fall, jail)
    admitted_pho = pho1["admissions"][0] - pho0["admissions"][0]
    noise = 3 * (2 * pho0["admissions"][0]) ** 0.5  # three (Poisson) sigmas of a difference
    assert admitted_pho < -noise, (admitted_pho, noise)
    held_pho = pho1["detained"][0] - pho0["detained"][0]
    held_rest = rest1["detained"][0] - rest0["detained"][0]
    assert held_pho < 0 and 0.75 < -held_rest / held_pho < 1.25, (held_rest, held_pho)


def test_a_population_without_areas_cannot_be_run_by_area() -> None:
    from immsim.engine.prepared import Prepared
    from immsim.engine.warm import few_people
    from immsim.errors import InputError
    from immsim.population.build import Population

    people = few_people(START)
    without = Population(strata=people.strata.drop("aor"), reference_date=START)
    with pytest.raises(InputError, match="area of responsibility"):
        Prepared(without, START + dt.timedelta(days=400), 1.0, areas=True)
    national = Prepared(without, START + dt.timedelta(days=400), 1.0).groups
    assert not national.areas and national.initial.sum() == 2000  # without areas it runs
