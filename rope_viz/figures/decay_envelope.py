"""Figure: Su's decay bound as an envelope over single query-key pairs, and the mean scores.

What this module holds
----------------------
- :func:`plot_decay_envelope`: top, the factor (1/(d/2)) Σ_j ``|S_j|`` above the scores of a
  few random (q, k) pairs, each divided by its own ``max_i |h_(i+1) − h_i|`` and by d/2 so
  that Su's inequality says every curve stays under the factor; bottom, the mean score of
  many pairs with k = q (it decays) and with k independent of q (it stays near 0). A slider
  for the base.

Numbers come from :mod:`rope_viz.decay`: :func:`rope_viz.long_range_decay`,
:func:`rope_viz.rope_scores`, :func:`rope_viz.abel_content_factor` and
:func:`rope_viz.empirical_decay`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from rope_viz._validation import check_array, check_dim, check_generator, check_int, fail
from rope_viz.decay import abel_content_factor, empirical_decay, long_range_decay, rope_scores
from rope_viz.figures._style import (
    KEY,
    NEUTRAL,
    QUERY,
    base_layout,
    rounded,
    short_number,
    slider,
    subplots,
)

__all__ = ["plot_decay_envelope"]


def _gapped(rows: np.ndarray, x: np.ndarray) -> tuple:
    """Several curves as one trace: ``rows`` (c, k) -> x and y lists with None between curves."""
    xs, ys = [], []
    for row in rows:
        xs += rounded(x) + [None]
        ys += rounded(np.maximum(row, 1e-4), 4) + [None]  # floor: the axis is logarithmic
    return xs, ys


def plot_decay_envelope(
    max_distance: int = 256,
    *,
    dim: int = 128,
    bases: Any = (1000.0, 10000.0, 100000.0, 1000000.0),
    base: float = 10000.0,
    curves: int = 6,
    samples: int = 2000,
    rng: Any = 0,
) -> go.Figure:
    """Su's bound as an envelope of single pairs, and the mean score with k = q and k ≠ q.

    Top: ``(1/(d/2)) Σⱼ |Sⱼ(m)|`` (grey) and, for ``curves`` random pairs of each kind,
    ``|(R_m q)·k| / ((d/2) · max_i |h_(i+1) − h_i|)``: by Su's inequality no curve rises above
    the black one. Blue pairs have k = q, orange pairs an independent k; all components
    standard normal. The axis is logarithmic, since the pairs sit far below the bound
    (scaled values are floored at 1e-4). Bottom: the mean score
    ``(R_m q)·k`` over ``samples`` pairs: it falls from d with k = q, and stays near 0 (its
    expectation) with an independent k; the bound caps the size of a score, it does not
    predict its mean. A slider sets the base for every curve.

    Calls :func:`rope_viz.long_range_decay`, :func:`rope_viz.rope_scores`,
    :func:`rope_viz.abel_content_factor` and :func:`rope_viz.empirical_decay`.

    Parameters
    ----------
    max_distance : int
        Largest distance m drawn (>= 2); every integer distance from 0 is drawn.
    dim : int
        Head dimension (positive, even).
    bases : sequence of float
        Bases on the slider (each > 1).
    base : float
        The base shown first (one of ``bases``).
    curves : int
        Random pairs drawn per kind in the top panel (>= 1).
    samples : int
        Random pairs averaged in the bottom panel (>= 1).
    rng : numpy.random.Generator or int
        Source of the random vectors.

    Returns
    -------
    plotly.graph_objects.Figure
        Five scatter traces (bound factor, pairs with k = q, pairs with independent k, mean
        with k = q, mean with independent k) and a slider with one step per base (restyling
        ``x`` and ``y`` of every trace).

    Raises
    ------
    ValueError, TypeError
        For a bad ``max_distance``, ``dim``, ``bases``, ``base``, ``curves``, ``samples`` or
        ``rng``.

    Examples
    --------
    >>> fig = plot_decay_envelope(64, dim=16, bases=(100.0, 10000.0), curves=2, samples=10)
    >>> len(fig.data), len(fig.layout.sliders[0].steps)
    (5, 2)
    """
    max_distance = check_int(max_distance, "max_distance", minimum=2)
    dim = check_dim(dim)
    bases_arr = check_array(bases, "bases", ndim=1, nonempty=True, minimum=1.0, strict=True,
                            what="a non-empty sequence of numbers > 1")  # (B,)
    bases = tuple(float(b) for b in bases_arr)
    if not any(np.isclose(base, b) for b in bases):
        fail("base", f"one of bases {tuple(f'{b:g}' for b in bases)}", base)
    start = int(np.argmin([abs(np.log(b / base)) for b in bases]))
    curves = check_int(curves, "curves", minimum=1)
    samples = check_int(samples, "samples", minimum=1)
    generator = check_generator(rng)

    distances = np.arange(max_distance + 1, dtype=np.float64)  # (k,)
    q = generator.standard_normal((2, curves, dim))  # (2, curves, dim): k = q, independent
    k = np.stack([q[0], generator.standard_normal((curves, dim))])  # (2, curves, dim)
    step = abel_content_factor(q, k)  # (2, curves): max_i |h_(i+1) − h_i|

    mean_seed = int(generator.integers(2**31))  # the same mean-score draws for every base
    ys = []  # per base: the five traces' y
    xs = None
    for b in bases:
        factor = long_range_decay(distances, dim, b)  # (k,)
        scores = np.abs(rope_scores(q, k, distances, b))  # (2, curves, k)
        scaled = scores / (step[..., None] * dim / 2)  # (2, curves, k)
        x_same, y_same = _gapped(scaled[0], distances)
        x_other, y_other = _gapped(scaled[1], distances)
        xs = [rounded(distances), x_same, x_other, rounded(distances), rounded(distances)]
        means = [empirical_decay(distances, dim, b, identical=same, samples=samples,
                                 rng=np.random.default_rng([mean_seed, index]))
                 for index, same in enumerate((True, False))]
        ys.append([rounded(factor, 3), y_same, y_other, rounded(means[0], 3),
                   rounded(means[1], 3)])

    fig = subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1,
                   row_heights=[0.6, 0.4],
                   subplot_titles=("Su's factor above single pairs",
                                   "mean score (Rₘq)·k over many pairs"))
    styles = [
        ("Su's factor (1/(d/2)) Σⱼ|Sⱼ|", NEUTRAL, 3, 1, True),
        ("single pairs, k = q (scaled)", QUERY, 1, 1, True),
        ("single pairs, independent k (scaled)", KEY, 1, 1, True),
        ("mean, k = q", QUERY, 2.5, 2, True),
        ("mean, independent k", KEY, 2.5, 2, True),
    ]
    for (name, color, width, row, show), x, y in zip(styles, xs, ys[start]):
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=name, showlegend=show,
                                 line=dict(color=color, width=width),
                                 opacity=0.6 if width == 1 else 1.0), row, 1)
    steps = [dict(label=short_number(b), args=[{"y": ys[i]}]) for i, b in enumerate(bases)]
    fig.update_layout(**base_layout(
        title="Su's bound caps every pair's score",
        height=780,
        margin=dict(l=70, r=30, t=80, b=220),
        sliders=[slider(steps, prefix="base = ", active=start, y=-0.1)],
        legend=dict(orientation="h", x=0.0, xanchor="left", y=-0.36, yanchor="top",
                    font=dict(size=11)),
    ))
    fig.update_xaxes(title_text="relative distance m (positions)", row=2, col=1)
    top = float(np.log10(max(max(y[0]) for y in ys) * 1.5))
    fig.update_yaxes(title_text="size / ((d/2) max|Δh|)", type="log", range=[-3, top], dtick=1,
                     row=1, col=1)
    fig.update_yaxes(title_text="mean score", row=2, col=1)
    fig.add_hline(y=0, line=dict(color=NEUTRAL, width=1), row=2, col=1)
    return fig
