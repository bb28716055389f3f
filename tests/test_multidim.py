"""Tests for rope_viz.multidim. Run: ``pytest tests/test_multidim.py``.

Cross-checks: transformers 5.x Qwen2-VL (``get_rope_index`` ids, ``Qwen2VLRotaryEmbedding`` +
``apply_rotary_pos_emb``) and Qwen3-VL (``Qwen3VLTextRotaryEmbedding``, interleaved sections).
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import torch
from conftest import assert_close, transformers_rope_index
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
    assert ids[:, -1].tolist() == [5, 5, 5]
    assert rope_viz.mrope_position_ids([("video", (5, 2, 2)), ("text", 1)], resume="max_hw")[:, -1].tolist() == [2, 2, 2]


SEQUENCES = [
    ([("text", 4), ("image", (1, 4, 6)), ("text", 3)], 2),
    ([("image", (1, 2, 2)), ("text", 2), ("image", (1, 6, 2)), ("text", 1)], 1),
    ([("text", 2), ("video", (2, 4, 4)), ("text", 2)], 2),  # t <= max(h', w'): both versions agree
    ([("text", 1), ("video", (2, 6, 4)), ("image", (1, 2, 4)), ("text", 5)], 2),
]


@pytest.mark.parametrize("segments, merge", SEQUENCES)
def test_mrope_ids_match_transformers_get_rope_index(segments, merge):
    import transformers  # noqa: F401
    theirs = transformers_rope_index("qwen2_vl", segments, merge)
    ours = rope_viz.mrope_position_ids(segments, spatial_merge_size=merge)
    assert ours.tolist() == theirs.tolist()


# --- the two resume rules, against transformers 5.x and 4.x --------------------------------------

MAX_HW_CASES = [
    # (model, segments, merge, second_per_grid_t)
    ("qwen2_vl", [("text", 5)], 1, None),
    ("qwen2_vl", [("text", 4), ("image", (1, 4, 6)), ("text", 3)], 2, None),
    ("qwen2_vl", [("image", (1, 2, 3)), ("text", 2), ("image", (1, 6, 2)), ("text", 1)], 1, None),
    ("qwen2_vl", [("text", 2), ("video", (5, 2, 2)), ("text", 3)], 1, None),  # T > max(h', w')
    ("qwen2_vl", [("text", 1), ("video", (6, 4, 4)), ("text", 2)], 2, None),  # T > max(h', w')
    ("qwen2_vl", [("text", 3), ("image", (1, 2, 2)), ("video", (7, 2, 4)), ("text", 2)], 1, None),
    ("qwen2_vl", [("video", (3, 2, 2)), ("image", (1, 4, 2)), ("text", 2)], 2, None),
    ("qwen2_5_vl", [("text", 2), ("video", (4, 2, 2)), ("text", 2)], 1, 0.5),
    ("qwen2_5_vl", [("text", 2), ("video", (4, 2, 2)), ("text", 2)], 1, 2.0),
    ("qwen2_5_vl", [("text", 2), ("image", (1, 4, 4)), ("text", 1), ("video", (5, 4, 6)), ("text", 2)], 2, 1.0),
    ("qwen3_vl", [("text", 2), ("video", (1, 4, 4)), ("text", 1), ("video", (1, 4, 4)), ("text", 3)], 2, None),
    ("qwen3_vl", [("text", 1), ("image", (1, 2, 6)), ("text", 2)], 1, None),
]


@pytest.mark.parametrize("model, segments, merge, spg", MAX_HW_CASES)
def test_mrope_ids_max_hw_match_transformers5(model, segments, merge, spg):
    theirs = transformers_rope_index(model, segments, merge, spg)
    ours = rope_viz.mrope_position_ids(segments, merge, resume="max_hw", second_per_grid_t=spg)
    assert ours.tolist() == theirs.tolist()


def _transformers4_cases():
    import json
    import pathlib

    path = pathlib.Path(__file__).parent / "data" / "mrope_transformers4.json"
    data = json.loads(path.read_text())
    assert data["transformers"].startswith("4."), data["transformers"]
    return [pytest.param(case, id=f"{case['model']}-{i}") for i, case in enumerate(data["cases"])]


@pytest.mark.parametrize("case", _transformers4_cases())
def test_mrope_ids_max_id_match_transformers4_fixture(case):
    """tests/data/mrope_transformers4.json holds ids from transformers 4.57's get_rope_index
    (made by tests/data/make_mrope_transformers4.py); resume="max_id" must reproduce them."""
    segments = [(kind, spec if kind == "text" else tuple(spec)) for kind, spec in case["segments"]]
    kwargs = {}
    if case["second_per_grid_t"] is not None:
        kwargs = dict(second_per_grid_t=case["second_per_grid_t"],
                      tokens_per_second=case["tokens_per_second"])
    ours = rope_viz.mrope_position_ids(segments, case["spatial_merge_size"], resume="max_id", **kwargs)
    assert ours.tolist() == case["position_ids"]


def test_mrope_resume_rules_differ_only_past_a_long_video():
    long_video = [("text", 2), ("video", (5, 2, 2)), ("text", 3)]
    max_id = rope_viz.mrope_position_ids(long_video)
    max_hw = rope_viz.mrope_position_ids(long_video, resume="max_hw")
    assert np.array_equal(max_id[:, :22], max_hw[:, :22])  # text and video ids agree
    assert max_id[:, 22:].tolist() == [[7, 8, 9]] * 3  # past the last frame (id 6)
    assert max_hw[:, 22:].tolist() == [[4, 5, 6]] * 3  # start 2 + max(2, 2): frames 2-4 reused
    short_video = [("text", 2), ("video", (2, 4, 4)), ("image", (1, 2, 6)), ("text", 2)]
    assert np.array_equal(rope_viz.mrope_position_ids(short_video, 2),
                          rope_viz.mrope_position_ids(short_video, 2, resume="max_hw"))


def test_flat_ids_count_tokens():
    assert rope_viz.flat_position_ids([("text", 2), ("video", (2, 4, 4)), ("text", 1)], 2).tolist() == list(range(11))


# --- RoPE-Tie (kexue.fm/archives/10040) and RoPE-TV (kexue.fm/archives/10352) ------------------
# Expected arrays worked out by hand from the posts, with rope_viz's 0-based text positions.


def test_rope_tie_by_hand_text_image_text():
    # text 0, 1 (L = 1); image h = 2 rows, w = 3 columns; s = w + 1 = 4 on the row axis x,
    # t = h + 1 = 3 on the column axis y; patch (i, j) at (1 + 4i, 1 + 3j); next text at
    # K = L + (w + 1)(h + 1) = 13.
    ids = rope_viz.rope_tie_position_ids([("text", 2), ("image", (1, 2, 3)), ("text", 2)])
    assert ids.dtype == np.int64
    assert ids.tolist() == [[0, 1, 5, 5, 5, 9, 9, 9, 13, 14],
                            [0, 1, 4, 7, 10, 4, 7, 10, 13, 14]]


def test_rope_tie_by_hand_tokens_spacing():
    # Su's non-integer variant: s = (wh + 1)/(h + 1) = 7/3, t = (wh + 1)/(w + 1) = 7/4;
    # the image counts as wh = 6 tokens, so the next text lands at L + wh + 1 = 8.
    ids = rope_viz.rope_tie_position_ids([("text", 2), ("image", (1, 2, 3)), ("text", 2)],
                                         spacing="tokens")
    expected = [[0, 1, 10 / 3, 10 / 3, 10 / 3, 17 / 3, 17 / 3, 17 / 3, 8, 9],
                [0, 1, 11 / 4, 18 / 4, 25 / 4, 11 / 4, 18 / 4, 25 / 4, 8, 9]]
    np.testing.assert_allclose(ids, expected, rtol=0, atol=1e-12)


def test_rope_tie_merge_and_adjacent_images():
    merged = rope_viz.rope_tie_position_ids([("text", 2), ("image", (1, 4, 6)), ("text", 2)],
                                            spatial_merge_size=2)
    assert merged.tolist() == rope_viz.rope_tie_position_ids(
        [("text", 2), ("image", (1, 2, 3)), ("text", 2)]).tolist()
    # No text before the first image: L = -1. A 1 x 1 image: (1, 1), and the running position
    # becomes K - 1 = -1 + 2*2 - 1 = 2. The next 1 x 2 image (s = 3, t = 2) is placed after
    # L = 2: (5, 4), (5, 6); the text after it at 2 + 3*2 = 8.
    ids = rope_viz.rope_tie_position_ids([("image", (1, 1, 1)), ("image", (1, 1, 2)), ("text", 1)])
    assert ids.tolist() == [[1, 5, 5, 8], [1, 4, 6, 8]]


def test_rope_tv_by_hand_image():
    # L = 1, h = 2, w = 3, wh = 6: beta1 = 1 + (6 - 2)/2 = 3, beta2 = 1 + (6 - 3)/2 = 2.5;
    # patch (i, j) at (3 + i, 2.5 + j); next text at L + wh + 1 = 8.
    ids = rope_viz.rope_tv_position_ids([("text", 2), ("image", (1, 2, 3)), ("text", 2)])
    np.testing.assert_array_equal(ids, [[0, 1, 4, 4, 4, 5, 5, 5, 8, 9],
                                        [0, 1, 3.5, 4.5, 5.5, 3.5, 4.5, 5.5, 8, 9]])


def test_rope_tv_by_hand_video():
    # L = 0; video t = 2 frames of h = 1 x w = 3: wht = 6, beta = (0 + 5/2, 0 + 3/2, 0 + 4/2);
    # rows (x: row, y: column, z: frame), frame-major order; next text at 0 + 6 + 1 = 7.
    ids = rope_viz.rope_tv_position_ids([("text", 1), ("video", (2, 1, 3)), ("text", 1)])
    assert ids.shape == (3, 8)
    np.testing.assert_array_equal(ids, [[0, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 7],
                                        [0, 2.5, 3.5, 4.5, 2.5, 3.5, 4.5, 7],
                                        [0, 3, 3, 3, 4, 4, 4, 7]])


def test_rope_tv_by_hand_image_and_video():
    # With a video present an image is a one-frame video: L = 0, 1 x 2 image: (1.5, 1|2, 1.5);
    # text at 3; then a 2-frame 1 x 1 video after L = 3: (4.5, 4.5, 4|5); text at 6.
    ids = rope_viz.rope_tv_position_ids(
        [("text", 1), ("image", (1, 1, 2)), ("text", 1), ("video", (2, 1, 1)), ("text", 1)])
    np.testing.assert_array_equal(ids, [[0, 1.5, 1.5, 3, 4.5, 4.5, 6],
                                        [0, 1, 2, 3, 4.5, 4.5, 6],
                                        [0, 1.5, 1.5, 3, 4, 5, 6]])


@pytest.mark.parametrize("func", [rope_viz.rope_tie_position_ids, rope_viz.rope_tv_position_ids])
def test_text_alone_is_1d(func):
    ids = func([("text", 3), ("text", 2)])
    assert ids.tolist() == [list(range(5))] * 2
    assert ids[0].tolist() == rope_viz.flat_position_ids([("text", 5)]).tolist()


@settings(max_examples=30, deadline=None)
@given(before=st.integers(1, 5), h=st.integers(1, 6), w=st.integers(1, 6), t=st.integers(1, 4),
       kind=st.sampled_from(["image", "video"]))
def test_rope_tv_equivalence_and_symmetry(before, h, w, t, kind):
    t = 1 if kind == "image" else t
    ids = rope_viz.rope_tv_position_ids([("text", before), (kind, (t, h, w)), ("text", 2)])
    n = t * h * w
    last, first, end, nxt = ids[:, before - 1], ids[:, before], ids[:, before + n - 1], ids[:, before + n]
    np.testing.assert_allclose(nxt - last, n + 1)  # equivalence: n patches count as n tokens
    np.testing.assert_allclose(first - last, nxt - end)  # symmetry, on every axis
    # the text ids are exactly the flattened 1-D ids
    flat = rope_viz.flat_position_ids([("text", before), (kind, (t, h, w)), ("text", 2)])
    text = np.r_[0:before, before + n:before + n + 2]
    np.testing.assert_array_equal(ids[:, text], np.broadcast_to(flat[text], (ids.shape[0], text.size)))


@settings(max_examples=30, deadline=None)
@given(before=st.integers(1, 5), h=st.integers(1, 6), w=st.integers(1, 6),
       spacing=st.sampled_from(["integer", "tokens"]))
def test_rope_tie_symmetry_and_next_text(before, h, w, spacing):
    ids = rope_viz.rope_tie_position_ids([("text", before), ("image", (1, h, w)), ("text", 1)],
                                         spacing=spacing)
    n = h * w
    last, first, end, nxt = ids[:, before - 1], ids[:, before], ids[:, before + n - 1], ids[:, before + n]
    np.testing.assert_allclose(first - last, nxt - end)  # symmetric, gap (s, t) on both sides
    span = (w + 1) * (h + 1) if spacing == "integer" else n + 1
    np.testing.assert_allclose(nxt - last, span)


def test_mrope_su_critique_cube_video():
    # 10352: a video with t = h = w = n holds n^3 patches, but under M-RoPE the text after it
    # resumes as if only n tokens sat in between.
    n = 5
    ids = rope_viz.mrope_position_ids([("text", 1), ("video", (n, n, n)), ("text", 1)])
    assert ids.shape[1] - 2 == n**3
    assert (ids[:, -1] - ids[:, 0]).tolist() == [n + 1] * 3


def _verdicts(segments, **kwargs):
    return {r["scheme"]: (r["compatibility"], r["equivalence"], r["symmetry"], r["grid"])
            for r in rope_viz.multimodal_principles(segments, **kwargs)}


def test_principles_table_image():
    rows = rope_viz.multimodal_principles([("text", 2), ("image", (1, 2, 3)), ("text", 2)])
    assert [r["scheme"] for r in rows] == list(rope_viz.MULTIMODAL_SCHEMES)
    assert _verdicts([("text", 2), ("image", (1, 2, 3)), ("text", 2)]) == {
        "flatten": (True, True, True, False),
        "rope_tie": (True, False, True, True),
        "rope_tie_tokens": (True, True, True, True),
        "rope_tv": (True, True, True, True),
        "mrope": (True, False, False, True),
        "qwen2_5_vl": (True, False, False, True),
        "qwen3_vl": (True, False, False, True),
    }
    by = {r["scheme"]: r for r in rows}
    assert by["rope_tie"]["distance"] == (12.0, 12.0)  # (w + 1)(h + 1) = 12, not wh + 1 = 7
    assert by["rope_tie"]["gap_before"] == by["rope_tie"]["gap_after"] == (4.0, 3.0)  # (s, t)
    assert by["rope_tv"]["gap_before"] == (3.0, 2.5)  # ((wh - h)/2 + 1, (wh - w)/2 + 1)
    assert by["mrope"]["distance"] == (4.0, 4.0, 4.0)  # max(h, w) + 1
    assert by["mrope"]["gap_before"] == (1.0, 1.0, 1.0) and by["mrope"]["gap_after"] == (3.0, 2.0, 1.0)


def test_principles_table_video():
    verdicts = _verdicts([("text", 2), ("video", (2, 2, 3)), ("text", 2)])
    assert verdicts["rope_tie"] == (None, None, None, None)  # no rule for video
    assert verdicts["rope_tv"] == (True, True, True, True)
    assert verdicts["mrope"] == verdicts["qwen2_5_vl"] == (True, False, False, True)
    rows = {r["scheme"]: r for r in rope_viz.multimodal_principles(
        [("text", 2), ("video", (2, 2, 3)), ("text", 2)])}
    assert rows["qwen2_5_vl"]["gap_after"] == (1.0, 2.0, 1.0)  # t ids 2, 4 (two per second)
    assert rows["qwen3_vl"]["distance"] == (7.0, 7.0, 7.0)  # two one-frame blocks of max(h, w)


def test_principles_untested_and_markdown():
    rows = rope_viz.multimodal_principles([("image", (1, 2, 2)), ("text", 1)], schemes=["flatten", "rope_tv"])
    assert [(r["equivalence"], r["symmetry"], r["grid"]) for r in rows] == [(None, None, False), (None, None, True)]
    text = rope_viz.principles_markdown(rope_viz.multimodal_principles(
        [("text", 2), ("image", (1, 2, 3)), ("text", 2)], schemes=["rope_tie", "mrope"]))
    lines = text.splitlines()
    assert lines[0].startswith("| scheme | compatibility | equivalence | symmetry | grid kept")
    assert lines[2] == "| RoPE-Tie (Su 2024, integer) | yes | no | yes | yes | 12 (N + 1 = 7) | (4, 3) / (4, 3) |"
    assert lines[3] == "| M-RoPE (Qwen2-VL) | yes | no | no | yes | 4 (N + 1 = 7) | 1 / (3, 2, 1) |"


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
    (rope_viz.apply_axial_rope, dict(x=X, positions=np.zeros((6, 0))), ValueError, "positions"),
    (rope_viz.apply_axial_rope, dict(x=X, positions=[["a", "b"]] * 6), TypeError, "positions"),
    (rope_viz.apply_mrope, dict(x=X, position_ids=np.zeros((3, 6), dtype=bool), sections=(2, 1, 1)), TypeError, "position_ids"),
    (rope_viz.mrope_position_ids, dict(segments=[("audio", 3)]), ValueError, "segments[0][0]"),
    (rope_viz.mrope_position_ids, dict(segments=[("image", (1, 4))]), ValueError, "segments[0][1]"),
    (rope_viz.mrope_position_ids, dict(segments=[("image", (1, 0, 4))]), ValueError, "segments[0][1]"),
    (rope_viz.mrope_position_ids, dict(segments=[("image", (1, 2.5, 4))]), ValueError, "segments[0][1]"),
    (rope_viz.mrope_position_ids, dict(segments=[("image", (1, 3, 4))], spatial_merge_size=2), ValueError, "segments[0][1]"),
    (rope_viz.mrope_position_ids, dict(segments=[("text", 0)]), ValueError, "segments[0][1]"),
    (rope_viz.mrope_position_ids, dict(segments="text"), TypeError, "segments"),
    (rope_viz.mrope_position_ids, dict(segments=[]), ValueError, "segments"),
    (rope_viz.mrope_position_ids, dict(segments=[("text", 2)], resume="max"), ValueError, "resume"),
    (rope_viz.mrope_position_ids, dict(segments=[("text", 2)], resume=None), TypeError, "resume"),
    (rope_viz.mrope_position_ids, dict(segments=["text"]), TypeError, "segments[0]"),
    (rope_viz.mrope_position_ids, dict(segments=[("text", 2)], spatial_merge_size=0), ValueError, "spatial_merge_size"),
    (rope_viz.rope_tie_position_ids, dict(segments=[("video", (2, 2, 2))]), ValueError, "segments[0]"),
    (rope_viz.rope_tie_position_ids, dict(segments=[("text", 1), ("image", (2, 2, 2))]), ValueError, "segments[1]"),
    (rope_viz.rope_tie_position_ids, dict(segments=[("text", 1)], spacing="max"), ValueError, "spacing"),
    (rope_viz.rope_tv_position_ids, dict(segments=[("text", 1), ("image", (2, 2, 2))]), ValueError, "segments[1]"),
    (rope_viz.rope_tv_position_ids, dict(segments=[("audio", 2)]), ValueError, "segments[0][0]"),
    (rope_viz.rope_tv_position_ids, dict(segments="text"), TypeError, "segments"),
    (rope_viz.rope_tv_position_ids, dict(segments=[("text", 1)], spatial_merge_size=0), ValueError, "spatial_merge_size"),
    (rope_viz.multimodal_principles, dict(segments=[("text", 1)], schemes=["rope"]), ValueError, "schemes[0]"),
    (rope_viz.multimodal_principles, dict(segments=[("text", 1)], schemes="mrope"), TypeError, "schemes"),
    (rope_viz.multimodal_principles, dict(segments=[("image", (3, 2, 2))]), ValueError, "segments[0]"),
    (rope_viz.principles_markdown, dict(table=[{"scheme": "flatten"}]), TypeError, "table"),
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
