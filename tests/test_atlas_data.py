"""The model atlas data file is well formed: shipped with the package, unique names, real ids."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

REQUIRED = {"name", "model_id", "family", "note", "config"}


@pytest.fixture(scope="module")
def atlas():
    text = resources.files("rope_viz").joinpath("data/model_atlas.json").read_text(encoding="utf-8")
    return json.loads(text)


def test_top_level_has_a_source_and_models(atlas):
    assert set(atlas) == {"source", "models"}
    assert isinstance(atlas["source"], str) and atlas["source"].strip()
    assert len(atlas["models"]) >= 30


def test_every_entry_has_the_schema_fields(atlas):
    for entry in atlas["models"]:
        assert set(entry) == REQUIRED, entry.get("name")
        assert isinstance(entry["config"], dict) and entry["config"], entry["name"]
        for key in ("name", "family", "note"):
            assert isinstance(entry[key], str) and entry[key].strip(), (entry["name"], key)


def test_names_and_ids_are_unique(atlas):
    names = [m["name"] for m in atlas["models"]]
    ids = [m["model_id"] for m in atlas["models"]]
    assert len(set(names)) == len(names)
    assert len(set(ids)) == len(ids)


def test_ids_look_like_owner_slash_name(atlas):
    pattern = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
    for entry in atlas["models"]:
        assert pattern.match(entry["model_id"]), entry["model_id"]


def test_notes_are_one_sentence(atlas):
    for entry in atlas["models"]:
        note = entry["note"].strip()
        assert note.endswith("."), entry["name"]
        assert "\n" not in note, entry["name"]


def test_every_model_type_is_known_to_transformers(atlas):
    mapping = pytest.importorskip("transformers.models.auto.configuration_auto").CONFIG_MAPPING
    types = set()
    for entry in atlas["models"]:
        config = entry["config"]
        assert "model_type" in config, entry["name"]
        types.add(config["model_type"])
        assert config["model_type"] in mapping, (entry["name"], config["model_type"])
        text = config.get("text_config")
        if isinstance(text, dict) and "model_type" in text:
            assert text["model_type"] in mapping, (entry["name"], text["model_type"])
    assert len(types) >= 20, sorted(types)


def test_no_field_is_a_transformers5_rewrite(atlas):
    """Released 4.x-style files carry rope_theta / rope_scaling, never a 5.x rope_parameters block."""
    for entry in atlas["models"]:
        assert "rope_parameters" not in entry["config"], entry["name"]
