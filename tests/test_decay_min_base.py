"""Tests for the fast base-bound search and its helpers in rope_viz.decay.

Run: ``pytest tests/test_decay_min_base.py``. The reference for every fast path is the
definition typed out directly: Σ_i cos(m·b^(−2i/d)) for every integer m, and a plain scan of
the grid ``start·(1 + rtol)^k``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import assert_close

import rope_viz
from rope_viz import decay


def direct_sums(base, length, dim):
    """(length,) Σ_i cos(m·θ_i), one cosine per (m, i)."""
    theta = base ** (-np.arange(0, dim, 2) / dim)
    return np.cos(np.multiply.outer(np.arange(length), theta)).sum(1)


def brute_force_min_sum(base, length, dim=128, chunk=8192):
    """min over every integer m < length of Σ_i cos(m·θ_i), one cosine per (m, i), float64."""
    theta = base ** (-np.arange(0, dim, 2) / dim)
    worst = np.inf
    for lo in range(0, length, chunk):
        m = np.arange(lo, min(length, lo + chunk), dtype=np.float64)
        worst = min(worst, np.cos(np.multiply.outer(m, theta)).sum(1).min())
    return worst


LENGTHS = [2**p for p in range(10, 21)]
ROBUST_LENGTHS = [n for n in LENGTHS if (n, 128) in decay.ROBUST_BASE_TABLE]

# An island of feasible bases at L = 2^18, d = 128, found by the certified search: 28 % below
# the value the old 0.1 % grid scan returned (3.27e7). Su's recomputation gives 2.4e7 here.
ISLAND_262K = 23_662_400.0


def test_island_below_the_old_grid_value_is_feasible_and_found():
    assert brute_force_min_sum(ISLAND_262K, 2**18) >= 0
    assert rope_viz.min_base_for_context(2**18) <= ISLAND_262K


@pytest.mark.parametrize("length, dim", [(10, 8), (50, 16), (300, 32), (700, 64), (1000, 128)])
def test_min_search_is_certified_against_a_fine_grid(length, dim):
    base, uncertified = decay._search_min_base(length, dim, 1e-9, 2.0)
    assert direct_sums(base, length, dim).min() >= 0
    # every uncertified piece lies just below the answer
    assert all(base / (1 + 1e-7) < lo < hi <= base * (1 + 1e-12) for lo, hi in uncertified)
    # an independent grid below the answer (ratio 1.0002, or 8000 points at most): all fail
    grid = np.geomspace(2.0, base, min(8000, int(np.log(base / 2.0) / np.log(1.0002))))[:-1]
    assert decay.min_cosine_sum(grid, length, dim).max() < 0
    assert direct_sums(base * (1 - 1e-7), length, dim).min() < 0


@pytest.mark.parametrize("length, dim", [(10, 8), (100, 16), (300, 32), (1000, 128)])
def test_robust_search_is_certified_against_a_fine_grid(length, dim):
    base, below, _ = decay._search_robust_base(length, dim, 1e-9, 2.0)
    assert direct_sums(base, length, dim).min() >= 0
    assert direct_sums(below, length, dim).min() < 0 and below < base
    top = decay._tail_start(length, dim)
    grid = np.geomspace(base, 4 * top, 3000)
    assert decay.min_cosine_sum(grid, length, dim).min() >= 0
    assert base >= decay._search_min_base(length, dim, 1e-9, 2.0)[0] * (1 - 1e-8)


@pytest.mark.parametrize("length, dim", [(5, 4), (100, 16), (4096, 128)])
def test_tail_start_bound(length, dim):
    top = decay._tail_start(length, dim)
    bases = top * np.geomspace(1, 1e6, 200)
    assert decay.min_cosine_sum(bases, length, dim).min() >= 0


STORED = sorted(decay.MIN_BASE_TABLE)  # every (length, dim) stored


def test_tables_cover_powers_of_two_from_1k_to_1m():
    powers = [(n, d) for n, d in STORED if n & (n - 1) == 0]  # the grid of powers of two
    assert [(n, d) for n, d in powers if d == 128 and n <= 2**20] == [(n, 128) for n in LENGTHS]
    # other rotary dims: powers of two from 1K, plus a few released models' contexts; each b*
    # non-decreasing in L (more distances, more constraints) and above L
    for dim in {d for _, d in STORED}:
        entries = [(n, b) for (n, d), b in sorted(decay.MIN_BASE_TABLE.items()) if d == dim]
        grid = [n for n, _ in entries if n & (n - 1) == 0]
        assert grid == [2**p for p in range(10, 10 + len(grid))]
        assert [b for _, b in entries] == sorted(b for _, b in entries)
        assert all(b > n for n, b in entries)
    assert {(n, d) for n, d in STORED} - set(powers) == {(40960, 128), (128000, 128), (163840, 64)}
    # the robust walk at 1M took over 10 minutes: stored up to 512K
    assert sorted(decay.ROBUST_BASE_TABLE) == [(n, 128) for n in LENGTHS[:-1]]
    lows = [decay.MIN_BASE_TABLE[(n, 128)] for n in LENGTHS]
    highs = [decay.ROBUST_BASE_TABLE[(n, 128)] for n in ROBUST_LENGTHS]
    assert lows == sorted(lows) and highs == sorted(highs)
    assert all(lo < hi for lo, hi in zip(lows, highs))
    assert all(lo > n for lo, n in zip(lows, LENGTHS))


@pytest.mark.parametrize("length, dim", STORED)
def test_stored_entries_by_brute_force(length, dim):
    """Every m < L: the stored b* passes and a base 1e-7 below fails (b* is an island's left
    edge); the stored robust base passes and e^(−1e-9) below it fails. The block sums are exact
    to float64 rounding; up to 2^16 the direct cosines are used as well."""
    low = decay.MIN_BASE_TABLE[(length, dim)]
    sums = decay.min_cosine_sum([low, low * (1 - 1e-7)], length, dim)
    assert sums[0] >= 0 and sums[1] < 0
    if length <= 2**16:
        assert brute_force_min_sum(low, length, dim) >= 0
    if (length, dim) in decay.ROBUST_BASE_TABLE:
        high = decay.ROBUST_BASE_TABLE[(length, dim)]
        sums = decay.min_cosine_sum([high, high * math.exp(-1e-9)], length)
        assert sums[0] >= 0 and sums[1] < 0
        assert brute_force_min_sum(high, length) >= 0


@pytest.mark.parametrize("length", [1024, 4096])
def test_table_entries_recomputed(length):
    assert decay._search_min_base(length, 128, 1e-9, 2.0)[0] == pytest.approx(
        decay.MIN_BASE_TABLE[(length, 128)], rel=1e-8)
    assert decay._search_robust_base(length, 128, 1e-9, 2.0)[0] == pytest.approx(
        decay.ROBUST_BASE_TABLE[(length, 128)], rel=1e-8)


@pytest.mark.parametrize("length, dim", [(2 * 4096, 96), (3000, 20)])
def test_table_entries_of_other_dims_recomputed(length, dim):
    """A stored entry of another dim equals a fresh walk from start 2 (the generator chains
    from shorter entries; the answer must not depend on that)."""
    if (length, dim) in decay.MIN_BASE_TABLE:
        assert decay._search_min_base(length, dim, 1e-9, 2.0)[0] == pytest.approx(
            decay.MIN_BASE_TABLE[(length, dim)], rel=1e-8)
    else:  # not stored: min_base_bounds searches (length <= 4096), exactly
        low, high = decay.min_base_bounds(length, dim)
        assert low == high == pytest.approx(decay._search_min_base(length, dim, 1e-9, 2.0)[0],
                                            rel=1e-8)


@pytest.mark.parametrize("length, dim", [(5000, 128), (10_000, 96), (36_000, 128),
                                         (100_000, 64), (3 * 2**17, 96), (6000, 20)])
def test_min_base_bounds_bracket_the_search(length, dim):
    """The bracket holds the walk's answer, its ends are stored entries of the neighbouring
    lengths (or the tail proof), and the high end passes every m < L by brute force."""
    low, high = decay.min_base_bounds(length, dim)
    assert low < high
    assert high == decay._tail_start(length, dim) or high in decay.MIN_BASE_TABLE.values()
    assert brute_force_min_sum(high, length, dim) >= 0
    if length <= 36_000:  # the walk itself, a few seconds
        exact = rope_viz.min_base_for_context(length, dim)
        assert low <= exact <= high
        assert decay.base_meets_min_base(exact, length, dim)
        assert not decay.base_meets_min_base(exact * (1 - 1e-7), length, dim)


def test_min_base_bounds_exact_where_stored_or_short():
    assert decay.min_base_bounds(2**17, 96) == (decay.MIN_BASE_TABLE[(2**17, 96)],) * 2
    assert decay.min_base_bounds(1500) == (rope_viz.min_base_for_context(1500),) * 2
    with pytest.raises(ValueError, match="dim"):
        decay.min_base_bounds(10, 2)
    with pytest.raises(ValueError, match="length"):
        decay.min_base_bounds(0)


def test_base_meets_min_base_decides_inside_the_bracket():
    """A base of 1e6 at 36,000 (d = 128) lies inside the bracket [b*(32K), b*(40,960)] and fails
    itself: the walk from the low end decides; it must agree with the exact b*."""
    length, base = 36_000, 1e6
    low, high = decay.min_base_bounds(length)
    assert low <= base < high and decay.min_cosine_sum([base], length)[0] < 0
    assert decay.base_meets_min_base(base, length) == (
        base >= rope_viz.min_base_for_context(length))
    with pytest.raises(ValueError, match="base"):
        decay.base_meets_min_base(1.0, 100)


def test_public_function_uses_table_only_for_its_defaults():
    assert rope_viz.min_base_for_context(4096) == decay.MIN_BASE_TABLE[(4096, 128)]
    assert rope_viz.min_base_for_context(4096, robust=True) == decay.ROBUST_BASE_TABLE[(4096, 128)]
    coarse = rope_viz.min_base_for_context(1024, rtol=1e-6)
    assert coarse == pytest.approx(decay.MIN_BASE_TABLE[(1024, 128)], rel=1e-5)
    assert decay.min_cosine_sum([coarse], 1024)[0] >= 0


@pytest.mark.parametrize("length", [1500, 3000])
def test_search_started_at_a_shorter_table_entry_is_unchanged(length):
    # the public function starts the sweep at b*(1024); a sweep from 2 finds the same base
    assert rope_viz.min_base_for_context(length) == pytest.approx(
        decay._search_min_base(length, 128, 1e-9, 2.0)[0], rel=1e-8)


def test_literal_tables_from_su():
    # kexue.fm/archives/10122: the paper's row and Su's row, d = 128
    assert sorted(decay.MEN_ET_AL_BASES) == LENGTHS == sorted(decay.SU_BASES)
    assert decay.MEN_ET_AL_BASES[2**20] == 5.1e8 and decay.SU_BASES[2**20] == 6.5e7
    assert decay.CI_FIRST_ZERO == 0.6165


def test_su_row_against_ours():
    """Su's two-significant-digit values are our b* rounded, at every length; the paper's
    printed values are never below ours, and differ from the rounding of ours at 2K, 16K, 32K,
    128K, 256K, 512K and 1M (by about 8x at 1M)."""
    rounded = {n: float(f"{decay.MIN_BASE_TABLE[(n, 128)]:.1e}") for n in LENGTHS}
    assert rounded == decay.SU_BASES
    paper = decay.MEN_ET_AL_BASES
    assert all(paper[n] >= decay.MIN_BASE_TABLE[(n, 128)] for n in LENGTHS)
    assert [n for n in LENGTHS if paper[n] != rounded[n]] == [2**p for p in (11, 14, 15, 17, 18, 19, 20)]
    assert 7 < paper[2**20] / decay.MIN_BASE_TABLE[(2**20, 128)] < 9


def test_cosine_integral_and_its_first_zero():
    x = np.array([0.1, 1.0, 2.0, 5.0, 10.0])
    # Ci(x) = −∫_x^∞ cos t / t dt: check Ci(b) − Ci(a) = ∫_a^b cos t / t dt by quadrature
    t = np.linspace(0.1, 10.0, 200_001)
    integrand = np.cos(t) / t
    cumulative = np.concatenate([[0], np.cumsum((integrand[1:] + integrand[:-1]) / 2 * np.diff(t))])
    ci = rope_viz.cosine_integral(x)
    assert_close(ci - ci[0], np.interp(x, t, cumulative), atol=1e-8, label="Ci differences")
    assert rope_viz.cosine_integral(1.0)[0] == pytest.approx(0.3374039229, abs=1e-9)
    lo, hi = rope_viz.cosine_integral([0.6164, 0.6166])
    assert lo < 0 < hi  # Su's x0 = 0.6165 is the first zero to four digits
    with pytest.raises(ValueError, match="x"):
        rope_viz.cosine_integral(0.0)


@pytest.mark.parametrize("length, dim", [(1, 8), (2, 8), (2, 2)])
def test_tiny_lengths(length, dim):
    assert rope_viz.min_base_for_context(length, dim) == 2.0
    assert rope_viz.min_base_for_context(length, dim, robust=True) == 2.0


def test_one_pair_has_no_base():
    with pytest.raises(ValueError, match="dim"):
        rope_viz.min_base_for_context(3, 2)


@pytest.mark.parametrize("kwargs, error, word", [
    (dict(length=0), ValueError, "length"),
    (dict(length=10, dim=7), ValueError, "dim"),
    (dict(length=10, robust=1), TypeError, "robust"),
    (dict(length=10, rtol=0.0), ValueError, "rtol"),
    (dict(length=10, start=1.0), ValueError, "start"),
])
def test_min_base_errors(kwargs, error, word):
    with pytest.raises(error, match=word):
        rope_viz.min_base_for_context(**kwargs)


def test_cosine_sum_definition_and_inv_freq():
    m = np.array([0.0, 1.5, 7.0, 1000.0])
    theta = 500.0 ** (-np.arange(0, 16, 2) / 16)
    assert_close(rope_viz.cosine_sum(m, 16, 500.0), np.cos(np.outer(m, theta)).sum(1))
    assert_close(rope_viz.cosine_sum(1001, 16, 500.0), direct_sums(500.0, 1001, 16))
    inv_freq = np.array([1.0, 0.5, 0.1])
    assert_close(rope_viz.cosine_sum(m, inv_freq=inv_freq), np.cos(np.outer(m, inv_freq)).sum(1))
    assert rope_viz.cosine_sum([0], 128)[0] == 64


def test_cosine_sum_fast_path_for_a_whole_context():
    """An int count takes the block identity; it must equal the definition for any frequencies."""
    inv_freq = np.random.default_rng(3).uniform(1e-6, 1.0, 40)  # (40,) arbitrary, unsorted
    m = np.arange(30_000)
    direct = np.cos(np.multiply.outer(m.astype(float), inv_freq)).sum(1)
    assert_close(rope_viz.cosine_sum(30_000, inv_freq=inv_freq), direct, atol=1e-9)
    assert_close(rope_viz.cosine_sum(m, inv_freq=inv_freq), direct, atol=1e-9)
    assert rope_viz.cosine_sum(0, 16).shape == (0,)


def test_expected_score_gap_is_su_expectation():
    """kexue.fm/archives/10122 (期望性质): E[q·R k̃ − q·R k] = Σ_i 2σ² cos(mθ_i), μ cancels."""
    dim, base, mu, sigma = 16, 100.0, 0.7, 1.5
    distances = np.array([0.0, 3.0, 11.0, 40.0])
    expected = rope_viz.expected_score_gap(distances, dim, base, variance=sigma**2)
    assert_close(expected, 2 * sigma**2 * rope_viz.cosine_sum(distances, dim, base))
    assert expected[0] == pytest.approx(sigma**2 * dim)
    gen = np.random.default_rng(0)
    q = mu + sigma * gen.standard_normal((200_000, dim))  # (samples, dim)
    similar = q + 0.3 * gen.standard_normal(q.shape)  # k̃ = q + ε
    other = mu + sigma * gen.standard_normal(q.shape)  # an independent key, drawn like q
    gap = (rope_viz.rope_scores(q, similar, distances, base)
           - rope_viz.rope_scores(q, other, distances, base)).mean(0)  # (4,)
    assert_close(gap, expected, atol=0.25, label="sampled gap")
    inv_freq = rope_viz.rope_frequencies(dim, base)
    assert_close(rope_viz.expected_score_gap(64, inv_freq=inv_freq),
                 rope_viz.expected_score_gap(np.arange(64), dim, base))


def test_min_cosine_sum_matches_direct():
    bases = [900.0, 3000.0, 4295.450581549182, 20000.0]
    expected = [direct_sums(b, 1024, 128).min() for b in bases]
    assert_close(rope_viz.min_cosine_sum(bases, 1024), expected, rtol=0, atol=1e-9)
    assert rope_viz.min_cosine_sum(1e4, 1)[0] == 64


def test_envelope_brackets_every_distance():
    inv_freq = rope_viz.rope_frequencies(32, 1000.0)
    starts, lows, highs = rope_viz.cosine_sum_envelope(inv_freq, 5000, bins=50)
    sums = direct_sums(1000.0, 5000, 32)
    assert starts[0] == 0 and np.all(np.diff(starts) > 0)
    ends = np.append(starts[1:], 5000)
    for s, e, lo, hi in zip(starts, ends, lows, highs):
        assert lo == pytest.approx(sums[s:e].min(), abs=1e-9)
        assert hi == pytest.approx(sums[s:e].max(), abs=1e-9)
    assert lows.min() == pytest.approx(sums.min(), abs=1e-9)


@pytest.mark.parametrize("func, kwargs, error, word", [
    (rope_viz.cosine_sum, dict(distances=[1], inv_freq=[1.0, -1.0]), ValueError, "inv_freq"),
    (rope_viz.cosine_sum, dict(distances=[1], dim=3), ValueError, "dim"),
    (rope_viz.cosine_sum, dict(distances="x"), TypeError, "distances"),
    (rope_viz.min_cosine_sum, dict(bases=[1.0], length=10), ValueError, "bases"),
    (rope_viz.min_cosine_sum, dict(bases=[10.0], length=0), ValueError, "length"),
    (rope_viz.min_cosine_sum, dict(bases=[10.0], length=10, dim=7), ValueError, "dim"),
    (rope_viz.cosine_sum_envelope, dict(inv_freq=[1.0], length=1), ValueError, "length"),
    (rope_viz.cosine_sum_envelope, dict(inv_freq=[1.0], length=10, bins=0), ValueError, "bins"),
    (rope_viz.cosine_sum, dict(distances=-1), ValueError, "distances"),
    (rope_viz.cosine_sum, dict(distances=[1], inv_freq=[[1.0]]), ValueError, "inv_freq"),
    (rope_viz.expected_score_gap, dict(distances=[1], variance=0.0), ValueError, "variance"),
    (rope_viz.expected_score_gap, dict(distances=[1], variance="1"), TypeError, "variance"),
])
def test_errors_name_the_argument(func, kwargs, error, word):
    with pytest.raises(error, match=word):
        func(**kwargs)

