"""The chapters as files: listed in the table of contents, stored without outputs, each opening
with the install cell made from _config.yml's repository URL, and free of helper definitions.

Run with ``pytest tests/test_book_notebooks.py`` (no build needed).
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import dev  # noqa: E402  (the repository's build script: the install-cell template lives there)

CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def code_cells(notebook: dict) -> list:
    return [c for c in notebook["cells"] if c["cell_type"] == "code"]


def test_there_are_chapters_and_the_toc_lists_exactly_them():
    assert CHAPTERS, "no chapters under book/"
    toc = (ROOT / "_toc.yml").read_text()
    listed = set(re.findall(r"file:\s*(\S+)", toc)) | set(re.findall(r"root:\s*(\S+)", toc))
    for path in CHAPTERS:
        assert f"book/{path.stem}" in listed, f"{path.name} is not in _toc.yml"
    for entry in listed:
        stem = ROOT / entry
        assert any(stem.with_suffix(s).exists() for s in (".ipynb", ".md")), f"_toc.yml names {entry}, which does not exist"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    for index, cell in enumerate(code_cells(load(path))):
        assert not cell.get("outputs"), f"{path.name}: cell {index} has stored outputs"
        assert cell.get("execution_count") is None, f"{path.name}: cell {index} has an execution count"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_first_cell_installs_rope_viz_from_the_configured_repository(path):
    first = load(path)["cells"][0]
    expected = dev.INSTALL_CELL.format(url=dev.repository_url())
    assert first["cell_type"] == "code"
    assert "".join(first["source"]) == expected, (
        f"{path.name}: the install cell differs from _config.yml's repository.url; "
        "run `python3 dev.py book` to rewrite it"
    )


def test_repository_url_is_read_from_config():
    url = dev.repository_url()
    assert url.startswith("https://") and url in (ROOT / "_config.yml").read_text()


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapters_run_on_a_python_kernel(path):
    assert load(path)["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapters_define_no_helpers(path):
    """Code belongs in rope_viz: a chapter cell calls it and defines no function or class."""
    for index, cell in enumerate(code_cells(load(path))[1:], start=1):
        source = "".join(cell["source"])
        source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
        tree = ast.parse(source)
        defined = [n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        assert not defined, f"{path.name}: code cell {index} defines {defined}; move it into rope_viz"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_widget_cells_show_nothing_in_static_pages(path):
    """A widget has no kernel in the static book: its cell's output is removed there, and the
    build does not execute it (``skip-execution``, honoured by nbclient): a widget's Output in a
    headless kernel can leave nbclient waiting for a message until the cell timeout (seen in a
    clean-clone CI run), and tests/test_widgets.py exercises every widget instead."""
    for index, cell in enumerate(code_cells(load(path))):
        if "_widget(" in "".join(cell["source"]):
            tags = cell.get("metadata", {}).get("tags", [])
            assert "remove-output" in tags, f"{path.name}: widget cell {index} needs the tag remove-output"
            assert "skip-execution" in tags, f"{path.name}: widget cell {index} needs the tag skip-execution"


# --- Figures: numbered, captioned, referred to; exercises in one style ----------------------

GALLERIES = {"gallery.ipynb", "gallery_rope.ipynb", "gallery_scale.ipynb"}


def figure_cells(notebook: dict) -> list:
    """Code cells that draw a figure in the static page (widget cells excluded)."""
    cells = []
    for cell in code_cells(notebook):
        source = "".join(cell["source"])
        tags = cell.get("metadata", {}).get("tags", [])
        if re.search(r"\bplot_\w+\(", source) and "remove-output" not in tags and "remove-cell" not in tags:
            cells.append(cell)
    return cells


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_figure_has_a_name_a_caption_and_a_reference(path):
    notebook = load(path)
    text = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    for cell in figure_cells(notebook):
        figure = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
        source = "".join(cell["source"])[:80]
        assert figure.get("name", "").startswith("fig-"), f"{path.name}: figure cell {source!r} has no name"
        assert len(figure.get("caption", "")) > 40, f"{path.name}: {figure['name']} has no real caption"
        assert "\n\n" not in figure["caption"], f"{path.name}: {figure['name']}'s caption is not one paragraph"
        assert f"{{numref}}`{figure['name']}`" in text, f"{path.name}: nothing refers to {figure['name']}"


def test_figure_names_are_unique_across_the_book():
    names = [c["metadata"]["mystnb"]["figure"]["name"] for p in CHAPTERS for c in figure_cells(load(p))
             if c.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("name")]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


@pytest.mark.parametrize("path", [p for p in CHAPTERS if p.name not in GALLERIES], ids=lambda p: p.name)
def test_every_chapter_has_at_least_two_figures(path):
    assert len(figure_cells(load(path))) >= 2, f"{path.name} has fewer than two figures"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_exercises_use_the_one_style(path):
    """``**1.**`` paragraphs, each solution in a dropdown admonition titled Solution."""
    text = "\n".join("".join(c["source"]) for c in load(path)["cells"] if c["cell_type"] == "markdown")
    if "## Exercises" not in text:
        return
    exercises = text.split("## Exercises", 1)[1]
    assert re.search(r"^\*\*1\.\*\* ", exercises, re.M), f"{path.name}: exercises are not **1.** paragraphs"
    assert "{dropdown}" not in exercises, f"{path.name}: a solution uses {{dropdown}}, not the admonition"
    solutions = exercises.count(":::{admonition} Solution")
    assert solutions and solutions == exercises.count(":class: dropdown"), f"{path.name}: solutions not hidden"
