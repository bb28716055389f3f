"""Widgets of the chapters on word order, learned tables, linear attention and GPU memory.

Each widget is built with its defaults; every control is moved to two values, and after each
move the kept figure must differ from before and equal, as JSON, what the ``plot_*`` function
draws from scratch with ``controls=False`` for the values of all controls. Run with
``pytest tests/test_widgets_chapters_a.py``; no kernel or browser is needed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from test_widgets import _as_json, _assert_same  # noqa: E402

from rope_viz import figures as F  # noqa: E402
from rope_viz import widgets as W  # noqa: E402

SENTENCE = ("the", "dog", "chased", "another", "dog")


def _shuffle_plot(shuffle, seed, num_heads):
    order = W._shuffle_order(len(SENTENCE), shuffle)
    return F.plot_attention_shuffle(SENTENCE, [order], dim=16, num_heads=num_heads, rng=seed,
                                    controls=False)


def _hierarchical_plot(alpha):
    return F.plot_hierarchical_distances(8, dim=64, alphas=(alpha,), alpha=alpha, controls=False)


def _cost_plot(dim):
    return F.plot_linear_attention_cost(dim, dims=(dim,), controls=False)


def _memory_plot(dtype, num_heads, batch, capacity_gb):
    return F.plot_attention_memory(dtype=dtype, num_heads=num_heads, batch=batch,
                                   capacity_gb=capacity_gb, controls=False)


# (widget, plot from the controls' values, two values for every control)
CASES = [
    (W.attention_shuffle_widget, _shuffle_plot,
     dict(shuffle=(0, 37), seed=(5, 99), num_heads=(4, 1))),
    (W.hierarchical_distances_widget, _hierarchical_plot, dict(alpha=(0.1, 0.85))),
    (W.linear_attention_cost_widget, _cost_plot, dict(dim=(8, 300))),
    (W.attention_memory_widget, _memory_plot,
     dict(dtype=("float32", "bfloat16"), num_heads=(8, 128), batch=(16, 1),
          capacity_gb=(24.0, 141.0))),
]


@pytest.mark.parametrize("factory, plot, moves", CASES, ids=[c[0].__name__ for c in CASES])
def test_every_control_redraws_what_the_plot_draws_from_scratch(factory, plot, moves):
    box = factory()
    assert list(box.controls) == list(moves)  # the test moves every control
    values = {name: control.value for name, control in box.controls.items()}
    _assert_same(_as_json(box.figure), _as_json(plot(**values)))
    for name, targets in moves.items():
        for target in targets:
            assert box.controls[name].value != target, (name, target)
            before = _as_json(box.figure)
            box.controls[name].value = target
            values[name] = box.controls[name].value
            assert values[name] == target
            after = _as_json(box.figure)
            assert after != before, f"moving {name} to {target} changed nothing"
            _assert_same(after, _as_json(plot(**values)))


def test_attention_shuffle_widget():
    box = W.attention_shuffle_widget(shuffle=500, seed=-3, num_heads=4)
    shuffle, seed, heads = box.controls.values()
    assert (shuffle.min, shuffle.max, seed.min, seed.max) == (0, 100, 0, 100)
    assert (shuffle.value, seed.value) == (100, 0)  # clamped
    assert list(heads.options) == [1, 2, 4, 8] and heads.value == 4
    shuffle.value = 0
    assert box.figure.layout.title.text == "Read as \u201cthe dog chased another dog\u201d"
    plain = np.array(box.figure.data[0].z)
    np.testing.assert_array_equal(plain[1], plain[4])  # without positions the dogs agree
    assert W._shuffle_order(5, 0) == (0, 1, 2, 3, 4)
    assert sorted(W._shuffle_order(5, 37)) == [0, 1, 2, 3, 4]
    assert W._shuffle_order(5, 37) == W._shuffle_order(5, 37)
    assert len({W._shuffle_order(5, k) for k in range(1, 101)}) > 30  # many orders to try
    assert list(W.attention_shuffle_widget("a b c", dim=6).controls["num_heads"].options) \
        == [1, 2]


def test_hierarchical_distances_widget():
    assert 0.5 not in W.ALPHAS and (W.ALPHAS[0], W.ALPHAS[-1]) == W.RANGES["alpha"]
    box = W.hierarchical_distances_widget(4, dim=16, alpha=0.52)
    alpha = box.controls["alpha"]
    assert alpha.value == 0.55  # the nearest value on the slider
    assert box.figure.layout.title.text == "4 rows extended to 16 positions, α = 0.55"
    alpha.value = 0.05
    z = np.array(box.figure.data[0].z)
    assert z.shape == (16, 16) and z[0, 4] < 0.1  # j and n + j nearly merge at small α


def test_linear_attention_cost_widget():
    box = W.linear_attention_cost_widget(1000)
    dim = box.controls["dim"]
    assert (dim.min, dim.max, dim.step, dim.value) == (2, 512, 2, 512)
    dim.value = 64
    assert box.figure.data[3].text == ("same cost at n = 65",)


def test_attention_memory_widget():
    box = W.attention_memory_widget(num_heads=1000, batch=0 + 1, capacity_gb=4.0)
    dtype, heads, batch, capacity = box.controls.values()
    assert list(dtype.options) == ["float32", "bfloat16"]
    assert (heads.value, heads.max, batch.max) == (128, 128, 64)
    assert capacity.value == 8.0  # clamped up
    heads.value, capacity.value = 32, 80.0
    crossing = math.sqrt(80e9 / (2 * 32 * 2))  # S and P in bfloat16 fill 80 GB
    assert box.figure.data[4].x[0] == pytest.approx(crossing, abs=0.1)
    assert box.figure.data[3].name == "80 GB GPU"


@pytest.mark.parametrize(
    "factory, kwargs, exc, word",
    [
        (W.attention_shuffle_widget, dict(tokens=42), TypeError, "tokens"),
        (W.attention_shuffle_widget, dict(tokens="alone"), ValueError, "tokens"),
        (W.attention_shuffle_widget, dict(num_heads=3), ValueError, "num_heads"),
        (W.attention_shuffle_widget, dict(seed=1.5), TypeError, "seed"),
        (W.attention_shuffle_widget, dict(shuffle="x"), TypeError, "shuffle"),
        (W.attention_shuffle_widget, dict(dim=7), ValueError, "dim"),
        (W.hierarchical_distances_widget, dict(n=40), ValueError, "n"),
        (W.hierarchical_distances_widget, dict(alpha=1.0), ValueError, "alpha"),
        (W.hierarchical_distances_widget, dict(alpha="0.4"), TypeError, "alpha"),
        (W.hierarchical_distances_widget, dict(base=1.0), ValueError, "base"),
        (W.linear_attention_cost_widget, dict(dim=5), ValueError, "dim"),
        (W.linear_attention_cost_widget, dict(max_length=8), ValueError, "max_length"),
        (W.attention_memory_widget, dict(dtype="float16"), ValueError, "dtype"),
        (W.attention_memory_widget, dict(num_heads=0), ValueError, "num_heads"),
        (W.attention_memory_widget, dict(capacity_gb=0.0), ValueError, "capacity_gb"),
        (W.attention_memory_widget, dict(batch="2"), TypeError, "batch"),
        (W.attention_memory_widget, dict(lengths=[512]), ValueError, "lengths"),
    ],
)
def test_bad_arguments_name_themselves(factory, kwargs, exc, word):
    with pytest.raises(exc, match=word):
        factory(**kwargs)
