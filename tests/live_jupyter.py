"""A live JupyterLab driven from headless Chromium: the harness of the live-widget test and benchmark.

:func:`jupyter_lab` starts JupyterLab on 127.0.0.1 (free port, random token, no browser,
nothing that fetches news, update checks or extension listings) over a temporary copy of the
chapters and yields a :class:`Lab`. :class:`LivePage` opens a notebook there in a playwright
page that blocks and records every request not addressed to 127.0.0.1/localhost, runs all its
cells, finds each live widget (a code cell calling ``rope_viz.*_widget(``), lists its controls
and moves them, timing each move in the page from the input event (key press, click or option
choice) to the first animation frame at which the widget's drawn figure (its ``svg.main-svg``
elements) has changed and is complete.

Used by ``tests/test_live_kernel.py`` and ``benchmarks/bench_live_widgets.py``. Works with
ipywidgets 8 in JupyterLab 4; the control selectors also match ipywidgets 7's DOM.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
LOCAL_HOSTS = ("127.0.0.1", "localhost")
WIDGET_CALL = re.compile(r"rope_viz\.(?:widgets\.)?(\w+_widget)\(")

#: JupyterLab user settings that stop the front end asking for news or update checks and
#: hide the extension manager (which lists packages from PyPI).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"enabled": False},
}


def chromium_path() -> str | None:
    """The Chromium binary the browser tests use: ``ROPE_VIZ_CHROMIUM`` or Debian's ``chromium``."""
    return os.environ.get("ROPE_VIZ_CHROMIUM") or shutil.which("chromium")


def launch_chromium(playwright):
    """Headless Chromium with its own background traffic (updates, sync) switched off."""
    return playwright.chromium.launch(
        executable_path=chromium_path(),
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run"],
    )


def widget_chapters() -> list[str]:
    """Stems of the chapters with a live widget cell (a code cell calling ``rope_viz.*_widget(``)."""
    found = []
    for path in sorted(BOOK.glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        if any(c["cell_type"] == "code" and WIDGET_CALL.search("".join(c["source"])) for c in cells):
            found.append(path.stem)
    return found


def wait_for_server(process, url: str, token: str, log_path: Path, name: str,
                    timeout: float) -> None:
    """Wait until the Jupyter server ``process`` answers on ``url``; raise if it exits or stalls."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n"
                               f"{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name} did not answer on {url} within {timeout} s:\n"
                               f"{log_path.read_text()[-3000:]}")
        time.sleep(0.3)


def stop_server(process) -> None:
    """Stop a server started with subprocess.Popen: terminate, then kill after 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab: its base ``url``, ``token`` and ``root`` folder (notebooks live in ``root/book``)."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen = field(repr=False)

    def notebook_url(self, relative: str) -> str:
        return f"{self.url}/lab/tree/{relative}?token={self.token}"


@contextlib.contextmanager
def jupyter_lab(*, startup_timeout: float = 120.0, notebooks: dict[str, dict] | None = None) -> Iterator[Lab]:
    """Start JupyterLab over a temporary copy of ``book/*.ipynb``; stop it on exit.

    ``notebooks`` adds notebooks (``{name: notebook dict}``) to the copy's ``book`` folder.
    The server's config, settings, workspaces and runtime folders are temporary too, so a
    run neither reads nor changes the user's JupyterLab state.
    """
    with tempfile.TemporaryDirectory(prefix="rope-viz-lab-") as tmp:
        tmp = Path(tmp)
        root = tmp / "root"
        (root / "book").mkdir(parents=True)
        for path in BOOK.glob("*.ipynb"):
            shutil.copy(path, root / "book" / path.name)
        for name, notebook in (notebooks or {}).items():
            (root / "book" / name).write_text(json.dumps(notebook))
        config = tmp / "config"
        config.mkdir()
        # news_url None stops the server fetching the news feed (a null is not writable on the command line).
        lab_config = {"LabApp": {"news_url": None}}
        (config / "jupyter_lab_config.json").write_text(json.dumps(lab_config))
        (config / "jupyter_server_config.json").write_text(json.dumps(lab_config))
        settings = tmp / "settings"
        for name, values in LAB_SETTINGS.items():
            (settings / name).parent.mkdir(parents=True, exist_ok=True)
            (settings / name).write_text(json.dumps(values))
        port, token = free_port(), secrets.token_hex(16)
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config), JUPYTERLAB_SETTINGS_DIR=str(settings),
                   JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
                   JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), PYTHONUNBUFFERED="1")
        # The kernel runs the interpreter that runs this (jupyter_client maps "python" to it).
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            "--ServerApp.log_level=WARN",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI often run as root
            command.append("--allow-root")
        log = open(tmp / "server.log", "w+")
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for_server(process, url, token, tmp / "server.log", "JupyterLab", startup_timeout)
            yield Lab(url, token, root, process)
        finally:
            stop_server(process)
            log.close()


#: Installed in every page before its scripts: records the time of the first input event after
#: ``arm`` and watches one widget's figure for the first complete change.
_PAGE_SCRIPT = r"""
(() => {
  const live = window.__live = {armed: false, t0: null, result: null};
  for (const type of ['keydown', 'pointerdown', 'mousedown', 'input', 'change']) {
    document.addEventListener(type, () => {
      if (live.armed && live.t0 === null) live.t0 = performance.now();
    }, true);
  }
  // The drawn figure: every plotly SVG inside the widget's box, as one string. WebGL traces
  // (3-D scenes) draw on a canvas that cannot be read back, so for those the data plotly
  // holds for them stands in (a sample of each coordinate array), checked at every frame.
  const sample = (a) => a && a.length !== undefined ? `${a.length}:${a[0]}:${a[a.length >> 1]}:${a[a.length - 1]}` : '';
  live.webgl = (root) => [...root.querySelectorAll('.js-plotly-plot')].map(gd => (gd._fullData || [])
    .filter(t => /3d$|gl$|^mesh|^surface|^cone/.test(t.type || ''))
    .map(t => [t.x, t.y, t.z].map(sample).join(',')).join(';')).join('|');
  live.signature = (root) => [...root.querySelectorAll('svg.main-svg')].map(s => s.outerHTML).join('\n')
    + '\n' + live.webgl(root);
  live.complete = (root) => {
    const svgs = [...root.querySelectorAll('svg.main-svg')];
    return svgs.length > 0 && svgs.every(s => s.childElementCount > 0)
      && root.querySelector('svg.main-svg .trace, svg.main-svg .hm, svg.main-svg image') !== null;
  };
  live.drawn = (selector) => {
    const root = document.querySelector(selector);
    return !!root && live.complete(root);
  };
  live.arm = (selector, timeoutMs) => {
    const root = document.querySelector(selector);
    const before = live.signature(root);
    let dirty = false, frames = 0;
    const observer = new MutationObserver(() => { dirty = true; });
    observer.observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
    live.t0 = null; live.result = null; live.armed = true;
    const started = performance.now();
    const tick = () => {
      const now = performance.now();
      if (live.t0 !== null) {
        frames += 1;
        if (dirty || root.querySelector('.gl-container canvas')) {
          dirty = false;
          if (live.complete(root) && live.signature(root) !== before) {
            live.armed = false; observer.disconnect();
            live.result = {ms: now - live.t0, frames};
            return;
          }
        }
      }
      if (now - started > timeoutMs) {
        live.armed = false; observer.disconnect();
        live.result = {ms: null, frames, input: live.t0 !== null};
        return;
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    return before.length;
  };
})();
"""

#: Marks each live widget cell of the open notebook (``data-live-widget``) and each of its
#: controls (``data-live-control``); returns [{widget, cell, controls: [{id, kind, label}]}].
_LIST_WIDGETS = r"""
(pattern) => {
  const panel = window.__liveNotebook;
  const found = [];
  const re = new RegExp(pattern);
  panel.content.widgets.forEach((cell, index) => {
    if (cell.model.type !== 'code') return;
    const match = re.exec(cell.model.sharedModel.getSource());
    if (!match) return;
    const w = found.length;
    cell.node.setAttribute('data-live-widget', String(w));
    const controls = [];
    const kinds = [
      ['slider', '.widget-slider, .widget-hslider'],
      ['dropdown', '.widget-dropdown'],
      ['checkbox', '.widget-checkbox'],
      ['textarea', '.widget-textarea'],
    ];
    const output = cell.node.querySelector('.jp-OutputArea, .output_area') || cell.node;
    for (const [kind, selector] of kinds) {
      output.querySelectorAll(selector).forEach(box => {
        const id = `w${w}c${controls.length}`;
        box.setAttribute('data-live-control', id);
        const texts = [...box.querySelectorAll('.widget-label, .widget-label-basic, label')]
          .map(n => n.textContent.replace(/\u200b/g, '').trim()).filter(Boolean);
        controls.push({id, kind, label: texts.length ? texts[0] : kind});
      });
    }
    found.push({widget: match[1], cell: index, controls});
  });
  return found;
}
"""


class LivePage:
    """A notebook open in JupyterLab in its own playwright page, requests off 127.0.0.1 blocked.

    ``external`` lists every blocked request's URL; ``errors`` the page's errors;
    ``received_bytes`` counts the bytes of every websocket frame the page received (the
    kernel's messages).
    """

    def __init__(self, browser, lab: Lab, notebook: str, *, width: int = 1366, height: int = 900):
        self.lab = lab
        self.notebook = notebook
        self.external: list[str] = []
        self.errors: list[str] = []
        self.received_bytes = 0
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.add_init_script(_PAGE_SCRIPT)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("websocket", self._websocket)
        self.widgets: list[dict] = []
        self.page.goto(lab.notebook_url(f"book/{notebook}"), wait_until="load", timeout=120_000)
        # The notebook is open, its kernel started and idle.
        self.page.wait_for_function(
            """(name) => {
                const app = window.jupyterapp;
                const panel = app && app.shell && app.shell.currentWidget;
                if (!panel || !panel.context || !panel.context.path.endsWith(name)) return false;
                const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
                if (!panel.context.isReady || !kernel || kernel.status !== 'idle') return false;
                window.__liveNotebook = panel;
                return true;
            }""", arg=notebook, timeout=120_000, polling=200)

    def _route(self, route):
        host = route.request.url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def _websocket(self, socket_):
        def received(payload):
            self.received_bytes += len(payload.encode() if isinstance(payload, str) else payload)
        socket_.on("framereceived", received)

    def run_all(self, timeout: float = 600.0) -> float:
        """Run every cell and wait until none is queued or running and the kernel is idle; seconds taken."""
        start = time.monotonic()
        self.page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        self.page.wait_for_function(
            """() => {
                const panel = window.__liveNotebook;
                const kernel = panel.sessionContext.session.kernel;
                const code = panel.content.widgets.filter(c => c.model.type === 'code');
                const busy = code.some(c => (c.promptNode && c.promptNode.textContent.includes('*')));
                const ran = code.length === 0 || code[0].model.executionCount !== null;
                return ran && !busy && kernel.status === 'idle';
            }""", timeout=timeout * 1000, polling=250)
        return time.monotonic() - start

    def list_widgets(self, timeout: float = 60.0) -> list[dict]:
        """Every live widget cell: ``{widget, cell, drawn, controls: [{id, kind, label}]}``, in notebook order.

        Each widget is scrolled into view and its figure waited for (``drawn``: whether it
        came within ``timeout`` seconds) before its controls are listed: widget views render
        after their cell has run.
        """
        found = self.page.evaluate(_LIST_WIDGETS, WIDGET_CALL.pattern)
        drawn = [self.wait_drawn(index, timeout) for index in range(len(found))]
        self.widgets = self.page.evaluate(_LIST_WIDGETS, WIDGET_CALL.pattern)
        for widget, ok in zip(self.widgets, drawn):
            widget["drawn"] = ok
        return self.widgets

    def widget_selector(self, index: int) -> str:
        return f'[data-live-widget="{index}"] .jp-OutputArea-output, [data-live-widget="{index}"] .output_subarea'

    def wait_drawn(self, index: int, timeout: float = 60.0) -> bool:
        """Scroll widget ``index`` into view and wait until its figure is drawn; whether it was."""
        self.page.locator(f'[data-live-widget="{index}"]').scroll_into_view_if_needed()
        try:
            self.page.wait_for_function("(s) => window.__live.drawn(s)", arg=f'[data-live-widget="{index}"]',
                                        timeout=timeout * 1000, polling=100)
            return True
        except Exception:
            return False

    def wait_idle(self, timeout: float = 60.0) -> None:
        self.page.wait_for_function(
            "() => window.__liveNotebook.sessionContext.session.kernel.status === 'idle'",
            timeout=timeout * 1000, polling=50)

    def move(self, index: int, control: dict, step: int, timeout: float = 30.0) -> dict:
        """Move one control once and time it: ``{ms, bytes, frames}`` (``ms`` None when the figure did not change).

        Sliders get the keyboard (focus the handle, ArrowRight on even ``step``, ArrowLeft on
        odd, the other way at the end of the range), dropdowns the next (even) or previous (odd) option, checkboxes a click, text
        areas a changed number (the first ``rope_theta``, doubled or halved) and a Tab.
        """
        page = self.page
        box = page.locator(f'[data-live-control="{control["id"]}"]')
        box.scroll_into_view_if_needed()
        kind = control["kind"]
        if kind == "textarea":
            area = box.locator("textarea")
            text = area.input_value()
            factor = 2.0 if step % 2 == 0 else 0.5
            changed = re.sub(r'("rope_theta"\s*:\s*)([0-9.eE+]+)',
                             lambda m: f"{m.group(1)}{float(m.group(2)) * factor:g}", text, count=1)
            area.fill(changed if changed != text else text + " ")
        elif kind == "slider":
            handle = box.locator(".noUi-handle, .ui-slider-handle").first
            handle.focus()
            # ipywidgets 8's handle states its range (ipywidgets 7's does not): turn at an end.
            low, now, high = (handle.get_attribute(f"aria-value{n}") for n in ("min", "now", "max"))
            right = step % 2 == 0
            if None not in (low, now, high):
                if right and float(now) >= float(high):
                    right = False
                elif not right and float(now) <= float(low):
                    right = True
        self.wait_idle()
        self.received_bytes = 0
        page.evaluate("([s, t]) => window.__live.arm(s, t)",
                      [f'[data-live-widget="{index}"]', timeout * 1000])
        if kind == "slider":
            page.keyboard.press("ArrowRight" if right else "ArrowLeft")
        elif kind == "dropdown":
            select = box.locator("select")
            options = select.locator("option").count()
            current = select.evaluate("s => s.selectedIndex")
            select.select_option(index=(current + (1 if step % 2 == 0 else -1)) % options)
        elif kind == "checkbox":
            box.locator("input[type=checkbox]").click()
        elif kind == "textarea":
            page.keyboard.press("Tab")
        page.wait_for_function("() => window.__live.result !== null", timeout=(timeout + 10) * 1000,
                               polling=50)
        result = page.evaluate("() => window.__live.result")
        self.wait_idle()
        return {"ms": result["ms"], "frames": result["frames"], "bytes": self.received_bytes}

    def error_outputs(self) -> list[str]:
        """Text of every error output and every stderr text that holds a traceback or an error."""
        return self.page.evaluate(
            r"""() => {
                const found = [];
                window.__liveNotebook.content.widgets.forEach((cell, i) => {
                    if (cell.model.type !== 'code') return;
                    for (const out of cell.model.outputs.toJSON()) {
                        if (out.output_type === 'error') found.push(`cell ${i}: ${out.ename}: ${out.evalue}`);
                    }
                });
                document.querySelectorAll('.jp-Notebook [data-mime-type="application/vnd.jupyter.stderr"]')
                    .forEach(node => {
                        const text = node.textContent;
                        if (/Traceback|Error/.test(text)) found.push(text.slice(0, 500));
                    });
                return found;
            }""")

    def close(self) -> None:
        self.context.close()


def scratch_notebook(names: list[str]) -> dict:
    """A notebook with one cell per widget, each built with its defaults."""
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": "import rope_viz\nimport rope_viz.widgets"}]
    cells += [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
               "source": f"rope_viz.widgets.{name}()"} for name in names]
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                         "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}
