"""Every performance figure of the lab in one command, measured in the same run.

    python -m bench.run_all [--quick] [--suite]

Runs each bench/bench_*.py (their own ratios: solvers vs naive, GFLOP/s vs matmul; the
default on-demand run of every experiment; control latency per view once
bench/bench_controls.py exists), the estimate / actual of every experiment's cost
(bench/calibrate_costs.py), the parallel speedup of `--jobs 2` over `--jobs 1` on a
precompute-sized sweep, the first render time of every dashboard page via AppTest,
peak memory of each part, and with `--suite` the README's test command. Ratios, not
absolute times, are what carries over between machines: both sides of each ratio run
back to back on the same (possibly busy) host; the load average is printed with them.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(argv: list[str]) -> tuple[float, float, str, int]:
    """(seconds, peak RSS MB of the child, stdout+stderr, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, out, proc.returncode


def bench_args(script: Path, quick: bool) -> list[str]:
    """Quick-mode flags a script understands (read from its --help)."""
    if not quick:
        return []
    help_text = subprocess.run([sys.executable, "-m", f"bench.{script.stem}", "--help"], cwd=ROOT,
                               capture_output=True, text=True).stdout
    for flag, args in (("--quick", ["--quick"]), ("--repeat", ["--repeat", "1"])):
        if flag in help_text:
            return args + (["--seeds",
                            "5"] if "--seeds" in help_text and flag == "--repeat" else [])
    return ["--epochs", "200"] if "--epochs" in help_text else []


FIGURE = "figure: "  # a bench line that is one summary row: "figure: NAME: VALUE"
CONTROLS = "bench_controls"  # its lines that state a time are one row each (per view)
TIME = re.compile(r"\d\s*(ms|s)\b")


def figures(stem: str, output: str) -> list[tuple[str, str]]:
    """The rows a bench states itself: its `figure:` lines, or for the control-latency
    bench every line with a time in it."""
    rows = []
    for line in output.splitlines():
        line = line.strip()
        if line.startswith(FIGURE):
            name, _, value = line[len(FIGURE):].partition(": ")
            rows.append((name, value))
        elif stem == CONTROLS and TIME.search(line) and not line.startswith("| view |"):
            rows.append(("control latency", re.sub(r"\s+", " ", line)))
    return rows


def ratios(output: str) -> str:
    """The lines of a bench's output that state its ratios (speed-ups, GFLOP/s, Nx)."""
    lines = [ln.strip() for ln in output.splitlines()
             if re.search(r"speed-?up|GFLOP/s|\(\s*[\d.]+x\)|x slower", ln, re.I)
             and not ln.strip().startswith(("epochs", FIGURE))]  # detail lines, own rows
    return "; ".join(re.sub(r"\s+", " ", ln) for ln in lines)


def headline(output: str) -> str:
    return (ratios(output) or (output.strip().splitlines() or ["(no output)"])[-1])[:300]


def run_benches(quick: bool) -> list[tuple[str, str, str]]:
    rows = []
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        seconds, rss, out, code = timed([sys.executable, "-m", f"bench.{script.stem}",
                                         *bench_args(script, quick)])
        print(f"\n## {script.name} ({seconds:.1f} s, peak {rss:.0f} MB)\n{out.strip()}", flush=True)
        own = figures(script.stem, out)
        if code != 0:
            rows.append((script.stem, f"FAILED (exit {code})", f"{rss:.0f} MB"))
        elif ratios(out) or not own:
            rows.append((script.stem, headline(out).replace("|", "/"), f"{rss:.0f} MB"))
        rows += [(f"{script.stem}: {name}", value.replace("|", "/"), f"{rss:.0f} MB")
                 for name, value in own]
    return rows


def calibration(quick: bool) -> list[tuple[str, str, str]]:
    """Estimate / actual per experiment over bench/calibrate_costs.py's grid."""
    seconds, rss, out, code = timed([sys.executable, "-m", "bench.calibrate_costs", "--repeat",
                                     "1", *(["--quick"] if quick else [])])
    print(f"\n## calibrate_costs ({seconds:.1f} s, peak {rss:.0f} MB)\n{out.strip()}", flush=True)
    rows = [(f"cost estimate, {name}", value, "") for name, value in figures("", out)]
    return rows or [("calibrate_costs", f"FAILED (exit {code})", f"{rss:.0f} MB")]


def suite_time() -> tuple[str, str, str]:
    """The README's test command, timed (minutes on 2 cores)."""
    seconds, rss, out, code = timed([sys.executable, "-m", "pytest", "-q"])
    last = (out.strip().splitlines() or ["no output"])[-1]
    return ("test suite (README command)",
            f"{seconds / 60:.1f} min: {last}" if code == 0 else f"FAILED: {last}", "")


def jobs_speedup(quick: bool) -> tuple[str, str, str]:
    """The same sweep with --jobs 1 and --jobs 2; identical output, wall-time ratio."""
    with tempfile.TemporaryDirectory() as tmp:
        def make(j: int) -> list[str]:
            if quick:
                return [sys.executable, "-m", "experiments", "run", "polynomial", "--seeds", "40",
                        "--no-cap", "--jobs", str(j), "--out", f"{tmp}/j{j}.parquet"]
            # the shipped precompute itself, into a scratch folder (the CLI creates none)
            Path(f"{tmp}/j{j}").mkdir()
            return [sys.executable, "-m", "experiments", "precompute", "polynomial",
                    "--jobs", str(j), "--data-dir", f"{tmp}/j{j}"]
        t1, rss1, out1, c1 = timed(make(1))
        t2, rss2, out2, c2 = timed(make(2))
    if c1 or c2:
        return ("parallel --jobs 2 vs 1", f"FAILED: {(out1 + out2).strip().splitlines()[-1]}", "")
    return ("parallel --jobs 2 vs 1 (polynomial sweep)",
            f"{t1 / t2:.2f}x speedup ({t1:.1f} s -> {t2:.1f} s)", f"{max(rss1, rss2):.0f} MB")


def page_renders() -> list[tuple[str, str, str]]:
    """First render of every page (cold cache) via AppTest, relative to the home page."""
    import resource

    import streamlit as st
    from streamlit import logger
    from streamlit.testing.v1 import AppTest

    from dashboard import data
    from dashboard.app import page_table

    def script(url_path):
        from dashboard.app import render_page

        render_page(url_path)

    logger.set_log_level("error")  # bare-mode warnings are expected here
    AppTest.from_function(script, args=("home",), default_timeout=300).run()  # imports, untimed
    times = {}
    for path in [p for entries in page_table().values() for p, _t, _r in entries]:
        st.cache_data.clear()
        data.DERIVED.clear()  # what pages derive is cached server-side too: cold means cold
        start = time.perf_counter()
        at = AppTest.from_function(script, args=(path,), default_timeout=300).run()
        times[path] = (time.perf_counter() - start, "ERROR" if at.exception or at.error else "")
    base = times.get("home", next(iter(times.values())))[0]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [(f"page {path} (AppTest, cold)", f"{t:.2f} s = {t / base:.1f}x home {bad}".strip(),
             f"{rss:.0f} MB (all pages)") for path, (t, bad) in times.items()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a few minutes")
    parser.add_argument("--suite", action="store_true",
                        help="also time the README's test command (several minutes)")
    args = parser.parse_args()
    start, load = time.perf_counter(), os.getloadavg()[0]
    rows = run_benches(args.quick)
    rows += calibration(args.quick)
    rows.append(jobs_speedup(args.quick))
    rows += page_renders()
    if args.suite:
        rows.append(suite_time())
    print(f"\n## Summary ({'quick' if args.quick else 'full'}, {os.cpu_count()} cores, load "
          f"average {load:.1f} at the start and {os.getloadavg()[0]:.1f} at the end, "
          f"{time.perf_counter() - start:.0f} s)\n")
    print("| figure | measured in this run | peak memory |\n|---|---|---|")
    for name, figure, memory in rows:
        print(f"| {name} | {figure} | {memory} |")
    return 1 if any("FAILED" in r[1] or "ERROR" in r[1] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
