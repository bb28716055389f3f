"""Figure: the weights that linear attention applies, without RoPE, with Su's RoPE variant and
with RoPE in the denominator too, and the normaliser of every query.

What this module holds
----------------------
- :func:`plot_linear_attention_weights`: three heatmaps of the implied ``(n, n)`` weight
  matrix (rows = queries, columns = keys) and, below, the normaliser of each query with
  un-rotated and with rotated features; buttons switch between random tokens and one token
  repeated at every position.

Numbers come from :func:`rope_viz.linear_attention_weights` and
:func:`rope_viz.linear_attention` (``return_denominator=True``).
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
)
from rope_viz.figures._style import (
    COS,
    DIVERGING,
    NEUTRAL,
    QUERY,
    base_layout,
    buttons,
    rounded,
    set_narrow,
    stacked_layout,
    subplots,
)
from rope_viz.linear_attention import FEATURE_MAPS, linear_attention, linear_attention_weights

__all__ = ["plot_linear_attention_weights", "VARIANTS"]

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
