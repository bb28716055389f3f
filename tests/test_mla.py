"""Tests for rope_viz.mla (decoupled RoPE in multi-head latent attention).

Run: ``pytest tests/test_mla.py``. Sources: DeepSeek-V2 (arXiv:2405.04434) section 2.1, and
Su's kexue.fm/archives/10907 and 11111 (training form MHA, decoding form MQA on the latents).
The explicit-matrix tests rebuild every score from ``rope_viz.rotation_matrix``, independently of
the einsum code in the module.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from conftest import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st

import rope_viz
from rope_viz import mla


def test_doctests():
    result = doctest.testmod(mla, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def _tokens(weights, n, seed=1):
    return np.random.default_rng(seed).standard_normal((n, weights["w_c"].shape[0]))


def test_scores_by_explicit_rotation_matrices():
    """Every logit rebuilt from R_t = rotation_matrix(t) (interleaved pairs, column vectors):
    (R_t q) . (R_i k) = q^T R_t^T R_i k. Without RoPE the bilinear form x_t B c_i^T has one
    B = W_q W_k^T; with RoPE on the compressed keys B = W_q R_t^T R_i W_k^T changes with t - i."""
    w = mla.mla_weights(d_model=12, latent_dim=6, num_heads=2, head_dim=4, rope_dim=4, rng=5)
    x = _tokens(w, 5)
    positions = np.array([0, 3, 4, 9, 20])
    c = x @ w["w_c"]
    got = {rope: mla.mla_scores(x, w, positions, rope=rope, pairing="interleaved")
           for rope in mla.MLA_ROPE_PLACEMENTS}
    rot = {p: rope_viz.rotation_matrix(p, 4) for p in positions}
    offsets_seen = {}
    for s in range(2):
        for a, t in enumerate(positions):
            for b, i in enumerate(positions):
                plain = x[a] @ w["w_q"][s] @ w["w_k"][s].T @ c[b]
                bilinear = w["w_q"][s] @ rot[t].T @ rot[i] @ w["w_k"][s].T  # (d_model, latent_dim)
                rope_slice = (rot[t] @ (x[a] @ w["w_qr"][s])) @ (rot[i] @ (x[b] @ w["w_kr"]))
                assert_close(got["none"][s, a, b], plain, label="none")
                assert_close(got["compressed"][s, a, b], x[a] @ bilinear @ c[b], label="compressed")
                assert_close(got["decoupled"][s, a, b], plain + rope_slice, label="decoupled")
                offsets_seen.setdefault((s, int(t - i)), bilinear)
    # the rotation between W_q and W_k depends on the offset: no single matrix to absorb
    assert np.abs(offsets_seen[0, 0] - offsets_seen[0, -3]).max() > 1e-2
    assert_close(offsets_seen[1, 0], w["w_q"][1] @ w["w_k"][1].T, label="offset 0: W_q W_k^T")


def test_absorbed_queries_are_the_rotated_bilinear_forms():
    w = mla.mla_weights(d_model=10, latent_dim=4, num_heads=3, head_dim=6, rope_dim=2, rng=2)
    x = _tokens(w, 1)[0]
    keys = np.array([0.0, 2.0, 7.0])
    got = mla.mla_absorbed_queries(x, w, 7.0, keys, rope="compressed", pairing="interleaved")
    assert got.shape == (3, 3, 4)
    for j, i in enumerate(keys):
        for s in range(3):
            expected = x @ w["w_q"][s] @ rope_viz.rotation_matrix(7.0, 6).T \
                @ rope_viz.rotation_matrix(i, 6) @ w["w_k"][s].T
            assert_close(got[j, s], expected)
    plain = mla.mla_absorbed_queries(x, w, 7.0, keys, rope="none")
    assert_close(plain, np.broadcast_to(np.einsum("d,hdk,hck->hc", x, w["w_q"], w["w_k"]), (3, 3, 4)))
    assert_close(got[2], plain[2], label="offset 0: the rotation cancels")


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), heads=st.integers(1, 3), latent=st.integers(1, 8),
       half=st.integers(1, 4), rope_half=st.integers(1, 3), n=st.integers(2, 9),
       pairing=st.sampled_from(["half", "interleaved"]))
def test_absorption_exact_without_rope_and_with_decoupled_rope(seed, heads, latent, half, rope_half,
                                                                n, pairing):
    w = mla.mla_weights(d_model=12, latent_dim=latent, num_heads=heads, head_dim=2 * half,
                        rope_dim=2 * rope_half, rng=seed)
    x = _tokens(w, n, seed + 1)
    positions = np.random.default_rng(seed).integers(0, 1000, n)
    for rope in ("none", "decoupled"):
        naive = mla.mla_scores(x, w, positions, rope=rope, pairing=pairing)
        absorbed = mla.mla_scores(x, w, positions, rope=rope, form="absorbed", pairing=pairing)
        assert_close(absorbed, naive, rtol=1e-9, atol=1e-10, label=rope)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), shift=st.integers(-500, 500),
       rope=st.sampled_from(list(mla.MLA_ROPE_PLACEMENTS)))
def test_scores_depend_on_offsets_only(seed, shift, rope):
    w = mla.mla_weights(rng=seed)
    x = _tokens(w, 6, seed)
    positions = np.array([0, 1, 5, 6, 30, 31])
    assert_close(mla.mla_scores(x, w, positions + shift, rope=rope),
                 mla.mla_scores(x, w, positions, rope=rope), rtol=1e-8, atol=1e-9)


def test_compressed_rope_cannot_be_absorbed():
    w = mla.mla_weights(rng=0)
    x = _tokens(w, 12)
    naive = mla.mla_scores(x, w, rope="compressed")
    absorbed = mla.mla_scores(x, w, rope="compressed", form="absorbed")
    nope = mla.mla_scores(x, w, rope="none")
    assert np.abs(naive - absorbed).max() > 0.1 * np.abs(naive).max()
    assert_close(absorbed, nope, label="the absorbed query's rotation cancels: no position left")
    assert_close(np.diagonal(naive, axis1=1, axis2=2), np.diagonal(nope, axis1=1, axis2=2),
                 label="offset 0 agrees")
    queries = mla.mla_absorbed_queries(x[-1], w, 11, np.arange(12))
    assert np.linalg.norm(queries[0] - queries[-1]) > 0.1


def test_absorption_check_table():
    rows = mla.mla_absorption_check(rng=0)
    by_rope = {row["rope"]: row for row in rows}
    assert [row["rope"] for row in rows] == list(mla.MLA_ROPE_PLACEMENTS)
    assert by_rope["none"]["absorbs"] and by_rope["decoupled"]["absorbs"]
    assert not by_rope["compressed"]["absorbs"]
    assert by_rope["compressed"]["relative_error"] > 0.1 and by_rope["compressed"]["query_spread"] > 0.1
    assert by_rope["none"]["cache_per_token"] == 8 and by_rope["decoupled"]["cache_per_token"] == 12


def test_deepseek_v3_cache_is_latent_plus_rope_slice():
    """Su (10907): MLA decodes with head size 512 + 64. DeepSeek-V3's config holds both."""
    import transformers

    config = transformers.DeepseekV3Config()
    assert (config.kv_lora_rank, config.qk_rope_head_dim, config.qk_nope_head_dim) == (512, 64, 128)
    w = mla.mla_weights(d_model=8, latent_dim=16, num_heads=1, head_dim=4, rope_dim=4, rng=0)
    row = mla.mla_absorption_check(w, rng=0)[2]
    assert row["cache_per_token"] == 16 + 4  # latent + one shared rotated key slice


def test_rng_contract():
    a, b = mla.mla_weights(rng=3), mla.mla_weights(rng=3)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    gen = np.random.default_rng(3)
    first, second = mla.mla_weights(rng=gen), mla.mla_weights(rng=gen)
    assert not np.array_equal(first["w_c"], second["w_c"])
    assert np.array_equal(first["w_c"], a["w_c"])
    with pytest.raises(TypeError, match="^rng must be"):
        mla.mla_weights(rng=None)


W = mla.mla_weights(rng=0)
X = np.zeros((3, 32))
BAD = [
    (mla.mla_weights, dict(head_dim=5), ValueError, "head_dim"),
    (mla.mla_weights, dict(rope_dim=0), ValueError, "rope_dim"),
    (mla.mla_weights, dict(latent_dim=2.0), TypeError, "latent_dim"),
    (mla.mla_weights, dict(num_heads=0), ValueError, "num_heads"),
    (mla.mla_scores, dict(x=X, weights=[1, 2]), TypeError, "weights"),
    (mla.mla_scores, dict(x=X, weights={"w_c": W["w_c"]}), ValueError, "weights"),
    (mla.mla_scores, dict(x=X, weights={**W, "w_k": W["w_k"][:, :3]}), ValueError, "weights['w_k']"),
    (mla.mla_scores, dict(x=X, weights={**W, "w_q": W["w_q"][0]}), ValueError, "weights['w_q']"),
    (mla.mla_scores, dict(x=X, weights={**W, "w_kr": "abc"}), TypeError, "weights['w_kr']"),
    (mla.mla_scores, dict(x=np.zeros((3, 31)), weights=W), ValueError, "x"),
    (mla.mla_scores, dict(x=X, weights=W, positions=[0, 1]), ValueError, "positions"),
    (mla.mla_scores, dict(x=X, weights=W, rope="full"), ValueError, "rope"),
    (mla.mla_scores, dict(x=X, weights=W, form="cached"), ValueError, "form"),
    (mla.mla_scores, dict(x=X, weights=W, base=0.0), ValueError, "base"),
    (mla.mla_scores, dict(x=X, weights=W, pairing="pairs"), ValueError, "pairing"),
    (mla.mla_absorbed_queries, dict(x_query=X, weights=W, query_position=0, key_positions=[0]),
     ValueError, "x_query"),
    (mla.mla_absorbed_queries, dict(x_query=X[0], weights=W, query_position="0", key_positions=[0]),
     TypeError, "query_position"),
    (mla.mla_absorbed_queries, dict(x_query=X[0], weights=W, query_position=0, key_positions=[[0]]),
     ValueError, "key_positions"),
    (mla.mla_absorption_check, dict(n=1), ValueError, "n"),
    (mla.mla_absorption_check, dict(rng=-1), TypeError, "rng"),
]


@pytest.mark.parametrize("func, kwargs, error, name", BAD,
                         ids=[f"{b[0].__name__}-{i}" for i, b in enumerate(BAD)])
def test_bad_input(func, kwargs, error, name):
    with pytest.raises(error) as info:
        func(**kwargs)
    assert str(info.value).startswith(f"{name} must be"), str(info.value)


def test_odd_head_dim_in_given_weights_is_named():
    w = {**W, "w_q": np.zeros((2, 32, 7)), "w_k": np.zeros((2, 8, 7))}
    with pytest.raises(ValueError, match=r"^weights \(the head_dim axis\) must be of even size"):
        mla.mla_scores(X, w)
