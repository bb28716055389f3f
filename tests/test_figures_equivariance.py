"""Structure of the permutation-equivariance figure: traces, slider, titles, size."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from rope_viz import plot_permutation_equivariance


def test_figure_structure():
    fig = plot_permutation_equivariance("the dog chased another dog", dim=16, rng=0)
    assert isinstance(fig, go.Figure)
    assert [t.type for t in fig.data] == ["heatmap", "heatmap"]
    assert list(fig.data[0].y) == ["the", "dog (1st)", "chased", "another", "dog (2nd)"]
    (slider,) = fig.layout.sliders
    assert len(slider.steps) == 4
    assert fig.layout.xaxis.title.text == "output dimension"
    assert len(fig.to_json()) < 100_000


def test_slider_steps_freeze_the_left_panel_and_move_the_right():
    fig = plot_permutation_equivariance("the dog chased another dog", dim=16, rng=0)
    steps = fig.layout.sliders[0].steps
    lefts = [np.array(step.args[0]["z"][0]) for step in steps]
    rights = [np.array(step.args[0]["z"][1]) for step in steps]
    for left in lefts[1:]:
        np.testing.assert_array_equal(left, lefts[0])
    assert any(np.abs(r - rights[0]).max() > 1e-3 for r in rights[1:])
    titles = [step.args[1]["title.text"] for step in steps]
    assert len(set(titles)) == 4 and "the dog chased another dog" in titles[0]


def test_a_generator_is_drawn_once_for_both_panels():
    seed = int(np.random.default_rng(2).integers(2**63 - 1))
    from_generator = plot_permutation_equivariance(rng=np.random.default_rng(2))
    from_seed = plot_permutation_equivariance(rng=seed)
    assert [list(map(list, t.z)) for t in from_generator.data] == \
        [list(map(list, t.z)) for t in from_seed.data]
