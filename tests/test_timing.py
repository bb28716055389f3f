"""Tests for rope_viz.timing: the rows behind chapter 10's tables (shapes, not speeds).

Run with ``pytest tests/test_timing.py``. No test here compares a time with a threshold:
times depend on the machine. The tests check that the rows are complete and consistent.
"""

from __future__ import annotations

import math

import pytest
import torch

from rope_viz.rope_attention import attention_score_bytes
from rope_viz.timing import (
    attention_timing,
    cpu_threads,
    format_table,
    median_time,
    peak_memory,
    rope_kernel_timing,
)

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def test_median_time_calls_warmup_plus_repeats():
    calls = []
    seconds = median_time(lambda: calls.append(1), repeats=4, warmup=2)
    assert len(calls) == 6
    assert isinstance(seconds, float) and 0 <= seconds < 60


def test_cpu_threads_sets_and_restores():
    before = torch.get_num_threads()
    with cpu_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError), cpu_threads(1):
        raise RuntimeError
    assert torch.get_num_threads() == before
    with cpu_threads(None):
        assert torch.get_num_threads() == before


def test_ratios_are_taken_within_rounds():
    from rope_viz.timing import _median_ratio

    assert _median_ratio([2.0, 40.0, 6.0], [1.0, 20.0, 3.0]) == 2.0


def test_peak_memory_is_none_on_cpu():
    assert peak_memory(lambda: torch.zeros(10), device="cpu") is None


@pytest.mark.parametrize("causal", [False, True])
def test_attention_rows(causal):
    rows = attention_timing([8, 16], batch=2, num_heads=3, head_size=4, causal=causal,
                            device="cpu", repeats=1, threads=1)
    assert [r["length"] for r in rows] == [8, 16]
    for row in rows:
        assert set(row) == {"length", "naive_ms", "sdpa_ms", "speedup", "scores_mib",
                            "naive_peak_mib", "sdpa_peak_mib", "max_abs_diff"}
        assert row["naive_ms"] > 0 and row["sdpa_ms"] > 0
        assert row["speedup"] > 0
        assert row["scores_mib"] == attention_score_bytes(2, 3, row["length"]) / 2**20
        assert row["naive_peak_mib"] is None and row["sdpa_peak_mib"] is None
        assert 0 <= row["max_abs_diff"] < 1e-5


def test_attention_rows_in_float64_agree_closely():
    (row,) = attention_timing([12], dtype=torch.float64, head_size=8, device="cpu", repeats=1)
    assert row["max_abs_diff"] < 1e-12
    assert row["scores_mib"] == attention_score_bytes(1, 4, 12, itemsize=8) / 2**20


def test_rope_kernel_rows():
    rows = rope_kernel_timing((2, 8, 6), device="cpu", repeats=1)
    labels = [r["what"] for r in rows]
    assert labels[:2] == ["copy: x.clone()", "rotate_half reference"]
    assert len(labels) == 2 + 3 * 2 and len(set(labels)) == len(labels)
    assert "apply_rope matrix, half" in labels
    assert rows[0]["x_copy"] == 1.0
    for row in rows:
        assert set(row) == {"what", "ms", "x_copy", "gb_per_s"}
        assert row["ms"] > 0 and row["x_copy"] > 0
        assert math.isclose(row["gb_per_s"], 2 * 2 * 8 * 6 * 4 / (row["ms"] / 1e3) / 1e9)


def test_rope_kernel_rows_skip_the_matrix_form_when_too_big():
    labels = [r["what"] for r in rope_kernel_timing((4, 6), device="cpu", repeats=1, matrix_max_mib=0)]
    assert not any("matrix" in label for label in labels) and len(labels) == 6


@needs_cuda
def test_cuda_rows_measure_memory():
    (row,) = attention_timing([256], device="cuda", repeats=1)
    assert row["naive_peak_mib"] >= 2 * row["scores_mib"] * 0.99
    assert row["sdpa_peak_mib"] is not None and row["sdpa_peak_mib"] < row["naive_peak_mib"]
    rows = rope_kernel_timing((1, 2, 64, 16), device="cuda", repeats=2)
    assert all(r["ms"] > 0 for r in rows)


def test_format_table():
    text = format_table(
        [{"what": "copy", "ms": 1234.6, "n": 2048, "x": None}, {"what": "rope", "ms": 0.001, "n": 3, "x": 1.5}],
        {"what": "what", "ms": "time (ms)", "n": "n", "x": "ratio"},
    )
    lines = text.splitlines()
    assert lines[0].split(" | ") == ["what", "time (ms)", "    n", "ratio"]
    assert set(lines[1]) <= {"-", "|"}
    assert lines[2] == "copy |     1,235 | 2,048 |     -"
    assert lines[3] == "rope |   1.0e-03 |     3 |  1.50"
    assert len({len(line) for line in lines[:3]}) == 1
    assert format_table([{"a": 1}]) == "a\n-\n1"


@pytest.mark.parametrize(
    ("call", "kind", "needle"),
    [
        (lambda: median_time(3), TypeError, "fn"),
        (lambda: median_time(lambda: None, repeats=0), ValueError, "repeats"),
        (lambda: median_time(lambda: None, warmup=-1), ValueError, "warmup"),
        (lambda: peak_memory(None), TypeError, "fn"),
        (lambda: attention_timing([0]), ValueError, "lengths"),
        (lambda: attention_timing(8), TypeError, "lengths"),
        (lambda: attention_timing([8], dtype=torch.int32), TypeError, "dtype"),
        (lambda: attention_timing([8], causal="yes"), TypeError, "causal"),
        (lambda: attention_timing([8], device="tpu"), ValueError, "prefer"),
        (lambda: rope_kernel_timing((4, 5)), ValueError, "shape"),
        (lambda: rope_kernel_timing((4,)), ValueError, "shape"),
        (lambda: rope_kernel_timing((4, 6), matrix_max_mib="big"), TypeError, "matrix_max_mib"),
        (lambda: format_table("rows"), TypeError, "rows"),
        (lambda: attention_timing([8], threads=0), ValueError, "threads"),
        (lambda: format_table([{"a": 1}], columns=3), TypeError, "columns"),
        (lambda: attention_timing([8], rng=None, device="cpu"), TypeError, "rng"),
        (lambda: rope_kernel_timing((4, 6), rng="zero", device="cpu"), TypeError, "rng"),
        (lambda: attention_timing([8], seed=0), TypeError, "seed"),
    ],
)
def test_bad_inputs(call, kind, needle):
    with pytest.raises(kind, match=needle):
        call()
