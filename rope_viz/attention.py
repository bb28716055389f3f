"""Attention in numpy: the one place where logits become weights.

What this module holds
----------------------
- :func:`causal_mask`: which keys each query may see under the causal mask (``j <= i``).
- :func:`attention_weights_from_logits`: softmax (or l2, or no) normalisation of a row of
  logits, with or without the causal mask. Every numpy attention in the package ends here.
- :func:`attention_from_logits`: those weights times the values, with Shaw's optional
  relative value term: ``o_i = Σ_j w_ij (v_j + r_ij)`` (the last step of attention, for the
  relative schemes of the zoo and Su's probe).
- :func:`attention_weights`: ``softmax(scale · q kᵀ)`` for given queries and keys, i.e. the
  logits ``scale · q kᵀ`` handed to :func:`attention_weights_from_logits`.
- :func:`self_attention`: one randomly initialised ``torch.nn.MultiheadAttention`` layer
  (no position encoding), causal or bidirectional, applied to numpy token vectors.

The torch attention that the GPU chapter and the tiny transformer use lives in
:mod:`rope_viz.rope_attention`; chapter 1's permutation demonstration in
:mod:`rope_viz.equivariance`.

Conventions
-----------
Matrices are indexed ``[query i, key j]``; ``q`` and ``k`` are ``(..., n, dim)``, logits
``(..., n_query, n_key)``. The causal mask lets query ``i`` see key ``j`` when ``j <= i`` and
needs ``n_query == n_key``. Masked logits are set to ``-inf`` before the normalisation, so
they get weight exactly 0. Random weights follow the package's ``rng`` contract (see
:mod:`rope_viz._validation`).

References
----------
- A. Vaswani et al. Attention Is All You Need. NeurIPS 2017 (scaled dot-product attention).
- P. Shaw, J. Uszkoreit, A. Vaswani. Self-Attention with Relative Position Representations.
  arXiv:1803.02155 (2018), eq. (3) (the relative value term).
- 苏剑林. 相对位置编码Transformer的一个理论缺陷与对策. kexue.fm/archives/9105 (2022): the
  probe, and the l2 normalisation of ``exp(logit)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rope_viz._validation import check_array, check_bool, check_choice, check_float, check_int, fail

__all__ = [
    "NORMALIZATIONS",
    "causal_mask",
    "attention_weights_from_logits",
    "attention_from_logits",
    "attention_weights",
    "self_attention",
]

#: How :func:`attention_weights_from_logits` scales a row of ``exp(logit)``.
NORMALIZATIONS = ("softmax", "l2", "none")


def causal_mask(n: int) -> np.ndarray:
    """The causal mask: ``mask[i, j]`` is True when query ``i`` may look at key ``j <= i``.

    Parameters
    ----------
    n : int
        Number of tokens (>= 1).

    Returns
    -------
    numpy.ndarray
        ``(n, n)`` bool, lower triangular with the diagonal.

    Examples
    --------
    >>> causal_mask(3).astype(int)
    array([[1, 0, 0],
           [1, 1, 0],
           [1, 1, 1]])
    """
    n = check_int(n, "n", minimum=1)
    return np.tril(np.ones((n, n), dtype=bool))


def attention_weights_from_logits(
    logits: Any, *, causal: bool = False, normalization: str = "softmax"
) -> np.ndarray:
    """Attention weights from logits: ``exp(logit)`` per row, masked and normalised.

    ``normalization="softmax"`` makes every row sum to 1; ``"l2"`` divides ``exp(logit)`` by
    the row's l2 norm instead (Su's variant, kexue.fm/archives/9105); ``"none"`` keeps
    ``exp(logit)`` as it is. With ``causal`` the logits of keys after the query are set to
    ``-inf`` first, so those weights are exactly 0.

    Parameters
    ----------
    logits : array_like
        ``(..., n_query, n_key)`` logits (scaling and any bias already added).
    causal : bool
        Mask keys ``j > i`` (needs a square ``(..., n, n)`` matrix).
    normalization : {"softmax", "l2", "none"}
        How a row of ``exp(logit)`` is scaled.

    Returns
    -------
    numpy.ndarray
        ``(..., n_query, n_key)`` float64 weights.

    Raises
    ------
    TypeError, ValueError
        For logits that are not a finite real array with at least 2 axes, ``causal`` with a
        non-square matrix, or an unknown ``normalization``.

    Examples
    --------
    >>> attention_weights_from_logits(np.zeros((3, 3)), causal=True)[:, 0]
    array([1.        , 0.5       , 0.33333333])
    """
    logits = check_array(logits, "logits", min_ndim=2, nonempty=True,
                         what="an array of real numbers of shape (..., n_query, n_key)")
    causal = check_bool(causal, "causal")
    normalization = check_choice(normalization, "normalization", NORMALIZATIONS)
    n_query, n_key = logits.shape[-2:]
    if causal:
        if n_query != n_key:
            fail("logits", "a square (..., n, n) matrix when causal=True", logits)
        logits = np.where(causal_mask(n_query), logits, -np.inf)  # (..., n, n): key j <= i
    top = logits.max(axis=-1, keepdims=True)  # (..., n_query, 1): finite, the diagonal is kept
    weights = np.exp(logits - top)  # (..., n_query, n_key), shifted for stability
    if normalization == "softmax":
        return weights / weights.sum(axis=-1, keepdims=True)
    if normalization == "l2":
        return weights / np.linalg.norm(weights, axis=-1, keepdims=True)
    return weights * np.exp(top)  # undo the shift: exp(logit) itself


def attention_from_logits(
    logits: Any,
    values: Any,
    *,
    causal: bool = False,
    normalization: str = "softmax",
    value_terms: Any = None,
) -> np.ndarray:
    """Turn logits into weights and mix the values: ``o_i = Σ_j w_ij (v_j + r_ij)``.

    The weights are :func:`attention_weights_from_logits` (softmax, l2 or none; optional
    causal mask). ``value_terms`` ``r_ij`` are Shaw's relative value embeddings a^V_ij, one
    vector per (query, key) pair.

    Parameters
    ----------
    logits : array_like
        ``(..., n, n)`` attention logits (everything before normalisation, scaling included).
    values : array_like
        ``(..., n, d_v)`` values.
    causal : bool
        Mask keys j > i.
    normalization : {"softmax", "l2", "none"}
        How a row of ``exp(logit)`` is scaled (see :func:`attention_weights_from_logits`).
    value_terms : array_like, optional
        ``(n, n, d_v)`` vectors added to the values per (query, key) pair.

    Returns
    -------
    numpy.ndarray
        ``(..., n, d_v)`` float64 outputs.

    Raises
    ------
    ValueError, TypeError
        For shapes that do not fit together or an unknown ``normalization``.

    References
    ----------
    kexue.fm/archives/9105 (Su's probe and the l2 normalisation); Shaw et al. 2018, eq. (3).

    Examples
    --------
    >>> attention_from_logits(np.zeros((2, 2)), [[1.0], [3.0]]).tolist()
    [[2.0], [2.0]]
    """
    weights = attention_weights_from_logits(logits, causal=causal, normalization=normalization)
    values = check_array(values, "values", min_ndim=2,
                         what="an array of real numbers of shape (..., n, d_v)")
    n_query, n_key = weights.shape[-2:]
    if values.shape[-2] != n_key:
        fail("values", f"one row per key ({n_key}, from logits.shape[-1])", values)
    out = weights @ values  # (..., n, d_v)
    if value_terms is not None:
        terms = check_array(value_terms, "value_terms", ndim=3,
                            what="an array of real numbers of shape (n, n, d_v)")
        if terms.shape != (n_query, n_key, values.shape[-1]):
            fail("value_terms", f"an array of shape {(n_query, n_key, values.shape[-1])}", terms)
        out = out + np.einsum("...ij,ijd->...id", weights, terms)  # (..., n, d_v)
    return out


def attention_weights(q, k, *, causal: bool = True, scale: float | None = None) -> np.ndarray:
    """Softmax attention weights ``softmax(scale · q kᵀ)``, causal or bidirectional.

    The logits ``scale · q kᵀ`` go to :func:`attention_weights_from_logits`.

    Parameters
    ----------
    q, k : array_like
        ``(..., n, dim)`` queries and keys (the same ``n`` and ``dim``).
    causal : bool
        Mask out keys after the query (``j > i``) before the softmax.
    scale : float, optional
        Multiplies the scores; default ``1/sqrt(dim)``.

    Returns
    -------
    numpy.ndarray
        ``(..., n, n)`` float64; row ``i`` sums to 1 and, when ``causal``, is zero past ``i``.

    Examples
    --------
    >>> attention_weights(np.zeros((3, 2)), np.zeros((3, 2)))[:, 0]
    array([1.        , 0.5       , 0.33333333])
    """
    what = "an array of real numbers of shape (..., n, dim) with n, dim >= 1"
    q = check_array(q, "q", min_ndim=2, nonempty=True, what=what)
    k = check_array(k, "k", min_ndim=2, nonempty=True, what=what)
    if q.shape != k.shape:
        fail("k", f"an array of the same shape as q {q.shape}", k)
    causal = check_bool(causal, "causal")
    scale = 1.0 / np.sqrt(q.shape[-1]) if scale is None else check_float(scale, "scale", minimum=0.0)
    logits = scale * (q @ np.swapaxes(k, -1, -2))  # (..., n, n): query i, key j
    return attention_weights_from_logits(logits, causal=causal)


def self_attention(x, *, num_heads: int = 2, rng: Any = 0, causal: bool = False) -> np.ndarray:
    """One randomly initialised ``torch.nn.MultiheadAttention`` layer applied to ``x``.

    No position encoding: with ``causal=False`` the layer is permutation-equivariant (chapter
    1); with ``causal=True`` each token attends only to itself and the tokens before it (the
    NoPE chapter).

    Parameters
    ----------
    x : array_like
        ``(n, dim)`` token vectors; ``dim`` must be divisible by ``num_heads``.
    num_heads : int
        Number of attention heads.
    rng : int or numpy.random.Generator
        Source of the layer's weights, per the package's rng contract: an int seeds torch
        directly (the same layer on every call), a Generator gives one seed draw per call.
        Torch's global random state is left untouched.
    causal : bool
        Let each token attend only to itself and the tokens before it.

    Returns
    -------
    numpy.ndarray
        ``(n, dim)`` attention outputs, float64.
    """
    import torch

    from rope_viz.rope_attention import fork_torch_rng

    x = check_array(x, "x", ndim=2, nonempty=True, what="a 2-D array of shape (n, dim)")
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    causal = check_bool(causal, "causal")
    n, dim = x.shape
    if dim % num_heads:
        fail("num_heads", f"a divisor of dim = {dim}", num_heads)
    with fork_torch_rng(rng):
        layer = torch.nn.MultiheadAttention(dim, num_heads, batch_first=True, dtype=torch.float64)
    tokens = torch.from_numpy(x)[None]  # (1, n, dim)
    # torch masks where attn_mask is True: the keys after the query
    mask = torch.from_numpy(~causal_mask(n)) if causal else None  # (n, n)
    with torch.no_grad():
        out, _ = layer(tokens, tokens, tokens, attn_mask=mask, need_weights=False)
    return out[0].numpy()  # (n, dim)
