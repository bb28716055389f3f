"""Structure of the pairings figure: the arcs join exactly the dimensions each pairing
rotates together, and the grey lines draw pairing_permutation.

Run with ``pytest tests/test_figures_pairings.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from rope_viz import apply_rope, pairing_permutation
from rope_viz.figures import plot_pairings
from rope_viz.figures.pairings import pair_members


@pytest.mark.parametrize("dim", [2, 4, 8, 32])
def test_pair_members(dim):
    half = dim // 2
    assert pair_members(dim, "interleaved").tolist() == [[2 * i, 2 * i + 1] for i in range(half)]
    assert pair_members(dim, "half").tolist() == [[i, i + half] for i in range(half)]


def test_pair_members_are_what_apply_rope_rotates_together(rng):
    """Rotating a vector with a single nonzero dimension moves only its partner."""
    dim = 8
    for pairing in ("interleaved", "half"):
        for i, (a, b) in enumerate(pair_members(dim, pairing)):
            x = np.zeros((1, dim))
            x[0, a] = 1.0
            moved = np.flatnonzero(np.abs(apply_rope(x, [1.0], pairing=pairing)[0]) > 1e-12)
            assert moved.tolist() == sorted([a, b]), (pairing, i)


def _visible_groups(fig):
    steps = fig.layout.sliders[0].steps
    return [np.flatnonzero(step.args[0]["visible"]) for step in steps]


def test_slider_shows_one_dimension_at_a_time():
    fig = plot_pairings(8, dims=(4, 16))
    steps = fig.layout.sliders[0].steps
    assert [s.label for s in steps] == ["4", "8", "16"]
    assert fig.layout.sliders[0].active == 1
    groups = _visible_groups(fig)
    for d, group in zip((4, 8, 16), groups):
        assert len(group) == 3 + d  # two rows, the permutation lines, d arcs
    assert sum(len(g) for g in groups) == len(fig.data)
    initially = [i for i, t in enumerate(fig.data) if t.visible]
    assert initially == groups[1].tolist()
    assert len(fig.to_json()) < 300_000


def test_arcs_join_the_pairs_and_lines_draw_the_permutation():
    d = 8
    fig = plot_pairings(d, dims=(d,))
    traces = [fig.data[i] for i in _visible_groups(fig)[0]]
    lines, arcs, rows = traces[0], traces[1:-2], traces[-2:]
    assert [list(r.x) for r in rows] == [list(range(d))] * 2
    ends = sorted((round(a.x[0]), round(a.x[-1])) for a in arcs[: d // 2])
    assert ends == [(2 * i, 2 * i + 1) for i in range(d // 2)]
    ends = sorted((round(a.x[0]), round(a.x[-1])) for a in arcs[d // 2:])
    assert ends == [(i, i + d // 2) for i in range(d // 2)]
    assert all(max(a.y) > 1 for a in arcs[: d // 2]) and all(min(a.y) < 0 for a in arcs[d // 2:])
    perm = pairing_permutation(d, "half", "interleaved")
    starts = [x for x in lines.x[0::3]]
    stops = [x for x in lines.x[1::3]]
    assert stops == list(range(d)) and starts == perm.tolist()
    # same colour = same frequency in both rows
    assert [a.line.color for a in arcs[: d // 2]] == [a.line.color for a in arcs[d // 2:]]


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [(dict(dim=7), ValueError, "dim"), (dict(dims=(4, 5)), ValueError, "dims"),
     (dict(dims=(128,)), ValueError, "dims"), (dict(dims="4"), TypeError, "dims"),
     (dict(base=0.5), ValueError, "base")],
)
def test_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        plot_pairings(**kwargs)
