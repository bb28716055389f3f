"""Figure: RoPE-2D on an image grid, pair by pair, and one patch's view of every patch.

What this module holds
----------------------
- :func:`plot_rope2d_maps`: small multiples of cos(angle) of each frequency pair over the grid
  (half the pairs follow the row, half the column), and the similarity of one patch's query
  to the keys of every patch; a slider moves the chosen patch.
- :func:`rope2d_maps_changes`: what one base and one chosen patch set in that figure (the
  ``(traces, layout)`` shape of :mod:`rope_viz.figures._style`), as a live widget applies it.
- :func:`check_patches`: the check of a list of grid patches, shared with
  :mod:`rope_viz.figures.rope2d_schemes`.

Numbers come from :func:`rope_viz.grid_positions`, :func:`rope_viz.axial_rope_angles` and
:func:`rope_viz.rope2d_scores` (the axial scheme, q = k = (1, …, 1)).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from rope_viz._validation import check_bool, check_dim, check_float, check_int_tuple, fail
from rope_viz.figures._style import (
    DIVERGING,
    base_layout,
    rounded,
    set_narrow,
    slider,
    step_args,
    subplots,
)
from rope_viz.multidim import axial_rope_angles, grid_positions
from rope_viz.rope2d import rope2d_scores

__all__ = ["plot_rope2d_maps", "rope2d_maps_changes", "check_patches", "PATCH_MARKER"]

#: The cross on a chosen patch: dark with a light rim, readable on every cell of a diverging
#: heatmap and, where it overhangs the grid, on a light or a dark page.
PATCH_MARKER = dict(symbol="x", size=13, color="#1A1A1A", line=dict(width=1.5, color="#F2F2F2"))


def check_patches(patches: Any, shape: Any) -> list:
    """Return ``patches`` as a list of ``(row, column)`` int pairs inside a ``shape`` grid.

    Parameters
    ----------
    patches : sequence of (int, int) or None
        Patches of the grid, 0-based. ``None`` gives a default lattice: up to 5 rows by 5
        columns spread evenly over the grid, corners included.
    shape : (int, int)
        Grid size (rows, columns), each >= 1.

    Returns
    -------
    list of (int, int)
        At least one pair, each with 0 <= row < rows and 0 <= column < columns.

    Raises
    ------
    TypeError
        When ``patches`` is not a sequence of pairs of ints.
    ValueError
        When it is empty or a patch lies outside the grid, or for a bad ``shape``.

    Examples
    --------
    >>> check_patches(None, (2, 3))
    [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    """
    shape = check_int_tuple(shape, "shape", length=2, minimum=1)
    if patches is None:
        h, w = shape
        rows = np.linspace(0, h - 1, min(h, 5)).round().astype(int)
        cols = np.linspace(0, w - 1, min(w, 5)).round().astype(int)
        return [(int(r), int(c)) for r in rows for c in cols]
    if isinstance(patches, (str, bytes)) or not hasattr(patches, "__iter__"):
        fail("patches", "a sequence of (row, column) pairs", patches, kind=TypeError)
    checked = [check_int_tuple(p, "patches", length=2, minimum=0) for p in patches]
    if not checked:
        fail("patches", "at least one (row, column) pair", patches)
    for r, c in checked:
        if r >= shape[0] or c >= shape[1]:
            fail("patches", f"(row, column) pairs inside the {shape[0]} x {shape[1]} grid",
                 (r, c))
    return checked


def _patch_changes(similarity: np.ndarray, shape: tuple, patch: tuple, first: int) -> dict:
    """The similarity heatmap (trace ``first``) and its marker (``first + 1``) for one patch."""
    (h, w), (r, c) = shape, patch
    return {first: {"z": rounded(similarity[r * w + c].reshape(h, w), 2)},
            first + 1: {"x": [c], "y": [r]}}


def _check_maps(shape: Any, dim: Any, base: Any) -> tuple:
    shape = check_int_tuple(shape, "shape", length=2, minimum=1)
    dim = check_dim(dim)
    if dim % 4 or dim > 32:
        fail("dim", "a multiple of 4 up to 32 (pairs split between two axes, one map each)",
             dim)
    base = check_float(base, "base", minimum=1.0)
    return shape, dim, base


def rope2d_maps_changes(shape: Any = (16, 16), dim: int = 16, *, base: float = 100.0,
                        patch: Any = (0, 0)) -> tuple:
    """Everything a base and a chosen patch set in :func:`plot_rope2d_maps`.

    Parameters
    ----------
    shape : (int, int)
        Grid size (rows, columns), each >= 1.
    dim : int
        Head dimension, a multiple of 4 up to 32.
    base : float
        RoPE base (> 1).
    patch : (int, int)
        The chosen patch (row, column), inside the grid.

    Returns
    -------
    tuple
        ``(traces, {})`` in the shape of :mod:`rope_viz.figures._style`: the ``z`` of every
        frequency map (traces 0 … dim/2 − 1), the similarity heatmap (trace dim/2: ``z``,
        ``zmin``, ``zmax``) and the marker on the patch (trace dim/2 + 1: ``x``, ``y``).

    Raises
    ------
    ValueError, TypeError
        For a bad ``shape``, ``dim``, ``base`` or ``patch``.

    Examples
    --------
    >>> traces, _ = rope2d_maps_changes((4, 4), 8, patch=(1, 2))
    >>> traces[5]
    {'x': [2], 'y': [1]}
    """
    shape, dim, base = _check_maps(shape, dim, base)
    (patch,) = check_patches([patch], shape)
    return _maps_changes(shape, dim, base, patch)[0], {}


def _maps_changes(shape: tuple, dim: int, base: float, patch: tuple) -> tuple:
    """``(traces, similarity)``: :func:`rope2d_maps_changes`' traces and the ``(h·w, h·w)``
    similarity, which the slider steps (one per patch) reuse."""
    h, w = shape
    half = dim // 2
    angles = axial_rope_angles(grid_positions(shape), dim, base)  # (h·w, dim/2)
    maps = np.cos(angles).reshape(h, w, half)  # (h, w, dim/2)
    similarity = rope2d_scores(shape, dim, base, "axial")  # (h·w, h·w), q = k = (1, …, 1)
    traces = {pair: {"z": rounded(maps[:, :, pair], 3)} for pair in range(half)}
    traces.update(_patch_changes(similarity, shape, patch, half))
    peak = float(np.abs(similarity).max())
    traces[half].update(zmin=-peak, zmax=peak)
    return traces, similarity


def plot_rope2d_maps(
    shape: Any = (16, 16),
    dim: int = 16,
    *,
    base: float = 100.0,
    patches: Any = None,
    controls: bool = True,
) -> go.Figure:
    """RoPE-2D's frequency maps over an image grid, and one patch's similarity to all patches.

    Left, one small map per frequency pair: cos of the pair's angle at every patch. The first
    half of the pairs turn with the row (horizontal stripes), the second half with the column
    (vertical stripes), each at its own frequency, fast to slow: pairs never mix the two axes
    (Su's RoPE-2D). Right: the score (R_u q)·(R_v q) of one patch u's query with the key of
    every patch v, for q = (1, …, 1). It peaks at the chosen patch and depends on the offset
    v − u only, so moving the patch with the slider slides the same pattern across the grid.
    ViT-style RoPE-2D uses small bases (100 here) so that slow pairs still vary across a
    small grid.

    Calls :func:`rope_viz.grid_positions`, :func:`rope_viz.axial_rope_angles` and
    :func:`rope_viz.apply_axial_rope`.

    Parameters
    ----------
    shape : (int, int)
        Grid size (rows, columns), each >= 1.
    dim : int
        Head dimension, divisible by 4 (two axes of pairs), at most 32 (one map per pair).
    base : float
        RoPE base (> 1).
    patches : sequence of (int, int), optional
        Patches offered by the slider; default up to a 5 x 5 lattice over the grid (see
        :func:`check_patches`). The first is shown first.
    controls : bool
        Draw the slider (default). ``False``: no slider; the figure shows ``patches[0]``.

    Returns
    -------
    plotly.graph_objects.Figure
        dim/2 heatmaps (one per pair), then the similarity heatmap and a marker on the chosen
        patch; with ``controls``, a slider with one step per patch restyling the last two
        traces. :func:`rope2d_maps_changes` gives the traces for any base and patch.

    Raises
    ------
    ValueError, TypeError
        For a bad ``shape``, ``dim``, ``base``, ``patches`` or ``controls``.

    Examples
    --------
    >>> fig = plot_rope2d_maps((4, 4), 8, patches=[(0, 0), (3, 3)])
    >>> len(fig.data), len(fig.layout.sliders[0].steps)
    (6, 2)
    """
    shape, dim, base = _check_maps(shape, dim, base)
    patches = check_patches(patches, shape)
    controls = check_bool(controls, "controls")
    if not controls:
        patches = patches[:1]
    shown, similarity = _maps_changes(shape, dim, base, patches[0])

    half = dim // 2
    cols = half // 2  # row pairs on the first line, column pairs on the second
    specs = [[{} for _ in range(cols)] + [{"rowspan": 2}], [{} for _ in range(cols)] + [None]]
    titles = [f"pair {i} (row)" for i in range(cols)] + ["similarity to the chosen patch"]
    titles += [f"pair {i} (col)" for i in range(cols, half)]
    fig = subplots(rows=2, cols=cols + 1, specs=specs, subplot_titles=titles,
                   column_widths=[1.0] * cols + [cols * 0.9], horizontal_spacing=0.025,
                   vertical_spacing=0.1)
    for pair in range(half):
        row, col = pair // cols + 1, pair % cols + 1
        fig.add_trace(go.Heatmap(**shown[pair], zmin=-1, zmax=1,
                                 colorscale=DIVERGING, showscale=False,
                                 hovertemplate="row %{y}, column %{x}<br>cos %{z}"
                                 "<extra>pair " + str(pair) + "</extra>"), row, col)

    fig.add_trace(go.Heatmap(**shown[half], colorscale=DIVERGING,
                             colorbar=dict(title="q·k", len=0.8, x=1.09),
                             hovertemplate="row %{y}, column %{x}<br>q·k %{z}<extra></extra>"),
                  1, cols + 1)
    fig.add_trace(go.Scatter(**shown[half + 1], mode="markers",
                             marker=PATCH_MARKER,
                             name="chosen patch", showlegend=False, hoverinfo="skip"),
                  1, cols + 1)
    steps = [dict(method="update", label=f"({r}, {c})",
                  args=step_args(_patch_changes(similarity, shape, (r, c), half)))
             for r, c in patches]
    fig.update_layout(**base_layout(
        title="RoPE-2D: pair maps, patch scores",  # the message is in the caption
        height=520,
        margin=dict(l=50, r=100, t=90, b=120 if controls else 60),
        sliders=[slider(steps, prefix="chosen patch (row, column) ", y=-0.14)]
        if controls else [],
    ))
    fig.for_each_annotation(lambda a: a.update(font=dict(size=10))
                            if a.text.startswith("pair") else None)
    fig.update_yaxes(autorange="reversed", showticklabels=False)
    fig.update_xaxes(showticklabels=False)
    fig.for_each_yaxis(lambda axis: axis.update(scaleanchor=axis.anchor, constrain="domain"))
    fig.update_xaxes(constrain="domain")
    fig.update_xaxes(title_text="column", row=2)
    fig.update_xaxes(title_text="column", showticklabels=True, row=1, col=cols + 1)
    fig.update_yaxes(title_text="row", showticklabels=True, side="right", row=1, col=cols + 1)
    # fixed ranges: the marker on an edge patch would otherwise widen the autorange
    fig.update_xaxes(range=[-0.5, shape[1] - 0.5], row=1, col=cols + 1)
    fig.update_yaxes(range=[shape[0] - 0.5, -0.5], autorange=False, row=1, col=cols + 1)
    fig.update_yaxes(title_text="row", row=1, col=1)
    fig.update_yaxes(title_text="row", row=2, col=1)
    set_narrow(fig, *_maps_narrow(fig, cols, controls))
    return fig


def _maps_narrow(fig: go.Figure, cols: int, controls: bool) -> tuple:
    """Narrow-screen changes of :func:`plot_rope2d_maps`: the similarity panel on top at full
    width with its colour bar beside it, then the two rows of pair maps under it."""
    width = 358 - 44 - 14  # px of plot on a phone (figures.js caps the side margins)
    gap = 0.04  # between maps, as a fraction of the width
    side = (1 - (cols - 1) * gap) / cols  # one map's width, as a fraction
    map_px = side * width
    sim_px = 0.78 * width
    # top and bottom of each band in px from the top of the plot area
    sim = (26, 26 + sim_px)
    row1 = (sim[1] + 78, sim[1] + 78 + map_px)
    row2 = (row1[1] + 34, row1[1] + 34 + map_px)
    plot = row2[1] + 40
    top, bottom = 50, 110 if controls else 50

    def band(y0, y1):
        return [round(1 - y1 / plot, 4), round(1 - y0 / plot, 4)]

    layout = {"height": round(plot + top + bottom), "margin.l": 44, "margin.r": 14,
              "margin.t": top, "margin.b": bottom}
    sim_axes = fig.get_subplot(1, cols + 1)
    xs, ys = sim_axes.xaxis.plotly_name, sim_axes.yaxis.plotly_name
    layout.update({f"{xs}.domain": [0, 0.78], f"{ys}.domain": band(*sim), f"{ys}.side": "left"})
    for row, (y0, y1) in ((1, row1), (2, row2)):
        for col in range(1, cols + 1):
            axes = fig.get_subplot(row, col)
            x0 = (col - 1) * (side + gap)
            layout[f"{axes.xaxis.plotly_name}.domain"] = [round(x0, 4), round(x0 + side, 4)]
            layout[f"{axes.yaxis.plotly_name}.domain"] = band(y0, y1)
    for i, note in enumerate(fig.layout.annotations):
        if note.text.startswith("pair"):
            pair = int(note.text.split()[1])
            row, col = pair // cols, pair % cols
            x0 = col * (side + gap)
            layout[f"annotations[{i}].x"] = round(x0 + side / 2, 4)
            layout[f"annotations[{i}].y"] = band(*(row1, row2)[row])[1]
            layout[f"annotations[{i}].text"] = f"pair {pair}" if cols <= 4 else str(pair)
        else:  # the similarity panel's title
            layout[f"annotations[{i}].x"] = 0.39
            layout[f"annotations[{i}].y"] = band(*sim)[1]
    if controls:
        layout["sliders[0].y"] = -0.01
    half = 2 * cols
    traces = {half: {"colorbar.x": 1.0, "colorbar.xanchor": "right", "colorbar.thickness": 12,
                     "colorbar.len": round(sim_px / plot, 4), "colorbar.lenmode": "fraction",
                     "colorbar.y": round(sum(band(*sim)) / 2, 4), "colorbar.yanchor": "middle"}}
    return traces, layout
