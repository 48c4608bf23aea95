"""Benchmark: the results catalog with 10,000 runs, and eight processes saving at once.

Fills a scratch catalog with 10,000 runs (one real saved result; the other rows are
listed through the catalog's bulk path with varied experiments, parameters, dates, tags
and notes), then times `runs list` end to end (`python -m experiments runs list --json`,
interpreter start-up included) next to the bare CLI start-up measured in the same run,
and the API call (`open_catalog().list()`). Target: under 1 s on 2 cores. Then eight
processes save small results at the same moment: saves per second against one process.

    python -m bench.bench_catalog [--runs 10000] [--no-postgres] [--quick]

Everything is repeated on a throwaway local PostgreSQL (tests/pg_server.py) when its
server binaries are installed.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from experiments.framework.catalog_records import ALPHABET, row_values
from tests.catalog_helpers import Backend, fresh_schema, small_result

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = ("polynomial", "random_features", "linear_theory", "sample_wise", "trees",
               "grokking", "scaling", "emergence", "epoch_wise", "random_labels")


def fill(backend: Backend, n_runs: int) -> None:
    rng = random.Random(0)
    with backend.open() as catalog:
        base = small_result().provenance
        catalog.save(small_result(), source="cli")
        rows = []
        for i in range(n_runs - 1):
            run_id = "".join(rng.choice(ALPHABET) for _ in range(8))
            provenance = {**base, "experiment": rng.choice(EXPERIMENTS),
                          "params": {**base["params"], "max_degree": rng.randint(5, 600),
                                     "noise": round(rng.random(), 3)},
                          "created": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00",
                          "runtime_seconds": round(rng.random() * 60, 3)}
            tags = ("baseline",) if i % 10 == 0 else ()
            rows.append(row_values(run_id, provenance, rng.choice(("cli", "dask", "page")),
                                    False, tags, f"{run_id}.parquet"))
        catalog._insert_many(rows)
        if n_runs > 1:
            catalog.note(rows[0][0], "a note to search for")


def median_seconds(action, repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of `action()` in this process."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def cli_seconds(backend: Backend, argv: list[str], repeat: int) -> tuple[float, float]:
    """Median wall and CPU (user + system) seconds of a CLI child: CPU time hardly
    depends on how busy the host is, wall time does."""
    walls, cpus = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, *argv], cwd=ROOT, env=backend.env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(f"{' '.join(argv)} failed")
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def _save_many(backend: Backend, barrier, count: int) -> None:
    with backend.open() as catalog:
        result = small_result()
        barrier.wait(timeout=300)
        for _ in range(count):
            catalog.save(result, source="cli")


def saves_per_second(backend: Backend, processes: int, each: int) -> float:
    fork = multiprocessing.get_context("fork")
    barrier = fork.Barrier(processes + 1)
    procs = [fork.Process(target=_save_many, args=(backend, barrier, each))
             for _ in range(processes)]
    for proc in procs:
        proc.start()
    barrier.wait(timeout=300)
    start = time.perf_counter()
    for proc in procs:
        proc.join()
    if any(proc.exitcode for proc in procs):
        raise SystemExit("a saving process failed")
    return processes * each / (time.perf_counter() - start)


def bench(backend: Backend, n_runs: int, repeat: int, each: int) -> str:
    start = time.perf_counter()
    fill(backend, n_runs)
    print(f"[{backend.name}] filled {n_runs:,} runs in {time.perf_counter() - start:.1f} s")
    with backend.open() as catalog:
        listed = len(catalog.list())
    assert listed >= n_runs, listed
    api_open = median_seconds(lambda: backend.open().close(), repeat)
    with backend.open() as catalog:
        api_list = median_seconds(catalog.list, repeat)
        api_filtered = median_seconds(lambda: catalog.list(tag="baseline", text="note"), repeat)
    python = cli_seconds(backend, ["-c", "pass"], repeat)
    full_cli = cli_seconds(backend, ["-c", "import experiments.framework.cli"], repeat)
    cli_json = cli_seconds(backend, ["-m", "experiments", "runs", "list", "--json"], repeat)
    cli_table = cli_seconds(backend, ["-m", "experiments", "runs", "list"], repeat)
    for name, (wall, cpu) in (("API open_catalog()", api_open), (f"API list() of {listed:,}",
                              api_list), ("API list(tag=, text=)", api_filtered),
                              ("CLI runs list --json", cli_json), ("CLI runs list", cli_table),
                              ("reference: python -c pass", python),
                              ("reference: import the full CLI", full_cli)):
        print(f"[{backend.name}] {name:<32} {wall:6.2f} s wall {cpu:6.2f} s CPU")
    one = saves_per_second(backend, 1, each * 2)
    eight = saves_per_second(backend, 8, each)
    print(f"[{backend.name}] saves: 1 process {one:.0f}/s, 8 processes at once {eight:.0f}/s "
          f"({eight / one:.2f}x one process), all {8 * each + 2 * each} landed")
    return (f"{backend.name}: runs list --json of {listed:,} runs {cli_json[0]:.2f} s wall, "
            f"{cli_json[1]:.2f} s CPU end to end (importing the full CLI alone: "
            f"{full_cli[1]:.2f} s CPU), API list {api_list[0]:.2f} s; 8-process saves "
            f"{eight:.0f}/s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and saves")
    args = parser.parse_args()
    repeat, each = (1, 5) if args.quick else (3, 20)
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    summary = []
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        summary.append(bench(Backend("sqlite", None, folder / "sqlite"), args.runs, repeat, each))
        if not args.no_postgres:
            from tests import pg_server

            try:
                url = fresh_schema(stack.enter_context(pg_server.cluster()))
            except pg_server.Unavailable as err:
                print(f"[postgresql] skipped: {err}")
            else:
                summary.append(bench(Backend("postgresql", url, folder / "pg"), args.runs,
                                     repeat, each))
    print("; ".join(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
