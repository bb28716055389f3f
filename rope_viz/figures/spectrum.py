"""Figures for choosing the base and stretching the context: RoPE's wavelength spectrum.

What this module holds
----------------------
- :func:`plot_wavelength_spectrum`: each pair's wavelength 2π/θ_i against its index, for the
  bases of real models, with each model's context length marked.
- :func:`plot_scaled_wavelengths`: the same spectrum after linear (position interpolation),
  NTK-aware, YaRN and Llama 3 scaling, and how much each rule stretches each pair; a slider
  for the scaling factor. :func:`scaled_wavelengths_changes` is what one factor and one base
  change (the ``(traces, layout)`` shape of :mod:`rope_viz.figures._style`).

Frequencies come from :func:`rope_viz.rope_frequencies` and :func:`rope_viz.scaled_frequencies`
(every scaling rule, NTK-aware included, from its registry); a wavelength is 2π divided by a frequency.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from rope_viz._validation import (
    check_array,
    check_bool,
    check_dim,
    check_float,
    check_int,
    fail,
)
from rope_viz.figures._style import (
    NEUTRAL,
    base_layout,
    new_figure,
    rounded,
    set_narrow,
    short_number,
    slider,
    step_args,
    subplots,
)
from rope_viz.rope import rope_frequencies
from rope_viz.scaling import scaled_frequencies

__all__ = ["plot_wavelength_spectrum", "plot_scaled_wavelengths", "scaled_wavelengths_changes",
           "MODELS", "RULE_COLORS"]

#: Real models: (name, rope base, head dim, context length it was trained for).
MODELS = (
    ("Llama 2", 10000.0, 128, 4096),
    ("Llama 3", 500000.0, 128, 8192),
    ("Qwen2", 1000000.0, 128, 32768),
)
_MODEL_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", NEUTRAL)

#: One colour per scaling rule, shared by every figure that compares them.
RULE_COLORS = {
    "default": NEUTRAL,
    "linear": "#0072B2",
    "NTK-aware": "#009E73",
    "YaRN": "#D55E00",
    "Llama 3": "#CC79A7",
}


def _check_models(models: Any) -> tuple:
    if isinstance(models, (str, bytes)) or not hasattr(models, "__iter__"):
        fail("models", "a sequence of (name, base, dim, context) tuples", models, kind=TypeError)
    checked = []
    for entry in models:
        if not isinstance(entry, (tuple, list)) or len(entry) != 4 or not isinstance(entry[0], str):
            fail("models", "a sequence of (name, base, dim, context) tuples", entry,
                 kind=TypeError)
        name, base, dim, context = entry
        checked.append((name, check_float(base, "models base", minimum=1.0),
                        check_dim(dim, "models dim"), check_int(context, "models context",
                                                                minimum=1)))
    if not checked:
        fail("models", "at least one model", models)
    return tuple(checked)


def plot_wavelength_spectrum(models: Any = MODELS) -> go.Figure:
    """Each RoPE pair's wavelength against its index, for real models, context marked.

    Pair i turns by θ_i = base^(−2i/d) per position, so it completes a turn every 2π/θ_i
    positions: from 2π ≈ 6 for pair 0 up to nearly 2π·base for the last pair (a log scale).
    A dashed line marks each model's training context. Pairs above their model's line never
    complete a turn inside the context: the model only ever sees part of their circle, which
    is why stretching the context must treat them differently. A larger base lifts the whole
    spectrum, so more pairs fall above the line.

    Calls :func:`rope_viz.rope_frequencies`.

    Parameters
    ----------
    models : sequence of (str, float, int, int)
        ``(name, base, head dim, context length)`` per model; default :data:`MODELS`
        (Llama 2, Llama 3, Qwen2).

    Returns
    -------
    plotly.graph_objects.Figure
        One scatter trace per model (markers and lines, log-scaled y) and one dashed
        horizontal line (a shape) per model's context.

    Raises
    ------
    ValueError, TypeError
        For a malformed ``models`` entry (bad base, dim or context).

    Examples
    --------
    >>> fig = plot_wavelength_spectrum()
    >>> len(fig.data)
    3
    """
    models = _check_models(models)
    fig = new_figure()
    for index, (name, base, dim, context) in enumerate(models):
        color = _MODEL_COLORS[index % len(_MODEL_COLORS)]
        wavelengths = 2 * np.pi / rope_frequencies(dim, base)  # (dim/2,)
        inside = int(np.sum(wavelengths <= context))
        fig.add_trace(go.Scatter(
            x=list(range(dim // 2)), y=rounded(wavelengths, 1), mode="lines+markers",
            marker=dict(size=4), line=dict(color=color, width=2),
            name=(f"{name}, base {short_number(base)}: "
                  f"{dim // 2 - inside} of {dim // 2} never turn"),
            hovertemplate="pair %{x}<br>wavelength %{y:,.0f} positions<extra>" + name
            + "</extra>",
        ))
        fig.add_hline(y=context, line=dict(color=color, width=1.5, dash="dash"))
        fig.add_annotation(x=0, xref="x domain", xanchor="left", y=float(np.log10(context)),
                           yanchor="bottom", text=f"{name} context {short_number(context)}",
                           showarrow=False, font=dict(color=color, size=11))
    _stack_line_labels(fig.layout.annotations)
    fig.update_layout(**base_layout(
        title="Slow pairs never turn inside the context",
        height=540,
        margin=dict(l=70, r=30, t=70, b=150),
        xaxis=dict(title="pair index i"),
        yaxis=dict(title="wavelength 2π/θ_i (positions, log scale)", type="log",
                   exponentformat="power"),
        legend=dict(orientation="v", x=0.0, y=-0.14, xanchor="left", yanchor="top"),
    ))
    return fig


def _stack_line_labels(notes) -> None:
    """Place the labels of horizontal lines (annotations at the left edge) so none overlap:
    the lowest line's label below its line, every other one above its own (lines of a log
    axis a factor of 2 or more apart then leave room for one text line each)."""
    ordered = sorted(notes, key=lambda note: note["y"])
    for rank, note in enumerate(ordered):
        note.update(x=0.0, xanchor="left", yanchor="top" if rank == 0 else "bottom")


def _rules(dim: int, base: float, factor: float, original: int) -> dict:
    """Scaled inverse frequencies per rule (``{name: (dim/2,)}``)."""
    return {
        "default": rope_frequencies(dim, base),
        "linear": scaled_frequencies(dim, base, "linear", factor=factor)[0],
        "NTK-aware": scaled_frequencies(dim, base, "ntk-aware", factor=factor)[0],
        "YaRN": scaled_frequencies(dim, base, "yarn", factor=factor,
                                   original_max_position_embeddings=original)[0],
        "Llama 3": scaled_frequencies(dim, base, "llama3", factor=factor, low_freq_factor=1.0,
                                      high_freq_factor=4.0,
                                      original_max_position_embeddings=original)[0],
    }


def scaled_wavelengths_changes(dim: int = 128, *, base: float = 10000.0,
                               original_context: int = 4096, factor: float = 4.0) -> tuple:
    """What one scaling factor (and one base) change in :func:`plot_scaled_wavelengths`.

    Parameters
    ----------
    dim : int
        Rotary dimension (positive, even).
    base : float
        Original base (> 1).
    original_context : int
        The context the model was trained for (>= 2).
    factor : float
        The scaling factor (> 1).

    Returns
    -------
    tuple
        ``(traces, layout)`` in the shape of :mod:`rope_viz.figures._style`: the ``y`` of all
        ten traces (five wavelength curves, then five stretches, in :data:`RULE_COLORS` order)
        and the extended-context line, its label and the stretch axis's range.

    Raises
    ------
    ValueError, TypeError
        For bad ``dim``, ``base``, ``original_context`` or ``factor``.

    Examples
    --------
    >>> traces, layout = scaled_wavelengths_changes(8, factor=2.0)
    >>> traces[6]["y"]
    [2.0, 2.0, 2.0, 2.0]
    """
    dim = check_dim(dim)
    base = check_float(base, "base", minimum=1.0)
    original = check_int(original_context, "original_context", minimum=2)
    factor = check_float(factor, "factor", minimum=1.0)
    default = 2 * np.pi / rope_frequencies(dim, base)  # (dim/2,)
    waves = {name: 2 * np.pi / inv for name, inv in _rules(dim, base, factor, original).items()}
    names = list(RULE_COLORS)
    traces = {i: {"y": rounded(waves[name], 1)} for i, name in enumerate(names)}
    traces.update({len(names) + i: {"y": rounded(waves[name] / default, 3)}
                   for i, name in enumerate(names)})
    extended = original * factor
    layout = {"shapes[1].y0": extended, "shapes[1].y1": extended,
              "annotations[3].y": float(np.log10(extended)),
              "annotations[3].text": f"extended context {short_number(extended)}",
              "yaxis2.range": [0.8, max(factor * 1.1, 1.5)]}
    return traces, layout


def plot_scaled_wavelengths(
    dim: int = 128,
    *,
    base: float = 10000.0,
    original_context: int = 4096,
    factors: Any = (2.0, 4.0, 8.0, 16.0),
    controls: bool = True,
) -> go.Figure:
    """Wavelengths after context-extension rules, and how much each rule stretches each pair.

    Top: each pair's wavelength under the original frequencies (grey) and after linear
    interpolation, NTK-aware scaling, YaRN and Llama 3's rule, with the original and the
    extended context (factor × original) marked. Bottom: the stretch, scaled wavelength ÷
    original wavelength. Linear stretches every pair by the factor (all interpolated, the fast
    pairs too, which blurs nearby positions); NTK-aware leaves the fastest pair alone and
    stretches slower pairs more, reaching the factor only at the end; YaRN and Llama 3 keep fast
    pairs exactly (extrapolated: stretch 1), interpolate the slow pairs whose wavelength exceeds
    the context (stretch = factor) and ramp in between. The slider sets the factor.

    Calls :func:`rope_viz.scaled_frequencies` (linear, yarn with
    ``original_max_position_embeddings``, llama3 with low_freq_factor 1 and high_freq_factor 4,
    ntk-aware with ``factor``) and :func:`rope_viz.rope_frequencies`.

    Parameters
    ----------
    dim : int
        Rotary dimension (positive, even).
    base : float
        Original base (> 1).
    original_context : int
        The context the model was trained for (>= 2).
    factors : sequence of float
        Scaling factors on the slider (each > 1).
    controls : bool
        Draw the slider (default). ``False``: no slider; the figure shows factor 4 if it is
        among ``factors``, else ``factors[0]``.

    Returns
    -------
    plotly.graph_objects.Figure
        Five traces on top (default, linear, NTK-aware, YaRN, Llama 3) and five below (the
        stretch, default being 1); a slider with one step per factor restyling all ten and
        moving the extended-context line (:func:`scaled_wavelengths_changes`).

    Raises
    ------
    ValueError, TypeError
        For bad ``dim``, ``base``, ``original_context``, ``factors`` or ``controls``.

    Examples
    --------
    >>> fig = plot_scaled_wavelengths(16, factors=(2.0, 4.0))
    >>> len(fig.data), len(fig.layout.sliders[0].steps)
    (10, 2)
    """
    dim = check_dim(dim)
    base = check_float(base, "base", minimum=1.0)
    original = check_int(original_context, "original_context", minimum=2)
    values = check_array(factors, "factors", ndim=1, nonempty=True,
                         what="a non-empty sequence of numbers > 1")
    if np.any(values <= 1):
        fail("factors", "a non-empty sequence of numbers > 1", factors)
    factors = tuple(float(f) for f in values)
    controls = check_bool(controls, "controls")
    start = factors.index(4.0) if 4.0 in factors else 0
    if not controls:
        factors, start = factors[start:start + 1], 0

    per_factor = [scaled_wavelengths_changes(dim, base=base, original_context=original,
                                             factor=factor) for factor in factors]
    shown = per_factor[start][0]  # {trace: {"y": ...}}

    fig = subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                   row_heights=[0.6, 0.4],
                   subplot_titles=("wavelength of each pair", "stretch: scaled ÷ original"))
    pairs = list(range(dim // 2))
    names = list(RULE_COLORS)
    for name in names:
        width = 3 if name == "default" else 2
        common = dict(x=pairs, mode="lines", legendgroup=name,
                      line=dict(color=RULE_COLORS[name], width=width,
                                dash="dot" if name == "default" else "solid"))
        fig.add_trace(go.Scatter(y=shown[len(fig.data)]["y"], name=name, **common), 1, 1)
    for name in names:
        fig.add_trace(go.Scatter(x=pairs, y=shown[len(fig.data)]["y"], mode="lines",
                                 legendgroup=name, showlegend=False, name=name,
                                 line=dict(color=RULE_COLORS[name], width=2,
                                           dash="dot" if name == "default" else "solid")), 2, 1)

    def line(y: float, text: str, dash: str) -> tuple:
        shape = dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=y, y1=y,
                     line=dict(color=NEUTRAL, width=1, dash=dash))
        note = dict(xref="x domain", x=0.0, yref="y", y=float(np.log10(y)), text=text,
                    showarrow=False, xanchor="left", yanchor="bottom", font=dict(size=11))
        return shape, note

    shape0, note0 = line(original, f"original context {short_number(original)}", "dash")
    shape1, note1 = line(original * factors[start],
                         f"extended context {short_number(original * factors[start])}", "dot")
    steps = [dict(method="update", label=f"×{factor:g}", args=step_args(*changes))
             for factor, changes in zip(factors, per_factor)]
    fig.update_layout(**base_layout(
        title=f"Stretching a {short_number(original)} context, pair by pair",
        height=660,
        margin=dict(l=80, r=30, t=110, b=110 if controls else 60),
        shapes=[shape0, shape1],
        sliders=[slider(steps, prefix="scaling factor ", active=start, y=-0.1)]
        if controls else [],
        legend=dict(orientation="h", x=0.0, y=1.07, xanchor="left", yanchor="bottom"),
    ))
    # subplot titles are annotations 0 and 1; the context labels are 2 and 3
    fig.add_annotation(note0)
    fig.add_annotation(note1)
    fig.update_yaxes(type="log", exponentformat="power",
                     title_text="wavelength (positions)", row=1, col=1)
    fig.update_yaxes(title_text="stretch", range=[0.8, max(factors[start] * 1.1, 1.5)],
                     row=2, col=1)
    fig.update_xaxes(title_text="pair index i", row=2, col=1)
    # a phone: the legend wraps to two rows between the title and the plot
    set_narrow(fig, layout={"margin.t": 140, "legend.y": 1.06, "title.y": 0.985,
                            "title.yanchor": "top", "height": 700})
    return fig
