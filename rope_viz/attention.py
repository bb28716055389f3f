"""Attention examples: why self-attention cannot see word order.

Self-attention is permutation-equivariant: shuffle the input tokens and the outputs are
shuffled the same way, each token's output unchanged. So "the dog chased another dog" gives
both "dog" tokens the same output, whatever their places in the sentence. This module builds
that demonstration from random token embeddings and ``torch.nn.MultiheadAttention`` (no
trained model, nothing downloaded).

Shapes: ``n`` tokens, ``dim`` model dimensions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rope_viz._validation import check_bool, check_dim, check_int, fail

__all__ = ["token_embeddings", "self_attention", "EquivarianceDemo", "permutation_equivariance"]


def _check_tokens(tokens) -> tuple:
    if isinstance(tokens, str):
        tokens = tokens.split()
    if not isinstance(tokens, Sequence) or not all(isinstance(t, str) for t in tokens):
        fail("tokens", "a sentence string or a sequence of strings", tokens, kind=TypeError)
    if len(tokens) == 0:
        fail("tokens", "at least one token", tokens)
    return tuple(tokens)


def token_embeddings(tokens, dim: int = 16, *, seed: int = 0, std: float = 1.0) -> np.ndarray:
    """Random embeddings, one vector per distinct token: equal tokens get equal vectors.

    Parameters
    ----------
    tokens : str or sequence of str
        A sentence (split on whitespace) or its tokens.
    dim : int
        Embedding dimension.
    seed : int
        Seed of the vocabulary's random vectors. Distinct words are drawn in sorted order, so
        a word's vector depends on the seed and the vocabulary, not on word order.
    std : float
        Standard deviation of each component.

    Returns
    -------
    numpy.ndarray
        ``(n, dim)`` float64 array, row ``i`` the embedding of ``tokens[i]``.
    """
    tokens = _check_tokens(tokens)
    dim = check_dim(dim, even=False)
    seed = check_int(seed, "seed", minimum=0)
    vocabulary = list(dict.fromkeys(sorted(tokens)))
    table = np.random.default_rng(seed).normal(0.0, std, size=(len(vocabulary), dim))
    return table[[vocabulary.index(t) for t in tokens]]  # (n, dim)


def self_attention(x, *, num_heads: int = 2, seed: int = 0, causal: bool = False) -> np.ndarray:
    """One randomly initialised ``torch.nn.MultiheadAttention`` layer applied to ``x``.

    Parameters
    ----------
    x : array_like
        ``(n, dim)`` token vectors; ``dim`` must be divisible by ``num_heads``.
    num_heads : int
        Number of attention heads.
    seed : int
        Seed of the layer's weights (torch's global random state is left untouched).
    causal : bool
        Let each token attend only to itself and the tokens before it.

    Returns
    -------
    numpy.ndarray
        ``(n, dim)`` attention outputs, float64.
    """
    import torch

    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or 0 in x.shape:
        fail("x", "a 2-D array of shape (n, dim)", x)
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    causal = check_bool(causal, "causal")
    n, dim = x.shape
    if dim % num_heads:
        fail("num_heads", f"a divisor of dim = {dim}", num_heads)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layer = torch.nn.MultiheadAttention(dim, num_heads, batch_first=True, dtype=torch.float64)
    tokens = torch.from_numpy(x)[None]  # (1, n, dim)
    # torch masks where attn_mask is True: the keys after the query
    mask = torch.ones(n, n, dtype=torch.bool).triu(diagonal=1) if causal else None  # (n, n)
    with torch.no_grad():
        out, _ = layer(tokens, tokens, tokens, attn_mask=mask, need_weights=False)
    return out[0].numpy()  # (n, dim)


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


def permutation_equivariance(
    tokens="the dog chased another dog",
    orders: Sequence[Sequence[int]] | None = None,
    *,
    dim: int = 16,
    num_heads: int = 2,
    seed: int = 0,
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
    dim, num_heads, seed : int
        Embedding size, heads, and the seed of embeddings and weights.
    with_positions : bool
        Add sinusoidal position encodings (position = slot in the reordered sentence) to the
        embeddings before attention.

    Returns
    -------
    EquivarianceDemo
        Outputs indexed by original token, so that without positions every ordering gives
        the same array.
    """
    tokens = _check_tokens(tokens)
    n = len(tokens)
    if orders is None:
        orders = [tuple(range(n)), tuple(reversed(range(n)))]
        orders += [tuple((i + s) % n for i in range(n)) for s in (1, 2) if s < n]
    checked = []
    for order in orders:
        order = tuple(int(i) for i in order)
        if sorted(order) != list(range(n)):
            fail("orders", f"permutations of range({n})", order)
        checked.append(order)
    embeddings = token_embeddings(tokens, dim, seed=seed)  # (n, dim)
    outputs = []
    for order in checked:
        x = embeddings[list(order)]  # (n, dim), slot j holds token order[j]
        if with_positions:
            from rope_viz.absolute import sinusoidal_encoding

            x = x + sinusoidal_encoding(np.arange(n), dim)
        out = self_attention(x, num_heads=num_heads, seed=seed)  # (n, dim), by slot
        by_token = np.empty_like(out)
        by_token[list(order)] = out  # (n, dim), by original token
        outputs.append(by_token)
    return EquivarianceDemo(tokens, tuple(checked), np.stack(outputs), bool(with_positions))
