"""Where readers launch a chapter: Binder's build configuration and Colab's first cell.

Binder (repo2docker) builds from ``binder/``: the checks here read those files, with no network
(PyTorch's wheel index cannot be reached from here). Colab ships torch, numpy, plotly and
ipywidgets but not rope_viz: the test runs every chapter's install cell in a fresh environment
that has the test environment's packages "preinstalled" without rope_viz, with the cell pointed
at this checkout instead of the repository URL, and checks that it adds rope_viz and nothing
that was already there.

Run with ``pytest tests/test_launch_environments.py`` (about 30 s, most of it pip building
rope_viz's wheel).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

tomllib = pytest.importorskip("tomllib")

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


@pytest.fixture(scope="module")
def dev():
    """dev.py as a module, read without ROPE_VIZ_TORCH (the pin is the file's, not the shell's)."""
    saved = os.environ.pop("ROPE_VIZ_TORCH", None)
    try:
        spec = importlib.util.spec_from_file_location("rope_viz_dev_launch", ROOT / "dev.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        if saved is not None:
            os.environ["ROPE_VIZ_TORCH"] = saved
    return module


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


# --------------------------------------------------------------------------------------------
# Binder


def requirement_lines(path: Path) -> list:
    """The lines of a pip requirements file as pip reads them: comments and blanks dropped,
    each ``-r`` include replaced by the included file's lines (its path is relative to the file
    that names it). Each entry is ``(file, text)``."""
    lines = []
    for raw in path.read_text().splitlines():
        text = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not text:
            continue
        include = re.fullmatch(r"(?:-r|--requirement)(?:\s+|=)(\S+)", text)
        if include:
            lines.extend(requirement_lines((path.parent / include.group(1)).resolve()))
        else:
            lines.append((path, text))
    return lines


def local_project(text: str):
    """``(path, extras, editable)`` when a requirement line names a local project
    (``.[book]``, ``-e .[book]``), else None. Paths are relative to pip's working directory,
    which repo2docker sets to the repository root."""
    match = re.fullmatch(r"(-e\s+|--editable(?:\s+|=))?(\.[^\s\[]*)(?:\[([^\]]*)\])?", text)
    if not match:
        return None
    extras = {e.strip() for e in (match.group(3) or "").split(",") if e.strip()}
    return (ROOT / match.group(2)).resolve(), extras, bool(match.group(1))


def named_requirements(lines) -> dict:
    """{canonical name: Requirement} of the named (not local, not option) lines."""
    named = {}
    for _, text in lines:
        if text.startswith("-") or local_project(text):
            continue
        requirement = Requirement(text)
        named[canonicalize_name(requirement.name)] = requirement
    return named


def test_binder_holds_only_a_requirements_file_and_a_runtime():
    # An environment.yml would switch repo2docker to conda and ignore requirements.txt; a
    # postBuild or a second requirements file could install another torch after ours.
    assert BINDER.is_dir(), "binder/ is missing: Binder would build from the repository root"
    assert sorted(p.name for p in BINDER.iterdir()) == ["requirements.txt", "runtime.txt"]


def test_binder_takes_torch_from_the_cpu_index_at_dev_py_pin(dev, pyproject):
    lines = requirement_lines(BINDER / "requirements.txt")
    texts = [text for _, text in lines]
    options = [t for t in texts if t.startswith("-") and not local_project(t)]
    # PyTorch's CPU index is an extra index: PyPI stays the main one for everything else.
    assert f"--extra-index-url {CPU_INDEX}" in options or f"--extra-index-url={CPU_INDEX}" in options
    assert not [o for o in options if o.startswith(("--index-url", "-i ", "--no-index", "--find-links", "-f "))]
    # dev.py's pin, e.g. torch==2.13.0, with the local label that only the CPU index has.
    name, _, version = dev.TORCH.partition("==")
    assert name == "torch" and version, f"dev.TORCH is not an exact pin: {dev.TORCH!r}"
    torch_lines = [t for t in texts if re.match(r"torch\b", t, re.I) and not t.startswith("-")]
    assert torch_lines == [f"torch=={Version(version).public}+cpu"], (
        "Binder must pin exactly one torch, the CPU build of dev.py's version")
    # First among the requirements and after the index option (pip reads options globally,
    # but a reader pasting the lines one by one gets the same install).
    first_requirement = next(i for i, t in enumerate(texts) if not t.startswith("--"))
    index_option = next(i for i, t in enumerate(texts) if t.startswith("--extra-index-url"))
    assert index_option < first_requirement and texts[first_requirement] == torch_lines[0]
    # Nothing else asks for torch in a way the pin does not satisfy (rope_viz's torch>=2.0).
    pinned = Version(torch_lines[0].split("==")[1])
    for dependency in pyproject["project"]["dependencies"]:
        requirement = Requirement(dependency)
        if canonicalize_name(requirement.name) == "torch":
            assert requirement.specifier.contains(pinned, prereleases=True), dependency


def test_binder_installs_the_book_extra_from_the_root_requirements(pyproject):
    binder = requirement_lines(BINDER / "requirements.txt")
    root = requirement_lines(ROOT / "requirements.txt")
    # One home: binder/requirements.txt includes the root file (a reader's environment) and
    # adds only what Binder needs on top of it: the CPU torch pin and JupyterLab.
    assert all(line in binder for line in root), "binder/requirements.txt must include ../requirements.txt"
    extra = named_requirements([line for line in binder if line not in root])
    assert set(extra) == {"torch", "jupyterlab"}
    lab = extra["jupyterlab"].specifier
    assert lab.contains("4.6.0") and not lab.contains("3.6.0") and not lab.contains("5.0.0")
    projects = [local_project(text) for _, text in binder if local_project(text)]
    assert projects, "Binder does not install rope_viz itself"
    for path, extras, _ in projects:
        assert path == ROOT and "book" in extras, (path, extras)
    assert "book" in pyproject["project"]["optional-dependencies"]
    # The root file asks for no torch of its own (Binder's pin is the only one).
    assert "torch" not in named_requirements(root)


def test_binder_python_is_one_rope_viz_and_torch_support(dev, pyproject):
    runtime = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(3\.\d+)", runtime)
    assert match, f"runtime.txt must read python-3.X, got {runtime!r}"
    python = Version(match.group(1))
    assert SpecifierSet(pyproject["project"]["requires-python"]).contains(python)
    # torch's own floor, read from the installed wheel when it is the pinned version.
    try:
        installed = importlib.metadata.metadata("torch")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("torch is not installed here: its Requires-Python cannot be read")
    if Version(installed["Version"]).public != Version(dev.TORCH.partition("==")[2]).public:
        pytest.skip(f"installed torch {installed['Version']} is not the pinned {dev.TORCH}")
    assert SpecifierSet(installed["Requires-Python"] or "").contains(python)


# --------------------------------------------------------------------------------------------
# Colab's first cell


def install_command(cell: str) -> list:
    (line,) = [line.strip() for line in cell.splitlines() if line.strip().startswith("%pip")]
    return shlex.split(line)


def test_install_cell_installs_rope_viz_only_and_upgrades_nothing(dev):
    cell = dev.INSTALL_CELL.format(url=dev.repository_url())
    words = install_command(cell)
    assert words[:2] == ["%pip", "install"]
    flags = [w for w in words[2:] if w.startswith("-")]
    specs = [w for w in words[2:] if not w.startswith("-")]
    assert specs == [f"rope_viz @ git+{dev.repository_url()}"]
    # No flag that would replace what Colab ships (torch, numpy, plotly, ipywidgets).
    assert set(flags) <= {"--quiet", "-q", "--progress-bar=off"}, flags
    assert re.search(r"^try:\n\s+import rope_viz\nexcept ImportError:", cell, re.M)


def site_packages(python: Path) -> Path:
    out = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def freeze(python: Path, cwd: Path) -> dict:
    """{canonical name: the pip freeze line} of everything the interpreter sees."""
    out = subprocess.run([str(python), "-m", "pip", "freeze", "--all", "--disable-pip-version-check"],
                         capture_output=True, text=True, check=True, cwd=cwd)
    found = {}
    for line in out.stdout.splitlines():
        match = re.match(r"\s*(?:-e\s+)?([A-Za-z0-9._-]+)\s*(?:==|@)", line)
        if match:
            found[canonicalize_name(match.group(1))] = line.strip()
    return found


def checkout_copy(target: Path) -> Path:
    """The files of the working tree that a git clone would have (tracked, and untracked files
    git does not ignore), copied to ``target``: pip builds in the source tree, and a build in
    the checkout would leave build/ behind."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                            cwd=ROOT, capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: the files a clone would hold are unknown")
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        if name.startswith(("book/", "tests/", "benchmarks/")) or not source.is_file():
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name)
    return target


def package_files(base: Path) -> set:
    return {str(p.relative_to(base)) for p in base.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


# Run in the fresh environment: the cell under IPython (it uses %pip), then a check that
# rope_viz is the installed copy and that its widgets import (anywidget came with it).
DRIVER = """\
import sys
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
result = shell.run_cell(open(sys.argv[1]).read())
result.raise_error()
import rope_viz
import rope_viz.widgets
print("ROPE_VIZ_FILE", rope_viz.__file__)
"""


def test_install_cell_adds_rope_viz_to_a_colab_like_environment(dev, tmp_path):
    pytest.importorskip("IPython")
    started = time.monotonic()
    # Colab's preinstalled packages: everything the test environment has except rope_viz and
    # anywidget (a dependency a runtime may lack), seen through links, so that the editable
    # rope_viz's finder .pth and its metadata stay out.
    preinstalled = tmp_path / "preinstalled"
    preinstalled.mkdir()
    ours = Path(sysconfig.get_paths()["purelib"])
    for entry in ours.iterdir():
        if re.match(r"(__editable__[._])?(rope_viz|anywidget)\b", entry.name, re.I) or entry.suffix == ".pth":
            continue
        (preinstalled / entry.name).symlink_to(entry)
    env = tmp_path / "colab"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    own = site_packages(python)
    (own / "colab_preinstalled.pth").write_text(f"{preinstalled}\n")
    work = tmp_path / "work"  # not the repository: `import rope_viz` must not find the checkout
    work.mkdir()
    probe = subprocess.run([str(python), "-c", "import torch, numpy, plotly, ipywidgets, IPython\n"
                            "try:\n import rope_viz\nexcept ImportError:\n print('absent')"],
                           cwd=work, capture_output=True, text=True)
    assert probe.returncode == 0 and probe.stdout.strip() == "absent", probe.stderr[-2000:]
    before = freeze(python, work)
    own_before = {p.name for p in own.iterdir()}
    assert "rope-viz" not in before and "anywidget" not in before and "torch" in before

    source = checkout_copy(tmp_path / "checkout")
    cell = dev.INSTALL_CELL.format(url=dev.repository_url())
    local = cell.replace(f"git+{dev.repository_url()}", source.as_uri())
    assert local != cell
    (work / "cell.ipy").write_text(local)
    (work / "driver.py").write_text(DRIVER)
    run = subprocess.run([str(python), "driver.py", "cell.ipy"], cwd=work, capture_output=True,
                         text=True, timeout=240)
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    (where,) = re.findall(r"ROPE_VIZ_FILE (.+)", run.stdout)
    installed = Path(where).parent
    assert installed.is_relative_to(own), f"rope_viz imported from {installed}, not the new install"

    after = freeze(python, work)
    added = set(after) - set(before)
    assert added == {"rope-viz", "anywidget"}, f"the cell added {sorted(added)}"
    changed = {name for name in before if after.get(name) != before[name]}
    assert not changed, f"the cell changed what was installed: {sorted(changed)}"
    assert after["torch"] == before["torch"]
    # New files only for rope_viz (and any dependency that was really missing).
    new_entries = {p.name for p in own.iterdir()} - own_before
    for name in new_entries:
        project = re.split(r"-\d", name)[0]
        assert canonicalize_name(project) in added, f"{name} appeared in site-packages"
    # A non-editable install carries every file of the package (JavaScript, data), not only .py.
    missing = package_files(source / "rope_viz") - package_files(installed)
    assert not missing, f"files of rope_viz/ a pip install leaves out (package data?): {sorted(missing)}"
    assert time.monotonic() - started < 120
