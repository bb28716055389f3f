"""Tests for rope_viz.rope2d and its figure. Run: ``pytest tests/test_rope2d.py``.

The generators are checked against :func:`rope_viz.apply_axial_rope` (the axial pair) and
against the defining property: R(u)^T R(v) = R(v - u) exactly when the generators commute.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from conftest import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st

import rope_viz
from rope_viz import rope2d
from rope_viz.figures.rope2d_schemes import plot_rope2d_schemes


def test_doctests():
    result = doctest.testmod(rope2d, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("pairing_dim", [4, 8, 16])
def test_axial_generators_reproduce_apply_axial_rope(rng, pairing_dim):
    pos = rng.uniform(-30, 30, (7, 2))
    rotations = rope2d.generator_rotations(pos, rope2d.axial_generators(pairing_dim, 50.0))
    x = rng.standard_normal((7, pairing_dim))
    assert_close(np.einsum("nij,nj->ni", rotations, x),
                 rope_viz.apply_axial_rope(x, pos, 50.0), atol=1e-10)


def test_generator_rotations_are_rotations_and_match_1d_rope(rng):
    g = rope2d.staggered_generators(8, 10.0)
    r = rope2d.generator_rotations(rng.uniform(-9, 9, (5, 2)), g)
    assert_close(np.swapaxes(r, 1, 2) @ r, np.broadcast_to(np.eye(8), r.shape), atol=1e-10)
    assert_close(np.linalg.det(r), np.ones(5), atol=1e-10)
    first = rope2d.generator_rotations([[3.5, 0.0]], g)[0]  # only A: plain 1-D RoPE
    assert_close(first, rope_viz.rotation_matrix(3.5, 8, 10.0), atol=1e-10)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**31), conjugate=st.booleans())
def test_commuting_generators_give_relative_rotations(seed, conjugate):
    gen = np.random.default_rng(seed)
    g = rope2d.axial_generators(8, 20.0)
    if conjugate:  # any orthogonal change of basis keeps them commuting
        p, _ = np.linalg.qr(gen.standard_normal((8, 8)))
        g = np.einsum("ij,ajk,lk->ail", p, g, p)
    u, v = gen.uniform(-10, 10, (2, 2))
    ru, rv, rd = rope2d.generator_rotations([u, v, v - u], g)
    assert_close(ru.T @ rv, rd, atol=1e-9)


def test_staggered_generators_do_not_commute_and_are_not_relative():
    a, b = rope2d.staggered_generators(8, 10.0)
    assert np.abs(a @ b - b @ a).max() > 0.1
    ru, rv, rd = rope2d.generator_rotations([[1, 2], [3, 5], [2, 3]], [a, b])
    assert np.abs(ru.T @ rv - rd).max() > 0.1


def test_common_rotation_planes_block_diagonalise(rng):
    g = rope2d.axial_generators(12, 30.0)
    p, _ = np.linalg.qr(rng.standard_normal((12, 12)))
    hidden = np.einsum("ij,ajk,lk->ail", p, g, p)
    q = rope2d.common_rotation_planes(hidden)
    blocks = np.einsum("ji,ajk,kl->ail", q, hidden, q)
    mask = np.kron(np.eye(6), np.ones((2, 2))).astype(bool)
    assert_close(q.T @ q, np.eye(12), atol=1e-10)
    assert np.abs(blocks[:, ~mask]).max() < 1e-10
    with pytest.raises(ValueError, match="generators"):
        rope2d.common_rotation_planes(rope2d.staggered_generators(12, 30.0))


@pytest.mark.parametrize("scheme, relative", [("axial", True), ("flattened", True),
                                              ("staggered", False)])
def test_scores_depend_on_offset_only_when_relative(scheme, relative):
    h, w = 5, 6
    s = rope2d.rope2d_scores((h, w), 8, 10.0, scheme, vectors="random", rng=1)
    for dr, dc in [(1, 0), (0, 1), (2, 3), (-1, 2)]:
        values = [s[r * w + c, (r + dr) * w + c + dc] for r in range(h) for c in range(w)
                  if 0 <= r + dr < h and 0 <= c + dc < w]
        assert (np.ptp(values) < 1e-9) == relative


def test_flattened_scores_wrap_around_rows():
    h, w = 4, 5
    s = rope2d.rope2d_scores((h, w), 8, 10.0, "flattened", vectors="random", rng=2)
    # the last patch of row 0 and the first of row 1 are 1 apart, like horizontal neighbours
    assert s[0 * w + (w - 1), 1 * w + 0] == pytest.approx(s[2 * w + 1, 2 * w + 2], abs=1e-9)
    axial = rope2d.rope2d_scores((h, w), 8, 10.0, "axial", vectors="random", rng=2)
    assert abs(axial[w - 1, w] - axial[2 * w + 1, 2 * w + 2]) > 1e-3



def test_scores_follow_the_rng_contract():
    # an int seed gives the same vectors on every call; a Generator continues its stream
    first = rope2d.rope2d_scores((2, 3), 8, 10.0, vectors="random", rng=4)
    assert_close(rope2d.rope2d_scores((2, 3), 8, 10.0, vectors="random", rng=4), first)
    q, k = np.random.default_rng(4).standard_normal((2, 8))
    rq = rope_viz.apply_axial_rope(np.tile(q, (6, 1)), rope_viz.grid_positions((2, 3)), 10.0)
    rk = rope_viz.apply_axial_rope(np.tile(k, (6, 1)), rope_viz.grid_positions((2, 3)), 10.0)
    assert_close(first, rq @ rk.T, atol=1e-12)
    stream = np.random.default_rng(4)
    assert_close(rope2d.rope2d_scores((2, 3), 8, 10.0, vectors="random", rng=stream), first)
    second = rope2d.rope2d_scores((2, 3), 8, 10.0, vectors="random", rng=stream)
    assert np.abs(second - first).max() > 1e-3
    # "ones" (the default) draws nothing: q = k = (1, ..., 1)
    ones = rope2d.rope2d_scores((2, 3), 8, 10.0)
    r1 = rope_viz.apply_axial_rope(np.ones((6, 8)), rope_viz.grid_positions((2, 3)), 10.0)
    assert_close(ones, r1 @ r1.T, atol=1e-12)


def test_common_rotation_planes_takes_rng():
    g = rope2d.axial_generators(8, 30.0)
    q = rope2d.common_rotation_planes(g, rng=np.random.default_rng(5))
    assert_close(q.T @ q, np.eye(8), atol=1e-10)
    assert_close(rope2d.common_rotation_planes(g, rng=3), rope2d.common_rotation_planes(g, rng=3))


def _su_b1(size):
    """Su's B_1 of kexue.fm/archives/8397: a unit-rate turn of the plane (0, 1)."""
    b1 = np.zeros((size, size))
    b1[1, 0], b1[0, 1] = 1.0, -1.0
    return b1


@pytest.mark.parametrize("size, count", [(2, 1), (3, 1), (4, 2), (5, 4), (6, 7)])
def test_commuting_skew_matrices_counts_sus_partners(size, count):
    # 2x2 and 3x3 leave only multiples of B_1 (Su: no invertible pair); 4x4 is the first size
    # with a second, independent generator. Beyond: so(size - 2) on the rest, plus B_1 itself.
    basis = rope2d.commuting_skew_matrices(_su_b1(size))
    assert basis.shape == (count, size, size)
    b1 = _su_b1(size)
    for x in basis:
        assert_close(x, -x.T, atol=1e-12)
        assert_close(b1 @ x, x @ b1, atol=1e-12)
    gram = np.einsum("aij,bij->ab", basis, basis)  # Frobenius inner products
    assert_close(gram, np.eye(count), atol=1e-12)


def test_commuting_skew_matrices_span_the_axial_pair():
    a, b = rope2d.axial_generators(4, 10.0)
    span = rope2d.commuting_skew_matrices(a).reshape(2, -1).T  # (16, 2)
    for g in (a, b):
        coef = np.linalg.lstsq(span, g.ravel(), rcond=None)[0]
        assert_close(span @ coef, g.ravel(), atol=1e-12)


def test_commuting_skew_matrices_of_a_generic_generator_are_its_planes(rng):
    # distinct rates on 3 planes, hidden by a rotation: exactly 3 commuting directions
    g = np.zeros((6, 6))
    for i, rate in enumerate([1.0, 0.3, 0.07]):
        g[2 * i + 1, 2 * i], g[2 * i, 2 * i + 1] = rate, -rate
    p, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    assert rope2d.commuting_skew_matrices(p @ g @ p.T).shape == (3, 6, 6)


def test_equal_generators_are_relative_but_not_invertible():
    # Su's counterexample (kexue.fm/archives/8397): one rotation by (x + y)θ
    a, b = rope2d.axial_generators(8, 10.0)
    r10, r01, r = rope2d.generator_rotations([[1, 0], [0, 1], [3, -2]], [a, a])
    assert_close(r10, r01, atol=1e-12)
    ru, rv, rd = rope2d.generator_rotations([[1, 2], [4, 0], [3, -2]], [a, a])
    assert_close(ru.T @ rv, rd, atol=1e-10)  # still relative
    grid = rope_viz.grid_positions((4, 4))
    for gens, distinct in (([a, a], 7), ([a, b], 16)):  # a + b takes 7 values on a 4x4 grid
        rot = rope2d.generator_rotations(grid, gens).reshape(16, -1)
        assert len(np.unique(np.round(rot, 9), axis=0)) == distinct


BAD = [
    (rope2d.axial_generators, dict(dim=6), ValueError, "dim"),
    (rope2d.staggered_generators, dict(dim=2), ValueError, "dim"),
    (rope2d.generator_rotations, dict(positions=[[1, 2]], generators=np.ones((2, 4, 4))),
     ValueError, "generators"),
    (rope2d.generator_rotations, dict(positions=[[1, 2, 3]], generators=np.zeros((2, 4, 4))),
     ValueError, "positions"),
    (rope2d.generator_rotations, dict(positions=[[1, 2]], generators=np.zeros((4, 4))),
     ValueError, "generators"),
    (rope2d.common_rotation_planes, dict(generators=np.zeros((1, 3, 3))), ValueError,
     "generators"),
    (rope2d.commuting_skew_matrices, dict(generator=np.ones((3, 3))), ValueError, "generator"),
    (rope2d.commuting_skew_matrices, dict(generator=np.zeros((2, 3, 3))), ValueError,
     "generator"),
    (rope2d.commuting_skew_matrices, dict(generator=np.zeros((3, 3)), atol=-1.0), ValueError,
     "atol"),
    (rope2d.rope2d_scores, dict(shape=(3, 3), dim=8, scheme="spiral"), ValueError, "scheme"),
    (rope2d.rope2d_scores, dict(shape=(3, 3), dim=6), ValueError, "dim"),
    (rope2d.rope2d_scores, dict(shape=(3,), dim=8), ValueError, "shape"),
    (rope2d.rope2d_scores, dict(shape=(3, 3), dim=8, vectors="zeros"), ValueError, "vectors"),
    (rope2d.rope2d_scores, dict(shape=(3, 3), dim=8, vectors="random", rng=None), TypeError,
     "rng"),
    (rope2d.common_rotation_planes, dict(generators=np.zeros((1, 4, 4)), rng=None), TypeError,
     "rng"),
    (rope2d.generator_rotations, dict(positions=np.zeros((0, 2)), generators=np.zeros((2, 4, 4))),
     ValueError, "positions"),
    (rope2d.generator_rotations, dict(positions=[[1, 2]], generators="ab"), TypeError,
     "generators"),
]


@pytest.mark.parametrize("func, kwargs, error, name", BAD)
def test_bad_input(func, kwargs, error, name):
    with pytest.raises(error) as info:
        func(**kwargs)
    assert str(info.value).startswith(f"{name} must be"), str(info.value)


# --- figure ----------------------------------------------------------------------------------


def test_schemes_figure_structure():
    fig = plot_rope2d_schemes((8, 8), 16)
    assert [t.type for t in fig.data] == ["heatmap"] * 3 + ["scatter"] * 3
    assert len(fig.layout.sliders[0].steps) == 25
    assert len(fig.to_json()) < 300_000


def test_schemes_figure_axial_panel_slides_rigidly_and_staggered_does_not():
    fig = plot_rope2d_schemes((8, 8), 8, base=10.0, patches=[(2, 2), (3, 4)])
    steps = fig.layout.sliders[0].steps
    (a0, f0, s0), (a1, f1, s1) = ([np.array(z) for z in st_.args[0]["z"][:3]] for st_ in steps)
    np.testing.assert_allclose(a0[0:5, 0:4], a1[1:6, 2:6], atol=0.02)  # shifted by (1, 2)
    assert np.abs(s0[0:5, 0:4] - s1[1:6, 2:6]).max() > 0.5
    assert steps[1].args[0]["x"][3:] == [[4]] * 3 and steps[1].args[0]["y"][3:] == [[3]] * 3


@pytest.mark.parametrize("kwargs, exc, word", [
    (dict(shape=(30, 30)), ValueError, "shape"),
    (dict(dim=6), ValueError, "dim"),
    (dict(patches=[(9, 0)]), ValueError, "patches"),
    (dict(base=0.5), ValueError, "base"),
])
def test_schemes_figure_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        plot_rope2d_schemes(**kwargs)
