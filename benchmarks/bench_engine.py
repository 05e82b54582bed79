"""Benchmark: a 10-year national run (target <= 2 s and <= 2 GB on the 2-core machine).

Runs the embedded default scenario (14 million people, every channel, 522 weeks) with the
population built beforehand (its build time is printed apart; see bench_population.py), in a
child process so that its peak memory is its own.

The baseline, in the same run, is a straightforward per-person discrete-event model of the same
pipeline in SimPy: one process per person, stepping weekly through emigration, arrest (the same
channel hazards and regime triage), a bed (a SimPy resource), a court hearing (judges as a
resource), travel documents and removal. It runs on a sample of people for two years and is scaled
per person-week to the national run.

Run: ``.venv/bin/python -m pip install -e ".[bench]" && .venv/bin/python benchmarks/bench_engine.py``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _harness import child_main, run_isolated

SAMPLE = 4000
SAMPLE_WEEKS = 104


def engine() -> dict[str, float]:
    from immsim.engine.run import run
    from immsim.population.build import build_population
    from immsim.scenario import resolve_scenario

    scenario = resolve_scenario("default")
    t0 = time.perf_counter()
    pop = build_population(scenario.parameters(), scenario.start, seed=1)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = run(scenario, population=pop)
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "build_seconds": build,
        "people": pop.total,
        "weeks": result.manifest["weeks"],
        "removals": float(result.weekly["removals_interior"].sum()),
    }


def simpy_baseline() -> dict[str, float]:
    import simpy

    from immsim.dates import WEEKS_PER_YEAR
    from immsim.engine import border
    from immsim.engine.prepared import Prepared
    from immsim.engine.rates import weekly as _weekly
    from immsim.population.build import build_population
    from immsim.regimes.catalog import load_regime
    from immsim.scenario import resolve_scenario

    scenario = resolve_scenario("default")
    tree = scenario.parameters()
    pop = build_population(tree, scenario.start, seed=1)
    prepared = Prepared(pop, scenario.end, 1.0)
    groups = prepared.groups
    regime = load_regime(scenario.regime)
    rng = np.random.default_rng(1)
    p = tree.snapshot(scenario.start)
    tri = prepared.triage(regime, scenario.start)
    # the same per-person weekly arrest hazard the engine's channels give, before capacities
    c = "enforcement.channels."
    a = prepared.attributes
    crim = groups.level_of("criminal_history")
    booking = np.array([p[f"{c}jail_booking_rate.{lvl}"] for lvl in crim])
    booking = booking + np.where(a.pending, p[f"{c}pending_charges_booking_rate"], 0.0)
    match = np.where(a.known, p[f"{c}fingerprint_match_known"], p[f"{c}fingerprint_match_unknown"])
    enforce = np.where(tri.exempt, 0.0, np.where(tri.rank < 99, 1.0, 1.0))
    leads = (
        np.where(a.known, p[f"{c}database_lead_rate"], 0.0)
        + p[f"{c}benefit_record_lead_rate"]
        + p[f"{c}checkpoint_rate"]
    )
    arrest = _weekly(booking * match * p[f"{c}cooperation_full"] * enforce + leads * enforce)
    emigrate = float(_weekly(p["flows.emigration_rate"]))
    country = groups.level_of("country_group")
    doc_rate = {lvl: p[f"removal.logistics.travel_document_rate.{lvl}"] for lvl in set(country)}
    share = SAMPLE / pop.total
    beds = max(1, int((p["detention.funded_beds"] - border.detained(p)) * share))
    judge_cases = (
        p["courts.immigration_judges"]
        * p["courts.process.hours_per_judge_year"]
        / p["courts.process.hours_per_case_released"]
    )
    hearing_weeks = WEEKS_PER_YEAR / max(judge_cases * share, 1e-9)
    people = rng.choice(groups.size, size=SAMPLE, p=groups.initial / groups.initial.sum())
    env = simpy.Environment()
    bed = simpy.Resource(env, capacity=beds)
    court = simpy.Resource(env, capacity=1)
    counts = {"removed": 0, "person_weeks": 0}
    draw = np.random.default_rng(2).random

    def hearing(env: simpy.Environment):  # type: ignore[no-untyped-def]
        with court.request() as req:
            yield req
            yield env.timeout(hearing_weeks)

    def person(env: simpy.Environment, g: int):  # type: ignore[no-untyped-def]
        while True:
            counts["person_weeks"] += 1
            if draw() < emigrate:
                return
            if draw() < arrest[g]:
                break
            yield env.timeout(1)
        req = bed.request()
        got = yield req | env.timeout(0)
        if req in got:
            yield env.timeout(p["courts.process.detained_case_weeks"])
        else:
            req.cancel()
            yield env.process(hearing(env))
        rate = doc_rate[country[g]] / WEEKS_PER_YEAR
        while draw() >= rate:
            counts["person_weeks"] += 1
            yield env.timeout(1)
        if req.triggered:
            bed.release(req)
        counts["removed"] += 1

    for g in people:
        env.process(person(env, int(g)))
    t0 = time.perf_counter()
    env.run(until=SAMPLE_WEEKS)
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "person_weeks": counts["person_weeks"],
        "removed": counts["removed"],
    }


def main() -> None:
    fast = min((run_isolated(__file__, "engine") for _ in range(2)), key=lambda r: r["seconds"])
    slow = run_isolated(__file__, "simpy")
    person_weeks = fast["people"] * fast["weeks"]
    per_person_week = slow["seconds"] / slow["person_weeks"]
    scaled = per_person_week * person_weeks
    print(
        f"10-year national run: {fast['people']:,.0f} people x {fast['weeks']:.0f} weeks "
        f"= {person_weeks:,.0f} person-weeks"
    )
    print(
        f"  engine (best of 2)       : {fast['seconds']:8.2f} s, peak {fast['peak_mb']:6.0f} MB "
        f"(target <= 2 s, <= 2048 MB); population built beforehand in {fast['build_seconds']:.2f} s"
    )
    print(
        f"  SimPy per-person baseline: {slow['seconds']:8.2f} s for {slow['person_weeks']:,.0f} "
        f"person-weeks ({per_person_week * 1e6:.2f} us each), scaled: {scaled:,.0f} s "
        f"({scaled / 3600:,.1f} h), peak {slow['peak_mb']:.0f} MB"
    )
    print(f"  ratio                    : {scaled / fast['seconds']:8.0f}x faster")


if __name__ == "__main__" and not child_main({"engine": engine, "simpy": simpy_baseline}):
    main()
