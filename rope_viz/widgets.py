"""Live widgets: the book's figures, redrawn for any value of their continuous parameters.

What this module holds
----------------------
One ``*_widget`` function per movable figure in :mod:`rope_viz.figures`. Each returns an
``ipywidgets.VBox`` of core controls (``IntSlider``, ``FloatSlider``, ``FloatLogSlider``,
``Dropdown``, ``Checkbox``) above a ``FigureView``, a small anywidget that draws the plotly
figure in the page (``rope_viz/figure_view.js``). The box's ``figure`` attribute holds the
figure shown, ``controls`` the controls by name and ``view`` the ``FigureView``.

A widget is its controls plus two public functions of the figure module: the figure is drawn
once by its ``plot_*`` function with ``controls=False`` (no sliders, buttons or animation
frames are built: the controls above replace them) and sent to the page whole; every move
applies the figure's ``*_changes`` function (data, names, colours, titles: the
``(traces, layout)`` shape of :mod:`rope_viz.figures._style`) to the figure kept, and sends
the page only the traces and layout that changed, which it redraws with ``Plotly.react``. The
static figure's slider steps and frames come from the same functions, so a widget and a figure
agree by construction, and a moved widget shows what ``plot_*(..., controls=False)`` draws
from scratch for the same values. ``benchmarks/bench_widgets.py`` times the kernel's side of a
move; ``benchmarks/bench_live_widgets.py`` times key press to pixels in a real JupyterLab.

Widgets that draw random vectors take the figure's ``rng`` and pass it on: an int seed gives
the same draws on every move (the package's rng contract, :mod:`rope_viz._validation`).

These need a live kernel (JupyterLab, Notebook 7, classic Notebook, Binder, Colab). anywidget
runs the view with ipywidgets 7.7 (classic Notebook, Colab) and 8; plotly.js travels with the
first view a kernel makes (never from the network), and a page that already has ``Plotly``
uses its own. In the static book the figures move with their own plotly sliders instead.
ipywidgets and anywidget are imported on first use, so ``import rope_viz`` works without them.

Values given to a ``*_widget`` function that fall outside a control's range are clamped to
the range (the controls themselves clamp what a reader types).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from rope_viz._validation import (
    check_bool,
    check_dim,
    check_float,
    check_generator,
    check_int,
    check_int_tuple,
    fail,
)

__all__ = [
    "encoding_heatmaps_widget",
    "bits_to_waves_widget",
    "shift_rotation_widget",
    "dot_product_offset_widget",
    "rope_rotation_widget",
    "long_range_decay_widget",
    "scaled_wavelengths_widget",
    "relative_biases_widget",
    "rope2d_maps_widget",
    "config_report_widget",
    "attention_shuffle_widget",
    "hierarchical_distances_widget",
    "linear_attention_cost_widget",
    "attention_memory_widget",
    "p_rope_spectrum_widget",
    "multimodal_positions_widget",
    "length_generalization_widget",
]

#: Ranges of the controls, (min, max); the documented contract the tests check.
RANGES = {
    "length": (16, 4096),
    "positions": (8, 128),
    "base": (2.0, 1e7),
    "decay_base": (100.0, 1e7),
    "k": (0.0, 100.0),
    "delta": (-50.0, 50.0),
    "position": (0.0, 1000.0),
    "offset": (-20.0, 20.0),
    "max_distance": (64, 65536),
    "factor": (1.0, 64.0),
    "n": (4, 128),
    "grid_base": (2.0, 1e4),
    "shuffle": (0, 100),
    "seed": (0, 100),
    "alpha": (0.05, 0.95),
    "head_size": (2, 512),
    "num_heads": (1, 128),
    "batch": (1, 64),
    "capacity_gb": (8.0, 256.0),
    "p": (0.0, 1.0),
    "context": (64, 1048576),
    "image_side": (1, 6),
    "frames": (1, 4),
    "seconds": (0.5, 4.0),
}


_ESM_PATH = Path(__file__).with_name("figure_view.js")


def _ipywidgets():
    """Import ipywidgets, with an install hint when it is missing."""
    try:
        import ipywidgets
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "rope_viz widgets need ipywidgets (>= 7.7) and a live kernel: "
            "pip install 'ipywidgets>=7.7'. In the static book the figures move with their "
            "own sliders instead."
        ) from error
    return ipywidgets


def _clamp(value: float, name: str) -> float:
    low, high = RANGES[name]
    return float(min(max(value, low), high))


def _view_class():
    """The :class:`FigureView` class, made on first use (anywidget is imported only then)."""
    global _FigureView
    if _FigureView is None:
        _FigureView = _make_view_class()
    return _FigureView


_FigureView = None  # the class, once made


def _make_view_class():
    try:
        import anywidget
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "rope_viz widgets need anywidget (>= 0.9) and a live kernel: pip install "
            "'anywidget>=0.9'. In the static book the figures move with their own sliders instead."
        ) from error
    import traitlets

    from rope_viz._book import PLOT_CONFIG
    from rope_viz.figures._style import THEMES

    themes = {name: template.to_plotly_json() for name, template in THEMES.items()}

    class FigureView(anywidget.AnyWidget):
        """A plotly figure in a live kernel that redraws from the changes a move makes.

        The whole figure is sent once, when the view is made (the ``_figure`` trait, JSON
        text). After that :meth:`apply` sends, as one message, only the traces and the layout
        whose JSON differs from what the page holds, and the page redraws with
        ``Plotly.react`` (``rope_viz/figure_view.js``); traces it is not sent keep their
        identity there, so plotly does not redraw them. plotly.js travels with the first view
        a kernel makes (``_plotly_js``), or is sent when a page without it asks; a page that
        already has ``Plotly`` (classic Notebook, Colab) uses its own. The figure follows
        JupyterLab's light or dark theme. ``benchmarks/bench_live_widgets.py`` measures key
        press to pixels.
        """

        _esm = _ESM_PATH
        _figure = traitlets.Unicode("{}").tag(sync=True)
        _themes = traitlets.Dict().tag(sync=True)
        _config = traitlets.Dict().tag(sync=True)
        _plotly_js = traitlets.Unicode("").tag(sync=True)
        _first_made = False

        def __init__(self, figure, **kwargs):
            import plotly.graph_objects as go

            if not isinstance(figure, go.Figure):
                fail("figure", "a plotly Figure", figure, kind=TypeError)
            source = ""
            if not FigureView._first_made:
                FigureView._first_made = True
                source = _plotly_source()
            self._hold(figure)
            super().__init__(_figure=self._whole(), _themes=themes,
                             _config=dict(PLOT_CONFIG), _plotly_js=source, **kwargs)
            self._moved = False
            self.on_msg(self._answer)

        def _hold(self, figure) -> None:
            """Keep ``figure`` and the JSON of each trace and of the layout, as the page has it."""
            self.figure = figure
            self._traces = [_json(trace.to_plotly_json()) for trace in figure.data]
            self._layout = _json(_layout_json(figure))

        def _whole(self) -> str:
            return '{"data":[' + ",".join(self._traces) + '],"layout":' + self._layout + "}"

        def show(self, figure) -> None:
            """Show another figure: only what differs is sent when it has as many traces."""
            if len(figure.data) != len(self.figure.data):
                self._hold(figure)
                self._moved = False
                self._figure = self._whole()
                return
            self.figure = figure
            self._send_differences(range(len(figure.data)), layout=True)

        def apply(self, traces: dict, layout: dict | None = None) -> None:
            """Apply ``(traces, layout)`` changes to the figure and send only what changed."""
            from rope_viz.figures._style import apply_changes

            apply_changes(self.figure, traces, layout)
            self._send_differences(traces, layout=bool(layout))

        def _send_differences(self, indices, *, layout: bool) -> None:
            changed = {}
            for index in map(int, indices):
                text = _json(self.figure.data[index].to_plotly_json())
                if text != self._traces[index]:
                    changed[index] = self._traces[index] = text
            layout_text = "null"
            if layout:
                text = _json(_layout_json(self.figure))
                if text != self._layout:
                    layout_text = self._layout = text
            if not changed and layout_text == "null":
                return
            self._moved = True
            traces = ",".join(f'"{index}":{text}' for index, text in changed.items())
            self.send({"type": "changes",
                       "json": '{"traces":{' + traces + '},"layout":' + layout_text + "}"})

        def _answer(self, _widget, content, _buffers):
            kind = content.get("type") if isinstance(content, dict) else None
            if kind == "ready" and self._moved:
                self.send({"type": "figure", "json": self._whole()})
            elif kind == "plotly.js?":
                self.send({"type": "plotly.js", "source": _plotly_source()})

    return FigureView


def _plotly_source() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _layout_json(figure) -> dict:
    layout = figure.layout.to_plotly_json()
    layout.pop("template", None)  # the page supplies its theme's template
    # The phone layout (_style.set_narrow) is for the static book's figures.js; a notebook's
    # output is not a phone page, and a changed layout makes Plotly.react draw everything again.
    meta = {key: value for key, value in (layout.pop("meta", None) or {}).items()
            if key != "narrow"}
    if meta:
        layout["meta"] = meta
    return layout


def _json(value) -> str:
    from plotly.io.json import to_json_plotly

    return to_json_plotly(value)


def _figure_json(figure) -> str:
    """The JSON a view sends for the whole of ``figure`` (its template left to the page)."""
    return _json({"data": [trace.to_plotly_json() for trace in figure.data],
                  "layout": _layout_json(figure)})


def __getattr__(name: str):
    # FigureView is made on first use, so that ``import rope_viz`` imports no widget library.
    if name == "FigureView":
        return _view_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _assemble(controls: dict, draw: Callable[..., Any], changes: Callable[..., tuple]):
    """Controls in rows above a ``FigureView`` that redraws on every change.

    The first drawing is ``draw(**values)``, a ``plot_*(..., controls=False)`` figure (no
    sliders, buttons or frames are built), sent whole once. After that the same figure is kept
    and each move applies ``changes(**values)``, the figure module's public ``*_changes``
    function (``(traces, layout)``, see :func:`rope_viz.figures._style.apply_changes`), and
    sends the page only the traces and layout that changed: rebuilding a plotly figure costs
    far more than recomputing its numbers, and re-sending it far more than its changes.
    An error in a move is shown in a small output below the figure.
    """
    widgets = _ipywidgets()

    def values():
        return {name: control.value for name, control in controls.items()}

    view = _view_class()(draw(**values()))
    # An HTML line, not an Output: classic Notebook's Output model fails to load under
    # widgetsnbextension 3.6.10, and takes the whole box with it.
    errors = widgets.HTML("")

    def update(_change=None):
        errors.value = ""
        try:
            view.apply(*changes(**values()))
        except Exception as error:  # shown under the figure, not lost in the kernel's log
            errors.value = _message(f"{type(error).__name__}: {error}")

    for control in controls.values():
        control.observe(update, names="value")
    rows = list(controls.values())
    box = widgets.VBox([widgets.HBox(rows[:3]), *([widgets.HBox(rows[3:])] if rows[3:] else []),
                        view, errors])
    box.controls = controls
    box.view = view
    box.figure = view.figure
    return box


def _message(text: str) -> str:
    """``text`` as the HTML of a widgets.HTML line, kept as written."""
    import html

    return f"<pre style='white-space:pre-wrap;margin:0'>{html.escape(text)}</pre>"


#: Head dimensions offered by the widgets' "head dim" drop-downs.
HEAD_DIMS = (32, 64, 128, 256)


def _head_dim(dim) -> int:
    """``dim`` checked as one of :data:`HEAD_DIMS`."""
    dim = check_dim(dim)
    if dim not in HEAD_DIMS:
        fail("dim", f"one of {HEAD_DIMS}", dim)
    return dim


def _layout(widgets, width: str = "320px"):
    return widgets.Layout(width=width)


def _style():
    return {"description_width": "initial"}


def _log_slider(widgets, value: float, name: str, description: str, **extra):
    """A ``FloatLogSlider`` over ``RANGES[name]`` starting at ``value`` (clamped)."""
    low, high = RANGES[name]
    return widgets.FloatLogSlider(value=_clamp(value, name), base=10, min=np.log10(low),
                                  max=np.log10(high), description=description, **extra)


def encoding_heatmaps_widget(positions: int = 16, dim: int = 16, *, length: int = 64,
                             base: float = 10000.0):
    """Live :func:`rope_viz.figures.plot_encoding_heatmaps` with a slider for any length.

    Parameters
    ----------
    positions : int
        How many positions are shown (rows); the length slider starts there.
    dim : int
        Dimensions shown (positive, even).
    length : int
        Initial sequence length, clamped to [max(positions, 16), 4096].
    base : float
        Sinusoidal base (> 1).

    Returns
    -------
    ipywidgets.VBox
        An ``IntSlider`` "sequence length" and the figure; each move applies
        :func:`rope_viz.figures.encodings.encoding_heatmaps_changes`.

    Raises
    ------
    ValueError, TypeError
        For bad ``positions``, ``dim``, ``length`` or ``base``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures.encodings import encoding_heatmaps_changes, plot_encoding_heatmaps

    positions = check_int(positions, "positions", minimum=1)
    dim = check_dim(dim)
    length = check_int(length, "length", minimum=1)
    base = check_float(base, "base", minimum=1.0)
    widgets = _ipywidgets()
    low, high = max(RANGES["length"][0], positions), RANGES["length"][1]
    control = widgets.IntSlider(value=int(min(max(length, low), high)), min=low, max=high,
                                description="sequence length", style=_style(),
                                layout=_layout(widgets, "420px"), continuous_update=False)

    def draw(length):
        return plot_encoding_heatmaps(positions, dim, lengths=(int(min(max(length, low), high)),),
                                      base=base, controls=False)

    def changes(length):
        return encoding_heatmaps_changes(positions, dim, length=int(min(max(length, low), high)))

    return _assemble({"length": control}, draw, changes)


def bits_to_waves_widget(positions: int = 32, *, dim: int = 16, base: float = 10000.0,
                         sinusoid_dims: Any = (2, 3, 4)):
    """Live :func:`rope_viz.figures.plot_bits_to_waves`: choose the span, dimensions and base.

    Parameters
    ----------
    positions : int
        Initial number of positions, clamped to [8, 128].
    dim : int
        Size of the codes (positive, even, >= 6).
    base : float
        Initial sinusoidal base, clamped to [2, 1e7].
    sinusoid_dims : (int, int, int)
        Initial sinusoidal dimensions traced in 3-D, one of (2i, 2i + 1, 2i + 2) below dim.

    Returns
    -------
    ipywidgets.VBox
        An ``IntSlider`` "positions", a ``Dropdown`` of sinusoidal dimension triples, a
        ``FloatLogSlider`` "base", and the figure, its 3-D paths drawn up to the last position
        (:func:`rope_viz.figures.plot_bits_to_waves` with ``controls=False``; each move applies
        :func:`rope_viz.figures.encodings.bits_to_waves_changes`).

    Raises
    ------
    ValueError, TypeError
        For bad ``positions``, ``dim``, ``base`` or ``sinusoid_dims``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures.encodings import bits_to_waves_changes, plot_bits_to_waves

    positions = check_int(positions, "positions", minimum=1)
    dim = check_dim(dim)
    if dim < 6:
        fail("dim", "an even integer >= 6 (three dimensions of each code)", dim)
    base = check_float(base, "base", minimum=1.0)
    widgets = _ipywidgets()
    triples = [(2 * i, 2 * i + 1, 2 * i + 2) for i in range(dim // 2 - 1)]
    sinusoid_dims = check_int_tuple(sinusoid_dims, "sinusoid_dims", length=3, minimum=0)
    if sinusoid_dims not in triples:
        fail("sinusoid_dims", f"one of {triples}", sinusoid_dims)
    controls = {
        "positions": widgets.IntSlider(value=int(_clamp(positions, "positions")),
                                       min=RANGES["positions"][0], max=RANGES["positions"][1],
                                       description="positions", continuous_update=False),
        "sinusoid_dims": widgets.Dropdown(options=[(f"sinusoid dims {t}", t) for t in triples],
                                          value=sinusoid_dims, description="3-D path",
                                          style=_style()),
        "base": _log_slider(widgets, base, "base", "base", continuous_update=False),
    }

    def arguments(positions, sinusoid_dims, base):
        return dict(positions=int(_clamp(positions, "positions")), bits=(0, 1, 2, 3),
                    binary_dims=(0, 1, 2), sinusoid_dims=tuple(sinusoid_dims), dim=dim,
                    base=_clamp(base, "base"), samples_per_position=4)

    return _assemble(controls,
                     lambda **values: plot_bits_to_waves(**arguments(**values), controls=False),
                     lambda **values: bits_to_waves_changes(**arguments(**values)))


def shift_rotation_widget(pair: int = 1, *, dim: int = 16, base: float = 10000.0,
                          k: float = 0.0, delta: float = 3.0):
    """Live :func:`rope_viz.figures.plot_shift_rotation` for any (fractional) k and Δ.

    Parameters
    ----------
    pair : int
        Frequency pair (0 <= pair < dim/2).
    dim : int
        Size of the code (positive, even).
    base : float
        Sinusoidal base (> 1).
    k, delta : float
        Initial position and shift, clamped to [0, 100] and [−50, 50].

    Returns
    -------
    ipywidgets.VBox
        Two ``FloatSlider`` controls ("position k", "shift Δ") and the figure; each move
        applies :func:`rope_viz.figures.shift.shift_rotation_changes`.

    Raises
    ------
    ValueError, TypeError
        For bad ``pair``, ``dim``, ``base``, ``k`` or ``delta``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures.shift import plot_shift_rotation, shift_rotation_changes

    dim = check_dim(dim)
    pair = check_int(pair, "pair", minimum=0, maximum=dim // 2 - 1)
    base = check_float(base, "base", minimum=1.0)
    k = check_float(k, "k")
    delta = check_float(delta, "delta")
    widgets = _ipywidgets()
    controls = {
        "k": widgets.FloatSlider(value=_clamp(k, "k"), min=RANGES["k"][0], max=RANGES["k"][1],
                                 step=0.1, description="position k", style=_style()),
        "delta": widgets.FloatSlider(value=_clamp(delta, "delta"), min=RANGES["delta"][0],
                                     max=RANGES["delta"][1], step=0.1, description="shift Δ",
                                     style=_style()),
    }

    def draw(k, delta):
        return plot_shift_rotation(pair, dim=dim, base=base, positions=[_clamp(k, "k")],
                                   deltas=[_clamp(delta, "delta")], controls=False)

    def changes(k, delta):
        return shift_rotation_changes(pair, dim=dim, base=base, k=_clamp(k, "k"),
                                      delta=_clamp(delta, "delta"))

    return _assemble(controls, draw, changes)


def dot_product_offset_widget(*, dim: int = 64, base: float = 10000.0, offsets: int = 128,
                              rng: Any = 0):
    """Live :func:`rope_viz.figures.plot_dot_product_offset` for any base and head size.

    Parameters
    ----------
    dim : int
        Initial size of the code (even), clamped to [2, 256].
    base : float
        Initial base, clamped to [2, 1e7].
    offsets : int
        Offsets −offsets … offsets are drawn (>= 1).
    rng : numpy.random.Generator or int
        Source of the random query, passed to the figure on every move: an int seed gives the
        same query at every move (the package's rng contract).

    Returns
    -------
    ipywidgets.VBox
        A ``FloatLogSlider`` "base", an ``IntSlider`` "dim" (step 2) and the figure; each move
        applies :func:`rope_viz.figures.shift.dot_product_offset_changes`.

    Raises
    ------
    ValueError, TypeError
        For bad ``dim``, ``base``, ``offsets`` or ``rng``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures.shift import dot_product_offset_changes, plot_dot_product_offset

    dim = check_dim(dim)
    base = check_float(base, "base", minimum=1.0)
    offsets = check_int(offsets, "offsets", minimum=1)
    check_generator(rng)
    widgets = _ipywidgets()
    controls = {
        "base": _log_slider(widgets, base, "base", "base"),
        "dim": widgets.IntSlider(value=int(min(max(dim, 2), 256)), min=2, max=256, step=2,
                                 description="dim"),
    }

    def size(dim):
        return int(min(max(dim, 2), 256)) // 2 * 2

    def draw(base, dim):
        return plot_dot_product_offset(offsets, dim=size(dim), bases=(_clamp(base, "base"),),
                                       rng=rng, controls=False)

    def changes(base, dim):
        return dot_product_offset_changes(offsets, dim=size(dim), base=_clamp(base, "base"),
                                          rng=rng)

    return _assemble(controls, draw, changes)


def rope_rotation_widget(dim: int = 16, *, position: float = 0.0, offset: float = 3.0,
                         base: float = 10000.0, rng: Any = 0):
    """Live :func:`rope_viz.figures.plot_rope_rotation` at any (fractional) position.

    Move the position: every panel turns, the printed q·k does not; move the offset: q·k
    changes.

    Parameters
    ----------
    dim : int
        Head dimension (positive, even, at most 64).
    position : float
        Initial key position, clamped to [0, 1000].
    offset : float
        Initial query-minus-key offset, clamped to [−20, 20].
    base : float
        RoPE base (> 1).
    rng : numpy.random.Generator or int
        Source of the random query and key, passed to the figure on every move: an int seed
        gives the same vectors at every move (the package's rng contract).

    Returns
    -------
    ipywidgets.VBox
        Two ``FloatSlider`` controls ("key position m", "offset") and the figure; each move
        applies :func:`rope_viz.figures.rotation.rope_rotation_changes`.

    Raises
    ------
    ValueError, TypeError
        For bad ``dim``, ``position``, ``offset``, ``base`` or ``rng``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures.rotation import plot_rope_rotation, rope_rotation_changes

    dim = check_dim(dim)
    if dim > 64:
        fail("dim", "at most 64 (one panel per pair)", dim)
    position = check_float(position, "position")
    offset = check_float(offset, "offset")
    base = check_float(base, "base", minimum=1.0)
    check_generator(rng)
    widgets = _ipywidgets()
    controls = {
        "position": widgets.FloatSlider(value=_clamp(position, "position"),
                                        min=RANGES["position"][0], max=RANGES["position"][1],
                                        step=0.1, description="key position m", style=_style(),
                                        layout=_layout(widgets, "420px")),
        "offset": widgets.FloatSlider(value=_clamp(offset, "offset"), min=RANGES["offset"][0],
                                      max=RANGES["offset"][1], step=0.5, description="offset",
                                      style=_style()),
    }

    def draw(position, offset):
        return plot_rope_rotation(dim, positions=[_clamp(position, "position")],
                                  offset=_clamp(offset, "offset"), base=base, rng=rng,
                                  controls=False)

    def changes(position, offset):
        return rope_rotation_changes(dim, position=_clamp(position, "position"),
                                     offset=_clamp(offset, "offset"), base=base, rng=rng)

    return _assemble(controls, draw, changes)


def long_range_decay_widget(*, dim: int = 128, base: float = 10000.0, max_distance: int = 8192,
                            log_x: bool = False, samples: int = 200, rng: Any = 0):
    """Live :func:`rope_viz.figures.plot_long_range_decay` for any base from 100 to 10^7.

    Parameters
    ----------
    dim : int
        Initial head dimension, one of 32, 64, 128, 256.
    base : float
        Initial base, clamped to [100, 1e7].
    max_distance : int
        Initial largest distance, clamped to [64, 65536].
    log_x : bool
        Start with a log-scaled distance axis.
    samples : int
        Random queries averaged for the mean score (>= 1).
    rng : numpy.random.Generator or int
        Source of the random queries, passed to the figure on every move: an int seed gives
        the same queries at every move (the package's rng contract).

    Returns
    -------
    ipywidgets.VBox
        A ``FloatLogSlider`` "base", a ``Dropdown`` "head dim", an ``IntSlider`` "max distance",
        a ``Checkbox`` "log distance" and the figure; each move applies
        :func:`rope_viz.figures.decay.long_range_decay_changes`.

    Raises
    ------
    ValueError, TypeError
        For a bad ``dim``, ``base``, ``max_distance``, ``log_x``, ``samples`` or ``rng``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures.decay import long_range_decay_changes, plot_long_range_decay

    dim = _head_dim(dim)
    base = check_float(base, "base", minimum=1.0)
    max_distance = check_int(max_distance, "max_distance", minimum=2)
    log_x = check_bool(log_x, "log_x")
    samples = check_int(samples, "samples", minimum=1)
    check_generator(rng)
    widgets = _ipywidgets()
    controls = {
        "base": _log_slider(widgets, base, "decay_base", "base", continuous_update=False),
        "dim": widgets.Dropdown(options=list(HEAD_DIMS), value=dim, description="head dim"),
        "max_distance": widgets.IntSlider(value=int(_clamp(max_distance, "max_distance")),
                                          min=RANGES["max_distance"][0],
                                          max=RANGES["max_distance"][1],
                                          description="max distance", style=_style(),
                                          continuous_update=False),
        "log_x": widgets.Checkbox(value=log_x, description="log distance"),
    }

    def draw(base, dim, max_distance, log_x):
        base = _clamp(base, "decay_base")
        return plot_long_range_decay(int(_clamp(max_distance, "max_distance")), dims=(dim,),
                                     dim=dim, bases=(base,), base=base, samples=samples,
                                     rng=rng, log_x=bool(log_x), controls=False)

    def changes(base, dim, max_distance, log_x):
        return long_range_decay_changes(int(_clamp(max_distance, "max_distance")), dims=(dim,),
                                        base=_clamp(base, "decay_base"), samples=samples,
                                        rng=rng, log_x=bool(log_x))

    return _assemble(controls, draw, changes)


def scaled_wavelengths_widget(dim: int = 128, *, base: float = 10000.0, factor: float = 4.0,
                              original_context: int = 4096):
    """Live :func:`rope_viz.figures.plot_scaled_wavelengths` for any scaling factor and base.

    Parameters
    ----------
    dim : int
        Rotary dimension (positive, even).
    base : float
        Initial original base, clamped to [2, 1e7].
    factor : float
        Initial scaling factor, clamped to [1, 64] (1 leaves every pair alone).
    original_context : int
        The context the model was trained for (>= 2).

    Returns
    -------
    ipywidgets.VBox
        A ``FloatSlider`` "factor", a ``FloatLogSlider`` "base" and the figure; each move
        applies :func:`rope_viz.figures.spectrum.scaled_wavelengths_changes`.

    Raises
    ------
    ValueError, TypeError
        For bad ``dim``, ``base``, ``factor`` or ``original_context``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures.spectrum import plot_scaled_wavelengths, scaled_wavelengths_changes

    dim = check_dim(dim)
    base = check_float(base, "base", minimum=1.0)
    factor = check_float(factor, "factor")
    original_context = check_int(original_context, "original_context", minimum=2)
    widgets = _ipywidgets()
    controls = {
        "factor": widgets.FloatSlider(value=_clamp(factor, "factor"), min=RANGES["factor"][0],
                                      max=RANGES["factor"][1], step=0.5,
                                      description="factor", continuous_update=False),
        "base": _log_slider(widgets, base, "base", "base", continuous_update=False),
    }

    def scale(factor):
        # a factor of exactly 1 is no scaling; the rules need > 1, so nudge it
        return max(_clamp(factor, "factor"), 1.0 + 1e-6)

    def draw(factor, base):
        return plot_scaled_wavelengths(dim, base=_clamp(base, "base"),
                                       original_context=original_context,
                                       factors=(scale(factor),), controls=False)

    def changes(factor, base):
        return scaled_wavelengths_changes(dim, base=_clamp(base, "base"),
                                          original_context=original_context,
                                          factor=scale(factor))

    return _assemble(controls, draw, changes)


def relative_biases_widget(n: int = 32, *, num_heads: int = 8, head: int = 1,
                           num_buckets: int = 32, max_distance: int = 128,
                           bidirectional: bool = True):
    """Live :func:`rope_viz.figures.plot_relative_biases` for any sequence length and head.

    Parameters
    ----------
    n : int
        Initial sequence length, clamped to [4, 128].
    num_heads : int
        ALiBi heads (>= 1).
    head : int
        Initial head, 1-based, clamped to [1, num_heads].
    num_buckets, max_distance : int
        T5's bucket count and largest distinguished distance.
    bidirectional : bool
        Initial direction of T5's buckets (True: an encoder's).

    Returns
    -------
    ipywidgets.VBox
        An ``IntSlider`` "length", an ``IntSlider`` "ALiBi head", a ``Checkbox``
        "bidirectional T5" and the figure; each move applies
        :func:`rope_viz.figures.scores.relative_biases_changes`.

    Raises
    ------
    ValueError, TypeError
        For bad ``n``, ``num_heads``, ``head``, ``num_buckets``, ``max_distance`` or
        ``bidirectional``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures.scores import plot_relative_biases, relative_biases_changes

    n = check_int(n, "n", minimum=1)
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    head = check_int(head, "head", minimum=1)
    num_buckets = check_int(num_buckets, "num_buckets", minimum=2)
    max_distance = check_int(max_distance, "max_distance", minimum=1)
    bidirectional = check_bool(bidirectional, "bidirectional")
    widgets = _ipywidgets()
    controls = {
        "n": widgets.IntSlider(value=int(_clamp(n, "n")), min=RANGES["n"][0],
                               max=RANGES["n"][1], description="length",
                               continuous_update=False),
        "head": widgets.IntSlider(value=min(head, num_heads), min=1, max=num_heads,
                                  description="ALiBi head", style=_style()),
        "bidirectional": widgets.Checkbox(value=bidirectional, description="bidirectional T5"),
    }

    def arguments(n, head, bidirectional):
        return dict(n=int(_clamp(n, "n")), num_heads=num_heads,
                    head=min(max(int(head), 1), num_heads), num_buckets=num_buckets,
                    max_distance=max_distance, bidirectional=bool(bidirectional))

    return _assemble(controls,
                     lambda **values: plot_relative_biases(**arguments(**values), controls=False),
                     lambda **values: relative_biases_changes(**arguments(**values)))


def rope2d_maps_widget(shape: Any = (16, 16), dim: int = 16, *, base: float = 100.0,
                       row: int = 8, column: int = 8):
    """Live :func:`rope_viz.figures.plot_rope2d_maps`: pick any patch and any base.

    Parameters
    ----------
    shape : (int, int)
        Grid size (rows, columns).
    dim : int
        Head dimension, a multiple of 4 up to 32.
    base : float
        Initial base, clamped to [2, 1e4].
    row, column : int
        Initial chosen patch, clamped to the grid.

    Returns
    -------
    ipywidgets.VBox
        ``IntSlider`` controls "row" and "column", a ``FloatLogSlider`` "base" and the figure;
        each move applies :func:`rope_viz.figures.grid2d.rope2d_maps_changes`.

    Raises
    ------
    ValueError, TypeError
        For a bad ``shape``, ``dim``, ``base``, ``row`` or ``column``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures.grid2d import plot_rope2d_maps, rope2d_maps_changes

    shape = check_int_tuple(shape, "shape", length=2, minimum=1)
    dim = check_dim(dim)
    if dim % 4 or dim > 32:
        fail("dim", "a multiple of 4 up to 32 (pairs split between two axes, one map each)",
             dim)
    base = check_float(base, "base", minimum=1.0)
    row = check_int(row, "row")
    column = check_int(column, "column")
    widgets = _ipywidgets()
    h, w = shape
    controls = {
        "row": widgets.IntSlider(value=min(max(row, 0), h - 1), min=0, max=h - 1,
                                 description="row"),
        "column": widgets.IntSlider(value=min(max(column, 0), w - 1), min=0, max=w - 1,
                                    description="column"),
        "base": _log_slider(widgets, base, "grid_base", "base", continuous_update=False),
    }

    def patch_of(row, column):
        return min(max(int(row), 0), h - 1), min(max(int(column), 0), w - 1)

    def draw(row, column, base):
        return plot_rope2d_maps(shape, dim, base=_clamp(base, "grid_base"),
                                patches=[patch_of(row, column)], controls=False)

    def changes(row, column, base):
        return rope2d_maps_changes(shape, dim, base=_clamp(base, "grid_base"),
                                   patch=patch_of(row, column))

    return _assemble(controls, draw, changes)


def config_report_widget(config: Any = None):
    """Paste a model's ``config.json``; see what its RoPE does over its context.

    A ``Textarea`` takes the JSON text (a whole ``config.json``, or only its RoPE fields).
    When the text changes (the box reports when it loses focus), the widget shows :func:`rope_viz.config_report`'s
    summary and :func:`rope_viz.figures.plot_config_spectrum`'s figure below it, or one line
    saying what is wrong: text that is not JSON (with the line and column), JSON that is not
    an object, or a config the reader rejects (its message names the field).

    Parameters
    ----------
    config : Mapping or str, optional
        What the box starts with: a config dict, JSON text, or (default) the fields of
        Llama 3.1 8B from :data:`rope_viz.EXAMPLE_CONFIGS`.

    Returns
    -------
    ipywidgets.VBox
        The box (``.controls["config"]`` is the ``Textarea``) above an ``HTML`` line for the
        summary or the error and, once a config is read, a ``FigureView``. After each
        change ``.report`` holds the :class:`rope_viz.ConfigReport` (``None`` on an error),
        ``.figure`` the figure (``None`` on an error) and ``.error`` the error text
        (``None`` when the config was read).

    Raises
    ------
    TypeError
        For a starting ``config`` that is neither a dict nor a string.
    ImportError
        When ipywidgets is not installed.
    """
    import json
    from collections.abc import Mapping

    from rope_viz.figures.context import plot_config_spectrum
    from rope_viz.model_configs import config_report, example_config

    if config is None:
        config = example_config("Llama 3.1 8B")
    if isinstance(config, Mapping):
        text = json.dumps(dict(config), indent=1)
    elif isinstance(config, str):
        text = config
    else:
        fail("config", "a config dict or its JSON text", config, kind=TypeError)
    widgets = _ipywidgets()
    area = widgets.Textarea(value=text, description="config.json", continuous_update=False,
                            layout=widgets.Layout(width="100%", height="220px"), style=_style())
    output = widgets.HTML("")  # the summary or the error (no Output: see _assemble)
    box = widgets.VBox([area, output])
    box.controls = {"config": area}
    box.view = None

    def update(change=None):
        box.report = box.figure = box.error = None
        try:
            parsed = json.loads(area.value)
        except json.JSONDecodeError as error:
            box.error = (f"Not JSON: {error.msg} at line {error.lineno}, column {error.colno}. "
                         "Paste the whole config.json, braces included.")
        else:
            if not isinstance(parsed, dict):
                box.error = (f"config.json must hold a JSON object {{...}}, got a "
                             f"{type(parsed).__name__}")
            else:
                try:
                    box.report = config_report(parsed)
                    box.figure = plot_config_spectrum(config=parsed, name=box.report.name)
                except (TypeError, ValueError) as error:
                    box.report = None
                    box.error = f"The config cannot be read: {error}"
        output.value = _message(box.error or repr(box.report))
        if box.figure is None:
            box.children = [area, output]
            return
        if box.view is None:
            box.view = _view_class()(box.figure)
        else:
            box.view.show(box.figure)  # another config: a new figure, sent whole
        box.children = [area, output, box.view]

    area.observe(update, names="value")
    update()
    return box


def _shuffle_order(n: int, shuffle: int) -> tuple:
    """Word order number ``shuffle`` of n words: 0 is the sentence as written, any other
    number a random permutation seeded by it (the same number, the same order)."""
    if shuffle == 0:
        return tuple(range(n))
    return tuple(int(i) for i in np.random.default_rng(shuffle).permutation(n))


def attention_shuffle_widget(tokens: Any = "the dog chased another dog", *, shuffle: int = 1,
                             seed: int = 0, num_heads: int = 2, dim: int = 16):
    """Live :func:`rope_viz.figures.plot_attention_shuffle`: any word order, any random layer.

    Parameters
    ----------
    tokens : str or sequence of str
        The sentence (2 to 12 words; a string is split on whitespace).
    shuffle : int
        Initial word order, clamped to [0, 100]: 0 reads the sentence as written, any other
        number reads it in a random order drawn from that number (the same number always
        gives the same order).
    seed : int
        Initial seed of the embeddings and of the layer's weights, clamped to [0, 100].
    num_heads : int
        Initial number of heads, one of 1, 2, 4, 8 that divides ``dim``.
    dim : int
        Embedding size (positive, even).

    Returns
    -------
    ipywidgets.VBox
        An ``IntSlider`` "word order", an ``IntSlider`` "layer seed", a ``Dropdown`` "heads"
        and the figure; each move applies
        :func:`rope_viz.figures.equivariance.attention_shuffle_changes` for the one order shown
        (and the colour scale's top, which :func:`~rope_viz.figures.plot_attention_shuffle`
        sets from the weights shown).

    Raises
    ------
    ValueError, TypeError
        For bad ``tokens``, ``shuffle``, ``seed``, ``num_heads`` or ``dim``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.equivariance import attention_patterns
    from rope_viz.figures.equivariance import attention_shuffle_changes, plot_attention_shuffle

    if isinstance(tokens, str):
        tokens = tokens.split()
    if isinstance(tokens, (str, bytes)) or not isinstance(tokens, (list, tuple)) \
            or not all(isinstance(t, str) for t in tokens):
        fail("tokens", "a sentence string or a list of words", tokens, kind=TypeError)
    if not 2 <= len(tokens) <= 12:
        fail("tokens", "2 to 12 words", len(tokens))
    tokens = tuple(tokens)
    shuffle = check_int(shuffle, "shuffle")
    seed = check_int(seed, "seed")
    dim = check_dim(dim)
    heads = [h for h in (1, 2, 4, 8) if dim % h == 0]
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    if num_heads not in heads:
        fail("num_heads", f"one of {heads} (a divisor of dim = {dim})", num_heads)
    widgets = _ipywidgets()
    controls = {
        "shuffle": widgets.IntSlider(value=int(_clamp(shuffle, "shuffle")),
                                     min=RANGES["shuffle"][0], max=RANGES["shuffle"][1],
                                     description="word order", style=_style()),
        "seed": widgets.IntSlider(value=int(_clamp(seed, "seed")), min=RANGES["seed"][0],
                                  max=RANGES["seed"][1], description="layer seed",
                                  style=_style()),
        "num_heads": widgets.Dropdown(options=heads, value=num_heads, description="heads"),
    }

    def arguments(shuffle, seed, num_heads):
        order = _shuffle_order(len(tokens), int(_clamp(shuffle, "shuffle")))
        return dict(tokens=tokens, orders=[order], dim=dim, num_heads=int(num_heads),
                    rng=int(_clamp(seed, "seed")))

    def changes(**values):
        given = arguments(**values)
        traces, layout = attention_shuffle_changes(**given, order=0)
        # the figure's colour scale ends at the largest weight shown, in either panel
        top = max(float(attention_patterns(**given, with_positions=placed).max())
                  for placed in (False, True))
        for index in (0, 1):
            traces[index]["zmax"] = top
        return traces, layout

    return _assemble(controls,
                     lambda **values: plot_attention_shuffle(**arguments(**values),
                                                             controls=False),
                     changes)


#: α values of :func:`hierarchical_distances_widget`'s slider: 0.05 … 0.95 without 0.5.
ALPHAS = tuple(round(0.05 * k, 2) for k in range(1, 20) if k != 10)


def hierarchical_distances_widget(n: int = 8, *, dim: int = 64, base: float = 10000.0,
                                  alpha: float = 0.4):
    """Live :func:`rope_viz.figures.plot_hierarchical_distances` for any α of Su's extension.

    Parameters
    ----------
    n : int
        Rows of the stand-in trained table (2 to 16); the extension has n² positions.
    dim : int
        Width of the table (positive, even).
    base : float
        Base of the sinusoidal stand-in table (> 1).
    alpha : float
        Initial α, in (0, 1); the slider starts at the nearest of 0.05, 0.1, …, 0.95
        (0.5 left out: the decomposition needs α ≠ 1/2).

    Returns
    -------
    ipywidgets.VBox
        A ``SelectionSlider`` "α" over :data:`ALPHAS` and the figure; each move applies
        :func:`rope_viz.figures.learned.hierarchical_distances_changes`.

    Raises
    ------
    ValueError, TypeError
        For bad ``n``, ``dim``, ``base`` or ``alpha``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures.learned import hierarchical_distances_changes, plot_hierarchical_distances

    n = check_int(n, "n", minimum=2, maximum=16)
    dim = check_dim(dim)
    base = check_float(base, "base", minimum=1.0, strict=True)
    alpha = check_float(alpha, "alpha", minimum=0.0, strict=True)
    if alpha >= 1.0:
        fail("alpha", "a number in (0, 1)", alpha)
    widgets = _ipywidgets()
    start = min(ALPHAS, key=lambda a: abs(a - alpha))
    controls = {
        "alpha": widgets.SelectionSlider(options=[(f"{a:g}", a) for a in ALPHAS], value=start,
                                         description="α", layout=_layout(widgets, "420px")),
    }

    def nearest(alpha):
        return min(ALPHAS, key=lambda a: abs(a - alpha))

    def draw(alpha):
        return plot_hierarchical_distances(n, dim=dim, base=base, alphas=(nearest(alpha),),
                                           alpha=nearest(alpha), controls=False)

    def changes(alpha):
        return hierarchical_distances_changes(nearest(alpha), n=n, dim=dim, base=base)

    return _assemble(controls, draw, changes)


def linear_attention_cost_widget(dim: int = 64, *, max_length: int = 65536):
    """Live :func:`rope_viz.figures.plot_linear_attention_cost` for any head size.

    Parameters
    ----------
    dim : int
        Initial head size d = d_v (even), clamped to [2, 512].
    max_length : int
        Largest sequence length drawn (>= 16).

    Returns
    -------
    ipywidgets.VBox
        An ``IntSlider`` "head size d = dᵥ" (step 2) and the figure; each move applies
        :func:`rope_viz.figures.linear_attention.linear_attention_cost_changes`.

    Raises
    ------
    ValueError, TypeError
        For a bad ``dim`` or ``max_length``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures.linear_attention import (
        linear_attention_cost_changes,
        plot_linear_attention_cost,
    )

    dim = check_dim(dim)
    max_length = check_int(max_length, "max_length", minimum=16)
    widgets = _ipywidgets()
    low, high = RANGES["head_size"]
    controls = {
        "dim": widgets.IntSlider(value=int(_clamp(dim, "head_size")), min=low, max=high, step=2,
                                 description="head size d = dᵥ", style=_style(),
                                 layout=_layout(widgets, "420px")),
    }

    def size(dim):
        return int(_clamp(dim, "head_size")) // 2 * 2

    def draw(dim):
        return plot_linear_attention_cost(size(dim), dims=(size(dim),), max_length=max_length,
                                          controls=False)

    def changes(dim):
        return linear_attention_cost_changes(size(dim), max_length=max_length)

    return _assemble(controls, draw, changes)


def attention_memory_widget(*, num_heads: int = 32, batch: int = 1, dtype: str = "bfloat16",
                            capacity_gb: float = 80.0, head_size: int = 128,
                            lengths: Any = None):
    """Live :func:`rope_viz.figures.plot_attention_memory`: heads, batch, dtype and GPU size.

    Parameters
    ----------
    num_heads : int
        Initial number of heads, clamped to [1, 128].
    batch : int
        Initial batch size, clamped to [1, 64].
    dtype : str
        Initial dtype of q, k, v and the scores: ``"float32"`` or ``"bfloat16"``.
    capacity_gb : float
        Initial GPU memory in GB (10⁹ bytes), clamped to [8, 256].
    head_size : int
        Size of each head (>= 1).
    lengths : iterable of int, optional
        Sequence lengths drawn (default: the figure's, 256 … 131,072).

    Returns
    -------
    ipywidgets.VBox
        A ``Dropdown`` "dtype", ``IntSlider`` controls "heads" and "batch", a ``FloatSlider``
        "GPU memory (GB)" and the figure; each move applies
        :func:`rope_viz.figures.gpu.attention_memory_changes`, and moves the GPU line, its
        note and the byte axis's range as the figure drawn for those sizes has them.

    Raises
    ------
    ValueError, TypeError
        For bad ``num_heads``, ``batch``, ``dtype``, ``capacity_gb``, ``head_size`` or
        ``lengths``.
    ImportError
        When ipywidgets is not installed.
    """

    from rope_viz._validation import check_choice
    from rope_viz.figures.gpu import (
        DEFAULT_LENGTHS,
        ITEMSIZES,
        attention_memory_changes,
        plot_attention_memory,
    )

    num_heads = check_int(num_heads, "num_heads", minimum=1)
    batch = check_int(batch, "batch", minimum=1)
    dtype = check_choice(dtype, "dtype", tuple(ITEMSIZES))
    capacity_gb = check_float(capacity_gb, "capacity_gb", minimum=0.0, strict=True)
    head_size = check_int(head_size, "head_size", minimum=1)
    lengths = check_int_tuple(DEFAULT_LENGTHS if lengths is None else lengths, "lengths",
                              minimum=1)
    if len(lengths) < 2:
        fail("lengths", "at least two lengths", lengths)
    widgets = _ipywidgets()
    controls = {
        "dtype": widgets.Dropdown(options=list(ITEMSIZES), value=dtype, description="dtype"),
        "num_heads": widgets.IntSlider(value=int(_clamp(num_heads, "num_heads")),
                                       min=RANGES["num_heads"][0], max=RANGES["num_heads"][1],
                                       description="heads"),
        "batch": widgets.IntSlider(value=int(_clamp(batch, "batch")), min=RANGES["batch"][0],
                                   max=RANGES["batch"][1], description="batch"),
        "capacity_gb": widgets.FloatSlider(value=_clamp(capacity_gb, "capacity_gb"),
                                           min=RANGES["capacity_gb"][0],
                                           max=RANGES["capacity_gb"][1], step=1.0,
                                           description="GPU memory (GB)", style=_style()),
    }

    def arguments(dtype, num_heads, batch, capacity_gb):
        return dict(lengths=lengths, batch=int(_clamp(batch, "batch")),
                    num_heads=int(_clamp(num_heads, "num_heads")), head_size=head_size,
                    capacity_gb=_clamp(capacity_gb, "capacity_gb"))

    def changes(dtype, **values):
        return attention_memory_changes(dtype, **arguments(dtype, **values))

    return _assemble(controls,
                     lambda dtype, **values: plot_attention_memory(dtype=dtype,
                                                                   **arguments(dtype, **values),
                                                                   controls=False),
                     changes)


def p_rope_spectrum_widget(dim: int = 128, *, base: float = 500000.0, context: int = 8192,
                           p: float = 0.75):
    """Live :func:`rope_viz.figures.plot_p_rope_spectrum` for any p, base, context and size.

    Parameters
    ----------
    dim : int
        Initial rotary dimension, one of 32, 64, 128, 256.
    base : float
        Initial RoPE base, clamped to [2, 1e7].
    context : int
        Initial context length, clamped to [64, 1048576].
    p : float
        Initial fraction of pairs p-RoPE keeps, clamped to [0, 1].

    Returns
    -------
    ipywidgets.VBox
        A ``FloatSlider`` "p (fraction kept)", a ``FloatLogSlider`` "base", a
        ``FloatLogSlider`` "context" (rounded to whole tokens), a ``Dropdown`` "head dim" and
        the figure; each move applies :func:`rope_viz.figures.nope.p_rope_spectrum_changes`.

    Raises
    ------
    ValueError, TypeError
        For bad ``dim``, ``base``, ``context`` or ``p``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures.nope import p_rope_spectrum_changes, plot_p_rope_spectrum

    dim = _head_dim(dim)
    base = check_float(base, "base", minimum=1.0)
    context = check_int(context, "context", minimum=2)
    p = check_float(p, "p")
    widgets = _ipywidgets()
    controls = {
        "p": widgets.FloatSlider(value=_clamp(p, "p"), min=RANGES["p"][0], max=RANGES["p"][1],
                                 step=1 / 128, readout_format=".3f",
                                 description="p (fraction kept)", style=_style(),
                                 layout=_layout(widgets, "420px")),
        "base": _log_slider(widgets, base, "base", "base", continuous_update=False),
        "context": _log_slider(widgets, context, "context", "context",
                               continuous_update=False, readout_format=".0f"),
        "dim": widgets.Dropdown(options=list(HEAD_DIMS), value=dim, description="head dim"),
    }

    def arguments(p, base, context, dim):
        return dict(dim=dim, base=_clamp(base, "base"),
                    context=int(round(_clamp(context, "context"))))

    def draw(p, **values):
        return plot_p_rope_spectrum(**arguments(p, **values), ps=(_clamp(p, "p"),),
                                    controls=False)

    def changes(p, **values):
        return p_rope_spectrum_changes(**arguments(p, **values), p=_clamp(p, "p"))

    return _assemble(controls, draw, changes)


def multimodal_positions_widget(image: Any = (4, 4), *, frames: int = 2,
                                second_per_grid_t: float = 1.0,
                                tokens_per_second: float = 2.0):
    """Live :func:`rope_viz.figures.plot_multimodal_positions`: resize the image, add frames.

    The sequence is that of :data:`rope_viz.figures.multimodal.DEFAULT_SEGMENTS` (three text
    tokens, an image, two text tokens, a 2 x 3 video, two text tokens), with the image's
    rows and columns, the video's frames and the seconds per temporal patch on controls;
    the fifth panel (Qwen2.5-VL's absolute time) is always drawn.

    Parameters
    ----------
    image : (int, int)
        Initial image size in patches (rows, columns), each clamped to [1, 6].
    frames : int
        Initial number of video frames (temporal patches), clamped to [1, 4].
    second_per_grid_t : float
        Initial seconds per temporal patch, clamped to [0.5, 4].
    tokens_per_second : float
        Temporal ids per second (> 0).

    Returns
    -------
    ipywidgets.VBox
        ``IntSlider`` controls "image rows", "image columns" and "video frames", a
        ``FloatSlider`` "s per frame" (step 0.5) and the figure; each move applies
        :func:`rope_viz.figures.multimodal.multimodal_positions_changes`.

    Raises
    ------
    ValueError, TypeError
        For a bad ``image``, ``frames``, ``second_per_grid_t`` or ``tokens_per_second``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures.multimodal import (
        multimodal_positions_changes,
        plot_multimodal_positions,
    )

    rows, columns = check_int_tuple(image, "image", length=2, minimum=1)
    frames = check_int(frames, "frames", minimum=1)
    second_per_grid_t = check_float(second_per_grid_t, "second_per_grid_t", minimum=0.0)
    tokens_per_second = check_float(tokens_per_second, "tokens_per_second", minimum=0.0)
    widgets = _ipywidgets()
    low, high = RANGES["image_side"]
    controls = {
        "rows": widgets.IntSlider(value=int(_clamp(rows, "image_side")), min=low, max=high,
                                  description="image rows", style=_style()),
        "columns": widgets.IntSlider(value=int(_clamp(columns, "image_side")), min=low,
                                     max=high, description="image columns", style=_style()),
        "frames": widgets.IntSlider(value=int(_clamp(frames, "frames")),
                                    min=RANGES["frames"][0], max=RANGES["frames"][1],
                                    description="video frames", style=_style()),
        "seconds": widgets.FloatSlider(value=_clamp(second_per_grid_t, "seconds"),
                                       min=RANGES["seconds"][0], max=RANGES["seconds"][1],
                                       step=0.5, description="s per frame", style=_style()),
    }

    def arguments(rows, columns, frames, seconds):
        segments = [("text", 3),
                    ("image", (1, int(_clamp(rows, "image_side")),
                               int(_clamp(columns, "image_side")))),
                    ("text", 2), ("video", (int(_clamp(frames, "frames")), 2, 3)), ("text", 2)]
        return dict(segments=segments, spatial_merge_size=1,
                    second_per_grid_t=_clamp(seconds, "seconds"),
                    tokens_per_second=tokens_per_second)

    return _assemble(controls,
                     lambda **values: plot_multimodal_positions(**arguments(**values),
                                                                controls=False),
                     lambda **values: multimodal_positions_changes(**arguments(**values),
                                                                   controls=False))


def length_generalization_widget(result: Any, *, task: str | None = None, shown: Any = None):
    """Live :func:`rope_viz.figures.plot_length_generalization`: pick the task and the encodings.

    Nothing is trained on a move: the widget redraws the accuracies already in ``result``.

    Parameters
    ----------
    result : rope_viz.experiments.ShootoutResult
        What :func:`rope_viz.run_shootout` returned.
    task : str, optional
        Initial task (default: the first of ``result.tasks``).
    shown : sequence of str, optional
        Initial encodings drawn (default: all); the others stay in the legend, greyed.

    Returns
    -------
    ipywidgets.VBox
        A ``Dropdown`` "task", a ``SelectMultiple`` "encodings" (ctrl- or shift-click to pick
        several) and the figure; each move applies
        :func:`rope_viz.figures.experiments.length_generalization_changes`.

    Raises
    ------
    ValueError, TypeError
        For a ``result`` that is not a ShootoutResult, a task it does not hold, or ``shown``
        naming an encoding it does not hold.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures.experiments import (
        length_generalization_changes,
        plot_length_generalization,
    )

    # the changes function checks result, task and shown, with the figure's messages
    length_generalization_changes(result, task=task, shown=shown)
    task = result.tasks[0] if task is None else task
    shown = tuple(result.encodings) if shown is None else tuple(shown)
    widgets = _ipywidgets()
    controls = {
        "task": widgets.Dropdown(options=list(result.tasks), value=task, description="task"),
        "shown": widgets.SelectMultiple(options=list(result.encodings), value=shown,
                                        rows=min(len(result.encodings), 8),
                                        description="encodings"),
    }

    def draw(task, shown):
        return plot_length_generalization(result, task=task, shown=tuple(shown),
                                          controls=False)

    def changes(task, shown):
        return length_generalization_changes(result, task=task, shown=tuple(shown))

    return _assemble(controls, draw, changes)
