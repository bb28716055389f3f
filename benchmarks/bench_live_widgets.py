"""Slider to pixels: every live widget moved in a real JupyterLab, timed end to end in Chromium.

Usage: ``.venv/bin/python benchmarks/bench_live_widgets.py [--moves 9] [--scratch] [--only NAME ...] [--out FILE]``

Starts JupyterLab on 127.0.0.1 (``tests/live_jupyter.py``: free port, random token, no news
or update checks, every request off 127.0.0.1 blocked), opens each chapter with a live widget
cell (a code cell calling ``rope_viz.*_widget(``) in headless Chromium, runs all its cells,
and moves each control of each widget ``--moves`` times, alternating right and left (sliders:
the focused handle gets ArrowRight/ArrowLeft; dropdowns: the next or previous option;
checkboxes: a click; the config text area: its ``rope_theta`` doubled or halved, then Tab).
With ``--scratch`` it opens instead a temporary notebook that builds every widget of
``rope_viz.widgets.__all__`` with its defaults.

What is timed, in the page: from the input event (a capturing ``keydown``/``pointerdown``/
``input`` listener records ``performance.now()``) to the first animation frame at which the
widget's drawn figure (the ``svg.main-svg`` elements in its output) differs from before the
move and is complete (present, non-empty, traces drawn). That frame is the one that paints the
new figure, so the time covers the message to the kernel, the recomputation, the message back,
and the browser's redraw. "KiB" is what the page received on its websockets (the kernel's
messages) during the move. The target is a median under 150 ms per widget at default sizes.

``--out FILE`` writes the rows as JSON with the date, the git commit, the versions of
jupyterlab, ipywidgets, plotly and anywidget, and the machine. To measure an older state, run
this script from an exported tree of that commit (``git archive COMMIT | tar -x -C DIR``, with
``PYTHONPATH=DIR`` so the kernel imports that tree's rope_viz) and name it with ``--commit``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from live_jupyter import LivePage, jupyter_lab, launch_chromium, scratch_notebook, widget_chapters  # noqa: E402

TARGET_MS = 150.0
SCRATCH = "live_widgets_scratch.ipynb"


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def provenance(commit: str | None = None) -> dict:
    dirty = None
    if commit is None:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "rope_viz"], cwd=ROOT,
                                    capture_output=True, text=True).stdout.strip())
    import rope_viz

    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit, "rope_viz_uncommitted_changes": dirty,
        "rope_viz_from": str(Path(rope_viz.__file__).parent),
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "versions": {name: _version(name) for name in
                     ("jupyterlab", "ipywidgets", "plotly", "anywidget", "playwright", "rope_viz")},
        "machine": {"platform": platform.platform(), "processor": platform.machine(),
                    "cpus": os.cpu_count(), "python": platform.python_version()},
    }


def bench_notebook(browser, lab, notebook: str, moves: int, only: set[str], log) -> list[dict]:
    page = LivePage(browser, lab, notebook)
    rows = []
    try:
        ran = page.run_all()
        log(f"{notebook}: ran all cells in {ran:.1f} s")
        for index, widget in enumerate(page.list_widgets()):
            if only and widget["widget"] not in only:
                continue
            if not widget["drawn"]:
                log(f"  {widget['widget']}: figure not drawn after running the cell")
            for control in widget["controls"]:
                page.move(index, control, 0)  # warm-up, not counted
                timings = [page.move(index, control, step) for step in range(1, moves + 1)]
                times = [t["ms"] for t in timings if t["ms"] is not None]
                rows.append({
                    "notebook": notebook, "widget": widget["widget"], "control": control["label"],
                    "kind": control["kind"], "moves": moves, "missed": moves - len(times),
                    "median_ms": statistics.median(times) if times else None,
                    "min_ms": min(times) if times else None, "max_ms": max(times) if times else None,
                    "bytes_per_move": statistics.median(t["bytes"] for t in timings),
                    "times_ms": times,
                })
        if page.external:
            log(f"  requests off 127.0.0.1 (blocked): {page.external}")
        errors = page.error_outputs()
        if errors:
            log(f"  error outputs: {errors}")
    finally:
        page.close()
    return rows


def table(rows: list[dict]) -> str:
    lines = [f"{'widget':28} {'control':16} {'median ms':>9} {'min':>7} {'max':>7} {'KiB/move':>9} {'missed':>6}"]
    for r in rows:
        def ms(v):
            return f"{v:7.0f}" if v is not None else "      -"
        lines.append(f"{r['widget']:28} {r['control'][:16]:16} {ms(r['median_ms']):>9} {ms(r['min_ms'])} "
                     f"{ms(r['max_ms'])} {r['bytes_per_move'] / 1024:9.1f} {r['missed']:6d}")
    by_widget: dict[str, list[float]] = {}
    for r in rows:
        by_widget.setdefault(r["widget"], []).extend(r["times_ms"])
    lines.append("")
    lines.append(f"{'widget':28} {'median ms (all moves)':>22}  target < {TARGET_MS:.0f} ms")
    for name, times in by_widget.items():
        median = statistics.median(times) if times else float("nan")
        lines.append(f"{name:28} {median:22.0f}  {'ok' if median < TARGET_MS else 'OVER'}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--moves", type=int, default=9, help="timed moves per control (default 9)")
    parser.add_argument("--scratch", action="store_true",
                        help="a temporary notebook with every widget at its defaults, not the chapters")
    parser.add_argument("--only", nargs="*", default=[], help="widget function names to keep")
    parser.add_argument("--out", type=Path, help="write the rows and their provenance as JSON")
    parser.add_argument("--commit", help="the commit measured, when this is not a git checkout")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    import rope_viz.widgets

    def log(message):
        print(message, file=sys.stderr, flush=True)

    extra = {}
    if args.scratch:
        names = [n for n in rope_viz.widgets.__all__ if not args.only or n in args.only]
        extra[SCRATCH] = scratch_notebook(names)
        notebooks = [SCRATCH]
    else:
        notebooks = [f"{stem}.ipynb" for stem in widget_chapters()]
    start = time.monotonic()
    rows = []
    with jupyter_lab(notebooks=extra) as lab, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for notebook in notebooks:
                rows += bench_notebook(browser, lab, notebook, args.moves, set(args.only), log)
        finally:
            browser.close()
    print(table(rows))
    log(f"total {time.monotonic() - start:.0f} s")
    if args.out:
        result = {**provenance(args.commit), "target_ms": TARGET_MS, "moves": args.moves,
                  "scratch": args.scratch, "rows": rows}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1) + "\n")
        log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
