"""The model atlas's math layer: the data file's entries, the rows of numbers, the HTML table.

Run with ``pytest tests/test_atlas.py``. Rows are checked against ``config_report`` (the one
reader of configs) and against hand-computed numbers for Llama 2 (no scaling) and Llama 3.1
(the llama3 rule: factor 8 on pairs whose wavelength is over 8192/1 positions, 1 under 8192/4).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import rope_viz
from rope_viz.atlas import TABLE_COLUMNS, atlas_rows, atlas_table_html, check_atlas, load_atlas


def _entry(name, config, **extra):
    entry = dict(name=name, model_id=f"org/{name.replace(' ', '-')}", family=name.split()[0],
                 note="one setting", config=config)
    entry.update(extra)
    return entry


EXAMPLES = [_entry(name, config) for name, config in rope_viz.EXAMPLE_CONFIGS.items()]
UNREADABLE = _entry("No Heads", {"rope_theta": 10000.0, "max_position_embeddings": 2048})


def test_load_atlas_is_checked_and_a_fresh_copy_each_call():
    first = load_atlas()
    assert len(first) >= 30
    assert len({e["config"].get("model_type") for e in first}) >= 20
    assert all("/" in e["model_id"] for e in first)
    first[0]["config"]["rope_theta"] = -1.0
    first.pop()
    second = load_atlas()
    assert second[0]["config"].get("rope_theta") != -1.0
    assert len(second) == len(first) + 1


@pytest.mark.parametrize("entries, exc, words", [
    ("models", TypeError, "models"),
    ([], ValueError, "non-empty"),
    ([42], TypeError, r"models\[0\]"),
    ([{k: v for k, v in EXAMPLES[0].items() if k != "note"}], ValueError, "'note'"),
    ([dict(EXAMPLES[0], config=[1, 2])], TypeError, r"models\[0\]\['config'\]"),
    ([dict(EXAMPLES[0], family=" ")], ValueError, "non-empty string"),
    ([dict(EXAMPLES[0], model_id="llama")], ValueError, "owner/name"),
    ([EXAMPLES[0], EXAMPLES[0]], ValueError, r"models\[1\]\['name'\]"),
])
def test_check_atlas_names_the_bad_entry_and_field(entries, exc, words):
    with pytest.raises(exc, match=words):
        check_atlas(entries)


def test_rows_are_the_config_reports_numbers():
    rows = atlas_rows(EXAMPLES)
    assert [r["model"] for r in rows] == list(rope_viz.EXAMPLE_CONFIGS)
    for row, entry in zip(rows, EXAMPLES):
        report = rope_viz.config_report(entry["config"], entry["name"])
        assert row["error"] is None
        assert row["model_id"] == entry["model_id"] and row["note"] == entry["note"]
        assert (row["rotary_dim"], row["base"], row["context"]) == (
            report.rotary_dim, report.base, report.context)
        assert (row["min_base_low"], row["min_base_high"]) == report.min_base_bounds
        if report.min_base_exact:
            assert row["min_base"] == report.min_base
            assert row["base_meets_bound"] == (report.base >= report.min_base)
        np.testing.assert_array_equal(row["wavelengths"], report.wavelengths)
        assert row["never_turn"] == len(report.never_turn)


def test_llama_2_and_llama_3_1_by_hand():
    llama2, llama31, _ = atlas_rows(EXAMPLES)
    # Llama 2: hidden 4096 / 32 heads, every dimension rotated, no scaling: stretch 1
    assert (llama2["head_dim"], llama2["rotary_dim"], llama2["rotary_fraction"]) == (128, 128, 1.0)
    assert llama2["rope_type"] == "default" and llama2["factor"] is None
    np.testing.assert_allclose(llama2["unscaled_wavelengths"],
                               2 * np.pi * 10000.0 ** (np.arange(0, 128, 2) / 128))
    np.testing.assert_allclose(llama2["stretch"], 1.0)
    assert llama2["min_base"] == rope_viz.min_base_for_context(4096, 128)
    assert not llama2["base_meets_bound"]  # 10,000 < Men et al.'s ~2.7e4 for 4,096 tokens
    # Llama 3.1: wavelengths over 8192 stretched 8x, under 8192/4 = 2048 kept
    unscaled = llama31["unscaled_wavelengths"]
    assert llama31["rope_type"] == "llama3" and llama31["factor"] == 8.0
    assert llama31["original_context"] == 8192
    np.testing.assert_allclose(llama31["stretch"][unscaled > 8192], 8.0)
    np.testing.assert_allclose(llama31["stretch"][unscaled < 2048], 1.0)
    middle = (unscaled >= 2048) & (unscaled <= 8192)
    assert np.all((llama31["stretch"][middle] >= 1) & (llama31["stretch"][middle] <= 8))


def test_a_config_the_reader_rejects_stays_in_the_rows_with_its_reason():
    rows = atlas_rows([EXAMPLES[0], UNREADABLE])
    assert [r["model"] for r in rows] == ["Llama 2 7B", "No Heads"]
    assert rows[0]["error"] is None
    assert "head_dim" in rows[1]["error"] and "rotary_dim" not in rows[1]
    with pytest.raises(ValueError, match="No Heads.*org/No-Heads.*head_dim"):
        atlas_rows([EXAMPLES[0], UNREADABLE], strict=True)
    with pytest.raises(TypeError, match="strict"):
        atlas_rows(EXAMPLES, strict="yes")


def test_every_model_in_the_atlas_is_read():
    rows = atlas_rows()
    unread = [f"{r['model']} ({r['model_id']}): {r['error']}" for r in rows if r["error"]]
    assert not unread, "atlas configs the reader rejects:\n" + "\n".join(unread)
    for row in rows:
        assert 0 < row["rotary_fraction"] <= 1 and row["rotary_dim"] % 2 == 0
        assert row["context"] >= 512 and row["base"] > 1


def test_the_table_has_a_row_per_model_and_sortable_headers():
    rows = atlas_rows([*EXAMPLES, UNREADABLE])
    table = atlas_table_html(rows)
    assert table.count("<tr>") == len(rows) + 1
    headers = re.findall(r'<th data-kind="(num|text)"', table)
    assert headers == [kind for _, _, kind in TABLE_COLUMNS]
    assert 'class="rope-atlas sortable"' in table and 'id="model-atlas-table"' in table
    for row in rows:
        assert row["model_id"] in table
    # numbers sort by their value, not their printed text; the bound's failure is marked
    assert 'data-sort="500000.0">500,000 ✗<' in table
    assert 'data-sort="1000000.0">1,000,000<' in table
    assert f'colspan="{len(TABLE_COLUMNS) - 2}">not read: ValueError' in table


def test_the_table_escapes_html_and_checks_its_arguments():
    rows = atlas_rows([_entry("A <b> model", rope_viz.EXAMPLE_CONFIGS["Llama 2 7B"])])
    assert "A &lt;b&gt; model" in atlas_table_html(rows)
    with pytest.raises(TypeError, match="rows"):
        atlas_table_html("rows")
    with pytest.raises(TypeError, match="table_id"):
        atlas_table_html(rows, table_id=3)
    with pytest.raises(ValueError, match="table_id"):
        atlas_table_html(rows, table_id='x" onclick="y')


def test_the_sort_script_is_registered_and_reads_the_tables_attributes():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    script = (root / "book" / "_static" / "atlas_sort.js").read_text()
    assert "atlas_sort.js" in (root / "_config.yml").read_text()
    for needle in ("table.sortable", "data-sort", "dataset.sort", "dataset.kind", "aria-sort"):
        assert needle.split("-")[-1] in script


def test_the_modules_examples_run():
    import doctest

    import rope_viz.atlas

    result = doctest.testmod(rope_viz.atlas, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


def test_every_atlas_verdict_is_certified_without_a_search():
    """Men et al.'s bound for each released model: exact where stored, else a certified bracket
    (Llama 4 Scout's 10M context) that still decides the verdict; no row runs the long walk."""
    rows = atlas_rows()
    assert all(r["error"] is None for r in rows)
    assert all(r["base_meets_bound"] is not None for r in rows)
    scout = next(r for r in rows if r["model"] == "Llama 4 Scout")
    assert scout["min_base"] is None and scout["base"] < scout["min_base_low"] < scout["min_base_high"]
    exact = [r for r in rows if r["min_base"] is not None]
    assert len(exact) == len(rows) - 1
    for r in exact:
        assert r["min_base_low"] == r["min_base_high"] == r["min_base"]
