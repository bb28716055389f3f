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
  context (Men et al. 2024), islands included, or (``robust=True``) the smallest base above
  which every base does; both found by certified walks over ln b, stored for d = 128 in
  :data:`MIN_BASE_TABLE` and :data:`ROBUST_BASE_TABLE`, beside the published values
  :data:`MEN_ET_AL_BASES` and :data:`SU_BASES`; :func:`cosine_integral` for Su's estimate.
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
    "ROBUST_BASE_TABLE",
    "MEN_ET_AL_BASES",
    "SU_BASES",
    "CI_FIRST_ZERO",
    "cosine_integral",
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
    x = distances[:, None] * theta[None, :]  # (W, dim/2): angles m·θ_i
    cx = slopes[None, :] * x  # (W, dim/2)
    pad = _ROUNDING_MARGIN * theta.size
    f = np.cos(x).sum(axis=1) + pad  # (W,): rounded up
    negative = f < 0
    if not negative.any():
        return 0.0
    slope = (cx * np.sin(x)).sum(axis=1)[negative] + pad  # (w,): rounded up
    bend = np.maximum((slopes[None, :] * (cx + cx * x)).sum(axis=1)[negative], 1e-300)  # (w,)
    f = f[negative]
    return float(((-slope + np.sqrt(slope * slope - 2.0 * bend * f)) / bend).max())


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


def _search_min_base(length: int, dim: int, rtol: float, start: float) -> tuple[float, list]:
    """The certified sweep behind :func:`min_base_for_context` (no table look-up).

    Walks u = ln b upward from ln ``start``. At each u: if a distance m is known where the sum is
    negative, :func:`_infeasible_stretch` certifies a whole stretch [u, u + δ) infeasible and
    the walk jumps over it; distances come from earlier failures ("witnesses") or, when those
    do not certify at least ``rtol``, from a full check of the base e^u over every m < length
    (stages with early exit, then all m). A base that passes the full check is returned. When no
    distance certifies ``rtol``, the walk steps ``rtol`` uncertified and records the piece.

    Returns ``(base, uncertified)``: the base (feasible: every m < length checked) and the list
    of ``(lo, hi)`` base intervals below it that were stepped over without a certificate.
    """
    slopes = _log_slopes(dim)
    edges = _edges(length)
    u = math.log(start)
    witnesses = np.empty(0)  # distances that sank earlier bases, at most 512
    uncertified = []
    while True:
        theta = np.exp(-slopes * u)  # (dim/2,)
        step = _infeasible_stretch(theta, slopes, witnesses) if witnesses.size else 0.0
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
            worst = np.argsort(sums)[:256].astype(np.float64)
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
    returned without a search (``tests/test_scaling_min_base.py`` checks every stored entry over every m < L).
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


#: ``{(length, dim): base}``: :func:`min_base_for_context` (smallest feasible base, defaults
#: rtol 1e-9, start 2.0) for dim = 128 and L = 2^10 … 2^20, computed by ``_search_min_base``.
MIN_BASE_TABLE: dict = {
    (1024, 128): 4293.437571775882,
    (2048, 128): 11587.244310092903,
    (4096, 128): 26952.339250233854,
    (8192, 128): 83763.8410953276,
    (16384, 128): 231643.64701716765,
    (32768, 128): 629978.2634674245,
    (65536, 128): 2090179.676074,
    (131072, 128): 4869104.375223589,
    (262144, 128): 23662397.046633705,
    (524288, 128): 58496173.86015803,
    (1048576, 128): 65374955.19412067,
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
    x = as_positions(np.atleast_1d(np.asarray(x, dtype=object)).tolist(), "x")
    if np.any(x <= 0) or np.any(x > 10):
        fail("x", "numbers in (0, 10]", x)
    total = np.full(x.shape, 0.5772156649015329) + np.log(x)  # γ + ln x
    term = np.ones_like(x)
    for k in range(1, 61):
        term = term * (-x * x) / ((2 * k - 1) * (2 * k))  # (−x²)^k / (2k)!
        total = total + term / (2 * k)
    return total


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
