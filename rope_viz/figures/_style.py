"""One look for every figure: fonts, colours, margins, slider placement.

Figures keep a white background so they read the same in the book's light and dark modes.
Numbers stored in a figure are rounded (``DECIMALS``) to keep pages small.
"""

from __future__ import annotations

import numpy as np

DECIMALS = 4
DIVERGING = "RdBu_r"
FONT = dict(family="Inter, Helvetica, Arial, sans-serif", size=13, color="#222")


def rounded(values) -> list:
    """``values`` rounded to ``DECIMALS`` as nested lists, ready for a figure's JSON."""
    return np.round(np.asarray(values, dtype=float), DECIMALS).tolist()


def base_layout(*, title: str, height: int = 420, **extra) -> dict:
    """The layout keywords every figure starts from."""
    layout = dict(
        title=dict(text=title, x=0.01, xanchor="left"),
        template="plotly_white",
        font=FONT,
        height=height,
        margin=dict(l=70, r=30, t=70, b=60),
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    layout.update(extra)
    return layout


def slider(steps: list, *, prefix: str, active: int = 0, y: float = -0.08) -> dict:
    """A plotly slider from ``steps`` (each a dict with ``label`` and ``args``)."""
    return dict(
        active=active,
        currentvalue=dict(prefix=prefix, font=dict(size=13)),
        pad=dict(t=30, b=10),
        x=0.0,
        len=1.0,
        y=y,
        yanchor="top",
        steps=[{"method": "restyle", **step} for step in steps],
    )
