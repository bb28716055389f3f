"""Time naive attention against scaled_dot_product_attention over sequence lengths.

Usage: ``python benchmarks/bench_attention.py [--lengths 1024 2048 4096] [--device cuda]
[--repeats 10] [--dtype float16] [--batch 1] [--heads 16] [--head-size 64] [--no-causal]
[--threads 1]``

Prints the rows of :func:`rope_viz.attention_timing`: for every length T, the median time of
the naive path (the ``(B, nh, T, T)`` scores materialised, softmax, ``@ v``) and of
``torch.nn.functional.scaled_dot_product_attention``, their ratio, the analytic size of one
score tensor, the measured peak of extra CUDA memory of each path (``-`` on the CPU, where
PyTorch keeps no such counter, and for a path that ran out of memory), and the largest
difference between the two outputs.
"""

from __future__ import annotations

import argparse

import torch

import rope_viz
from rope_viz.timing import attention_timing, format_table

COLUMNS = {"length": "T", "naive_ms": "naive ms", "sdpa_ms": "SDPA ms", "speedup": "naive/SDPA",
           "scores_mib": "scores MiB", "naive_peak_mib": "naive peak MiB",
           "sdpa_peak_mib": "SDPA peak MiB", "max_abs_diff": "max |diff|"}
DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16,
          "float64": torch.float64}


def main() -> None:
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
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
