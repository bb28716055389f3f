"""The learned-positions figures and the math they draw.

Run with ``pytest tests/test_figures_learned.py``.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from rope_viz import (
    append_untrained_rows,
    code_cosines,
    code_distances,
    hierarchical_decomposition,
    sinusoidal_encoding,
)
from rope_viz.figures import (
    hierarchical_distances_changes,
    plot_hierarchical_distances,
    plot_table_extrapolation,
    table_extrapolation_changes,
)
from rope_viz.figures._style import apply_changes


def test_code_distances_and_cosines_against_a_loop():
    codes = np.random.default_rng(1).standard_normal((5, 3))
    distances, cosines = code_distances(codes), code_cosines(codes)
    for a in range(5):
        for b in range(5):
            diff = codes[a] - codes[b]
            assert distances[a, b] == pytest.approx(np.sqrt(diff @ diff), abs=1e-9)
            cos = codes[a] @ codes[b] / np.linalg.norm(codes[a]) / np.linalg.norm(codes[b])
            assert cosines[a, b] == pytest.approx(cos, abs=1e-12)
    assert code_cosines([[0.0, 0.0], [1.0, 0.0]])[0].tolist() == [0.0, 0.0]


def test_extended_distances_follow_the_block_formula():
    n, alpha = 5, 0.3
    p = sinusoidal_encoding(n, 8)
    d = code_distances(hierarchical_decomposition(p, alpha))
    i, j, i2, j2 = 3, 1, 1, 4
    expected = np.linalg.norm(alpha / (1 - alpha) * (p[i] - p[i2]) + (p[j] - p[j2]))
    assert d[i * n + j, i2 * n + j2] == pytest.approx(expected, abs=1e-9)
    for block in range(n):  # every diagonal block repeats the trained distances
        part = d[block * n:(block + 1) * n, block * n:(block + 1) * n]
        np.testing.assert_allclose(part, code_distances(p), atol=1e-9)


def test_untrained_rows_keep_the_table_and_follow_the_rng_contract():
    table = np.ones((3, 4))
    a, b = append_untrained_rows(table, 2, rng=7), append_untrained_rows(table, 2, rng=7)
    assert a.shape == (5, 4) and np.array_equal(a, b) and np.array_equal(a[:3], table)
    with pytest.raises(ValueError, match="count"):
        append_untrained_rows(table, 0)
    with pytest.raises(TypeError, match="rng"):
        append_untrained_rows(table, 1, rng=None)


def test_hierarchical_distances_figure():
    fig = plot_hierarchical_distances(4, dim=8, alphas=(0.2, 0.4, 0.8))
    assert isinstance(fig, go.Figure) and [t.type for t in fig.data] == ["heatmap"]
    (track,) = fig.layout.sliders
    assert [s.label for s in track.steps] == ["0.2", "0.4", "0.8"] and track.active == 1
    assert np.array(fig.data[0].z).shape == (16, 16)
    small, large = (np.array(s.args[0]["z"][0]) for s in (track.steps[0], track.steps[2]))
    # the slider shows: off-diagonal blocks move apart as α grows, diagonal blocks stay
    assert large[0, 4:].mean() > 2 * small[0, 4:].mean()
    np.testing.assert_allclose(large[:4, :4], small[:4, :4])
    assert len(fig.layout.title.text) <= 45 and "α = 0.4" in fig.layout.title.text
    assert len(fig.to_json()) < 200_000


def test_table_extrapolation_figure():
    fig = plot_table_extrapolation(8, dim=16)
    (menu,) = fig.layout.updatemenus
    assert [b.label for b in menu.buttons] == ["new rows", "hierarchical", "sinusoid"]
    z = {b.label: np.array(b.args[0]["z"][0]) for b in menu.buttons}
    # inside the table the three agree; past it, only the untrained rows lose their neighbours
    for name in z:
        np.testing.assert_allclose(z[name][:8, :8], z["sinusoid"][:8, :8], atol=0.01)
    neighbour = {name: np.diag(m, 1)[8:] for name, m in z.items()}
    assert np.abs(neighbour["new rows"]).max() < 0.7 < neighbour["sinusoid"].min()
    assert neighbour["hierarchical"].min() > 0.7
    assert len(fig.layout.title.text) <= 45


@pytest.mark.parametrize("plot", [plot_hierarchical_distances, plot_table_extrapolation])
def test_phone_layout_and_short_titles(plot):
    fig = plot(4, dim=8)
    narrow = fig.layout.meta["narrow"]["layout"]
    assert narrow["height"] < fig.layout.height
    assert "xaxis.tickvals" in narrow and "_" not in fig.layout.title.text


def test_controls_false_plus_changes_equals_a_fresh_figure():
    fig = plot_hierarchical_distances(3, dim=4, alphas=(0.2, 0.7), alpha=0.2, controls=False)
    apply_changes(fig, *hierarchical_distances_changes(0.7, n=3, dim=4))
    fresh = plot_hierarchical_distances(3, dim=4, alphas=(0.7,), alpha=0.7, controls=False)
    assert fig.to_plotly_json() == fresh.to_plotly_json()
    fig = plot_table_extrapolation(4, dim=8, controls=False)
    apply_changes(fig, *table_extrapolation_changes("hierarchical", n=4, dim=8))
    fresh = plot_table_extrapolation(4, dim=8, code="hierarchical", controls=False)
    assert fig.to_plotly_json() == fresh.to_plotly_json()
    assert fig.layout.sliders == () and fig.layout.updatemenus == ()


@pytest.mark.parametrize(
    "call, exc, word",
    [
        (lambda: plot_hierarchical_distances(1), ValueError, "n"),
        (lambda: plot_hierarchical_distances(4, alphas=(0.5,)), ValueError, "alphas"),
        (lambda: plot_hierarchical_distances(4, alpha=0.35), ValueError, "alpha"),
        (lambda: plot_hierarchical_distances(4, dim=5), ValueError, "dim"),
        (lambda: plot_table_extrapolation(4, code="zeros"), ValueError, "code"),
        (lambda: plot_table_extrapolation(4, alpha=1.0), ValueError, "alpha"),
        (lambda: plot_table_extrapolation(4, rng=None), TypeError, "rng"),
        (lambda: code_distances([1.0, 2.0]), ValueError, "codes"),
    ],
)
def test_bad_arguments(call, exc, word):
    with pytest.raises(exc, match=word):
        call()
