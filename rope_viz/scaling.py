"""Choosing the RoPE base and stretching the context: frequency scaling rules.

What this module holds
----------------------
- :func:`scaled_frequencies`: ``(inv_freq, attention_factor)`` for Hugging Face's rope types
  ``default``, ``linear``, ``dynamic``, ``yarn``, ``llama3`` and ``longrope``, with their
  parameter names, defaults and numbers.
- :func:`yarn_ramp`: YaRN's per-pair blend weight, on r = L/λ (the paper) or on the pair
  index (the reference code and Hugging Face).
- :func:`ntk_aware_base`: the NTK-aware base b·s^(d/(d−2)).
- :func:`beta_digits`: the base-β reading of a position (β = b^(2/d)).
- :func:`min_base_for_context`: the smallest base whose cosine sum stays non-negative over the
  context (Men et al. 2024).
- :class:`RopeSettings` and :func:`rope_settings_from_config`: the RoPE settings read out of a
  Hugging Face ``config.json`` dictionary.

All frequencies are float64 numpy arrays of shape ``(dim/2,)``. Hugging Face computes them in
float32, so its numbers agree with these to float32 rounding (about 1e-7 relative).

References
----------
- Chen et al. 2023, Position Interpolation, arXiv:2306.15595 (``linear``).
- bloc97 / emozilla 2023 (Reddit), NTK-aware and dynamic NTK scaling (``dynamic``).
- Peng et al. 2023, YaRN, arXiv:2309.00071 (``yarn``; the paper's ramp is on r = L/λ), and its
  reference code github.com/jquesnelle/yarn (the ramp on the pair index, as Hugging Face).
- Meta, github.com/meta-llama/llama-models ``models/llama3/model.py`` ``apply_scaling``
  (``llama3``; the Llama 3 paper, arXiv:2407.21783, does not state the rule).
- Ding et al. 2024, LongRoPE, arXiv:2402.13753 (``longrope``).
- 苏剑林. Transformer升级之路:10、RoPE是一种β进制编码. kexue.fm/archives/9675 (2023).
- Men et al. 2024, Base of RoPE Bounds Context Length, arXiv:2405.14591; 苏剑林,
  Transformer升级之路:18、RoPE的底数选择原则, kexue.fm/archives/10122.
- Hugging Face transformers ``modeling_rope_utils.ROPE_INIT_FUNCTIONS`` (the cross-check in
  ``tests/test_scaling.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rope_viz._validation import (
    as_positions,
    check_bool,
    check_choice,
    check_dim,
    check_float,
    check_int,
    fail,
)
from rope_viz.rope import rope_frequencies

__all__ = [
    "ROPE_TYPES",
    "scaled_frequencies",
    "yarn_ramp",
    "ntk_aware_base",
    "beta_digits",
    "min_base_for_context",
    "MIN_BASE_TABLE",
    "cosine_sum",
    "min_cosine_sum",
    "cosine_sum_envelope",
    "RopeSettings",
    "rope_settings_from_config",
]

ROPE_TYPES = ("default", "linear", "dynamic", "yarn", "llama3", "longrope")

# Parameters each rope_type accepts (Hugging Face's names). "required" ones have no default.
_ACCEPTED = {
    "default": set(),
    "linear": {"factor"},
    "dynamic": {"factor", "max_position_embeddings", "seq_len"},
    "yarn": {
        "factor",
        "original_max_position_embeddings",
        "max_position_embeddings",
        "attention_factor",
        "beta_fast",
        "beta_slow",
        "mscale",
        "mscale_all_dim",
        "truncate",
    },
    "llama3": {"factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"},
    "longrope": {
        "short_factor",
        "long_factor",
        "factor",
        "original_max_position_embeddings",
        "max_position_embeddings",
        "attention_factor",
        "seq_len",
    },
}


def _require(params: dict, key: str, rope_type: str) -> Any:
    if params.get(key) is None:
        fail(
            key,
            f"given for rope_type={rope_type!r}",
            None,
            f"pass {key}=... (Hugging Face's name); accepted: {', '.join(sorted(_ACCEPTED[rope_type]))}",
        )
    return params[key]


def _factor_list(value: Any, name: str, half: int) -> np.ndarray:
    values = as_positions(value, name)
    if values.shape != (half,) or np.any(values <= 0):
        fail(name, f"a list of dim/2 = {half} positive numbers", value)
    return values


def scaled_frequencies(
    dim: int,
    base: float = 10000.0,
    rope_type: str = "default",
    **params: Any,
) -> tuple[np.ndarray, float]:
    """RoPE frequencies under a context-extension rule, as Hugging Face computes them.

    Parameters
    ----------
    dim : int
        Rotary dimension (positive, even): ``head_dim * partial_rotary_factor``.
    base : float
        RoPE base (``rope_theta``), > 1.
    rope_type : {"default", "linear", "dynamic", "yarn", "llama3", "longrope"}
        The rule. Hugging Face's ``"proportional"`` and the multimodal variants are not covered.
    **params
        Hugging Face's parameter names:

        - ``linear``: ``factor`` (required); θ_i / factor (position interpolation).
        - ``dynamic``: ``factor`` and ``max_position_embeddings`` (required), ``seq_len``
          (default ``max_position_embeddings``); base' = base·(factor·L/max − (factor − 1))^(d/(d−2))
          with L = max(seq_len, max_position_embeddings).
        - ``yarn``: ``factor``, ``original_max_position_embeddings`` (required; factor may be
          left out when ``max_position_embeddings`` is given, then factor = max/original),
          ``beta_fast`` (32), ``beta_slow`` (1), ``attention_factor`` (default
          0.1·ln(factor) + 1, or the ratio of the two with ``mscale`` and ``mscale_all_dim``),
          ``truncate`` (True).
        - ``llama3``: ``factor``, ``low_freq_factor``, ``high_freq_factor``,
          ``original_max_position_embeddings`` (all required).
        - ``longrope``: ``short_factor``, ``long_factor`` (lists of dim/2 numbers),
          ``original_max_position_embeddings`` (required), ``factor`` (default
          max_position_embeddings / original), ``attention_factor`` (default
          sqrt(1 + ln(factor)/ln(original))), ``seq_len`` (long factors are used when
          seq_len > original).

    Returns
    -------
    inv_freq : numpy.ndarray
        ``(dim/2,)`` float64 frequencies (multiply by positions to get angles).
    attention_factor : float
        The factor Hugging Face multiplies cos and sin by (1.0 except for yarn and longrope).

    Raises
    ------
    ValueError, TypeError
        For a bad ``dim`` or ``base``, an unknown ``rope_type``, a parameter the rule does not
        take, a missing required parameter, or a parameter of the wrong kind.

    References
    ----------
    Hugging Face transformers 5.x, ``modeling_rope_utils``: ``_compute_linear_scaling_rope_parameters``,
    ``_compute_dynamic_ntk_parameters``, ``_compute_yarn_parameters``,
    ``_compute_llama3_parameters``, ``_compute_longrope_parameters``; papers in the module
    docstring.

    Examples
    --------
    >>> inv_freq, scale = scaled_frequencies(8, 10000.0, "linear", factor=4.0)
    >>> inv_freq[0], scale
    (np.float64(0.25), 1.0)
    """
    dim = check_dim(dim)
    base = check_float(base, "base", minimum=1.0)
    rope_type = check_choice(rope_type, "rope_type", ROPE_TYPES)
    unknown = sorted(set(params) - _ACCEPTED[rope_type])
    if unknown:
        accepted = ", ".join(sorted(_ACCEPTED[rope_type])) or "none"
        fail(unknown[0], f"a parameter of rope_type={rope_type!r} (accepted: {accepted})", params[unknown[0]])
    inv_freq = rope_frequencies(dim, base)  # (dim/2,)
    half = dim // 2

    if rope_type == "default":
        return inv_freq, 1.0

    if rope_type == "linear":
        factor = check_float(_require(params, "factor", rope_type), "factor", minimum=0.0)
        return inv_freq / factor, 1.0

    if rope_type == "dynamic":
        if dim <= 2:
            fail("dim", "greater than 2 for dynamic NTK (the exponent is d/(d-2))", dim)
        factor = check_float(_require(params, "factor", rope_type), "factor", minimum=0.0)
        max_pos = check_int(_require(params, "max_position_embeddings", rope_type), "max_position_embeddings", minimum=1)
        seq_len = params.get("seq_len")
        seq_len = max_pos if seq_len is None else check_int(seq_len, "seq_len", minimum=1)
        seq_len = max(seq_len, max_pos)
        new_base = base * ((factor * seq_len / max_pos) - (factor - 1)) ** (dim / (dim - 2))
        return rope_frequencies(dim, new_base), 1.0

    if rope_type == "llama3":
        factor = check_float(_require(params, "factor", rope_type), "factor", minimum=0.0)
        low = check_float(_require(params, "low_freq_factor", rope_type), "low_freq_factor", minimum=0.0)
        high = check_float(_require(params, "high_freq_factor", rope_type), "high_freq_factor", minimum=0.0)
        if high <= low:
            fail("high_freq_factor", f"greater than low_freq_factor = {low:g}", high)
        old = check_float(
            _require(params, "original_max_position_embeddings", rope_type),
            "original_max_position_embeddings",
            minimum=0.0,
        )
        low_freq_wavelen, high_freq_wavelen = old / low, old / high
        wavelen = 2 * math.pi / inv_freq  # (dim/2,)
        scaled = np.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
        smooth = (old / wavelen - low) / (high - low)  # (dim/2,)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < high_freq_wavelen) & ~(wavelen > low_freq_wavelen)
        return np.where(medium, smoothed, scaled), 1.0

    # yarn and longrope share the original-length bookkeeping
    max_pos = params.get("max_position_embeddings")
    if max_pos is not None:
        max_pos = check_int(max_pos, "max_position_embeddings", minimum=1)
    original = params.get("original_max_position_embeddings", max_pos)
    if original is None:
        _require(params, "original_max_position_embeddings", rope_type)
    original = check_int(original, "original_max_position_embeddings", minimum=1)
    factor = params.get("factor")
    if factor is None:
        if max_pos is None:
            _require(params, "factor", rope_type)
        factor = max_pos / original
    factor = check_float(factor, "factor", minimum=0.0)
    attention_factor = params.get("attention_factor")
    if attention_factor is not None:
        attention_factor = check_float(attention_factor, "attention_factor", minimum=0.0)

    if rope_type == "longrope":
        short = _factor_list(_require(params, "short_factor", rope_type), "short_factor", half)
        long = _factor_list(_require(params, "long_factor", rope_type), "long_factor", half)
        if attention_factor is None:
            attention_factor = 1.0 if factor <= 1.0 else math.sqrt(1 + math.log(factor) / math.log(original))
        seq_len = params.get("seq_len")
        if seq_len is not None:
            seq_len = check_int(seq_len, "seq_len", minimum=1)
        ext = long if (seq_len and seq_len > original) else short
        return inv_freq / ext, float(attention_factor)

    # yarn
    beta_fast = params.get("beta_fast") or 32
    beta_slow = params.get("beta_slow") or 1
    beta_fast = check_float(beta_fast, "beta_fast", minimum=0.0)
    beta_slow = check_float(beta_slow, "beta_slow", minimum=0.0)
    truncate = check_bool(params.get("truncate", True), "truncate")
    if attention_factor is None:
        def get_mscale(scale: float, mscale: float = 1.0) -> float:
            return 1.0 if scale <= 1 else 0.1 * mscale * math.log(scale) + 1.0

        mscale, mscale_all = params.get("mscale"), params.get("mscale_all_dim")
        if mscale and mscale_all:
            attention_factor = get_mscale(factor, mscale) / get_mscale(factor, mscale_all)
        else:
            attention_factor = get_mscale(factor)

    extrapolation = _yarn_index_ramp(dim, base, original, beta_fast, beta_slow, truncate)  # (dim/2,)
    interpolated = inv_freq / factor  # extrapolation 1 keeps the original frequency, 0 interpolates
    return interpolated * (1 - extrapolation) + inv_freq * extrapolation, float(attention_factor)


def _yarn_index_ramp(
    dim: int, base: float, original: int, beta_fast: float, beta_slow: float, truncate: bool
) -> np.ndarray:
    """YaRN's γ as the reference code computes it: linear in the pair index, (dim/2,)."""

    def correction_dim(rotations: float) -> float:
        # the (fractional) pair index whose wavelength fits `rotations` turns into `original`
        return (dim * math.log(original / (rotations * 2 * math.pi))) / (2 * math.log(base))

    low, high = correction_dim(beta_fast), correction_dim(beta_slow)
    if truncate:
        low, high = math.floor(low), math.ceil(high)
    low, high = max(low, 0), min(high, dim - 1)
    if low == high:
        high += 0.001  # as Hugging Face: avoid a zero-width ramp
    ramp = np.clip((np.arange(dim // 2, dtype=np.float64) - low) / (high - low), 0.0, 1.0)  # (dim/2,)
    return 1.0 - ramp  # 1 keeps the original frequency, 0 interpolates fully


def yarn_ramp(
    dim: int,
    base: float,
    original_max_position_embeddings: int,
    *,
    beta_fast: float = 32.0,
    beta_slow: float = 1.0,
    space: str = "index",
    truncate: bool = True,
) -> np.ndarray:
    """YaRN's blend weight γ_i per pair, as the paper defines it or as the code computes it.

    YaRN ("NTK-by-parts") sets θ_i' = (1 − γ_i)·θ_i/s + γ_i·θ_i: γ = 1 keeps a pair's frequency
    (extrapolation), γ = 0 divides it by the factor s (interpolation). Pair i makes
    r_i = L/λ_i = L·θ_i/(2π) turns inside the original context L. Both versions give γ = 1 when
    r_i > beta_fast and γ = 0 when r_i < beta_slow; they differ in between.

    - ``space="ratio"``: the paper's ramp γ(r) = (r − α)/(β − α) on r itself, with
      α = ``beta_slow`` and β = ``beta_fast`` (Peng et al. 2023, Definition 2).
    - ``space="index"``: the reference code's ramp (jquesnelle/yarn ``find_correction_range``
      and ``linear_ramp_mask``; Hugging Face's ``_compute_yarn_parameters``): the fractional
      pair indices where r = beta_fast and r = beta_slow are rounded outwards (floor, ceil)
      when ``truncate``, and γ falls linearly in the pair index between them. Since r_i is
      exponential in i, this is linear in log r, not in r. It is exactly the γ that
      :func:`scaled_frequencies` uses for ``rope_type="yarn"``.

    Parameters
    ----------
    dim : int
        Rotary dimension d (positive, even).
    base : float
        RoPE base b (> 1).
    original_max_position_embeddings : int
        The original (pre-training) context length L (>= 1).
    beta_fast, beta_slow : float
        Turn thresholds, ``beta_fast > beta_slow > 0`` (the paper's β = 32 and α = 1 for Llama).
    space : {"index", "ratio"}
        Where the ramp is linear: in the pair index (the code) or in r (the paper).
    truncate : bool
        Round the index ramp's ends outwards (Hugging Face's default); ignored for ``"ratio"``.

    Returns
    -------
    numpy.ndarray
        ``(dim/2,)`` float64 γ_i in [0, 1], non-increasing in i.

    Raises
    ------
    ValueError, TypeError
        For a bad ``dim``, ``base``, length, thresholds, ``space`` or ``truncate``.

    References
    ----------
    B. Peng, J. Quesnelle, H. Fan, E. Shippole. YaRN. arXiv:2309.00071 (2023), Sec. 3.2;
    reference code github.com/jquesnelle/yarn ``scaled_rope/LlamaYaRNScaledRotaryEmbedding.py``;
    transformers ``modeling_rope_utils._compute_yarn_parameters``; kexue.fm/archives/9948.

    Examples
    --------
    >>> yarn_ramp(128, 10000.0, 4096)[[20, 21, 33, 46]].round(3)
    array([1.   , 0.962, 0.5  , 0.   ])
    >>> yarn_ramp(128, 10000.0, 4096, space="ratio")[[20, 21, 33, 46]].round(3)
    array([1.   , 0.992, 0.15 , 0.   ])
    """
    dim = check_dim(dim)
    base = check_float(base, "base", minimum=1.0)
    original = check_int(original_max_position_embeddings, "original_max_position_embeddings", minimum=1)
    beta_slow = check_float(beta_slow, "beta_slow", minimum=0.0)
    beta_fast = check_float(beta_fast, "beta_fast", minimum=0.0)
    if beta_fast <= beta_slow:
        fail("beta_fast", f"greater than beta_slow = {beta_slow:g}", beta_fast)
    space = check_choice(space, "space", ("index", "ratio"))
    truncate = check_bool(truncate, "truncate")
    if space == "index":
        return _yarn_index_ramp(dim, base, original, beta_fast, beta_slow, truncate)
    turns = original * rope_frequencies(dim, base) / (2 * math.pi)  # (dim/2,): r_i = L / λ_i
    return np.clip((turns - beta_slow) / (beta_fast - beta_slow), 0.0, 1.0)


def ntk_aware_base(base: float, factor: float, dim: int) -> float:
    """The NTK-aware base b·s^(d/(d−2)).

    It keeps the highest frequency (θ_0 = 1) unchanged and divides the lowest one
    (θ_(d/2−1) = b^(−(d−2)/d)) by exactly s, so that position interpolation happens only where
    the wavelengths are longest.

    Parameters
    ----------
    base : float
        Original base b (> 1).
    factor : float
        Context extension factor s (> 0).
    dim : int
        Rotary dimension d (even, > 2).

    Returns
    -------
    float

    Raises
    ------
    ValueError, TypeError
        For bad ``base``, ``factor`` or ``dim``.

    References
    ----------
    bloc97 (2023), "NTK-Aware Scaled RoPE"; kexue.fm/archives/9675.

    Examples
    --------
    >>> round(ntk_aware_base(10000.0, 4.0, 128))
    40890
    """
    base = check_float(base, "base", minimum=1.0)
    factor = check_float(factor, "factor", minimum=0.0)
    dim = check_dim(dim)
    if dim <= 2:
        fail("dim", "an even integer greater than 2 (the exponent is d/(d-2))", dim)
    return base * factor ** (dim / (dim - 2))


def beta_digits(positions: Any, beta: float, count: int) -> np.ndarray:
    """The base-β digits of each position: digit i = floor(p / β^i) mod β.

    RoPE with base b and dimension d turns pair i by p·β^(−i) with β = b^(2/d), the same
    quantity whose floor mod β is the i-th digit of p in base β: low pairs are the fast "units",
    high pairs the slow leading digits.

    Parameters
    ----------
    positions : int or array_like
        ``(n,)`` non-negative positions, or an int ``n`` for ``range(n)``.
    beta : float
        The radix β (> 1; need not be an integer).
    count : int
        Number of digits (>= 1), least significant first.

    Returns
    -------
    numpy.ndarray
        ``(n, count)`` float64 digits in [0, β).

    Raises
    ------
    ValueError, TypeError
        For negative or non-finite positions, β <= 1 or a bad ``count``.

    References
    ----------
    苏剑林. Transformer升级之路:10、RoPE是一种β进制编码. kexue.fm/archives/9675 (2023).

    Examples
    --------
    >>> beta_digits([1234], 10, 4)
    array([[4., 3., 2., 1.]])
    """
    positions = as_positions(positions, nonnegative=True)
    beta = check_float(beta, "beta", minimum=1.0)
    count = check_int(count, "count", minimum=1)
    scales = beta ** np.arange(count, dtype=np.float64)  # (count,)
    return np.mod(np.floor(positions[:, None] / scales[None, :]), beta)  # (n, count)


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
    """Men et al.'s quantity Σ_i cos(m·θ_i) for each relative distance m.

    For a query q and a key k = q + noise, the expected RoPE score at distance m is
    proportional to this sum (for Gaussian q with unit variance per dimension, it is twice the
    sum); the base bound asks it to stay >= 0 inside the context, so that a similar key scores
    higher than a random one at every distance.

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
    """
    distances = as_positions(distances, "distances")
    thetas = _frequencies_argument(dim, base, inv_freq)
    return np.cos(np.multiply.outer(distances, thetas)).sum(axis=-1)  # (k,)


def _frequencies_argument(dim: Any, base: Any, inv_freq: Any) -> np.ndarray:
    if inv_freq is None:
        return rope_frequencies(check_dim(dim), check_float(base, "base", minimum=1.0))
    thetas = as_positions(inv_freq, "inv_freq")
    if thetas.ndim != 1 or thetas.size == 0 or np.any(thetas <= 0):
        fail("inv_freq", "a 1-d array of positive frequencies", inv_freq)
    return thetas


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
    bases = as_positions(np.atleast_1d(np.asarray(bases, dtype=object)).tolist(), "bases")
    if np.any(bases <= 1):
        fail("bases", "numbers > 1", bases)
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


def _survive(thetas: np.ndarray, distances: np.ndarray) -> np.ndarray:
    """``(A,)`` bool: Σ_i cos(m·θ_i) >= 0 at every m of ``distances`` (W,), for each row (A, dim/2).

    Distances are tried newest (last) first, 16 at a time, and rows drop out at their first
    failure, so a row that fails early costs little.
    """
    out = np.ones(thetas.shape[0], dtype=bool)
    for end in range(distances.size, 0, -16):
        idx = np.flatnonzero(out)
        if idx.size == 0:
            break
        m = distances[max(0, end - 16) : end]  # (w,)
        angles = thetas[idx, None, :] * m[None, :, None]  # (a, w, dim/2)
        out[idx] = np.cos(angles).sum(axis=-1).min(axis=1) >= 0
    return out


def _search_min_base(length: int, dim: int, rtol: float, start: float, first: int = 0) -> float:
    """The grid search behind :func:`min_base_for_context` (no table look-up).

    Scans ``start·(1 + rtol)^k`` for k = first, first + 1, …; ``first > 0`` is only correct when
    every grid point below index ``first`` is known to fail.
    """
    edges = _edges(length)
    log_step = math.log1p(rtol)
    batch = 512
    witnesses = np.empty(0)  # distances m that made recent candidates fail, newest last
    k0 = first
    while True:
        bases = start * np.exp(log_step * np.arange(k0, k0 + batch, dtype=np.float64))  # (batch,)
        thetas = _thetas(bases, dim)  # (batch, dim/2)
        # 1. the first stage for the whole batch: small bases fail at small m
        alive = _cosine_sums(thetas, 0, edges[1]).min(axis=1) >= 0  # (batch,)
        # 2. distances that sank earlier candidates often sink their neighbours too
        if witnesses.size and alive.any():
            idx = np.flatnonzero(alive)
            alive[idx] = _survive(thetas[idx], witnesses)
        # 3. survivors in increasing order: a full check each; a failure gives new witnesses
        while alive.any():
            first = int(np.argmax(alive))
            ok, failed_at = _passes(thetas[first], edges)
            if ok:
                return float(bases[first])
            alive[first] = False
            witnesses = np.concatenate([witnesses, failed_at])[-512:]
            idx = np.flatnonzero(alive)
            if idx.size:
                alive[idx] = _survive(thetas[idx], failed_at)
        k0 += batch


def min_base_for_context(
    length: int,
    dim: int = 128,
    *,
    rtol: float = 1e-3,
    start: float = 2.0,
) -> float:
    """Smallest base b with Σ_i cos(m·b^(−2i/dim)) >= 0 for every integer 0 <= m < length.

    The condition is Men et al.'s lower bound: with it, a query still attends more to similar
    keys than to random ones at every distance inside the context. Feasibility is **not**
    monotone in b (a base can pass while a slightly larger one fails), so a bisection would be
    wrong. The search scans a geometric grid ``start·(1 + rtol)^k`` upward and returns the first
    grid point that passes; a feasible island narrower than one grid step could be skipped, and
    the exact threshold lies within one step below the returned value. Islands are real: at
    L = 32768, d = 128 a 1 % grid first passes at 9.4e5 while the 0.1 % grid finds 6.3e5
    (Men et al. report 6.4e5).

    How it is fast: a candidate is rejected by the first distance m where its sum is negative,
    so the check runs in stages of m (0–63, 64–255, …) and stops at the first failure; the
    distances that sank earlier candidates ("witnesses") are tried first on the next ones,
    since neighbouring bases tend to fail at the same m; and each stage's sums come from a
    block decomposition (see :func:`min_cosine_sum`) that needs about √length·dim cosines.
    Only the candidates that survive all of that get a full check, and a pass is only ever
    returned after every m < length was checked. With the defaults (``rtol=1e-3``,
    ``start=2.0``) and dim = 128, the results for L = 2^10 … 2^20 are stored in
    :data:`MIN_BASE_TABLE` (computed by this search; ``tests/test_scaling_min_base.py``
    recomputes some) and returned without a search; for other lengths the scan starts at the
    entry of the next shorter length in the table, since b* never decreases with L.

    Parameters
    ----------
    length : int
        Context length L (>= 1).
    dim : int
        Rotary dimension (positive, even).
    rtol : float
        Relative grid step (> 0).
    start : float
        Smallest base tried (> 1).

    Returns
    -------
    float
        The base.

    Raises
    ------
    ValueError, TypeError
        For bad ``length``, ``dim``, ``rtol`` or ``start``.

    References
    ----------
    Men et al. 2024, arXiv:2405.14591, eq. (11) and Table 1 (e.g. 2.7e4 for L = 4K, 6.4e5 for
    L = 32K at d = 128); kexue.fm/archives/10122.

    Examples
    --------
    >>> round(min_base_for_context(100, dim=16))
    1707
    """
    length = check_int(length, "length", minimum=1)
    dim = check_dim(dim)
    rtol = check_float(rtol, "rtol", minimum=0.0)
    start = check_float(start, "start", minimum=1.0)
    first = 0
    if rtol == 1e-3 and start == 2.0:
        if (length, dim) in MIN_BASE_TABLE:
            return MIN_BASE_TABLE[(length, dim)]
        # b*(L) never decreases with L (a base that passes for L passes for every shorter
        # context), so the grid points below a shorter context's entry all fail: skip them
        shorter = [b for (n, d), b in MIN_BASE_TABLE.items() if d == dim and n < length]
        if shorter:
            first = round(math.log(max(shorter) / start) / math.log1p(rtol))
    return _search_min_base(length, dim, rtol, start, first)


#: ``{(length, dim): base}``: :func:`min_base_for_context` with its defaults (rtol 1e-3,
#: start 2.0) for dim = 128 and L = 2^10 … 2^20, precomputed by ``_search_min_base``.
MIN_BASE_TABLE: dict = {
    (1024, 128): 4295.450581549182,
    (2048, 128): 11589.04539103465,
    (4096, 128): 26967.65191555828,
    (8192, 128): 83769.70681267971,
    (16384, 128): 234055.3885753001,
    (32768, 128): 630216.001878401,
    (65536, 128): 2091136.5907108188,
    (131072, 128): 4870930.6785123395,
    (262144, 128): 32665963.277353987,
    (524288, 128): 64007315.50608515,
    (1048576, 128): 65430361.17827078,
}


# ---------------------------------------------------------------------------------------------
# Hugging Face config.json
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RopeSettings:
    """RoPE settings of a model, as read from its Hugging Face ``config.json``."""

    head_dim: int  # size of one attention head
    rotary_dim: int  # dimensions that are rotated: int(head_dim * partial_rotary_factor)
    base: float  # rope_theta
    rope_type: str  # one of ROPE_TYPES
    partial_rotary_factor: float = 1.0  # fraction of head_dim that is rotated
    max_position_embeddings: int | None = None  # context the config declares
    params: dict = field(default_factory=dict)  # scaling parameters, Hugging Face's names
    mrope_section: tuple | None = None  # (t, h, w) frequency slots for M-RoPE models, if any

    def frequencies(self, seq_len: int | None = None) -> tuple[np.ndarray, float]:
        """``(inv_freq, attention_factor)`` via :func:`scaled_frequencies` (seq_len for dynamic/longrope)."""
        params = dict(self.params)
        if self.rope_type in ("dynamic", "yarn", "longrope") and self.max_position_embeddings:
            params.setdefault("max_position_embeddings", self.max_position_embeddings)
        if seq_len is not None and self.rope_type in ("dynamic", "longrope"):
            params["seq_len"] = seq_len
        return scaled_frequencies(self.rotary_dim, self.base, self.rope_type, **params)


_LEGACY_TYPES = {"mrope": "default", "su": "longrope"}


def rope_settings_from_config(config: Mapping) -> RopeSettings:
    """Read the RoPE settings out of a Hugging Face ``config.json`` dictionary.

    Understands transformers 4.x configs (``rope_theta`` at the top, scaling in
    ``rope_scaling`` with ``rope_type`` or the older ``type``) and 5.x configs (everything in
    ``rope_parameters``), ``head_dim`` or ``hidden_size // num_attention_heads``,
    ``partial_rotary_factor`` (top level or in the scaling dict), ``max_position_embeddings``
    and a top-level ``original_max_position_embeddings`` (Phi-3). A multimodal config whose
    language model sits under ``text_config`` is read from there. ``"mrope"`` (Qwen2-VL) is read
    as ``default`` with its ``mrope_section`` kept.

    Parameters
    ----------
    config : Mapping
        The parsed ``config.json`` (e.g. ``json.load(open("config.json"))``).

    Returns
    -------
    RopeSettings
        A frozen dataclass; ``settings.frequencies()`` gives ``(inv_freq, attention_factor)``.

    Raises
    ------
    ValueError, TypeError
        For a config that is not a mapping, lacks the head size, or names an unknown rope type.

    Examples
    --------
    >>> s = rope_settings_from_config({"hidden_size": 4096, "num_attention_heads": 32,
    ...                                "rope_theta": 500000.0, "max_position_embeddings": 8192})
    >>> s.head_dim, s.base, s.rope_type
    (128, 500000.0, 'default')
    """
    if not isinstance(config, Mapping):
        fail("config", "a dict parsed from config.json", config, kind=TypeError)
    if "text_config" in config and "hidden_size" not in config and "head_dim" not in config:
        merged = dict(config["text_config"] or {})
        for key in ("rope_scaling", "rope_parameters", "rope_theta", "max_position_embeddings"):
            if key in config and key not in merged:
                merged[key] = config[key]
        config = merged

    scaling = config.get("rope_parameters") or config.get("rope_scaling") or {}
    if not isinstance(scaling, Mapping):
        fail("config", "a 'rope_scaling' / 'rope_parameters' entry that is a dict", scaling, kind=TypeError)
    if scaling and all(isinstance(v, Mapping) for v in scaling.values()):
        # per-layer-type parameters (e.g. Gemma 3): read the full-attention layers
        if "full_attention" not in scaling:
            fail("config", "per-layer rope_parameters with a 'full_attention' entry", sorted(scaling))
        scaling = scaling["full_attention"]
    scaling = dict(scaling)

    head_dim = config.get("head_dim")
    if head_dim is None:
        hidden, heads = config.get("hidden_size"), config.get("num_attention_heads")
        if hidden is None or heads is None:
            fail(
                "config",
                "a dict with 'head_dim', or 'hidden_size' and 'num_attention_heads'",
                f"keys {sorted(config)[:8]}",
            )
        head_dim = check_int(hidden, "config['hidden_size']", minimum=1) // check_int(
            heads, "config['num_attention_heads']", minimum=1
        )
    head_dim = check_int(head_dim, "config['head_dim']", minimum=2)

    base = scaling.pop("rope_theta", None) or config.get("rope_theta", 10000.0)
    base = check_float(base, "config['rope_theta']", minimum=1.0)
    prf = scaling.pop("partial_rotary_factor", None) or config.get("partial_rotary_factor", 1.0)
    prf = check_float(prf, "config['partial_rotary_factor']", minimum=0.0)
    rotary_dim = int(head_dim * prf)
    if rotary_dim < 2 or rotary_dim % 2:
        fail("config", "head_dim * partial_rotary_factor to be a positive even number", rotary_dim)

    rope_type = scaling.pop("rope_type", None) or scaling.pop("type", None) or "default"
    scaling.pop("type", None)
    rope_type = _LEGACY_TYPES.get(rope_type, rope_type)
    if rope_type not in ROPE_TYPES:
        fail("config", f"a rope_type among {', '.join(ROPE_TYPES)}", rope_type)
    mrope = scaling.pop("mrope_section", None)
    scaling.pop("mrope_interleaved", None)
    max_pos = config.get("max_position_embeddings")
    if "original_max_position_embeddings" in config and rope_type in ("yarn", "llama3", "longrope"):
        scaling.setdefault("original_max_position_embeddings", config["original_max_position_embeddings"])
    if rope_type in ("yarn", "llama3", "longrope") and max_pos is not None:
        scaling.setdefault("original_max_position_embeddings", max_pos)
    params = {k: v for k, v in scaling.items() if k in _ACCEPTED[rope_type]}
    settings = RopeSettings(
        head_dim=head_dim,
        rotary_dim=rotary_dim,
        base=base,
        rope_type=rope_type,
        partial_rotary_factor=prf,
        max_position_embeddings=None if max_pos is None else int(max_pos),
        params=params,
        mrope_section=None if mrope is None else tuple(int(v) for v in mrope),
    )
    try:
        settings.frequencies()
    except (TypeError, ValueError) as error:
        fail("config", "usable RoPE scaling parameters", params, str(error), kind=type(error))
    return settings
