"""Structure of chapter 10's figures: attention time and memory against the sequence length.

Run with ``pytest tests/test_figures_gpu.py``.
"""

from __future__ import annotations

import math

import pytest

from rope_viz.figures import attention_memory_changes, plot_attention_memory, plot_attention_timing
from rope_viz.figures._style import apply_changes
from rope_viz.timing import attention_memory_bytes

ROWS = [
    {"length": 128, "naive_ms": 1.0, "sdpa_ms": 0.5},
    {"length": 256, "naive_ms": 4.0, "sdpa_ms": 1.5},
    {"length": 512, "naive_ms": 16.0, "sdpa_ms": None},  # ran out of memory
]


def test_timing_traces_and_slope_two_guide():
    fig = plot_attention_timing(ROWS)
    assert [t.name for t in fig.data] == ["naive", "SDPA", "∝ T²"]
    assert list(fig.data[0].x) == [128, 256, 512] and list(fig.data[0].y) == [1.0, 4.0, 16.0]
    assert fig.data[1].y[2] is None  # a gap, not a zero
    guide = fig.data[2]
    assert list(guide.x) == [128, 512] and list(guide.y) == [1.0, 16.0]
    assert fig.layout.xaxis.type == fig.layout.yaxis.type == "log"
    assert len(fig.layout.title.text) <= 45


def test_timing_several_runs_get_labels_and_dashes():
    fig = plot_attention_timing({"CPU": ROWS, "GPU": list(reversed(ROWS[:2]))})
    assert [t.name for t in fig.data] == ["naive (CPU)", "SDPA (CPU)", "naive (GPU)", "SDPA (GPU)", "∝ T²"]
    assert fig.data[0].line.dash == "solid" and fig.data[2].line.dash == "dash"
    assert list(fig.data[2].x) == [128, 256]  # sorted by length


def test_memory_lines_are_the_exact_counts():
    fig = plot_attention_memory(lengths=(256, 1024, 4096), dtype="float32")
    exact = attention_memory_bytes((256, 1024, 4096), itemsize=4)
    assert list(fig.data[0].y) == exact["naive"]
    assert list(fig.data[1].y) == exact["qkvo"]
    assert list(fig.data[2].y) == exact["fused"]
    # S and P equal q, k, v, output at T = 2 * head_size = 256
    assert fig.data[0].y[0] == fig.data[1].y[0]
    # the marker sits where S and P fill 80 GB: 2 * 32 * T^2 * 4 = 80e9
    assert fig.data[4].x[0] == pytest.approx(math.sqrt(80e9 / 256), abs=0.1)
    assert "17,700" in fig.layout.annotations[0].text
    assert len(fig.layout.title.text) <= 45


def test_memory_buttons_change_what_they_name():
    fig = plot_attention_memory()
    (menu,) = fig.layout.updatemenus
    assert [b.label for b in menu.buttons] == ["float32", "bfloat16"] and menu.active == 1
    f32, bf16 = (b.args[0]["y"][0] for b in menu.buttons)
    assert [a / b for a, b in zip(f32, bf16)] == [2.0] * len(f32)
    assert "25,000" in fig.layout.annotations[0].text
    assert "17,700" in menu.buttons[0].args[1]["annotations[0].text"]


def test_memory_controls_false_plus_changes_equals_fresh_figure():
    moved = apply_changes(plot_attention_memory(controls=False), *attention_memory_changes("float32"))
    fresh = plot_attention_memory(dtype="float32", controls=False)
    assert moved.to_plotly_json() == fresh.to_plotly_json()
    assert not fresh.layout.updatemenus


def test_narrow_changes_exist_with_and_without_controls():
    for controls in (True, False):
        narrow = plot_attention_memory(controls=controls).layout.meta["narrow"]["layout"]
        assert narrow["height"] > 440 and "xaxis.dtick" in narrow


@pytest.mark.parametrize(
    ("call", "kind", "needle"),
    [
        (lambda: plot_attention_timing("rows"), TypeError, "rows"),
        (lambda: plot_attention_timing([]), TypeError, "rows"),
        (lambda: plot_attention_timing([{"naive_ms": 1.0}]), ValueError, "rows"),
        (lambda: plot_attention_timing([{"length": 8}]), ValueError, "rows"),
        (lambda: plot_attention_timing(ROWS, title=3), TypeError, "title"),
        (lambda: plot_attention_memory(dtype="float16"), ValueError, "dtype"),
        (lambda: plot_attention_memory(lengths=(256,)), ValueError, "lengths"),
        (lambda: plot_attention_memory(num_heads=0), ValueError, "num_heads"),
        (lambda: plot_attention_memory(capacity_gb=0), ValueError, "capacity_gb"),
        (lambda: plot_attention_memory(controls="yes"), TypeError, "controls"),
        (lambda: attention_memory_changes("int8"), ValueError, "dtype"),
    ],
)
def test_bad_inputs(call, kind, needle):
    with pytest.raises(kind, match=needle):
        call()


def test_time_axis_labels_only_one_two_five_steps():
    """On a range under a few decades plotly labels every minor step (2, 3, …, 9), and the
    labels collide on a phone; the figure picks 1, 2, 5 × 10ᵏ itself."""
    from rope_viz.figures.gpu import plot_attention_timing

    rows = [dict(length=n, naive_ms=3 + n / 1000, sdpa_ms=2.5 + n / 1200) for n in (128, 256, 512, 1024)]
    ticks = plot_attention_timing(rows).layout.yaxis.tickvals
    assert ticks and all(f"{v:g}"[0] in "125" for v in ticks)
    assert min(ticks) <= 2.5 + 128 / 1200 and max(ticks) >= 3 + 1024 / 1000
