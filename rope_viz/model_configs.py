"""Real models' RoPE settings: example ``config.json`` contents and a one-call report.

What this module holds
----------------------
- :data:`EXAMPLE_CONFIGS`: the RoPE-relevant fields of three Hugging Face ``config.json``
  files (Llama 2 7B, Llama 3.1 8B, Qwen2-VL 7B), as dictionaries.
- :class:`ConfigReport` and :func:`config_report`: for any such dictionary, the frequencies the
  model uses (after its ``rope_scaling``), the pairs that never complete a turn inside its
  context, and whether its base meets Men et al.'s lower bound for that context.

Settings are read by :func:`rope_viz.rope_settings_from_config`; frequencies come from
:func:`rope_viz.scaled_frequencies`; the bound from :func:`rope_viz.decay.min_base_bounds`,
:func:`rope_viz.decay.base_meets_min_base` (fast, certified) and :func:`rope_viz.cosine_sum`;
the exact :func:`rope_viz.min_base_for_context` only when ``ConfigReport.min_base`` is read.

References
----------
- ``config.json`` of meta-llama/Llama-2-7b-hf, meta-llama/Llama-3.1-8B and
  Qwen/Qwen2-VL-7B-Instruct on the Hugging Face Hub (only the fields below are copied).
- Men et al. 2024, Base of RoPE Bounds Context Length, arXiv:2405.14591.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from rope_viz._validation import fail
from rope_viz.decay import base_meets_min_base, cosine_sum, min_base_bounds, min_base_for_context
from rope_viz.rope import rope_frequencies
from rope_viz.scaling import rope_settings_from_config

__all__ = ["EXAMPLE_CONFIGS", "ConfigReport", "config_report", "example_config"]

#: ``{name: config}``: fields of real ``config.json`` files (abridged: RoPE, attention shape,
#: context). Copy one, edit it, and pass it to :func:`config_report`.
EXAMPLE_CONFIGS: dict = {
    "Llama 2 7B": {
        "model_type": "llama",
        "architectures": ["LlamaForCausalLM"],
        "hidden_size": 4096,
        "num_attention_heads": 32,
        "num_key_value_heads": 32,
        "num_hidden_layers": 32,
        "max_position_embeddings": 4096,
        "rope_theta": 10000.0,
        "rope_scaling": None,
    },
    "Llama 3.1 8B": {
        "model_type": "llama",
        "architectures": ["LlamaForCausalLM"],
        "hidden_size": 4096,
        "num_attention_heads": 32,
        "num_key_value_heads": 8,
        "num_hidden_layers": 32,
        "max_position_embeddings": 131072,
        "rope_theta": 500000.0,
        "rope_scaling": {
            "factor": 8.0,
            "low_freq_factor": 1.0,
            "high_freq_factor": 4.0,
            "original_max_position_embeddings": 8192,
            "rope_type": "llama3",
        },
    },
    "Qwen2-VL 7B": {
        "model_type": "qwen2_vl",
        "architectures": ["Qwen2VLForConditionalGeneration"],
        "hidden_size": 3584,
        "num_attention_heads": 28,
        "num_key_value_heads": 4,
        "num_hidden_layers": 28,
        "max_position_embeddings": 32768,
        "rope_theta": 1000000.0,
        "rope_scaling": {"type": "mrope", "mrope_section": [16, 24, 24]},
    },
}


def example_config(name: str) -> dict:
    """A deep copy of ``EXAMPLE_CONFIGS[name]`` (safe to edit).

    Raises
    ------
    ValueError
        For a name not in :data:`EXAMPLE_CONFIGS`.

    Examples
    --------
    >>> example_config("Llama 2 7B")["rope_theta"]
    10000.0
    """
    if name not in EXAMPLE_CONFIGS:
        fail("name", f"one of {', '.join(repr(n) for n in EXAMPLE_CONFIGS)}", name)
    return copy.deepcopy(EXAMPLE_CONFIGS[name])


def _ranges(indices: tuple) -> str:
    """(40, 41, 42, 50) -> '40–42, 50'."""
    if not indices:
        return "none"
    parts, begin = [], indices[0]
    for prev, cur in zip(indices, indices[1:] + (None,)):
        if cur != prev + 1:
            parts.append(f"{begin}" if begin == prev else f"{begin}–{prev}")
            begin = cur
    return ", ".join(parts)


@dataclass(frozen=True, repr=False)
class ConfigReport:
    """What a model's RoPE settings mean for its context; ``print`` it or read the fields."""

    name: str  # label for the model
    rope_type: str  # Hugging Face rope type after reading legacy names ("mrope" -> default)
    base: float  # rope_theta
    rotary_dim: int  # rotated dimensions: head_dim * partial_rotary_factor
    context: int  # max_position_embeddings: the context the config declares
    original_context: int | None  # original_max_position_embeddings, for scaled models
    inv_freq: np.ndarray  # (rotary_dim/2,) frequencies in use at `context` (after scaling)
    attention_factor: float  # factor on cos and sin (YaRN, LongRoPE), else 1.0
    wavelengths: np.ndarray  # (rotary_dim/2,) 2π / inv_freq, in positions
    never_turn: tuple  # pair indices whose wavelength exceeds `context`
    min_base_bounds: tuple  # (low, high): certified low <= Men et al.'s smallest base <= high
    base_passes: bool  # the unscaled base keeps Σ_i cos(m·base^(−2i/d)) >= 0 for all m < context
    min_cosine_sum: float  # min over m < context of Σ_i cos(m·inv_freq_i), scaled frequencies
    mrope_section: tuple | None  # Qwen2-VL's (t, h, w) frequency slots, if any
    _min_base: list = field(default_factory=list, compare=False)  # cache of min_base
    _meets: list = field(default_factory=list, compare=False)  # cache of base_meets_bound

    @property
    def base_meets_bound_decided(self) -> bool:
        """Whether ``base_meets_bound`` is known without a search: the base lies outside the
        bracket ``min_base_bounds``, or passes itself (then b* <= base)."""
        low, high = self.min_base_bounds
        return self.base >= high or self.base < low or self.base_passes

    @property
    def base_meets_bound(self) -> bool:
        """``base >= min_base``, exact. Free when ``base_meets_bound_decided``; otherwise the first
        read runs the certified walk from the bracket's low end up to ``base`` (seconds to
        minutes; the result is kept)."""
        if not self._meets:
            if self.base_meets_bound_decided:
                verdict = self.base >= self.min_base_bounds[1] or self.base_passes
            else:
                verdict = base_meets_min_base(self.base, self.context, self.rotary_dim)
            self._meets.append(bool(verdict))
        return self._meets[0]

    @property
    def min_base(self) -> float:
        """Men et al.'s smallest base for the context, ``min_base_for_context(context, rotary_dim)``.

        Exact. Free when ``min_base_bounds`` is a single value (a stored entry, or a context of
        at most 4096); otherwise the first read runs the certified search, which can take
        minutes for long contexts (the result is kept). ``min_base_bounds`` brackets it at once.
        """
        if not self._min_base:
            low, high = self.min_base_bounds
            exact = low if low == high else min_base_for_context(self.context, self.rotary_dim)
            self._min_base.append(float(exact))
        return self._min_base[0]

    @property
    def min_base_exact(self) -> bool:
        """Whether ``min_base_bounds`` pins the smallest base to one value."""
        return self.min_base_bounds[0] == self.min_base_bounds[1]

    @property
    def scaled_frequencies_pass(self) -> bool:
        """Whether the frequencies in use keep Σ_i cos(m·θ_i) >= 0 for every m < context."""
        return self.min_cosine_sum >= 0

    def __repr__(self) -> str:
        pairs = self.rotary_dim // 2
        context = f"{self.context:,}"
        lines = [
            f"{self.name}: {self.rope_type!r} RoPE, base {self.base:,.0f}, "
            f"rotary dim {self.rotary_dim} ({pairs} pairs)",
        ]
        if self.original_context:
            lines.append(f"  context {context} (trained at {self.original_context:,}, "
                         "then extended)")
        else:
            lines.append(f"  context {context}")
        lines.append(f"  wavelengths {self.wavelengths[0]:,.2f} … {self.wavelengths[-1]:,.0f}")
        lines.append(f"  pairs that never turn inside the context: {len(self.never_turn)} "
                     f"of {pairs} ({_ranges(self.never_turn)})")
        if self.base_meets_bound_decided:
            verdict = "yes" if self.base_meets_bound else "no"
        else:  # inside the bracket and failing itself: only the long walk can tell
            verdict = "not known without a search"
        low, high = self.min_base_bounds
        if low == high:
            lines.append(f"  Men et al.'s smallest base for {context}: {low:,.0f}; "
                         f"rope_theta >= it: {verdict}")
        else:
            lines.append(f"  Men et al.'s smallest base for {context}: between {low:.3g} and "
                         f"{high:.3g}")
            lines.append(f"    (certified bracket); rope_theta >= it: {verdict}")
        if self.rope_type != "default" or not self.base_meets_bound_decided:
            verdict = "yes" if self.base_passes else "no"
            lines.append(f"  Σ cos(m·θ_i) >= 0 for all m < {context}, unscaled: {verdict}")
        verdict = "yes" if self.scaled_frequencies_pass else "no"
        lines.append(f"  Σ cos(m·θ_i) >= 0 for all m < {context}, as used: {verdict} "
                     f"(min {self.min_cosine_sum:.3f})")
        if self.attention_factor != 1.0:
            lines.append(f"  attention factor {self.attention_factor:.4f}")
        if self.mrope_section:
            lines.append(f"  M-RoPE sections (t, h, w): {self.mrope_section}")
        return "\n".join(lines)


def config_report(config: Mapping, name: str | None = None) -> ConfigReport:
    """Read a Hugging Face ``config.json`` dict and report what its RoPE does over its context.

    The frequencies are those the model uses at its full context ``max_position_embeddings``
    (for ``dynamic`` and ``longrope``, at that sequence length). A pair "never turns" when its
    wavelength 2π/θ_i exceeds that context: no two positions in the context are a full turn
    apart for it. The bound is Men et al.'s smallest base b* = :func:`rope_viz.min_base_for_context`
    for the rotary dimension and the context; it is stated for unscaled RoPE, so the report also
    checks the cosine sum of Men et al. directly with the scaled frequencies (every integer
    m < context).

    The report answers in well under a second for any config. b* itself comes as
    ``min_base_bounds``: exact (low == high) for a stored (context, rotary dim) or a context of
    at most 4096, otherwise a certified bracket from the stored searches
    (:func:`rope_viz.decay.min_base_bounds`), printed as such. ``base_meets_bound`` is exact
    all the same (:func:`rope_viz.decay.base_meets_min_base`: the bracket, else a direct check
    of the model's own base over every m < context). Reading ``report.min_base`` gives the
    exact b*, running the certified search the first time when only a bracket is known (it can
    take minutes for long contexts).

    Parameters
    ----------
    config : Mapping
        The parsed ``config.json``; it must declare ``max_position_embeddings``.
    name : str, optional
        Label (default: ``config["_name_or_path"]``, ``model_type``, or "model").

    Returns
    -------
    ConfigReport
        A frozen dataclass whose ``repr`` is a short readable summary.

    Raises
    ------
    ValueError, TypeError
        For a config :func:`rope_viz.rope_settings_from_config` cannot read, or one without
        ``max_position_embeddings``.

    Examples
    --------
    >>> report = config_report(EXAMPLE_CONFIGS["Llama 2 7B"], "Llama 2 7B")
    >>> len(report.never_turn), report.base_meets_bound
    (18, False)
    """
    settings = rope_settings_from_config(config)
    if settings.max_position_embeddings is None:
        fail("config", "a dict with 'max_position_embeddings'", sorted(config)[:8])
    if name is None:
        name = str(config.get("_name_or_path") or config.get("model_type") or "model")
    elif not isinstance(name, str):
        fail("name", "a string", name, kind=TypeError)
    context = settings.max_position_embeddings
    inv_freq, attention_factor = settings.frequencies(seq_len=context)  # (rotary_dim/2,)
    wavelengths = 2 * np.pi / inv_freq  # (rotary_dim/2,)
    bounds = min_base_bounds(context, settings.rotary_dim)
    min_sum = float(cosine_sum(context, inv_freq=inv_freq).min())
    unscaled = rope_frequencies(settings.rotary_dim, settings.base)  # (rotary_dim/2,)
    if np.array_equal(unscaled, inv_freq):
        unscaled_min = min_sum
    elif settings.base < bounds[0]:  # every base below the bracket fails: no need to look
        unscaled_min = -1.0
    else:
        unscaled_min = float(cosine_sum(context, inv_freq=unscaled).min())
    original = settings.params.get("original_max_position_embeddings")
    return ConfigReport(
        name=name,
        rope_type=settings.rope_type,
        base=settings.base,
        rotary_dim=settings.rotary_dim,
        context=context,
        original_context=None if original is None or original == context else int(original),
        inv_freq=inv_freq,
        attention_factor=float(attention_factor),
        wavelengths=wavelengths,
        never_turn=tuple(int(i) for i in np.flatnonzero(wavelengths > context)),
        min_base_bounds=(float(bounds[0]), float(bounds[1])),
        base_passes=bool(unscaled_min >= 0),
        min_cosine_sum=min_sum,
        mrope_section=settings.mrope_section,
    )
