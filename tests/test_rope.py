"""Tests for rope_viz.rope. Run: ``pytest tests/test_rope.py``.

Cross-checks: Hugging Face transformers (Llama's ``apply_rotary_pos_emb`` and rotary embedding,
half pairing) and lucidrains' rotary-embedding-torch (interleaved pairing).
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
from rope_viz import rope

FORMS = ["elementwise", "complex", "matrix"]
PAIRINGS = ["interleaved", "half"]
dims = st.sampled_from([2, 4, 8, 16, 64])
positions_st = st.floats(-5000, 5000, allow_nan=False)


def test_doctests():
    result = doctest.testmod(rope, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_frequencies():
    freqs = rope_viz.rope_frequencies(128, 10000.0)
    assert freqs.shape == (64,)
    assert_close(freqs, 10000.0 ** (-np.arange(0, 128, 2) / 128))
    assert freqs[0] == 1.0 and np.all(np.diff(freqs) < 0)


def test_rotation_matrix_is_counter_clockwise():
    r = rope_viz.rotation_matrix(np.pi / 2, 2, base=10000.0)  # theta_0 = 1
    assert_close(r @ [1.0, 0.0], [0.0, 1.0], atol=1e-12)  # x-axis turns to y-axis
    r4 = rope_viz.rotation_matrix(3.0, 4, base=100.0)
    assert r4[0, 2] == 0 and r4[1, 3] == 0  # block-diagonal
    assert_close(r4[2:, 2:], [[np.cos(0.3), -np.sin(0.3)], [np.sin(0.3), np.cos(0.3)]])


@settings(max_examples=40, deadline=None)
@given(m=positions_st, n=positions_st, dim=dims, base=st.floats(1.5, 1e6))
def test_relative_property(m, n, dim, base):
    rm = rope_viz.rotation_matrix(m, dim, base)
    rn = rope_viz.rotation_matrix(n, dim, base)
    assert_close(rm.T @ rn, rope_viz.rotation_matrix(n - m, dim, base), atol=1e-8)
    assert_close(rm.T @ rm, np.eye(dim), atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(dim=dims, n=st.integers(1, 12), seed=st.integers(0, 2**31), pairing=st.sampled_from(PAIRINGS))
def test_three_forms_agree_and_preserve_norms(dim, n, seed, pairing):
    gen = np.random.default_rng(seed)
    x = gen.standard_normal((2, n, dim))
    pos = gen.uniform(-1e4, 1e4, n)
    outs = [rope_viz.apply_rope(x, pos, pairing=pairing, form=f) for f in FORMS]
    for f, out in zip(FORMS[1:], outs[1:]):
        assert_close(out, outs[0], atol=1e-10, label=f)
    assert_close(np.linalg.norm(outs[0], axis=-1), np.linalg.norm(x, axis=-1), rtol=1e-12)


def test_matches_rotation_matrix_rows(rng):
    x = rng.standard_normal((5, 8))
    pos = np.array([0.0, 1.0, 2.5, 100.0, -7.0])
    out = rope_viz.apply_rope(x, pos, base=500.0)
    for m in range(5):
        assert_close(out[m], rope_viz.rotation_matrix(pos[m], 8, 500.0) @ x[m], atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(dim=dims, shift=st.floats(-1000, 1000), seed=st.integers(0, 2**31), pairing=st.sampled_from(PAIRINGS))
def test_score_depends_only_on_offset(dim, shift, seed, pairing):
    gen = np.random.default_rng(seed)
    q, k = gen.standard_normal((2, 1, dim))
    m, n = gen.uniform(-100, 100, 2)
    def score(a, b):
        qa = rope_viz.apply_rope(q, [a], pairing=pairing)
        kb = rope_viz.apply_rope(k, [b], pairing=pairing)
        return float(qa[0] @ kb[0])
    assert score(m, n) == pytest.approx(score(m + shift, n + shift), abs=1e-8)


@settings(max_examples=30, deadline=None)
@given(dim=dims, seed=st.integers(0, 2**31))
def test_pairings_equal_up_to_permutation(dim, seed):
    gen = np.random.default_rng(seed)
    x = gen.standard_normal((3, dim))
    pos = gen.uniform(-50, 50, 3)
    perm = rope_viz.pairing_permutation(dim, "half", "interleaved")
    back = rope_viz.pairing_permutation(dim, "interleaved", "half")
    assert_close(np.sort(perm), np.arange(dim))
    assert_close(perm[back], np.arange(dim))
    half = rope_viz.apply_rope(x, pos, pairing="half")
    inter = rope_viz.apply_rope(x[..., perm], pos, pairing="interleaved")
    assert_close(half[..., perm], inter, atol=1e-12)
    assert_close(inter[..., back], half, atol=1e-12)


def test_pairings_differ_without_permutation(rng):
    x = rng.standard_normal((3, 8))
    a = rope_viz.apply_rope(x, [1, 2, 3], pairing="half")
    b = rope_viz.apply_rope(x, [1, 2, 3], pairing="interleaved")
    assert np.abs(a - b).max() > 1e-3


def test_position_zero_is_identity_and_x_unchanged(rng):
    x = rng.standard_normal((2, 4, 16))
    copy = x.copy()
    for form in FORMS:
        out = rope_viz.apply_rope(x, np.zeros(4), form=form)
        assert_close(out, x, atol=1e-15)
    assert np.array_equal(x, copy)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16, torch.float16])
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("pairing", PAIRINGS)
def test_torch_in_torch_out(dtype, form, pairing):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 10, 16, generator=gen).to(dtype)
    pos = torch.arange(10) * 3
    out = rope_viz.apply_rope(x, pos, pairing=pairing, form=form)
    assert isinstance(out, torch.Tensor) and out.dtype == dtype and out.shape == x.shape
    assert out.device == x.device
    ref = rope_viz.apply_rope(x.double().numpy(), np.arange(10) * 3, pairing=pairing)
    tol = {torch.float64: 1e-12, torch.float32: 1e-5, torch.bfloat16: 5e-2, torch.float16: 5e-3}[dtype]
    assert_close(out, ref, atol=tol * 10, rtol=tol, label=f"{dtype} {form}")


def test_numpy_float32_stays_float32(rng):
    x = rng.standard_normal((4, 8)).astype(np.float32)
    for form in FORMS:
        assert rope_viz.apply_rope(x, 4, form=form).dtype == np.float32


def test_torch_autograd_through_default_form():
    x = torch.randn(1, 5, 8, dtype=torch.float64, requires_grad=True)
    out = rope_viz.apply_rope(x, 5)
    out.square().sum().backward()  # rotation preserves norms: d/dx |Rx|² = 2x
    assert_close(x.grad, 2 * x.detach(), atol=1e-12)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_tensor_stays_on_device():
    x = torch.randn(2, 64, 32, device="cuda")
    out = rope_viz.apply_rope(x, 64, pairing="half")
    assert out.device == x.device
    assert_close(out, rope_viz.apply_rope(x.cpu(), 64, pairing="half"), rtol=1e-5, atol=1e-5)


def test_inv_freq_overrides_base(rng):
    x = rng.standard_normal((3, 8))
    freqs = rope_viz.rope_frequencies(8, 500.0)
    assert_close(rope_viz.apply_rope(x, 3, inv_freq=freqs), rope_viz.apply_rope(x, 3, base=500.0))


# --- cross-checks against peer implementations ------------------------------------------------


def test_matches_huggingface_llama_rotate_half():
    import transformers
    from transformers.models.llama import modeling_llama

    config = transformers.LlamaConfig(
        hidden_size=256, num_attention_heads=4, head_dim=64,
        rope_parameters={"rope_type": "default", "rope_theta": 50000.0},
    )
    emb = modeling_llama.LlamaRotaryEmbedding(config)
    gen = torch.Generator().manual_seed(1)
    q = torch.randn(2, 4, 33, 64, generator=gen)
    k = torch.randn(2, 4, 33, 64, generator=gen)
    position_ids = torch.arange(5, 38)[None].expand(2, -1)
    cos, sin = emb(q, position_ids)
    q_hf, k_hf = modeling_llama.apply_rotary_pos_emb(q, k, cos, sin)
    for form in FORMS:
        q_ours = rope_viz.apply_rope(q, position_ids[0], base=50000.0, pairing="half", form=form)
        k_ours = rope_viz.apply_rope(k, position_ids[0], base=50000.0, pairing="half", form=form)
        # HF forms the angles in float32, so allow float32-level disagreement at positions ~40
        assert_close(q_ours, q_hf, rtol=1e-4, atol=2e-5, label=form)
        assert_close(k_ours, k_hf, rtol=1e-4, atol=2e-5, label=form)
    assert_close(emb.inv_freq, rope_viz.rope_frequencies(64, 50000.0), rtol=1e-6)


def test_matches_lucidrains_interleaved():
    import rotary_embedding_torch as rotary  # a test dependency (pyproject's `test` extra)

    dim = 32
    module = rotary.RotaryEmbedding(dim=dim, theta=10000)
    gen = torch.Generator().manual_seed(2)
    q = torch.randn(2, 3, 50, dim, generator=gen)
    theirs = module.rotate_queries_or_keys(q)  # positions 0..49 along dim -2
    for form in FORMS:
        ours = rope_viz.apply_rope(q, 50, pairing="interleaved", form=form)
        assert_close(ours, theirs, rtol=1e-4, atol=2e-5, label=form)
    assert_close(module.freqs, rope_viz.rope_frequencies(dim), rtol=1e-6)


# --- decay -----------------------------------------------------------------------------------


def test_long_range_decay_starts_at_32_5_and_falls():
    curve = rope_viz.long_range_decay(np.arange(0, 1001), dim=128)
    assert curve[0] == pytest.approx(32.5, abs=1e-12)
    assert curve[1000] < 0.25 * curve[0]
    assert np.any(np.diff(curve) > 0), "the bound has bumps: it is not monotone"
    assert rope_viz.long_range_decay([0], dim=16)[0] == pytest.approx(4.5)  # (8 + 1) / 2


def test_long_range_decay_matches_su_mathematica_definition():
    # Su's code: f[m] = Sum[Norm[Sum[Exp[I m θ(i)], {i, 0, j}]], {j, 0, d/2 - 1}] / (d/2)
    d, m = 32, 37.0
    theta = 10000.0 ** (-2 * np.arange(d // 2) / d)
    expected = sum(abs(sum(np.exp(1j * m * theta[i]) for i in range(j + 1))) for j in range(d // 2)) / (d / 2)
    assert rope_viz.long_range_decay([m], dim=d)[0] == pytest.approx(expected, rel=1e-12)


def test_empirical_decay_identical_matches_expectation():
    distances = np.array([0, 3, 30, 300])
    measured = rope_viz.empirical_decay(distances, dim=64, identical=True, samples=4000, rng=1)
    expected = 2 * np.cos(np.multiply.outer(distances, rope_viz.rope_frequencies(64))).sum(axis=1)
    assert_close(measured, expected, atol=3.0)  # sampling error ~ sqrt(2*64/4000)*… well under 3
    assert measured[0] == pytest.approx(64, abs=3)


def test_empirical_decay_random_is_centred_and_seeded():
    a = rope_viz.empirical_decay(np.arange(50), dim=64, samples=2000, rng=np.random.default_rng(5))
    b = rope_viz.empirical_decay(np.arange(50), dim=64, samples=2000, rng=np.random.default_rng(5))
    assert np.array_equal(a, b)
    assert np.abs(a).max() < 1.0  # E = 0; std of the mean ~ sqrt(64/2000) = 0.18


# --- bad input --------------------------------------------------------------------------------

X = np.zeros((4, 8))
BAD = [
    (rope_viz.rope_frequencies, dict(dim=7), ValueError, "dim"),
    (rope_viz.rope_frequencies, dict(dim=-2), ValueError, "dim"),
    (rope_viz.rope_frequencies, dict(dim="8"), TypeError, "dim"),
    (rope_viz.rope_frequencies, dict(dim=8, base=1.0), ValueError, "base"),
    (rope_viz.rope_frequencies, dict(dim=8, base=np.inf), ValueError, "base"),
    (rope_viz.rope_frequencies, dict(dim=8, base="big"), TypeError, "base"),
    (rope_viz.rotation_matrix, dict(position=np.nan, dim=4), ValueError, "position"),
    (rope_viz.rotation_matrix, dict(position=1, dim=3), ValueError, "dim"),
    (rope_viz.apply_rope, dict(x=X, positions=3), ValueError, "positions"),
    (rope_viz.apply_rope, dict(x=X, positions=[0, 1, np.inf, 3]), ValueError, "positions"),
    (rope_viz.apply_rope, dict(x=X, positions=np.zeros((4, 1))), ValueError, "positions"),
    (rope_viz.apply_rope, dict(x=np.zeros((4, 7)), positions=4), ValueError, "x"),
    (rope_viz.apply_rope, dict(x=np.zeros(8), positions=1), ValueError, "x"),
    (rope_viz.apply_rope, dict(x="q", positions=4), TypeError, "x"),
    (rope_viz.apply_rope, dict(x=np.zeros((4, 8), dtype=complex), positions=4), TypeError, "x"),
    (rope_viz.apply_rope, dict(x=torch.zeros(4, 8, dtype=torch.int64), positions=4), TypeError, "x"),
    (rope_viz.apply_rope, dict(x=X, positions=4, pairing="neox"), ValueError, "pairing"),
    (rope_viz.apply_rope, dict(x=X, positions=4, pairing=None), TypeError, "pairing"),
    (rope_viz.apply_rope, dict(x=X, positions=4, form="fast"), ValueError, "form"),
    (rope_viz.apply_rope, dict(x=X, positions=4, base=0.5), ValueError, "base"),
    (rope_viz.apply_rope, dict(x=X, positions=4, inv_freq=[1.0, 2.0]), ValueError, "inv_freq"),
    # an int is a count of positions, never a list of frequencies: refused, not read as range(4)
    (rope_viz.apply_rope, dict(x=X, positions=4, inv_freq=4), ValueError, "inv_freq"),
    (rope_viz.rope_angles, dict(positions=4, dim=8, inv_freq=4), ValueError, "inv_freq"),
    (rope_viz.rope_angles, dict(positions=4, dim=8, inv_freq=[1.0, np.nan, 1.0, 1.0]), ValueError, "inv_freq"),
    (rope_viz.orthogonal_block_form, dict(o=np.zeros((2, 3))), ValueError, "o"),
    (rope_viz.orthogonal_block_form, dict(o="rotation"), TypeError, "o"),
    (rope_viz.pairing_permutation, dict(dim=6, source="rotate_half"), ValueError, "source"),
    (rope_viz.long_range_decay, dict(distances=[0, np.nan]), ValueError, "distances"),
    (rope_viz.long_range_decay, dict(distances=4, dim=0), ValueError, "dim"),
    (rope_viz.empirical_decay, dict(distances=4, samples=0), ValueError, "samples"),
    (rope_viz.empirical_decay, dict(distances=4, rng="seed"), TypeError, "rng"),
    (rope_viz.empirical_decay, dict(distances=4, identical="yes"), TypeError, "identical"),
]


@pytest.mark.parametrize("func, kwargs, error, name", BAD, ids=[f"{b[0].__name__}-{b[3]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input(func, kwargs, error, name):
    with pytest.raises(error) as info:
        func(**kwargs)
    assert str(info.value).startswith(f"{name} must be"), str(info.value)


# --- the general solution R_n = O^n (kexue.fm/archives/9403) -----------------------------


@settings(max_examples=25, deadline=None)
@given(dim=st.integers(1, 12), det=st.sampled_from([1, -1]), seed=st.integers(0, 2**16))
def test_random_orthogonal_is_orthogonal_with_requested_determinant(dim, det, seed):
    o = rope.random_orthogonal(dim, det=det, rng=seed)
    assert_close(o.T @ o, np.eye(dim), atol=1e-12)
    assert round(float(np.linalg.det(o))) == det
    assert_close(o, rope.random_orthogonal(dim, det=det, rng=seed), atol=0)


@settings(max_examples=20, deadline=None)
@given(det=st.sampled_from([1, -1]), seed=st.integers(0, 2**16),
       m=st.integers(-6, 6), shift=st.integers(-6, 6))
def test_orthogonal_powers_are_relative(det, seed, m, shift):
    # Su's claim: for any orthogonal O, R_n = O^n satisfies R_m^T R_n = R_(n-m).
    o = rope.random_orthogonal(6, det=det, rng=seed)

    def power(k):
        return np.linalg.matrix_power(o, k) if k >= 0 else np.linalg.matrix_power(o.T, -k)

    n = m + shift
    assert_close(power(m).T @ power(n), power(n - m), atol=1e-10)


@pytest.mark.parametrize("dim", [2, 3, 7, 8, 32])
@pytest.mark.parametrize("det", [1, -1])
def test_block_form_reconstructs_and_is_rope_in_the_new_basis(dim, det):
    o = rope.random_orthogonal(dim, det=det, rng=dim)
    form = rope.orthogonal_block_form(o)
    k = 2 * len(form.angles)
    assert k + len(form.signs) == dim
    assert_close(form.basis.T @ form.basis, np.eye(dim), atol=1e-10)
    assert_close(form.basis @ form.blocks @ form.basis.T, o, atol=1e-10)
    assert np.all((form.angles > 0) & (form.angles < np.pi))
    assert np.all(np.diff(form.angles) <= 0) and set(form.signs) <= {1.0, -1.0}
    assert round(np.prod(form.signs)) == det  # rotations have determinant 1
    x = np.random.default_rng(0).standard_normal(dim)
    for m in (1, 4):
        moved = form.basis.T @ np.linalg.matrix_power(o, m) @ x  # Q^T O^m x
        start = form.basis.T @ x
        if k:
            rope_part = rope.apply_rope(start[None, :k], [m], inv_freq=form.angles)[0]
            assert_close(moved[:k], rope_part, atol=1e-10)
        assert_close(moved[k:], form.signs**m * start[k:], atol=1e-10)


def test_block_form_of_rope_gives_back_its_frequencies():
    form = rope.orthogonal_block_form(rope.rotation_matrix(1.0, 8, base=100.0))
    assert_close(form.angles, rope.rope_frequencies(8, 100.0), atol=1e-12)
    assert form.signs.size == 0
    assert_close(rope.orthogonal_block_form(np.diag([1.0, -1.0, 1.0])).signs, [1, 1, -1])


def test_orthogonal_helpers_validate_arguments():
    with pytest.raises(ValueError, match="det"):
        rope.random_orthogonal(4, det=2)
    with pytest.raises(TypeError, match="det"):
        rope.random_orthogonal(4, det=1.0)
    with pytest.raises(ValueError, match="dim"):
        rope.random_orthogonal(0)
    with pytest.raises(TypeError, match="rng"):
        rope.random_orthogonal(4, rng=None)
    with pytest.raises(ValueError, match="orthogonal"):
        rope.orthogonal_block_form(np.ones((3, 3)))
    with pytest.raises(ValueError, match="square"):
        rope.orthogonal_block_form(np.eye(3)[:2])
    with pytest.raises(TypeError, match="o must be"):
        rope.orthogonal_block_form("eye")
