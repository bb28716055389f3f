"""Structure and numbers of the model atlas figure. Run: ``pytest tests/test_figures_atlas.py``.

Rows come from a few small configs (the package's examples, a partly rotary one, a YaRN one),
so these tests do not read the whole atlas; ``tests/test_atlas.py`` does.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import rope_viz
from rope_viz.atlas import atlas_rows
from rope_viz.figures import atlas
from rope_viz.figures._style import apply_changes
from rope_viz.figures.atlas import (
    ATLAS_PANELS,
    atlas_presets,
    model_atlas_changes,
    plot_model_atlas,
)


def _entry(name, family, config):
    return dict(name=name, model_id=f"org/{name.replace(' ', '-')}", family=family,
                note="one setting", config=config)


ENTRIES = [
    *(_entry(n, n.split()[0], c) for n, c in rope_viz.EXAMPLE_CONFIGS.items()),
    _entry("Quarter", "Toy", {"head_dim": 64, "partial_rotary_factor": 0.25,
                              "rope_theta": 10000.0, "max_position_embeddings": 2048}),
    _entry("Yarn", "Toy", {"head_dim": 64, "rope_theta": 10000.0, "max_position_embeddings": 8192,
                           "rope_scaling": {"rope_type": "yarn", "factor": 4.0,
                                            "original_max_position_embeddings": 2048}}),
    _entry("Broken", "Toy", {"rope_theta": 10000.0}),
]
ROWS = atlas_rows(ENTRIES)
READ = [r for r in ROWS if not r["error"]]
GUIDES = 5


def test_doctests():
    result = doctest.testmod(atlas, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_traces_one_group_per_model_and_unreadable_rows_left_out():
    fig = plot_model_atlas(ROWS)
    assert len(fig.data) == GUIDES + 4 * len(READ)
    for index, row in enumerate(READ):
        group = fig.data[GUIDES + 4 * index: GUIDES + 4 * index + 4]
        assert {t.legendgroup for t in group} == {row["model"]}
        assert [bool(t.showlegend) for t in group] == [True, False, False, False]
        assert len({t.line.color if t.mode == "lines" else t.marker.color for t in group}) == 1
    assert "Broken" not in {t.name for t in fig.data}


def test_panels_hold_the_rows_numbers():
    fig = plot_model_atlas(ROWS)
    for index, row in enumerate(READ):
        spectrum, base, rotary, stretch = fig.data[GUIDES + 4 * index: GUIDES + 4 * index + 4]
        pairs = row["rotary_dim"] // 2
        np.testing.assert_allclose(spectrum.x, np.arange(pairs) / pairs, atol=1e-4)
        np.testing.assert_allclose(spectrum.y, row["wavelengths"] / row["context"], rtol=1e-3,
                                   atol=1e-5)
        assert (base.x[0], base.y[0]) == (row["min_base_low"], row["base"])
        assert base.error_x.array[0] == row["min_base_high"] - row["min_base_low"]
        assert base.marker.symbol.endswith("-open") == (row["base_meets_bound"] is not True)
        assert (rotary.x[0], rotary.y[0]) == (row["head_dim"], row["rotary_dim"])
        np.testing.assert_allclose(stretch.y, row["stretch"], rtol=1e-3)
    quarter = READ[[r["model"] for r in READ].index("Quarter")]
    assert (quarter["rotary_dim"], quarter["head_dim"]) == (16, 64)
    yarn = READ[[r["model"] for r in READ].index("Yarn")]
    assert max(yarn["stretch"]) == pytest.approx(4.0) and min(yarn["stretch"]) == pytest.approx(1.0)


def test_axes_titles_and_legend_fit_a_narrow_page():
    fig = plot_model_atlas(ROWS)
    titles = [a.text for a in fig.layout.annotations]
    assert titles == list(ATLAS_PANELS)
    assert all(len(t) <= 42 for t in titles) and len(fig.layout.title.text) <= 30
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y < 0
    assert fig.layout.yaxis.type == "log" and fig.layout.xaxis2.type == "log"
    assert fig.layout.yaxis2.type == "log" and fig.layout.yaxis4.type == "log"
    assert fig.layout.paper_bgcolor is None  # the template (light or dark page) supplies it
    assert len(fig.to_json()) < 60_000


def test_dropdown_presets_are_the_changes_of_each_group():
    presets = atlas_presets(ROWS)
    assert list(presets)[0] == "one per family" and list(presets)[-1] == "all"
    assert presets["Toy"] == ["Quarter", "Yarn"]
    assert presets["partly rotary"] == ["Quarter"]
    assert presets["scaled context"] == ["Llama 3.1 8B", "Yarn"]
    fig = plot_model_atlas(ROWS)
    menu = fig.layout.updatemenus[0]
    assert menu.type == "dropdown" and len(menu.buttons) == len(presets)
    for button, (label, members) in zip(menu.buttons, presets.items()):
        traces, _ = model_atlas_changes(ROWS, show=members)
        assert button.label == f"compare: {label}"
        assert list(button.args[1]) == list(traces)
        assert list(button.args[0]["visible"]) == [c["visible"] for c in traces.values()]
    assert menu.active == 0


def test_show_sets_the_first_view_and_controls_false_builds_no_menu():
    fig = plot_model_atlas(ROWS, show=["Yarn"], controls=False)
    assert not fig.layout.updatemenus
    visible = {t.name: t.visible for t in fig.data[GUIDES:] if t.showlegend}
    assert visible["Yarn"] is True
    assert {v for k, v in visible.items() if k != "Yarn"} == {"legendonly"}
    assert all(t.visible is not False and t.visible != "legendonly" for t in fig.data[:GUIDES])
    drawn = plot_model_atlas(ROWS, controls=False)
    atlas_changes = model_atlas_changes(ROWS, show=["Yarn"])
    apply_changes(drawn, *atlas_changes)
    assert [t.visible for t in drawn.data] == [t.visible for t in fig.data]


@pytest.mark.parametrize("call, exc, word", [
    (lambda: plot_model_atlas("rows"), TypeError, "rows"),
    (lambda: plot_model_atlas([ROWS[-1]]), ValueError, "rows"),
    (lambda: plot_model_atlas(ROWS, show=["Nobody"]), ValueError, "show"),
    (lambda: plot_model_atlas(ROWS, show="Yarn"), TypeError, "show"),
    (lambda: plot_model_atlas(ROWS, presets={}), TypeError, "presets"),
    (lambda: plot_model_atlas(ROWS, presets={"x": ["Nobody"]}), ValueError, "show"),
    (lambda: plot_model_atlas(ROWS, controls="no"), TypeError, "controls"),
    (lambda: model_atlas_changes(ROWS, show=None), TypeError, "show"),
])
def test_bad_arguments_are_named(call, exc, word):
    with pytest.raises(exc, match=word):
        call()
