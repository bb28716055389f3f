"""The shared argument checks: types, messages that name the argument."""

from __future__ import annotations

import numpy as np
import pytest

from rope_viz._validation import as_positions, check_choice, check_dim, check_float, check_int


def test_check_dim_message_names_argument_and_value():
    with pytest.raises(ValueError, match=r"^dim must be a positive even integer, got 7"):
        check_dim(7)
    with pytest.raises(TypeError, match="head_dim must be"):
        check_dim(2.0, "head_dim")
    assert check_dim(np.int64(8)) == 8


def test_check_int_and_float():
    with pytest.raises(TypeError, match="count"):
        check_int(True, "count")
    with pytest.raises(ValueError, match="count must be an integer >= 2, got 1"):
        check_int(1, "count", minimum=2)
    with pytest.raises(ValueError, match="base must be a number > 1"):
        check_float(1, "base", minimum=1)
    with pytest.raises(ValueError, match="finite"):
        check_float(float("nan"), "base")
    assert check_float(np.float32(2.5), "base") == 2.5


def test_check_choice():
    assert check_choice("half", "pairing", ("interleaved", "half")) == "half"
    with pytest.raises(ValueError, match="pairing must be one of 'interleaved', 'half', got 'x'"):
        check_choice("x", "pairing", ("interleaved", "half"))


def test_as_positions_accepts_counts_sequences_and_tensors():
    import torch

    np.testing.assert_array_equal(as_positions(3), [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(as_positions([1, 5]), [1.0, 5.0])
    np.testing.assert_array_equal(as_positions(torch.arange(2)), [0.0, 1.0])
    assert as_positions([2, 3], integer=True).dtype == np.int64


@pytest.mark.parametrize(
    ("value", "kind", "needle"),
    [
        ("abc", TypeError, "positions must be"),
        ([[1, 2]], ValueError, "one-dimensional"),
        ([1.0, float("inf")], ValueError, "finite"),
        ([0.5], ValueError, "whole numbers"),
        (-2, ValueError, "non-negative count"),
        ([True, False], TypeError, "numbers"),
    ],
)
def test_as_positions_rejects_bad_input(value, kind, needle):
    with pytest.raises(kind, match=needle):
        as_positions(value, integer=(needle == "whole numbers"))
