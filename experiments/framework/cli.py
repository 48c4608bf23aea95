"""`python -m experiments`: list, describe, run and precompute experiments; `runs` the
results catalog (every `run` is kept there unless `--no-save`).

Invalid input prints one readable line on stderr and exits with status 2; no traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from experiments.framework import cli_runs, registry, store
from experiments.framework.catalog import CatalogError
from experiments.framework.cli_runs import OneLineParser, UsageError, one_line_error
from experiments.framework.experiment import run
from experiments.framework.params import ParamError, parse_assignments
from experiments.framework.provenance import Result, command_line
from experiments.framework.schema import SchemaError, config_columns


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m experiments", description=__doc__)
    sub = parser.add_subparsers(dest="verb", required=True, parser_class=OneLineParser)
    sub.add_parser("list", help="list the experiments")
    describe = sub.add_parser("describe", help="print an experiment's parameter spec as JSON")
    describe.add_argument("id")
    runner = sub.add_parser("run", help="run an experiment on demand")
    runner.add_argument("id")
    runner.add_argument("--set", dest="assignments", action="append", default=[],
                        metavar="KEY=VALUE", help="override a parameter (repeatable)")
    runner.add_argument("--seeds", type=int, default=None, help="number of seeds (0..K-1)")
    runner.add_argument("--out", type=Path, default=None, help="write .parquet or .csv here")
    runner.add_argument("--no-cap", action="store_true", help="lift the on-demand compute cap")
    runner.add_argument("--no-save", action="store_true",
                        help="do not keep the run in the results catalog (see `runs`)")
    add_parallel_flags(runner)
    pre = sub.add_parser("precompute", help="regenerate the shipped data/ files")
    pre.add_argument("ids", nargs="*", help="experiments to regenerate (default: all)")
    pre.add_argument("--data-dir", type=Path, default=None, help=argparse.SUPPRESS)
    pre.add_argument("--check", action="store_true",
                     help="compare a fresh run with the shipped file instead of writing it")
    add_parallel_flags(pre)
    new = sub.add_parser("new", help="create a working experiment from a template")
    new.add_argument("name", help="the new experiment's id (lowercase, e.g. knn_sweep)")
    cli_runs.add_parser(sub)
    return parser


def add_parallel_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", type=int, default=1, help="parallel workers (joblib)")
    parser.add_argument("--backend", choices=("local", "dask"), default="local",
                        help="local processes (default) or a Dask cluster")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    parser.add_argument("--scheduler-timeout", type=float, default=10.0, metavar="SECONDS",
                        help="how long to keep trying to reach the Dask scheduler (default 10)")


@contextmanager
def parallel_backend(args):
    """Yields (backend, jobs) for `run`; with Dask, connects a client for the duration."""
    if args.backend == "local":
        if args.scheduler:
            raise UsageError("--scheduler only applies with --backend dask")
        yield None, args.jobs
        return
    if not args.scheduler:
        raise UsageError("--backend dask needs --scheduler ADDRESS (e.g. tcp://127.0.0.1:8786)")
    if not 0 < args.scheduler_timeout <= 600:
        raise UsageError("--scheduler-timeout: give a number of seconds above 0, at most 600")
    try:
        from dask.distributed import Client
    except ImportError:
        raise UsageError("--backend dask needs the optional extra: "
                         "pip install -r requirements-dask.txt") from None
    try:
        client = Client(args.scheduler, timeout=f"{args.scheduler_timeout}s")
    except (OSError, TimeoutError, ValueError) as err:
        raise UsageError(f"cannot reach the Dask scheduler at {args.scheduler} ({err})") from None
    with client:
        workers = sum(client.nthreads().values()) or 1
        yield "dask", max(args.jobs, workers)


def progress_printer(label: str):
    """Progress on stderr: a live line on a terminal, a line per 10% step in logs."""
    live = sys.stderr.isatty()
    last_step = [-1]

    def report(fraction: float, text: str) -> None:
        if live:
            end = "\n" if fraction >= 1 else ""
            print(f"\r{label}: {fraction:4.0%} {text}".ljust(60), end=end, file=sys.stderr,
                  flush=True)
        elif int(fraction * 10) > last_step[0]:
            last_step[0] = int(fraction * 10)
            print(f"{label}: {fraction:4.0%} {text}", file=sys.stderr, flush=True)
    return report


def summary_table(frame: pd.DataFrame, x: str) -> pd.DataFrame:
    """Median over seeds of each metric per x value and per config that varies
    (e.g. model or ridge), train and test side by side."""
    rows = frame[frame["seed"] >= 0]
    varying = [c for c in config_columns(rows)
               if c not in (x, "split") and rows.groupby(x)[c].nunique().max() > 1]
    return rows.pivot_table(index=varying + [x], columns=["metric", "split"], values="value",
                            aggfunc="median")


def do_list(_args) -> None:
    for exp in registry.experiments().values():
        print(f"{exp.id:<18} {exp.title}")


def do_describe(args) -> None:
    print(json.dumps(registry.get(args.id).describe(), indent=2))


def do_run(args) -> None:
    exp = registry.get(args.id)
    if args.out is not None:
        if args.out.suffix not in (".csv", ".parquet"):
            raise UsageError(f"--out must end in .parquet or .csv, got {args.out.name!r}")
        try:
            store.check_output(args.out)  # before the run, not after it
        except store.StoreError as err:
            raise UsageError(f"--out: {err}") from None
    assignments = parse_assignments(args.assignments)
    params = exp.validate(assignments)
    with parallel_backend(args) as (backend, jobs):
        frame, provenance = run(exp, params, args.seeds, jobs=jobs, capped=not args.no_cap,
                                progress=progress_printer(exp.id), backend=backend,
                                command=command_line(exp.id, assignments, args.seeds))
    if args.out is None:
        with pd.option_context("display.width", 160, "display.max_columns", 12):
            print(summary_table(frame, exp.x).to_string(float_format="{:.4g}".format))
    elif args.out.suffix == ".csv":
        store.write_csv(frame, args.out)
    else:
        store.write_table(frame, args.out, provenance)
    if args.out is not None:
        print(f"wrote {len(frame)} rows to {args.out}", file=sys.stderr)
    if not args.no_save:
        cli_runs.save_run(Result(frame, provenance), args.backend)


def do_precompute(args) -> int:
    chosen = ([registry.get(i) for i in args.ids] if args.ids
              else list(registry.experiments().values()))
    data_dir = args.data_dir or store.DATA_DIR
    store.check_folder(data_dir)  # a missing or read-only folder fails now, not after the runs
    for path in store.sync_sidecars(data_dir):
        print(f"{path.name}: rewritten from its Parquet file (a previous run was interrupted)",
              file=sys.stderr)
    differ = 0
    for exp in chosen:
        start = time.perf_counter()
        params = exp.validate(exp.precompute_params)
        with parallel_backend(args) as (backend, jobs):
            result = run(exp, params, exp.precompute_seeds, jobs=jobs, capped=False,
                         progress=progress_printer(exp.id), backend=backend,
                         command=f"python -m experiments precompute {exp.id}")
        if args.check:
            difference = shipped_difference(result, data_dir)
            differ += difference is not None
            print(f"{exp.id}: {difference or 'equals the shipped file'} "
                  f"({time.perf_counter() - start:.1f} s)", file=sys.stderr)
            continue
        path = store.save(*result, data_dir)
        print(f"{exp.id}: {len(result.frame)} rows -> {path} ({time.perf_counter() - start:.1f} s)",
              file=sys.stderr)
    return 1 if differ else 0


def shipped_difference(result: Result, data_dir: Path) -> str | None:
    """None when a fresh result equals its stored file number for number (both read back
    through the store, so both get the same types), else a one-line description."""
    exp_id = result.provenance["experiment"]
    shipped, provenance = store.load(exp_id, data_dir)
    with tempfile.TemporaryDirectory() as scratch:
        store.save(*result, Path(scratch))
        fresh, fresh_provenance = store.load(exp_id, Path(scratch))
    for key in ("params", "seeds"):
        if fresh_provenance[key] != provenance[key]:
            return f"differs from the shipped file: its {key} changed"
    try:
        pd.testing.assert_frame_equal(fresh, shipped, check_exact=True)
    except AssertionError as err:
        return "differs from the shipped file: " + " ".join(str(err).split())[:200]
    return None


def do_new(args) -> None:
    from experiments.framework import scaffold

    for path in scaffold.create(args.name):
        print(f"wrote {path.relative_to(scaffold.ROOT)}", file=sys.stderr)
    do_precompute(argparse.Namespace(ids=[args.name], data_dir=None, jobs=1, backend="local",
                                     scheduler=None, check=False))
    print(f"next: edit experiments/{args.name}.py and dashboard/pages/{args.name}.py, then "
          f"`python -m pytest tests/test_{args.name}.py` and `streamlit run streamlit_app.py`",
          file=sys.stderr)


VERBS = {"list": do_list, "describe": do_describe, "run": do_run, "precompute": do_precompute,
         "new": do_new, "runs": cli_runs.do_runs}


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        status = VERBS[args.verb](args)
    except (UsageError, ParamError, SchemaError, store.StoreError, CatalogError, OSError) as err:
        return one_line_error(err)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bug, not bad input: still one line, details on request
        if os.environ.get("DESCENT_LAB_DEBUG"):
            raise
        print(f"error: internal error {type(err).__name__}: {err} "
              "(set DESCENT_LAB_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1
    return status or 0
