"""The starting state (engine/start.py): a run starts with the detained, the court backlog and
the final orders the record gives for its start date, split as the leaves say, and seeding
moves people between stocks without making or losing any."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import builds
import numpy as np
import polars as pl
import pytest

from immsim.calibration.metrics import load_observed, simulated
from immsim.calibration.validate import START, backtest_scenario
from immsim.engine import draws
from immsim.engine.prepared import Prepared
from immsim.engine.run import run
from immsim.engine.start import criminality_classes, initial_stocks
from immsim.engine.stocks import (
    COUNT_LIMIT,
    FREE,
    HELD_COURT,
    HELD_REMOVAL,
    ORDERED,
    RELEASED,
    check_total,
    count_type,
    move,
)
from immsim.errors import RunTooLargeError
from immsim.parameters import load_baseline
from immsim.parameters.reform import Override, Reform

TREE = load_baseline()


def seeded(day: dt.date, seed: int = 3) -> tuple[Prepared, dict[str, Any], np.ndarray]:
    prepared = Prepared(builds.national(TREE, day, seed=1), day + dt.timedelta(days=400), 1.0)
    p = TREE.snapshot(day)
    stocks = initial_stocks(
        prepared.groups, prepared.attributes.asylum, p, np.random.default_rng(seed)
    )
    return prepared, p, stocks


@pytest.mark.parametrize("day", [dt.date(2011, 10, 1), dt.date(2026, 10, 1)])
def test_the_detained_start_as_the_record_says(day: dt.date) -> None:
    prepared, p, stocks = seeded(day)
    g = prepared.groups
    # hand calculation from the leaves: everyone detained, times the interior (ICE-arrest)
    # share, of whom the removal share await removal
    interior = p["detention.start.detained"] * p["detention.start.interior_share"]
    removal = interior * p["detention.start.removal_share"]
    held_removal = int(stocks[HELD_REMOVAL].sum())
    held_court = int(stocks[HELD_COURT].sum())
    assert abs(held_removal + held_court - interior) <= 1
    assert abs(held_removal - removal) <= 1
    assert abs(held_court - (interior - removal)) <= 1
    # criminality as the record splits the interior detained (each class has people enough)
    convicted, pending, _ = criminality_classes(g)
    held = stocks[HELD_COURT] + stocks[HELD_REMOVAL]
    assert abs(held[convicted].sum() / interior - p["detention.start.convicted_share"]) < 1e-3
    assert abs(held[pending].sum() / interior - p["detention.start.pending_charges_share"]) < 1e-3
    # awaiting removal: only people with an order or a prior removal; in court: neither
    history = g.level_of("immigration_history")
    assert stocks[HELD_REMOVAL][history == "none"].sum() == 0
    assert stocks[HELD_COURT][history != "none"].sum() == 0
    # the court backlog: detained awaiting court plus released with a case
    assert stocks[HELD_COURT].sum() + stocks[RELEASED].sum() == p["courts.process.pending_cases"]
    # nobody made or lost, and no stock negative
    assert stocks.sum() == g.initial.sum()
    assert np.array_equal(stocks.sum(axis=0), g.initial)
    assert (stocks >= 0).all()
    # final orders: the population's, at large or detained awaiting removal
    orders = g.initial[history == "final_order"].sum()
    assert stocks[ORDERED].sum() + stocks[HELD_REMOVAL][history == "final_order"].sum() == orders
    assert stocks[FREE][history == "final_order"].sum() == 0


def test_the_2026_start_holds_late_2025s_detention() -> None:
    """From ICE's published count of February 2026 (68,289 held), the interior's nine in ten:
    a country with some 60,000 detained after interior arrests, not an empty one."""
    _, p, stocks = seeded(dt.date(2026, 10, 1))
    assert p["detention.start.detained"] == 68289
    assert stocks[HELD_COURT].sum() + stocks[HELD_REMOVAL].sum() > 60_000


def test_the_2026_start_holds_the_backlog_after_its_2025_fall() -> None:
    """TRAC's count fell 8.1% in FY2025 (3.7 to 3.4 million by the end of August), the first
    fall since at least 2012; on EOIR's series (3.6 million at FY2024's end) that is 3.31
    million, by hand. A run from October 2026 starts there, not at FY2024's peak."""
    _, p, stocks = seeded(dt.date(2026, 10, 1))
    by_hand = 3_600_000 * 3.4 / 3.7
    assert p["courts.process.pending_cases"] == pytest.approx(by_hand, rel=0.002)
    assert stocks[HELD_COURT].sum() + stocks[RELEASED].sum() == p["courts.process.pending_cases"]
    assert TREE.get("courts.process.pending_cases", at="2025-08-31") == 3_600_000


def test_the_2026_start_holds_the_final_orders_ice_counted_in_february_2026() -> None:
    """ICE's acting director told the Senate on 12 February 2026 that ICE tracked about 1.6
    million final orders (1,445,549 on its docket on 2024-11-24): a run from October 2026 starts
    with 1.6 million people holding one, at large or awaiting removal; the back-test's start
    (FY2012) keeps its 850,000."""
    prepared, p, stocks = seeded(dt.date(2026, 10, 1))
    assert p["population.composition.immigration_history.final_order"] == 1_600_000
    assert TREE.get("population.composition.immigration_history.final_order", at="2026-02-11") == (
        1_445_549
    )
    history = prepared.groups.level_of("immigration_history")
    orders = prepared.groups.initial[history == "final_order"].sum()
    assert orders == pytest.approx(1_600_000, rel=0.005)
    held = stocks[HELD_REMOVAL][history == "final_order"].sum()
    assert stocks[ORDERED].sum() + held == orders
    assert TREE.snapshot(START)["population.composition.immigration_history.final_order"] == 850_000


def test_seeding_is_reproducible_by_seed() -> None:
    a = seeded(dt.date(2016, 10, 1), seed=7)[2]
    b = seeded(dt.date(2016, 10, 1), seed=7)[2]
    c = seeded(dt.date(2016, 10, 1), seed=8)[2]
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_the_leaf_follows_the_daily_headcount(shared_data: Path) -> None:
    """The generated leaf is the record: the national headcount on the first of a month, summed
    over facilities (scripts/make_start_state_tree.py)."""
    path = shared_data / "uwchr/inc_headcount_fy12-24ytd.csv.gz"
    if not path.exists():
        pytest.skip(f"missing {path}")
    days = pl.read_csv(path, separator="|", try_parse_dates=True)
    for day in (dt.date(2011, 10, 1), dt.date(2019, 10, 1)):
        total = int(days.filter(pl.col("date") == day)["n"].sum())
        assert TREE.get("detention.start.detained", day) == total


def test_the_seeded_detained_fit_the_interior_beds() -> None:
    """Beds are a hard limit: with 20,000 funded beds of which the border holds about 14,576
    (FY2012's 364,768 Title 8 apprehensions x 0.8706 single adults x 0.9625 from countries that
    take removals back x 0.6548 removed, each held FY2019's 26.60-day stay of a CBP arrestee; the
    beds fill at book-in, so the lag from apprehension to removal does not enter), the 5,423
    interior beds take the removal cases of 2011-10-01 first and the court cases in the beds
    left."""
    day = dt.date(2011, 10, 1)
    prepared = Prepared(builds.national(TREE, day, seed=1), day + dt.timedelta(days=400), 1.0)
    p = {**TREE.snapshot(day), "detention.funded_beds": 20000.0}
    stocks = initial_stocks(
        prepared.groups, prepared.attributes.asylum, p, np.random.default_rng(3)
    )
    removal = round(
        p["detention.start.detained"]
        * p["detention.start.interior_share"]
        * p["detention.start.removal_share"]
    )
    assert stocks[HELD_REMOVAL].sum() == removal
    at_border = 364_768 * 0.8706 * 0.9625 * 0.6548 * 26.60 / 365.2425
    assert stocks[HELD_COURT].sum() == int(20000 - at_border) - removal
    assert stocks.sum() == prepared.groups.initial.sum()


def test_the_fy2012_backtest_starts_closer_to_the_record(shared_data: Path) -> None:
    """The back-test's first year (FY2012, regimes in force, the validate seed) holds more
    people on an average day when it starts with the record's detained than when it starts
    empty, and comes nearer ICE's published average of 34,260: the seeded stock is still
    draining when the year's admissions start to fill the beds."""
    figures = shared_data / "published_figures.csv"
    if not figures.exists():
        pytest.skip(f"missing {figures}")
    observed = load_observed(figures)[("adp", 2012)].value
    empty = Reform(
        name="empty-start",
        overrides={
            "detention.start.detained": Override.model_validate({"values": {"2011-01-01": 0}})
        },
    )
    population = builds.national(TREE, START, seed=2012)
    seeded_adp = simulated(run(backtest_scenario(2012, years=1), population=population))[
        ("adp", 2012)
    ]
    empty_adp = simulated(run(backtest_scenario(2012, empty, years=1), population=population))[
        ("adp", 2012)
    ]
    assert seeded_adp > empty_adp
    assert abs(seeded_adp - observed) < abs(empty_adp - observed)


def test_the_stocks_are_32_bit_counts_with_a_guard() -> None:
    # the start's stocks keep every person (as int64 sums) in int32 stores
    day = dt.date(2011, 10, 1)
    prepared, _, stocks = seeded(day)
    assert stocks.dtype == np.int32
    assert stocks.sum(dtype=np.int64) == prepared.groups.initial.sum()
    # the limit is half of int32's range: 2**30 = 1,073,741,824 people, a week's growth
    # on top of a run just under it still fits 2**31 - 1 = 2,147,483,647
    assert COUNT_LIMIT == 1_073_741_824
    assert count_type(13_000_000) is np.int32  # a nation's population, by the record
    check_total(1_073_741_823)
    for total in (1_073_741_824, 3_000_000_000, -1):
        with pytest.raises(RunTooLargeError, match="32-bit"):
            check_total(total)
    with pytest.raises(RunTooLargeError, match="32-bit"):
        count_type(2_000_000_000)


def test_moves_on_32_bit_stocks_draw_what_64_bit_ones_did() -> None:
    # the same stream on the same counts, stored in 32 or 64 bits: the same people move (the
    # clock sweep reads n * hazard as the same float, the walk draws the same numbers)
    rng = np.random.default_rng(11)
    wide = rng.integers(0, 3_000, size=(5, 2_000)).astype(np.int64)
    wide[:, rng.random(2_000) < 0.4] = 0  # empty groups among them, as by area
    narrow = wide.astype(np.int32)
    mask = rng.random(2_000) < 0.7
    first, second = draws.stream(np.random.default_rng(5)), draws.stream(np.random.default_rng(5))
    for source, target, p in ((FREE, ORDERED, 0.001), (RELEASED, HELD_COURT, 0.05), (0, 4, 0.9)):
        a = move(first, wide, source, target, mask, p)
        b = move(second, narrow, source, target, mask, p)
        assert a == b > 0
        assert np.array_equal(wide, narrow.astype(np.int64))
    assert narrow.dtype == np.int32
    assert draws.bits64(first) == draws.bits64(second)  # the streams as far on
