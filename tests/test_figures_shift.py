"""Structure of the shift-is-a-rotation and dot-product figures.

Run with ``pytest tests/test_figures_shift.py``.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from rope_viz.figures import plot_dot_product_offset, plot_shift_rotation


def test_shift_rotation_structure():
    fig = plot_shift_rotation(1, dim=16, positions=10, deltas=[0, 1, 2, 5])
    assert isinstance(fig, go.Figure)
    assert [t.type for t in fig.data] == ["scatterpolar"] * 4 + ["scatter"]
    k_slider, d_slider = fig.layout.sliders
    assert len(k_slider.steps) == 10 and len(d_slider.steps) == 4
    assert fig.layout.xaxis.title.text.startswith("sin")
    assert fig.layout.yaxis.title.text.startswith("cos")
    assert len(fig.to_json()) < 300_000


def test_k_turns_the_picture_and_delta_turns_the_second_point():
    fig = plot_shift_rotation(0, dim=4, positions=[0, 1, 2], deltas=[0, 1, 3])
    k_slider, d_slider = fig.layout.sliders
    rotations = [step.args[0]["polar.angularaxis.rotation"] for step in k_slider.steps]
    # pair 0 turns by 1 rad per position, clockwise in the (sin, cos) picture
    np.testing.assert_allclose(np.diff(rotations), -np.degrees(1.0), atol=1e-2)
    # the k slider never touches the traces: the angle between the points is k-independent
    assert all(step.method == "relayout" for step in k_slider.steps)
    thetas = [step.args[0]["theta"][1][1] for step in d_slider.steps]
    np.testing.assert_allclose(thetas, [0.0, np.degrees(1.0), np.degrees(3.0)], atol=1e-2)
    texts = [step.args[1]["annotations[1].text"] for step in d_slider.steps]
    assert len(set(texts)) == 3 and "[[1.000, 0.000]" in texts[0]


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(pair=8), ValueError, "pair"),
        (dict(pair=-1), ValueError, "pair"),
        (dict(dim=5), ValueError, "dim"),
        (dict(deltas=[]), ValueError, "deltas"),
        (dict(base="big"), TypeError, "base"),
    ],
)
def test_shift_rotation_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        plot_shift_rotation(**kwargs)


def test_dot_product_structure_and_symmetry():
    fig = plot_dot_product_offset(32, dim=16, bases=[100.0, 10000.0])
    assert [t.type for t in fig.data] == ["scatter", "scatter"]
    (slider,) = fig.layout.sliders
    assert len(slider.steps) == 2 and slider.active == 1
    assert fig.layout.xaxis.title.text == "offset Δ (positions)"
    assert "Δ = 0" in fig.layout.yaxis.title.text
    for step in slider.steps:
        for curve in step.args[0]["y"]:
            y = np.array(curve)
            np.testing.assert_allclose(y, y[::-1], atol=2e-4)  # symmetric in Δ
            assert y[32] == pytest.approx(1.0)
            assert np.any(np.diff(y[32:]) > 0)  # not monotone
    a, b = (np.array(step.args[0]["y"][0]) for step in slider.steps)
    assert np.abs(a - b).max() > 0.1
    assert len(fig.to_json()) < 300_000


def test_dot_product_does_not_depend_on_the_reference_position():
    a = plot_dot_product_offset(16, dim=8, bases=[100.0], position=0.0, rope=False)
    b = plot_dot_product_offset(16, dim=8, bases=[100.0], position=37.0, rope=False)
    np.testing.assert_allclose(a.data[0].y, b.data[0].y, atol=2e-4)
    assert len(a.data) == 1


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(offsets=0), ValueError, "offsets"),
        (dict(bases=[1.0]), ValueError, "bases"),
        (dict(rope="yes"), TypeError, "rope"),
        (dict(rng=None), TypeError, "rng"),
        (dict(dim=3), ValueError, "dim"),
    ],
)
def test_dot_product_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        plot_dot_product_offset(**kwargs)


def test_the_arc_of_m_delta_runs_the_full_turn():
    from rope_viz import rope_frequencies
    from rope_viz.figures import shift_rotation_changes

    omega = rope_frequencies(16, 10000.0)[1]
    traces, layout = shift_rotation_changes(1, dim=16, delta=30.0)
    assert traces[1]["theta"][-1] == pytest.approx(np.degrees(30.0 * omega), abs=1e-3)
    assert traces[1]["theta"][-1] > 360  # more than one revolution: not wrapped
    assert f"{np.degrees(30.0 * omega):.1f}°" in layout["annotations[1].text"]
    fig = plot_shift_rotation(1, dim=16, deltas=(0, 30))
    assert fig.layout.sliders[1].steps[1].args[0]["theta"][0] == traces[1]["theta"]


def test_shift_figures_without_controls():
    fig = plot_shift_rotation(0, dim=4, positions=[2.5], deltas=[1.5], controls=False)
    assert fig.layout.sliders == ()
    assert fig.data[3].theta[1] == pytest.approx(np.degrees(1.5), abs=1e-2)
    fig = plot_dot_product_offset(8, dim=8, bases=(100.0, 10000.0), controls=False)
    assert fig.layout.sliders == () and len(fig.data) == 2


@pytest.mark.parametrize("controls", [True, False])
def test_shift_rotation_has_a_phone_layout_and_short_symbols(controls):
    fig = plot_shift_rotation(1, dim=16, positions=4, deltas=[0, 3], controls=controls)
    assert len(fig.layout.title.text) <= 45
    assert "ω₁" in fig.layout.title.text and "_" not in fig.layout.title.text
    narrow = fig.layout.meta["narrow"]["layout"]
    assert narrow["polar.domain.x"] == [0, 1] and narrow["xaxis.domain"] == [0, 1]
    assert narrow["polar.domain.y"] == narrow["yaxis.domain"]
    assert ("sliders[1].y" in narrow) == controls
    # readouts use true symbols: subscripts, a minus sign, no ASCII "M_Δ" or "-0.000"
    texts = [a.text for a in fig.layout.annotations] + [t.name or "" for t in fig.data]
    assert not any("_" in t or "-0.000" in t for t in texts)
    assert "M<sub>Δ</sub>" in fig.layout.annotations[1].text


@pytest.mark.parametrize("rope", [True, False])
def test_dot_product_has_a_phone_layout_and_a_short_title(rope):
    fig = plot_dot_product_offset(8, dim=8, rope=rope)
    assert len(fig.layout.title.text) <= 45
    narrow = fig.layout.meta["narrow"]["layout"]
    assert narrow["margin.t"] >= fig.layout.margin.t
    assert [s.label for s in fig.layout.sliders[0].steps] == ["10", "100", "10³", "10⁴", "10⁵"]
    assert not any("_" in (t.name or "") for t in fig.data)
