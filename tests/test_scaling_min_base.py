"""Tests for the fast base-bound search and its helpers in rope_viz.scaling.

Run: ``pytest tests/test_scaling_min_base.py``. The reference for every fast path is the
definition typed out directly: Σ_i cos(m·b^(−2i/d)) for every integer m, and a plain scan of
the grid ``start·(1 + rtol)^k``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st

import rope_viz
from rope_viz import scaling


def direct_sums(base, length, dim):
    """(length,) Σ_i cos(m·θ_i), one cosine per (m, i)."""
    theta = base ** (-np.arange(0, dim, 2) / dim)
    return np.cos(np.multiply.outer(np.arange(length), theta)).sum(1)


def brute_force_min_base(length, dim, rtol=1e-3, start=2.0):
    """First grid point whose direct sums are all >= 0 (the slow definition)."""
    k = 0
    while True:
        bases = start * np.exp(math.log1p(rtol) * np.arange(k, k + 256))
        for b in bases:
            if direct_sums(b, length, dim).min() >= 0:
                return float(b)
        k += 256


@settings(max_examples=25, deadline=None)
@given(
    log_base=st.floats(0.5, 7.0),
    lo=st.integers(0, 5000),
    n=st.integers(1, 3000),
    dim=st.sampled_from([2, 8, 32, 128]),
)
def test_block_sums_match_direct_cosines(log_base, lo, n, dim):
    base = 10.0**log_base
    thetas = scaling._thetas(np.array([base, base * 1.37]), dim)  # (2, dim/2)
    fast = scaling._cosine_sums(thetas, lo, lo + n)
    m = np.arange(lo, lo + n)
    direct = np.cos(m[None, :, None] * thetas[:, None, :]).sum(-1)  # (2, n)
    assert_close(fast, direct, rtol=0, atol=1e-9 * dim, label="block sums")


@pytest.mark.parametrize("length, dim, rtol", [
    (10, 8, 1e-3), (50, 16, 1e-3), (300, 32, 1e-3), (700, 64, 1e-2), (1000, 128, 1e-2)])
def test_fast_search_equals_brute_force(length, dim, rtol):
    assert (scaling._search_min_base(length, dim, rtol, 2.0)
            == brute_force_min_base(length, dim, rtol=rtol))


def test_fast_search_other_grid():
    assert (scaling._search_min_base(400, 32, 1e-2, 5.0)
            == brute_force_min_base(400, 32, rtol=1e-2, start=5.0))


def test_table_covers_powers_of_two_from_1k_to_1m():
    assert sorted(scaling.MIN_BASE_TABLE) == [(2**p, 128) for p in range(10, 21)]
    values = [scaling.MIN_BASE_TABLE[(2**p, 128)] for p in range(10, 21)]
    assert all(b > 2**p for b, p in zip(values, range(10, 21)))


@pytest.mark.parametrize("length", [1024, 2048, 4096])
def test_table_entries_recomputed(length):
    assert scaling._search_min_base(length, 128, 1e-3, 2.0) == scaling.MIN_BASE_TABLE[(length, 128)]


@pytest.mark.parametrize("length", [1024, 8192, 2**20])
def test_table_entries_are_feasible_and_one_step_below_is_not(length):
    b = scaling.MIN_BASE_TABLE[(length, 128)]
    assert scaling.min_cosine_sum([b], length)[0] >= 0
    assert scaling.min_cosine_sum([b / (1 + 1e-3)], length)[0] < 0


def test_public_function_uses_table_only_for_its_defaults():
    assert rope_viz.min_base_for_context(4096) == scaling.MIN_BASE_TABLE[(4096, 128)]
    # another rtol searches afresh (a coarser grid never returns a smaller base here)
    coarse = rope_viz.min_base_for_context(1024, rtol=1e-2)
    assert coarse >= scaling.MIN_BASE_TABLE[(1024, 128)] / 1.01
    assert scaling.min_cosine_sum([coarse], 1024)[0] >= 0


@pytest.mark.parametrize("length", [1500, 3000])
def test_search_started_at_a_shorter_table_entry_is_unchanged(length):
    # the public function starts the scan at b*(1024); a scan from the grid's start agrees
    assert rope_viz.min_base_for_context(length) == scaling._search_min_base(length, 128, 1e-3, 2.0)


def test_table_is_non_decreasing_in_length():
    values = [scaling.MIN_BASE_TABLE[(2**p, 128)] for p in range(10, 21)]
    assert values == sorted(values)


def test_men_et_al_values():
    # arXiv:2405.14591 Table 1 (d = 128): 2.7e4 for 4K, 6.4e5 for 32K, 6.4e7 for 512K
    table = scaling.MIN_BASE_TABLE
    assert round(table[(4096, 128)], -3) == 27000
    assert 6.2e5 < table[(32768, 128)] < 6.5e5
    assert round(table[(2**19, 128)], -6) == 64_000_000


@pytest.mark.parametrize("length, dim", [(1, 8), (2, 8), (64, 16), (65, 16)])
def test_tiny_lengths(length, dim):
    assert rope_viz.min_base_for_context(length, dim) == brute_force_min_base(length, dim)


def test_cosine_sum_definition_and_inv_freq():
    m = np.array([0.0, 1.5, 7.0, 1000.0])
    theta = 500.0 ** (-np.arange(0, 16, 2) / 16)
    assert_close(rope_viz.cosine_sum(m, 16, 500.0), np.cos(np.outer(m, theta)).sum(1))
    assert_close(rope_viz.cosine_sum(1001, 16, 500.0), direct_sums(500.0, 1001, 16))
    inv_freq = np.array([1.0, 0.5, 0.1])
    assert_close(rope_viz.cosine_sum(m, inv_freq=inv_freq), np.cos(np.outer(m, inv_freq)).sum(1))
    assert rope_viz.cosine_sum([0], 128)[0] == 64


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
])
def test_errors_name_the_argument(func, kwargs, error, word):
    with pytest.raises(error, match=word):
        func(**kwargs)
