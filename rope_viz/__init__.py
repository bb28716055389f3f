"""rope_viz: positional encodings from "add the integer" to multimodal RoPE.

The package behind the book *You could have designed RoPE*. Three layers, data flowing
one way:

- the math layer (numpy in, numpy out; torch where it must) holds every encoding;
- the figures layer (``plot_*``) calls the math and returns plotly figures;
- the widgets layer (``*_widget``) wraps figures in ipywidgets for live kernels.

Importing rope_viz changes no global state. The book build sets the environment variable
``ROPE_VIZ_BOOK_BUILD=1``, and only then is a plotly renderer for static pages activated.
"""

from __future__ import annotations

import os as _os

__version__ = "0.1.0"

# --- math layer ---
from rope_viz.absolute import (
    binary_encoding,
    hierarchical_decomposition,
    integer_encoding,
    sinusoid_shift_matrix,
    sinusoidal_encoding,
)
from rope_viz.multidim import (
    apply_axial_rope,
    apply_mrope,
    axial_rope_angles,
    flat_position_ids,
    grid_positions,
    mrope_axes,
    mrope_position_ids,
    rope_tie_position_ids,
)
from rope_viz.precision import naive_angle_error
from rope_viz.relative import (
    alibi_bias,
    alibi_slopes,
    leaky_rerope_relative_positions,
    relative_position_matrix,
    rerope_relative_positions,
    shaw_relative_indices,
    t5_relative_buckets,
)
from rope_viz.rope import (
    apply_rope,
    empirical_decay,
    long_range_decay,
    pairing_permutation,
    rope_angles,
    rope_frequencies,
    rotation_matrix,
)
from rope_viz.scaling import (
    RopeSettings,
    beta_digits,
    min_base_for_context,
    ntk_aware_base,
    rope_settings_from_config,
    scaled_frequencies,
)

__all__ = [
    "integer_encoding",
    "binary_encoding",
    "sinusoidal_encoding",
    "sinusoid_shift_matrix",
    "hierarchical_decomposition",
    "rope_frequencies",
    "rope_angles",
    "rotation_matrix",
    "apply_rope",
    "pairing_permutation",
    "long_range_decay",
    "empirical_decay",
    "scaled_frequencies",
    "ntk_aware_base",
    "beta_digits",
    "min_base_for_context",
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
    "relative_position_matrix",
    "shaw_relative_indices",
    "t5_relative_buckets",
    "alibi_slopes",
    "alibi_bias",
    "rerope_relative_positions",
    "leaky_rerope_relative_positions",
    "naive_angle_error",
]
# --- end math layer ---

if _os.environ.get("ROPE_VIZ_BOOK_BUILD"):
    from rope_viz._book import use_static_renderer as _use_static_renderer

    _use_static_renderer()

# --- examples, figures, widgets ---
from rope_viz.attention import permutation_equivariance, self_attention, token_embeddings  # noqa: E402
from rope_viz.figures import (  # noqa: E402
    plot_attention_scores,
    plot_bits_to_waves,
    plot_dot_product_offset,
    plot_encoding_heatmaps,
    plot_long_range_decay,
    plot_mrope_sections,
    plot_multimodal_positions,
    plot_permutation_equivariance,
    plot_relative_biases,
    plot_rope2d_maps,
    plot_rope_rotation,
    plot_scaled_wavelengths,
    plot_shift_rotation,
    plot_wavelength_spectrum,
)
from rope_viz.widgets import (  # noqa: E402
    bits_to_waves_widget,
    dot_product_offset_widget,
    encoding_heatmaps_widget,
    long_range_decay_widget,
    relative_biases_widget,
    rope2d_maps_widget,
    rope_rotation_widget,
    scaled_wavelengths_widget,
    shift_rotation_widget,
)

__all__ += [
    "permutation_equivariance",
    "self_attention",
    "token_embeddings",
    "plot_permutation_equivariance",
    "plot_encoding_heatmaps",
    "plot_bits_to_waves",
    "plot_shift_rotation",
    "plot_dot_product_offset",
    "plot_rope_rotation",
    "plot_long_range_decay",
    "plot_wavelength_spectrum",
    "plot_scaled_wavelengths",
    "plot_attention_scores",
    "plot_relative_biases",
    "plot_rope2d_maps",
    "plot_multimodal_positions",
    "plot_mrope_sections",
    "encoding_heatmaps_widget",
    "bits_to_waves_widget",
    "shift_rotation_widget",
    "dot_product_offset_widget",
    "rope_rotation_widget",
    "long_range_decay_widget",
    "scaled_wavelengths_widget",
    "relative_biases_widget",
    "rope2d_maps_widget",
]
# --- end examples, figures, widgets ---
