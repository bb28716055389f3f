"""Structure of the linear-attention figure: heatmaps, normalisers, content buttons.

Run with ``pytest tests/test_figures_linear_attention.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from rope_viz import linear_attention_weights
from rope_viz.figures import plot_linear_attention_weights


def test_structure_and_size():
    fig = plot_linear_attention_weights(32, 8, base=10000.0, rng=24)
    assert [t.type for t in fig.data] == (["heatmap"] * 3 + ["scatter"] * 2) * 2
    assert [t.visible for t in fig.data] == [True] * 5 + [False] * 5
    (menu,) = fig.layout.updatemenus
    assert [b.label for b in menu.buttons] == ["one token everywhere", "random tokens"]
    assert menu.buttons[1].args[0]["visible"] == [False] * 5 + [True] * 5
    assert fig.layout.yaxis.title.text == "query m"
    assert len(fig.to_json()) < 300_000


def test_panels_show_the_three_variants():
    fig = plot_linear_attention_weights(16, 4, base=100.0, rng=3)
    plain, su, both = (np.array(t.z) for t in fig.data[:3])
    np.testing.assert_allclose(plain.sum(axis=1), 1.0, atol=1e-3)  # rows sum to 1
    np.testing.assert_allclose(both.sum(axis=1), 1.0, atol=1e-3)
    assert np.abs(su.sum(axis=1) - 1.0).max() > 1e-2  # Su's rows need not
    # one token everywhere: Su's weights have constant diagonals; with the rotated
    # normaliser each row is rescaled by a factor that depends on m, so they do not
    np.testing.assert_allclose(su[1:, 1:], su[:-1, :-1], atol=1e-3)
    assert np.abs(both[1:, 1:] - both[:-1, :-1]).max() > 1e-2
    unrotated, rotated = (np.array(t.y) for t in fig.data[3:5])
    assert np.ptp(unrotated) < 1e-3 * unrotated.mean()  # the same for every query


def test_a_seed_with_a_negative_rotated_normaliser():
    fig = plot_linear_attention_weights(32, 8, base=10000.0, rng=24)
    unrotated, rotated = (np.array(t.y) for t in fig.data[3:5])
    assert rotated.min() < 0 < unrotated.min()


def test_matches_the_math_layer():
    fig = plot_linear_attention_weights(6, 4, base=50.0, causal=True, rng=np.random.default_rng(1))
    rng = np.random.default_rng(1)
    q, k = rng.standard_normal((2, 6, 4))  # the random-token content, drawn first
    expected = linear_attention_weights(q, k, positions=6, base=50.0, causal=True)
    np.testing.assert_allclose(np.array(fig.data[6].z), expected, atol=1e-4)


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(n=1), ValueError, "n"),
        (dict(dim=5), ValueError, "dim"),
        (dict(base=1.0), ValueError, "base"),
        (dict(feature_map="exp"), ValueError, "feature_map"),
        (dict(causal=1), TypeError, "causal"),
        (dict(rng=None), TypeError, "rng"),
    ],
)
def test_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        plot_linear_attention_weights(**kwargs)


def test_narrow_layout_stacks_the_panels():
    fig = plot_linear_attention_weights(8, 4, rng=0)
    assert len(fig.layout.title.text) <= 45
    narrow = fig.layout.meta["narrow"]
    layout = narrow["layout"]
    assert layout["height"] > fig.layout.height
    assert layout["xaxis2.domain"] == [0, 1] and layout["xaxis3.domain"] == [0, 1]
    assert len(layout["title.text"]) <= 30
    assert "bgcolor" not in fig.layout.legend.to_plotly_json()


def test_attention_cost_counts_and_crossover():
    from rope_viz import attention_cost, cost_crossover

    softmax, linear, with_rope = attention_cost([1, 64, 4096], 64)
    np.testing.assert_array_equal(softmax, [128, 64**2 * 128, 4096**2 * 128])
    np.testing.assert_array_equal(linear, 2 * np.array([1, 64, 4096]) * 64 * 65)
    np.testing.assert_array_equal(with_rope - linear, 4 * np.array([1, 64, 4096]) * 64)
    for dim, dim_v in ((64, None), (16, 48), (256, 256)):
        n = cost_crossover(dim, dim_v)
        s, lin, _ = attention_cost([1], dim, dim_v)
        assert s[0] * n**2 == pytest.approx(lin[0] * n)  # equal cost at the crossover
    assert cost_crossover(64, rope=True) > cost_crossover(64) == 65.0
    with pytest.raises(ValueError, match="lengths"):
        attention_cost([0, 4], 64)
    with pytest.raises(ValueError, match="dim"):
        attention_cost([4], 63)
    with pytest.raises(ValueError, match="dim_v"):
        cost_crossover(64, 0)


def test_cost_figure_slider_moves_the_crossover():
    from rope_viz.figures import linear_attention_cost_changes, plot_linear_attention_cost

    fig = plot_linear_attention_cost()
    assert [t.mode for t in fig.data] == ["lines", "lines", "lines", "markers+text"]
    assert fig.data[3].text == ("same cost at n = 65",)
    assert fig.layout.xaxis.type == fig.layout.yaxis.type == "log"
    assert len(fig.layout.title.text) <= 45
    assert fig.layout.meta["narrow"]["layout"]["title.text"]
    steps = fig.layout.sliders[0].steps
    assert [s.label for s in steps] == ["16", "32", "64", "128", "256"]
    crossings = [s.args[0]["x"][-1][0] for s in steps]
    assert crossings == sorted(crossings) and crossings[0] < 20 < 200 < crossings[-1]
    bare = plot_linear_attention_cost(128, controls=False)
    traces, _ = linear_attention_cost_changes(128)
    assert bare.layout.sliders == () and list(bare.data[0].y) == traces[0]["y"]
    assert bare.layout.meta == fig.layout.meta
    with pytest.raises(ValueError, match="dim"):
        plot_linear_attention_cost(48)
    with pytest.raises(ValueError, match="max_length"):
        plot_linear_attention_cost(max_length=8)
