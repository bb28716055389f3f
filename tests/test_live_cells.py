"""Every chapter with a figure offers a live widget, and every widget is offered by a chapter.

A live cell calls ``rope_viz.<name>_widget(...)``. It carries the tags ``remove-output`` (the
static page shows the code, not an empty box) and ``skip-execution`` (the book build has no
front end to draw it; ``tests/test_live_kernel.py`` runs it in JupyterLab), and the markdown
cell right before it says what to try in a live kernel. Reads the notebooks only. Run with
``pytest tests/test_live_cells.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import rope_viz.widgets

BOOK = Path(__file__).resolve().parents[1] / "book"
TOC = (BOOK.parent / "_toc.yml").read_text()
#: The chapters: every notebook the table of contents lists outside the Reference part.
CHAPTERS = [name for name in re.findall(r"file: book/(\w+)", TOC.split("caption: Reference")[0])
            if (BOOK / f"{name}.ipynb").exists()]
WIDGET_CALL = re.compile(r"rope_viz\.(\w+_widget)\(")
FIGURE_CALL = re.compile(r"\bplot_\w+\(")


def cells(chapter: str) -> list[dict]:
    return json.loads((BOOK / f"{chapter}.ipynb").read_text())["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def live_cells(chapter: str) -> list[tuple[int, dict]]:
    return [(i, c) for i, c in enumerate(cells(chapter))
            if c["cell_type"] == "code" and WIDGET_CALL.search(source(c))]


def test_the_chapters_are_found():
    assert len(CHAPTERS) >= 15 and "rope_derived" in CHAPTERS and "gallery" not in CHAPTERS


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_chapter_with_a_figure_has_a_live_cell(chapter):
    has_figure = any(c["cell_type"] == "code" and FIGURE_CALL.search(source(c))
                     for c in cells(chapter))
    if has_figure:
        assert live_cells(chapter), f"{chapter} draws a figure but offers no live widget"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_live_cells_are_tagged_and_introduced(chapter):
    notebook = cells(chapter)
    for index, cell in live_cells(chapter):
        tags = set(cell.get("metadata", {}).get("tags", []))
        assert {"remove-output", "skip-execution"} <= tags, f"{chapter} cell {index}: {tags}"
        before = notebook[index - 1]
        assert before["cell_type"] == "markdown", f"{chapter} cell {index}: no sentence before it"
        assert "live kernel" in source(before), (
            f"{chapter} cell {index}: the sentence before a live cell says what to try in a "
            "live kernel")


def test_every_widget_is_offered_by_a_chapter():
    offered = {name for chapter in CHAPTERS for _, cell in live_cells(chapter)
               for name in WIDGET_CALL.findall(source(cell))}
    missing = set(rope_viz.widgets.__all__) - offered
    assert not missing, f"widgets no chapter offers: {sorted(missing)}"
    unknown = offered - set(rope_viz.widgets.__all__)
    assert not unknown, f"chapters call widgets that do not exist: {sorted(unknown)}"
