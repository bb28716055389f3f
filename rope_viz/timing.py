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
- :func:`attention_memory_bytes`: exact bytes of the naive path's score tensors against a
  fused kernel's running statistics and the q, k, v, output every path holds.
- :func:`attention_results`, :func:`save_attention_results`, :func:`load_attention_results`,
  :func:`check_attention_results`: measurements with their provenance (device, versions,
  date, command, commit) as a JSON file; :func:`describe_results` and
  :func:`attention_results_report` turn one into the sentence and table a chapter shows.

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

__all__ = ["cpu_threads", "median_time", "peak_memory", "attention_timing", "rope_kernel_timing", "format_table",
           "attention_memory_bytes", "attention_results", "check_attention_results",
           "save_attention_results", "load_attention_results", "describe_results",
           "attention_results_report"]

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



# ---------------------------------------------------------------------------------------------
# memory of the two paths, exact arithmetic
# ---------------------------------------------------------------------------------------------

#: Bytes per element of the dtypes the tables and figures name.
ITEMSIZES = {"float64": 8, "float32": 4, "bfloat16": 2, "float16": 2}


def attention_memory_bytes(
    lengths: Iterable[int],
    *,
    batch: int = 1,
    num_heads: int = 32,
    head_size: int = 128,
    itemsize: int = 2,
) -> dict:
    """What each attention path holds in memory, in bytes, for each sequence length.

    Three exact counts for ``(batch, num_heads, T, head_size)`` inputs:

    ``"naive"``
        The scores S and their softmax P, two ``(batch, num_heads, T, T)`` tensors
        (:func:`rope_viz.attention_score_bytes` twice): quadratic in T.
    ``"fused"``
        The working memory a fused kernel (FlashAttention, SDPA) keeps beyond its inputs and
        output: a running maximum and a running sum per query and head, two float32 numbers,
        ``batch · num_heads · T · 2 · 4`` bytes: linear in T.
    ``"qkvo"``
        q, k, v and the output, ``4 · batch · num_heads · T · head_size · itemsize`` bytes,
        which both paths hold: the floor of any implementation.

    Parameters
    ----------
    lengths : iterable of int
        Sequence lengths T (each >= 1).
    batch, num_heads, head_size : int
        Positive sizes.
    itemsize : int
        Bytes per element of q, k, v and the scores (see ``ITEMSIZES``).

    Returns
    -------
    dict
        ``"length"`` (the lengths) and the three counts above, each a list of int.

    Raises
    ------
    TypeError, ValueError
        For a non-integer or non-positive size.

    Examples
    --------
    >>> attention_memory_bytes([8192])["naive"][0] / 2**30  # 32 heads, bfloat16: S and P
    8.0
    """
    lengths = check_int_tuple(lengths, "lengths", minimum=1)
    batch = check_int(batch, "batch", minimum=1)
    num_heads = check_int(num_heads, "num_heads", minimum=1)
    head_size = check_int(head_size, "head_size", minimum=1)
    itemsize = check_int(itemsize, "itemsize", minimum=1)
    rows = batch * num_heads
    return {
        "length": list(lengths),
        "naive": [2 * attention_score_bytes(batch, num_heads, t, itemsize=itemsize) for t in lengths],
        "fused": [rows * t * 2 * 4 for t in lengths],
        "qkvo": [4 * rows * t * head_size * itemsize for t in lengths],
    }


# ---------------------------------------------------------------------------------------------
# results files: measurements with their provenance
# ---------------------------------------------------------------------------------------------

#: Where the benchmark script writes GPU results, relative to the repository root.
GPU_RESULTS_PATH = "benchmarks/results/attention_gpu.json"
#: The command that writes them (run from the repository root on a CUDA machine).
GPU_RESULTS_COMMAND = f"python benchmarks/bench_attention.py --device cuda --out {GPU_RESULTS_PATH}"
#: Top-level fields of a results file, all required.
RESULT_FIELDS = ("device", "device_type", "torch_version", "cuda_version", "date", "command",
                 "commit", "settings", "rows")
#: Fields of ``settings``, all required.
SETTING_FIELDS = ("dtype", "batch", "num_heads", "head_size", "causal", "repeats", "threads")
#: Fields every row needs (as written by :func:`attention_timing`).
ROW_FIELDS = ("length", "naive_ms", "sdpa_ms", "speedup", "scores_mib")


def attention_results(rows: list, *, device: Any, settings: dict, command: str, commit: str,
                      date: str | None = None) -> dict:
    """Rows of :func:`attention_timing` with the provenance a reader needs to trust them.

    Parameters
    ----------
    rows : list of dict
        The measured rows.
    device : str or torch.device
        The device the rows were measured on; its name (``torch.cuda.get_device_name``, or the
        CPU's thread count) and type are recorded as they are.
    settings : dict
        The measurement's settings: every key of ``SETTING_FIELDS``.
    command : str
        The exact command line that produced the rows.
    commit : str
        The git commit of the code that measured (``"unknown"`` outside a checkout).
    date : str, optional
        ISO 8601 time of the measurement; now (UTC) when None.

    Returns
    -------
    dict
        Every key of ``RESULT_FIELDS``; checked by :func:`check_attention_results`.

    Raises
    ------
    TypeError, ValueError
        For bad rows, settings, command or commit.
    """
    import datetime

    device = pick_device(device)
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        name = torch.cuda.get_device_name(index)
    else:
        name = f"CPU ({torch.get_num_threads()} torch threads)"
    if date is None:
        date = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    results = {
        "device": name,
        "device_type": device.type,
        "torch_version": torch.__version__,
        "cuda_version": torch.version.cuda,
        "date": date,
        "command": command,
        "commit": commit,
        "settings": dict(settings) if isinstance(settings, dict) else settings,
        "rows": rows,
    }
    return check_attention_results(results)


def check_attention_results(results: Any, *, source: str = "results") -> dict:
    """``results`` itself when it is a complete results dict; a clear error otherwise.

    Parameters
    ----------
    results : dict
        As made by :func:`attention_results` (or read back from its JSON).
    source : str
        Named in error messages (a file path, say).

    Returns
    -------
    dict

    Raises
    ------
    TypeError
        When ``results``, its settings or a row is not a dict.
    ValueError
        Naming the first missing field, e.g. ``"results: missing field 'commit'"``, or a
        field of the wrong kind (an empty list of rows, a non-string command).
    """
    if not isinstance(results, dict):
        fail(source, "a dict of results", results, kind=TypeError)
    for field in RESULT_FIELDS:
        if field not in results:
            raise ValueError(f"{source}: missing field {field!r} (a results file needs "
                             f"{', '.join(RESULT_FIELDS)})")
    for field in ("device", "device_type", "torch_version", "date", "command", "commit"):
        if not isinstance(results[field], str) or not results[field]:
            raise ValueError(f"{source}: field {field!r} must be a non-empty string, "
                             f"got {results[field]!r}")
    settings = results["settings"]
    if not isinstance(settings, dict):
        fail(f"{source}: field 'settings'", "a dict", settings, kind=TypeError)
    for field in SETTING_FIELDS:
        if field not in settings:
            raise ValueError(f"{source}: missing field 'settings.{field}'")
    rows = results["rows"]
    if not isinstance(rows, list) or not rows:
        raise ValueError(f"{source}: field 'rows' must be a non-empty list, got {rows!r}")
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            fail(f"{source}: rows[{i}]", "a dict", row, kind=TypeError)
        for field in ROW_FIELDS:
            if field not in row:
                raise ValueError(f"{source}: missing field 'rows[{i}].{field}'")
    return results


def save_attention_results(results: dict, path: Any) -> None:
    """Check ``results`` (:func:`check_attention_results`) and write them to ``path`` as JSON.

    Parameters
    ----------
    results : dict
        As made by :func:`attention_results`.
    path : str or pathlib.Path
        The file to write; its folder is created when missing.

    Raises
    ------
    TypeError, ValueError
        When ``results`` is incomplete (nothing is written then).
    """
    import json
    from pathlib import Path

    check_attention_results(results)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


def load_attention_results(path: Any, *, device_type: str | None = None) -> dict:
    """Read a results file written by ``benchmarks/bench_attention.py --out`` and check it.

    Parameters
    ----------
    path : str or pathlib.Path
        The JSON file.
    device_type : str, optional
        When given (``"cuda"``), the file must record that device type.

    Returns
    -------
    dict
        The results (see :func:`attention_results`).

    Raises
    ------
    FileNotFoundError
        When there is no file.
    ValueError
        When the file is not JSON, misses a field (named in the message) or records another
        device type.
    """
    import json
    from pathlib import Path

    path = Path(path)
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not a JSON results file ({error})") from None
    if not isinstance(results, dict):
        raise ValueError(f"{path}: expected a JSON object of results, got {type(results).__name__}")
    check_attention_results(results, source=str(path))
    if device_type is not None and results["device_type"] != device_type:
        raise ValueError(f"{path}: field 'device_type' is {results['device_type']!r}, expected "
                         f"{device_type!r}")
    return results


#: Columns of the attention tables: key -> header.
ATTENTION_COLUMNS = {"length": "T", "naive_ms": "naive ms", "sdpa_ms": "SDPA ms",
                     "speedup": "naive/SDPA", "scores_mib": "scores MiB",
                     "naive_peak_mib": "naive peak MiB", "sdpa_peak_mib": "SDPA peak MiB",
                     "max_abs_diff": "max |diff|"}


def describe_results(results: dict) -> str:
    """One sentence of provenance: device, date, command, commit, versions and settings."""
    results = check_attention_results(results)
    s = results["settings"]
    cuda = f", CUDA {results['cuda_version']}" if results.get("cuda_version") else ""
    threads = f", {s['threads']} CPU thread(s)" if s.get("threads") else ""
    return (f"Measured on {results['device']} on {results['date'][:10]} with "
            f"`{results['command']}` (commit {results['commit'][:12]}, "
            f"torch {results['torch_version']}{cuda}; {s['dtype']}, batch {s['batch']}, "
            f"{s['num_heads']} heads of size {s['head_size']}, causal={s['causal']}, "
            f"median of {s['repeats']} runs{threads}).")


def attention_results_report(path: Any, *, device_type: str = "cuda") -> str:
    """The text a chapter shows for a results file: provenance and table, or how to make one.

    Parameters
    ----------
    path : str or pathlib.Path
        Where the results file is (or would be).
    device_type : str
        The device type the file must record.

    Returns
    -------
    str
        When the file exists: :func:`describe_results` and the table. When it does not: a
        sentence saying so and the command that writes it (``GPU_RESULTS_COMMAND``).

    Raises
    ------
    ValueError
        When the file exists but is incomplete (see :func:`load_attention_results`).
    """
    from pathlib import Path

    path = Path(path)
    if not path.exists():
        return (f"No GPU results file ({path.name}) in this copy of the book: no GPU "
                f"measurement has been recorded. To record one, run from the repository root "
                f"on a machine with CUDA:\n  {GPU_RESULTS_COMMAND}")
    results = load_attention_results(path, device_type=device_type)
    columns = {key: header for key, header in ATTENTION_COLUMNS.items()
               if any(row.get(key) is not None for row in results["rows"])}
    return describe_results(results) + "\n" + format_table(results["rows"], columns)
