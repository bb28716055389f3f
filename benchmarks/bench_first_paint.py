"""How soon a reader sees a page: first contentful paint of figure pages against a page
without figures, in headless Chromium, served on 127.0.0.1 from the built book.

Loads are interleaved (plain page, then each figure page, repeated), so the ratios come from
one run on one machine. For each page it prints the median first contentful paint (FCP), the
ratio to the plain page, the median time to scroll through the page, stopping at each
figure until it is drawn, the page's own bytes (its HTML) and all bytes fetched by the load.

    .venv/bin/python benchmarks/bench_first_paint.py [--html _build/html] [--rounds 5]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import statistics
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLAIN = "book/bibliography.html"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def measure(browser, url: str) -> dict:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    fetched = []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
               else route.abort())  # the book works offline; nothing else is asked for
    page.on("response", lambda r: fetched.append(r))
    page.goto(url, wait_until="load", timeout=180_000)
    page.wait_for_function("() => performance.getEntriesByName('first-contentful-paint').length")
    fcp = page.evaluate("() => performance.getEntriesByName('first-contentful-paint')[0].startTime")
    # Scroll through the page as a reader would; time until every figure is drawn.
    drawn = page.evaluate("""async () => {
        const boxes = [...document.querySelectorAll('div.rv-figure, .plotly-graph-div')];
        const start = performance.now();
        for (const box of boxes) {  // stop at each figure until it is drawn
            box.scrollIntoView();
            while (box.classList.contains('rv-figure') && box.dataset.rvState !== 'drawn'
                   && box.dataset.rvState !== 'failed' && performance.now() - start < 60000) {
                await new Promise(r => requestAnimationFrame(r));
            }
        }
        return [boxes.length, performance.now() - start];
    }""")
    size = 0
    for response in fetched:
        try:
            size += len(response.body())
        except Exception:  # noqa: BLE001 - redirects and aborted requests have no body
            pass
    page.close()
    return {"fcp": fcp, "figures": drawn[0], "drawn_ms": drawn[1], "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    pages = [PLAIN] + sorted(
        f"book/{p.name}" for p in (args.html / "book").glob("*.html")
        if p.name != Path(PLAIN).name and any(
            mark in p.read_text(errors="ignore") for mark in ('class="rv-figure"', "plotly-graph-div")))
    handler = functools.partial(_Quiet, directory=str(args.html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}"
    executable = os.environ.get("ROPE_VIZ_CHROMIUM") or shutil.which("chromium")
    results = {page: [] for page in pages}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        for page in pages:  # warm the server's and the OS's caches once
            measure(browser, f"{site}/{page}")
        for _ in range(args.rounds):
            for page in pages:
                results[page].append(measure(browser, f"{site}/{page}"))
        browser.close()
    server.shutdown()
    plain = statistics.median(r["fcp"] for r in results[PLAIN])
    print(f"{'page':<32} {'figs':>4} {'FCP ms':>7} {'÷ plain':>7} {'all drawn ms':>12} "
          f"{'own kB':>7} {'fetched kB':>10}")
    for page in pages:
        runs = results[page]
        fcp = statistics.median(r["fcp"] for r in runs)
        own = (args.html / page).stat().st_size / 1e3
        print(f"{page:<32} {runs[0]['figures']:>4} {fcp:>7.0f} {fcp / plain:>7.2f} "
              f"{statistics.median(r['drawn_ms'] for r in runs):>12.0f} {own:>7.0f} "
              f"{statistics.median(r['bytes'] for r in runs) / 1e3:>10.0f}")


if __name__ == "__main__":
    main()
