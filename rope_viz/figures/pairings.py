"""Figure: which dimensions RoPE rotates together, in the two pairings found in the wild.

What this module holds
----------------------
- :func:`plot_pairings`: dimension indices 0 .. d−1 in two rows, interleaved pairing on top
  (arcs over dims 2i, 2i+1), half pairing below (arcs under dims i, i + d/2), one colour per
  frequency θᵢ, and grey lines showing the permutation that turns one layout into the
  other; a slider switches the head dimension.

Numbers come from :func:`rope_viz.pairing_permutation` and :func:`rope_viz.rope_frequencies`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from rope_viz._validation import check_dim, check_float, check_int_tuple, fail
from rope_viz.figures._style import GRID, NEUTRAL, SEQUENTIAL, base_layout, new_figure, slider
from rope_viz.rope import pairing_permutation, rope_frequencies

__all__ = ["plot_pairings", "pair_members"]

_TOP, _BOTTOM = 1.0, 0.0  # y of the interleaved and the half row
_DOT = "#5A5A5A"  # the dimension dots: dark enough for their white numbers, visible on a dark page
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _theta(i: int) -> str:
    """θᵢ with the pair number as Unicode subscript digits: θ₀, θ₁₅."""
    return "θ" + str(i).translate(_SUBSCRIPTS)


def pair_members(dim: int, pairing: str) -> np.ndarray:
    """``(dim/2, 2)`` int array: the two dimensions of pair i (rotated by θ_i) in ``pairing``.

    Read off :func:`rope_viz.pairing_permutation`: in the interleaved layout pair i is dims
    (2i, 2i+1); the half layout holds those same two numbers at (i, i + dim/2).
    """
    dim = check_dim(dim)
    if pairing == "interleaved":
        return np.arange(dim).reshape(dim // 2, 2)
    to_interleaved = pairing_permutation(dim, "half", "interleaved")  # (dim,)
    # interleaved dim t holds half dim to_interleaved[t]: pair i = (2i, 2i+1) holds these two
    return to_interleaved.reshape(dim // 2, 2)


def _arc(a: int, b: int, y0: float, up: bool, dim: int) -> tuple:
    """Half-ellipse from x=a to x=b at height y0, above (up) or below the row."""
    t = np.linspace(0.0, np.pi, 25)
    centre, radius = (a + b) / 2.0, (b - a) / 2.0
    height = 0.12 + 0.6 * (b - a) / max(dim - 1, 1)
    xs = centre - radius * np.cos(t)
    ys = y0 + (1 if up else -1) * height * np.sin(t)
    return np.round(xs, 3).tolist(), np.round(ys, 3).tolist()


def plot_pairings(dim: int = 8, *, dims: Sequence[int] = (4, 8, 16, 32),
                  base: float = 10000.0) -> go.Figure:
    """Which dimensions form a rotary pair: interleaved (top) and half / rotate_half (bottom).

    Dots are the dimension indices of a query or key. An arc joins the two dimensions that
    RoPE rotates together; its colour is the frequency θᵢ = base^(−2i/d) of that pair (the
    same colour in both rows means the same rotation). Interleaved (RoFormer, GPT-J, Meta's
    Llama code, lucidrains) pairs neighbours 2i and 2i+1; half (GPT-NeoX, Hugging Face's
    ``rotate_half``) pairs i with i + d/2. The grey lines carry each dimension of the half
    layout to its place in the interleaved layout: the permutation
    :func:`rope_viz.pairing_permutation` that makes the two the same. A slider picks d.

    Parameters
    ----------
    dim : int
        Head dimension shown first (positive, even); added to ``dims`` if missing.
    dims : sequence of int
        Head dimensions on the slider (each positive, even, at most 64).
    base : float
        RoPE base (> 1), for the frequencies in the hover text.

    Returns
    -------
    plotly.graph_objects.Figure
        Per dimension: one grey line trace (the permutation), d arc traces (d/2 interleaved,
        then d/2 half) and two marker traces on top (the interleaved and the half row); a
        slider showing one dimension's traces at a time.

    Raises
    ------
    ValueError, TypeError
        For a bad ``dim``, ``dims`` or ``base``.

    Examples
    --------
    >>> fig = plot_pairings(4, dims=(4, 8))
    >>> len(fig.layout.sliders[0].steps)
    2
    """
    dim = check_dim(dim)
    dims = check_int_tuple(dims, "dims")
    for value in dims:
        check_dim(value, "dims")
    dims = tuple(sorted(set(dims) | {dim}))
    if max(dims) > 64:
        fail("dims", "head dimensions of at most 64 (one dot per dimension)", dims)
    base = check_float(base, "base", minimum=1.0)

    fig = new_figure()
    groups = []  # trace indices per dimension
    for d in dims:
        start = len(fig.data)
        visible = d == dim
        half = d // 2
        freqs = rope_frequencies(d, base)  # (d/2,)
        # the ends of Viridis are too dark on a dark page and too pale on a light one
        colors = sample_colorscale(SEQUENTIAL, list(np.linspace(0.15, 0.85, half)))
        labels = d <= 16
        perm = pairing_permutation(d, "half", "interleaved")  # interleaved[t] = half[perm[t]]
        xs, ys = [], []
        for t in range(d):
            xs += [int(perm[t]), t, None]
            ys += [_BOTTOM + 0.04, _TOP - 0.04, None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=NEUTRAL, width=1),
                                 hoverinfo="skip", showlegend=False, visible=visible))
        for pairing, y0, up in (("interleaved", _TOP, True), ("half", _BOTTOM, False)):
            members = pair_members(d, pairing)  # (d/2, 2)
            for i, (a, b) in enumerate(members):
                xs, ys = _arc(int(a), int(b), y0, up, d)
                fig.add_trace(go.Scatter(
                    x=xs, y=ys, mode="lines", line=dict(color=colors[i], width=3),
                    hovertemplate=(f"{pairing}: pair {i} = dims {a} and {b}<br>"
                                   f"{_theta(i)} = {freqs[i]:.3g} rad per position<extra></extra>"),
                    showlegend=False, visible=visible))
        for y, name in ((_TOP, "interleaved"), (_BOTTOM, "half")):
            fig.add_trace(go.Scatter(
                x=list(range(d)), y=[y] * d, mode="markers+text" if labels else "markers",
                text=[str(i) for i in range(d)], textposition="middle center",
                textfont=dict(size=9, color="white"),
                marker=dict(size=17 if labels else 9, color=_DOT),
                hovertemplate=f"{name} layout, dim %{{x}}<extra></extra>",
                showlegend=False, visible=visible))
        groups.append((d, start, len(fig.data)))

    total = len(fig.data)
    steps = []
    for d, start, stop in groups:
        mask = [start <= t < stop for t in range(total)]
        steps.append(dict(method="update", label=str(d),
                          args=[{"visible": mask}, {"xaxis.range": [-1.0, d]}]))
    active = dims.index(dim)
    fig.update_layout(**base_layout(
        title=("Which dimensions rotate together"
               "<br><sup>colour: frequency θᵢ; grey: the permutation</sup>"),
        height=460,
        margin=dict(l=110, r=30, t=90, b=100),
        sliders=[slider(steps, prefix="head dimension d = ", active=active, y=-0.14)],
    ))
    fig.update_xaxes(range=[-1.0, dim], showgrid=False, zeroline=False, title_text="dimension index",
                     gridcolor=GRID)
    fig.update_yaxes(range=[-0.85, 1.85], showgrid=False, zeroline=False,
                     tickvals=[_BOTTOM, _TOP],
                     ticktext=["half<br>(i, i + d/2)", "interleaved<br>(2i, 2i + 1)"])
    return fig
