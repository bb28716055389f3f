"""Every model in the atlas, read by rope_viz, against the model's own rotary embedding.

For each entry of ``rope_viz/data/model_atlas.json`` (the fields of a released ``config.json``),
transformers builds the config with its own config class (no download, no weights) and
instantiates the family's rotary-embedding module; its ``inv_freq`` and ``attention_scaling``
are what the model uses. ``rope_viz.rope_settings_from_config`` must give the same rotary
dimension, frequencies and attention factor, both from the released fields (4.x keys and
family-specific keys) and from ``config.to_dict()`` (transformers 5.x keys). Models with RoPE per
layer type (ModernBERT, Gemma 3, ...) are checked for every layer type.

GPT-J has no rotary-embedding class: its attention calls ``create_sinusoidal_positions(n, rotary_dim)``
with base 10000, whose row p is ``[sin(p * inv_freq), cos(p * inv_freq)]``; ``inv_freq`` is the angle
of row 1.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from transformers import AutoConfig  # noqa: E402

from rope_viz import rope_settings_from_config  # noqa: E402

ATLAS = Path(__file__).resolve().parents[1] / "rope_viz" / "data" / "model_atlas.json"
MODELS = json.loads(ATLAS.read_text(encoding="utf-8"))["models"]
NAMES = [m["name"] for m in MODELS]
BY_NAME = {m["name"]: m for m in MODELS}

RTOL = 1e-6  # inv_freq is float32 in transformers


def _build_config(fields: dict):
    """transformers' config object for released fields; the text config for multimodal models."""
    fields = copy.deepcopy(fields)
    model_type = fields.pop("model_type")
    config = AutoConfig.for_model(model_type, **fields)
    text = getattr(config, "text_config", None)
    if text is not None and hasattr(text, "to_dict"):
        config = text
    return config


def _rotary_class(config):
    """The text rotary-embedding class in the family's modeling module."""
    model_type = config.model_type
    package = model_type
    for suffix in ("_text",):
        if (
            package.endswith(suffix)
            and importlib.util.find_spec(f"transformers.models.{package}") is None
        ):
            package = package[: -len(suffix)]
    try:
        module = importlib.import_module(f"transformers.models.{package}.modeling_{package}")
    except ModuleNotFoundError:
        package = package.rsplit("_", 1)[0]
        module = importlib.import_module(f"transformers.models.{package}.modeling_{package}")
    candidates = [
        obj
        for name, obj in vars(module).items()
        if inspect.isclass(obj)
        and name.endswith("RotaryEmbedding")
        and obj.__module__ == module.__name__
        and not any(word in name for word in ("Vision", "Audio", "Visual", "Patch"))
    ]
    if not candidates:
        return None, module
    text_first = sorted(candidates, key=lambda c: ("Text" not in c.__name__, len(c.__name__)))
    return text_first[0], module


def _oracle(fields: dict) -> dict:
    """``{layer_type or None: (inv_freq float64, attention_scaling)}`` from transformers' own module."""
    config = _build_config(fields)
    if config.model_type == "gptj":
        from transformers.models.gptj.modeling_gptj import create_sinusoidal_positions

        dim = config.rotary_dim or config.n_embd // config.n_head
        row = create_sinusoidal_positions(2, dim)[1].double().numpy()  # [sin(f), cos(f)] at p = 1
        # The angle at position 1 is the frequency itself; every f <= 1 < pi, so atan2 recovers it.
        return {None: (np.arctan2(row[: dim // 2], row[dim // 2 :]), 1.0)}
    cls, module = _rotary_class(config)
    assert cls is not None, f"no rotary-embedding class in {module.__name__}"
    rotary = cls(config)
    layer_types = sorted(
        {
            k[: -len("_inv_freq")]
            for k in dict(rotary.named_buffers())
            if k.endswith("_inv_freq") and not k.endswith("original_inv_freq")
        }
    )
    if layer_types and "inv_freq" not in dict(rotary.named_buffers()):
        return {
            lt: (
                getattr(rotary, f"{lt}_inv_freq").double().numpy(),
                float(getattr(rotary, f"{lt}_attention_scaling")),
            )
            for lt in layer_types
        }
    return {None: (rotary.inv_freq.double().numpy(), float(rotary.attention_scaling))}


_ORACLES: dict = {}


def oracle(name: str) -> dict:
    if name not in _ORACLES:
        _ORACLES[name] = _oracle(BY_NAME[name]["config"])
    return _ORACLES[name]


def _check(settings, inv_freq, scaling, label):
    got, factor = settings.frequencies()
    got = np.asarray(got, dtype=np.float64)
    assert settings.rotary_dim == 2 * len(inv_freq), (
        f"{label}: rotary dim {settings.rotary_dim}, the model rotates {2 * len(inv_freq)}"
    )
    np.testing.assert_allclose(got, inv_freq, rtol=RTOL, err_msg=f"{label}: inv_freq")
    assert factor == pytest.approx(scaling, rel=1e-6), (
        f"{label}: attention factor {factor}, model {scaling}"
    )


def _read(config: dict, layer_type):
    if layer_type is None:
        return rope_settings_from_config(config)
    return rope_settings_from_config(config, layer_type=layer_type)


@pytest.mark.parametrize("name", NAMES)
def test_released_config_matches_the_models_rotary_embedding(name):
    """The released config.json fields give the model's own rotary dim, inv_freq and attention factor."""
    fields = copy.deepcopy(BY_NAME[name]["config"])
    for layer_type, (inv_freq, scaling) in oracle(name).items():
        _check(
            _read(fields, layer_type),
            inv_freq,
            scaling,
            f"{name} [{layer_type or 'all layers'}] released",
        )


@pytest.mark.parametrize("name", NAMES)
def test_transformers5_to_dict_matches_the_models_rotary_embedding(name):
    """``config.to_dict()`` of transformers 5.x (keys in rope_parameters) gives the same numbers."""
    as_dict = _build_config(BY_NAME[name]["config"]).to_dict()
    for layer_type, (inv_freq, scaling) in oracle(name).items():
        _check(
            _read(as_dict, layer_type),
            inv_freq,
            scaling,
            f"{name} [{layer_type or 'all layers'}] to_dict",
        )


DYNAMIC = [
    m["name"] for m in MODELS if "dynamic" in json.dumps(m["config"].get("rope_scaling") or {})
]


@pytest.mark.parametrize(
    "name",
    DYNAMIC
    or [pytest.param(None, marks=pytest.mark.skip(reason="no dynamic-NTK model in the atlas"))],
)
def test_dynamic_ntk_at_a_longer_length(name):
    """Dynamic NTK: at twice the declared context the frequencies follow the model's own update."""
    fields = BY_NAME[name]["config"]
    config = _build_config(fields)
    cls, _ = _rotary_class(config)
    rotary = cls(config)
    seq_len = 2 * int(config.max_position_embeddings)
    x = torch.zeros(1, 1, 8)
    rotary(x, torch.tensor([[seq_len - 1]]))
    got, _ = rope_settings_from_config(fields).frequencies(seq_len=seq_len)
    np.testing.assert_allclose(got, rotary.inv_freq.double().numpy(), rtol=RTOL)


def test_gemma3_released_file_reads_the_class_defaults_per_layer_type():
    """Gemma 3 27B's file names neither base: global layers 1e6 with linear 8, local layers 1e4 unscaled.

    The Gemma 3 report (arXiv 2503.19786) raises the global layers' base to 1M and keeps the local
    layers at 10k; the released text_config holds only ``rope_scaling`` (linear, factor 8).
    """
    fields = BY_NAME["Gemma 3 27B"]["config"]
    assert "rope_theta" not in fields["text_config"]
    full = rope_settings_from_config(fields, layer_type="full_attention")
    local = rope_settings_from_config(fields, layer_type="sliding_attention")
    assert (full.base, full.rope_type, full.rotary_dim) == (1_000_000.0, "linear", 128)
    assert full.params["factor"] == 8.0
    assert (local.base, local.rope_type, local.rotary_dim) == (10_000.0, "default", 128)
    config = _build_config(fields)
    assert config.layer_types[:6] == ["sliding_attention"] * 5 + ["full_attention"]


def test_cohere2_global_layers_have_no_rope():
    """Command R7B: asking for the RoPE of a layer that has none is an error, not a RoPE answer."""
    fields = BY_NAME["Command R7B"]["config"]
    config = _build_config(fields)
    assert config.layer_types[:4] == ["sliding_attention"] * 3 + ["full_attention"]
    with pytest.raises(ValueError, match="full_attention"):
        rope_settings_from_config(fields, layer_type="full_attention")
