"""Tests for rope_viz.attention: the permutation-equivariance demonstration."""

from __future__ import annotations

import numpy as np
import pytest

import rope_viz
from rope_viz.attention import permutation_equivariance, self_attention, token_embeddings


def test_equal_tokens_get_equal_embeddings():
    x = token_embeddings("the dog chased another dog", dim=8, seed=3)
    assert x.shape == (5, 8)
    np.testing.assert_array_equal(x[1], x[4])
    assert not np.allclose(x[0], x[1])


def test_attention_is_permutation_equivariant(rng):
    x = rng.normal(size=(6, 12))
    perm = rng.permutation(6)
    out = self_attention(x, num_heads=3, seed=1)
    np.testing.assert_allclose(self_attention(x[perm], num_heads=3, seed=1), out[perm], atol=1e-12)


def test_self_attention_leaves_torch_random_state_alone():
    import torch

    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    self_attention(np.ones((2, 4)), num_heads=2, seed=9)
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())


def test_demo_outputs_do_not_depend_on_order_without_positions():
    demo = permutation_equivariance("the dog chased another dog", dim=16, seed=0)
    assert demo.outputs.shape == (4, 5, 16)
    np.testing.assert_allclose(demo.outputs, np.broadcast_to(demo.outputs[0], demo.outputs.shape), atol=1e-12)
    np.testing.assert_allclose(demo.outputs[0, 1], demo.outputs[0, 4], atol=1e-12)


def test_positions_break_the_tie_and_depend_on_order():
    demo = permutation_equivariance("the dog chased another dog", dim=16, seed=0, with_positions=True)
    assert np.abs(demo.outputs[0, 1] - demo.outputs[0, 4]).max() > 1e-3
    assert np.abs(demo.outputs[1] - demo.outputs[0]).max() > 1e-3


def test_public_names_are_exported():
    assert rope_viz.permutation_equivariance is permutation_equivariance
    assert callable(rope_viz.plot_permutation_equivariance)


@pytest.mark.parametrize(
    ("call", "kind", "needle"),
    [
        (lambda: token_embeddings(42), TypeError, "tokens"),
        (lambda: token_embeddings([]), ValueError, "tokens"),
        (lambda: token_embeddings("a b", dim=0), ValueError, "dim"),
        (lambda: self_attention(np.ones(4)), ValueError, "x must be"),
        (lambda: self_attention(np.ones((2, 6)), num_heads=4), ValueError, "num_heads"),
        (lambda: permutation_equivariance("a b c", orders=[(0, 1, 1)]), ValueError, "orders"),
        (lambda: permutation_equivariance("a b c", dim=5, with_positions=True), ValueError, "dim"),
    ],
)
def test_bad_input_names_the_argument(call, kind, needle):
    with pytest.raises(kind, match=needle):
        call()
