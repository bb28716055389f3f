"""The figures layer: ``plot_*`` functions that call the math layer and return plotly figures.

Figures that the reader should move carry plotly sliders, buttons or animation frames,
computed when the figure is made, so they move in a static web page with no kernel.
"""

from rope_viz.figures.decay import plot_long_range_decay
from rope_viz.figures.encodings import plot_bits_to_waves, plot_encoding_heatmaps
from rope_viz.figures.equivariance import plot_permutation_equivariance
from rope_viz.figures.grid2d import plot_rope2d_maps
from rope_viz.figures.multimodal import plot_mrope_sections, plot_multimodal_positions
from rope_viz.figures.rotation import plot_rope_rotation
from rope_viz.figures.scores import plot_attention_scores, plot_relative_biases
from rope_viz.figures.shift import plot_dot_product_offset, plot_shift_rotation
from rope_viz.figures.spectrum import plot_scaled_wavelengths, plot_wavelength_spectrum

__all__ = [
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
]
