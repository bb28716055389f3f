"""Run the positional-encoding shoot-out or the extrapolation race (train short, test long).

Usage: ``python benchmarks/run_experiments.py [--mode quick|medium|full] [--race]
[--device cpu|cuda] [--tasks copy lookback probe] [--seeds 0 1 2] [--threads 1] [--out FILE]``

- ``--mode quick`` is what the book's chapters run on a CPU (tiny models, a few hundred steps).
- ``--mode medium`` (:data:`rope_viz.MEDIUM_SETTINGS`) is wider and trains longer, so that the
  copy task is learned at the training length; about half an hour on two CPU cores for the
  race on copy and lookback.
- ``--mode full`` trains larger models for longer (:data:`rope_viz.FULL_SETTINGS`): meant for a
  GPU (``--device cuda``); it also runs on a CPU, slowly.

``--race`` runs the extrapolation race (:data:`rope_viz.RACE_ENCODINGS`: the baselines and Su's
techniques) instead of the shoot-out of positional schemes. A tqdm bar shows the runs, the
elapsed time and an estimate of the time left; the table is printed at the end. ``--out``
writes the result as JSON with its provenance: the command, the commit, the machine, torch's
version, the threads, the wall time and the date (:func:`rope_viz.save_result`). The medium
race stored in the package, ``rope_viz/data/race_medium.json``, was made with::

    python benchmarks/run_experiments.py --mode medium --race --tasks copy lookback --threads 1 --out FILE

from a clean checkout of the commit its provenance names (``rope_viz.stored_race().made_by()``
prints the command, commit, machine, torch and date).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import platform
import subprocess
import sys
import time

import torch

from rope_viz.experiments import (
    ENCODINGS,
    FULL_SETTINGS,
    MEDIUM_SETTINGS,
    QUICK_SETTINGS,
    RACE_ENCODINGS,
    TASKS,
    run_shootout,
    save_result,
)

SETTINGS = {"quick": QUICK_SETTINGS, "medium": MEDIUM_SETTINGS, "full": FULL_SETTINGS}


def _commit() -> str:
    """The checkout's commit, with "+dirty" when tracked files differ from it."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return sha + ("+dirty" if dirty.strip() else "")


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({cpu})"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=tuple(SETTINGS), default="quick")
    parser.add_argument("--race", action="store_true",
                        help="race Su's extrapolation techniques (RACE_ENCODINGS)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--tasks", nargs="+", choices=TASKS, default=None,
                        help="default: lookback and probe in quick mode, lookback for the "
                             "quick race, copy and lookback in medium mode, all tasks in full")
    parser.add_argument("--seeds", nargs="+", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None, help="CPU threads for torch")
    parser.add_argument("--out", default=None, help="write the result and its provenance (JSON)")
    args = parser.parse_args(argv)
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        parser.error("--device cuda was asked for, but torch sees no CUDA device")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    elif args.device == "cpu" and args.mode != "full":
        torch.set_num_threads(1)  # small models: one thread avoids thread hand-off overhead
    settings = SETTINGS[args.mode]
    if args.seeds is not None:
        settings = dataclasses.replace(settings, seeds=tuple(args.seeds))
    if args.race and args.mode == "quick":
        settings = dataclasses.replace(settings, eval_multiples=(1, 2, 4, 8))
    default_tasks = {"quick": ("lookback",) if args.race else ("lookback", "probe"),
                     "medium": ("copy", "lookback"), "full": TASKS}[args.mode]
    tasks = tuple(args.tasks) if args.tasks else default_tasks
    encodings = RACE_ENCODINGS if args.race else ENCODINGS
    print(f"mode {args.mode} on {args.device}, {torch.get_num_threads()} threads: {settings}")
    start = time.perf_counter()
    result = run_shootout(settings, tasks=tasks, encodings=encodings, device=args.device,
                          progress=True)
    wall = time.perf_counter() - start
    print(result.table())
    print(f"wall time {wall:.1f} s")
    if args.out:
        provenance = {
            "command": "python benchmarks/run_experiments.py " + " ".join(
                sys.argv[1:] if argv is None else argv),
            "commit": _commit(),
            "machine": _machine(),
            "device": args.device,
            "threads": torch.get_num_threads(),
            "torch": torch.__version__,
            "python": platform.python_version(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "wall_seconds": round(wall, 1),
        }
        save_result(result, args.out, provenance=provenance)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
