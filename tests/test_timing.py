"""Tests for rope_viz.timing: the rows behind chapter 10's tables (shapes, not speeds).

Run with ``pytest tests/test_timing.py``. No test here compares a time with a threshold:
times depend on the machine. The tests check that the rows are complete and consistent.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest
import torch

from rope_viz.rope_attention import attention_score_bytes
from rope_viz.timing import (
    GPU_RESULTS_COMMAND,
    RESULT_FIELDS,
    attention_memory_bytes,
    attention_results,
    attention_results_report,
    attention_timing,
    check_attention_results,
    cpu_threads,
    describe_results,
    format_table,
    load_attention_results,
    median_time,
    peak_memory,
    rope_kernel_timing,
    save_attention_results,
)

ROOT = Path(__file__).resolve().parent.parent

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


# --- memory counts -------------------------------------------------------------------------


def test_attention_memory_bytes_are_exact():
    memory = attention_memory_bytes([256, 8192], batch=2, num_heads=32, head_size=128, itemsize=2)
    assert memory["length"] == [256, 8192]
    assert memory["naive"] == [2 * attention_score_bytes(2, 32, t, itemsize=2) for t in (256, 8192)]
    assert memory["naive"][1] == 16 * 2**30
    assert memory["fused"] == [2 * 32 * t * 8 for t in (256, 8192)]
    assert memory["qkvo"] == [4 * 2 * 32 * t * 128 * 2 for t in (256, 8192)]
    assert memory["naive"][0] == memory["qkvo"][0]  # equal at T = 2 * head_size


@pytest.mark.parametrize("kwargs, needle", [(dict(lengths=[0]), "lengths"), (dict(itemsize=0), "itemsize"),
                                            (dict(head_size=-1), "head_size")])
def test_attention_memory_bytes_bad_inputs(kwargs, needle):
    kwargs = {"lengths": [8], **kwargs}
    with pytest.raises(ValueError, match=needle):
        attention_memory_bytes(kwargs.pop("lengths"), **kwargs)


# --- results files -------------------------------------------------------------------------

SETTINGS = dict(dtype="float16", batch=1, num_heads=16, head_size=64, causal=True, repeats=10,
                threads=None)


def fake_gpu_results() -> dict:
    """A complete results dict as a GPU run would record it (made up for the tests only)."""
    return {
        "device": "Test GPU 1", "device_type": "cuda", "torch_version": "2.13.0",
        "cuda_version": "12.8", "date": "2026-01-02T03:04:05+00:00",
        "command": GPU_RESULTS_COMMAND, "commit": "0123456789abcdef0123", "settings": dict(SETTINGS),
        "rows": [{"length": 1024, "naive_ms": 2.0, "sdpa_ms": 0.5, "speedup": 4.0, "scores_mib": 32.0,
                  "naive_peak_mib": 64.5, "sdpa_peak_mib": 2.0, "max_abs_diff": 1e-3}],
    }


def test_report_without_a_file_says_so_and_gives_the_command(tmp_path):
    text = attention_results_report(tmp_path / "attention_gpu.json")
    assert text.startswith("No GPU results file (attention_gpu.json)")
    assert GPU_RESULTS_COMMAND in text and "--out" in text


def test_report_with_a_file_shows_provenance_and_table(tmp_path):
    path = tmp_path / "attention_gpu.json"
    save_attention_results(fake_gpu_results(), path)
    text = attention_results_report(path)
    first, *table = text.splitlines()
    assert first.startswith("Measured on Test GPU 1 on 2026-01-02 with `python benchmarks/bench_attention.py")
    assert "commit 0123456789ab" in first and "CUDA 12.8" in first and "float16" in first
    assert [cell.strip() for cell in table[0].split(" | ")[:3]] == ["T", "naive ms", "SDPA ms"]
    assert "naive peak MiB" in table[0] and "1,024" in table[2]


@pytest.mark.parametrize("field", RESULT_FIELDS)
def test_loader_names_a_missing_field(tmp_path, field):
    results = fake_gpu_results()
    del results[field]
    path = tmp_path / "attention_gpu.json"
    path.write_text(json.dumps(results))
    with pytest.raises(ValueError, match=f"missing field '{field}'"):
        load_attention_results(path)
    with pytest.raises(ValueError, match=field):
        attention_results_report(path)


@pytest.mark.parametrize(("where", "field"), [("settings", "dtype"), ("row", "sdpa_ms")])
def test_loader_names_missing_nested_fields(tmp_path, where, field):
    results = fake_gpu_results()
    del (results["settings"] if where == "settings" else results["rows"][0])[field]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(results))
    with pytest.raises(ValueError, match=field):
        load_attention_results(path)


def test_loader_refuses_broken_and_cpu_files(tmp_path):
    path = tmp_path / "r.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not a JSON"):
        load_attention_results(path)
    path.write_text("[1, 2]")
    with pytest.raises(ValueError, match="JSON object"):
        load_attention_results(path)
    results = fake_gpu_results() | {"device_type": "cpu"}
    path.write_text(json.dumps(results))
    assert load_attention_results(path)["device_type"] == "cpu"
    with pytest.raises(ValueError, match="device_type"):
        load_attention_results(path, device_type="cuda")
    with pytest.raises(ValueError, match="device_type"):
        attention_results_report(path)
    with pytest.raises(ValueError, match="rows"):
        check_attention_results(fake_gpu_results() | {"rows": []})
    with pytest.raises(ValueError, match="commit"):
        check_attention_results(fake_gpu_results() | {"commit": ""})
    with pytest.raises(TypeError, match="results"):
        check_attention_results([])


def test_attention_results_record_the_device_as_it_is():
    rows = attention_timing([8], num_heads=1, head_size=4, device="cpu", repeats=1)
    results = attention_results(rows, device="cpu", settings=SETTINGS, command="python x.py",
                                commit="abc", date="2026-01-01T00:00:00+00:00")
    assert results["device_type"] == "cpu" and results["device"].startswith("CPU (")
    assert results["torch_version"] == torch.__version__
    assert describe_results(results).startswith("Measured on CPU (")
    with pytest.raises(ValueError, match="settings.threads"):
        attention_results(rows, device="cpu", settings={k: v for k, v in SETTINGS.items() if k != "threads"},
                          command="python x.py", commit="abc")


# --- the benchmark script ------------------------------------------------------------------


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_attention", ROOT / "benchmarks" / "bench_attention.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_script_writes_a_results_file(tmp_path, capsys):
    bench = _bench_module()
    out = tmp_path / "results" / "attention_cpu.json"
    argv = ["--device", "cpu", "--lengths", "8", "16", "--repeats", "1", "--heads", "2",
            "--head-size", "8", "--threads", "1", "--out", str(out)]
    assert bench.main(argv) == 0
    printed = capsys.readouterr().out
    assert "naive ms" in printed and f"wrote {out}" in printed
    results = load_attention_results(out)
    assert set(RESULT_FIELDS) <= set(results)
    assert results["device_type"] == "cpu" and results["device"].startswith("CPU")
    assert results["torch_version"] == torch.__version__ and results["cuda_version"] == torch.version.cuda
    assert results["command"] == "python benchmarks/bench_attention.py " + " ".join(argv)
    assert results["commit"] == bench.git_commit() and results["commit"]
    assert results["date"][:2] == "20" and "T" in results["date"]
    assert results["settings"] == dict(dtype="float32", batch=1, num_heads=2, head_size=8, causal=True,
                                       repeats=1, threads=1)
    assert [row["length"] for row in results["rows"]] == [8, 16]
    assert all(row["naive_ms"] > 0 and row["sdpa_ms"] > 0 for row in results["rows"])


def test_bench_script_refuses_to_write_cpu_numbers_as_gpu_results(tmp_path, capsys):
    bench = _bench_module()
    out = tmp_path / "attention_gpu.json"
    with pytest.raises(SystemExit):
        bench.main(["--device", "cpu", "--lengths", "8", "--repeats", "1", "--out", str(out)])
    assert "refusing" in capsys.readouterr().err
    assert not out.exists()
