"""The plotly renderer the book build uses (and only the book build).

Today's plotly shows a figure in a headless kernel as the mimetype
``application/vnd.plotly.v1+json`` alone, which Jupyter Book's myst-nb drops: the page would
show no figure. The ``notebook`` renderer inlines all of plotly.js into every page (about
5 MB), and ``notebook_connected`` fetches it from a CDN. This renderer emits an empty box
holding the figure as JSON: ``<div class="rv-figure"><script type="application/json">``.
The book's ``_static/figures.js`` (added by ``book/_ext/offline_assets.py`` to every page
with a figure) loads plotly.js without blocking the page's first paint, draws each figure
when it comes near the screen, applies the page's light or dark template and the figure's
narrow-screen layout, and never plays an animation until the reader presses Play.

The box reserves the figure's height so the page does not jump when the figure draws. The
template is left out of the JSON (the page supplies it: ``rope_viz.figures._style.THEMES``).

It is activated when rope_viz is imported with ``ROPE_VIZ_BOOK_BUILD=1`` in the
environment, which the book build sets. Nothing else changes plotly's global state.
"""

from __future__ import annotations

import html
import json

import plotly.io as pio
from plotly.io._base_renderers import MimetypeRenderer
from plotly.utils import PlotlyJSONEncoder

RENDERER_NAME = "rope_viz_static"

#: Options passed to ``Plotly.newPlot`` for every figure in the book.
PLOT_CONFIG = {"responsive": True, "displaylogo": False}


def figure_box(fig_dict: dict) -> str:
    """The HTML of one figure in the static book: a sized box holding the figure's JSON."""
    layout = dict(fig_dict.get("layout", {}))
    layout.pop("template", None)
    spec = {"data": fig_dict.get("data", []), "layout": layout,
            "frames": fig_dict.get("frames", []), "config": PLOT_CONFIG}
    text = json.dumps(spec, cls=PlotlyJSONEncoder, separators=(",", ":"))
    text = text.replace("</", "<\\/")  # never ends the script element early
    height = int(layout.get("height") or 450)
    label = (layout.get("title") or {}).get("text") or "figure"
    return (f'<div class="rv-figure" role="img" aria-label="{html.escape(str(label))}" '
            f'style="min-height:{height}px"><script type="application/json">{text}</script></div>')


def themes_script() -> str:
    """``_static/figure_themes.js``: the light and dark templates and the narrow width, for figures.js."""
    from rope_viz.figures._style import NARROW_WIDTH, THEMES

    themes = {name: template.to_plotly_json() for name, template in THEMES.items()}
    themes["narrowWidth"] = NARROW_WIDTH
    return "window.ROPE_VIZ_THEMES = " + json.dumps(themes, separators=(",", ":")) + ";\n"


class StaticDivRenderer(MimetypeRenderer):
    """Render a figure as a box that ``figures.js`` draws (no plotly.js, no inline script)."""

    def to_mimebundle(self, fig_dict):
        return {"text/html": figure_box(fig_dict)}


def use_static_renderer() -> None:
    """Register the static-page renderer and make it plotly's default."""
    pio.renderers[RENDERER_NAME] = StaticDivRenderer()
    pio.renderers.default = RENDERER_NAME
