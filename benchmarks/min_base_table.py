"""Compute entries of rope_viz.decay.MIN_BASE_TABLE by the certified search, offline.

Run: ``python benchmarks/min_base_table.py [--dims 64 96] [--max-power 17] [--budget 120]``.

For each rotary dim d the lengths L = 2^10, 2^11, … are searched in order (lengths already in
MIN_BASE_TABLE are skipped); each search starts at the previous length's b* (b*(L) never decreases with L: a base feasible for a longer context
is feasible for a shorter one), so every base below the start is already certified infeasible.
With the defaults of :func:`rope_viz.min_base_for_context` (rtol 1e-9) the result is the value
that function returns. A dim's chain stops after a search that took longer than ``--budget``
seconds. Prints one ``(L, d): b*,`` line per entry (paste into MIN_BASE_TABLE) and the time.
"""

from __future__ import annotations

import argparse
import sys
import time

import rope_viz
from rope_viz.decay import MIN_BASE_TABLE


def chain(dim: int, max_power: int, budget: float, first_power: int = 10):
    """Yield ``(length, base, seconds)`` for L = 2^first_power … 2^max_power at ``dim``."""
    for power in range(first_power, max_power + 1):
        length = 2**power
        if (length, dim) in MIN_BASE_TABLE:
            continue
        # with its defaults the search starts at the longest stored entry shorter than length
        shorter = [b for (n, d), b in MIN_BASE_TABLE.items() if d == dim and n < length]
        began = time.perf_counter()
        base = rope_viz.min_base_for_context(length, dim, start=max([2.0, *shorter]))
        seconds = time.perf_counter() - began
        MIN_BASE_TABLE[(length, dim)] = base  # the next length starts here
        yield length, base, seconds
        if seconds > budget:
            return


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, nargs="+", default=[64, 96, 256, 32, 80])
    parser.add_argument("--max-power", type=int, default=17)
    parser.add_argument("--budget", type=float, default=120.0)
    args = parser.parse_args(argv)
    for dim in args.dims:
        for length, base, seconds in chain(dim, args.max_power, args.budget):
            print(f"    ({length}, {dim}): {base!r},  # {seconds:.1f} s", flush=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
