"""The plotly renderer the book build uses (and only the book build).

Today's plotly shows a figure in a headless kernel as the mimetype
``application/vnd.plotly.v1+json`` alone, which Jupyter Book's myst-nb drops: the page would
show no figure. The ``notebook`` renderer inlines all of plotly.js into every page (about
5 MB), and ``notebook_connected`` fetches it from a CDN. This renderer emits a ``<div>`` and
a ``Plotly.newPlot`` call (animation frames are added but not played: a figure stays on its
first frame until the reader presses Play, so nothing moves unasked, whatever the reader's
motion preference); the book's Sphinx extension (``book/_ext/offline_assets.py``)
serves one copy of plotly.js, taken from the installed plotly package, from ``_static``.

It is activated when rope_viz is imported with ``ROPE_VIZ_BOOK_BUILD=1`` in the
environment, which the book build sets. Nothing else changes plotly's global state.
"""

from __future__ import annotations

import plotly.io as pio
from plotly.io._base_renderers import MimetypeRenderer

RENDERER_NAME = "rope_viz_static"

#: Options passed to ``Plotly.newPlot`` for every figure in the book.
PLOT_CONFIG = {"responsive": True, "displaylogo": False}


class StaticDivRenderer(MimetypeRenderer):
    """Render a figure as an HTML ``<div>`` plus a ``Plotly.newPlot`` script, without plotly.js."""

    def to_mimebundle(self, fig_dict):
        html = pio.to_html(
            fig_dict,
            include_plotlyjs=False,
            include_mathjax=False,
            full_html=False,
            validate=False,
            config=PLOT_CONFIG,
            auto_play=False,  # an animation waits for the reader's Play (plotly's default plays on load)
        )
        return {"text/html": html}


def use_static_renderer() -> None:
    """Register the static-page renderer and make it plotly's default."""
    pio.renderers[RENDERER_NAME] = StaticDivRenderer()
    pio.renderers.default = RENDERER_NAME
