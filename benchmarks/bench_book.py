"""Build-time and page-size table for the book.

    .venv/bin/python benchmarks/bench_book.py            # cold build, cached rebuild, page sizes
    .venv/bin/python benchmarks/bench_book.py --sizes    # page sizes of the current build only

A cold build executes every chapter (the execution cache and Sphinx's environment are
removed first); a cached rebuild runs the same command again with nothing changed. Page
sizes count each HTML page alone, without the shared static assets (plotly.js, MathJax, the
theme) that a browser loads once for the whole book. Goals: cold build under 6 minutes on 2
CPU cores, cached rebuild under 45 seconds, every page under 1 MB.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
GOALS = {"cold build": 360.0, "cached rebuild": 45.0}


def build() -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "dev.py"), "book"], cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"build failed:\n{result.stderr[-2000:]}")
    return time.perf_counter() - start


def page_sizes() -> list:
    html = BUILD / "html"
    if not html.exists():
        sys.exit("no build: run `python3 dev.py book` first")
    return sorted((p.relative_to(html).as_posix(), p.stat().st_size) for p in (html / "book").glob("*.html"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", action="store_true", help="only list page sizes")
    args = parser.parse_args()
    if not args.sizes:
        for path in (BUILD / ".jupyter_cache", BUILD / ".doctrees", BUILD / "html",
                     BUILD / ".rope_viz-sources"):
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        timings = {"cold build": build(), "cached rebuild": build()}
        print(f"{'measure':<16} {'seconds':>8} {'goal':>8}")
        for name, seconds in timings.items():
            print(f"{name:<16} {seconds:>8.1f} {GOALS[name]:>8.0f}")
        print()
    print(f"{'page':<40} {'KB':>8}")
    for name, size in page_sizes():
        flag = "  over 1 MB" if size >= 1_000_000 else ""
        print(f"{name:<40} {size / 1e3:>8.1f}{flag}")
    static = sum(p.stat().st_size for p in (BUILD / "html" / "_static").rglob("*") if p.is_file())
    print(f"{'shared _static (loaded once)':<40} {static / 1e3:>8.1f}")


if __name__ == "__main__":
    main()
