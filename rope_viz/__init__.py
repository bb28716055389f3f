"""rope_viz: positional encodings from "add the integer" to multimodal RoPE.

The package behind the book *You could have designed RoPE*. Three layers, data flowing
one way:

- the math layer (numpy in, numpy out; torch where it must) holds every encoding;
- the figures layer (``plot_*``) calls the math and returns plotly figures; a movable
  figure also has a ``*_changes`` function giving everything one move changes;
- the widgets layer (``*_widget``) is ipywidgets controls plus those ``*_changes`` functions.

Each idea has one home, a module named for what it holds (the table is in the README's
"The house"): ``absolute``, ``rope``, ``decay`` (score against distance), ``scaling``
(frequency rules), ``model_configs``, ``atlas`` (released models' settings), ``relative``
(position-only schemes, distance = query − key), ``relative_logits`` (content meets
relative embeddings), ``attention`` (numpy), ``rope_attention`` (torch), ``equivariance``,
``nope``, ``multidim``, ``mla`` (decoupled RoPE in latent attention), ``rope2d``,
``linear_attention``, ``precision``, ``extrapolation`` (Su's length-extrapolation techniques),
``tiny_model``, ``experiments``, ``timing``. Argument
checks and the one random-number contract (``rng``: an int seed or a numpy Generator) live in
``rope_viz._validation``.

Importing rope_viz changes no global state. The book build sets the environment variable
``ROPE_VIZ_BOOK_BUILD=1``, and only then is a plotly renderer for static pages activated.
"""

from __future__ import annotations

import os as _os

__version__ = "0.5.0"

# --- math layer ---
from rope_viz.absolute import (
    append_untrained_rows,
    binary_encoding,
    code_cosines,
    code_distances,
    hierarchical_decomposition,
    integer_encoding,
    sinusoid_shift_matrix,
    sinusoidal_encoding,
    step_distances,
    word_cosine,
)
from rope_viz.atlas import atlas_rows, atlas_table_html, check_atlas, load_atlas, stored_base_bounds
from rope_viz.attention import (
    attention_from_logits,
    attention_weights,
    attention_weights_from_logits,
    causal_mask,
)
from rope_viz.decay import (
    CI_FIRST_ZERO,
    MEN_ET_AL_BASES,
    MIN_BASE_TABLE,
    ROBUST_BASE_TABLE,
    SU_BASES,
    abel_bound,
    abel_content_factor,
    cosine_integral,
    cosine_sum,
    cosine_sum_envelope,
    empirical_decay,
    expected_score_gap,
    long_range_decay,
    min_base_for_context,
    min_cosine_sum,
    pair_products,
    rope_scores,
)
from rope_viz.linear_attention import (
    attention_cost,
    cost_crossover,
    linear_attention,
    linear_attention_weights,
    linear_feature_map,
)
from rope_viz.mla import (
    MLA_FORMS,
    MLA_ROPE_PLACEMENTS,
    mla_absorbed_queries,
    mla_absorption_check,
    mla_scores,
    mla_weights,
)
from rope_viz.model_configs import (
    EXAMPLE_CONFIGS,
    ConfigReport,
    config_report,
    example_config,
)
from rope_viz.multidim import (
    MULTIMODAL_SCHEMES,
    apply_axial_rope,
    apply_mrope,
    axial_rope_angles,
    flat_position_ids,
    grid_positions,
    mrope_axes,
    mrope_position_ids,
    multimodal_principles,
    principles_markdown,
    rope_tie_position_ids,
    rope_tv_position_ids,
)
from rope_viz.nope import (
    causal_average_mean_square,
    decode_marker_position,
    marker_position_signal,
    positional_head,
    representable_spacing,
)
from rope_viz.precision import naive_angle_error
from rope_viz.relative import (
    alibi_bias,
    alibi_slopes,
    deberta_relative_indices,
    relative_position_matrix,
    shaw_relative_indices,
    t5_bias,
    t5_relative_buckets,
)
from rope_viz.relative_logits import (
    deberta_terms,
    shaw_bias,
    transformer_xl_terms,
)
from rope_viz.rope import (
    OrthogonalBlockForm,
    apply_rope,
    orthogonal_block_form,
    pairing_permutation,
    random_orthogonal,
    rope_angles,
    rope_frequencies,
    rotation_matrix,
)
from rope_viz.rope2d import (
    axial_generators,
    common_rotation_planes,
    generator_rotations,
    rope2d_scores,
    staggered_generators,
)
from rope_viz.scaling import (
    FREQUENCY_RULES,
    ROPE_TYPES,
    FrequencyRule,
    RopeSettings,
    beta_digits,
    leaky_rerope_relative_positions,
    ntk_aware_base,
    p_rope_frequencies,
    rerope_relative_positions,
    rope_settings_from_config,
    scaled_frequencies,
    yarn_ramp,
)

__all__ = [
    "integer_encoding",
    "binary_encoding",
    "sinusoidal_encoding",
    "sinusoid_shift_matrix",
    "hierarchical_decomposition",
    "word_cosine",
    "step_distances",
    "code_distances",
    "code_cosines",
    "append_untrained_rows",
    "rope_frequencies",
    "rope_angles",
    "rotation_matrix",
    "apply_rope",
    "pairing_permutation",
    "long_range_decay",
    "empirical_decay",
    "random_orthogonal",
    "OrthogonalBlockForm",
    "orthogonal_block_form",
    "scaled_frequencies",
    "FREQUENCY_RULES",
    "FrequencyRule",
    "ROPE_TYPES",
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
    "expected_score_gap",
    "min_cosine_sum",
    "cosine_sum_envelope",
    "EXAMPLE_CONFIGS",
    "example_config",
    "ConfigReport",
    "config_report",
    "load_atlas",
    "check_atlas",
    "atlas_rows",
    "atlas_table_html",
    "stored_base_bounds",
    "RopeSettings",
    "rope_settings_from_config",
    "grid_positions",
    "axial_rope_angles",
    "apply_axial_rope",
    "mrope_position_ids",
    "mrope_axes",
    "apply_mrope",
    "flat_position_ids",
    "rope_tie_position_ids",
    "rope_tv_position_ids",
    "MULTIMODAL_SCHEMES",
    "multimodal_principles",
    "principles_markdown",
    "MLA_ROPE_PLACEMENTS",
    "MLA_FORMS",
    "mla_weights",
    "mla_scores",
    "mla_absorbed_queries",
    "mla_absorption_check",
    "axial_generators",
    "staggered_generators",
    "generator_rotations",
    "common_rotation_planes",
    "rope2d_scores",
    "relative_position_matrix",
    "shaw_relative_indices",
    "t5_relative_buckets",
    "alibi_slopes",
    "alibi_bias",
    "t5_bias",
    "deberta_relative_indices",
    "rerope_relative_positions",
    "leaky_rerope_relative_positions",
    "shaw_bias",
    "transformer_xl_terms",
    "deberta_terms",
    "attention_from_logits",
    "attention_weights_from_logits",
    "naive_angle_error",
    "causal_mask",
    "attention_weights",
    "marker_position_signal",
    "decode_marker_position",
    "causal_average_mean_square",
    "representable_spacing",
    "positional_head",
    "p_rope_frequencies",
    "pair_products",
    "rope_scores",
    "abel_content_factor",
    "abel_bound",
    "linear_feature_map",
    "linear_attention",
    "linear_attention_weights",
    "attention_cost",
    "cost_crossover",
]
# --- end math layer ---

if _os.environ.get("ROPE_VIZ_BOOK_BUILD"):
    from rope_viz._book import use_static_renderer as _use_static_renderer

    _use_static_renderer()

# --- examples, figures, widgets ---
from rope_viz.attention import self_attention  # noqa: E402
from rope_viz.equivariance import (  # noqa: E402
    attention_patterns,
    permutation_equivariance,
    token_embeddings,
)

# The GPU attention example (chapter 10) and its timing tables import torch at the top, so
# they load on first use: `import rope_viz` alone does not import torch.
_LAZY = dict.fromkeys(
    ["pick_device", "describe_device", "rope_rotate_half_tables", "rope_rotate_half_reference",
     "naive_attention", "sdpa_attention", "attention_score_bytes", "RopeAttention",
     "split_heads", "merge_heads", "seed_from_rng", "torch_generator", "fork_torch_rng"],
    "rope_viz.rope_attention",
) | dict.fromkeys(
    ["cpu_threads", "median_time", "peak_memory", "attention_timing", "rope_kernel_timing",
     "format_table", "attention_memory_bytes", "attention_results", "check_attention_results",
     "save_attention_results", "load_attention_results", "describe_results",
     "attention_results_report"],
    "rope_viz.timing",
) | dict.fromkeys(
    ["POSITION_SCHEMES", "TinyConfig", "TinyTransformer"],
    "rope_viz.tiny_model",
) | dict.fromkeys(
    ["TASKS", "ENCODINGS", "QUICK_SETTINGS", "MEDIUM_SETTINGS", "FULL_SETTINGS",
     "ExperimentSettings", "ShootoutResult", "Technique", "TECHNIQUES", "RACE_ENCODINGS",
     "technique_parameters", "technique_changes", "make_batch", "train_model",
     "evaluate_model", "run_shootout", "save_result", "load_result", "stored_race"],
    "rope_viz.experiments",
) | dict.fromkeys(
    ["logn_scale", "window_mask", "key_norm", "rerope_scores", "rope_scores_at"],
    "rope_viz.extrapolation",
)


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rope_viz' has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | set(_LAZY))


__all__ += list(_LAZY)
# Every figure and widget, as listed in rope_viz.figures.__all__ and rope_viz.widgets.__all__
# (one place to add a new one).
from rope_viz import figures as _figures  # noqa: E402
from rope_viz import widgets as _widgets  # noqa: E402
from rope_viz.figures import *  # noqa: E402, F403
from rope_viz.widgets import *  # noqa: E402, F403

__all__ += [
    "permutation_equivariance",
    "attention_patterns",
    "self_attention",
    "token_embeddings",
    *_figures.__all__,
    *_widgets.__all__,
]
# --- end examples, figures, widgets ---
