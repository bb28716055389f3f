"""How long ``rope_viz.config_report`` takes for every config the package ships.

Run: ``python benchmarks/bench_configs.py [--repeat 5]``.

Configs: every entry of ``rope_viz.EXAMPLE_CONFIGS`` and of the atlas data file
``rope_viz/data/model_atlas.json`` (read with :func:`rope_viz.atlas.load_atlas` when that
module exists, else with ``json``). Each is reported ``--repeat`` times; the table gives the
rotary dim, the context, the median time in ms, and whether Men et al.'s smallest base is known
exactly or as a certified bracket. A config the reader rejects is listed with its error and
skipped. The target is a median under 1000 ms for every config; the slowest is printed last.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from importlib import resources

import rope_viz


def atlas_configs() -> dict:
    """``{name: config}`` from the atlas data file, or ``{}`` when the file is not there."""
    try:
        from rope_viz.atlas import load_atlas
        entries = load_atlas()
    except ImportError:
        path = resources.files("rope_viz") / "data" / "model_atlas.json"
        if not path.is_file():
            return {}
        entries = json.loads(path.read_text(encoding="utf-8"))["models"]
    return {entry["name"]: entry["config"] for entry in entries}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    configs = {**rope_viz.EXAMPLE_CONFIGS, **atlas_configs()}
    print(f"{'config':34s} {'rot dim':>7s} {'context':>11s} {'median ms':>10s}  min base")
    timed = []
    for name, config in configs.items():
        times = []
        try:
            for _ in range(args.repeat):
                began = time.perf_counter()
                report = rope_viz.config_report(config, name)
                times.append(1000 * (time.perf_counter() - began))
        except (TypeError, ValueError) as error:
            print(f"{name:34s} skipped: {type(error).__name__}: {error}"[:160])
            continue
        median = statistics.median(times)
        low, high = report.min_base_bounds
        known = f"exact {low:.4g}" if low == high else f"in [{low:.3g}, {high:.3g}]"
        print(f"{name:34s} {report.rotary_dim:7d} {report.context:11,d} {median:10.1f}  {known}")
        timed.append((median, name))
    if timed:
        median, name = max(timed)
        verdict = "under" if median < 1000 else "OVER"
        print(f"\nslowest: {name}, median {median:.1f} ms ({verdict} the 1000 ms target); "
              f"{len(timed)} of {len(configs)} configs read")


if __name__ == "__main__":
    main()
