"""Tests for rope_viz.attention, the one numpy attention: the causal mask, weights from logits,
attention from logits (Su's probe, Shaw's value term), weights from q and k, and the random
``torch.nn.MultiheadAttention`` layer.

Run with ``pytest tests/test_attention.py``.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import torch
from conftest import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st

import rope_viz
from rope_viz import attention
from rope_viz.attention import (
    attention_from_logits,
    attention_weights,
    attention_weights_from_logits,
    causal_mask,
    self_attention,
)


def test_doctests():
    result = doctest.testmod(attention, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_public_names_are_exported_from_one_home():
    for name in ("causal_mask", "attention_weights", "attention_weights_from_logits",
                 "attention_from_logits", "self_attention"):
        assert getattr(rope_viz, name) is getattr(attention, name), name
        assert name in rope_viz.__all__
    assert not hasattr(rope_viz, "nope_attention")
    assert not hasattr(rope_viz.nope, "causal_mask")
    assert not hasattr(rope_viz.relative_logits, "attention_from_logits")


# --- the causal mask and weights from logits ---------------------------------------------------


def test_causal_mask_is_lower_triangular():
    np.testing.assert_array_equal(causal_mask(4), np.tril(np.ones((4, 4), dtype=bool)))
    assert causal_mask(1).tolist() == [[True]]


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 12), seed=st.integers(0, 2**16), causal=st.booleans())
def test_softmax_rows_sum_to_one_and_respect_the_mask(n, seed, causal):
    logits = 5 * np.random.default_rng(seed).standard_normal((3, n, n))
    weights = attention_weights_from_logits(logits, causal=causal)
    assert_close(weights.sum(axis=-1), np.ones((3, n)))
    if causal:
        assert np.all(weights[:, ~causal_mask(n)] == 0)
        assert np.all(weights[:, causal_mask(n)] > 0)


def test_masked_logits_do_not_decide_the_scale_of_the_others():
    """A huge logit on a masked key must not underflow the keys the query can see."""
    logits = np.array([[0.0, 1000.0], [0.0, 0.0]])  # query 0 may not see key 1
    weights = attention_weights_from_logits(logits, causal=True)
    assert_close(weights, [[1.0, 0.0], [0.5, 0.5]])
    out = attention_from_logits(logits, [[2.0], [4.0]], causal=True)
    assert_close(out, [[2.0], [3.0]])
    raw = attention_weights_from_logits(logits, causal=True, normalization="none")
    assert_close(raw, [[1.0, 0.0], [1.0, 1.0]])


def test_normalizations_match_their_definitions(rng):
    logits = rng.standard_normal((4, 6))
    e = np.exp(logits)
    assert_close(attention_weights_from_logits(logits), e / e.sum(-1, keepdims=True))
    assert_close(attention_weights_from_logits(logits, normalization="l2"),
                 e / np.linalg.norm(e, axis=-1, keepdims=True))
    assert_close(attention_weights_from_logits(logits, normalization="none"), e)


# --- attention from logits (moved from relative_logits) ----------------------------------------


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 12), seed=st.integers(0, 2**16), causal=st.booleans())
def test_probe_identical_values_give_identical_outputs(n, seed, causal):
    """Su's probe (kexue.fm/archives/9105): rows summing to 1 and the same value everywhere
    give the same output at every position, whatever the logits."""
    gen = np.random.default_rng(seed)
    logits = 3 * gen.standard_normal((n, n))
    values = np.repeat(gen.standard_normal((1, 5)), n, 0)
    assert_close(attention_from_logits(logits, values, causal=causal), values, atol=1e-12)


def test_l2_and_value_terms_break_the_symmetry(rng):
    n = 8
    values = np.repeat(rng.standard_normal((1, 3)), n, 0)
    logits = rope_viz.alibi_bias(n, 4)[1]
    for out in (attention_from_logits(logits, values, normalization="l2"),
                attention_from_logits(logits, values, value_terms=rng.standard_normal((n, n, 3)))):
        assert np.ptp(out, axis=0).max() > 1e-3


def test_attention_from_logits_matches_a_loop(rng):
    n, dv = 5, 3
    logits = rng.standard_normal((n, n))
    values = rng.standard_normal((n, dv))
    terms = rng.standard_normal((n, n, dv))
    out = attention_from_logits(logits, values, causal=True, value_terms=terms)
    raw = attention_from_logits(logits, values, normalization="none")
    l2 = attention_from_logits(logits, values, normalization="l2")
    for i in range(n):
        w = np.exp(logits[i, : i + 1])
        w = w / w.sum()
        assert_close(out[i], w @ (values[: i + 1] + terms[i, : i + 1]))
        assert_close(raw[i], np.exp(logits[i]) @ values)
        assert_close(l2[i], np.exp(logits[i]) / np.linalg.norm(np.exp(logits[i])) @ values)


def test_batched_logits(rng):
    logits = rng.standard_normal((2, 3, 4, 4))
    values = rng.standard_normal((2, 3, 4, 6))
    out = attention_from_logits(logits, values)
    assert out.shape == (2, 3, 4, 6)
    assert_close(out[1, 2], attention_from_logits(logits[1, 2], values[1, 2]))


# --- weights from queries and keys (moved from nope) -------------------------------------------


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 12), dim=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_weights_are_causal_rows_summing_to_one(n, dim, seed):
    q, k = np.random.default_rng(seed).normal(size=(2, n, dim))
    weights = attention_weights(q, k)
    assert_close(weights.sum(axis=-1), np.ones(n))
    assert np.all(weights[~causal_mask(n)] == 0)
    assert np.all(weights[causal_mask(n)] > 0)


def test_weights_match_a_direct_softmax(rng):
    q, k = rng.normal(size=(2, 3, 5, 4))  # batch of 3
    scores = q @ np.swapaxes(k, -1, -2) / 2.0  # scale 1/sqrt(4)
    full = np.exp(scores) / np.exp(scores).sum(-1, keepdims=True)
    assert_close(attention_weights(q, k, causal=False), full)
    masked = np.where(np.tril(np.ones((5, 5))) > 0, np.exp(scores), 0.0)
    assert_close(attention_weights(q, k), masked / masked.sum(-1, keepdims=True))
    assert_close(attention_weights(q, k, scale=0.3),
                 attention_weights_from_logits(0.3 * q @ np.swapaxes(k, -1, -2), causal=True))


def test_content_free_causal_weights_are_uniform_over_the_prefix():
    weights = attention_weights(np.zeros((6, 3)), np.zeros((6, 3)))
    assert_close(weights, np.tril(np.ones((6, 6))) / np.arange(1, 7)[:, None])


# --- the random attention layer ----------------------------------------------------------------


def test_attention_is_permutation_equivariant(rng):
    x = rng.normal(size=(6, 12))
    perm = rng.permutation(6)
    out = self_attention(x, num_heads=3, rng=1)
    assert_close(self_attention(x[perm], num_heads=3, rng=1), out[perm], atol=1e-12)


def test_causal_layer_matches_masked_weights_by_hand(rng):
    x = rng.normal(size=(5, 4))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        layer = torch.nn.MultiheadAttention(4, 1, batch_first=True, dtype=torch.float64)
    w = layer.in_proj_weight.detach().numpy()
    b = layer.in_proj_bias.detach().numpy()
    q, k, v = (x @ w[i * 4:(i + 1) * 4].T + b[i * 4:(i + 1) * 4] for i in range(3))
    heads = attention_weights(q, k) @ v  # (5, 4)
    out = heads @ layer.out_proj.weight.detach().numpy().T + layer.out_proj.bias.detach().numpy()
    assert_close(self_attention(x, num_heads=1, rng=0, causal=True), out)


def test_causal_layer_tells_repeated_tokens_apart():
    x = rope_viz.token_embeddings("the dog chased another dog", 16)
    causal = self_attention(x, causal=True)
    both = self_attention(x)
    assert np.abs(causal[1] - causal[4]).max() > 1e-3
    assert_close(both[1], both[4], atol=1e-12)


def test_causal_output_of_a_prefix_ignores_what_follows(rng):
    x = rng.normal(size=(6, 4))
    y = x.copy()
    y[4:] = rng.normal(size=(2, 4))
    assert_close(self_attention(x, causal=True)[:4], self_attention(y, causal=True)[:4])


def test_rng_contract_and_torch_state():
    """An int seed gives the same layer on every call, a Generator a new one; torch's global
    generator is left as it was either way."""
    x = np.random.default_rng(0).normal(size=(4, 6))
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    first = self_attention(x, rng=9)
    assert_close(self_attention(x, rng=9), first, rtol=0, atol=0)
    gen = np.random.default_rng(5)
    a, b = self_attention(x, rng=gen), self_attention(x, rng=gen)
    assert np.abs(a - b).max() > 1e-6
    assert_close(self_attention(x, rng=np.random.default_rng(5)), a, rtol=0, atol=0)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize(
    ("call", "kind", "needle"),
    [
        (lambda: causal_mask(0), ValueError, "n must be a positive integer"),
        (lambda: attention_weights(np.zeros((3, 2)), np.zeros((4, 2))), ValueError,
         "k must be an array of the same shape"),
        (lambda: attention_weights(np.zeros(3), np.zeros(3)), ValueError, "q must be"),
        (lambda: attention_weights(np.zeros((3, 2)), np.zeros((3, 2)), causal="yes"), TypeError,
         "causal"),
        (lambda: attention_weights(np.zeros((3, 2)), np.zeros((3, 2)), scale=-1.0), ValueError,
         "scale"),
        (lambda: attention_weights_from_logits(np.ones(3)), ValueError, "logits"),
        (lambda: attention_weights_from_logits("x"), TypeError, "logits"),
        (lambda: attention_from_logits(np.ones((3, 3)), np.ones((4, 2))), ValueError, "values"),
        (lambda: attention_from_logits(np.ones((3, 3)), np.ones((3, 2)), normalization="max"),
         ValueError, "normalization"),
        (lambda: attention_from_logits(np.ones((3, 3)), np.ones((3, 2)), causal=1),
         TypeError, "causal"),
        (lambda: attention_from_logits(np.ones((2, 3)), np.ones((3, 2)), causal=True),
         ValueError, "logits"),
        (lambda: attention_from_logits(np.ones((3, 3)), np.ones((3, 2)),
                                       value_terms=np.ones((3, 3, 1))), ValueError, "value_terms"),
        (lambda: attention_from_logits(np.full((3, 3), np.nan), np.ones((3, 2))),
         ValueError, "logits"),
        (lambda: self_attention(np.ones(4)), ValueError, "x must be a 2-D array"),
        (lambda: self_attention(np.ones((2, 6)), num_heads=4), ValueError, "num_heads must be a divisor"),
        (lambda: self_attention(np.ones((3, 4)), causal=1), TypeError, "causal"),
        (lambda: self_attention(np.ones((3, 4)), rng=None), TypeError, "rng"),
    ],
)
def test_bad_input_names_the_argument(call, kind, needle):
    with pytest.raises(kind, match=needle):
        call()
