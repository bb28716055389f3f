"""Figure: shuffling a sentence shuffles attention's outputs and changes nothing else.

What this module holds
----------------------
- :func:`plot_permutation_equivariance`: chapter 1's demonstration
  (:func:`rope_viz.permutation_equivariance`) as two heatmaps with a slider over word orders.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from rope_viz.equivariance import permutation_equivariance
from rope_viz.figures._style import DIVERGING, base_layout, rounded, slider, subplots

__all__ = ["plot_permutation_equivariance"]


def _row_labels(tokens: tuple) -> list:
    """Token labels made unique by occurrence: ('dog', 'dog') -> ('dog (1st)', 'dog (2nd)')."""
    ordinals = ("1st", "2nd", "3rd")
    labels = []
    for i, token in enumerate(tokens):
        count = tokens.count(token)
        if count == 1:
            labels.append(token)
        else:
            k = tokens[:i].count(token)
            labels.append(f"{token} ({ordinals[k] if k < 3 else f'{k + 1}th'})")
    return labels


def plot_permutation_equivariance(
    tokens="the dog chased another dog",
    orders=None,
    *,
    dim: int = 16,
    num_heads: int = 2,
    rng: Any = 0,
) -> go.Figure:
    """Attention outputs per token, without and with positions, for several word orders.

    Two heatmaps side by side; each row is one token of the original sentence, each column
    one output dimension of a randomly initialised attention layer. The slider reads the
    sentence in another order (named in the title). Without positions the left panel never changes and the two
    "dog" rows are identical; with sinusoidal positions added (right) the outputs change with
    the order and the two dogs differ.

    Parameters
    ----------
    tokens : str or sequence of str
        The sentence.
    orders : sequence of permutations, optional
        Word orders for the slider (see :func:`rope_viz.permutation_equivariance`).
    dim, num_heads : int
        Embedding size and heads.
    rng : int or numpy.random.Generator
        Source of the embeddings and the layer's weights; one seed is taken from it, so both
        panels show the same embeddings and the same layer.

    Returns
    -------
    plotly.graph_objects.Figure
        Two heatmap traces and one slider with a step per word order.
    """
    from rope_viz.rope_attention import seed_from_rng

    seed = seed_from_rng(rng)  # one seed for both panels
    plain = permutation_equivariance(
        tokens, orders, dim=dim, num_heads=num_heads, rng=seed, with_positions=False
    )
    placed = permutation_equivariance(
        tokens, orders, dim=dim, num_heads=num_heads, rng=seed, with_positions=True
    )
    labels = _row_labels(plain.tokens)
    limit = float(np.abs(np.concatenate([plain.outputs, placed.outputs])).max())
    heat = dict(colorscale=DIVERGING, zmin=-limit, zmax=limit, y=labels,
                x=list(range(plain.outputs.shape[-1])))
    fig = subplots(
        rows=1, cols=2, horizontal_spacing=0.12,
        subplot_titles=("no positions", "with sinusoidal positions"),
    )
    fig.add_trace(go.Heatmap(z=rounded(plain.outputs[0]), showscale=False, **heat), 1, 1)
    fig.add_trace(go.Heatmap(z=rounded(placed.outputs[0]), colorbar=dict(title="output"), **heat), 1, 2)
    def title(k: int) -> str:
        sentence = " ".join(plain.tokens[i] for i in plain.orders[k])
        return f"Word order {k + 1}: \u201c{sentence}\u201d"

    steps = [
        dict(
            method="update",
            label=str(k + 1),
            args=[
                {"z": [rounded(plain.outputs[k]), rounded(placed.outputs[k])]},
                {"title.text": title(k)},
                [0, 1],
            ],
        )
        for k in range(len(plain.orders))
    ]
    fig.update_layout(**base_layout(
        title=title(0),
        height=440,
        sliders=[slider(steps, prefix="word order ", y=-0.14)],
    ))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="output dimension")
    return fig
