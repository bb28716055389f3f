"""Structure of the RoPE-2D frequency maps and the moving-patch similarity.

Run with ``pytest tests/test_figures_grid2d.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from rope_viz.figures import plot_rope2d_maps


def test_rope2d_structure():
    fig = plot_rope2d_maps((16, 16), 16)
    assert [t.type for t in fig.data] == ["heatmap"] * 9 + ["scatter"]
    assert len(fig.layout.sliders[0].steps) == 25
    titles = {a.text for a in fig.layout.annotations}
    assert "pair 0 (row)" in titles and "pair 4 (col)" in titles
    assert any(ax.title.text == "column" for ax in (fig.layout.xaxis5, fig.layout.xaxis6))
    assert len(fig.to_json()) < 300_000


def test_row_pairs_vary_along_rows_and_column_pairs_along_columns():
    fig = plot_rope2d_maps((6, 6), 8)
    row_pair, col_pair = np.array(fig.data[0].z), np.array(fig.data[2].z)
    assert np.ptp(row_pair, axis=1).max() == 0 and np.ptp(row_pair, axis=0).max() > 0.1
    assert np.ptp(col_pair, axis=0).max() == 0 and np.ptp(col_pair, axis=1).max() > 0.1


def test_the_slider_slides_the_same_pattern():
    fig = plot_rope2d_maps((8, 8), 8, patches=[(2, 2), (3, 4)])
    steps = fig.layout.sliders[0].steps
    a, b = (np.array(s.args[0]["z"][0]) for s in steps)
    assert np.unravel_index(a.argmax(), a.shape) == (2, 2)
    assert np.unravel_index(b.argmax(), b.shape) == (3, 4)
    np.testing.assert_allclose(a[0:5, 0:4], b[1:6, 2:6], atol=0.02)  # shifted by (1, 2)
    assert steps[1].args[0]["x"][1] == [4] and steps[1].args[0]["y"][1] == [3]


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(shape=(4,)), ValueError, "shape"),
        (dict(dim=6), ValueError, "dim"),
        (dict(dim=64), ValueError, "dim"),
        (dict(patches=[(20, 0)]), ValueError, "patches"),
        (dict(patches="a"), TypeError, "patches"),
        (dict(base=1.0), ValueError, "base"),
    ],
)
def test_rope2d_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        plot_rope2d_maps(**kwargs)
