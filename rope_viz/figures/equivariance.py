"""Figure: shuffling a sentence shuffles attention's outputs and changes nothing else.

What this module holds
----------------------
- :func:`plot_permutation_equivariance`: chapter 1's demonstration
  (:func:`rope_viz.permutation_equivariance`) as two heatmaps with a slider over word orders.
- :func:`plot_attention_shuffle`: the layer's attention weights in reading order
  (:func:`rope_viz.attention_patterns`), without and with positions, a slider over word
  orders; :func:`attention_shuffle_changes` is what one word order changes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from rope_viz._validation import check_bool, check_int
from rope_viz.equivariance import attention_patterns, permutation_equivariance
from rope_viz.figures._style import (
    DIVERGING,
    SEQUENTIAL,
    base_layout,
    rounded,
    set_narrow,
    slider,
    stacked_layout,
    step_args,
    subplots,
)

__all__ = ["plot_permutation_equivariance", "plot_attention_shuffle", "attention_shuffle_changes"]


def _order_title(tokens: tuple, order: tuple) -> str:
    """The figure title for one word order: the sentence as read."""
    return "Read as \u201c" + " ".join(tokens[i] for i in order) + "\u201d"


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
        return _order_title(plain.tokens, plain.orders[k])

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
    traces, layout = stacked_layout(fig, panel_height=230, gap=95, top=85, bottom=150)
    plot = layout["height"] - 70 - 60
    layout.update({"sliders[0].y": round(layout["yaxis2.domain"][0] - 60 / plot, 4),
                   "xaxis.tickangle": 0, "xaxis2.tickangle": 0})
    set_narrow(fig, traces, layout)
    return fig


def _shuffle_arguments(tokens, orders, dim, num_heads, rng):
    from rope_viz.rope_attention import seed_from_rng

    seed = seed_from_rng(rng)
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    demo = permutation_equivariance(tokens, orders, dim=dim, num_heads=num_heads, rng=seed)
    return demo.tokens, list(demo.orders), seed


def _shuffle_changes(tokens: tuple, order: tuple, plain, placed) -> tuple:
    words = [tokens[i] for i in order]
    traces = {0: {"z": rounded(plain, 2)}, 1: {"z": rounded(placed, 2)}}
    layout = {"title.text": _order_title(tokens, order)}
    for axis in ("xaxis", "yaxis", "xaxis2", "yaxis2"):
        layout[f"{axis}.ticktext"] = words
    return traces, layout


def attention_shuffle_changes(
    tokens="the dog chased another dog",
    orders=None,
    *,
    order: int = 0,
    dim: int = 16,
    num_heads: int = 2,
    rng: Any = 0,
) -> tuple:
    """What reading the sentence in word order ``order`` changes in :func:`plot_attention_shuffle`.

    Parameters
    ----------
    tokens, orders, dim, num_heads, rng
        As in :func:`plot_attention_shuffle`.
    order : int
        Which of the word orders (0 is the first).

    Returns
    -------
    tuple
        ``(traces, layout)`` in the shape of :mod:`rope_viz.figures._style`: the weights
        (``z``) of both panels, the title and the words as tick labels of every axis.

    Raises
    ------
    ValueError, TypeError
        For bad tokens, orders, ``order``, ``dim``, ``num_heads`` or ``rng``.
    """
    tokens, orders, seed = _shuffle_arguments(tokens, orders, dim, num_heads, rng)
    order = check_int(order, "order", minimum=0, maximum=len(orders) - 1)
    chosen = [orders[order]]
    plain = attention_patterns(tokens, chosen, dim=dim, num_heads=num_heads, rng=seed)[0]
    placed = attention_patterns(tokens, chosen, dim=dim, num_heads=num_heads, rng=seed,
                                with_positions=True)[0]
    return _shuffle_changes(tokens, orders[order], plain, placed)


def plot_attention_shuffle(
    tokens="the dog chased another dog",
    orders=None,
    *,
    dim: int = 16,
    num_heads: int = 2,
    rng: Any = 0,
    controls: bool = True,
) -> go.Figure:
    """Who attends to whom, as the sentence is read in several orders.

    Two heatmaps of the attention weights of one random layer (averaged over its heads), rows
    the querying word and columns the word attended to, both in reading order. Without
    positions (left) a new word order only moves rows and columns with their words: every
    word keeps its weights to every other word, and the two "dog" rows are equal. With
    sinusoidal positions added (right) the weights themselves change. The slider picks the
    word order; the cells print the weights.

    Parameters
    ----------
    tokens : str or sequence of str
        The sentence.
    orders : sequence of permutations, optional
        Word orders for the slider (see :func:`rope_viz.permutation_equivariance`).
    dim, num_heads : int
        Embedding size and heads.
    rng : int or numpy.random.Generator
        Source of the embeddings and the layer's weights (one seed, both panels).
    controls : bool
        Draw the slider (default). ``False``: no slider; the figure shows the first order.

    Returns
    -------
    plotly.graph_objects.Figure
        Two heatmap traces (no positions, with positions) and a slider with a step per word
        order, each made from :func:`attention_shuffle_changes`.

    Raises
    ------
    ValueError, TypeError
        For bad tokens, orders, ``dim``, ``num_heads``, ``rng`` or ``controls``.
    """
    tokens, orders, seed = _shuffle_arguments(tokens, orders, dim, num_heads, rng)
    controls = check_bool(controls, "controls")
    if not controls:
        orders = orders[:1]
    plain = attention_patterns(tokens, orders, dim=dim, num_heads=num_heads, rng=seed)
    placed = attention_patterns(tokens, orders, dim=dim, num_heads=num_heads, rng=seed,
                                with_positions=True)
    changes = [_shuffle_changes(tokens, order, plain[k], placed[k])
               for k, order in enumerate(orders)]
    n = len(tokens)
    fig = subplots(rows=1, cols=2, horizontal_spacing=0.16,
                   subplot_titles=("no positions", "with sinusoidal positions"))
    for col in (1, 2):
        fig.add_trace(go.Heatmap(
            **changes[0][0][col - 1], x=list(range(n)), y=list(range(n)),
            colorscale=SEQUENTIAL, zmin=0.0, zmax=float(max(plain.max(), placed.max())),
            texttemplate="%{z:.2f}", textfont=dict(size=11),
            showscale=col == 2, colorbar=dict(title="weight"),
            hovertemplate="weight %{z:.3f}<extra></extra>",
        ), 1, col)
    steps = [dict(method="update", label=str(k + 1), args=step_args(*change))
             for k, change in enumerate(changes)]
    fig.update_layout(**base_layout(
        title=changes[0][1]["title.text"],
        height=440,
        sliders=[slider(steps, prefix="word order ", y=-0.16)] if controls else [],
        margin=dict(l=80, r=30, t=80, b=110 if controls else 60),
    ))
    words = changes[0][1]["xaxis.ticktext"]
    fig.update_xaxes(tickvals=list(range(n)), ticktext=words, title_text="attends to", tickangle=0)
    fig.update_yaxes(tickvals=list(range(n)), ticktext=words, autorange="reversed")
    fig.update_yaxes(title_text="word", row=1, col=1)
    traces, layout = stacked_layout(fig, panel_height=260, gap=135, top=85,
                                    bottom=190 if controls else 90)
    if controls:
        plot = layout["height"] - 80 - 110
        layout["sliders[0].y"] = round(layout["yaxis2.domain"][0] - 80 / plot, 4)
    layout.update({"yaxis2.title.text": "word", "xaxis.tickangle": -90, "xaxis2.tickangle": -90})
    set_narrow(fig, traces, layout)
    return fig
