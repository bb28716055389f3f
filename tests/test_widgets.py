"""Live widgets: each builds with ipywidgets, its controls have the documented ranges, a change
re-renders the figure, and out-of-range values are clamped.

Run with ``pytest tests/test_widgets.py``. No kernel or browser is needed: the figure is
"displayed" into an Output widget outside IPython.
"""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

pytest.importorskip("ipywidgets")

from rope_viz import figures as F  # noqa: E402
from rope_viz import widgets as W  # noqa: E402


def _slider_range(control):
    if type(control).__name__ == "FloatLogSlider":
        return (control.base**control.min, control.base**control.max)
    return (control.min, control.max)


def test_encoding_heatmaps_widget():
    box = W.encoding_heatmaps_widget(16, 8, length=10**9)
    control = box.controls["length"]
    assert (control.min, control.max) == (16, 4096)
    assert control.value == 4096  # clamped
    first = box.figure
    assert isinstance(first, go.Figure)
    control.value = 32
    assert box.figure is first  # kept, and updated in place
    assert box.figure.layout.annotations[1].text == "normalised k / 32"
    control.value = 10**6
    assert control.value == 4096


def test_bits_to_waves_widget():
    box = W.bits_to_waves_widget(positions=500, dim=8)
    count, dims, base = box.controls.values()
    assert count.value == 128 and (count.min, count.max) == (8, 128)
    assert _slider_range(base) == pytest.approx((2.0, 1e7))
    count.value = 8
    assert len(box.figure.frames) == 0  # a live figure shows the whole path instead
    assert len(box.figure.data[-2].x) == 8 * 4 - 3  # the sinusoid's trail: 4 points per step
    dims.value = dims.options[0][1]
    assert box.figure.data[-3].name.startswith("sinusoidal dims 0, 1, 2")


def test_shift_rotation_widget_takes_fractional_values():
    box = W.shift_rotation_widget(0, dim=4, k=-5.0, delta=99.0)
    k, delta = box.controls["k"], box.controls["delta"]
    assert (k.min, k.max, delta.min, delta.max) == (0.0, 100.0, -50.0, 50.0)
    assert k.value == 0.0 and delta.value == 50.0
    delta.value = 1.5
    theta = box.figure.data[3].theta[1]
    assert theta == pytest.approx(np.degrees(1.5), abs=1e-2)
    k.value = 2.25
    assert box.figure.layout.polar.angularaxis.rotation == pytest.approx(90 - np.degrees(2.25), abs=1e-2)


def test_dot_product_offset_widget():
    box = W.dot_product_offset_widget(dim=1000, base=1e12, offsets=16)
    base, dim = box.controls["base"], box.controls["dim"]
    assert dim.value == 256 and (dim.min, dim.max, dim.step) == (2, 256, 2)
    assert base.value == pytest.approx(1e7)
    before = np.array(box.figure.data[0].y)
    base.value = 100.0
    after = np.array(box.figure.data[0].y)
    assert np.abs(before - after).max() > 0.01


def test_rope_rotation_widget_keeps_the_score_while_the_position_moves():
    box = W.rope_rotation_widget(8, position=5000.0, offset=2.0)
    position, offset = box.controls["position"], box.controls["offset"]
    assert position.value == 1000.0 and (offset.min, offset.max) == (-20.0, 20.0)
    score = box.figure.layout.title.text.split("<br>")[0]
    position.value = 12.5
    assert box.figure.layout.title.text.split("<br>")[0] == score
    offset.value = 7.0
    assert box.figure.layout.title.text.split("<br>")[0] != score


def test_long_range_decay_widget():
    box = W.long_range_decay_widget(base=10.0, max_distance=512, samples=10)
    base, dim, max_distance, log_x = box.controls.values()
    assert _slider_range(base) == pytest.approx((100.0, 1e7))
    assert base.value == pytest.approx(100.0)  # clamped up from 10
    assert list(dim.options) == [32, 64, 128, 256]
    assert box.figure.data[0].y[0] == pytest.approx(32.5)
    dim.value = 64
    assert box.figure.data[0].y[0] == pytest.approx(16.5)
    log_x.value = True
    assert box.figure.layout.xaxis.type == "log"


def test_scaled_wavelengths_widget():
    box = W.scaled_wavelengths_widget(64, factor=1000.0, base=1.5e3)
    factor, base = box.controls["factor"], box.controls["base"]
    assert (factor.min, factor.max) == (1.0, 64.0) and factor.value == 64.0
    assert base.value == pytest.approx(1.5e3)
    stretch = np.array(box.figure.data[6].y)  # linear
    np.testing.assert_allclose(stretch, 64.0, rtol=1e-3)
    factor.value = 2.5
    np.testing.assert_allclose(box.figure.data[6].y, 2.5, rtol=1e-3)
    factor.value = 1.0  # no scaling: every stretch is 1
    np.testing.assert_allclose(box.figure.data[6].y, 1.0, atol=1e-3)


def test_relative_biases_widget():
    box = W.relative_biases_widget(1000, num_heads=4, head=9)
    n, head, bidirectional = box.controls.values()
    assert n.value == 128 and (n.min, n.max) == (4, 128)
    assert head.value == 4 and (head.min, head.max) == (1, 4)
    n.value = 8
    assert np.array(box.figure.data[0].z).shape == (8, 8)
    steep = np.array(box.figure.data[0].z).min()
    head.value = 1
    assert np.array(box.figure.data[0].z).min() < steep
    assert box.figure.layout.annotations[0].text.startswith("ALiBi bias, head 1")
    bidirectional.value = False
    assert np.array(box.figure.data[1].z)[0, 7] == 0


def test_rope2d_maps_widget():
    box = W.rope2d_maps_widget((8, 8), 8, row=99, column=-3, base=1e9)
    row, column, base = box.controls.values()
    assert (row.value, column.value) == (7, 0) and (row.max, column.max) == (7, 7)
    assert base.value == pytest.approx(1e4)
    row.value, column.value = 2, 5
    sim = np.array(box.figure.data[-2].z)
    assert np.unravel_index(sim.argmax(), sim.shape) == (2, 5)


def _as_json(fig: go.Figure) -> dict:
    return json.loads(pio.to_json(fig))


def _assert_same(a, b, path="figure") -> None:
    """Equal JSON trees; numbers to 1e-9 (plotly wraps angles with a float remainder)."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), f"{path}: keys {sorted(a.keys() ^ b.keys())}"
        for key in a:
            _assert_same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f"{path}: lengths {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-9), f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def _move(box, **values) -> None:
    for name, value in values.items():
        box.controls[name].value = value


# (factory, first arguments, moves): after the moves, which update the kept figure in place,
# the figure must equal the one a fresh widget draws from scratch for the same values.
IN_PLACE = [
    (W.encoding_heatmaps_widget, dict(positions=16, dim=8), dict(length=1000)),
    (W.rope_rotation_widget, dict(dim=12), dict(position=37.3, offset=-4.5)),
    (W.long_range_decay_widget, dict(samples=20), dict(base=1e6, dim=64, max_distance=3000,
                                                       log_x=True)),
    (W.scaled_wavelengths_widget, dict(dim=32), dict(factor=8.5, base=5e5)),
    (W.rope2d_maps_widget, dict(shape=(6, 9), dim=8), dict(row=5, column=1, base=30.0)),
    (W.bits_to_waves_widget, dict(dim=8), dict(count=20, base=77.0)),
    (W.relative_biases_widget, dict(num_heads=4), dict(n=11, head=3)),
    (W.shift_rotation_widget, dict(pair=2), dict(k=13.7, delta=-31.5)),
    (W.dot_product_offset_widget, dict(offsets=40), dict(base=321.0, dim=24)),
]
_INITIAL = {"count": "positions"}  # a control whose first value has another argument name


@pytest.mark.parametrize("factory, first, moves", IN_PLACE,
                         ids=[case[0].__name__ for case in IN_PLACE])
def test_an_update_in_place_draws_what_a_fresh_widget_draws(factory, first, moves):
    box = factory(**first)
    before = _as_json(box.figure)
    _move(box, **moves)
    assert _as_json(box.figure) != before
    fresh = factory(**first, **{_INITIAL.get(k, k): v for k, v in moves.items()})
    _assert_same(_as_json(box.figure), _as_json(fresh.figure))


def test_bits_to_waves_widget_draws_the_last_animation_frame():
    box = W.bits_to_waves_widget(dim=8)
    _move(box, count=12, base=300.0)
    last = F.plot_bits_to_waves(12, sinusoid_dims=box.controls["dims"].value, dim=8,
                                base=300.0).frames[-1]
    for trace, index in zip(last.data, last.traces):
        assert box.figure.data[index].x == trace.x and box.figure.data[index].z == trace.z


def test_relative_biases_widget_matches_the_figure_slider():
    box = W.relative_biases_widget(num_heads=4)
    _move(box, n=10, head=3, bidirectional=False)
    fig = F.plot_relative_biases(10, num_heads=4, bidirectional=False)
    step = fig.layout.sliders[0].steps[2]
    np.testing.assert_array_equal(box.figure.data[0].z, step.args[0]["z"][0])
    np.testing.assert_array_equal(box.figure.data[1].z, fig.data[1].z)
    assert box.figure.layout.annotations[0].text == step.args[1]["annotations[0].text"]


@pytest.mark.parametrize(
    "factory, kwargs, exc, word",
    [
        (W.encoding_heatmaps_widget, dict(dim=3), ValueError, "dim"),
        (W.bits_to_waves_widget, dict(dim=4), ValueError, "dim"),
        (W.shift_rotation_widget, dict(pair=99), ValueError, "pair"),
        (W.dot_product_offset_widget, dict(base="x"), TypeError, "base"),
        (W.rope_rotation_widget, dict(dim=256), ValueError, "dim"),
        (W.long_range_decay_widget, dict(dim=96), ValueError, "dim"),
        (W.scaled_wavelengths_widget, dict(factor="2"), TypeError, "factor"),
        (W.relative_biases_widget, dict(num_heads=0), ValueError, "num_heads"),
        (W.rope2d_maps_widget, dict(shape=(8,)), ValueError, "shape"),
    ],
)
def test_widgets_bad_arguments(factory, kwargs, exc, word):
    with pytest.raises(exc, match=word):
        factory(**kwargs)
