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
    assert max(len(t) for t in titles) <= 42


def test_a_generator_is_drawn_once_for_both_panels():
    seed = int(np.random.default_rng(2).integers(2**63 - 1))
    from_generator = plot_permutation_equivariance(rng=np.random.default_rng(2))
    from_seed = plot_permutation_equivariance(rng=seed)
    assert [list(map(list, t.z)) for t in from_generator.data] == \
        [list(map(list, t.z)) for t in from_seed.data]


def test_attention_shuffle_moves_weights_with_their_words():
    from rope_viz import attention_patterns, attention_shuffle_changes, plot_attention_shuffle

    fig = plot_attention_shuffle("the dog chased another dog", dim=16, rng=0)
    assert [t.type for t in fig.data] == ["heatmap", "heatmap"]
    assert list(fig.layout.xaxis.ticktext) == ["the", "dog", "chased", "another", "dog"]
    steps = fig.layout.sliders[0].steps
    assert len(steps) == 4
    traces, layout = attention_shuffle_changes(order=1, dim=16, rng=0)
    assert steps[1].args[1] == layout and layout["xaxis.ticktext"][0] == "dog"
    assert len(layout["title.text"]) <= 42
    plain = attention_patterns(dim=16, rng=0)
    P = np.eye(5)[[4, 3, 2, 1, 0]]
    np.testing.assert_allclose(plain[1], P @ plain[0] @ P.T, atol=1e-12)
    np.testing.assert_allclose(plain.sum(-1), 1.0)
    mixed = attention_patterns(dim=16, rng=0, with_positions=True)
    assert np.abs(mixed[1] - P @ mixed[0] @ P.T).max() > 1e-2
    assert fig.layout.meta["narrow"]["layout"]["xaxis2.domain"] == [0, 1]
    bare = plot_attention_shuffle(controls=False)
    assert bare.layout.sliders == ()


def test_equivariance_figures_have_short_titles_and_stack_on_a_phone():
    from rope_viz import plot_attention_shuffle

    for fig in (plot_permutation_equivariance(), plot_attention_shuffle()):
        assert len(fig.layout.title.text) <= 42
        assert fig.layout.meta["narrow"]["layout"]["yaxis2.domain"][1] < 0.6
