"""One look for every figure: fonts, colours, margins, slider placement.

Numbers stored in a figure are rounded (``DECIMALS``) to keep pages small.

Themes and screens
------------------
A figure names no page colour: its background is transparent and its text, axes, legend and
controls take their colours from the template (``THEMES["light"]`` when made in Python). In
the static book, ``book/_static/figures.js`` swaps in ``THEMES["dark"]`` when the page is dark,
including when the reader flips the theme switch. Lines and text drawn on the background use
``NEUTRAL`` (readable on white and on the dark page), never black or white. For a narrow
screen a figure may carry a second layout: :func:`set_narrow` stores changes in the usual
``(traces, layout)`` shape that ``figures.js`` applies while the figure is narrower than
``NARROW_WIDTH`` pixels (stacked panels, a legend below the plot, shorter labels) and undoes
when it is wider again.

Changes: the one shape of "what a move changes"
-----------------------------------------------
Every movable figure has a public ``*_changes`` function beside its ``plot_*`` function. It
returns ``(traces, layout)``: ``traces`` maps a trace index to the properties that a move
sets, ``{index: {prop: value}}`` (data, and names, colours, visibility where those move too);
``layout`` maps relayout paths such as ``"annotations[1].text"`` or ``"xaxis.type"`` to their
values. The figure's slider steps and animation frames are made from these
(:func:`step_args`), and a live widget applies them to the figure it keeps
(:func:`apply_changes`). A figure drawn with ``controls=False`` and then given the changes of
a state equals the figure drawn from scratch for that state.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from rope_viz._validation import fail

DECIMALS = 4
DIVERGING = "RdBu_r"
FONT = dict(family="Inter, Helvetica, Arial, sans-serif", size=13)
#: Below this width (px) of its box, a figure in the book takes its narrow layout (see :func:`set_narrow`).
NARROW_WIDTH = 560
#: A grey for lines and text drawn on the page's background: readable in light and dark mode.
NEUTRAL = "#8A8A8A"


def rounded(values, decimals: int = DECIMALS) -> list:
    """``values`` rounded to ``decimals`` (default ``DECIMALS``) as nested lists, for a figure's JSON."""
    return np.round(np.asarray(values, dtype=float), decimals).tolist()


def short_number(value: float) -> str:
    """A compact label for a base or a length: 10000 -> '10k', 1e6 -> '1M', 4096 -> '4,096'."""
    value = float(value)
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            scaled = value / size
            if abs(scaled * 10 - round(scaled * 10)) < 1e-9:  # at most one decimal: 2.5k
                return f"{scaled:g}{suffix}"
            return f"{value:,.0f}"
    return f"{value:g}"


def _theme_templates() -> dict:
    """The book's two plotly templates: light (the default everywhere) and dark (page-matched)."""
    light_ink, dark_ink = "#222222", "#CED6DD"
    themes = {}
    for name, base, ink, grid, line, panel, border in (
        ("light", "plotly_white", light_ink, "#E5E5E5", "#BBBBBB", "#FFFFFF", "#BBBBBB"),
        ("dark", "plotly_dark", dark_ink, "#2F3640", "#5A6470", "#232A33", "#5A6470"),
    ):
        template = go.layout.Template(pio.templates[base])
        axis = dict(gridcolor=grid, zerolinecolor=line, linecolor=line, tickcolor=line,
                    title=dict(font=dict(color=ink)), tickfont=dict(color=ink))
        template.layout.update(
            paper_bgcolor="rgba(0,0,0,0)",
            plot_bgcolor="rgba(0,0,0,0)",
            font=dict(color=ink),
            title=dict(font=dict(color=ink)),
            xaxis=axis, yaxis=axis,
            polar=dict(bgcolor="rgba(0,0,0,0)", angularaxis=dict(gridcolor=grid, linecolor=line),
                       radialaxis=dict(gridcolor=grid, linecolor=line)),
            scene=dict(xaxis=dict(gridcolor=grid, backgroundcolor="rgba(0,0,0,0)"),
                       yaxis=dict(gridcolor=grid, backgroundcolor="rgba(0,0,0,0)"),
                       zaxis=dict(gridcolor=grid, backgroundcolor="rgba(0,0,0,0)")),
            legend=dict(bgcolor="rgba(0,0,0,0)", font=dict(color=ink)),
            annotationdefaults=dict(font=dict(color=ink)),
            updatemenudefaults=dict(bgcolor=panel, bordercolor=border, font=dict(color=ink)),
            sliderdefaults=dict(bgcolor=panel, bordercolor=border, activebgcolor=grid,
                                tickcolor=line, font=dict(color=ink)),
            coloraxis=dict(colorbar=dict(tickfont=dict(color=ink))),
            hoverlabel=dict(font=dict(color=ink), bgcolor=panel),
            modebar=dict(bgcolor="rgba(0,0,0,0)", color=line, activecolor=ink),
        )
        for trace_type in ("heatmap", "contour", "surface"):
            for trace in template.data[trace_type] or ():
                trace.colorbar = dict(tickfont=dict(color=ink), title=dict(font=dict(color=ink)),
                                      outlinewidth=0)
        themes[name] = template
    return themes


#: The book's plotly templates by page theme; ``THEMES["light"]`` is every figure's template.
THEMES = _theme_templates()
pio.templates["rope_viz"] = THEMES["light"]
#: Every figure's plotly template, set once when the figure is made (see :func:`new_figure`).
TEMPLATE = "rope_viz"


def new_figure(data=None) -> go.Figure:
    """An empty figure with the book's template.

    Setting the template when the figure is created, rather than later, matters for speed:
    plotly copies a whole template each time one is assigned (about 20 ms here), and a
    figure made without one first receives plotly's default template.
    """
    return go.Figure(data=data, layout=dict(template=TEMPLATE))


def subplots(**kwargs) -> go.Figure:
    """``plotly.subplots.make_subplots(**kwargs)`` on a :func:`new_figure`."""
    return make_subplots(figure=new_figure(), **kwargs)


def base_layout(*, title: str, height: int = 420, **extra) -> dict:
    """The layout keywords every figure starts from."""
    layout = dict(
        title=dict(text=title, x=0.01, xanchor="left"),
        font=FONT,
        height=height,
        margin=dict(l=70, r=30, t=70, b=60),
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


# One visual language across the book (Okabe–Ito colours: distinguishable with colour-blindness
# and readable on white): the same colour means the same thing in every figure.
QUERY = "#0072B2"  # blue
KEY = "#E69F00"  # orange
SIN = "#009E73"  # bluish green
COS = "#D55E00"  # vermillion
AXIS_COLORS = {"t": "#CC79A7", "h": "#009E73", "w": "#56B4E9"}  # time, height, width
MODALITY_COLORS = {"text": "#A6A6A6", "image": "#E69F00", "video": "#7FB8DA"}  # light: ids on top
ENCODING_COLORS = {
    "integer": "#8C8C8C",
    "binary": "#555555",
    "sinusoidal": SIN,
    "rope": QUERY,
    "absolute": COS,
}
SEQUENTIAL = "Viridis"
GRID = "#E5E5E5"


def buttons(items: list, *, x: float = 0.0, y: float = 1.12, active: int = 0,
            direction: str = "right") -> dict:
    """A row of plotly buttons (an ``updatemenu``) from ``items`` (dicts with label, method, args)."""
    return dict(
        type="buttons",
        direction=direction,
        active=active,
        showactive=True,
        x=x,
        y=y,
        xanchor="left",
        yanchor="bottom",
        pad=dict(r=4, t=2, b=2, l=0),
        font=dict(size=12),
        buttons=items,
    )


def play_controls(frame_names: list, *, prefix: str, duration: int = 120,
                  y: float = -0.06) -> tuple:
    """``(updatemenus, sliders)`` for an animation: play / pause buttons and a frame slider."""
    play = dict(
        label="\u25B6 play",
        method="animate",
        args=[None, dict(frame=dict(duration=duration, redraw=True), fromcurrent=True,
                         transition=dict(duration=0), mode="immediate")],
    )
    pause = dict(
        label="\u275A\u275A pause",
        method="animate",
        args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate",
                           transition=dict(duration=0))],
    )
    menu = buttons([play, pause], x=0.0, y=y, direction="right")
    menu.update(yanchor="top", pad=dict(t=36, r=10))
    steps = [
        dict(method="animate", label=str(name),
             args=[[str(name)], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                     transition=dict(duration=0))])
        for name in frame_names
    ]
    track = slider(steps, prefix=prefix, y=y)
    track.update(x=0.24, len=0.76)  # clear of the buttons on a narrow page
    return [menu], [track]


def step_args(traces: dict, layout: dict | None = None) -> list:
    """A slider step's ``args`` (method "update") from per-trace changes.

    ``traces`` maps a trace index to the properties that change, ``{index: {prop: value}}``
    (a property one trace lacks is ``None`` for it); ``layout`` holds relayout paths such as
    ``"annotations[1].text"``. The live widgets apply the same changes to a kept figure.
    """
    keys = list(dict.fromkeys(key for changes in traces.values() for key in changes))
    restyle = {key: [changes.get(key) for changes in traces.values()] for key in keys}
    return [restyle, layout or {}, list(traces)]


def apply_changes(fig: go.Figure, traces: dict, layout: dict | None = None) -> go.Figure:
    """Apply ``(traces, layout)`` changes (the module's "changes" shape) to ``fig`` in place.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure to change; it must have every trace index named in ``traces``.
    traces : dict
        ``{trace index: {property: value}}``; a property may be a nested path such as
        ``"line_color"``.
    layout : dict, optional
        Relayout paths and their values, e.g. ``{"annotations[0].text": "..."}``.

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig`` itself.

    Raises
    ------
    TypeError
        When ``fig`` is not a plotly figure or ``traces`` / ``layout`` are not dicts.
    ValueError
        When ``traces`` names a trace index the figure does not have.
    """
    if not isinstance(fig, go.Figure):
        fail("fig", "a plotly Figure", fig, kind=TypeError)
    if not isinstance(traces, dict):
        fail("traces", "a dict {trace index: {property: value}}", traces, kind=TypeError)
    if layout is not None and not isinstance(layout, dict):
        fail("layout", "a dict of relayout paths", layout, kind=TypeError)
    for index, changes in traces.items():
        if not 0 <= int(index) < len(fig.data):
            fail("traces", f"trace indices below {len(fig.data)}", index)
        fig.data[index].update(changes)
    if layout:
        fig.plotly_relayout(layout)
    return fig


def discrete_colorscale(colors: list) -> list:
    """A plotly colorscale showing integer codes 0 … k−1 in ``colors`` (use zmin=−0.5, zmax=k−0.5)."""
    k = len(colors)
    scale = []
    for i, color in enumerate(colors):
        scale += [[i / k, color], [(i + 1) / k, color]]
    return scale


def set_narrow(fig: go.Figure, traces: dict | None = None, layout: dict | None = None) -> go.Figure:
    """Give ``fig`` changes for narrow screens, in the ``(traces, layout)`` shape of ``*_changes``.

    The book's ``figures.js`` applies them while the figure's box is narrower than
    ``NARROW_WIDTH`` pixels (a phone) and restores the figure's own values when it is wider
    again. They are stored in ``fig.layout.meta["narrow"]``; calls add to what is there. In a
    live kernel they do nothing.
    """
    if not isinstance(fig, go.Figure):
        fail("fig", "a plotly Figure", fig, kind=TypeError)
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    narrow = meta.get("narrow", {"traces": {}, "layout": {}})
    for index, changes in (traces or {}).items():
        if not 0 <= int(index) < len(fig.data):
            fail("traces", f"trace indices below {len(fig.data)}", index)
        narrow["traces"].setdefault(str(int(index)), {}).update(changes)
    narrow["layout"].update(layout or {})
    meta["narrow"] = narrow
    fig.layout.meta = meta
    return fig


def _panels(fig: go.Figure) -> list:
    """``(kind, name, x domain, y domain)`` of every subplot, top row first, then left to right."""
    layout = fig.layout
    panels = []
    for name in layout:
        if name.startswith("xaxis") and layout[name].anchor not in (None, "free"):
            axis = layout[name]
            yname = "yaxis" + axis.anchor[1:]
            panels.append(("xy", (name, yname), tuple(axis.domain), tuple(layout[yname].domain)))
        elif name.startswith(("scene", "polar")) and layout[name].domain.x is not None:
            domain = layout[name].domain
            panels.append((name.rstrip("0123456789"), (name,), tuple(domain.x), tuple(domain.y)))
    panels.sort(key=lambda p: (-round(p[3][1], 3), round(p[2][0], 3)))
    return panels


def stacked_layout(fig: go.Figure, *, panel_height: int = 250, gap: int = 90,
                   top: int = 60, bottom: int = 60) -> tuple:
    """Narrow-screen changes that stack a grid of subplots into one column.

    Every subplot (2-D axes, 3-D scene or polar) gets the full width and ``panel_height``
    pixels, in reading order (top row first, left to right); subplot titles and colour bars
    move with their panels; the figure's height grows to fit. ``top`` and ``bottom`` are the
    pixels kept above the first and below the last panel (title, legend, sliders).
    Returns ``(traces, layout)`` for :func:`set_narrow`.
    """
    panels = _panels(fig)
    n = len(panels)
    height = top + bottom + n * panel_height + (n - 1) * gap
    changes, traces = {"height": height}, {}
    margin_t = fig.layout.margin.t if fig.layout.margin.t is not None else 70
    margin_b = fig.layout.margin.b if fig.layout.margin.b is not None else 60
    plot = height - margin_t - margin_b
    annotations = list(fig.layout.annotations or ())
    for k, (kind, names, xdom, ydom) in enumerate(panels):
        y1 = 1 - (top - margin_t + k * (panel_height + gap)) / plot
        y0 = y1 - panel_height / plot
        if kind == "xy":
            changes[f"{names[0]}.domain"] = [0, 1]
            changes[f"{names[1]}.domain"] = [round(y0, 4), round(y1, 4)]
        else:
            changes[f"{names[0]}.domain.x"] = [0, 1]
            changes[f"{names[0]}.domain.y"] = [round(y0, 4), round(y1, 4)]
        for i, note in enumerate(annotations):  # subplot titles sit centred just above a panel
            if (note.xref == "paper" and note.yref == "paper" and note.x is not None
                    and abs(note.x - (xdom[0] + xdom[1]) / 2) < 1e-3 and abs(note.y - ydom[1]) < 1e-3):
                changes[f"annotations[{i}].x"] = 0.5
                changes[f"annotations[{i}].y"] = round(y1, 4)
        for i, trace in enumerate(fig.data):
            shows = "showscale" in trace and trace.showscale is not False
            on_panel = (getattr(trace, "xaxis", None) or "x") == "x" + names[0][5:] if kind == "xy" \
                else (getattr(trace, "scene", None) or getattr(trace, "subplot", None) or kind) == names[0]
            if shows and on_panel:
                traces[i] = {"colorbar.y": round((y0 + y1) / 2, 4), "colorbar.yanchor": "middle",
                             "colorbar.len": round(y1 - y0, 4), "colorbar.lenmode": "fraction"}
    return traces, changes
