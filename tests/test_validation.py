"""The shared argument checks: types, messages that name the argument."""

from __future__ import annotations

import numpy as np
import pytest

from rope_viz._validation import (
    as_positions,
    check_array,
    check_choice,
    check_dim,
    check_float,
    check_int,
)


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


def test_check_int_and_float_maximum():
    assert check_int(5, "count", minimum=1, maximum=5) == 5
    with pytest.raises(ValueError, match="count must be an integer from 1 to 5, got 6"):
        check_int(6, "count", minimum=1, maximum=5)
    with pytest.raises(ValueError, match="count must be an integer <= 5, got 6"):
        check_int(6, "count", maximum=5)
    assert check_float(1.0, "p", minimum=0.0, strict=False, maximum=1.0) == 1.0
    with pytest.raises(ValueError, match="p must be a number <= 1"):
        check_float(1.5, "p", minimum=0.0, strict=False, maximum=1.0)
    with pytest.raises(ValueError, match="p must be a number >= 0"):
        check_float(-0.5, "p", minimum=0.0, strict=False, maximum=1.0)


def test_check_array_converts_lists_arrays_and_tensors():
    import torch

    out = check_array([[1, 2], [3, 4]], "table", ndim=2)
    assert out.dtype == np.float64 and out.shape == (2, 2)
    assert check_array(np.arange(3), "ids", integer=True).dtype == np.int64
    assert check_array([2.0, 3.0], "ids", integer=True).dtype == np.int64
    tensor = torch.ones(2, 3, dtype=torch.float32, requires_grad=True)
    out = check_array(tensor, "x", ndim=2, shape=(None, 3))
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    assert check_array(torch.arange(4), "ids", integer=True).tolist() == [0, 1, 2, 3]
    big = 2**62 + 1  # exact only if ints never pass through float64
    assert int(check_array(np.array([big]), "positions", integer=True)[0]) == big


@pytest.mark.parametrize(
    ("value", "kwargs", "kind", "needle"),
    [
        ("abc", {}, TypeError, "table must be"),
        (b"ab", {}, TypeError, "table must be"),
        (None, {}, TypeError, "table must be"),
        ({1: 2}, {}, TypeError, "table must be"),
        ([True, False], {}, TypeError, "table must be an array of real numbers"),
        (np.array([1 + 2j]), {}, TypeError, "table must be"),
        ([[1, 2], [3]], {}, TypeError, "table must be"),
        ([1.0, 2.0], dict(ndim=2), ValueError, "table must be an array of real numbers with 2 axes"),
        ([1.0], dict(ndim=2, what="a 2-D array (n, dim)"), ValueError, r"table must be a 2-D array \(n, dim\)"),
        ([1.0], dict(min_ndim=2), ValueError, "table must be an array with at least 2 axes"),
        (np.zeros((2, 3)), dict(shape=(None, 2)), ValueError, "axis 1 has size 2"),
        (np.zeros(3), dict(shape=(2, 3)), ValueError, "at least 2 axes"),
        (np.zeros((0, 3)), dict(nonempty=True), ValueError, "table must be a non-empty array"),
        ([1.0, np.nan], {}, ValueError, "table must be finite numbers"),
        ([1.0, np.inf], {}, ValueError, "finite"),
        ([0.5], dict(integer=True), ValueError, "table must be whole numbers"),
        ([-1.0, 2.0], dict(minimum=0), ValueError, "table must be non-negative values.*smallest is -1"),
        ([0.0, 2.0], dict(minimum=0, strict=True), ValueError, "table must be positive values"),
        ([1.0, 2.0], dict(minimum=1, strict=True), ValueError, "table must be values > 1"),
        ([1.0, 2.0], dict(minimum=1.5), ValueError, "table must be values >= 1.5"),
        ([1.0, 3.0], dict(maximum=2), ValueError, "table must be values <= 2.*largest is 3"),
    ],
)
def test_check_array_rejects_bad_input(value, kwargs, kind, needle):
    with pytest.raises(kind, match=needle):
        check_array(value, "table", **kwargs)


def test_check_array_bounds_are_inclusive_unless_strict():
    np.testing.assert_array_equal(check_array([0.0, 1.0], "p", minimum=0, maximum=1), [0.0, 1.0])
    np.testing.assert_array_equal(check_array([0.5], "p", minimum=0, strict=True), [0.5])
    assert check_array(np.zeros((0, 2)), "p", minimum=1).shape == (0, 2)  # no values, no bound


def test_check_array_refuses_bool_tensors():
    import torch

    with pytest.raises(TypeError, match="mask must be"):
        check_array(torch.tensor([True, False]), "mask")


def test_as_positions_takes_iterables_and_keeps_its_messages():
    np.testing.assert_array_equal(as_positions(range(2, 4)), [2.0, 3.0])
    np.testing.assert_array_equal(as_positions(p for p in (1, 2)), [1.0, 2.0])
    with pytest.raises(ValueError, match="positions must be non-negative"):
        as_positions([1, -1], nonnegative=True)
    with pytest.raises(ValueError, match="offsets must be"):
        as_positions([[1]], "offsets")
