"""Structure of the epilogue's figures: the marker-resolution plot (gap, format spacings,
noise slider) and the p-RoPE spectrum (traces, quarter-turn line, p slider).

Run with ``pytest tests/test_figures_nope.py``.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import rope_viz
from rope_viz.figures import nope, plot_marker_resolution, plot_p_rope_spectrum


def test_doctests():
    result = doctest.testmod(nope)
    assert result.attempted > 0 and result.failed == 0


def test_structure():
    fig = plot_p_rope_spectrum(128, base=500000.0, context=8192, ps=(1.0, 0.75, 0.5))
    assert [t.type for t in fig.data] == ["scatter"] * 3
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.title.text.startswith("pair index i")
    (slider,) = fig.layout.sliders
    assert [s.label for s in slider.steps] == ["1", "0.75", "0.5"] and slider.active == 1
    turns = np.array(fig.data[0].y)
    expected = 8192 * rope_viz.rope_frequencies(128, 500000.0) / (2 * np.pi)
    np.testing.assert_allclose(turns, expected, rtol=1e-3)
    assert fig.layout.shapes[0].y0 == 0.25
    quarter = int(np.sum(expected < 0.25))
    assert f"{quarter} of 64" in fig.layout.annotations[0].text
    assert len(fig.to_json()) < 300_000


@pytest.mark.parametrize("p", [1.0, 0.75, 0.5, 0.25, 0.0])
def test_each_step_splits_the_pairs_as_p_rope_does(p):
    fig = plot_p_rope_spectrum(64, base=10000.0, ps=(p,))
    step = fig.layout.sliders[0].steps[0]
    (kept_x, removed_x), (kept_y, removed_y) = step.args[0]["x"], step.args[0]["y"]
    assert list(step.args[1]) == [1, 2]
    inv_freq = rope_viz.p_rope_frequencies(64, 10000.0, p)
    assert list(kept_x) == np.flatnonzero(inv_freq > 0).tolist()
    assert list(removed_x) == np.flatnonzero(inv_freq == 0).tolist()
    assert len(kept_y) == len(kept_x) and len(removed_y) == len(removed_x)
    if removed_y:  # drawn below every kept pair
        assert max(removed_y) < min(fig.data[0].y)


def test_bad_arguments():
    with pytest.raises(ValueError, match="ps must be"):
        plot_p_rope_spectrum(ps=(1.5,))
    with pytest.raises(ValueError, match="ps must be"):
        plot_p_rope_spectrum(ps=())
    with pytest.raises(ValueError, match="ps must be non-negative values"):
        plot_p_rope_spectrum(ps=(-0.5,))
    with pytest.raises(ValueError, match="ps must be a non-empty sequence"):
        plot_p_rope_spectrum(ps=1)  # a number, not range(1)
    with pytest.raises(ValueError, match="context"):
        plot_p_rope_spectrum(context=1)
    with pytest.raises(ValueError, match="dim"):
        plot_p_rope_spectrum(dim=7)


def test_marker_resolution_structure():
    fig = plot_marker_resolution(10**6, noises=(1e-3, 1e-4, 1e-5))
    assert [t.name.split(":")[0] for t in fig.data[1:4]] == ["bfloat16", "float16", "float32"]
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    x, gap = np.array(fig.data[0].x), np.array(fig.data[0].y)
    np.testing.assert_allclose(gap, 1 / ((x + 1) * (x + 2)), rtol=1e-3)
    bf16 = np.array(fig.data[1].y)
    np.testing.assert_allclose(bf16, rope_viz.representable_spacing(1 / (x + 1), "bfloat16"),
                               rtol=1e-3)
    (slider,) = fig.layout.sliders
    assert [s.label for s in slider.steps] == ["0.001", "0.0001", "1e-05"]
    assert slider.active == 1
    assert len(fig.to_json()) < 300_000


@pytest.mark.parametrize("sigma", [1e-2, 1e-3, 1e-5])
def test_marker_resolution_crossing_is_where_half_the_gap_equals_the_noise(sigma):
    fig = plot_marker_resolution(10**5, dtypes=(), noises=(sigma,))
    step = fig.layout.sliders[0].steps[0]
    (i,) = step.args[0]["x"][1]
    assert step.args[0]["y"][0] == [2 * sigma, 2 * sigma]
    assert 1 / ((i + 1) * (i + 2)) / 2 == pytest.approx(sigma, rel=1e-9)
    assert list(step.args[1]) == [1, 2]


def test_bfloat16_spacing_crosses_the_gap_near_the_measured_limit():
    fig = plot_marker_resolution(10**4, dtypes=("bfloat16",), noises=(1e-3,))
    x, gap, spacing = (np.array(v) for v in (fig.data[0].x, fig.data[0].y, fig.data[1].y))
    crossing = x[np.argmax(gap < spacing)]
    signal = rope_viz.marker_position_signal(2000, dtype="bfloat16")
    first_wrong = np.flatnonzero(rope_viz.decode_marker_position(signal) != np.arange(2000))[0]
    assert crossing / 2 < first_wrong < crossing * 2


def test_marker_resolution_bad_arguments():
    with pytest.raises(ValueError, match="dtypes must be one of"):
        plot_marker_resolution(dtypes=("float8",))
    with pytest.raises(TypeError, match="dtypes"):
        plot_marker_resolution(dtypes="float32")
    with pytest.raises(ValueError, match="noises must be"):
        plot_marker_resolution(noises=(0.0,))
    with pytest.raises(ValueError, match="noises must be positive values"):
        plot_marker_resolution(noises=(1e-3, -1e-3))
    with pytest.raises(ValueError, match="noises must be a non-empty sequence"):
        plot_marker_resolution(noises=())
    with pytest.raises(ValueError, match="max_position"):
        plot_marker_resolution(5)


def test_titles_are_short_and_lines_name_no_page_colour():
    for fig in (plot_p_rope_spectrum(), plot_marker_resolution()):
        assert len(fig.layout.title.text) <= 36
        text = fig.to_json()
        assert '"#222"' not in text and '"#444"' not in text and '"black"' not in text
    fig = plot_marker_resolution(10**4)
    assert fig.data[0].name == "gap cᵢ − cᵢ₊₁"
