"""Linear attention with RoPE: the linear-time form against its quadratic reference.

Run with ``pytest tests/test_linear_attention.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st

from rope_viz import (
    apply_rope,
    linear_attention,
    linear_attention_weights,
    linear_feature_map,
    sinusoidal_encoding,
)

shapes = st.tuples(st.integers(1, 12), st.sampled_from([2, 4, 6, 8]), st.integers(1, 5))
seeds = st.integers(0, 2**32 - 1)


def draw(seed: int, n: int, dim: int, dim_v: int, lead: tuple = ()):
    rng = np.random.default_rng(seed)
    q = rng.normal(size=(*lead, n, dim))
    k = rng.normal(size=(*lead, n, dim))
    v = rng.normal(size=(*lead, n, dim_v))
    return q, k, v


@settings(max_examples=60, deadline=None)
@given(shape=shapes, seed=seeds, causal=st.booleans(), fmap=st.sampled_from(["elu1", "relu"]),
       offset=st.floats(-50, 50), pairing=st.sampled_from(["interleaved", "half"]))
def test_linear_time_form_equals_the_materialised_weights(shape, seed, causal, fmap, offset,
                                                          pairing):
    q, k, v = draw(seed, *shape)
    n = shape[0]
    positions = np.arange(n) + offset
    kwargs = dict(positions=positions, base=100.0, pairing=pairing, feature_map=fmap,
                  causal=causal)
    out, den = linear_attention(q, k, v, return_denominator=True, **kwargs)
    weights = linear_attention_weights(q, k, **kwargs)
    ok = np.abs(den) > 1e-6  # relu features can give a zero normaliser; skip those rows
    with np.errstate(invalid="ignore"):  # the skipped rows hold NaN weights (0/0)
        expected = weights @ v
    assert_close(out[ok], expected[ok], rtol=1e-8, atol=1e-8, label="linear vs quadratic")


@settings(max_examples=40, deadline=None)
@given(shape=shapes, seed=seeds, causal=st.booleans(), rope_denominator=st.booleans(),
       shift=st.floats(-1000, 1000))
def test_shifting_every_position_leaves_the_outputs_unchanged(shape, seed, causal,
                                                              rope_denominator, shift):
    q, k, v = draw(seed, *shape)
    n = shape[0]
    kwargs = dict(causal=causal, rope_denominator=rope_denominator, base=50.0)
    out, den = linear_attention(q, k, v, positions=np.arange(n), return_denominator=True,
                                **kwargs)
    moved = linear_attention(q, k, v, positions=np.arange(n) + shift, **kwargs)
    ok = np.abs(den) > 1e-3
    assert_close(moved[ok], out[ok], rtol=1e-6, atol=1e-7, label="shifted positions")


def test_an_absolute_additive_encoding_is_not_shift_invariant(rng):
    q, k, v = rng.normal(size=(3, 8, 16))
    positions = np.arange(8)
    before = linear_attention(q + sinusoidal_encoding(positions, 16),
                              k + sinusoidal_encoding(positions, 16), v)
    after = linear_attention(q + sinusoidal_encoding(positions + 5, 16),
                             k + sinusoidal_encoding(positions + 5, 16), v)
    assert np.abs(before - after).max() > 1e-3


def test_weights_depend_only_on_the_offset_for_fixed_content(rng):
    n, dim = 12, 8
    q = np.tile(rng.normal(size=dim), (n, 1))  # the same token at every position
    k = np.tile(rng.normal(size=dim), (n, 1))
    weights = linear_attention_weights(q, k, positions=n, base=100.0)
    for offset in range(-n + 1, n):
        diagonal = np.diagonal(weights, offset=offset)
        assert_close(diagonal, np.full_like(diagonal, diagonal[0]), label=f"offset {offset}")
    assert np.ptp(weights) > 1e-3  # and the offset matters


@settings(max_examples=60, deadline=None)
@given(shape=shapes, seed=seeds, causal=st.booleans(), shift=st.floats(-100, 100))
def test_the_unrotated_normaliser_stays_positive_with_elu1(shape, seed, causal, shift):
    q, k, v = draw(seed, *shape)
    q, k = 4 * q, 4 * k  # large negative entries make elu1 features tiny, not zero
    positions = np.arange(shape[0]) + shift
    _, den = linear_attention(q, k, v, positions=positions, causal=causal,
                              return_denominator=True)
    assert np.all(den > 0)


def test_the_rotated_normaliser_can_go_negative_and_the_unrotated_one_does_not():
    # fast pair 0 carries almost all of the feature mass; it turns by 1 radian per token
    q = np.full((16, 4), -20.0)
    q[:, :2] = 3.0
    v = np.ones((16, 1))
    _, rotated = linear_attention(q, q, v, positions=16, rope_denominator=True,
                                  return_denominator=True)
    _, plain = linear_attention(q, q, v, positions=16, return_denominator=True)
    assert rotated.min() < 0
    assert plain.min() > 0


def test_rotated_denominator_rows_sum_to_one_and_numerator_only_rows_need_not(rng):
    q, k = rng.normal(size=(2, 10, 4))
    both = linear_attention_weights(q, k, positions=10, base=10.0, rope_denominator=True)
    assert_close(both.sum(axis=-1), np.ones(10), label="rows")
    numerator_only = linear_attention_weights(q, k, positions=10, base=10.0)
    assert np.abs(numerator_only.sum(axis=-1) - 1).max() > 1e-3
    plain = linear_attention_weights(q, k)
    assert_close(plain.sum(axis=-1), np.ones(10), label="rows without RoPE")
    assert np.all(plain > 0)


def test_causal_rows_ignore_later_keys(rng):
    q, k, v = rng.normal(size=(3, 9, 4))
    out = linear_attention(q, k, v, positions=9, causal=True)
    changed_v = v.copy()
    changed_v[5:] += 10.0
    changed_k = k.copy()
    changed_k[5:] -= 3.0
    out2 = linear_attention(q, changed_k, changed_v, positions=9, causal=True)
    assert_close(out2[:5], out[:5], label="rows before the change")
    assert np.abs(out2[5:] - out[5:]).max() > 1e-3


def test_without_positions_it_is_plain_linear_attention(rng):
    q, k, v = rng.normal(size=(3, 7, 6))
    fq, fk = linear_feature_map(q), linear_feature_map(k)
    scores = fq @ fk.T
    expected = scores @ v / scores.sum(axis=1, keepdims=True)
    assert_close(linear_attention(q, k, v), expected, label="Katharopoulos eq. 5")


def test_rope_numerator_matches_apply_rope_by_hand(rng):
    q, k, v = rng.normal(size=(3, 6, 4))
    positions = np.array([0.0, 3.0, 4.0, 10.0, 11.0, 30.0])
    rq = apply_rope(linear_feature_map(q), positions, base=10.0)
    rk = apply_rope(linear_feature_map(k), positions, base=10.0)
    expected = (rq @ rk.T) @ v / (linear_feature_map(q) @ linear_feature_map(k).T).sum(axis=1, keepdims=True)
    assert_close(linear_attention(q, k, v, positions=positions, base=10.0), expected)


def test_batch_axes_and_torch_inputs(rng):
    torch = pytest.importorskip("torch")
    q, k, v = draw(1, 5, 4, 3, lead=(2, 3))
    out = linear_attention(q, k, v, positions=5, causal=True)
    assert out.shape == (2, 3, 5, 3)
    assert_close(out[1, 2], linear_attention(q[1, 2], k[1, 2], v[1, 2], positions=5, causal=True))
    from_torch = linear_attention(torch.from_numpy(q), torch.from_numpy(k), torch.from_numpy(v),
                                  positions=torch.arange(5), causal=True)
    assert isinstance(from_torch, np.ndarray)
    assert_close(from_torch, out, label="torch input")


def test_feature_maps():
    x = np.array([-2.0, 0.0, 0.5])
    assert_close(linear_feature_map(x), [np.exp(-2.0), 1.0, 1.5])
    assert_close(linear_feature_map(x, "relu"), [0.0, 0.0, 0.5])


@pytest.mark.parametrize(
    "call, exc, word",
    [
        (lambda q, v: linear_attention(q[:, :3], q[:, :3], v), ValueError, "q"),
        (lambda q, v: linear_attention(q, q[:3], v), ValueError, "k"),
        (lambda q, v: linear_attention(q, q, v[:3]), ValueError, "v"),
        (lambda q, v: linear_attention(q, q, v, positions=3), ValueError, "positions"),
        (lambda q, v: linear_attention(q, q, v, feature_map="softmax"), ValueError,
         "feature_map"),
        (lambda q, v: linear_attention(q, q, v, positions=5, pairing="diag"), ValueError,
         "pairing"),
        (lambda q, v: linear_attention(q, q, v, rope_denominator=True), ValueError,
         "rope_denominator"),
        (lambda q, v: linear_attention(q, q, v, causal="yes"), TypeError, "causal"),
        (lambda q, v: linear_attention(q, q, v, positions=5, base=1.0), ValueError, "base"),
        (lambda q, v: linear_attention("q", q, v), TypeError, "q"),
        (lambda q, v: linear_attention(q * np.nan, q, v), ValueError, "q"),
        (lambda q, v: linear_attention(q[0], q[0], v[0]), ValueError, "q"),
        (lambda q, v: linear_attention_weights(q, q, feature_map=None), TypeError,
         "feature_map"),
        (lambda q, v: linear_feature_map(q, "tanh"), ValueError, "kind"),
    ],
)
def test_bad_inputs_raise_clear_errors(call, exc, word):
    q = np.ones((5, 4))
    v = np.ones((5, 2))
    with pytest.raises(exc, match=word):
        call(q, v)
