"""Exact binomial draws over engine groups, compiled with numba.

A run makes some twenty million binomial draws (one per group, stock and event, every week), and
in most of them the expected count is far below one. NumPy's sampler pays a logarithm and an
exponential for each, and the Python around it pays for finding the non-empty groups and
scattering the results back. Here one compiled loop does both:

* where groups share a probability, or its hazard ``-log(1 - p)`` is known, they are swept
  with one unit-rate exponential clock: a group of ``n`` has no event when the clock outlasts
  ``n * hazard`` (probability ``(1 - p)^n``), and the clock runs on by that much, being
  memoryless. A group with no event costs a multiplication; one with an event is walked person
  by person when few are expected, or its count is drawn given at least one event (see
  :func:`walk`);
* every sweep compares the clock with a group's ``n * hazard`` before it tests the group for
  being empty or having no chance: such a group has ``h = 0``, passes, and leaves the clock as
  it was (``clock - 0.0`` is ``clock``), which is what skipping it did; only groups whose clock
  ran out, or where ``0 * inf`` (an empty group at a chance of one) is not a number, reach the
  second test. Testing emptiness first cost a mispredicted branch in about half the groups of
  a run by area (empty and occupied groups alternate): a week's three criminality sweeps over
  62,000 groups took 0.40 ms against 0.155 ms so, the same clock and draws (2026-12-05, least
  thread time of 60, a week a year into the default run by area);
* elsewhere most zeros are decided with one uniform and one comparison: ``(1 - p)^n >= 1 - n p``
  (Bernoulli's inequality), so a uniform below ``1 - n p`` is below the probability of no event,
  the decision the inversion would reach;
* up to ``BERNOULLI_MAX_N`` people, one uniform per person;
* otherwise inversion from zero up for a mean up to ``INVERSION_MAX_MEAN`` (exact: inversion in
  any fixed order of the outcomes), and rejection above it (:func:`_rejection`, exact too).

The uniforms come from a xoshiro256++ stream (Blackman and Vigna, 2018; Julia's default
generator) held in a four-word array that the run owns and seeds from its
``numpy.random.Generator``. It is written here rather than taken from NumPy because the loops
must draw inline: NumPy's generators can only be called through a pointer (about 6 ns a draw,
and 12 µs a call to unpack the ``Generator``), against about 1 ns here, and most of a run's time
is these draws. A seed therefore fixes every number a run draws, whatever the number of
workers, and no state is shared between runs or threads.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from immsim.engine.compiled import inline, jit

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
Stream = NDArray[np.uint64]

INVERSION_MAX_MEAN = 10.0
"""Above this mean the inversion from zero gets long: draws are made by rejection instead."""

BERNOULLI_MAX_N = 3
"""Up to this many people, one uniform per person (cheaper than the inversion's setup)."""

SORTED_MAX_DRAWS_PER_GROUP = 2
"""A capacity round places its draws as sorted uniforms when they number at most this many per
group with room, and as conditional binomials beyond (measured: the two cost the same at about
two draws a group)."""

_U = np.uint64


def stream(rng: np.random.Generator) -> Stream:
    """A new uniform stream for the compiled draws, seeded from ``rng`` (four 64-bit words;
    never all zero, the one state xoshiro cannot leave)."""
    state = rng.integers(0, 2**64, size=4, dtype=np.uint64)
    if not state.any():
        state[0] = 1
    return state


@inline
def _rotl(x: np.uint64, k: int) -> np.uint64:
    return (x << _U(k)) | (x >> _U(64 - k))


@inline
def bits64(state: Stream) -> np.uint64:
    """The next 64 random bits of the stream, advancing it in place."""
    s0, s1, s2, s3 = state[0], state[1], state[2], state[3]
    result = _rotl(s0 + s3, 23) + s0
    t = s1 << _U(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    state[0], state[1], state[2], state[3] = s0, s1, s2, s3
    word: np.uint64 = result
    return word


@inline
def uniform(state: Stream) -> float:
    """The next uniform in [0, 1) of the stream (53 random bits)."""
    return float(bits64(state) >> _U(11)) * (1.0 / 9007199254740992.0)


def _ziggurat(layers: int, r: float, v: float) -> tuple[FloatArray, FloatArray]:
    """Marsaglia and Tsang's ziggurat for the exponential density (2000, "The ziggurat method
    for generating random variables", J. Statist. Software 5(8)): ``layers`` strips of equal
    area ``v`` under exp(-x), the first ending at ``r`` with the tail beyond. Returns each
    strip's right edge x_0 > x_1 = r > … > x_layers = 0, and exp(-x) there."""
    x = np.empty(layers + 1)
    x[0] = v / math.exp(-r)
    x[1] = r
    for i in range(1, layers):
        x[i + 1] = -math.log(math.exp(-x[i]) + v / x[i])
    assert abs(x[layers]) < 1e-6, x[layers]  # the strips close at the top of the density
    x[layers] = 0.0
    return x, np.exp(-x)


ZIGGURAT_X, ZIGGURAT_F = _ziggurat(256, 7.69711747013104972, 0.0039496598225815571993)
"""Marsaglia and Tsang's 256 strips (their r and v)."""


@jit
def _from_zero(state: Stream, n: int, p: float, u: float) -> int:
    """Binomial(n, p) for 0 < p <= 1/2 and a mean up to ``INVERSION_MAX_MEAN``, by inversion
    of the uniform ``u`` (a new one if rounding carries it past the last outcome considered)."""
    mean = n * p
    while True:
        f = math.exp(n * math.log1p(-p))
        if u < f:
            return 0
        bound = min(n, int(mean + 10.0 * math.sqrt(mean * (1.0 - p) + 1.0)))
        ratio = p / (1.0 - p)
        k = 0
        u -= f
        while k < bound:
            f *= ratio * (n - k) / (k + 1)
            k += 1
            if u < f:
                return k
            u -= f
        # rounding carried u past a bound that holds all but ~1e-20 of the mass: draw again
        u = uniform(state)


@jit
def _rejection(state: Stream, n: int, p: float) -> int:
    """Binomial(n, p) for p <= 1/2 and a mean of at least ``INVERSION_MAX_MEAN``: Hörmann's
    transformed rejection with squeeze (BTRS; Hörmann 1993, "The generation of binomial random
    variates", J. Statist. Comput. Simul. 46). A pair of uniforms gives a candidate from a hat
    over the pmf; most are accepted by the squeeze with no logarithm, the rest by comparing with
    the exact pmf ratio to the mode (log-gamma), so the draws follow the law exactly. About 1.2
    pairs a draw, whatever the mean."""
    q = 1.0 - p
    spread = math.sqrt(n * p * q)
    b = 1.15 + 2.53 * spread
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    squeeze = 0.92 - 4.2 / b
    alpha = (2.83 + 5.1 / b) * spread
    log_ratio = math.log(p / q)
    mode = math.floor((n + 1) * p)
    at_mode = math.nan  # log-gamma terms of the mode, only if a candidate needs them
    while True:
        u = uniform(state) - 0.5
        v = uniform(state)
        us = 0.5 - abs(u)
        if us <= 0.0:
            continue
        k = math.floor((2.0 * a / us + b) * u + c)
        if k < 0 or k > n:
            continue
        if us >= 0.07 and v <= squeeze:
            return k
        if math.isnan(at_mode):
            at_mode = math.lgamma(mode + 1.0) + math.lgamma(n - mode + 1.0)
        v = math.log(v * alpha / (a / (us * us) + b))
        if v <= at_mode - math.lgamma(k + 1.0) - math.lgamma(n - k + 1.0) + (k - mode) * log_ratio:
            return k


@inline
def binomial(state: Stream, n: int, p: float) -> int:
    """One Binomial(n, p) draw; n <= 0 or p <= 0 give 0 and consume no random number."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    if n <= BERNOULLI_MAX_N:  # a few people: one uniform each beats the inversion's exp and log
        k = 0
        for _ in range(n):
            if uniform(state) < p:
                k += 1
        return k
    q = min(p, 1.0 - p)
    mean = n * q
    if mean > INVERSION_MAX_MEAN:
        # int(n): inside numba's type inference an inlined count can pass as the literal 0
        k = _rejection(state, int(n), q)
    else:
        u = uniform(state)
        # below 1 - nq <= (1 - q)^n, the probability of no event: decided without exp or log
        k = 0 if u < 1.0 - mean else _from_zero(state, int(n), q, u)
    return n - k if p > 0.5 else k


@jit
def poisson(state: Stream, mean: float) -> int:
    """One Poisson(mean) draw: by multiplying uniforms for a small mean, and above
    ``INVERSION_MAX_MEAN`` by Hörmann's transformed rejection (PTRS; Hörmann 1993, "The
    transformed rejection method for generating Poisson random variables", Insurance:
    Mathematics and Economics 12), exact as BTRS is for the binomial."""
    if mean <= 0.0:
        return 0
    if mean < INVERSION_MAX_MEAN:
        limit = math.exp(-mean)
        k = 0
        product = uniform(state)
        while product > limit:
            k += 1
            product *= uniform(state)
        return k
    root = math.sqrt(mean)
    log_mean = math.log(mean)
    b = 0.931 + 2.53 * root
    a = -0.059 + 0.02483 * b
    log_alpha = math.log(1.1239 + 1.1328 / (b - 3.4))
    squeeze = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        u = uniform(state) - 0.5
        v = uniform(state)
        us = 0.5 - abs(u)
        if us <= 0.0 or v <= 0.0:
            continue
        k = math.floor((2.0 * a / us + b) * u + mean + 0.43)
        if k < 0:
            continue
        if us >= 0.07 and v <= squeeze:
            return k
        if us < 0.013 and v > us:
            continue
        if math.log(v) + log_alpha - math.log(a / (us * us) + b) <= (
            -mean + k * log_mean - math.lgamma(k + 1.0)
        ):
            return k


@jit
def spread(state: Stream, total: int, weights: FloatArray) -> IntArray:
    """``total`` people shared over groups in proportion to ``weights``: a multinomial draw,
    made as one binomial per group for its share of what is left."""
    out = np.zeros(weights.size, dtype=np.int64)
    last = -1
    for i in range(weights.size):
        if weights[i] > 0.0:
            last = i
    mass = weights.sum()
    left = total
    for i in range(last + 1):
        if left <= 0:
            break
        if weights[i] <= 0.0:
            continue
        # the last group takes whatever is left (rounding never strands anyone)
        x = left if i == last else binomial(state, left, min(1.0, weights[i] / mass))
        out[i] = x
        left -= x
        mass -= weights[i]
    return out


@inline
def exponential(state: Stream) -> float:
    """A standard exponential draw (the time to the next event at unit rate), by the ziggurat:
    a strip is chosen at random (all have the same area) and a point in it; 99% of points fall
    where the strip lies wholly under the density and are taken at once, the rest are taken if
    under the density (one exponential function), and the base strip's overhang is the tail,
    ``r`` plus an exponential (memoryless). One random word for most draws, and no logarithm."""
    while True:
        word = bits64(state)
        strip = int(word & _U(255))
        x = float(word >> _U(11)) * (1.0 / 9007199254740992.0) * float(ZIGGURAT_X[strip])
        if x < ZIGGURAT_X[strip + 1]:
            return x
        if strip == 0:
            return float(ZIGGURAT_X[1]) - math.log(1.0 - uniform(state))
        low, high = float(ZIGGURAT_F[strip]), float(ZIGGURAT_F[strip + 1])
        if low + uniform(state) * (high - low) < math.exp(-x):
            return x


@jit
def positive(state: Stream, n: int, p: float, hazard: float) -> int:
    """Binomial(n, p) given at least one event, where ``hazard`` is ``-log(1 - p)``: inversion of
    the conditional law from one up (or, where no event is unlikely anyway, draws until one)."""
    if p >= 1.0:
        return n
    if n == 1:
        return 1
    q = min(p, 1.0 - p)
    if p > 0.5 or n * q > INVERSION_MAX_MEAN:  # no event: below 1/4 here, often far below
        while True:
            k = binomial(state, n, p)
            if k > 0:
                return k
    mean = n * p
    bound = min(n, int(mean + 10.0 * math.sqrt(mean * (1.0 - p) + 1.0)) + 1)
    ratio = p / (1.0 - p)
    while True:
        v = -math.expm1(-n * hazard) * uniform(state)  # uniform over the mass of one or more
        f = n * p * math.exp(-(n - 1) * hazard)  # P(X = 1)
        k = 1
        while True:
            if v < f:
                return k
            if k >= bound:
                break  # rounding carried v past the bound: draw again
            v -= f
            f *= ratio * (n - k) / (k + 1)
            k += 1


WALK_MAX_MEAN = 3.0
"""A group with an event and at most this many expected is walked person by person (one
exponential per person with the event); above it the count is drawn given one event."""


@inline
def walk(state: Stream, n: int, p: float, hazard: float, clock: float) -> tuple[int, float]:
    """The people with an event in a group of ``n`` that the sweep's ``clock`` (below
    ``n * hazard``) says has one, and the clock for the groups after it.

    The clock is the time to the next point of a unit-rate Poisson process on the groups laid
    end to end, each person an interval of length ``hazard``: a person has the event when their
    interval holds a point (probability ``p``). The first point falls on person
    ``floor(clock / hazard)``; the next that counts is the first after that person's interval,
    an exponential later (the process is memoryless); the first past the group's end is the
    next group's clock. Where many are expected, the count is drawn given at least one
    (:func:`positive`) and the clock starts afresh."""
    if p >= 1.0 or n * p > WALK_MAX_MEAN:
        return positive(state, n, p, hazard), exponential(state)
    end = n * hazard
    k = 0
    last = -1
    while True:
        person = max(int(clock / hazard), last + 1)  # rounding never counts anyone twice
        if person >= n:  # rounding carried the point past the last person
            return k, exponential(state)
        k += 1
        last = person
        clock = (person + 1) * hazard + exponential(state)
        if clock >= end:
            return k, clock - end


@jit
def sweep_all(state: Stream, n: IntArray, p: float) -> IntArray:
    out = np.zeros(n.size, dtype=np.int64)
    if p <= 0.0:
        return out
    hazard = -math.log1p(-p) if p < 1.0 else math.inf
    clock = exponential(state)
    for i in range(n.size):
        h = n[i] * hazard
        if clock >= h:  # no event in this group: the clock runs on (it is memoryless)
            clock -= h  # an empty group's h is 0: the clock is unchanged (see the module's notes)
            continue
        if n[i] == 0:  # 0 times an infinite hazard (p = 1)
            continue
        out[i], clock = walk(state, n[i], p, hazard, clock)
    return out


@jit
def binom_each(state: Stream, n: IntArray, p: FloatArray) -> IntArray:
    out = np.zeros(n.size, dtype=np.int64)
    for i in range(n.size):
        if n[i] > 0:
            out[i] = binomial(state, n[i], p[i])
    return out


def hazards(p: FloatArray) -> FloatArray:
    """``-log(1 - p)`` per group: what a sweep over the groups needs besides ``p`` (worth
    computing once for a probability array that many weeks share)."""
    q = np.clip(np.asarray(p, dtype=np.float64), 0.0, 1.0)
    with np.errstate(divide="ignore"):
        out: FloatArray = -np.log1p(-q)
    return out


@jit
def competing_sparse_into(
    state: Stream,
    n: IntArray,
    total: FloatArray,
    hazard: FloatArray,
    shares: FloatArray,
    where: IntArray,
    counts: IntArray,
) -> int:
    """:func:`competing`'s draws for the groups with any event only, written into ``where``
    (their indices, ascending) and ``counts`` (a row of event counts for each, the events'
    order, the last whoever is left after the shared ones); returns how many groups had one.
    ``where`` and ``counts`` need room for every group (``n.size`` rows); only the first rows
    returned are written.

    Most groups have no event in a week (criminal charges: some 4,000 of 62,000 groups with
    areas), and a table of every group's events costs a zeroed array and a pass over it to find
    the few rows written, which was a third of the criminality stage's time; so only the groups
    with events are kept. The store is the caller's, allocated once for all its sweeps: a store
    grown by doubling inside this loop (until 2026-12-05) made numba keep the reassigned arrays'
    reference counts and reload them at every group, and cost 0.59 of the criminality stage's
    1.29 ms by area (the same draws into buffers allocated once: 0.70 ms; least thread time of
    40 on a week a year into the default run by area). The draws are those of
    :func:`competing_into`, in the same order. (Where the caller wants the table anyway, as the
    lead channels do, :func:`competing_into` writes it directly. The two loops are alike on
    purpose: one inlined step of the sweep shared by both, with the table's orientation as an
    argument, made criminality, custody and leads four to five times slower, measured by
    ``benchmarks/profile_week.py --areas``.)"""
    events = shares.shape[0] + 1
    m = 0
    clock = exponential(state)
    for i in range(n.size):
        h = n[i] * hazard[i]
        if clock >= h:  # nobody in this group has any of the events (see the module's notes)
            clock -= h
            continue
        if n[i] == 0 or total[i] <= 0.0:
            continue
        left, clock = walk(state, n[i], total[i], hazard[i], clock)
        for e in range(events - 1):
            got = binomial(state, left, shares[e, i]) if left > 0 else 0
            counts[m, e] = got
            left -= got
        counts[m, events - 1] = left
        where[m] = i
        m += 1
    return m


def competing_sparse(
    state: Stream, n: IntArray, total: FloatArray, hazard: FloatArray, shares: FloatArray
) -> tuple[IntArray, IntArray]:
    """:func:`competing_sparse_into` with a store of its own: the groups with any event (their
    indices, ascending) and a row of event counts for each."""
    where = np.empty(n.size, dtype=np.int64)
    counts = np.empty((n.size, shares.shape[0] + 1), dtype=np.int64)
    m = competing_sparse_into(state, n, total, hazard, shares, where, counts)
    return where[:m], counts[:m]


@jit
def competing_into(
    state: Stream,
    n: IntArray,
    total: FloatArray,
    hazard: FloatArray,
    shares: FloatArray,
    out: IntArray,
) -> None:
    """:func:`competing` into ``out``, which holds zeros (only groups with events are written)."""
    events = shares.shape[0] + 1
    clock = exponential(state)
    for i in range(n.size):
        h = n[i] * hazard[i]
        if clock >= h:  # nobody in this group has any of the events (see the module's notes)
            clock -= h
            continue
        if n[i] == 0 or total[i] <= 0.0:
            continue
        left, clock = walk(state, n[i], total[i], hazard[i], clock)
        for e in range(events - 1):
            if left == 0:
                break
            got = binomial(state, left, shares[e, i])
            out[e, i] = got
            left -= got
        out[events - 1, i] = left


def binom(state: Stream, n: IntArray, p: FloatArray | float) -> IntArray:
    """Binomial draws, one per group: ``n`` people, each with probability ``p`` (per group or
    one for all). Probabilities outside [0, 1] are read as the nearer end. With one ``p`` for
    all, the groups are swept with one exponential clock (see the module's notes), which decides
    a group with no event by a multiplication."""
    counts = np.ascontiguousarray(n, dtype=np.int64)
    if isinstance(p, np.ndarray) and p.ndim:
        result: IntArray = binom_each(state, counts, np.ascontiguousarray(p, dtype=np.float64))
    else:
        result = sweep_all(state, counts, float(p))
    return result


def competing(
    state: Stream, n: IntArray, total: FloatArray, shares: FloatArray, hazard: FloatArray
) -> IntArray:
    """Competing events among ``n`` people in each group, at most one each: a multinomial draw
    per group, made as one binomial for anyone having an event (probability ``total``, hazard
    ``-log(1 - total)``) and then each event's share of those left (row ``e`` of ``shares``).
    Returns one row per event, the last being whoever is left after the shared ones."""
    table = np.ascontiguousarray(shares, dtype=np.float64).reshape(-1, n.size)
    out = np.zeros((table.shape[0] + 1, n.size), dtype=np.int64)
    competing_into(
        state,
        np.ascontiguousarray(n, dtype=np.int64),
        np.ascontiguousarray(total, dtype=np.float64),
        np.ascontiguousarray(hazard, dtype=np.float64),
        table,
        out,
    )
    return out


@jit
def _multinomial_round(
    state: Stream, room: IntArray, mass: int, want: int, by_sorted_uniforms: bool
) -> IntArray:
    """``want`` people drawn with replacement in proportion to ``room``: a multinomial.

    Either as sorted uniforms (cumulated exponential spacings) placed on the groups laid end to
    end, which costs a logarithm per draw, or as conditional binomials group by group, which
    costs a binomial draw per group (see ``SORTED_MAX_DRAWS_PER_GROUP``)."""
    out = np.zeros(room.size, dtype=np.int64)
    if by_sorted_uniforms:
        spacings = np.empty(want + 1)
        for k in range(want + 1):
            spacings[k] = exponential(state)
        scale = mass / spacings.sum()
        position = 0.0
        i = 0
        edge = float(room[0])
        for k in range(want):
            position += spacings[k] * scale
            while position >= edge and i < room.size - 1:
                i += 1
                edge += room[i]
            out[i] += 1
        return out
    left_mass = mass
    for i in range(room.size):
        if room[i] == 0:
            continue
        x = binomial(state, want, room[i] / left_mass)
        left_mass -= room[i]
        want -= x
        out[i] = x
        if want == 0:
            break
    return out


@inline
def choose_into(
    state: Stream,
    full: IntArray,
    size: int,
    total: int,
    keep: int,
    chosen: IntArray,
    room: IntArray,
    spacings: FloatArray,
) -> None:
    """:func:`choose` of ``full[:size]`` written into ``chosen[:size]``, in buffers the caller
    allocates once (``chosen`` and ``room``: at least ``size``; ``spacings``: at least
    ``min(keep, total - keep) + 1``). The removals' cohorts choose for a few hundred groups a
    week by area, and five arrays allocated a call were most of their time (the removals by
    area 0.80-0.85 -> 0.61-0.64 ms, measured a year into the default run on 2026-12-05).

    Each round is :func:`_multinomial_round`'s draws on the room left (the same random numbers,
    the same arithmetic), its points kept into ``chosen`` as they are placed: a group's points
    are counted while the walk is in it and added, capped by its room, when the walk leaves it.
    Made as rounds of ``_multinomial_round`` (until 2026-12-05), a round cost six passes over
    the groups (the room, its sum, the zeroed draws, the placement, the cap, the sum of the
    chosen) and two new arrays; the pool of the week's collateral arrests by area is some 32,000
    groups and the court's released pending some 25,000, chosen every week (see
    ``docs/calibration.md``, branch ``spdG``, for what it saved)."""
    # choose whichever are fewer, those taken or those left: a uniform choice of either is a
    # uniform choice of the other, and rounds of few draws among many people are cheap and
    # near sampling without replacement
    left_out = total - keep < keep
    want = total - keep if left_out else keep
    for i in range(size):
        chosen[i] = 0
    got = 0
    left = want
    while left > 0:
        mass = 0
        for i in range(size):
            room[i] = full[i] - chosen[i]
            mass += room[i]
        if left <= SORTED_MAX_DRAWS_PER_GROUP * size:
            # sorted uniforms placed on the groups laid end to end (_multinomial_round)
            for k in range(left + 1):
                spacings[k] = exponential(state)
            scale = mass / spacings[: left + 1].sum()
            position = 0.0
            i = 0
            edge = float(room[0])
            here = 0  # the points placed in group i so far
            for k in range(left):
                position += spacings[k] * scale
                while position >= edge and i < size - 1:
                    if here > 0:  # a group's overshoot goes back into the next round
                        take = min(here, room[i])
                        chosen[i] += take
                        got += take
                        here = 0
                    i += 1
                    edge += room[i]
                here += 1
            take = min(here, room[i])
            chosen[i] += take
            got += take
        else:
            # conditional binomials group by group (_multinomial_round)
            rest = left
            left_mass = mass
            for i in range(size):
                if room[i] == 0:
                    continue
                x = binomial(state, rest, room[i] / left_mass)
                left_mass -= room[i]
                rest -= x
                take = min(x, room[i])
                chosen[i] += take
                got += take
                if rest == 0:
                    break
        left = want - got
    if left_out:
        for i in range(size):
            chosen[i] = full[i] - chosen[i]


@jit
def choose(state: Stream, full: IntArray, total: int, keep: int) -> IntArray:
    """``keep`` of the ``total`` people counted in ``full`` (every count positive), chosen at
    random (:func:`choose_into`, in arrays of its own)."""
    want = min(keep, total - keep)
    chosen = np.empty(full.size, dtype=np.int64)
    room = np.empty(full.size, dtype=np.int64)
    spacings = np.empty(max(want, 0) + 1)  # a round draws one more spacing than points left
    choose_into(state, full, full.size, total, keep, chosen, room, spacings)
    return chosen


@jit
def capped(state: Stream, counts: IntArray, limit: float) -> IntArray:
    total = counts.sum()
    # a limit past the counts cannot bind (clamped before the cast, undefined past int64)
    keep = max(0, math.floor(min(limit, total)))
    if keep == 0:
        return np.zeros_like(counts)
    if total <= keep:
        return counts.copy()
    where = np.flatnonzero(counts)  # most groups have nobody to take: leave them out
    out = np.zeros(counts.size, dtype=np.int64)
    out[where] = choose(state, counts[where], total, keep)
    return out


def cap(state: Stream, counts: IntArray, limit: float) -> IntArray:
    """At most ``limit`` of ``counts`` in all, chosen at random: a hard capacity that random
    draws can never overshoot.

    Exactly ``floor(limit)`` people are taken (when there are more), none from a group beyond
    its count. Taken in multinomial rounds (a round's overshoot in any group is put back and
    redrawn among the rest), which matches sampling without replacement when, as here, the
    number taken is small against the groups' sizes. When more are taken than left, those left
    are the ones drawn so, for the same reason."""
    taken: IntArray = capped(state, np.ascontiguousarray(counts, dtype=np.int64), float(limit))
    return taken
