#!/usr/bin/env python3
"""Set up, build and test rope_viz and its book with one command each.

    python3 dev.py book    # set everything up, execute every chapter, build the HTML book
    python3 dev.py test    # set everything up, build the book, run the whole test suite
    python3 dev.py unit    # set everything up, run the unit tests only (no book build)

All three create a virtual environment in ``.venv`` (Python packages from ``requirements.txt``
and ``pyproject.toml``) and reuse it on a second run; ``test`` also installs Debian's Chromium
for the browser test when it is missing (as root, with apt-get). Extra arguments after
``test`` or ``unit`` go to pytest (``python3 dev.py unit -k rope``). ``unit`` leaves out the
tests that need the built book (the chapter and browser checks), the live-kernel tests (they
start JupyterLab and classic Notebook) and the lint, so it starts testing at once; ``test`` is what CI runs. Only the standard library is used here, so this runs
on a bare Python.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
# Where the build goes: _build/ here, or under ROPE_VIZ_BUILD_DIR (so that two people working
# in one checkout can build side by side without sharing an execution cache).
OUTPUT = Path(os.environ.get("ROPE_VIZ_BUILD_DIR", ROOT)).resolve()
BUILD = OUTPUT / "_build"
HTML = BUILD / "html"
LOG = BUILD / "build.log"
# torch is installed on its own, pinned, first: on these machines this version resolves to
# a local CPU-only wheel, where an unpinned `torch` would pull gigabytes of CUDA packages.
TORCH = os.environ.get("ROPE_VIZ_TORCH", "torch==2.13.0")
CHAPTER_SUFFIX = ".ipynb"
INSTALL_CELL = """\
# Installs rope_viz when it is missing (a fresh Colab or Binder runtime); does nothing otherwise.
try:
    import rope_viz
except ImportError:
    %pip install --quiet "rope_viz @ git+{url}"
    import rope_viz"""


class Failure(Exception):
    """A reason to stop, printed as one line."""


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def run(command: list, *, log: Path | None = None, env: dict | None = None, what: str) -> None:
    """Run ``command``; on failure raise a Failure that says ``what`` failed."""
    if log is None:
        result = subprocess.run(command, cwd=ROOT, env=env)
    else:
        with open(log, "a") as out:
            result = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        where = f" (full output: {shown(log)})" if log else ""
        raise Failure(f"{what} failed with exit code {result.returncode}{where}")


def shown(path: Path) -> str:
    """A path as short as it can be said: relative to the repository when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def python() -> Path:
    return VENV / "bin" / "python"


def digest(paths) -> str:
    sha = hashlib.sha256()
    for path in sorted(paths):
        sha.update(str(path.relative_to(ROOT)).encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# Set-up


def make_venv() -> None:
    if python().exists():
        return
    say("creating the virtual environment .venv")
    result = subprocess.run([sys.executable, "-m", "venv", str(VENV)], cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode == 0:
        return
    shutil.rmtree(VENV, ignore_errors=True)
    if "ensurepip" in result.stdout + result.stderr and can_apt():
        version = f"python3.{sys.version_info.minor}-venv"
        say(f"Python's venv module is missing; installing Debian's {version}")
        apt_install([version])
        run([sys.executable, "-m", "venv", str(VENV)], what="creating .venv")
        return
    last = (result.stderr or result.stdout).strip().splitlines()[-1:]
    raise Failure(f"could not create .venv: {' '.join(last)}")


def can_apt() -> bool:
    return shutil.which("apt-get") is not None and hasattr(os, "geteuid") and os.geteuid() == 0


def apt_install(packages: list) -> None:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "update", "-qq"], env=env, what="apt-get update")
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages], env=env,
        what=f"apt-get install {' '.join(packages)}")


def setup(extras: str) -> None:
    """Create .venv and install rope_viz with ``extras``; skipped when nothing changed."""
    if sys.version_info < (3, 9):  # noqa: UP036 (this script must explain itself on old Pythons)
        raise Failure(f"Python 3.9 or newer is needed, this is {sys.version.split()[0]}")
    make_venv()
    stamp = VENV / f".installed-{extras.replace(',', '-')}"
    wanted = digest([ROOT / "pyproject.toml", ROOT / "requirements.txt"]) + TORCH
    if stamp.exists() and stamp.read_text() == wanted:
        return
    pip = [str(python()), "-m", "pip", "install", "-qq", "--disable-pip-version-check"]
    has_torch = subprocess.run([str(python()), "-c", "import torch"], capture_output=True).returncode == 0
    if not has_torch:
        say(f"installing {TORCH} (CPU build where one is provided)")
        run([*pip, TORCH], what=f"pip install {TORCH}")
    say(f"installing rope_viz[{extras}] and its requirements into .venv")
    run([*pip, "-r", "requirements.txt", "-e", f".[{extras}]"], what="pip install")
    stamp.write_text(wanted)


def ensure_chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    if not can_apt():
        raise Failure("the browser test needs Chromium: install Debian's 'chromium' package "
                      "(or set ROPE_VIZ_CHROMIUM to a Chromium binary)")
    say("installing Debian's chromium for the browser test")
    apt_install(["chromium", "fonts-dejavu-core"])
    return shutil.which("chromium") or "/usr/bin/chromium"


# --------------------------------------------------------------------------------------------
# The book


def repository_url() -> str:
    """``repository.url`` from _config.yml (read with a regex: no YAML parser needed here)."""
    text = (ROOT / "_config.yml").read_text()
    match = re.search(r"^repository:\s*\n(?:[ \t]+.*\n)*?[ \t]+url:\s*(\S+)", text, re.M)
    if not match:
        raise Failure("_config.yml has no repository.url")
    return match.group(1).strip("'\"")


def chapters() -> list:
    return sorted(p for p in (ROOT / "book").glob(f"*{CHAPTER_SUFFIX}"))


def sync_install_cells() -> None:
    """Make the first cell of every chapter install rope_viz from repository.url."""
    source = INSTALL_CELL.format(url=repository_url())
    for path in chapters():
        notebook = json.loads(path.read_text())
        cells = notebook.get("cells", [])
        first = cells[0] if cells else {}
        current = "".join(first.get("source", []))
        if first.get("cell_type") == "code" and current == source:
            continue
        cell = {
            "cell_type": "code",
            "execution_count": None,
            "id": "install-rope-viz",
            "metadata": {"tags": ["remove-cell"]},
            "outputs": [],
            "source": source.splitlines(keepends=True),
        }
        if first.get("cell_type") == "code" and "import rope_viz" in current:
            cells[0] = cell
        else:
            cells.insert(0, cell)
        notebook["cells"] = cells
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
        say(f"updated the install cell of {path.relative_to(ROOT)}")


def build_problems() -> list:
    """The build's warnings and errors, one line each, naming the page, without repeats."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", LOG.read_text(errors="replace"))
    problems = []
    for line in text.splitlines():
        match = re.search(r"(\S+: (?:WARNING|ERROR|CRITICAL): .*)", line)
        if not match or "[IPKernelApp]" in line:  # the kernel's note on TCP transport
            continue
        problem = match.group(1).replace(str(ROOT) + "/", "")
        saved = re.search(r"^(\S+): WARNING: Notebook exception traceback saved in: (\S+)", problem)
        if saved:  # a failing cell: its exception, read from the saved traceback
            page, report = saved.groups()
            report_path = ROOT / report
            lines = report_path.read_text(errors="replace") if report_path.exists() else ""
            lines = re.sub(r"\x1b\[[0-9;]*m", "", lines).splitlines()
            raised = [x for x in lines if re.match(r"^[A-Za-z_]\w*(Error|Exception|Interrupt|Exit)\b", x)]
            where = [x.strip() for x in lines if x.startswith("Cell In[")]
            cell = f"{where[-1]}, " if where else ""
            problem = f"{page}: {cell}raised {raised[-1] if raised else 'an error'} (traceback: {report})"
        elif "Executing notebook failed" in problem:
            continue
        if problem not in problems:
            problems.append(problem)
    return problems


def build_book() -> None:
    """Execute every chapter (cached) and build the HTML, strictly."""
    if not (ROOT / "_config.yml").exists() or not (ROOT / "_toc.yml").exists():
        raise Failure(f"no _config.yml/_toc.yml in {ROOT}: is this the rope_viz repository?")
    sync_install_cells()
    BUILD.mkdir(parents=True, exist_ok=True)
    LOG.write_text("")
    # The execution cache sees only the notebooks' code: when rope_viz changes, start afresh.
    sources = [*ROOT.glob("rope_viz/**/*.py"), *ROOT.glob("book/_ext/*.py")]
    stamp = BUILD / ".rope_viz-sources"
    fingerprint = digest(sources)
    rebuild_all = not stamp.exists() or stamp.read_text() != fingerprint
    if rebuild_all:
        shutil.rmtree(BUILD / ".jupyter_cache", ignore_errors=True)
        stamp.unlink(missing_ok=True)
    command = [str(VENV / "bin" / "jupyter-book"), "build", str(ROOT), "-W", "--keep-going",
               "--path-output", str(OUTPUT)]
    if rebuild_all:
        command.append("--all")
    env = dict(os.environ, ROPE_VIZ_BOOK_BUILD="1", NO_COLOR="1")
    say(f"building the book ({'executing every chapter' if rebuild_all else 'cached results where unchanged'}); log: {shown(LOG)}")
    start = time.perf_counter()
    try:
        run(command, log=LOG, env=env, what="the book build")
    except Failure:
        problems = build_problems() or ["no warning found; see the log"]
        for problem in problems[:20]:
            print(f"  {problem}", file=sys.stderr)
        raise Failure(f"the book build failed: {problems[0]} ({len(problems)} problem(s) "
                      f"listed above; full log: {shown(LOG)})") from None
    stamp.write_text(fingerprint)
    say(f"book built in {time.perf_counter() - start:.0f} s: {shown(HTML)}/index.html")


# --------------------------------------------------------------------------------------------
# Commands


def command_book(_args: list) -> None:
    setup("book")
    build_book()
    say(f"serve it with:  python3 -m http.server --directory {shown(HTML)} --bind 127.0.0.1 8000")
    say("then open http://127.0.0.1:8000/")


# The tests that read the built book (_build/html and the executed chapters), and the ones that
# drive a live JupyterLab or classic Notebook from Chromium (minutes): `unit` skips them.
BOOK_TESTS = ("tests/test_book_notebooks.py", "tests/test_browser.py",
              "tests/test_live_kernel.py", "tests/test_live_classic.py")


def pytest_command(args: list, *, unit: bool = False) -> list:
    """The pytest command line: every test, or (``unit``) all but :data:`BOOK_TESTS`."""
    ignored = [f"--ignore={path}" for path in BOOK_TESTS] if unit else []
    return [str(python()), "-m", "pytest", *ignored, *args]


def run_pytest(args: list, *, unit: bool = False, env: dict | None = None) -> None:
    result = subprocess.run(pytest_command(args, unit=unit), cwd=ROOT, env=env)
    if result.returncode != 0:
        raise Failure(f"tests failed (pytest exit code {result.returncode})")


def command_test(args: list) -> None:
    setup("book,test")
    env = dict(os.environ)
    env.setdefault("ROPE_VIZ_CHROMIUM", ensure_chromium())
    say("linting with ruff")
    run([str(python()), "-m", "ruff", "check", "--quiet", "rope_viz", "tests", "benchmarks",
         "dev.py", "book/_ext"], what="ruff check")
    build_book()
    say("running the test suite")
    run_pytest(args, env=env)


def command_unit(args: list) -> None:
    setup("book,test")  # the same environment as `test`, so switching between them installs nothing
    say("running the unit tests (no book build; leaving out " + ", ".join(BOOK_TESTS) + ")")
    run_pytest(args, unit=True)


COMMANDS = {"book": command_book, "test": command_test, "unit": command_unit}
USAGE = "usage: python3 dev.py book | test [pytest arguments] | unit [pytest arguments]"


def main(argv: list) -> int:
    if argv and argv[0] in ("-h", "--help", "help"):
        print(f"{USAGE}\n{__doc__}")
        return 0
    if not argv or argv[0] not in COMMANDS:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        COMMANDS[argv[0]](argv[1:])
    except Failure as reason:
        print(f"[dev] error: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("[dev] interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
