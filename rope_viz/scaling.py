"""Stretching RoPE's context: the frequency rules, one function per rule, in one registry.

What this module holds
----------------------
- :data:`FREQUENCY_RULES`: the registry, rope_type -> :class:`FrequencyRule` (the rule's
  function, its required parameters and defaults, read from the function's signature, and
  whether Hugging Face knows the name), as transformers' ``ROPE_INIT_FUNCTIONS`` does it.
  One small function per rule, its source in its docstring:

  - ``default``: RoPE's θ_i = b^(−2i/d);
  - ``linear``: position interpolation (Chen et al. 2023);
  - ``ntk-aware``: the NTK-aware base b·s^(d/(d−2)) (bloc97 2023; kexue.fm/archives/9675);
  - ``dynamic``: dynamic NTK, the same base change with a length-dependent factor;
  - ``yarn``: YaRN (Peng et al. 2023), with the ramp of :func:`yarn_ramp`;
  - ``llama3``: Llama 3.1's rule (Meta's ``apply_scaling``);
  - ``longrope``: LongRoPE's searched per-pair factors (Ding et al. 2024);
  - ``p-rope``: p-RoPE, the lowest frequencies set to zero (Barbero et al. 2024).

  :data:`ROPE_TYPES` is the registry's keys. ``ntk-aware`` and ``p-rope`` are the book's
  rules that Hugging Face does not name; the others are Hugging Face's rope types, with its
  parameter names, defaults and numbers.
- :func:`scaled_frequencies`: ``(inv_freq, attention_factor)`` for any rope_type; it checks
  the common arguments and the parameter names against the rule, then calls it.
- The formulas the rules share, public on their own: :func:`yarn_ramp` (YaRN's per-pair blend
  weight, on r = L/λ as the paper defines it or on the pair index as the code computes it),
  :func:`ntk_aware_base` and :func:`p_rope_frequencies`.
- :func:`beta_digits`: the base-β reading of a position (β = b^(2/d)).
- :func:`rerope_relative_positions` and :func:`leaky_rerope_relative_positions`: ReRoPE's
  relative positions, exact inside a window and capped (or compressed by 1/k) beyond it
  (kexue.fm/archives/9708).
- :class:`RopeSettings` and :func:`rope_settings_from_config`: the RoPE settings read out of a
  Hugging Face ``config.json`` dictionary (parameters filtered by the registry's table).

All frequencies are float64 numpy arrays of shape ``(dim/2,)``. Hugging Face computes them in
float32, so its numbers agree with these to float32 rounding (about 1e-7 relative).

References
----------
- Su et al. 2021, RoFormer, arXiv:2104.09864 (``default``).
- Chen et al. 2023, Position Interpolation, arXiv:2306.15595 (``linear``).
- bloc97 / emozilla 2023 (Reddit), NTK-aware and dynamic NTK scaling (``ntk-aware``,
  ``dynamic``).
- Peng et al. 2023, YaRN, arXiv:2309.00071 (``yarn``; the paper's ramp is on r = L/λ), and its
  reference code github.com/jquesnelle/yarn (the ramp on the pair index, as Hugging Face).
- Meta, github.com/meta-llama/llama-models ``models/llama3/model.py`` ``apply_scaling``
  (``llama3``; the Llama 3 paper, arXiv:2407.21783, does not state the rule).
- Ding et al. 2024, LongRoPE, arXiv:2402.13753 (``longrope``).
- Barbero et al. 2024, Round and Round We Go!, arXiv:2410.06205 (``p-rope``).
- 苏剑林. Transformer升级之路:10、RoPE是一种β进制编码. kexue.fm/archives/9675 (2023).
- 苏剑林. Transformer升级之路:12、无限外推的ReRoPE?. kexue.fm/archives/9708 (2023).
- Hugging Face transformers ``modeling_rope_utils.ROPE_INIT_FUNCTIONS`` (the registry's model,
  and the cross-check in ``tests/test_scaling.py``).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from rope_viz._validation import (
    as_positions,
    check_array,
    check_bool,
    check_choice,
    check_dim,
    check_float,
    check_int,
    fail,
)
from rope_viz.rope import rope_frequencies

__all__ = [
    "FREQUENCY_RULES",
    "FrequencyRule",
    "ROPE_TYPES",
    "scaled_frequencies",
    "yarn_ramp",
    "ntk_aware_base",
    "beta_digits",
    "p_rope_frequencies",
    "leaky_rerope_relative_positions",
    "rerope_relative_positions",
    "RopeSettings",
    "rope_settings_from_config",
]


# ---------------------------------------------------------------------------------------------
# Formulas the rules share: YaRN's ramp, the NTK-aware base (and the base-β reading)
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# p-RoPE: the lowest frequencies set to zero (Barbero et al. 2024)
# ---------------------------------------------------------------------------------------------


def p_rope_frequencies(dim: int, base: float = 10000.0, p: float = 0.75) -> np.ndarray:
    """p-RoPE: RoPE's frequencies with all but the fastest fraction ``p`` of pairs set to zero.

    ``p`` is the fraction of pairs that keep rotating, as in Barbero et al. (2024): ``p = 1``
    is RoPE, ``p = 0`` is NoPE, and "0.75-RoPE" removes the lowest quarter of the
    frequencies. The first ``r = int(p * dim // 2)`` pairs keep ``θ_i = base^(−2i/dim)`` (the
    exponent uses the full ``dim``, so the kept frequencies are exactly RoPE's); the other
    ``dim/2 − r`` pairs get ``θ_i = 0``: their angle is 0 at every position, so they are never
    rotated and their part of the score ignores position completely.

    Rounding rule: ``r = int(p * dim // 2)`` (Python precedence: ``(p * dim) // 2``, rounded
    down), copied from the ``apply_p_rope`` pseudocode in the paper; Hugging Face
    transformers' ``"proportional"`` rope type uses the same expression with
    ``partial_rotary_factor = p``.

    Parameters
    ----------
    dim : int
        Rotary dimension (positive, even).
    base : float
        RoPE base (> 1).
    p : float
        Fraction of pairs that keep rotating, in [0, 1].

    Returns
    -------
    numpy.ndarray
        ``(dim/2,)`` float64 inverse frequencies, RoPE's for the first ``r`` pairs, then zeros.

    Raises
    ------
    ValueError, TypeError
        For a bad ``dim`` or ``base``, or ``p`` outside [0, 1].

    References
    ----------
    Barbero et al. 2024 (arXiv:2410.06205), the p-RoPE section and its pseudocode.

    Examples
    --------
    >>> p_rope_frequencies(8, base=10000.0, p=0.5)
    array([1. , 0.1, 0. , 0. ])
    """
    dim = check_dim(dim)
    inv_freq = rope_frequencies(dim, base)  # (dim/2,), validates base
    p = check_float(p, "p", minimum=0.0, strict=False,
                    hint="p is the fraction of rotary pairs kept, between 0 and 1")
    if p > 1.0:
        fail("p", "a number between 0 and 1", p,
             "p is the fraction of rotary pairs kept (1 is RoPE, 0 is NoPE)")
    kept = int(p * dim // 2)  # the paper's rule: (p * dim) // 2, rounded down
    inv_freq[kept:] = 0.0
    return inv_freq


# ---------------------------------------------------------------------------------------------
# The frequency rules: one function per rope_type, registered in FREQUENCY_RULES
#
# Each rule takes (dim, base) already checked, then its own parameters as keywords (Hugging
# Face's names; a keyword without a default is required), checks them with the _validation
# toolkit and returns (inv_freq, attention_factor): (dim/2,) float64 and a float.
# ---------------------------------------------------------------------------------------------


def _missing(name: str, rope_type: str) -> None:
    """Raise the error for a parameter ``rope_type`` needs and did not get."""
    accepted = ", ".join(sorted(FREQUENCY_RULES[rope_type].parameters)) or "none"
    fail(name, f"given for rope_type={rope_type!r}", None,
         f"pass {name}=...; rope_type={rope_type!r} accepts: {accepted}")


def _per_pair_factors(value: Any, name: str, half: int) -> np.ndarray:
    """A LongRoPE factor list: ``(dim/2,)`` positive numbers."""
    return check_array(value, name, ndim=1, shape=(half,), minimum=0.0, strict=True,
                       what=f"a list of dim/2 = {half} positive numbers")  # (dim/2,)


def _default(dim: int, base: float) -> tuple[np.ndarray, float]:
    """RoPE as trained: θ_i = base^(−2i/dim), attention factor 1.

    Source: Su et al. 2021, RoFormer, arXiv:2104.09864; transformers' per-model
    ``compute_default_rope_parameters`` (e.g. ``LlamaRotaryEmbedding``).
    """
    return rope_frequencies(dim, base), 1.0


def _linear(dim: int, base: float, *, factor: float) -> tuple[np.ndarray, float]:
    """Position interpolation: every frequency divided by ``factor``, θ_i / s.

    Source: Chen et al. 2023, Position Interpolation, arXiv:2306.15595; transformers
    ``modeling_rope_utils._compute_linear_scaling_rope_parameters``.
    """
    factor = check_float(factor, "factor", minimum=0.0)
    return rope_frequencies(dim, base) / factor, 1.0


def _ntk_aware(dim: int, base: float, *, factor: float) -> tuple[np.ndarray, float]:
    """NTK-aware scaling: RoPE with the base :func:`ntk_aware_base` gives, b·s^(d/(d−2)).

    The fastest pair keeps θ_0 = 1 and the slowest is divided by exactly ``factor``. Not a
    Hugging Face rope_type: its ``"dynamic"`` rule applies the same base change with a factor
    that grows with the sequence length.

    Source: bloc97 2023, "NTK-Aware Scaled RoPE" (Reddit r/LocalLLaMA); read as a change of
    radix by 苏剑林, kexue.fm/archives/9675.
    """
    return rope_frequencies(dim, ntk_aware_base(base, factor, dim)), 1.0


def _dynamic(
    dim: int, base: float, *, factor: float, max_position_embeddings: int, seq_len: int | None = None
) -> tuple[np.ndarray, float]:
    """Dynamic NTK: the NTK-aware base change with a factor set by the current length.

    base' = base·(factor·ℓ/L − (factor − 1))^(d/(d−2)) with L = ``max_position_embeddings``
    and ℓ = max(``seq_len``, L) (``seq_len`` defaults to L, where base' = base).

    Source: emozilla 2023, "Dynamically Scaled RoPE" (Reddit r/LocalLLaMA), after bloc97's
    NTK-aware scaling; transformers ``modeling_rope_utils._compute_dynamic_ntk_parameters``.
    """
    if dim <= 2:
        fail("dim", "greater than 2 for dynamic NTK (the exponent is d/(d-2))", dim)
    factor = check_float(factor, "factor", minimum=0.0)
    max_pos = check_int(max_position_embeddings, "max_position_embeddings", minimum=1)
    seq_len = max_pos if seq_len is None else check_int(seq_len, "seq_len", minimum=1)
    seq_len = max(seq_len, max_pos)
    new_base = base * ((factor * seq_len / max_pos) - (factor - 1)) ** (dim / (dim - 2))
    return rope_frequencies(dim, new_base), 1.0


def _lengths(
    rope_type: str, factor: Any, original: Any, max_pos: Any
) -> tuple[float, int]:
    """YaRN's and LongRoPE's ``(factor, original length)``, each defaulting from the other lengths.

    The original length defaults to ``max_position_embeddings``; the factor to
    ``max_position_embeddings / original`` (as transformers does for DeepSeek-V3 and Phi-3).
    """
    if max_pos is not None:
        max_pos = check_int(max_pos, "max_position_embeddings", minimum=1)
    if original is None:
        original = max_pos
    if original is None:
        _missing("original_max_position_embeddings", rope_type)
    original = check_int(original, "original_max_position_embeddings", minimum=1)
    if factor is None:
        if max_pos is None:
            _missing("factor", rope_type)
        factor = max_pos / original
    return check_float(factor, "factor", minimum=0.0), original


def _yarn(
    dim: int,
    base: float,
    *,
    factor: float | None = None,
    original_max_position_embeddings: int | None = None,
    max_position_embeddings: int | None = None,
    attention_factor: float | None = None,
    beta_fast: float = 32.0,
    beta_slow: float = 1.0,
    mscale: float | None = None,
    mscale_all_dim: float | None = None,
    truncate: bool = True,
) -> tuple[np.ndarray, float]:
    """YaRN ("NTK-by-parts" plus a temperature), as the reference code and transformers compute it.

    θ_i' = (1 − γ_i)·θ_i/s + γ_i·θ_i with γ = :func:`yarn_ramp` (``space="index"``); the
    attention factor is 0.1·ln(s) + 1 (1 for s <= 1), or the ratio of that expression with
    ``mscale`` and with ``mscale_all_dim`` when both are given (DeepSeek), unless
    ``attention_factor`` is given. Either ``factor`` or ``max_position_embeddings`` is needed,
    and either ``original_max_position_embeddings`` or ``max_position_embeddings``.

    Source: Peng et al. 2023, YaRN, arXiv:2309.00071 (the NTK-by-parts ramp and the attention
    temperature); reference code github.com/jquesnelle/yarn; transformers
    ``modeling_rope_utils._compute_yarn_parameters``.
    """
    factor, original = _lengths("yarn", factor, original_max_position_embeddings, max_position_embeddings)
    if attention_factor is None:
        def mscale_of(scale: float, weight: float = 1.0) -> float:
            return 1.0 if scale <= 1 else 0.1 * weight * math.log(scale) + 1.0

        if mscale is not None:
            mscale = check_float(mscale, "mscale")
        if mscale_all_dim is not None:
            mscale_all_dim = check_float(mscale_all_dim, "mscale_all_dim")
        if mscale and mscale_all_dim:  # as transformers: both given and non-zero
            attention_factor = mscale_of(factor, mscale) / mscale_of(factor, mscale_all_dim)
        else:
            attention_factor = mscale_of(factor)
    attention_factor = check_float(attention_factor, "attention_factor", minimum=0.0)
    inv_freq = rope_frequencies(dim, base)  # (dim/2,)
    extrapolation = yarn_ramp(dim, base, original, beta_fast=beta_fast, beta_slow=beta_slow,
                              space="index", truncate=truncate)  # (dim/2,): γ, 1 keeps θ_i
    interpolated = inv_freq / factor  # (dim/2,)
    return interpolated * (1 - extrapolation) + inv_freq * extrapolation, attention_factor


def _llama3(
    dim: int,
    base: float,
    *,
    factor: float,
    low_freq_factor: float,
    high_freq_factor: float,
    original_max_position_embeddings: float,
) -> tuple[np.ndarray, float]:
    """Llama 3.1's rule: keep short wavelengths, divide long ones by ``factor``, blend between.

    With L = ``original_max_position_embeddings``: pairs with λ_i < L/``high_freq_factor`` are
    kept, pairs with λ_i > L/``low_freq_factor`` are divided by ``factor``, and in between
    θ_i' = (1 − μ)·θ_i/s + μ·θ_i with μ = (L/λ_i − low)/(high − low).

    Source: Meta, github.com/meta-llama/llama-models ``models/llama3/model.py``
    ``apply_scaling`` (the Llama 3 paper, arXiv:2407.21783, does not state it); transformers
    ``modeling_rope_utils._compute_llama3_parameters``.
    """
    factor = check_float(factor, "factor", minimum=0.0)
    low = check_float(low_freq_factor, "low_freq_factor", minimum=0.0)
    high = check_float(high_freq_factor, "high_freq_factor", minimum=0.0)
    if high <= low:
        fail("high_freq_factor", f"greater than low_freq_factor = {low:g}", high)
    old = check_float(original_max_position_embeddings, "original_max_position_embeddings", minimum=0.0)
    inv_freq = rope_frequencies(dim, base)  # (dim/2,)
    low_freq_wavelen, high_freq_wavelen = old / low, old / high
    wavelen = 2 * math.pi / inv_freq  # (dim/2,)
    scaled = np.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)  # (dim/2,)
    smooth = (old / wavelen - low) / (high - low)  # (dim/2,): μ
    smoothed = (1 - smooth) * scaled / factor + smooth * scaled
    medium = ~(wavelen < high_freq_wavelen) & ~(wavelen > low_freq_wavelen)
    return np.where(medium, smoothed, scaled), 1.0


def _longrope(
    dim: int,
    base: float,
    *,
    short_factor: Any,
    long_factor: Any,
    factor: float | None = None,
    original_max_position_embeddings: int | None = None,
    max_position_embeddings: int | None = None,
    attention_factor: float | None = None,
    seq_len: int | None = None,
) -> tuple[np.ndarray, float]:
    """LongRoPE: θ_i divided by a searched per-pair factor, the long list past the original length.

    ``long_factor`` is used when ``seq_len`` > the original length, ``short_factor``
    otherwise; the attention factor defaults to sqrt(1 + ln(s)/ln(L)) (1 for s <= 1).

    Source: Ding et al. 2024, LongRoPE, arXiv:2402.13753; transformers
    ``modeling_rope_utils._compute_longrope_parameters`` (Phi-3's ``"su"`` scaling).
    """
    factor, original = _lengths("longrope", factor, original_max_position_embeddings, max_position_embeddings)
    half = dim // 2
    short = _per_pair_factors(short_factor, "short_factor", half)  # (dim/2,)
    long = _per_pair_factors(long_factor, "long_factor", half)  # (dim/2,)
    if attention_factor is None:
        attention_factor = 1.0 if factor <= 1.0 else math.sqrt(1 + math.log(factor) / math.log(original))
    attention_factor = check_float(attention_factor, "attention_factor", minimum=0.0)
    if seq_len is not None:
        seq_len = check_int(seq_len, "seq_len", minimum=1)
    ext = long if (seq_len and seq_len > original) else short
    return rope_frequencies(dim, base) / ext, attention_factor


def _p_rope(dim: int, base: float, *, p: float) -> tuple[np.ndarray, float]:
    """p-RoPE: :func:`p_rope_frequencies`, the fastest fraction ``p`` of pairs kept, the rest 0.

    Not under this name in Hugging Face (its ``"proportional"`` rope_type uses the same
    rounding with ``partial_rotary_factor = p``).

    Source: Barbero et al. 2024, Round and Round We Go!, arXiv:2410.06205 (``apply_p_rope``).
    """
    return p_rope_frequencies(dim, base, p), 1.0


@dataclass(frozen=True)
class FrequencyRule:
    """One entry of :data:`FREQUENCY_RULES`: a rope_type, its function and its parameters.

    ``required`` and ``defaults`` are read from the function's keyword-only parameters (Hugging
    Face's names), so the rule function is the one place where its parameters and their
    defaults are written.
    """

    rope_type: str  # the name scaled_frequencies (and, for Hugging Face's rules, config.json) uses
    compute: Callable[..., tuple[np.ndarray, float]]  # (dim, base, **parameters) -> (inv_freq, attention_factor)
    huggingface: bool = True  # whether transformers knows this rope_type (so config.json may name it)
    required: tuple = field(init=False)  # parameters without a default, in signature order
    defaults: Mapping[str, Any] = field(init=False, repr=False)  # the others -> their defaults

    def __post_init__(self) -> None:
        keywords = [p for p in inspect.signature(self.compute).parameters.values()
                    if p.kind is inspect.Parameter.KEYWORD_ONLY]
        required = tuple(p.name for p in keywords if p.default is inspect.Parameter.empty)
        defaults = {p.name: p.default for p in keywords if p.default is not inspect.Parameter.empty}
        object.__setattr__(self, "required", required)
        object.__setattr__(self, "defaults", MappingProxyType(defaults))

    @property
    def parameters(self) -> tuple:
        """Every parameter the rule accepts, required ones first."""
        return self.required + tuple(self.defaults)

    def __repr__(self) -> str:
        return f"FrequencyRule({self.rope_type!r}, {self.compute.__name__}, huggingface={self.huggingface})"


#: rope_type -> :class:`FrequencyRule`, one small function per rule (read-only).
FREQUENCY_RULES: Mapping[str, FrequencyRule] = MappingProxyType({
    rule.rope_type: rule
    for rule in (
        FrequencyRule("default", _default),
        FrequencyRule("linear", _linear),
        FrequencyRule("ntk-aware", _ntk_aware, huggingface=False),
        FrequencyRule("dynamic", _dynamic),
        FrequencyRule("yarn", _yarn),
        FrequencyRule("llama3", _llama3),
        FrequencyRule("longrope", _longrope),
        FrequencyRule("p-rope", _p_rope, huggingface=False),
    )
})

#: Every rope_type :func:`scaled_frequencies` knows: the keys of :data:`FREQUENCY_RULES`.
ROPE_TYPES = tuple(FREQUENCY_RULES)


def scaled_frequencies(
    dim: int,
    base: float = 10000.0,
    rope_type: str = "default",
    **params: Any,
) -> tuple[np.ndarray, float]:
    """RoPE frequencies under a context-extension rule: the rule ``rope_type`` names in
    :data:`FREQUENCY_RULES`, with Hugging Face's parameter names and numbers.

    Checks ``dim``, ``base`` and ``rope_type``, checks the parameter names against the rule's
    (an unknown or a missing one is a ``ValueError`` naming it), then calls the rule. A
    parameter given as ``None`` counts as not given, as in a ``config.json``.

    Parameters
    ----------
    dim : int
        Rotary dimension (positive, even): ``head_dim * partial_rotary_factor``.
    base : float
        RoPE base (``rope_theta``), > 1.
    rope_type : {"default", "linear", "ntk-aware", "dynamic", "yarn", "llama3", "longrope", "p-rope"}
        The rule (:data:`ROPE_TYPES`). ``"ntk-aware"`` and ``"p-rope"`` are the book's rules
        that Hugging Face does not name; its ``"proportional"`` and the multimodal variants
        are not covered.
    **params
        The rule's parameters (``FREQUENCY_RULES[rope_type].required`` and ``.defaults``):

        - ``linear``: ``factor`` (required); θ_i / factor (position interpolation).
        - ``ntk-aware``: ``factor`` (required); the base becomes base·factor^(d/(d−2)).
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
        - ``p-rope``: ``p`` (required), the fraction of pairs that keep rotating.

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
    Each rule's source is in its function's docstring (``FREQUENCY_RULES[name].compute``);
    the registry follows transformers' ``modeling_rope_utils.ROPE_INIT_FUNCTIONS``.

    Examples
    --------
    >>> inv_freq, scale = scaled_frequencies(8, 10000.0, "linear", factor=4.0)
    >>> inv_freq[0], scale
    (np.float64(0.25), 1.0)
    >>> FREQUENCY_RULES["llama3"].required
    ('factor', 'low_freq_factor', 'high_freq_factor', 'original_max_position_embeddings')
    """
    dim = check_dim(dim)
    base = check_float(base, "base", minimum=1.0)
    rope_type = check_choice(rope_type, "rope_type", ROPE_TYPES)
    rule = FREQUENCY_RULES[rope_type]
    unknown = sorted(set(params) - set(rule.parameters))
    if unknown:
        accepted = ", ".join(sorted(rule.parameters)) or "none"
        fail(unknown[0], f"a parameter of rope_type={rope_type!r} (accepted: {accepted})", params[unknown[0]])
    given = {name: value for name, value in params.items() if value is not None}
    for name in rule.required:
        if name not in given:
            _missing(name, rope_type)
    inv_freq, attention_factor = rule.compute(dim, base, **given)
    return inv_freq, float(attention_factor)


# ---------------------------------------------------------------------------------------------
# ReRoPE: relative positions capped at a window (kexue.fm/archives/9708)
# ---------------------------------------------------------------------------------------------


def leaky_rerope_relative_positions(n: int, window: int, k: float) -> np.ndarray:
    """Leaky ReRoPE's relative positions: exact inside the window, slope 1/k beyond it.

    For the query−key distance d = i − j: ``d`` if ``|d| < w``, else ``sign(d)·(w + (|d| − w)/k)``.
    The lower triangle (j <= i) is what a causal model uses; RoPE is then applied with these
    distances in place of i − j (which needs the attention scores computed per distance, not
    by rotating q and k once).

    Parameters
    ----------
    n : int
        Sequence length (>= 1).
    window : int
        The window w (>= 1) inside which positions are left as they are.
    k : float
        Compression beyond the window (>= 1); k = 1 gives plain RoPE's i − j, large k
        approaches ReRoPE.

    Returns
    -------
    numpy.ndarray
        ``(n, n)`` float64 indexed [query i, key j].

    Raises
    ------
    ValueError, TypeError
        For bad ``n``, ``window`` or ``k``.

    References
    ----------
    苏剑林. Transformer升级之路:12、无限外推的ReRoPE?. kexue.fm/archives/9708 (2023).

    Examples
    --------
    >>> leaky_rerope_relative_positions(5, 2, 2.0)[4]
    array([3. , 2.5, 2. , 1. , 0. ])
    """
    n = check_int(n, "n", minimum=1)
    window = check_int(window, "window", minimum=1)
    k = check_float(k, "k", minimum=1.0, strict=False)
    d = (np.arange(n)[:, None] - np.arange(n)[None, :]).astype(np.float64)  # (n, n): i - j
    far = np.abs(d) >= window
    compressed = np.sign(d) * (window + (np.abs(d) - window) / k)
    return np.where(far, compressed, d)


def rerope_relative_positions(n: int, window: int) -> np.ndarray:
    """ReRoPE's relative positions: i − j inside the window, clipped to w beyond it.

    ``sign(d)·min(|d|, w)`` for d = i − j: the limit k → ∞ of
    :func:`leaky_rerope_relative_positions`, so no distance the model sees exceeds w.

    Parameters
    ----------
    n : int
        Sequence length (>= 1).
    window : int
        The window w (>= 1).

    Returns
    -------
    numpy.ndarray
        ``(n, n)`` float64 indexed [query i, key j].

    Raises
    ------
    ValueError, TypeError
        For bad ``n`` or ``window``.

    References
    ----------
    苏剑林. Transformer升级之路:12、无限外推的ReRoPE?. kexue.fm/archives/9708 (2023).

    Examples
    --------
    >>> rerope_relative_positions(5, 2)[4]
    array([2., 2., 2., 1., 0.])
    """
    n = check_int(n, "n", minimum=1)
    window = check_int(window, "window", minimum=1)
    d = (np.arange(n)[:, None] - np.arange(n)[None, :]).astype(np.float64)  # (n, n): i - j
    return np.sign(d) * np.minimum(np.abs(d), window)


# ---------------------------------------------------------------------------------------------
# Hugging Face config.json
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RopeSettings:
    """RoPE settings of a model, as read from its Hugging Face ``config.json``."""

    head_dim: int  # size of one attention head
    rotary_dim: int  # dimensions that are rotated: int(head_dim * partial_rotary_factor)
    base: float  # rope_theta
    rope_type: str  # a Hugging Face rope_type among ROPE_TYPES (FrequencyRule.huggingface)
    partial_rotary_factor: float = 1.0  # fraction of head_dim that is rotated
    max_position_embeddings: int | None = None  # context the config declares
    params: dict = field(default_factory=dict)  # scaling parameters, Hugging Face's names
    mrope_section: tuple | None = None  # (t, h, w) frequency slots for M-RoPE models, if any

    def frequencies(self, seq_len: int | None = None) -> tuple[np.ndarray, float]:
        """``(inv_freq, attention_factor)`` via :func:`scaled_frequencies` (seq_len for dynamic/longrope)."""
        params = dict(self.params)
        accepted = FREQUENCY_RULES[self.rope_type].parameters
        if "max_position_embeddings" in accepted and self.max_position_embeddings:
            params.setdefault("max_position_embeddings", self.max_position_embeddings)
        if seq_len is not None and "seq_len" in accepted:
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
    known = [name for name, rule in FREQUENCY_RULES.items() if rule.huggingface]
    if rope_type not in known:
        fail("config", f"a rope_type among {', '.join(known)}", rope_type)
    accepted = FREQUENCY_RULES[rope_type].parameters
    mrope = scaling.pop("mrope_section", None)
    scaling.pop("mrope_interleaved", None)
    max_pos = config.get("max_position_embeddings")
    if "original_max_position_embeddings" in accepted:
        if "original_max_position_embeddings" in config:
            scaling.setdefault("original_max_position_embeddings", config["original_max_position_embeddings"])
        if max_pos is not None:
            scaling.setdefault("original_max_position_embeddings", max_pos)
    params = {k: v for k, v in scaling.items() if k in accepted}
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
