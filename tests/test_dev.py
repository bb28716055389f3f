"""dev.py's command line: which command runs what. Run: ``pytest tests/test_dev.py``.

Nothing here installs, builds or starts pytest: set-up, the book build and subprocess calls are
replaced by recorders.
"""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def dev(monkeypatch):
    spec = importlib.util.spec_from_file_location("rope_viz_dev", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    calls = {"setup": [], "run": [], "book": 0}
    monkeypatch.setattr(module, "setup", lambda extras: calls["setup"].append(extras))

    def fake_build():
        calls["book"] += 1

    def fake_run(command, **kwargs):
        calls["run"].append(list(command))
        return subprocess.CompletedProcess(command, calls.get("returncode", 0))

    monkeypatch.setattr(module, "build_book", fake_build)
    monkeypatch.setattr(module.subprocess, "run", fake_run)
    module.calls = calls
    return module


def test_usage_for_no_or_unknown_command(dev, capsys):
    assert dev.main([]) == 2
    assert dev.main(["unitt"]) == 2
    err = capsys.readouterr().err
    assert err.count("usage: python3 dev.py book | test") == 2 and "unit" in err
    assert dev.main(["--help"]) == 0
    assert "python3 dev.py unit" in capsys.readouterr().out
    assert dev.calls["run"] == [] and dev.calls["setup"] == []


def test_unit_runs_pytest_without_the_book(dev):
    assert dev.main(["unit", "-k", "rope", "-q"]) == 0
    assert dev.calls["book"] == 0  # no book build
    assert dev.calls["setup"] == ["book,test"]  # the same .venv stamp as `test`
    (command,) = dev.calls["run"]
    assert command[1:3] == ["-m", "pytest"]
    assert command[-3:] == ["-k", "rope", "-q"]  # the user's arguments, in order, last
    for path in dev.BOOK_TESTS:
        assert f"--ignore={path}" in command
        assert (ROOT / path).exists()  # the names still point at real files


def test_test_builds_the_book_and_runs_everything(dev, monkeypatch):
    monkeypatch.setattr(dev, "ensure_chromium", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(dev, "run", lambda command, **kwargs: dev.calls["run"].append(list(command)))
    assert dev.main(["test", "-x"]) == 0
    assert dev.calls["book"] == 1
    lint, tests = dev.calls["run"]
    assert "ruff" in lint
    assert tests[1:] == ["-m", "pytest", "-x"]  # no --ignore: the whole suite


def test_failing_tests_exit_1(dev, capsys):
    dev.calls["returncode"] = 5
    assert dev.main(["unit"]) == 1
    assert "tests failed (pytest exit code 5)" in capsys.readouterr().err
