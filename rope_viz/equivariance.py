"""Chapter 1's demonstration: self-attention alone cannot see word order.

What this module holds
----------------------
- :func:`token_embeddings`: random embeddings, one vector per distinct word, so equal words
  get equal vectors.
- :func:`permutation_equivariance` and :class:`EquivarianceDemo`: one attention layer
  (:func:`rope_viz.self_attention`) run on several orderings of a sentence, its outputs
  indexed by the original tokens.
- :func:`attention_patterns`: the same layer's attention weights for each ordering, in reading
  order: without positions, a shuffle only moves the weights with their words.

Self-attention is permutation-equivariant: shuffle the input tokens and the outputs are
shuffled the same way, each token's output unchanged. So "the dog chased another dog" gives
both "dog" tokens the same output, whatever their places in the sentence. Adding sinusoidal
position encodings breaks the tie. Everything is random and untrained (nothing downloaded).

Shapes: ``n`` tokens, ``dim`` model dimensions. Randomness follows the package's ``rng``
contract (see :mod:`rope_viz._validation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rope_viz._validation import check_bool, check_dim, check_float, check_generator, fail
from rope_viz.attention import self_attention

__all__ = ["token_embeddings", "EquivarianceDemo", "permutation_equivariance", "attention_patterns"]


def _check_tokens(tokens) -> tuple:
    if isinstance(tokens, str):
        tokens = tokens.split()
    if not isinstance(tokens, Sequence) or not all(isinstance(t, str) for t in tokens):
        fail("tokens", "a sentence string or a sequence of strings", tokens, kind=TypeError)
    if len(tokens) == 0:
        fail("tokens", "at least one token", tokens)
    return tuple(tokens)


def token_embeddings(tokens, dim: int = 16, *, rng: Any = 0, std: float = 1.0) -> np.ndarray:
    """Random embeddings, one vector per distinct token: equal tokens get equal vectors.

    Parameters
    ----------
    tokens : str or sequence of str
        A sentence (split on whitespace) or its tokens.
    dim : int
        Embedding dimension.
    rng : int or numpy.random.Generator
        Source of the vocabulary's random vectors (an int seed gives the same vectors on every
        call). Distinct words are drawn in sorted order, so a word's vector depends on the
        draws and the vocabulary, not on word order.
    std : float
        Standard deviation of each component (> 0).

    Returns
    -------
    numpy.ndarray
        ``(n, dim)`` float64 array, row ``i`` the embedding of ``tokens[i]``.
    """
    tokens = _check_tokens(tokens)
    dim = check_dim(dim, even=False)
    std = check_float(std, "std", minimum=0.0)
    generator = check_generator(rng)
    vocabulary = list(dict.fromkeys(sorted(tokens)))
    table = generator.normal(0.0, std, size=(len(vocabulary), dim))  # (vocabulary, dim)
    return table[[vocabulary.index(t) for t in tokens]]  # (n, dim)


@dataclass(frozen=True)
class EquivarianceDemo:
    """Outputs of one attention layer for several orderings of the same sentence.

    Attributes
    ----------
    tokens : tuple of str
        The sentence in its original order.
    orders : tuple of tuple of int
        Each ordering as a permutation of ``range(n)``: ordering ``k`` reads
        ``[tokens[i] for i in orders[k]]``.
    outputs : numpy.ndarray
        ``(len(orders), n, dim)``: ``outputs[k, i]`` is the output for original token ``i``
        when the sentence is read in ordering ``k`` (rows follow the tokens, not the slots).
    with_positions : bool
        Whether sinusoidal position encodings were added to the embeddings.
    """

    tokens: tuple
    orders: tuple
    outputs: np.ndarray
    with_positions: bool


def _check_orders(orders, n: int) -> list:
    """``orders`` checked as permutations of ``range(n)`` (default: the original order, its
    reverse and two rotations)."""
    if orders is None:
        orders = [tuple(range(n)), tuple(reversed(range(n)))]
        orders += [tuple((i + s) % n for i in range(n)) for s in (1, 2) if s < n]
    checked = []
    for order in orders:
        order = tuple(int(i) for i in order)
        if sorted(order) != list(range(n)):
            fail("orders", f"permutations of range({n})", order)
        checked.append(order)
    return checked


def permutation_equivariance(
    tokens="the dog chased another dog",
    orders: Sequence[Sequence[int]] | None = None,
    *,
    dim: int = 16,
    num_heads: int = 2,
    rng: Any = 0,
    with_positions: bool = False,
) -> EquivarianceDemo:
    """Run one attention layer on several orderings of a sentence.

    Parameters
    ----------
    tokens : str or sequence of str
        The sentence.
    orders : sequence of permutations, optional
        Orderings to try, each a permutation of ``range(n)``. By default the original order,
        its reverse and two rotations.
    dim, num_heads : int
        Embedding size and heads.
    rng : int or numpy.random.Generator
        Source of the embeddings and the layer's weights. One seed is taken from it per call,
        so every ordering sees the same embeddings and the same layer.
    with_positions : bool
        Add sinusoidal position encodings (position = slot in the reordered sentence) to the
        embeddings before attention.

    Returns
    -------
    EquivarianceDemo
        Outputs indexed by original token, so that without positions every ordering gives
        the same array.
    """
    from rope_viz.rope_attention import seed_from_rng

    tokens = _check_tokens(tokens)
    with_positions = check_bool(with_positions, "with_positions")
    seed = seed_from_rng(rng)
    n = len(tokens)
    checked = _check_orders(orders, n)
    embeddings = token_embeddings(tokens, dim, rng=seed)  # (n, dim)
    outputs = []
    for order in checked:
        x = embeddings[list(order)]  # (n, dim), slot j holds token order[j]
        if with_positions:
            from rope_viz.absolute import sinusoidal_encoding

            x = x + sinusoidal_encoding(np.arange(n), dim)
        out = self_attention(x, num_heads=num_heads, rng=seed)  # (n, dim), by slot
        by_token = np.empty_like(out)
        by_token[list(order)] = out  # (n, dim), by original token
        outputs.append(by_token)
    return EquivarianceDemo(tokens, tuple(checked), np.stack(outputs), with_positions)


def attention_patterns(
    tokens="the dog chased another dog",
    orders: Sequence[Sequence[int]] | None = None,
    *,
    dim: int = 16,
    num_heads: int = 2,
    rng: Any = 0,
    with_positions: bool = False,
) -> np.ndarray:
    """Attention weights of the layer of :func:`permutation_equivariance`, per ordering.

    The same random ``torch.nn.MultiheadAttention`` layer and embeddings as
    :func:`permutation_equivariance` (same arguments, same seed), its weights averaged over the
    heads. Entry ``[k, i, j]`` is how much the word in slot ``i`` of ordering ``k`` attends to
    the word in slot ``j``. Without positions, ordering ``k`` gives ``P A P^T`` for the
    original order's weights ``A`` and the permutation ``P``: the weights move with their words.

    Parameters
    ----------
    tokens, orders, dim, num_heads, rng, with_positions
        As in :func:`permutation_equivariance`.

    Returns
    -------
    numpy.ndarray
        ``(len(orders), n, n)`` float64, each row summing to 1, rows and columns in reading
        order (slots).

    Raises
    ------
    ValueError, TypeError
        For bad tokens, orders, ``dim``, ``num_heads``, ``rng`` or ``with_positions``.
    """
    import torch

    from rope_viz._validation import check_int
    from rope_viz.rope_attention import fork_torch_rng, seed_from_rng

    tokens = _check_tokens(tokens)
    with_positions = check_bool(with_positions, "with_positions")
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    seed = seed_from_rng(rng)
    n = len(tokens)
    checked = _check_orders(orders, n)
    embeddings = token_embeddings(tokens, dim, rng=seed)  # (n, dim)
    if dim % num_heads:
        fail("num_heads", f"a divisor of dim = {dim}", num_heads)
    with fork_torch_rng(seed):  # the layer of rope_viz.self_attention(..., rng=seed)
        layer = torch.nn.MultiheadAttention(dim, num_heads, batch_first=True, dtype=torch.float64)
    patterns = []
    for order in checked:
        x = embeddings[list(order)]  # (n, dim), slot j holds token order[j]
        if with_positions:
            from rope_viz.absolute import sinusoidal_encoding

            x = x + sinusoidal_encoding(np.arange(n), dim)
        inputs = torch.from_numpy(x)[None]  # (1, n, dim)
        with torch.no_grad():
            _, weights = layer(inputs, inputs, inputs, need_weights=True,
                               average_attn_weights=True)  # (1, n, n)
        patterns.append(weights[0].numpy())
    return np.stack(patterns)  # (orders, n, n)
