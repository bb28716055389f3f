"""Numerical precision of RoPE at large positions.

What this module holds
----------------------
- :func:`naive_angle_error`: how far the cos/sin tables drift when the angles m·θ_i are formed
  in low precision (float32, bfloat16, float16), the "naive" way many implementations do it,
  against a float64 reference.

:func:`rope_viz.apply_rope` avoids this drift by forming the angles in float64 and rounding
only cos and sin to the working dtype: its float32 output stays within float32 rounding of the
exact result at positions in the millions (tested up to 2^20 in ``tests/test_precision.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rope_viz._validation import as_positions, check_choice
from rope_viz.rope import rope_frequencies

__all__ = ["PRECISION_DTYPES", "naive_angle_error"]

PRECISION_DTYPES = ("float32", "bfloat16", "float16")


def naive_angle_error(positions: Any, dim: int = 128, base: float = 10000.0, dtype: str = "float32") -> np.ndarray:
    """Largest error of cos(m·θ_i) and sin(m·θ_i) when m·θ_i is formed in ``dtype``.

    The naive computation casts positions and ``inv_freq`` to ``dtype``, multiplies there and
    takes cos and sin there (torch on the CPU). The reference forms everything in float64.
    A float32 angle near m carries an error of about m·2^(−24) radians, so at m = 2^20 the
    fastest pair is already off by ~0.06; bfloat16 (8 significant bits) loses whole turns
    past a few hundred positions.

    Parameters
    ----------
    positions : int or array_like
        ``(n,)`` positions, or an int ``n`` for ``range(n)``.
    dim : int
        Rotary dimension (positive, even).
    base : float
        RoPE base (> 1).
    dtype : {"float32", "bfloat16", "float16"}
        Precision of the naive computation.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` float64: for each position, the largest absolute error over all pairs of the
        cos and sin values (0 to 2).

    Raises
    ------
    ValueError, TypeError
        For bad ``positions``, ``dim``, ``base`` or ``dtype``.

    References
    ----------
    The same effect is discussed for long-context training in Hugging Face's Llama code (the
    rotary embedding forces float32 angles) and in Su's ReRoPE posts (kexue.fm/archives/9708).

    Examples
    --------
    >>> float(naive_angle_error([0])[0])
    0.0
    """
    import torch

    positions = as_positions(positions)
    dtype = check_choice(dtype, "dtype", PRECISION_DTYPES)
    freqs = rope_frequencies(dim, base)  # (dim/2,), validates dim and base
    exact = np.multiply.outer(positions, freqs)  # (n, dim/2) float64
    low = getattr(torch, dtype)
    naive = torch.from_numpy(positions).to(low)[:, None] * torch.from_numpy(freqs).to(low)[None, :]  # (n, dim/2)
    cos_err = np.abs(naive.cos().double().numpy() - np.cos(exact))
    sin_err = np.abs(naive.sin().double().numpy() - np.sin(exact))
    return np.maximum(cos_err, sin_err).max(axis=1, initial=0.0)
