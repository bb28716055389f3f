"""Argument checks shared by every public function in rope_viz.

Every check raises ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind,
wrong value) with one message shape::

    <name> must be <what was expected>, got <what arrived>[; <hint>]

so that a reader sees which argument is wrong without reading a traceback from inside
numpy or torch.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "describe",
    "fail",
    "check_int",
    "check_dim",
    "check_float",
    "check_choice",
    "as_positions",
]


def describe(value: Any) -> str:
    """A short description of ``value`` for an error message."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    type_name = type(value).__name__
    if type_name == "Tensor":
        return f"tensor of shape {tuple(value.shape)} and dtype {value.dtype}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    if isinstance(value, (bool, numbers.Number, str)) or value is None:
        return text
    return f"{text} ({type_name})"


def fail(name: str, expected: str, got: Any, hint: str | None = None, *, kind: type = ValueError):
    """Raise ``kind`` with the house message shape."""
    message = f"{name} must be {expected}, got {describe(got)}"
    if hint:
        message += f"; {hint}"
    raise kind(message)


def _is_int(value: Any) -> bool:
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool)


def check_int(value: Any, name: str, *, minimum: int | None = None, hint: str | None = None) -> int:
    """Return ``value`` as a Python int, checking type and lower bound."""
    if not _is_int(value):
        bound = f" >= {minimum}" if minimum is not None else ""
        fail(name, f"an integer{bound}", value, hint, kind=TypeError)
    value = int(value)
    if minimum is not None and value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        fail(name, what, value, hint)
    return value


def check_dim(dim: Any, name: str = "dim", *, even: bool = True) -> int:
    """Return ``dim`` as an int; it must be positive (and even, for rotary pairs)."""
    expected = "a positive even integer" if even else "a positive integer"
    if not _is_int(dim):
        fail(name, expected, dim, kind=TypeError)
    dim = int(dim)
    if dim < 1 or (even and dim % 2):
        hint = "rotary and sinusoidal encodings work on pairs of dimensions" if even else None
        fail(name, expected, dim, hint)
    return dim


def check_float(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    strict: bool = True,
    hint: str | None = None,
) -> float:
    """Return ``value`` as a finite float above ``minimum`` (strictly when ``strict``)."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        fail(name, "a real number", value, hint, kind=TypeError)
    value = float(value)
    if not np.isfinite(value):
        fail(name, "a finite number", value, hint)
    if minimum is not None:
        too_small = value <= minimum if strict else value < minimum
        if too_small:
            relation = ">" if strict else ">="
            fail(name, f"a number {relation} {minimum:g}", value, hint)
    return value


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        options = ", ".join(repr(c) for c in choices)
        fail(name, f"one of {options}", value, kind=ValueError if isinstance(value, str) else TypeError)
    return value


def as_positions(
    positions: Any,
    name: str = "positions",
    *,
    integer: bool = False,
    nonnegative: bool = False,
) -> np.ndarray:
    """Return ``positions`` as a 1-D float64 (or int64 when ``integer``) numpy array.

    Accepts an int (meaning ``range(positions)``), a sequence, a numpy array or a torch
    tensor. Values must be finite; ``integer`` and ``nonnegative`` narrow them further.
    """
    if _is_int(positions):
        count = int(positions)
        if count < 0:
            fail(name, "a non-negative count or a 1-D sequence of positions", count)
        return np.arange(count, dtype=np.int64 if integer else np.float64)
    if isinstance(positions, (str, bytes)) or positions is None:
        fail(name, "an int count or a 1-D sequence of numbers", positions, kind=TypeError)
    if type(positions).__name__ == "Tensor":
        positions = positions.detach().cpu().numpy()
    if not isinstance(positions, np.ndarray):
        if not isinstance(positions, Iterable):
            fail(name, "an int count or a 1-D sequence of numbers", positions, kind=TypeError)
        positions = list(positions)
    try:
        array = np.asarray(positions)
    except (TypeError, ValueError):
        fail(name, "a 1-D sequence of numbers", positions, kind=TypeError)
    if array.dtype == bool or not (np.issubdtype(array.dtype, np.number)):
        fail(name, "a 1-D sequence of numbers", positions, kind=TypeError)
    if array.ndim != 1:
        fail(name, "one-dimensional", array, "pass a flat list of positions")
    if np.iscomplexobj(array) or not np.all(np.isfinite(array)):
        fail(name, "finite real numbers", array)
    if integer:
        if not np.all(np.equal(np.mod(array, 1), 0)):
            fail(name, "whole numbers", array)
        array = array.astype(np.int64)
    else:
        array = array.astype(np.float64)
    if nonnegative and array.size and array.min() < 0:
        fail(name, "non-negative", array, f"the smallest is {array.min():g}")
    return array
