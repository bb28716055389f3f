"""Claims chapter 11 makes about its sources, pinned. Run: ``pytest tests/test_scaling_sources.py``.

- YaRN's ramp: the paper's γ on r = L/λ (Peng et al. 2023, arXiv:2309.00071, "NTK-by-parts")
  against the reference code's ramp on the pair index (``find_correction_range`` with floor/ceil,
  ``linear_ramp_factor``; the same functions in transformers' ``_compute_yarn_parameters``).
- YaRN's attention factor multiplies cos and sin, so the logits scale by its square.
- Llama 3.1's rule at its real size (head_dim 128) against transformers' ``_compute_llama3_parameters``
  (the port of ``apply_scaling`` in Meta's llama-models).
- ReRoPE: the position a key must be rotated to depends on the query (kexue.fm/archives/9708).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import transformers
from conftest import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS

import rope_viz

D, BASE, L = 128, 1e4, 4096


def hf_inv_freq(rope_parameters, head_dim=128, max_position_embeddings=131072):
    config = transformers.LlamaConfig(
        hidden_size=head_dim * 4,
        num_attention_heads=4,
        head_dim=head_dim,
        max_position_embeddings=max_position_embeddings,
        rope_parameters=dict(rope_parameters),
    )
    inv_freq, factor = ROPE_INIT_FUNCTIONS[rope_parameters["rope_type"]](config, None)
    return inv_freq.double().numpy(), float(factor)


# --- YaRN's ramp: paper (ratio space) and code (index space) ------------------------------------


def test_ratio_ramp_is_the_papers_gamma_on_turns():
    turns = L * rope_viz.rope_frequencies(D, BASE) / (2 * math.pi)  # r_i = L / λ_i
    gamma = rope_viz.yarn_ramp(D, BASE, L, space="ratio")
    assert_close(gamma, np.clip((turns - 1) / (32 - 1), 0, 1), atol=1e-15)
    gamma = rope_viz.yarn_ramp(D, BASE, L, beta_fast=16, beta_slow=2, space="ratio")
    assert_close(gamma, np.clip((turns - 2) / (16 - 2), 0, 1), atol=1e-15)


@pytest.mark.parametrize("factor", [4.0, 16.0, 32.0])
@pytest.mark.parametrize("truncate", [True, False])
def test_index_ramp_is_what_scaled_frequencies_uses(factor, truncate):
    theta = rope_viz.rope_frequencies(D, BASE)
    gamma = rope_viz.yarn_ramp(D, BASE, L, truncate=truncate)
    yarn, _ = rope_viz.scaled_frequencies(
        D, BASE, "yarn", factor=factor, original_max_position_embeddings=L, truncate=truncate)
    assert_close(yarn, (1 - gamma) * theta / factor + gamma * theta, atol=0, rtol=1e-15)


@pytest.mark.parametrize("factor", [16.0, 32.0])
def test_index_ramp_matches_transformers_at_llama_size(factor):
    theirs, _ = hf_inv_freq({"rope_type": "yarn", "rope_theta": BASE, "factor": factor,
                             "original_max_position_embeddings": L})
    gamma = rope_viz.yarn_ramp(D, BASE, L)
    theta = rope_viz.rope_frequencies(D, BASE)
    assert_close((1 - gamma) * theta / factor + gamma * theta, theirs, rtol=2e-6, atol=0)


def test_untruncated_index_ramp_is_linear_in_log_turns():
    # the correction dim is linear in log r, so the code's ramp is the paper's ramp taken on log r
    turns = L * rope_viz.rope_frequencies(D, BASE) / (2 * math.pi)
    gamma = rope_viz.yarn_ramp(D, BASE, L, truncate=False)
    assert_close(gamma, np.clip(np.log(turns) / np.log(32), 0, 1), atol=1e-12)


def test_rounding_widens_the_index_ramp_by_whole_pairs():
    low = D * math.log(L / (32 * 2 * math.pi)) / (2 * math.log(BASE))  # 20.94
    high = D * math.log(L / (1 * 2 * math.pi)) / (2 * math.log(BASE))  # 45.03
    gamma = rope_viz.yarn_ramp(D, BASE, L)
    i = np.arange(D // 2)
    assert np.all(gamma[i <= math.floor(low)] == 1) and gamma[math.floor(low) + 1] < 1
    assert np.all(gamma[i >= math.ceil(high)] == 0) and gamma[math.ceil(high) - 1] > 0
    exact = rope_viz.yarn_ramp(D, BASE, L, truncate=False)
    # rounded outwards, the ramp starts a fraction of a pair earlier and ends one later
    assert gamma[21] < exact[21] < 1 and 0 < exact[45] < gamma[45]


@pytest.mark.parametrize("factor, expected", [(16.0, 2.04), (32.0, 2.96)])
def test_paper_and_code_frequencies_differ_by_up_to_a_factor_of_three(factor, expected):
    theta = rope_viz.rope_frequencies(D, BASE)
    paper = rope_viz.yarn_ramp(D, BASE, L, space="ratio")
    code, _ = rope_viz.scaled_frequencies(D, BASE, "yarn", factor=factor, original_max_position_embeddings=L)
    paper_freq = (1 - paper) * theta / factor + paper * theta
    rel = np.abs(code / paper_freq - 1)
    assert rel.max() == pytest.approx(expected, abs=0.01)
    turns = L * theta / (2 * math.pi)
    # both keep the pairs with more than 32 turns and interpolate those with less than one
    assert np.all(rel[(turns > 32) | (turns < 1)] == 0)


@settings(max_examples=30, deadline=None)
@given(base=st.floats(1e3, 1e7), length=st.integers(256, 65536), dim=st.sampled_from([16, 64, 128]))
def test_both_ramps_agree_outside_the_band(base, length, dim):
    turns = length * rope_viz.rope_frequencies(dim, base) / (2 * math.pi)
    for space in ("index", "ratio"):
        gamma = rope_viz.yarn_ramp(dim, base, length, space=space)
        assert gamma.shape == (dim // 2,)
        assert np.all((gamma >= 0) & (gamma <= 1))
        assert np.all(gamma[turns > 32] == 1)
        assert np.all(gamma[turns < 1] == 0)
        assert np.all(np.diff(gamma) <= 0)  # slower pairs are never kept more


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"dim": 7}, "dim"),
        ({"base": 0.5}, "base"),
        ({"original_max_position_embeddings": 0}, "original_max_position_embeddings"),
        ({"beta_fast": 1.0, "beta_slow": 1.0}, "beta_fast"),
        ({"beta_slow": 0.0}, "beta_slow"),
        ({"space": "log"}, "space"),
        ({"truncate": "yes"}, "truncate"),
    ],
)
def test_yarn_ramp_validates_arguments(kwargs, name):
    args = {"dim": D, "base": BASE, "original_max_position_embeddings": L, **kwargs}
    with pytest.raises((ValueError, TypeError), match=name):
        rope_viz.yarn_ramp(**args)


# --- YaRN's attention factor is squared in the logits ---------------------------------------------


def test_attention_factor_on_cos_and_sin_squares_in_the_logits(rng):
    inv_freq, factor = rope_viz.scaled_frequencies(D, BASE, "yarn", factor=16.0, original_max_position_embeddings=L)
    positions = np.arange(0, 16 * L, 4096)  # (16,)
    q, k = rng.standard_normal((2, positions.size, D))  # (n, D) each
    scaled_q = factor * rope_viz.apply_rope(q, positions, pairing="half", inv_freq=inv_freq)
    scaled_k = factor * rope_viz.apply_rope(k, positions, pairing="half", inv_freq=inv_freq)
    plain = rope_viz.apply_rope(q, positions, pairing="half", inv_freq=inv_freq) @ rope_viz.apply_rope(
        k, positions, pairing="half", inv_freq=inv_freq).T
    assert_close(scaled_q @ scaled_k.T, factor**2 * plain, rtol=1e-12, atol=1e-9)
    assert factor == pytest.approx(0.1 * math.log(16.0) + 1)


# --- Llama 3.1's rule at its real size --------------------------------------------------------------


def test_llama31_rule_matches_transformers_at_head_dim_128():
    params = {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}
    theirs, their_factor = hf_inv_freq({"rope_type": "llama3", "rope_theta": 500000.0, **params})
    ours, our_factor = rope_viz.scaled_frequencies(D, 500000.0, "llama3", **params)
    assert_close(ours, theirs, rtol=2e-6, atol=0)
    assert our_factor == their_factor == 1.0


# --- ReRoPE: a key's rotation depends on the query -------------------------------------------------


def test_rerope_key_position_depends_on_the_query():
    n, w = 12, 4
    rows = np.arange(n)[:, None]
    rope_key_pos = rows - rope_viz.relative_position_matrix(n)  # (n, n): i - (i - j) = j
    assert np.all(rope_key_pos == np.arange(n)[None, :])
    rerope_key_pos = rows - rope_viz.rerope_relative_positions(n, w)  # (n, n)
    causal = np.tril(np.ones((n, n), dtype=bool))
    for j in range(n - w - 1):
        assert np.unique(rerope_key_pos[causal[:, j], j]).size > 1
