"""Figures for the epilogue: how finely NoPE can count, and which pairs p-RoPE stops.

What this module holds
----------------------
- :func:`plot_marker_resolution`: the gap between neighbouring marker codes ``1/(i+1)``
  against the position, beside the spacing of bfloat16, float16 and float32 numbers and a
  noise level set by a slider: where the gap drops below either, positions blur.
- :func:`plot_p_rope_spectrum`: for each pair, the number of turns it makes across the
  context (log scale) under RoPE, with the pairs that p-RoPE keeps and the pairs it removes;
  a slider for ``p``, the fraction kept.
- :func:`p_rope_spectrum_changes`: everything ``p``, the base, the context and the size set
  in that figure (the ``(traces, layout)`` shape of :mod:`rope_viz.figures._style`); its
  slider steps and :func:`rope_viz.widgets.p_rope_spectrum_widget` apply it.

Codes come from :func:`rope_viz.marker_position_signal` and
:func:`rope_viz.representable_spacing`; frequencies from :func:`rope_viz.rope_frequencies`
and :func:`rope_viz.p_rope_frequencies`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from rope_viz._validation import (
    check_array,
    check_bool,
    check_choice,
    check_dim,
    check_float,
    check_int,
    fail,
)
from rope_viz.figures._style import (
    COS,
    KEY,
    NEUTRAL,
    QUERY,
    SIN,
    base_layout,
    new_figure,
    slider,
)
from rope_viz.nope import (
    DTYPES,
    marker_position_signal,
    representable_spacing,
)
from rope_viz.rope import rope_frequencies
from rope_viz.scaling import p_rope_frequencies

__all__ = ["plot_marker_resolution", "plot_p_rope_spectrum", "p_rope_spectrum_changes"]

#: One colour per floating-point format.
FORMAT_COLORS = {"bfloat16": COS, "float16": KEY, "float32": SIN, "float64": "#CC79A7"}

_GREY = "#8C8C8C"


def _significant(values) -> list:
    """``values`` rounded to 4 significant digits (turns span many decades)."""
    return [float(f"{v:.4g}") for v in np.asarray(values, dtype=float)]


def p_rope_spectrum_changes(dim: int = 128, *, base: float = 500000.0, context: int = 8192,
                            p: float = 0.75) -> tuple:
    """Everything ``p``, the base, the context and the size set in :func:`plot_p_rope_spectrum`.

    Parameters
    ----------
    dim : int
        Rotary dimension (positive, even).
    base : float
        RoPE base (> 1).
    context : int
        Context length in tokens (>= 2).
    p : float
        Fraction of the pairs p-RoPE keeps, in [0, 1].

    Returns
    -------
    tuple
        ``(traces, layout)`` in the shape of :mod:`rope_viz.figures._style`: RoPE's turns per
        pair (trace 0: ``x``, ``y``), the pairs p-RoPE keeps (trace 1) and those it removes,
        drawn along the bottom (trace 2), each with ``x``, ``y`` and ``name``; the layout sets
        the text of the quarter-turn line.

    Raises
    ------
    ValueError, TypeError
        For bad ``dim``, ``base``, ``context`` or ``p``.

    Examples
    --------
    >>> traces, layout = p_rope_spectrum_changes(16, p=0.5)
    >>> traces[1]["name"], len(traces[2]["x"])
    ('p-RoPE, p = 0.5: 4 pairs rotate', 4)
    """
    dim = check_dim(dim)
    base = check_float(base, "base", minimum=1.0)
    context = check_int(context, "context", minimum=2)
    p = check_float(p, "p", minimum=0.0, strict=False, maximum=1.0)
    pairs = np.arange(dim // 2)
    turns = context * rope_frequencies(dim, base) / (2 * np.pi)  # (dim/2,)
    floor = _significant([turns.min() / 4])[0]  # where removed pairs are drawn on the log axis
    quarter = int(np.sum(turns < 0.25))
    kept = p_rope_frequencies(dim, base, p) > 0  # (dim/2,) bool
    traces = {
        0: {"x": pairs.tolist(), "y": _significant(turns)},
        1: {"x": pairs[kept].tolist(), "y": _significant(turns[kept]),
            "name": f"p-RoPE, p = {p:g}: {int(kept.sum())} pairs rotate"},
        2: {"x": pairs[~kept].tolist(), "y": [floor] * int(np.sum(~kept)),
            "name": f"removed: {int(np.sum(~kept))} pairs with θ = 0, never rotated"},
    }
    layout = {"annotations[0].text":
              f"a quarter turn: {quarter} of {dim // 2} RoPE pairs stay below"}
    return traces, layout


def plot_p_rope_spectrum(
    dim: int = 128,
    *,
    base: float = 500000.0,
    context: int = 8192,
    ps: Any = (1.0, 0.75, 0.5, 0.25),
    controls: bool = True,
) -> go.Figure:
    """Turns per pair across the context under RoPE, and the pairs p-RoPE keeps or removes.

    Pair i turns by ``context · θ_i / 2π`` full turns between the first and the last position
    of the context. The fast pairs turn thousands of times; the slowest turn by a small
    fraction of a circle, so they hardly see position at all (a dotted line marks a quarter
    turn). p-RoPE keeps the fastest fraction ``p`` of the pairs (blue) and sets the
    frequency of the rest to zero (vermillion crosses along the bottom: never rotated). The
    slider sets ``p``.

    Calls :func:`rope_viz.rope_frequencies` and :func:`rope_viz.p_rope_frequencies`; the
    numbers are those of :func:`p_rope_spectrum_changes`.

    Parameters
    ----------
    dim : int
        Rotary dimension (positive, even).
    base : float
        RoPE base (> 1).
    context : int
        Context length in tokens (>= 2).
    ps : sequence of float
        Values of ``p`` on the slider, each in [0, 1].
    controls : bool
        Draw the slider (default). ``False``: no slider; the figure shows ``p = 0.75`` if it
        is among ``ps``, else ``ps[0]``.

    Returns
    -------
    plotly.graph_objects.Figure
        Three scatter traces: RoPE (grey line), pairs p-RoPE keeps (blue markers), pairs it
        removes (crosses at the bottom); a slider with one step per ``p`` restyling the last
        two.

    Raises
    ------
    ValueError, TypeError
        For bad ``dim``, ``base``, ``context``, ``ps`` or ``controls``.

    Examples
    --------
    >>> fig = plot_p_rope_spectrum(16, ps=(1.0, 0.5))
    >>> len(fig.data), len(fig.layout.sliders[0].steps)
    (3, 2)
    """
    dim = check_dim(dim)
    base = check_float(base, "base", minimum=1.0)
    context = check_int(context, "context", minimum=2)
    values = check_array(ps, "ps", ndim=1, nonempty=True, minimum=0, maximum=1,
                         what="a non-empty sequence of numbers in [0, 1]")
    controls = check_bool(controls, "controls")
    ps = tuple(float(v) for v in values)
    start = ps.index(0.75) if 0.75 in ps else 0
    if not controls:
        ps, start = ps[start:start + 1], 0

    per_p = [p_rope_spectrum_changes(dim, base=base, context=context, p=p) for p in ps]
    first, layout = per_p[start]
    fig = new_figure()
    fig.add_trace(go.Scatter(
        mode="lines", line=dict(color=_GREY, width=2), name="RoPE: every pair rotates",
        hovertemplate="pair %{x}<br>%{y:.3g} turns<extra>RoPE</extra>", **first[0],
    ))
    fig.add_trace(go.Scatter(
        mode="markers", marker=dict(color=QUERY, size=6),
        hovertemplate="pair %{x}<br>%{y:.3g} turns<extra>kept</extra>", **first[1],
    ))
    fig.add_trace(go.Scatter(
        mode="markers", marker=dict(color=COS, size=7, symbol="x"),
        hovertemplate="pair %{x}<br>0 turns<extra>removed</extra>", **first[2],
    ))
    fig.add_hline(y=0.25, line=dict(color=NEUTRAL, width=1.5, dash="dot"))
    fig.add_annotation(x=0, xref="x domain", xanchor="left", y=float(np.log10(0.25)),
                       yanchor="bottom", showarrow=False, font=dict(size=11),
                       text=layout["annotations[0].text"])
    steps = [dict(method="restyle", label=f"{p:g}",
                  args=[{key: [traces[i][key] for i in (1, 2)] for key in ("x", "y", "name")},
                        [1, 2]])
             for p, (traces, _) in zip(ps, per_p)]
    fig.update_layout(**base_layout(
        title="Turns per pair; what p-RoPE keeps",  # context, dim, base: caption
        height=540,
        margin=dict(l=80, r=30, t=70, b=190 if controls else 130),
        xaxis=dict(title="pair index i (fast → slow)"),
        yaxis=dict(title="turns across the context (log scale)", type="log",
                   exponentformat="power"),
        legend=dict(orientation="v", x=0.0, y=-0.17, xanchor="left", yanchor="top"),
        sliders=[slider(steps, prefix="p (fraction of pairs kept) = ", active=start,
                        y=-0.42)] if controls else [],
    ))
    return fig


def plot_marker_resolution(
    max_position: int = 10**8,
    *,
    dtypes: Any = ("bfloat16", "float16", "float32"),
    noises: Any = (1e-2, 1e-3, 1e-4, 1e-5, 1e-6),
) -> go.Figure:
    """How finely a NoPE model can count with a start marker, and where it stops.

    The marker code of position i is ``c_i = 1/(i+1)`` (:func:`rope_viz.marker_position_signal`);
    neighbouring codes differ by ``1/((i+1)(i+2))``, the grey curve (log-log, slope −2). Two
    things blur neighbours once the gap drops below them: the spacing of the numbers a format
    can store near ``c_i`` (:func:`rope_viz.representable_spacing`, one dashed curve per
    format, slope −1), and noise added to the code: nearest-code decoding fails when the noise
    exceeds half the gap, so the dotted line is drawn at twice the noise level, set by the
    slider. The marker on the gap curve is where it crosses that line.

    Parameters
    ----------
    max_position : int
        Largest position on the x axis (>= 10).
    dtypes : sequence of str
        Formats to draw, from "float64", "float32", "float16", "bfloat16".
    noises : sequence of float
        Noise levels (standard deviations, > 0) on the slider.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: the gap, one spacing curve per format, the noise line and the crossing marker;
        a slider with one step per noise level restyling the last two.

    Raises
    ------
    ValueError, TypeError
        For a bad ``max_position``, an unknown format or a non-positive noise level.

    Examples
    --------
    >>> fig = plot_marker_resolution(10**4, dtypes=("bfloat16",), noises=(1e-3, 1e-4))
    >>> len(fig.data), len(fig.layout.sliders[0].steps)
    (4, 2)
    """
    max_position = check_int(max_position, "max_position", minimum=10)
    if isinstance(dtypes, str) or not hasattr(dtypes, "__iter__"):
        fail("dtypes", "a sequence of format names", dtypes, kind=TypeError)
    dtypes = tuple(check_choice(d, "dtypes", DTYPES) for d in dtypes)
    values = check_array(noises, "noises", ndim=1, nonempty=True, minimum=0, strict=True,
                         what="a non-empty sequence of numbers > 0")
    noises = tuple(float(v) for v in values)
    start = noises.index(1e-4) if 1e-4 in noises else 0

    positions = np.unique(np.geomspace(1, max_position, 240).astype(np.int64))  # (k,)
    code = marker_position_signal(positions)  # (k,): 1/(i+1)
    gap = code - marker_position_signal(positions + 1)  # (k,)

    def crossing(sigma: float) -> tuple:
        # 1/((i+1)(i+2)) = 2σ  <=>  (i + 1.5)^2 = 1/(2σ) + 1/4
        i = max(np.sqrt(1 / (2 * sigma) + 0.25) - 1.5, 0.0)
        return float(i), 2 * sigma

    fig = new_figure()
    fig.add_trace(go.Scatter(
        x=positions.tolist(), y=_significant(gap), mode="lines", name="gap cᵢ − cᵢ₊₁",
        line=dict(color=NEUTRAL, width=3),
        hovertemplate="i = %{x:,}<br>gap %{y:.2e}<extra></extra>",
    ))
    for dtype in dtypes:
        fig.add_trace(go.Scatter(
            x=positions.tolist(), y=_significant(representable_spacing(code, dtype)),
            mode="lines", name=f"{dtype}: spacing of numbers near cᵢ",
            line=dict(color=FORMAT_COLORS[dtype], width=2, dash="dash"),
            hovertemplate="i = %{x:,}<br>spacing %{y:.2e}<extra>" + dtype + "</extra>",
        ))
    i0, y0 = crossing(noises[start])
    fig.add_trace(go.Scatter(
        x=[1, max_position], y=[y0, y0], mode="lines", name=f"2 × noise, σ = {noises[start]:g}",
        line=dict(color=QUERY, width=2, dash="dot"), hoverinfo="skip",
    ))
    fig.add_trace(go.Scatter(
        x=[i0], y=[y0], mode="markers+text", name="positions blur from here",
        marker=dict(color=QUERY, size=11), text=[f"i ≈ {i0:,.0f}"],
        textposition="top right", hovertemplate="i ≈ %{x:,.0f}<extra></extra>",
    ))
    noise_traces = [len(fig.data) - 2, len(fig.data) - 1]
    steps = []
    for sigma in noises:
        i, y = crossing(sigma)
        steps.append(dict(method="restyle", label=f"{sigma:g}", args=[
            {"y": [[y, y], [y]], "x": [[1, max_position], [i]],
             "text": [None, [f"i ≈ {i:,.0f}"]],
             "name": [f"2 × noise, σ = {sigma:g}", "positions blur from here"]},
            noise_traces]))
    fig.update_layout(**base_layout(
        title="Marker gaps shrink like 1/i²",
        height=650,
        margin=dict(l=80, r=30, t=70, b=290),
        xaxis=dict(title="position i (log scale)", type="log", exponentformat="power"),
        yaxis=dict(title="gap or spacing (log scale)", type="log", exponentformat="power"),
        legend=dict(orientation="v", x=0.0, y=-0.17, xanchor="left", yanchor="top"),
        sliders=[slider(steps, prefix="noise σ = ", active=start, y=-0.72)],
    ))
    return fig
