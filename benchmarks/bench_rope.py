"""Time RoPE against a plain copy of the same bytes.

Usage: ``python benchmarks/bench_rope.py [--shape 1 16 4096 128] [--repeats 21] [--device cpu]``

Prints, for each shape, the median time of: rope_viz ``apply_rope`` in each form and pairing,
Hugging Face's ``apply_rotary_pos_emb`` (the rotate_half form with full-size temporaries, cos
and sin precomputed as a model would), and ``q.clone()``. Ratios are to the copy measured in the
same run. RoPE reads q once and writes it once, so a copy is its honest speed limit. rope_viz's
cos/sin tables are cached after the first call, as a model's would be. Only q is rotated in
every case (Hugging Face's function also rotates k; its time is halved to compare like with like).
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

import rope_viz


def median_ms(fn, repeats: int, device: torch.device) -> float:
    fn()  # warm-up (fills caches, allocator)
    times = []
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def bench(shape, repeats: int, device: torch.device) -> list:
    from transformers.models.llama.modeling_llama import apply_rotary_pos_emb

    gen = torch.Generator().manual_seed(0)
    q = torch.randn(*shape, generator=gen).to(device)
    n, dim = shape[-2], shape[-1]
    positions = torch.arange(n)
    angles = torch.from_numpy(rope_viz.rope_angles(n, dim))  # (n, dim/2) float64
    emb = torch.cat([angles, angles], dim=-1)  # (n, dim): HF layout
    cos, sin = emb.cos().float().to(device)[None], emb.sin().float().to(device)[None]  # (1, n, dim)
    rows = [("copy: q.clone()", median_ms(lambda: q.clone(), repeats, device))]
    hf = median_ms(lambda: apply_rotary_pos_emb(q, q, cos, sin), repeats, device) / 2
    rows.append(("HF apply_rotary_pos_emb (per tensor)", hf))
    for pairing in ("half", "interleaved"):
        for form in ("elementwise", "complex"):
            t = median_ms(lambda p=pairing, f=form: rope_viz.apply_rope(q, positions, pairing=p, form=f), repeats, device)
            rows.append((f"rope_viz {form:11s} {pairing}", t))
    if n * dim * dim * 4 <= 2**30:
        small = q[..., : min(n, 256), :]
        t = median_ms(lambda: rope_viz.apply_rope(small, small.shape[-2], form="matrix"), 3, device)
        rows.append((f"rope_viz matrix (first {small.shape[-2]} rows only)", t))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", type=int, nargs=4, action="append", help="B H N D (repeatable)")
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    shapes = args.shape or [(1, 16, 4096, 128), (1, 32, 1024, 64), (4, 8, 2048, 128)]
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu ({torch.get_num_threads()} threads)"
    print(f"device: {name}; torch {torch.__version__}; fp32; median of {args.repeats} runs")
    for shape in shapes:
        rows = bench(tuple(shape), args.repeats, device)
        copy = rows[0][1]
        print(f"\nshape {tuple(shape)}  ({torch.Size(shape).numel() * 4 / 2**20:.0f} MiB per tensor)")
        print(f"| {'what':44s} | {'ms':>8s} | {'x copy':>7s} |")
        print(f"|{'-' * 46}|{'-' * 10}|{'-' * 9}|")
        for label, ms in rows:
            print(f"| {label:44s} | {ms:8.2f} | {ms / copy:7.2f} |")


if __name__ == "__main__":
    main()
