"""Argument checks shared by every public function in rope_viz.

Every check raises ``TypeError`` (wrong kind of value) or ``ValueError`` (right kind,
wrong value) with one message shape::

    <name> must be <what was expected>, got <what arrived>[; <hint>]

so that a reader sees which argument is wrong without reading a traceback from inside
numpy or torch.

The checks, one per kind of argument:

- ``check_int`` / ``check_float`` / ``check_bool`` / ``check_choice``: scalars, with bounds;
- ``check_dim``: a rotary or model size (positive, even by default);
- ``check_array``: any array argument (numpy, torch or array-like), with its number of axes,
  its axis sizes, whole numbers, and bounds on its values (inclusive, or an exclusive minimum
  with ``strict=True``); ``as_positions`` is ``check_array`` for a 1-D list of positions (an
  int ``n`` meaning ``range(n)``), and only for positions: bases, frequencies, factors and
  lists of settings call ``check_array`` themselves;
- ``check_features``: the ``(..., n, dim)`` feature arrays that RoPE rotates;
- ``check_generator``: the random-number contract below.

Random numbers, one contract for the whole package. Every function that draws random numbers
takes ``rng``, which is either

- an int seed: the function makes ``np.random.default_rng(seed)`` on every call, so the same
  seed gives the same draws on every call (a figure or a widget redrawn with ``rng=0`` shows
  the same vectors at every slider step), or
- a ``np.random.Generator``: used as is, so each call continues its stream and draws fresh
  numbers.

``None`` is refused: randomness is always explicit. Torch code draws from a
``torch.Generator`` seeded from the same int.
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
    "check_bool",
    "is_tensor",
    "check_features",
    "check_int_tuple",
    "check_generator",
    "check_array",
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


def check_int(value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None,
              hint: str | None = None) -> int:
    """Return ``value`` as a Python int, checking type and bounds (both inclusive)."""
    if not _is_int(value):
        bound = f" >= {minimum}" if minimum is not None else ""
        fail(name, f"an integer{bound}", value, hint, kind=TypeError)
    value = int(value)
    if minimum is not None and value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        if maximum is not None:
            what = f"an integer from {minimum} to {maximum}"
        fail(name, what, value, hint)
    if maximum is not None and value > maximum:
        what = f"an integer <= {maximum}" if minimum is None else f"an integer from {minimum} to {maximum}"
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
    maximum: float | None = None,
    hint: str | None = None,
) -> float:
    """Return ``value`` as a finite float above ``minimum`` (strictly when ``strict``) and at
    most ``maximum`` (inclusive)."""
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
    if maximum is not None and value > maximum:
        fail(name, f"a number <= {maximum:g}", value, hint)
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

    Positions only: token indices or coordinates along a sequence, or offsets between them.
    Accepts an int (meaning ``range(positions)``), a sequence or any other iterable, a numpy
    array or a torch tensor; the rest is :func:`check_array` with ``ndim=1``. Values must be
    finite; ``integer`` and ``nonnegative`` narrow them further. Other 1-D arguments (bases,
    frequencies, factors, lists of settings) call :func:`check_array` directly.
    """
    if _is_int(positions):
        count = int(positions)
        if count < 0:
            fail(name, "a non-negative count or a 1-D sequence of positions", count)
        return np.arange(count, dtype=np.int64 if integer else np.float64)
    if (isinstance(positions, Iterable) and not isinstance(positions, (np.ndarray, Sequence, str, bytes))
            and not is_tensor(positions)):
        positions = list(positions)  # generators, dict views, sets
    return check_array(positions, name, ndim=1, integer=integer, minimum=0 if nonnegative else None,
                       what="a one-dimensional sequence of numbers (or an int count)")


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` if it is a bool (numpy bools accepted)."""
    if not isinstance(value, (bool, np.bool_)):
        fail(name, "True or False", value, kind=TypeError)
    return bool(value)


def is_tensor(value: Any) -> bool:
    """True for a torch tensor, without importing torch."""
    return type(value).__module__.startswith("torch") and type(value).__name__ in (
        "Tensor",
        "Parameter",
    )


def check_features(
    x: Any,
    name: str = "x",
    *,
    min_ndim: int = 2,
    dim: int | None = None,
) -> Any:
    """Check a floating numpy array or torch tensor of shape ``(..., n, dim)``.

    Returns ``x`` unchanged (a numpy array for array-likes that are not tensors).
    The last axis must be even (rotary pairs), and equal to ``dim`` when given.
    """
    if is_tensor(x):
        if not (x.is_floating_point()):
            fail(name, "a floating-point tensor", x, "convert it with x.float()", kind=TypeError)
        shape = tuple(x.shape)
    else:
        if not isinstance(x, np.ndarray):
            if isinstance(x, (str, bytes)) or x is None or not isinstance(x, Iterable):
                fail(name, "a numpy array or a torch tensor of shape (..., n, dim)", x, kind=TypeError)
            try:
                x = np.asarray(x, dtype=np.float64)
            except (TypeError, ValueError):
                fail(name, "a numpy array or a torch tensor of real numbers", x, kind=TypeError)
        if not np.issubdtype(x.dtype, np.floating):
            if np.issubdtype(x.dtype, np.integer) and x.dtype != bool:
                x = x.astype(np.float64)
            else:
                fail(name, "an array of real floating-point numbers", x, kind=TypeError)
        shape = x.shape
    if len(shape) < min_ndim:
        fail(name, f"an array with at least {min_ndim} axes (..., n, dim)", x)
    last = shape[-1]
    if last == 0 or last % 2:
        fail(name, "an array whose last axis (dim) is a positive even number", x,
             "rotary encodings rotate pairs of dimensions")
    if dim is not None and last != dim:
        fail(name, f"an array whose last axis is {dim}", x)
    return x


def check_int_tuple(value: Any, name: str, *, length: int | None = None, minimum: int = 1) -> tuple:
    """Return ``value`` as a tuple of ints, each >= ``minimum`` (and of ``length`` items)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable) or is_tensor(value):
        if is_tensor(value):
            value = value.tolist()
        else:
            what = f"a sequence of {length} integers" if length else "a sequence of integers"
            fail(name, what, value, kind=TypeError)
    items = list(value.tolist() if isinstance(value, np.ndarray) else value)
    what = f"{length} integers >= {minimum}" if length else f"integers >= {minimum}"
    if length is not None and len(items) != length:
        fail(name, what, value)
    if not items or not all(_is_int(v) for v in items):
        fail(name, what, value, kind=TypeError if items and length is None else ValueError)
    if any(int(v) < minimum for v in items):
        fail(name, what, value)
    return tuple(int(v) for v in items)


def check_generator(rng: Any, name: str = "rng") -> np.random.Generator:
    """Return a numpy Generator from a Generator or an int seed (None is refused: be explicit).

    This is the package's one random-number contract (see the module docstring): an int seed
    gives a fresh ``default_rng(seed)`` on every call, a Generator is used as is.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if _is_int(rng) and int(rng) >= 0:
        return np.random.default_rng(int(rng))
    fail(name, "a numpy Generator or a non-negative int seed", rng,
         "pass rng=np.random.default_rng(0) for reproducible draws", kind=TypeError)


def check_array(
    value: Any,
    name: str,
    *,
    ndim: int | None = None,
    min_ndim: int | None = None,
    shape: tuple | None = None,
    integer: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
    strict: bool = False,
    nonempty: bool = False,
    what: str | None = None,
) -> np.ndarray:
    """Return ``value`` as a finite numpy array (float64, or int64 when ``integer``).

    Accepts numpy arrays, torch tensors (detached, copied to the CPU) and nested sequences of
    real numbers; booleans, strings, complex and non-finite values are refused. Integer input
    stays exact when ``integer`` is set (no round trip through float64).

    Args:
        ndim / min_ndim: exact / least number of axes.
        shape: expected sizes, axis by axis from the end (``None`` for any size), so
            ``shape=(None, 2)`` means "last axis of size 2".
        integer: the values must be whole numbers; they come back as int64.
        minimum / maximum: bounds on every value, both inclusive; with ``strict`` the
            minimum is exclusive ("every value > minimum"). Note the default differs from
            :func:`check_float`, whose minimum is exclusive unless ``strict=False``.
        nonempty: every axis must have at least one entry.
        what: how to describe the expected value in messages (default from ``ndim``).

    Examples:
        >>> check_array([[1, 2], [3, 4]], "table", ndim=2, integer=True).dtype
        dtype('int64')
        >>> check_array([0.5, 2.0], "noises", ndim=1, minimum=0, strict=True)
        array([0.5, 2. ])
    """
    if ndim is not None:
        expected = what or f"an array of real numbers with {ndim} ax{'i' if ndim == 1 else 'e'}s"
    else:
        expected = what or "an array of real numbers"
    if is_tensor(value):
        value = value.detach().cpu()
        value = value.double().numpy() if value.is_floating_point() else value.numpy()
    if isinstance(value, (str, bytes)) or value is None or isinstance(value, (dict, set)):
        fail(name, expected, value, kind=TypeError)
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        fail(name, expected, value, kind=TypeError)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
        fail(name, expected, value, kind=TypeError)
    if ndim is not None and array.ndim != ndim:
        fail(name, expected, array)
    if min_ndim is not None and array.ndim < min_ndim:
        fail(name, what or f"an array with at least {min_ndim} axes", array)
    if shape is not None:
        if array.ndim < len(shape):
            fail(name, what or f"an array with at least {len(shape)} axes", array)
        for axis, size in enumerate(shape, start=array.ndim - len(shape)):
            if size is not None and array.shape[axis] != size:
                fail(name, what or f"an array whose axis {axis} has size {size}", array)
    if nonempty and 0 in array.shape:
        fail(name, what or "a non-empty array", array)
    if np.issubdtype(array.dtype, np.integer):
        array = array.astype(np.int64 if integer else np.float64)
    else:
        array = array.astype(np.float64)
        if not np.all(np.isfinite(array)):
            fail(name, "finite numbers", value)
        if integer:
            if not np.all(np.equal(np.mod(array, 1), 0)):
                fail(name, "whole numbers", value)
            array = array.astype(np.int64)
    if array.size:
        if minimum is not None:
            low = array.min()
            if (low <= minimum) if strict else (low < minimum):
                if minimum == 0:
                    bound = "positive values" if strict else "non-negative values"
                else:
                    bound = f"values {'>' if strict else '>='} {minimum:g}"
                fail(name, bound, value, f"the smallest is {low:g}")
        if maximum is not None and array.max() > maximum:
            fail(name, f"values <= {maximum:g}", value, f"the largest is {array.max():g}")
    return array
