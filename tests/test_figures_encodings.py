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
    # every bit panel marks k: a vertical line at k and a dot on the bit's value
    assert [s.x0 for s in fig.layout.shapes] == [0]  # the figure starts at k = 0
    assert [s.x0 for s in first.layout.shapes] == [0] and [s.x1 for s in last.layout.shapes] == [7]
    assert last.layout.shapes[0].xref == "x" and last.layout.shapes[0].yref == "y domain"


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
    trail = 2 * 2 + 3 + 1  # two bits (step, wave), the binary path's three traces, then the trail
    assert fig.data[trail].x == tuple(traces[trail]["x"])
    assert len(fig.data[trail].x) == 7 * 4 + 1  # the sinusoid's trail up to position 7
    assert [(s.x0, s.xref) for s in fig.layout.shapes] == [(7, "x"), (7, "x2")]  # k lines
    assert _ == {"shapes[0].x0": 7, "shapes[0].x1": 7, "shapes[1].x0": 7, "shapes[1].x1": 7}
    heat = plot_encoding_heatmaps(8, 8, lengths=(32, 64), controls=False)
    assert heat.layout.sliders == () and heat.layout.annotations[1].text == "normalised k / 32"


@pytest.mark.parametrize("plot", ["plot_encoding_heatmaps", "plot_bits_to_waves", "plot_word_cosine",
                                  "plot_step_distances"])
def test_short_titles_and_narrow_changes(plot):
    import rope_viz.figures as F

    for fig in (getattr(F, plot)(), getattr(F, plot)(controls=False)):
        assert len(fig.layout.title.text) <= 42
    assert getattr(F, plot)().layout.meta["narrow"]["layout"]


def test_heatmaps_stack_on_a_phone():
    narrow = plot_encoding_heatmaps().layout.meta["narrow"]["layout"]
    assert narrow["xaxis4.domain"] == [0, 1] and narrow["yaxis4.showticklabels"] is True
    assert narrow["height"] > 800


def test_word_cosine_figure():
    from rope_viz.figures import plot_word_cosine, word_cosine_changes

    fig = plot_word_cosine(lengths=(16, 256), dim=64, rng=1)
    assert [t.type for t in fig.data] == ["scatter"] * 3
    assert fig.layout.xaxis.type == "log"
    raw = np.array(fig.data[0].y)
    assert raw[0] < 0.5  # the integer code swamps the word from k = 1 on
    steps = fig.layout.sliders[0].steps
    assert [s.label for s in steps] == ["16", "256"]
    traces, layout = word_cosine_changes((16, 256), length=256, dim=64, rng=1)
    assert list(steps[1].args[0]["y"][0]) == traces[1]["y"]
    assert max(traces[1]["x"]) == 255 and traces[2]["x"] == [255, 255]
    assert np.array(traces[1]["y"])[0] > np.array(fig.data[1].y)[0]  # longer text: word survives
    bare = plot_word_cosine(lengths=(16, 256), dim=64, rng=1, controls=False)
    assert bare.layout.sliders == () and list(bare.data[1].y) == list(fig.data[1].y)
    with pytest.raises(ValueError, match="length"):
        word_cosine_changes((16, 256), length=17)
    with pytest.raises(ValueError, match="std"):
        plot_word_cosine(std=0.0)


def test_step_distances_figure():
    from rope_viz.figures import plot_step_distances, step_distances_changes

    fig = plot_step_distances(16, offsets=(1, 2), bits=5, dim=8)
    binary = np.array(fig.data[0].y)
    np.testing.assert_allclose(binary[[0, 1, 3, 7, 15]] ** 2, [1, 2, 3, 4, 5], atol=1e-3)
    assert np.ptp(np.array(fig.data[1].y)) < 1e-3  # the sinusoidal step is the same for every k
    traces, _ = step_distances_changes(16, (1, 2), offset=2, bits=5, dim=8)
    assert list(fig.layout.sliders[0].steps[1].args[0]["y"][0]) == traces[0]["y"]
    assert plot_step_distances(16, (1, 2), bits=5, controls=False).layout.sliders == ()
    with pytest.raises(ValueError, match="bits"):
        plot_step_distances(128, offsets=(1, 200), bits=8)
    with pytest.raises(ValueError, match="offset"):
        step_distances_changes(16, (1, 2), offset=3, bits=5)


def test_word_cosine_and_step_distances_math():
    from rope_viz import step_distances, word_cosine
    from rope_viz.absolute import binary_encoding

    assert word_cosine([[1.0, 0.0]], [[0.0, 0.0]])[0] == pytest.approx(1.0)
    assert word_cosine([[1.0, 0.0]], [[-1.0, 0.0]])[0] == 0.0  # the zero input
    with pytest.raises(ValueError, match="codes"):
        word_cosine([[1.0, 0.0]], [[1.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="embeddings"):
        word_cosine([[0.0, 0.0]], [[1.0, 0.0]])
    np.testing.assert_allclose(step_distances(binary_encoding(8, 3)) ** 2, [1, 2, 1, 3, 1, 2, 1])
    with pytest.raises(ValueError, match="offset"):
        step_distances(binary_encoding(4, 3), 4)
    with pytest.raises(TypeError, match="offset"):
        step_distances(binary_encoding(4, 3), 1.5)
