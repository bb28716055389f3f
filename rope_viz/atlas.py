"""The model atlas: released models' RoPE settings, read from their ``config.json`` fields.

What this module holds
----------------------
- :func:`load_atlas`: the entries of ``rope_viz/data/model_atlas.json`` (each a display name,
  the Hugging Face id the fields came from, a family, a one-sentence note and the RoPE fields
  of the released ``config.json``), checked, as a fresh deep copy on every call.
- :func:`check_atlas`: the checks :func:`load_atlas` applies, for a list of entries you build.
- :func:`atlas_rows`: one row of numbers per entry (rotary dimension, base, context, scaling
  rule, Men et al.'s smallest base, attention factor, the wavelength of every pair with and
  without scaling), read by :func:`rope_viz.rope_settings_from_config` and
  :func:`rope_viz.config_report`. An entry the reader rejects gives a row whose ``error``
  says why, never a dropped row.
- :func:`atlas_table_html`: the rows as an HTML table whose column headers sort on a click in
  the static book (``book/_static/atlas_sort.js``), with no kernel.

The figures of the atlas are in :mod:`rope_viz.figures.atlas`.

References
----------
- Each entry's ``model_id``: the ``config.json`` of that Hugging Face repository.
- Men et al. 2024, Base of RoPE Bounds Context Length, arXiv:2405.14591 (the smallest base).
"""

from __future__ import annotations

import copy
import functools
import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

import numpy as np

from rope_viz._validation import check_bool, fail
from rope_viz.model_configs import config_report
from rope_viz.rope import rope_frequencies
from rope_viz.scaling import rope_settings_from_config

__all__ = ["ATLAS_FILE", "load_atlas", "check_atlas", "atlas_rows", "atlas_table_html",
           "TABLE_COLUMNS", "stored_base_bounds"]

#: Where the atlas lives inside the package.
ATLAS_FILE = "data/model_atlas.json"

#: The fields every atlas entry has, and their types.
_ENTRY_FIELDS = {"name": str, "model_id": str, "family": str, "note": str, "config": Mapping}


@functools.lru_cache(maxsize=1)
def _atlas_text() -> str:
    return resources.files("rope_viz").joinpath(ATLAS_FILE).read_text(encoding="utf-8")


def check_atlas(entries: Any) -> list:
    """Check a list of atlas entries and return it; raise naming the first bad field.

    Each entry is a dict with ``name`` (unique), ``model_id`` (a Hugging Face id,
    ``owner/name``), ``family``, ``note`` (strings) and ``config`` (a dict of
    ``config.json`` fields).

    Raises
    ------
    TypeError
        For entries that are not a list of dicts, or a field of the wrong type.
    ValueError
        For a missing field, an empty string, a repeated name or a model id without ``/``.

    Examples
    --------
    >>> check_atlas([{"name": "m", "model_id": "org/m", "family": "f", "note": "n",
    ...               "config": {"head_dim": 64}}])[0]["name"]
    'm'
    """
    if not isinstance(entries, Sequence) or isinstance(entries, (str, bytes)):
        fail("models", "a list of entries (dicts)", entries, kind=TypeError)
    if not entries:
        fail("models", "a non-empty list of entries", entries)
    seen = set()
    for index, entry in enumerate(entries):
        where = f"models[{index}]"
        if not isinstance(entry, Mapping):
            fail(where, "a dict with " + ", ".join(_ENTRY_FIELDS), entry, kind=TypeError)
        for field, kind in _ENTRY_FIELDS.items():
            if field not in entry:
                fail(where, f"a dict with {field!r}", f"keys {sorted(entry)}")
            if not isinstance(entry[field], kind):
                expected = "a dict of config.json fields" if kind is Mapping else "a string"
                fail(f"{where}[{field!r}]", expected, entry[field], kind=TypeError)
            if kind is str and not entry[field].strip():
                fail(f"{where}[{field!r}]", "a non-empty string", entry[field])
        if "/" not in entry["model_id"]:
            fail(f"{where}['model_id']", "a Hugging Face id 'owner/name'", entry["model_id"])
        if entry["name"] in seen:
            fail(f"{where}['name']", "a name no other entry has", entry["name"])
        seen.add(entry["name"])
    return list(entries)


def load_atlas() -> list:
    """The atlas entries shipped with rope_viz, checked; a fresh deep copy on every call.

    Returns
    -------
    list of dict
        One dict per model: ``name``, ``model_id``, ``family``, ``note``, ``config`` (see
        :func:`check_atlas`).

    Raises
    ------
    ValueError
        When the shipped file is not valid JSON of the documented shape.

    Examples
    --------
    >>> entries = load_atlas()
    >>> len(entries) >= 30, sorted(entries[0])[:2]
    (True, ['config', 'family'])
    """
    try:
        data = json.loads(_atlas_text())
    except json.JSONDecodeError as error:
        fail(f"rope_viz/{ATLAS_FILE}", "valid JSON", str(error))
    if not isinstance(data, Mapping) or "models" not in data:
        fail(f"rope_viz/{ATLAS_FILE}", "a JSON object with 'models'", data, kind=TypeError)
    return copy.deepcopy(check_atlas(data["models"]))


def _row(entry: Mapping) -> dict:
    """One atlas row; ``error`` holds the reader's message when the config cannot be read."""
    config = entry["config"]
    row = dict(model=entry["name"], model_id=entry["model_id"], family=entry["family"],
               note=entry["note"], model_type=str(config.get("model_type", "")), error=None)
    try:
        settings = rope_settings_from_config(config)
        report = config_report(config, entry["name"])
    except (TypeError, ValueError) as error:
        row["error"] = f"{type(error).__name__}: {error}"
        return row
    unscaled = 2 * np.pi / rope_frequencies(report.rotary_dim, report.base)  # (rotary_dim/2,)
    factor = settings.params.get("factor")
    row.update(
        head_dim=settings.head_dim,
        rotary_dim=report.rotary_dim,
        rotary_fraction=report.rotary_dim / settings.head_dim,
        base=report.base,
        context=report.context,
        original_context=report.original_context,
        rope_type=report.rope_type,
        factor=None if factor is None else float(factor),
        # Men et al.'s smallest base, certified: exact where stored (min_base_low == high),
        # else a bracket; never a search here (a 10M context would take hours).
        min_base_low=report.min_base_bounds[0],
        min_base_high=report.min_base_bounds[1],
        min_base=report.min_base_bounds[0] if report.min_base_exact else None,
        base_meets_bound=report.base_meets_bound if report.base_meets_bound_decided else None,
        attention_factor=report.attention_factor,
        never_turn=len(report.never_turn),
        wavelengths=report.wavelengths,  # (rotary_dim/2,) as used at the full context
        unscaled_wavelengths=unscaled,  # (rotary_dim/2,) 2π·base^(2i/d)
        stretch=report.wavelengths / unscaled,  # (rotary_dim/2,) >= 1 where scaling slows a pair
    )
    return row


def atlas_rows(entries: Any = None, *, strict: bool = False) -> list:
    """One row of numbers per atlas entry, as the model's own config gives them.

    Every number comes from :func:`rope_viz.rope_settings_from_config` and
    :func:`rope_viz.config_report`: frequencies at the full context ``max_position_embeddings``
    after ``rope_scaling``, and Men et al.'s smallest base for that context and the rotary
    dimension (:func:`rope_viz.min_base_for_context`).

    Parameters
    ----------
    entries : list of dict, optional
        Atlas entries (default: :func:`load_atlas`); each is checked by :func:`check_atlas`.
    strict : bool
        Raise on the first config the reader rejects instead of reporting it in the row.

    Returns
    -------
    list of dict
        In the order of ``entries``. Always: ``model``, ``model_id``, ``family``, ``note``,
        ``model_type`` and ``error`` (``None``, or why the config could not be read). When it
        could: ``head_dim``, ``rotary_dim``, ``rotary_fraction``, ``base``, ``context``,
        ``original_context`` (``None`` unless scaled from a shorter one), ``rope_type``,
        ``factor`` (``None`` without one), ``min_base_low`` and ``min_base_high`` (the
        certified bracket of Men et al.'s smallest base, from
        :attr:`rope_viz.ConfigReport.min_base_bounds`), ``min_base`` (the exact value when the
        bracket is one number, else ``None``), ``base_meets_bound`` (``None`` when the bracket
        cannot tell without the long search, which this function never runs),
        ``attention_factor``, ``never_turn`` (pairs whose wavelength exceeds the context), and
        the arrays ``wavelengths``, ``unscaled_wavelengths`` and ``stretch`` (their ratio),
        each of shape ``(rotary_dim/2,)``.

    Raises
    ------
    ValueError, TypeError
        For entries :func:`check_atlas` rejects, or (with ``strict``) a config the reader
        rejects.

    Examples
    --------
    >>> entry = {"name": "Llama 2 7B", "model_id": "meta-llama/Llama-2-7b-hf", "family": "Llama",
    ...          "note": "base 10k", "config": {"hidden_size": 4096, "num_attention_heads": 32,
    ...          "rope_theta": 10000.0, "max_position_embeddings": 4096}}
    >>> row = atlas_rows([entry])[0]
    >>> row["rotary_dim"], row["base_meets_bound"], row["error"]
    (128, False, None)
    """
    entries = load_atlas() if entries is None else check_atlas(entries)
    strict = check_bool(strict, "strict")
    rows = []
    for entry in entries:
        row = _row(entry)
        if strict and row["error"]:
            fail(f"the config of {entry['name']!r} ({entry['model_id']})", "readable",
                 entry["config"].get("model_type"), row["error"])
        rows.append(row)
    return rows


#: The table's columns: (row key, header, kind) with kind "text" or "num" (how the header sorts).
TABLE_COLUMNS = (
    ("model", "model", "text"),
    ("family", "family", "text"),
    ("rope_type", "rule", "text"),
    ("base", "base", "num"),
    ("min_base", "smallest base (Men et al.)", "num"),
    ("rotary_dim", "rotary dim", "num"),
    ("rotary_fraction", "rotary fraction", "num"),
    ("context", "context", "num"),
    ("factor", "factor", "num"),
    ("attention_factor", "attention factor", "num"),
    ("note", "what sets it apart", "text"),
)


def _cell(key: str, row: Mapping) -> tuple:
    """(sort key, shown text) for one table cell."""
    value = row.get(key)
    if key == "min_base" and value is None and row.get("min_base_low") is not None:
        low, high = row["min_base_low"], row["min_base_high"]  # a certified bracket
        return repr(float(low)), f"{low:.3g} – {high:.3g}"
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "", "–"
    if key == "model":
        return value, (f'{html.escape(value)}<br><code>{html.escape(row["model_id"])}</code>')
    if key == "base":
        verdict = row.get("base_meets_bound")
        mark = "" if verdict else (" ?" if verdict is None else " ✗")
        return repr(float(value)), f"{value:,.0f}{mark}"
    if key in ("min_base", "context"):
        return repr(float(value)), f"{value:,.0f}"
    if key in ("rotary_fraction", "attention_factor"):
        return repr(float(value)), f"{value:.4g}"
    if key == "factor":
        return repr(float(value)), f"{value:g}"
    if isinstance(value, (int, np.integer)):
        return str(int(value)), str(int(value))
    return str(value), html.escape(str(value))


def atlas_table_html(rows: Any = None, *, table_id: str = "model-atlas-table") -> str:
    """The atlas rows as an HTML table, one model per row, sortable by a click on a header.

    Sorting is done in the browser by ``book/_static/atlas_sort.js`` (registered in
    ``_config.yml``), on the ``data-sort`` value of each cell, so it needs no kernel. A model
    whose config could not be read shows the error across the row. A base below Men et al.'s
    smallest base for the model's context is marked ✗, and ? where the certified bracket of
    that base cannot tell; the smallest base shows as a range "low – high" where only the
    bracket is stored.

    Parameters
    ----------
    rows : list of dict, optional
        Rows from :func:`atlas_rows` (default: ``atlas_rows()``).
    table_id : str
        The table's HTML id.

    Returns
    -------
    str
        ``<table class="rope-atlas sortable" ...>``; show it with ``IPython.display.HTML``.

    Raises
    ------
    TypeError
        For rows that are not a list of dicts, or a ``table_id`` that is not a string.

    Examples
    --------
    >>> entry = {"name": "m", "model_id": "org/m", "family": "f", "note": "n",
    ...          "config": {"head_dim": 64, "max_position_embeddings": 2048}}
    >>> atlas_table_html(atlas_rows([entry])).count("<tr")
    2
    """
    rows = atlas_rows() if rows is None else rows
    if not isinstance(rows, Sequence) or not all(isinstance(r, Mapping) for r in rows):
        fail("rows", "a list of dicts from atlas_rows", rows, kind=TypeError)
    if not isinstance(table_id, str):
        fail("table_id", "a string", table_id, kind=TypeError)
    if not re.fullmatch(r"[A-Za-z][\w-]*", table_id):
        fail("table_id", "an HTML id (a letter, then letters, digits, - or _)", table_id)
    head = "".join(
        f'<th data-kind="{kind}" scope="col" title="sort by {label}">{html.escape(label)}</th>'
        for _, label, kind in TABLE_COLUMNS
    )
    body = []
    for row in rows:
        if row.get("error"):
            first = _cell("model", row)[1]
            cells = (f'<td data-sort="{html.escape(row["model"])}">{first}</td>'
                     f'<td data-sort="{html.escape(row["family"])}">{html.escape(row["family"])}</td>'
                     f'<td colspan="{len(TABLE_COLUMNS) - 2}">not read: {html.escape(row["error"])}</td>')
        else:
            parts = []
            for key, _, _ in TABLE_COLUMNS:
                sort, shown = _cell(key, row)
                parts.append(f'<td data-sort="{html.escape(sort)}">{shown}</td>')
            cells = "".join(parts)
        body.append(f"<tr>{cells}</tr>")
    return (f'<div class="rope-atlas-wrap"><table id="{table_id}" class="rope-atlas sortable">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def stored_base_bounds(dim: int = 128) -> dict:
    """Men et al.'s smallest base b*(L) and the robust threshold b_r(L) stored for ``dim``.

    Reads :data:`rope_viz.MIN_BASE_TABLE` and :data:`rope_viz.ROBUST_BASE_TABLE` (certified
    walks, see :func:`rope_viz.min_base_for_context`): the curve a model's base is measured
    against when its context is L.

    Parameters
    ----------
    dim : int
        Rotary dimension (positive, even) with stored entries.

    Returns
    -------
    dict
        ``lengths`` (k,) ints in increasing order, ``min_base`` (k,) b*(L), ``robust_base``
        (k,) b_r(L), NaN where not stored.

    Raises
    ------
    ValueError, TypeError
        For a bad ``dim``, or one with no stored entry.

    Examples
    --------
    >>> bounds = stored_base_bounds(128)
    >>> int(bounds["lengths"][2]), round(float(bounds["min_base"][2]))
    (4096, 26952)
    """
    from rope_viz._validation import check_dim
    from rope_viz.decay import MIN_BASE_TABLE, ROBUST_BASE_TABLE

    dim = check_dim(dim)
    lengths = sorted(length for length, d in MIN_BASE_TABLE if d == dim)
    if not lengths:
        stored = sorted({d for _, d in MIN_BASE_TABLE})
        fail("dim", f"one of the stored dims {stored}", dim)
    return {
        "lengths": np.array(lengths),
        "min_base": np.array([MIN_BASE_TABLE[(n, dim)] for n in lengths]),
        "robust_base": np.array([ROBUST_BASE_TABLE.get((n, dim), np.nan) for n in lengths]),
    }
