"""Shared fixtures for the math-layer tests.

Run with ``pytest tests`` from the repository root.
"""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator: every test draws the same numbers on every run."""
    return np.random.default_rng(20240601)


def to_numpy(value):
    """numpy view of an array or (CPU/GPU) torch tensor, in float64."""
    if type(value).__module__.startswith("torch"):
        value = value.detach().cpu().double().numpy()
    return np.asarray(value, dtype=np.float64)


def assert_close(actual, expected, *, rtol: float = 1e-7, atol: float = 1e-9, label: str = ""):
    """``np.testing.assert_allclose`` that reports the max and mean absolute difference."""
    a, e = to_numpy(actual), to_numpy(expected)
    assert a.shape == e.shape, f"{label} shape {a.shape} != {e.shape}"
    diff = np.abs(a - e)
    summary = f"{label} max |diff| = {diff.max(initial=0.0):.3g}, mean |diff| = {diff.mean() if diff.size else 0.0:.3g}"
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=summary)
