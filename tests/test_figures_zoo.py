"""Structure of the relative-zoo figure; every added term constant along diagonals for one
repeated token, and not for the content-dependent schemes when the tokens differ.

Run with ``pytest tests/test_figures_zoo.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from rope_viz import alibi_slopes
from rope_viz.figures import plot_relative_zoo
from rope_viz.figures.zoo import ZOO_SCHEMES, relative_zoo_matrices


def _diagonals_constant(matrix: np.ndarray, atol: float) -> bool:
    n = matrix.shape[0]
    return all(np.ptp(np.diagonal(matrix, offset)) <= atol for offset in range(-n + 1, n))


def test_structure_and_buttons():
    fig = plot_relative_zoo(12, dim=8)
    assert [t.type for t in fig.data] == ["heatmap", "heatmap"]
    menu = fig.layout.updatemenus[0]
    assert [b.label for b in menu.buttons] == list(ZOO_SCHEMES)
    assert fig.layout.yaxis.title.text == "query position m"
    assert fig.layout.xaxis.title.text == "key position n"
    assert fig.layout.annotations[0].text.startswith("Shaw")
    assert menu.buttons[4].args[1]["annotations[0].text"].startswith("ALiBi")
    assert len(fig.to_json()) < 300_000


def test_every_button_shows_a_toeplitz_term_for_one_token():
    fig = plot_relative_zoo(12, dim=8, rng=2)
    for button in fig.layout.updatemenus[0].buttons:
        index, bias = (np.array(z) for z in button.args[0]["z"])
        assert index.shape == bias.shape == (12, 12)
        assert _diagonals_constant(index, atol=0), button.label
        assert _diagonals_constant(bias, atol=2e-3), button.label
        low, high = button.args[0]["zmin"][1], button.args[0]["zmax"][1]
        assert low == -high and high >= np.abs(bias).max() - 1e-3


def test_first_button_matches_the_initial_traces():
    fig = plot_relative_zoo(10, dim=4)
    first = fig.layout.updatemenus[0].buttons[0].args[0]["z"]
    assert np.array_equal(np.array(first[0]), np.array(fig.data[0].z))
    assert np.array_equal(np.array(first[1]), np.array(fig.data[1].z))


def test_content_schemes_vary_along_diagonals_when_tokens_differ():
    mats = relative_zoo_matrices(12, dim=8, same_token=False, rng=1)
    for scheme in ("Shaw", "Transformer-XL", "DeBERTa"):
        assert not _diagonals_constant(mats[scheme][1], atol=1e-3), scheme
    for scheme in ("T5", "ALiBi"):  # content-free: still Toeplitz
        assert _diagonals_constant(mats[scheme][1], atol=1e-12), scheme


def test_index_ranges_and_alibi_head():
    mats = relative_zoo_matrices(16, max_distance=3, num_heads=4, alibi_head=2)
    assert (mats["Shaw"][0].min(), mats["Shaw"][0].max()) == (-3, 3)
    assert (mats["DeBERTa"][0].min(), mats["DeBERTa"][0].max()) == (-3, 2)
    assert mats["Transformer-XL"][0][5, 2] == 3  # m − n
    np.testing.assert_allclose(mats["ALiBi"][1][0, 5], -5 * alibi_slopes(4)[1])


@pytest.mark.parametrize(
    "kwargs, exc, word",
    [(dict(n=1), ValueError, "n"), (dict(dim=5), ValueError, "dim"),
     (dict(max_distance=0), ValueError, "max_distance"),
     (dict(num_heads=4, alibi_head=5), ValueError, "alibi_head"),
     (dict(same_token=1), TypeError, "same_token"), (dict(rng="seed"), TypeError, "rng")],
)
def test_bad_arguments(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        plot_relative_zoo(**kwargs)


def test_zoo_has_a_phone_layout_with_a_drop_down_menu():
    from rope_viz.figures import plot_relative_zoo

    fig = plot_relative_zoo(8, dim=4)
    narrow = fig.layout.meta["narrow"]["layout"]
    assert fig.layout.updatemenus[1].type == "dropdown" and fig.layout.updatemenus[1].visible is False
    assert narrow["updatemenus[0].visible"] is False and narrow["updatemenus[1].visible"] is True
    assert [b.label for b in fig.layout.updatemenus[1].buttons] == list(ZOO_SCHEMES)
    assert narrow["yaxis2.domain"][1] < narrow["yaxis.domain"][0]
    assert len(fig.layout.title.text) <= 45
    for menu in fig.layout.updatemenus:
        for button in menu.buttons:
            texts = button.args[1].values()
            assert all(len(text) <= 45 and "_" not in text for text in texts)
