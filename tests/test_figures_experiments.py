"""Structure of the shoot-out figures, on a hand-made result (no training). Run: ``pytest tests/test_figures_experiments.py``."""

from __future__ import annotations

import numpy as np
import pytest

from rope_viz.experiments import QUICK_SETTINGS, ShootoutResult
from rope_viz.figures.experiments import plot_length_generalization, plot_loss_and_accuracy

ENCODINGS = ("learned", "rope", "rope+ntk", "rope+yarn")


def _result() -> ShootoutResult:
    acc = {"lookback": {
        "learned": np.array([[0.9, np.nan, np.nan], [0.8, np.nan, np.nan]]),
        "rope": np.array([[0.95, 0.7, 0.5], [0.9, 0.6, 0.4]]),
        "rope+ntk": np.array([[0.95, 0.8, 0.7], [0.9, 0.8, 0.6]]),
        "rope+yarn": np.array([[0.95, 0.85, 0.8], [0.9, 0.8, 0.7]]),
    }}
    return ShootoutResult(settings=QUICK_SETTINGS, tasks=("lookback",), encodings=ENCODINGS,
                          lengths=(16, 32, 64), accuracy=acc, chance={"lookback": 1 / 16},
                          final_loss={"lookback": {"learned": [0.3, 0.4], "rope": [0.2, 0.25]}})


def test_loss_and_accuracy_structure():
    fig = plot_loss_and_accuracy(_result())
    assert [t.name for t in fig.data] == list(ENCODINGS) + ["chance"]
    # scaled RoPE shares RoPE's losses: same weights
    assert list(fig.data[2].x) == list(fig.data[1].x) == [0.2, 0.25]
    assert list(fig.data[3].y) == [0.8, 0.7]  # starts at the longest length, 4L
    menu = fig.layout.updatemenus[0]
    assert [b.label for b in menu.buttons] == ["n = 16 (L)", "n = 32 (2L)", "n = 64 (4L)"]
    assert menu.active == 2
    np.testing.assert_allclose(menu.buttons[0].args[0]["y"][0], [0.9, 0.8])
    assert len(fig.layout.title.text) <= 45 and fig.layout.meta["narrow"]["layout"]


def test_length_generalization_short_title_and_narrow():
    fig = plot_length_generalization(_result())
    assert len(fig.layout.title.text) <= 45 and fig.layout.meta["narrow"]["layout"]


def test_errors():
    with pytest.raises(TypeError, match="result"):
        plot_loss_and_accuracy({})
    with pytest.raises(ValueError, match="task"):
        plot_loss_and_accuracy(_result(), task="probe")
