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
    assert [t.type for t in fig.data] == ["heatmap"] * 3 + ["scatter"] * 3
    assert [list(t.y) for t in fig.data[:3]] == [["position"], ["row id", "column id"],
                                                 ["t", "h", "w"]]
    assert [t.name for t in fig.data[3:]] == ["text", "image", "video"]
    assert fig.layout.xaxis3.title.text == "token (sequence order)"
    assert len(fig.to_json()) < 300_000


def test_multimodal_ids_and_colours():
    fig = plot_multimodal_positions(SEGMENTS)
    flat, tie, mrope = fig.data[:3]
    assert flat.text[0] == [str(i) for i in range(16)]
    modality = np.array(flat.z[0])
    np.testing.assert_array_equal(modality, [0, 0, 1, 1, 1, 1, 0] + [2] * 8 + [0])
    # M-RoPE: text resumes at the largest id + 1; the video's frames advance t
    assert mrope.text[0][:7] == ["0", "1", "2", "2", "2", "2", "4"]
    assert mrope.text[0][7:15] == ["5"] * 4 + ["6"] * 4
    # RoPE-Tie: blank from the first video on
    assert tie.text[0][7:] == [""] * 9 and tie.text[0][6] != ""
    assert np.isnan(np.array(tie.z, dtype=float)[0, 7:]).all()


def test_multimodal_bad_segments():
    with pytest.raises((ValueError, TypeError), match="segments"):
        plot_multimodal_positions([("audio", 3)])
    with pytest.raises(ValueError, match="spatial_merge_size"):
        plot_multimodal_positions(SEGMENTS, spatial_merge_size=0)


def test_sections_chart():
    fig = plot_mrope_sections()
    assert fig.data[0].type == "heatmap" and len(fig.data) == 4
    contiguous, interleaved = (np.array(row) for row in fig.data[0].z)
    assert len(contiguous) == 64
    assert list(np.bincount(contiguous)) == [16, 24, 24]
    assert list(np.bincount(interleaved)) == [24, 20, 20]
    assert list(interleaved[:6]) == [0, 1, 2, 0, 1, 2]
    assert fig.layout.xaxis.title.text == "frequency slot i (0 = fastest)"


@pytest.mark.parametrize(
    "kwargs, word",
    [(dict(contiguous=(16, 24)), "contiguous"), (dict(interleaved=(16, 24, 24)), "interleaved"),
     (dict(interleaved=(20, 20, 20)), "interleaved")],
)
def test_sections_bad_arguments(kwargs, word):
    with pytest.raises(ValueError, match=word):
        plot_mrope_sections(**kwargs)
