"""Tests for rope_viz.precision and the large-position accuracy of apply_rope.

Run: ``pytest tests/test_precision.py``.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import torch

import rope_viz
from rope_viz import precision

POSITIONS = np.array([0, 1, 1000, 65535, 2**18 + 7, 10**6, 2**20 - 1, 2**20])


def test_doctests():
    result = doctest.testmod(precision)
    assert result.attempted > 0 and result.failed == 0


def _relative_error(out, ref):
    return np.linalg.norm(out - ref, axis=-1) / np.linalg.norm(ref, axis=-1)


@pytest.mark.parametrize("pairing", ["interleaved", "half"])
@pytest.mark.parametrize("form", ["elementwise", "complex", "matrix"])
def test_float32_apply_rope_accurate_up_to_2_pow_20(rng, pairing, form):
    x64 = rng.standard_normal((2, len(POSITIONS), 128))
    ref = rope_viz.apply_rope(x64, POSITIONS, pairing=pairing)  # float64 reference
    x32 = x64.astype(np.float32)
    for out in (rope_viz.apply_rope(x32, POSITIONS, pairing=pairing, form=form),
                rope_viz.apply_rope(torch.from_numpy(x32), POSITIONS, pairing=pairing, form=form).numpy()):
        # the float32 rounding of x itself is part of the error budget (~6e-8)
        err = _relative_error(out.astype(np.float64), ref)
        assert err.max() < 1e-5, f"max relative error {err.max():.2e}"


def test_naive_float32_angles_are_wrong_at_large_positions():
    err = precision.naive_angle_error(POSITIONS, 128, dtype="float32")
    assert err[0] == 0 and err[1] < 1e-6
    assert err[-1] > 1e-2  # ~m * 2^-24 radians at m = 2^20


def test_naive_bfloat16_is_much_worse():
    err16 = precision.naive_angle_error([1000], 128, dtype="bfloat16")[0]
    err32 = precision.naive_angle_error([1000], 128, dtype="float32")[0]
    assert err16 > 0.1 and err16 > 1000 * err32


def test_bad_dtype_named():
    with pytest.raises(ValueError, match="^dtype must be"):
        precision.naive_angle_error([1], dtype="float8")
