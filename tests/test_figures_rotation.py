"""Structure of the RoPE rotation animation: panels, frames, and the fixed dot product.

Run with ``pytest tests/test_figures_rotation.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from rope_viz.figures import plot_rope_rotation


def test_rotation_structure():
    fig = plot_rope_rotation(16, positions=20)
    assert [t.type for t in fig.data] == ["scatter"] * 32  # 8 pairs x (circle, trail, q, k)
    assert len(fig.frames) == 20
    assert len(fig.layout.sliders[0].steps) == 20
    assert len(fig.frames[0].traces) == 24
    assert fig.layout.yaxis.title.text == "dim 2i+1"
    assert fig.layout.xaxis5.title.text == "dim 2i"
    assert len(fig.to_json()) < 300_000


def test_pairs_turn_but_the_dot_product_does_not_change():
    fig = plot_rope_rotation(8, positions=12, offset=3.0, rng=1)
    titles = [frame.layout.title.text.split("<br>")[0] for frame in fig.frames]
    assert len(set(titles)) == 1  # the same q·k in every frame
    full = [frame.layout.title.text for frame in fig.frames]
    assert len(set(full)) == 12  # ... while the position readout moves
    # the fast pair 0 query arrow moves between frames, the slowest pair barely
    q_fast = [np.array(f.data[1].x + f.data[1].y) for f in fig.frames]
    q_slow = [np.array(f.data[10].x + f.data[10].y) for f in fig.frames]
    assert np.abs(q_fast[1] - q_fast[0]).max() > 0.1
    assert np.abs(q_slow[1] - q_slow[0]).max() < 0.01


def test_different_offsets_give_different_scores():
    a = plot_rope_rotation(8, positions=3, offset=0.0, rng=1).layout.title.text.split("<br>")[0]
    b = plot_rope_rotation(8, positions=3, offset=5.0, rng=1).layout.title.text.split("<br>")[0]
    assert a != b


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [
        (dict(dim=9), ValueError, "dim"),
        (dict(dim=128), ValueError, "dim"),
        (dict(positions=[]), ValueError, "positions"),
        (dict(trail=0), ValueError, "trail"),
        (dict(offset="3"), TypeError, "offset"),
        (dict(rng=-1), TypeError, "rng"),
    ],
)
def test_rotation_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        plot_rope_rotation(**kwargs)


def test_without_controls_the_figure_shows_the_last_position():
    fig = plot_rope_rotation(8, positions=[1.0, 2.0, 3.0], controls=False)
    animated = plot_rope_rotation(8, positions=[1.0, 2.0, 3.0])
    assert fig.frames == () and fig.layout.sliders == () and fig.layout.updatemenus == ()
    last = animated.frames[-1]
    for trace, index in zip(last.data, last.traces):
        assert fig.data[index].x == trace.x and fig.data[index].y == trace.y
    assert fig.layout.title.text == last.layout.title.text


def test_rotation_has_a_phone_layout_and_a_short_title():
    fig = plot_rope_rotation(16, positions=4)
    narrow = fig.layout.meta["narrow"]["layout"]
    assert narrow["xaxis.domain"][1] < 0.5 < narrow["xaxis2.domain"][0]  # two columns
    assert narrow["yaxis3.domain"][1] < narrow["yaxis.domain"][0]  # pair 2 under pair 0
    assert narrow["annotations[7].text"] == "pair 7<br>θ₇ = 0.000316"
    assert narrow["height"] > fig.layout.height
    assert narrow["sliders[0].len"] == 1.0
    assert len(fig.layout.title.text.split("<br>")[0]) <= 45
    plain = plot_rope_rotation(16, positions=4, controls=False)
    assert "sliders[0].len" not in plain.layout.meta["narrow"]["layout"]
    assert plain.layout.meta["narrow"]["layout"]["annotations[7].text"] == "pair 7<br>θ₇ = 0.000316"
