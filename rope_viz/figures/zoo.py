"""Figure: the relative-position zoo side by side, as query × key matrices.

What this module holds
----------------------
- :func:`plot_relative_zoo`: one button per scheme (Shaw, Transformer-XL, T5, DeBERTa,
  ALiBi); left, the relative index the scheme looks up for each (query, key) pair; right,
  the term it adds to the attention logit, for random weights.
- :func:`relative_zoo_matrices`: the numbers the figure draws.

Numbers come from :mod:`rope_viz.relative` and :mod:`rope_viz.relative_logits`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from rope_viz._validation import check_bool, check_dim, check_generator, check_int, fail
from rope_viz.figures._style import (
    DIVERGING,
    SEQUENTIAL,
    base_layout,
    buttons,
    rounded,
    set_narrow,
    stacked_layout,
    subplots,
)
from rope_viz.relative import (
    alibi_bias,
    alibi_slopes,
    deberta_relative_indices,
    relative_position_matrix,
    shaw_relative_indices,
    t5_bias,
    t5_relative_buckets,
)
from rope_viz.relative_logits import deberta_terms, shaw_bias, transformer_xl_terms

__all__ = ["plot_relative_zoo", "relative_zoo_matrices", "ZOO_SCHEMES"]

ZOO_SCHEMES = ("Shaw", "Transformer-XL", "T5", "DeBERTa", "ALiBi")

_INDEX_TITLES = {
    "Shaw": "index clip(n − m, −k, k)",
    "Transformer-XL": "index m − n, into a sinusoid",
    "T5": "index: bucket of n − m",
    "DeBERTa": "index clip(m − n, −k, k − 1)",
    "ALiBi": "index |m − n|",
}
_BIAS_TITLES = {
    "Shaw": "added: qₘ·aᴷ / √d",
    "Transformer-XL": "added: terms (b) + (d), over √d",
    "T5": "added: the bucket's learned scalar",
    "DeBERTa": "added: c2p + p2c, over √(3d)",
    "ALiBi": "added: −slope·|m − n|",
}
#: Narrow screens: panels this many px tall, stacked; each heatmap keeps this share of the
#: width, its colour bar to the right.
_NARROW_PANEL, _NARROW_SHARE = 232, 0.78


def relative_zoo_matrices(
    n: int = 24,
    *,
    dim: int = 16,
    max_distance: int = 4,
    num_heads: int = 8,
    alibi_head: int = 1,
    same_token: bool = True,
    rng: Any = 0,
) -> dict:
    """For each scheme, ``(index, bias)``: two ``(n, n)`` arrays indexed [query m, key n].

    ``index`` is the relative quantity the scheme looks up; ``bias`` is the position term it
    adds to the logit, computed with standard-normal tokens and tables and projections of
    scale 1/sqrt(dim). With ``same_token`` one token sits at every position, so every bias
    is constant along the diagonals; otherwise the tokens differ and the content-dependent
    schemes (Shaw, Transformer-XL, DeBERTa) vary along them too. Arguments as in
    :func:`plot_relative_zoo`.
    """
    n = check_int(n, "n", minimum=2)
    dim = check_dim(dim)
    k = check_int(max_distance, "max_distance", minimum=1)
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    alibi_head = check_int(alibi_head, "alibi_head", minimum=1)
    if alibi_head > num_heads:
        fail("alibi_head", f"a head number between 1 and num_heads ({num_heads})", alibi_head)
    same_token = check_bool(same_token, "same_token")
    generator = check_generator(rng)
    scale = 1.0 / np.sqrt(dim)
    tokens = generator.standard_normal((1 if same_token else n, dim))  # (1 or n, dim)
    x = np.repeat(tokens, n, 0) if same_token else tokens  # (n, dim)
    w_q, w_k, w_r, w_qr, w_kr = generator.standard_normal((5, dim, dim)) * scale
    u, v = generator.standard_normal((2, dim))
    shaw_table = generator.standard_normal((2 * k + 1, dim))  # a^K for distances −k .. k
    t5_values = generator.standard_normal(32)  # one learned scalar per bucket
    deberta_table = generator.standard_normal((2 * k, dim))  # P, 2k relative positions

    rel = relative_position_matrix(n)  # (n, n): m − n (query minus key, the house sign)
    xl = transformer_xl_terms(x, w_q, w_k, w_r, u, v)
    deberta = deberta_terms(x @ w_q, x @ w_k, deberta_table @ w_qr, deberta_table @ w_kr, k)
    return {
        "Shaw": (shaw_relative_indices(n, max_distance=k) - k,
                 shaw_bias(x @ w_q, shaw_table, k) * scale),
        "Transformer-XL": (rel, (xl["b"] + xl["d"]) * scale),
        "T5": (t5_relative_buckets(-rel), t5_bias(n, t5_values)),  # T5's sign: n − m
        "DeBERTa": (deberta_relative_indices(n, max_distance=k) - k,
                    (deberta["c2p"] + deberta["p2c"]) / np.sqrt(3 * dim)),
        "ALiBi": (np.abs(rel), alibi_bias(n, num_heads)[alibi_head - 1]),
    }


def plot_relative_zoo(
    n: int = 24,
    *,
    dim: int = 16,
    max_distance: int = 4,
    num_heads: int = 8,
    alibi_head: int = 1,
    same_token: bool = True,
    rng: Any = 0,
) -> go.Figure:
    """Five relative schemes as query × key matrices, one button each.

    Left: what the scheme looks up for the pair (query position m, key position n): Shaw's
    clipped distance (k = ``max_distance``), Transformer-XL's unclipped distance, T5's bucket
    (32 buckets, max distance 128), DeBERTa's clipped distance (k = ``max_distance``), ALiBi's
    ``|m − n|``. Right: the term the scheme adds to the logit, for random tables and weights.
    With ``same_token=True`` the same token sits at every position and every right-hand
    matrix is constant along its diagonals: the added term depends on n − m only.

    Calls :func:`rope_viz.shaw_relative_indices`, :func:`rope_viz.shaw_bias`,
    :func:`rope_viz.transformer_xl_terms`, :func:`rope_viz.t5_relative_buckets`,
    :func:`rope_viz.t5_bias`, :func:`rope_viz.deberta_relative_indices`,
    :func:`rope_viz.deberta_terms` and :func:`rope_viz.alibi_bias`.

    Parameters
    ----------
    n : int
        Sequence length (>= 2).
    dim : int
        Head dimension of the random weights (positive, even).
    max_distance : int
        Shaw's and DeBERTa's clipping distance k (>= 1).
    num_heads : int
        ALiBi heads (>= 1); they set the slopes 2^(−8h/H).
    alibi_head : int
        The ALiBi head drawn (1 .. num_heads).
    same_token : bool
        One token at every position (True) or a different random token at each.
    rng : numpy.random.Generator or int
        Source of the random tokens, tables and weights.

    Returns
    -------
    plotly.graph_objects.Figure
        Two heatmap traces (index, added term) and a row of five buttons restyling both.

    Raises
    ------
    ValueError, TypeError
        For a bad ``n``, ``dim``, ``max_distance``, ``num_heads``, ``alibi_head``,
        ``same_token`` or ``rng``.

    Examples
    --------
    >>> fig = plot_relative_zoo(8, dim=4)
    >>> [b.label for b in fig.layout.updatemenus[0].buttons]
    ['Shaw', 'Transformer-XL', 'T5', 'DeBERTa', 'ALiBi']
    """
    matrices = relative_zoo_matrices(n, dim=dim, max_distance=max_distance, num_heads=num_heads,
                                     alibi_head=alibi_head, same_token=same_token, rng=rng)
    slope = alibi_slopes(num_heads)[alibi_head - 1]
    bias_titles = dict(_BIAS_TITLES, ALiBi=f"added: −{slope:.3g}·|m − n|, head {alibi_head}")

    def panel_data(scheme: str) -> tuple:
        index, bias = matrices[scheme]
        limit = float(np.abs(bias).max()) or 1.0
        return index, bias, limit

    def restyle(scheme: str) -> list:
        index, bias, limit = panel_data(scheme)
        return [
            {"z": [index.tolist(), rounded(bias, 3)],
             "zmin": [float(index.min()), -limit], "zmax": [float(index.max()), limit]},
            {"annotations[0].text": f"{scheme}: {_INDEX_TITLES[scheme]}",
             "annotations[1].text": bias_titles[scheme]},
        ]

    first = ZOO_SCHEMES[0]
    index, bias, limit = panel_data(first)
    fig = subplots(rows=1, cols=2, horizontal_spacing=0.16,
                   subplot_titles=(f"{first}: {_INDEX_TITLES[first]}", bias_titles[first]))
    fig.add_trace(go.Heatmap(z=index.tolist(), colorscale=SEQUENTIAL, zmin=float(index.min()),
                             zmax=float(index.max()), colorbar=dict(title="index", x=0.42),
                             hovertemplate="query m %{y}<br>key n %{x}<br>index %{z}"
                             "<extra></extra>"), 1, 1)
    fig.add_trace(go.Heatmap(z=rounded(bias, 3), colorscale=DIVERGING, zmin=-limit, zmax=limit,
                             colorbar=dict(title="added"),
                             hovertemplate="query m %{y}<br>key n %{x}<br>added %{z}"
                             "<extra></extra>"), 1, 2)
    items = [dict(label=scheme, method="update", args=restyle(scheme)) for scheme in ZOO_SCHEMES]
    fig.update_layout(**base_layout(
        title="What each relative scheme adds to the logit",
        height=540,
        margin=dict(l=70, r=30, t=130, b=60),
        updatemenus=[buttons(items, x=0.0, y=1.1),
                     dict(buttons(items, x=0.0, y=1.1), type="dropdown", direction="down",
                          visible=False)],  # the phone's menu, see _set_narrow
    ))
    fig.update_layout(title=dict(y=0.98, yanchor="top"))
    for annotation in fig.layout.annotations:
        annotation.font = dict(size=12)
    fig.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain",
                     title_text="query position m", row=1, col=1)
    fig.update_yaxes(autorange="reversed", scaleanchor="x2", constrain="domain", row=1, col=2)
    fig.update_xaxes(title_text="key position n", constrain="domain")
    _set_narrow(fig)
    return fig


def _set_narrow(fig: go.Figure) -> None:
    """Phone layout: the two panels stacked, each heatmap with its colour bar to its right,
    and a drop-down menu in place of the row of five buttons (which does not fit)."""
    traces, layout = stacked_layout(fig, panel_height=_NARROW_PANEL, gap=80, top=122, bottom=40)
    for index, axis in enumerate(("xaxis", "xaxis2")):
        layout[f"{axis}.domain"] = [0, _NARROW_SHARE]
        traces[index].update({"colorbar.x": _NARROW_SHARE + 0.03, "colorbar.xanchor": "left"})
    layout["xaxis.title.text"] = ""  # the lower panel's axis title serves both
    for index in range(2):
        layout[f"annotations[{index}].x"] = 0.0
        layout[f"annotations[{index}].xanchor"] = "left"
    plot = layout["height"] - fig.layout.margin.t - fig.layout.margin.b
    layout.update({"updatemenus[0].visible": False, "updatemenus[1].visible": True,
                   "updatemenus[1].y": round(1 + (fig.layout.margin.t - 78) / plot, 4),
                   "title.text": "What each relative scheme adds"})
    set_narrow(fig, traces, layout)
