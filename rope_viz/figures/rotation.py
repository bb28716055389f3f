"""Figure: RoPE turns each pair of a query at its own speed, and q·k only sees the offset.

What this module holds
----------------------
- :func:`plot_rope_rotation`: the d/2 planes of a query and a key as both advance together,
  animated; the dot product, printed in every frame, never changes.
- :func:`rope_rotation_changes`: what one key position and one offset change (the
  ``(traces, layout)`` shape of :mod:`rope_viz.figures._style`, as the frames and the live
  widget apply it); :func:`rope_rotation_data`: the rotated vectors and scores themselves.

Numbers come from :func:`rope_viz.apply_rope` and :func:`rope_viz.rope_frequencies`.
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
from rope_viz.figures._style import GRID, KEY, QUERY, base_layout, play_controls, rounded, subplots
from rope_viz.rope import apply_rope, rope_frequencies

__all__ = ["plot_rope_rotation", "rope_rotation_changes", "rope_rotation_data"]

_COLS = 4


def rope_rotation_data(positions: Any, dim: int, base: float, offset: float, rng: Any):
    """Rotated query and key rows and their dot products (the numbers the figure draws).

    Returns ``(q_rot, k_rot, scores)``: ``(n, dim)``, ``(n, dim)`` and ``(n,)``, with the query
    at ``positions + offset`` and the key at ``positions``, both from one random draw.
    """
    generator = check_generator(rng)
    query, key = generator.standard_normal((2, 1, dim))  # (1, dim) each
    n = len(positions)
    q_rot = apply_rope(np.repeat(query, n, 0), positions + offset, base)  # (n, dim)
    k_rot = apply_rope(np.repeat(key, n, 0), positions, base)  # (n, dim)
    scores = np.einsum("nd,nd->n", q_rot, k_rot)  # (n,)
    return q_rot, k_rot, scores


def _check_dim(dim: Any) -> int:
    dim = check_dim(dim)
    if dim > 64:
        fail("dim", "at most 64 (one panel per pair)", dim, "use a smaller head for the picture")
    return dim


def rope_rotation_changes(dim: int = 16, *, position: float = 0.0, offset: float = 3.0,
                          base: float = 10000.0, rng: Any = 0) -> tuple:
    """What one key position m and one offset change in :func:`plot_rope_rotation`.

    The frame of ``plot_rope_rotation(dim, positions=[position], offset=offset, base=base,
    rng=rng)``: every pair's query trail (one point), query arrow and key arrow, and the title
    with the score q·k.

    Parameters
    ----------
    dim : int
        Head dimension (positive, even, at most 64).
    position : float
        Key position m (the query sits at m + ``offset``).
    offset : float
        Query position minus key position.
    base : float
        RoPE base (> 1).
    rng : numpy.random.Generator or int
        Source of the random query and key, drawn as the figure draws them: the same int
        gives the same vectors as the figure (see :mod:`rope_viz._validation`).

    Returns
    -------
    tuple
        ``(traces, layout)`` in the shape of :mod:`rope_viz.figures._style`: ``x`` and ``y`` of
        traces 4·pair + 1 (trail), + 2 (query arrow) and + 3 (key arrow) for every pair, and
        ``{"title_text": ...}``.

    Raises
    ------
    ValueError, TypeError
        For a bad ``dim``, ``position``, ``offset``, ``base`` or ``rng``.

    Examples
    --------
    >>> traces, layout = rope_rotation_changes(4, position=2.0)
    >>> sorted(traces)
    [1, 2, 3, 5, 6, 7]
    """
    dim = _check_dim(dim)
    positions = np.array([check_float(position, "position")])
    offset = check_float(offset, "offset")
    base = check_float(base, "base", minimum=1.0)
    q_rot, k_rot, scores = rope_rotation_data(positions, dim, base, offset, rng)
    return _frame_changes(q_rot.reshape(1, -1, 2), k_rot.reshape(1, -1, 2), scores, positions,
                          offset, 0, trail=1)


def _frame_changes(q_pairs: np.ndarray, k_pairs: np.ndarray, scores: np.ndarray,
                   positions: np.ndarray, offset: float, index: int, trail: int) -> tuple:
    """What frame ``index`` of :func:`plot_rope_rotation` changes: ``(traces, layout)``.

    ``traces`` maps each pair's trail, query-arrow and key-arrow trace (4·pair + 1, + 2, + 3)
    to its new ``x`` and ``y``; ``layout`` holds the title with the score. ``q_pairs`` and
    ``k_pairs`` are ``(n, dim/2, 2)``, computed once for all frames; the animation frames and
    :func:`rope_rotation_changes` apply these.
    """
    traces = {}
    for pair in range(q_pairs.shape[1]):
        start = max(0, index - trail)
        path = q_pairs[start:index + 1, pair]  # (<= trail + 1, 2)
        traces[4 * pair + 1] = dict(x=rounded(path[:, 0]), y=rounded(path[:, 1]))
        for offset_in_pair, points in ((2, q_pairs), (3, k_pairs)):
            x, y = points[index, pair]
            traces[4 * pair + offset_in_pair] = dict(x=[0.0, round(float(x), 4)],
                                                     y=[0.0, round(float(y), 4)])
    title = _score_title(positions[index], offset, scores[index])
    return traces, {"title_text": title}


def _score_title(m: float, offset: float, score: float) -> str:
    return (f"Each pair turns at its own speed, yet q·k stays {score:.4f}"
            f"<br><sup>query at m {'−' if offset < 0 else '+'} {abs(offset):g}, key at m, "
            f"now m = {m:g}</sup>")


def plot_rope_rotation(
    dim: int = 16,
    *,
    positions: Any = 40,
    offset: float = 3.0,
    base: float = 10000.0,
    trail: int = 6,
    rng: Any = 0,
    controls: bool = True,
) -> go.Figure:
    """The d/2 rotation planes of a RoPE query and key, animated as the position advances.

    One small panel per pair i (interleaved pairing: dims 2i and 2i+1). The query (blue) sits
    at position m + ``offset``, the key (orange) at m; press play and m advances. Pair 0 turns
    by 1 radian per step and blurs; the last pairs turn by base^(−(d−2)/d) radians per step and
    barely move. Because both vectors turn by the same angle in every plane, the angle between
    them in each plane stays put, and so does their dot product: the number in the title is
    the same in every frame (it depends on the offset only).

    Calls :func:`rope_viz.apply_rope` (and :func:`rope_viz.rope_frequencies` for the panel
    titles).

    Parameters
    ----------
    dim : int
        Head dimension (positive, even); dim/2 panels.
    positions : int or array_like
        Key positions m, one animation frame each (an int n for ``range(n)``).
    offset : float
        Query position minus key position.
    base : float
        RoPE base (> 1).
    trail : int
        How many past query positions each panel keeps as a fading trail (>= 1).
    rng : numpy.random.Generator or int
        Source of the random query and key.
    controls : bool
        Animate (default): one frame per position, play/pause buttons and a slider, starting
        at the first position. ``False``: no frames and no controls (none is built); the
        figure shows the last position, where the animation ends.

    Returns
    -------
    plotly.graph_objects.Figure
        Per pair: a reference circle, the query trail, the query arrow and the key arrow
        (4·dim/2 scatter traces); with ``controls``, one frame per position updating the last
        three of each pair and the title; play/pause buttons and a slider.

    Raises
    ------
    ValueError, TypeError
        For a bad ``dim``, ``positions``, ``offset``, ``base``, ``trail``, ``rng`` or
        ``controls``.

    Examples
    --------
    >>> fig = plot_rope_rotation(4, positions=5)
    >>> len(fig.frames), len(fig.data)
    (5, 8)
    """
    dim = _check_dim(dim)
    positions = as_positions(positions)
    if positions.size < 1:
        fail("positions", "at least one position", positions)
    offset = check_float(offset, "offset")
    base = check_float(base, "base", minimum=1.0)
    trail = check_int(trail, "trail", minimum=1)
    controls = check_bool(controls, "controls")
    shown = 0 if controls else len(positions) - 1
    q_rot, k_rot, scores = rope_rotation_data(positions, dim, base, offset, rng)
    freqs = rope_frequencies(dim, base)  # (dim/2,)
    half = dim // 2
    q_pairs = q_rot.reshape(len(positions), half, 2)  # (n, dim/2, 2): interleaved pairs
    k_pairs = k_rot.reshape(len(positions), half, 2)  # (n, dim/2, 2)
    radius = 1.15 * float(max(np.linalg.norm(q_pairs, axis=-1).max(),
                              np.linalg.norm(k_pairs, axis=-1).max()))

    rows = -(-half // _COLS)
    fig = subplots(
        rows=rows, cols=_COLS, horizontal_spacing=0.03, vertical_spacing=0.09,
        subplot_titles=[f"pair {i}<br>θ = {freqs[i]:.3g} rad/step" for i in range(half)],
    )
    circle = np.linspace(0, 2 * np.pi, 61)
    first = _frame_changes(q_pairs, k_pairs, scores, positions, offset, shown, trail)[0]
    for pair in range(half):
        row, col = pair // _COLS + 1, pair % _COLS + 1
        r_q = float(np.linalg.norm(q_pairs[0, pair]))
        fig.add_trace(go.Scatter(x=rounded(r_q * np.cos(circle)), y=rounded(r_q * np.sin(circle)),
                                 mode="lines", line=dict(color=GRID, width=1), hoverinfo="skip",
                                 showlegend=False), row, col)
        trail_trace = len(fig.data)
        fig.add_trace(go.Scatter(**first[trail_trace], mode="lines",
                                 line=dict(color=QUERY, width=6), opacity=0.25,
                                 hoverinfo="skip", showlegend=False), row, col)
        fig.add_trace(go.Scatter(**first[trail_trace + 1], mode="lines+markers",
                                 line=dict(color=QUERY, width=3), marker=dict(size=[0, 9]),
                                 name="query (position m + offset)", legendgroup="q",
                                 showlegend=pair == 0, hoverinfo="skip"), row, col)
        fig.add_trace(go.Scatter(**first[trail_trace + 2], mode="lines+markers",
                                 line=dict(color=KEY, width=3), marker=dict(size=[0, 9]),
                                 name="key (position m)", legendgroup="k",
                                 showlegend=pair == 0, hoverinfo="skip"), row, col)

    menus, sliders = [], []
    if controls:
        frames = []
        for index, m in enumerate(positions):
            traces, layout = _frame_changes(q_pairs, k_pairs, scores, positions, offset, index,
                                            trail)
            frames.append(go.Frame(name=f"{m:g}",
                                   data=[go.Scatter(**c) for c in traces.values()],
                                   traces=list(traces), layout=layout))
        fig.frames = frames
        menus, sliders = play_controls([f"{m:g}" for m in positions],
                                       prefix="key position m = ", duration=200, y=-0.04)
    fig.update_layout(**base_layout(
        title=_score_title(positions[shown], offset, scores[shown]),
        height=230 * rows + 200,
        updatemenus=menus,
        sliders=sliders,
        margin=dict(l=40, r=20, t=135, b=130 if controls else 60),
        # above the panel titles, right of the title
        legend=dict(orientation="h", x=1.0, xanchor="right", y=1.0 + 30 / (230 * rows - 60),
                    yanchor="bottom"),
    ))
    fig.update_xaxes(range=[-radius, radius], showticklabels=False, zeroline=True,
                     zerolinecolor=GRID, showgrid=False)
    fig.update_yaxes(range=[-radius, radius], showticklabels=False, zeroline=True,
                     zerolinecolor=GRID, showgrid=False)
    for i in range(half):
        suffix = "" if i == 0 else str(i + 1)
        fig.layout[f"yaxis{suffix}"].update(scaleanchor=f"x{suffix}")
    fig.update_xaxes(title_text="dim 2i", row=rows)
    fig.update_yaxes(title_text="dim 2i+1", col=1)
    return fig
