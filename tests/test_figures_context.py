"""Structure of the base-bound, ReRoPE and config figures. Run: ``pytest tests/test_figures_context.py``."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import rope_viz
from rope_viz.figures import context
from rope_viz.figures.context import (
    plot_base_feasibility,
    plot_config_decay,
    plot_config_spectrum,
    plot_rerope_positions,
)
from rope_viz.model_configs import EXAMPLE_CONFIGS

TOY = {"head_dim": 32, "rope_theta": 10000.0, "max_position_embeddings": 1024}


def test_doctests():
    result = doctest.testmod(context, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_feasibility_structure_and_numbers():
    fig = plot_base_feasibility((256, 1024), dim=32, num_bases=60)
    assert [t.type for t in fig.data] == ["scatter"] * 3
    assert fig.layout.xaxis.type == "log"
    steps = fig.layout.sliders[0].steps
    assert len(steps) == 2
    b_star = rope_viz.min_base_for_context(256, 32)
    assert fig.layout.shapes[0].x0 == pytest.approx(b_star)
    x, y = np.array(fig.data[2].x), np.array(fig.data[2].y)
    assert x[0] == pytest.approx(b_star / 4, rel=1e-3) and x[-1] == pytest.approx(4 * b_star, rel=1e-3)
    expected = rope_viz.min_cosine_sum(np.geomspace(b_star / 4, 4 * b_star, 60), 256, 32)
    np.testing.assert_allclose(y, expected, atol=1e-3)
    # the fills are the positive and negative parts of the curve
    np.testing.assert_allclose(fig.data[0].y, np.maximum(y, 0))
    np.testing.assert_allclose(fig.data[1].y, np.minimum(y, 0))
    # the second step moves the b* line to the second length's bound
    assert steps[1].args[1]["shapes[0].x0"] == pytest.approx(rope_viz.min_base_for_context(1024, 32))
    assert len(fig.to_json()) < 300_000


def test_feasibility_default_size():
    assert len(plot_base_feasibility(num_bases=40).to_json()) < 300_000


@pytest.mark.parametrize("kwargs, error, word", [
    (dict(lengths=()), ValueError, "lengths"),
    (dict(lengths=(1,)), ValueError, "lengths"),
    (dict(dim=5), ValueError, "dim"),
    (dict(num_bases=3), ValueError, "num_bases"),
    (dict(span=1.0), ValueError, "span"),
    (dict(span="x"), TypeError, "span"),
    (dict(lengths=(512.5,)), ValueError, "lengths must be whole numbers"),
    (dict(lengths=4096), ValueError, "lengths must be a non-empty sequence"),  # not range(4096)
    (dict(lengths=("4k",)), TypeError, "lengths"),
])
def test_feasibility_errors(kwargs, error, word):
    with pytest.raises(error, match=word):
        plot_base_feasibility(**kwargs)


def test_rerope_structure():
    fig = plot_rerope_positions(10, window=3, ks=(2.0, 4.0, 8.0))
    plain, leaky, clipped = (np.array(t.z, dtype=float) for t in fig.data[:3])
    i, j = np.tril_indices(10)
    np.testing.assert_array_equal(plain[i, j], i - j)
    np.testing.assert_array_equal(clipped[i, j], np.minimum(i - j, 3))
    np.testing.assert_allclose(leaky[i, j], rope_viz.leaky_rerope_relative_positions(10, 3, 4.0)[i, j],
                               atol=1e-3)
    assert np.isnan(plain[0, 1])  # upper triangle empty: causal
    steps = fig.layout.sliders[0].steps
    assert [s.label for s in steps] == ["2", "4", "8"]
    z8 = np.array(steps[2].args[0]["z"][0], dtype=float)
    np.testing.assert_allclose(z8[i, j], rope_viz.leaky_rerope_relative_positions(10, 3, 8.0)[i, j],
                               atol=1e-3)
    assert list(steps[2].args[2]) == [1, 4]
    # the profile line of the last query moves with the slider: a visible change
    row8 = rope_viz.leaky_rerope_relative_positions(10, 3, 8.0)[9]
    np.testing.assert_allclose(steps[2].args[0]["y"][1], row8, atol=1e-3)
    np.testing.assert_allclose(fig.data[4].y, rope_viz.leaky_rerope_relative_positions(10, 3, 4.0)[9],
                               atol=1e-3)
    assert not np.allclose(steps[0].args[0]["y"][1], steps[2].args[0]["y"][1])
    assert steps[2].args[1]["annotations[1].text"] == "Leaky, k = 8"
    assert len(plot_rerope_positions().to_json()) < 300_000


@pytest.mark.parametrize("make", [
    lambda: plot_base_feasibility((256,), dim=32, num_bases=20),
    lambda: plot_rerope_positions(8, window=3, ks=(2.0,)),
    lambda: plot_config_spectrum(configs=EXAMPLE_CONFIGS),
    lambda: plot_config_decay(configs=EXAMPLE_CONFIGS, bins=20),
])
def test_short_titles_and_theme_free_colours(make):
    fig = make()
    assert len(fig.layout.title.text) <= 45
    fig.layout.template = None  # the theme itself may name colours; the figure may not
    text = fig.to_json()
    for colour in ('"#222"', '"#444"', '"white"', "rgba(255,255,255"):
        assert colour not in text


def test_narrow_changes_exist():
    for fig in (plot_base_feasibility((256,), dim=32, num_bases=20),
                plot_rerope_positions(8, window=3, ks=(2.0,)),
                plot_config_spectrum(configs=EXAMPLE_CONFIGS),
                plot_config_decay(configs=EXAMPLE_CONFIGS, bins=20)):
        assert fig.layout.meta["narrow"]["layout"]


@pytest.mark.parametrize("kwargs, error, word", [
    (dict(n=1), ValueError, "n"),
    (dict(n=8, window=8), ValueError, "window"),
    (dict(ks=(0.5,)), ValueError, "ks must be values >= 1"),
    (dict(ks=()), ValueError, "ks must be a non-empty sequence"),
    (dict(ks=4), ValueError, "ks must be a non-empty sequence"),  # not range(4)
])
def test_rerope_errors(kwargs, error, word):
    with pytest.raises(error, match=word):
        plot_rerope_positions(**kwargs)


def test_config_spectrum_one_and_many():
    fig = plot_config_spectrum(config=TOY, name="toy")
    assert len(fig.data) == 1 and fig.layout.yaxis.type == "log"
    report = rope_viz.config_report(TOY, "toy")
    np.testing.assert_allclose(fig.data[0].y, report.wavelengths, atol=0.05)
    symbols = np.array(fig.data[0].marker.symbol)
    assert (symbols == "circle-open").sum() == len(report.never_turn)
    fig = plot_config_spectrum(configs=EXAMPLE_CONFIGS)
    # Llama 3.1 is scaled: an extra line for its unscaled wavelengths
    assert len(fig.data) == 4
    assert [s.y0 for s in fig.layout.shapes] == [4096, 131072, 8192, 32768]
    assert "25 of 64" in fig.data[2].name
    assert len(fig.to_json()) < 300_000


def test_config_decay_envelope_and_buttons():
    fig = plot_config_decay(config=TOY, name="toy", bins=40)
    lows, highs = np.array(fig.data[0].y), np.array(fig.data[1].y)
    assert highs[0] == pytest.approx(1.0)  # m = 0: every cosine is 1
    assert np.all(lows <= highs)
    direct = rope_viz.cosine_sum(1024, 32, 10000.0) / 16
    assert lows.min() == pytest.approx(direct.min(), abs=1e-4)
    assert len(fig.data[2].x) == int((lows < 0).sum())
    fig = plot_config_decay(configs=EXAMPLE_CONFIGS, bins=100)
    assert len(fig.data) == 9
    items = fig.layout.updatemenus[0].buttons
    assert [b.label for b in items] == list(EXAMPLE_CONFIGS)
    assert items[1].args[0]["visible"] == [False] * 3 + [True] * 3 + [False] * 3
    assert len(fig.to_json()) < 300_000


@pytest.mark.parametrize("func", [plot_config_spectrum, plot_config_decay])
def test_config_figure_errors(func):
    with pytest.raises(TypeError, match="config"):
        func()
    with pytest.raises(TypeError, match="config"):
        func(config=TOY, configs={"a": TOY})
    with pytest.raises(TypeError, match="configs"):
        func(configs={"a": 3})
    with pytest.raises(ValueError, match="max_position_embeddings"):
        func(config={"head_dim": 32})
