"""Timing and memory tables for chapter 10 and the benchmark scripts.

What this module holds
----------------------
- :func:`cpu_threads`: a block run with a given number of torch CPU threads.
- :func:`median_time`: the median wall time of a call, synchronising CUDA around it.
- :func:`peak_memory`: the extra CUDA memory a call allocates at its peak (None on the CPU).
- :func:`attention_timing`: naive attention against ``scaled_dot_product_attention`` over
  sequence lengths: time, memory, and the largest difference between the two outputs.
- :func:`rope_kernel_timing`: every form and pairing of :func:`rope_viz.apply_rope`, the
  textbook rotate_half form, and ``x.clone()`` (a copy of the same bytes) on one shape.
- :func:`format_table`: rows (a list of dicts) as a plain-text table, no pandas needed.

Conventions
-----------
Times are medians over ``repeats`` calls after one warm-up call, in milliseconds in the rows;
the functions that compare calls time them in rounds (each call once per round) and report
ratios as medians of the ratios within a round.
On CUDA the device is synchronised before the clock starts and before it stops, so a time
covers the kernels and not only their launch. Peak memory is measured on CUDA only
(``torch.cuda.max_memory_allocated`` minus what was allocated before the call); on the CPU
the rows carry ``None`` there and the analytic size of the score tensor instead. Nothing here
is a benchmark of record: the numbers depend on the machine and on what else runs on it.

This module imports torch; ``import rope_viz`` loads it only when one of its names is used.
"""

from __future__ import annotations

import contextlib
import functools
import statistics
import time
from collections.abc import Callable, Iterable
from typing import Any

import torch

from rope_viz._validation import check_bool, check_int, check_int_tuple, fail
from rope_viz.rope import FORMS, PAIRINGS, apply_rope
from rope_viz.rope_attention import (
    attention_score_bytes,
    naive_attention,
    pick_device,
    rope_rotate_half_reference,
    rope_rotate_half_tables,
    sdpa_attention,
    torch_generator,
)

__all__ = ["cpu_threads", "median_time", "peak_memory", "attention_timing", "rope_kernel_timing", "format_table"]

MIB = 2**20


def _check_dtype(dtype: Any) -> torch.dtype:
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        fail("dtype", "a floating torch.dtype such as torch.float32", dtype, kind=TypeError)
    return dtype


@contextlib.contextmanager
def cpu_threads(threads: int | None):
    """Run the block with ``torch.set_num_threads(threads)``, restoring the old count after.

    ``None`` leaves the count alone. One thread gives steadier CPU timings on a shared machine,
    where a parallel kernel waits for a thread that another process holds.
    """
    if threads is None:
        yield
        return
    threads = check_int(threads, "threads", minimum=1)
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def median_time(fn: Callable[[], Any], *, repeats: int = 11, device: Any = "cpu", warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds.

    Parameters
    ----------
    fn : callable
        Called with no arguments.
    repeats : int
        Number of timed calls (>= 1).
    device : None, str or torch.device
        The device ``fn`` runs on; on CUDA it is synchronised before and after every call.
    warmup : int
        Untimed calls first (>= 0): they fill caches and the allocator.

    Returns
    -------
    float
        Seconds.

    Raises
    ------
    TypeError, ValueError
        For a non-callable ``fn``, bad counts or an unknown device.
    """
    if not callable(fn):
        fail("fn", "a callable taking no arguments", fn, kind=TypeError)
    repeats = check_int(repeats, "repeats", minimum=1)
    warmup = check_int(warmup, "warmup", minimum=0)
    device = pick_device(device)
    for _ in range(warmup):
        fn()
    return statistics.median(_time_once(fn, device) for _ in range(repeats))


def _time_once(fn: Callable[[], Any], device: torch.device) -> float:
    """Seconds of one call, with the device synchronised before and after."""
    _sync(device)
    start = time.perf_counter()
    fn()
    _sync(device)
    return time.perf_counter() - start


def _interleaved(calls: list, repeats: int, device: torch.device) -> list:
    """Time ``calls`` in rounds (each call once per round): one list of seconds per call.

    Interleaving makes a slow moment of a shared machine hit every call of a round alike, so
    ratios taken within a round are steadier than ratios of separately measured medians.
    """
    samples = [[] for _ in calls]
    for _ in range(repeats):
        for times, call in zip(samples, calls):
            times.append(_time_once(call, device))
    return samples


def _median_ratio(times: list, reference: list) -> float:
    """Median over rounds of ``times[i] / reference[i]``."""
    return statistics.median(t / r for t, r in zip(times, reference))


def peak_memory(fn: Callable[[], Any], *, device: Any = "cpu") -> int | None:
    """Extra bytes a call of ``fn()`` allocates at its peak, on CUDA; None on the CPU.

    Measured as ``torch.cuda.max_memory_allocated`` during the call minus
    ``torch.cuda.memory_allocated`` before it: the call's temporaries and its result, not the
    inputs that already existed. PyTorch has no such counter for CPU tensors, so on the CPU
    this returns None and callers state the memory analytically.

    Parameters
    ----------
    fn : callable
        Called once with no arguments.
    device : None, str or torch.device
        Where ``fn`` allocates.

    Returns
    -------
    int or None
    """
    if not callable(fn):
        fail("fn", "a callable taking no arguments", fn, kind=TypeError)
    device = pick_device(device)
    if device.type != "cuda":
        return None
    _sync(device)
    torch.cuda.reset_peak_memory_stats(device)
    before = torch.cuda.memory_allocated(device)
    result = fn()
    _sync(device)
    peak = torch.cuda.max_memory_allocated(device) - before
    del result
    return int(peak)


def _random(shape: tuple, generator: torch.Generator, dtype: torch.dtype, device: torch.device):
    """Standard-normal numbers drawn on the CPU (the same on every device), then moved."""
    return torch.randn(shape, generator=generator, dtype=torch.float32).to(device=device, dtype=dtype)


def attention_timing(
    lengths: Iterable[int],
    *,
    batch: int = 1,
    num_heads: int = 4,
    head_size: int = 64,
    causal: bool = True,
    dtype: torch.dtype = torch.float32,
    device: Any = None,
    repeats: int = 5,
    rng: Any = 0,
    threads: int | None = None,
) -> list:
    """Time naive attention and SDPA on random q, k, v for each sequence length.

    q, k and v are ``(batch, num_heads, T, head_size)`` standard-normal tensors (RoPE makes no
    difference to the cost, so none is applied). For each ``T`` in ``lengths`` the row holds:

    ``length``
        T.
    ``naive_ms``, ``sdpa_ms``
        Median times of :func:`rope_viz.naive_attention` and :func:`rope_viz.sdpa_attention`.
    ``speedup``
        How many times longer the naive path took: the median over rounds of the ratio of the
        two times (the paths alternate, one call each per round).
    ``scores_mib``
        Analytic size of one ``(batch, num_heads, T, T)`` score tensor; the naive path holds
        two of them (scores and softmax) at its peak.
    ``naive_peak_mib``, ``sdpa_peak_mib``
        Measured extra CUDA memory at the peak of one call (None on the CPU).
    ``max_abs_diff``
        Largest absolute difference between the two outputs.

    On CUDA a path that runs out of memory gets None for its time and memory, and the table
    goes on with the next length.

    Parameters
    ----------
    lengths : iterable of int
        Sequence lengths T (each >= 1).
    batch, num_heads, head_size : int
        Sizes of q, k, v.
    causal : bool
        Causal masking in both paths.
    dtype : torch.dtype
        Floating dtype of q, k, v.
    device : None, str or torch.device
        See :func:`rope_viz.pick_device`; None means CUDA when available.
    repeats : int
        Timed calls per measurement.
    rng : int, numpy.random.Generator or torch.Generator
        Source of the random inputs (see :func:`rope_viz.torch_generator`).
    threads : int, optional
        CPU threads for torch during the measurement (see :func:`cpu_threads`); the current
        setting when None.

    Returns
    -------
    list of dict
        One row per length, in the order given.
    """
    lengths = check_int_tuple(lengths, "lengths", minimum=1)
    batch = check_int(batch, "batch", minimum=1)
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    head_size = check_int(head_size, "head_size", minimum=1)
    causal = check_bool(causal, "causal")
    dtype = _check_dtype(dtype)
    device = pick_device(device)
    repeats = check_int(repeats, "repeats", minimum=1)
    generator = torch_generator(rng)
    itemsize = torch.empty((), dtype=dtype).element_size()
    rows = []
    with cpu_threads(threads):
        for length in lengths:
            rows.append(_attention_row(length, batch, num_heads, head_size, causal, dtype, device,
                                       repeats, generator, itemsize))
    return rows


def _attention_row(length, batch, num_heads, head_size, causal, dtype, device, repeats, generator,
                   itemsize) -> dict:
    """One row of :func:`attention_timing` (arguments already validated)."""
    shape = (batch, num_heads, length, head_size)  # (B, nh, T, hs)
    qkv = [_random(shape, generator, dtype, device) for _ in range(3)]  # q, k, v
    row = {"length": length}
    calls, outputs = {}, {}
    with torch.inference_mode():
        for name, attend in (("naive", naive_attention), ("sdpa", sdpa_attention)):
            call = functools.partial(attend, *qkv, causal=causal)
            try:
                outputs[name] = call()  # also the warm-up
                peak = peak_memory(call, device=device)
                calls[name] = call
            except torch.cuda.OutOfMemoryError:
                outputs[name], peak = None, None
                torch.cuda.empty_cache()
            row[f"{name}_peak_mib"] = None if peak is None else peak / MIB
        samples = dict(zip(calls, _interleaved(list(calls.values()), repeats, device)))
    for name in ("naive", "sdpa"):
        row[f"{name}_ms"] = statistics.median(samples[name]) * 1e3 if name in samples else None
    both = "naive" in samples and "sdpa" in samples
    row["speedup"] = _median_ratio(samples["naive"], samples["sdpa"]) if both else None
    row["scores_mib"] = attention_score_bytes(batch, num_heads, length, itemsize=itemsize) / MIB
    if outputs["naive"] is not None and outputs["sdpa"] is not None:
        row["max_abs_diff"] = float((outputs["naive"] - outputs["sdpa"]).abs().max())
    else:
        row["max_abs_diff"] = None
    return row


def rope_kernel_timing(
    shape: Iterable[int] = (1, 16, 4096, 64),
    *,
    dtype: torch.dtype = torch.float32,
    device: Any = None,
    repeats: int = 11,
    base: float = 10000.0,
    matrix_max_mib: float = 64.0,
    rng: Any = 0,
    threads: int | None = None,
) -> list:
    """Time every way of applying RoPE to one tensor, and a copy of the same bytes.

    Rows, in order: ``x.clone()`` (the speed limit: RoPE must read x once and write it once);
    the textbook :func:`rope_viz.rope_rotate_half_reference` with its cos/sin tables ready, as
    a model holds them; then :func:`rope_viz.apply_rope` in each form and pairing. An
    ``apply_rope`` call also forms its angles in float64 on the host and looks up its cached
    cos/sin tables; that is part of its time. The ``"matrix"`` form builds a ``(dim, dim)``
    matrix per position in float64 and is skipped when those matrices would exceed
    ``matrix_max_mib``.

    The calls are timed in rounds, each call once per round, so that a busy moment of the
    machine slows all of them alike. Each row holds ``what`` (a label), ``ms`` (median time),
    ``x_copy`` (the median over rounds of the call's time divided by the copy's time in the
    same round) and ``gb_per_s`` (the bytes a perfect kernel moves, reading x
    and writing the result, divided by the time).

    Parameters
    ----------
    shape : iterable of int
        Shape of x, ``(..., n, dim)`` with an even ``dim``.
    dtype : torch.dtype
        Floating dtype of x.
    device : None, str or torch.device
        See :func:`rope_viz.pick_device`.
    repeats : int
        Timed calls per row.
    base : float
        RoPE base.
    matrix_max_mib : float
        Largest float64 matrix stack for which the ``"matrix"`` form is timed.
    rng : int, numpy.random.Generator or torch.Generator
        Source of x (see :func:`rope_viz.torch_generator`).
    threads : int, optional
        CPU threads for torch during the measurement (see :func:`cpu_threads`).

    Returns
    -------
    list of dict
    """
    shape = check_int_tuple(shape, "shape", minimum=1)
    if len(shape) < 2 or shape[-1] % 2:
        fail("shape", "a shape (..., n, dim) with an even dim", shape)
    dtype = _check_dtype(dtype)
    device = pick_device(device)
    repeats = check_int(repeats, "repeats", minimum=1)
    generator = torch_generator(rng)
    if isinstance(matrix_max_mib, bool) or not isinstance(matrix_max_mib, (int, float)):
        fail("matrix_max_mib", "a number of MiB", matrix_max_mib, kind=TypeError)
    n, dim = shape[-2], shape[-1]
    x = _random(shape, generator, dtype, device)  # (..., n, dim)
    positions = torch.arange(n)
    cos, sin = rope_rotate_half_tables(n, dim, base, dtype=dtype, device=device)  # (n, dim) each
    calls = [
        ("copy: x.clone()", x.clone),
        ("rotate_half reference", lambda: rope_rotate_half_reference(x, cos, sin)),
    ]
    for form in FORMS:
        if form == "matrix" and n * dim * dim * 8 / MIB > matrix_max_mib:
            continue
        for pairing in PAIRINGS:
            calls.append((
                f"apply_rope {form}, {pairing}",
                lambda f=form, p=pairing: apply_rope(x, positions, base, p, form=f),
            ))
    moved = 2 * x.numel() * x.element_size()  # read x once, write the result once
    with torch.inference_mode(), cpu_threads(threads):
        for _, call in calls:
            call()  # warm-up: fills rope_viz's table cache and the allocator
        samples = _interleaved([call for _, call in calls], repeats, device)
    rows = []
    for (label, _), times in zip(calls, samples):
        seconds = statistics.median(times)
        rows.append({"what": label, "ms": seconds * 1e3, "x_copy": _median_ratio(times, samples[0]),
                     "gb_per_s": moved / seconds / 1e9})
    return rows


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 0.01 or value == 0:
        return f"{value:.2f}"
    return f"{value:.1e}"


def format_table(rows: list, columns: Any = None) -> str:
    """Rows (dicts) as a plain-text table with a header, numbers right-aligned.

    Parameters
    ----------
    rows : list of dict
        For example the output of :func:`attention_timing`.
    columns : dict or sequence of str, optional
        Keys to show, in order; a dict maps each key to its header. All keys of the first row
        when None. A missing value or None shows as ``-``.

    Returns
    -------
    str

    Examples
    --------
    >>> print(format_table([{"n": 1, "ms": 0.5}], {"n": "length", "ms": "time (ms)"}))
    length | time (ms)
    -------|----------
         1 |      0.50
    """
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        fail("rows", "a list of dicts", rows, kind=TypeError)
    if columns is None:
        columns = list(rows[0]) if rows else []
    if isinstance(columns, dict):
        keys, headers = list(columns), [str(h) for h in columns.values()]
    elif isinstance(columns, (list, tuple)) and all(isinstance(c, str) for c in columns):
        keys, headers = list(columns), list(columns)
    else:
        fail("columns", "a dict {key: header} or a sequence of keys", columns, kind=TypeError)
    body = [[_cell(row.get(key)) for key in keys] for row in rows]
    widths = [max([len(h)] + [len(line[i]) for line in body]) for i, h in enumerate(headers)]
    text_column = [bool(body) and all(isinstance(r.get(k), str) for r in rows) for k in keys]

    def line(cells):
        out = [c.ljust(w) if left else c.rjust(w) for c, w, left in zip(cells, widths, text_column)]
        return " | ".join(out).rstrip()

    rule = "-|-".join("-" * w for w in widths)
    return "\n".join([line(headers), rule] + [line(cells) for cells in body])

