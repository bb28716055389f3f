"""Structure of the long-range decay figure: traces, base slider, dimension and axis buttons.

Run with ``pytest tests/test_figures_decay.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from rope_viz.figures import plot_long_range_decay
from rope_viz.figures.decay import decay_distances


def test_decay_structure():
    fig = plot_long_range_decay(4096, samples=20)
    assert [t.type for t in fig.data] == ["scatter"] * 8
    assert [t.visible for t in fig.data] == [False] * 4 + [True] * 2 + [False] * 2  # d = 128
    (slider,) = fig.layout.sliders
    assert [s.label for s in slider.steps] == ["100", "1k", "10k", "100k", "500k", "1M", "10M"]
    assert slider.active == 2
    dims, axis = fig.layout.updatemenus
    assert [b.label for b in dims.buttons] == ["d = 32", "d = 64", "d = 128", "d = 256", "all"]
    assert axis.buttons[1].args[0]["xaxis.type"] == "log"
    assert fig.layout.xaxis2.title.text == "relative distance m (positions)"
    assert fig.layout.yaxis.title.text == "bound factor"
    assert len(fig.to_json()) < 300_000


def test_bound_starts_at_32_5_for_d128_and_the_base_slider_moves_it():
    fig = plot_long_range_decay(1024, dims=(128,), dim=128, bases=(1e2, 1e4), base=1e4, samples=50)
    bound = np.array(fig.data[0].y)
    assert bound[0] == pytest.approx(32.5)
    assert np.any(np.diff(bound) > 0)  # bumps: not monotone
    steps = fig.layout.sliders[0].steps
    small, large = (np.array(step.args[0]["y"][0]) for step in steps)
    assert small[0] == large[0] == pytest.approx(32.5)
    assert np.abs(small - large).max() > 1.0
    score = np.array(fig.data[1].y)
    assert score[0] == pytest.approx(128, rel=0.2)


def test_dimension_buttons_toggle_visibility_only():
    fig = plot_long_range_decay(300, dims=(64, 128), samples=5)
    for button in fig.layout.updatemenus[0].buttons:
        assert set(button.args[0]) == {"visible"}
    assert fig.layout.updatemenus[0].buttons[0].args[0]["visible"] == [True, True, False, False]


def test_decay_distances():
    d = decay_distances(8192)
    assert d[0] == 0 and d[-1] == 8192 and np.all(np.diff(d) > 0)
    np.testing.assert_array_equal(decay_distances(10), np.arange(11))


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(max_distance=1), ValueError, "max_distance"),
        (dict(dims=(33,)), ValueError, "dims"),
        (dict(dim=96), ValueError, "dim"),
        (dict(bases=(1.0, 10.0)), ValueError, "bases"),
        (dict(base=123.0), ValueError, "base"),
        (dict(samples=0), ValueError, "samples"),
    ],
)
def test_decay_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        plot_long_range_decay(**kwargs)


def test_log_x_and_no_controls():
    fig = plot_long_range_decay(512, dims=(64,), dim=64, bases=(1e4,), base=1e4, samples=4,
                                log_x=True)
    assert fig.layout.xaxis.type == "log" and fig.layout.xaxis2.type == "log"
    assert fig.layout.updatemenus[1].active == 1
    bare = plot_long_range_decay(512, dims=(64, 128), dim=64, bases=(1e3, 1e4), base=1e4,
                                 samples=4, controls=False)
    assert (bare.layout.sliders, bare.layout.updatemenus) == ((), ())
    assert bare.data[0].y[0] == pytest.approx(16.5) and bare.layout.xaxis.type == "linear"


def test_short_title_and_narrow_layout():
    fig = plot_long_range_decay(300, samples=4)
    assert len(fig.layout.title.text) <= 45
    narrow = fig.layout.meta["narrow"]["layout"]
    assert narrow["updatemenus[1].y"] < narrow["updatemenus[0].y"]  # two button rows on a phone
    bare = plot_long_range_decay(300, dims=(64,), dim=64, bases=(1e4,), samples=4,
                                 controls=False)
    assert bare.layout.meta["narrow"] == {"traces": {}, "layout": {}}
    assert "bgcolor" not in fig.layout.legend.to_plotly_json()
