"""Linear attention, with and without RoPE: the linear-time form and its quadratic reference.

What this module holds
----------------------
- :func:`linear_feature_map`: the non-negative feature maps φ of linear attention (``"elu1"``:
  elu(x) + 1, Katharopoulos et al. 2020; ``"relu"``).
- :func:`linear_attention`: outputs in time linear in the sequence length n. The keys and
  values are summarised once (``φ(K)^T V``, a ``(dim, dim_v)`` matrix; prefix sums of it when
  ``causal``), and every query reads the summary. No ``(n, n)`` matrix is formed.
- :func:`linear_attention_weights`: the same computation written out as an explicit
  ``(n, n)`` weight matrix A, with ``output = A @ v``; quadratic in n, for checking and for
  pictures.

The formulas
------------
Without positions (Katharopoulos et al. 2020, eq. 5)::

    out_m = Σ_j (φ(q_m)·φ(k_j)) v_j / Σ_j φ(q_m)·φ(k_j)
          = φ(q_m)^T (Σ_j φ(k_j) v_j^T) / φ(q_m)^T (Σ_j φ(k_j))

With RoPE at positions p (Su 2021, kexue.fm/archives/8265, section 线性场景), the features
are rotated in the numerator only::

    out_m = Σ_j (R_(p_m) φ(q_m))·(R_(p_j) φ(k_j)) v_j / Σ_j φ(q_m)·φ(k_j)

Rotated features can have negative dot products, so rotating the denominator as well
(``rope_denominator=True``) can make the normaliser zero or negative; the un-rotated
denominator is a sum of products of non-negative numbers and stays positive for ``"elu1"``.
With ``causal=True`` the sums run over j <= m only.

Conventions
-----------
``q, k``: ``(..., n, dim)`` with ``dim`` even (RoPE rotates pairs); ``v``: ``(..., n, dim_v)``;
the leading axes ``...`` (batch, heads) must agree. RoPE is :func:`rope_viz.apply_rope`: pair
``i`` of row ``m`` turned counter-clockwise by ``positions[m]·θ_i``, θ_i = base^(−2i/dim).
Everything is computed in float64 numpy; a torch tensor is read into numpy.

References
----------
- A. Katharopoulos, A. Vyas, N. Pappas, F. Fleuret. Transformers are RNNs: Fast
  Autoregressive Transformers with Linear Attention. ICML 2020, arXiv:2006.16236.
- 苏剑林 (J. Su). Transformer升级之路:2、博采众长的旋转式位置编码. kexue.fm/archives/8265
  (2021); Su et al. 2021, RoFormer, arXiv:2104.09864, section 3.3.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rope_viz._validation import (
    as_positions,
    check_array,
    check_bool,
    check_choice,
    check_dim,
    check_features,
    check_int,
    fail,
)
from rope_viz.attention import causal_mask
from rope_viz.rope import PAIRINGS, apply_rope

__all__ = ["FEATURE_MAPS", "linear_feature_map", "linear_attention", "linear_attention_weights",
           "attention_cost", "cost_crossover"]

#: The feature maps :func:`linear_feature_map` knows.
FEATURE_MAPS = ("elu1", "relu")


def linear_feature_map(x: Any, kind: str = "elu1") -> np.ndarray:
    """The feature map φ that replaces the exponential of softmax attention.

    Parameters
    ----------
    x : array_like or torch.Tensor
        Any shape; real numbers.
    kind : {"elu1", "relu"}
        ``"elu1"``: elu(x) + 1, i.e. x + 1 for x > 0 and e^x otherwise; strictly positive
        (Katharopoulos et al. 2020). ``"relu"``: max(x, 0); non-negative, and zero for a
        vector with no positive entry.

    Returns
    -------
    numpy.ndarray
        float64, same shape as ``x``.

    Raises
    ------
    ValueError, TypeError
        For an ``x`` that is not an array of finite real numbers, or an unknown ``kind``.

    Examples
    --------
    >>> linear_feature_map([-1.0, 0.0, 2.0]).round(4)
    array([0.3679, 1.    , 3.    ])
    """
    kind = check_choice(kind, "kind", FEATURE_MAPS)
    x = check_array(x, "x")
    if kind == "relu":
        return np.maximum(x, 0.0)
    return np.where(x > 0, x + 1.0, np.exp(np.minimum(x, 0.0)))


def _check_inputs(q, k, v, positions, base, pairing, feature, causal, rope_denominator):
    """Validate and convert; returns (q, k, v, positions or None) as float64 numpy."""
    check_choice(feature, "feature_map", FEATURE_MAPS)
    check_choice(pairing, "pairing", PAIRINGS)
    check_bool(causal, "causal")
    check_bool(rope_denominator, "rope_denominator")
    q = check_features(check_array(q, "q"), "q")
    k = check_features(check_array(k, "k"), "k", dim=q.shape[-1])
    if k.shape != q.shape:
        fail("k", f"an array of the same shape as q {q.shape}", k,
             "queries and keys share one list of positions here")
    if v is not None:
        v = check_array(v, "v", ndim=q.ndim, shape=(*q.shape[:-1], None),
                        what=f"an array of shape (..., n, dim_v) with (..., n) = {q.shape[:-1]}")
    if positions is not None:
        positions = as_positions(positions)
        if positions.shape[0] != q.shape[-2]:
            fail("positions", f"one position per row of q ({q.shape[-2]})",
                 f"{positions.shape[0]} positions")
    if rope_denominator and positions is None:
        fail("rope_denominator", "False when positions is None", rope_denominator,
             "there is no rotation to put into the denominator")
    return q, k, v, positions


def _features(q, k, positions, base, pairing, feature):
    """φ(q), φ(k) and their rotated versions (the same arrays when there are no positions)."""
    fq = linear_feature_map(q, feature)  # (..., n, dim)
    fk = linear_feature_map(k, feature)  # (..., n, dim)
    if positions is None:
        return fq, fk, fq, fk
    rq = apply_rope(fq, positions, base, pairing)  # (..., n, dim)
    rk = apply_rope(fk, positions, base, pairing)  # (..., n, dim)
    return fq, fk, rq, rk


def linear_attention(
    q: Any,
    k: Any,
    v: Any,
    *,
    positions: Any = None,
    base: float = 10000.0,
    pairing: str = "interleaved",
    feature_map: str = "elu1",
    causal: bool = False,
    rope_denominator: bool = False,
    return_denominator: bool = False,
):
    """Linear attention in O(n) time, optionally with RoPE on the features.

    ``out_m = [R_m φ(q_m)]^T (Σ_j [R_j φ(k_j)] v_j^T) / φ(q_m)^T (Σ_j φ(k_j))``, the sums over
    all j (or j <= m when ``causal``), with ``R_m`` the RoPE rotation at ``positions[m]``.
    The key-value summary ``Σ_j φ(k_j) v_j^T`` is a ``(dim, dim_v)`` matrix (a running sum of
    them when ``causal``); no ``(n, n)`` matrix is formed.

    Parameters
    ----------
    q, k : array_like or torch.Tensor
        Queries and keys, ``(..., n, dim)``, ``dim`` even, the same shape.
    v : array_like or torch.Tensor
        Values, ``(..., n, dim_v)``.
    positions : int or array_like, optional
        ``(n,)`` positions of the rows (or an int n for 0 … n−1). None: no RoPE (plain linear
        attention).
    base : float
        RoPE base (> 1).
    pairing : {"interleaved", "half"}
        RoPE pairing, as in :func:`rope_viz.apply_rope`.
    feature_map : {"elu1", "relu"}
        The feature map φ (see :func:`linear_feature_map`).
    causal : bool
        Each query attends to keys at rows j <= m only (prefix sums over the rows).
    rope_denominator : bool
        Rotate the features in the denominator too (the naive variant; the normaliser can be
        zero or negative). False (default): Su's variant, RoPE in the numerator only.
        Needs ``positions``.
    return_denominator : bool
        Also return the normaliser of every query.

    Returns
    -------
    numpy.ndarray or tuple
        ``(..., n, dim_v)`` float64 outputs; with ``return_denominator`` a tuple
        ``(outputs, denominator)`` with ``denominator`` of shape ``(..., n)``. Nothing guards the
        division: a zero normaliser gives inf or nan in its row.

    Raises
    ------
    ValueError, TypeError
        For arrays that are not finite real numbers, an odd ``dim``, shapes that disagree, a
        number of positions different from n, an unknown ``pairing`` or ``feature_map``, a
        bad ``base``, or ``rope_denominator=True`` without ``positions``.

    References
    ----------
    Katharopoulos et al. 2020 (arXiv:2006.16236), eqs. (4)–(6) and (10)–(12) for the causal
    prefix sums; kexue.fm/archives/8265 (RoPE in the numerator only).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(5, 4))
    >>> np.allclose(linear_attention(x, x, x, positions=5),
    ...             linear_attention_weights(x, x, positions=5) @ x)
    True
    """
    check_bool(return_denominator, "return_denominator")
    q, k, v, positions = _check_inputs(q, k, v, positions, base, pairing, feature_map, causal,
                                       rope_denominator)
    fq, fk, rq, rk = _features(q, k, positions, base, pairing, feature_map)
    dq, dk = (rq, rk) if rope_denominator else (fq, fk)  # features of the denominator
    if causal:
        kv = np.cumsum(rk[..., :, :, None] * v[..., :, None, :], axis=-3)  # (..., n, dim, dim_v)
        numerator = np.einsum("...nd,...nde->...ne", rq, kv)  # (..., n, dim_v)
        z = np.cumsum(dk, axis=-2)  # (..., n, dim): Σ_{j<=m} φ(k_j)
    else:
        kv = np.swapaxes(rk, -1, -2) @ v  # (..., dim, dim_v): Σ_j φ(k_j) v_j^T
        numerator = rq @ kv  # (..., n, dim_v)
        z = dk.sum(axis=-2, keepdims=True)  # (..., 1, dim): Σ_j φ(k_j)
    denominator = np.sum(dq * z, axis=-1)  # (..., n)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = numerator / denominator[..., None]  # (..., n, dim_v)
    return (out, denominator) if return_denominator else out


def linear_attention_weights(
    q: Any,
    k: Any,
    *,
    positions: Any = None,
    base: float = 10000.0,
    pairing: str = "interleaved",
    feature_map: str = "elu1",
    causal: bool = False,
    rope_denominator: bool = False,
) -> np.ndarray:
    """The ``(n, n)`` weights that :func:`linear_attention` applies without forming them.

    ``A[m, j] = [R_m φ(q_m)]·[R_j φ(k_j)] / Σ_j' φ(q_m)·φ(k_j')`` (zero for j > m when
    ``causal``; the denominator rotated too when ``rope_denominator``), so that
    ``linear_attention(q, k, v, ...) == A @ v``. This is the quadratic reference: it costs
    O(n²·dim) time and O(n²) memory.

    Parameters
    ----------
    q, k : array_like or torch.Tensor
        ``(..., n, dim)``, ``dim`` even, the same shape.
    positions, base, pairing, feature_map, causal, rope_denominator
        As in :func:`linear_attention`.

    Returns
    -------
    numpy.ndarray
        ``(..., n, n)`` float64; row m holds the weights of query m over the keys. With RoPE
        in the numerator only, a row need not sum to 1 and entries can be negative; with no
        positions, or with ``rope_denominator=True``, every row sums to 1.

    Raises
    ------
    ValueError, TypeError
        As :func:`linear_attention`.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(3, 2))
    >>> np.allclose(linear_attention_weights(x, x).sum(axis=-1), 1.0)
    True
    """
    q, k, _, positions = _check_inputs(q, k, None, positions, base, pairing, feature_map,
                                       causal, rope_denominator)
    fq, fk, rq, rk = _features(q, k, positions, base, pairing, feature_map)
    scores = rq @ np.swapaxes(rk, -1, -2)  # (..., n, n): numerator similarities
    plain = scores if rope_denominator else fq @ np.swapaxes(fk, -1, -2)  # (..., n, n)
    if causal:
        mask = causal_mask(scores.shape[-1])  # (n, n): j <= m
        scores = np.where(mask, scores, 0.0)
        plain = np.where(mask, plain, 0.0)
    denominator = plain.sum(axis=-1, keepdims=True)  # (..., n, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return scores / denominator


def attention_cost(lengths: Any, dim: int = 64, dim_v: int | None = None) -> tuple:
    """Multiply-adds of one attention head against the sequence length: softmax against linear.

    Only the matrix products are counted (the exponentials, the feature map and the divisions
    are O(n) or O(n²) single operations either way and do not change the picture):

    - softmax: scores ``Q Kᵀ`` cost ``n² d``, applying the weights ``A V`` costs ``n² d_v``:
      ``n² (d + d_v)``;
    - linear: the summary ``φ(K)ᵀ V`` costs ``n d d_v`` and the normaliser summary
      ``Σⱼ φ(kⱼ)`` costs ``n d``; every query reads both, the same again:
      ``2 n d (d_v + 1)``;
    - linear with RoPE (Su's variant): the same plus the rotation of every query and key
      feature (two multiply-adds per component): ``2 n d (d_v + 1) + 4 n d``.

    Parameters
    ----------
    lengths : array_like of int
        Sequence lengths n (each >= 1), any shape.
    dim : int
        Query and key size d (positive, even).
    dim_v : int, optional
        Value size d_v (positive); ``dim`` when omitted.

    Returns
    -------
    tuple of numpy.ndarray
        ``(softmax, linear, linear_rope)``, each float64 with the shape of ``lengths``.

    Raises
    ------
    ValueError, TypeError
        For a bad ``lengths``, ``dim`` or ``dim_v``.

    Examples
    --------
    >>> softmax, linear, rope = attention_cost([64, 4096], 64)
    >>> softmax.tolist(), linear.tolist()
    ([524288.0, 2147483648.0], [532480.0, 34078720.0])
    """
    n = check_array(lengths, "lengths", integer=True, minimum=1, nonempty=True,
                    what="sequence lengths (integers >= 1)").astype(np.float64)
    dim = check_dim(dim)
    dim_v = dim if dim_v is None else check_int(dim_v, "dim_v", minimum=1)
    softmax = n**2 * (dim + dim_v)
    linear = 2 * n * dim * (dim_v + 1)
    return softmax, linear, linear + 4 * n * dim


def cost_crossover(dim: int = 64, dim_v: int | None = None, *, rope: bool = False) -> float:
    """The length n at which linear attention costs as many multiply-adds as softmax.

    Solves ``n² (d + d_v) = 2 n d (d_v + 1)`` (plus ``4 n d`` with ``rope``) for n, with the
    counts of :func:`attention_cost`: ``n* = 2 d (d_v + 1) / (d + d_v)``, or
    ``2 d (d_v + 3) / (d + d_v)`` with RoPE. Longer sequences are cheaper in linear form.

    Parameters
    ----------
    dim : int
        Query and key size d (positive, even).
    dim_v : int, optional
        Value size d_v (positive); ``dim`` when omitted.
    rope : bool
        Count the rotations of Su's RoPE variant in the linear form.

    Returns
    -------
    float
        The crossover length (not rounded).

    Raises
    ------
    ValueError, TypeError
        For a bad ``dim``, ``dim_v`` or ``rope``.

    Examples
    --------
    >>> cost_crossover(64)
    65.0
    """
    dim = check_dim(dim)
    dim_v = dim if dim_v is None else check_int(dim_v, "dim_v", minimum=1)
    rope = check_bool(rope, "rope")
    return 2 * dim * (dim_v + 1 + 2 * rope) / (dim + dim_v)
