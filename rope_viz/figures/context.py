"""Figures for choosing the base and stretching the context: the base bound, ReRoPE, configs.

What this module holds
----------------------
- :func:`plot_base_feasibility`: Men et al.'s min over m < L of Σ_i cos(m·θ_i) against the
  base, feasible (>= 0) and infeasible stretches shaded, the smallest feasible base marked; a
  slider for L.
- :func:`plot_rerope_positions`: the relative positions RoPE, Leaky ReRoPE (a slider for its
  slope 1/k) and ReRoPE feed to the attention, as query × key matrices.
- :func:`plot_config_spectrum`: the wavelength of every pair of a Hugging Face config (after
  its ``rope_scaling``), with the pairs that never turn inside the context marked.
- :func:`plot_config_decay`: the cosine sum over every distance inside a config's context (an
  exact envelope), the quantity whose sign the base bound is about.

Numbers come from :func:`rope_viz.min_cosine_sum`, :func:`rope_viz.min_base_for_context`,
:func:`rope_viz.rerope_relative_positions`, :func:`rope_viz.leaky_rerope_relative_positions`,
:func:`rope_viz.config_report` and :func:`rope_viz.cosine_sum_envelope`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go

from rope_viz._validation import check_array, check_dim, check_float, check_int, fail
from rope_viz.attention import causal_mask
from rope_viz.decay import cosine_sum_envelope, min_base_for_context, min_cosine_sum
from rope_viz.figures._style import (
    NEUTRAL,
    SEQUENTIAL,
    base_layout,
    buttons,
    new_figure,
    rounded,
    set_narrow,
    short_number,
    slider,
    subplots,
)
from rope_viz.model_configs import config_report
from rope_viz.rope import rope_frequencies
from rope_viz.scaling import leaky_rerope_relative_positions, rerope_relative_positions

__all__ = [
    "plot_base_feasibility",
    "plot_rerope_positions",
    "plot_config_spectrum",
    "plot_config_decay",
]

FEASIBLE = "#009E73"  # bluish green: the condition holds
INFEASIBLE = "#D55E00"  # vermillion: it fails
_MODEL_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", NEUTRAL)


def plot_base_feasibility(
    lengths: Any = (1024, 4096, 16384),
    *,
    dim: int = 128,
    num_bases: int = 300,
    span: float = 4.0,
) -> go.Figure:
    """Which bases are long enough for a context: min over m < L of Σ_i cos(m·b^(−2i/d)).

    For each base b on a log grid from b*/span to b*·span, where b* =
    :func:`rope_viz.min_base_for_context` (L, d), the curve is the lowest value of the cosine
    sum over every distance 0 <= m < L. Where it is >= 0 (green) a similar key scores higher
    than a random one at every distance inside the context; where it is negative (red) some
    distance breaks that. The curve is ragged, and above b* it dips below zero again: the
    feasible bases do not form one interval, so b* cannot be found by bisection (see
    :func:`rope_viz.min_base_for_context` for the certified walk, and ``robust=True`` for the
    smallest base above which every base passes). The slider picks L.

    Calls :func:`rope_viz.min_cosine_sum` and :func:`rope_viz.min_base_for_context`.

    Parameters
    ----------
    lengths : sequence of int
        Context lengths L on the slider (each >= 2).
    dim : int
        Rotary dimension (positive, even).
    num_bases : int
        Grid points per length (>= 10).
    span : float
        The grid runs from b*/span to b*·span (> 1).

    Returns
    -------
    plotly.graph_objects.Figure
        Three scatter traces (green fill of the positive part, red fill of the negative part,
        the curve) and a slider with one step per length restyling them and moving the b*
        line (the first shape).

    Raises
    ------
    ValueError, TypeError
        For bad ``lengths``, ``dim``, ``num_bases`` or ``span``.

    Examples
    --------
    >>> fig = plot_base_feasibility((256, 512), dim=32, num_bases=40)
    >>> len(fig.data), len(fig.layout.sliders[0].steps)
    (3, 2)
    """
    values = check_array(lengths, "lengths", ndim=1, nonempty=True, integer=True, minimum=2,
                         what="a non-empty sequence of integers >= 2")
    lengths = tuple(int(v) for v in values)
    dim = check_dim(dim)
    num_bases = check_int(num_bases, "num_bases", minimum=10)
    span = check_float(span, "span", minimum=1.0)

    panels = []  # per length: (bases, minima, b_star)
    for length in lengths:
        b_star = min_base_for_context(length, dim)
        bases = np.geomspace(max(b_star / span, 1.0 + 1e-9), b_star * span, num_bases)  # (B,)
        panels.append((bases, min_cosine_sum(bases, length, dim), b_star))

    def restyle(i: int) -> dict:
        bases, minima, _ = panels[i]
        x = rounded(bases, 1)
        return {"x": [x, x, x], "y": [rounded(np.maximum(minima, 0), 3),
                                      rounded(np.minimum(minima, 0), 3), rounded(minima, 3)]}

    first = restyle(0)
    fig = new_figure()
    fig.add_trace(go.Scatter(x=first["x"][0], y=first["y"][0], fill="tozeroy", mode="none",
                             fillcolor="rgba(0,158,115,0.35)", name="B(m) ≥ 0 at every m < L",
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=first["x"][1], y=first["y"][1], fill="tozeroy", mode="none",
                             fillcolor="rgba(213,94,0,0.35)", name="B(m) < 0 at some m",
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=first["x"][2], y=first["y"][2], mode="lines",
                             line=dict(color=NEUTRAL, width=1.5), name="lowest B(m)",
                             hovertemplate="base %{x:,.0f}<br>lowest B(m) %{y:.3f}"
                                           "<extra></extra>"))

    def marker(i: int) -> tuple:
        b_star = panels[i][2]
        return b_star, f"b* = {short_number(float(f'{b_star:.2g}'))}"

    b0, text0 = marker(0)
    shape = dict(type="line", x0=b0, x1=b0, xref="x", yref="paper", y0=0, y1=1,
                 line=dict(color=NEUTRAL, width=1.5, dash="dash"))
    note = dict(x=float(np.log10(b0)), xref="x", y=1.0, yref="paper", text=text0,
                showarrow=False, xanchor="center", yanchor="bottom", font=dict(size=12))
    steps = [
        dict(method="update", label=short_number(length) if length % 1000 else f"{length:,}",
             args=[restyle(i),
                   {"shapes[0].x0": marker(i)[0], "shapes[0].x1": marker(i)[0],
                    "annotations[0].x": float(np.log10(marker(i)[0])),
                    "annotations[0].text": marker(i)[1],
                    "title.text": _feasibility_title(lengths[i], dim)}])
        for i, length in enumerate(lengths)
    ]
    fig.update_layout(**base_layout(
        title=_feasibility_title(lengths[0], dim),
        height=500,
        margin=dict(l=80, r=30, t=110, b=130),
        shapes=[shape],
        annotations=[note],
        xaxis=dict(title="base b (log scale)", type="log", exponentformat="power"),
        yaxis=dict(title="lowest B(m) over m < L", zeroline=True, zerolinecolor=NEUTRAL),
        sliders=[slider(steps, prefix="context length L = ", y=-0.2)],
        legend=dict(orientation="h", x=0.0, y=1.08, xanchor="left", yanchor="bottom"),
    ))
    # a phone: the legend takes two rows above the plot
    set_narrow(fig, layout={"margin.t": 140, "legend.y": 1.07, "height": 540,
                            "title.y": 0.985, "title.yanchor": "top"})
    return fig


def _feasibility_title(length: int, dim: int) -> str:
    return f"Is the base large enough for L = {length:,}?"


def plot_rerope_positions(
    n: int = 16,
    *,
    window: int = 4,
    ks: Any = (2.0, 4.0, 8.0, 16.0),
) -> go.Figure:
    """The relative positions RoPE, Leaky ReRoPE and ReRoPE use, as query × key matrices.

    Entry [i, j] is the distance the attention of query i to key j is computed at (causal:
    keys j <= i only). Plain RoPE (left) uses i − j, which grows past anything seen in
    training when the text is longer. ReRoPE (right) uses i − j inside the window w and w
    beyond it: no distance ever exceeds w. Leaky ReRoPE (middle) keeps i − j inside the window
    and grows with slope 1/k beyond it, a compromise; the slider sets k (k = 1 is plain RoPE,
    k → ∞ is ReRoPE). Below the matrices, the last query's row of each as a line (markers
    coloured by the same scale): the middle line moves with the slider.

    Calls :func:`rope_viz.leaky_rerope_relative_positions` and
    :func:`rope_viz.rerope_relative_positions`.

    Parameters
    ----------
    n : int
        Sequence length (>= 2).
    window : int
        The window w (1 <= w < n).
    ks : sequence of float
        Leaky ReRoPE's k on the slider (each >= 1).

    Returns
    -------
    plotly.graph_objects.Figure
        Three heatmap traces (RoPE, Leaky ReRoPE, ReRoPE) on one colour scale (hover shows
        each distance), the upper triangle left empty, then three scatter traces (the last
        query's row of each, same order); a slider restyling the Leaky ReRoPE heatmap and
        line (traces 1 and 4).

    Raises
    ------
    ValueError, TypeError
        For bad ``n``, ``window`` or ``ks``.

    Examples
    --------
    >>> fig = plot_rerope_positions(8, window=3, ks=(2.0, 4.0))
    >>> [t.type for t in fig.data], len(fig.layout.sliders[0].steps)
    (['heatmap', 'heatmap', 'heatmap', 'scatter', 'scatter', 'scatter'], 2)
    """
    n = check_int(n, "n", minimum=2)
    window = check_int(window, "window", minimum=1)
    if window >= n:
        fail("window", f"smaller than n = {n}", window)
    values = check_array(ks, "ks", ndim=1, nonempty=True, minimum=1,
                         what="a non-empty sequence of numbers >= 1")
    ks = tuple(float(k) for k in values)
    causal = causal_mask(n)  # (n, n): keys j <= query i

    def masked(matrix: np.ndarray) -> list:
        return np.where(causal, np.round(matrix, 3), np.nan).tolist()  # (n, n), None above

    plain = leaky_rerope_relative_positions(n, window, 1.0)  # (n, n): i − j
    leaky = [leaky_rerope_relative_positions(n, window, k) for k in ks]  # each (n, n)
    clipped = rerope_relative_positions(n, window)  # (n, n)
    start = ks.index(4.0) if 4.0 in ks else 0
    fig = subplots(rows=2, cols=3, horizontal_spacing=0.06, vertical_spacing=0.2,
                   row_heights=[0.56, 0.44],
                   specs=[[{}, {}, {}], [{"colspan": 3}, None, None]],
                   subplot_titles=("RoPE: i − j", _leaky_title(ks[start]),
                                   f"ReRoPE, w = {window}"))
    heat = dict(colorscale=SEQUENTIAL, zmin=0, zmax=n - 1, xgap=1, ygap=1, showscale=False,
                hovertemplate="query i %{y}<br>key j %{x}<br>distance %{z}<extra></extra>")
    for col, matrix in enumerate((plain, leaky[start], clipped), start=1):
        fig.add_trace(go.Heatmap(z=masked(matrix), **heat), 1, col)
    # one row of each matrix as a line: the distance query n − 1 sees key j at, coloured by
    # the heatmaps' scale, so the slider visibly moves the middle line
    keys = np.arange(n)
    dot = dict(colorscale=SEQUENTIAL, cmin=0, cmax=n - 1, size=7)
    for name, matrix, dash in (("RoPE", plain, "dot"), (_leaky_title(ks[start]), leaky[start],
                                                        "solid"), ("ReRoPE", clipped, "dash")):
        row = np.round(matrix[n - 1], 3)
        fig.add_trace(go.Scatter(
            x=keys.tolist(), y=row.tolist(), mode="lines+markers", name=name,
            line=dict(color=NEUTRAL, width=2 if dash == "solid" else 1.2, dash=dash),
            marker=dict(color=row.tolist(), **dot),
            hovertemplate="key j %{x}<br>distance %{y:.3g}<extra>" + name.split(",")[0]
                          + "</extra>"), 2, 1)
    steps = [
        dict(method="update", label=f"{k:g}",
             args=[{"z": [masked(leaky[i]), None],
                    "y": [None, np.round(leaky[i][n - 1], 3).tolist()],
                    "marker.color": [None, np.round(leaky[i][n - 1], 3).tolist()],
                    "name": [None, _leaky_title(k)]},
                   {"annotations[1].text": _leaky_title(k)}, [1, 4]])
        for i, k in enumerate(ks)
    ]
    fig.update_layout(**base_layout(
        title=f"Distances each query sees, w = {window}",
        height=640,
        margin=dict(l=60, r=20, t=80, b=110),
        sliders=[slider(steps, prefix="Leaky ReRoPE k = ", active=start, y=-0.12)],
        legend=dict(orientation="h", x=0.0, y=0.37, xanchor="left", yanchor="bottom",
                    font=dict(size=11)),
        hovermode="closest",
    ))
    tick = max(1, int(np.ceil((n - 1) / 3)))
    for col in (1, 2, 3):
        anchor = "x" if col == 1 else f"x{col}"
        fig.update_yaxes(range=[n - 0.5, -0.5], scaleanchor=anchor, constrain="domain",
                         showticklabels=col == 1, dtick=tick, row=1, col=col,
                         title_text="query i" if col == 1 else None)
        fig.update_xaxes(range=[-0.5, n - 0.5], constrain="domain", dtick=tick, row=1, col=col,
                         title_text="key j" if col == 2 else None)
    fig.update_xaxes(title_text="key j", range=[-0.5, n - 0.5], row=2, col=1)
    fig.update_yaxes(title_text=f"distance, i = {n - 1}", rangemode="tozero", row=2, col=1)
    fig.add_vline(x=n - 1 - window, line=dict(color=NEUTRAL, width=1, dash="dot"), row=2, col=1)
    for note in fig.layout.annotations:
        note.font = dict(size=12)
    # a phone: room for the two-line title, the same panels
    set_narrow(fig, layout={"height": 600, "margin.t": 90})
    return fig


def _leaky_title(k: float) -> str:
    return f"Leaky, k = {k:g}"


def _configs(config: Any, configs: Any, name: Any) -> list:
    """``[(name, config)]`` from exactly one of ``config`` and ``configs``."""
    if (config is None) == (configs is None):
        fail("config", "given, or configs=... given instead (exactly one of them)",
             "both" if config is not None else None, kind=TypeError)
    if config is not None:
        if not isinstance(config, Mapping):
            fail("config", "a dict parsed from config.json", config, kind=TypeError)
        label = name if name is not None else str(config.get("_name_or_path")
                                                   or config.get("model_type") or "model")
        return [(label, config)]
    if not isinstance(configs, Mapping) or not configs or not all(
            isinstance(v, Mapping) for v in configs.values()):
        fail("configs", "a non-empty dict of {name: config dict}", configs, kind=TypeError)
    return [(str(k), v) for k, v in configs.items()]


def plot_config_spectrum(config: Mapping | None = None, *, configs: Mapping | None = None,
                         name: str | None = None) -> go.Figure:
    """Each pair's wavelength for a model's ``config.json``, pairs that never turn marked.

    Markers: the wavelength 2π/θ_i of every pair with the frequencies the model uses at its
    full context (after ``rope_scaling``); filled where the pair completes at least one turn
    inside ``max_position_embeddings``, hollow where it never does. A dashed line marks the
    context, a dotted one the original training context of a scaled model, and a thin grey
    line the unscaled wavelengths 2π·base^(2i/d) when scaling changed them. With ``configs``
    several models share the axes, one colour each.

    Calls :func:`rope_viz.config_report` and :func:`rope_viz.rope_frequencies`.

    Parameters
    ----------
    config : Mapping, optional
        One parsed ``config.json``.
    configs : Mapping, optional
        ``{name: config}`` for several models (instead of ``config``).
    name : str, optional
        Label for ``config``.

    Returns
    -------
    plotly.graph_objects.Figure
        Per model one scatter trace of markers (named with its count of pairs that never
        turn), plus a grey line trace when scaled; one dashed line (shape) per context.

    Raises
    ------
    ValueError, TypeError
        For not exactly one of ``config`` / ``configs``, or a config
        :func:`rope_viz.config_report` rejects.

    Examples
    --------
    >>> cfg = {"head_dim": 64, "rope_theta": 10000.0, "max_position_embeddings": 2048}
    >>> len(plot_config_spectrum(config=cfg).data)
    1
    """
    models = _configs(config, configs, name)
    fig = new_figure()
    shapes, notes = [], []
    for index, (label, cfg) in enumerate(models):
        report = config_report(cfg, label)
        color = _MODEL_COLORS[index % len(_MODEL_COLORS)]
        pairs = np.arange(report.rotary_dim // 2)
        unscaled = 2 * np.pi / rope_frequencies(report.rotary_dim, report.base)  # (dim/2,)
        if not np.allclose(unscaled, report.wavelengths):
            fig.add_trace(go.Scatter(x=pairs.tolist(), y=rounded(unscaled, 1), mode="lines",
                                     line=dict(color=color, width=1, dash="dot"),
                                     name=f"{label}, no rope_scaling", opacity=0.6,
                                     hoverinfo="skip"))
        turns = report.wavelengths <= report.context
        fig.add_trace(go.Scatter(
            x=pairs.tolist(), y=rounded(report.wavelengths, 1), mode="markers",
            marker=dict(color=color, size=7, line=dict(color=color, width=1.5),
                        symbol=np.where(turns, "circle", "circle-open").tolist()),
            name=(f"{label}, base {short_number(report.base)}: {len(report.never_turn)} of "
                  f"{len(pairs)} never turn"),
            hovertemplate="pair %{x}<br>wavelength %{y:,.0f}<extra>" + label + "</extra>",
        ))
        lines = [(report.context, "dash", f"{label} context {short_number(report.context)}")]
        if report.original_context:
            lines.append((report.original_context, "dot",
                          f"{label} trained at {short_number(report.original_context)}"))
        for y, dash, text in lines:
            shapes.append(dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=y, y1=y,
                               line=dict(color=color, width=1.2, dash=dash)))
            notes.append(dict(xref="x domain", x=0.0, yref="y", y=float(np.log10(y)),
                              text=text, showarrow=False, xanchor="left",
                              yanchor="bottom", font=dict(color=color, size=11)))
    # labels at the left edge, clear of the markers: the lowest line's below it, the others
    # above theirs (lines a factor of 2 or more apart leave room for one text line each)
    for rank, note in enumerate(sorted(notes, key=lambda note: note["y"])):
        note.update(x=0.0, xanchor="left", yanchor="top" if rank == 0 else "bottom")
    title = ("Pairs above their dashed line never turn"
             if len(models) > 1 else f"{models[0][0]}: each pair's wavelength")
    fig.update_layout(**base_layout(
        title=title,
        height=560,
        margin=dict(l=80, r=30, t=70, b=40 + 30 * len(fig.data)),
        shapes=shapes,
        annotations=notes,
        xaxis=dict(title="pair index i"),
        yaxis=dict(title="wavelength 2π/θᵢ (positions)", type="log",
                   exponentformat="power"),
        legend=dict(orientation="v", x=0.0, y=-0.12, xanchor="left", yanchor="top"),
    ))
    # a phone: the legend's rows under a shorter plot keep the same room
    set_narrow(fig, layout={"legend.font.size": 11, "legend.y": -0.14})
    return fig


def plot_config_decay(config: Mapping | None = None, *, configs: Mapping | None = None,
                      name: str | None = None, bins: int = 300) -> go.Figure:
    """The cosine sum Σ_i cos(m·θ_i)/(d/2) over every distance inside a model's context.

    This is Men et al.'s measure of how much more a query attends to a similar key than to a
    random one at distance m (normalised to 1 at m = 0): it decays with m, and the base bound
    asks it never to go below zero inside the context. Every integer m < context is evaluated
    with the frequencies the model uses (after ``rope_scaling``); the band shows the lowest and
    highest value within each of ``bins`` log-spaced distance bins, so no dip is missed. Red
    marks the bins that go below zero. With ``configs`` buttons switch between models.

    Calls :func:`rope_viz.config_report` and :func:`rope_viz.cosine_sum_envelope`.

    Parameters
    ----------
    config : Mapping, optional
        One parsed ``config.json``.
    configs : Mapping, optional
        ``{name: config}`` for several models (instead of ``config``).
    name : str, optional
        Label for ``config``.
    bins : int
        Log-spaced distance bins (>= 10).

    Returns
    -------
    plotly.graph_objects.Figure
        Per model three scatter traces (band low edge, band high edge filled to it, markers of
        the bins below zero); buttons (one per model) when there are several.

    Raises
    ------
    ValueError, TypeError
        For not exactly one of ``config`` / ``configs``, a bad ``bins``, or a config
        :func:`rope_viz.config_report` rejects.

    Examples
    --------
    >>> cfg = {"head_dim": 64, "rope_theta": 10000.0, "max_position_embeddings": 2048}
    >>> len(plot_config_decay(config=cfg, bins=20).data)
    3
    """
    models = _configs(config, configs, name)
    bins = check_int(bins, "bins", minimum=10)
    fig = new_figure()
    titles = []
    for index, (label, cfg) in enumerate(models):
        report = config_report(cfg, label)
        color = _MODEL_COLORS[index % len(_MODEL_COLORS)]
        starts, lows, highs = cosine_sum_envelope(report.inv_freq, report.context, bins)
        half = report.rotary_dim / 2
        x = np.maximum(starts, 0.7).tolist()  # distance 0 drawn at 0.7 on the log axis
        visible = index == 0
        fig.add_trace(go.Scatter(x=x, y=rounded(lows / half, 4), mode="lines",
                                 line=dict(color=color, width=1), showlegend=False,
                                 visible=visible, hoverinfo="skip", name=label))
        fig.add_trace(go.Scatter(x=x, y=rounded(highs / half, 4), mode="lines", fill="tonexty",
                                 line=dict(color=color, width=1), visible=visible,
                                 name=f"{label}: range of B(m)/(d/2) per bin",
                                 hovertemplate="m from %{x:,.0f}<br>max %{y:.3f}"
                                 "<extra>" + label + "</extra>"))
        below = lows < 0
        fig.add_trace(go.Scatter(x=np.asarray(x)[below].tolist(),
                                 y=rounded(lows[below] / half, 4), mode="markers",
                                 marker=dict(color="#D55E00", size=6), visible=visible,
                                 name=f"{label}: bins below 0 ({int(below.sum())})",
                                 hovertemplate="m from %{x:,.0f}<br>min %{y:.3f}"
                                 "<extra></extra>"))
        titles.append(f"{label}: lowest B(m)/(d/2) = {report.min_cosine_sum / half:.3f}"
                      .replace("-", "−"))
    layout = dict(
        title=titles[0],
        height=480,
        margin=dict(l=80, r=30, t=100, b=70),
        xaxis=dict(title="distance m (log scale)", type="log", exponentformat="power"),
        yaxis=dict(title="B(m) / (d/2)", zeroline=True, zerolinecolor=NEUTRAL),
        legend=dict(orientation="h", x=0.0, y=1.02, xanchor="left", yanchor="bottom"),
    )
    if len(models) > 1:
        items = []
        for index, (label, _) in enumerate(models):
            visible = [i // 3 == index for i in range(3 * len(models))]
            items.append(dict(label=label, method="update",
                              args=[{"visible": visible}, {"title.text": titles[index]}]))
        layout["updatemenus"] = [buttons(items, x=0.0, y=-0.2)]
        layout["updatemenus"][0].update(yanchor="top")
        layout["margin"] = dict(l=80, r=30, t=100, b=110)
    fig.update_layout(**base_layout(**layout))
    # a phone: the legend wraps to more rows between the title and the plot; the model
    # buttons start under the axis labels so that all fit
    narrow = {"margin.t": 150, "height": 540, "legend.font.size": 11, "title.y": 0.985,
              "title.yanchor": "top"}
    if len(models) > 1:
        narrow.update({"updatemenus[0].x": -0.16, "updatemenus[0].font.size": 11})
    set_narrow(fig, layout=narrow)
    return fig
