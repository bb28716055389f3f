"""Tests for rope_viz.model_configs. Run: ``pytest tests/test_model_configs.py``.

Cross-check: the example configs load in Hugging Face transformers' own config classes, and
their rotary embeddings give the frequencies the report uses.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import transformers
from conftest import assert_close
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding

import rope_viz
from rope_viz import model_configs
from rope_viz.model_configs import EXAMPLE_CONFIGS, config_report, example_config


def test_doctests():
    result = doctest.testmod(model_configs, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("name", ["Llama 2 7B", "Llama 3.1 8B"])
def test_llama_configs_match_huggingface_frequencies(name):
    config = transformers.LlamaConfig(**example_config(name))
    hf = LlamaRotaryEmbedding(config).inv_freq.double().numpy()
    report = config_report(EXAMPLE_CONFIGS[name], name)
    assert_close(report.inv_freq, hf, rtol=1e-6, label=name)


def test_qwen2_vl_config_loads_in_huggingface():
    config = transformers.Qwen2VLConfig(**example_config("Qwen2-VL 7B"))
    text = config.text_config
    assert text.hidden_size // text.num_attention_heads == 128
    assert list(text.rope_parameters["mrope_section"]) == [16, 24, 24]
    assert text.rope_parameters["rope_theta"] == 1e6


def wavelength_count_above(base, dim, context):
    """Pairs with 2π·base^(2i/dim) > context, counted by the closed form."""
    # i > (dim/2)·log(context/2π)/log(base)
    threshold = (dim / 2) * np.log(context / (2 * np.pi)) / np.log(base)
    return dim // 2 - (int(np.floor(threshold)) + 1)


@pytest.mark.parametrize("name, base, context", [
    ("Llama 2 7B", 1e4, 4096), ("Qwen2-VL 7B", 1e6, 32768)])
def test_never_turn_unscaled(name, base, context):
    report = config_report(EXAMPLE_CONFIGS[name], name)
    assert len(report.never_turn) == wavelength_count_above(base, 128, context)
    assert report.never_turn == tuple(range(64 - len(report.never_turn), 64))
    assert np.all(report.wavelengths[list(report.never_turn)] > context)


def test_llama3_report_uses_scaled_frequencies():
    report = config_report(EXAMPLE_CONFIGS["Llama 3.1 8B"], "Llama 3.1 8B")
    unscaled = 2 * np.pi / rope_viz.rope_frequencies(128, 5e5)
    # pairs with wavelength beyond 8192 / low_freq_factor are stretched 8x
    slow = unscaled > 8192
    assert_close(report.wavelengths[slow], 8 * unscaled[slow])
    fast = unscaled < 8192 / 4
    assert_close(report.wavelengths[fast], unscaled[fast])
    assert report.original_context == 8192 and report.context == 131072
    assert report.rope_type == "llama3"


def test_bound_fields_agree_with_definitions():
    for name, config in EXAMPLE_CONFIGS.items():
        report = config_report(config, name)
        assert report.min_base_exact and report.min_base_bounds == (report.min_base,) * 2
        assert report.min_base == rope_viz.min_base_for_context(report.context, 128)
        assert report.base_meets_bound == (report.base >= report.min_base)
        unscaled = rope_viz.min_cosine_sum([report.base], report.context, 128)[0]
        assert report.base_passes == (unscaled >= 0)
        direct = rope_viz.cosine_sum(report.context, inv_freq=report.inv_freq).min()
        assert report.min_cosine_sum == pytest.approx(direct, abs=1e-8)
        assert report.scaled_frequencies_pass == (direct >= 0)


def test_repr_is_readable():
    text = repr(config_report(EXAMPLE_CONFIGS["Qwen2-VL 7B"], "Qwen2-VL 7B"))
    assert text.startswith("Qwen2-VL 7B: 'default' RoPE, base 1,000,000")
    assert max(len(line) for line in text.splitlines()) <= 76
    assert "24 of 64 (40–63)" in text
    assert "(16, 24, 24)" in text


def test_example_config_is_a_copy():
    config = example_config("Llama 3.1 8B")
    config["rope_scaling"]["factor"] = 2.0
    assert EXAMPLE_CONFIGS["Llama 3.1 8B"]["rope_scaling"]["factor"] == 8.0


def test_partial_rotary_and_name_default():
    config = {"head_dim": 64, "partial_rotary_factor": 0.5, "rope_theta": 1e4,
              "max_position_embeddings": 2048, "model_type": "toy"}
    report = config_report(config)
    assert report.rotary_dim == 32 and report.name == "toy"
    assert report.inv_freq.shape == (16,)


@pytest.mark.parametrize("config, name, error, word", [
    ({"head_dim": 64, "rope_theta": 1e4}, None, ValueError, "max_position_embeddings"),
    ([1, 2], None, TypeError, "config"),
    ({"head_dim": 64, "max_position_embeddings": 64}, 3, TypeError, "name"),
])
def test_errors(config, name, error, word):
    with pytest.raises(error, match=word):
        config_report(config, name)


def test_example_config_unknown_name():
    with pytest.raises(ValueError, match="name"):
        example_config("GPT-5")


def test_long_context_report_is_fast_and_bracketed():
    """A context of 10M with a rotary dim of 96 (nothing stored there): the report comes back
    at once (the 1 s target is checked by benchmarks/bench_configs.py on the idle machine; here
    a loose 10 s), with a certified bracket printed as such and a decided verdict."""
    import time

    config = {"head_dim": 96, "rope_theta": 1e4, "max_position_embeddings": 10 * 2**20}
    began = time.perf_counter()
    report = config_report(config, "toy 10M")
    text = repr(report)
    assert time.perf_counter() - began < 10
    low, high = report.min_base_bounds
    assert not report.min_base_exact and low < high
    assert (low, high) == rope_viz.decay.min_base_bounds(10 * 2**20, 96)
    assert "between" in text and "certified" in text and max(map(len, text.splitlines())) <= 76
    assert report.base < low and report.base_meets_bound_decided and not report.base_meets_bound
    assert not report.base_passes  # 1e4 fails long before 10M


def test_undecided_verdict_is_said_and_left_lazy():
    """A base of 1e6 at 36,000: inside the bracket and failing itself, so the report says
    it is not known without a search and does not run one."""
    config = {"head_dim": 128, "rope_theta": 1e6, "max_position_embeddings": 36000}
    report = config_report(config, "Qwen3-like")
    assert not report.base_meets_bound_decided and not report.base_passes
    assert "not known without a search" in repr(report)
    assert report._meets == [] and report._min_base == []
