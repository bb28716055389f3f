"""Figures of chapter 10: what naive and fused attention cost as the sequence grows.

What this module holds
----------------------
- :func:`plot_attention_timing`: measured time of the naive path and of SDPA against the
  sequence length, log-log, with a line of slope 2 (time ∝ T²) for comparison. It draws rows
  of :func:`rope_viz.attention_timing`, measured in the chapter or read from a results file.
- :func:`plot_attention_memory` and :func:`attention_memory_changes`: the exact bytes of the
  naive path's scores S and softmax P (quadratic in T) against a fused kernel's running
  statistics (linear in T) and the q, k, v and output that every path holds, for one layer of
  a Llama-like model, with a GPU's 80 GB for scale and buttons for the dtype.

Numbers come from :mod:`rope_viz.timing` (:func:`rope_viz.attention_memory_bytes`), which
imports torch; it is imported when a figure is made, so ``import rope_viz`` stays torch-free.
"""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go

from rope_viz._validation import check_choice, check_float, check_int, check_int_tuple, fail
from rope_viz.figures._style import (
    COS,
    NEUTRAL,
    QUERY,
    SIN,
    apply_changes,
    base_layout,
    buttons,
    new_figure,
    set_narrow,
    step_args,
)

__all__ = ["plot_attention_timing", "plot_attention_memory", "attention_memory_changes"]

NAIVE, FUSED = COS, QUERY  # the naive path in vermillion, the fused path in blue
DASHES = ("solid", "dash", "dot", "dashdot")
ITEMSIZES = {"float32": 4, "bfloat16": 2}


def _runs(rows: Any) -> dict:
    """``rows`` as ``{label: rows}``: a list of rows is one unlabelled run."""
    if isinstance(rows, list):
        rows = {"": rows}
    if not isinstance(rows, dict) or not rows:
        fail("rows", "a list of attention_timing rows or a dict {label: rows}", rows, kind=TypeError)
    runs = {}
    for label, run in rows.items():
        if not isinstance(label, str) or not isinstance(run, list) or not run \
                or not all(isinstance(r, dict) for r in run):
            fail("rows", "a non-empty list of row dicts per label", run, kind=TypeError)
        usable = [r for r in run if r.get("naive_ms") or r.get("sdpa_ms")]
        for r in run:
            if "length" not in r:
                fail("rows", "rows with a 'length'", r)
        if not usable:
            fail("rows", "at least one row with a time", run)
        runs[label] = sorted(run, key=lambda r: r["length"])
    if len(runs) > len(DASHES):
        fail("rows", f"at most {len(DASHES)} runs", len(runs))
    return runs


def plot_attention_timing(rows: Any, *, title: str = "Attention time against length") -> go.Figure:
    """Median time of naive attention and of SDPA against the sequence length T, log-log.

    Each run gets two lines, naive (vermillion) and SDPA (blue), in its own dash style; a grey
    dotted line of slope 2 through the first naive point of the first run shows what time
    ∝ T² would look like. A path that ran out of memory (time None) leaves a gap.

    Parameters
    ----------
    rows : list of dict or dict
        Rows of :func:`rope_viz.attention_timing` (keys ``length``, ``naive_ms``,
        ``sdpa_ms``), or ``{label: rows}`` for several runs (e.g. ``{"CPU": ..., "GPU": ...}``);
        the label is added to the legend names.
    title : str
        Figure title (keep it short: a phone shows about 45 characters).

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    TypeError, ValueError
        For rows that are not lists of dicts with lengths and times.
    """
    runs = _runs(rows)
    if not isinstance(title, str):
        fail("title", "a string", title, kind=TypeError)
    fig = new_figure()
    for (label, run), dash in zip(runs.items(), DASHES):
        lengths = [r["length"] for r in run]
        suffix = f" ({label})" if label else ""
        for key, name, color in (("naive_ms", "naive", NAIVE), ("sdpa_ms", "SDPA", FUSED)):
            times = [r.get(key) for r in run]
            fig.add_trace(go.Scatter(
                x=lengths, y=[None if t is None else round(float(t), 5) for t in times],
                mode="lines+markers", name=name + suffix,
                line=dict(color=color, width=2.5, dash=dash), marker=dict(size=7),
                hovertemplate=f"{name}{suffix}<br>T = %{{x:,}}<br>%{{y:.3g}} ms<extra></extra>",
            ))
    first = next(iter(runs.values()))
    anchor = next(r for r in first if r.get("naive_ms"))
    t0, y0 = anchor["length"], float(anchor["naive_ms"])
    t1 = max(r["length"] for run in runs.values() for r in run)
    guide_x = [t0, t1]
    fig.add_trace(go.Scatter(
        x=guide_x, y=[round(y0 * (t / t0) ** 2, 5) for t in guide_x], mode="lines",
        name="∝ T²", line=dict(color=NEUTRAL, width=1.5, dash="dot"), hoverinfo="skip",
    ))
    fig.update_layout(**base_layout(
        title=title, height=420,
        legend=dict(x=0.02, y=0.98, xanchor="left", yanchor="top"),
        hovermode="closest",
    ))
    fig.update_xaxes(type="log", title_text="sequence length T (tokens)", dtick=math.log10(2)
                     if t1 / t0 <= 64 else None)
    times = [float(v) for trace in fig.data for v in trace.y if v is not None and v > 0]
    fig.update_yaxes(type="log", title_text="median time (ms)", **_log_ticks(min(times), max(times)))
    return fig


def _log_ticks(low: float, high: float) -> dict:
    """Tick values 1, 2, 5 × 10ᵏ spanning [low, high] on a log axis: plotly's own ticks on a
    range under a few decades label every minor step (2, 3, …, 9), which collide."""
    values = [m * 10.0**k for k in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1)
              for m in (1, 2, 5)]
    below = max((v for v in values if v <= low), default=values[0])
    above = min((v for v in values if v >= high), default=values[-1])
    ticks = [v for v in values if below <= v <= above]
    if len(ticks) > 8:  # several decades: powers of ten only
        ticks = [v for v in ticks if math.isclose(math.log10(v), round(math.log10(v)))]
    return dict(tickvals=ticks, ticktext=[f"{v:g}" for v in ticks])


def _memory(lengths: tuple, batch: int, num_heads: int, head_size: int, dtype: str) -> dict:
    from rope_viz.timing import attention_memory_bytes  # imports torch

    return attention_memory_bytes(lengths, batch=batch, num_heads=num_heads, head_size=head_size,
                                  itemsize=ITEMSIZES[dtype])


def _crossing(batch: int, num_heads: int, dtype: str, capacity_gb: float) -> float:
    """The length T at which S and P together fill ``capacity_gb`` (10⁹ bytes)."""
    return math.sqrt(capacity_gb * 1e9 / (2 * batch * num_heads * ITEMSIZES[dtype]))


def _check_memory_args(lengths, batch, num_heads, head_size, dtype, capacity_gb) -> tuple:
    lengths = check_int_tuple(lengths, "lengths", minimum=1)
    if len(lengths) < 2:
        fail("lengths", "at least two lengths", lengths)
    batch = check_int(batch, "batch", minimum=1)
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    head_size = check_int(head_size, "head_size", minimum=1)
    dtype = check_choice(dtype, "dtype", tuple(ITEMSIZES))
    capacity_gb = check_float(capacity_gb, "capacity_gb", minimum=0.0)
    return tuple(sorted(lengths)), batch, num_heads, head_size, dtype, capacity_gb


DEFAULT_LENGTHS = tuple(2**k for k in range(8, 18))  # 256 … 131,072


def attention_memory_changes(
    dtype: str = "bfloat16",
    *,
    lengths: Any = DEFAULT_LENGTHS,
    batch: int = 1,
    num_heads: int = 32,
    head_size: int = 128,
    capacity_gb: float = 80.0,
) -> tuple:
    """What choosing ``dtype`` changes in :func:`plot_attention_memory`: ``(traces, layout)``.

    Parameters
    ----------
    dtype : str
        ``"float32"`` or ``"bfloat16"``.
    lengths, batch, num_heads, head_size, capacity_gb
        As for :func:`plot_attention_memory`.

    Returns
    -------
    tuple
        ``(traces, layout)`` in the shape of :mod:`rope_viz.figures._style`: the three memory
        lines, the GPU line, the marker where S and P fill the GPU, the annotation that names
        the length, and the byte axis's range (which holds both dtypes, so the dtype buttons
        leave it still).

    Raises
    ------
    TypeError, ValueError
        For bad sizes or an unknown dtype.
    """
    lengths, batch, num_heads, head_size, dtype, capacity_gb = _check_memory_args(
        lengths, batch, num_heads, head_size, dtype, capacity_gb)
    memory = _memory(lengths, batch, num_heads, head_size, dtype)
    crossing = _crossing(batch, num_heads, dtype, capacity_gb)
    shown = float(f"{crossing:.3g}")
    capacity = capacity_gb * 1e9
    # The byte axis holds both dtypes' curves and the GPU line, so switching dtype keeps it.
    both = [_memory(lengths, batch, num_heads, head_size, d) for d in ITEMSIZES]
    low = min(min(m["fused"]) for m in both)
    high = max(max(max(m["naive"]) for m in both), capacity)
    traces = {
        0: {"y": memory["naive"]},
        1: {"y": memory["qkvo"]},
        2: {"y": memory["fused"]},
        3: {"y": [capacity, capacity], "name": f"{capacity_gb:g} GB GPU"},
        4: {"x": [round(crossing, 1)], "y": [capacity]},
    }
    layout = {
        "annotations[0].x": round(math.log10(crossing), 4),
        "annotations[0].y": math.log10(capacity),
        "annotations[0].text": f"S and P fill {capacity_gb:g} GB<br>at T ≈ {shown:,.0f}",
        # Fixed: plotly would otherwise widen the axis to hold the note's text.
        "yaxis.range": [math.log10(low) - 0.3, math.log10(high) + 0.3],
    }
    return traces, layout


def plot_attention_memory(
    *,
    lengths: Any = DEFAULT_LENGTHS,
    batch: int = 1,
    num_heads: int = 32,
    head_size: int = 128,
    dtype: str = "bfloat16",
    capacity_gb: float = 80.0,
    controls: bool = True,
) -> go.Figure:
    """Bytes one attention layer holds against the sequence length: naive against fused.

    Log-log lines, all exact arithmetic (:func:`rope_viz.attention_memory_bytes`): the naive
    path's S and P, ``2 · batch · num_heads · T² · itemsize`` bytes (vermillion, slope 2);
    q, k, v and the output that every path holds (green, slope 1); a fused kernel's running
    maximum and sum, 8 bytes per query and head (blue, slope 1); a grey line at
    ``capacity_gb`` (10⁹ bytes), with a marker and a note where S and P alone fill it.
    Buttons switch the dtype of q, k, v and the scores between float32 and bfloat16 (the
    running statistics stay float32).

    Parameters
    ----------
    lengths : iterable of int
        Sequence lengths drawn (at least two).
    batch, num_heads, head_size : int
        Sizes of the layer (default: one layer of a Llama-like model, batch 1).
    dtype : str
        The dtype shown first: ``"float32"`` or ``"bfloat16"``.
    capacity_gb : float
        A GPU's memory in GB (10⁹ bytes), drawn for scale.
    controls : bool
        Draw the dtype buttons.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    TypeError, ValueError
        For bad sizes, an unknown dtype or a non-bool ``controls``.
    """
    if not isinstance(controls, bool):
        fail("controls", "True or False", controls, kind=TypeError)
    lengths, batch, num_heads, head_size, dtype, capacity_gb = _check_memory_args(
        lengths, batch, num_heads, head_size, dtype, capacity_gb)
    x = list(lengths)
    fig = new_figure()
    for name, color, width in (("naive: S and P", NAIVE, 3), ("q, k, v, output", SIN, 2),
                               ("fused: max and sum", FUSED, 3)):
        fig.add_trace(go.Scatter(
            x=x, y=[1] * len(x), mode="lines", name=name, line=dict(color=color, width=width),
            hovertemplate=f"{name}<br>T = %{{x:,}}<br>%{{y:.3s}}B<extra></extra>",
        ))
    fig.add_trace(go.Scatter(
        x=[x[0], x[-1]], y=[capacity_gb * 1e9] * 2, mode="lines", name=f"{capacity_gb:g} GB GPU",
        line=dict(color=NEUTRAL, width=1.5, dash="dash"), hoverinfo="skip",
    ))
    fig.add_trace(go.Scatter(
        x=[1], y=[1], mode="markers", showlegend=False, hoverinfo="skip",
        marker=dict(color=NAIVE, size=11, symbol="circle-open", line=dict(width=2.5)),
    ))
    fig.update_layout(**base_layout(
        title="Attention memory of one layer", height=440,
        margin=dict(l=70, r=30, t=110, b=110),
        legend=dict(orientation="h", x=0.0, y=-0.2, xanchor="left", yanchor="top"),
        hovermode="closest",
        annotations=[dict(x=0, y=math.log10(capacity_gb * 1e9), xref="x", yref="y",
                          text="", showarrow=True, arrowhead=0, ax=-60, ay=-34,
                          arrowcolor=NEUTRAL, xanchor="right", align="right",
                          font=dict(size=12))],
    ))
    # Fixed ranges: plotly would otherwise widen the axes to hold the note's text (the byte
    # axis's range comes with the changes below).
    pad = 0.03 * math.log10(x[-1] / x[0])
    fig.update_xaxes(type="log", title_text="sequence length T (tokens)", dtick=math.log10(4),
                     tickformat=",d", range=[math.log10(x[0]) - pad, math.log10(x[-1]) + pad])
    fig.update_yaxes(type="log", title_text="bytes", exponentformat="SI", dtick=2)
    apply_changes(fig, *attention_memory_changes(
        dtype, lengths=lengths, batch=batch, num_heads=num_heads, head_size=head_size,
        capacity_gb=capacity_gb))
    if controls:
        items = []
        for choice in ITEMSIZES:
            traces, layout = attention_memory_changes(
                choice, lengths=lengths, batch=batch, num_heads=num_heads, head_size=head_size,
                capacity_gb=capacity_gb)
            items.append(dict(label=choice, method="update", args=step_args(traces, layout)))
        fig.update_layout(updatemenus=[buttons(items, x=0.0, y=1.04,
                                               active=list(ITEMSIZES).index(dtype))])
    set_narrow(fig, None, {"xaxis.dtick": math.log10(16), "legend.y": -0.17, "height": 540,
                           "margin.b": 160})
    return fig
