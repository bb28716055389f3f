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
  - ``ntk-mixed``: Su's NTK-RoPE-mixed, a mixed radix that stretches every pair, the slow ones
    most (kexue.fm/archives/9706);
  - ``dynamic``: dynamic NTK, the same base change with a length-dependent factor;
  - ``yarn``: YaRN (Peng et al. 2023), with the ramp of :func:`yarn_ramp`;
  - ``llama3``: Llama 3.1's rule (Meta's ``apply_scaling``);
  - ``longrope``: LongRoPE's searched per-pair factors (Ding et al. 2024);
  - ``p-rope``: p-RoPE, the lowest frequencies set to zero (Barbero et al. 2024);
  - ``proportional``: Hugging Face's name for p-RoPE over the whole head, divided by a factor
    (Gemma 4); LongRoPE also takes Phi-3.5-MoE's ``short_mscale`` / ``long_mscale``.

  :data:`ROPE_TYPES` is the registry's keys. ``ntk-aware``, ``ntk-mixed`` and ``p-rope`` are
  the book's rules that Hugging Face does not name; the others are Hugging Face's rope types, with its
  parameter names, defaults and numbers.
- :func:`scaled_frequencies`: ``(inv_freq, attention_factor)`` for any rope_type; it checks
  the common arguments and the parameter names against the rule, then calls it.
- The formulas the rules share, public on their own: :func:`yarn_ramp` (YaRN's per-pair blend
  weight, on r = L/λ as the paper defines it or on the pair index as the code computes it),
  :func:`ntk_aware_base` and :func:`p_rope_frequencies`.
- :func:`beta_digits`: the base-β reading of a position (β = b^(2/d)).
- :func:`rerope_relative_positions` and :func:`leaky_rerope_relative_positions`: ReRoPE's
  relative positions, exact inside a window and capped (or compressed by 1/k) beyond it
  (kexue.fm/archives/9708); with k < 1, the stretched positions that inverse Leaky ReRoPE
  trains on (kexue.fm/archives/9728).
- :class:`RopeSettings` and :func:`rope_settings_from_config`: the RoPE settings a model's own
  rotary embedding uses, read out of its Hugging Face ``config.json`` (4.x as released, or 5.x
  ``to_dict()``), per layer type where layers differ. Families and keys read, each checked
  against transformers' own module in ``tests/test_config_reading.py``: Llama-style
  (``rope_theta``, ``rope_scaling`` / ``rope_parameters``, ``head_dim``,
  ``partial_rotary_factor``), multi-head latent attention (DeepSeek-V2/V3, MiniCPM3:
  ``qk_rope_head_dim``), GPT-NeoX / Pythia (``rotary_pct``, ``rotary_emb_base``), GPT-J
  (``rotary_dim``, ``n_embd``, ``n_head``), Gemma 3 (``rope_local_base_freq`` on sliding
  layers), ModernBERT (``global_rope_theta`` / ``local_rope_theta``), Phi-3 (top-level
  ``original_max_position_embeddings``, ``"su"`` / ``"yarn"`` read as longrope), Phi-3.5-MoE
  (``short_mscale`` / ``long_mscale``), Hunyuan (``"dynamic"`` with ``alpha``: the NTK-aware
  base), Llama 4 (``low_freq_factor == high_freq_factor``), Qwen2/2.5/3-VL (``mrope_section``,
  ``text_config``), gpt-oss (YaRN with ``truncate``), Falcon (RoPE unless ``alibi``). A key or
  rope type it does not model raises an error naming the field.

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
- 苏剑林. Transformer升级之路:11、将β进制位置进行到底. kexue.fm/archives/9706 (2023)
  (``ntk-mixed``).
- 苏剑林. Transformer升级之路:12、无限外推的ReRoPE?. kexue.fm/archives/9708 (2023).
- 苏剑林. Transformer升级之路:13、逆用Leaky ReRoPE. kexue.fm/archives/9728 (2023).
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
from rope_viz.relative import relative_position_matrix
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


def _ntk_mixed(dim: int, base: float, *, factor: float, b: float = 0.625) -> tuple[np.ndarray, float]:
    """NTK-RoPE-mixed: pair m (1-based) turns at θ_m = β^−(m−1) / exp(a·m^b), a = ln(s)/(d/2)^b.

    Su reads RoPE as a base-β number (β = base^(2/d)) and gives digit m its own radix βλ_m,
    with λ_1·λ_2·…·λ_m = exp(a·m^b): the product over all d/2 digits is the factor s, so the
    slowest pair is divided by exactly s, and λ_1 ≥ λ_2 ≥ … ≥ 1, so the fast digits take more
    of the stretch than a plain change of base gives them. ``b = 1`` is his NTK-RoPE-fixed
    (every θ_m divided by λ^m, λ = s^(2/d)); ``b = 0`` divides every pair by s (position
    interpolation). ``b = 0.625`` is the value his search found (eq. 75-82 of the post).

    Source: 苏剑林, Transformer升级之路:11、将β进制位置进行到底, kexue.fm/archives/9706 (2023).
    """
    factor = check_float(factor, "factor", minimum=1.0, strict=False)
    b = check_float(b, "b", minimum=0.0, strict=False)
    if b > 1.0:
        fail("b", "a number between 0 and 1", b, "λ_m ≥ 1 needs 0 ≤ b ≤ 1 (kexue.fm/archives/9706)")
    half = dim // 2
    m = np.arange(1, half + 1, dtype=np.float64)  # the post's digit index, 1-based
    a = math.log(factor) / half ** b  # a·(d/2)^b = ln s
    return rope_frequencies(dim, base) * np.exp(-a * m ** b), 1.0


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
    θ_i' = (1 − μ)·θ_i/s + μ·θ_i with μ = (L/λ_i − low)/(high − low). ``high_freq_factor ==
    low_freq_factor`` (Llama 4's config) leaves no ramp: a hard cut at λ = L/low.

    Source: Meta, github.com/meta-llama/llama-models ``models/llama3/model.py``
    ``apply_scaling`` (the Llama 3 paper, arXiv:2407.21783, does not state it); transformers
    ``modeling_rope_utils._compute_llama3_parameters``.
    """
    factor = check_float(factor, "factor", minimum=0.0)
    low = check_float(low_freq_factor, "low_freq_factor", minimum=0.0)
    high = check_float(high_freq_factor, "high_freq_factor", minimum=0.0)
    if high < low:
        fail("high_freq_factor", f"at least low_freq_factor = {low:g}", high)
    old = check_float(original_max_position_embeddings, "original_max_position_embeddings", minimum=0.0)
    inv_freq = rope_frequencies(dim, base)  # (dim/2,)
    low_freq_wavelen, high_freq_wavelen = old / low, old / high
    wavelen = 2 * math.pi / inv_freq  # (dim/2,)
    scaled = np.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)  # (dim/2,)
    if high == low:  # no ramp (Llama 4): a hard cut at L/low, as transformers computes it
        return scaled, 1.0
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
    short_mscale: float | None = None,
    long_mscale: float | None = None,
) -> tuple[np.ndarray, float]:
    """LongRoPE: θ_i divided by a searched per-pair factor, the long list past the original length.

    ``long_factor`` is used when ``seq_len`` > the original length, ``short_factor``
    otherwise; the attention factor defaults to sqrt(1 + ln(s)/ln(L)) (1 for s <= 1).
    Phi-3.5-MoE's config gives the attention factor of each regime itself: ``short_mscale``
    (up to the original length) and ``long_mscale`` (beyond it) replace that default.

    Source: Ding et al. 2024, LongRoPE, arXiv:2402.13753; transformers
    ``modeling_rope_utils._compute_longrope_parameters`` (Phi-3's ``"su"`` scaling) and
    ``PhimoeRotaryEmbedding.forward`` (``short_mscale`` / ``long_mscale``).
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
    beyond = bool(seq_len and seq_len > original)
    mscale = long_mscale if beyond else short_mscale
    if mscale is not None:
        attention_factor = check_float(mscale, "long_mscale" if beyond else "short_mscale", minimum=0.0)
    ext = long if beyond else short
    return rope_frequencies(dim, base) / ext, attention_factor


def _proportional(
    dim: int, base: float, *, partial_rotary_factor: float = 1.0, factor: float = 1.0
) -> tuple[np.ndarray, float]:
    """Proportional RoPE: p-RoPE over the whole head, then every frequency divided by ``factor``.

    The first int(p·dim/2) pairs (p = ``partial_rotary_factor``) keep θ_i = base^(−2i/dim) with
    dim the whole head size, the rest get frequency 0; then θ / ``factor``. It is
    :func:`p_rope_frequencies` under Hugging Face's name (Gemma 4's global layers).

    Source: transformers ``modeling_rope_utils._compute_proportional_rope_parameters``; the
    rule is p-RoPE of Barbero et al. 2024, arXiv:2410.06205.
    """
    factor = check_float(factor, "factor", minimum=0.0)
    p = check_float(partial_rotary_factor, "partial_rotary_factor", minimum=0.0, strict=False)
    if p > 1.0:
        fail("partial_rotary_factor", "a number between 0 and 1", p, "the fraction of pairs that rotate")
    return p_rope_frequencies(dim, base, p) / factor, 1.0


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
        FrequencyRule("ntk-mixed", _ntk_mixed, huggingface=False),
        FrequencyRule("dynamic", _dynamic),
        FrequencyRule("yarn", _yarn),
        FrequencyRule("llama3", _llama3),
        FrequencyRule("longrope", _longrope),
        FrequencyRule("p-rope", _p_rope, huggingface=False),
        FrequencyRule("proportional", _proportional),
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
    rope_type : {"default", "linear", "ntk-aware", "ntk-mixed", "dynamic", "yarn", "llama3", "longrope", "p-rope", "proportional"}
        The rule (:data:`ROPE_TYPES`). ``"ntk-aware"``, ``"ntk-mixed"`` and ``"p-rope"`` are the book's rules
        that Hugging Face does not name; M-RoPE's multimodal split is in :mod:`rope_viz.multidim`.
    **params
        The rule's parameters (``FREQUENCY_RULES[rope_type].required`` and ``.defaults``):

        - ``linear``: ``factor`` (required); θ_i / factor (position interpolation).
        - ``ntk-aware``: ``factor`` (required); the base becomes base·factor^(d/(d−2)).
        - ``ntk-mixed``: ``factor`` (required, ≥ 1), ``b`` (0.625); θ_m / exp(a·m^b) for the
          1-based pair m, a = ln(factor)/(d/2)^b (Su's NTK-RoPE-mixed).
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
          seq_len > original), ``short_mscale`` / ``long_mscale`` (Phi-3.5-MoE: the attention
          factor up to / beyond the original length).
        - ``p-rope``: ``p`` (required), the fraction of pairs that keep rotating.
        - ``proportional``: ``partial_rotary_factor`` (1), ``factor`` (1); p-RoPE with
          p = partial_rotary_factor over the whole ``dim``, then θ / factor.

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
    With k > 1 (kexue.fm/archives/9708) far distances are compressed, at inference, so that
    they stay inside the trained range; with k < 1 they are stretched: inverse Leaky ReRoPE
    (kexue.fm/archives/9728) trains on these positions and then runs plain RoPE.
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
        Compression beyond the window (> 0); k = 1 gives plain RoPE's i − j, large k
        approaches ReRoPE, k < 1 stretches (inverse Leaky ReRoPE trains with k = 1/16).

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
    k = check_float(k, "k", minimum=0.0)
    d = relative_position_matrix(n).astype(np.float64)  # (n, n): i − j, the house sign
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
    d = relative_position_matrix(n).astype(np.float64)  # (n, n): i − j, the house sign
    return np.sign(d) * np.minimum(np.abs(d), window)


# ---------------------------------------------------------------------------------------------
# Hugging Face config.json
# ---------------------------------------------------------------------------------------------


#
# What each family's own rotary embedding reads, from transformers 5.23 (models/*/modeling_*.py
# ``*RotaryEmbedding`` and configuration_*.py). The tables below are the class defaults a
# config.json may leave out (transformers' ``save_pretrained`` omits values equal to them).

#: rope_theta when a config gives none: the config class's ``default_theta`` (10000 elsewhere).
#: Source: transformers 5.23 ``configuration_*.py`` (``default_theta``).
_DEFAULT_THETA: Mapping[str, float] = MappingProxyType({
    "apertus": 12000000.0, "bitnet": 500000.0, "cohere": 500000.0, "cwm": 1000000.0,
    "ernie4_5": 500000.0, "ernie4_5_moe": 500000.0, "flex_olmo": 500000.0, "fuyu": 25000.0,
    "gpt_oss": 150000.0, "helium": 100000.0, "lfm2": 1000000.0, "lfm2_moe": 1000000.0,
    "llama4_text": 500000.0, "longcat_flash": 10000000.0, "minimax": 1000000.0,
    "minimax_m2": 5000000.0, "mixtral": 1000000.0, "olmo3": 500000.0, "phimoe": 1000000.0,
    "qwen2_vl_text": 1000000.0, "qwen2_5_vl_text": 1000000.0, "qwen3_vl_text": 500000.0,
    "qwen3_vl_moe_text": 500000.0, "smollm3": 2000000.0, "solar_open": 1000000.0,
})

#: max_position_embeddings when a config gives none: the config class's default (a released
#: config.json leaves it out when it equals it). Source: transformers 5.23 configuration_*.py;
#: tests/test_config_reading.py compares every entry with the class.
_DEFAULT_CONTEXT: Mapping[str, int] = MappingProxyType({
    "gemma3_text": 131072, "cohere2": 8192, "falcon": 2048,
})

#: (full-attention, sliding-attention) bases of the families whose local layers use their own
#: base. Source: transformers 5.23 ``Gemma3TextConfig`` / ``ModernBertConfig`` ``default_theta``.
_LOCAL_THETA_KEYS: Mapping[str, tuple] = MappingProxyType({
    # model_type: (key of the global base, key of the local base, global default, local default)
    "gemma3_text": ("rope_theta", "rope_local_base_freq", 1000000.0, 10000.0),
    "gemma3n_text": ("rope_theta", "rope_local_base_freq", 1000000.0, 10000.0),
    "modernbert": ("global_rope_theta", "local_rope_theta", 160000.0, 10000.0),
    "modernbert-decoder": ("global_rope_theta", "local_rope_theta", 160000.0, 10000.0),
})

#: partial_rotary_factor when a config gives none. Source: transformers 5.23 configuration_*.py
#: (``kwargs.setdefault("partial_rotary_factor", ...)``; GPT-NeoX's ``rotary_pct`` default).
_DEFAULT_PARTIAL: Mapping[str, float] = MappingProxyType({
    "gpt_neox": 0.25, "glm": 0.5, "glm4": 0.5, "glm4_moe": 0.5, "phi": 0.5, "persimmon": 0.5,
    "nemotron": 0.5, "stablelm": 0.25, "qwen3_next": 0.25, "qwen3_5_text": 0.25,
    "recurrent_gemma": 0.5, "moonshine": 0.9,
})

#: Families that derive their layer types from a period when the config lists none:
#: model_type -> (key, default period, index of the full layer within a period).
#: Source: transformers 5.23 ``Gemma3TextConfig``, ``ModernBertConfig``, ``Cohere2Config``.
_LAYER_PERIOD: Mapping[str, tuple] = MappingProxyType({
    "gemma3_text": ("sliding_window_pattern", 6, -1),
    "gemma3n_text": ("sliding_window_pattern", 5, -1),
    "cohere2": ("sliding_window_pattern", 4, -1),
    "modernbert": ("global_attn_every_n_layers", 3, 0),
})

#: Every key transformers' rope parameters may hold (``modeling_rope_utils.RopeParameters``,
#: the legacy ``type``, Qwen3-VL's ``mrope_interleaved``, Hunyuan's ``alpha`` and
#: Phi-3.5-MoE's ``short_mscale`` / ``long_mscale``). One that the rule of the config's rope
#: type does not read is ignored, as transformers ignores it; any other key is refused.
_ROPE_KEYS = frozenset({
    "rope_theta", "rope_type", "type", "partial_rotary_factor", "factor",
    "original_max_position_embeddings", "attention_factor", "beta_fast", "beta_slow",
    "short_factor", "long_factor", "low_freq_factor", "high_freq_factor", "mscale",
    "mscale_all_dim", "truncate", "mrope_section", "mrope_interleaved", "alpha",
    "short_mscale", "long_mscale",
})

#: Keys a VL config's top level may hold for its language model (filled in under text_config).
_TEXT_KEYS = ("rope_scaling", "rope_parameters", "rope_theta", "partial_rotary_factor",
              "max_position_embeddings", "hidden_size", "num_attention_heads", "head_dim")

_LEGACY_TYPES = {"mrope": "default", "su": "longrope"}

#: Layer types that apply no rotation at all (NoPE layers), by model_type. Source: transformers
#: 5.23 ``modeling_cohere2.Cohere2Attention`` (rotates only when the layer has a sliding window).
_NOPE_LAYER_TYPES: Mapping[str, tuple] = MappingProxyType({"cohere2": ("full_attention",)})


@dataclass(frozen=True)
class RopeSettings:
    """RoPE settings of a model, as read from its Hugging Face ``config.json``."""

    head_dim: int  # size of the head part RoPE acts on (qk_rope_head_dim for MLA models)
    rotary_dim: int  # dimensions that are rotated: int(head_dim * partial_rotary_factor)
    base: float  # rope_theta (for the layer type read)
    rope_type: str  # a rule of FREQUENCY_RULES (Hugging Face's, or "ntk-aware" for Hunyuan's alpha)
    partial_rotary_factor: float = 1.0  # fraction of head_dim that is rotated
    max_position_embeddings: int | None = None  # context the config declares
    params: dict = field(default_factory=dict)  # scaling parameters, Hugging Face's names
    mrope_section: tuple | None = None  # (t, h, w) frequency slots for M-RoPE models, if any
    layer_type: str | None = None  # the layer type these settings are for (None: one RoPE for all)
    layer_types: tuple = ()  # the distinct layer types the config declares, in order
    model_type: str | None = None  # the config's (language model's) model_type

    def frequencies(self, seq_len: int | None = None) -> tuple[np.ndarray, float]:
        """``(inv_freq, attention_factor)`` via :func:`scaled_frequencies` (seq_len for dynamic/longrope)."""
        params = dict(self.params)
        accepted = FREQUENCY_RULES[self.rope_type].parameters
        if "max_position_embeddings" in accepted and self.max_position_embeddings:
            params.setdefault("max_position_embeddings", self.max_position_embeddings)
        if seq_len is not None and "seq_len" in accepted:
            params["seq_len"] = seq_len
        return scaled_frequencies(self.rotary_dim, self.base, self.rope_type, **params)


def _language_model(config: Mapping) -> Mapping:
    """The language model's part of a config: ``text_config`` (top-level rope keys filled in)."""
    text = config.get("text_config")
    if text is None:
        return config
    if not isinstance(text, Mapping):
        fail("config['text_config']", "a dict (the language model's config)", text, kind=TypeError)
    merged = dict(text)
    for key in _TEXT_KEYS:
        if merged.get(key) is None and config.get(key) is not None:
            merged[key] = config[key]
    merged.setdefault("model_type", config.get("model_type"))
    return merged


def _layer_types(config: Mapping, model_type: str | None) -> tuple:
    """The distinct layer types of a config, in order of first appearance (() if none)."""
    listed = config.get("layer_types")
    if listed is None and model_type in _LAYER_PERIOD:
        key, default, full_index = _LAYER_PERIOD[model_type]
        period = check_int(config.get(key) or default, f"config[{key!r}]", minimum=1)
        layers = check_int(config.get("num_hidden_layers") or 2 * period, "config['num_hidden_layers']", minimum=1)
        listed = ["full_attention" if i % period == full_index % period else "sliding_attention"
                  for i in range(layers)]
    if listed is None:
        nested = config.get("rope_parameters")
        if isinstance(nested, Mapping) and _is_nested(nested):
            return tuple(nested)
        return ()
    if isinstance(listed, str) or not isinstance(listed, (list, tuple)):
        fail("config['layer_types']", "a list of layer-type names", listed, kind=TypeError)
    return tuple(dict.fromkeys(str(t) for t in listed))


def _is_nested(rope: Mapping) -> bool:
    """Whether 5.x ``rope_parameters`` is keyed by layer type ({"full_attention": {...}, ...})."""
    values = list(rope.values())
    return bool(values) and all(v is None or isinstance(v, Mapping) for v in values) and any(
        isinstance(v, Mapping) for v in values)


def _rope_entry(config: Mapping, model_type: str | None, layer: str | None) -> tuple[dict, str, Any, str]:
    """The rope parameters of one layer type: ``(params, field name, base, base field name)``.

    ``base`` is None when the config gives none for that layer (the caller applies defaults).
    """
    key = "rope_parameters" if config.get("rope_parameters") is not None else "rope_scaling"
    raw = config.get(key)
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        fail(f"config[{key!r}]", "a dict of RoPE parameters", raw, kind=TypeError)
    prefix = f"config[{key!r}]"
    if _is_nested(raw):
        layer = layer or "full_attention"
        if layer not in raw:
            fail("layer_type", f"one of the layer types in {prefix} ({', '.join(raw)})", layer)
        if raw[layer] is None:
            fail("layer_type", f"a layer type that uses RoPE ({prefix}[{layer!r}] is None: no RoPE there)", layer)
        prefix = f"{prefix}[{layer!r}]"
        params = dict(raw[layer])
        return params, prefix, params.pop("rope_theta", None), f"{prefix}['rope_theta']"
    params = dict(raw)
    base_field = f"{prefix}['rope_theta']"
    base = params.pop("rope_theta", None)
    local = _LOCAL_THETA_KEYS.get(model_type)
    if local is None and "rope_local_base_freq" in config:
        local = _LOCAL_THETA_KEYS["gemma3_text"]
    if local is None and "global_rope_theta" in config:
        local = _LOCAL_THETA_KEYS["modernbert"]
    if local is not None and base is None:
        global_key, local_key, global_default, local_default = local
        if layer == "sliding_attention":
            base, base_field = config.get(local_key, local_default), f"config[{local_key!r}]"
            if local_key == "rope_local_base_freq":  # Gemma 3: local layers are never scaled
                params, prefix = {"rope_type": "default"}, f"config[{local_key!r}]"
        else:
            base, base_field = config.get(global_key, global_default), f"config[{global_key!r}]"
    return params, prefix, base, base_field


def _head_dim(config: Mapping, model_type: str | None) -> tuple[int, str]:
    """The head size RoPE's dimension is a fraction of, and the field it came from."""
    if config.get("qk_rope_head_dim") is not None:  # MLA (DeepSeek-V2/V3, MiniCPM3): the rope slice
        return check_int(config["qk_rope_head_dim"], "config['qk_rope_head_dim']", minimum=2), "qk_rope_head_dim"
    if config.get("head_dim") is not None and model_type != "falcon":  # Falcon derives it
        return check_int(config["head_dim"], "config['head_dim']", minimum=2), "head_dim"
    hidden_key = next((k for k in ("hidden_size", "n_embd", "d_model") if config.get(k) is not None), None)
    heads_key = next((k for k in ("num_attention_heads", "n_head", "n_heads") if config.get(k) is not None), None)
    if hidden_key is None or heads_key is None:
        fail("config['head_dim']", "given, or 'hidden_size' and 'num_attention_heads' (GPT-J: 'n_embd', 'n_head')",
             None, f"the config has keys {sorted(config)[:10]}")
    hidden = check_int(config[hidden_key], f"config[{hidden_key!r}]", minimum=1)
    heads = check_int(config[heads_key], f"config[{heads_key!r}]", minimum=1)
    return check_int(hidden // heads, f"config[{hidden_key!r}] // config[{heads_key!r}]", minimum=2), hidden_key


def _partial(config: Mapping, params: dict, prefix: str, model_type: str | None, head_dim: int) -> tuple[float, str]:
    """partial_rotary_factor and the field it came from (rope parameters, top level, family keys)."""
    value = params.pop("partial_rotary_factor", None)
    if value is not None:
        return check_float(value, f"{prefix}['partial_rotary_factor']", minimum=0.0), f"{prefix}['partial_rotary_factor']"
    for key in ("partial_rotary_factor", "rotary_pct"):  # rotary_pct: GPT-NeoX's name
        if config.get(key) is not None:
            return check_float(config[key], f"config[{key!r}]", minimum=0.0), f"config[{key!r}]"
    if "rotary_dim" in config:  # GPT-J, CodeGen, MiniMax-M2: the rotated width itself
        if config["rotary_dim"] is None:
            fail("config['rotary_dim']", "a positive even integer",
                 None, "GPT-J-style models rotate the first rotary_dim dimensions of each head")
        rotary = check_int(config["rotary_dim"], "config['rotary_dim']", minimum=2)
        return rotary / head_dim, "config['rotary_dim']"
    return _DEFAULT_PARTIAL.get(model_type, 1.0), "config['partial_rotary_factor']"


def _known_rope_type(rope_type: Any, field_name: str) -> str:
    known = [name for name, rule in FREQUENCY_RULES.items() if rule.huggingface]
    if not isinstance(rope_type, str) or rope_type not in known:
        fail(field_name, f"a rope_type among {', '.join(known)}", rope_type,
             "rope_viz does not model this rope type")
    return rope_type


def _named(error: Exception, prefix: str, rule: FrequencyRule) -> Exception:
    """The error of a rule, its parameter's name turned into the config field's name."""
    message = str(error)
    name = message.split(" must be", 1)[0]
    if name in rule.parameters and name not in ("seq_len", "max_position_embeddings"):
        message = f"{prefix}[{name!r}]" + message[len(name):]
    elif name == "max_position_embeddings":
        message = "config['max_position_embeddings']" + message[len(name):]
    return type(error)(message)


def rope_settings_from_config(config: Mapping, *, layer_type: str | None = None) -> RopeSettings:
    """Read the RoPE settings a model's own rotary embedding uses out of its ``config.json``.

    Gives, for the families transformers 5.23 ships, the rotary dimension, base, rope type
    with its parameters and attention factor that the family's ``*RotaryEmbedding`` computes,
    for the ``config.json`` as released (4.x keys and family-specific keys) and for
    ``config.to_dict()`` of transformers 5.x. Keys read:

    - scaling: ``rope_scaling`` (4.x; ``rope_type`` or the older ``type``; ``"mrope"`` is read
      as ``default`` with its ``mrope_section``, ``"su"`` as ``longrope``, Phi-3's ``"yarn"`` as
      ``longrope`` as ``Phi3Config`` does) or ``rope_parameters`` (5.x, flat or keyed by layer
      type); ``rope_type`` ``"proportional"`` (Gemma 4); Hunyuan's ``"dynamic"`` with ``alpha``
      (a fixed NTK-aware base b·α^(d/(d−2)), returned as the ``"ntk-aware"`` rule); Phi-3.5-MoE's
      ``short_mscale`` / ``long_mscale`` (its attention factor); ``original_max_position_embeddings``
      at the top level (Phi-3) wins over the one in the scaling dict, as in transformers;
    - base: ``rope_theta`` (scaling dict first, then top level), GPT-NeoX's
      ``rotary_emb_base``, Gemma 3's ``rope_local_base_freq`` (its sliding layers, unscaled),
      ModernBERT's ``global_rope_theta`` / ``local_rope_theta``; GPT-J's fixed 10000; else the
      config class's default (``_DEFAULT_THETA``);
    - head size: ``qk_rope_head_dim`` (multi-head latent attention: DeepSeek-V2/V3, MiniCPM3;
      the rotary slice), ``head_dim``, or ``hidden_size // num_attention_heads`` (GPT-J's
      ``n_embd`` / ``n_head``);
    - rotated part: ``partial_rotary_factor`` (scaling dict, then top level), GPT-NeoX's
      ``rotary_pct``, GPT-J's ``rotary_dim``, else the family default (``_DEFAULT_PARTIAL``);
    - layers: ``layer_types`` (or Gemma 3's ``sliding_window_pattern``, ModernBERT's
      ``global_attn_every_n_layers``); a multimodal config's language model under
      ``text_config``.

    A key in the scaling dict that no rope rule of transformers reads, a rope type rope_viz
    does not model, and a field of the wrong kind or size raise an error naming the field:
    never a silently different answer.

    Parameters
    ----------
    config : Mapping
        The parsed ``config.json`` (e.g. ``json.load(open("config.json"))``) or
        ``PretrainedConfig.to_dict()``.
    layer_type : str, optional
        For models whose layers use different RoPE (Gemma 3, ModernBERT: ``"sliding_attention"``
        layers with their own base), the layer type to read. Default: ``"full_attention"`` when
        the config declares layer types, else the one RoPE of the model. Cohere2's
        ``"full_attention"`` layers apply no rotation: asking for them is a ``ValueError``, and
        its default is ``"sliding_attention"``.

    Returns
    -------
    RopeSettings
        A frozen dataclass; ``settings.frequencies()`` gives ``(inv_freq, attention_factor)``;
        ``settings.layer_types`` lists the config's layer types.

    Raises
    ------
    TypeError
        For a config that is not a mapping, or a field of the wrong kind.
    ValueError
        For a missing head size, an unknown rope type or scaling key, a LongRoPE factor list of
        the wrong length, a rotary size that is not a positive even number, an ALiBi Falcon, or
        a ``layer_type`` the config does not have; the message names the field.

    References
    ----------
    transformers 5.23: ``modeling_rope_utils`` (``ROPE_INIT_FUNCTIONS``,
    ``RotaryEmbeddingConfigMixin.standardize_rope_params``) and each family's
    ``modeling_*.py`` rotary embedding and ``configuration_*.py``; checked family by family in
    ``tests/test_config_reading.py``.

    Examples
    --------
    >>> s = rope_settings_from_config({"hidden_size": 4096, "num_attention_heads": 32,
    ...                                "rope_theta": 500000.0, "max_position_embeddings": 8192})
    >>> s.head_dim, s.base, s.rope_type
    (128, 500000.0, 'default')
    >>> s = rope_settings_from_config({"head_dim": 256, "rope_theta": 1e6, "rope_local_base_freq": 1e4,
    ...                                "layer_types": ["sliding_attention", "full_attention"]},
    ...                               layer_type="sliding_attention")
    >>> s.base, s.layer_types
    (10000.0, ('sliding_attention', 'full_attention'))
    """
    if not isinstance(config, Mapping):
        fail("config", "a dict parsed from config.json", config, kind=TypeError)
    if layer_type is not None and not isinstance(layer_type, str):
        fail("layer_type", "a layer-type name such as 'sliding_attention'", layer_type, kind=TypeError)
    config = _language_model(config)
    model_type = config.get("model_type")
    if model_type is not None and not isinstance(model_type, str):
        fail("config['model_type']", "a string", model_type, kind=TypeError)
    if model_type in ("gemma3", "gemma3n", "qwen2_vl", "qwen2_5_vl", "qwen3_vl", "qwen3_vl_moe") and \
            "text_config" not in config:
        model_type = model_type + "_text"
    if model_type == "falcon" and config.get("alibi"):
        fail("config['alibi']", "false for a RoPE model", True, "this Falcon uses ALiBi, not RoPE")

    layer_types = _layer_types(config, model_type)
    if layer_type is not None and layer_type not in layer_types and not (
            not layer_types and layer_type == "full_attention"):
        fail("layer_type", f"one of the config's layer types ({', '.join(layer_types) or 'full_attention'})",
             layer_type)
    nope = _NOPE_LAYER_TYPES.get(model_type, ())
    if layer_type in nope:
        fail("layer_type", f"a layer type that uses RoPE ({model_type}'s {layer_type} layers apply no rotation)",
             layer_type)
    roped = [t for t in layer_types if t not in nope]
    read_as = layer_type or ("full_attention" if "full_attention" in roped else (roped[0] if nope and roped else None))

    params, prefix, base, base_field = _rope_entry(config, model_type, read_as)
    head_dim, _ = _head_dim(config, model_type)
    prf, prf_field = _partial(config, params, prefix, model_type, head_dim)

    if base is None:
        for key in ("rope_theta", "rotary_emb_base"):
            if config.get(key) is not None:
                base, base_field = config[key], f"config[{key!r}]"
                break
    if model_type in ("gptj", "codegen"):
        base = 10000.0  # fixed in create_sinusoidal_positions
    if base is None:
        base = _DEFAULT_THETA.get(model_type, 10000.0)
    base = check_float(base, base_field, minimum=1.0)

    type_field = f"{prefix}['rope_type']" if "rope_type" in params else f"{prefix}['type']"
    rope_type = params.pop("rope_type", None)
    legacy = params.pop("type", None)
    rope_type = rope_type or legacy or "default"
    rope_type = _LEGACY_TYPES.get(rope_type, rope_type) if isinstance(rope_type, str) else rope_type
    if model_type == "phi3" and rope_type == "yarn":
        rope_type = "longrope"  # Phi3Config reads "yarn" as longrope
    alpha = params.pop("alpha", None)
    if alpha:
        if rope_type != "dynamic" or not str(model_type).startswith("hunyuan"):
            fail(f"{prefix}['alpha']", "used only with Hunyuan's 'dynamic' rope type", alpha,
                 "rope_viz does not model an NTK alpha elsewhere")
        rope_type = "ntk-aware"  # Hunyuan: a fixed NTK-aware base, base * alpha^(d/(d-2))
        params = {"factor": alpha}
    else:
        rope_type = _known_rope_type(rope_type, type_field)
    if model_type != "phimoe":
        params.pop("short_mscale", None), params.pop("long_mscale", None)  # only Phi-MoE reads them

    rule = FREQUENCY_RULES[rope_type]
    mrope = params.pop("mrope_section", None)
    params.pop("mrope_interleaved", None)
    read = {}
    for key, value in params.items():
        if key in rule.parameters and key not in ("seq_len", "max_position_embeddings", "partial_rotary_factor"):
            read[key] = value
        elif key not in _ROPE_KEYS:
            fail(f"{prefix}[{key!r}]", f"a RoPE parameter rope_viz models (rope_type={rope_type!r} reads: "
                 f"{', '.join(p for p in rule.parameters if p != 'seq_len') or 'none'})", value)

    max_pos = config.get("max_position_embeddings", config.get("n_positions"))
    if max_pos is None:  # left out of the file: the config class's default, as transformers reads it
        max_pos = _DEFAULT_CONTEXT.get(model_type)
    if max_pos is not None:
        max_pos = check_int(max_pos, "config['max_position_embeddings']", minimum=1)
    if "original_max_position_embeddings" in rule.parameters and rope_type != "ntk-aware":
        if config.get("original_max_position_embeddings") is not None and not _is_nested(
                config.get("rope_parameters") or {}):
            read["original_max_position_embeddings"] = config["original_max_position_embeddings"]
        elif read.get("original_max_position_embeddings") is None and max_pos is not None:
            read["original_max_position_embeddings"] = max_pos

    if rope_type == "proportional":  # the whole head gets frequencies, the tail of them 0
        rotary_dim = head_dim
        read["partial_rotary_factor"] = prf
    else:
        rotary_dim = int(head_dim * prf)
        if rotary_dim < 2 or rotary_dim % 2:
            fail(prf_field, f"a fraction of head_dim = {head_dim} that is a positive even number of dimensions",
                 prf, f"head_dim * partial_rotary_factor = {head_dim * prf:g}")
    settings = RopeSettings(
        head_dim=head_dim,
        rotary_dim=rotary_dim,
        base=base,
        rope_type=rope_type,
        partial_rotary_factor=prf,
        max_position_embeddings=max_pos,
        params=read,
        mrope_section=None if mrope is None else tuple(int(v) for v in mrope),
        layer_type=read_as,
        layer_types=layer_types,
        model_type=model_type,
    )
    try:
        settings.frequencies()
    except (TypeError, ValueError) as error:
        raise _named(error, prefix, rule) from None
    return settings
