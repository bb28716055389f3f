"""Tests for rope_viz.scaling. Run: ``pytest tests/test_scaling.py``.

Cross-check: every rope_type against Hugging Face transformers'
``modeling_rope_utils.ROPE_INIT_FUNCTIONS`` (and Llama's default), configs built in code.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import transformers
from conftest import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS  # noqa: E402
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding  # noqa: E402

import rope_viz
from rope_viz import scaling


def test_doctests():
    result = doctest.testmod(scaling, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def hf_frequencies(rope_parameters, head_dim=64, max_position_embeddings=4096, seq_len=None, prf=None):
    params = dict(rope_parameters)
    if prf is not None:
        params["partial_rotary_factor"] = prf
    config = transformers.LlamaConfig(
        hidden_size=head_dim * 4,
        num_attention_heads=4,
        head_dim=head_dim,
        max_position_embeddings=max_position_embeddings,
        rope_parameters=params,
    )
    rope_type = params["rope_type"]
    if rope_type == "default":
        inv_freq, factor = LlamaRotaryEmbedding.compute_default_rope_parameters(config)
    else:
        inv_freq, factor = ROPE_INIT_FUNCTIONS[rope_type](config, None, seq_len=seq_len)
    return inv_freq.double().numpy(), float(factor)


rng0 = np.random.default_rng(7)
SHORT = rng0.uniform(1.0, 3.0, 32).round(3).tolist()
LONG = rng0.uniform(1.0, 40.0, 32).round(3).tolist()

CASES = [
    ("default", {}, {}),
    ("default-base", {"rope_theta": 500000.0}, {}),
    ("linear", {"factor": 4.0}, {}),
    ("dynamic-short", {"factor": 2.0}, {"seq_len": 1000}),
    ("dynamic-long", {"factor": 2.0}, {"seq_len": 10000}),
    ("yarn", {"factor": 8.0, "original_max_position_embeddings": 4096}, {}),
    ("yarn-betas", {"factor": 4.0, "original_max_position_embeddings": 2048, "beta_fast": 16, "beta_slow": 2}, {}),
    ("yarn-mscale", {"factor": 40.0, "original_max_position_embeddings": 4096, "mscale": 1.0, "mscale_all_dim": 0.707}, {}),
    ("yarn-attention", {"factor": 4.0, "original_max_position_embeddings": 4096, "attention_factor": 1.3}, {}),
    ("yarn-notruncate", {"factor": 4.0, "original_max_position_embeddings": 4096, "truncate": False}, {}),
    ("llama3", {"rope_theta": 500000.0, "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                "original_max_position_embeddings": 8192}, {}),
    ("longrope-short", {"short_factor": SHORT, "long_factor": LONG, "original_max_position_embeddings": 4096,
                        "factor": 32.0}, {"seq_len": 100}),
    ("longrope-long", {"short_factor": SHORT, "long_factor": LONG, "original_max_position_embeddings": 4096,
                       "factor": 32.0}, {"seq_len": 5000}),
]


@pytest.mark.parametrize("name, rope_parameters, extra", CASES, ids=[c[0] for c in CASES])
def test_matches_huggingface(name, rope_parameters, extra):
    rope_type = name.split("-")[0]
    base = rope_parameters.get("rope_theta", 10000.0)
    hf_params = {"rope_type": rope_type, "rope_theta": base, **rope_parameters}
    theirs, their_factor = hf_frequencies(hf_params, seq_len=extra.get("seq_len"), max_position_embeddings=131072 if rope_type == "longrope" else 4096)
    ours_params = {k: v for k, v in rope_parameters.items() if k != "rope_theta"}
    if rope_type == "dynamic":
        ours_params.update(max_position_embeddings=4096, seq_len=extra["seq_len"])
    if rope_type == "longrope":
        ours_params["seq_len"] = extra["seq_len"]
    ours, our_factor = rope_viz.scaled_frequencies(64, base, rope_type, **ours_params)
    assert_close(ours, theirs, rtol=2e-6, atol=0, label=name)
    assert our_factor == pytest.approx(their_factor, rel=1e-6)


def test_partial_rotary_matches_huggingface():
    theirs, _ = hf_frequencies({"rope_type": "linear", "rope_theta": 10000.0, "factor": 2.0}, prf=0.5)
    ours, _ = rope_viz.scaled_frequencies(32, 10000.0, "linear", factor=2.0)
    assert_close(ours, theirs, rtol=2e-6)


def test_yarn_factor_from_lengths_and_attention_factor_formula():
    a, fa = rope_viz.scaled_frequencies(64, 1e4, "yarn", max_position_embeddings=32768, original_max_position_embeddings=4096)
    b, fb = rope_viz.scaled_frequencies(64, 1e4, "yarn", factor=8.0, original_max_position_embeddings=4096)
    assert_close(a, b)
    assert fa == fb == pytest.approx(0.1 * np.log(8.0) + 1)


def test_yarn_keeps_high_and_interpolates_low_frequencies():
    base_freqs = rope_viz.rope_frequencies(128, 1e4)
    yarn, _ = rope_viz.scaled_frequencies(128, 1e4, "yarn", factor=16.0, original_max_position_embeddings=4096)
    assert yarn[0] == base_freqs[0]
    assert yarn[-1] == pytest.approx(base_freqs[-1] / 16)


@settings(max_examples=25, deadline=None)
@given(base=st.floats(100, 1e7), factor=st.floats(1.01, 64), dim=st.sampled_from([4, 16, 64, 128]))
def test_ntk_aware_base_keeps_first_and_divides_last_frequency(base, factor, dim):
    new = rope_viz.ntk_aware_base(base, factor, dim)
    old_f, new_f = rope_viz.rope_frequencies(dim, base), rope_viz.rope_frequencies(dim, new)
    assert new_f[0] == 1.0
    assert new_f[-1] == pytest.approx(old_f[-1] / factor, rel=1e-9)


def test_dynamic_at_short_length_is_the_default():
    a, _ = rope_viz.scaled_frequencies(64, 1e4, "dynamic", factor=4.0, max_position_embeddings=2048, seq_len=100)
    assert_close(a, rope_viz.rope_frequencies(64, 1e4))


@settings(max_examples=40, deadline=None)
@given(p=st.integers(0, 10**12), beta=st.integers(2, 36))
def test_beta_digits_reconstruct_integers(p, beta):
    digits = rope_viz.beta_digits([p], beta, 40)[0]
    assert np.all((digits >= 0) & (digits < beta))
    assert sum(int(d) * beta**i for i, d in enumerate(digits)) == p


def _feasible(base, length, dim):
    theta = base ** (-np.arange(0, dim, 2) / dim)
    return bool(np.cos(np.multiply.outer(np.arange(length), theta)).sum(1).min() >= 0)


def test_min_base_for_context_small_case_is_feasible_and_minimal_on_grid():
    length, dim = 300, 32
    b = rope_viz.min_base_for_context(length, dim, rtol=1e-3)
    assert _feasible(b, length, dim)
    # every grid point below is infeasible (brute force over the same grid)
    grid = 2.0 * np.exp(np.log1p(1e-3) * np.arange(0, int(np.log(b / 2) / np.log1p(1e-3))))
    assert not any(_feasible(g, length, dim) for g in grid[grid < b * (1 - 1e-9)][-300:])


def test_min_base_for_context_matches_men_et_al_order():
    b = rope_viz.min_base_for_context(1000, 128)
    assert 4.0e3 < b < 4.4e3


def test_feasibility_is_not_monotone_in_base():
    length, dim = 1000, 128
    bases = np.exp(np.linspace(np.log(3000), np.log(6000), 400))
    ok = np.array([_feasible(b, length, dim) for b in bases])
    assert ok.any() and not ok.all()
    first = np.argmax(ok)
    assert not ok[first:].all(), "some base above the first feasible one fails again"


def test_rope_settings_llama3_config():
    config = {
        "hidden_size": 4096, "num_attention_heads": 32, "max_position_embeddings": 131072,
        "rope_theta": 500000.0,
        "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                         "original_max_position_embeddings": 8192, "rope_type": "llama3"},
    }
    s = rope_viz.rope_settings_from_config(config)
    assert (s.head_dim, s.rotary_dim, s.base, s.rope_type) == (128, 128, 500000.0, "llama3")
    inv_freq, factor = s.frequencies()
    expected, _ = rope_viz.scaled_frequencies(128, 500000.0, "llama3", factor=8.0, low_freq_factor=1.0,
                                              high_freq_factor=4.0, original_max_position_embeddings=8192)
    assert_close(inv_freq, expected)
    with pytest.raises(AttributeError):
        s.base = 1.0  # frozen


def test_rope_settings_v5_partial_and_head_dim():
    config = {"hidden_size": 2560, "num_attention_heads": 32, "head_dim": 128, "max_position_embeddings": 4096,
              "rope_parameters": {"rope_type": "yarn", "rope_theta": 1e6, "factor": 4.0,
                                  "partial_rotary_factor": 0.5}}
    s = rope_viz.rope_settings_from_config(config)
    assert (s.head_dim, s.rotary_dim, s.base, s.rope_type) == (128, 64, 1e6, "yarn")
    assert s.params["original_max_position_embeddings"] == 4096
    theirs, their_factor = hf_frequencies({"rope_type": "yarn", "rope_theta": 1e6, "factor": 4.0}, head_dim=128, prf=0.5)
    ours, our_factor = s.frequencies()
    assert_close(ours, theirs, rtol=2e-6)


def test_rope_settings_qwen2_vl_text_config_and_legacy_type():
    config = {"text_config": {"hidden_size": 3584, "num_attention_heads": 28, "max_position_embeddings": 32768,
                              "rope_theta": 1000000.0,
                              "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]}}}
    s = rope_viz.rope_settings_from_config(config)
    assert (s.head_dim, s.rope_type, s.mrope_section, s.base) == (128, "default", (16, 24, 24), 1e6)


BAD = [
    (rope_viz.scaled_frequencies, dict(dim=64, rope_type="ntk"), ValueError, "rope_type"),
    (rope_viz.scaled_frequencies, dict(dim=63), ValueError, "dim"),
    (rope_viz.scaled_frequencies, dict(dim=64, base=0.0), ValueError, "base"),
    (rope_viz.scaled_frequencies, dict(dim=64, rope_type="linear"), ValueError, "factor"),
    (rope_viz.scaled_frequencies, dict(dim=64, rope_type="linear", factor="2"), TypeError, "factor"),
    (rope_viz.scaled_frequencies, dict(dim=64, rope_type="linear", factor=2, scale=3), ValueError, "scale"),
    (rope_viz.scaled_frequencies, dict(dim=64, rope_type="dynamic", factor=2.0), ValueError, "max_position_embeddings"),
    (rope_viz.scaled_frequencies, dict(dim=64, rope_type="yarn", factor=2.0), ValueError, "original_max_position_embeddings"),
    (rope_viz.scaled_frequencies, dict(dim=64, rope_type="llama3", factor=8.0, low_freq_factor=1.0,
                                       original_max_position_embeddings=8192), ValueError, "high_freq_factor"),
    (rope_viz.scaled_frequencies, dict(dim=64, rope_type="llama3", factor=8.0, low_freq_factor=4.0, high_freq_factor=1.0,
                                       original_max_position_embeddings=8192), ValueError, "high_freq_factor"),
    (rope_viz.scaled_frequencies, dict(dim=8, rope_type="longrope", short_factor=[1, 1], long_factor=[1, 1, 1, 1],
                                       original_max_position_embeddings=10, factor=2.0), ValueError, "short_factor"),
    (rope_viz.scaled_frequencies, dict(dim=8, rope_type="longrope", short_factor=[1, 1, 1, 1],
                                       original_max_position_embeddings=10, factor=2.0), ValueError, "long_factor"),
    (rope_viz.ntk_aware_base, dict(base=1e4, factor=2.0, dim=2), ValueError, "dim"),
    (rope_viz.ntk_aware_base, dict(base=1e4, factor=-2.0, dim=8), ValueError, "factor"),
    (rope_viz.beta_digits, dict(positions=[-1], beta=10, count=3), ValueError, "positions"),
    (rope_viz.beta_digits, dict(positions=[1], beta=1, count=3), ValueError, "beta"),
    (rope_viz.beta_digits, dict(positions=[1], beta=10, count=0), ValueError, "count"),
    (rope_viz.min_base_for_context, dict(length=0), ValueError, "length"),
    (rope_viz.min_base_for_context, dict(length=100, dim=5), ValueError, "dim"),
    (rope_viz.min_base_for_context, dict(length=100, rtol=0), ValueError, "rtol"),
    (rope_viz.rope_settings_from_config, dict(config="config.json"), TypeError, "config"),
    (rope_viz.rope_settings_from_config, dict(config={"rope_theta": 1e4}), ValueError, "config"),
    (rope_viz.rope_settings_from_config, dict(config={"head_dim": 64, "rope_scaling": {"type": "xpos"}}), ValueError, "config"),
    (rope_viz.rope_settings_from_config, dict(config={"head_dim": 64, "rope_scaling": {"type": "linear"}}), ValueError, "config"),
]


@pytest.mark.parametrize("func, kwargs, error, name", BAD, ids=[f"{b[0].__name__}-{b[3]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input(func, kwargs, error, name):
    with pytest.raises(error) as info:
        func(**kwargs)
    assert str(info.value).startswith(f"{name} must be"), str(info.value)
