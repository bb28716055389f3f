"""Figures for the sinusoidal chapter: a shift is a rotation, and the dot product against offset.

What this module holds
----------------------
- :func:`plot_shift_rotation`: one (sin, cos) pair of the sinusoidal code on the unit circle,
  PE(k) and PE(k + Δ), with the rotation M_Δ between them; sliders for k and Δ.
- :func:`plot_dot_product_offset`: PE(k)·PE(k + Δ) against Δ (and the RoPE score of one random
  q = k), with a slider for the base.

Numbers come from :func:`rope_viz.sinusoidal_encoding`, :func:`rope_viz.sinusoid_shift_matrix`
and :func:`rope_viz.apply_rope`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from rope_viz._validation import (
    as_positions,
    check_bool,
    check_dim,
    check_float,
    check_generator,
    check_int,
    fail,
)
from rope_viz.absolute import sinusoid_shift_matrix, sinusoidal_encoding
from rope_viz.figures._style import (
    ENCODING_COLORS,
    GRID,
    KEY,
    QUERY,
    base_layout,
    new_figure,
    rounded,
    slider,
    step_args,
)
from rope_viz.rope import apply_rope, rope_frequencies

__all__ = ["plot_shift_rotation", "plot_dot_product_offset"]

_RADIUS = 1.3  # the circle and the axes span [-_RADIUS, _RADIUS]


def _check_bases(bases: Any) -> tuple:
    values = as_positions(bases, "bases")
    if values.size == 0:
        fail("bases", "at least one base > 1", bases)
    if np.any(values <= 1):
        fail("bases", "numbers > 1", bases, f"the smallest is {values.min():g}")
    return tuple(float(b) for b in values)


def _shift_changes(pair: int, dim: int, base: float, positions: np.ndarray,
                   deltas: np.ndarray) -> tuple:
    """What each position k and each shift Δ changes in :func:`plot_shift_rotation`.

    ``(k_changes, d_changes)``: per position, the relayout turning the polar plot and the
    PE(k) label; per shift, ``(traces, layout)`` for the arc (trace 1), the PE(k + Δ) arrow
    (trace 3) and the M_Δ label. The arcs follow the turn unwrapped along ``deltas``. The
    sliders and the live widget both apply these.
    """
    columns = [2 * pair, 2 * pair + 1]  # (sin, cos) of this pair
    codes = sinusoidal_encoding(positions, dim, base)[:, columns]  # (n_k, 2)
    start = sinusoidal_encoding([0.0], dim, base)[0]  # (dim,): PE(0)
    # angles measured clockwise from the y (cos) axis, in degrees: (sin φ, cos φ) sits at φ
    angle_k = np.degrees(np.arctan2(codes[:, 0], codes[:, 1]))  # (n_k,)
    k_changes = [
        {"polar.angularaxis.rotation": round(90.0 - float(angle), 3),
         "annotations[0].text": f"PE(k) = (sin kω, cos kω) = ({s:.3f}, {c:.3f})"}
        for angle, (s, c) in zip(angle_k, codes)
    ]
    matrices = [sinusoid_shift_matrix(d, dim, base) for d in deltas]
    shifted = np.array([(m @ start)[columns] for m in matrices])  # (n_Δ, 2)
    angle_d = np.degrees(np.arctan2(shifted[:, 0], shifted[:, 1]))  # (n_Δ,): the turn Δω
    turn_d = np.degrees(np.unwrap(np.radians(angle_d)))  # continuous, for the arc
    d_changes = []
    for delta, matrix, angle, turn in zip(deltas, matrices, angle_d, turn_d):
        arc = rounded(np.linspace(0.0, turn, max(2, int(abs(turn) // 3) + 2)))
        (a, b), (c, d) = matrix[np.ix_(columns, columns)]
        text = (f"M_Δ block = [[{a:.3f}, {b:.3f}], [{c:.3f}, {d:.3f}]]"
                f"<br>turn Δω = {np.degrees(delta * _omega(pair, dim, base)):.1f}°")
        d_changes.append(({1: {"theta": arc, "r": [0.75] * len(arc)},
                           3: {"theta": rounded([angle] * 2), "r": [0, 1]}},
                          {"annotations[1].text": text}))
    return k_changes, d_changes


def plot_shift_rotation(
    pair: int = 1,
    *,
    dim: int = 16,
    base: float = 10000.0,
    positions: Any = 25,
    deltas: Any = (0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20),
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

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: unit circle, arc of M_Δ, PE(k) arrow, PE(k + Δ) arrow (``scatterpolar``), plus
        a cartesian overlay with fixed sin/cos axes. Two sliders: k (relayouts the polar
        rotation and the PE(k) readout) and Δ (restyles the arc and the PE(k + Δ) arrow and
        updates the M_Δ readout).

    Raises
    ------
    ValueError, TypeError
        For a ``pair`` outside [0, dim/2), bad ``dim``, ``base``, ``positions`` or ``deltas``.

    Examples
    --------
    >>> fig = plot_shift_rotation(0, dim=4, positions=3, deltas=[0, 1])
    >>> [len(s.steps) for s in fig.layout.sliders]
    [3, 2]
    """
    dim = check_dim(dim)
    pair = check_int(pair, "pair", minimum=0)
    if pair >= dim // 2:
        fail("pair", f"a pair index below dim/2 = {dim // 2}", pair)
    base = check_float(base, "base", minimum=1.0)
    positions = as_positions(positions)
    deltas = as_positions(deltas, "deltas")
    if positions.size == 0:
        fail("positions", "at least one position", positions)
    if deltas.size == 0:
        fail("deltas", "at least one shift", deltas)

    k_changes, d_changes = _shift_changes(pair, dim, base, positions, deltas)
    arc0, arrow0 = d_changes[0][0][1], d_changes[0][0][3]  # the first Δ's arc and arrow

    fig = new_figure()
    circle = np.linspace(0.0, 360.0, 121)
    fig.add_trace(go.Scatterpolar(r=[1.0] * len(circle), theta=rounded(circle), mode="lines",
                                  line=dict(color="#999", width=1), hoverinfo="skip",
                                  showlegend=False))
    fig.add_trace(go.Scatterpolar(**arc0, mode="lines", line=dict(color="#444", width=3),
                                  name="M_Δ turns by Δω", hoverinfo="skip"))
    fig.add_trace(go.Scatterpolar(r=[0, 1], theta=[0, 0], mode="lines+markers",
                                  line=dict(color=QUERY, width=4), marker=dict(size=[0, 12]),
                                  name="PE(k)", hoverinfo="skip"))
    fig.add_trace(go.Scatterpolar(**arrow0, mode="lines+markers",
                                  line=dict(color=KEY, width=4), marker=dict(size=[0, 12]),
                                  name="PE(k + Δ)", hoverinfo="skip"))
    # fixed reference axes: a cartesian overlay that does not turn with the polar plot
    fig.add_trace(go.Scatter(x=[-_RADIUS, _RADIUS, None, 0, 0], y=[0, 0, None, -_RADIUS, _RADIUS],
                             mode="lines", line=dict(color=GRID, width=1), hoverinfo="skip",
                             showlegend=False))

    k_steps = [dict(method="relayout", label=f"{k:g}", args=[layout])
               for k, layout in zip(positions, k_changes)]
    d_steps = [dict(method="update", label=f"{d:g}", args=step_args(*changes))
               for d, changes in zip(deltas, d_changes)]
    omega = _omega(pair, dim, base)
    fig.update_layout(**base_layout(
        title=f"A shift by Δ turns pair {pair} by Δω = Δ·{omega:.3g} rad, whatever k is",
        height=600,
        margin=dict(l=40, r=40, t=70, b=220),
        polar=dict(
            domain=dict(x=[0.0, 0.6], y=[0.0, 1.0]),
            radialaxis=dict(range=[0, _RADIUS], visible=False),
            angularaxis=dict(direction="clockwise",
                             rotation=k_changes[0]["polar.angularaxis.rotation"],
                             showgrid=False, showticklabels=False, ticks="", showline=False),
            bgcolor="rgba(0,0,0,0)",
        ),
        xaxis=dict(domain=[0.0, 0.6], range=[-_RADIUS, _RADIUS], title="sin kω (dim 2i)",
                   zeroline=False, showgrid=False, constrain="domain"),
        yaxis=dict(range=[-_RADIUS, _RADIUS], title="cos kω (dim 2i+1)", zeroline=False,
                   showgrid=False, scaleanchor="x", constrain="domain"),
        legend=dict(x=0.66, y=0.95, xanchor="left"),
        annotations=[
            dict(text=k_changes[0]["annotations[0].text"], x=0.66, y=0.55, xref="paper", yref="paper", xanchor="left",
                 showarrow=False, font=dict(color=QUERY)),
            dict(text=d_changes[0][1]["annotations[1].text"], x=0.66, y=0.40, xref="paper", yref="paper",
                 xanchor="left", showarrow=False, align="left"),
        ],
        sliders=[{**slider(k_steps, prefix="position k = ", y=-0.04), "len": 0.62},
                 {**slider(d_steps, prefix="shift Δ = ", y=-0.27), "len": 0.62}],
    ))
    return fig


def _omega(pair: int, dim: int, base: float) -> float:
    """ω_i = base^(−2i/dim), the angle pair i turns per unit of position."""
    return float(rope_frequencies(dim, base)[pair])


def _dot_changes(offsets: np.ndarray, dim: int, base: float, position: float,
                 query: np.ndarray | None) -> tuple:
    """What one base (or head size) changes in :func:`plot_dot_product_offset`.

    ``({0: {"y": ...}, 1: {"y": ...}}, {})``: the sinusoidal curve and, when a ``(1, dim)``
    ``query`` is given, the RoPE curve, each divided by its value at offset 0. The slider
    steps and the live widget both apply these.
    """
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
        Source of the random query.

    Returns
    -------
    plotly.graph_objects.Figure
        One scatter trace (sinusoidal), plus one for RoPE when ``rope``; a slider with one step
        per base restyling every trace.

    Raises
    ------
    ValueError, TypeError
        For bad ``offsets``, ``dim``, ``bases``, ``position``, ``rope`` or ``rng``.

    Examples
    --------
    >>> fig = plot_dot_product_offset(16, dim=8, bases=[100, 10000])
    >>> len(fig.layout.sliders[0].steps)
    2
    """
    if isinstance(offsets, (int, np.integer)) and not isinstance(offsets, bool):
        count = check_int(offsets, "offsets", minimum=1)
        offsets = np.arange(-count, count + 1, dtype=np.float64)
    offsets = as_positions(offsets, "offsets")
    if offsets.size < 2:
        fail("offsets", "at least two offsets", offsets)
    dim = check_dim(dim)
    bases = _check_bases(bases)
    position = check_float(position, "position")
    rope = check_bool(rope, "rope")
    generator = check_generator(rng)
    query = generator.standard_normal((1, dim))  # (1, dim)

    per_base = [_dot_changes(offsets, dim, base, position, query if rope else None)
                for base in bases]
    start = bases.index(10000.0) if 10000.0 in bases else 0
    shown = per_base[start][0]  # {trace: {"y": ...}}
    fig = new_figure()
    fig.add_trace(go.Scatter(x=rounded(offsets), **shown[0], mode="lines",
                             name="sinusoidal PE(k)·PE(k + Δ)",
                             line=dict(color=ENCODING_COLORS["sinusoidal"], width=2.5)))
    if rope:
        fig.add_trace(go.Scatter(x=rounded(offsets), **shown[1], mode="lines",
                                 name="RoPE (R_(k+Δ)q)·(R_k q), one random q",
                                 line=dict(color=ENCODING_COLORS["rope"], width=1.5)))
    steps = [dict(method="update", label=f"{base:g}", args=step_args(*changes))
             for base, changes in zip(bases, per_base)]
    fig.update_layout(**base_layout(
        title="The dot product depends on the offset only: symmetric, decaying, not monotone",
        height=460,
        margin=dict(l=70, r=30, t=90, b=120),
        xaxis=dict(title="offset Δ (positions)", zeroline=False),
        yaxis=dict(title="dot product ÷ its value at Δ = 0", range=[-0.6, 1.05]),
        legend=dict(orientation="h", x=0.0, y=1.02, xanchor="left", yanchor="bottom"),
        sliders=[slider(steps, prefix="base = ", active=start, y=-0.2)],
    ))
    fig.add_hline(y=0, line=dict(color="#999", width=1))
    return fig
