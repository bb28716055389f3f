"""Is every figure readable? Text boxes in a drawn plotly figure must not overlap each other
and must stay inside the figure.

``FIGURE_PROBLEMS_JS`` runs in a page and checks one drawn figure; the browser test
(``tests/test_browser.py``) runs it on every figure of the built book. Run as a script, this
module is the quick loop for working on figures without building the book: it draws the
figures you name in a page made like the book's (same ``figures.js``, templates and content
widths), prints every problem at phone and laptop width in light and dark mode, and saves a
screenshot of each figure:

    .venv/bin/python tests/figure_layout.py plot_rope_rotation "plot_pairings:{\"dim\": 8}" \
        --shots /tmp/shots

Each argument is a ``rope_viz`` function name, optionally followed by ``:`` and a JSON object
of keyword arguments. Needs Playwright and Chromium (``/usr/bin/chromium`` or
``ROPE_VIZ_CHROMIUM``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The book's content column at each viewport width (measured on the built book).
VIEWPORTS = {390: 358, 1366: 757}

#: Returns a list of problems (strings) for the figure drawn in ``box`` (a div.rv-figure or any
#: element holding one plotly graph div). Text boxes shrink by ``TOLERANCE`` px before the
#: overlap test, so touching boxes are not reported.
FIGURE_PROBLEMS_JS = r"""
(box) => {
  const TOLERANCE = 1.5;
  const frame = box.getBoundingClientRect();
  const visible = (el) => {
    for (let node = el; node && node !== box; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.display === "none" || style.visibility === "hidden" || Number(style.opacity) === 0) return false;
      const fill = node.getAttribute && node.getAttribute("style");
      if (fill && /fill-opacity: 0(;|$)/.test(fill) && node.tagName === "text") return false;
    }
    return true;
  };
  const label = (el) => {
    const known = el.closest(".annotation, .legend, .updatemenu-container, .slider-container");
    const group = known || el.closest("g[class]");
    const kind = group ? group.getAttribute("class").split(" ")[0] : el.tagName;
    return `${kind} "${(el.textContent || "").trim().slice(0, 40)}"`;
  };
  const items = [];
  for (const el of box.querySelectorAll("svg text")) {
    if (!(el.textContent || "").trim() || !visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    items.push({ el, r, name: label(el), button: el.closest(".updatemenu-button") });
  }
  for (const el of box.querySelectorAll(".updatemenu-button rect, .slider-rail-rect")) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    const text = el.closest(".updatemenu-button") ? el.closest(".updatemenu-button").textContent.trim() : "slider rail";
    items.push({ el, r, name: `control "${text.slice(0, 30)}"`, button: el.closest(".updatemenu-button") || el });
  }
  const problems = [];
  for (const it of items) {
    const r = it.r;
    if (r.left < frame.left - TOLERANCE || r.right > frame.right + TOLERANCE ||
        r.top < frame.top - TOLERANCE || r.bottom > frame.bottom + TOLERANCE) {
      problems.push(`outside the figure: ${it.name}`);
    }
  }
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i], b = items[j];
      if (a.button && b.button && a.button === b.button) continue;          // a button and its label
      if (a.button && b.button && a.button.contains && a.button.contains(b.el)) continue;
      if (b.button && b.button.contains && b.button.contains(a.el)) continue;
      if (a.button && a.button.contains && a.button.contains(b.el)) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left) - 2 * TOLERANCE;
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top) - 2 * TOLERANCE;
      if (w > 0 && h > 0) problems.push(`overlap: ${a.name} / ${b.name}`);
    }
  }
  return problems;
}
"""


def chromium() -> str:
    executable = os.environ.get("ROPE_VIZ_CHROMIUM") or shutil.which("chromium")
    if not executable:
        raise SystemExit("Chromium not found: install Debian's chromium or set ROPE_VIZ_CHROMIUM")
    return executable


def _page(boxes: list, width: int, theme: str) -> str:
    static = ROOT / "book" / "_static"
    import plotly

    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    from rope_viz._book import themes_script

    background = "#14181e" if theme == "dark" else "#ffffff"
    return f"""<!doctype html><html data-theme="{theme}"><head><meta charset="utf-8">
<style>body {{ margin: 0; background: {background}; --pst-color-background: {background}; }}
main {{ width: {width}px; margin: 16px; }} .rv-figure {{ margin: 0 0 40px; }}
{(static / "book.css").read_text()}</style>
<script src="file://{plotly_js}"></script>
<script>{themes_script()}</script>
<script src="file://{static / 'figures.js'}"></script></head>
<body><main>{''.join(boxes)}</main></body></html>"""


def figures_from(specs: list) -> list:
    """``[(spec, figure)]`` for ``name`` or ``name:{json kwargs}`` specs of rope_viz functions."""
    import rope_viz

    figures = []
    for spec in specs:
        name, _, kwargs = spec.partition(":")
        figures.append((spec, getattr(rope_viz, name)(**(json.loads(kwargs) if kwargs else {}))))
    return figures


def check(named_figures: list, shots: Path | None = None) -> int:
    """Draw ``[(name, figure)]`` as the book would; print their problems; return the count."""
    import tempfile

    from playwright.sync_api import sync_playwright

    from rope_viz._book import figure_box

    figures = [(spec, figure_box(fig.to_plotly_json())) for spec, fig in named_figures]
    total = 0
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp:
        browser = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        for viewport, width in VIEWPORTS.items():
            for theme in ("light", "dark"):
                path = Path(tmp) / f"{viewport}-{theme}.html"
                path.write_text(_page([box for _, box in figures], width, theme))
                page = browser.new_page(viewport={"width": viewport, "height": 900})
                page.goto(path.as_uri())
                page.evaluate("() => document.querySelectorAll('.rv-figure')"
                              ".forEach(box => window.ropeViz.draw(box))")  # below the fold too
                page.wait_for_function(
                    f"() => document.querySelectorAll('.rv-figure[data-rv-state=drawn]').length"
                    f" === {len(figures)}", timeout=60_000)
                page.wait_for_timeout(300)
                boxes = page.query_selector_all(".rv-figure")
                for (spec, _), box in zip(figures, boxes):
                    problems = box.evaluate(FIGURE_PROBLEMS_JS)
                    total += len(problems)
                    status = "ok" if not problems else f"{len(problems)} problems"
                    print(f"{viewport:>5} {theme:<5} {spec}: {status}")
                    for problem in problems:
                        print(f"        {problem}")
                    if shots is not None:
                        shots.mkdir(parents=True, exist_ok=True)
                        stem = spec.partition(":")[0] + (f"-{abs(hash(spec)) % 10**6}" if ":" in spec else "")
                        box.screenshot(path=str(shots / f"{stem}-{viewport}-{theme}.png"))
                page.close()
        browser.close()
    return total


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("figures", nargs="+", help="rope_viz function, optionally name:{json kwargs}")
    parser.add_argument("--shots", type=Path, help="folder for one screenshot per figure and variant")
    args = parser.parse_args(argv)
    return 1 if check(figures_from(args.figures), args.shots) else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
