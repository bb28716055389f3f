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
from rope_viz.figures._style import (
    KEY,
    NEUTRAL,
    QUERY,
    base_layout,
    play_controls,
    rounded,
    set_narrow,
    subplots,
)
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
        traces 4·pair + 1 (trail), + 2 (query arrow) and + 3 (key arrow) for every pair, the
        query's name (traces 4·pair + 2; the legend names the offset) and ``{"title_text": ...}``.

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
    traces, layout = _frame_changes(q_rot.reshape(1, -1, 2), k_rot.reshape(1, -1, 2), scores,
                                    positions, offset, 0, trail=1)
    for index in range(2, 4 * (dim // 2), 4):  # the legend names the offset
        traces[index]["name"] = _query_name(offset)
    return traces, layout


def _query_name(offset: float) -> str:
    return f"query at m {'−' if offset < 0 else '+'} {abs(offset):g}"


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
    value = f"{score:.4f}".replace("-", "−")
    return (f"Each pair turns; q·k stays {value}"
            f"<br><sup>query at m {'−' if offset < 0 else '+'} {abs(offset):g}, key at m; "
            f"m = {m:g}</sup>")


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _theta(i: int) -> str:
    """θᵢ with the pair number as Unicode subscript digits: θ₀, θ₁₂."""
    return "θ" + str(i).translate(_SUBSCRIPTS)


def _grid(half: int, cols: int, *, panel: int, gap: int, top: int, bottom: int,
          spacing: float) -> tuple:
    """Pixel layout of ``half`` square-ish panels in ``cols`` columns.

    Returns ``(height, x domains, y domains, plot height)``: the figure height for ``panel`` px tall
    panels with ``gap`` px between rows (room for the two-line panel titles), ``top`` px above
    the first row and ``bottom`` px below the last (these are the figure's top and bottom
    margins), and each pair's x and y domain in paper coordinates.
    """
    rows = -(-half // cols)
    plot = rows * panel + (rows - 1) * gap
    width = (1.0 - spacing * (cols - 1)) / cols
    xs, ys = [], []
    for pair in range(half):
        row, col = divmod(pair, cols)
        x0 = col * (width + spacing)
        y1 = 1.0 - row * (panel + gap) / plot
        xs.append([round(x0, 4), round(x0 + width, 4)])
        ys.append([round(y1 - panel / plot, 4), round(y1, 4)])
    return top + plot + bottom, xs, ys, plot


#: Pixels of the wide (4 columns) and the narrow (2 columns, a phone) layout.
_WIDE = dict(panel=170, gap=62, top=138, bottom=130, spacing=0.03)
_NARROW = dict(panel=150, gap=58, top=132, bottom=165, spacing=0.08)
_LEGEND_ABOVE = 44  # px between the top of the first row of panels and the legend's bottom
_TITLE_Y = 30  # px from the figure's top to the title's anchor


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
        rows=rows, cols=_COLS, horizontal_spacing=_WIDE["spacing"], vertical_spacing=0.09,
        subplot_titles=[f"pair {i}<br>{_theta(i)} = {freqs[i]:.3g} rad/step" for i in range(half)],
    )
    circle = np.linspace(0, 2 * np.pi, 61)
    first = _frame_changes(q_pairs, k_pairs, scores, positions, offset, shown, trail)[0]
    for pair in range(half):
        row, col = pair // _COLS + 1, pair % _COLS + 1
        r_q = float(np.linalg.norm(q_pairs[0, pair]))
        fig.add_trace(go.Scatter(x=rounded(r_q * np.cos(circle)), y=rounded(r_q * np.sin(circle)),
                                 mode="lines", line=dict(color=NEUTRAL, width=1), opacity=0.6,
                                 hoverinfo="skip", showlegend=False), row, col)
        trail_trace = len(fig.data)
        fig.add_trace(go.Scatter(**first[trail_trace], mode="lines",
                                 line=dict(color=QUERY, width=6), opacity=0.25,
                                 hoverinfo="skip", showlegend=False), row, col)
        hover = f"pair {pair}: {_theta(pair)} = {freqs[pair]:.3g} rad/step"
        fig.add_trace(go.Scatter(**first[trail_trace + 1], mode="lines+markers",
                                 line=dict(color=QUERY, width=3), marker=dict(size=[0, 9]),
                                 name=_query_name(offset), legendgroup="q",
                                 showlegend=pair == 0,
                                 hovertemplate=f"{hover}<br>query<extra></extra>"), row, col)
        fig.add_trace(go.Scatter(**first[trail_trace + 2], mode="lines+markers",
                                 line=dict(color=KEY, width=3), marker=dict(size=[0, 9]),
                                 name="key at m", legendgroup="k",
                                 showlegend=pair == 0,
                                 hovertemplate=f"{hover}<br>key<extra></extra>"), row, col)

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
    wide = dict(_WIDE, bottom=_WIDE["bottom"] if controls else 40)
    height, xs, ys, plot = _grid(half, _COLS, **wide)
    fig.update_layout(**base_layout(
        title=_score_title(positions[shown], offset, scores[shown]),
        height=height,
        updatemenus=menus,
        sliders=sliders,
        margin=dict(l=40, r=20, t=wide["top"], b=wide["bottom"]),
        legend=dict(orientation="h", x=0.0, xanchor="left", y=1.0 + _LEGEND_ABOVE / plot,
                    yanchor="bottom"),
    ))
    # plotly anchors a two-line title by its first line: its top sits about 18 px above y
    fig.update_layout(title=dict(y=round(1.0 - _TITLE_Y / height, 4), yref="container",
                                 yanchor="top"))
    axes = dict(showticklabels=False, zeroline=True, showgrid=False)
    fig.update_xaxes(range=[-radius, radius], **axes)
    fig.update_yaxes(range=[-radius, radius], **axes)
    for i in range(half):
        suffix = "" if i == 0 else str(i + 1)
        fig.layout[f"xaxis{suffix}"].domain = xs[i]
        fig.layout[f"yaxis{suffix}"].update(scaleanchor=f"x{suffix}", domain=ys[i])
        fig.layout.annotations[i].update(x=(xs[i][0] + xs[i][1]) / 2, y=ys[i][1])
    fig.update_xaxes(title_text="dim 2i", row=rows)
    fig.update_yaxes(title_text="dim 2i+1", col=1)
    set_narrow(fig, layout=_narrow_changes(fig, half, freqs, controls))
    return fig


def _narrow_changes(fig: go.Figure, half: int, freqs: np.ndarray, controls: bool) -> dict:
    """The phone layout of :func:`plot_rope_rotation`: two columns of panels, short panel
    titles (θᵢ without the unit), no axis titles, the slider on its own row under the buttons."""
    narrow = dict(_NARROW, bottom=_NARROW["bottom"] if controls else 30)
    height, xs, ys, plot = _grid(half, 2, **narrow)
    changes = {"height": height, "margin.t": narrow["top"], "margin.b": narrow["bottom"],
               "margin.l": 10, "margin.r": 10, "legend.y": round(1.0 + _LEGEND_ABOVE / plot, 4),
               "title.y": round(1.0 - _TITLE_Y / height, 4)}
    for i in range(half):
        suffix = "" if i == 0 else str(i + 1)
        changes[f"xaxis{suffix}.domain"] = xs[i]
        changes[f"yaxis{suffix}.domain"] = ys[i]
        changes[f"annotations[{i}].x"] = round((xs[i][0] + xs[i][1]) / 2, 4)
        changes[f"annotations[{i}].y"] = ys[i][1]
        changes[f"annotations[{i}].text"] = f"pair {i}<br>{_theta(i)} = {freqs[i]:.3g}"
        for axis in ("xaxis", "yaxis"):
            if fig.layout[f"{axis}{suffix}"].title.text:
                changes[f"{axis}{suffix}.title.text"] = ""
    if controls:  # the slider below the play / pause buttons, its readout at the right
        changes.update({"sliders[0].x": 0.0, "sliders[0].len": 1.0, "sliders[0].pad.t": 78,
                        "sliders[0].currentvalue.prefix": "m = "})
    return changes
