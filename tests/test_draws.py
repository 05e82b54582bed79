"""The compiled binomial sampler: its draws follow the binomial law in every regime it switches
between (one uniform per person, fast zero, inversion from zero, rejection, the mirrored
p > 1/2; in a sweep also the walk over people), stay in range, and come from the stream the run seeds, so that a seed fixes them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from immsim.engine import draws

CASES = [
    (3, 0.0004),  # mean far below one: almost every draw is decided by the fast zero test
    (40, 0.01),  # mean 0.4 (in a sweep: walked person by person)
    (100, 0.029),  # mean 2.9: the longest walks
    (500, 0.01),  # mean 5: the inversion's loop (in a sweep: given one event)
    (100, 0.098),  # mean 9.8, just under the switch to rejection
    (110, 0.1),  # mean 11, just over it
    (2000, 0.02),  # mean 40: rejection
    (400_000, 0.3),  # a large group
    (20_000_000, 0.0005),  # the largest groups' weekly flows
    (60, 0.93),  # p above one half: mirrored
    (1, 0.5),
    (3, 0.3),  # a few people: one uniform each
    (4, 0.3),  # just past that: the inversion
]


@pytest.mark.parametrize("one_for_all", [False, True], ids=["per-group p", "one p (sweep)"])
@pytest.mark.parametrize(("n", "p"), CASES)
def test_draws_follow_the_binomial_law(n: int, p: float, one_for_all: bool) -> None:
    size = 200_000
    bits = draws.stream(np.random.default_rng(20261202))
    x = draws.binom(bits, np.full(size, n, dtype=np.int64), p if one_for_all else np.full(size, p))
    assert x.min() >= 0 and x.max() <= n
    # chi-square against the exact pmf, pooling the tails so that each cell expects >= 20 draws;
    # the pmf is tabled only over a window holding every draw and every cell that expects 20
    # (a cell's chance is then >= 1e-4, far inside 1e-9 tails), the tails read from the cdf:
    # the same cells as a table over 0..n, but 20,000,000 people took 9.5 s to table, now 0.2 s
    a = int(min(x.min(), stats.binom.ppf(1e-9, n, p)))
    b = int(max(x.max(), stats.binom.isf(1e-9, n, p)))
    k = np.arange(a, b + 1)
    pmf = stats.binom.pmf(k, n, p) * size
    observed = np.bincount(x - a, minlength=k.size).astype(float)
    keep = pmf >= 20
    lo, hi = np.flatnonzero(keep)[0], np.flatnonzero(keep)[-1]
    low_e, high_e = stats.binom.cdf(k[lo], n, p), stats.binom.sf(k[hi] - 1, n, p)
    cells_e = np.concatenate([[low_e * size], pmf[lo + 1 : hi], [high_e * size]])
    cells_o = np.concatenate(
        [[observed[: lo + 1].sum()], observed[lo + 1 : hi], [observed[hi:].sum()]]
    )
    if cells_e.size < 2:  # all the mass in one cell: the draws must all fall in it
        assert observed[lo : hi + 1].sum() == size
        return
    chi2 = float(((cells_o - cells_e) ** 2 / cells_e).sum())
    assert stats.chi2.sf(chi2, cells_e.size - 1) > 1e-4, (n, p, chi2)


def test_the_sweep_over_mixed_groups_keeps_each_groups_law() -> None:
    # groups of different sizes in one sweep: each keeps its own mean and variance
    sizes = np.array([0, 1, 2, 5, 40, 700, 20_000], dtype=np.int64)
    reps = 40_000
    p = 0.004
    bits = draws.stream(np.random.default_rng(8))
    x = np.stack([draws.binom(bits, sizes, p) for _ in range(reps)])
    mean, var = sizes * p, sizes * p * (1 - p)
    fourth = var * (1 + 3 * (sizes - 2) * p * (1 - p))  # the binomial's fourth central moment
    assert np.all(np.abs(x.mean(axis=0) - mean) <= 5 * np.sqrt(var / reps) + 1e-12)
    assert np.all(np.abs(x.var(axis=0) - var) <= 5 * np.sqrt((fourth - var**2) / reps) + 1e-12)


def test_the_seed_fixes_the_draws() -> None:
    n = np.full(1000, 50, dtype=np.int64)
    first, second = draws.stream(np.random.default_rng(3)), draws.stream(np.random.default_rng(3))
    a = draws.binom(first, n, 0.2)
    b = draws.binom(first, n, 0.2)
    assert not np.array_equal(a, b)  # the stream moved on
    assert np.array_equal(draws.binom(second, n, 0.2), a)
    assert np.array_equal(draws.binom(second, n, 0.2), b)
    other = draws.stream(np.random.default_rng(4))
    assert not np.array_equal(draws.binom(other, n, 0.2), a)


def test_uniforms_are_uniform() -> None:
    bits = draws.stream(np.random.default_rng(5))
    u = draws.binom(bits, np.full(200_000, 1, dtype=np.int64), 0.5)  # one uniform each
    assert abs(u.mean() - 0.5) < 5 * 0.5 / np.sqrt(u.size)
    # successive uniforms are not correlated: pairs of coin flips fall evenly in four cells
    pairs = np.bincount(u[0::2] * 2 + u[1::2], minlength=4)
    assert stats.chisquare(pairs).pvalue > 1e-4


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 10**7), min_size=1, max_size=40),
    st.floats(-0.5, 1.5, allow_nan=False),
    st.integers(0, 2**32 - 1),
)
def test_draws_stay_within_the_group(counts: list[int], p: float, seed: int) -> None:
    n = np.array(counts, dtype=np.int64)
    bits = draws.stream(np.random.default_rng(seed))
    x = draws.binom(bits, n, p)
    assert np.all(x >= 0) and np.all(x <= n)
    if p <= 0:
        assert not x.any()
    if p >= 1:
        assert np.array_equal(x, n)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 10**6), min_size=1, max_size=30),
    st.lists(st.floats(0, 0.3), min_size=1, max_size=4),
    st.integers(0, 2**32 - 1),
)
def test_competing_events_split_each_person_once(
    counts: list[int], probs: list[float], seed: int
) -> None:
    n = np.array(counts, dtype=np.int64)
    total = np.full(n.size, min(1.0, sum(probs)))
    shares = np.zeros((len(probs) - 1, n.size))
    left = sum(probs)
    for row, q in enumerate(probs[:-1]):
        shares[row] = q / left if left > 0 else 0.0
        left -= q
    bits = draws.stream(np.random.default_rng(seed))
    out = draws.competing(bits, n, total, shares, draws.hazards(total))
    assert out.shape == (len(probs), n.size)
    assert np.all(out >= 0)
    assert np.all(out.sum(axis=0) <= n)


def test_competing_sparse_keeps_only_the_groups_with_events() -> None:
    """The sparse form (criminality's) draws what the table form draws from the same stream:
    the groups it returns are exactly those with an event, in order, with the same counts,
    and it grows its store past its first 64 rows without losing any."""
    size = 5_000
    n = np.random.default_rng(3).integers(0, 40, size=size).astype(np.int64)
    total = np.full(size, 0.01)
    shares = np.vstack([np.full(size, 0.3), np.full(size, 0.5)])
    state = draws.stream(np.random.default_rng(4))
    table = draws.competing(state.copy(), n, total, shares, draws.hazards(total))
    where, counts = draws.competing_sparse(state, n, total, draws.hazards(total), shares)
    assert where.size > 64  # past the first store
    np.testing.assert_array_equal(where, np.flatnonzero(table.sum(axis=0)))
    np.testing.assert_array_equal(counts, table[:, where].T)


def test_competing_events_have_multinomial_means() -> None:
    probs = np.array([0.02, 0.05, 0.01])
    size = 20_000
    n = np.full(size, 100, dtype=np.int64)
    shares = np.array([probs[0] / probs.sum(), probs[1] / probs[1:].sum()])[:, None].repeat(
        size, axis=1
    )
    bits = draws.stream(np.random.default_rng(11))
    total = np.full(size, probs.sum())
    out = draws.competing(bits, n, total, shares, draws.hazards(total))
    means = out.mean(axis=1)
    sd = np.sqrt(100 * probs * (1 - probs) / size)
    assert np.all(np.abs(means - 100 * probs) < 5 * sd)


@pytest.mark.parametrize("want", [2, 40])
@pytest.mark.parametrize("by_sorted_uniforms", [True, False], ids=["sorted", "binomials"])
def test_a_capacity_round_is_a_multinomial(want: int, by_sorted_uniforms: bool) -> None:
    room = np.array([0, 5, 0, 20, 75, 0, 0, 100, 0, 0], dtype=np.int64)  # 10 groups
    reps = 30_000
    bits = draws.stream(np.random.default_rng(12))
    x = np.stack(
        [
            draws._multinomial_round(bits, room, int(room.sum()), want, by_sorted_uniforms)
            for _ in range(reps)
        ]
    )
    assert np.all(x.sum(axis=1) == want)
    assert not x[:, room == 0].any()
    share = room / room.sum()
    mean, var = want * share, want * share * (1 - share)
    assert np.all(np.abs(x.mean(axis=0) - mean) <= 5 * np.sqrt(var / reps) + 1e-12)
    assert np.all(np.abs(x.var(axis=0) - var) <= 0.05 * var + 1e-12)


@pytest.mark.parametrize("mean", [0.3, 4.0, 9.9, 10.5, 60.0, 9000.0])
def test_poisson_draws_follow_the_poisson_law(mean: float) -> None:
    # by multiplying uniforms below a mean of 10, by transformed rejection above
    size = 100_000
    bits = draws.stream(np.random.default_rng(31))
    x = np.array([draws.poisson(bits, mean) for _ in range(size)])
    assert x.min() >= 0
    top = int(mean + 12 * np.sqrt(mean) + 20)
    pmf = stats.poisson.pmf(np.arange(top), mean) * size
    observed = np.bincount(np.minimum(x, top - 1), minlength=top).astype(float)
    keep = np.flatnonzero(pmf >= 20)
    lo, hi = keep[0], keep[-1]
    cells_e = np.concatenate([[pmf[: lo + 1].sum()], pmf[lo + 1 : hi], [size - pmf[:hi].sum()]])
    cells_o = np.concatenate(
        [[observed[: lo + 1].sum()], observed[lo + 1 : hi], [observed[hi:].sum()]]
    )
    chi2 = float(((cells_o - cells_e) ** 2 / cells_e).sum())
    assert stats.chi2.sf(chi2, cells_e.size - 1) > 1e-4, (mean, chi2)
    assert draws.poisson(bits, 0.0) == 0


def test_a_spread_is_a_multinomial_that_places_everyone() -> None:
    weights = np.array([0.0, 3.0, 1.0, 0.0, 6.0, 0.0])
    bits = draws.stream(np.random.default_rng(32))
    reps, total = 20_000, 37
    x = np.stack([draws.spread(bits, total, weights) for _ in range(reps)])
    assert np.all(x.sum(axis=1) == total)  # nobody stranded by rounding
    assert not x[:, weights == 0].any()
    share = weights / weights.sum()
    mean, var = total * share, total * share * (1 - share)
    assert np.all(np.abs(x.mean(axis=0) - mean) <= 5 * np.sqrt(var / reps) + 1e-12)
    assert np.all(np.abs(x.var(axis=0) - var) <= 0.05 * var + 1e-12)
    # the covariance of a multinomial: -n p_i p_j
    assert abs(np.cov(x[:, 1], x[:, 4])[0, 1] + total * share[1] * share[4]) < 0.3


def test_exponentials_follow_the_exponential_law() -> None:
    # the ziggurat: strips, wedges and the tail beyond its first strip all in proportion
    import numba

    @numba.njit
    def many(state: np.ndarray, size: int) -> np.ndarray:
        out = np.empty(size)
        for i in range(size):
            out[i] = draws.exponential(state)
        return out

    size = 2_000_000
    x = many(draws.stream(np.random.default_rng(33)), size)
    assert x.min() >= 0
    assert stats.kstest(x, "expon").pvalue > 1e-4
    # the tail beyond the first strip (probability e^-r) and a wedge-heavy band near zero
    for lo, hi in ((draws.ZIGGURAT_X[1], np.inf), (0.0, 0.05), (2.0, 2.2)):
        p = np.exp(-lo) - np.exp(-hi)
        got = np.count_nonzero((x >= lo) & (x < hi))
        assert abs(got - size * p) <= 5 * np.sqrt(size * p * (1 - p)), (lo, hi)
    assert abs(x.mean() - 1) < 5 / np.sqrt(size) and abs(x.var() - 1) < 5 * np.sqrt(8 / size)


@pytest.mark.parametrize("keep", [300, 2_700], ids=["few-taken", "few-left"])
def test_a_capacity_takes_each_group_in_proportion(keep: int) -> None:
    # when more are taken than left, those left are drawn instead: either way each group gives
    # its share of the people taken, with a spread between sampling without replacement and
    # with it (the rounds are exact only as the fewer drawn become few against the groups)
    counts = np.array([0, 400, 1_000, 0, 1_600, 0], dtype=np.int64)
    reps = 4_000
    bits = draws.stream(np.random.default_rng(33))
    x = np.stack([draws.cap(bits, counts, float(keep)) for _ in range(reps)])
    assert np.all(x.sum(axis=1) == keep)
    assert np.all(x <= counts) and not x[:, counts == 0].any()
    total = counts.sum()
    share = counts / total
    mean = keep * share
    var = keep * share * (1 - share) * (total - keep) / (total - 1)  # hypergeometric
    live = counts > 0
    assert np.all(np.abs(x.mean(axis=0) - mean)[live] <= 5 * np.sqrt(var[live] / reps))
    fewer = min(keep, total - keep)
    ratio = x.var(axis=0)[live] / var[live]
    assert np.all(ratio > 0.92)
    assert np.all(ratio < 1.08 * (total - 1) / (total - fewer))  # the multinomial's spread


def test_a_listed_take_takes_what_the_table_would() -> None:
    # capacity.take_listed (custody's candidates as a list) against capacity.take_rows over
    # the same candidates as a table. By hand, with room for all: row 0 (stock 0) asks 3 of
    # group 0 and 5 of group 2, row 1 (stock 1) 2 of group 0 and 4 of group 1, which holds
    # only 1: 3 + 5 + 2 + 1 = 11 taken, 8 counted in channel 0 and 3 in channel 1.
    from immsim.engine import capacity

    table = np.array([[3, 0, 5], [2, 4, 0]], dtype=np.int64)
    found, groups, of_row = np.array([3, 5, 2, 4]), np.array([0, 2, 0, 1]), np.array([0, 0, 1, 1])
    sources, channels = np.array([0, 1]), np.array([0, 1])
    start = np.array([[4, 1, 9], [2, 1, 0]], dtype=np.int64)
    for limit, want in ((100.0, 11), (6.0, 6)):
        outcomes = []
        for listed in (True, False):
            bits = draws.stream(np.random.default_rng(5))
            stocks, taken, out = start.copy(), np.zeros_like(start), np.zeros(2)
            if listed:
                cut, n = capacity.take_listed(
                    bits, stocks, found, groups, of_row, sources, channels, limit, out, taken
                )
            else:
                cut, n = capacity.take_rows(
                    bits, stocks, table, np.arange(2), sources, channels, limit, out, taken
                )
            assert n == taken.sum() == out.sum() and np.array_equal(stocks + taken, start)
            outcomes.append((cut, n, taken.tolist(), out.tolist(), bits.tolist()))
        assert outcomes[0] == outcomes[1]  # the same takes and the same draws after
        cut, n, taken_list, out_list, _ = outcomes[0]
        if limit == 100.0:
            assert not cut and n == want and taken_list == [[3, 0, 5], [2, 1, 0]]
            assert out_list == [8.0, 3.0]
        else:  # 14 asked (11 there), 6 allowed: a cut, and at most 6 taken
            assert cut and n <= want


def _choose_by_rounds(state: draws.Stream, full: np.ndarray, total: int, keep: int) -> np.ndarray:
    """``draws.choose`` as its docstring states it: rounds of ``_multinomial_round`` on the room
    left, each group's draws capped by its room (an overshoot is drawn again in the next round),
    the fewer of those taken and those left drawn."""
    left_out = total - keep < keep
    want = total - keep if left_out else keep
    chosen = np.zeros(full.size, dtype=np.int64)
    while want - chosen.sum() > 0:
        left = int(want - chosen.sum())
        room = full - chosen
        drawn = draws._multinomial_round(
            state, room, int(room.sum()), left, left <= draws.SORTED_MAX_DRAWS_PER_GROUP * full.size
        )
        chosen += np.minimum(drawn, room)
    out: np.ndarray = full - chosen if left_out else chosen
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(1, 60), min_size=1, max_size=40),
    st.floats(0.001, 0.999),
    st.integers(0, 2**32 - 1),
)
def test_a_choice_draws_as_rounds_of_the_multinomial(
    full: list[int], share: float, seed: int
) -> None:
    # the choice keeps each round's points as it places them, with no table of the round's
    # draws: the same people chosen and the stream left in the same state as the rounds by
    # hand, whether by sorted uniforms or by binomials, in one round or several (groups of
    # one person overshoot often, so a choice of half of them takes many rounds)
    counts = np.array(full, dtype=np.int64)
    total = int(counts.sum())
    keep = min(total - 1, max(1, round(share * total)))
    if total < 2:
        return
    a = draws.stream(np.random.default_rng(seed))
    b = a.copy()
    expected = _choose_by_rounds(a, counts, total, keep)
    got = draws.choose(b, counts, total, keep)
    assert got.tolist() == expected.tolist()
    assert int(got.sum()) == keep and np.all((got >= 0) & (got <= counts))
    assert a.tolist() == b.tolist()


def test_a_choice_of_half_of_many_single_people_takes_several_rounds() -> None:
    # by hand: 400 groups of one person, 200 of them chosen, drawn as 200 points on 400 slots,
    # so some fall twice in a slot (the chance that none does is about e^-50) and a second
    # round is needed; it still takes exactly 200 distinct people, as the rounds by hand do
    counts = np.ones(400, dtype=np.int64)
    a = draws.stream(np.random.default_rng(3))
    b = a.copy()
    first = draws._multinomial_round(a.copy(), counts, 400, 200, True)
    assert first.max() > 1  # the first round overshoots
    expected = _choose_by_rounds(a, counts, 400, 200)
    got = draws.choose(b, counts, 400, 200)
    assert got.tolist() == expected.tolist() and int(got.sum()) == 200 and got.max() == 1
    assert a.tolist() == b.tolist()
