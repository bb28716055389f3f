"""Tests for rope_viz.multidim. Run: ``pytest tests/test_multidim.py``.

Cross-checks: transformers 5.x Qwen2-VL (``get_rope_index`` ids, ``Qwen2VLRotaryEmbedding`` +
``apply_rotary_pos_emb``) and Qwen3-VL (``Qwen3VLTextRotaryEmbedding``, interleaved sections).
"""

from __future__ import annotations

import doctest
import types

import numpy as np
import pytest
import torch
from conftest import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st

import rope_viz
from rope_viz import multidim


def test_doctests():
    result = doctest.testmod(multidim, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_grid_positions_video():
    g = rope_viz.grid_positions((2, 3, 4))
    assert g.shape == (24, 3)
    assert g[0].tolist() == [0, 0, 0] and g[-1].tolist() == [1, 2, 3] and g[5].tolist() == [0, 1, 1]


# --- axial RoPE ------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31), shift=st.tuples(st.integers(-50, 50), st.integers(-50, 50)),
       pairing=st.sampled_from(["interleaved", "half"]))
def test_axial_score_depends_only_on_offset(seed, shift, pairing):
    gen = np.random.default_rng(seed)
    q, k = gen.standard_normal((2, 1, 16))
    a, b = gen.integers(-20, 20, (2, 2))
    def score(u, v):
        return float(rope_viz.apply_axial_rope(q, [u], pairing=pairing)[0]
                     @ rope_viz.apply_axial_rope(k, [v], pairing=pairing)[0])
    assert score(a, b) == pytest.approx(score(a + np.array(shift), b + np.array(shift)), abs=1e-9)


def test_axial_pairs_never_mix_axes(rng):
    x = rng.standard_normal((1, 16))
    moved_y = rope_viz.apply_axial_rope(x, [[3, 0]]) - x  # only the first axis moves
    moved_x = rope_viz.apply_axial_rope(x, [[0, 3]]) - x
    assert np.abs(moved_y[0, 8:]).max() == 0 and np.abs(moved_y[0, :8]).max() > 0.1
    assert np.abs(moved_x[0, :8]).max() == 0 and np.abs(moved_x[0, 8:]).max() > 0.1


def test_axial_each_half_is_1d_rope(rng):
    x = rng.standard_normal((6, 16))
    pos = rope_viz.grid_positions((2, 3))
    out = rope_viz.apply_axial_rope(x, pos)
    assert_close(out[:, :8], rope_viz.apply_rope(x[:, :8], pos[:, 0]))
    assert_close(out[:, 8:], rope_viz.apply_rope(x[:, 8:], pos[:, 1]))


def test_axial_forms_and_torch(rng):
    x = rng.standard_normal((2, 12, 24))
    pos = rope_viz.grid_positions((2, 2, 3))
    ref = rope_viz.apply_axial_rope(x, pos)
    for form in ("complex", "matrix"):
        assert_close(rope_viz.apply_axial_rope(x, pos, form=form), ref, atol=1e-12)
    out = rope_viz.apply_axial_rope(torch.from_numpy(x).float(), pos)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32
    assert_close(out, ref, atol=1e-5)


# --- M-RoPE ids ------------------------------------------------------------------------------


def test_mrope_ids_text_only_are_1d():
    ids = rope_viz.mrope_position_ids([("text", 5)])
    assert ids.tolist() == [list(range(5))] * 3


def test_mrope_ids_image_with_merge():
    ids = rope_viz.mrope_position_ids([("text", 3), ("image", (1, 4, 6)), ("text", 2)], spatial_merge_size=2)
    assert ids.shape == (3, 3 + 2 * 3 + 2)
    vision = ids[:, 3:9]
    assert vision[0].tolist() == [3] * 6
    assert vision[1].tolist() == [3, 3, 3, 4, 4, 4]
    assert vision[2].tolist() == [3, 4, 5, 3, 4, 5]
    assert ids[:, 9].tolist() == [6, 6, 6]  # largest id (5) + 1


def test_mrope_ids_long_video_resumes_past_every_frame():
    ids = rope_viz.mrope_position_ids([("video", (5, 2, 2)), ("text", 1)])
    assert ids[:, :-1].max() == 4
    assert ids[:, -1].tolist() == [5, 5, 5]  # transformers 5.x would give 2 here (see docstring)


def _hf_rope_index(segments, merge):
    """Call transformers' Qwen2VLModel.get_rope_index without weights (a stand-in self)."""
    from transformers.models.qwen2_vl.modeling_qwen2_vl import Qwen2VLModel

    fake = types.SimpleNamespace(config=types.SimpleNamespace(vision_config=types.SimpleNamespace(spatial_merge_size=merge)))
    fake.get_vision_position_ids = types.MethodType(Qwen2VLModel.get_vision_position_ids, fake)
    types_list, images, videos = [], [], []
    for kind, spec in segments:
        if kind == "text":
            types_list += [0] * spec
        else:
            t, h, w = spec
            types_list += [1 if kind == "image" else 2] * (t * h * w // merge**2)
            (images if kind == "image" else videos).append(spec)
    tt = torch.tensor([types_list])
    ids, _ = Qwen2VLModel.get_rope_index(
        fake, torch.zeros_like(tt), tt,
        image_grid_thw=torch.tensor(images) if images else None,
        video_grid_thw=torch.tensor(videos) if videos else None,
    )
    return ids[:, 0].numpy()  # (3, n)


SEQUENCES = [
    ([("text", 4), ("image", (1, 4, 6)), ("text", 3)], 2),
    ([("image", (1, 2, 2)), ("text", 2), ("image", (1, 6, 2)), ("text", 1)], 1),
    ([("text", 2), ("video", (2, 4, 4)), ("text", 2)], 2),  # t <= max(h', w'): both versions agree
    ([("text", 1), ("video", (2, 6, 4)), ("image", (1, 2, 4)), ("text", 5)], 2),
]


@pytest.mark.parametrize("segments, merge", SEQUENCES)
def test_mrope_ids_match_transformers_get_rope_index(segments, merge):
    import transformers  # noqa: F401
    theirs = _hf_rope_index(segments, merge)
    ours = rope_viz.mrope_position_ids(segments, spatial_merge_size=merge)
    assert ours.tolist() == theirs.tolist()


def test_flat_ids_count_tokens():
    assert rope_viz.flat_position_ids([("text", 2), ("video", (2, 4, 4)), ("text", 1)], 2).tolist() == list(range(11))


def test_rope_tie_text_is_diagonal_and_next_text_lands_past_image():
    ids = rope_viz.rope_tie_position_ids([("text", 3), ("image", (1, 4, 2)), ("text", 2)])
    text_before, image, text_after = ids[:, :3], ids[:, 3:11], ids[:, 11:]
    assert np.array_equal(text_before[0], text_before[1]) and text_before[0].tolist() == [0, 1, 2]
    assert np.array_equal(text_after[0], text_after[1])
    assert text_after[0, 0] > image.max() and image.min() > text_before.max()
    span = max(4, 2) + 1  # both axes are spread inside (L, L + S) with L = 2
    assert np.all((image > 2) & (image < 2 + span)) and text_after[0, 0] == 2 + span


# --- apply_mrope -----------------------------------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31), layout=st.sampled_from(["contiguous", "interleaved"]))
def test_mrope_with_equal_rows_is_1d_rope(seed, layout):
    gen = np.random.default_rng(seed)
    x = gen.standard_normal((2, 7, 24))
    pos = gen.integers(0, 1000, 7)
    out = rope_viz.apply_mrope(x, np.stack([pos] * 3), sections=(4, 4, 4), base=1e6, layout=layout)
    assert_close(out, rope_viz.apply_rope(x, pos, base=1e6, pairing="half"), atol=1e-10)


def test_mrope_axes_qwen3_interleave():
    axes = rope_viz.mrope_axes((24, 20, 20), "interleaved")
    assert axes[:6].tolist() == [0, 1, 2, 0, 1, 2] and axes[-4:].tolist() == [0, 0, 0, 0]
    assert np.bincount(axes).tolist() == [24, 20, 20]


@pytest.mark.parametrize("model, sections, layout", [
    ("qwen2_vl", (16, 24, 24), "contiguous"),
    ("qwen3_vl", (24, 20, 20), "interleaved"),
])
def test_apply_mrope_matches_transformers(model, sections, layout):
    import transformers
    if model == "qwen2_vl":
        from transformers.models.qwen2_vl import modeling_qwen2_vl as mod
        config = transformers.Qwen2VLTextConfig(
            hidden_size=512, num_attention_heads=4, num_key_value_heads=4,
            rope_parameters={"rope_type": "default", "rope_theta": 1e6, "mrope_section": list(sections)})
        emb = mod.Qwen2VLRotaryEmbedding(config)
    else:
        from transformers.models.qwen3_vl import modeling_qwen3_vl as mod
        config = transformers.Qwen3VLTextConfig(
            hidden_size=512, num_attention_heads=4, num_key_value_heads=4, head_dim=128,
            rope_parameters={"rope_type": "default", "rope_theta": 1e6, "mrope_section": list(sections)})
        emb = mod.Qwen3VLTextRotaryEmbedding(config)
    ids = rope_viz.mrope_position_ids([("text", 3), ("image", (1, 4, 6)), ("text", 2), ("video", (2, 2, 4))], 2)
    n = ids.shape[1]
    gen = torch.Generator().manual_seed(3)
    q = torch.randn(1, 4, n, 128, generator=gen)
    k = torch.randn(1, 4, n, 128, generator=gen)
    cos, sin = emb(q, torch.from_numpy(ids)[:, None, :])
    q_hf, _ = mod.apply_rotary_pos_emb(q, k, cos, sin)
    for form in ("elementwise", "complex"):
        ours = rope_viz.apply_mrope(q, ids, sections=sections, base=1e6, layout=layout, form=form)
        assert_close(ours, q_hf, rtol=1e-4, atol=2e-5, label=form)


# --- bad input -------------------------------------------------------------------------------

X = np.zeros((6, 8))
IDS = np.zeros((3, 6))
BAD = [
    (rope_viz.grid_positions, dict(shape=(2, 0)), ValueError, "shape"),
    (rope_viz.grid_positions, dict(shape="hw"), TypeError, "shape"),
    (rope_viz.axial_rope_angles, dict(positions=[[1, 2, 3]], dim=8), ValueError, "dim"),
    (rope_viz.axial_rope_angles, dict(positions=[1, 2], dim=8), ValueError, "positions"),
    (rope_viz.apply_axial_rope, dict(x=X, positions=np.zeros((5, 2))), ValueError, "positions"),
    (rope_viz.apply_axial_rope, dict(x=X, positions=np.full((6, 2), np.nan)), ValueError, "positions"),
    (rope_viz.mrope_position_ids, dict(segments=[("audio", 3)]), ValueError, "segments[0][0]"),
    (rope_viz.mrope_position_ids, dict(segments=[("image", (1, 4))]), ValueError, "segments[0][1]"),
    (rope_viz.mrope_position_ids, dict(segments=[("image", (1, 0, 4))]), ValueError, "segments[0][1]"),
    (rope_viz.mrope_position_ids, dict(segments=[("image", (1, 2.5, 4))]), ValueError, "segments[0][1]"),
    (rope_viz.mrope_position_ids, dict(segments=[("image", (1, 3, 4))], spatial_merge_size=2), ValueError, "segments[0][1]"),
    (rope_viz.mrope_position_ids, dict(segments=[("text", 0)]), ValueError, "segments[0][1]"),
    (rope_viz.mrope_position_ids, dict(segments="text"), TypeError, "segments"),
    (rope_viz.mrope_position_ids, dict(segments=[]), ValueError, "segments"),
    (rope_viz.mrope_position_ids, dict(segments=["text"]), TypeError, "segments[0]"),
    (rope_viz.mrope_position_ids, dict(segments=[("text", 2)], spatial_merge_size=0), ValueError, "spatial_merge_size"),
    (rope_viz.rope_tie_position_ids, dict(segments=[("video", (2, 2, 2))]), ValueError, "segments[0]"),
    (rope_viz.mrope_axes, dict(sections=(16, 24)), ValueError, "sections"),
    (rope_viz.mrope_axes, dict(sections=(16, 24, 24), layout="mixed"), ValueError, "layout"),
    (rope_viz.mrope_axes, dict(sections=(1, 4, 4), layout="interleaved"), ValueError, "sections"),
    (rope_viz.apply_mrope, dict(x=X, position_ids=IDS, sections=(1, 1, 1)), ValueError, "sections"),
    (rope_viz.apply_mrope, dict(x=X, position_ids=np.zeros((2, 6)), sections=(2, 1, 1)), ValueError, "position_ids"),
    (rope_viz.apply_mrope, dict(x=X, position_ids=np.zeros((3, 5)), sections=(2, 1, 1)), ValueError, "positions"),
    (rope_viz.apply_mrope, dict(x=np.zeros((6, 9)), position_ids=IDS, sections=(2, 1, 1)), ValueError, "x"),
    (rope_viz.apply_mrope, dict(x=X, position_ids=IDS, sections=(2, 1, 1), base=-1.0), ValueError, "base"),
]


@pytest.mark.parametrize("func, kwargs, error, name", BAD, ids=[f"{b[0].__name__}-{i}" for i, b in enumerate(BAD)])
def test_bad_input(func, kwargs, error, name):
    with pytest.raises(error) as info:
        func(**kwargs)
    assert str(info.value).startswith(f"{name} must be") or str(info.value).startswith(f"{name} (the"), str(info.value)
