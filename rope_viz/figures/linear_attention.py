"""Figure: the weights that linear attention applies, without RoPE, with Su's RoPE variant and
with RoPE in the denominator too, and the normaliser of every query.

What this module holds
----------------------
- :func:`plot_linear_attention_cost`: multiply-adds of one head against the sequence length,
  softmax against linear attention with and without RoPE, on log axes, with the length at
  which they cost the same marked; a slider for the head size.
- :func:`linear_attention_cost_changes`: what one head size sets in that figure.
- :func:`plot_linear_attention_weights`: three heatmaps of the implied ``(n, n)`` weight
  matrix (rows = queries, columns = keys) and, below, the normaliser of each query with
  un-rotated and with rotated features; buttons switch between random tokens and one token
  repeated at every position.

Numbers come from :func:`rope_viz.linear_attention_weights`,
:func:`rope_viz.linear_attention` (``return_denominator=True``), and
:func:`rope_viz.attention_cost` and :func:`rope_viz.cost_crossover`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from rope_viz._validation import (
    check_bool,
    check_choice,
    check_dim,
    check_float,
    check_generator,
    check_int,
    check_int_tuple,
    fail,
)
from rope_viz.figures._style import (
    COS,
    DIVERGING,
    NEUTRAL,
    QUERY,
    SIN,
    base_layout,
    buttons,
    new_figure,
    rounded,
    set_narrow,
    slider,
    stacked_layout,
    step_args,
    subplots,
)
from rope_viz.linear_attention import (
    FEATURE_MAPS,
    attention_cost,
    cost_crossover,
    linear_attention,
    linear_attention_weights,
)

__all__ = ["plot_linear_attention_weights", "VARIANTS", "plot_linear_attention_cost",
           "linear_attention_cost_changes"]

#: The three panels: (title, uses RoPE, rotates the denominator).
VARIANTS = (
    ("no RoPE", False, False),
    ("RoPE in numerator (Su)", True, False),
    ("RoPE in both", True, True),
)
CONTENTS = ("one token everywhere", "random tokens")


def _inputs(n: int, dim: int, generator: np.random.Generator) -> dict:
    """Queries and keys for each content button, each ``(n, dim)``."""
    q, k = generator.standard_normal((2, n, dim))  # (n, dim) each: random tokens
    q_one, k_one = generator.standard_normal((2, 1, dim))  # (1, dim) each: one token
    return {
        "random tokens": (q, k),
        "one token everywhere": (np.repeat(q_one, n, axis=0),
                                 np.repeat(k_one, n, axis=0)),  # (n, dim) each
    }


def plot_linear_attention_weights(
    n: int = 32,
    dim: int = 8,
    *,
    base: float = 10000.0,
    feature_map: str = "elu1",
    causal: bool = False,
    rng: Any = 0,
) -> go.Figure:
    """The implied weights of linear attention with and without RoPE, and their normalisers.

    Top: ``A[m, j]`` with ``output = A @ v`` for three variants (``VARIANTS``): plain
    linear attention (positive weights, rows sum to 1); RoPE on the features in the numerator
    only, Su's variant (weights can be negative, rows need not sum to 1, the normaliser is the
    plain one); RoPE in numerator and denominator (rows sum to 1, but the normaliser can come
    close to zero or turn negative, and the weights of that row blow up). All panels share one
    symmetric colour scale, fitted to the first two panels; the third saturates where its
    normaliser is small. Bottom: the normaliser of every query, un-rotated and rotated.

    Buttons switch the content: one random query token and one random key token repeated at
    every position (shown first; the RoPE weights then depend on m − j only: constant
    diagonals), or random Gaussian tokens.

    Calls :func:`rope_viz.linear_attention_weights` and :func:`rope_viz.linear_attention`.

    Parameters
    ----------
    n : int
        Sequence length (>= 2).
    dim : int
        Head dimension (positive, even). Small heads show negative normalisers more often.
    base : float
        RoPE base (> 1).
    feature_map : {"elu1", "relu"}
        The feature map φ.
    causal : bool
        Mask keys after the query.
    rng : numpy.random.Generator or int
        Source of the random tokens.

    Returns
    -------
    plotly.graph_objects.Figure
        Per content, three heatmaps and two scatter traces (10 traces; the first content's five
        visible); one button row restyling ``visible``.

    Raises
    ------
    ValueError, TypeError
        For a bad ``n``, ``dim``, ``base``, ``feature_map``, ``causal`` or ``rng``.

    Examples
    --------
    >>> fig = plot_linear_attention_weights(8, 4)
    >>> [t.type for t in fig.data[:5]]
    ['heatmap', 'heatmap', 'heatmap', 'scatter', 'scatter']
    """
    n = check_int(n, "n", minimum=2)
    dim = check_dim(dim)
    base = check_float(base, "base", minimum=1.0)
    feature_map = check_choice(feature_map, "feature_map", FEATURE_MAPS)
    causal = check_bool(causal, "causal")
    generator = check_generator(rng)
    inputs = _inputs(n, dim, generator)

    panels = {}  # content -> (three weight matrices, un-rotated and rotated normalisers)
    ones = np.ones((n, 1))  # (n, 1): values are irrelevant to the normaliser
    for content, (q, k) in inputs.items():
        common = dict(base=base, feature_map=feature_map, causal=causal)
        weights = [
            linear_attention_weights(q, k, positions=n if rope else None,
                                     rope_denominator=rotated, **common)
            for _, rope, rotated in VARIANTS
        ]  # three (n, n)
        normalisers = [
            linear_attention(q, k, ones, positions=n, rope_denominator=rotated,
                             return_denominator=True, **common)[1]
            for rotated in (False, True)
        ]  # two (n,)
        panels[content] = (weights, normalisers)
    limit = max(float(np.abs(w).max()) for weights, _ in panels.values() for w in weights[:2])

    fig = subplots(
        rows=2, cols=3, row_heights=[0.62, 0.38], vertical_spacing=0.16,
        horizontal_spacing=0.05,
        specs=[[{}, {}, {}], [{"colspan": 3}, None, None]],
        subplot_titles=(*(title for title, _, _ in VARIANTS),
                   "normaliser of each query"),
    )
    positions = np.arange(n)
    for index, content in enumerate(CONTENTS):
        weights, normalisers = panels[content]
        visible = index == 0
        for col, matrix in enumerate(weights, start=1):
            fig.add_trace(go.Heatmap(
                z=rounded(matrix, 4), zmin=-limit, zmax=limit, zmid=0.0,
                colorscale=DIVERGING, visible=visible, showscale=col == 1,
                colorbar=dict(title="weight", len=0.55, y=1.0, yanchor="top"),
                hovertemplate="query m %{y}<br>key j %{x}<br>weight %{z}<extra></extra>",
            ), 1, col)
        for (label, color), values in zip(
            (("un-rotated (no RoPE; Su)", QUERY), ("rotated (RoPE in both)", COS)), normalisers
        ):
            fig.add_trace(go.Scatter(
                x=positions.tolist(), y=rounded(values, 4), mode="lines+markers",
                name=label, visible=visible, line=dict(color=color, width=2),
                marker=dict(size=5), legendgroup=label, showlegend=index == 0,
            ), 2, 1)
    per_content = 5
    content_buttons = [
        dict(label=content, method="restyle",
             args=[{"visible": [i // per_content == index
                                for i in range(per_content * len(CONTENTS))]}])
        for index, content in enumerate(CONTENTS)
    ]
    fig.update_layout(**base_layout(
        title="Linear attention weights: no RoPE and RoPE",
        height=760,
        margin=dict(l=70, r=30, t=130, b=100),
        updatemenus=[buttons(content_buttons, x=0.0, y=1.07)],
        legend=dict(orientation="h", x=0.0, xanchor="left", y=-_LEGEND_DROP / 530,
                    yanchor="top"),
    ))
    fig.update_layout(title_y=0.985, title_yanchor="top")
    for col in (1, 2, 3):
        fig.update_yaxes(range=[n - 0.5, -0.5], row=1, col=col)  # query 0 at the top
        fig.update_xaxes(range=[-0.5, n - 0.5], row=1, col=col)
        fig.update_xaxes(title_text="key j", row=1, col=col)
    fig.update_yaxes(title_text="query m", row=1, col=1)
    fig.update_xaxes(title_text="query position m", row=2, col=1)
    fig.update_yaxes(title_text="normaliser", row=2, col=1)
    fig.add_hline(y=0, line=dict(color=NEUTRAL, width=1), row=2, col=1)
    set_narrow(fig, *_narrow(fig))
    return fig


#: Pixels from the bottom of the normaliser panel to the top of the legend under it.
_LEGEND_DROP = 62


def _narrow(fig: go.Figure) -> tuple:
    """Phone layout: the four panels in one column, the legend under the last one."""
    traces, layout = stacked_layout(fig, panel_height=240, gap=95, top=135, bottom=130)
    plot = layout["height"] - fig.layout.margin.t - fig.layout.margin.b  # px of the plot area

    def paper_y(pixels: float) -> float:  # pixels from the figure's top edge -> paper y
        return round(1 - (pixels - fig.layout.margin.t) / plot, 4)

    layout.update({"title.text": "Linear attention weights", "legend.y": -_LEGEND_DROP / plot,
                   "legend.orientation": "v", "updatemenus[0].y": paper_y(78)})
    traces[0]["colorbar.thickness"] = 10
    return traces, layout


#: Head sizes (d = d_v) on the cost figure's slider.
COST_DIMS = (16, 32, 64, 128, 256)


def _cost_lengths(max_length: int) -> np.ndarray:
    """About 100 log-spaced integer lengths from 8 to ``max_length``."""
    return np.unique(np.geomspace(8, max_length, 100).round())  # (L,)


def linear_attention_cost_changes(dim: int = 64, *, max_length: int = 65536) -> tuple:
    """Everything one head size sets in :func:`plot_linear_attention_cost`.

    Parameters
    ----------
    dim : int
        Head size d = d_v (positive, even).
    max_length : int
        Largest sequence length drawn (>= 16).

    Returns
    -------
    tuple
        ``(traces, layout)`` in the shape of :mod:`rope_viz.figures._style`: the ``y`` of the
        softmax (trace 0), linear (trace 1) and linear-with-RoPE (trace 2) curves, and the
        ``x``, ``y`` and ``text`` of the crossover marker (trace 3); the layout is empty.

    Raises
    ------
    ValueError, TypeError
        For a bad ``dim`` or ``max_length``.

    Examples
    --------
    >>> traces, _ = linear_attention_cost_changes(64)
    >>> traces[3]["text"]
    ['same cost at n = 65']
    """
    dim = check_dim(dim)
    max_length = check_int(max_length, "max_length", minimum=16)
    lengths = _cost_lengths(max_length)
    softmax, linear, with_rope = attention_cost(lengths.astype(int), dim)
    cross = cost_crossover(dim)
    cross_cost = attention_cost([max(1, round(cross))], dim)[1][0] * cross / max(1, round(cross))
    traces = {
        0: {"y": rounded(softmax, 0)},
        1: {"y": rounded(linear, 0)},
        2: {"y": rounded(with_rope, 0)},
        3: {"x": [round(cross, 2)], "y": [round(float(cross_cost), 0)],
            "text": [f"same cost at n = {cross:.0f}"]},
    }
    return traces, {}


def plot_linear_attention_cost(
    dim: int = 64,
    *,
    dims: Any = COST_DIMS,
    max_length: int = 65536,
    controls: bool = True,
) -> go.Figure:
    """Multiply-adds of one attention head against the sequence length, softmax against linear.

    Softmax attention grows as n² (d + d_v), linear attention as 2 n d (d_v + 1); RoPE in
    Su's variant adds 4 n d, which hardly moves the linear curve. Both axes are logarithmic,
    so the curves are straight lines of slope 2 and 1; a marker shows the length at which
    they cross (n = 65 for d = d_v = 64). The slider sets the head size d = d_v: a larger
    head moves the crossover to longer sequences.

    Calls :func:`rope_viz.attention_cost` and :func:`rope_viz.cost_crossover`.

    Parameters
    ----------
    dim : int
        The head size shown first (one of ``dims``).
    dims : sequence of int
        Head sizes on the slider (each positive and even).
    max_length : int
        Largest sequence length drawn (>= 16).
    controls : bool
        Draw the slider (default). ``False``: none, the figure shows ``dim``.

    Returns
    -------
    plotly.graph_objects.Figure
        Three line traces (softmax, linear, linear with RoPE) and one marker trace (the
        crossover); with ``controls``, a slider with one step per head size applying
        :func:`linear_attention_cost_changes`.

    Raises
    ------
    ValueError, TypeError
        For a bad ``dim``, ``dims``, ``max_length`` or ``controls``, or a ``dim`` not in
        ``dims``.

    Examples
    --------
    >>> fig = plot_linear_attention_cost(32, dims=(32, 64))
    >>> len(fig.data), len(fig.layout.sliders[0].steps)
    (4, 2)
    """
    dims = check_int_tuple(dims, "dims", minimum=2)
    for d in dims:
        check_dim(d, "dims")
    dim = check_dim(dim)
    if dim not in dims:
        fail("dim", f"one of dims {dims}", dim)
    max_length = check_int(max_length, "max_length", minimum=16)
    controls = check_bool(controls, "controls")
    lengths = _cost_lengths(max_length)
    per_dim = {d: linear_attention_cost_changes(d, max_length=max_length)
               for d in (dims if controls else (dim,))}
    shown = per_dim[dim][0]

    fig = new_figure()
    x = rounded(lengths, 0)
    for index, (name, color, dash) in enumerate((
        ("softmax: n²(d + dᵥ)", COS, "solid"),
        ("linear: 2nd(dᵥ + 1)", QUERY, "solid"),
        ("linear + RoPE (Su): + 4nd", SIN, "dot"),
    )):
        fig.add_trace(go.Scatter(x=x, mode="lines", name=name, **shown[index],
                                 line=dict(color=color, width=3 if dash == "dot" else 2.5,
                                           dash=dash),
                                 hovertemplate="n = %{x}<br>%{y:.3s} multiply-adds"
                                               "<extra></extra>"))
    fig.add_trace(go.Scatter(**shown[3], mode="markers+text", name="same cost",
                             showlegend=False, textposition="bottom right",
                             marker=dict(color=NEUTRAL, size=11, symbol="circle-open",
                                         line=dict(width=2.5)),
                             textfont=dict(color=NEUTRAL),
                             hovertemplate="n = %{x}<extra></extra>"))
    steps = [dict(method="update", label=str(d), args=step_args(*changes))
             for d, changes in per_dim.items()]
    fig.update_layout(**base_layout(
        title="Cost of one head: softmax vs linear",
        height=460,
        margin=dict(l=70, r=30, t=60, b=130) if controls else dict(l=70, r=30, t=60, b=60),
        sliders=[slider(steps, prefix="head size d = dᵥ = ", active=list(per_dim).index(dim),
                        y=-0.2)] if controls else [],
        legend=dict(x=0.01, xanchor="left", y=0.99, yanchor="top"),
    ))
    fig.update_xaxes(type="log", title_text="sequence length n", dtick=1,
                     range=[np.log10(8), np.log10(max_length)])
    fig.update_yaxes(type="log", title_text="multiply-adds", exponentformat="power", dtick=2)
    set_narrow(fig, {}, {"title.text": "Cost: softmax vs linear"})
    return fig
