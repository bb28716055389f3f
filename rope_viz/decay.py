"""Score against distance: how the RoPE score of a query and a key behaves as they move apart.

One home for every "score against relative distance" idea in the book: Su's long-range decay
bound, the empirical decay of random vectors, the cosine sums behind the smallest base for a
context, and the cosine integral behind Su's estimate of that base. Other modules and figures
call the public functions below; nothing here is meant to be imported by its private name.

What this module holds
----------------------
Su's bound and the decay of random vectors (chapter 8, kexue.fm/archives/8265):

- :func:`long_range_decay`: Su's distance factor ``(1/(d/2)) Σ_j |S_j|`` with
  ``S_j = Σ_(i<j) e^(i·m·θ_i)``.
- :func:`empirical_decay`: the mean RoPE score of random query-key pairs at each distance.
- :func:`pair_products`, :func:`rope_scores`, :func:`abel_content_factor`,
  :func:`abel_bound`: one query-key pair written as complex numbers ``h_i``, its score
  ``Re Σ_i h_i e^(i·m·θ_i)``, the bound's content factor ``max_i |h_(i+1) − h_i|``
  (``h_(d/2) = 0``), and the Abel bound, content factor times ``Σ_(j=1..d/2) |S_j|``.

The cosine sums and the smallest base (chapter 11, Men et al. 2024, kexue.fm/archives/10122):

- :func:`cosine_sum`: ``B(m) = Σ_i cos(m·θ_i)`` at each distance, for a base or for any
  frequencies ``inv_freq`` (an int count of distances takes an exact fast path).
- :func:`expected_score_gap`: ``2σ² B(m)``, how much more a similar key scores than a
  random one on average: the quantity Men et al.'s bound asks to stay >= 0.
- :func:`min_cosine_sum`, :func:`cosine_sum_envelope`: the minimum of B over a context for
  each base, and B's envelope over log-spaced bins.
- :func:`min_base_for_context`: the smallest base whose cosine sum stays non-negative over the
  context (Men et al. 2024), islands included, or (``robust=True``) the smallest base above
  which every base does; both found by certified walks over ln b, stored for d = 128 in
  :data:`MIN_BASE_TABLE` and :data:`ROBUST_BASE_TABLE`, beside the published values
  :data:`MEN_ET_AL_BASES` and :data:`SU_BASES`; :func:`cosine_integral` and
  :data:`CI_FIRST_ZERO` for Su's estimate b ≈ L/x₀.

Conventions
-----------
``q, k``: ``(..., dim)`` with ``dim`` even, pairs interleaved ``(2i, 2i+1)``; distances are
m = (query position − key position), the package's one sign (:mod:`rope_viz.relative`);
θ_i = base^(−2i/dim), rotations counter-clockwise (as :func:`rope_viz.apply_rope`). Results
carry the distances on the last axis.

The Abel bound (Su 2021, section 远程衰减): write each interleaved pair of q and k as a complex
number; then ``(R_m q)·(R_n k) = Re Σ_i h_i e^(i(m−n)θ_i)``. Summation by parts with
``S_0 = 0`` and ``h_(d/2) = 0`` gives ``Σ_i h_i (S_(i+1) − S_i) = −Σ_i S_(i+1) (h_(i+1) − h_i)``,
and the triangle inequality the bound.

References
----------
- 苏剑林 (J. Su). Transformer升级之路:2、博采众长的旋转式位置编码. kexue.fm/archives/8265 (2021).
- J. Su et al. RoFormer. arXiv:2104.09864 (2021), section 3.4.3.
- Men et al. 2024, Base of RoPE Bounds Context Length, arXiv:2405.14591; 苏剑林,
  Transformer升级之路:18、RoPE的底数选择原则, kexue.fm/archives/10122.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rope_viz._validation import (
    as_positions,
    check_array,
    check_bool,
    check_dim,
    check_features,
    check_float,
    check_generator,
    check_int,
    fail,
)
from rope_viz.rope import rope_angles, rope_frequencies

__all__ = [
    "long_range_decay",
    "empirical_decay",
    "pair_products",
    "rope_scores",
    "abel_content_factor",
    "abel_bound",
    "cosine_sum",
    "expected_score_gap",
    "min_cosine_sum",
    "cosine_sum_envelope",
    "min_base_for_context",
    "min_base_bounds",
    "base_meets_min_base",
    "MIN_BASE_TABLE",
    "ROBUST_BASE_TABLE",
    "MEN_ET_AL_BASES",
    "SU_BASES",
    "CI_FIRST_ZERO",
    "cosine_integral",
]


# ---------------------------------------------------------------------------------------------
# Su's long-range decay, averaged and empirical
# ---------------------------------------------------------------------------------------------


def long_range_decay(distances: Any, dim: int = 128, base: float = 10000.0) -> np.ndarray:
    """Su's long-range decay curve: the mean partial-sum size that bounds the RoPE score.

    With ``S_j = Σ_{i<j} exp(1j·m·θ_i)`` (``S_0 = 0``), Abel summation gives
    ``|Σ_i h_i e^(1j·m·θ_i)| ≤ max_i |h_(i+1) − h_i| · Σ_j |S_j|`` for the complex pair products
    ``h_i``; this function returns ``(1/(dim/2)) Σ_{j=1..dim/2} |S_j|`` for each distance m.
    At m = 0 every ``|S_j| = j``, so the value is ``(dim/2 + 1)/2``: 32.5 for dim = 128, the
    starting point of Su's figure. The curve falls with m, but not monotonically.

    Parameters
    ----------
    distances : int or array_like
        ``(k,)`` relative distances m (real numbers), or an int k meaning ``range(k)``.
    dim : int
        Rotary dimension (positive, even).
    base : float
        RoPE base (> 1).

    Returns
    -------
    numpy.ndarray
        ``(k,)`` float64.

    Raises
    ------
    ValueError, TypeError
        For bad ``distances``, ``dim`` or ``base``.

    References
    ----------
    kexue.fm/archives/8265, section 远程衰减 (the same sum, written there with
    ``Σ_{j=0..d/2−1} |Σ_{i=0..j} e^(imθ_i)|``, an index shift of this one); Su et al. 2021,
    section 3.4.3.

    Examples
    --------
    >>> float(long_range_decay([0])[0])
    32.5
    """
    distances = as_positions(distances, "distances")
    angles = rope_angles(distances, dim, base)  # (k, dim/2)
    partial_sums = np.cumsum(np.exp(1j * angles), axis=-1)  # (k, dim/2): S_1 .. S_(dim/2)
    return np.abs(partial_sums).mean(axis=-1)


def empirical_decay(
    distances: Any,
    dim: int = 128,
    base: float = 10000.0,
    *,
    identical: bool = False,
    samples: int = 1000,
    rng: Any = 0,
) -> np.ndarray:
    """Mean RoPE attention score ``(R_m q)·(R_0 k)`` over random Gaussian q, k.

    q and k have independent standard-normal components. With ``identical=False`` k is drawn
    independently of q and the expected score is 0 at every distance (the curve shows the noise
    of ``samples`` draws). With ``identical=True`` k = q and the expected score is
    ``Σ_i 2 cos(m·θ_i)``: ``dim`` at m = 0, then a decaying, oscillating curve.

    Parameters
    ----------
    distances : int or array_like
        ``(k,)`` distances m = (query position − key position), or an int meaning ``range(k)``.
    dim : int
        Rotary dimension (positive, even).
    base : float
        RoPE base (> 1).
    identical : bool
        Use k = q.
    samples : int
        Number of random (q, k) draws (>= 1).
    rng : numpy.random.Generator or int
        Source of randomness, or a seed.

    Returns
    -------
    numpy.ndarray
        ``(k,)`` float64 mean scores.

    Raises
    ------
    ValueError, TypeError
        For bad ``distances``, ``dim``, ``base``, ``samples`` or ``rng``.

    References
    ----------
    kexue.fm/archives/8265 (decay of the RoPE score); Men et al. 2024, arXiv:2405.14591
    (the expectation for identical q, k).

    Examples
    --------
    >>> float(empirical_decay([0], dim=8, identical=True, samples=10, rng=0)[0]) > 0
    True
    """
    distances = as_positions(distances, "distances")
    dim = check_dim(dim)
    identical = check_bool(identical, "identical")
    samples = check_int(samples, "samples", minimum=1)
    generator = check_generator(rng)
    angles = rope_angles(distances, dim, base)  # (k, dim/2)
    q = generator.standard_normal((samples, dim // 2, 2))  # (samples, dim/2, 2): interleaved pairs
    k = q if identical else generator.standard_normal((samples, dim // 2, 2))
    q_c = q[..., 0] + 1j * q[..., 1]  # (samples, dim/2)
    k_c = k[..., 0] + 1j * k[..., 1]  # (samples, dim/2)
    products = (q_c * np.conj(k_c)).mean(axis=0)  # (dim/2,): mean h_i
    return np.real(np.exp(1j * angles) @ products)  # (k,)


# ---------------------------------------------------------------------------------------------
# one query-key pair: its score and Su's Abel bound
# ---------------------------------------------------------------------------------------------


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
    # check_array: finite real numbers; check_features: an even last axis, the same for q and k
    q = check_features(check_array(q, "q", min_ndim=1), "q", min_ndim=1)  # (..., dim)
    k = check_features(check_array(k, "k", min_ndim=1), "k", min_ndim=1, dim=q.shape[-1])
    try:
        np.broadcast_shapes(q.shape, k.shape)
    except ValueError:
        fail("k", f"an array whose shape broadcasts with q's {q.shape}", k)
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


def abel_content_factor(q: Any, k: Any) -> np.ndarray:
    """The content factor of Su's bound: ``max_i |h_(i+1) − h_i|`` with ``h_(d/2) = 0``.

    ``h_i`` are the pair products (:func:`pair_products`); the last difference is
    ``|h_(d/2−1)|``. It depends on q and k only, not on the distance: :func:`abel_bound` is
    this factor times the distance factor ``Σ_(j=1..d/2) |S_j(m)|``, which is
    ``(d/2) · long_range_decay(m)``.

    Parameters
    ----------
    q, k : array_like
        ``(..., dim)``, ``dim`` even, interleaved pairs; leading axes broadcast.

    Returns
    -------
    numpy.ndarray
        ``(...,)`` float64, non-negative (a 0-d array for single vectors).

    Raises
    ------
    ValueError, TypeError
        For bad ``q`` or ``k`` (as :func:`pair_products`).

    References
    ----------
    kexue.fm/archives/8265, section 远程衰减 (the bound's ``max_i |h_(i+1) − h_i|``).

    Examples
    --------
    >>> float(abel_content_factor([1.0, 0.0, 0.5, 0.0], [1.0, 0.0, 1.0, 0.0]))
    0.5
    """
    h = pair_products(q, k)  # (..., dim/2)
    padded = np.concatenate([h, np.zeros_like(h[..., :1])], axis=-1)  # (..., dim/2 + 1)
    return np.abs(np.diff(padded, axis=-1)).max(axis=-1)  # (...,)


def abel_bound(q: Any, k: Any, distances: Any, base: float = 10000.0) -> np.ndarray:
    """Su's bound on ``|rope_scores(q, k, m)|``: ``max_i |h_(i+1) − h_i| · Σ_(j=1..d/2) |S_j(m)|``.

    ``S_j(m) = Σ_(i<j) e^(i·m·θ_i)`` and ``h_(d/2) = 0`` (so the last difference is
    ``|h_(d/2−1)|``). ``|rope_scores| <= abel_bound`` holds for every q, k and m. The two
    factors are public: :func:`abel_content_factor` (q and k) and ``(d/2)`` times
    :func:`long_range_decay` (the distance).

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
    content = abel_content_factor(q, k)  # (...,): max |h_(i+1) − h_i|
    half = np.shape(q)[-1] // 2
    distance = half * long_range_decay(distances, 2 * half, base)  # (n_dist,): Σ_j |S_j|
    return content[..., None] * distance  # (..., n_dist)


# ---------------------------------------------------------------------------------------------
# the cosine sums and the smallest base for a context
# ---------------------------------------------------------------------------------------------


def _cosine_sums(thetas: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Σ_i cos(m·θ_i) for every integer m in [lo, hi), for each row of ``thetas``: ``(B, hi − lo)``.

    Exact up to float64 rounding, but with far fewer cosines than the direct ``cos(m·θ)``:
    write m = s + k with block starts s (every K-th integer) and offsets 0 <= k < K, K ≈ √(hi − lo).
    Then cos((s + k)θ) = cos sθ·cos kθ − sin sθ·sin kθ, and the sum over i is a matrix product of
    the (starts × pairs) table with the (pairs × offsets) table: about 4·√n·(dim/2) cosines and
    sines instead of n·(dim/2) for n = hi − lo values of m.
    """
    n = hi - lo
    block = max(1, math.isqrt(n))
    n_blocks = -(-n // block)
    offsets = np.arange(block, dtype=np.float64)  # (K,)
    starts = lo + block * np.arange(n_blocks, dtype=np.float64)  # (S,)
    inner = offsets[None, :, None] * thetas[:, None, :]  # (B, K, dim/2)
    outer = starts[None, :, None] * thetas[:, None, :]  # (B, S, dim/2)
    sums = np.cos(outer) @ np.cos(inner).transpose(0, 2, 1)  # (B, S, K)
    sums -= np.sin(outer) @ np.sin(inner).transpose(0, 2, 1)
    return sums.reshape(thetas.shape[0], n_blocks * block)[:, :n]  # (B, n): m = lo + S·K + k


def _thetas(bases: np.ndarray, dim: int) -> np.ndarray:
    exponents = -np.arange(0, dim, 2, dtype=np.float64) / dim  # (dim/2,)
    return bases[:, None] ** exponents[None, :]  # (B, dim/2): θ_i = b^(−2i/d)


def _edges(length: int) -> list:
    """Stage edges for early exits: [0, 64), [64, 256), [256, 1024), … up to ``length``."""
    edges = [0]
    while edges[-1] < length:
        edges.append(min(length, max(64, edges[-1] * 4)))
    return edges


def cosine_sum(distances: Any, dim: int = 128, base: float = 10000.0, *,
               inv_freq: Any = None) -> np.ndarray:
    """Men et al.'s quantity B(m) = Σ_i cos(m·θ_i) for each relative distance m.

    B(m) is the RoPE score of two equal all-ones vectors at distance m, divided by 2; and
    :func:`expected_score_gap` is 2σ² B(m), how much more a similar key scores than a random
    one on average. The base bound asks B to stay >= 0 inside the context.

    An int ``distances`` = L means every integer 0 <= m < L; the sums are then computed by
    blocks (cos((s + k)θ) = cos sθ cos kθ − sin sθ sin kθ, a matrix product), about √L·dim
    cosines instead of L·dim/2, exact up to float64 rounding: use it for whole contexts, e.g.
    ``cosine_sum(L, inv_freq=...).min()``.

    Parameters
    ----------
    distances : int or array_like
        ``(k,)`` distances m (real numbers), or an int k meaning ``range(k)``.
    dim : int
        Rotary dimension (positive, even); ignored when ``inv_freq`` is given.
    base : float
        RoPE base (> 1); ignored when ``inv_freq`` is given.
    inv_freq : array_like, optional
        ``(dim/2,)`` frequencies θ_i to use instead of ``base^(−2i/dim)`` (e.g. from
        :func:`scaled_frequencies`).

    Returns
    -------
    numpy.ndarray
        ``(k,)`` float64 in [−dim/2, dim/2].

    Raises
    ------
    ValueError, TypeError
        For bad ``distances``, ``dim``, ``base`` or ``inv_freq``.

    References
    ----------
    Men et al. 2024, arXiv:2405.14591, eq. (11) (their B_(m,θ)); kexue.fm/archives/10122.

    Examples
    --------
    >>> cosine_sum([0, 1], dim=4, base=100.0).round(4).tolist()
    [2.0, 1.5353]
    >>> float(cosine_sum(4096, inv_freq=[1.0, 0.5]).min()) < 0
    True
    """
    thetas = _frequencies_argument(dim, base, inv_freq)
    if isinstance(distances, (int, np.integer)) and not isinstance(distances, bool):
        length = check_int(distances, "distances", minimum=0)
        if length == 0:
            return np.zeros(0)
        return _cosine_sums(thetas[None, :], 0, length)[0]  # (length,)
    distances = as_positions(distances, "distances")
    return np.cos(np.multiply.outer(distances, thetas)).sum(axis=-1)  # (k,)


def expected_score_gap(distances: Any, dim: int = 128, base: float = 10000.0, *,
                       variance: float = 1.0, inv_freq: Any = None) -> np.ndarray:
    """How much more a similar key scores than a random one, on average: ``2σ² Σ_i cos(m·θ_i)``.

    Take q with independent components of mean μ and variance σ², a similar key
    k̃ = q + ε (ε independent of q, mean 0) and a random key k drawn like q, independently.
    Then at distance m::

        E[(R_m q)·k̃] − E[(R_m q)·k] = Σ_i 2σ² cos(m·θ_i) = 2σ² B(m),

    with B = :func:`cosine_sum`: each pair (q_2i, q_2i+1) rotated by mθ_i and dotted with
    itself gives (q_2i² + q_2i+1²)·cos(mθ_i), of mean 2(μ² + σ²)cos(mθ_i); the random key
    takes away the 2μ²cos(mθ_i), so μ drops out. For zero-mean components this is also
    E[(R_m q)·q], which :func:`empirical_decay` with ``identical=True`` samples. Men et al.'s
    bound asks it to stay >= 0 at every distance inside the context.

    Parameters
    ----------
    distances : int or array_like
        ``(k,)`` distances m = (query position − key position), or an int k meaning
        ``range(k)`` (the fast path of :func:`cosine_sum`).
    dim : int
        Rotary dimension (positive, even); ignored when ``inv_freq`` is given.
    base : float
        RoPE base (> 1); ignored when ``inv_freq`` is given.
    variance : float
        σ², the variance of each component of q (> 0).
    inv_freq : array_like, optional
        ``(dim/2,)`` frequencies θ_i to use instead of ``base^(−2i/dim)``.

    Returns
    -------
    numpy.ndarray
        ``(k,)`` float64 in [−σ²·dim, σ²·dim]; ``σ²·dim`` at m = 0.

    Raises
    ------
    ValueError, TypeError
        For bad ``distances``, ``dim``, ``base``, ``variance`` or ``inv_freq``.

    References
    ----------
    kexue.fm/archives/10122, section 期望性质 (Su's derivation, with mean μ and variance σ²);
    Men et al. 2024, arXiv:2405.14591.

    Examples
    --------
    >>> expected_score_gap([0], dim=8, variance=0.5).tolist()
    [4.0]
    """
    variance = check_float(variance, "variance", minimum=0.0)
    return 2.0 * variance * cosine_sum(distances, dim, base, inv_freq=inv_freq)


def _frequencies_argument(dim: Any, base: Any, inv_freq: Any) -> np.ndarray:
    if inv_freq is None:
        return rope_frequencies(check_dim(dim), check_float(base, "base", minimum=1.0))
    return check_array(inv_freq, "inv_freq", ndim=1, nonempty=True, minimum=0.0, strict=True,
                       what="a 1-d array of positive frequencies")  # (dim/2,)


def min_cosine_sum(bases: Any, length: int, dim: int = 128) -> np.ndarray:
    """min over integers 0 <= m < ``length`` of Σ_i cos(m·b^(−2i/dim)), for each base b.

    A base is long enough for the context (Men et al.'s bound) exactly when this is >= 0;
    :func:`min_base_for_context` finds the smallest such base. The sums are exact up to float64
    rounding (computed by blocks: cos((s + k)θ) = cos sθ cos kθ − sin sθ sin kθ, so the sum over
    pairs is a matrix product), about √length·dim cosines per base instead of length·dim/2.

    Parameters
    ----------
    bases : float or array_like
        ``(B,)`` bases (each > 1).
    length : int
        Context length L (>= 1): distances 0 … L − 1.
    dim : int
        Rotary dimension (positive, even).

    Returns
    -------
    numpy.ndarray
        ``(B,)`` float64; at most dim/2 (the value at m = 0).

    Raises
    ------
    ValueError, TypeError
        For bases <= 1, a bad ``length`` or ``dim``.

    References
    ----------
    Men et al. 2024, arXiv:2405.14591, eq. (11).

    Examples
    --------
    >>> min_cosine_sum([1e3, 1e4], 1000, dim=128).round(2).tolist()
    [-11.02, 4.28]
    """
    bases = np.atleast_1d(check_array(bases, "bases", minimum=1.0, strict=True,
                                      what="numbers > 1")).reshape(-1)  # (B,)
    length = check_int(length, "length", minimum=1)
    dim = check_dim(dim)
    thetas = _thetas(bases, dim)  # (B, dim/2)
    out = np.empty(bases.size)
    per = max(1, 4_000_000 // (length + 64 * dim))  # bases per chunk: bounded memory
    for s in range(0, bases.size, per):
        out[s : s + per] = _cosine_sums(thetas[s : s + per], 0, length).min(axis=1)
    return out


def cosine_sum_envelope(inv_freq: Any, length: int, bins: int = 200) -> tuple:
    """Lowest and highest Σ_i cos(m·θ_i) over every integer m in each of log-spaced bins.

    A curve through a few thousand sampled distances can miss a narrow dip below zero; the
    envelope cannot: every integer 0 <= m < ``length`` is evaluated (by blocks, as in
    :func:`min_cosine_sum`) and each bin keeps its extremes.

    Parameters
    ----------
    inv_freq : array_like
        ``(dim/2,)`` positive frequencies θ_i (e.g. :func:`rope_viz.rope_frequencies` or
        :func:`scaled_frequencies`).
    length : int
        Distances 0 … length − 1 (>= 2).
    bins : int
        Number of bins (>= 1); bin edges are log-spaced from 1 to ``length`` (distance 0 is the
        first bin's own), duplicates removed, so short lengths get fewer bins.

    Returns
    -------
    (starts, lows, highs) : tuple of numpy.ndarray
        ``(k,)`` each: the first distance of each bin, and the min and max of the sum over it.

    Raises
    ------
    ValueError, TypeError
        For bad ``inv_freq``, ``length`` or ``bins``.

    Examples
    --------
    >>> starts, lows, highs = cosine_sum_envelope([1.0, 0.01], 100, bins=4)
    >>> starts.tolist(), float(highs[0])
    ([0, 1, 3, 10, 32], 2.0)
    """
    thetas = _frequencies_argument(None, None, inv_freq)
    length = check_int(length, "length", minimum=2)
    bins = check_int(bins, "bins", minimum=1)
    edges = np.unique(np.round(np.geomspace(1, length, bins + 1)).astype(np.int64))  # (k+1,)
    edges = np.concatenate([[0], edges[edges < length], [length]])
    sums = _cosine_sums(thetas[None, :], 0, length)[0]  # (length,)
    lows = np.minimum.reduceat(sums, edges[:-1])  # (k,)
    highs = np.maximum.reduceat(sums, edges[:-1])  # (k,)
    return edges[:-1], lows, highs


def _passes(theta: np.ndarray, edges: list) -> tuple[bool, np.ndarray]:
    """Check one base's ``theta`` (dim/2,) stage by stage.

    Returns ``(True, [])``, or ``(False, ms)`` with up to 128 distances m of the first failing
    stage where the sum is negative (the most negative first).
    """
    for lo, hi in zip(edges[:-1], edges[1:]):
        sums = _cosine_sums(theta[None, :], lo, hi)[0]  # (hi − lo,)
        negative = np.flatnonzero(sums < 0)
        if negative.size:
            worst = negative[np.argsort(sums[negative])[:128]]
            return False, (lo + worst).astype(np.float64)
    return True, np.empty(0)


# Float64 rounding of one sum Σ_i cos(m·θ_i) with angles up to ~1e7 rad stays far below 1e-9
# per pair; every certificate below keeps this margin (per pair) on the safe side.
_ROUNDING_MARGIN = 1e-9


def _log_slopes(dim: int) -> np.ndarray:
    """``(dim/2,)`` c_i = 2i/dim: θ_i = e^(−c_i·u) with u = ln b."""
    return np.arange(0, dim, 2, dtype=np.float64) / dim


def _infeasible_stretch(theta: np.ndarray, slopes: np.ndarray, distances: np.ndarray) -> float:
    """How far up in u = ln b the bases stay certified infeasible, from the base with ``theta``.

    For each m in ``distances`` (W,), f(u) = Σ_i cos(m·θ_i) has f'(u) = Σ_i c_i·x_i·sin x_i and
    ``|f''(u)| <= Σ_i c_i²·(x_i + x_i²) =: M`` (x_i = m·θ_i; θ_i only shrinks as u grows, so M bounds
    f'' on the whole stretch above). By Taylor, f(u + δ) <= f + f'·δ + M·δ²/2, which stays < 0
    for δ below the positive root. Returns the largest root over m (0.0 if no m is negative).
    """
    roots = _stretches(theta, slopes, distances)  # (W,)
    return float(roots.max()) if roots.size else 0.0


def _stretches(theta: np.ndarray, slopes: np.ndarray, distances: np.ndarray) -> np.ndarray:
    """``(W,)``: the stretch of :func:`_infeasible_stretch` certified by each distance alone (0 if
    the sum is not negative there)."""
    x = distances[:, None] * theta[None, :]  # (W, dim/2): angles m·θ_i
    cx = slopes[None, :] * x  # (W, dim/2)
    pad = _ROUNDING_MARGIN * theta.size
    f = np.cos(x).sum(axis=1) + pad  # (W,): rounded up
    roots = np.zeros(distances.size)
    negative = f < 0
    if not negative.any():
        return roots
    slope = (cx * np.sin(x)).sum(axis=1)[negative] + pad  # (w,): rounded up
    bend = np.maximum((slopes[None, :] * (cx + cx * x)).sum(axis=1)[negative], 1e-300)  # (w,)
    f = f[negative]
    roots[negative] = (-slope + np.sqrt(slope * slope - 2.0 * bend * f)) / bend
    return roots


def _sums_and_slopes(theta: np.ndarray, slopes: np.ndarray, length: int) -> tuple:
    """``(f, g)``, each ``(length,)``: f(m) = Σ_i cos(m·θ_i) and g(m) = df/du = Σ_i c_i·m·θ_i·sin(m·θ_i).

    Both by the block identity of :func:`_cosine_sums` (sin((s + k)θ) = sin sθ cos kθ +
    cos sθ sin kθ for g), exact up to float64 rounding.
    """
    block = max(1, math.isqrt(length))
    n_blocks = -(-length // block)
    inner = np.arange(block, dtype=np.float64)[:, None] * theta[None, :]  # (K, dim/2)
    outer = block * np.arange(n_blocks, dtype=np.float64)[:, None] * theta[None, :]  # (S, dim/2)
    cos_in, sin_in, cos_out, sin_out = np.cos(inner), np.sin(inner), np.cos(outer), np.sin(outer)
    f = (cos_out @ cos_in.T - sin_out @ sin_in.T).reshape(-1)[:length]  # (S·K,) → (length,)
    weight = slopes * theta  # (dim/2,): c_i·θ_i
    g = ((sin_out * weight) @ cos_in.T + (cos_out * weight) @ sin_in.T).reshape(-1)[:length]
    return f, np.arange(length, dtype=np.float64) * g


def _tail_start(length: int, dim: int) -> float:
    """A base U such that every base >= U is feasible for ``length`` (a proof, not a search).

    For b >= U and 0 <= m < L, the angle x_i = m·b^(−c_i) lies in [0, X_i] with
    X_i = (L − 1)·U^(−c_i), so cos x_i >= min of cos over [0, X_i] (cos X_i if X_i <= π, else
    −1). If these per-pair minima sum to >= 0, every b >= U is feasible. U is the smallest power
    of two with that property. Raises ``ValueError`` when no base is feasible (dim = 2, L >= 3:
    the sum is cos m whatever the base).
    """
    slopes = _log_slopes(dim)
    if length <= 2:  # m = 0, 1: every θ_i <= 1, so every cosine is >= cos 1 > 0
        return 2.0
    if dim == 2:
        fail("dim", "at least 4 for a context of 3 or more (with one pair the sum is cos m "
             "for every base)", dim)
    for power in range(1, 1100):
        reach = (length - 1) * 2.0 ** (-power * slopes)  # (dim/2,): X_i
        if np.where(reach <= math.pi, np.cos(reach), -1.0).sum() >= 0:
            return 2.0**power
    raise AssertionError("unreachable: the bound holds for large enough U when dim >= 4")


def _search_min_base(length: int, dim: int, rtol: float, start: float,
                     stop: float = math.inf) -> tuple[float, list]:
    """The certified sweep behind :func:`min_base_for_context` (no table look-up).

    Walks u = ln b upward from ln ``start``. At each u: if a distance m is known where the sum is
    negative, :func:`_infeasible_stretch` certifies a whole stretch [u, u + δ) infeasible and
    the walk jumps over it; distances come from earlier failures ("witnesses") or, when those
    do not certify at least ``rtol``, from a full check of the base e^u over every m < length
    (stages with early exit, then all m). A base that passes the full check is returned. When no
    distance certifies ``rtol``, the walk steps ``rtol`` uncertified and records the piece.

    Returns ``(base, uncertified)``: the base (feasible: every m < length checked) and the list
    of ``(lo, hi)`` base intervals below it that were stepped over without a certificate. With
    a finite ``stop`` the walk gives up once it passes ``stop`` and returns ``(math.inf,
    uncertified)``: every base in [start, stop] failed (certified, but for the pieces listed).
    """
    slopes = _log_slopes(dim)
    edges = _edges(length)
    u = math.log(start)
    witnesses = np.empty(0)  # distances that sank earlier bases, at most 512
    hot = np.empty(0)  # the few witnesses that certified the last stretch: tried first
    uncertified = []
    end = math.log(stop) if stop < math.inf else math.inf
    while True:
        if u > end:
            return math.inf, uncertified
        theta = np.exp(-slopes * u)  # (dim/2,)
        step = _infeasible_stretch(theta, slopes, hot) if hot.size else 0.0
        if step < rtol and witnesses.size:
            roots = _stretches(theta, slopes, witnesses)  # (W,)
            hot = witnesses[np.argsort(roots)[-8:]]
            step = float(roots.max())
        if step < rtol:
            base = math.exp(u)
            ok, failed = _passes(_thetas(np.array([base]), dim)[0], edges)
            if ok:
                return base, uncertified
            older = np.setdiff1d(witnesses, failed)
            witnesses = np.concatenate([older[max(0, older.size + failed.size - 512):], failed])
            step = max(step, _infeasible_stretch(theta, slopes, failed))
        if step < rtol:  # the first failing stage was not enough: the worst m overall
            sums = _cosine_sums(theta[None, :], 0, length)[0]  # (length,)
            worst = np.argpartition(sums, 255)[:256] if length > 256 else np.argsort(sums)
            worst = worst.astype(np.float64)
            step = max(step, _infeasible_stretch(theta, slopes, worst))
        if step < rtol:
            uncertified.append((math.exp(u), math.exp(u + rtol)))
            step = rtol
        u += step


def _search_robust_base(length: int, dim: int, rtol: float, start: float) -> tuple:
    """The certified sweep behind ``min_base_for_context(..., robust=True)``.

    Starts at U = :func:`_tail_start` (every base >= U feasible, by proof) and walks u = ln b
    down. At each u it computes f(m) and g(m) = df/du for every m < length
    (:func:`_sums_and_slopes`); with M(m) = m·A + m²·B, A = Σ c_i²θ_i, B = Σ c_i²θ_i² (θ grown by
    the most a step of at most 0.05 allows), Taylor gives f(u − δ) >= f − g·δ − M·δ²/2, so the
    smallest positive root over m is a stretch certified feasible. When the certified stretch is
    below ``rtol`` the walk steps ``rtol`` without a certificate; if the base there fails, the
    walk ends.

    Returns ``(base, below, uncertified)``: ``base`` is the lowest base of the walk (feasible,
    every m checked; every base above it certified feasible except the ``uncertified`` (lo, hi)
    pieces); ``below`` = base·e^(−rtol) fails some m (checked), or is ``None`` when the walk
    reached ``start``.
    """
    slopes = _log_slopes(dim)
    cap = 0.05
    u = math.log(_tail_start(length, dim))
    floor = math.log(start)
    uncertified = []
    half = dim // 2
    while True:
        theta = np.exp(-slopes * u)  # (dim/2,)
        f, g = _sums_and_slopes(theta, slopes, length)  # (length,) each
        m = np.arange(length, dtype=np.float64)
        a = float((slopes**2 * theta).sum()) * math.exp(cap)
        b = float((slopes**2 * theta**2).sum()) * math.exp(2 * cap)
        bend = m * a + m * m * b  # (length,)
        f = f - _ROUNDING_MARGIN * half  # rounded down
        rise = -g - _ROUNDING_MARGIN * half  # (length,): rounded down
        with np.errstate(divide="ignore", invalid="ignore"):
            roots = np.where(bend > 0, (rise + np.sqrt(rise * rise + 2 * bend * f)) / bend, np.inf)
        step = 0.0 if f.min() < 0 else min(float(roots.min()), cap)
        if u - step <= floor:
            return start, None, uncertified
        if step >= rtol:
            u -= step
            continue
        lower = u - rtol
        base = math.exp(lower)
        if min_cosine_sum([base], length, dim)[0] < 0:
            return math.exp(u), base, uncertified
        uncertified.append((base, math.exp(u)))
        u = lower


def min_base_for_context(
    length: int,
    dim: int = 128,
    *,
    robust: bool = False,
    rtol: float = 1e-9,
    start: float = 2.0,
) -> float:
    """Smallest base b with Σ_i cos(m·b^(−2i/dim)) >= 0 for every integer 0 <= m < length.

    The condition is Men et al.'s lower bound: with it, a query still attends more to similar
    keys than to random ones at every distance inside the context. Feasibility is **not**
    monotone in b: the feasible bases form islands, some only a few parts in 10^5 wide, so a
    grid scan or a bisection can miss the smallest one. Two answers:

    ``robust=False`` (default): the smallest feasible base b*, islands included. Guarantee:
    the returned base passes a full check of every integer m < length (float64), and every base
    in [start, b*) is certified infeasible, except pieces of relative width ``rtol`` that are
    listed by the search (in practice one, just below b*, where the sum touches zero); so b*
    is within a factor e^rtol of the true infimum. Certificates: for a distance m where the sum is
    negative at u = ln b, a second-order Taylor bound in u (``|f''| <= Σ_i c_i²(x_i + x_i²)``,
    x_i = m·θ_i, c_i = 2i/dim) shows it stays negative over a whole stretch of bases, which
    the search jumps over; every check keeps a margin of 1e-9 per pair for float64 rounding.

    ``robust=True``: the smallest base b_r above which **every** base is feasible. Guarantee:
    every base >= b_r is feasible: from b_r up to a base U the sums and their u-derivatives at
    every m < length and the same Taylor bound certify stretch after stretch; above U a
    per-pair bound (each cos(m·θ_i) >= its minimum over all b >= U, m < length) proves it.
    The base b_r·e^(−rtol) is checked infeasible, so no smaller threshold exists beyond that
    tolerance. b_r is what to use when choosing a base; b* can sit on a narrow island.

    Both satisfy b(L) <= b(L') for L < L' (a base feasible for L' is feasible for L). With the
    defaults (``rtol=1e-9``, ``start=2.0``) and dim = 128, the results for L = 2^10 … 2^20 are
    stored in :data:`MIN_BASE_TABLE` and :data:`ROBUST_BASE_TABLE` (b_r up to 2^19) and
    returned without a search (``tests/test_decay_min_base.py`` checks every stored entry over
    every m < L).
    Other lengths are searched: b* from the next shorter stored entry (bases below it are
    already infeasible), b_r from U down. Measured from start = 2 on a shared 2-core machine
    (the range is the load): b* took 0.1–0.4 s at L = 1K, 7–24 s at 32K, 70–330 s at 256K and
    190–500 s at 1M; b_r took 0.2 s at 1K, 22 s at 8K, 150 s at 32K, 460 s at 64K, 290 s at
    256K, 470 s at 512K, and more than 10 minutes at 1M (not stored).

    Parameters
    ----------
    length : int
        Context length L (>= 1).
    dim : int
        Rotary dimension (positive, even; >= 4 when L >= 3, since with one pair the sum is
        cos m for every base).
    robust : bool
        False: the smallest feasible base; True: the smallest base above which every base is
        feasible.
    rtol : float
        Width in ln b of an uncertified step (> 0).
    start : float
        Lowest base considered (> 1); the answer is ``start`` when every base above it works.

    Returns
    -------
    float
        The base.

    Raises
    ------
    ValueError, TypeError
        For bad ``length``, ``dim``, ``robust``, ``rtol`` or ``start``.

    References
    ----------
    Men et al. 2024, arXiv:2405.14591, eq. (11) and their table of bounds (d = 128);
    kexue.fm/archives/10122 (Su's recomputation, which also found smaller bases than the paper).
    :data:`MEN_ET_AL_BASES` and :data:`SU_BASES` hold both tables as Su prints them.

    Examples
    --------
    >>> round(min_base_for_context(100, dim=16))
    1706
    >>> min_base_for_context(4096) <= min_base_for_context(4096, robust=True)
    True
    """
    length = check_int(length, "length", minimum=1)
    dim = check_dim(dim)
    robust = check_bool(robust, "robust")
    rtol = check_float(rtol, "rtol", minimum=0.0)
    start = check_float(start, "start", minimum=1.0)
    table = ROBUST_BASE_TABLE if robust else MIN_BASE_TABLE
    defaults = rtol == 1e-9 and start == 2.0
    if defaults and (length, dim) in table:
        return table[(length, dim)]
    _tail_start(length, dim)  # raises for dim = 2, length >= 3 (no base works)
    if robust:
        return _search_robust_base(length, dim, rtol, start)[0]
    if defaults:
        # b*(L) never decreases with L, so every base below a shorter length's b* fails here too
        shorter = [b for (n, d), b in MIN_BASE_TABLE.items() if d == dim and n < length]
        start = max([start, *shorter])
    return _search_min_base(length, dim, rtol, start)[0]


# Lengths up to this are searched exactly by min_base_bounds (well under 0.1 s from a stored
# shorter entry, about 0.3 s from start 2.0 on the 2-core machine).
_EXACT_UP_TO = 4096


def min_base_bounds(length: int, dim: int = 128) -> tuple[float, float]:
    """Certified bounds ``(low, high)`` on ``min_base_for_context(length, dim)``, without a long search.

    :func:`min_base_for_context` walks over every base from 2 up and can take minutes for long
    contexts. This function answers in milliseconds from the stored search results
    (:data:`MIN_BASE_TABLE`) and two facts:

    - b*(L) never decreases with L (a base that keeps the sum >= 0 for every m < L' does so for
      every m < L <= L'), so the stored b* of a shorter length is a lower bound and that of a
      longer length an upper bound;
    - every base >= U is feasible, where U is the smallest power of two at which each pair's
      cosine, bounded below over all m < L and all bases >= U, still sums to >= 0 (a proof
      that costs a few hundred cosines); so is every base at or above a stored robust base of
      a longer length (:data:`ROBUST_BASE_TABLE`).

    ``low == high == b*`` when (length, dim) is stored or when ``length <= 4096`` (then the exact
    search runs; it takes well under a second). Otherwise ``low < high``, and the guarantee is
    the one of :func:`min_base_for_context` applied to the stored neighbours: ``high`` is a base
    checked feasible at every m < length, and every base below ``low`` is certified infeasible
    (but for a sliver of relative width 1e-9 just under ``low``, as for the stored entry).

    Parameters
    ----------
    length : int
        Context length L (>= 1).
    dim : int
        Rotary dimension (positive, even; >= 4 when L >= 3).

    Returns
    -------
    (low, high) : tuple of float
        ``low <= min_base_for_context(length, dim) <= high``.

    Raises
    ------
    ValueError, TypeError
        For a bad ``length`` or ``dim``.

    Examples
    --------
    >>> min_base_bounds(4096) == (MIN_BASE_TABLE[(4096, 128)],) * 2
    True
    >>> low, high = min_base_bounds(10_000)
    >>> low == MIN_BASE_TABLE[(8192, 128)] and high == MIN_BASE_TABLE[(16384, 128)]
    True
    """
    length = check_int(length, "length", minimum=1)
    dim = check_dim(dim)
    top = _tail_start(length, dim)  # raises for dim = 2, length >= 3
    if (length, dim) in MIN_BASE_TABLE or length <= _EXACT_UP_TO:
        base = min_base_for_context(length, dim)
        return base, base
    lows = [b for (n, d), b in MIN_BASE_TABLE.items() if d == dim and n < length]
    highs = [b for (n, d), b in MIN_BASE_TABLE.items() if d == dim and n > length]
    highs += [b for (n, d), b in ROBUST_BASE_TABLE.items() if d == dim and n >= length]
    return max([2.0, *lows]), min([top, *highs])


def base_meets_min_base(base: float, length: int, dim: int = 128) -> bool:
    """Whether ``base >= min_base_for_context(length, dim)``, decided exactly, mostly in milliseconds.

    With ``(low, high) = min_base_bounds(length, dim)``: a base >= high meets it and a base
    below low does not. In between, a base that itself keeps Σ_i cos(m·base^(−2i/dim)) >= 0 for
    every m < length meets it (b* is the smallest such base); otherwise the certified walk of
    :func:`min_base_for_context` runs from low up to ``base`` only, and the answer is whether it
    finds a feasible base on the way (this last case can take as long as that walk).

    Parameters
    ----------
    base : float
        The base to test (> 1).
    length : int
        Context length L (>= 1).
    dim : int
        Rotary dimension (positive, even).

    Returns
    -------
    bool

    Raises
    ------
    ValueError, TypeError
        For a bad ``base``, ``length`` or ``dim``.

    Examples
    --------
    >>> base_meets_min_base(10_000.0, 4096), base_meets_min_base(1e6, 32768)
    (False, True)
    """
    base = check_float(base, "base", minimum=1.0)
    low, high = min_base_bounds(length, dim)
    if base >= high or base < low:
        return base >= high
    if min_cosine_sum([base], length, dim)[0] >= 0:
        return True
    return _search_min_base(length, dim, 1e-9, low, stop=base)[0] <= base


#: ``{(length, dim): base}``: :func:`min_base_for_context` (smallest feasible base, defaults
#: rtol 1e-9, start 2.0), computed by the certified search: d = 128 for L = 2^10 … 2^20 from
#: start 2.0, and 2^21 and every other rotary dim by ``benchmarks/min_base_table.py``, each length's search
#: started at the next shorter length's entry (b*(L) never decreases with L), plus three
#: contexts of released models in the atlas that are not powers of two (Qwen3's 40,960,
#: Qwen2.5-VL's 128,000, DeepSeek-V2/V3's 163,840 at rotary dim 64), searched the same way from
#: their bracket's low end. Every entry is checked over every m < L by
#: ``tests/test_decay_min_base.py``.
MIN_BASE_TABLE: dict = {
    (1024, 128): 4293.437571775882,
    (2048, 128): 11587.244310092903,
    (4096, 128): 26952.339250233854,
    (8192, 128): 83763.8410953276,
    (16384, 128): 231643.64701716765,
    (32768, 128): 629978.2634674245,
    (40960, 128): 1415194.8027197823,
    (65536, 128): 2090179.676074,
    (128000, 128): 4847591.808038763,
    (131072, 128): 4869104.375223589,
    (262144, 128): 23662397.046633705,
    (524288, 128): 58496173.86015803,
    (1048576, 128): 65374955.19412067,
    (2097152, 128): 65448221.03246128,
    (1024, 16): 413409.388057614,
    (2048, 16): 2246141.0477347085,
    (4096, 16): 13367145.885765374,
    (8192, 16): 82231506.35586686,
    (16384, 16): 496014162.8457318,
    (32768, 16): 2909444236.48335,
    (65536, 16): 18059778756.240692,
    (131072, 16): 113626401975.80588,
    (1024, 32): 58153.153542091284,
    (2048, 32): 204359.9968259497,
    (4096, 32): 1110240.7549490482,
    (8192, 32): 3133523.574733742,
    (16384, 32): 26813787.22149921,
    (32768, 32): 154229230.46843377,
    (65536, 32): 200449414.13158578,
    (131072, 32): 3667167448.871555,
    (1024, 48): 19409.459286683395,
    (2048, 48): 61464.72575673191,
    (4096, 48): 102646.17137846946,
    (8192, 48): 950687.8362689639,
    (16384, 48): 4237447.765617755,
    (32768, 48): 12340855.691056263,
    (65536, 48): 16701280.684808157,
    (131072, 48): 92966298.4798866,
    (1024, 64): 7752.98228002353,
    (2048, 64): 29617.046283454354,
    (4096, 64): 100070.29188543546,
    (8192, 64): 323744.1268812364,
    (16384, 64): 1358604.6798872573,
    (32768, 64): 3788343.2544806385,
    (65536, 64): 4867184.38077687,
    (131072, 64): 73779829.77987416,
    (163840, 64): 120207610.89722796,
    (262144, 64): 307573960.10761124,
    (1024, 80): 8837.283420518741,
    (2048, 80): 14998.55477885683,
    (4096, 80): 66873.24296266575,
    (8192, 80): 288609.4403100901,
    (16384, 80): 396335.13171027706,
    (32768, 80): 2407485.853452791,
    (65536, 80): 7698446.854487635,
    (131072, 80): 33849328.200322285,
    (1024, 96): 4956.940239026285,
    (2048, 96): 18741.911496569795,
    (4096, 96): 54600.17203586235,
    (8192, 96): 103141.24858979163,
    (16384, 96): 500217.52212008217,
    (32768, 96): 726714.2462845973,
    (65536, 96): 4773656.265089796,
    (131072, 96): 16748917.590085369,
    (1024, 256): 2967.5056822745023,
    (2048, 256): 6563.947920838548,
    (4096, 256): 17732.635896186803,
    (8192, 256): 41307.38326573412,
    (16384, 256): 103607.67584809555,
    (32768, 256): 223815.3057992959,
    (65536, 256): 665843.1296658571,
    (131072, 256): 1697702.3728145277,
}

#: ``{(length, dim): base}``: ``min_base_for_context(..., robust=True)`` (every base above it is
#: feasible) for dim = 128 and L = 2^10 … 2^19 (2^20 was not finished after 10 minutes),
#: computed by ``_search_robust_base``.
ROBUST_BASE_TABLE: dict = {
    (1024, 128): 6018.280860593742,
    (2048, 128): 22764.303797855606,
    (4096, 128): 58789.504164251375,
    (8192, 128): 394327.9046682637,
    (16384, 128): 1321077.9576554839,
    (32768, 128): 3325751.0321428315,
    (65536, 128): 14949413.926399412,
    (131072, 128): 42273617.46395927,
    (262144, 128): 269364728.54104406,
    (524288, 128): 1298576133.303815,
}

# Men et al.'s bounds for d = 128, as Su prints their table in kexue.fm/archives/10122 (row
# "原文", "the paper"); the paper itself (arXiv:2405.14591) is not among our sources.
MEN_ET_AL_BASES: dict = {
    1024: 4.3e3, 2048: 1.6e4, 4096: 2.7e4, 8192: 8.4e4, 16384: 3.1e5, 32768: 6.4e5,
    65536: 2.1e6, 131072: 7.8e6, 262144: 3.6e7, 524288: 6.4e7, 1048576: 5.1e8,
}

# Su's own recomputation for d = 128 (row "本文", "this post"), kexue.fm/archives/10122: a grid
# search on [0, 1000L] refined five times by factors of 10 (his Jax code; 1K = 1024 etc.).
SU_BASES: dict = {
    1024: 4.3e3, 2048: 1.2e4, 4096: 2.7e4, 8192: 8.4e4, 16384: 2.3e5, 32768: 6.3e5,
    65536: 2.1e6, 131072: 4.9e6, 262144: 2.4e7, 524288: 5.8e7, 1048576: 6.5e7,
}

# Su's asymptotic estimate (kexue.fm/archives/10122, d → ∞): the sum ≈ (Ci(m) − Ci(m/b))/ln b;
# dropping Ci(m) and keeping every m/b below the first zero x0 = 0.6165… of Ci gives
# b >= L/x0 ≈ 2L. The value is Su's; :func:`cosine_integral` checks it.
CI_FIRST_ZERO = 0.6165


def cosine_integral(x: Any) -> np.ndarray:
    """The cosine integral Ci(x) = −∫_x^∞ cos(t)/t dt, for 0 < x <= 10.

    By its power series Ci(x) = γ + ln x + Σ_{k>=1} (−x²)^k / (2k·(2k)!), summed to 60 terms
    (float64; the largest term at x = 10 is about 300, so about 1e-13 absolute error). Used to
    check Su's asymptotic estimate b* ≈ L/x0, x0 the first zero of Ci (kexue.fm/archives/10122).

    Parameters
    ----------
    x : float or array_like
        ``(k,)`` points in (0, 10].

    Returns
    -------
    numpy.ndarray
        ``(k,)`` float64.

    Raises
    ------
    ValueError, TypeError
        For points outside (0, 10] or non-numbers.

    Examples
    --------
    >>> float(cosine_integral(1.0).round(6)[0])
    0.337404
    """
    x = np.atleast_1d(check_array(x, "x", minimum=0.0, strict=True, maximum=10.0,
                                  what="numbers in (0, 10]")).reshape(-1)  # (k,)
    total = np.full(x.shape, 0.5772156649015329) + np.log(x)  # γ + ln x
    term = np.ones_like(x)
    for k in range(1, 61):
        term = term * (-x * x) / ((2 * k - 1) * (2 * k))  # (−x²)^k / (2k)!
        total = total + term / (2 * k)
    return total
