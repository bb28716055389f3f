"""Tests for rope_viz.rope_attention: the RoPE attention layer of chapter 10.

Run with ``pytest tests/test_rope_attention.py``. The CUDA test skips where CUDA is absent.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch
from conftest import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st

import rope_viz
from rope_viz.rope_attention import (
    RopeAttention,
    attention_score_bytes,
    describe_device,
    fork_torch_rng,
    merge_heads,
    naive_attention,
    pick_device,
    rope_rotate_half_reference,
    rope_rotate_half_tables,
    sdpa_attention,
    seed_from_rng,
    split_heads,
    torch_generator,
)

TOLERANCES = {torch.float64: {"rtol": 1e-10, "atol": 1e-12}, torch.float32: {"rtol": 1e-4, "atol": 1e-5}}
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def qkv(rng, shape, dtype=torch.float64, kv_length=None):
    kv_shape = shape if kv_length is None else (*shape[:-2], kv_length, shape[-1])
    return tuple(torch.from_numpy(rng.normal(size=s)).to(dtype) for s in (shape, kv_shape, kv_shape))


def attention_by_hand(q, k, v, causal, bias=None):
    """softmax(q kᵀ / √hs + bias) v in float64 numpy, one row at a time."""
    q, k, v = (t.double().numpy() for t in (q, k, v))
    scores_shape = q.shape[:-1] + (k.shape[-2],)
    bias = np.zeros(scores_shape) if bias is None else np.broadcast_to(bias.double().numpy(), scores_shape)
    out = np.empty(q.shape[:-1] + (v.shape[-1],))
    for t in range(q.shape[-2]):
        keys = slice(0, t + 1) if causal else slice(None)
        s = np.einsum("...d,...sd->...s", q[..., t, :], k[..., keys, :]) / np.sqrt(q.shape[-1])
        s = s + bias[..., t, keys]
        w = np.exp(s - s.max(axis=-1, keepdims=True))
        w /= w.sum(axis=-1, keepdims=True)
        out[..., t, :] = np.einsum("...s,...sd->...d", w, v[..., keys, :])
    return out


# --- naive and SDPA ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("causal", [False, True])
def test_naive_equals_sdpa(rng, dtype, causal):
    q, k, v = qkv(rng, (2, 3, 17, 8), dtype)
    assert_close(naive_attention(q, k, v, causal=causal), sdpa_attention(q, k, v, causal=causal),
                 **TOLERANCES[dtype], label=f"{dtype} causal={causal}")


@pytest.mark.parametrize("causal", [False, True])
def test_both_paths_equal_the_formula(rng, causal):
    q, k, v = qkv(rng, (2, 9, 6))
    expected = attention_by_hand(q, k, v, causal)
    assert_close(naive_attention(q, k, v, causal=causal), expected, rtol=1e-10, atol=1e-12)
    assert_close(sdpa_attention(q, k, v, causal=causal), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("attend", [naive_attention, sdpa_attention])
def test_causal_output_ignores_the_future(rng, attend):
    q, k, v = qkv(rng, (1, 2, 10, 4))
    out = attend(q, k, v, causal=True)
    k2, v2 = k.clone(), v.clone()
    k2[..., 6:, :] += 5.0
    v2[..., 6:, :] -= 3.0
    changed = attend(q, k2, v2, causal=True)
    assert_close(changed[..., :6, :], out[..., :6, :], rtol=0, atol=1e-12)
    assert (changed[..., 6:, :] - out[..., 6:, :]).abs().max() > 1e-3


def test_cross_attention_and_custom_scale(rng):
    q, k, v = qkv(rng, (2, 5, 8), kv_length=7)
    assert naive_attention(q, k, v).shape == (2, 5, 8)
    assert_close(naive_attention(q, k, v, scale=0.3), sdpa_attention(q, k, v, scale=0.3))
    assert_close(naive_attention(q, k, v, scale=1 / np.sqrt(8)), naive_attention(q, k, v))


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("attend", [naive_attention, sdpa_attention])
def test_a_logit_bias_enters_before_the_softmax(rng, attend, causal):
    """The bias hook (ALiBi, T5): an (nh, T, S) bias broadcast over the batch."""
    q, k, v = qkv(rng, (2, 3, 6, 4))
    bias = torch.from_numpy(rope_viz.alibi_bias(6, 3))  # (nh, T, T)
    expected = attention_by_hand(q, k, v, causal, bias)
    assert_close(attend(q, k, v, causal=causal, bias=bias), expected, rtol=1e-10, atol=1e-12)
    assert_close(attend(q, k, v, causal=causal, bias=bias.float()), expected, rtol=1e-6, atol=1e-7)
    zero = torch.zeros(6, 6, dtype=torch.float64)
    assert_close(attend(q, k, v, causal=causal, bias=zero), attend(q, k, v, causal=causal),
                 rtol=1e-12, atol=1e-12)


def test_a_bias_keeps_its_gradient(rng):
    q, k, v = qkv(rng, (1, 2, 5, 4))
    table = torch.zeros(2, 5, 5, dtype=torch.float64, requires_grad=True)
    naive_attention(q, k, v, causal=True, bias=table).sum().backward()
    assert table.grad is not None and table.grad.abs().sum() > 0


def test_heads_split_and_merge(rng):
    x = torch.from_numpy(rng.normal(size=(2, 5, 12)))
    heads = split_heads(x, 3)  # (B, nh, T, hs)
    assert heads.shape == (2, 3, 5, 4)
    assert torch.equal(heads[:, 1, :, :], x[..., 4:8])
    assert torch.equal(merge_heads(heads), x)


def test_rng_contract_for_torch():
    assert seed_from_rng(5) == 5
    gen = np.random.default_rng(1)
    assert seed_from_rng(gen) != seed_from_rng(gen)  # a Generator: a new seed per call
    assert torch.equal(torch.rand(3, generator=torch_generator(4)),
                       torch.rand(3, generator=torch.Generator().manual_seed(4)))
    own = torch.Generator().manual_seed(0)
    assert torch_generator(own) is own
    torch.manual_seed(11)
    expected = torch.rand(2)
    torch.manual_seed(11)
    with fork_torch_rng(3):
        inside = torch.rand(2)
    assert torch.equal(torch.rand(2), expected)
    assert torch.equal(inside, torch.rand(2, generator=torch.Generator().manual_seed(3)))
    for bad in (None, -1, 1.5, "0"):
        with pytest.raises(TypeError, match="rng"):
            seed_from_rng(bad)


def test_score_bytes():
    assert attention_score_bytes(1, 32, 8192, itemsize=2) == 4 * 2**30
    assert attention_score_bytes(2, 3, 5) == 2 * 3 * 25 * 4


# --- the rotate_half reference ----------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 12),
    half=st.integers(1, 8),
    offset=st.floats(-1e4, 1e4, allow_nan=False),
    base=st.sampled_from([100.0, 10000.0, 5e5]),
)
def test_rotate_half_reference_equals_apply_rope_half(n, half, offset, base):
    dim = 2 * half
    x = torch.from_numpy(np.random.default_rng(n * 31 + dim).normal(size=(2, n, dim)))
    positions = np.arange(n) + offset
    cos, sin = rope_rotate_half_tables(positions, dim, base, dtype=torch.float64)
    assert cos.shape == sin.shape == (n, dim)
    expected = rope_viz.apply_rope(x, positions, base, pairing="half")
    assert_close(rope_rotate_half_reference(x, cos, sin), expected, rtol=1e-12, atol=1e-12)


def test_rotate_half_reference_in_float32_and_is_not_interleaved(rng):
    x = torch.from_numpy(rng.normal(size=(3, 16, 8))).float()
    cos, sin = rope_rotate_half_tables(16, 8)
    out = rope_rotate_half_reference(x, cos, sin)
    assert out.dtype == torch.float32
    assert_close(out, rope_viz.apply_rope(x, 16, pairing="half"), rtol=1e-5, atol=1e-5)
    assert (out - rope_viz.apply_rope(x, 16, pairing="interleaved")).abs().max() > 1e-2


# --- the layer --------------------------------------------------------------------------------


def test_layer_scores_depend_only_on_relative_position(rng):
    layer = RopeAttention(hidden_size=32, num_heads=4, dtype=torch.float64, device="cpu", rng=2)
    x = torch.from_numpy(rng.normal(size=(2, 9, 32)))
    with torch.no_grad():
        scores = layer.scores(x)  # (B, nh, T, T)
        assert scores.shape == (2, 4, 9, 9)
        assert_close(layer.scores(x, np.arange(9) + 1234.5), scores, rtol=1e-9, atol=1e-9)
        # the same token everywhere: score[m, n] is a function of m - n only (a Toeplitz matrix)
        same = x[:, :1].expand(2, 9, 32)
        toeplitz = layer.scores(same)
        assert_close(toeplitz[..., 1:, 1:], toeplitz[..., :-1, :-1], rtol=1e-9, atol=1e-9)
        assert (toeplitz[..., 0, 1:] - toeplitz[..., 0, :-1]).abs().max() > 1e-3


@pytest.mark.parametrize("causal", [False, True])
def test_layer_backends_agree(rng, causal):
    layer = RopeAttention(hidden_size=24, num_heads=3, dtype=torch.float64, device="cpu")
    x = torch.from_numpy(rng.normal(size=(2, 7, 24)))
    with torch.no_grad():
        naive = layer(x, causal=causal, backend="naive")
        assert naive.shape == (2, 7, 24)
        assert_close(layer(x, causal=causal, backend="sdpa"), naive, rtol=1e-10, atol=1e-12)
        assert_close(layer(x, np.arange(7), causal=causal), naive, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("pairing", "form"), [("half", "complex"), ("interleaved", "elementwise"),
                                               ("interleaved", "matrix")])
def test_layer_forms_agree_and_pairings_differ(rng, pairing, form):
    x = torch.from_numpy(rng.normal(size=(1, 6, 16)))
    reference = RopeAttention(16, 2, pairing=pairing, dtype=torch.float64, device="cpu")
    other = RopeAttention(16, 2, pairing=pairing, form=form, dtype=torch.float64, device="cpu")
    with torch.no_grad():
        assert_close(other(x), reference(x), rtol=1e-10, atol=1e-12)


def test_layer_rng_and_global_random_state(rng):
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    a, b = RopeAttention(16, 2, rng=1, device="cpu"), RopeAttention(16, 2, rng=1, device="cpu")
    assert torch.equal(torch.rand(3), expected)
    assert torch.equal(a.qkv.weight, b.qkv.weight)
    assert not torch.equal(a.qkv.weight, RopeAttention(16, 2, rng=2, device="cpu").qkv.weight)
    gen = np.random.default_rng(0)
    c, d = RopeAttention(16, 2, rng=gen, device="cpu"), RopeAttention(16, 2, rng=gen, device="cpu")
    assert not torch.equal(c.qkv.weight, d.qkv.weight)
    assert "hidden_size=16" in repr(a) and "head_size=8" in repr(a)
    assert a.hidden_size == 16 and a.head_size == 8


def test_layer_trains(rng):
    layer = RopeAttention(16, 2, device="cpu")
    x = torch.from_numpy(rng.normal(size=(1, 5, 16))).float()
    layer(x, causal=True).pow(2).sum().backward()
    assert layer.qkv.weight.grad is not None and layer.qkv.weight.grad.abs().sum() > 0


# --- devices ----------------------------------------------------------------------------------


def test_pick_device_cpu_and_default():
    assert pick_device("cpu") == torch.device("cpu")
    assert pick_device(torch.device("cpu")) == torch.device("cpu")
    assert pick_device().type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert torch.__version__ in describe_device("cpu") and "cpu" in describe_device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message where CUDA is absent")
def test_pick_device_refuses_missing_cuda():
    with pytest.raises(ValueError, match="prefer.*cuda.is_available"):
        pick_device("cuda")


@needs_cuda
def test_cuda_matches_cpu(rng):
    device = pick_device("cuda")
    q, k, v = qkv(rng, (1, 2, 33, 16), torch.float32)
    for causal in (False, True):
        cpu = naive_attention(q, k, v, causal=causal)
        gpu = [t.to(device) for t in (q, k, v)]
        assert_close(naive_attention(*gpu, causal=causal), cpu, rtol=1e-3, atol=1e-4)
        assert_close(sdpa_attention(*gpu, causal=causal), cpu, rtol=1e-3, atol=1e-4)
        bias = torch.from_numpy(rope_viz.alibi_bias(33, 2)).float()  # (nh, T, T)
        cpu = naive_attention(q, k, v, causal=causal, bias=bias)
        gpu_bias = bias.to(device)
        assert_close(naive_attention(*gpu, causal=causal, bias=gpu_bias), cpu, rtol=1e-3, atol=1e-4)
        assert_close(sdpa_attention(*gpu, causal=causal, bias=gpu_bias), cpu, rtol=1e-3, atol=1e-4)
    layer = RopeAttention(32, 2, device=device)
    x = torch.from_numpy(rng.normal(size=(1, 9, 32))).float()
    with torch.no_grad():
        on_gpu = layer(x.to(device), causal=True)
        assert on_gpu.device.type == "cuda"
        assert_close(on_gpu, layer.to("cpu")(x, causal=True), rtol=1e-3, atol=1e-4)
    assert "cuda" in describe_device(device)


# --- the package exports these names without importing torch up front ------------------------


def test_exports_are_lazy():
    code = ("import sys, rope_viz; "
            "assert 'rope_viz.rope_attention' not in sys.modules; "
            "assert 'rope_viz.timing' not in sys.modules; "
            "assert callable(rope_viz.naive_attention) and 'torch' in sys.modules; "
            "assert callable(rope_viz.format_table) and 'rope_viz.timing' in sys.modules; "
            "assert 'RopeAttention' in dir(rope_viz)")
    subprocess.run([sys.executable, "-c", code], check=True)
    assert rope_viz.RopeAttention is RopeAttention
    assert rope_viz.rope_rotate_half_reference is rope_rotate_half_reference
    assert {"RopeAttention", "sdpa_attention", "attention_timing"} <= set(rope_viz.__all__)
    with pytest.raises(AttributeError, match="no_such_name"):
        rope_viz.no_such_name  # noqa: B018


# --- bad inputs -------------------------------------------------------------------------------

T = torch.zeros(1, 4, 8)


@pytest.mark.parametrize(
    ("call", "kind", "needle"),
    [
        (lambda: pick_device(3), TypeError, "prefer"),
        (lambda: pick_device("tpu"), ValueError, "prefer"),
        (lambda: pick_device("meta"), ValueError, "prefer"),
        (lambda: naive_attention(np.zeros((4, 8)), T, T), TypeError, "q must be"),
        (lambda: naive_attention(T, torch.zeros(1, 4, 6), T), ValueError, "k must be"),
        (lambda: naive_attention(T, T, torch.zeros(1, 5, 8)), ValueError, "v must be"),
        (lambda: naive_attention(T, torch.zeros(2, 4, 8), T), ValueError, "k and v"),
        (lambda: naive_attention(T, T.double(), T), ValueError, "k must be"),
        (lambda: naive_attention(T, torch.zeros(1, 5, 8), torch.zeros(1, 5, 8), causal=True),
         ValueError, "causal"),
        (lambda: sdpa_attention(T, T, T, causal=1), TypeError, "causal"),
        (lambda: sdpa_attention(T, T, T, scale=0.0), ValueError, "scale"),
        (lambda: sdpa_attention(T, T, T.long()), TypeError, "v must be"),
        (lambda: naive_attention(T, T, T, bias=np.zeros((4, 4))), TypeError, "bias must be"),
        (lambda: naive_attention(T, T, T, bias=torch.zeros(4, 4).long()), TypeError, "bias must be"),
        (lambda: sdpa_attention(T, T, T, bias=torch.zeros(3, 4, 4)), ValueError, "bias must be"),
        (lambda: naive_attention(T, T, T, bias=torch.zeros(1, 2, 4, 4)), ValueError, "bias must be"),
        (lambda: split_heads(torch.zeros(1, 4, 6), 4), ValueError, "num_heads"),
        (lambda: merge_heads(torch.zeros(4, 6)), ValueError, "y must be"),
        (lambda: attention_score_bytes(0, 1, 1), ValueError, "batch"),
        (lambda: rope_rotate_half_reference(T, torch.zeros(5, 8), torch.zeros(4, 8)), ValueError, "cos"),
        (lambda: rope_rotate_half_reference(torch.zeros(1, 4, 7), T, T), ValueError, "x must be"),
        (lambda: rope_rotate_half_reference(T, T, "sin"), TypeError, "sin"),
        (lambda: rope_rotate_half_tables(4, 7), ValueError, "dim"),
        (lambda: rope_rotate_half_tables(4, 8, dtype=torch.int64), TypeError, "dtype"),
        (lambda: RopeAttention(10, 3), ValueError, "num_heads"),
        (lambda: RopeAttention(12, 4), ValueError, "head size"),
        (lambda: RopeAttention(16, 2, pairing="both"), ValueError, "pairing"),
        (lambda: RopeAttention(16, 2, form="fast"), ValueError, "form"),
        (lambda: RopeAttention(16, 2, base=1.0), ValueError, "base"),
        (lambda: RopeAttention(16, 2, dtype="float32"), TypeError, "dtype"),
        (lambda: RopeAttention(16, 2, rng=None), TypeError, "rng"),
        (lambda: RopeAttention(dim=16), TypeError, "dim"),
        (lambda: RopeAttention(16, 2, device="cpu")(torch.zeros(1, 4, 8)), ValueError, "x must be"),
        (lambda: RopeAttention(16, 2, device="cpu")(np.zeros((1, 4, 16))), TypeError, "x must be"),
        (lambda: RopeAttention(16, 2, device="cpu")(torch.zeros(1, 4, 16), [0, 1]), ValueError,
         "positions"),
        (lambda: RopeAttention(16, 2, device="cpu")(torch.zeros(1, 4, 16), backend="flash"),
         ValueError, "backend"),
    ],
)
def test_bad_inputs(call, kind, needle):
    with pytest.raises(kind, match=needle):
        call()
