"""Structure of the attention-score and relative-bias figures; Toeplitz checks.

Run with ``pytest tests/test_figures_scores.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from rope_viz.figures import plot_attention_scores, plot_relative_biases


def _diagonals_constant(matrix: np.ndarray, atol: float) -> bool:
    n = matrix.shape[0]
    return all(np.ptp(np.diagonal(matrix, offset)) <= atol for offset in range(-n + 1, n))


def test_scores_structure():
    fig = plot_attention_scores(16, 16)
    assert [t.type for t in fig.data] == ["heatmap", "heatmap"]
    assert fig.layout.yaxis.title.text == "query position m"
    assert fig.layout.xaxis.title.text == "key position n"
    assert len(fig.to_json()) < 300_000


def test_rope_scores_are_toeplitz_and_absolute_are_not():
    fig = plot_attention_scores(24, 16, rng=3)
    rope, absolute = (np.array(t.z) for t in fig.data)
    assert rope.shape == (24, 24)
    assert _diagonals_constant(rope, atol=2e-3)
    assert not _diagonals_constant(absolute, atol=0.1)


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [(dict(n=1), ValueError, "n"), (dict(dim=5), ValueError, "dim"),
     (dict(base=-2.0), ValueError, "base"), (dict(rng="seed"), TypeError, "rng")],
)
def test_scores_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        plot_attention_scores(**kwargs)


def test_biases_structure_and_head_slider():
    fig = plot_relative_biases(16, num_heads=4)
    assert [t.type for t in fig.data] == ["heatmap", "heatmap"]
    steps = fig.layout.sliders[0].steps
    assert len(steps) == 4
    first, last = (np.array(s.args[0]["z"][0]) for s in (steps[0], steps[-1]))
    assert first.min() < last.min() <= 0  # the first head falls off steeper
    for matrix in (first, last, np.array(fig.data[1].z)):
        assert _diagonals_constant(matrix, atol=1e-9)
    assert fig.layout.annotations[0].text.startswith("ALiBi bias, head 1")
    assert steps[3].args[1]["annotations[0].text"].startswith("ALiBi bias, head 4")
    assert len(fig.to_json()) < 300_000


def test_t5_buckets_causal():
    fig = plot_relative_biases(8, bidirectional=False)
    buckets = np.array(fig.data[1].z)
    assert np.all(buckets[np.triu_indices(8, 1)] == 0)  # keys after the query share bucket 0


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [(dict(n=0), ValueError, "n"), (dict(num_heads=0), ValueError, "num_heads"),
     (dict(bidirectional=1), TypeError, "bidirectional"),
     (dict(num_buckets=1), ValueError, "num_buckets")],
)
def test_biases_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        plot_relative_biases(**kwargs)


def test_relative_biases_start_at_a_chosen_head():
    from rope_viz.figures import relative_biases_changes

    fig = plot_relative_biases(8, num_heads=4, head=3)
    assert fig.layout.sliders[0].active == 2
    traces, layout = relative_biases_changes(8, num_heads=4, head=3)
    np.testing.assert_array_equal(fig.data[0].z, traces[0]["z"])
    assert fig.layout.annotations[0].text == layout["annotations[0].text"]
    with pytest.raises(ValueError, match="head"):
        plot_relative_biases(8, num_heads=4, head=5)
    assert plot_relative_biases(8, num_heads=4, controls=False).layout.sliders == ()


def test_score_figures_stack_on_a_phone_and_keep_short_titles():
    from rope_viz.figures import plot_attention_scores, plot_relative_biases

    for fig in (plot_attention_scores(8, 8), plot_relative_biases(8, num_heads=4),
                plot_relative_biases(8, num_heads=4, controls=False)):
        narrow = fig.layout.meta["narrow"]
        assert narrow["layout"]["yaxis2.domain"][1] < narrow["layout"]["yaxis.domain"][0]
        assert narrow["traces"]["0"]["colorbar.x"] == narrow["traces"]["1"]["colorbar.x"]
        assert len(fig.layout.title.text) <= 45
        for note in fig.layout.annotations:
            assert len(note.text) <= 40 and "_" not in note.text


def test_every_alibi_head_shows_on_the_colour_scale():
    from rope_viz.figures import plot_relative_biases, relative_biases_changes

    fig = plot_relative_biases(32, num_heads=8)
    assert fig.data[0].zmin == -1.0
    last = np.array(relative_biases_changes(32, num_heads=8, head=8)[0][0]["z"])
    assert last.min() / fig.data[0].zmin > 0.1  # the last head's corner: a tenth of the scale
