"""The built book in a real browser: every page, offline.

Needs the built book (``python3 dev.py book``) and Chromium (Debian's ``chromium``; set
``ROPE_VIZ_CHROMIUM`` to use another binary). ``python3 dev.py test`` provides both. The
pages are served on 127.0.0.1 and every request elsewhere is blocked and reported, so a page
that needs the network fails here.

Figures (``div.rv-figure``) are drawn by ``book/_static/figures.js`` when they come near the
screen; the tests draw them all (:meth:`LoadedPage.draw_figures`). The screen tests open every
page with figures at phone (390 px) and laptop (1366 px) width, in light and dark mode, and
check each figure with ``tests/figure_layout.py``: no text box overlaps another or leaves the
figure.

Run with ``pytest tests/test_browser.py``.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest
from figure_layout import FIGURE_PROBLEMS_JS

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHAPTER_PAGES = sorted(f"book/{p.stem}.html" for p in (ROOT / "book").glob("*.ipynb"))
PAGES = sorted(f"book/{p.stem}.html" for p in (ROOT / "book").glob("*.ipynb")) + sorted(
    f"book/{p.stem}.html" for p in (ROOT / "book").glob("*.md")
)
MAX_PAGE_BYTES = 1_000_000

pytestmark = pytest.mark.browser


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built book in {HTML}: run `python3 dev.py book` first")
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("ROPE_VIZ_CHROMIUM") or shutil.which("chromium")
    if not executable:
        pytest.fail("Chromium not found: install Debian's chromium or set ROPE_VIZ_CHROMIUM")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


FIGURE_PAGES = [p for p in PAGES if (HTML / p).exists() and 'class="rv-figure"' in (HTML / p).read_text()]
SCREENS = [(width, scheme) for width in (390, 1366) for scheme in ("light", "dark")]


class LoadedPage:
    """A page opened with every non-local request blocked, its errors collected."""

    def __init__(self, browser, site: str, path: str, *, width: int = 1280, scheme: str = "light",
                 reduced_motion: str = "no-preference"):
        self.path = path
        self.blocked: list = []
        self.errors: list = []
        self.page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme,
                                     reduced_motion=reduced_motion)
        self.page.route("**/*", self._route)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("console", self._console)
        self.page.goto(f"{site}/{path}", wait_until="load")
        # MathJax typesets asynchronously: wait for it to load, then for its first pass.
        self.page.wait_for_function("() => !window.MathJax || window.MathJax.startup", timeout=30_000)
        self.page.evaluate(
            "() => window.MathJax && window.MathJax.startup ? window.MathJax.startup.promise.then(() => true) : true"
        )

    def draw_figures(self) -> int:
        """Draw every figure on the page now (as scrolling would) and wait for them; their count."""
        count = self.page.evaluate("""() => {
            const boxes = [...document.querySelectorAll('div.rv-figure')];
            boxes.forEach(box => window.ropeViz.draw(box));
            return boxes.length;
        }""")
        if count:
            self.page.wait_for_function(
                "() => [...document.querySelectorAll('div.rv-figure')]"
                ".every(b => b.dataset.rvState === 'drawn' || b.dataset.rvState === 'failed')",
                timeout=60_000)
            self.page.wait_for_timeout(200)  # narrow-screen changes are applied after the draw
        return count

    def _route(self, route):
        if route.request.url.startswith("http://127.0.0.1"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"console error: {message.text}")

    def close(self):
        self.page.close()


@pytest.fixture(scope="module")
def pages(browser, site):
    opened = {}

    def open_once(path: str) -> LoadedPage:
        if path not in opened:
            opened[path] = LoadedPage(browser, site, path)
            opened[path].draw_figures()
        return opened[path]

    yield open_once
    for page in opened.values():
        page.close()


def test_every_page_is_built_and_small():
    for path in PAGES:
        file = HTML / path
        assert file.exists(), f"{path} was not built"
        size = file.stat().st_size
        assert size < MAX_PAGE_BYTES, f"{path} is {size / 1e6:.2f} MB (limit 1 MB, shared assets excluded)"


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_offline_without_errors(pages, path):
    page = pages(path)
    assert not page.blocked, f"{path} tried to reach the network: {page.blocked[:5]}"
    assert not page.errors, f"{path}: {page.errors[:5]}"


@pytest.mark.parametrize("path", PAGES)
def test_every_formula_is_typeset(pages, path):
    page = pages(path).page
    counts = page.evaluate(
        """() => {
            const maths = [...document.querySelectorAll('.math')];
            return {
                total: maths.length,
                typeset: maths.filter(m => m.querySelector('mjx-container')).length,
                errors: document.querySelectorAll('mjx-merror').length,
                raw: maths.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 60)),
            };
        }"""
    )
    assert counts["typeset"] == counts["total"], f"{path}: formulas left as raw TeX: {counts['raw'][:3]}"
    assert counts["errors"] == 0, f"{path}: {counts['errors']} formulas have TeX errors"


@pytest.mark.parametrize("path", PAGES)
def test_every_plotly_figure_draws(pages, path):
    page = pages(path).page
    result = page.evaluate(
        """() => {
            const boxes = [...document.querySelectorAll('div.rv-figure')];
            return {total: boxes.length,
                    drawn: boxes.filter(b => b.querySelector('.rv-plot svg.main-svg')).length};
        }"""
    )
    assert result["drawn"] == result["total"], f"{path}: {result['total'] - result['drawn']} figures did not draw"


@pytest.mark.parametrize("path", PAGES)
def test_no_widget_leaves_a_blank_hole(pages, path):
    holes = pages(path).page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    assert holes == 0, f"{path}: {holes} widget outputs that cannot render without a kernel"


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_chapter_has_binder_and_colab_buttons(pages, path):
    page = pages(path).page
    notebook = path.replace(".html", ".ipynb")
    binder = page.locator('a[href*="mybinder.org"]')
    colab = page.locator('a[href*="colab.research.google.com"]')
    assert binder.count() >= 1, f"{path} has no Binder button"
    assert colab.count() >= 1, f"{path} has no Colab button"
    assert colab.first.get_attribute("href").endswith(notebook), f"{path}: Colab does not open {notebook}"


def test_some_page_has_a_slider():
    found = [p for p in CHAPTER_PAGES if "slider" in (HTML / p).read_text()]
    assert found, "no chapter has a plotly slider to test"


# Everything drawn: data and layout, less the controls' own state (a slider's `active` index
# changes on any click, whether or not the figure does).
FIGURE_STATE = """el => {
    const {sliders, updatemenus, ...layout} = el.layout;
    return JSON.stringify([el.data, layout]);
}"""


def wait_for_change(page, figure, before: str) -> str:
    """The figure's state once it differs from ``before`` (animations take a moment), or as is."""
    after = before
    for _ in range(40):
        page.wait_for_timeout(100)
        after = figure.evaluate(FIGURE_STATE)
        if after != before:
            break
    return after


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_clicking_every_slider_changes_the_figure(pages, path):
    page = pages(path).page
    figures = page.locator(".rv-plot:has(g.slider-container)")
    if figures.count() == 0:
        pytest.skip(f"{path} has no slider")
    for index in range(figures.count()):
        figure = figures.nth(index)
        figure.scroll_into_view_if_needed()
        rails = figure.locator("rect.slider-rail-touch-rect")
        for number in range(rails.count()):
            # Click near one end of the rail, then the other: one of them is not the current step.
            changed = False
            for end in ("right", "left"):
                before = figure.evaluate(FIGURE_STATE)
                box = rails.nth(number).bounding_box()
                x = box["x"] + (box["width"] - 4 if end == "right" else 4)
                page.mouse.click(x, box["y"] + box["height"] / 2)
                if wait_for_change(page, figure, before) != before:
                    changed = True
                    break
            assert changed, f"{path}: figure {index}, slider {number} moved but the figure did not change"


def test_some_chapter_has_a_play_button():
    marks = ("\\u25b6 play", "\u25b6 play")  # as plotly's JSON writes it, or verbatim
    found = [p for p in CHAPTER_PAGES if any(m in (HTML / p).read_text() for m in marks)]
    assert found, "no chapter has an animation with a play button to test"


@pytest.mark.parametrize("path", CHAPTER_PAGES)
def test_play_buttons_animate_the_figure(pages, path):
    page = pages(path).page
    figures = page.locator(".rv-plot:has(g.updatemenu-button:has-text('play'))")
    if figures.count() == 0:
        pytest.skip(f"{path} has no play button")
    for index in range(figures.count()):
        figure = figures.nth(index)
        button = figure.locator("g.updatemenu-button", has_text="play").first
        button.scroll_into_view_if_needed()
        before = figure.evaluate(FIGURE_STATE)
        button.click()
        after = wait_for_change(page, figure, before)
        pause = figure.locator("g.updatemenu-button", has_text="pause")
        if pause.count():
            pause.first.click()
        assert after != before, f"{path}: figure {index}'s play button was pressed but nothing moved"


ANIMATED_PAGES = [p for p in CHAPTER_PAGES
                  if (HTML / p).exists() and '"method":"animate"' in (HTML / p).read_text()]


@pytest.mark.parametrize("path", PAGES)
def test_no_page_starts_an_animation_by_itself(path):
    """Animations wait for the reader's click: plotly's to_html calls Plotly.animate on load
    unless auto_play=False, which would carry a reader who scrolls down past the start the
    prose describes (and ignore prefers-reduced-motion)."""
    text = (HTML / path).read_text(encoding="utf-8")
    assert "Plotly.animate(" not in text, f"{path} starts an animation on load"


@pytest.mark.parametrize("path", ANIMATED_PAGES)
def test_animated_figures_stay_on_their_first_frame_until_asked(browser, site, path):
    loaded = LoadedPage(browser, site, path)  # a fresh page: other tests move the shared ones
    loaded.draw_figures()
    page = loaded.page
    read = """() => [...document.querySelectorAll('.rv-plot')]
        .filter(gd => gd._transitionData && gd._transitionData._frames.length)
        .map(gd => (gd.layout.sliders || []).map(s => s.active || 0))"""
    first = page.evaluate(read)
    assert first, f"{path}: no animated figure found"
    page.wait_for_timeout(1500)
    later = page.evaluate(read)
    loaded.close()
    assert later == first
    assert all(active == 0 for sliders in first for active in sliders[:1]), first


# --- Screens: phone and laptop, light and dark -------------------------------------------


@pytest.mark.parametrize("width,scheme", SCREENS)
@pytest.mark.parametrize("path", FIGURE_PAGES)
def test_figures_read_well_on_every_screen(browser, site, path, width, scheme):
    """No text box in any figure overlaps another or leaves the figure; the page does not
    scroll sideways; the figure has no background of its own (the page's shows through) and
    its text takes the theme's colour."""
    loaded = LoadedPage(browser, site, path, width=width, scheme=scheme)
    try:
        assert loaded.draw_figures() > 0
        page = loaded.page
        theme = page.evaluate("() => document.documentElement.dataset.theme")
        assert theme == scheme, f"{path}: the page's theme is {theme}, the reader asked for {scheme}"
        problems = []
        for index, box in enumerate(page.query_selector_all("div.rv-figure")):
            box.scroll_into_view_if_needed()
            title = box.evaluate("b => b.getAttribute('aria-label')")
            problems += [f"figure {index} ({title[:40]}): {p}" for p in box.evaluate(FIGURE_PROBLEMS_JS)]
            colours = box.evaluate("""b => { const f = b.querySelector('.rv-plot')._fullLayout;
                return [f.paper_bgcolor, f.plot_bgcolor, f.font.color]; }""")
            cards = box.evaluate("""b => { // any box around the figure painted other than the page
                const page = getComputedStyle(document.body).backgroundColor, cards = [];
                for (let n = b; n && n !== document.body; n = n.parentElement) {
                    const c = getComputedStyle(n).backgroundColor;
                    if (c !== page && c !== 'rgba(0, 0, 0, 0)') cards.push(`${n.className}: ${c}`);
                }
                return cards; }""")
            problems += [f"figure {index} ({title[:40]}): sits on a card: {card}" for card in cards]
            ink = "#CED6DD" if scheme == "dark" else "#222222"
            if colours != ["rgba(0,0,0,0)", "rgba(0,0,0,0)", ink]:
                problems.append(f"figure {index} ({title[:40]}): colours {colours} do not follow the {scheme} theme")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"the page scrolls sideways by {overflow} px")
        assert not problems, f"{path} at {width} px, {scheme}:\n" + "\n".join(problems)
    finally:
        loaded.close()


@pytest.mark.parametrize("path", [p for p in PAGES if p not in FIGURE_PAGES])
def test_pages_without_figures_do_not_scroll_sideways_on_a_phone(browser, site, path):
    loaded = LoadedPage(browser, site, path, width=390)
    try:
        overflow = loaded.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at 390 px"
    finally:
        loaded.close()


def test_figures_follow_the_theme_switch_after_load(browser, site):
    """Flipping the theme (the switch sets data-theme on <html>) recolours drawn figures."""
    path = "book/rope_derived.html"
    loaded = LoadedPage(browser, site, path, scheme="light")
    try:
        loaded.draw_figures()
        page = loaded.page
        ink = "() => [...document.querySelectorAll('.rv-plot')].map(g => g._fullLayout.font.color)"
        assert set(page.evaluate(ink)) == {"#222222"}
        page.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")
        page.wait_for_function("() => [...document.querySelectorAll('.rv-plot')]"
                               ".every(g => g._fullLayout.font.color === '#CED6DD')", timeout=10_000)
    finally:
        loaded.close()


def test_reduced_motion_leaves_a_slider_and_no_play_button(browser, site):
    path = ANIMATED_PAGES[0] if ANIMATED_PAGES else pytest.skip("no animation in the book")
    loaded = LoadedPage(browser, site, path, reduced_motion="reduce")
    try:
        loaded.draw_figures()
        page = loaded.page
        animated = page.locator(".rv-plot:has(g.slider-container)")
        assert animated.count() > 0
        assert page.locator(".rv-plot g.updatemenu-button:has-text('play')").count() == 0
    finally:
        loaded.close()


def test_plotly_js_is_not_a_blocking_script():
    """plotly.js (4.7 MB) is fetched by figures.js, never by a <script> tag in the page."""
    for path in FIGURE_PAGES:
        text = (HTML / path).read_text()
        assert "plotly.min.js" not in text, f"{path} links plotly.js directly"
        assert "_static/figures.js" in text, f"{path} does not load figures.js"


def test_figures_far_below_the_fold_wait_until_scrolled_near(browser, site):
    path = max(FIGURE_PAGES, key=lambda p: (HTML / p).read_text().count('class="rv-figure"'))
    loaded = LoadedPage(browser, site, path, width=1366)
    try:
        page = loaded.page
        page.wait_for_timeout(500)
        states = page.evaluate("() => [...document.querySelectorAll('div.rv-figure')]"
                               ".map(b => [b.getBoundingClientRect().top, b.dataset.rvState || ''])")
        far = [state for top, state in states if top > 4000]
        assert far and all(state == "" for state in far), states
        last = page.query_selector_all("div.rv-figure")[-1]
        last.scroll_into_view_if_needed()
        page.wait_for_function("b => b.dataset.rvState === 'drawn'", arg=last, timeout=30_000)
    finally:
        loaded.close()


def _first_paint_ms(browser, url: str) -> float:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
               else route.abort())
    page.goto(url, wait_until="load")
    page.wait_for_function("() => performance.getEntriesByName('first-contentful-paint').length > 0")
    value = page.evaluate("() => performance.getEntriesByName('first-contentful-paint')[0].startTime")
    page.close()
    return value


def test_figure_pages_paint_first_about_as_fast_as_plain_pages(browser, site):
    """First contentful paint of the page with the most figures against a page without any,
    medians of five loads each, interleaved in one run (a ratio, not a time: machines differ)."""
    import statistics

    heavy = max(FIGURE_PAGES, key=lambda p: (HTML / p).stat().st_size)
    plain = "book/bibliography.html"
    times = {heavy: [], plain: []}
    for _ in range(5):
        for path in times:
            times[path].append(_first_paint_ms(browser, f"{site}/{path}"))
    ratio = statistics.median(times[heavy]) / statistics.median(times[plain])
    assert ratio <= 1.5, f"{heavy} first paints {ratio:.2f}x later than {plain}: {times}"
