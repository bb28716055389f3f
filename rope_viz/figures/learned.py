"""Figures for the learned-positions chapter: a table extended by Su's hierarchical
decomposition, and what a learned table holds past its last trained row.

What this module holds
----------------------
- :func:`plot_hierarchical_distances`: the distance between every two of the n² codes that
  :func:`rope_viz.hierarchical_decomposition` makes from a table of n rows, with a slider
  for α. :func:`hierarchical_distances_changes` is what one α changes.
- :func:`plot_table_extrapolation`: the cosine similarity of the codes of positions 0 … 2n − 1
  when the table of n rows is continued three ways (rows never trained, the hierarchical
  extension, the sinusoid evaluated further), with buttons.
  :func:`table_extrapolation_changes` is what one button changes.

The "trained" table is a stand-in, as in the chapter: the sinusoidal table of n rows (a
smooth table, which is what training tends to give). The ``*_changes`` functions return the
``(traces, layout)`` shape of :mod:`rope_viz.figures._style`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from rope_viz._validation import (
    check_array,
    check_bool,
    check_choice,
    check_dim,
    check_float,
    check_int,
    fail,
)
from rope_viz.absolute import (
    append_untrained_rows,
    code_cosines,
    code_distances,
    hierarchical_decomposition,
    sinusoidal_encoding,
)
from rope_viz.figures._style import (
    DIVERGING,
    NEUTRAL,
    SEQUENTIAL,
    base_layout,
    buttons,
    new_figure,
    rounded,
    set_narrow,
    slider,
    step_args,
)

__all__ = [
    "plot_hierarchical_distances",
    "hierarchical_distances_changes",
    "plot_table_extrapolation",
    "table_extrapolation_changes",
]

#: The three ways :func:`plot_table_extrapolation` continues a table, in button order.
CONTINUATIONS = ("untrained", "hierarchical", "sinusoid")
_BUTTON_LABELS = {"untrained": "new rows", "hierarchical": "hierarchical", "sinusoid": "sinusoid"}


def _check_table_size(n: Any, dim: Any, base: Any) -> tuple:
    n = check_int(n, "n", minimum=2, maximum=64)
    dim = check_dim(dim)
    base = check_float(base, "base", minimum=1.0, strict=True)
    return n, dim, base


def _check_alpha(alpha: Any, name: str = "alpha") -> float:
    alpha = check_float(alpha, name, minimum=0.0, strict=True)
    if alpha >= 1.0 or alpha == 0.5:
        fail(name, "a number in (0, 1) other than 0.5", alpha)
    return alpha


def _block_lines(n: int, blocks: int) -> list:
    """Shapes: a thin line at every block boundary of an (n·blocks)² heatmap, both ways."""
    edge = n * blocks - 0.5
    lines = []
    for b in range(1, blocks):
        at = b * n - 0.5
        for x0, x1, y0, y1 in ((at, at, -0.5, edge), (-0.5, edge, at, at)):
            lines.append(dict(type="line", x0=x0, x1=x1, y0=y0, y1=y1, xref="x", yref="y",
                              line=dict(color=NEUTRAL, width=1)))
    return lines


def _trained_box(n: int) -> dict:
    """A dashed square around the trained positions 0 … n − 1."""
    return dict(type="rect", x0=-0.5, x1=n - 0.5, y0=-0.5, y1=n - 0.5, xref="x", yref="y",
                line=dict(color=NEUTRAL, width=2, dash="dot"))


def hierarchical_distances_changes(alpha: float = 0.4, *, n: int = 8, dim: int = 64,
                                   base: float = 10000.0) -> tuple:
    """What one α changes in :func:`plot_hierarchical_distances`.

    Parameters
    ----------
    alpha : float
        Su's weight α, in (0, 1) and not 0.5.
    n : int
        Rows of the stand-in trained table (2 to 64); the extension has n² positions.
    dim : int
        Width of the table (positive, even).
    base : float
        Base of the sinusoidal stand-in table (> 1).

    Returns
    -------
    tuple
        ``({0: {"z": ...}}, {"title.text": ...})`` in the shape of
        :mod:`rope_viz.figures._style`: the (n², n²) distances of the extended codes, divided
        by the largest distance between two trained rows, rounded to two decimals.

    Raises
    ------
    ValueError, TypeError
        For bad ``alpha``, ``n``, ``dim`` or ``base``.

    Examples
    --------
    >>> traces, layout = hierarchical_distances_changes(0.4, n=3, dim=4)
    >>> len(traces[0]["z"]), layout["title.text"]
    (9, '3 rows extended to 9 positions, α = 0.4')
    """
    alpha = _check_alpha(alpha)
    n, dim, base = _check_table_size(n, dim, base)
    trained = sinusoidal_encoding(n, dim, base)  # (n, dim)
    scale = code_distances(trained).max()
    distances = code_distances(hierarchical_decomposition(trained, alpha)) / scale  # (n², n²)
    return ({0: {"z": rounded(distances, 2)}},
            {"title.text": f"{n} rows extended to {n * n} positions, α = {alpha:g}"})


def plot_hierarchical_distances(
    n: int = 8,
    *,
    dim: int = 64,
    base: float = 10000.0,
    alphas: Any = (0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8),
    alpha: float = 0.4,
    controls: bool = True,
) -> go.Figure:
    """Distances between the n² codes of a table of n rows extended by Su's decomposition.

    Positions i·n + j and i'·n + j' of the extension lie
    ``|α/(1 − α)·(p_i − p_i') + (p_j − p_j')|`` apart (p the trained table), so the picture is an
    n × n grid of blocks: the blocks on the diagonal repeat the trained table's distances
    exactly (the dotted square), and a block off the diagonal adds the block digits' distance,
    weighted by α/(1 − α). A small α makes positions j and n + j nearly the same code (dark
    stripes parallel to the diagonal); a large α makes the block digit dominate (every block
    off the diagonal bright). The stand-in trained table is the sinusoidal table of n rows;
    distances are divided by the largest distance between two trained rows, and the colour
    scale stops at 3 so that small α and large α read on one scale.

    Calls :func:`rope_viz.hierarchical_decomposition` and :func:`rope_viz.code_distances`.

    Parameters
    ----------
    n : int
        Rows of the stand-in trained table (2 to 64); keep it small, the figure holds
        (n²)² numbers per α.
    dim : int
        Width of the table (positive, even).
    base : float
        Base of the sinusoidal stand-in table (> 1).
    alphas : sequence of float
        Values of α on the slider (each in (0, 1), not 0.5).
    alpha : float
        The α shown first; must be one of ``alphas``.
    controls : bool
        Draw the slider (default). ``False``: no slider; the figure shows ``alpha``.

    Returns
    -------
    plotly.graph_objects.Figure
        One heatmap; a slider with one step per α (the numbers of
        :func:`hierarchical_distances_changes`).

    Raises
    ------
    ValueError, TypeError
        For bad ``n``, ``dim``, ``base``, ``alphas``, ``alpha`` or ``controls``, or an
        ``alpha`` that is not among ``alphas``.

    Examples
    --------
    >>> fig = plot_hierarchical_distances(3, dim=4, alphas=(0.2, 0.4))
    >>> len(fig.layout.sliders[0].steps)
    2
    """
    n, dim, base = _check_table_size(n, dim, base)
    values = check_array(alphas, "alphas", ndim=1, nonempty=True, what="a sequence of α values")
    alphas = [_check_alpha(a, "alphas") for a in values]
    alpha = _check_alpha(alpha)
    controls = check_bool(controls, "controls")
    if not any(abs(a - alpha) < 1e-12 for a in alphas):
        fail("alpha", f"one of alphas {tuple(alphas)}", alpha)
    start = next(k for k, a in enumerate(alphas) if abs(a - alpha) < 1e-12)
    if not controls:
        alphas, start = [alphas[start]], 0
    per_alpha = [hierarchical_distances_changes(a, n=n, dim=dim, base=base) for a in alphas]
    traces, layout = per_alpha[start]

    size = n * n
    ticks = list(range(0, size, n))
    fig = new_figure()
    fig.add_trace(go.Heatmap(
        **traces[0], colorscale=SEQUENTIAL, zmin=0, zmax=3,
        colorbar=dict(title=dict(text="distance", side="right"), thickness=12, len=0.8),
        hovertemplate="positions %{x} and %{y}<br>distance %{z}<extra></extra>",
    ))
    steps = [dict(method="update", label=f"{a:g}", args=step_args(*changes))
             for a, changes in zip(alphas, per_alpha)]
    fig.update_layout(**base_layout(
        title=layout["title.text"],
        height=620,
        margin=dict(l=70, r=30, t=60, b=130 if controls else 60),
        xaxis=dict(title="position", tickvals=ticks, constrain="domain", showgrid=False),
        yaxis=dict(title="position", tickvals=ticks, autorange="reversed", scaleanchor="x",
                   constrain="domain", showgrid=False),
        shapes=_block_lines(n, n) + [_trained_box(n)],
        sliders=[slider(steps, prefix="α = ", active=start, y=-0.1)] if controls else [],
    ))
    # a phone: a shorter figure around a smaller square, ticks at every other block
    sparse = list(range(0, size, 2 * n))
    set_narrow(fig, layout={"height": 460 if controls else 380, "xaxis.tickvals": sparse,
                            "yaxis.tickvals": sparse, "margin.t": 50})
    return fig


def _check_continuation(code: Any) -> str:
    return check_choice(code, "code", CONTINUATIONS)


def _extrapolation_codes(code: str, n: int, dim: int, base: float, alpha: float,
                         rng: Any) -> np.ndarray:
    """The ``(2n, dim)`` codes of positions 0 … 2n − 1 for one continuation of the table."""
    trained = sinusoidal_encoding(n, dim, base)  # (n, dim): the stand-in trained table
    if code == "untrained":
        return append_untrained_rows(trained, n, rng)
    if code == "hierarchical":
        return hierarchical_decomposition(trained, alpha)[: 2 * n]
    return sinusoidal_encoding(2 * n, dim, base)


def table_extrapolation_changes(code: str = "untrained", *, n: int = 32, dim: int = 64,
                                base: float = 10000.0, alpha: float = 0.4,
                                rng: Any = 0) -> tuple:
    """What one button changes in :func:`plot_table_extrapolation`.

    Parameters
    ----------
    code : str
        How the table continues past its n rows: ``"untrained"`` (rows a learned table holds
        there: their random start), ``"hierarchical"`` (Su's decomposition with ``alpha``)
        or ``"sinusoid"`` (the sinusoidal formula evaluated further).
    n : int
        Rows of the stand-in trained table (2 to 64); the figure shows 2n positions.
    dim : int
        Width of the table (positive, even).
    base : float
        Base of the sinusoidal stand-in table (> 1).
    alpha : float
        Su's weight α for ``"hierarchical"`` (in (0, 1), not 0.5).
    rng : numpy.random.Generator or int
        Source of the untrained rows (see :mod:`rope_viz._validation`).

    Returns
    -------
    tuple
        ``({0: {"z": ...}}, {"title.text": ...})``: the (2n, 2n) cosine similarities of the
        codes, rounded to two decimals, and the figure's title.

    Raises
    ------
    ValueError, TypeError
        For bad ``code``, ``n``, ``dim``, ``base``, ``alpha`` or ``rng``.

    Examples
    --------
    >>> traces, layout = table_extrapolation_changes("sinusoid", n=4, dim=4)
    >>> len(traces[0]["z"]), layout["title.text"]
    (8, 'Past row 4: the sinusoid continued')
    """
    code = _check_continuation(code)
    n, dim, base = _check_table_size(n, dim, base)
    alpha = _check_alpha(alpha)
    codes = _extrapolation_codes(code, n, dim, base, alpha, rng)  # (2n, dim)
    what = {"untrained": "rows never trained", "hierarchical": f"hierarchical, α = {alpha:g}",
            "sinusoid": "the sinusoid continued"}[code]
    return {0: {"z": rounded(code_cosines(codes), 2)}}, {"title.text": f"Past row {n}: {what}"}


def plot_table_extrapolation(
    n: int = 32,
    *,
    dim: int = 64,
    base: float = 10000.0,
    alpha: float = 0.4,
    code: str = "untrained",
    rng: Any = 0,
    controls: bool = True,
) -> go.Figure:
    """Cosine similarity of the codes of positions 0 … 2n − 1 when a table of n rows goes on.

    The dotted square holds the n trained positions: a smooth table, so neighbours are
    similar (a bright band along the diagonal). Past it, three continuations (buttons): the
    rows a learned table holds there, which no training text reached and which are still the
    random draws they started as (similar to nothing: the band stops at row n); Su's
    hierarchical extension, whose second block repeats the band of the first; and the
    sinusoidal formula evaluated further, whose band runs on. The stand-in trained table is
    the sinusoidal table of n rows.

    Calls :func:`rope_viz.append_untrained_rows`, :func:`rope_viz.hierarchical_decomposition`
    and :func:`rope_viz.code_cosines`.

    Parameters
    ----------
    n : int
        Rows of the stand-in trained table (2 to 64); the figure shows 2n positions.
    dim : int
        Width of the table (positive, even).
    base : float
        Base of the sinusoidal stand-in table (> 1).
    alpha : float
        Su's weight α for the hierarchical extension (in (0, 1), not 0.5).
    code : str
        The continuation shown first: ``"untrained"``, ``"hierarchical"`` or ``"sinusoid"``.
    rng : numpy.random.Generator or int
        Source of the untrained rows.
    controls : bool
        Draw the buttons (default). ``False``: no buttons; the figure shows ``code``.

    Returns
    -------
    plotly.graph_objects.Figure
        One heatmap and, with controls, one button per continuation (the numbers of
        :func:`table_extrapolation_changes`).

    Raises
    ------
    ValueError, TypeError
        For bad ``n``, ``dim``, ``base``, ``alpha``, ``code``, ``rng`` or ``controls``.

    Examples
    --------
    >>> fig = plot_table_extrapolation(4, dim=8)
    >>> [b.label for b in fig.layout.updatemenus[0].buttons]
    ['new rows', 'hierarchical', 'sinusoid']
    """
    n, dim, base = _check_table_size(n, dim, base)
    alpha = _check_alpha(alpha)
    code = _check_continuation(code)
    controls = check_bool(controls, "controls")
    shown = CONTINUATIONS if controls else (code,)
    per_code = {c: table_extrapolation_changes(c, n=n, dim=dim, base=base, alpha=alpha, rng=rng)
                for c in shown}
    traces, layout = per_code[code]

    ticks = list(range(0, 2 * n + 1, max(1, n // 2)))
    fig = new_figure()
    fig.add_trace(go.Heatmap(
        **traces[0], colorscale=DIVERGING, zmin=-1, zmax=1,
        colorbar=dict(title=dict(text="cosine", side="right"), thickness=12, len=0.8),
        hovertemplate="positions %{x} and %{y}<br>cosine %{z}<extra></extra>",
    ))
    items = [dict(label=_BUTTON_LABELS[c], method="update", args=step_args(*per_code[c]))
             for c in shown]
    fig.update_layout(**base_layout(
        title=layout["title.text"],
        height=640,
        margin=dict(l=70, r=30, t=110 if controls else 60, b=60),
        xaxis=dict(title="position", tickvals=ticks, constrain="domain", showgrid=False),
        yaxis=dict(title="position", tickvals=ticks, autorange="reversed", scaleanchor="x",
                   constrain="domain", showgrid=False),
        shapes=[_trained_box(n)],
        updatemenus=[buttons(items, x=0.0, y=1.04, active=CONTINUATIONS.index(code))]
        if controls else [],
    ))
    # a phone: a shorter figure around a smaller square, fewer ticks
    sparse = list(range(0, 2 * n + 1, n))
    set_narrow(fig, layout={"height": 470 if controls else 400, "xaxis.tickvals": sparse,
                            "yaxis.tickvals": sparse})
    return fig
