"""Tests for rope_viz.equivariance: chapter 1's permutation-equivariance demonstration.

Run with ``pytest tests/test_equivariance.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import rope_viz
from rope_viz.equivariance import permutation_equivariance, token_embeddings


def test_equal_tokens_get_equal_embeddings():
    x = token_embeddings("the dog chased another dog", dim=8, rng=3)
    assert x.shape == (5, 8)
    np.testing.assert_array_equal(x[1], x[4])
    assert not np.allclose(x[0], x[1])


def test_embeddings_follow_the_rng_contract():
    np.testing.assert_array_equal(token_embeddings("a b", rng=3), token_embeddings("a b", rng=3))
    gen = np.random.default_rng(3)
    np.testing.assert_array_equal(token_embeddings("a b", rng=gen),
                                  token_embeddings("a b", rng=3))  # a seed is a fresh generator
    assert not np.allclose(token_embeddings("a b", rng=gen), token_embeddings("a b", rng=3))


def test_demo_outputs_do_not_depend_on_order_without_positions():
    demo = permutation_equivariance("the dog chased another dog", dim=16, rng=0)
    assert demo.outputs.shape == (4, 5, 16)
    np.testing.assert_allclose(demo.outputs, np.broadcast_to(demo.outputs[0], demo.outputs.shape),
                               atol=1e-12)
    np.testing.assert_allclose(demo.outputs[0, 1], demo.outputs[0, 4], atol=1e-12)


def test_a_generator_gives_one_layer_for_every_order():
    demo = permutation_equivariance("the dog chased another dog", dim=16,
                                    rng=np.random.default_rng(4))
    np.testing.assert_allclose(demo.outputs, np.broadcast_to(demo.outputs[0], demo.outputs.shape),
                               atol=1e-12)


def test_positions_break_the_tie_and_depend_on_order():
    demo = permutation_equivariance("the dog chased another dog", dim=16, rng=0,
                                    with_positions=True)
    assert np.abs(demo.outputs[0, 1] - demo.outputs[0, 4]).max() > 1e-3
    assert np.abs(demo.outputs[1] - demo.outputs[0]).max() > 1e-3


def test_public_names_are_exported():
    assert rope_viz.permutation_equivariance is permutation_equivariance
    assert rope_viz.token_embeddings is token_embeddings
    assert callable(rope_viz.plot_permutation_equivariance)


@pytest.mark.parametrize(
    ("call", "kind", "needle"),
    [
        (lambda: token_embeddings(42), TypeError, "tokens"),
        (lambda: token_embeddings([]), ValueError, "tokens"),
        (lambda: token_embeddings("a b", dim=0), ValueError, "dim"),
        (lambda: token_embeddings("a b", std=0.0), ValueError, "std"),
        (lambda: token_embeddings("a b", rng=None), TypeError, "rng"),
        (lambda: permutation_equivariance("a b c", orders=[(0, 1, 1)]), ValueError, "orders"),
        (lambda: permutation_equivariance("a b c", dim=5, with_positions=True), ValueError, "dim"),
        (lambda: permutation_equivariance("a b c", with_positions=1), TypeError, "with_positions"),
    ],
)
def test_bad_input_names_the_argument(call, kind, needle):
    with pytest.raises(kind, match=needle):
        call()
