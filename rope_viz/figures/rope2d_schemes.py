"""Figure: three ways to turn a patch's (row, column) into a rotation, seen from one patch.

What this module holds
----------------------
- :func:`plot_rope2d_schemes`: the score of one patch's query with every patch's key under
  RoPE-2D (pairs split between the axes), 1-D RoPE on the flattened raster index, and a
  rotation whose planes mix the axes (non-commuting generators); a slider moves the patch.

Numbers come from :func:`rope_viz.rope2d_scores`.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from rope_viz._validation import check_dim, check_float, check_int_tuple, fail
from rope_viz.figures._style import (
    DIVERGING,
    base_layout,
    rounded,
    set_narrow,
    slider,
    stacked_layout,
    subplots,
)
from rope_viz.figures.grid2d import PATCH_MARKER, check_patches
from rope_viz.rope2d import ROPE2D_SCHEMES, rope2d_scores

__all__ = ["plot_rope2d_schemes"]

_TITLES = {
    "axial": "RoPE-2D (split pairs)",
    "flattened": "flattened: row·W + col",
    "staggered": "overlapping planes",
}


def plot_rope2d_schemes(
    shape: Any = (8, 8),
    dim: int = 16,
    *,
    base: float = 100.0,
    patches: Any = None,
) -> go.Figure:
    """One patch's scores with every patch, under three 2-D rotary schemes side by side.

    Left, RoPE-2D (half the pairs turn with the row, half with the column): the pattern is
    the same bump wherever the chosen patch sits, so the score depends on (Δrow, Δcolumn)
    only. Middle, 1-D RoPE on the raster index row·W + column: still a function of the
    offset, but of the wrong one: horizontal neighbours are one step apart, vertical ones W
    steps apart, and the end of one row is a neighbour of the start of the next (the band
    wraps around). Right, generators whose rotation planes share dimensions (pair (2i, 2i+1)
    turns with the row, pair (2i+1, 2i+2) with the column): they do not commute, and the
    pattern changes shape as the patch moves. In every panel q = k = (1, ..., 1).

    Calls :func:`rope_viz.rope2d_scores` with ``scheme`` "axial", "flattened", "staggered".

    Parameters
    ----------
    shape : (int, int)
        Grid (rows, columns), each >= 1, at most 24 x 24.
    dim : int
        Rotary dimension, divisible by 4, at most 64.
    base : float
        RoPE base (> 1); small bases suit small grids.
    patches : sequence of (int, int), optional
        Patches offered by the slider; default up to a 5 x 5 lattice over the grid.

    Returns
    -------
    plotly.graph_objects.Figure
        Three heatmaps (axial, flattened, staggered) and three marker traces on the chosen
        patch; a slider with one step per patch restyling all six.

    Raises
    ------
    ValueError, TypeError
        For a bad ``shape``, ``dim``, ``base`` or ``patches``.

    Examples
    --------
    >>> fig = plot_rope2d_schemes((4, 4), 8, patches=[(0, 0), (3, 3)])
    >>> len(fig.data), len(fig.layout.sliders[0].steps)
    (6, 2)
    """
    shape = check_int_tuple(shape, "shape", length=2, minimum=1)
    if max(shape) > 24:
        fail("shape", "a grid of at most 24 x 24 patches (the figure stores every score)", shape)
    dim = check_dim(dim)
    if dim % 4 or dim > 64:
        fail("dim", "a multiple of 4 up to 64", dim)
    base = check_float(base, "base", minimum=1.0)
    patches = check_patches(patches, shape)
    h, w = shape
    scores = {s: rope2d_scores(shape, dim, base, s) for s in ROPE2D_SCHEMES}  # (h·w, h·w) each

    def view(scheme: str, index: int) -> list:
        r, c = patches[index]
        return rounded(scores[scheme][r * w + c].reshape(h, w), 2)  # (h, w)

    fig = subplots(rows=1, cols=3, subplot_titles=[_TITLES[s] for s in ROPE2D_SCHEMES],
                   horizontal_spacing=0.06)
    for col, scheme in enumerate(ROPE2D_SCHEMES, start=1):
        fig.add_trace(go.Heatmap(
            z=view(scheme, 0), zmin=-dim, zmax=dim, colorscale=DIVERGING,
            showscale=col == 3, colorbar=dict(title="q·k", len=0.8),
            hovertemplate="row %{y}, column %{x}<br>q·k %{z}<extra>" + scheme + "</extra>",
        ), 1, col)
    for col in range(1, 4):
        fig.add_trace(go.Scatter(
            x=[patches[0][1]], y=[patches[0][0]], mode="markers", showlegend=False,
            marker=PATCH_MARKER,
            hoverinfo="skip", name="chosen patch",
        ), 1, col)
    steps = [
        dict(label=f"({r}, {c})",
             args=[{"z": [view(s, i) for s in ROPE2D_SCHEMES] + [None] * 3,
                    "x": [None] * 3 + [[c]] * 3, "y": [None] * 3 + [[r]] * 3},
                   list(range(6))])
        for i, (r, c) in enumerate(patches)
    ]
    fig.update_layout(**base_layout(
        title="Three 2-D schemes, one patch",  # the message is in the caption
        height=430,
        margin=dict(l=60, r=40, t=90, b=120),
        sliders=[slider(steps, prefix="chosen patch (row, column) ", y=-0.16)],
    ))
    fig.update_yaxes(autorange="reversed", title_text="row", scaleanchor="x", constrain="domain")
    fig.update_xaxes(title_text="column", constrain="domain")
    for col in (2, 3):
        fig.update_yaxes(scaleanchor=f"x{col}", title_text="", row=1, col=col)
    set_narrow(fig, *_schemes_narrow(fig))
    return fig


def _schemes_narrow(fig: go.Figure) -> tuple:
    """Narrow-screen changes of :func:`plot_rope2d_schemes`: the three panels stacked, each
    with its row axis title, and the colour bar beside the last panel."""
    traces, layout = stacked_layout(fig, panel_height=240, gap=80, top=100, bottom=130)
    plot = layout["height"] - fig.layout.margin.t - fig.layout.margin.b
    layout["sliders[0].y"] = round(-40 / plot, 4)  # just under the last panel's axis title
    for name in ("xaxis", "xaxis2", "xaxis3"):
        layout[f"{name}.domain"] = [0, 0.8]  # room on the right for the colour bar
    for name in ("yaxis2", "yaxis3"):
        layout[f"{name}.title.text"] = "row"
    for index in traces:
        traces[index].update({"colorbar.x": 1.0, "colorbar.xanchor": "right",
                              "colorbar.thickness": 14})
    for i in range(3):  # subplot titles over the (narrower) panels
        layout[f"annotations[{i}].x"] = 0.4
    return traces, layout
