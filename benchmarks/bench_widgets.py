"""Time every live widget's move in the kernel, and what it sends the page.

Usage: ``python benchmarks/bench_widgets.py [--repeats 15] [--only NAME ...]``

Each ``*_widget`` in :mod:`rope_viz.widgets` is built with its defaults. Each of its controls in
turn is then moved back and forth between two values inside its range, ``repeats`` times; each
move runs the widget's own callback: the math, the update of the kept plotly figure, and the
serialisation of the changed traces and layout that its ``FigureView`` sends the page (the
message is captured here instead of sent). "sent KB" is that message; "whole KB" is the whole
figure, which is what each move sent before the widgets kept a ``FigureView`` (an ipywidgets
``Output`` re-displayed the figure). The page's drawing time is not included here:
``benchmarks/bench_live_widgets.py`` times key press to pixels in a real JupyterLab.
The target is a median under 50 ms at default sizes.

"open ms" is the time to open each widget: build its controls and draw its first figure
(``plot_*(..., controls=False)``, serialised as the view sends it), median of ``repeats``
opens after one warm-up. The target is under 500 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time

import rope_viz.widgets

TARGET_MS = 50.0
OPEN_TARGET_MS = 500.0


def two_values(control) -> list:
    """Two different values inside a control's range: its current one and another."""
    if hasattr(control, "options"):  # Dropdown: options may be (label, value) pairs
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        other = next(v for v in values if v != control.value)
        return [control.value, other]
    if isinstance(control.value, bool):
        return [control.value, not control.value]
    low, high = control.min, control.max
    if hasattr(control, "base"):  # FloatLogSlider: min and max are exponents
        low, high = control.base**low, control.base**high
    other = low + 0.37 * (high - low)
    if isinstance(control.value, int):
        other = int(other) if int(other) != control.value else control.value + 1
    return [control.value, other]


def time_moves(control, values: list, repeats: int) -> list[float]:
    """Seconds per move of ``control``, after one warm-up move."""
    times = []
    for i in range(repeats + 1):
        start = time.perf_counter()
        control.value = values[(i + 1) % 2]
        elapsed = time.perf_counter() - start
        if i:  # the first move warms caches
            times.append(elapsed)
    return times


def time_open(name: str, repeats: int) -> float:
    """Median seconds to open widget ``name`` (controls and first figure), after a warm-up."""
    factory = getattr(rope_viz.widgets, name)
    times = []
    for i in range(repeats + 1):
        start = time.perf_counter()
        factory()
        elapsed = time.perf_counter() - start
        if i:  # the first open warms imports and caches
            times.append(elapsed)
    return statistics.median(times)


def time_widget(name: str, repeats: int, sent: list) -> list[dict]:
    """One row per control of widget ``name``: time of a move, size of what it sends."""
    from rope_viz.widgets import _figure_json

    box = getattr(rope_viz.widgets, name)()
    rows = []
    for label, control in box.controls.items():
        values = two_values(control)
        update = time_moves(control, values, repeats)
        rows.append(dict(widget=name, control=label, median=statistics.median(update) * 1e3,
                         best=min(update) * 1e3, kb=len(sent[-1]) / 1e3,
                         whole=len(_figure_json(box.figure)) / 1e3))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--only", nargs="*", default=None, help="widget names to time")
    args = parser.parse_args()
    sent: list = []
    # Capture each message a view would send the page (its JSON text is what travels).
    rope_viz.widgets.FigureView.send = lambda view, content, buffers=None: sent.append(
        content.get("json", ""))
    # config_report_widget has a text box, not a control to move: it is not timed here.
    names = args.only or [n for n in rope_viz.widgets.__all__ if n != "config_report_widget"]
    opens = {name: time_open(name, args.repeats) * 1e3 for name in names}
    rows = [row for name in names for row in time_widget(name, args.repeats, sent)]
    print(f"widget redraw, median of {args.repeats} moves per control "
          f"(target < {TARGET_MS:.0f} ms)\n")
    print(f"| {'widget':30s} | {'control moved':13s} | median ms | best ms | sent KB "
          f"| whole KB | < target |")
    print(f"| {'-' * 30} | {'-' * 13} | --------: | ------: | ------: | -------: | :------: |")
    for r in rows:
        ok = "yes" if r["median"] < TARGET_MS else "no"
        print(f"| {r['widget']:30s} | {r['control']:13s} | {r['median']:9.1f} | "
              f"{r['best']:7.1f} | {r['kb']:7.1f} | {r['whole']:8.1f} | {ok:^8s} |")
    print(f"\nwidget open (controls + first figure), median of {args.repeats} opens "
          f"(target < {OPEN_TARGET_MS:.0f} ms)\n")
    print(f"| {'widget':30s} | open ms | < target |")
    print(f"| {'-' * 30} | ------: | :------: |")
    for name, ms in opens.items():
        ok = "yes" if ms < OPEN_TARGET_MS else "no"
        print(f"| {name:30s} | {ms:7.1f} | {ok:^8s} |")

if __name__ == "__main__":
    main()
