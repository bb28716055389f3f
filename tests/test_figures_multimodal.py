"""Structure of the multimodal position-id strips and the M-RoPE frequency-slot chart.

Run with ``pytest tests/test_figures_multimodal.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from rope_viz.figures import plot_mrope_sections, plot_multimodal_positions

SEGMENTS = [("text", 2), ("image", (1, 2, 2)), ("text", 1), ("video", (2, 2, 2)), ("text", 1)]


def test_multimodal_structure():
    fig = plot_multimodal_positions(SEGMENTS)
    assert [t.type for t in fig.data] == ["heatmap"] * 4 + ["scatter"] * 3 + ["heatmap"]
    assert [list(t.y) for t in fig.data[:4]] == [["position"], ["x (row)", "y (column)"],
                                                 ["x (row)", "y (column)", "z (frame)"],
                                                 ["t", "h", "w"]]
    assert [t.name for t in fig.data[4:7]] == ["text", "image", "video"]
    assert fig.layout.xaxis4.title.text == "token (sequence order)"
    assert "Four" in fig.layout.title.text
    assert len(fig.to_json()) < 300_000


def test_multimodal_ids_and_colours():
    fig = plot_multimodal_positions(SEGMENTS)
    flat, tie, tv, mrope = fig.data[:4]
    assert flat.text[0] == [str(i) for i in range(16)]
    modality = np.array(flat.z[0])
    np.testing.assert_array_equal(modality, [0, 0, 1, 1, 1, 1, 0] + [2] * 8 + [0])
    # M-RoPE: text resumes at the largest id + 1; the video's frames advance t
    assert mrope.text[0][:7] == ["0", "1", "2", "2", "2", "2", "4"]
    assert mrope.text[0][7:15] == ["5"] * 4 + ["6"] * 4
    # RoPE-Tie (10040): L = 1, 2 x 2 image, s = t = 3: rows 4, 4, 7, 7; next text at 1 + 9 = 10
    assert [row[:7] for row in tie.text] == [["0", "1", "4", "4", "7", "7", "10"],
                                             ["0", "1", "4", "7", "4", "7", "10"]]
    assert tie.text[0][7:] == [""] * 9  # blank from the first video on
    assert np.isnan(np.array(tie.z, dtype=float)[0, 7:]).all()
    # RoPE-TV (10352), 3-D because of the video: text keeps its flattened id
    assert [tv.text[r][6] for r in range(3)] == ["6"] * 3 and tv.text[0][-1] == "15"
    assert [row[2] for row in tv.text] == ["3", "3", "3.5"]  # L = 1, wh = 4: beta = 1 + (1, 1, 3/2), + 1


def test_multimodal_tie_buttons():
    fig = plot_multimodal_positions(SEGMENTS)
    (menu,) = fig.layout.updatemenus
    assert menu.type == "buttons" and [b.method for b in menu.buttons] == ["restyle"] * 2
    integer, tokens = (b.args for b in menu.buttons)
    # both switch between the RoPE-Tie trace and its hidden image-as-wh-tokens copy
    assert list(integer[1]) == list(tokens[1]) == [1, 7]
    assert integer[0] == {"visible": [True, False]} and tokens[0] == {"visible": [False, True]}
    assert fig.data[1].visible is not False and fig.data[7].visible is False
    assert fig.data[7].xaxis == fig.data[1].xaxis and fig.data[7].yaxis == fig.data[1].yaxis
    # image = wh tokens: s = t = 5/3 for the 2 x 2 image; the next text lands at 1 + 4 + 1 = 6
    assert list(fig.data[7].text[0][:7]) == ["0", "1", "2.7", "2.7", "4.3", "4.3", "6"]


def test_multimodal_bad_segments():
    with pytest.raises((ValueError, TypeError), match="segments"):
        plot_multimodal_positions([("audio", 3)])
    with pytest.raises(ValueError, match=r"segments\[1\]"):
        plot_multimodal_positions([("text", 1), ("image", (2, 2, 2))])
    with pytest.raises(ValueError, match="spatial_merge_size"):
        plot_multimodal_positions(SEGMENTS, spatial_merge_size=0)


def test_multimodal_narrow_layout_turns_the_strips_on_their_side():
    fig = plot_multimodal_positions(SEGMENTS)
    assert len(fig.layout.title.text) <= 36
    narrow = fig.layout.meta["narrow"]
    for k in ("0", "1", "2", "3", "7"):  # every strip, and the hidden RoPE-Tie copy
        original = np.array(fig.data[int(k)].z, dtype=float)
        turned = np.array(narrow["traces"][k]["z"], dtype=float)
        np.testing.assert_array_equal(turned, original.T)
        assert narrow["traces"][k]["y"] == list(range(16))
    assert narrow["traces"]["2"]["x"] == ["x", "y", "z"]
    assert narrow["layout"]["yaxis.autorange"] == "reversed"  # token 0 on top
    assert narrow["layout"]["height"] == 150 + 16 * 17 + 20  # one 17 px row per token


def test_sections_chart():
    fig = plot_mrope_sections()
    assert [t.type for t in fig.data] == ["heatmap"] * 2 + ["scatter"] * 3
    (contiguous,), (interleaved,) = (np.array(t.z) for t in fig.data[:2])
    assert len(contiguous) == 64
    assert list(np.bincount(contiguous)) == [16, 24, 24]
    assert list(np.bincount(interleaved)) == [24, 20, 20]
    assert list(interleaved[:6]) == [0, 1, 2, 0, 1, 2]
    assert fig.layout.xaxis2.title.text == "frequency slot i (0 = fastest)"
    assert len(fig.layout.title.text) <= 36
    narrow = fig.layout.meta["narrow"]  # a phone: no letters on 64 narrow cells
    assert narrow["traces"]["0"] == narrow["traces"]["1"] == {"texttemplate": ""}


@pytest.mark.parametrize(
    "kwargs, word",
    [(dict(contiguous=(16, 24)), "contiguous"), (dict(interleaved=(16, 24, 24)), "interleaved"),
     (dict(interleaved=(20, 20, 20)), "interleaved")],
)
def test_sections_bad_arguments(kwargs, word):
    with pytest.raises(ValueError, match=word):
        plot_mrope_sections(**kwargs)
