"""Tests for rope_viz.absolute. Run: ``pytest tests/test_absolute.py``."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from conftest import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st

import rope_viz
from rope_viz import absolute


def test_doctests():
    result = doctest.testmod(absolute, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_integer_encoding_values_and_length():
    out = rope_viz.integer_encoding([0, 3, 7], 5)
    assert out.shape == (3, 5)
    assert_close(out[:, 0], [0, 3, 7])
    assert np.all(out == out[:, :1])
    scaled = rope_viz.integer_encoding(4, 2, length=4)
    assert_close(scaled[:, 1], [0, 0.25, 0.5, 0.75])
    # the same position in a longer sequence gets a different code
    assert rope_viz.integer_encoding([2], 3, length=4)[0, 0] != rope_viz.integer_encoding([2], 3, length=8)[0, 0]


def test_binary_encoding_252_is_lsb_first():
    bits = rope_viz.binary_encoding([252], 8)[0]
    assert bits.tolist() == [0, 0, 1, 1, 1, 1, 1, 1]  # 252 = 0b11111100


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 2**20 - 1), min_size=1, max_size=20))
def test_binary_encoding_round_trips(positions):
    bits = rope_viz.binary_encoding(positions, 20)
    assert set(np.unique(bits)) <= {0.0, 1.0}
    back = bits @ (2 ** np.arange(20))
    assert back.astype(np.int64).tolist() == positions


def test_binary_bit_i_flips_every_2_pow_i():
    bits = rope_viz.binary_encoding(64, 6)
    for i in range(6):
        flips = np.flatnonzero(np.diff(bits[:, i])) + 1
        assert np.all(flips % 2**i == 0) and len(flips) == 64 // 2**i - 1


def test_sinusoidal_matches_vaswani_formula():
    positions = np.array([0.0, 1.0, 17.0, 511.0])
    dim = 16
    out = rope_viz.sinusoidal_encoding(positions, dim)
    for k, p in enumerate(positions):
        for i in range(dim // 2):
            assert out[k, 2 * i] == pytest.approx(np.sin(p / 10000 ** (2 * i / dim)), abs=1e-12)
            assert out[k, 2 * i + 1] == pytest.approx(np.cos(p / 10000 ** (2 * i / dim)), abs=1e-12)


def test_sinusoidal_concatenated_is_a_column_permutation():
    inter = rope_viz.sinusoidal_encoding(10, 8)
    concat = rope_viz.sinusoidal_encoding(10, 8, layout="concatenated")
    assert_close(concat[:, :4], inter[:, 0::2])
    assert_close(concat[:, 4:], inter[:, 1::2])


@settings(max_examples=30, deadline=None)
@given(
    k=st.floats(-1000, 1000),
    delta=st.floats(-1000, 1000),
    dim=st.sampled_from([2, 8, 64]),
    base=st.floats(2.0, 1e6),
)
def test_shift_is_a_rotation(k, delta, dim, base):
    pe = rope_viz.sinusoidal_encoding([k, k + delta], dim, base)
    m = rope_viz.sinusoid_shift_matrix(delta, dim, base)
    assert_close(m @ pe[0], pe[1], atol=1e-9)
    assert_close(m.T @ m, np.eye(dim), atol=1e-12)


def test_sinusoidal_dot_product_depends_on_offset_only():
    pe = rope_viz.sinusoidal_encoding(200, 32)
    for delta in (1, 5, 40):
        dots = np.einsum("kd,kd->k", pe[:-delta], pe[delta:])
        assert_close(dots, np.full_like(dots, dots[0]), atol=1e-9)


def test_hierarchical_reproduces_table_and_formula(rng):
    n, dim, alpha = 7, 5, 0.4
    p = rng.standard_normal((n, dim))
    q = rope_viz.hierarchical_decomposition(p, alpha)
    assert q.shape == (n * n, dim)
    assert_close(q[:n], p, atol=1e-12)  # first n positions unchanged
    u = (p - alpha * p[0]) / (1 - alpha)
    i, j = 4, 2
    assert_close(q[i * n + j], alpha * u[i] + (1 - alpha) * u[j], atol=1e-12)
    # all n² positions distinct for alpha != 0.5
    assert len(np.unique(q.round(10), axis=0)) == n * n


BAD = [
    (rope_viz.integer_encoding, dict(positions=[1, 2], dim=0), ValueError, "dim"),
    (rope_viz.integer_encoding, dict(positions=[1, 2], dim=2, length=0), ValueError, "length"),
    (rope_viz.integer_encoding, dict(positions=[[1, 2]], dim=2), ValueError, "positions"),
    (rope_viz.integer_encoding, dict(positions="abc", dim=2), TypeError, "positions"),
    (rope_viz.binary_encoding, dict(positions=[-1], dim=4), ValueError, "positions"),
    (rope_viz.binary_encoding, dict(positions=[1.5], dim=4), ValueError, "positions"),
    (rope_viz.binary_encoding, dict(positions=[16], dim=4), ValueError, "positions"),
    (rope_viz.binary_encoding, dict(positions=[1], dim=2.0), TypeError, "dim"),
    (rope_viz.sinusoidal_encoding, dict(positions=4, dim=7), ValueError, "dim"),
    (rope_viz.sinusoidal_encoding, dict(positions=4, dim=8, base=1.0), ValueError, "base"),
    (rope_viz.sinusoidal_encoding, dict(positions=[0, np.nan], dim=8), ValueError, "positions"),
    (rope_viz.sinusoidal_encoding, dict(positions=4, dim=8, layout="halves"), ValueError, "layout"),
    (rope_viz.sinusoid_shift_matrix, dict(delta=np.inf, dim=4), ValueError, "delta"),
    (rope_viz.hierarchical_decomposition, dict(table=np.ones(3)), ValueError, "table"),
    (rope_viz.hierarchical_decomposition, dict(table=np.ones((3, 2)), alpha=0.5), ValueError, "alpha"),
    (rope_viz.hierarchical_decomposition, dict(table=np.ones((3, 2)), alpha=1.2), ValueError, "alpha"),
    (rope_viz.hierarchical_decomposition, dict(table="x"), TypeError, "table"),
    (rope_viz.hierarchical_decomposition, dict(table=np.zeros((0, 2))), ValueError, "table"),
    (rope_viz.hierarchical_decomposition, dict(table=[[True, False]]), TypeError, "table"),
    (rope_viz.hierarchical_decomposition, dict(table=[[1.0, np.inf]]), ValueError, "table"),
]


@pytest.mark.parametrize("func, kwargs, error, name", BAD, ids=[f"{b[0].__name__}-{b[3]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input(func, kwargs, error, name):
    with pytest.raises(error) as info:
        func(**kwargs)
    assert str(info.value).startswith(f"{name} must be"), str(info.value)
