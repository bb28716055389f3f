"""Figures for the sinusoidal chapter: a shift is a rotation, and the dot product against offset.

What this module holds
----------------------
- :func:`plot_shift_rotation`: one (sin, cos) pair of the sinusoidal code on the unit circle,
  PE(k) and PE(k + Δ), with the rotation M_Δ between them; sliders for k and Δ.
  :func:`shift_rotation_changes` is what a k and a Δ change.
- :func:`plot_dot_product_offset`: PE(k)·PE(k + Δ) against Δ (and the RoPE score of one random
  q = k), with a slider for the base. :func:`dot_product_offset_changes` is what a base (and
  a head size) change.

The ``*_changes`` functions return the ``(traces, layout)`` shape of
:mod:`rope_viz.figures._style`; the sliders and the live widgets are made from them.

Numbers come from :func:`rope_viz.sinusoidal_encoding`, :func:`rope_viz.sinusoid_shift_matrix`
and :func:`rope_viz.apply_rope`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from rope_viz._validation import (
    as_positions,
    check_array,
    check_bool,
    check_dim,
    check_float,
    check_generator,
    check_int,
    fail,
)
from rope_viz.absolute import sinusoid_shift_matrix, sinusoidal_encoding
from rope_viz.figures._style import (
    AXIS_COLORS,
    ENCODING_COLORS,
    KEY,
    NEUTRAL,
    QUERY,
    base_layout,
    new_figure,
    rounded,
    set_narrow,
    slider,
    step_args,
)
from rope_viz.rope import apply_rope, rope_frequencies

__all__ = [
    "plot_shift_rotation",
    "shift_rotation_changes",
    "plot_dot_product_offset",
    "dot_product_offset_changes",
]

_RADIUS = 1.3  # the circle and the axes span [-_RADIUS, _RADIUS]
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_ARC = AXIS_COLORS["t"]  # reddish purple: the turn M_Δ, readable on light and dark pages


def _sub(number: int) -> str:
    """``number`` in Unicode subscript digits: 12 -> '₁₂'."""
    return str(number).translate(_SUBSCRIPTS)


def _num(value: float) -> str:
    """``value`` with three decimals and a true minus sign; never '−0.000'."""
    value = round(float(value), 3) + 0.0
    return f"{value:.3f}".replace("-", "−")


def _base_label(base: float) -> str:
    """A slider label for a base: powers of ten as 10³, 10⁴ …, others as they are."""
    exponent = np.log10(base)
    if base >= 1000 and abs(exponent - round(exponent)) < 1e-9:
        return "10" + str(int(round(exponent))).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{base:g}"


def _check_bases(bases: Any) -> tuple:
    values = check_array(bases, "bases", ndim=1, nonempty=True, what="a sequence of bases > 1")
    if np.any(values <= 1):
        fail("bases", "numbers > 1", bases, f"the smallest is {values.min():g}")
    return tuple(float(b) for b in values)


def _check_pair(pair: Any, dim: Any, base: Any) -> tuple:
    dim = check_dim(dim)
    pair = check_int(pair, "pair", minimum=0, maximum=dim // 2 - 1)
    base = check_float(base, "base", minimum=1.0)
    return pair, dim, base


def shift_rotation_changes(pair: int = 1, *, dim: int = 16, base: float = 10000.0,
                           k: float | None = None, delta: float | None = None) -> tuple:
    """What a position k and a shift Δ change in :func:`plot_shift_rotation`.

    Moving k turns the whole polar plot (both points turn together) and changes the PE(k)
    readout; moving Δ changes the arc of M_Δ, the PE(k + Δ) arrow and the M_Δ readout. The arc
    runs from 0 to the full turn Δω (not wrapped into one revolution).

    Parameters
    ----------
    pair : int
        Frequency pair i (0 <= i < dim/2).
    dim : int
        Size of the code (positive, even).
    base : float
        Sinusoidal base (> 1).
    k : float, optional
        The position; ``None`` leaves out what k changes.
    delta : float, optional
        The shift; ``None`` leaves out what Δ changes.

    Returns
    -------
    tuple
        ``(traces, layout)`` in the shape of :mod:`rope_viz.figures._style`: for ``delta``,
        the arc (trace 1, ``theta`` and ``r``), the PE(k + Δ) arrow (trace 3) and
        ``annotations[1].text``; for ``k``, ``polar.angularaxis.rotation`` and
        ``annotations[0].text``.

    Raises
    ------
    ValueError, TypeError
        For a ``pair`` outside [0, dim/2), or a bad ``dim``, ``base``, ``k`` or ``delta``.

    Examples
    --------
    >>> traces, layout = shift_rotation_changes(0, dim=4, k=0.0)
    >>> traces, layout["polar.angularaxis.rotation"]
    ({}, 90.0)
    """
    pair, dim, base = _check_pair(pair, dim, base)
    columns = [2 * pair, 2 * pair + 1]  # (sin, cos) of this pair
    traces, layout = {}, {}
    if k is not None:
        k = check_float(k, "k")
        s, c = sinusoidal_encoding([k], dim, base)[0, columns]
        # angles measured clockwise from the y (cos) axis, in degrees: (sin φ, cos φ) sits at φ
        angle = np.degrees(np.arctan2(s, c))
        layout["polar.angularaxis.rotation"] = round(90.0 - float(angle), 3)
        w = "ω" + _sub(pair)
        layout["annotations[0].text"] = (f"pair {pair} of PE(k):<br>(sin k{w}, cos k{w})"
                                         f"<br>= ({_num(s)}, {_num(c)})")
    if delta is not None:
        delta = check_float(delta, "delta")
        matrix = sinusoid_shift_matrix(delta, dim, base)  # (dim, dim)
        start = sinusoidal_encoding([0.0], dim, base)[0]  # (dim,): PE(0)
        s, c = (matrix @ start)[columns]
        angle = np.degrees(np.arctan2(s, c))  # the turn Δω, wrapped
        turn = np.degrees(delta * _omega(pair, dim, base))  # the turn Δω, in full
        arc = rounded(np.linspace(0.0, turn, max(2, int(abs(turn) // 3) + 2)))
        (a, b), (c, d) = matrix[np.ix_(columns, columns)]
        traces[1] = {"theta": arc, "r": [0.75] * len(arc)}
        traces[3] = {"theta": rounded([angle] * 2), "r": [0, 1]}
        layout["annotations[1].text"] = (f"M<sub>Δ</sub> block = [[{_num(a)}, {_num(b)}],"
                                         f"<br>[{_num(c)}, {_num(d)}]]"
                                         f"<br>turn Δω{_sub(pair)} = {turn:.1f}°")
    return traces, layout


def plot_shift_rotation(
    pair: int = 1,
    *,
    dim: int = 16,
    base: float = 10000.0,
    positions: Any = 25,
    deltas: Any = (0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20),
    controls: bool = True,
) -> go.Figure:
    """PE(k) and PE(k + Δ) for one frequency pair on the unit circle: a shift is a rotation.

    Pair i of the sinusoidal code, (sin kω_i, cos kω_i), is a point on the unit circle drawn at
    (x, y) = (sin, cos). Moving the position by Δ turns the point by the angle Δω_i, whatever k
    is: PE(k + Δ) = M_Δ · PE(k), where M_Δ's block for this pair is
    [[cos Δω, sin Δω], [−sin Δω, cos Δω]] (it turns (sin, cos) forward; it looks clockwise only
    because sin comes first). The k slider turns both points together; the Δ slider opens the
    angle between them; the annotation shows M_Δ's numbers, which depend on Δ only.

    Calls :func:`rope_viz.sinusoidal_encoding` and :func:`rope_viz.sinusoid_shift_matrix`. The
    picture is a polar plot whose rotation is set by k, so the two sliders act independently in
    a static page.

    Parameters
    ----------
    pair : int
        Frequency pair i (0 <= i < dim/2); ω_i = base^(−2i/dim).
    dim : int
        Size of the code (positive, even).
    base : float
        Sinusoidal base (> 1).
    positions : int or array_like
        Values of k on the first slider (an int n for ``range(n)``).
    deltas : array_like
        Values of Δ on the second slider.
    controls : bool
        Draw the two sliders (default). ``False``: no sliders; the figure shows
        ``positions[0]`` and ``deltas[0]``.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: unit circle, arc of M_Δ, PE(k) arrow, PE(k + Δ) arrow (``scatterpolar``), plus
        a cartesian overlay with fixed sin/cos axes. Two sliders: k (relayouts the polar
        rotation and the PE(k) readout) and Δ (restyles the arc and the PE(k + Δ) arrow and
        updates the M_Δ readout), each step from :func:`shift_rotation_changes`.

    Raises
    ------
    ValueError, TypeError
        For a ``pair`` outside [0, dim/2), bad ``dim``, ``base``, ``positions``, ``deltas`` or
        ``controls``.

    Examples
    --------
    >>> fig = plot_shift_rotation(0, dim=4, positions=3, deltas=[0, 1])
    >>> [len(s.steps) for s in fig.layout.sliders]
    [3, 2]
    """
    pair, dim, base = _check_pair(pair, dim, base)
    positions = as_positions(positions)
    deltas = as_positions(deltas, "deltas")
    if positions.size == 0:
        fail("positions", "at least one position", positions)
    if deltas.size == 0:
        fail("deltas", "at least one shift", deltas)
    controls = check_bool(controls, "controls")
    if not controls:
        positions, deltas = positions[:1], deltas[:1]

    k_changes = [shift_rotation_changes(pair, dim=dim, base=base, k=k)[1] for k in positions]
    d_changes = [shift_rotation_changes(pair, dim=dim, base=base, delta=d) for d in deltas]
    arc0, arrow0 = d_changes[0][0][1], d_changes[0][0][3]  # the first Δ's arc and arrow

    w = "ω" + _sub(pair)
    fig = new_figure()
    circle = np.linspace(0.0, 360.0, 121)
    fig.add_trace(go.Scatterpolar(r=[1.0] * len(circle), theta=rounded(circle), mode="lines",
                                  line=dict(color=NEUTRAL, width=1), hoverinfo="skip",
                                  showlegend=False))
    fig.add_trace(go.Scatterpolar(**arc0, mode="lines", line=dict(color=_ARC, width=3),
                                  name=f"M<sub>Δ</sub> turns by Δ{w}", hoverinfo="skip"))
    fig.add_trace(go.Scatterpolar(r=[0, 1], theta=[0, 0], mode="lines+markers",
                                  line=dict(color=QUERY, width=4), marker=dict(size=[0, 12]),
                                  name="PE(k)", hoverinfo="skip"))
    fig.add_trace(go.Scatterpolar(**arrow0, mode="lines+markers",
                                  line=dict(color=KEY, width=4), marker=dict(size=[0, 12]),
                                  name="PE(k + Δ)", hoverinfo="skip"))
    # fixed reference axes: a cartesian overlay that does not turn with the polar plot
    fig.add_trace(go.Scatter(x=[-_RADIUS, _RADIUS, None, 0, 0], y=[0, 0, None, -_RADIUS, _RADIUS],
                             mode="lines", line=dict(color=NEUTRAL, width=1), opacity=0.5,
                             hoverinfo="skip", showlegend=False))

    k_steps = [dict(method="relayout", label=f"{k:g}", args=[layout])
               for k, layout in zip(positions, k_changes)]
    d_steps = [dict(method="update", label=f"{d:g}", args=step_args(*changes))
               for d, changes in zip(deltas, d_changes)]
    note = dict(xref="paper", yref="paper", xanchor="left", yanchor="top", showarrow=False,
                align="left")
    fig.update_layout(**base_layout(
        title=f"A shift by Δ turns pair {pair} by Δ{w}",
        height=600,
        margin=dict(l=60, r=20, t=70, b=220),
        polar=dict(
            domain=dict(x=[0.0, 0.6], y=[0.0, 1.0]),
            radialaxis=dict(range=[0, _RADIUS], visible=False),
            angularaxis=dict(direction="clockwise",
                             rotation=k_changes[0]["polar.angularaxis.rotation"],
                             showgrid=False, showticklabels=False, ticks="", showline=False),
            bgcolor="rgba(0,0,0,0)",
        ),
        xaxis=dict(domain=[0.0, 0.6], range=[-_RADIUS, _RADIUS],
                   title=f"sin k{w} (dim {2 * pair})",
                   zeroline=False, showgrid=False, constrain="domain"),
        yaxis=dict(domain=[0.0, 1.0], range=[-_RADIUS, _RADIUS],
                   title=f"cos k{w} (dim {2 * pair + 1})", zeroline=False,
                   showgrid=False, scaleanchor="x", constrain="domain"),
        legend=dict(x=0.66, y=1.0, xanchor="left", yanchor="top"),
        annotations=[
            dict(text=k_changes[0]["annotations[0].text"], x=0.66, y=0.7, **note,
                 font=dict(color=QUERY)),
            dict(text=d_changes[0][1]["annotations[1].text"], x=0.66, y=0.38, **note),
        ],
        sliders=[{**slider(k_steps, prefix="position k = ", y=-0.04), "len": 0.62},
                 {**slider(d_steps, prefix="shift Δ = ", y=-0.3), "len": 0.62}]
        if controls else [],
    ))
    if not controls:
        fig.layout.margin.b = 60
    set_narrow(fig, layout=_shift_rotation_narrow(controls))
    return fig


def _shift_rotation_narrow(controls: bool) -> dict:
    """Phone layout of :func:`plot_shift_rotation`: the circle on top at full width, then the
    legend in a row, the two readouts and the sliders below it, each across the whole width."""
    bottom = 230 if controls else 20  # pixels below the plot area: the sliders
    height = 640 + bottom
    plot = height - 60 - bottom  # the plot area: 60 px for the title above it
    top = round(1 - 292 / plot, 3)  # a square panel as wide as a phone's plot area
    layout = {
        "height": height, "margin.t": 60, "margin.b": bottom,
        "polar.domain.x": [0, 1], "polar.domain.y": [top, 1],
        "xaxis.domain": [0, 1], "yaxis.domain": [top, 1],
        "legend.orientation": "h", "legend.x": 0, "legend.y": round(top - 75 / plot, 3),
        "annotations[0].x": 0, "annotations[0].y": round(top - 150 / plot, 3),
        "annotations[1].x": 0, "annotations[1].y": round(top - 215 / plot, 3),
    }
    if controls:
        layout.update({"sliders[0].len": 1, "sliders[1].len": 1, "sliders[1].y": -0.24})
    return layout


def _omega(pair: int, dim: int, base: float) -> float:
    """ω_i = base^(−2i/dim), the angle pair i turns per unit of position."""
    return float(rope_frequencies(dim, base)[pair])


def _check_offsets(offsets: Any) -> np.ndarray:
    if isinstance(offsets, (int, np.integer)) and not isinstance(offsets, bool):
        count = check_int(offsets, "offsets", minimum=1)
        offsets = np.arange(-count, count + 1, dtype=np.float64)
    offsets = as_positions(offsets, "offsets")
    if offsets.size < 2:
        fail("offsets", "at least two offsets", offsets)
    return offsets


def _random_query(rng: Any, dim: int) -> np.ndarray:
    """The figure's one random query, ``(1, dim)``, drawn from ``rng`` (the package contract)."""
    return check_generator(rng).standard_normal((1, dim))


def dot_product_offset_changes(offsets: Any = 128, *, dim: int = 64, base: float = 10000.0,
                               position: float = 0.0, rope: bool = True,
                               rng: Any = 0) -> tuple:
    """What one base (and head size) changes in :func:`plot_dot_product_offset`.

    Parameters
    ----------
    offsets : int or array_like
        Offsets Δ; an int n means −n … n.
    dim : int
        Size of the code (positive, even).
    base : float
        The base (> 1).
    position : float
        The reference position k.
    rope : bool
        Include the RoPE curve (trace 1).
    rng : numpy.random.Generator or int
        Source of the random query, drawn as :func:`plot_dot_product_offset` draws it: the
        same int gives the same query as the figure (see :mod:`rope_viz._validation`).

    Returns
    -------
    tuple
        ``({0: {"y": ...}, 1: {"y": ...}}, {})`` in the shape of
        :mod:`rope_viz.figures._style`: the sinusoidal curve and (with ``rope``) the RoPE
        curve, each divided by its value at Δ = 0.

    Raises
    ------
    ValueError, TypeError
        For bad ``offsets``, ``dim``, ``base``, ``position``, ``rope`` or ``rng``.

    Examples
    --------
    >>> traces, _ = dot_product_offset_changes(2, dim=4, rope=False)
    >>> traces[0]["y"][2]
    1.0
    """
    offsets = _check_offsets(offsets)
    dim = check_dim(dim)
    base = check_float(base, "base", minimum=1.0, strict=True)
    position = check_float(position, "position")
    rope = check_bool(rope, "rope")
    query = _random_query(rng, dim) if rope else None
    return _dot_changes(offsets, dim, base, position, query)


def _dot_changes(offsets: np.ndarray, dim: int, base: float, position: float,
                 query: np.ndarray | None) -> tuple:
    """The curves of :func:`plot_dot_product_offset` for one base and one ``(1, dim)`` query
    (``None``: the sinusoidal curve only); the figure draws its one query once for all its
    slider steps, :func:`dot_product_offset_changes` draws it from ``rng``."""
    codes = sinusoidal_encoding(np.concatenate([[position], position + offsets]), dim, base)
    traces = {0: {"y": rounded(codes[1:] @ codes[0] / (codes[0] @ codes[0]))}}  # (n_offsets,)
    if query is not None:
        moved = apply_rope(np.repeat(query, len(offsets), 0), position + offsets, base)
        still = apply_rope(query, [position], base)[0]  # (dim,)
        traces[1] = {"y": rounded(moved @ still / (still @ still))}  # (n_offsets,)
    return traces, {}


def plot_dot_product_offset(
    offsets: Any = 128,
    *,
    dim: int = 64,
    bases: Any = (10.0, 100.0, 1000.0, 10000.0, 100000.0),
    position: float = 0.0,
    rope: bool = True,
    rng: Any = 0,
    controls: bool = True,
) -> go.Figure:
    """PE(k)·PE(k + Δ) against the offset Δ: symmetric, decaying, not monotone.

    The dot product of two sinusoidal codes, Σ_i cos(Δω_i), depends on the offset only (not on
    k), is the same for Δ and −Δ, falls from its peak dim/2 at Δ = 0, and wiggles on the way
    down, so it cannot tell "near" from "far" exactly. A small base makes it oscillate; a
    large base makes it decay slowly. With ``rope=True`` the RoPE score (R_(k+Δ) q)·(R_k q) of
    one random query with itself is drawn beside it (the same sum, weighted by the query's
    pair norms). Both curves are divided by their value at Δ = 0.

    Calls :func:`rope_viz.sinusoidal_encoding` and :func:`rope_viz.apply_rope`.

    Parameters
    ----------
    offsets : int or array_like
        Offsets Δ; an int n means −n … n.
    dim : int
        Size of the code (positive, even).
    bases : sequence of float
        Bases for the slider (each > 1).
    position : float
        The reference position k (the curves do not depend on it).
    rope : bool
        Also draw the RoPE score of one random query with itself.
    rng : numpy.random.Generator or int
        Source of the random query (one query for every base).
    controls : bool
        Draw the slider (default). ``False``: no slider; the figure shows 10000 if it is
        among ``bases``, else ``bases[0]``.

    Returns
    -------
    plotly.graph_objects.Figure
        One scatter trace (sinusoidal), plus one for RoPE when ``rope``; a slider with one step
        per base restyling every trace (the numbers of :func:`dot_product_offset_changes`).

    Raises
    ------
    ValueError, TypeError
        For bad ``offsets``, ``dim``, ``bases``, ``position``, ``rope``, ``rng`` or ``controls``.

    Examples
    --------
    >>> fig = plot_dot_product_offset(16, dim=8, bases=[100, 10000])
    >>> len(fig.layout.sliders[0].steps)
    2
    """
    offsets = _check_offsets(offsets)
    dim = check_dim(dim)
    bases = _check_bases(bases)
    position = check_float(position, "position")
    rope = check_bool(rope, "rope")
    controls = check_bool(controls, "controls")
    query = _random_query(rng, dim)  # (1, dim)

    start = bases.index(10000.0) if 10000.0 in bases else 0
    if not controls:
        bases, start = bases[start:start + 1], 0
    per_base = [_dot_changes(offsets, dim, base, position, query if rope else None)
                for base in bases]
    shown = per_base[start][0]  # {trace: {"y": ...}}
    fig = new_figure()
    fig.add_trace(go.Scatter(x=rounded(offsets), **shown[0], mode="lines",
                             name="sinusoidal: PE(k)·PE(k + Δ)",
                             line=dict(color=ENCODING_COLORS["sinusoidal"], width=2.5)))
    if rope:
        fig.add_trace(go.Scatter(x=rounded(offsets), **shown[1], mode="lines",
                                 name="RoPE: (R<sub>k+Δ</sub>q)·(R<sub>k</sub>q), one random q",
                                 line=dict(color=ENCODING_COLORS["rope"], width=1.5)))
    steps = [dict(method="update", label=_base_label(base), args=step_args(*changes))
             for base, changes in zip(bases, per_base)]
    fig.update_layout(**base_layout(
        title="The dot product sees only the offset Δ",
        height=460,
        margin=dict(l=70, r=30, t=90, b=120),
        xaxis=dict(title="offset Δ (positions)", zeroline=False),
        yaxis=dict(title="dot product ÷ its value at Δ = 0", range=[-0.6, 1.05]),
        legend=dict(orientation="h", x=0.0, y=1.02, xanchor="left", yanchor="bottom"),
        sliders=[slider(steps, prefix="base = ", active=start, y=-0.2)] if controls else [],
    ))
    if not controls:
        fig.layout.margin.b = 60
    fig.add_hline(y=0, line=dict(color=NEUTRAL, width=1))
    # a phone: the two legend entries take a row each, so the plot starts lower
    set_narrow(fig, layout={"margin.t": 110 if rope else 90, "height": 500 if rope else 480})
    return fig
