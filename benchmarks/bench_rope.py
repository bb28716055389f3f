"""Time RoPE against a plain copy of the same bytes.

Usage: ``python benchmarks/bench_rope.py [--shape 1 16 4096 128] [--repeats 21] [--device cuda]
[--dtype float32] [--matrix-max-mib 64] [--threads 1]``

Prints, for each shape, the rows of :func:`rope_viz.rope_kernel_timing`: ``x.clone()``, the
textbook rotate_half form (:func:`rope_viz.rope_rotate_half_reference`, cos and sin precomputed
as a model holds them), and rope_viz's ``apply_rope`` in each form and pairing; plus Hugging
Face's ``apply_rotary_pos_emb`` when transformers is installed (benchmarks may use it; the book
and rope_viz never do). Ratios are to the copy measured in the same run: RoPE reads x once and
writes it once, so a copy is its honest speed limit. Only one tensor is rotated in every row
(Hugging Face's function rotates q and k; its time is halved to compare like with like).
"""

from __future__ import annotations

import argparse

import torch

import rope_viz
from rope_viz.timing import format_table, median_time, rope_kernel_timing

COLUMNS = {"what": "what", "ms": "ms", "x_copy": "x copy", "gb_per_s": "GB/s"}
DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16,
          "float64": torch.float64}


def hugging_face_row(shape, repeats, device, dtype, copy_ms):
    """Hugging Face's apply_rotary_pos_emb on (x, x), time halved; None without transformers."""
    try:
        from transformers.models.llama.modeling_llama import apply_rotary_pos_emb
    except ImportError:
        return None
    x = torch.randn(shape, generator=torch.Generator().manual_seed(0)).to(device=device, dtype=dtype)
    n, dim = shape[-2], shape[-1]
    cos, sin = rope_viz.rope_rotate_half_tables(n, dim, dtype=dtype, device=device)  # (n, dim)
    with torch.inference_mode():
        seconds = median_time(lambda: apply_rotary_pos_emb(x, x, cos[None], sin[None]),
                              repeats=repeats, device=device) / 2
    ms = seconds * 1e3
    moved = 2 * x.numel() * x.element_size()
    return {"what": "HF apply_rotary_pos_emb (per tensor)", "ms": ms, "x_copy": ms / copy_ms,
            "gb_per_s": moved / seconds / 1e9}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", type=int, nargs=4, action="append", metavar=("B", "H", "N", "D"),
                        help="shape of q (repeatable); default: three Llama-like shapes")
    parser.add_argument("--repeats", type=int, default=21, help="timed calls per row (median)")
    parser.add_argument("--device", default=None, help="cpu, cuda, cuda:1 (default: cuda if available)")
    parser.add_argument("--dtype", choices=sorted(DTYPES), default="float32")
    parser.add_argument("--matrix-max-mib", type=float, default=64.0,
                        help="time the O(n dim^2) matrix form only below this many MiB of matrices")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch CPU threads while timing (default: torch's setting)")
    args = parser.parse_args()
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads must be a positive integer, got {args.threads}")
    if args.repeats < 1:
        parser.error(f"--repeats must be a positive integer, got {args.repeats}")
    try:
        device = rope_viz.pick_device(args.device)
    except ValueError as error:
        parser.error(f"--device: {error}")
    dtype = DTYPES[args.dtype]
    shapes = args.shape or [(1, 16, 4096, 128), (1, 32, 1024, 64), (4, 8, 2048, 128)]
    threads = f"; {args.threads} CPU thread(s) while timing" if args.threads else ""
    print(f"device: {rope_viz.describe_device(device)}; {args.dtype}; median of {args.repeats} runs{threads}")
    for shape in shapes:
        rows = rope_kernel_timing(tuple(shape), dtype=dtype, device=device, repeats=args.repeats,
                                  matrix_max_mib=args.matrix_max_mib, threads=args.threads)
        with rope_viz.cpu_threads(args.threads):
            extra = hugging_face_row(tuple(shape), args.repeats, device, dtype, rows[0]["ms"])
        if extra is not None:
            rows.insert(2, extra)
        mib = torch.Size(shape).numel() * torch.empty((), dtype=dtype).element_size() / 2**20
        print(f"\nshape {tuple(shape)}  ({mib:.1f} MiB per tensor)")
        print(format_table(rows, COLUMNS))


if __name__ == "__main__":
    main()
