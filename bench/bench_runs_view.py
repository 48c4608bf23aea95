"""Benchmark: the Runs view's render with 10,000 catalogued runs, against the same view
with only the shipped runs, measured in the same run (a busy host inflates both).

Fills a scratch catalog as bench_catalog does, then runs the page script (Streamlit's
AppTest, the server's work without a browser) after one warm-up render that pays the
imports and the catalog's opening, which a server pays once. Target: under 1 s on 2 cores.

    python -m bench.bench_runs_view [--runs 10000] [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_catalog import fill
from tests.catalog_helpers import Backend


def render_seconds(folder: Path, repeat: int) -> tuple[float, float, str]:
    """Median wall and CPU seconds of one Runs view render, and its row caption."""
    os.environ["DESCENT_LAB_RESULTS"] = str(folder)
    from tests.helpers import app_test

    app_test("runs").run()  # warm-up: imports, opening the catalog
    walls, cpus, caption = [], [], ""
    for _ in range(repeat):
        at = app_test("runs")
        start, cpu = time.perf_counter(), time.process_time()
        at.run()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        if at.exception:
            raise SystemExit(f"the Runs view failed: {at.exception[0].value}")
        caption = at.caption[0].value
    return statistics.median(walls), statistics.median(cpus), caption


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.pop("DESCENT_LAB_CATALOG_URL", None)
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as scratch:
        small, large = Path(scratch) / "shipped-only", Path(scratch) / "full"
        small.mkdir()
        fill(Backend("sqlite", None, large), args.runs)
        base = render_seconds(small, args.repeat)
        full = render_seconds(large, args.repeat)
    for name, (wall, cpu, caption) in (("shipped runs only", base), ("filled", full)):
        print(f"Runs view, {name:<18} {wall:6.2f} s wall {cpu:6.2f} s CPU ({caption})")
    print(f"Runs view with {args.runs:,} runs: {full[0]:.2f} s wall, {full[1]:.2f} s CPU; "
          f"{full[1] - base[1]:+.2f} s CPU over the view with the shipped runs only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
