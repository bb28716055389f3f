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


def test_check_patches_is_public_and_checks_its_arguments():
    from rope_viz.figures.grid2d import check_patches

    assert check_patches(None, (2, 3)) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    assert check_patches([(1, 2)], (2, 3)) == [(1, 2)]
    with pytest.raises(ValueError, match="patches"):
        check_patches([(2, 0)], (2, 3))
    with pytest.raises(ValueError, match="patches"):
        check_patches([], (2, 3))
    with pytest.raises(TypeError, match="patches"):
        check_patches("00", (2, 3))
    with pytest.raises(ValueError, match="shape"):
        check_patches(None, (0, 3))


def test_the_similarity_panel_is_the_axial_rope2d_scores():
    from rope_viz import rope2d_scores
    from rope_viz.figures.grid2d import rope2d_maps_changes

    shape, dim, base, (r, c) = (5, 6), 8, 30.0, (2, 4)
    traces, layout = rope2d_maps_changes(shape, dim, base=base, patch=(r, c))
    scores = rope2d_scores(shape, dim, base, "axial")  # (30, 30), q = k = (1, ..., 1)
    np.testing.assert_allclose(traces[dim // 2]["z"], scores[r * 6 + c].reshape(shape), atol=5e-3)
    assert traces[dim // 2 + 1] == {"x": [c], "y": [r]} and layout == {}
    assert traces[dim // 2]["zmax"] == pytest.approx(np.abs(scores).max())


def test_rope2d_maps_without_controls_shows_the_first_patch():
    fig = plot_rope2d_maps((4, 4), 8, patches=[(3, 1), (0, 0)], controls=False)
    assert fig.layout.sliders == () and fig.data[-1].x == (1,) and fig.data[-1].y == (3,)


def test_rope2d_maps_narrow_layout_and_short_title():
    fig = plot_rope2d_maps((16, 16), 16)
    assert len(fig.layout.title.text) <= 36
    narrow = fig.layout.meta["narrow"]
    assert narrow["layout"]["xaxis5.domain"] == [0, 0.78]  # the similarity panel on top
    assert min(narrow["layout"]["yaxis5.domain"]) > max(narrow["layout"]["yaxis.domain"])
    assert narrow["traces"]["8"]["colorbar.x"] == 1.0
    bare = plot_rope2d_maps((16, 16), 16, controls=False)  # the widget's figure: same layout
    assert "sliders[0].y" not in bare.layout.meta["narrow"]["layout"]
    assert bare.layout.meta["narrow"]["traces"] == narrow["traces"]


def test_the_patch_marker_names_no_page_colour():
    from rope_viz.figures.grid2d import PATCH_MARKER

    fig = plot_rope2d_maps((4, 4), 8)
    assert fig.data[-1].marker.symbol == PATCH_MARKER["symbol"]
    assert "black" not in str(PATCH_MARKER) and "white" not in str(PATCH_MARKER)


def test_rope2d_schemes_narrow_layout_stacks_the_panels():
    from rope_viz.figures import plot_rope2d_schemes

    fig = plot_rope2d_schemes((8, 8), 16)
    assert len(fig.layout.title.text) <= 36
    layout = fig.layout.meta["narrow"]["layout"]
    tops = [max(layout[f"yaxis{a}.domain"]) for a in ("", "2", "3")]
    assert tops == sorted(tops, reverse=True) and max(tops) <= 1
    assert all(layout[f"xaxis{a}.domain"] == [0, 0.8] for a in ("", "2", "3"))
    assert fig.data[3].marker.symbol == "x"
