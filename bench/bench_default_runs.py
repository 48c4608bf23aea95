"""Benchmark: every experiment's default on-demand run, its estimate, and (optionally) the
same runs from another checkout measured alternately in the same session.

    python -m bench.bench_default_runs [--quick] [--only ID ...] [--against DIR]

Each run happens in a fresh child process with one BLAS thread, as on-demand runs do;
the time is the run itself (validation, seeds, combine), the child's imports are
reported apart. Timing is the best of --repeat runs (load only ever adds time). With
`--against DIR` (e.g. `git archive <commit> | tar -x -C DIR`), each experiment is timed
there and here back to back, so the ratio holds on a busy host; `--quick` leaves out
the experiments whose default run is longest.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
SLOW = ("grokking", "grokking_phase", "random_labels", "deep_double_descent")
CHILD = """
import json, sys, time
start = time.perf_counter()
from experiments.framework.experiment import run
from experiments.framework.registry import get
exp = get(sys.argv[1])
params = exp.defaults()
imports = time.perf_counter() - start
best = float("inf")
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    run(exp, params, None)
    best = min(best, time.perf_counter() - start)
print(json.dumps({"seconds": best, "imports": imports, "seeds": exp.default_seeds,
                  "estimate": exp.cost(params, exp.default_seeds)}))
"""


def ids(root: Path) -> list[str]:
    out = subprocess.run([sys.executable, "-c", "from experiments.framework.registry import "
                          "experiments; print(' '.join(experiments()))"], cwd=root,
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(root)})
    return out.stdout.split()


def time_default(root: Path, experiment_id: str, repeat: int) -> dict:
    env = {**os.environ, **dict.fromkeys(THREADS, "1"), "PYTHONPATH": str(root)}
    proc = subprocess.run([sys.executable, "-c", CHILD, experiment_id, str(repeat)], cwd=root,
                          env=env, capture_output=True, text=True)
    if proc.returncode:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{experiment_id} in {root}: {tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"leave out {', '.join(SLOW)}")
    parser.add_argument("--only", nargs="*", help="experiment ids")
    parser.add_argument("--repeat", type=int, default=1, help="runs per child (best kept)")
    parser.add_argument("--against", type=Path, help="another checkout to time alternately")
    args = parser.parse_args(argv)
    chosen = args.only or [i for i in ids(ROOT) if not (args.quick and i in SLOW)]
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; one BLAS thread "
          "per run, as on demand")
    failed = 0
    for eid in chosen:
        try:
            here = time_default(ROOT, eid, args.repeat)
            there = time_default(args.against, eid, args.repeat) if args.against else None
        except RuntimeError as err:
            print(f"figure: default run {eid}: FAILED ({err})")
            failed += 1
            continue
        line = (f"figure: default run {eid}: {here['seconds']:.2f} s ({here['seeds']} seeds; "
                f"estimate {here['estimate']:.2f} s, actual/estimate "
                f"{here['seconds'] / here['estimate']:.2f}; imports {here['imports']:.2f} s)")
        if there is not None:
            line += (f"; {args.against.name}: {there['seconds']:.2f} s "
                     f"({there['seconds'] / here['seconds']:.1f}x)")
        print(line, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
