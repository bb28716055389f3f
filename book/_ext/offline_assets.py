"""Sphinx extension: serve plotly.js and MathJax locally, so the built book works offline.

Both come from installed Python packages, never from a CDN:

- ``plotly.min.js`` from the ``plotly`` package itself, so the JavaScript always matches the
  Python library that produced the figures. No page links it: ``_static/figures.js`` (added,
  deferred, only to pages that hold a figure) loads it without blocking the first paint.
- ``figure_themes.js``: the light and dark plotly templates and the narrow-screen width from
  ``rope_viz.figures._style``, written here so that the figures' colours have one home.
- MathJax 3 (``tex-chtml.js``, its fonts and TeX extensions) from ``django-static-mathjax``,
  a plain copy of the MathJax distribution on PyPI. ``_config.yml`` points ``mathjax_path``
  at it.

The files are gathered once per build into ``_build/.offline_assets`` and handed to Sphinx as
an extra static path, so they land in ``_build/html/_static/vendor/``.
"""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

PLOTLY_JS = "vendor/plotly.min.js"
THEMES_JS = "figure_themes.js"
FIGURES_JS = "figures.js"
MATHJAX_DIR = "vendor/mathjax"
# What tex-chtml.js needs at run time: the CHTML fonts, TeX extensions loaded on demand,
# the context menu, and the accessibility pieces the menu can switch on.
MATHJAX_PARTS = ("tex-chtml.js", "input/tex/extensions", "output/chtml", "ui", "a11y")


def _copy_if_changed(source: Path, target: Path) -> None:
    if target.exists() and filecmp.cmp(source, target, shallow=False):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def _copy_tree(source: Path, target: Path) -> None:
    if source.is_file():
        _copy_if_changed(source, target)
        return
    for path in source.rglob("*"):
        if path.is_file():
            _copy_if_changed(path, target / path.relative_to(source))


def _gather(app: Sphinx) -> None:
    try:
        import plotly
    except ImportError as exc:  # pragma: no cover - the book's requirements install it
        raise ExtensionError("offline_assets: plotly is not installed") from exc
    try:
        import mathjax
    except ImportError as exc:
        raise ExtensionError(
            "offline_assets: MathJax is not installed; pip install django-static-mathjax"
        ) from exc

    assets = Path(app.outdir).parent / ".offline_assets"
    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    _copy_if_changed(plotly_js, assets / PLOTLY_JS)
    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    for part in MATHJAX_PARTS:
        if (es5 / part).exists():
            _copy_tree(es5 / part, assets / MATHJAX_DIR / part)
    from rope_viz._book import themes_script

    text = themes_script()
    target = assets / THEMES_JS
    if not target.exists() or target.read_text() != text:
        target.write_text(text)
    if not (assets / MATHJAX_DIR / "tex-chtml.js").exists():
        raise ExtensionError(f"offline_assets: no tex-chtml.js under {es5}")
    app.config.html_static_path.append(str(assets))


def _add_figures_where_needed(app, pagename, templatename, context, doctree) -> None:
    if 'class="rv-figure"' in context.get("body", ""):
        # Deferred: they run after the page is parsed and never block its first paint.
        app.add_js_file(THEMES_JS, priority=100, loading_method="defer")
        app.add_js_file(FIGURES_JS, priority=101, loading_method="defer")


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:
    # sphinx-thebe (pulled in by Jupyter Book) registers its inline configuration script
    # twice, and the second copy throws "Identifier 'THEBE_JS_URL' has already been
    # declared" in the browser. Keep the first copy of each script. The list is the
    # builder's, restored by Sphinx after each page.
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen, unique = set(), []
    for script in scripts:
        key = (getattr(script, "filename", str(script)) or "",
               tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _gather)
    app.connect("html-page-context", _add_figures_where_needed)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
