"""Structure of the absolute-encoding figures: traces, sliders, frames, titles, size.

Run with ``pytest tests/test_figures_encodings.py``.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from rope_viz.figures import plot_bits_to_waves, plot_encoding_heatmaps


def test_heatmaps_structure():
    fig = plot_encoding_heatmaps(16, 16, lengths=(16, 32, 64))
    assert isinstance(fig, go.Figure)
    assert [t.type for t in fig.data] == ["heatmap"] * 4
    assert {(t.zmin, t.zmax) for t in fig.data} == {(-1.0, 1.0)}
    (slider,) = fig.layout.sliders
    assert len(slider.steps) == 3
    assert fig.layout.yaxis.title.text == "position k"
    assert fig.layout.xaxis4.title.text == "dimension"
    assert len(fig.to_json()) < 300_000


def test_heatmap_slider_moves_only_the_normalised_code():
    fig = plot_encoding_heatmaps(8, 8, lengths=(8, 16, 32))
    steps = fig.layout.sliders[0].steps
    assert all(list(step.args[2]) == [1] for step in steps)  # only trace 1 is restyled
    tables = [np.array(step.args[0]["z"][0]) for step in steps]
    np.testing.assert_allclose(tables[0][7], 7 / 8)
    np.testing.assert_allclose(tables[2][7], 7 / 32, atol=1e-4)
    assert np.abs(tables[0] - tables[1]).max() > 0.1
    np.testing.assert_array_equal(np.array(fig.data[1].z), tables[0])


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(dim=7), ValueError, "dim"),
        (dict(lengths=(4,)), ValueError, "lengths"),
        (dict(lengths="16"), TypeError, "lengths"),
        (dict(base=1.0), ValueError, "base"),
        (dict(positions=[-1, 2]), ValueError, "positions"),
    ],
)
def test_heatmaps_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        plot_encoding_heatmaps(**kwargs)


def test_bits_to_waves_structure():
    fig = plot_bits_to_waves(16, bits=(0, 1, 2))
    types = [t.type for t in fig.data]
    assert types == ["scatter"] * 6 + ["scatter3d"] * 6
    assert len(fig.frames) == 16
    (slider,) = fig.layout.sliders
    assert len(slider.steps) == 16
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["\u25B6 play", "\u275A\u275A pause"]
    assert fig.layout.xaxis3.title.text == "position k"
    assert fig.layout.scene.xaxis.title.text == "dim a"
    assert len(fig.to_json()) < 300_000


def test_bits_match_the_wave_period():
    fig = plot_bits_to_waves(16, bits=(1,), samples_per_position=4)
    bit, wave = fig.data[0], fig.data[1]
    np.testing.assert_array_equal(bit.y[:8], [0, 0, 1, 1, 0, 0, 1, 1])
    x, y = np.array(wave.x), np.array(wave.y)
    # the smooth wave peaks inside each run of ones (period 4)
    assert y[np.argmin(np.abs(x - 3.0))] == pytest.approx(1.0, abs=1e-3)
    assert y[np.argmin(np.abs(x - 1.0))] == pytest.approx(0.0, abs=1e-3)


def test_bits_to_waves_frames_advance():
    fig = plot_bits_to_waves(8, bits=(0,))
    first, last = fig.frames[0], fig.frames[-1]
    assert list(first.traces) == list(last.traces)
    binary_trail = [len(f.data[0].x) for f in fig.frames]
    assert binary_trail == list(range(1, 9))
    assert first.data[1].x != last.data[1].x  # the marker moves


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(binary_dims=(0, 1)), ValueError, "binary_dims"),
        (dict(sinusoid_dims=(0, 1, 16)), ValueError, "sinusoid_dims"),
        (dict(bits=(20,)), ValueError, "bits"),
        (dict(samples_per_position=0), ValueError, "samples_per_position"),
        (dict(positions=1), ValueError, "positions"),
    ],
)
def test_bits_to_waves_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        plot_bits_to_waves(**kwargs)


def test_without_controls_no_frames_and_the_whole_path():
    from rope_viz.figures import bits_to_waves_changes

    fig = plot_bits_to_waves(8, bits=(0, 1), dim=8, controls=False)
    assert fig.frames == () and fig.layout.sliders == () and fig.layout.updatemenus == ()
    traces, _ = bits_to_waves_changes(8, bits=(0, 1), dim=8)
    assert fig.data[-2].x == tuple(traces[len(fig.data) - 2]["x"])
    assert len(fig.data[-2].x) == 7 * 4 + 1  # the sinusoid's trail up to position 7
    heat = plot_encoding_heatmaps(8, 8, lengths=(32, 64), controls=False)
    assert heat.layout.sliders == () and heat.layout.annotations[1].text == "normalised k / 32"
