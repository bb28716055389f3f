"""Tests for rope_viz.nope. Run: ``pytest tests/test_nope.py``.

(p-RoPE's frequencies and their cross-check against transformers live in tests/test_scaling.py.)
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from conftest import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st

import rope_viz
from rope_viz import nope


def test_doctests():
    result = doctest.testmod(nope, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# --- counting with a start marker ----------------------------------------------------------


def test_marker_signal_is_the_attention_weight_on_token_zero():
    weights = rope_viz.attention_weights(np.zeros((40, 2)), np.zeros((40, 2)))
    assert_close(rope_viz.marker_position_signal(40), weights[:, 0])


@settings(max_examples=30, deadline=None)
@given(positions=st.lists(st.integers(0, 10**6), min_size=1, max_size=20))
def test_float64_marker_decodes_exactly(positions):
    signal = rope_viz.marker_position_signal(positions)
    assert np.array_equal(rope_viz.decode_marker_position(signal), positions)


def test_low_precision_marker_collides():
    for dtype, limit in (("bfloat16", 1000), ("float16", 5000)):
        signal = rope_viz.marker_position_signal(limit, dtype=dtype)
        decoded = rope_viz.decode_marker_position(signal)
        assert np.any(decoded != np.arange(limit)), dtype
        assert np.array_equal(decoded[:64], np.arange(64)), dtype  # small positions survive
    float32 = rope_viz.marker_position_signal(np.arange(10**5), dtype="float32")
    assert np.array_equal(rope_viz.decode_marker_position(float32), np.arange(10**5))


def test_bfloat16_rounding_keeps_8_significant_bits():
    signal = rope_viz.marker_position_signal(np.arange(1000), dtype="bfloat16")
    mantissa, _ = np.frexp(signal)  # signal = mantissa * 2**e, mantissa in [0.5, 1)
    assert np.all(mantissa * 2**8 == np.round(mantissa * 2**8))


def test_decode_clips_out_of_range_readouts():
    assert rope_viz.decode_marker_position([1.5, -0.1, 0.0])[0] == 0
    assert np.all(rope_viz.decode_marker_position([-0.1, 0.0]) == 2**60)


def test_marker_bad_inputs():
    with pytest.raises(ValueError, match="dtype must be one of"):
        rope_viz.marker_position_signal(5, dtype="int8")
    with pytest.raises(ValueError, match="positions must be non-negative"):
        rope_viz.marker_position_signal([-1, 2])
    with pytest.raises(ValueError, match="positions must be whole numbers"):
        rope_viz.marker_position_signal([0.5])
    with pytest.raises(TypeError, match="signal"):
        rope_viz.decode_marker_position("x")


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
def test_spacing_matches_numpy(dtype, rng):
    values = np.concatenate([10.0 ** rng.uniform(-12, 3, 300), [0.0, 1.0, 0.5, 2.0**-14]])
    stored = values.astype(dtype)
    expected = np.spacing(stored).astype(np.float64)
    assert np.array_equal(rope_viz.representable_spacing(stored.astype(np.float64), dtype),
                          expected)


@settings(max_examples=50, deadline=None)
@given(value=st.floats(1e-30, 1e30))
def test_bfloat16_spacing_is_the_gap_to_the_next_bfloat16(value):
    import torch

    def to_bf16(x: float) -> float:
        return torch.tensor(x, dtype=torch.float64).to(torch.bfloat16).double().item()

    here = to_bf16(value)
    spacing = rope_viz.representable_spacing([here], "bfloat16")[0]
    assert to_bf16(here + spacing) == here + spacing  # representable
    assert to_bf16(here + 0.3 * spacing) == here  # nothing stored in between
    assert to_bf16(here + 0.7 * spacing) == here + spacing


def test_spacing_bad_inputs():
    with pytest.raises(ValueError, match="dtype must be one of"):
        rope_viz.representable_spacing([1.0], "float8")
    with pytest.raises(TypeError, match="values"):
        rope_viz.representable_spacing("x", "float32")


# --- a positional head from the fastest pairs -----------------------------------------------


@settings(max_examples=25, deadline=None)
@given(offset=st.integers(0, 5), pairs=st.integers(1, 8), n=st.integers(8, 200))
def test_positional_head_argmax_is_offset_back(offset, pairs, n):
    q, k = rope_viz.positional_head(32, base=10000.0, offset=offset, pairs=pairs)
    positions = np.arange(n)
    qr = rope_viz.apply_rope(np.tile(q, (n, 1)), positions)  # (n, 32)
    kr = rope_viz.apply_rope(np.tile(k, (n, 1)), positions)
    scores = np.where(rope_viz.causal_mask(n), qr @ kr.T, -np.inf)  # (n, n)
    rows = positions[offset:]
    assert np.array_equal(scores[rows].argmax(axis=1), rows - offset)
    assert_close(scores[rows, rows - offset], np.full(rows.size, float(pairs)))


def test_positional_head_score_is_a_sum_of_cosines():
    q, k = rope_viz.positional_head(16, base=100.0, offset=2, pairs=3)
    theta = rope_viz.rope_frequencies(16, 100.0)[:3]
    for m, j in ((5, 3), (9, 1), (4, 4)):
        qm = rope_viz.apply_rope(q[None], [m], base=100.0)[0]
        kj = rope_viz.apply_rope(k[None], [j], base=100.0)[0]
        score = qm @ kj
        assert score == pytest.approx(np.cos((m - j - 2) * theta).sum(), abs=1e-12)


def test_positional_head_bad_inputs():
    with pytest.raises(ValueError, match="pairs must be at most dim/2 = 4"):
        rope_viz.positional_head(8, pairs=5)
    with pytest.raises(ValueError, match="offset"):
        rope_viz.positional_head(8, offset=-1)
    with pytest.raises(ValueError, match="dim"):
        rope_viz.positional_head(7)


# --- Su's variance argument (kexue.fm/archives/10347) ------------------------------------


def test_causal_average_is_uniform_causal_attention_over_the_drawn_values():
    n, dim, sigma = 9, 5, 0.7
    values = np.random.default_rng(3).normal(0.0, sigma, (n, dim))  # the documented draw
    uniform = rope_viz.attention_weights(np.zeros((n, 2)), np.zeros((n, 2)))  # (n, n)
    expected = np.mean((uniform @ values) ** 2, axis=1)
    got = rope_viz.causal_average_mean_square(n, dim, sigma=sigma, rng=3)
    assert_close(got, expected, atol=1e-12)


def test_causal_average_mean_square_falls_like_one_over_n():
    n = 512
    ms = rope_viz.causal_average_mean_square(n, 8192, sigma=2.0, rng=0)
    counts = np.arange(1, n + 1)
    slope = np.polyfit(np.log(counts), np.log(ms), 1)[0]
    assert abs(slope + 1.0) < 0.03, slope
    assert_close(ms * counts / 4.0, np.ones(n), atol=0.1)  # sigma² / n


def test_causal_average_scales_with_sigma_squared():
    one = rope_viz.causal_average_mean_square(20, 16, sigma=1.0, rng=5)
    three = rope_viz.causal_average_mean_square(20, 16, sigma=3.0, rng=5)
    assert_close(three, 9.0 * one, rtol=1e-12)


def test_causal_average_validates_arguments():
    with pytest.raises(ValueError, match="n must be"):
        rope_viz.causal_average_mean_square(0, 4)
    with pytest.raises(TypeError, match="dim must be"):
        rope_viz.causal_average_mean_square(4, 2.5)
    with pytest.raises(ValueError, match="sigma"):
        rope_viz.causal_average_mean_square(4, 4, sigma=0.0)
    with pytest.raises(TypeError, match="rng"):
        rope_viz.causal_average_mean_square(4, 4, rng="x")
