"""Run the positional-encoding shoot-out (train short, test long) and print its table.

Usage: ``python benchmarks/run_experiments.py [--mode quick|full] [--device cpu|cuda]
[--tasks copy lookback probe] [--seeds 0 1 2] [--threads 1]``

``--mode quick`` is what the book's chapter runs on a CPU (tiny models, a few hundred steps;
the chapter runs the lookback and probe tasks). ``--mode full`` trains larger models for
longer on every task (:data:`rope_viz.experiments.FULL_SETTINGS`): meant for a GPU
(``--device cuda``), it also runs on a CPU, slowly. A progress line shows the run, the elapsed time and an estimate
of the time left. Same model, data and seed for every scheme: only the positional scheme
changes; "rope+ntk" and "rope+yarn" are the trained RoPE model with its frequencies rescaled
at evaluation time.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import torch

from rope_viz.experiments import FULL_SETTINGS, QUICK_SETTINGS, TASKS, run_shootout


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("quick", "full"), default="quick")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--tasks", nargs="+", choices=TASKS, default=None,
                        help="default: lookback and probe in quick mode, all tasks in full mode")
    parser.add_argument("--seeds", nargs="+", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None, help="CPU threads for torch")
    args = parser.parse_args(argv)
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        parser.error("--device cuda was asked for, but torch sees no CUDA device")
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    elif args.device == "cpu" and args.mode == "quick":
        torch.set_num_threads(1)  # tiny models: one thread avoids thread hand-off overhead
    settings = FULL_SETTINGS if args.mode == "full" else QUICK_SETTINGS
    if args.seeds is not None:
        settings = dataclasses.replace(settings, seeds=tuple(args.seeds))
    default_tasks = TASKS if args.mode == "full" else ("lookback", "probe")
    tasks = tuple(args.tasks) if args.tasks else default_tasks
    print(f"mode {args.mode} on {args.device}: {settings}")
    start = time.perf_counter()
    result = run_shootout(settings, tasks=tasks, device=args.device, progress=True)
    print(result.table())
    print(f"wall time {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
