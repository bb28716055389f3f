"""The live widgets of the multimodal, NoPE epilogue and experiments chapters.

Every control of ``p_rope_spectrum_widget``, ``multimodal_positions_widget`` and
``length_generalization_widget`` is moved to two values; after each move the kept figure has
changed and equals what ``plot_*(..., controls=False)`` draws from scratch for the same
values. Each new ``*_changes`` function, applied to a figure drawn for other values, gives
the figure drawn for its own; bad arguments raise. No kernel, browser or training is needed
(the shoot-out result is made by hand).

Run with ``pytest tests/test_widgets_chapters_b.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("anywidget")

from test_widgets import _as_json, _assert_same  # noqa: E402

from rope_viz import figures as F  # noqa: E402
from rope_viz import widgets as W  # noqa: E402
from rope_viz.experiments import QUICK_SETTINGS, ShootoutResult  # noqa: E402
from rope_viz.figures._style import apply_changes  # noqa: E402

ENCODINGS = ("none", "learned", "rope", "rope+ntk", "rope+yarn")


def _result() -> ShootoutResult:
    """Two tasks, five encodings, two seeds, three lengths; NaN where a scheme cannot run."""
    rng = np.random.default_rng(0)
    accuracy = {}
    for task in ("lookback", "probe"):
        accuracy[task] = {enc: rng.uniform(0.1, 1.0, (2, 3)) for enc in ENCODINGS}
        accuracy[task]["learned"][:, 1:] = np.nan
    accuracy["probe"]["rope"][:, 1:] = np.nan
    return ShootoutResult(settings=QUICK_SETTINGS, tasks=("lookback", "probe"),
                          encodings=ENCODINGS, lengths=(16, 32, 64), accuracy=accuracy,
                          chance={"lookback": 1 / 16, "probe": 1 / 48})


RESULT = _result()


# --- p-RoPE ----------------------------------------------------------------------------------

def _p_rope_plot(p, base, context, dim):
    return F.plot_p_rope_spectrum(dim, base=base, context=int(round(context)), ps=(p,),
                                  controls=False)


def _multimodal_plot(rows, columns, frames, seconds):
    segments = [("text", 3), ("image", (1, rows, columns)), ("text", 2),
                ("video", (frames, 2, 3)), ("text", 2)]
    return F.plot_multimodal_positions(segments, spatial_merge_size=1,
                                       second_per_grid_t=seconds, tokens_per_second=2.0,
                                       controls=False)


def _length_plot(task, shown):
    return F.plot_length_generalization(RESULT, task=task, shown=tuple(shown), controls=False)


# (widget factory, plot of the control values, {control: two values to move it to})
CASES = [
    (lambda: W.p_rope_spectrum_widget(64, base=10000.0, context=4096, p=0.75), _p_rope_plot,
     {"p": (0.25, 0.5625), "base": (500.0, 2e6), "context": (100.0, 65536.0),
      "dim": (32, 256)}),
    (lambda: W.multimodal_positions_widget((4, 4), frames=2, second_per_grid_t=1.0),
     _multimodal_plot,
     {"rows": (1, 6), "columns": (2, 5), "frames": (1, 4), "seconds": (0.5, 3.5)}),
    (lambda: W.length_generalization_widget(RESULT), _length_plot,
     {"task": ("probe", "lookback"), "shown": (("rope", "rope+yarn"), ())}),
]
MOVES = [(factory, plot, name, values) for factory, plot, moves in CASES
         for name, values in moves.items()]


@pytest.mark.parametrize("factory, plot, name, values", MOVES,
                         ids=[f"{plot.__name__}-{name}" for _, plot, name, _ in MOVES])
def test_every_control_redraws_what_the_plot_draws_from_scratch(factory, plot, name, values):
    box = factory()
    assert box.figure is box.view.figure
    kept = box.figure
    for value in values:
        before = _as_json(box.figure)
        box.controls[name].value = value
        after = _as_json(box.figure)
        assert after != before, f"moving {name} to {value!r} changed nothing"
        assert box.figure is kept  # updated in place, never rebuilt
        current = {key: control.value for key, control in box.controls.items()}
        _assert_same(after, _as_json(plot(**current)))
        fig = box.figure
        assert (fig.frames, fig.layout.sliders, fig.layout.updatemenus) == ((), (), ())


def test_widget_controls_have_the_documented_ranges_and_clamp():
    box = W.p_rope_spectrum_widget(base=1e12, context=10, p=2.0)
    p, base, context, dim = box.controls.values()
    assert (p.min, p.max, p.value) == (0.0, 1.0, 1.0)
    assert base.value == pytest.approx(1e7) and context.value == pytest.approx(64)
    assert base.base ** base.min == pytest.approx(2.0)
    assert context.base ** context.max == pytest.approx(2**20)
    assert list(dim.options) == [32, 64, 128, 256]
    box = W.multimodal_positions_widget((9, 0 + 1), frames=10, second_per_grid_t=0.1)
    rows, columns, frames, seconds = box.controls.values()
    assert (rows.value, columns.value, frames.value, seconds.value) == (6, 1, 4, 0.5)
    assert (rows.min, rows.max, frames.min, frames.max) == (1, 6, 1, 4)
    assert (seconds.min, seconds.max) == (0.5, 4.0)
    box = W.length_generalization_widget(RESULT, task="probe", shown=("rope",))
    assert box.controls["task"].value == "probe" and box.controls["shown"].value == ("rope",)
    assert list(box.controls["shown"].options) == list(ENCODINGS)


def test_a_hidden_encoding_stays_in_the_legend():
    box = W.length_generalization_widget(RESULT, shown=("rope",))
    visible = [trace.visible for trace in box.figure.data]
    assert visible == ["legendonly", "legendonly", True, "legendonly", "legendonly", True]
    assert [trace.name for trace in box.figure.data] == [*ENCODINGS, "chance"]


# --- the *_changes functions ------------------------------------------------------------------

def test_p_rope_spectrum_changes_turn_one_figure_into_another():
    fig = F.plot_p_rope_spectrum(64, base=10000.0, context=4096, ps=(0.75,), controls=False)
    apply_changes(fig, *F.p_rope_spectrum_changes(64, base=1e6, context=300, p=0.3))
    target = F.plot_p_rope_spectrum(64, base=1e6, context=300, ps=(0.3,), controls=False)
    _assert_same(_as_json(fig), _as_json(target))


def test_p_rope_spectrum_slider_steps_are_the_changes():
    fig = F.plot_p_rope_spectrum(32, base=5e5, context=1000, ps=(1.0, 0.75, 0.0))
    for step, p in zip(fig.layout.sliders[0].steps, (1.0, 0.75, 0.0)):
        traces, _ = F.p_rope_spectrum_changes(32, base=5e5, context=1000, p=p)
        assert step.args[0]["x"] == [traces[1]["x"], traces[2]["x"]]
        assert step.args[0]["name"] == [traces[1]["name"], traces[2]["name"]]
    assert len(F.plot_p_rope_spectrum(32, controls=False).layout.sliders) == 0


def test_multimodal_positions_changes_turn_one_figure_into_another():
    small = [("text", 1), ("image", (1, 2, 2)), ("video", (1, 2, 2)), ("text", 1)]
    large = [("text", 4), ("image", (1, 3, 5)), ("text", 1), ("video", (3, 2, 2))]
    for timed in (None, 1.5):
        for controls in (True, False):
            fig = F.plot_multimodal_positions(small, second_per_grid_t=timed,
                                              controls=controls)
            apply_changes(fig, *F.multimodal_positions_changes(large, second_per_grid_t=timed,
                                                               controls=controls))
            target = F.plot_multimodal_positions(large, second_per_grid_t=timed,
                                                 controls=controls)
            _assert_same(_as_json(fig), _as_json(target))


def test_multimodal_positions_without_controls_has_no_buttons():
    fig = F.plot_multimodal_positions(controls=False)
    assert fig.layout.updatemenus == ()
    assert not any(key.startswith("updatemenus") for key in fig.layout.meta["narrow"]["layout"])
    assert fig.data[1].visible is None and fig.data[-1].visible is False


def test_length_generalization_changes_turn_one_figure_into_another():
    fig = F.plot_length_generalization(RESULT, task="lookback", controls=False)
    apply_changes(fig, *F.length_generalization_changes(RESULT, task="probe",
                                                         shown=("none", "rope+ntk")))
    target = F.plot_length_generalization(RESULT, task="probe", shown=("none", "rope+ntk"),
                                          controls=False)
    _assert_same(_as_json(fig), _as_json(target))


def test_length_generalization_buttons_apply_the_changes():
    fig = F.plot_length_generalization(RESULT, shown=("rope",))
    per_task = len(ENCODINGS) + 1
    assert len(fig.data) == per_task
    button = fig.layout.updatemenus[0].buttons[1]
    traces, layout = F.length_generalization_changes(RESULT, task="probe", shown=("rope",))
    assert "visible" not in button.args[0]  # a task button keeps the encodings shown
    assert button.args[1] == layout
    for i in range(per_task):
        np.testing.assert_array_equal(np.array(button.args[0]["y"][i], dtype=float),
                                      np.array(traces[i]["y"], dtype=float))


# --- bad arguments ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "function, kwargs, exc, word",
    [
        (W.p_rope_spectrum_widget, dict(dim=96), ValueError, "dim"),
        (W.p_rope_spectrum_widget, dict(base=1.0), ValueError, "base"),
        (W.p_rope_spectrum_widget, dict(p="0.5"), TypeError, "p"),
        (W.p_rope_spectrum_widget, dict(context=1), ValueError, "context"),
        (W.multimodal_positions_widget, dict(image=(4,)), ValueError, "image"),
        (W.multimodal_positions_widget, dict(frames=0), ValueError, "frames"),
        (W.multimodal_positions_widget, dict(second_per_grid_t=-1.0), ValueError,
         "second_per_grid_t"),
        (W.multimodal_positions_widget, dict(tokens_per_second="2"), TypeError,
         "tokens_per_second"),
        (W.length_generalization_widget, dict(result={}), TypeError, "result"),
        (W.length_generalization_widget, dict(result=RESULT, task="copy"), ValueError, "task"),
        (W.length_generalization_widget, dict(result=RESULT, shown=("alibi",)), ValueError,
         "shown"),
        (W.length_generalization_widget, dict(result=RESULT, shown="rope"), TypeError,
         "shown"),
        (F.p_rope_spectrum_changes, dict(p=1.5), ValueError, "p"),
        (F.p_rope_spectrum_changes, dict(dim=7), ValueError, "dim"),
        (F.plot_p_rope_spectrum, dict(controls=1), TypeError, "controls"),
        (F.multimodal_positions_changes, dict(segments=[("audio", 3)]), ValueError, "segments"),
        (F.plot_multimodal_positions, dict(controls="no"), TypeError, "controls"),
        (F.multimodal_positions_changes, dict(controls=0), TypeError, "controls"),
        (F.length_generalization_changes, dict(result=RESULT, task="copy"), ValueError,
         "task"),
        (F.plot_length_generalization, dict(result=RESULT, controls=None), TypeError,
         "controls"),
    ],
)
def test_bad_arguments_raise(function, kwargs, exc, word):
    with pytest.raises(exc, match=word):
        function(**kwargs)
