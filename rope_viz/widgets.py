"""Live widgets: the book's figures, redrawn for any value of their continuous parameters.

What this module holds
----------------------
One ``*_widget`` function per movable figure in :mod:`rope_viz.figures`. Each returns an
``ipywidgets.VBox`` of core controls (``IntSlider``, ``FloatSlider``, ``FloatLogSlider``,
``Dropdown``, ``Checkbox``) above an ``Output`` in which the plotly figure is redrawn whenever a
control changes (``ipywidgets.interactive_output``). The box's ``figure`` attribute holds the
figure shown.

The figure is built once by its ``plot_*`` function, without the figure's own sliders, buttons
and animation frames (the controls above replace them). After that, each widget keeps it and
changes only what moved, its trace data and a title, computed by the same private helpers
that fill the static figure's slider steps and frames: building a plotly figure takes tens of
milliseconds, updating one a few (``benchmarks/bench_widgets.py`` prints the times).

These need a live kernel (Jupyter, Binder, Colab). They use core widgets only, so they work
with ipywidgets 7.7 (Colab) and 8, and they never use ``go.FigureWidget``. In the static book
the figures move with their own plotly sliders instead. ipywidgets is imported inside each
function, so ``import rope_viz`` works without it.

Values given to a ``*_widget`` function that fall outside a control's range are clamped to
the range (the controls themselves clamp what a reader types).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rope_viz._validation import check_dim, check_float, check_int, fail

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
}


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


def _live(fig):
    """A figure for a live widget: the ipywidgets controls replace its own sliders and buttons."""
    fig.frames = ()
    fig.layout.sliders = ()
    fig.layout.updatemenus = ()
    fig.layout.margin.b = 60
    return fig


def _apply(fig, traces: dict, layout: dict | None = None):
    """Apply per-trace changes ``{index: {prop: value}}`` and relayout paths to ``fig``."""
    for index, changes in traces.items():
        fig.data[index].update(changes)
    if layout:
        fig.plotly_relayout(layout)


def _assemble(controls: dict, draw: Callable[..., Any], change: Callable[..., Any]):
    """Controls in a row above an Output that redraws the figure on every change.

    The first drawing is ``draw(**values)`` (a ``plot_*`` figure, see :func:`_live`). After
    that the same figure is kept and ``change(fig, **values)`` updates only what moved (its
    trace data, a title): rebuilding a plotly figure costs far more than recomputing its
    numbers.
    """
    widgets = _ipywidgets()
    from IPython.display import display

    box = widgets.VBox()
    box.figure = None

    def update(**values):
        if box.figure is None:
            box.figure = _live(draw(**values))
        else:
            change(box.figure, **values)
        display(box.figure)

    output = widgets.interactive_output(update, controls)
    rows = list(controls.values())
    box.children = [widgets.HBox(rows[:3]), *([widgets.HBox(rows[3:])] if rows[3:] else []), output]
    box.controls = controls
    return box


def _layout(widgets, width: str = "320px"):
    return widgets.Layout(width=width)


def _style():
    return {"description_width": "initial"}


def encoding_heatmaps_widget(positions: int = 16, dim: int = 16, *, length: int = 64,
                             base: float = 10000.0):
    """Live :func:`rope_viz.figures.plot_encoding_heatmaps` with a slider for any length.

    Parameters
    ----------
    positions : int
        How many positions are shown (rows), 1 to 16 bits' worth; the length slider starts there.
    dim : int
        Dimensions shown (positive, even).
    length : int
        Initial sequence length, clamped to [max(positions, 16), 4096].
    base : float
        Sinusoidal base (> 1).

    Returns
    -------
    ipywidgets.VBox
        An ``IntSlider`` "sequence length" and the figure.

    Raises
    ------
    ValueError, TypeError
        For bad ``positions``, ``dim``, ``length`` or ``base``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures import plot_encoding_heatmaps
    from rope_viz.figures.encodings import _normalised_changes

    positions = check_int(positions, "positions", minimum=1)
    dim = check_dim(dim)
    length = check_int(length, "length", minimum=1)
    base = check_float(base, "base", minimum=1.0)
    widgets = _ipywidgets()
    low, high = max(RANGES["length"][0], positions), RANGES["length"][1]
    control = widgets.IntSlider(value=int(min(max(length, low), high)), min=low, max=high,
                                description="sequence length", style=_style(),
                                layout=_layout(widgets, "420px"), continuous_update=False)

    shown = np.arange(positions)

    def draw(length):
        length = int(min(max(length, low), high))
        return plot_encoding_heatmaps(shown, dim, lengths=(length,), base=base)

    def change(fig, length):
        _apply(fig, *_normalised_changes(shown, dim, int(min(max(length, low), high))))

    return _assemble({"length": control}, draw, change)


def bits_to_waves_widget(positions: int = 32, *, dim: int = 16, base: float = 10000.0):
    """Live :func:`rope_viz.figures.plot_bits_to_waves`: choose the span, dimensions and base.

    Parameters
    ----------
    positions : int
        Initial number of positions, clamped to [8, 128].
    dim : int
        Size of the codes (positive, even, >= 6).
    base : float
        Initial sinusoidal base, clamped to [2, 1e7].

    Returns
    -------
    ipywidgets.VBox
        An ``IntSlider`` "positions", a ``Dropdown`` of sinusoidal dimension triples, a
        ``FloatLogSlider`` "base", and the figure, its 3-D paths drawn up to the last position
        (:func:`rope_viz.figures.plot_bits_to_waves` animates them).

    Raises
    ------
    ValueError, TypeError
        For bad ``positions``, ``dim`` or ``base``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures import plot_bits_to_waves
    from rope_viz.figures.encodings import _bits_changes

    positions = check_int(positions, "positions", minimum=1)
    dim = check_dim(dim)
    if dim < 6:
        fail("dim", "an even integer >= 6 (three dimensions of each code)", dim)
    base = check_float(base, "base", minimum=1.0)
    widgets = _ipywidgets()
    triples = [(2 * i, 2 * i + 1, 2 * i + 2) for i in range(dim // 2 - 1)]
    controls = {
        "count": widgets.IntSlider(value=int(_clamp(positions, "positions")),
                                   min=RANGES["positions"][0], max=RANGES["positions"][1],
                                   description="positions", continuous_update=False),
        "dims": widgets.Dropdown(options=[(f"sinusoid dims {t}", t) for t in triples],
                                 value=triples[min(1, len(triples) - 1)],
                                 description="3-D path", style=_style()),
        "base": widgets.FloatLogSlider(value=_clamp(base, "base"), base=10,
                                       min=np.log10(RANGES["base"][0]),
                                       max=np.log10(RANGES["base"][1]),
                                       description="base", continuous_update=False),
    }

    bits, binary_dims, samples = (0, 1, 2, 3), (0, 1, 2), 4

    def draw(count, dims, base):
        fig = plot_bits_to_waves(int(_clamp(count, "positions")), bits=bits,
                                 binary_dims=binary_dims, sinusoid_dims=dims, dim=dim,
                                 base=_clamp(base, "base"), samples_per_position=samples)
        change(fig, count, dims, base)
        return fig

    def change(fig, count, dims, base):
        positions = np.arange(int(_clamp(count, "positions")))
        traces, _ = _bits_changes(positions, bits, binary_dims, tuple(dims), dim,
                                  _clamp(base, "base"), samples, len(positions) - 1)
        _apply(fig, traces)  # the whole path: a live figure has no animation frames

    return _assemble(controls, draw, change)


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
        Two ``FloatSlider`` controls ("position k", "shift Δ") and the figure.

    Raises
    ------
    ValueError, TypeError
        For bad ``pair``, ``dim``, ``base``, ``k`` or ``delta``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures import plot_shift_rotation
    from rope_viz.figures.shift import _shift_changes

    dim = check_dim(dim)
    pair = check_int(pair, "pair", minimum=0)
    if pair >= dim // 2:
        fail("pair", f"a pair index below dim/2 = {dim // 2}", pair)
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
                                   deltas=[_clamp(delta, "delta")])

    def change(fig, k, delta):
        (k_layout,), ((traces, d_layout),) = _shift_changes(
            pair, dim, base, np.array([_clamp(k, "k")]), np.array([_clamp(delta, "delta")]))
        _apply(fig, traces, {**k_layout, **d_layout})

    return _assemble(controls, draw, change)


def dot_product_offset_widget(*, dim: int = 64, base: float = 10000.0, offsets: int = 128):
    """Live :func:`rope_viz.figures.plot_dot_product_offset` for any base and head size.

    Parameters
    ----------
    dim : int
        Initial size of the code (even), clamped to [2, 256].
    base : float
        Initial base, clamped to [2, 1e7].
    offsets : int
        Offsets −offsets … offsets are drawn (>= 1).

    Returns
    -------
    ipywidgets.VBox
        A ``FloatLogSlider`` "base", an ``IntSlider`` "dim" (step 2) and the figure.

    Raises
    ------
    ValueError, TypeError
        For bad ``dim``, ``base`` or ``offsets``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures import plot_dot_product_offset
    from rope_viz.figures.shift import _dot_changes

    dim = check_dim(dim)
    base = check_float(base, "base", minimum=1.0)
    offsets = check_int(offsets, "offsets", minimum=1)
    widgets = _ipywidgets()
    controls = {
        "base": widgets.FloatLogSlider(value=_clamp(base, "base"), base=10,
                                       min=np.log10(RANGES["base"][0]),
                                       max=np.log10(RANGES["base"][1]), description="base"),
        "dim": widgets.IntSlider(value=int(min(max(dim, 2), 256)), min=2, max=256, step=2,
                                 description="dim"),
    }

    shown = np.arange(-offsets, offsets + 1, dtype=np.float64)

    def draw(base, dim):
        dim = int(min(max(dim, 2), 256)) // 2 * 2
        return plot_dot_product_offset(offsets, dim=dim, bases=(_clamp(base, "base"),))

    def change(fig, base, dim):
        dim = int(min(max(dim, 2), 256)) // 2 * 2
        query = np.random.default_rng(0).standard_normal((1, dim))  # the figure's rng=0
        _apply(fig, *_dot_changes(shown, dim, _clamp(base, "base"), 0.0, query))

    return _assemble(controls, draw, change)


def rope_rotation_widget(dim: int = 16, *, position: float = 0.0, offset: float = 3.0,
                         base: float = 10000.0):
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

    Returns
    -------
    ipywidgets.VBox
        Two ``FloatSlider`` controls ("key position m", "offset") and the figure.

    Raises
    ------
    ValueError, TypeError
        For bad ``dim``, ``position``, ``offset`` or ``base``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures import plot_rope_rotation
    from rope_viz.figures.rotation import _rotation_changes, rope_rotation_data

    dim = check_dim(dim)
    if dim > 64:
        fail("dim", "at most 64 (one panel per pair)", dim)
    position = check_float(position, "position")
    offset = check_float(offset, "offset")
    base = check_float(base, "base", minimum=1.0)
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
                                  offset=_clamp(offset, "offset"), base=base)

    def change(fig, position, offset):
        positions, offset = np.array([_clamp(position, "position")]), _clamp(offset, "offset")
        q_rot, k_rot, scores = rope_rotation_data(positions, dim, base, offset, rng=0)
        _apply(fig, *_rotation_changes(q_rot.reshape(1, -1, 2), k_rot.reshape(1, -1, 2), scores,
                                       positions, offset, 0, trail=1))

    return _assemble(controls, draw, change)


def long_range_decay_widget(*, dim: int = 128, base: float = 10000.0, max_distance: int = 8192,
                            log_x: bool = False, samples: int = 200):
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

    Returns
    -------
    ipywidgets.VBox
        A ``FloatLogSlider`` "base", a ``Dropdown`` "head dim", an ``IntSlider`` "max distance",
        a ``Checkbox`` "log distance" and the figure.

    Raises
    ------
    ValueError, TypeError
        For a bad ``dim``, ``base``, ``max_distance`` or ``samples``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz._validation import check_bool
    from rope_viz.figures import plot_long_range_decay
    from rope_viz.figures._style import rounded
    from rope_viz.figures.decay import (
        DIM_COLORS,
        _decay_changes,
        _distance_axes,
        decay_distances,
    )

    dims = (32, 64, 128, 256)
    dim = check_dim(dim)
    if dim not in dims:
        fail("dim", f"one of {dims}", dim)
    base = check_float(base, "base", minimum=1.0)
    max_distance = check_int(max_distance, "max_distance", minimum=2)
    log_x = check_bool(log_x, "log_x")
    samples = check_int(samples, "samples", minimum=1)
    widgets = _ipywidgets()
    low, high = RANGES["decay_base"]
    controls = {
        "base": widgets.FloatLogSlider(value=_clamp(base, "decay_base"), base=10,
                                       min=np.log10(low), max=np.log10(high), description="base",
                                       continuous_update=False),
        "dim": widgets.Dropdown(options=list(dims), value=dim, description="head dim"),
        "max_distance": widgets.IntSlider(value=int(_clamp(max_distance, "max_distance")),
                                          min=RANGES["max_distance"][0],
                                          max=RANGES["max_distance"][1],
                                          description="max distance", style=_style(),
                                          continuous_update=False),
        "log_x": widgets.Checkbox(value=log_x, description="log distance"),
    }

    def draw(base, dim, max_distance, log_x):
        base, max_distance = _clamp(base, "decay_base"), int(_clamp(max_distance, "max_distance"))
        fig = plot_long_range_decay(max_distance, dims=(dim,), dim=dim, bases=(base,), base=base,
                                    samples=samples)
        fig.plotly_relayout(_distance_axes(decay_distances(max_distance), bool(log_x)))
        return fig

    def change(fig, base, dim, max_distance, log_x):
        distances = decay_distances(int(_clamp(max_distance, "max_distance")))
        traces, _ = _decay_changes(distances, (dim,), _clamp(base, "decay_base"), samples, 0)
        for changes in traces.values():  # the head dimension and the distances may move too
            changes.update(x=rounded(distances), name=f"d = {dim}", legendgroup=str(dim),
                           line_color=DIM_COLORS[dim])
        _apply(fig, traces, _distance_axes(distances, bool(log_x)))

    return _assemble(controls, draw, change)


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
        A ``FloatSlider`` "factor", a ``FloatLogSlider`` "base" and the figure.

    Raises
    ------
    ValueError, TypeError
        For bad ``dim``, ``base``, ``factor`` or ``original_context``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures import plot_scaled_wavelengths
    from rope_viz.figures.spectrum import _scaled_changes

    dim = check_dim(dim)
    base = check_float(base, "base", minimum=1.0)
    factor = check_float(factor, "factor")
    original_context = check_int(original_context, "original_context", minimum=2)
    widgets = _ipywidgets()
    controls = {
        "factor": widgets.FloatSlider(value=_clamp(factor, "factor"), min=RANGES["factor"][0],
                                      max=RANGES["factor"][1], step=0.5,
                                      description="factor", continuous_update=False),
        "base": widgets.FloatLogSlider(value=_clamp(base, "base"), base=10,
                                       min=np.log10(RANGES["base"][0]),
                                       max=np.log10(RANGES["base"][1]), description="base",
                                       continuous_update=False),
    }

    def draw(factor, base):
        # a factor of exactly 1 is no scaling; the rules need > 1, so nudge it
        factor = max(_clamp(factor, "factor"), 1.0 + 1e-6)
        return plot_scaled_wavelengths(dim, base=_clamp(base, "base"),
                                       original_context=original_context, factors=(factor,))

    def change(fig, factor, base):
        factor = max(_clamp(factor, "factor"), 1.0 + 1e-6)
        _apply(fig, *_scaled_changes(dim, _clamp(base, "base"), factor, original_context))

    return _assemble(controls, draw, change)


def relative_biases_widget(n: int = 32, *, num_heads: int = 8, head: int = 1,
                           num_buckets: int = 32, max_distance: int = 128):
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

    Returns
    -------
    ipywidgets.VBox
        An ``IntSlider`` "length", an ``IntSlider`` "ALiBi head", a ``Checkbox``
        "bidirectional T5" and the figure.

    Raises
    ------
    ValueError, TypeError
        For bad ``n``, ``num_heads``, ``head``, ``num_buckets`` or ``max_distance``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz.figures import plot_relative_biases
    from rope_viz.figures.scores import _alibi_changes, _t5_z
    from rope_viz.relative import alibi_bias, alibi_slopes

    n = check_int(n, "n", minimum=1)
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    head = check_int(head, "head", minimum=1)
    num_buckets = check_int(num_buckets, "num_buckets", minimum=2)
    max_distance = check_int(max_distance, "max_distance", minimum=1)
    widgets = _ipywidgets()
    controls = {
        "n": widgets.IntSlider(value=int(_clamp(n, "n")), min=RANGES["n"][0],
                               max=RANGES["n"][1], description="length",
                               continuous_update=False),
        "head": widgets.IntSlider(value=min(head, num_heads), min=1, max=num_heads,
                                  description="ALiBi head", style=_style()),
        "bidirectional": widgets.Checkbox(value=True, description="bidirectional T5"),
    }

    def draw(n, head, bidirectional):
        fig = plot_relative_biases(int(_clamp(n, "n")), num_heads=num_heads,
                                   num_buckets=num_buckets, max_distance=max_distance,
                                   bidirectional=bool(bidirectional))
        change(fig, n, head, bidirectional)
        return fig

    def change(fig, n, head, bidirectional):
        n = int(_clamp(n, "n"))
        bias = alibi_bias(n, num_heads)  # (heads, n, n)
        index = min(max(int(head), 1), num_heads) - 1
        traces, layout = _alibi_changes(bias, alibi_slopes(num_heads), index)
        traces[0]["zmin"] = float(bias.min())
        traces[1] = {"z": _t5_z(n, bool(bidirectional), num_buckets, max_distance)}
        _apply(fig, traces, layout)

    return _assemble(controls, draw, change)


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
        ``IntSlider`` controls "row" and "column", a ``FloatLogSlider`` "base" and the figure.

    Raises
    ------
    ValueError, TypeError
        For a bad ``shape``, ``dim``, ``base``, ``row`` or ``column``.
    ImportError
        When ipywidgets is not installed.
    """
    from rope_viz._validation import check_int_tuple
    from rope_viz.figures import plot_rope2d_maps
    from rope_viz.figures.grid2d import _rope2d_changes

    shape = check_int_tuple(shape, "shape", length=2, minimum=1)
    dim = check_dim(dim)
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
        "base": widgets.FloatLogSlider(value=_clamp(base, "grid_base"), base=10,
                                       min=np.log10(RANGES["grid_base"][0]),
                                       max=np.log10(RANGES["grid_base"][1]),
                                       description="base", continuous_update=False),
    }

    def patch_of(row, column):
        return min(max(int(row), 0), h - 1), min(max(int(column), 0), w - 1)

    def draw(row, column, base):
        return plot_rope2d_maps(shape, dim, base=_clamp(base, "grid_base"),
                                patches=[patch_of(row, column)])

    def change(fig, row, column, base):
        traces, _ = _rope2d_changes(shape, dim, _clamp(base, "grid_base"), patch_of(row, column))
        _apply(fig, traces)

    return _assemble(controls, draw, change)
