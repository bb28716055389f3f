"""Figures for Part I: absolute encodings as pictures.

What this module holds
----------------------
- :func:`plot_encoding_heatmaps`: integer, normalised integer, binary and sinusoidal codes
  side by side on one colour scale, with a slider for the sequence length;
  :func:`encoding_heatmaps_changes` is what one length changes.
- :func:`plot_bits_to_waves`: binary bits against position with the sinusoid of the same
  period, and the animated 3-D trajectory of three dimensions (jumpy bits, smooth waves);
  :func:`bits_to_waves_changes` is every trace's data for one choice of arguments.
- :func:`plot_word_cosine`: how much of a word survives the integer code and the code
  divided by the length, with a slider for the length; :func:`word_cosine_changes`.
- :func:`plot_step_distances`: the distance from the code of k to the code of k + Δ, binary
  against sinusoidal, with a slider for Δ; :func:`step_distances_changes`.

The ``*_changes`` functions return the ``(traces, layout)`` shape of
:mod:`rope_viz.figures._style`; the slider steps, the animation frames and the live widgets
are all made from them.

Every number comes from :mod:`rope_viz.absolute`; these functions only arrange it.
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
    check_int,
    check_int_tuple,
    fail,
)
from rope_viz.absolute import (
    binary_encoding,
    integer_encoding,
    sinusoidal_encoding,
    step_distances,
    word_cosine,
)
from rope_viz.figures._style import (
    COS,
    DIVERGING,
    KEY,
    NEUTRAL,
    SIN,
    base_layout,
    new_figure,
    play_controls,
    rounded,
    set_narrow,
    slider,
    stacked_layout,
    step_args,
    subplots,
)

__all__ = [
    "plot_encoding_heatmaps",
    "encoding_heatmaps_changes",
    "plot_bits_to_waves",
    "bits_to_waves_changes",
    "plot_word_cosine",
    "word_cosine_changes",
    "plot_step_distances",
    "step_distances_changes",
]


def _check_lengths(lengths: Any, count: int, name: str = "lengths") -> tuple:
    lengths = check_int_tuple(lengths, name, minimum=1)
    if min(lengths) < count:
        fail(name, f"sequence lengths >= the {count} positions shown", lengths,
             "a sequence must be at least as long as the positions it contains")
    return lengths


def _check_heatmap_positions(positions: Any) -> np.ndarray:
    positions = as_positions(positions, integer=True, nonnegative=True)
    if positions.size == 0:
        fail("positions", "at least one position", positions)
    return positions


def encoding_heatmaps_changes(positions: Any = 16, dim: int = 16, *, length: int = 16) -> tuple:
    """What one sequence length changes in :func:`plot_encoding_heatmaps`.

    Only the normalised panel divides by the length, so only it (trace 1) and its title change.

    Parameters
    ----------
    positions : int or array_like
        The positions shown (rows), or an int n for ``range(n)``; whole, non-negative numbers.
    dim : int
        Dimensions shown (positive, even).
    length : int
        The sequence length, at least the largest position + 1.

    Returns
    -------
    tuple
        ``({1: {"z": ...}}, {"annotations[1].text": ...})``: the ``(n, dim)`` normalised table
        k / length (rounded) and the panel's title, in the ``(traces, layout)`` shape of
        :mod:`rope_viz.figures._style`.

    Raises
    ------
    ValueError, TypeError
        For bad ``positions``, ``dim`` or ``length``.

    Examples
    --------
    >>> encoding_heatmaps_changes(4, 4, length=8)[1]
    {'annotations[1].text': 'normalised k / 8'}
    """
    positions = _check_heatmap_positions(positions)
    dim = check_dim(dim)
    (length,) = _check_lengths((length,), int(positions.max()) + 1, "length")
    table = integer_encoding(positions, dim, length=length)  # (n, dim)
    return {1: {"z": rounded(table)}}, {"annotations[1].text": f"normalised k / {length}"}


def plot_encoding_heatmaps(
    positions: Any = 16,
    dim: int = 16,
    *,
    lengths: Any = (16, 32, 64, 128, 256),
    base: float = 10000.0,
    controls: bool = True,
) -> go.Figure:
    """Four absolute encodings of the same positions, side by side on one colour scale.

    Rows are positions, columns are dimensions. All four panels share the colour scale −1 to 1:
    the integer code runs off the scale after position 1 (it swamps a token embedding whose
    entries sit near 0), the normalised code stays in [0, 1), the bits are 0 or 1 and the
    sinusoids stay in [−1, 1]. The slider sets the length of the sequence these positions
    belong to: only the normalised panel changes, because only it divides by the length, so the
    same position gets a different code in a longer sequence.

    Calls :func:`rope_viz.integer_encoding` (with and without ``length``),
    :func:`rope_viz.binary_encoding` and :func:`rope_viz.sinusoidal_encoding`.

    Parameters
    ----------
    positions : int or array_like
        The positions shown (rows), or an int n for ``range(n)``; whole, non-negative numbers.
    dim : int
        Dimensions shown (columns); positive and even (the sinusoidal code works on pairs).
    lengths : sequence of int
        Sequence lengths for the slider, each at least the number of positions shown.
    base : float
        Sinusoidal base (> 1).
    controls : bool
        Draw the slider (default). ``False``: no slider, the figure shows ``lengths[0]``
        (a live widget's controls replace the slider).

    Returns
    -------
    plotly.graph_objects.Figure
        Four heatmap traces (integer, normalised, binary, sinusoidal) and one slider with a
        step per length; each step restyles the normalised panel (trace 1) only, with
        :func:`encoding_heatmaps_changes`.

    Raises
    ------
    ValueError, TypeError
        For bad ``positions``, ``dim``, ``lengths``, ``base`` or ``controls``.

    Examples
    --------
    >>> fig = plot_encoding_heatmaps(8, 8, lengths=(8, 16))
    >>> len(fig.layout.sliders[0].steps)
    2
    """
    positions = _check_heatmap_positions(positions)
    dim = check_dim(dim)
    lengths = _check_lengths(lengths, int(positions.max()) + 1)
    base = check_float(base, "base", minimum=1.0)
    controls = check_bool(controls, "controls")
    if not controls:
        lengths = lengths[:1]

    integer = integer_encoding(positions, dim)  # (n, dim)
    per_length = [encoding_heatmaps_changes(positions, dim, length=length) for length in lengths]
    binary = binary_encoding(positions, dim)  # (n, dim)
    sinusoid = sinusoidal_encoding(positions, dim, base)  # (n, dim)

    names = ("integer k", f"normalised k / {lengths[0]}", "binary bits of k", "sinusoidal")
    fig = subplots(rows=1, cols=4, horizontal_spacing=0.03, shared_yaxes=True,
                   subplot_titles=names)
    heat = dict(colorscale=DIVERGING, zmin=-1.0, zmax=1.0, x=list(range(dim)),
                y=positions.tolist(), showscale=False,
                hovertemplate="position %{y}<br>dimension %{x}<br>value %{z}<extra></extra>")
    normalised = per_length[0][0][1]["z"]  # the first length's panel
    tables = (rounded(integer), normalised, rounded(binary), rounded(sinusoid))
    for col, table in enumerate(tables, start=1):
        extra = dict(showscale=True, colorbar=dict(title="value", len=0.9)) if col == 4 else {}
        fig.add_trace(go.Heatmap(z=table, **{**heat, **extra}), 1, col)

    steps = [dict(method="update", label=str(length), args=step_args(*changes))
             for length, changes in zip(lengths, per_length)]
    fig.update_layout(**base_layout(
        title="Four position codes on one colour scale",
        height=430,
        sliders=[slider(steps, prefix="sequence length L = ", y=-0.16)] if controls else [],
        margin=dict(l=70, r=30, t=90, b=80 if controls else 60),
    ))
    fig.update_yaxes(autorange="reversed")
    fig.update_yaxes(title_text="position k", row=1, col=1)
    fig.update_xaxes(title_text="dimension")
    set_narrow(fig, *_heatmaps_narrow(fig, controls))
    return fig


def _heatmaps_narrow(fig: go.Figure, controls: bool) -> tuple:
    """A phone: the four panels stacked, each with its own position ticks, the slider below."""
    bottom = 150 if controls else 70
    traces, layout = stacked_layout(fig, panel_height=190, gap=95, top=90, bottom=bottom)
    for n in ("", "2", "3", "4"):
        layout[f"xaxis{n}.tickangle"] = 0
        layout[f"yaxis{n}.showticklabels"] = True
        layout[f"yaxis{n}.title.text"] = "position k"
    if controls:
        plot = layout["height"] - 90 - 80  # the plot area between the margins
        layout["sliders[0].y"] = round(-(bottom - 80 - 55) / plot, 4)
        layout["sliders[0].currentvalue.prefix"] = "length L = "
    return traces, layout


def _check_bits_arguments(positions, bits, binary_dims, sinusoid_dims, dim, base,
                          samples_per_position) -> tuple:
    """The validated arguments of :func:`plot_bits_to_waves` and :func:`bits_to_waves_changes`."""
    positions = as_positions(positions, integer=True, nonnegative=True)
    if positions.size < 2:
        fail("positions", "at least two positions", positions)
    dim = check_dim(dim)
    bits = check_int_tuple(bits, "bits", minimum=0)
    binary_dims = check_int_tuple(binary_dims, "binary_dims", length=3, minimum=0)
    sinusoid_dims = check_int_tuple(sinusoid_dims, "sinusoid_dims", length=3, minimum=0)
    for name, chosen in (("bits", bits), ("binary_dims", binary_dims),
                         ("sinusoid_dims", sinusoid_dims)):
        if max(chosen) >= dim:
            fail(name, f"dimensions below dim = {dim}", chosen)
    base = check_float(base, "base", minimum=1.0)
    samples = check_int(samples_per_position, "samples_per_position", minimum=1)
    return positions, bits, binary_dims, sinusoid_dims, dim, base, samples


def bits_to_waves_changes(
    positions: Any = 32,
    *,
    bits: Any = (0, 1, 2, 3),
    binary_dims: Any = (0, 1, 2),
    sinusoid_dims: Any = (2, 3, 4),
    dim: int = 16,
    base: float = 10000.0,
    samples_per_position: int = 4,
) -> tuple:
    """Every trace of :func:`plot_bits_to_waves` for these arguments, the paths drawn in full.

    The same numbers as the figure (same arguments, same meaning), with the 3-D trails drawn
    up to the last position, where the animation ends: what a live widget shows.

    Parameters
    ----------
    positions, bits, binary_dims, sinusoid_dims, dim, base, samples_per_position
        As in :func:`plot_bits_to_waves`.

    Returns
    -------
    tuple
        ``(traces, {})`` in the shape of :mod:`rope_viz.figures._style`: per bit the ``x``/``y``
        of its step trace and of its wave, then per code (binary, sinusoidal) the ``x``/``y``/``z``
        and ``name`` of the faint full path, of the trail and of the marker; the layout moves
        the dotted line of every bit panel (``shapes``) to the last position.

    Raises
    ------
    ValueError, TypeError
        As :func:`plot_bits_to_waves`.

    Examples
    --------
    >>> traces, layout = bits_to_waves_changes(8, bits=(0,), dim=8)
    >>> len(traces), traces[3]["name"]
    (8, 'binary dims 0, 1, 2 (a + 2)')
    """
    checked = _check_bits_arguments(positions, bits, binary_dims, sinusoid_dims, dim, base,
                                    samples_per_position)
    traces, _ = _bits_traces(*checked, len(checked[0]) - 1)
    k = int(checked[0][-1])
    return traces, {f"shapes[{row}].{end}": k for row in range(len(checked[1])) for end in ("x0", "x1")}


def _k_lines(rows: int, k: int) -> list:
    """A dotted vertical line at position ``k`` on each of the ``rows`` bit panels."""
    return [dict(type="line", xref="x" if row == 1 else f"x{row}",
                 yref=("y" if row == 1 else f"y{row}") + " domain", x0=k, x1=k, y0=0, y1=1,
                 line=dict(color=COS, width=2, dash="dot"))
            for row in range(1, rows + 1)]


def _bits_traces(positions: np.ndarray, bits: tuple, binary_dims: tuple,
                 sinusoid_dims: tuple, dim: int, base: float, samples: int,
                 index: int) -> tuple:
    """The numbers of every trace of :func:`plot_bits_to_waves`: ``(traces, state)``.

    ``traces`` maps each trace index to its data (and, for the 3-D paths, its name): per bit
    a step trace and its wave, then per code (binary, sinusoidal) the faint full path, the
    trail and the marker, drawn up to position ``positions[index]``. ``state(i)`` gives the
    trails and markers alone at ``positions[i]``: the animation frames apply these;
    :func:`bits_to_waves_changes` is the whole of ``traces`` at the last position.
    """
    fine = np.linspace(positions.min(), positions.max(),
                       (positions.max() - positions.min()) * samples + 1)  # (n_fine,)
    binary = binary_encoding(positions, dim)  # (n, dim)
    sinusoid_fine = sinusoidal_encoding(fine, dim, base)  # (n_fine, dim)
    sinusoid = sinusoidal_encoding(positions, dim, base)  # (n, dim)
    traces = {}
    for bit in bits:
        period = 2 ** (bit + 1)
        wave = sinusoidal_encoding(fine * 2 * np.pi / period, 2)[:, 0]  # sin(2πk/P), (n_fine,)
        traces[len(traces)] = dict(x=positions.tolist(), y=rounded(binary[:, bit]))
        traces[len(traces)] = dict(x=rounded(fine), y=rounded(0.5 - 0.5 * wave))

    def xyz(points: np.ndarray, shift: float) -> dict:
        return dict(x=rounded(points[:, 0] + shift), y=rounded(points[:, 1]),
                    z=rounded(points[:, 2]))

    # both paths share one scene: the waves live in [-1, 1]^3, the bits in [0, 1]^3; the bits
    # are drawn shifted by +2 along the first axis so the two never overlap
    paths = []  # (name, full path, points at the positions, shift, first trace)
    for name, full, at_positions, dims, shift in (
        ("binary", binary, binary, binary_dims, 2.0),
        ("sinusoidal", sinusoid_fine, sinusoid, sinusoid_dims, 0.0),
    ):
        full, at_positions = full[:, list(dims)], at_positions[:, list(dims)]
        label = f"{name} dims {dims[0]}, {dims[1]}, {dims[2]}"
        if shift:
            label += f" (a + {shift:g})"
        paths.append((name, full, at_positions, shift, len(traces)))
        traces[len(traces)] = dict(**xyz(full, shift), name=label + " (all)")
        traces[len(traces)] = dict(name=label)  # the trail: data from state()
        traces[len(traces)] = {}  # the marker: data from state()

    def state(index: int) -> dict:
        changes = {}
        for name, full, at_positions, shift, first in paths:
            if name == "binary":
                head = at_positions[: index + 1]  # jumps straight from corner to corner
            else:
                head = full[: (positions[index] - positions.min()) * samples + 1]
            changes[first + 1] = xyz(head, shift)
            changes[first + 2] = xyz(at_positions[index:index + 1], shift)
        return changes

    for trace, changes in state(index).items():
        traces[trace].update(changes)
    return traces, state


def plot_bits_to_waves(
    positions: Any = 32,
    *,
    bits: Any = (0, 1, 2, 3),
    binary_dims: Any = (0, 1, 2),
    sinusoid_dims: Any = (2, 3, 4),
    dim: int = 16,
    base: float = 10000.0,
    samples_per_position: int = 4,
    controls: bool = True,
) -> go.Figure:
    """Binary bits become smooth waves: bits against position, and the 3-D path of a code.

    Left: bit i of the position (a step every 2^i positions; column i of
    :func:`rope_viz.binary_encoding`) drawn over the sinusoid with the same period 2^(i+1),
    ½ − ½·sin(2πk / 2^(i+1)), taken from the two-dimensional :func:`rope_viz.sinusoidal_encoding`
    at the rescaled positions 2πk / 2^(i+1). The low bits flip fastest, like the high-frequency
    pairs. Right: three chosen dimensions of each code as a path in 3-D, animated as the
    position advances. The bits jump between the corners of a cube; the sinusoidal code glides
    along a smooth curve, so nearby positions get nearby codes.

    Parameters
    ----------
    positions : int or array_like
        Whole, non-negative positions (or an int n for ``range(n)``); one animation frame each.
    bits : sequence of int
        Which bits to draw in the left panel (each >= 0).
    binary_dims, sinusoid_dims : sequence of 3 int
        The three dimensions of the binary and of the sinusoidal code traced in 3-D.
    dim : int
        Size of both codes (positive, even); must exceed every chosen dimension and bit.
    base : float
        Sinusoidal base (> 1).
    samples_per_position : int
        Points per unit of position for the smooth curves (>= 1).
    controls : bool
        Animate (default): one frame per position, play/pause buttons and a slider, the
        figure starting at the first position. ``False``: no frames and no controls (none
        is built); the paths are drawn in full, up to the last position, as
        :func:`bits_to_waves_changes` gives them.

    Returns
    -------
    plotly.graph_objects.Figure
        2·len(bits) scatter traces on the left (bits then waves, alternating), then for each
        code (binary, sinusoidal) a faint full path, a trail and a marker (``scatter3d``);
        with ``controls``, one animation frame per position with play/pause buttons and a
        slider.

    Raises
    ------
    ValueError, TypeError
        For bad positions, dimensions out of range, or bad ``dim``, ``base``,
        ``samples_per_position`` or ``controls``.

    Examples
    --------
    >>> fig = plot_bits_to_waves(8, bits=(0, 1))
    >>> len(fig.frames)
    8
    """
    checked = _check_bits_arguments(positions, bits, binary_dims, sinusoid_dims, dim, base,
                                    samples_per_position)
    positions, bits = checked[:2]
    controls = check_bool(controls, "controls")
    traces, state = _bits_traces(*checked, 0 if controls else len(positions) - 1)

    fig = subplots(
        rows=len(bits), cols=2, column_widths=[0.45, 0.55], shared_xaxes=True,
        vertical_spacing=0.04, horizontal_spacing=0.06,
        specs=[[{"type": "xy"}, {"type": "scene", "rowspan": len(bits)}]]
        + [[{"type": "xy"}, None] for _ in bits[1:]],
        subplot_titles=["bits against position k"] + [""] * (len(bits) - 1) + ["3-D path of a code"],
    )
    for row, bit in enumerate(bits, start=1):
        fig.add_trace(go.Scatter(
            **traces[len(fig.data)], mode="lines", line_shape="hv",
            line=dict(color=NEUTRAL, width=2), name="bit",
            legendgroup="bit", showlegend=row == 1,
            hovertemplate=f"bit {bit}<br>k %{{x}}: %{{y}}<extra></extra>",
        ), row, 1)
        fig.add_trace(go.Scatter(
            **traces[len(fig.data)], mode="lines",
            line=dict(color=SIN, width=2), name="sinusoid, same period",
            legendgroup="wave", showlegend=row == 1, hoverinfo="skip",
        ), row, 1)
        fig.update_yaxes(title_text=f"bit {bit}", range=[-0.15, 1.15], tickvals=[0, 1],
                         row=row, col=1)
    fig.update_xaxes(title_text="position k", row=len(bits), col=1)

    for name, color in (("binary", NEUTRAL), ("sinusoidal", SIN)):
        fig.add_trace(go.Scatter3d(
            **traces[len(fig.data)], mode="lines", line=dict(color=color, width=2), opacity=0.25,
            showlegend=False, hoverinfo="skip"), 1, 2)
        fig.add_trace(go.Scatter3d(
            **traces[len(fig.data)], mode="lines+markers",
            line=dict(color=color, width=6), marker=dict(size=2, color=color)), 1, 2)
        fig.add_trace(go.Scatter3d(
            **traces[len(fig.data)], mode="markers", showlegend=False,
            marker=dict(size=7, color=COS if name == "sinusoidal" else KEY),
            name=f"{name} now"), 1, 2)

    menus, sliders = [], []
    if controls:
        frames = []
        for index, k in enumerate(positions.tolist()):
            changes = state(index)
            frames.append(go.Frame(name=str(k),
                                   data=[go.Scatter3d(**c) for c in changes.values()],
                                   traces=list(changes),
                                   layout=dict(shapes=_k_lines(len(bits), k))))
        fig.frames = frames
        menus, sliders = play_controls([str(k) for k in positions.tolist()],
                                       prefix="position k = ", duration=250, y=-0.08)
    fig.update_layout(**base_layout(
        title="Square-wave bits, smooth sinusoids",
        height=600,
        updatemenus=menus,
        sliders=sliders,
        margin=dict(l=70, r=20, t=130, b=110 if controls else 60),
        legend=dict(orientation="h", x=0.0, y=1.1, xanchor="left", yanchor="bottom"),
        shapes=_k_lines(len(bits), int(positions[0] if controls else positions[-1])),
    ))
    for note in fig.layout.annotations:
        if note.text == "3-D path of a code":
            note.update(x=sum(fig.layout.scene.domain.x) / 2, y=1.0, yanchor="bottom")
    set_narrow(fig, None, _bits_narrow(fig, len(bits), controls))
    fig.update_scenes(
        xaxis=dict(title="dim a", range=[-1.2, 3.2]),
        yaxis=dict(title="dim b", range=[-1.2, 1.2]),
        zaxis=dict(title="dim c", range=[-1.2, 1.2]),
        aspectmode="manual", aspectratio=dict(x=1.6, y=0.8, z=0.8),
        camera=dict(eye=dict(x=0.4, y=-1.9, z=0.9)),
    )
    return fig


def _bits_narrow(fig: go.Figure, rows: int, controls: bool) -> dict:
    """A phone: the bit panels across the width on top, the 3-D path below them, the legend
    between the title and the panels, the slider under the play buttons."""
    top, legend, bit_height, gap, scene_height = 60, 80, 70, 12, 300
    bottom = 170 if controls else 40
    margin_t, margin_b = 60, 60
    height = top + legend + rows * bit_height + (rows - 1) * gap + 70 + scene_height + bottom
    plot = height - margin_t - margin_b

    def paper(px: float) -> float:  # pixels from the figure's top -> paper y
        return round(1 - (px - margin_t) / plot, 4)

    layout = {"height": height, "margin.t": margin_t, "margin.b": margin_b,
              "legend.y": paper(top), "legend.yanchor": "top"}
    y = top + legend
    for row in range(1, rows + 1):
        name = "" if row == 1 else str(row)
        layout[f"xaxis{name}.domain"] = [0, 1]
        layout[f"yaxis{name}.domain"] = [paper(y + bit_height), paper(y)]
        y += bit_height + gap
    y += 70 - gap  # the x-axis ticks and title of the last bit panel
    layout["scene.domain.x"] = [0, 1]
    layout["scene.domain.y"] = [paper(y + scene_height), paper(y)]
    for i, note in enumerate(fig.layout.annotations):
        if note.text == "bits against position k":
            layout[f"annotations[{i}].visible"] = False
        if note.text == "3-D path of a code":
            layout[f"annotations[{i}].x"] = 0.5
            layout[f"annotations[{i}].y"] = paper(y)
    if controls:
        layout["updatemenus[0].y"] = paper(y + scene_height + 10)
        layout["sliders[0].y"] = paper(y + scene_height + 10)
        layout["sliders[0].x"] = 0.0
        layout["sliders[0].len"] = 1.0
        layout["sliders[0].pad.t"] = 80
    return layout


def _word_cosine_setup(lengths, dim, std, rng) -> tuple:
    """Checked arguments, the positions drawn (1 … max length − 1, log-spaced) and one random
    token embedding per position."""
    from rope_viz._validation import check_generator

    lengths = check_int_tuple(lengths, "lengths", minimum=2)
    dim = check_dim(dim, even=False)
    std = check_float(std, "std", minimum=0.0)
    generator = check_generator(rng)
    top = max(lengths) - 1
    positions = np.unique(np.concatenate([
        np.arange(1, min(top, 16) + 1),
        np.rint(np.geomspace(1, top, 120)).astype(np.int64),
        np.array(lengths) - 1,
    ]))  # (n,) whole positions from 1 to the longest text's last one
    embeddings = generator.normal(0.0, std, size=(len(positions), dim))  # (n, dim)
    return lengths, dim, positions, embeddings


def _word_cosine_state(positions, embeddings, length: int) -> tuple:
    inside = positions < length  # the positions of a text of this length
    cosine = word_cosine(embeddings[inside], integer_encoding(positions[inside], embeddings.shape[1],
                                                               length=length))
    traces = {1: dict(x=positions[inside].tolist(), y=rounded(cosine)),
              2: dict(x=[length - 1, length - 1], y=[0.0, 1.05])}
    return traces, {"annotations[0].text": f"end of a text of {length:,}", "annotations[0].x":
                    float(np.log10(length - 1))}


def word_cosine_changes(lengths: Any = (16, 64, 256, 1024, 4096), *, length: int | None = None,
                        dim: int = 768, std: float = 0.02, rng: Any = 0) -> tuple:
    """What one text length changes in :func:`plot_word_cosine`.

    Parameters
    ----------
    lengths, dim, std, rng
        As in :func:`plot_word_cosine` (the same ``rng`` gives the same embeddings).
    length : int, optional
        One of ``lengths`` (default the first).

    Returns
    -------
    tuple
        ``(traces, layout)``: the normalised code's curve (trace 1), the end-of-text line
        (trace 2) and its label.

    Raises
    ------
    ValueError, TypeError
        For bad arguments or a ``length`` not among ``lengths``.
    """
    lengths, dim, positions, embeddings = _word_cosine_setup(lengths, dim, std, rng)
    length = lengths[0] if length is None else check_int(length, "length", minimum=2)
    if length not in lengths:
        fail("length", f"one of lengths {lengths}", length)
    return _word_cosine_state(positions, embeddings, length)


def plot_word_cosine(lengths: Any = (16, 64, 256, 1024, 4096), *, dim: int = 768,
                     std: float = 0.02, rng: Any = 0, controls: bool = True) -> go.Figure:
    """How much of the word is left once its position is added: cos(x_k + p_k, x_k) against k.

    Each position k gets a random token embedding x_k (entries of standard deviation ``std``,
    the size of real embeddings) and a code p_k: the integer code k (grey), or k / L for a
    text of length L (green, drawn up to the text's last position, marked by the dotted
    line). A cosine near 1 means the input still points where the word points; near 0, the
    position has swamped the word. Calls :func:`rope_viz.word_cosine` and
    :func:`rope_viz.integer_encoding`.

    Parameters
    ----------
    lengths : sequence of int
        Text lengths L for the slider (each >= 2).
    dim : int
        Embedding width.
    std : float
        Standard deviation of the embeddings' entries (> 0).
    rng : int or numpy.random.Generator
        Source of the embeddings.
    controls : bool
        Draw the slider (default). ``False``: no slider; the figure shows ``lengths[0]``.

    Returns
    -------
    plotly.graph_objects.Figure
        Three traces (integer code, normalised code, end-of-text line) and a slider with a step
        per length made from :func:`word_cosine_changes`.

    Raises
    ------
    ValueError, TypeError
        For bad ``lengths``, ``dim``, ``std``, ``rng`` or ``controls``.
    """
    lengths, dim, positions, embeddings = _word_cosine_setup(lengths, dim, std, rng)
    controls = check_bool(controls, "controls")
    shown = lengths if controls else lengths[:1]
    states = [_word_cosine_state(positions, embeddings, length) for length in shown]
    raw = word_cosine(embeddings, integer_encoding(positions, dim))  # (n,)
    fig = new_figure()
    fig.add_trace(go.Scatter(x=positions.tolist(), y=rounded(raw), mode="lines",
                             line=dict(color=NEUTRAL, width=2.5), name="integer k",
                             hovertemplate="k = %{x}: cos %{y:.3f}<extra></extra>"))
    fig.add_trace(go.Scatter(**states[0][0][1], mode="lines", line=dict(color=SIN, width=2.5),
                             name="divided by length, k / L",
                             hovertemplate="k = %{x}: cos %{y:.3f}<extra></extra>"))
    fig.add_trace(go.Scatter(**states[0][0][2], mode="lines", showlegend=False,
                             line=dict(color=SIN, width=1.5, dash="dot"), hoverinfo="skip"))
    fig.add_annotation(text=states[0][1]["annotations[0].text"], x=states[0][1]["annotations[0].x"],
                       y=1.05, xref="x", yref="y", showarrow=False, xanchor="right",
                       yanchor="bottom", font=dict(size=11, color=SIN))
    steps = [dict(method="update", label=f"{length:,}", args=step_args(*state))
             for length, state in zip(shown, states)]
    fig.update_layout(**base_layout(
        title="How much of the word is left",
        height=420,
        sliders=[slider(steps, prefix="text length L = ", y=-0.2)] if controls else [],
        margin=dict(l=70, r=30, t=100, b=130 if controls else 60),
        legend=dict(orientation="h", x=0.0, y=1.02, xanchor="left", yanchor="bottom"),
        xaxis=dict(title="position k", type="log",
                   range=[-0.1, float(np.log10(max(lengths))) + 0.05]),
        yaxis=dict(title="cos(x + p, x)", range=[0, 1.15]),
    ))
    narrow = {"legend.y": 1.02}
    if controls:
        narrow.update({"sliders[0].y": -0.24, "sliders[0].currentvalue.prefix": "L = "})
    set_narrow(fig, None, narrow)
    return fig


def _step_setup(positions, offsets, bits, dim, base) -> tuple:
    positions = check_int(positions, "positions", minimum=2)
    offsets = check_int_tuple(offsets, "offsets", minimum=1)
    bits = check_int(bits, "bits", minimum=1, maximum=62)
    dim = check_dim(dim)
    base = check_float(base, "base", minimum=1.0)
    if positions + max(offsets) > 2 ** bits:
        fail("bits", f"enough bits for positions up to {positions + max(offsets) - 1}", bits)
    return positions, offsets, bits, dim, base


def _step_state(positions, offset, bits, dim, base) -> tuple:
    span = positions + offset  # codes of 0 … positions + offset − 1
    binary = step_distances(binary_encoding(span, bits), offset)  # (positions,)
    sinusoid = step_distances(sinusoidal_encoding(span, dim, base), offset)  # (positions,)
    return {0: dict(y=rounded(binary)), 1: dict(y=rounded(sinusoid))}, {}


def step_distances_changes(positions: int = 128, offsets: Any = (1, 2, 3, 4, 8, 16), *,
                           offset: int | None = None, bits: int = 8, dim: int = 8,
                           base: float = 10000.0) -> tuple:
    """What one offset Δ changes in :func:`plot_step_distances`.

    Parameters
    ----------
    positions, offsets, bits, dim, base
        As in :func:`plot_step_distances`.
    offset : int, optional
        One of ``offsets`` (default the first).

    Returns
    -------
    tuple
        ``({0: {"y": binary}, 1: {"y": sinusoidal}}, {})``: the distances ``|p(k + Δ) − p(k)|``.

    Raises
    ------
    ValueError, TypeError
        For bad arguments or an ``offset`` not among ``offsets``.
    """
    positions, offsets, bits, dim, base = _step_setup(positions, offsets, bits, dim, base)
    offset = offsets[0] if offset is None else check_int(offset, "offset", minimum=1)
    if offset not in offsets:
        fail("offset", f"one of offsets {offsets}", offset)
    return _step_state(positions, offset, bits, dim, base)


def plot_step_distances(positions: int = 128, offsets: Any = (1, 2, 3, 4, 8, 16), *,
                        bits: int = 8, dim: int = 8, base: float = 10000.0,
                        controls: bool = True) -> go.Figure:
    """Distance between the codes of k and k + Δ, against k: binary jumps, sinusoidal is flat.

    Grey: the binary code with ``bits`` bits, ``|p(k + Δ) − p(k)|`` (for Δ = 1 this is
    sqrt(t(k) + 1), t(k) the trailing ones of k: a spike at every carry). Green: the sinusoidal
    code of ``dim`` components, whose distance depends on Δ alone. Calls
    :func:`rope_viz.step_distances`, :func:`rope_viz.binary_encoding` and
    :func:`rope_viz.sinusoidal_encoding`.

    Parameters
    ----------
    positions : int
        Positions k = 0 … positions − 1 (>= 2).
    offsets : sequence of int
        Offsets Δ for the slider (each >= 1).
    bits : int
        Bits of the binary code; 2**bits must exceed positions + max(offsets) − 1.
    dim : int
        Components of the sinusoidal code (positive, even).
    base : float
        Sinusoidal base (> 1).
    controls : bool
        Draw the slider (default). ``False``: no slider; the figure shows ``offsets[0]``.

    Returns
    -------
    plotly.graph_objects.Figure
        Two scatter traces (binary points, sinusoidal line) and a slider with a step per offset made
        from :func:`step_distances_changes`.

    Raises
    ------
    ValueError, TypeError
        For bad ``positions``, ``offsets``, ``bits``, ``dim``, ``base`` or ``controls``.
    """
    positions, offsets, bits, dim, base = _step_setup(positions, offsets, bits, dim, base)
    controls = check_bool(controls, "controls")
    shown = offsets if controls else offsets[:1]
    states = [_step_state(positions, offset, bits, dim, base) for offset in shown]
    ks = list(range(positions))
    fig = new_figure()
    fig.add_trace(go.Scatter(x=ks, **states[0][0][0], mode="lines+markers",
                             line=dict(color=NEUTRAL, width=1), marker=dict(color=NEUTRAL, size=5),
                             name=f"binary, {bits} bits",
                             hovertemplate="k = %{x}: %{y:.3f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=ks, **states[0][0][1], mode="lines", line=dict(color=SIN, width=3),
                             name=f"sinusoidal, {dim} components",
                             hovertemplate="k = %{x}: %{y:.3f}<extra></extra>"))
    steps = [dict(method="update", label=str(offset), args=step_args(*state))
             for offset, state in zip(shown, states)]
    fig.update_layout(**base_layout(
        title="Distance from the code of k to k + Δ",
        height=400,
        sliders=[slider(steps, prefix="offset Δ = ", y=-0.2)] if controls else [],
        margin=dict(l=70, r=30, t=100, b=130 if controls else 60),
        legend=dict(orientation="h", x=0.0, y=1.02, xanchor="left", yanchor="bottom"),
        xaxis=dict(title="position k"),
        yaxis=dict(title="|p(k + Δ) − p(k)|", range=[0, float(np.sqrt(bits)) + 0.2]),
    ))
    if controls:
        set_narrow(fig, None, {"sliders[0].y": -0.24})
    return fig
