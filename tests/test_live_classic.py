"""Live widgets in classic Notebook 6.5 with ipywidgets 7.7.1 and plotly 5.24, as Colab ships them.

A second environment (made once, kept in ``_build/live-classic-env``) holds notebook==6.5.7,
ipywidgets==7.7.1, plotly==5.24.1 and anywidget; everything else (torch, numpy, ipykernel's
own dependencies) is the test environment's, seen through a ``.pth`` line that comes after the
pinned packages on ``sys.path``, and rope_viz is this checkout (another ``.pth`` line). The test
starts ``jupyter notebook`` (classic) on 127.0.0.1, opens a small notebook in headless Chromium
that builds three rope_viz widgets and one chapter's static figure, runs it once (a module
fixture) and checks that

(a) each widget draws its first figure without a first move (``svg.main-svg`` inside it),
(b) a key press on each widget's slider redraws that figure,
(c) the static figure appears,
(d) no request leaves 127.0.0.1.

The cells run one at a time, as a reader runs them (``RUN_ALL`` says why not all at once). Skipped, with the reason, when Chromium or playwright is missing, or when the environment
cannot be made (no package index). Run with ``pytest tests/test_live_classic.py`` (about
1 minute, plus about 45 s the first time to make the environment).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import sysconfig
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from live_jupyter import chromium_path, free_port, launch_chromium, stop_server, wait_for_server

ROOT = Path(__file__).resolve().parents[1]
ENV = ROOT / "_build" / "live-classic-env"
#: Colab's front-end stack; anywidget is rope_viz's own dependency (its nbextension must sit in
#: this environment's prefix, so it is installed here too).
PINS = ["notebook==6.5.7", "ipywidgets==7.7.1", "plotly==5.24.1",
        # the kernel side as Colab has it: these must not come from the test environment
        # (IPython 9 and traitlets 5.16 there do not go with ipywidgets 7)
        "ipykernel==6.17.1", "ipython==7.34.0", "traitlets==5.7.1", "jupyter-client==7.4.9"]
LOCAL_HOSTS = ("127.0.0.1", "localhost")

#: The notebook: three widgets (an IntSlider, a FloatLogSlider, a FloatSlider first), then a
#: chapter's static figure, each in its own cell.
CELLS = [
    "import ipywidgets, plotly, rope_viz\nprint(ipywidgets.__version__, plotly.__version__)",
    "rope_viz.encoding_heatmaps_widget()",
    "rope_viz.long_range_decay_widget()",
    "rope_viz.rope_rotation_widget()",
    "rope_viz.plot_rope_rotation()",
]
WIDGET_CELLS = (1, 2, 3)
STATIC_CELL = 4


def purelib(python: Path) -> Path:
    out = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def anywidget_pin() -> str:
    from importlib.metadata import version

    return f"anywidget=={version('anywidget')}"


def classic_env() -> Path:
    """The classic Notebook environment's python, made when missing or out of date."""
    python = ENV / "bin" / "python"
    ours = Path(sysconfig.get_paths()["purelib"])
    stamp_text = json.dumps([sys.executable, str(ours), str(ROOT), PINS, anywidget_pin()])
    stamp = ENV / "made-for.json"
    if python.exists() and stamp.exists() and stamp.read_text() == stamp_text:
        return python
    shutil.rmtree(ENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(ENV)], check=True)
    # The checkout first (rope_viz as it is here), then the test environment's packages (pip,
    # torch, numpy, ...). Its .pth files are not read, so its editable rope_viz stays out.
    (purelib(python) / "rope_viz_checkout.pth").write_text(f"{ROOT}\n{ours}\n")
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    steps = [pip + PINS,
             # anywidget is already visible through the .pth: install a copy here anyway, for
             # the classic-Notebook extension it puts in this prefix (share/jupyter/nbextensions).
             pip + ["--no-deps", "--ignore-installed", anywidget_pin()]]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            shutil.rmtree(ENV, ignore_errors=True)
            pytest.skip(f"could not make the classic Notebook environment: {result.stderr.strip()[-500:]}")
    stamp.write_text(stamp_text)
    return python


@contextlib.contextmanager
def classic_notebook(python: Path, folder: Path):
    """``jupyter notebook`` (6.5, classic) over ``folder`` on 127.0.0.1; yields (url, token)."""
    port, token = free_port(), secrets.token_hex(16)
    home = folder.parent
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), PYTHONUNBUFFERED="1",
               # the kernel: jupyter_client maps the kernel spec's "python" to this interpreter
               PATH=f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("ROPE_VIZ_BOOK_BUILD", None)
    env.pop("JUPYTER_PATH", None)
    command = [str(python), "-m", "notebook", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               "--port-retries=0", f"--NotebookApp.token={token}", f"--notebook-dir={folder}",
               "--NotebookApp.log_level=WARN"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log_path = home / "server.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(process, url, token, log_path, "classic Notebook", 60)
        yield url, token, log_path
    finally:
        stop_server(process)


def notebook_json() -> dict:
    cells = [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
              "source": source} for source in CELLS]
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                        "language": "python"}}}


def cell_selector(index: int) -> str:
    return f"#notebook-container > .cell:nth-child({index + 1}) .output_wrapper"


#: The drawn figure under one cell's output, as one string (every plotly SVG's markup).
SIGNATURE = "(root) => [...root.querySelectorAll('svg.main-svg')].map(s => s.outerHTML).join('')"


#: What this test does not cover. With Run All (every cell sent at once), classic Notebook's
#: widget manager (jupyter-js-widgets 7) can try to attach a widget view that renders
#: asynchronously after its output node has left the page ("Host is not attached."), and the
#: widget is not shown; any anywidget renders asynchronously (a one-line anywidget shows the
#: same). Run cell by cell, as here, every widget draws. Colab has its own widget manager.
RUN_ALL = "classic Notebook's Run All can lose an asynchronously rendered widget view"


@pytest.fixture(scope="module")
def classic_run(tmp_path_factory):
    """Run the notebook once in classic Notebook; what the checks below read."""
    if not chromium_path():
        pytest.skip("Chromium is missing: install Debian's chromium or set ROPE_VIZ_CHROMIUM")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    python = classic_env()
    folder = tmp_path_factory.mktemp("classic") / "notebooks"
    folder.mkdir()
    (folder / "live.ipynb").write_text(json.dumps(notebook_json()))
    run = {"outside": [], "errors": [], "first": {}, "moved": {}, "static": None, "outputs": {}}

    def outside(url_: str) -> bool:
        return (urllib.parse.urlsplit(url_).hostname or "") not in LOCAL_HOSTS

    def route(route_, request):
        run["outside"].append(request.url)
        route_.abort()

    with classic_notebook(python, folder) as (url, token, _log), sync_api.sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.on("console", lambda m: m.type == "error" and run["errors"].append(m.text[:300]))
            page.on("pageerror", lambda error: run["errors"].append(str(error)[:300]))
            # Only http(s) requests are routed: routing every request also intercepts the
            # blob: URL anywidget imports the view's module from, and the import then fails.
            page.route(lambda url_: url_.startswith(("http:", "https:", "ws:", "wss:"))
                       and outside(url_), route)
            page.goto(f"{url}/notebooks/live.ipynb?token={token}")
            page.wait_for_function("() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel"
                                   " && Jupyter.notebook.kernel.is_connected()", timeout=60_000)
            # Cell by cell, as a reader runs them: with Run All, classic Notebook's widget
            # manager can lose a view that renders asynchronously (every anywidget does; see
            # RUN_ALL below).
            for index in range(len(CELLS)):
                page.evaluate("(i) => { Jupyter.notebook.select(i);"
                              " Jupyter.notebook.execute_selected_cells(); }", index)
                page.wait_for_function(
                    "(i) => { const c = Jupyter.notebook.get_cell(i);"
                    " return c.input_prompt_number !== '*' && c.input_prompt_number != null; }",
                    arg=index, timeout=120_000)
            for index in range(len(CELLS)):
                run["outputs"][index] = page.inner_text(cell_selector(index))
            # (a) each widget's first figure, with nobody touching a control (the first
            # gets 30 s, for plotly.js to arrive; the others are drawn by then)
            for number, index in enumerate(WIDGET_CELLS):
                try:
                    page.wait_for_selector(f"{cell_selector(index)} .rope-viz-figure svg.main-svg",
                                           state="attached", timeout=30_000 if number == 0 else 5_000)
                    run["first"][index] = True
                except sync_api.TimeoutError:
                    run["first"][index] = False
            # (b) a key press on each drawn widget's first slider
            for index in WIDGET_CELLS:
                if not run["first"][index]:
                    run["moved"][index] = False
                    continue
                output = page.locator(cell_selector(index))
                before = output.evaluate(SIGNATURE)
                handle = output.locator(".widget-slider .ui-slider-handle").first
                handle.scroll_into_view_if_needed()
                handle.focus()
                page.keyboard.press("PageUp")
                try:
                    page.wait_for_function(f"([sel, before]) => ({SIGNATURE})(document.querySelector(sel)) !== before",
                                           arg=[cell_selector(index), before], timeout=30_000)
                    run["moved"][index] = True
                except sync_api.TimeoutError:
                    run["moved"][index] = False
            # (c) the static figure, drawn by plotly's own renderer for this plotly
            try:
                page.wait_for_selector(f"{cell_selector(STATIC_CELL)} svg.main-svg", state="attached",
                                       timeout=30_000)
                run["static"] = True
            except sync_api.TimeoutError:
                run["static"] = page.inner_html(cell_selector(STATIC_CELL))[:1500]
        finally:
            browser.close()
    return run


def test_the_notebook_ran_with_colabs_versions(classic_run):
    outputs = classic_run["outputs"]
    assert outputs[0].split()[:2] == ["7.7.1", "5.24.1"], outputs[0]
    for index, text in outputs.items():
        assert "Traceback" not in text and "Error" not in text, f"{CELLS[index]}: {text[-1500:]}"


def test_each_widget_draws_its_first_figure_without_a_move(classic_run):
    missing = [CELLS[i] for i, drawn in classic_run["first"].items() if not drawn]
    assert not missing, f"no figure before a move: {missing}; page errors: {classic_run['errors'][-4:]}"


def test_a_key_press_on_each_slider_redraws_its_figure(classic_run):
    still = [CELLS[i] for i, moved in classic_run["moved"].items() if not moved]
    assert not still, f"the figure did not change after a key press on its slider: {still}"


def test_the_static_figure_appears(classic_run):
    assert classic_run["static"] is True, f"{CELLS[STATIC_CELL]}: no figure; output: {classic_run['static']}"


def test_no_request_leaves_localhost(classic_run):
    assert not classic_run["outside"], f"requests that left 127.0.0.1: {classic_run['outside'][:10]}"
