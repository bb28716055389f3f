"""Su's long-range decay bound for one query-key pair, beside the score it bounds.

What this module holds
----------------------
- :func:`pair_products`: the complex numbers ``h_i = q_[2i:2i+2] · conj(k_[2i:2i+2])``.
- :func:`rope_scores`: the RoPE score ``(R_m q)·k = Re Σ_i h_i e^(i·m·θ_i)`` at each distance m.
- :func:`abel_bound`: the bound ``max_i |h_(i+1) − h_i| · Σ_(j=1..d/2) |S_j|`` on its size,
  with ``S_j = Σ_(i<j) e^(i·m·θ_i)`` and ``h_(d/2) = 0``.

The derivation (Su 2021, kexue.fm/archives/8265, section 远程衰减): write each interleaved
pair of q and k as a complex number; then ``(R_m q)·(R_n k) = Re Σ_i h_i e^(i(m−n)θ_i)``.
Summation by parts (Abel) with ``S_0 = 0`` and ``h_(d/2) = 0`` gives
``Σ_i h_i (S_(i+1) − S_i) = −Σ_i S_(i+1) (h_(i+1) − h_i)``, and the triangle inequality the
bound. The factor ``(1/(d/2)) Σ_j |S_j|`` alone is :func:`rope_viz.long_range_decay`.

Conventions
-----------
``q, k``: ``(..., dim)`` with ``dim`` even, pairs interleaved ``(2i, 2i+1)``;
``distances``: ``(n_dist,)`` values of m = (query position − key position); results are
``(..., n_dist)``. θ_i = base^(−2i/dim), rotations counter-clockwise (as
:func:`rope_viz.apply_rope`).

References
----------
- 苏剑林 (J. Su). Transformer升级之路:2、博采众长的旋转式位置编码. kexue.fm/archives/8265 (2021).
- J. Su et al. RoFormer. arXiv:2104.09864 (2021), section 3.4.3.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rope_viz._validation import as_positions, check_features, fail
from rope_viz.rope import rope_angles

__all__ = ["pair_products", "rope_scores", "abel_bound"]


def _check_pair(q: Any, k: Any) -> tuple:
    q = np.asarray(check_features(q, "q", min_ndim=1), dtype=np.float64)
    k = np.asarray(check_features(k, "k", min_ndim=1, dim=q.shape[-1]), dtype=np.float64)
    if not (np.all(np.isfinite(q)) and np.all(np.isfinite(k))):
        fail("q and k", "finite numbers", "non-finite values")
    try:
        np.broadcast_shapes(q.shape, k.shape)
    except ValueError:
        fail("k", f"an array whose shape broadcasts with q's {q.shape}", k)
    return q, k


def pair_products(q: Any, k: Any) -> np.ndarray:
    """The complex pair products ``h_i = (q_2i + i·q_2i+1) · conj(k_2i + i·k_2i+1)``.

    Parameters
    ----------
    q, k : array_like
        ``(..., dim)`` real vectors, ``dim`` even; leading axes broadcast.

    Returns
    -------
    numpy.ndarray
        ``(..., dim/2)`` complex128. ``Re Σ_i h_i = q·k``.

    Raises
    ------
    ValueError, TypeError
        For non-numeric or non-finite input, an odd ``dim``, or dims that differ.

    Examples
    --------
    >>> pair_products([1.0, 2.0], [3.0, 4.0])
    array([11.+2.j])
    """
    q, k = _check_pair(q, k)
    q_c = q[..., 0::2] + 1j * q[..., 1::2]  # (..., dim/2)
    k_c = k[..., 0::2] + 1j * k[..., 1::2]  # (..., dim/2)
    return q_c * np.conj(k_c)


def rope_scores(q: Any, k: Any, distances: Any, base: float = 10000.0) -> np.ndarray:
    """The RoPE score of q and k at each relative distance m: ``(R_m q)·k = Re Σ_i h_i e^(i·m·θ_i)``.

    Equal to ``(R_(p+m) q)·(R_p k)`` for every position p, and to ``q·R_(−m) k``.

    Parameters
    ----------
    q, k : array_like
        ``(..., dim)``, ``dim`` even, interleaved pairs; leading axes broadcast.
    distances : int or array_like
        ``(n_dist,)`` distances m (real numbers), or an int meaning ``range(n_dist)``.
    base : float
        RoPE base (> 1).

    Returns
    -------
    numpy.ndarray
        ``(..., n_dist)`` float64.

    Raises
    ------
    ValueError, TypeError
        For bad ``q``, ``k``, ``distances`` or ``base``.

    Examples
    --------
    >>> rope_scores([1.0, 0.0], [1.0, 0.0], [0.0, np.pi / 2]).round(6)
    array([1., 0.])
    """
    h = pair_products(q, k)  # (..., dim/2)
    distances = as_positions(distances, "distances")
    angles = rope_angles(distances, 2 * h.shape[-1], base)  # (n_dist, dim/2)
    return np.real(h @ np.exp(1j * angles).T)  # (..., n_dist)


def abel_bound(q: Any, k: Any, distances: Any, base: float = 10000.0) -> np.ndarray:
    """Su's bound on ``|rope_scores(q, k, m)|``: ``max_i |h_(i+1) − h_i| · Σ_(j=1..d/2) |S_j(m)|``.

    ``S_j(m) = Σ_(i<j) e^(i·m·θ_i)`` and ``h_(d/2) = 0`` (so the last difference is
    ``|h_(d/2−1)|``). ``|rope_scores| <= abel_bound`` holds for every q, k and m.

    Parameters
    ----------
    q, k : array_like
        ``(..., dim)``, ``dim`` even, interleaved pairs; leading axes broadcast.
    distances : int or array_like
        ``(n_dist,)`` distances m, or an int meaning ``range(n_dist)``.
    base : float
        RoPE base (> 1).

    Returns
    -------
    numpy.ndarray
        ``(..., n_dist)`` float64, non-negative.

    Raises
    ------
    ValueError, TypeError
        For bad ``q``, ``k``, ``distances`` or ``base``.

    References
    ----------
    kexue.fm/archives/8265, section 远程衰减; RoFormer (arXiv:2104.09864), section 3.4.3.

    Examples
    --------
    >>> q = np.array([1.0, 0.0, 0.5, 0.0])
    >>> bool(np.all(np.abs(rope_scores(q, q, 50)) <= abel_bound(q, q, 50)))
    True
    """
    h = pair_products(q, k)  # (..., dim/2)
    padded = np.concatenate([h, np.zeros_like(h[..., :1])], axis=-1)  # (..., dim/2 + 1)
    step = np.abs(np.diff(padded, axis=-1)).max(axis=-1)  # (...,): max |h_(i+1) − h_i|
    distances = as_positions(distances, "distances")
    angles = rope_angles(distances, 2 * h.shape[-1], base)  # (n_dist, dim/2)
    partial = np.abs(np.cumsum(np.exp(1j * angles), axis=-1)).sum(axis=-1)  # (n_dist,)
    return step[..., None] * partial  # (..., n_dist)
