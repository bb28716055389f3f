"""Time naive attention against scaled_dot_product_attention over sequence lengths.

Usage: ``python benchmarks/bench_attention.py [--lengths 1024 2048 4096] [--device cuda]
[--repeats 10] [--dtype float16] [--batch 1] [--heads 16] [--head-size 64] [--no-causal]
[--threads 1] [--out benchmarks/results/attention_gpu.json]``

Prints the rows of :func:`rope_viz.attention_timing`: for every length T, the median time of
the naive path (the ``(B, nh, T, T)`` scores materialised, softmax, ``@ v``) and of
``torch.nn.functional.scaled_dot_product_attention``, their ratio, the analytic size of one
score tensor, the measured peak of extra CUDA memory of each path (``-`` on the CPU, where
PyTorch keeps no such counter, and for a path that ran out of memory), and the largest
difference between the two outputs.

With ``--out PATH`` it also writes the rows as JSON with their provenance: the device's name
and type as they are, the torch and CUDA versions, the date, this exact command and the git
commit (see :func:`rope_viz.timing.attention_results`). The book's GPU chapter shows
``benchmarks/results/attention_gpu.json`` when it exists; a CPU run refuses to write a file
whose name says ``gpu``, so CPU numbers cannot pass for GPU ones.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
from pathlib import Path

import torch

import rope_viz
from rope_viz.timing import ATTENTION_COLUMNS as COLUMNS
from rope_viz.timing import (
    attention_results,
    attention_timing,
    format_table,
    save_attention_results,
)

ROOT = Path(__file__).resolve().parent.parent
DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16,
          "float64": torch.float64}


def git_commit(root: Path = ROOT) -> str:
    """The checkout's commit, marked when files differ from it; ``"unknown"`` without git."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, check=True, timeout=10).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                capture_output=True, text=True, check=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + (" (with uncommitted changes)" if status.strip() else "")


def main(argv: list | None = None) -> int:
    """Run the benchmark with command-line arguments ``argv`` (``sys.argv[1:]`` when None)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=None,
                        help="sequence lengths (default: up to 32768 on CUDA, 2048 on the CPU)")
    parser.add_argument("--device", default=None, help="cpu, cuda, cuda:1 (default: cuda if available)")
    parser.add_argument("--repeats", type=int, default=10, help="timed calls per cell (median)")
    parser.add_argument("--dtype", choices=sorted(DTYPES), default=None,
                        help="default: float16 on CUDA (flash kernels), float32 on the CPU")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--heads", type=int, default=None, help="default: 16 on CUDA, 4 on the CPU")
    parser.add_argument("--head-size", type=int, default=64)
    parser.add_argument("--no-causal", dest="causal", action="store_false", help="no causal mask")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch CPU threads while timing (default: torch's setting)")
    parser.add_argument("--out", type=Path, default=None,
                        help="also write the rows and their provenance to this JSON file")
    args = parser.parse_args(argv)
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads must be a positive integer, got {args.threads}")
    for name in ("repeats", "batch", "head_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be a positive integer, got {getattr(args, name)}")
    try:
        device = rope_viz.pick_device(args.device)
    except ValueError as error:
        parser.error(f"--device: {error}")
    cuda = device.type == "cuda"
    if args.out is not None and not cuda and "gpu" in args.out.name.lower():
        parser.error(f"--out {args.out}: this run measures {device.type}, not a GPU; refusing to "
                     "write CPU numbers to a file named as GPU results")
    lengths = args.lengths or ([1024, 2048, 4096, 8192, 16384, 32768] if cuda else [256, 512, 1024, 2048])
    dtype_name = args.dtype or ("float16" if cuda else "float32")
    heads = args.heads or (16 if cuda else 4)
    try:
        rows = attention_timing(lengths, batch=args.batch, num_heads=heads, head_size=args.head_size,
                                causal=args.causal, dtype=DTYPES[dtype_name], device=device,
                                repeats=args.repeats, threads=args.threads)
    except ValueError as error:
        parser.error(str(error))
    print(f"device: {rope_viz.describe_device(device)}; {dtype_name}; batch {args.batch}, "
          f"{heads} heads of size {args.head_size}; causal={args.causal}; "
          f"median of {args.repeats} runs"
          + (f"; {args.threads} CPU thread(s) while timing" if args.threads else ""))
    if not cuda:
        print("peak memory is not measured on the CPU; 'scores MiB' is the analytic size of one "
              "score tensor (the naive path holds two)")
    print(format_table(rows, COLUMNS))
    if args.out is not None:
        import sys

        words = list(sys.argv[1:] if argv is None else argv)
        settings = dict(dtype=dtype_name, batch=args.batch, num_heads=heads,
                        head_size=args.head_size, causal=args.causal, repeats=args.repeats,
                        threads=args.threads)
        results = attention_results(rows, device=device, settings=settings,
                                    command=shlex.join(["python", "benchmarks/bench_attention.py", *words]),
                                    commit=git_commit())
        save_attention_results(results, args.out)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
