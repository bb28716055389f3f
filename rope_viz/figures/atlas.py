"""The model atlas figure: released models' RoPE side by side, chosen from a menu or the legend.

What this module holds
----------------------
- :func:`plot_model_atlas`: four panels for the rows of :func:`rope_viz.atlas_rows`, one colour
  per model across all of them: each pair's wavelength divided by the model's context, the
  base against Men et al.'s smallest base for that context, the rotary dimensions of a head,
  and how much ``rope_scaling`` stretches each pair's wavelength. A dropdown picks a preset
  group of models (a family, the scaled models, the partly rotary ones, all); a click on a
  legend entry shows or hides one model. Both work in a static page, with no kernel.
- :func:`model_atlas_changes`: what choosing a group of models changes (the ``(traces,
  layout)`` shape of :mod:`rope_viz.figures._style`); the dropdown is made from it.
- :func:`atlas_presets`: the default groups of the dropdown, read from the rows.

Numbers come from :func:`rope_viz.atlas_rows` (which calls :func:`rope_viz.config_report`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from rope_viz._validation import check_bool, fail
from rope_viz.atlas import atlas_rows
from rope_viz.figures._style import (
    NEUTRAL,
    base_layout,
    new_figure,
    rounded,
    set_narrow,
    short_number,
    step_args,
    subplots,
)

__all__ = ["plot_model_atlas", "model_atlas_changes", "atlas_presets", "ATLAS_PANELS",
           "plot_atlas_base_context"]

#: The four panels' titles, top to bottom (short: they must fit a 390 px wide page).
ATLAS_PANELS = (
    "Wavelength ÷ context, each pair",
    "Base against Men et al.'s smallest base",
    "Rotated dimensions of a head",
    "Stretch of each pair by rope_scaling",
)
# Okabe–Ito colours, then darker neutrals; with the line dash and marker symbol below, 24
# models have distinct looks, and the legend names every one.
_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", NEUTRAL,
           "#AA4499")
_DASHES = ("solid", "dash", "dot")
_SYMBOLS = ("circle", "square", "diamond")
_GUIDES = 5  # traces drawn before the models: context line, base = bound, three fraction rays
_PER_MODEL = 4  # traces per model: spectrum, base point, rotary point, stretch


def _readable(rows: Any) -> list:
    if rows is None:
        rows = atlas_rows()
    if not isinstance(rows, Sequence) or not all(isinstance(r, Mapping) for r in rows):
        fail("rows", "a list of dicts from rope_viz.atlas_rows", rows, kind=TypeError)
    readable = [r for r in rows if not r.get("error")]
    if not readable:
        fail("rows", "at least one row whose config was read (error None)", len(rows))
    return readable


def atlas_presets(rows: Any = None) -> dict:
    """The default groups of models for the atlas's dropdown, ``{label: [model names]}``.

    In order: a first comparison (one model of each of the first six families), every
    family with at least two readable models, the models with a scaling rule, the models
    that rotate only part of each head, and all.

    Examples
    --------
    >>> rows = [dict(model=m, family=f, rope_type=t, rotary_fraction=1.0, error=None)
    ...         for m, f, t in (("a", "A", "default"), ("b", "A", "yarn"), ("c", "B", "default"))]
    >>> list(atlas_presets(rows))
    ['one per family', 'A', 'scaled context', 'all']
    """
    rows = _readable(rows)
    families = list(dict.fromkeys(r["family"] for r in rows))
    firsts = [next(r["model"] for r in rows if r["family"] == f) for f in families[:6]]
    presets = {"one per family": firsts}
    for family in families:
        members = [r["model"] for r in rows if r["family"] == family]
        if len(members) >= 2:
            presets[family] = members
    scaled = [r["model"] for r in rows if r["rope_type"] != "default"]
    partial = [r["model"] for r in rows if r["rotary_fraction"] < 1]
    if scaled:
        presets["scaled context"] = scaled
    if partial:
        presets["partly rotary"] = partial
    presets["all"] = [r["model"] for r in rows]
    return presets


def _check_show(show: Any, names: list) -> list:
    if isinstance(show, str) or not isinstance(show, Sequence):
        fail("show", "a list of model names", show, kind=TypeError)
    unknown = [s for s in show if s not in names]
    if unknown:
        fail("show", f"names of models in the rows ({', '.join(names[:4])}, ...)", unknown[0])
    return list(show)


def model_atlas_changes(rows: Any = None, *, show: Any) -> tuple:
    """What showing the models ``show`` (and hiding the rest) changes in :func:`plot_model_atlas`.

    Parameters
    ----------
    rows : list of dict, optional
        Rows from :func:`rope_viz.atlas_rows` (default: all of the atlas); the same rows the
        figure was drawn from.
    show : list of str
        Names of the models to show; the others stay in the legend, greyed out.

    Returns
    -------
    tuple
        ``(traces, layout)``: ``{"visible": True or "legendonly"}`` for every model trace (the
        guides stay), and no layout change.

    Raises
    ------
    ValueError, TypeError
        For rows that are not atlas rows, or a name in ``show`` that no row has.

    Examples
    --------
    >>> rows = [dict(model="a", family="A", rope_type="default", rotary_fraction=1.0,
    ...              error=None)]
    >>> model_atlas_changes(rows, show=[])[0][5]
    {'visible': 'legendonly'}
    """
    rows = _readable(rows)
    names = [r["model"] for r in rows]
    shown = set(_check_show(show, names))
    traces = {}
    for index, name in enumerate(names):
        visible = True if name in shown else "legendonly"
        for k in range(_PER_MODEL):
            traces[_GUIDES + _PER_MODEL * index + k] = {"visible": visible}
    return traces, {}


def plot_model_atlas(rows: Any = None, *, show: Any = None, presets: Mapping | None = None,
                     controls: bool = True) -> go.Figure:
    """Released models' RoPE side by side: spectrum, base bound, rotary size, stretch.

    Four panels share one colour per model:

    1. the wavelength 2π/θ_i of every pair (as the model uses it at its full context, after
       ``rope_scaling``) divided by that context, against the pair's place i/(d/2) in the
       rotary dimensions: above the dashed line at 1 a pair never completes a turn inside the
       context;
    2. the base against Men et al.'s smallest base for the model's context and rotary
       dimension (:func:`rope_viz.min_base_for_context`; where only a certified bracket is
       stored, the marker sits at its low end with a bar to its high end): below the diagonal
       the base is smaller than the bound asks, and hollow markers are bases below it;
    3. the rotated dimensions of a head against the head size, with rays where all, half
       and a quarter of the head rotate (the rotary fraction);
    4. the stretch of each pair, scaled wavelength ÷ unscaled wavelength (1 everywhere for a
       model without scaling).

    A dropdown (top left) shows one preset group; a click on a model in the legend shows or
    hides it, a double click shows it alone. Rows whose config could not be read are left out.

    Calls :func:`rope_viz.atlas_rows` (only when ``rows`` is not given).

    Parameters
    ----------
    rows : list of dict, optional
        Rows from :func:`rope_viz.atlas_rows` (default: the whole atlas).
    show : list of str, optional
        Models shown at first (default: the first preset); the others are in the legend.
    presets : Mapping, optional
        ``{label: [model names]}`` for the dropdown (default: :func:`atlas_presets`).
    controls : bool
        Build the dropdown (``False``: only the legend moves the figure).

    Returns
    -------
    plotly.graph_objects.Figure
        Five guide traces (context line, base = bound, rays for fractions 1, 1/2, 1/4), then four traces
        per model (spectrum, base point, rotary point, stretch) in one legend group; one
        dropdown with a step per preset.

    Raises
    ------
    ValueError, TypeError
        For rows that are not atlas rows, or names in ``show`` / ``presets`` no row has.

    Examples
    --------
    >>> rows = [dict(model="m", model_id="o/m", family="F", rope_type="default", head_dim=64,
    ...              rotary_dim=64, rotary_fraction=1.0, base=1e4, min_base_low=2e3,
    ...              min_base_high=2e3, base_meets_bound=True, context=2048,
    ...              wavelengths=np.ones(32), stretch=np.ones(32), error=None)]
    >>> len(plot_model_atlas(rows).data)
    9
    """
    rows = _readable(rows)
    names = [r["model"] for r in rows]
    controls = check_bool(controls, "controls")
    if presets is None:
        presets = atlas_presets(rows)
    if not isinstance(presets, Mapping) or not presets:
        fail("presets", "a non-empty dict {label: [model names]}", presets, kind=TypeError)
    for members in presets.values():
        _check_show(members, names)
    show = list(next(iter(presets.values()))) if show is None else _check_show(show, names)

    fig = subplots(rows=4, cols=1, vertical_spacing=0.095, subplot_titles=ATLAS_PANELS)
    guide = dict(color=NEUTRAL, width=1.2, dash="dash")
    fig.add_trace(go.Scatter(x=[0, 1], y=[1, 1], mode="lines", line=guide, hoverinfo="skip",
                             showlegend=False, name="context"), row=1, col=1)
    bounds = [r["min_base_low"] for r in rows] + [r["base"] for r in rows]
    low, high = min(bounds) / 2, max(bounds) * 2
    fig.add_trace(go.Scatter(x=[low, high], y=[low, high], mode="lines", line=guide,
                             hoverinfo="skip", showlegend=False, name="base = bound"),
                  row=2, col=1)
    heads = max(r["head_dim"] for r in rows) * 1.1
    for fraction in (1.0, 0.5, 0.25):
        fig.add_trace(go.Scatter(x=[0, heads], y=[0, heads * fraction], mode="lines",
                                 line=dict(color=NEUTRAL, width=1, dash="dot"), opacity=0.6,
                                 hoverinfo="skip", showlegend=False,
                                 name=f"fraction {fraction}"), row=3, col=1)
    shown = set(show)
    for index, row in enumerate(rows):
        color = _COLORS[index % len(_COLORS)]
        dash = _DASHES[(index // len(_COLORS)) % len(_DASHES)]
        symbol = _SYMBOLS[(index // len(_COLORS)) % len(_SYMBOLS)]
        name = row["model"]
        common = dict(legendgroup=name, name=name, visible=True if name in shown else "legendonly")
        pairs = len(row["wavelengths"])
        place = rounded(np.arange(pairs) / pairs, 4)  # i / (d/2)
        extra = f"<extra>{name}</extra>"
        fig.add_trace(go.Scatter(
            x=place, y=rounded(np.asarray(row["wavelengths"]) / row["context"], 5),
            customdata=rounded(row["wavelengths"], 1), mode="lines",
            line=dict(color=color, width=1.6, dash=dash), showlegend=True,
            hovertemplate="pair %{x:.2f}·d/2<br>wavelength %{customdata:,.0f} positions"
                          "<br>÷ context %{y:.3g}" + extra, **common), row=1, col=1)
        meets = row["base_meets_bound"] is True  # None: the certified bracket cannot tell
        low, high = row["min_base_low"], row["min_base_high"]
        bound = (short_number(round(low)) if low == high
                 else f"{short_number(round(low))} to {short_number(round(high))} (bracket)")
        fig.add_trace(go.Scatter(
            x=[low], y=[row["base"]], mode="markers", showlegend=False,
            # where only a bracket is stored, a bar from its low end to its high end
            error_x=dict(type="data", symmetric=False, array=[high - low], arrayminus=[0.0],
                         color=color, thickness=1.2, width=0, visible=bool(high > low)),
            marker=dict(color=color, size=10, symbol=symbol if meets else f"{symbol}-open",
                        line=dict(color=color, width=2)),
            hovertemplate=(f"base {short_number(row['base'])}<br>smallest base for "
                           f"{short_number(row['context'])}: {bound}" + extra), **common),
            row=2, col=1)
        fig.add_trace(go.Scatter(
            x=[row["head_dim"]], y=[row["rotary_dim"]], mode="markers", showlegend=False,
            marker=dict(color=color, size=10, symbol=symbol, line=dict(color=color, width=1)),
            hovertemplate=(f"head {row['head_dim']}, rotated {row['rotary_dim']} "
                           f"(fraction {row['rotary_fraction']:.3g})" + extra), **common),
            row=3, col=1)
        fig.add_trace(go.Scatter(
            x=place, y=rounded(row["stretch"], 4), mode="lines", showlegend=False,
            line=dict(color=color, width=1.6, dash=dash),
            hovertemplate=f"{row['rope_type']}<br>" + "pair %{x:.2f}·d/2<br>stretch %{y:.3g}×"
                          + extra, **common), row=4, col=1)

    layout = base_layout(
        title="RoPE in released models",
        height=1700,
        margin=dict(l=70, r=20, t=130, b=40),
        hovermode="closest",
        legend=dict(orientation="h", x=0.0, y=-0.05, xanchor="left", yanchor="top",
                    font=dict(size=11), itemclick="toggle", itemdoubleclick="toggleothers"),
    )
    if controls:
        labels = list(presets)
        active = next((i for i, lab in enumerate(labels) if set(presets[lab]) == shown), -1)
        layout["updatemenus"] = [dict(
            type="dropdown", direction="down", x=0.0, y=1.0, xanchor="left", yanchor="bottom",
            pad=dict(t=0, b=44), active=active,
            font=dict(size=12), showactive=True,
            buttons=[dict(label=f"compare: {label}", method="restyle",
                          args=step_args(*model_atlas_changes(rows, show=presets[label]))[::2])
                     for label in labels])]
    fig.update_layout(**layout)
    fig.update_layout(title=dict(yref="container", y=0.995, yanchor="top"))  # above the menu
    axis = dict(zeroline=False)
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis)
    fig.update_xaxes(title_text="pair i ÷ (d/2)", range=[0, 1], row=1, col=1)
    fig.update_yaxes(title_text="wavelength ÷ context", type="log", exponentformat="power",
                     dtick=1, row=1, col=1)
    fig.update_xaxes(title_text="smallest base for the context", type="log",
                     exponentformat="power", dtick=1, row=2, col=1)
    fig.update_yaxes(title_text="base", type="log", exponentformat="power", dtick=1,
                     row=2, col=1)
    # from a little below 0, so the two axes' "0" labels do not meet at the corner
    fig.update_xaxes(title_text="head dim", range=[-0.05 * heads, heads], row=3, col=1)
    fig.update_yaxes(title_text="rotated dims", range=[0, heads], row=3, col=1)
    fig.update_xaxes(title_text="pair i ÷ (d/2)", range=[0, 1], row=4, col=1)
    stretches = np.concatenate([np.asarray(r["stretch"], dtype=float) for r in rows])
    low, high = min(stretches.min(), 1.0) / 1.25, max(stretches.max(), 1.0) * 1.25
    powers = [2.0**k for k in range(int(np.floor(np.log2(low))), int(np.ceil(np.log2(high))) + 1)
              if low <= 2.0**k <= high]  # 1, 2, 4, 8, ...: log minor labels would collide
    fig.update_yaxes(title_text="scaled ÷ unscaled", type="log",
                     range=[np.log10(low), np.log10(high)], tickvals=powers,
                     ticktext=[f"{v:g}" for v in powers], row=4, col=1)
    for note in fig.layout.annotations:  # the panel titles: left-aligned, clear of the axes
        note.update(x=0.0, xanchor="left", font=dict(size=13))
    return fig


def plot_atlas_base_context(rows: Any = None, *, dim: int = 128) -> go.Figure:
    """Released models' base against their context, beside Men et al.'s smallest base.

    Each model is a marker at (declared context, base), filled where its base meets the bound
    for its own context and rotary dimension, hollow where it is below (hover names it). The
    lines are the stored smallest base b*(L) and the robust threshold b_r(L), above which every
    base passes, for rotary dimension ``dim`` (:func:`rope_viz.stored_base_bounds`); a model
    with another rotary dimension is judged against its own bound, so its marker may disagree
    with the lines.

    Calls :func:`rope_viz.atlas_rows` (only when ``rows`` is not given) and
    :func:`rope_viz.stored_base_bounds`.

    Parameters
    ----------
    rows : list of dict, optional
        Rows from :func:`rope_viz.atlas_rows` (default: the whole atlas).
    dim : int
        Rotary dimension of the drawn bound (one with stored entries; default 128).

    Returns
    -------
    plotly.graph_objects.Figure
        Four scatter traces: b*(L), b_r(L), the models that meet the bound, the models below it.

    Raises
    ------
    ValueError, TypeError
        For rows that are not atlas rows, or a ``dim`` with no stored bound.

    Examples
    --------
    >>> rows = [dict(model="m", model_id="o/m", family="F", rope_type="default", head_dim=64,
    ...              rotary_dim=64, rotary_fraction=1.0, base=1e4, min_base_low=2e3,
    ...              min_base_high=2e3, base_meets_bound=True, context=2048, error=None)]
    >>> [t.name for t in plot_atlas_base_context(rows).data][2:]
    ['meets the bound (1)', 'below the bound (0)']
    """
    from rope_viz.atlas import stored_base_bounds

    rows = _readable(rows)
    bounds = stored_base_bounds(dim)
    fig = new_figure()
    lengths = bounds["lengths"].tolist()
    fig.add_trace(go.Scatter(x=lengths, y=rounded(bounds["min_base"], 0), mode="lines+markers",
                             line=dict(color=NEUTRAL, width=1.5), marker=dict(size=4),
                             name=f"smallest base b*(L), d = {dim}",
                             hovertemplate="L %{x:,}<br>b* %{y:,.0f}<extra></extra>"))
    robust = np.isfinite(bounds["robust_base"])
    fig.add_trace(go.Scatter(x=np.asarray(lengths)[robust].tolist(),
                             y=rounded(bounds["robust_base"][robust], 0), mode="lines",
                             line=dict(color=NEUTRAL, width=1.2, dash="dot"),
                             name="every base above passes, b_r(L)",
                             hovertemplate="L %{x:,}<br>b_r %{y:,.0f}<extra></extra>"))
    for meets, name, color, symbol in ((True, "meets the bound", "#0072B2", "circle"),
                                       (False, "below the bound", "#D55E00", "circle-open")):
        group = [r for r in rows if (r["base_meets_bound"] is True) == meets]
        fig.add_trace(go.Scatter(
            x=[r["context"] for r in group], y=[r["base"] for r in group], mode="markers",
            name=f"{name} ({len(group)})",
            marker=dict(color=color, size=10, symbol=symbol, line=dict(color=color, width=2)),
            customdata=[[r["model"], r["rotary_dim"], short_number(round(r["min_base_low"]))]
                        for r in group],
            hovertemplate="%{customdata[0]}<br>context %{x:,}, base %{y:,.0f}<br>rotary d "
                          "%{customdata[1]}, its smallest base %{customdata[2]}<extra></extra>"))
    fig.update_layout(**base_layout(
        title="Bases of released models and the bound",
        height=500,
        margin=dict(l=70, r=20, t=110, b=60),
        hovermode="closest",
        xaxis=dict(title="context L the config declares", type="log", exponentformat="power"),
        yaxis=dict(title="base b", type="log", exponentformat="power", dtick=1),
        legend=dict(orientation="h", x=0.0, y=1.02, xanchor="left", yanchor="bottom",
                    font=dict(size=11)),
    ))
    # a phone: the legend wraps into more rows above the plot
    set_narrow(fig, layout={"margin.t": 150, "height": 540, "title.y": 0.985,
                            "title.yanchor": "top"})
    return fig
