"""Relative logit terms: content vectors (queries, keys) combined with relative position
embeddings, the zoo's schemes that need more than positions.

The split between this module and :mod:`rope_viz.relative`
-----------------------------------------------------------
- :mod:`rope_viz.relative`: functions of positions only (distances, clipped indices, T5's
  buckets and bias, ALiBi's slopes and bias, DeBERTa's δ(i, j)).
- **here**: terms in which a query or key vector meets a relative position embedding: Shaw's
  q_i·a^K term, Transformer-XL's four terms, DeBERTa's content-to-position and
  position-to-content terms. The indices come from :mod:`rope_viz.relative`, and so does the
  sign: distances are query minus key, i − j (see that module's docstring); where a paper
  writes its formula on the other sign (Shaw's j − i) the function says so.

What this module holds
----------------------
- :func:`shaw_bias`: Shaw et al.'s key term q_i·a^K_(clip(j − i)).
- :func:`transformer_xl_terms`: Transformer-XL's four logit terms (a) to (d), with a relative
  sinusoid R_(i−j) and the trainable global vectors u, v.
- :func:`deberta_terms`: DeBERTa's content-to-content, content-to-position and
  position-to-content terms, indexed by :func:`rope_viz.deberta_relative_indices`.

Attention from these logits (softmax, causal mask, Shaw's value term) is
:func:`rope_viz.attention_from_logits`, in :mod:`rope_viz.attention`.

Matrices are indexed ``[query i, key j]``. Token vectors are rows (``x @ w_q``), as in the
papers. Every function takes projected vectors or tables as arguments and draws nothing at
random: the chapters pass in random weights from an explicit generator.

References
----------
- P. Shaw, J. Uszkoreit, A. Vaswani. Self-Attention with Relative Position Representations.
  arXiv:1803.02155 (2018).
- Z. Dai et al. Transformer-XL. arXiv:1901.02860 (2019), section 3.3.
- P. He et al. DeBERTa. arXiv:2006.03654 (2021), section 3.1.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rope_viz._validation import check_array, check_float, check_int, fail
from rope_viz.absolute import sinusoidal_encoding
from rope_viz.relative import (
    deberta_relative_indices,
    relative_position_matrix,
    shaw_relative_indices,
)

__all__ = [
    "shaw_bias",
    "transformer_xl_terms",
    "deberta_terms",
]


def shaw_bias(queries: Any, key_table: Any, max_distance: int, n_key: int | None = None) -> np.ndarray:
    """Shaw et al.'s position term of the logit: ``q_i · a^K_(clip(j − i, −k, k))``.

    The full logit of Shaw's attention is ``q_i·(k_j + a^K_ij) / sqrt(d)``; this returns the
    part in ``a^K`` (before the scaling). The table holds one learned vector per clipped
    distance −k .. k (row ``r`` for distance ``r − k``), on Shaw's sign j − i (key minus
    query): row 0 is for keys k or more positions in the past, house distance i − j >= k
    (:func:`rope_viz.shaw_relative_indices`).

    Parameters
    ----------
    queries : array_like
        ``(n, d)`` projected queries ``x_i W^Q``.
    key_table : array_like
        ``(2k + 1, d)`` relative key embeddings a^K.
    max_distance : int
        The clipping distance k (>= 1).
    n_key : int, optional
        Number of keys (default ``n``).

    Returns
    -------
    numpy.ndarray
        ``(n, n_key)`` float64.

    Raises
    ------
    ValueError, TypeError
        For arrays of the wrong shape or a bad ``max_distance``.

    References
    ----------
    Shaw et al. 2018, arXiv:1803.02155, eqs. (4)-(7).

    Examples
    --------
    >>> shaw_bias([[1.0, 0.0]], [[1, 0], [2, 0], [3, 0]], max_distance=1, n_key=3)
    array([[2., 3., 3.]])
    """
    queries = check_array(queries, "queries", ndim=2, nonempty=True)
    k = check_int(max_distance, "max_distance", minimum=1)
    key_table = check_array(key_table, "key_table", ndim=2, shape=(2 * k + 1, queries.shape[1]),
                            what=f"an array of shape {(2 * k + 1, queries.shape[1])} (one row per "
                                 f"distance -{k} .. {k}, as wide as queries)")
    index = shaw_relative_indices(queries.shape[0], n_key, max_distance=k)  # (n, n_key)
    return np.einsum("id,ijd->ij", queries, key_table[index])  # (n, n_key)


def transformer_xl_terms(
    x: Any,
    w_q: Any,
    w_k: Any,
    w_r: Any,
    u: Any,
    v: Any,
    *,
    base: float = 10000.0,
) -> dict:
    """Transformer-XL's four logit terms, with a relative sinusoid R_(i−j).

    Start from the absolute logit ``(x_i + p_i) W_q W_k^T (x_j + p_j)^T`` and expand it into
    four terms; Transformer-XL replaces p_j by the sinusoid R_(i−j) of the distance (with its
    own key projection W_r), and the query's position term p_i W_q by two trainable vectors
    u and v that are the same at every position:

    - term a, content: ``x_i W_q W_k^T x_j^T``
    - term b, content-dependent position: ``x_i W_q W_r^T R_(i−j)^T``
    - term c, global content bias: ``u W_k^T x_j^T``
    - term d, global position bias: ``v W_r^T R_(i−j)^T``

    Parameters
    ----------
    x : array_like
        ``(n, d_model)`` token vectors.
    w_q, w_k : array_like
        ``(d_model, d_head)`` query and content-key projections.
    w_r : array_like
        ``(d_r, d_head)`` position-key projection; d_r (even) is the width of R.
    u, v : array_like
        ``(d_head,)`` the global content and position vectors.
    base : float
        Base of the sinusoid R (> 1).

    Returns
    -------
    dict
        ``{"a": ..., "b": ..., "c": ..., "d": ...}``, each ``(n, n)`` float64; the logit is
        their sum.

    Raises
    ------
    ValueError, TypeError
        For arrays whose shapes do not fit together, or a bad ``base``.

    References
    ----------
    Dai et al. 2019, arXiv:1901.02860, section 3.3; Yang et al. 2019 (XLNet) use the same
    terms. The sinusoid here uses rope_viz's interleaved layout.

    Examples
    --------
    >>> import numpy as np
    >>> t = transformer_xl_terms(np.ones((3, 2)), np.eye(2), np.eye(2), np.eye(2),
    ...                          np.zeros(2), np.zeros(2))
    >>> sorted(t), t["a"].shape
    (['a', 'b', 'c', 'd'], (3, 3))
    """
    x = check_array(x, "x", ndim=2, nonempty=True)
    w_q = check_array(w_q, "w_q", ndim=2, nonempty=True)
    w_k = check_array(w_k, "w_k", ndim=2)
    w_r = check_array(w_r, "w_r", ndim=2)
    u = check_array(u, "u", ndim=1)
    v = check_array(v, "v", ndim=1)
    base = check_float(base, "base", minimum=1.0)
    for name, w in (("w_q", w_q), ("w_k", w_k)):
        if w.shape[0] != x.shape[1]:
            fail(name, f"{x.shape[1]} rows (the width of x)", w)
    head = w_q.shape[1]
    for name, w in (("w_k", w_k), ("w_r", w_r)):
        if w.shape[1] != head:
            fail(name, f"{head} columns (the width of w_q)", w)
    for name, vec in (("u", u), ("v", v)):
        if vec.shape[0] != head:
            fail(name, f"a vector of length {head} (the width of w_q)", vec)
    if w_r.shape[0] % 2:
        fail("w_r", "an even number of rows (the width of the sinusoid R)", w_r)
    n = x.shape[0]
    distance = relative_position_matrix(n)  # (n, n): i − j
    table = sinusoidal_encoding(np.arange(-(n - 1), n), w_r.shape[0], base)  # (2n − 1, d_r)
    r_keys = (table @ w_r)[distance + n - 1]  # (n, n, d_head): W_r^T R_(i−j) per pair
    queries = x @ w_q  # (n, d_head)
    keys = x @ w_k  # (n, d_head)
    return {
        "a": queries @ keys.T,
        "b": np.einsum("ih,ijh->ij", queries, r_keys),
        "c": np.broadcast_to(keys @ u, (n, n)).copy(),
        "d": np.einsum("h,ijh->ij", v, r_keys),
    }


def deberta_terms(
    content_queries: Any,
    content_keys: Any,
    position_queries: Any,
    position_keys: Any,
    max_distance: int,
) -> dict:
    """DeBERTa's disentangled attention logit, term by term.

    ``Ã_ij = Q^c_i K^c_j^T + Q^c_i K^r_δ(i,j)^T + K^c_j Q^r_δ(j,i)^T`` (then divided by
    sqrt(3d) in the paper): content-to-content, content-to-position, position-to-content.
    The position-to-position term is dropped.

    Parameters
    ----------
    content_queries, content_keys : array_like
        ``(n, d)`` each: ``H W_q,c`` and ``H W_k,c``.
    position_queries, position_keys : array_like
        ``(2k, d)`` each: the relative table P projected, ``P W_q,r`` and ``P W_k,r``.
    max_distance : int
        k (>= 1).

    Returns
    -------
    dict
        ``{"c2c": ..., "c2p": ..., "p2c": ...}``, each ``(n, n)`` float64.

    Raises
    ------
    ValueError, TypeError
        For arrays whose shapes do not fit together or a bad ``max_distance``.

    References
    ----------
    He et al. 2021, arXiv:2006.03654, eqs. (2)-(4).

    Examples
    --------
    >>> import numpy as np
    >>> t = deberta_terms(np.ones((3, 2)), np.ones((3, 2)), np.ones((4, 2)),
    ...                   np.ones((4, 2)), 2)
    >>> sorted(t)
    ['c2c', 'c2p', 'p2c']
    """
    qc = check_array(content_queries, "content_queries", ndim=2, nonempty=True)
    kc = check_array(content_keys, "content_keys", ndim=2)
    qr = check_array(position_queries, "position_queries", ndim=2)
    kr = check_array(position_keys, "position_keys", ndim=2)
    k = check_int(max_distance, "max_distance", minimum=1)
    if kc.shape != qc.shape:
        fail("content_keys", f"an array of shape {qc.shape} (like content_queries)", kc)
    for name, table in (("position_queries", qr), ("position_keys", kr)):
        if table.shape != (2 * k, qc.shape[1]):
            fail(name, f"an array of shape {(2 * k, qc.shape[1])} (2k rows)", table)
    n = qc.shape[0]
    delta = deberta_relative_indices(n, n, k)  # (n, n): δ(i, j)
    return {
        "c2c": qc @ kc.T,
        "c2p": np.einsum("id,ijd->ij", qc, kr[delta]),
        "p2c": np.einsum("jd,ijd->ij", kc, qr[delta.T]),  # δ(j, i) at [i, j]
    }
