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


def test_config_report_widget_reports_pasted_json_and_names_what_is_wrong():
    box = W.config_report_widget()  # starts with Llama 3.1 8B
    area = box.controls["config"]
    assert box.error is None and box.report.rope_type == "llama3"
    assert box.report.rotary_dim == 128 and len(box.figure.data) == 2  # scaled and unscaled
    area.value = json.dumps({"hidden_size": 2048, "num_attention_heads": 16,
                             "rope_theta": 10000.0, "max_position_embeddings": 2048})
    assert box.error is None and box.report.rotary_dim == 128 and box.report.context == 2048
    area.value = '{"rope_theta": 10000.0,'
    assert box.report is None and box.figure is None and "line 1" in box.error
    area.value = "[1, 2]"
    assert box.report is None and "JSON object" in box.error and "list" in box.error
    area.value = '{"rope_theta": 10000.0, "max_position_embeddings": 2048}'
    assert box.report is None and "head_dim" in box.error
    area.value = json.dumps({"head_dim": 64, "max_position_embeddings": 2048,
                             "rope_scaling": {"rope_type": "bogus"}})
    assert "bogus" in box.error
    from rope_viz import example_config

    text = json.dumps(example_config("Llama 2 7B"))
    assert W.config_report_widget(text).report.base == 10000.0
    with pytest.raises(TypeError, match="config"):
        W.config_report_widget(42)


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
    (W.bits_to_waves_widget, dict(dim=8), dict(positions=20, base=77.0, sinusoid_dims=(0, 1, 2))),
    (W.relative_biases_widget, dict(num_heads=4), dict(n=11, head=3, bidirectional=False)),
    (W.shift_rotation_widget, dict(pair=2), dict(k=13.7, delta=-31.5)),
    (W.dot_product_offset_widget, dict(offsets=40), dict(base=321.0, dim=24)),
]


@pytest.mark.parametrize("factory, first, moves", IN_PLACE,
                         ids=[case[0].__name__ for case in IN_PLACE])
def test_an_update_in_place_draws_what_a_fresh_widget_draws(factory, first, moves):
    box = factory(**first)
    before = _as_json(box.figure)
    _move(box, **moves)
    assert _as_json(box.figure) != before
    fresh = factory(**first, **moves)
    _assert_same(_as_json(box.figure), _as_json(fresh.figure))


def test_bits_to_waves_widget_draws_the_last_animation_frame():
    box = W.bits_to_waves_widget(dim=8)
    _move(box, positions=12, base=300.0)
    last = F.plot_bits_to_waves(12, sinusoid_dims=box.controls["sinusoid_dims"].value, dim=8,
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


# --- thin widgets: every control, no frames, no private imports ---------------------------

import ast  # noqa: E402
import pathlib  # noqa: E402

from rope_viz.figures._style import apply_changes  # noqa: E402

# (factory, small first arguments): every control's key is the name of the widget argument
# that sets its first value, so a fresh widget can be asked for the moved state.
SMALL = [
    (W.encoding_heatmaps_widget, dict(positions=16, dim=8)),
    (W.bits_to_waves_widget, dict(dim=8, positions=12)),
    (W.shift_rotation_widget, dict(pair=2, dim=8)),
    (W.dot_product_offset_widget, dict(offsets=24, dim=16)),
    (W.rope_rotation_widget, dict(dim=8)),
    (W.long_range_decay_widget, dict(samples=8, max_distance=300)),
    (W.scaled_wavelengths_widget, dict(dim=32)),
    (W.relative_biases_widget, dict(n=12, num_heads=4)),
    (W.rope2d_maps_widget, dict(shape=(5, 7), dim=8)),
]


def _other_value(control):
    """A value inside the control's range, different from its current one."""
    if hasattr(control, "options"):
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return next(v for v in values if v != control.value)
    if isinstance(control.value, bool):
        return not control.value
    low, high = control.min, control.max
    if type(control).__name__ == "FloatLogSlider":
        return float(control.base ** (low + 0.37 * (high - low)))
    other = low + 0.37 * (high - low)
    if isinstance(control.value, int):
        other = int(other) // (control.step or 1) * (control.step or 1)
        return other if other != control.value else control.value + (control.step or 1)
    return round(other, 1) if other != control.value else control.value + control.step


CONTROL_CASES = [(factory, first, name) for factory, first in SMALL
                 for name in factory(**first).controls]


@pytest.mark.parametrize("factory, first, name", CONTROL_CASES,
                         ids=[f"{f.__name__}-{n}" for f, _, n in CONTROL_CASES])
def test_every_control_updates_to_what_the_figure_draws_from_scratch(factory, first, name):
    """Data, trace names, colours, titles and axes: the JSON of the whole figure."""
    box = factory(**first)
    value = _other_value(box.controls[name])
    box.controls[name].value = value
    fresh = factory(**{**first, name: box.controls[name].value})  # plot_*(..., controls=False)
    _assert_same(_as_json(box.figure), _as_json(fresh.figure))


def test_a_moved_widget_shows_the_plot_drawn_without_controls():
    box = W.long_range_decay_widget(samples=8, max_distance=300)
    _move(box, dim=32, base=1e6, log_x=True)
    fig = F.plot_long_range_decay(300, dims=(32,), dim=32, bases=(1e6,), base=1e6, samples=8,
                                  log_x=True, controls=False)
    _assert_same(_as_json(box.figure), _as_json(fig))
    assert box.figure.data[0].line.color == F.decay.DIM_COLORS[32]
    assert box.figure.data[0].name == "d = 32"


def test_no_widget_builds_animation_frames_or_controls(monkeypatch):
    built = []
    real_frame = go.Frame

    def counting_frame(*args, **kwargs):
        built.append(1)
        return real_frame(*args, **kwargs)

    monkeypatch.setattr(go, "Frame", counting_frame)
    assert len(F.plot_rope_rotation(4, positions=3).frames) == 3 and len(built) == 3  # counted
    built.clear()
    for factory, first in SMALL:
        box = factory(**first)
        for control in box.controls.values():
            control.value = _other_value(control)
        fig = box.figure
        assert (fig.frames, fig.layout.sliders, fig.layout.updatemenus) == ((), (), ()), factory
    assert not built, f"{len(built)} animation frames built by the widgets"


# (plot, arguments, index of the frame the bare figure shows: None for figures with sliders,
# whose bare figure shows the slider's first state)
PLOTS = [
    (F.plot_encoding_heatmaps, dict(positions=8, dim=8, lengths=(8, 16)), None),
    (F.plot_bits_to_waves, dict(positions=6, bits=(0, 1), dim=8), -1),
    (F.plot_shift_rotation, dict(pair=1, dim=8, positions=4, deltas=(0, 3)), None),
    (F.plot_dot_product_offset, dict(offsets=8, dim=8, bases=(100.0, 10000.0)), None),
    (F.plot_rope_rotation, dict(dim=8, positions=5, trail=2), -1),
    (F.plot_long_range_decay, dict(max_distance=300, dims=(32, 64), dim=64,
                                   bases=(1e3, 1e4), base=1e4, samples=4), None),
    (F.plot_scaled_wavelengths, dict(dim=16, factors=(2.0, 4.0)), None),
    (F.plot_relative_biases, dict(n=8, num_heads=4, head=2), None),
    (F.plot_rope2d_maps, dict(shape=(4, 5), dim=8, patches=[(1, 2), (3, 0)]), None),
]


@pytest.mark.parametrize("plot, kwargs, frame", PLOTS, ids=[p[0].__name__ for p in PLOTS])
def test_a_plot_drawn_without_controls_builds_none_and_shows_the_same_state(plot, kwargs, frame):
    static = plot(**kwargs)
    assert static.frames or static.layout.sliders  # the figure is movable
    bare = plot(**kwargs, controls=False)
    assert (bare.frames, bare.layout.sliders, bare.layout.updatemenus) == ((), (), ())
    if frame is not None:  # the bare figure shows where the animation ends
        last = static.frames[frame]
        for trace, index in zip(last.data, last.traces):
            static.data[index].update(x=trace.x, y=trace.y,
                                      **({"z": trace.z} if hasattr(trace, "z") else {}))
        if last.layout.title.text:
            static.layout.title.text = last.layout.title.text
    _assert_same(_as_json(bare)["data"], _as_json(static)["data"])
    assert bare.layout.title.text == static.layout.title.text
    assert [a.text for a in bare.layout.annotations] == [a.text for a in static.layout.annotations]


def test_changes_are_what_the_static_slider_steps_apply():
    fig = F.plot_encoding_heatmaps(8, 8, lengths=(8, 16, 32))
    traces, layout = F.encoding_heatmaps_changes(8, 8, length=16)
    step = fig.layout.sliders[0].steps[1].args
    np.testing.assert_array_equal(step[0]["z"][0], traces[1]["z"])
    assert step[1] == layout and list(step[2]) == [1]
    fig = F.plot_scaled_wavelengths(16, factors=(2.0, 8.0))
    traces, layout = F.scaled_wavelengths_changes(16, factor=8.0)
    step = fig.layout.sliders[0].steps[1].args
    for i in range(10):
        np.testing.assert_array_equal(step[0]["y"][i], traces[i]["y"])
    assert step[1] == layout


def test_apply_changes_checks_its_arguments():
    fig = F.plot_relative_biases(4, num_heads=2, controls=False)
    apply_changes(fig, *F.relative_biases_changes(4, num_heads=2, head=2))
    assert fig.layout.annotations[0].text.startswith("ALiBi bias, head 2")
    with pytest.raises(ValueError, match="traces"):
        apply_changes(fig, {7: {"z": [[0]]}})
    with pytest.raises(TypeError, match="fig"):
        apply_changes({"data": []}, {})
    with pytest.raises(TypeError, match="layout"):
        apply_changes(fig, {}, ["title"])


@pytest.mark.parametrize(
    "function, kwargs, exc, word",
    [
        (F.encoding_heatmaps_changes, dict(positions=8, length=4), ValueError, "length"),
        (F.bits_to_waves_changes, dict(positions=1), ValueError, "positions"),
        (F.shift_rotation_changes, dict(pair=8, dim=16), ValueError, "pair"),
        (F.shift_rotation_changes, dict(k="1"), TypeError, "k"),
        (F.dot_product_offset_changes, dict(base=1.0), ValueError, "base"),
        (F.dot_product_offset_changes, dict(rng=None), TypeError, "rng"),
        (F.rope_rotation_changes, dict(dim=66), ValueError, "dim"),
        (F.long_range_decay_changes, dict(log_x=1), TypeError, "log_x"),
        (F.scaled_wavelengths_changes, dict(factor=0.5), ValueError, "factor"),
        (F.relative_biases_changes, dict(num_heads=4, head=5), ValueError, "head"),
        (F.rope2d_maps_changes, dict(shape=(4, 4), dim=8, patch=(4, 0)), ValueError, "patches"),
    ],
)
def test_changes_functions_check_their_arguments(function, kwargs, exc, word):
    with pytest.raises(exc, match=word):
        function(**kwargs)


def test_widgets_pass_rng_through():
    box = W.rope_rotation_widget(8, rng=3)
    fig = F.plot_rope_rotation(8, positions=[0.0], rng=3, controls=False)
    _assert_same(_as_json(box.figure)["data"], _as_json(fig)["data"])
    with pytest.raises(TypeError, match="rng"):
        W.dot_product_offset_widget(rng=None)


def _private_imports(root: pathlib.Path) -> list:
    """``from rope_viz.x import _y`` and ``x._y`` (x a rope_viz module) across modules."""
    package = root / "rope_viz"
    found = []
    for path in sorted(package.rglob("*.py")):
        module = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {}  # local name -> rope_viz module it names
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("rope_viz"):
                        aliases[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rope_viz"):
                for alias in node.names:
                    target = f"{node.module}.{alias.name}"
                    is_module = (package.parent / (target.replace(".", "/") + ".py")).exists() \
                        or (package.parent / target.replace(".", "/")).is_dir()
                    if is_module:
                        aliases[alias.asname or alias.name] = target
                    elif alias.name.startswith("_") and node.module != module:
                        found.append(f"{module}: from {node.module} import {alias.name}")
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__") and isinstance(node.value, ast.Name)
                    and aliases.get(node.value.id, module) != module):
                found.append(f"{module}: {node.value.id}.{node.attr}")
    return found


def test_no_module_imports_another_modules_private_name():
    root = pathlib.Path(__file__).resolve().parents[1]
    found = _private_imports(root)
    assert not found, "private names used across modules (make them public in their home):\n" \
        + "\n".join(found)


def test_the_private_import_scan_sees_both_forms(tmp_path):
    package = tmp_path / "rope_viz"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def _hidden():\n    pass\n")
    (package / "b.py").write_text("from rope_viz.a import _hidden\nfrom rope_viz import a\n"
                                  "a._hidden()\n")
    assert _private_imports(tmp_path) == ["rope_viz.b: from rope_viz.a import _hidden",
                                          "rope_viz.b: a._hidden"]


@pytest.mark.parametrize("name", ["encodings", "shift", "rotation", "spectrum", "scores",
                                  "grid2d", "decay", "rope2d_schemes"])
def test_the_figure_modules_examples_run(name):
    import doctest
    import importlib

    module = importlib.import_module(f"rope_viz.figures.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
