"""Time every live widget's redraw: recompute plus figure update, as a reader moving a control sees it.

Usage: ``python benchmarks/bench_widgets.py [--repeats 15] [--only NAME ...]``

Each ``*_widget`` in :mod:`rope_viz.widgets` is built with its defaults. Each of its controls in
turn is then moved back and forth between two values inside its range, ``repeats`` times; each
move runs the widget's own callback (``ipywidgets.interactive_output``): the math, the update of
the plotly figure, and the figure's serialisation to JSON, which is what a kernel sends to the
browser. "rebuild" times the same moves when the widget draws its figure from scratch each time
(what the widgets did before they kept their figure). (Outside a kernel ``IPython.display.display`` would print the figure's repr instead, so
it is replaced here by the JSON serialisation; the browser's own drawing time is not included.)
The target is a median under 50 ms at default sizes.

"open ms" is the time to open each widget: build its controls and draw its first figure
(``plot_*(..., controls=False)``, serialised as a kernel would), median of ``repeats`` opens
after one warm-up. The target is under 500 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time

import IPython.display
import plotly.io as pio

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


def time_moves(box, control, values: list, repeats: int, rebuild: bool) -> list[float]:
    """Seconds per move of ``control``; with ``rebuild`` the widget first drops its figure."""
    times = []
    for i in range(repeats + 1):
        if rebuild:
            box.figure = None  # the widget then draws its figure from scratch
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
    """One row per control of widget ``name``: update and rebuild times of a move, JSON size."""
    box = getattr(rope_viz.widgets, name)()
    rows = []
    for label, control in box.controls.items():
        values = two_values(control)
        rebuild = time_moves(box, control, values, repeats, rebuild=True)
        update = time_moves(box, control, values, repeats, rebuild=False)
        rows.append(dict(widget=name, control=label, median=statistics.median(update) * 1e3,
                         best=min(update) * 1e3, rebuild=statistics.median(rebuild) * 1e3,
                         kb=len(sent[-1]) / 1e3))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--only", nargs="*", default=None, help="widget names to time")
    args = parser.parse_args()
    sent: list = []
    # What a kernel does with a displayed figure: serialise it for the front end.
    IPython.display.display = lambda *objs, **kwargs: sent.append(pio.to_json(objs[0]))
    names = args.only or rope_viz.widgets.__all__
    opens = {name: time_open(name, args.repeats) * 1e3 for name in names}
    rows = [row for name in names for row in time_widget(name, args.repeats, sent)]
    print(f"widget redraw, median of {args.repeats} moves per control "
          f"(target < {TARGET_MS:.0f} ms)\n")
    print(f"| {'widget':30s} | {'control moved':13s} | median ms | best ms | rebuild ms "
          f"| JSON KB | < target |")
    print(f"| {'-' * 30} | {'-' * 13} | --------: | ------: | ---------: | ------: | :------: |")
    for r in rows:
        ok = "yes" if r["median"] < TARGET_MS else "no"
        print(f"| {r['widget']:30s} | {r['control']:13s} | {r['median']:9.1f} | "
              f"{r['best']:7.1f} | {r['rebuild']:10.1f} | {r['kb']:7.0f} | {ok:^8s} |")
    print(f"\nwidget open (controls + first figure), median of {args.repeats} opens "
          f"(target < {OPEN_TARGET_MS:.0f} ms)\n")
    print(f"| {'widget':30s} | open ms | < target |")
    print(f"| {'-' * 30} | ------: | :------: |")
    for name, ms in opens.items():
        ok = "yes" if ms < OPEN_TARGET_MS else "no"
        print(f"| {name:30s} | {ms:7.1f} | {ok:^8s} |")

if __name__ == "__main__":
    main()
