"""Figures: attention-score matrices with RoPE and with an absolute encoding, and the
relative biases of the zoo (ALiBi, T5) drawn in the same style.

What this module holds
----------------------
- :func:`plot_attention_scores`: q·k for every (query position m, key position n) of one
  token repeated along the sequence, with RoPE (a Toeplitz matrix: constant along every
  diagonal, since it depends on m − n only) and with a sinusoidal encoding added (not).
- :func:`plot_relative_biases`: ALiBi's bias matrix per head (a slider) and T5's bucket
  matrix, rows = queries, columns = keys; :func:`relative_biases_changes` is what a length, a
  head and T5's direction change (the ``(traces, layout)`` shape of
  :mod:`rope_viz.figures._style`).

Numbers come from :func:`rope_viz.apply_rope`, :func:`rope_viz.sinusoidal_encoding`,
:func:`rope_viz.alibi_bias`, :func:`rope_viz.alibi_slopes`,
:func:`rope_viz.relative_position_matrix` and :func:`rope_viz.t5_relative_buckets`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from rope_viz._validation import check_bool, check_dim, check_float, check_generator, check_int
from rope_viz.absolute import sinusoidal_encoding
from rope_viz.figures._style import (
    DIVERGING,
    SEQUENTIAL,
    base_layout,
    rounded,
    set_narrow,
    slider,
    stacked_layout,
    step_args,
    subplots,
)
from rope_viz.relative import (
    alibi_bias,
    alibi_slopes,
    relative_position_matrix,
    t5_relative_buckets,
)
from rope_viz.rope import apply_rope

__all__ = [
    "plot_attention_scores",
    "plot_relative_biases",
    "relative_biases_changes",
    "attention_score_matrices",
]


def attention_score_matrices(n: int, dim: int, base: float, rng: Any) -> tuple:
    """``(rope_scores, absolute_scores)``, each ``(n, n)``, for one random (q, k) token pair.

    RoPE: ``(R_m q)·(R_n k)``. Absolute: ``(q + PE(m))·(k + PE(n))`` with the sinusoidal PE.
    """
    generator = check_generator(rng)
    q, k = generator.standard_normal((2, 1, dim))  # (1, dim) each: one token as query and key
    queries = apply_rope(np.repeat(q, n, 0), n, base)  # (n, dim): R_m q
    keys = apply_rope(np.repeat(k, n, 0), n, base)  # (n, dim): R_n k
    table = sinusoidal_encoding(n, dim, base)  # (n, dim)
    absolute = (q + table) @ (k + table).T  # (n, n)
    return queries @ keys.T, absolute


def plot_attention_scores(n: int = 32, dim: int = 32, *, base: float = 10000.0,
                          rng: Any = 0) -> go.Figure:
    """q·k for every query position m and key position n, with RoPE and with absolute PE.

    The same token (one random query vector q and key vector k) sits at every position. With
    RoPE (left) the score (R_m q)·(R_n k) = q·R_(n−m) k depends on n − m only: every diagonal
    of the matrix is constant (a Toeplitz matrix) and the pattern slides along the diagonal.
    With the sinusoidal encoding added to the token (right) the score (q + PE(m))·(k + PE(n))
    also has terms in m and n separately, so the diagonals are not constant.

    Calls :func:`rope_viz.apply_rope` and :func:`rope_viz.sinusoidal_encoding`.

    Parameters
    ----------
    n : int
        Sequence length (>= 2).
    dim : int
        Head dimension (positive, even).
    base : float
        Base of both encodings (> 1).
    rng : numpy.random.Generator or int
        Source of the random token.

    Returns
    -------
    plotly.graph_objects.Figure
        Two heatmap traces (RoPE, absolute), each on its own symmetric diverging scale.

    Raises
    ------
    ValueError, TypeError
        For a bad ``n``, ``dim``, ``base`` or ``rng``.

    Examples
    --------
    >>> fig = plot_attention_scores(8, 8)
    >>> [t.type for t in fig.data]
    ['heatmap', 'heatmap']
    """
    n = check_int(n, "n", minimum=2)
    dim = check_dim(dim)
    base = check_float(base, "base", minimum=1.0)
    rope, absolute = attention_score_matrices(n, dim, base, rng)
    fig = subplots(rows=1, cols=2, horizontal_spacing=0.16,
                   subplot_titles=("RoPE: (Rₘq)·(Rₙk)", "absolute: (q + PE(m))·(k + PE(n))"))
    heat = dict(colorscale=DIVERGING,
                hovertemplate="query m %{y}<br>key n %{x}<br>score %{z}<extra></extra>")
    for col, (scores, bar_x) in enumerate(((rope, 0.42), (absolute, 1.0)), start=1):
        limit = float(np.abs(scores).max())  # each panel on its own symmetric scale
        fig.add_trace(go.Heatmap(z=rounded(scores, 3), zmin=-limit, zmax=limit,
                                 colorbar=dict(title="q·k", x=bar_x, len=0.9), **heat), 1, col)
    fig.update_layout(**base_layout(
        title="With RoPE, q·k depends on m − n only",
        height=480,
    ))
    fig.update_yaxes(autorange="reversed", title_text="query position m", scaleanchor="x",
                     row=1, col=1)
    fig.update_yaxes(autorange="reversed", scaleanchor="x2", row=1, col=2)
    fig.update_xaxes(title_text="key position n")
    _stack_two(fig)
    return fig


#: Narrow screens: the two heatmaps stacked, each this many px tall and this share of the
#: width, its colour bar to the right.
_NARROW_PANEL, _NARROW_SHARE = 232, 0.78


def _stack_two(fig: go.Figure, bottom: int = 40) -> None:
    """Phone layout of a figure with two heatmaps side by side (traces 0 and 1): stacked, each
    with its colour bar to its right, subplot titles at the left; ``bottom`` px under the lower
    panel (room for a slider)."""
    traces, layout = stacked_layout(fig, panel_height=_NARROW_PANEL, gap=80, top=80,
                                    bottom=bottom)
    for index, axis in enumerate(("xaxis", "xaxis2")):
        layout[f"{axis}.domain"] = [0, _NARROW_SHARE]
        traces[index].update({"colorbar.x": _NARROW_SHARE + 0.03, "colorbar.xanchor": "left"})
        layout[f"annotations[{index}].x"] = 0.0
        layout[f"annotations[{index}].xanchor"] = "left"
    layout["xaxis.title.text"] = ""  # the lower panel's axis title serves both
    layout["yaxis2.title.text"] = "query position m"
    set_narrow(fig, traces, layout)


#: ALiBi's colour scale stops at this bias (a factor e⁻¹ on the attention weight), so that
#: every head's reach shows: the bias reaches it at distance 1/slope.
_ALIBI_FLOOR = -1.0


def _check_biases(n, num_heads, head, num_buckets, max_distance, bidirectional) -> tuple:
    n = check_int(n, "n", minimum=2)
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    head = check_int(head, "head", minimum=1, maximum=num_heads)
    num_buckets = check_int(num_buckets, "num_buckets", minimum=2)
    max_distance = check_int(max_distance, "max_distance", minimum=1)
    bidirectional = check_bool(bidirectional, "bidirectional")
    return n, num_heads, head, num_buckets, max_distance, bidirectional


def relative_biases_changes(n: int = 32, *, num_heads: int = 8, head: int = 1,
                            num_buckets: int = 32, max_distance: int = 128,
                            bidirectional: bool = True) -> tuple:
    """Everything a length, an ALiBi head and T5's direction set in :func:`plot_relative_biases`.

    Parameters
    ----------
    n : int
        Sequence length (>= 2).
    num_heads : int
        ALiBi heads (>= 1).
    head : int
        The ALiBi head shown, 1-based (1 … num_heads).
    num_buckets, max_distance : int
        T5's bucket count (>= 2) and largest distinguished distance (>= 1).
    bidirectional : bool
        T5 buckets for an encoder (True) or a causal decoder (False).

    Returns
    -------
    tuple
        ``(traces, layout)`` in the shape of :mod:`rope_viz.figures._style`: the ALiBi
        heatmap (trace 0: ``z`` and its colour floor ``zmin``, fixed at −1), the T5 heatmap (trace 1:
        ``z``) and the ALiBi panel's title ``annotations[0].text``.

    Raises
    ------
    ValueError, TypeError
        For bad ``n``, ``num_heads``, ``head``, ``num_buckets``, ``max_distance`` or
        ``bidirectional``.

    Examples
    --------
    >>> traces, layout = relative_biases_changes(4, num_heads=2, head=2)
    >>> layout["annotations[0].text"]
    'ALiBi bias, head 2 (slope 0.00391)'
    """
    n, num_heads, head, num_buckets, max_distance, bidirectional = _check_biases(
        n, num_heads, head, num_buckets, max_distance, bidirectional)
    bias = alibi_bias(n, num_heads)  # (heads, n, n)
    traces, layout = _alibi_changes(bias, alibi_slopes(num_heads), head - 1)
    traces[0]["zmin"] = _ALIBI_FLOOR
    traces[1] = {"z": _t5_z(n, bidirectional, num_buckets, max_distance)}
    return traces, layout


def _alibi_changes(bias: np.ndarray, slopes: np.ndarray, head: int) -> tuple:
    """What choosing ALiBi head ``head`` (0-based) changes in :func:`plot_relative_biases`.

    ``({0: {"z": ...}}, {"annotations[0].text": ...})`` from the ``(heads, n, n)`` bias,
    computed once for all heads; the slider steps apply these, and
    :func:`relative_biases_changes` adds what the length and T5's direction set.
    """
    return ({0: {"z": rounded(bias[head], 3)}},
            {"annotations[0].text": f"ALiBi bias, head {head + 1} (slope {slopes[head]:.3g})"})


def _t5_z(n: int, bidirectional: bool, num_buckets: int, max_distance: int) -> list:
    """T5's bucket of n − m for every (query m, key n), as the heatmap's ``z``."""
    return t5_relative_buckets(-relative_position_matrix(n), bidirectional, num_buckets,
                               max_distance).tolist()  # (n, n)


def plot_relative_biases(
    n: int = 32,
    *,
    num_heads: int = 8,
    num_buckets: int = 32,
    max_distance: int = 128,
    bidirectional: bool = True,
    head: int = 1,
    controls: bool = True,
) -> go.Figure:
    """ALiBi's bias and T5's buckets as query × key matrices, in the attention-score style.

    Left: ALiBi adds ``−slope_h·|m − n|`` to the score, with head slopes 2^(−8h/H); the slider
    picks the head: the first heads fall off steeply (they look nearby), the last barely (they
    see far). The colour scale stops at −1, reached at distance 1/slope, so that each head's
    reach shows as the width of the light band (hover for the values beyond). Right: T5 maps the distance n − m to one of ``num_buckets`` buckets (one learned
    scalar each): exact buckets near the diagonal, log-spaced ones further out, one shared
    bucket beyond ``max_distance``. Both are constant along diagonals: they depend on
    n − m only.

    Calls :func:`rope_viz.alibi_bias`, :func:`rope_viz.alibi_slopes`,
    :func:`rope_viz.relative_position_matrix` and :func:`rope_viz.t5_relative_buckets`.

    Parameters
    ----------
    n : int
        Sequence length (>= 2).
    num_heads : int
        ALiBi heads (>= 1); one slider step each.
    num_buckets, max_distance : int
        T5's bucket count and largest distinguished distance.
    bidirectional : bool
        T5 buckets for an encoder (True) or a causal decoder (False).
    head : int
        The ALiBi head shown first, 1-based (1 … num_heads).
    controls : bool
        Draw the head slider (default). ``False``: no slider; the figure shows ``head``.

    Returns
    -------
    plotly.graph_objects.Figure
        Two heatmap traces (ALiBi bias, T5 bucket); with ``controls``, a slider with one step
        per head restyling the ALiBi heatmap. :func:`relative_biases_changes` gives both
        panels for any state.

    Raises
    ------
    ValueError, TypeError
        For bad ``n``, ``num_heads``, ``num_buckets``, ``max_distance``, ``bidirectional``,
        ``head`` or ``controls``.

    Examples
    --------
    >>> fig = plot_relative_biases(8, num_heads=4)
    >>> len(fig.layout.sliders[0].steps)
    4
    """
    n, num_heads, head, num_buckets, max_distance, bidirectional = _check_biases(
        n, num_heads, head, num_buckets, max_distance, bidirectional)
    controls = check_bool(controls, "controls")
    bias = alibi_bias(n, num_heads)  # (heads, n, n)
    slopes = alibi_slopes(num_heads)  # (heads,)
    shown, title = _alibi_changes(bias, slopes, head - 1)
    fig = subplots(rows=1, cols=2, horizontal_spacing=0.2,
                   subplot_titles=(title["annotations[0].text"], "T5 bucket of n − m"))
    fig.add_trace(go.Heatmap(z=shown[0]["z"], colorscale="Blues_r",
                             zmin=_ALIBI_FLOOR, zmax=0.0,
                             colorbar=dict(title="bias", x=0.41, tickvals=[-1.0, -0.5, 0.0],
                                           ticktext=["≤ −1", "−0.5", "0"]),
                             hovertemplate="query m %{y}<br>key n %{x}<br>bias %{z}"
                             "<extra></extra>"), 1, 1)
    fig.add_trace(go.Heatmap(z=_t5_z(n, bidirectional, num_buckets, max_distance),
                             colorscale=SEQUENTIAL, zmin=0,
                             zmax=num_buckets - 1, colorbar=dict(title="bucket"),
                             hovertemplate="query m %{y}<br>key n %{x}<br>bucket %{z}"
                             "<extra></extra>"), 1, 2)
    steps = [dict(method="update", label=str(h + 1), args=step_args(*_alibi_changes(bias, slopes, h)))
             for h in range(num_heads if controls else 0)]
    fig.update_layout(**base_layout(
        title="ALiBi and T5 depend on m − n only",
        height=500,
        margin=dict(l=70, r=30, t=70, b=120 if controls else 60),
        sliders=[slider(steps, prefix="ALiBi head ", active=head - 1, y=-0.16)]
        if controls else [],
    ))
    fig.update_yaxes(autorange="reversed", scaleanchor="x", title_text="query position m",
                     row=1, col=1)
    fig.update_yaxes(autorange="reversed", scaleanchor="x2", row=1, col=2)
    fig.update_xaxes(title_text="key position n")
    _stack_two(fig, bottom=120 if controls else 40)
    if controls:  # the slider just under the lower panel's axis title
        margin = fig.layout.margin
        plot = fig.layout.meta["narrow"]["layout"]["height"] - margin.t - margin.b
        set_narrow(fig, layout={"sliders[0].y": round(-50 / plot, 4)})
    return fig
