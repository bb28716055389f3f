"""The figures layer: ``plot_*`` functions that call the math layer and return plotly figures.

Figures that the reader should move carry plotly sliders, buttons or animation frames,
computed when the figure is made, so they move in a static web page with no kernel. Each such
``plot_*`` function also draws without them (``controls=False``), and has a public
``*_changes`` function beside it that gives everything one move changes (data, names, colours,
titles) in the ``(traces, layout)`` shape of :mod:`rope_viz.figures._style`; the sliders, the
frames and the live widgets of :mod:`rope_viz.widgets` are all made from these.
"""

from rope_viz.figures.atlas import (
    atlas_presets,
    model_atlas_changes,
    plot_atlas_base_context,
    plot_model_atlas,
)
from rope_viz.figures.context import (
    plot_base_feasibility,
    plot_config_decay,
    plot_config_spectrum,
    plot_rerope_positions,
)
from rope_viz.figures.decay import long_range_decay_changes, plot_long_range_decay
from rope_viz.figures.decay_envelope import plot_decay_envelope
from rope_viz.figures.encodings import (
    bits_to_waves_changes,
    encoding_heatmaps_changes,
    plot_bits_to_waves,
    plot_encoding_heatmaps,
    plot_step_distances,
    plot_word_cosine,
    step_distances_changes,
    word_cosine_changes,
)
from rope_viz.figures.equivariance import (
    attention_shuffle_changes,
    plot_attention_shuffle,
    plot_permutation_equivariance,
)
from rope_viz.figures.experiments import (
    length_generalization_changes,
    plot_length_generalization,
    plot_loss_and_accuracy,
)
from rope_viz.figures.gpu import (
    attention_memory_changes,
    plot_attention_memory,
    plot_attention_timing,
)
from rope_viz.figures.grid2d import plot_rope2d_maps, rope2d_maps_changes
from rope_viz.figures.learned import (
    hierarchical_distances_changes,
    plot_hierarchical_distances,
    plot_table_extrapolation,
    table_extrapolation_changes,
)
from rope_viz.figures.linear_attention import (
    linear_attention_cost_changes,
    plot_linear_attention_cost,
    plot_linear_attention_weights,
)
from rope_viz.figures.multimodal import (
    multimodal_positions_changes,
    plot_mrope_sections,
    plot_multimodal_positions,
)
from rope_viz.figures.nope import (
    p_rope_spectrum_changes,
    plot_marker_resolution,
    plot_p_rope_spectrum,
)
from rope_viz.figures.pairings import plot_pairings
from rope_viz.figures.rope2d_schemes import plot_rope2d_schemes
from rope_viz.figures.rotation import plot_rope_rotation, rope_rotation_changes
from rope_viz.figures.scores import (
    plot_attention_scores,
    plot_relative_biases,
    relative_biases_changes,
)
from rope_viz.figures.shift import (
    dot_product_offset_changes,
    plot_dot_product_offset,
    plot_shift_rotation,
    shift_rotation_changes,
)
from rope_viz.figures.spectrum import (
    plot_scaled_wavelengths,
    plot_wavelength_spectrum,
    scaled_wavelengths_changes,
)
from rope_viz.figures.zoo import plot_relative_zoo

__all__ = [
    "plot_permutation_equivariance",
    "plot_attention_shuffle",
    "attention_shuffle_changes",
    "plot_encoding_heatmaps",
    "encoding_heatmaps_changes",
    "plot_length_generalization",
    "length_generalization_changes",
    "plot_loss_and_accuracy",
    "plot_bits_to_waves",
    "bits_to_waves_changes",
    "plot_word_cosine",
    "word_cosine_changes",
    "plot_step_distances",
    "step_distances_changes",
    "plot_shift_rotation",
    "shift_rotation_changes",
    "plot_dot_product_offset",
    "dot_product_offset_changes",
    "plot_hierarchical_distances",
    "hierarchical_distances_changes",
    "plot_table_extrapolation",
    "table_extrapolation_changes",
    "plot_rope_rotation",
    "rope_rotation_changes",
    "plot_long_range_decay",
    "long_range_decay_changes",
    "plot_decay_envelope",
    "plot_linear_attention_weights",
    "plot_linear_attention_cost",
    "linear_attention_cost_changes",
    "plot_wavelength_spectrum",
    "plot_scaled_wavelengths",
    "scaled_wavelengths_changes",
    "plot_base_feasibility",
    "plot_rerope_positions",
    "plot_config_spectrum",
    "plot_config_decay",
    "plot_model_atlas",
    "plot_atlas_base_context",
    "model_atlas_changes",
    "atlas_presets",
    "plot_attention_scores",
    "plot_relative_biases",
    "relative_biases_changes",
    "plot_relative_zoo",
    "plot_pairings",
    "plot_rope2d_maps",
    "rope2d_maps_changes",
    "plot_rope2d_schemes",
    "plot_multimodal_positions",
    "multimodal_positions_changes",
    "plot_mrope_sections",
    "plot_p_rope_spectrum",
    "p_rope_spectrum_changes",
    "plot_marker_resolution",
    "plot_attention_timing",
    "plot_attention_memory",
    "attention_memory_changes",
]
