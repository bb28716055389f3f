"""Structure of the decay-envelope figure: bound, single pairs under it, mean scores, base slider.

Run with ``pytest tests/test_figures_decay_envelope.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from rope_viz.figures import plot_decay_envelope


def curves_of(trace) -> np.ndarray:
    """The gapped single-pair trace as (curves, distances)."""
    y = np.array([np.nan if v is None else v for v in trace.y], dtype=float)
    rows = np.split(y, np.flatnonzero(np.isnan(y)) + 1)
    return np.array([r[~np.isnan(r)] for r in rows if np.any(~np.isnan(r))])


def test_structure_and_size():
    fig = plot_decay_envelope(256, dim=128, rng=0)
    assert [t.type for t in fig.data] == ["scatter"] * 5
    (slider,) = fig.layout.sliders
    assert [s.label for s in slider.steps] == ["1k", "10k", "100k", "1M"]
    assert slider.active == 1
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis2.title.text == "relative distance m (positions)"
    assert len(fig.to_json()) < 300_000


def test_single_pairs_stay_under_the_bound_for_every_base():
    fig = plot_decay_envelope(200, dim=64, curves=4, samples=200, rng=3)
    for step in fig.layout.sliders[0].steps:
        factor, same, other, mean_same, mean_other = step.args[0]["y"]
        factor = np.array(factor)
        assert factor[0] == pytest.approx(16.5)  # (d/2 + 1)/2
        for trace_y in (same, other):
            rows = curves_of(type("T", (), {"y": trace_y}))
            assert rows.shape == (4, 201)
            assert np.all(rows <= factor + 1e-3)
        assert mean_same[0] == pytest.approx(64, rel=0.2)
        assert abs(np.mean(mean_other)) < 0.2 * 64


def test_the_slider_changes_the_curves():
    fig = plot_decay_envelope(100, dim=32, bases=(100.0, 10000.0), base=100.0, curves=2,
                              samples=50)
    low, high = (np.array(s.args[0]["y"][0]) for s in fig.layout.sliders[0].steps)
    assert np.abs(low - high).max() > 1.0


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(max_distance=1), ValueError, "max_distance"),
        (dict(dim=7), ValueError, "dim"),
        (dict(bases=(0.5,)), ValueError, "bases"),
        (dict(base=123.0), ValueError, "base"),
        (dict(curves=0), ValueError, "curves"),
        (dict(samples=0), ValueError, "samples"),
        (dict(rng="seed"), TypeError, "rng"),
    ],
)
def test_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        plot_decay_envelope(**kwargs)


def test_short_title_and_no_page_colour():
    fig = plot_decay_envelope(64, dim=16, bases=(100.0, 10000.0), curves=2, samples=10)
    assert len(fig.layout.title.text) <= 45
    assert fig.data[0].line.color not in ("#222", "black", "white")
