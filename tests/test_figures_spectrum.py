"""Structure of the wavelength-spectrum figures: traces, context lines, factor slider.

Run with ``pytest tests/test_figures_spectrum.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from rope_viz.figures import plot_scaled_wavelengths, plot_wavelength_spectrum


def test_spectrum_structure():
    fig = plot_wavelength_spectrum()
    assert [t.type for t in fig.data] == ["scatter"] * 3
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.title.text == "pair index i"
    assert "wavelength" in fig.layout.yaxis.title.text
    assert [s.y0 for s in fig.layout.shapes] == [4096, 8192, 32768]
    y = np.array(fig.data[0].y)
    assert y[0] == pytest.approx(2 * np.pi, abs=0.1)
    assert np.all(np.diff(y) > 0)
    assert "18 of 64" in fig.data[0].name  # Llama 2: wavelengths above 4096
    assert len(fig.to_json()) < 300_000


def test_spectrum_bad_models():
    with pytest.raises(TypeError, match="models"):
        plot_wavelength_spectrum("Llama")
    with pytest.raises(ValueError, match="models base"):
        plot_wavelength_spectrum([("x", 1.0, 128, 4096)])
    with pytest.raises(ValueError, match="models dim"):
        plot_wavelength_spectrum([("x", 1e4, 127, 4096)])


def test_scaled_structure():
    fig = plot_scaled_wavelengths(128, factors=(2.0, 4.0, 8.0))
    assert [t.name for t in fig.data[:5]] == ["default", "linear", "NTK-aware", "YaRN", "Llama 3"]
    assert len(fig.data) == 10
    (slider,) = fig.layout.sliders
    assert [s.label for s in slider.steps] == ["×2", "×4", "×8"] and slider.active == 1
    assert fig.layout.xaxis2.title.text == "pair index i"
    assert fig.layout.yaxis2.title.text == "stretch"
    assert len(fig.to_json()) < 300_000


def test_scaled_stretches_match_each_rule():
    fig = plot_scaled_wavelengths(128, factors=(4.0, 8.0))
    for step, factor in zip(fig.layout.sliders[0].steps, (4.0, 8.0)):
        stretch = [np.array(y) for y in step.args[0]["y"][5:]]
        default, linear, ntk, yarn, llama3 = stretch
        np.testing.assert_allclose(default, 1.0)
        np.testing.assert_allclose(linear, factor, rtol=1e-3)
        assert ntk[0] == pytest.approx(1.0) and ntk[-1] == pytest.approx(factor, rel=1e-2)
        for rule in (yarn, llama3):  # fast pairs extrapolated, slow ones interpolated
            assert rule[0] == pytest.approx(1.0, abs=1e-3)
            assert rule[-1] == pytest.approx(factor, rel=1e-3)
        assert step.args[1]["shapes[1].y0"] == 4096 * factor


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(dim=63), ValueError, "dim"),
        (dict(factors=(1.0,)), ValueError, "factors"),
        (dict(original_context=1), ValueError, "original_context"),
        (dict(base=0.5), ValueError, "base"),
    ],
)
def test_scaled_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        plot_scaled_wavelengths(**kwargs)


def test_scaled_wavelengths_without_controls_shows_factor_4():
    fig = plot_scaled_wavelengths(16, factors=(2.0, 4.0, 8.0), controls=False)
    assert fig.layout.sliders == ()
    np.testing.assert_allclose(fig.data[6].y, 4.0, rtol=1e-3)  # linear stretches every pair
