"""``rope_settings_from_config`` against each family's own rotary embedding in transformers.

Run: ``pytest tests/test_config_reading.py``.

Every expected number comes from transformers itself: the family's config class is built from
the same dictionary (``CONFIG_MAPPING[model_type](**fields)``, no downloads, no weights), then
the family's own rotary-embedding module (or, for GPT-J, its attention's sin/cos table) is
instantiated from that config object, and its ``inv_freq`` and ``attention_scaling`` are read.
The dictionaries are shaped like the released ``config.json`` files of each family (their
key names and kinds of values); they are test inputs, not a record of any one model: the
released values, with their model ids, live in ``rope_viz/data/model_atlas.json`` and
``tests/test_model_families.py``.

Each family is checked twice: as a 4.x ``config.json`` (the family's own keys) and as
``config.to_dict()`` of the transformers 5.x config object built from it.
"""

from __future__ import annotations

import copy
import importlib

import numpy as np
import pytest
import torch
from conftest import assert_close
from transformers import CONFIG_MAPPING

import rope_viz
from rope_viz import scaling

# --- the oracle: the family's own rotary embedding, built from its config class ---------------


def hf_config(fields):
    """transformers' config object for a ``config.json`` dictionary (its ``model_type``)."""
    fields = copy.deepcopy(fields)
    return CONFIG_MAPPING[fields.pop("model_type")](**fields)


def hf_rotary(module, cls_name, fields, layer_type=None, seq_len=None):
    """``(inv_freq, attention_scaling)`` of ``transformers.models.<module>``'s ``cls_name``."""
    config = hf_config(fields)
    text = config.get_text_config() if hasattr(config, "get_text_config") else config
    modeling = importlib.import_module(f"transformers.models.{module}.modeling_{module}")
    emb = getattr(modeling, cls_name)(text)
    if layer_type is None:
        inv_freq, scale = emb.inv_freq, emb.attention_scaling
        if seq_len is not None:  # what forward uses at this length (dynamic, longrope, Phi-MoE)
            x = torch.zeros(1, dtype=torch.float32)
            positions = torch.arange(seq_len)[None]
            out = emb(x, positions)
            inv_freq = emb.inv_freq
            if isinstance(out, tuple):  # cos, scaled: read the factor back from cos at position 0
                scale = float(out[0][0, 0, 0])
    else:
        inv_freq = getattr(emb, f"{layer_type}_inv_freq")
        scale = getattr(emb, f"{layer_type}_attention_scaling")
    return inv_freq.double().numpy(), float(scale)


def check(settings, expected, seq_len=None, rtol=2e-6):
    inv_freq, factor = settings.frequencies(seq_len)
    theirs, their_factor = expected
    assert settings.rotary_dim == 2 * theirs.shape[0]
    assert_close(inv_freq, theirs, rtol=rtol, atol=0)
    assert factor == pytest.approx(their_factor, rel=1e-6)


def both_forms(fields):
    """The 4.x ``config.json`` dictionary and the 5.x ``config.to_dict()`` of the same model."""
    return [("4.x", copy.deepcopy(fields)), ("5.x", hf_config(fields).to_dict())]


# --- families the issue names (each failed on the reader before #15) -------------------------


DEEPSEEK_V3 = {
    "model_type": "deepseek_v3", "hidden_size": 7168, "num_attention_heads": 128, "num_key_value_heads": 128,
    "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128, "kv_lora_rank": 512, "q_lora_rank": 1536,
    "max_position_embeddings": 163840, "rope_theta": 10000,
    "rope_scaling": {"beta_fast": 32, "beta_slow": 1, "factor": 40, "mscale": 1.0, "mscale_all_dim": 1.0,
                     "original_max_position_embeddings": 4096, "type": "yarn"},
}
DEEPSEEK_V2_LITE = {
    "model_type": "deepseek_v2", "hidden_size": 2048, "num_attention_heads": 16, "num_key_value_heads": 16,
    "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128, "kv_lora_rank": 512, "q_lora_rank": None,
    "max_position_embeddings": 163840, "rope_theta": 10000,
    "rope_scaling": {"beta_fast": 32, "beta_slow": 1, "factor": 40, "mscale": 0.707, "mscale_all_dim": 0.707,
                     "original_max_position_embeddings": 4096, "type": "yarn"},
}
MINICPM3 = {
    "model_type": "minicpm3", "hidden_size": 2560, "num_attention_heads": 40, "num_key_value_heads": 40,
    "qk_nope_head_dim": 64, "qk_rope_head_dim": 32, "kv_lora_rank": 256, "q_lora_rank": 768,
    "max_position_embeddings": 32768, "rope_theta": 10000.0,
    "rope_scaling": {"type": "longrope", "original_max_position_embeddings": 32768,
                     "short_factor": [1.0 + 0.05 * i for i in range(16)],
                     "long_factor": [1.0 + 0.5 * i for i in range(16)]},
}
GPT_NEOX = {"model_type": "gpt_neox", "hidden_size": 6144, "num_attention_heads": 64, "rotary_pct": 0.25,
            "rotary_emb_base": 10000, "max_position_embeddings": 2048}
PYTHIA_BASE = {"model_type": "gpt_neox", "hidden_size": 512, "num_attention_heads": 8, "rotary_pct": 0.25,
               "rotary_emb_base": 40000, "max_position_embeddings": 2048}
GPT_J = {"model_type": "gptj", "n_embd": 4096, "n_head": 16, "rotary_dim": 64, "n_positions": 2048}
MODERNBERT = {"model_type": "modernbert", "hidden_size": 768, "num_attention_heads": 12, "num_hidden_layers": 22,
              "global_rope_theta": 160000.0, "local_rope_theta": 10000.0, "global_attn_every_n_layers": 3,
              "local_attention": 128, "max_position_embeddings": 8192}
GEMMA3 = {"model_type": "gemma3_text", "hidden_size": 2560, "num_attention_heads": 8, "num_key_value_heads": 4,
          "head_dim": 256, "num_hidden_layers": 34, "max_position_embeddings": 131072, "rope_theta": 1000000.0,
          "rope_local_base_freq": 10000.0, "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
          "sliding_window": 1024, "sliding_window_pattern": 6}
PHIMOE = {"model_type": "phimoe", "hidden_size": 4096, "num_attention_heads": 32, "num_key_value_heads": 8,
          "max_position_embeddings": 131072, "original_max_position_embeddings": 4096, "rope_theta": 10000.0,
          "rope_scaling": {"type": "longrope", "short_factor": [1.0 + 0.01 * i for i in range(64)],
                           "long_factor": [1.0 + 0.7 * i for i in range(64)], "short_mscale": 1.243,
                           "long_mscale": 1.243, "original_max_position_embeddings": 4096}}
HUNYUAN = {"model_type": "hunyuan_v1_dense", "hidden_size": 4096, "num_attention_heads": 32,
           "num_key_value_heads": 8, "head_dim": 128, "max_position_embeddings": 262144, "rope_theta": 10000.0,
           "rope_scaling": {"alpha": 1000.0, "beta_fast": 32, "beta_slow": 1, "factor": 1.0, "mscale": 1.0,
                            "mscale_all_dim": 1.0, "type": "dynamic"}}
LLAMA4 = {"model_type": "llama4_text", "hidden_size": 5120, "num_attention_heads": 40, "num_key_value_heads": 8,
          "head_dim": 128, "num_hidden_layers": 48, "max_position_embeddings": 10485760, "rope_theta": 500000.0,
          "rope_scaling": {"factor": 16.0, "high_freq_factor": 1.0, "low_freq_factor": 1.0,
                           "original_max_position_embeddings": 8192, "rope_type": "llama3"}}


FAMILIES = [
    ("deepseek_v3", "DeepseekV3RotaryEmbedding", DEEPSEEK_V3, 32),
    ("deepseek_v2", "DeepseekV2RotaryEmbedding", DEEPSEEK_V2_LITE, 32),
    ("minicpm3", "MiniCPM3RotaryEmbedding", MINICPM3, 16),
    ("gpt_neox", "GPTNeoXRotaryEmbedding", GPT_NEOX, 12),
    ("gpt_neox", "GPTNeoXRotaryEmbedding", PYTHIA_BASE, 8),
    ("phimoe", "PhimoeRotaryEmbedding", PHIMOE, 64),  # its forward, not attention_scaling, sets the factor
    ("hunyuan_v1_dense", "HunYuanDenseV1RotaryEmbedding", HUNYUAN, 64),
    ("llama4", "Llama4TextRotaryEmbedding", LLAMA4, 64),
]


@pytest.mark.parametrize("form", ["4.x", "5.x"])
@pytest.mark.parametrize("module, cls_name, fields, pairs", FAMILIES,
                         ids=[f"{f[2]['model_type']}-{i}" for i, f in enumerate(FAMILIES)])
def test_family_matches_its_own_rotary_embedding(module, cls_name, fields, pairs, form):
    config = dict(both_forms(fields))[form]
    seq_len = 100 if module == "phimoe" else None  # Phi-MoE scales cos/sin in forward (short_mscale)
    expected = hf_rotary(module, cls_name, fields, seq_len=seq_len)
    assert expected[0].shape == (pairs,)
    settings = rope_viz.rope_settings_from_config(config)
    check(settings, expected, seq_len=seq_len)


def test_mla_rotary_part_is_qk_rope_head_dim():
    s = rope_viz.rope_settings_from_config(DEEPSEEK_V3)
    assert (s.head_dim, s.rotary_dim, s.rope_type) == (64, 64, "yarn")
    assert rope_viz.rope_settings_from_config(MINICPM3).rotary_dim == 32


def test_gpt_neox_reads_rotary_pct_and_rotary_emb_base():
    s = rope_viz.rope_settings_from_config(PYTHIA_BASE)
    assert (s.head_dim, s.rotary_dim, s.base, s.partial_rotary_factor) == (64, 16, 40000.0, 0.25)
    # transformers' GPTNeoXConfig defaults: rotary_pct 0.25, rotary_emb_base 10000
    bare = {k: v for k, v in PYTHIA_BASE.items() if k not in ("rotary_pct", "rotary_emb_base")}
    check(rope_viz.rope_settings_from_config(bare), hf_rotary("gpt_neox", "GPTNeoXRotaryEmbedding", bare))


@pytest.mark.parametrize("form", ["4.x", "5.x"])
def test_gpt_j_reads_rotary_dim_n_embd_n_head(form):
    config = dict(both_forms(GPT_J))[form]
    from transformers.models.gptj.modeling_gptj import GPTJAttention

    attention = GPTJAttention(hf_config(GPT_J))
    table = attention.embed_positions.double().numpy()  # (positions, rotary_dim): [sin | cos]
    half = attention.pos_embd_dim // 2
    theirs = np.arctan2(table[1, :half], table[1, half:])  # angle at position 1 = θ_i
    s = rope_viz.rope_settings_from_config(config)
    assert (s.head_dim, s.rotary_dim, s.base) == (256, 64, 10000.0)
    check(s, (theirs, 1.0))


@pytest.mark.parametrize("form", ["4.x", "5.x"])
@pytest.mark.parametrize("layer_type", ["full_attention", "sliding_attention"])
def test_modernbert_global_and_local_theta_per_layer_type(form, layer_type):
    config = dict(both_forms(MODERNBERT))[form]
    expected = hf_rotary("modernbert", "ModernBertRotaryEmbedding", MODERNBERT, layer_type=layer_type)
    s = rope_viz.rope_settings_from_config(config, layer_type=layer_type)
    assert s.base == {"full_attention": 160000.0, "sliding_attention": 10000.0}[layer_type]
    assert s.layer_type == layer_type and set(s.layer_types) == {"full_attention", "sliding_attention"}
    check(s, expected)


@pytest.mark.parametrize("form", ["4.x", "5.x"])
@pytest.mark.parametrize("layer_type", ["full_attention", "sliding_attention"])
def test_gemma3_local_layers_use_rope_local_base_freq_unscaled(form, layer_type):
    config = dict(both_forms(GEMMA3))[form]
    expected = hf_rotary("gemma3", "Gemma3RotaryEmbedding", GEMMA3, layer_type=layer_type)
    s = rope_viz.rope_settings_from_config(config, layer_type=layer_type)
    assert (s.base, s.rope_type) == {"full_attention": (1e6, "linear"),
                                     "sliding_attention": (1e4, "default")}[layer_type]
    check(s, expected)


def test_default_layer_type_is_full_attention():
    s = rope_viz.rope_settings_from_config(GEMMA3)
    assert s.layer_type == "full_attention" and s.layer_types == ("sliding_attention", "full_attention")
    plain = rope_viz.rope_settings_from_config({"head_dim": 64})
    assert plain.layer_types == () and plain.layer_type is None


def test_phimoe_attention_factor_is_short_and_long_mscale():
    s = rope_viz.rope_settings_from_config(PHIMOE)
    assert s.frequencies()[1] == pytest.approx(1.243)
    long = dict(PHIMOE, rope_scaling=dict(PHIMOE["rope_scaling"], long_mscale=1.5))
    s = rope_viz.rope_settings_from_config(long)
    assert s.frequencies(5000)[1] == pytest.approx(1.5)
    assert s.frequencies(4096)[1] == pytest.approx(1.243)
    # transformers' forward picks the mscale by length in the same way
    assert hf_rotary("phimoe", "PhimoeRotaryEmbedding", long, seq_len=5000)[1] == pytest.approx(1.5)


def test_hunyuan_alpha_is_the_ntk_aware_base():
    s = rope_viz.rope_settings_from_config(HUNYUAN)
    assert s.rope_type == "ntk-aware" and s.params == {"factor": 1000.0}
    inv_freq, _ = s.frequencies()
    base = rope_viz.ntk_aware_base(10000.0, 1000.0, 128)
    assert_close(inv_freq, rope_viz.rope_frequencies(128, base))


def test_llama3_rule_accepts_equal_low_and_high_freq_factors():
    inv_freq, _ = rope_viz.scaled_frequencies(128, 5e5, "llama3", factor=16.0, low_freq_factor=1.0,
                                              high_freq_factor=1.0, original_max_position_embeddings=8192)
    plain = rope_viz.rope_frequencies(128, 5e5)
    long = 2 * np.pi / plain > 8192
    assert_close(inv_freq, np.where(long, plain / 16.0, plain))
    assert np.isfinite(inv_freq).all()


# --- other placements: partial factor, explicit head_dim, nested text_config, proportional ---


PHI2 = {"model_type": "phi", "hidden_size": 2560, "num_attention_heads": 32, "partial_rotary_factor": 0.4,
        "rope_theta": 10000.0, "max_position_embeddings": 2048}
STABLELM2 = {"model_type": "stablelm", "hidden_size": 2048, "num_attention_heads": 32, "num_key_value_heads": 32,
             "partial_rotary_factor": 0.25, "rope_theta": 10000, "max_position_embeddings": 4096}
GLM4 = {"model_type": "glm4", "hidden_size": 4096, "num_attention_heads": 32, "num_key_value_heads": 2,
        "head_dim": 128, "partial_rotary_factor": 0.5, "rope_theta": 10000.0, "max_position_embeddings": 32768}
QWEN2_VL = {"model_type": "qwen2_vl", "hidden_size": 3584, "num_attention_heads": 28, "num_key_value_heads": 4,
            "max_position_embeddings": 32768, "rope_theta": 1000000.0,
            "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]}, "vision_config": {}}
GPT_OSS = {"model_type": "gpt_oss", "hidden_size": 2880, "num_attention_heads": 64, "num_key_value_heads": 8,
           "head_dim": 64, "num_hidden_layers": 24, "max_position_embeddings": 131072, "rope_theta": 150000,
           "rope_scaling": {"beta_fast": 32.0, "beta_slow": 1.0, "factor": 32.0,
                            "original_max_position_embeddings": 4096, "rope_type": "yarn", "truncate": False},
           "sliding_window": 128}
PHI3_128K = {"model_type": "phi3", "hidden_size": 3072, "num_attention_heads": 32, "num_key_value_heads": 32,
             "max_position_embeddings": 131072, "original_max_position_embeddings": 4096, "rope_theta": 10000.0,
             "rope_scaling": {"type": "longrope", "short_factor": [1.0 + 0.02 * i for i in range(48)],
                              "long_factor": [1.0 + 0.9 * i for i in range(48)]}}

MORE = [
    ("phi", "PhiRotaryEmbedding", PHI2, 16),
    ("stablelm", "StableLmRotaryEmbedding", STABLELM2, 8),
    ("glm4", "Glm4RotaryEmbedding", GLM4, 32),
    ("qwen2_vl", "Qwen2VLRotaryEmbedding", QWEN2_VL, 64),
    ("gpt_oss", "GptOssRotaryEmbedding", GPT_OSS, 32),
    ("phi3", "Phi3RotaryEmbedding", PHI3_128K, 48),
]


@pytest.mark.parametrize("form", ["4.x", "5.x"])
@pytest.mark.parametrize("module, cls_name, fields, pairs", MORE, ids=[f[0] for f in MORE])
def test_more_placements_match(module, cls_name, fields, pairs, form):
    config = dict(both_forms(fields))[form]
    expected = hf_rotary(module, cls_name, fields)
    assert expected[0].shape == (pairs,)
    check(rope_viz.rope_settings_from_config(config), expected)


@pytest.mark.parametrize("seq_len", [100, 4096, 5000])
def test_phi3_longrope_by_length_matches_transformers_forward(seq_len):
    expected = hf_rotary("phi3", "Phi3RotaryEmbedding", PHI3_128K, seq_len=seq_len)
    check(rope_viz.rope_settings_from_config(PHI3_128K), expected, seq_len=seq_len)


def test_hunyuan_dynamic_without_alpha_is_dynamic_ntk():
    plain = dict(HUNYUAN, rope_scaling={"type": "dynamic", "factor": 2.0})
    s = rope_viz.rope_settings_from_config(plain)
    assert s.rope_type == "dynamic"
    check(s, hf_rotary("hunyuan_v1_dense", "HunYuanDenseV1RotaryEmbedding", plain, seq_len=300000), seq_len=300000)


def test_proportional_rope_type_matches_transformers():
    from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS

    fields = {"model_type": "llama", "hidden_size": 1024, "num_attention_heads": 8, "head_dim": 128,
              "max_position_embeddings": 4096,
              "rope_parameters": {"rope_type": "proportional", "rope_theta": 1e6, "partial_rotary_factor": 0.25,
                                  "factor": 2.0}}
    theirs, factor = ROPE_INIT_FUNCTIONS["proportional"](hf_config(fields))
    s = rope_viz.rope_settings_from_config(fields)
    assert (s.rope_type, s.rotary_dim) == ("proportional", 128)
    check(s, (theirs.double().numpy(), factor))


def test_registry_has_proportional_with_its_source():
    rule = scaling.FREQUENCY_RULES["proportional"]
    assert rule.huggingface and "transformers" in rule.compute.__doc__
    inv_freq, _ = rope_viz.scaled_frequencies(16, 1e4, "proportional", partial_rotary_factor=0.5)
    assert_close(inv_freq, rope_viz.p_rope_frequencies(16, 1e4, 0.5))


# --- bad input names the field ----------------------------------------------------------------


BAD_CONFIGS = [
    ("config.json", TypeError, "config"),
    ({"rope_theta": 1e4}, ValueError, "config['head_dim']"),
    ({"head_dim": 64, "rope_scaling": {"type": "xpos"}}, ValueError, "config['rope_scaling']['type']"),
    ({"head_dim": 64, "rope_parameters": {"rope_type": "xpos"}}, ValueError, "config['rope_parameters']['rope_type']"),
    ({"head_dim": 64, "rope_scaling": {"type": "linear"}}, ValueError, "config['rope_scaling']['factor']"),
    ({"head_dim": 64, "rope_scaling": ["linear"]}, TypeError, "config['rope_scaling']"),
    ({"head_dim": 64, "max_position_embeddings": 4096,
      "rope_scaling": {"type": "longrope", "short_factor": [1.0] * 31, "long_factor": [1.0] * 32}},
     ValueError, "config['rope_scaling']['short_factor']"),
    ({"head_dim": 64, "rope_scaling": {"type": "linear", "factor": 2.0, "stretch": 3}},
     ValueError, "config['rope_scaling']['stretch']"),
    ({"head_dim": 64, "partial_rotary_factor": 0.3}, ValueError, "config['partial_rotary_factor']"),
    ({"head_dim": "64"}, TypeError, "config['head_dim']"),
    ({"model_type": "gptj", "n_embd": 4096, "n_head": 16, "rotary_dim": None}, ValueError, "config['rotary_dim']"),
    ({"head_dim": 64, "layer_types": ["full_attention"]}, ValueError, "layer_type"),
    ({"model_type": "falcon", "hidden_size": 4544, "num_attention_heads": 71, "alibi": True},
     ValueError, "config['alibi']"),
    ({"head_dim": 64, "text_config": "x"}, TypeError, "config['text_config']"),
]


@pytest.mark.parametrize("config, error, name", BAD_CONFIGS, ids=[b[2] + str(i) for i, b in enumerate(BAD_CONFIGS)])
def test_bad_config_names_the_field(config, error, name):
    layer_type = "sliding_attention" if name == "layer_type" else None
    with pytest.raises(error) as info:
        rope_viz.rope_settings_from_config(config, layer_type=layer_type)
    assert str(info.value).startswith(f"{name} must be"), str(info.value)


def test_cohere2_full_attention_layers_have_no_rope():
    fields = {"model_type": "cohere2", "hidden_size": 4096, "num_attention_heads": 32, "num_key_value_heads": 8,
              "num_hidden_layers": 8, "rope_theta": 50000.0, "sliding_window": 4096, "sliding_window_pattern": 4,
              "max_position_embeddings": 8192}
    s = rope_viz.rope_settings_from_config(fields)
    assert s.layer_type == "sliding_attention" and s.base == 50000.0
    check(s, hf_rotary("cohere2", "Cohere2RotaryEmbedding", fields))
    with pytest.raises(ValueError, match="^layer_type must be a layer type that uses RoPE"):
        rope_viz.rope_settings_from_config(fields, layer_type="full_attention")


@pytest.mark.parametrize("model_type", sorted(scaling._DEFAULT_CONTEXT))
def test_default_context_is_the_config_class_default(model_type):
    """A config.json that leaves out max_position_embeddings gets the class default."""
    assert scaling._DEFAULT_CONTEXT[model_type] == CONFIG_MAPPING[model_type]().max_position_embeddings
    settings = rope_viz.rope_settings_from_config(
        {"model_type": model_type, "hidden_size": 256, "num_attention_heads": 4})
    assert settings.max_position_embeddings == scaling._DEFAULT_CONTEXT[model_type]
