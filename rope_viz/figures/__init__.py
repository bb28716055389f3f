"""The figures layer: ``plot_*`` functions that call the math layer and return plotly figures.

Figures that the reader should move carry plotly sliders, buttons or animation frames,
computed when the figure is made, so they move in a static web page with no kernel.
"""

from rope_viz.figures.context import (
    plot_base_feasibility,
    plot_config_decay,
    plot_config_spectrum,
    plot_rerope_positions,
)
from rope_viz.figures.decay import plot_long_range_decay
from rope_viz.figures.decay_envelope import plot_decay_envelope
from rope_viz.figures.encodings import plot_bits_to_waves, plot_encoding_heatmaps
from rope_viz.figures.equivariance import plot_permutation_equivariance
from rope_viz.figures.experiments import plot_length_generalization
from rope_viz.figures.grid2d import plot_rope2d_maps
from rope_viz.figures.linear_attention import plot_linear_attention_weights
from rope_viz.figures.multimodal import plot_mrope_sections, plot_multimodal_positions
from rope_viz.figures.nope import plot_marker_resolution, plot_p_rope_spectrum
from rope_viz.figures.pairings import plot_pairings
from rope_viz.figures.rope2d_schemes import plot_rope2d_schemes
from rope_viz.figures.rotation import plot_rope_rotation
from rope_viz.figures.scores import plot_attention_scores, plot_relative_biases
from rope_viz.figures.shift import plot_dot_product_offset, plot_shift_rotation
from rope_viz.figures.spectrum import plot_scaled_wavelengths, plot_wavelength_spectrum
from rope_viz.figures.zoo import plot_relative_zoo

__all__ = [
    "plot_permutation_equivariance",
    "plot_encoding_heatmaps",
    "plot_length_generalization",
    "plot_bits_to_waves",
    "plot_shift_rotation",
    "plot_dot_product_offset",
    "plot_rope_rotation",
    "plot_long_range_decay",
    "plot_decay_envelope",
    "plot_linear_attention_weights",
    "plot_wavelength_spectrum",
    "plot_scaled_wavelengths",
    "plot_base_feasibility",
    "plot_rerope_positions",
    "plot_config_spectrum",
    "plot_config_decay",
    "plot_attention_scores",
    "plot_relative_biases",
    "plot_relative_zoo",
    "plot_pairings",
    "plot_rope2d_maps",
    "plot_rope2d_schemes",
    "plot_multimodal_positions",
    "plot_mrope_sections",
    "plot_p_rope_spectrum",
    "plot_marker_resolution",
]
