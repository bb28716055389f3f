"""Shared fixtures for the math-layer tests.

Run with ``pytest tests`` from the repository root.
"""

from __future__ import annotations

import types

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator: every test draws the same numbers on every run."""
    return np.random.default_rng(20240601)


@pytest.fixture
def one_torch_thread():
    """Run a test on one torch thread (tiny models train faster so, and deterministically)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def to_numpy(value):
    """numpy view of an array or (CPU/GPU) torch tensor, in float64."""
    if type(value).__module__.startswith("torch"):
        value = value.detach().cpu().double().numpy()
    return np.asarray(value, dtype=np.float64)


def assert_close(actual, expected, *, rtol: float = 1e-7, atol: float = 1e-9, label: str = ""):
    """``np.testing.assert_allclose`` that reports the max and mean absolute difference."""
    a, e = to_numpy(actual), to_numpy(expected)
    assert a.shape == e.shape, f"{label} shape {a.shape} != {e.shape}"
    diff = np.abs(a - e)
    summary = f"{label} max |diff| = {diff.max(initial=0.0):.3g}, mean |diff| = {diff.mean() if diff.size else 0.0:.3g}"
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=summary)


# --- transformers 5.x M-RoPE ids, the oracle of tests/test_multidim.py and test_mrope_time.py ---

_TRANSFORMERS_VL = {  # model -> (module, model class, config class)
    "qwen2_vl": ("transformers.models.qwen2_vl.modeling_qwen2_vl", "Qwen2VLModel", "Qwen2VLConfig"),
    "qwen2_5_vl": ("transformers.models.qwen2_5_vl.modeling_qwen2_5_vl", "Qwen2_5_VLModel", "Qwen2_5_VLConfig"),
    "qwen3_vl": ("transformers.models.qwen3_vl.modeling_qwen3_vl", "Qwen3VLModel", "Qwen3VLConfig"),
}


def transformers_rope_index(model, segments, merge, second_per_grid_t=None, tokens_per_second=2):
    """transformers 5.x ``<Model>.get_rope_index`` on a stand-in self holding the model's own
    config class (no weights). 5.x finds blocks by ``mm_token_type_ids`` (0 text, 1 image,
    2 video), so two vision blocks of one kind need text between them."""
    import importlib

    import torch
    import transformers

    module_name, model_name, config_name = _TRANSFORMERS_VL[model]
    cls = getattr(importlib.import_module(module_name), model_name)
    config = getattr(transformers, config_name)(vision_config={"spatial_merge_size": merge})
    if model == "qwen2_5_vl":
        config.vision_config.tokens_per_second = tokens_per_second
    stand_in = types.SimpleNamespace(config=config)
    stand_in.get_vision_position_ids = types.MethodType(cls.get_vision_position_ids, stand_in)
    kinds, images, videos = [], [], []
    for kind, spec in segments:
        if kind == "text":
            kinds += [0] * spec
        else:
            t, h, w = spec
            kinds += [1 if kind == "image" else 2] * (t * h * w // merge**2)
            (images if kind == "image" else videos).append(spec)
    tt = torch.tensor([kinds])
    kwargs = {}
    if model == "qwen2_5_vl" and videos and second_per_grid_t is not None:
        kwargs["second_per_grid_ts"] = torch.tensor([second_per_grid_t] * len(videos))
    ids, _ = cls.get_rope_index(
        stand_in, torch.zeros_like(tt), tt,
        image_grid_thw=torch.tensor(images) if images else None,
        video_grid_thw=torch.tensor(videos) if videos else None, **kwargs)
    return ids[:, 0].numpy()  # (3, n)
