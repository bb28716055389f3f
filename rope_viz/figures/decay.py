"""Figure: RoPE's long-range decay, Su's bound and the measured mean score.

What this module holds
----------------------
- :func:`plot_long_range_decay`: Su's bound (1/(d/2)) Σ_j ``|S_j|`` against relative distance,
  above the mean RoPE score of random queries with themselves; a slider for the base,
  buttons for the head dimension and for a log-scaled distance axis.
- :func:`long_range_decay_changes`: everything one base, set of head dimensions, largest
  distance and axis scale set in that figure (the ``(traces, layout)`` shape of
  :mod:`rope_viz.figures._style`), as a live widget applies it.

Numbers come from :func:`rope_viz.long_range_decay` and :func:`rope_viz.empirical_decay`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from rope_viz._validation import (
    check_array,
    check_bool,
    check_dim,
    check_float,
    check_int,
    check_int_tuple,
    fail,
)
from rope_viz.decay import empirical_decay, long_range_decay
from rope_viz.figures._style import (
    NEUTRAL,
    base_layout,
    buttons,
    rounded,
    set_narrow,
    short_number,
    slider,
    step_args,
    subplots,
)

__all__ = ["plot_long_range_decay", "long_range_decay_changes", "decay_distances",
           "DIM_COLORS"]

#: One colour per head dimension (light to dark as the head grows).
DIM_COLORS = {32: "#56B4E9", 64: "#009E73", 128: "#0072B2", 256: "#CC79A7"}
_EXTRA_COLORS = ("#E69F00", "#D55E00", "#555555", "#F0E442")


def decay_distances(max_distance: int, dense: int = 256, sparse: int = 64) -> np.ndarray:
    """Distances 0 … ``dense`` − 1 one by one, then ``sparse`` log-spaced ones up to the maximum."""
    max_distance = check_int(max_distance, "max_distance", minimum=2)
    head = np.arange(min(dense, max_distance + 1), dtype=np.float64)  # (dense,)
    if max_distance < dense:
        return head
    tail = np.geomspace(dense, max_distance, sparse).round()  # (sparse,)
    return np.unique(np.concatenate([head, tail]))


def _color(dim: int, index: int) -> str:
    return DIM_COLORS.get(dim, _EXTRA_COLORS[index % len(_EXTRA_COLORS)])


def _check_dims(dims: Any) -> tuple:
    dims = check_int_tuple(dims, "dims", minimum=2)
    for d in dims:
        check_dim(d, "dims")
    return dims


def long_range_decay_changes(max_distance: int = 8192, *, dims: Any = (128,),
                             base: float = 10000.0, samples: int = 500, rng: Any = 0,
                             log_x: bool = False) -> tuple:
    """Everything a base, the head dimensions, the largest distance and the axis scale set in
    :func:`plot_long_range_decay`.

    Parameters
    ----------
    max_distance : int
        Largest distance drawn (>= 2; see :func:`decay_distances`).
    dims : sequence of int
        The figure's head dimensions (each positive and even), in its trace order.
    base : float
        The base (> 1).
    samples : int
        Random queries averaged for the mean score (>= 1).
    rng : numpy.random.Generator or int
        Source of the random queries, drawn as the figure draws them: the same int gives the
        same queries (see :mod:`rope_viz._validation`).
    log_x : bool
        Log-scaled distance axes.

    Returns
    -------
    tuple
        ``(traces, layout)`` in the shape of :mod:`rope_viz.figures._style`: for each head
        dimension ``dims[i]``, the bound (trace 2i) and the mean score (trace 2i + 1) with their
        ``x``, ``y``, ``name``, ``legendgroup`` and ``line_color``; the layout sets both distance
        axes' type and range.

    Raises
    ------
    ValueError, TypeError
        For a bad ``max_distance``, ``dims``, ``base``, ``samples``, ``rng`` or ``log_x``.

    Examples
    --------
    >>> traces, layout = long_range_decay_changes(64, dims=(32,), samples=2)
    >>> traces[0]["name"], traces[0]["y"][0], layout["xaxis.type"]
    ('d = 32', 8.5, 'linear')
    """
    distances = decay_distances(max_distance)
    dims = _check_dims(dims)
    base = check_float(base, "base", minimum=1.0)
    samples = check_int(samples, "samples", minimum=1)
    log_x = check_bool(log_x, "log_x")
    traces, _ = _decay_curves(distances, dims, base, samples, rng)
    x = rounded(distances)
    for index, d in enumerate(dims):
        for trace in (2 * index, 2 * index + 1):
            traces[trace].update(x=x, name=f"d = {d}", legendgroup=str(d),
                                 line_color=_color(d, index))
    return traces, _distance_axes(distances, log_x)


def _decay_curves(distances: np.ndarray, dims: tuple, base: float, samples: int,
                  rng: Any) -> tuple:
    """What one base changes in :func:`plot_long_range_decay`: ``(traces, layout)``.

    The ``y`` of the bound (trace 2i) and of the mean score (trace 2i + 1) for each head
    dimension ``dims[i]``; the slider steps apply these, and
    :func:`long_range_decay_changes` adds what the distances and head sizes set.
    """
    traces = {}
    for index, d in enumerate(dims):
        score = empirical_decay(distances, d, base, identical=True, samples=samples, rng=rng)
        traces[2 * index] = {"y": rounded(long_range_decay(distances, d, base), 3)}
        traces[2 * index + 1] = {"y": rounded(score, 3)}
    return traces, {}


def _distance_axes(distances: np.ndarray, log: bool) -> dict:
    """Relayout paths putting both distance axes on a linear (first 256) or a log scale."""
    if log:
        kind, span = "log", [0, float(np.log10(distances[-1]))]
    else:
        kind, span = "linear", [0, min(256, float(distances[-1]))]
    return {"xaxis.type": kind, "xaxis2.type": kind, "xaxis.range": span, "xaxis2.range": span}


def plot_long_range_decay(
    max_distance: int = 8192,
    *,
    dims: Any = (32, 64, 128, 256),
    bases: Any = (100.0, 1000.0, 10000.0, 100000.0, 500000.0, 1000000.0, 10000000.0),
    dim: int = 128,
    base: float = 10000.0,
    samples: int = 500,
    rng: Any = 0,
    log_x: bool = False,
    controls: bool = True,
) -> go.Figure:
    """Su's long-range decay bound and the mean RoPE score against relative distance.

    Top: (1/(d/2)) Σⱼ ``|Sⱼ|`` with ``Sⱼ = Σ_{i<j} e^(i·m·θᵢ)``, the factor that bounds the RoPE
    attention score at distance m; for d = 128 it starts at 32.5 and falls, with bumps (not
    monotone). Bottom: the mean score (Rₘq)·q of random Gaussian queries with themselves,
    which falls from d at m = 0 towards 0 while oscillating. The base slider shows that a
    larger base stretches the decay over longer distances; the head-dimension buttons show
    the curves for d = 32 … 256 (one colour each); the axis buttons switch the distance axis to
    a log scale, where the slow tail is visible.

    Calls :func:`rope_viz.long_range_decay` and :func:`rope_viz.empirical_decay`
    (``identical=True``).

    Parameters
    ----------
    max_distance : int
        Largest distance drawn (>= 2); distances 0 … 255 are drawn one by one, larger ones on a
        log-spaced grid (see :func:`decay_distances`).
    dims : sequence of int
        Head dimensions offered by the buttons (each positive and even).
    bases : sequence of float
        Bases on the slider (each > 1).
    dim : int
        The head dimension shown first (one of ``dims``).
    base : float
        The base shown first (one of ``bases``).
    samples : int
        Random queries averaged for the bottom panel (>= 1).
    rng : numpy.random.Generator or int
        Source of the random queries.
    log_x : bool
        Start with log-scaled distance axes.
    controls : bool
        Draw the slider and the buttons (default). ``False``: none of them (and only the
        curves of ``base`` are computed); the figure shows ``dim`` and ``base``.

    Returns
    -------
    plotly.graph_objects.Figure
        Two scatter traces per head dimension (bound, then mean score), only those of ``dim``
        visible; with ``controls``, a slider (one step per base, restyling ``y`` of every
        trace) and two button rows (head dimension: restyle ``visible``; distance axis: linear
        or log). :func:`long_range_decay_changes` gives the traces for any state.

    Raises
    ------
    ValueError, TypeError
        For a bad ``max_distance``, ``dims``, ``bases``, ``samples``, ``rng``, ``log_x`` or
        ``controls``, or a ``dim`` / ``base`` that is not among ``dims`` / ``bases``.

    Examples
    --------
    >>> fig = plot_long_range_decay(512, dims=(64, 128), bases=(1e4, 1e6), samples=10)
    >>> len(fig.data), len(fig.layout.sliders[0].steps)
    (4, 2)
    """
    distances = decay_distances(max_distance)
    dims = _check_dims(dims)
    bases_arr = check_array(bases, "bases", ndim=1, nonempty=True,
                            what="a non-empty sequence of numbers > 1")
    if np.any(bases_arr <= 1):
        fail("bases", "a non-empty sequence of numbers > 1", bases)
    bases = tuple(float(b) for b in bases_arr)
    dim = check_dim(dim)
    if dim not in dims:
        fail("dim", f"one of dims {dims}", dim)
    if not any(np.isclose(base, b) for b in bases):
        fail("base", f"one of bases {tuple(f'{b:g}' for b in bases)}", base)
    start = int(np.argmin([abs(np.log(b / base)) for b in bases]))
    samples = check_int(samples, "samples", minimum=1)
    log_x = check_bool(log_x, "log_x")
    controls = check_bool(controls, "controls")
    if not controls:
        bases, start = bases[start:start + 1], 0

    per_base = [_decay_curves(distances, dims, b, samples, rng) for b in bases]

    fig = subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                   subplot_titles=("Su's bound (1/(d/2)) Σⱼ |Sⱼ|",
                                   "mean score (Rₘq)·q, random q"))
    x = rounded(distances)
    shown = per_base[start][0]  # {trace: {"y": ...}}
    for index, d in enumerate(dims):
        common = dict(x=x, mode="lines", visible=d == dim, legendgroup=str(d),
                      line=dict(color=_color(d, index), width=2))
        fig.add_trace(go.Scatter(**shown[2 * index], name=f"d = {d}", **common), 1, 1)
        fig.add_trace(go.Scatter(**shown[2 * index + 1], name=f"d = {d}", showlegend=False,
                                 **common), 2, 1)

    steps = [dict(method="update", label=short_number(b), args=step_args(*changes))
             for b, changes in zip(bases, per_base)]
    dim_buttons = [
        dict(label=f"d = {d}", method="restyle",
             args=[{"visible": [dd == d for dd in dims for _ in range(2)]}])
        for d in dims
    ] + [dict(label="all", method="restyle", args=[{"visible": [True] * (2 * len(dims))}])]
    axis_buttons = [
        dict(label="linear distance", method="relayout", args=[_distance_axes(distances, False)]),
        dict(label="log distance", method="relayout", args=[_distance_axes(distances, True)]),
    ]
    fig.update_layout(**base_layout(
        title="RoPE scores decay with distance",
        height=640,
        margin=dict(l=70, r=30, t=130, b=110) if controls else dict(l=70, r=30, t=80, b=60),
        sliders=[slider(steps, prefix="base = ", active=start, y=-0.1)] if controls else [],
        updatemenus=[
            buttons(dim_buttons, x=0.0, y=1.07, active=dims.index(dim)),
            buttons(axis_buttons, x=1.0, y=1.07, active=int(log_x)) | dict(xanchor="right"),
        ] if controls else [],
        legend=dict(orientation="v", x=0.99, xanchor="right", y=0.99, yanchor="top"),
    ))
    fig.update_layout(title_y=0.985, title_yanchor="top")
    fig.plotly_relayout(_distance_axes(distances, log_x))
    fig.update_xaxes(title_text="relative distance m (positions)", row=2, col=1)
    fig.update_yaxes(title_text="bound factor", row=1, col=1)
    fig.update_yaxes(title_text="mean score", row=2, col=1)
    fig.add_hline(y=0, line=dict(color=NEUTRAL, width=1), row=2, col=1)
    set_narrow(fig, {}, _narrow_layout(controls))
    return fig


def _narrow_layout(controls: bool) -> dict:
    """Phone layout: the axis buttons on a row of their own under the head-dimension row."""
    if not controls:
        return {}
    return {
        "margin.t": 175,
        "updatemenus[0].x": -0.17,  # into the left margin: five buttons need the whole width
        "updatemenus[0].y": 1.21,
        "updatemenus[1].x": -0.17,
        "updatemenus[1].xanchor": "left",
        "updatemenus[1].y": 1.1,
    }
