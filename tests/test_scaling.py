"""Tests for rope_viz.scaling. Run: ``pytest tests/test_scaling.py``.

Cross-checks, configs built in code: every Hugging Face rope_type against transformers'
``modeling_rope_utils.ROPE_INIT_FUNCTIONS`` (and Llama's default); ``"ntk-aware"`` against
transformers' ``"dynamic"`` at factor 1; ``"p-rope"`` (p_rope_frequencies) against its
``"proportional"`` rope type (``partial_rotary_factor = p``).
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



# --- the registry: one function per rule ------------------------------------------------------


def test_registry_covers_every_rope_type():
    assert tuple(scaling.FREQUENCY_RULES) == scaling.ROPE_TYPES
    assert set(scaling.ROPE_TYPES) == {"default", "linear", "ntk-aware", "ntk-mixed", "dynamic", "yarn", "llama3",
                                       "longrope", "p-rope", "proportional"}
    for name, rule in scaling.FREQUENCY_RULES.items():
        assert rule.rope_type == name and callable(rule.compute)
        assert set(rule.parameters) == set(rule.required) | set(rule.defaults)
    hugging_face = {name for name, rule in scaling.FREQUENCY_RULES.items() if rule.huggingface}
    assert hugging_face - {"default"} <= set(ROPE_INIT_FUNCTIONS)  # the names transformers uses
    assert hugging_face == {"default", "linear", "dynamic", "yarn", "llama3", "longrope", "proportional"}
    with pytest.raises(TypeError):
        scaling.FREQUENCY_RULES["mine"] = scaling.FREQUENCY_RULES["linear"]  # read-only


@pytest.mark.parametrize("rope_type", scaling.ROPE_TYPES)
def test_every_rule_docstring_names_a_source(rope_type):
    doc = scaling.FREQUENCY_RULES[rope_type].compute.__doc__ or ""
    assert "Source:" in doc, rope_type
    source = doc.split("Source:", 1)[1]
    assert any(mark in source for mark in ("arXiv:", "kexue.fm", "github.com", "transformers")), rope_type


def test_registry_parameters_are_the_documented_ones():
    rules = scaling.FREQUENCY_RULES
    assert rules["default"].parameters == ()
    assert rules["linear"].required == ("factor",) and rules["ntk-aware"].required == ("factor",)
    assert rules["dynamic"].required == ("factor", "max_position_embeddings")
    assert rules["dynamic"].defaults == {"seq_len": None}
    assert rules["llama3"].required == ("factor", "low_freq_factor", "high_freq_factor",
                                        "original_max_position_embeddings")
    assert rules["yarn"].defaults["beta_fast"] == 32 and rules["yarn"].defaults["beta_slow"] == 1
    assert rules["yarn"].defaults["truncate"] is True
    assert rules["longrope"].required == ("short_factor", "long_factor")
    assert rules["p-rope"].required == ("p",)


@pytest.mark.parametrize("rope_type", scaling.ROPE_TYPES)
def test_every_rule_refuses_an_unknown_and_names_a_missing_parameter(rope_type):
    rule = scaling.FREQUENCY_RULES[rope_type]
    with pytest.raises(ValueError, match=r"^nonsense must be a parameter of rope_type="):
        rope_viz.scaled_frequencies(16, 1e4, rope_type, nonsense=1)
    for name in rule.required:
        others = {other: 1 for other in rule.required if other != name}  # names are checked first
        with pytest.raises(ValueError, match=rf"^{name} must be given for rope_type="):
            rope_viz.scaled_frequencies(16, 1e4, rope_type, **others)


def test_none_counts_as_not_given():
    # as in a config.json: "beta_fast": null means the default 32
    a = rope_viz.scaled_frequencies(64, 1e4, "yarn", factor=4.0, original_max_position_embeddings=4096,
                                    beta_fast=None, beta_slow=None, truncate=None, attention_factor=None)
    b = rope_viz.scaled_frequencies(64, 1e4, "yarn", factor=4.0, original_max_position_embeddings=4096)
    assert_close(a[0], b[0], rtol=0, atol=0) and a[1] == b[1]


def test_yarn_rule_takes_its_ramp_from_yarn_ramp(monkeypatch):
    calls = []
    real = scaling.yarn_ramp

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(scaling, "yarn_ramp", spy)
    rope_viz.scaled_frequencies(64, 1e4, "yarn", factor=4.0, original_max_position_embeddings=4096,
                                beta_fast=16, truncate=False)
    assert calls == [{"beta_fast": 16, "beta_slow": 1.0, "space": "index", "truncate": False}]


@pytest.mark.parametrize("dim", [8, 64, 128])
@pytest.mark.parametrize("factor", [2.0, 4.0, 16.0])
def test_ntk_aware_rule_is_the_ntk_aware_base_and_transformers_dynamic_at_factor_one(dim, factor):
    ours, scale = rope_viz.scaled_frequencies(dim, 1e4, "ntk-aware", factor=factor)
    assert scale == 1.0
    assert_close(ours, rope_viz.rope_frequencies(dim, rope_viz.ntk_aware_base(1e4, factor, dim)), rtol=0, atol=0)
    # transformers' "dynamic" with factor 1 at seq_len = s·L uses the base b·s^(d/(d−2))
    theirs, _ = hf_frequencies({"rope_type": "dynamic", "rope_theta": 1e4, "factor": 1.0}, head_dim=dim,
                               max_position_embeddings=4096, seq_len=int(factor * 4096))
    assert_close(ours, theirs, rtol=2e-6, atol=0)
    assert ours[0] == 1.0 and ours[-1] == pytest.approx(rope_viz.rope_frequencies(dim, 1e4)[-1] / factor)


def test_rope_settings_read_only_hugging_face_rope_types():
    for rope_type in ("ntk-aware", "p-rope"):
        with pytest.raises(ValueError, match=r"^config\['rope_scaling'\]\['type'\] must be a rope_type among"):
            rope_viz.rope_settings_from_config({"head_dim": 64, "rope_scaling": {"type": rope_type, "factor": 2.0}})


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
    (rope_viz.rope_settings_from_config, dict(config={"rope_theta": 1e4}), ValueError, "config['head_dim']"),
    (rope_viz.rope_settings_from_config, dict(config={"head_dim": 64, "rope_scaling": {"type": "xpos"}}), ValueError,
     "config['rope_scaling']['type']"),
    (rope_viz.rope_settings_from_config, dict(config={"head_dim": 64, "rope_scaling": {"type": "linear"}}), ValueError,
     "config['rope_scaling']['factor']"),
    (rope_viz.scaled_frequencies, dict(dim=2, rope_type="ntk-aware", factor=2.0), ValueError, "dim"),
    (rope_viz.scaled_frequencies, dict(dim=8, rope_type="p-rope", p="all"), TypeError, "p"),
    (rope_viz.scaled_frequencies, dict(dim=8, rope_type="yarn", factor=2.0, original_max_position_embeddings=64,
                                       beta_fast=1.0, beta_slow=2.0), ValueError, "beta_fast"),
    (rope_viz.scaled_frequencies, dict(dim=8, rope_type="longrope", short_factor=[1, 1, 0, 1], long_factor=[1, 1, 1, 1],
                                       original_max_position_embeddings=10, factor=2.0), ValueError, "short_factor"),
    (rope_viz.scaled_frequencies, dict(dim=8, rope_type="longrope", short_factor=[[1, 1, 1, 1]], long_factor=[1, 1, 1, 1],
                                       original_max_position_embeddings=10, factor=2.0), ValueError, "short_factor"),
    (rope_viz.rerope_relative_positions, dict(n=5, window=0), ValueError, "window"),
    (rope_viz.leaky_rerope_relative_positions, dict(n=5, window=2, k=0.0), ValueError, "k"),
]


@pytest.mark.parametrize("func, kwargs, error, name", BAD, ids=[f"{b[0].__name__}-{b[3]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input(func, kwargs, error, name):
    with pytest.raises(error) as info:
        func(**kwargs)
    assert str(info.value).startswith(f"{name} must be"), str(info.value)



# --- p-RoPE: a rule of the registry (Barbero et al. 2024, arXiv:2410.06205) -------------------


def hf_proportional(dim: int, base: float, p: float) -> np.ndarray:
    config = transformers.LlamaConfig(
        hidden_size=dim * 4, num_attention_heads=4, head_dim=dim,
        rope_parameters={"rope_type": "proportional", "rope_theta": base,
                         "partial_rotary_factor": p},
    )
    inv_freq, _ = ROPE_INIT_FUNCTIONS["proportional"](config, None)
    return inv_freq.double().numpy()


@pytest.mark.parametrize("dim,base,p", [(128, 10000.0, 0.75), (128, 500000.0, 0.25),
                                        (64, 10000.0, 0.5), (256, 1e6, 0.3), (96, 1e4, 1.0)])
def test_p_rope_matches_hugging_face_proportional(dim, base, p):
    ours = rope_viz.p_rope_frequencies(dim, base, p)
    theirs = hf_proportional(dim, base, p)
    assert np.array_equal(ours == 0, theirs == 0)
    assert_close(ours, theirs, rtol=1e-6, atol=0)
    rule, scale = rope_viz.scaled_frequencies(dim, base, "p-rope", p=p)
    assert np.array_equal(rule, ours) and scale == 1.0


@settings(max_examples=60, deadline=None)
@given(half=st.integers(1, 128), p=st.floats(0.0, 1.0))
def test_p_rope_keeps_the_fastest_pairs(half, p):
    dim = 2 * half
    rope = rope_viz.rope_frequencies(dim, 10000.0)
    ours = rope_viz.p_rope_frequencies(dim, 10000.0, p)
    kept = int(p * dim // 2)
    assert abs(kept - p * half) < 1 + 1e-9 and kept <= half
    assert np.array_equal(ours[:kept], rope[:kept])
    assert np.all(ours[kept:] == 0)


def test_p_rope_ends():
    assert_close(rope_viz.p_rope_frequencies(64, 1e4, 1.0), rope_viz.rope_frequencies(64, 1e4))
    assert np.all(rope_viz.p_rope_frequencies(64, 1e4, 0.0) == 0)
    assert np.count_nonzero(rope_viz.p_rope_frequencies(128, 1e4, 0.75)) == 48


def test_p_rope_removed_pairs_are_never_rotated(rng):
    inv_freq = rope_viz.p_rope_frequencies(16, 1e4, 0.5)
    x = rng.normal(size=(50, 16))
    out = rope_viz.apply_rope(x, np.arange(50) * 1000, inv_freq=inv_freq)
    assert_close(out[:, 8:], x[:, 8:])
    assert not np.allclose(out[:, :8], x[:, :8])


def test_p_rope_bad_inputs():
    with pytest.raises(ValueError, match="p must be a number between 0 and 1"):
        rope_viz.p_rope_frequencies(64, 1e4, 1.5)
    with pytest.raises(ValueError, match="p must be a number >= 0"):
        rope_viz.p_rope_frequencies(64, 1e4, -0.1)
    with pytest.raises(TypeError, match="p must be a real number"):
        rope_viz.p_rope_frequencies(64, 1e4, "half")
    with pytest.raises(ValueError, match="dim"):
        rope_viz.p_rope_frequencies(63, 1e4, 0.5)
    with pytest.raises(ValueError, match="^p must be a number between 0 and 1"):
        rope_viz.scaled_frequencies(64, 1e4, "p-rope", p=1.5)


# --- ReRoPE's relative positions (kexue.fm/archives/9708) -------------------------------------


def test_rerope_and_leaky():
    re = rope_viz.rerope_relative_positions(10, 3)
    assert re[9, 0] == 3 and re[2, 0] == 2 and re.max() == 3
    leaky = rope_viz.leaky_rerope_relative_positions(10, 3, 4.0)
    assert leaky[9, 0] == pytest.approx(3 + 6 / 4)
    plain = rope_viz.leaky_rerope_relative_positions(10, 3, 1.0)
    assert_close(plain, rope_viz.relative_position_matrix(10).astype(float))  # i − j, the house sign
    big_k = rope_viz.leaky_rerope_relative_positions(10, 3, 1e12)
    assert_close(big_k, re, atol=1e-9)
