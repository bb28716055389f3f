"""Positions without a position encoding: what a causal model can know without one (NoPE).

What this module holds
----------------------
- :func:`marker_position_signal` and :func:`decode_marker_position`: the constructive proof
  that causal attention can count. With a start marker at position 0 and attention that
  ignores content, the token at position ``i`` gives the marker the weight ``1/(i+1)``; that
  number, rounded to a floating-point format, is a position code, and inverting it recovers
  ``i`` until neighbouring codes collide.
- :func:`causal_average_mean_square`: Su's variance argument (kexue.fm/archives/10347). Under
  uniform causal attention the output at position ``m`` is the mean of the first ``m + 1``
  value vectors; for distinct random values its mean square falls like ``σ²/(m + 1)``, so the
  position sits in the output's norm.
- :func:`representable_spacing`: the gap between neighbouring numbers of a floating-point
  format, which is how finely a stored code can resolve positions.
- :func:`positional_head`: a query and a key that, under RoPE, make every token attend to the
  token ``offset`` places before it, built from the fastest rotary pairs.

Conventions
-----------
``n`` tokens, ``dim`` dimensions; ``q`` and ``k`` are ``(..., n, dim)``. Query ``m`` may look
at key ``j`` under the causal mask when ``j <= m``. Rotary pairs are interleaved (dims
``2i, 2i+1``) and turned counter-clockwise by ``position * θ_i``, as in :mod:`rope_viz.rope`.

References
----------
- A. Kazemnejad, I. Padhi, K. Natesan Ramamurthy, P. Das, S. Reddy. The Impact of Positional
  Encoding on Length Generalization in Transformers. arXiv:2305.19466 (2023): a causal
  Transformer without position encoding can recover absolute positions (their Theorem 1 uses
  a start token and uniform attention, as here).
- F. Barbero, A. Vitvitskyi, C. Perivolaropoulos, R. Pascanu, P. Veličković. Round and Round
  We Go! What makes Rotary Positional Encodings useful? arXiv:2410.06205 (2024): positional
  heads from high frequencies, low frequencies as semantic channels, and p-RoPE.
- 苏剑林 (J. Su). Decoder-only的LLM为什么需要位置编码? kexue.fm/archives/10347 (2024): with
  uniform causal attention over values with independent zero-mean components of variance σ²,
  the mean square of the output at the n-th position is σ²/n (position hidden in the norm).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rope_viz._validation import (
    as_positions,
    check_array,
    check_choice,
    check_dim,
    check_float,
    check_generator,
    check_int,
    fail,
)
from rope_viz.rope import rope_frequencies

__all__ = [
    "DTYPES",
    "marker_position_signal",
    "decode_marker_position",
    "causal_average_mean_square",
    "representable_spacing",
    "positional_head",
]

#: Floating-point formats accepted by :func:`marker_position_signal`.
DTYPES = ("float64", "float32", "float16", "bfloat16")


def marker_position_signal(positions, *, dtype: str = "float64") -> np.ndarray:
    """What a causal NoPE head reads at each position from a start marker: ``1/(i+1)``.

    Put a marker token at position 0 whose value vector has a 1 in some channel where every
    other token has 0, and let the head ignore content (all scores equal, e.g. zero queries).
    Under the causal mask, the token at position ``i`` spreads its attention evenly over the
    ``i + 1`` tokens it can see, so the channel reads exactly ``1/(i+1)``
    (:func:`rope_viz.attention_weights` with zero queries gives the same numbers, column 0). A model
    stores that number in a finite format: here it is rounded once to ``dtype``.

    Parameters
    ----------
    positions : int or array_like of int
        Token positions (>= 0); an int ``n`` means ``range(n)``.
    dtype : {"float64", "float32", "float16", "bfloat16"}
        Format the readout is stored in (bfloat16 rounding uses torch).

    Returns
    -------
    numpy.ndarray
        ``(len(positions),)`` float64 holding the values representable in ``dtype``.

    References
    ----------
    Kazemnejad et al. 2023 (arXiv:2305.19466), Theorem 1 and its proof.

    Examples
    --------
    >>> marker_position_signal(4)
    array([1.        , 0.5       , 0.33333333, 0.25      ])
    """
    positions = as_positions(positions, integer=True, nonnegative=True)
    dtype = check_choice(dtype, "dtype", DTYPES)
    exact = 1.0 / (positions + 1.0)  # (n,): the weight on the marker
    if dtype == "bfloat16":
        import torch

        return torch.from_numpy(exact).to(torch.bfloat16).double().numpy()
    return exact.astype(dtype).astype(np.float64)


def decode_marker_position(signal) -> np.ndarray:
    """Invert :func:`marker_position_signal`: the position whose code ``1/(i+1)`` is nearest.

    Parameters
    ----------
    signal : array_like
        ``(n,)`` readouts, each in (0, 1] (noise may push a value outside; it is clipped to
        [2**-60, 1] first, so that every readout decodes to a position in [0, 2**60]).

    Returns
    -------
    numpy.ndarray
        ``(n,)`` int64 decoded positions, ``round(1/signal) − 1``.

    Examples
    --------
    >>> decode_marker_position([1.0, 0.5, 0.26])
    array([0, 1, 3])
    """
    values = check_array(signal, "signal", ndim=1, what="a 1-D array of readouts")
    values = np.clip(values, 2.0**-60, 1.0)
    return (np.rint(1.0 / values) - 1).astype(np.int64)


def causal_average_mean_square(n: int, dim: int, *, sigma: float = 1.0, rng: Any = 0) -> np.ndarray:
    """Mean square of the uniform causal average of ``n`` random value vectors, per position.

    Su's model of a NoPE layer at initialisation (kexue.fm/archives/10347): attention is
    uniform under the causal mask, so the output at position ``m`` (0-based) is
    ``y_m = (v_0 + ... + v_m) / (m + 1)``, and the value vectors ``v_j`` are distinct, with
    independent components of mean 0 and variance ``σ²``. Then the mean square of ``y_m``'s
    components (RMSNorm's "MS") is about ``σ²/(m + 1)``: the position is carried by the
    output's variance, equivalently its norm ``≈ σ·sqrt(dim/(m + 1))``. The values are drawn as
    ``rng.normal(0.0, sigma, (n, dim))``, row ``j`` for position ``j``.

    Parameters
    ----------
    n : int
        Number of positions (>= 1).
    dim : int
        Width of the value vectors (>= 1); the mean square is averaged over it.
    sigma : float
        Standard deviation of the value components (> 0).
    rng : numpy.random.Generator or int
        Source of randomness, or a seed.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` float64: ``mean(y_m**2)`` over the ``dim`` components, for ``m = 0 ... n−1``.

    Raises
    ------
    ValueError, TypeError
        For a bad ``n``, ``dim``, ``sigma`` or ``rng``.

    References
    ----------
    苏剑林. Decoder-only的LLM为什么需要位置编码? kexue.fm/archives/10347 (2024), section 方差辨位.

    Examples
    --------
    >>> ms = causal_average_mean_square(4, 20000, rng=0)
    >>> (ms * np.arange(1, 5)).round(1)
    array([1., 1., 1., 1.])
    """
    n = check_int(n, "n", minimum=1)
    dim = check_int(dim, "dim", minimum=1)
    sigma = check_float(sigma, "sigma", minimum=0.0)
    generator = check_generator(rng)
    values = generator.normal(0.0, sigma, (n, dim))  # (n, dim): v_j for position j
    counts = np.arange(1, n + 1, dtype=np.float64)[:, None]  # (n, 1): tokens seen
    averages = np.cumsum(values, axis=0) / counts  # (n, dim): y_m, uniform causal attention
    return np.mean(averages**2, axis=1)  # (n,)


#: Bits of significand after the leading one, per format (the spacing at 1 is 2**-bits).
_SIGNIFICAND_BITS = {"float64": 52, "float32": 23, "float16": 10, "bfloat16": 7}
#: Smallest positive normal number's exponent, per format (below it the spacing is fixed).
_MIN_EXPONENT = {"float64": -1022, "float32": -126, "float16": -14, "bfloat16": -126}


def representable_spacing(values, dtype: str = "float32") -> np.ndarray:
    """The gap between neighbouring numbers of a floating-point format, at each value.

    A value ``v`` with ``2**e <= |v| < 2**(e+1)`` sits on a grid of spacing ``2**(e − bits)``,
    where ``bits`` is the number of significand bits after the leading one (52, 23, 10 and 7
    for float64, float32, float16 and bfloat16); below the smallest normal number (and at
    zero) the spacing stays at its value there. Two codes closer than this can round to the same
    number. Equals ``numpy.spacing`` for the numpy formats.

    Parameters
    ----------
    values : array_like
        ``(n,)`` real numbers.
    dtype : {"float64", "float32", "float16", "bfloat16"}
        The format.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` float64 spacings (positive).

    Examples
    --------
    >>> representable_spacing([1.0, 0.5, 0.3], "bfloat16")
    array([0.0078125 , 0.00390625, 0.00195312])
    """
    values = np.abs(check_array(values, "values", ndim=1, what="a 1-D array of real numbers"))
    dtype = check_choice(dtype, "dtype", DTYPES)
    bits, lowest = _SIGNIFICAND_BITS[dtype], _MIN_EXPONENT[dtype]
    _, exponent = np.frexp(values)  # values = mantissa * 2**exponent, mantissa in [0.5, 1)
    exponent = np.where(values > 0, exponent - 1, lowest)  # floor(log2 |v|)
    exponent = np.maximum(exponent, lowest)  # below the normals the spacing is fixed
    return np.ldexp(1.0, exponent - bits)


def positional_head(
    dim: int,
    *,
    base: float = 10000.0,
    offset: int = 1,
    pairs: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """A query and a key that make a RoPE head attend ``offset`` tokens back.

    Give every token the same query ``q`` and key ``k`` (so content plays no role). After
    RoPE, query ``m`` and key ``j`` score ``Σ_i Re[conj(q_i) k_i e^{i(j−m)θ_i}]`` over the
    pairs ``i`` (as complex numbers). With ``k_i = 1`` and ``q_i = e^{−i·offset·θ_i}`` on the
    ``pairs`` fastest pairs (and zero elsewhere) the score is ``Σ_i cos((m − j − offset)θ_i)``,
    which equals ``pairs`` at ``j = m − offset`` and is smaller at every other whole-number
    distance (``θ_0 = 1`` radian, and 2π is irrational). ``offset=1`` is a previous-token head,
    ``offset=0`` a diagonal head.

    Parameters
    ----------
    dim : int
        Rotary dimension (positive, even).
    base : float
        RoPE base (> 1).
    offset : int
        How many tokens back the head looks (>= 0).
    pairs : int
        How many of the fastest pairs carry the pattern (1 ... dim/2).

    Returns
    -------
    (q, k) : tuple of numpy.ndarray
        Each ``(dim,)`` float64, interleaved pairing, to be rotated with
        :func:`rope_viz.apply_rope` at every position.

    References
    ----------
    Barbero et al. 2024 (arXiv:2410.06205): RoPE can build diagonal and
    previous-token heads from its highest frequencies, which NoPE cannot.

    Examples
    --------
    >>> q, k = positional_head(4, offset=0)
    >>> q.tolist(), k.tolist()
    ([1.0, -0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0])
    """
    dim = check_dim(dim)
    inv_freq = rope_frequencies(dim, base)  # (dim/2,), validates base
    offset = check_int(offset, "offset", minimum=0)
    pairs = check_int(pairs, "pairs", minimum=1)
    if pairs > dim // 2:
        fail("pairs", f"at most dim/2 = {dim // 2}", pairs)
    angle = offset * inv_freq[:pairs]  # (pairs,)
    q = np.zeros(dim)
    k = np.zeros(dim)
    q[0 : 2 * pairs : 2] = np.cos(angle)  # real parts of q_i = e^{−i·offset·θ_i}
    q[1 : 2 * pairs : 2] = -np.sin(angle)  # imaginary parts
    k[0 : 2 * pairs : 2] = 1.0
    return q, k
