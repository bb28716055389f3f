"""Figures for multimodal RoPE: position ids of text, image and video tokens, and which
frequency slots each axis owns.

What this module holds
----------------------
- :func:`plot_multimodal_positions`: a token strip coloured by modality, with each token's
  ids under flattened 1-D positions, Su's RoPE-Tie and RoPE-TV, and M-RoPE (Qwen2-VL).
- :func:`multimodal_positions_changes`: everything the sequence (grid sizes, frames, time
  step) sets in that figure, in the ``(traces, layout)`` shape of
  :mod:`rope_viz.figures._style`; :func:`rope_viz.widgets.multimodal_positions_widget`
  applies it.
- :func:`plot_mrope_sections`: the frequency slots driven by t, h and w under Qwen2-VL's
  contiguous sections and Qwen3-VL's interleaving.

Numbers come from :func:`rope_viz.flat_position_ids`, :func:`rope_viz.rope_tie_position_ids`,
:func:`rope_viz.rope_tv_position_ids`, :func:`rope_viz.mrope_position_ids` and
:func:`rope_viz.mrope_axes`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from rope_viz._validation import check_bool, check_int_tuple, fail
from rope_viz.figures._style import (
    AXIS_COLORS,
    MODALITY_COLORS,
    apply_changes,
    base_layout,
    discrete_colorscale,
    set_narrow,
    subplots,
)
from rope_viz.multidim import (
    flat_position_ids,
    mrope_axes,
    mrope_position_ids,
    rope_tie_position_ids,
    rope_tv_position_ids,
)

__all__ = ["plot_multimodal_positions", "multimodal_positions_changes", "plot_mrope_sections",
           "DEFAULT_SEGMENTS"]

#: A short sequence with every modality: text, a 4 x 4 image, text, a 2-frame 2 x 3 video, text.
DEFAULT_SEGMENTS = (
    ("text", 3),
    ("image", (1, 4, 4)),
    ("text", 2),
    ("video", (2, 2, 3)),
    ("text", 2),
)
_MODALITIES = ("text", "image", "video")


def _format(value: float) -> str:
    if np.isnan(value):
        return ""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def plot_multimodal_positions(segments: Any = DEFAULT_SEGMENTS, *,
                              spatial_merge_size: int = 1,
                              second_per_grid_t: float | None = None,
                              tokens_per_second: float = 2.0,
                              controls: bool = True) -> go.Figure:
    """Position ids of a text-image-video sequence under four schemes, token by token.

    Each column is one token, coloured by modality (text grey, image orange, video blue);
    the numbers are its ids. Flattened 1-D (top) numbers every token, patch or word, one after
    another. Su's RoPE-Tie (kexue.fm/archives/10040) gives text (n, n) and patch (i, j) of an
    h x w image after position L the ids (L + i(w + 1), L + j(h + 1)), so the next text lands
    at L + (w + 1)(h + 1); two buttons switch to the post's non-integer spacing, in which the
    image counts as wh tokens. RoPE-Tie has no rule for video, so tokens from the first video
    on are left blank. Su's RoPE-TV (kexue.fm/archives/10352) puts patches one apart around
    the centre of the block and the next text at L + N + 1 (N tokens in the block), with
    three ids (row, column, frame) once a video is present. M-RoPE (Qwen2-VL) gives each
    token (t, h, w): text has t = h = w, an image patch keeps its row and column, video frames
    advance t, and text after a vision block resumes at the largest id so far + 1. With
    ``second_per_grid_t`` given, a fifth panel shows M-RoPE with Qwen2.5-VL's absolute-time
    temporal ids (video t ids step by floor(second_per_grid_t · tokens_per_second) per
    temporal patch). The buttons work in a static page (plotly ``updatemenus``, no kernel).

    Calls :func:`rope_viz.flat_position_ids`, :func:`rope_viz.rope_tie_position_ids`,
    :func:`rope_viz.rope_tv_position_ids` and :func:`rope_viz.mrope_position_ids`.

    Parameters
    ----------
    segments : list
        ``[("text", n), ("image", (1, h, w)), ("video", (t, h, w)), ...]``, grids in patches
        before merging (see :func:`rope_viz.mrope_position_ids`); default
        :data:`DEFAULT_SEGMENTS`.
    spatial_merge_size : int
        Patches merged per side into one token (Qwen2-VL uses 2).
    second_per_grid_t : float, optional
        Seconds of video per temporal patch (e.g. 2 / fps); when given, adds the Qwen2.5-VL
        panel (see :func:`rope_viz.mrope_position_ids`).
    tokens_per_second : float
        Temporal ids per second for that panel (2 in the released Qwen2.5-VL configs).
    controls : bool
        Draw the two RoPE-Tie buttons (default). ``False``: no buttons; the figure shows the
        integer spacing.

    Returns
    -------
    plotly.graph_objects.Figure
        Four heatmap traces (1-D: one row; RoPE-Tie: x, y rows; RoPE-TV: x, y rows, plus z
        with a video; M-RoPE: t, h, w rows), or five with the Qwen2.5-VL panel, z the modality
        code and text the ids, plus three invisible scatter traces for the modality legend,
        then a hidden heatmap of RoPE-Tie with the image counted as wh tokens; one
        ``updatemenus`` entry with two buttons that show one of the two RoPE-Tie traces
        (integer spacing, shown first; image = wh tokens). On a narrow screen the strips turn
        on their side: tokens run down the page, one column per id.

    Raises
    ------
    ValueError, TypeError
        For malformed ``segments``, an image with t != 1, a bad ``spatial_merge_size``,
        ``second_per_grid_t``, ``tokens_per_second`` (as the math functions raise) or
        ``controls``.

    Examples
    --------
    >>> fig = plot_multimodal_positions([("text", 2), ("image", (1, 2, 2))])
    >>> len(fig.data[0].z[0])
    6
    """
    controls = check_bool(controls, "controls")
    panels, kinds, tokens_ids = _id_panels(segments, spatial_merge_size, second_per_grid_t,
                                           tokens_per_second)
    traces, layout = multimodal_positions_changes(
        segments, spatial_merge_size=spatial_merge_size, second_per_grid_t=second_per_grid_t,
        tokens_per_second=tokens_per_second, controls=controls)
    fig = subplots(rows=len(panels), cols=1,
                   vertical_spacing=0.3 / len(panels),
                   row_heights=[len(labels) for _, _, labels in panels],
                   subplot_titles=[title for title, _, _ in panels])
    colors = [MODALITY_COLORS[m] for m in _MODALITIES]

    def strip(**extra) -> go.Heatmap:
        # the numbers (z, x, y, text, size, hover) come from multimodal_positions_changes
        return go.Heatmap(
            texttemplate="%{text}", textfont=dict(color=_CELL_INK),
            colorscale=discrete_colorscale(colors),
            zmin=-0.5, zmax=len(colors) - 0.5, showscale=False, xgap=1, ygap=1, **extra)

    for row in range(1, len(panels) + 1):
        fig.add_trace(strip(), row, 1)
        fig.update_yaxes(autorange="reversed", type="category", showgrid=False, row=row, col=1)
        fig.update_xaxes(type="linear", showticklabels=row == len(panels), showgrid=False,
                         zeroline=False, row=row, col=1)
    for modality, color in zip(_MODALITIES, colors):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=modality,
                                 marker=dict(symbol="square", size=12, color=color)))
    # RoPE-Tie with the image counted as wh tokens: a hidden copy of trace 1 the buttons show
    fig.add_trace(strip(visible=False), 2, 1)
    tokens_trace = len(fig.data) - 1
    buttons = [dict(label=label, method="restyle", args=[{"visible": shown}, [1, tokens_trace]])
               for shown, label in (([True, False], "RoPE-Tie: s = w + 1, t = h + 1"),
                                    ([False, True], "RoPE-Tie: image = wh tokens"))]
    words = {4: "Four", 5: "Five"}
    menus = [dict(type="buttons", direction="right", buttons=buttons, active=0,
                  showactive=True, x=0.0, xanchor="left", y=1.06, yanchor="bottom",
                  pad=dict(t=0, b=0), font=dict(size=11))]
    fig.update_layout(**base_layout(
        title=f"{words[len(panels)]} ways to number one sequence",
        height=580 if len(panels) == 4 else 720,
        margin=dict(l=90, r=30, t=150, b=60),
        legend=dict(orientation="h", x=1.0, xanchor="right", y=1.06, yanchor="bottom"),
        updatemenus=menus if controls else [],
    ))
    fig.update_xaxes(title_text="token (sequence order)", row=len(panels), col=1)
    apply_changes(fig, traces, layout)
    return fig


def _id_panels(segments: Any, spatial_merge_size: int, second_per_grid_t: float | None,
               tokens_per_second: float) -> tuple:
    """``(panels, kinds, tokens_ids)`` of :func:`plot_multimodal_positions`: ``(title, ids,
    row labels)`` per panel, each token's modality code ``(n,)``, and RoPE-Tie's ids with the
    image counted as wh tokens ``(2, n)``."""
    flat = flat_position_ids(segments, spatial_merge_size)  # (n,)
    mrope = mrope_position_ids(segments, spatial_merge_size)  # (3, n)
    tv = rope_tv_position_ids(segments, spatial_merge_size)  # (2 or 3, n)
    segments = list(segments)
    counts = [len(flat_position_ids([segment], spatial_merge_size)) for segment in segments]
    kinds = np.repeat([_MODALITIES.index(kind) for kind, _ in segments], counts)  # (n,)
    n = len(flat)
    first_video = next((i for i, (kind, _) in enumerate(segments) if kind == "video"), None)
    prefix = segments if first_video is None else segments[:first_video]
    ties = {}
    for spacing in ("integer", "tokens"):
        tie = np.full((2, n), np.nan)  # (2, n); blank from the first video on
        if prefix:
            ids = rope_tie_position_ids(prefix, spatial_merge_size, spacing=spacing)  # (2, n_prefix)
            tie[:, : ids.shape[1]] = ids
        ties[spacing] = tie

    tv_labels = ["x (row)", "y (column)", "z (frame)"][: tv.shape[0]]
    panels = [
        ("flattened 1-D", flat[None, :].astype(float), ["position"]),
        ("RoPE-Tie (Su, text and images)", ties["integer"], ["x (row)", "y (column)"]),
        ("RoPE-TV (Su)", tv, tv_labels),
        ("M-RoPE (Qwen2-VL)", mrope.astype(float), ["t", "h", "w"]),
    ]
    if second_per_grid_t is not None:
        timed = mrope_position_ids(segments, spatial_merge_size,
                                   second_per_grid_t=second_per_grid_t,
                                   tokens_per_second=tokens_per_second)  # (3, n)
        panels.append((f"M-RoPE, absolute time (Qwen2.5-VL, {second_per_grid_t:g} s per "
                       f"temporal patch, {tokens_per_second:g} ids/s)", timed.astype(float),
                       ["t", "h", "w"]))
    return panels, kinds, ties["tokens"]


def _strip_numbers(title: str, ids: np.ndarray, labels: list, kinds: np.ndarray) -> dict:
    """What a sequence sets in one id strip: ``z`` (modality code, blank where the scheme
    gives no id), ``x``, ``y``, the ids as ``text``, their size and the hover text."""
    z = np.tile(kinds, (ids.shape[0], 1)).astype(float)  # (rows, n)
    z[np.isnan(ids)] = np.nan  # blank where the scheme gives no id
    whole = np.allclose(ids[~np.isnan(ids)] % 1, 0)
    return {"z": z.tolist(), "y": list(labels), "x": list(range(len(kinds))),
            "text": _texts(ids), "textfont_size": 11 if whole else 9,
            "hovertemplate": "token %{x}<br>%{y} = %{text}<extra>" + title + "</extra>"}


def multimodal_positions_changes(segments: Any = DEFAULT_SEGMENTS, *,
                                 spatial_merge_size: int = 1,
                                 second_per_grid_t: float | None = None,
                                 tokens_per_second: float = 2.0,
                                 controls: bool = True) -> tuple:
    """Everything a sequence sets in :func:`plot_multimodal_positions`: ids, cells, titles.

    The changes keep the figure's panels: apply them to a figure drawn for a sequence of the
    same kind (with a video, or without one, as the RoPE-TV panel has a third row only with a
    video) and with ``second_per_grid_t`` given, or not, in both (the fifth panel). Grid
    sizes, frame counts, text lengths and the time step may all change.

    Parameters
    ----------
    segments, spatial_merge_size, second_per_grid_t, tokens_per_second
        As in :func:`plot_multimodal_positions`.
    controls : bool
        Whether the figure has the RoPE-Tie buttons, which its phone layout moves (as
        :func:`plot_multimodal_positions` was drawn; a widget's figure has none).

    Returns
    -------
    tuple
        ``(traces, layout)`` in the shape of :mod:`rope_viz.figures._style`: for every id
        strip (traces 0 to 3, or 4, and the hidden RoPE-Tie trace after the three legend
        traces) its ``z``, ``x``, ``y``, ``text``, ``textfont_size`` and ``hovertemplate``;
        the layout sets the panel titles and ``meta`` (the phone layout, which depends on
        the number of tokens; see :func:`rope_viz.figures._style.set_narrow`).

    Raises
    ------
    ValueError, TypeError
        As :func:`plot_multimodal_positions`, and for a ``controls`` that is not a bool.

    Examples
    --------
    >>> traces, layout = multimodal_positions_changes([("text", 2), ("image", (1, 2, 2))])
    >>> traces[3]["text"][0]
    ['0', '1', '2', '2', '2', '2']
    """
    controls = check_bool(controls, "controls")
    panels, kinds, tokens_ids = _id_panels(segments, spatial_merge_size, second_per_grid_t,
                                           tokens_per_second)
    traces = {k: _strip_numbers(title, ids, labels, kinds)
              for k, (title, ids, labels) in enumerate(panels)}
    tokens_trace = len(panels) + len(_MODALITIES)
    traces[tokens_trace] = _strip_numbers(panels[1][0], tokens_ids, panels[1][2], kinds)
    layout = {f"annotations[{k}].text": title for k, (title, _, _) in enumerate(panels)}
    narrow_traces, narrow_layout = _positions_narrow(traces, panels, len(kinds), tokens_trace)
    if not controls:  # no buttons: the phone layout has none to move
        narrow_layout = {key: value for key, value in narrow_layout.items()
                         if not key.startswith("updatemenus")}
    layout["meta"] = {"narrow": {"traces": {str(k): v for k, v in narrow_traces.items()},
                                 "layout": narrow_layout}}
    return traces, layout


#: Ids on the modality-coloured cells: dark on the light grey, orange and blue of every theme.
_CELL_INK = "#1A1A1A"
#: Panel names on a phone, where each panel is a few columns wide.
_SHORT_TITLES = ("1-D", "Tie", "TV", "M-RoPE", "Qwen2.5")
_SHORT_LABELS = {"position": "n", "x (row)": "x", "y (column)": "y", "z (frame)": "z"}


def _positions_narrow(strips: dict, panels: list, n: int, tokens_trace: int) -> tuple:
    """Narrow-screen changes of :func:`plot_multimodal_positions`: the strips turned on
    their side (tokens down the page, one column per id), panels side by side. ``strips``
    are the strips' numbers (:func:`_strip_numbers`, by trace index)."""
    width = 358 - 40 - 14  # px of plot on a phone (figures.js caps the side margins)
    top, row_px = 150, 17
    plot = n * row_px
    gap = 10 / width
    columns = sum(len(labels) for _, _, labels in panels)
    unit = (1 - gap * (len(panels) - 1)) / columns
    layout = {"height": top + plot + 20, "margin.t": top, "margin.b": 20, "margin.l": 40,
              "margin.r": 14,
              "title.y": round(1 - 8 / (top + plot + 20), 4), "title.yanchor": "top",
              "updatemenus[0].y": round(1 + (top - 44) / plot, 4),
              "updatemenus[0].yanchor": "top",
              "updatemenus[0].buttons[0].label": "Tie: s = w + 1",
              "updatemenus[0].buttons[1].label": "Tie: image = wh",
              "legend.x": 0, "legend.xanchor": "left", "legend.y": round(1 + (top - 76) / plot, 4),
              "legend.yanchor": "top"}
    traces = {}
    x0 = 0.0
    for k, (title, _ids, labels) in enumerate(panels):
        axis = "" if k == 0 else str(k + 1)
        x1 = x0 + unit * len(labels)
        layout.update({f"xaxis{axis}.domain": [round(x0, 4), round(x1, 4)],
                       f"yaxis{axis}.domain": [0, 1], f"xaxis{axis}.type": "category",
                       f"yaxis{axis}.type": "linear", f"yaxis{axis}.autorange": "reversed",
                       f"xaxis{axis}.side": "top",
                       f"xaxis{axis}.showticklabels": True, f"xaxis{axis}.title.text": "",
                       f"yaxis{axis}.showticklabels": k == 0,
                       f"yaxis{axis}.title.text": "token" if k == 0 else "",
                       f"annotations[{k}].text": _SHORT_TITLES[k],
                       f"annotations[{k}].x": round((x0 + x1) / 2, 4),
                       f"annotations[{k}].y": round(1 + 24 / plot, 4)})
        data = strips[k]
        small = [_SHORT_LABELS.get(label, label) for label in labels]
        changes = {"x": small, "y": list(range(n)),
                   "z": np.array(data["z"], dtype=float).T.tolist(),
                   "text": [list(line) for line in zip(*data["text"])],
                   "hovertemplate": "token %{y}<br>%{x} = %{text}<extra>" + title + "</extra>"}
        traces[k] = changes
        if k == 1:
            hidden = strips[tokens_trace]
            traces[tokens_trace] = dict(changes, z=np.array(hidden["z"], dtype=float).T.tolist(),
                                        text=[list(line) for line in zip(*hidden["text"])])
        for index in (k, tokens_trace) if k == 1 else (k,):
            if strips[index]["textfont_size"] < 11:
                traces[index]["textfont.size"] = 8
        x0 = x1 + gap
    return traces, layout


def _texts(ids: np.ndarray) -> list:
    """Cell labels for a (rows, n) id array: integers plain, others to one decimal, NaN blank."""
    return [[_format(v) for v in line] for line in ids]


def plot_mrope_sections(contiguous: Any = (16, 24, 24), interleaved: Any = (24, 20, 20)) -> go.Figure:
    """Which frequency slot each axis (t, h, w) drives: Qwen2-VL sections vs Qwen3-VL interleaving.

    Slot 0 is the fastest frequency, the last slot the slowest. Qwen2-VL (top) hands the first
    ``contiguous[0]`` slots to time and the rest to height, then width, in contiguous blocks:
    time only ever gets the fast frequencies and width only the slow ones. Qwen3-VL (bottom)
    cycles t, h, w across the slots, so every axis gets fast and slow frequencies.

    Calls :func:`rope_viz.mrope_axes` with ``layout="contiguous"`` and ``"interleaved"``.

    Parameters
    ----------
    contiguous : sequence of 3 int
        Qwen2-VL's ``mrope_section``: slots per axis (t, h, w), summing to dim/2
        ((16, 24, 24) for head dim 128).
    interleaved : sequence of 3 int
        Qwen3-VL's ``mrope_section`` ((24, 20, 20) for head dim 128); same sum as
        ``contiguous``, with t >= h and t >= w.

    Returns
    -------
    plotly.graph_objects.Figure
        Two one-row heatmaps (contiguous, interleaved) coloured by axis, plus three
        invisible scatter traces for the t/h/w legend.

    Raises
    ------
    ValueError, TypeError
        For sections that are not three non-negative integers, that the interleaved cycle
        cannot honour, or whose sums differ.

    Examples
    --------
    >>> fig = plot_mrope_sections((2, 3, 3), (4, 2, 2))
    >>> len(fig.data[0].z[0]), len(fig.data[1].z[0])
    (8, 8)
    """
    contiguous = check_int_tuple(contiguous, "contiguous", length=3, minimum=0)
    interleaved = check_int_tuple(interleaved, "interleaved", length=3, minimum=0)
    if sum(contiguous) != sum(interleaved):
        fail("interleaved", f"sections with the same sum as contiguous ({sum(contiguous)})",
             interleaved)
    try:
        second = mrope_axes(interleaved, "interleaved")  # (dim/2,)
    except ValueError as error:
        raise ValueError(str(error).replace("sections", "interleaved", 1)) from None
    rows = np.stack([mrope_axes(contiguous, "contiguous"), second])  # (2, dim/2)
    names = ("t", "h", "w")
    colors = [AXIS_COLORS[a] for a in names]
    labels = [f"Qwen2-VL: contiguous sections {contiguous}",
              f"Qwen3-VL: interleaved {interleaved}"]
    fig = subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.3,
                   subplot_titles=labels)
    for row, (line, label) in enumerate(zip(rows, labels), start=1):
        fig.add_trace(go.Heatmap(
            z=[line.tolist()], y=[label.split(":")[0]], x=list(range(rows.shape[1])),
            text=[[names[v] for v in line]],
            texttemplate="%{text}" if rows.shape[1] <= 64 else None, textfont=dict(size=10),
            colorscale=discrete_colorscale(colors), zmin=-0.5, zmax=2.5, showscale=False,
            xgap=1, hovertemplate="slot %{x}: %{text}<extra>%{y}</extra>",
        ), row, 1)
    for name, color in zip(names, colors):
        label = {"t": "t (time)", "h": "h (height)", "w": "w (width)"}[name]
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=label,
                                 marker=dict(symbol="square", size=12, color=color)))
    fig.update_layout(**base_layout(
        title="Frequency slots per axis",
        height=300,
        margin=dict(l=20, r=20, t=90, b=60),
        legend=dict(orientation="h", x=1.0, xanchor="right", y=0.85, yanchor="middle",
                    yref="container"),
    ))
    fig.for_each_annotation(lambda a: a.update(x=0, xanchor="left", font=dict(size=12)))
    fig.update_traces(textfont_color=_CELL_INK, selector=dict(type="heatmap"))
    fig.update_yaxes(showticklabels=False, showgrid=False)
    fig.update_xaxes(showgrid=False)
    fig.update_xaxes(title_text="frequency slot i (0 = fastest)", row=2, col=1)
    # a phone: letters do not fit 64 slots; the legend moves between the title and the rows
    set_narrow(fig, {0: {"texttemplate": ""}, 1: {"texttemplate": ""}},
               {"title.y": 0.98, "title.yanchor": "top",
                "legend.x": 0, "legend.xanchor": "left", "legend.y": round(1 - 40 / 320, 4),
                "margin.t": 110, "height": 320})
    return fig
