"""The reference pages: one API page per module, every public name documented once, and a
bibliography whose entries are links with no raw TeX.

The source checks need no build. The checks of the built HTML read ``_build/html`` (or the
folder in ``ROPE_VIZ_HTML``) and are skipped when there is no build, or when it is older than
the sources it would be checked against.

Run with ``pytest tests/test_reference_pages.py``.
"""

from __future__ import annotations

import ast
import html
import os
import re
from pathlib import Path

import pytest

import rope_viz

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
BIB = BOOK / "references.bib"
API_PAGES = sorted([BOOK / "api.md", *(BOOK / "api").rglob("*.md")])
HTML = Path(os.environ.get("ROPE_VIZ_HTML", ROOT / "_build" / "html"))
LINK_FIELDS = ("url", "doi", "eprint")

DIRECTIVE = re.compile(r"^\.\. (automodule|autofunction|autoclass|autodata):: +(\S+)\s*$")
OPTION = re.compile(r"^ +:([\w-]+):(.*)$")


def directives(page: Path) -> list:
    """``(kind, target, {option: value})`` for every autodoc directive on ``page``."""
    found = []
    for line in page.read_text(encoding="utf-8").splitlines():
        match = DIRECTIVE.match(line)
        if match:
            found.append((match[1], match[2], {}))
            continue
        option = OPTION.match(line)
        if option and found:
            found[-1][2][option[1]] = option[2].strip()
    return found


def module_all(module: str) -> list:
    """``__all__`` of a rope_viz module, read from its source (no import: some need torch)."""
    path = ROOT / Path(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    for statement in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in statement.targets
        ):
            return list(ast.literal_eval(statement.value))
    raise AssertionError(f"{module} has no __all__")


def home(name: str) -> str:
    """The module that defines a name of ``rope_viz.__all__``."""
    if name in rope_viz._LAZY:
        return rope_viz._LAZY[name]
    value = getattr(rope_viz, name)
    module = getattr(value, "__module__", None)
    if module and (callable(value) or isinstance(value, type)):
        return module
    # A constant: the module (not a package) whose __all__ lists it.
    candidates = [f"rope_viz.{p.stem}" for p in (ROOT / "rope_viz").glob("[!_]*.py")]
    candidates += [f"rope_viz.figures.{p.stem}" for p in (ROOT / "rope_viz/figures").glob("[!_]*.py")]
    homes = [m for m in candidates if name in module_all(m)]
    assert len(homes) == 1, f"{name}: defined in {homes}"
    return homes[0]


def documented_on(page: Path, name: str, module: str) -> bool:
    for kind, target, options in directives(page):
        if kind == "automodule" and "members" in options:
            listed = [m.strip() for m in options["members"].split(",") if m.strip()]
            if target == module and (name in listed if listed else name in module_all(module)):
                return True
            if target != module and "imported-members" in options and name in module_all(target):
                return True  # a package page that repeats its submodules' names
        elif kind != "automodule" and target in (f"{module}.{name}", f"rope_viz.{name}"):
            return True
    return False


def test_every_home_module_has_a_page():
    documented = {target for page in API_PAGES for kind, target, _ in directives(page)
                  if kind == "automodule"}
    homes = {home(name) for name in rope_viz.__all__}
    missing = sorted(homes - documented)
    assert not missing, f"modules of rope_viz.__all__ without an API page: {missing}"


def test_every_exported_function_and_class_is_on_exactly_one_page():
    problems = []
    for name in rope_viz.__all__:
        module = home(name)
        if name not in rope_viz._LAZY:
            value = getattr(rope_viz, name)
            if not (callable(value) or isinstance(value, type)):
                continue
        pages = [p.relative_to(BOOK).as_posix() for p in API_PAGES
                 if documented_on(p, name, module)]
        if len(pages) != 1:
            problems.append(f"{name} ({module}): on {pages or 'no page'}")
    assert not problems, "\n".join(problems)


def test_one_module_per_page_and_every_page_in_the_toc():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    for page in API_PAGES:
        if page.name != "api.md" and page != BOOK / "api" / "figures.md":
            modules = [t for kind, t, _ in directives(page) if kind == "automodule"]
            assert len(modules) == 1, f"{page}: {modules}"
        docname = page.relative_to(ROOT).with_suffix("").as_posix()
        assert re.search(rf"file: {re.escape(docname)}\s*$", toc, re.M), f"{docname} not in _toc.yml"


def test_landing_page_links_every_module_page():
    landing = (BOOK / "api.md").read_text(encoding="utf-8")
    figures = (BOOK / "api" / "figures.md").read_text(encoding="utf-8")
    for page in API_PAGES:
        if page.parent == BOOK / "api" and page.name != "figures.md":
            target = landing if page.name != "widgets.md" else figures
            link = f"api/{page.name}" if target is landing else page.name
            assert f"]({link})" in target, f"{page.name} is not listed on its landing page"
        elif page.parent == BOOK / "api" / "figures":
            assert f"](figures/{page.name})" in figures, f"{page.name} not on api/figures.md"


def test_no_link_to_the_removed_figures_page():
    sources = [*BOOK.glob("*.md"), *BOOK.glob("*.ipynb"), ROOT / "README.md"]
    stale = [p.name for p in sources if "api_figures.md" in p.read_text(encoding="utf-8")]
    assert not stale, f"links to the removed api_figures.md in {stale}"


def bib_entries() -> dict:
    from pybtex.database import parse_file

    return dict(parse_file(str(BIB)).entries)


def test_every_bib_entry_has_a_link_or_says_why_not():
    missing = [key for key, entry in bib_entries().items()
               if not any(f in entry.fields for f in LINK_FIELDS)
               and not entry.fields.get("nolink", "").strip()]
    assert not missing, f"bib entries with no url, doi or eprint (nor a 'nolink' reason): {missing}"


def test_bib_links_are_well_formed():
    for key, entry in bib_entries().items():
        fields = entry.fields
        if "eprint" in fields:
            assert re.fullmatch(r"\d{4}\.\d{4,5}", fields["eprint"]), key
        if "url" in fields:
            assert fields["url"].startswith("https://"), key
        assert "\\url" not in fields.get("howpublished", ""), f"{key}: URL belongs in `url`"
        assert "arXiv:" not in fields.get("note", "") + fields.get("journal", ""), \
            f"{key}: the arXiv id belongs in `eprint`"


def test_no_raw_tex_math_in_bib_titles():
    bad = [key for key, entry in bib_entries().items() if "$" in entry.fields.get("title", "")]
    assert not bad, f"bib titles with $...$ (write the symbols in Unicode): {bad}"


# --- the built HTML ---------------------------------------------------------------------


def built(page: str, sources: list) -> Path:
    """The built ``page``; skips when it is missing or older than its ``sources``."""
    path = HTML / "book" / page
    if not path.exists():
        pytest.skip(f"no built page {path} (build the book first)")
    if path.stat().st_mtime < max(p.stat().st_mtime for p in sources):
        pytest.skip(f"{path} is older than the reference sources (rebuild the book)")
    return path


def visible_text(markup: str) -> str:
    """Text of the article, without scripts, styles and math that MathJax will typeset."""
    article = markup[markup.find("<article"): markup.rfind("</article>")]
    article = re.sub(r"<(script|style)\b.*?</\1>", "", article, flags=re.S)
    article = re.sub(r'<span class="math[^"]*">.*?</span>', "", article, flags=re.S)
    article = re.sub(r'<div class="math[^"]*">.*?</div>', "", article, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", article))


def test_built_bibliography_has_links_and_no_raw_tex():
    markup = built("bibliography.html", [BIB, BOOK / "_ext" / "bib_style.py"]).read_text(encoding="utf-8")
    entries = re.findall(r'<div class="citation"[^>]*>(.*?)</div>', markup, re.S)
    assert len(entries) == len(bib_entries())
    no_link = [re.sub(r"<[^>]+>", "", e).split()[:4] for e in entries
               if not re.search(r'<a class="[^"]*reference external[^"]*" href="https?://', e)]
    assert not no_link, f"entries without a link: {no_link}"
    text = visible_text(markup)
    assert "$" not in text and "\\" not in text, "raw TeX in the bibliography"


def test_built_bibliography_labels_are_author_year_and_sorted():
    markup = built("bibliography.html", [BIB, BOOK / "_ext" / "bib_style.py"]).read_text(encoding="utf-8")
    labels = [html.unescape(x) for x in re.findall(
        r'<span class="label"><span class="fn-bracket">\[</span>(.*?)<span', markup)]
    assert len(labels) == len(bib_entries())
    assert all(re.fullmatch(r".+, (\d{4}|n\.d\.)[a-z]?", label) for label in labels), labels
    assert len(set(labels)) == len(labels), "two entries share a label"
    authors = [label.rsplit(", ", 1)[0].replace(" et al.", "").casefold() for label in labels]
    assert authors == sorted(authors, key=lambda a: a.split(" and ")[0]), authors


def test_built_api_pages_list_their_functions_and_show_no_raw_math():
    for page in API_PAGES:
        relative = page.relative_to(BOOK).with_suffix(".html").as_posix()
        markup = built(relative, [page]).read_text(encoding="utf-8")
        assert "$" not in visible_text(markup), f"raw $ in {relative}"
        if page.name in ("api.md", "figures.md") and page.parent != BOOK / "api" / "figures":
            continue
        nav = markup[markup.find('id="pst-page-toc-nav"'):]
        nav = nav[: nav.find("</nav>")]
        entries = re.findall(r'class="reference internal nav-link" href="#rope_viz\.', nav)
        assert entries, f"{relative}: its contents list names no function or class"
