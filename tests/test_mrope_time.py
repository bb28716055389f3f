"""Qwen2.5-VL absolute-time temporal ids in rope_viz.mrope_position_ids.

Run: ``pytest tests/test_mrope_time.py``. Cross-check: transformers 5.x
``Qwen2_5_VLModel.get_rope_index`` called without weights (a stand-in ``self``).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import transformers_rope_index

import rope_viz

# transformers 5.x resumes text after a block at start + max(h', w'); rope_viz at the largest
# id + 1. The two agree when the video's last time id stays below max(h', w') (or no text
# follows the video), so the cross-check uses such sequences.
CASES = [
    ([("text", 3), ("video", (3, 4, 4))], 2, 1.0, 2),
    ([("text", 2), ("video", (4, 2, 2))], 1, 0.5, 2),
    ([("text", 2), ("image", (1, 4, 4)), ("text", 1), ("video", (5, 4, 6))], 2, 2.0, 2),
    ([("video", (2, 8, 8)), ("text", 2)], 2, 1.0, 2),
    ([("text", 1), ("video", (6, 2, 2))], 1, 2 / 3, 2),
]


@pytest.mark.parametrize("segments, merge, spg, tps", CASES)
def test_matches_transformers_qwen25vl(segments, merge, spg, tps):
    import transformers  # noqa: F401
    theirs = transformers_rope_index("qwen2_5_vl", segments, merge, spg, tps)
    ours = rope_viz.mrope_position_ids(segments, merge, second_per_grid_t=spg,
                                       tokens_per_second=tps)
    assert ours.tolist() == theirs.tolist()


def test_time_ids_follow_seconds_not_frames():
    # the same 8-second clip at 2 fps (4 temporal patches of 2 frames) and at 4 fps (8)
    slow = rope_viz.mrope_position_ids([("video", (4, 1, 1))], second_per_grid_t=2 / 2)
    fast = rope_viz.mrope_position_ids([("video", (8, 1, 1))], second_per_grid_t=2 / 4)
    assert slow[0].tolist() == [0, 2, 4, 6]
    assert fast[0].tolist() == [0, 1, 2, 3, 4, 5, 6, 7]
    assert slow[0, -1] == fast[0, -2]  # both clips' patch at second 6 share the id
    plain = rope_viz.mrope_position_ids([("video", (4, 1, 1))])
    assert plain[0].tolist() == [0, 1, 2, 3]


def test_text_resumes_past_the_last_time_id_and_images_are_unscaled():
    ids = rope_viz.mrope_position_ids(
        [("text", 2), ("image", (1, 2, 2)), ("video", (3, 2, 2)), ("text", 1)],
        second_per_grid_t=1.5, tokens_per_second=2.0)
    image, video, last = ids[:, 2:6], ids[:, 6:18], ids[:, -1]
    assert image[0].tolist() == [2, 2, 2, 2]
    assert sorted(set(video[0].tolist())) == [4, 7, 10]  # 4 + floor(f * 3)
    assert last.tolist() == [11, 11, 11]
    assert np.array_equal(ids[1:, :6], rope_viz.mrope_position_ids(
        [("text", 2), ("image", (1, 2, 2))])[1:])


@pytest.mark.parametrize("kwargs, name", [
    (dict(second_per_grid_t=0.0), "second_per_grid_t"),
    (dict(second_per_grid_t=-1.0), "second_per_grid_t"),
    (dict(second_per_grid_t=1.0, tokens_per_second=0), "tokens_per_second"),
    (dict(second_per_grid_t="1"), "second_per_grid_t"),
])
def test_bad_time_arguments(kwargs, name):
    with pytest.raises((ValueError, TypeError)) as info:
        rope_viz.mrope_position_ids([("video", (2, 2, 2))], **kwargs)
    assert str(info.value).startswith(f"{name} must be"), str(info.value)


# --- the figure's optional Qwen2.5-VL panel --------------------------------------------------


def test_positions_figure_time_panel():
    from rope_viz.figures import plot_multimodal_positions

    segments = [("text", 2), ("video", (3, 2, 2)), ("text", 1)]
    plain = plot_multimodal_positions(segments)
    timed = plot_multimodal_positions(segments, second_per_grid_t=1.0, tokens_per_second=2.0)
    def panels(fig):  # heatmaps shown (a hidden copy serves the RoPE-Tie buttons)
        return [t for t in fig.data if t.type == "heatmap" and t.visible is not False]

    assert len(panels(plain)) == 4 and len(panels(timed)) == 5
    panel = timed.data[4]
    expected = rope_viz.mrope_position_ids(segments, second_per_grid_t=1.0)
    assert [[int(v) for v in row] for row in panel.text] == expected.tolist()
    assert "five" in timed.layout.title.text.lower() and "four" in plain.layout.title.text.lower()
    assert "Qwen2.5-VL" in timed.layout.annotations[4].text
    assert timed.layout.xaxis5.title.text == "token (sequence order)"
