"""Relative positions: every function here depends on positions only (and on learned scalars).

The split between this module and :mod:`rope_viz.relative_logits`
--------------------------------------------------------------------
- **here**: functions of the query and key positions alone: distances, clipped distances
  used as table indices (Shaw, DeBERTa), T5's buckets, and biases built from positions and a
  learned scalar per head or per bucket (T5's bias, ALiBi's slopes and bias). No query or key
  vector enters.
- :mod:`rope_viz.relative_logits`: terms that combine content vectors (queries, keys) with
  relative position *embeddings* (Shaw's a^K term, Transformer-XL's four terms, DeBERTa's
  content-to-position and position-to-content terms). They call this module for the indices.

One sign convention for the whole package
-----------------------------------------
The relative distance of query position i and key position j is **i − j (query minus key)**:
a key in the past sits at a positive distance, the query's own position at 0, a future key at
a negative distance. :func:`relative_position_matrix` returns it for every pair; RoPE's score
depends on it (chapter 5 writes m − n), ALiBi's bias is −slope·(i − j) for j <= i,
:mod:`rope_viz.decay` measures "score against distance" on it and ReRoPE's positions
(:func:`rope_viz.rerope_relative_positions`) clip it. Two sources define their formula on the
other sign, key minus query: Shaw et al. clip j − i, and T5's ``_relative_position_bucket``
takes ``memory_position − query_position``. Their functions keep the source's numbers (the
tests compare them with Hugging Face's) and say how they map from i − j.

What this module holds
----------------------
- :func:`relative_position_matrix`: i − j for every (query i, key j) pair.
- :func:`shaw_relative_indices`: Shaw et al.'s clipped relative distances, as table indices.
- :func:`t5_relative_buckets`: T5's log-spaced buckets (bidirectional or causal), number for
  number as Hugging Face's ``T5Attention._relative_position_bucket``.
- :func:`t5_bias`: T5's learned scalar per bucket, laid out as a query × key matrix.
- :func:`alibi_slopes` and :func:`alibi_bias`: ALiBi's per-head slopes (including the rule for
  head counts that are not powers of two) and its linear bias.
- :func:`deberta_relative_indices`: DeBERTa's clipped distance δ(i, j), a table index.

Matrices are indexed ``[query i, key j]``.

References
----------
- P. Shaw, J. Uszkoreit, A. Vaswani. Self-Attention with Relative Position Representations.
  arXiv:1803.02155 (2018).
- C. Raffel et al. (T5). arXiv:1910.10683 (2020); Mesh TensorFlow ``_relative_position_bucket``.
- O. Press, N. Smith, M. Lewis. ALiBi. arXiv:2108.12409 (2022); reference code
  ``ofirpress/attention_with_linear_biases`` ``get_slopes``; transformers ``build_alibi_tensor``.
- P. He et al. DeBERTa. arXiv:2006.03654 (2021), section 3.1.
- 苏剑林. 让研究人员绞尽脑汁的Transformer位置编码. kexue.fm/archives/8130 (2021).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rope_viz._validation import check_array, check_bool, check_int, fail

__all__ = [
    "relative_position_matrix",
    "shaw_relative_indices",
    "t5_relative_buckets",
    "t5_bias",
    "alibi_slopes",
    "alibi_bias",
    "deberta_relative_indices",
]


def relative_position_matrix(n_query: int, n_key: int | None = None) -> np.ndarray:
    """``out[i, j] = i − j``: query position minus key position, the package's one sign.

    Keys in the past (j < i) are at positive distances. Shaw's and T5's formulas use the
    opposite sign, j − i: pass ``-relative_position_matrix(...)`` to them (see the module
    docstring).

    Parameters
    ----------
    n_query : int
        Number of queries (>= 1), at positions 0 .. n_query − 1.
    n_key : int, optional
        Number of keys (default ``n_query``).

    Returns
    -------
    numpy.ndarray
        ``(n_query, n_key)`` int64.

    Raises
    ------
    ValueError, TypeError
        For counts that are not positive integers.

    Examples
    --------
    >>> relative_position_matrix(2, 3)
    array([[ 0, -1, -2],
           [ 1,  0, -1]])
    """
    n_query = check_int(n_query, "n_query", minimum=1)
    n_key = n_query if n_key is None else check_int(n_key, "n_key", minimum=1)
    return np.arange(n_query)[:, None] - np.arange(n_key)[None, :]  # (n_query, n_key): i − j


def shaw_relative_indices(n_query: int, n_key: int | None = None, max_distance: int = 16) -> np.ndarray:
    """Shaw et al.'s clipped relative distance, shifted to index a table of 2k + 1 vectors.

    ``out[i, j] = clip(j − i, −k, k) + k`` with k = ``max_distance``: all keys further than k
    share one learned vector per side. Shaw et al. index by key minus query, j − i; from the
    house distance d = i − j (:func:`relative_position_matrix`) that is ``k − clip(d, −k, k)``,
    so row 0 of the table belongs to keys k or more positions in the past.

    Parameters
    ----------
    n_query : int
        Number of queries (>= 1).
    n_key : int, optional
        Number of keys (default ``n_query``).
    max_distance : int
        The clipping distance k (>= 1).

    Returns
    -------
    numpy.ndarray
        ``(n_query, n_key)`` int64 in [0, 2k].

    Raises
    ------
    ValueError, TypeError
        For counts or ``max_distance`` that are not positive integers.

    References
    ----------
    Shaw et al. 2018, arXiv:1803.02155, eqs. (5)-(7).

    Examples
    --------
    >>> shaw_relative_indices(1, 5, max_distance=2)
    array([[2, 3, 4, 4, 4]])
    """
    k = check_int(max_distance, "max_distance", minimum=1)
    rel = relative_position_matrix(n_query, n_key)  # (n_query, n_key): i − j
    return k - np.clip(rel, -k, k)  # = clip(j − i, −k, k) + k


def t5_relative_buckets(
    relative_positions: Any,
    bidirectional: bool = True,
    num_buckets: int = 32,
    max_distance: int = 128,
) -> np.ndarray:
    """T5's relative position buckets, identical to Hugging Face's ``_relative_position_bucket``.

    ``relative_positions`` are key − query, j − i, as in T5 (``memory_position −
    query_position``): the negative of the house distance, so pass
    ``-relative_position_matrix(n_query, n_key)`` for a whole matrix. Bidirectional:
    half of the buckets for keys after the query, half for keys before. Causal: keys after the
    query all fall in bucket 0. Within a side, distances below ``num_buckets/2`` (of that side's
    buckets) get their own bucket; larger ones share log-spaced buckets up to ``max_distance``,
    and everything beyond shares the last bucket. The logarithm is taken in float32, as Hugging
    Face and Mesh TensorFlow do, so that the bucket edges match theirs exactly.

    Parameters
    ----------
    relative_positions : array_like
        Integer key − query distances j − i, any shape (a torch tensor is read on the CPU).
    bidirectional : bool
        Encoder (True) or causal decoder (False) buckets.
    num_buckets : int
        Total number of buckets (>= 2; >= 4 when bidirectional); 32 in T5.
    max_distance : int
        Distance at which the last bucket starts (> num_buckets of one side / 2); 128 in T5.

    Returns
    -------
    numpy.ndarray
        int64 buckets in [0, num_buckets), same shape as ``relative_positions``.

    Raises
    ------
    ValueError, TypeError
        For non-integer distances or bad bucket settings.

    References
    ----------
    Raffel et al. 2020 (T5), section 2.1; transformers ``T5Attention._relative_position_bucket``.

    Examples
    --------
    >>> t5_relative_buckets([-200, -5, 0, 5, 200]).tolist()
    [15, 5, 0, 21, 31]
    """
    rel = check_array(relative_positions, "relative_positions", integer=True,
                      what="an array of integers")  # any shape, int64
    bidirectional = check_bool(bidirectional, "bidirectional")
    num_buckets = check_int(num_buckets, "num_buckets", minimum=4 if bidirectional else 2)
    buckets = np.zeros(rel.shape, dtype=np.int64)
    if bidirectional:
        num_buckets //= 2
        buckets += (rel > 0).astype(np.int64) * num_buckets
        distance = np.abs(rel)
    else:
        distance = -np.minimum(rel, 0)
    max_exact = num_buckets // 2
    max_distance = check_int(max_distance, "max_distance", minimum=1)
    if max_distance <= max_exact:
        fail("max_distance", f"greater than the exact-bucket range {max_exact}", max_distance)
    is_small = distance < max_exact
    with np.errstate(divide="ignore"):
        # float32 throughout, in Hugging Face's order of operations
        scaled = np.log(distance.astype(np.float32) / np.float32(max_exact))
        scaled = scaled / np.float32(math.log(max_distance / max_exact)) * np.float32(num_buckets - max_exact)
    large = max_exact + np.where(is_small, 0, scaled).astype(np.int64)
    large = np.minimum(large, num_buckets - 1)
    return buckets + np.where(is_small, distance, large)


def t5_bias(
    n_query: int,
    bucket_values: Any,
    n_key: int | None = None,
    *,
    bidirectional: bool = True,
    max_distance: int = 128,
) -> np.ndarray:
    """T5's additive bias: a learned scalar per bucket of ``j − i``, one table per head.

    The bucket of the pair (i, j) is ``t5_relative_buckets(j − i)``, i.e. of the negated house
    distance ``-relative_position_matrix(n_query, n_key)``: T5's own sign.

    Parameters
    ----------
    n_query : int
        Number of queries (>= 1).
    bucket_values : array_like
        ``(num_buckets,)`` or ``(heads, num_buckets)`` learned scalars.
    n_key : int, optional
        Number of keys (default ``n_query``).
    bidirectional : bool
        Encoder (True) or causal decoder (False) buckets.
    max_distance : int
        Distance at which the last bucket starts (128 in T5).

    Returns
    -------
    numpy.ndarray
        ``(n_query, n_key)`` or ``(heads, n_query, n_key)`` float64.

    Raises
    ------
    ValueError, TypeError
        For bad counts, bucket settings or table shape.

    References
    ----------
    Raffel et al. 2020, arXiv:1910.10683, section 2.1; buckets from
    :func:`rope_viz.t5_relative_buckets`.

    Examples
    --------
    >>> t5_bias(2, [0.0, 1.0, 2.0, 3.0]).tolist()
    [[0.0, 3.0], [1.0, 0.0]]
    """
    values = check_array(bucket_values, "bucket_values", min_ndim=1, nonempty=True)
    if values.ndim > 2:
        fail("bucket_values", "an array of shape (num_buckets,) or (heads, num_buckets)", values)
    rel = -relative_position_matrix(n_query, n_key)  # (n_query, n_key): j − i, T5's sign
    buckets = t5_relative_buckets(rel, bidirectional, values.shape[-1], max_distance)
    return values[..., buckets]  # (..., n_query, n_key)


def alibi_slopes(num_heads: int) -> np.ndarray:
    """ALiBi head slopes: 2^(−8h/H) for h = 1..H when H is a power of two.

    Otherwise, with P the largest power of two below H: the P slopes for P heads, followed by
    the odd-indexed slopes (1st, 3rd, 5th, ...) of the 2P-head sequence, H − P of them: the
    rule of the ALiBi reference code and of Hugging Face's Bloom.

    Parameters
    ----------
    num_heads : int
        Number of attention heads H (>= 1).

    Returns
    -------
    numpy.ndarray
        ``(H,)`` float64 slopes in (0, 1).

    Raises
    ------
    ValueError, TypeError
        For a ``num_heads`` that is not a positive integer.

    References
    ----------
    Press et al. 2022, arXiv:2108.12409, section 3; ``get_slopes`` in
    github.com/ofirpress/attention_with_linear_biases; transformers ``bloom._get_alibi_slopes``.

    Examples
    --------
    >>> alibi_slopes(8).tolist()
    [0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625]
    """
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    power = 2 ** math.floor(math.log2(num_heads))
    slopes = 2.0 ** (-8.0 * np.arange(1, power + 1) / power)  # (P,)
    if power != num_heads:
        extra = 2.0 ** (-8.0 * np.arange(1, 2 * power + 1) / (2 * power))[0::2]  # odd ones of 2P
        slopes = np.concatenate([slopes, extra[: num_heads - power]])
    return slopes


def alibi_bias(n_query: int, num_heads: int, n_key: int | None = None) -> np.ndarray:
    """ALiBi's additive attention bias: ``−slope_h · |i − j|``, with i − j the house distance.

    For a causal model the keys j <= i are the ones that count (the rest is masked), and there
    the bias is the paper's −m·(i − j). Hugging Face's Bloom adds ``slope·j`` instead, which
    differs from this by a constant per query row and therefore gives the same softmax.

    Parameters
    ----------
    n_query : int
        Number of queries (>= 1).
    num_heads : int
        Number of heads (>= 1).
    n_key : int, optional
        Number of keys (default ``n_query``).

    Returns
    -------
    numpy.ndarray
        ``(num_heads, n_query, n_key)`` float64, <= 0.

    Raises
    ------
    ValueError, TypeError
        For counts that are not positive integers.

    References
    ----------
    Press et al. 2022, arXiv:2108.12409, figure 3.

    Examples
    --------
    >>> alibi_bias(3, 1)[0]
    array([[ 0.        , -0.00390625, -0.0078125 ],
           [-0.00390625,  0.        , -0.00390625],
           [-0.0078125 , -0.00390625,  0.        ]])
    """
    slopes = alibi_slopes(num_heads)  # (H,)
    distance = np.abs(relative_position_matrix(n_query, n_key))  # (n_query, n_key)
    return slopes[:, None, None] * -distance[None, :, :]  # (H, n_query, n_key)


def deberta_relative_indices(n_query: int, n_key: int | None = None, max_distance: int = 4) -> np.ndarray:
    """DeBERTa's relative distance δ(i, j), an index into a table of 2k positions.

    ``δ(i, j) = 0`` for ``i − j <= −k``, ``2k − 1`` for ``i − j >= k``, else ``i − j + k``.
    DeBERTa measures query minus key, the house sign: δ is ``clip(d + k, 0, 2k − 1)`` of
    :func:`relative_position_matrix`'s d.

    Parameters
    ----------
    n_query : int
        Number of queries (>= 1).
    n_key : int, optional
        Number of keys (default ``n_query``).
    max_distance : int
        k (>= 1); the table has 2k rows.

    Returns
    -------
    numpy.ndarray
        ``(n_query, n_key)`` int64 in [0, 2k − 1].

    Raises
    ------
    ValueError, TypeError
        For counts or ``max_distance`` that are not positive integers.

    References
    ----------
    He et al. 2021, arXiv:2006.03654, eq. (3).

    Examples
    --------
    >>> deberta_relative_indices(1, 5, max_distance=2).tolist()
    [[2, 1, 0, 0, 0]]
    """
    k = check_int(max_distance, "max_distance", minimum=1)
    rel = relative_position_matrix(n_query, n_key)  # (n_query, n_key): i − j
    return np.clip(rel + k, 0, 2 * k - 1)
