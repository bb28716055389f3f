"""Tests for rope_viz.relative. Run: ``pytest tests/test_relative.py``.

Cross-checks: transformers' ``T5Attention._relative_position_bucket`` and Bloom's ALiBi slopes
and ``build_alibi_tensor``.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import torch
from conftest import assert_close
from transformers.models.bloom import modeling_bloom  # noqa: E402
from transformers.models.t5.modeling_t5 import T5Attention  # noqa: E402

import rope_viz
from rope_viz import relative


def test_doctests():
    result = doctest.testmod(relative, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_house_sign_convention_is_query_minus_key():
    """One sign for the package: distance = query position − key position (i − j)."""
    rel = rope_viz.relative_position_matrix(3, 4)
    assert rel.tolist() == [[0, -1, -2, -3], [1, 0, -1, -2], [2, 1, 0, -1]]
    assert rel[2, 0] == 2  # a key in the past is at a positive distance
    causal = np.tril(np.ones((5, 5), dtype=bool))
    assert np.all(rope_viz.relative_position_matrix(5)[causal] >= 0)
    # ReRoPE's positions (rope_viz.scaling) and the decay module speak the same sign
    assert_close(rope_viz.leaky_rerope_relative_positions(6, 100, 1.0),
                 rope_viz.relative_position_matrix(6).astype(float))


def test_shaw_indices_clip():
    idx = rope_viz.shaw_relative_indices(6, max_distance=2)
    assert idx.shape == (6, 6) and idx.min() == 0 and idx.max() == 4
    assert np.all(np.diag(idx) == 2)
    assert idx[0, 5] == 4 and idx[5, 0] == 0 and idx[2, 3] == 3


@pytest.mark.parametrize("bidirectional", [True, False])
@pytest.mark.parametrize("num_buckets, max_distance", [(32, 128), (64, 256), (8, 20), (16, 1000)])
def test_t5_buckets_match_huggingface(bidirectional, num_buckets, max_distance):
    rel = torch.from_numpy(-rope_viz.relative_position_matrix(300, 2500))  # j − i, T5's sign
    theirs = T5Attention._relative_position_bucket(rel, bidirectional, num_buckets, max_distance).numpy()
    ours = rope_viz.t5_relative_buckets(rel.numpy(), bidirectional, num_buckets, max_distance)
    assert np.array_equal(ours, theirs)
    assert ours.min() >= 0 and ours.max() < num_buckets


def test_t5_causal_future_is_bucket_zero():
    assert np.all(rope_viz.t5_relative_buckets(np.arange(1, 100), bidirectional=False) == 0)


@pytest.mark.parametrize("num_heads", list(range(1, 41)) + [64, 96])
def test_alibi_slopes_match_bloom(num_heads):
    theirs = modeling_bloom._get_alibi_slopes(num_heads, "cpu").double().numpy()
    assert_close(rope_viz.alibi_slopes(num_heads), theirs, rtol=1e-6, atol=0)


def test_alibi_slopes_power_of_two_formula():
    assert_close(rope_viz.alibi_slopes(16), 2.0 ** (-8 * np.arange(1, 17) / 16))


def test_alibi_bias_equals_bloom_up_to_row_constant():
    n, heads = 9, 12
    theirs = modeling_bloom.build_alibi_tensor(torch.ones(1, n), heads, torch.float64).numpy()  # (H, 1, n)
    ours = rope_viz.alibi_bias(n, heads)  # (H, n, n)
    causal = np.tril(np.ones((n, n), dtype=bool))
    for h in range(heads):
        diff = np.where(causal, theirs[h] - ours[h], np.nan)  # slope*j + slope*(i-j) = slope*i
        row_constant = np.nanmax(diff, axis=1) - np.nanmin(diff, axis=1)
        assert np.abs(row_constant).max() < 1e-6


BAD = [
    (rope_viz.relative_position_matrix, dict(n_query=0), ValueError, "n_query"),
    (rope_viz.relative_position_matrix, dict(n_query=3, n_key=2.5), TypeError, "n_key"),
    (rope_viz.shaw_relative_indices, dict(n_query=3, max_distance=0), ValueError, "max_distance"),
    (rope_viz.t5_relative_buckets, dict(relative_positions=[0.5]), ValueError, "relative_positions"),
    (rope_viz.t5_relative_buckets, dict(relative_positions="far"), TypeError, "relative_positions"),
    (rope_viz.t5_relative_buckets, dict(relative_positions=[1], num_buckets=2), ValueError, "num_buckets"),
    (rope_viz.t5_relative_buckets, dict(relative_positions=[1], max_distance=4), ValueError, "max_distance"),
    (rope_viz.t5_relative_buckets, dict(relative_positions=[1], bidirectional=1), TypeError, "bidirectional"),
    (rope_viz.alibi_slopes, dict(num_heads=0), ValueError, "num_heads"),
    (rope_viz.alibi_bias, dict(n_query=4, num_heads=2.0), TypeError, "num_heads"),
    (rope_viz.rerope_relative_positions, dict(n=5, window=0), ValueError, "window"),
    (rope_viz.leaky_rerope_relative_positions, dict(n=5, window=2, k=0.0), ValueError, "k"),
]


@pytest.mark.parametrize("func, kwargs, error, name", BAD, ids=[f"{b[0].__name__}-{b[3]}" for b in BAD])
def test_bad_input(func, kwargs, error, name):
    with pytest.raises(error) as info:
        func(**kwargs)
    assert str(info.value).startswith(f"{name} must be"), str(info.value)
