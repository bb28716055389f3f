"""Tests for rope_viz.decay: Su's bound for one query-key pair. Run with ``pytest tests/test_decay.py``.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from conftest import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st

from rope_viz import (
    abel_bound,
    abel_content_factor,
    apply_rope,
    decay,
    long_range_decay,
    pair_products,
    rope_scores,
)

seeds = st.integers(0, 2**32 - 1)


def test_doctests():
    result = doctest.testmod(decay, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


@settings(max_examples=60, deadline=None)
@given(seed=seeds, half=st.integers(1, 64), base=st.floats(1.5, 1e7),
       same=st.booleans(), scale=st.floats(0.01, 100))
def test_the_bound_holds_for_every_pair_and_distance(seed, half, base, same, scale):
    rng = np.random.default_rng(seed)
    q = scale * rng.standard_normal(2 * half)
    k = q if same else rng.standard_normal(2 * half)
    distances = np.concatenate([np.arange(64), rng.uniform(0, 1e5, 32)])
    scores = rope_scores(q, k, distances, base)
    bound = abel_bound(q, k, distances, base)
    assert np.all(np.abs(scores) <= bound * (1 + 1e-9) + 1e-9)


@settings(max_examples=30, deadline=None)
@given(seed=seeds, half=st.integers(1, 32), position=st.floats(-1e4, 1e4))
def test_scores_are_rope_dot_products_at_any_position(seed, half, position):
    rng = np.random.default_rng(seed)
    q, k = rng.standard_normal((2, 2 * half))
    distances = np.arange(20.0)
    rotated_q = apply_rope(np.tile(q, (20, 1)), position + distances, base=500.0)
    rotated_k = apply_rope(k[None, :], [position], base=500.0)[0]
    assert_close(rope_scores(q, k, distances, 500.0), rotated_q @ rotated_k,
                 atol=1e-8, rtol=1e-8)


def test_summation_by_parts(rng):
    q, k = rng.standard_normal((2, 16))
    h = pair_products(q, k)  # (8,)
    angles = 7.0 * 10000.0 ** (-np.arange(0, 16, 2) / 16)  # m = 7
    terms = np.exp(1j * angles)
    partial = np.concatenate([[0], np.cumsum(terms)])  # S_0 .. S_8
    padded = np.append(h, 0)  # h_8 = 0
    abel = -np.sum(partial[1:] * np.diff(padded))
    assert_close(abel.real, np.sum(h * terms).real)
    assert_close(abel.imag, np.sum(h * terms).imag)


def test_the_distance_factor_is_long_range_decay(rng):
    q, k = rng.standard_normal((2, 128))
    h = np.append(pair_products(q, k), 0)
    step = np.abs(np.diff(h)).max()
    assert_close(abel_bound(q, k, 300) / (step * 64), long_range_decay(300))
    assert pytest.approx(32.5) == float(long_range_decay([0])[0])


def test_abel_content_factor_is_su_max_step(rng):
    """max_i |h_(i+1) − h_i| with h_(d/2) = 0, written as a loop (kexue.fm/archives/8265)."""
    q, k = rng.standard_normal((2, 3, 16))
    h = pair_products(q, k)  # (3, 8)
    for row in range(3):
        steps = [abs(h[row, i + 1] - h[row, i]) for i in range(7)] + [abs(h[row, 7])]
        assert abel_content_factor(q[row], k[row]) == pytest.approx(max(steps), rel=1e-12)
    assert abel_content_factor(q, k).shape == (3,)
    # the bound is the product of its two public factors
    assert_close(abel_bound(q, k, 200),
                 abel_content_factor(q, k)[:, None] * 8 * long_range_decay(200, 16))


def test_pair_products_real_part_is_the_dot_product(rng):
    q, k = rng.standard_normal((2, 5, 12))
    assert_close(pair_products(q, k).sum(axis=-1).real, np.sum(q * k, axis=-1))


def test_broadcasting_over_leading_axes(rng):
    q = rng.standard_normal((3, 1, 8))
    k = rng.standard_normal((4, 8))
    assert rope_scores(q, k, 5).shape == (3, 4, 5)
    assert abel_bound(q, k, 5).shape == (3, 4, 5)


@pytest.mark.parametrize(
    "call, exc, word",
    [
        (lambda: rope_scores(np.ones(3), np.ones(3), 4), ValueError, "q"),
        (lambda: rope_scores(np.ones(4), np.ones(6), 4), ValueError, "k"),
        (lambda: rope_scores(np.ones((2, 4)), np.ones((3, 4)), 4), ValueError, "k"),
        (lambda: abel_bound(np.ones(4), np.ones(4), "far"), TypeError, "distances"),
        (lambda: abel_bound(np.ones(4), np.ones(4), 4, base=0.5), ValueError, "base"),
        (lambda: pair_products("q", np.ones(4)), TypeError, "q"),
        (lambda: pair_products(np.full(4, np.inf), np.ones(4)), ValueError, "finite"),
        (lambda: pair_products(np.ones(4), [1.0, np.nan, 0.0, 0.0]), ValueError, "k must be finite"),
        (lambda: abel_content_factor(np.ones(5), np.ones(5)), ValueError, "q"),
        (lambda: abel_content_factor(np.ones(4), "k"), TypeError, "k"),
    ],
)
def test_bad_inputs_raise_clear_errors(call, exc, word):
    with pytest.raises(exc, match=word):
        call()
