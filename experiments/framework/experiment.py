"""What an experiment is, and how any experiment is run over seeds.

An experiment module defines one `Experiment`: an id, the story (title, what to
notice, references), a parameter spec, and `run_seed(params, seed)`, a pure function
of its arguments. `run` fans seeds out (optionally in parallel with joblib), then lets
the experiment `combine` the per-seed parts (e.g. a bias-variance decomposition that
needs every seed), and checks the tidy contract before anything leaves.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from experiments.framework.claims import Claim, no_claims
from experiments.framework.costs import describe_bytes
from experiments.framework.params import Param, ParamError, validate
from experiments.framework.provenance import Result, make_provenance
from experiments.framework.schema import check_tidy
from experiments.framework.wording import count
from experiments.numerics.threads import single_threaded

ACROSS_SEEDS = -1
"""`seed` value of rows that summarize all seeds at once (e.g. bias^2 and variance)."""

MAX_SEEDS = 200
MEMORY_CAP_BYTES = 300 * 2**20
"""On-demand runs whose estimated peak memory is above this are refused (a few run at
once on a small host, next to the server's own caches)."""


@dataclass
class SeedPart:
    """One seed's output: tidy rows, plus arrays that only `combine` needs."""

    frame: pd.DataFrame
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


def concat_parts(params: dict, parts: Sequence[SeedPart]) -> pd.DataFrame:
    return pd.concat([p.frame for p in parts], ignore_index=True)


@dataclass(frozen=True)
class Experiment:
    """Everything the CLI, the store and the pages need to know about one experiment.

    The contract. A module `experiments/<id>.py` is an experiment when it defines
    `EXPERIMENT = Experiment(...)` with `id` equal to the module name; it is then found
    automatically (no list to edit). It must declare:

    - id, title, summary, references: who it is and what the reader should notice.
    - params: the `Param` spec (experiments/framework/params.py); CLI, widgets and
      permalinks all read it.
    - run_seed(params, seed) -> SeedPart: one seed's tidy rows (`seed`, `split`,
      `metric`, `value` plus config columns), a pure function of its arguments (no
      clocks: `run` measures the runtime).
    - cost(params, n_seeds): estimated seconds with one BLAS thread on the shared host;
      runs above `budget_seconds` are refused unless the cap is lifted (precompute).
    - x: the main swept column, the x axis of its charts.

    Optional, with defaults: metrics (the first is the one the generic page plots),
    order (position in the sidebar, smaller first), page (name of its custom page,
    `dashboard/pages/<page>.py` with `render(frame, params)`; None: the generic page),
    memory(params, n_seeds) (peak bytes above the process; above MEMORY_CAP_BYTES is
    refused), threshold(params) (the interpolation threshold on `x`, or None),
    check(params) (raises ParamError for values valid alone but not together),
    claims(frame, params) (the measured sentences its page shows,
    experiments/framework/claims.py), columns (result columns its page reads beyond the
    tidy ones and `x`; loading checks them), combine (merges the seeds' parts, e.g. for
    a bias-variance decomposition), default_seeds, precompute_params,
    precompute_seeds, budget_seconds, log_x.
    """

    REQUIRED = ("id", "title", "summary", "references", "params", "run_seed", "cost", "x")

    id: str
    title: str
    summary: str
    references: tuple[str, ...]
    params: tuple[Param, ...]
    run_seed: Callable[[dict, int], SeedPart]
    cost: Callable[[dict, int], float]
    x: str
    default_seeds: int = 5
    precompute_params: Mapping[str, Any] = field(default_factory=dict)
    precompute_seeds: int = 20
    combine: Callable[[dict, Sequence[SeedPart]], pd.DataFrame] = concat_parts
    threshold: Callable[[dict], float | None] = lambda params: None
    budget_seconds: float = 20.0
    metrics: tuple[str, ...] = ("mse",)
    log_x: bool = True
    claims: Callable[[pd.DataFrame, dict], list[Claim]] = no_claims
    check: Callable[[dict], None] = lambda params: None
    columns: tuple[str, ...] = ()
    memory: Callable[[dict, int], float] | None = None
    order: int = 1000
    page: str | None = None

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)

    def defaults(self) -> dict:
        return validate(self.params, {})

    def validate(self, values: Mapping[str, Any] | None) -> dict:
        clean = validate(self.params, values)
        self.check(clean)
        return clean

    def describe(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "references": list(self.references),
            "x": self.x,
            "metrics": list(self.metrics),
            "default_seeds": self.default_seeds,
            "budget_seconds": self.budget_seconds,
            "params": [p.to_json() for p in self.params],
        }


def seed_list(seeds: int | Sequence[int]) -> list[int]:
    """`K` means seeds 0..K-1; an explicit list is kept as given (checked, deduplicated)."""
    if isinstance(seeds, bool):
        raise ParamError("seeds: expected a whole number or a list of whole numbers")
    if isinstance(seeds, (int, np.integer)):
        if not 1 <= seeds <= MAX_SEEDS:
            raise ParamError(f"seeds: {seeds} is out of range (1 to {MAX_SEEDS})")
        return list(range(int(seeds)))
    try:
        out = list(dict.fromkeys(int(s) for s in seeds if not isinstance(s, bool)
                                 and float(s) == int(s)))
    except (TypeError, ValueError, OverflowError):
        raise ParamError("seeds: expected a whole number or a list of whole numbers") from None
    if not 1 <= len(out) <= MAX_SEEDS or min(out) < 0 or max(out) > 2**31 - 1:
        raise ParamError(f"seeds: give 1 to {MAX_SEEDS} seeds between 0 and 2^31-1")
    return out


def check_budget(exp: Experiment, params: dict, n_seeds: int) -> float:
    """Refuse runs that would hog a small shared host (time or memory); returns the time
    estimate in seconds."""
    estimate = float(exp.cost(params, n_seeds))
    if estimate > exp.budget_seconds:
        raise ParamError(
            f"this run is too large for on-demand compute (estimated {estimate:.0f} s, "
            f"cap {exp.budget_seconds:.0f} s): lower the size parameters or the number of seeds"
        )
    peak = float(exp.memory(params, n_seeds)) if exp.memory is not None else 0.0
    if peak > MEMORY_CAP_BYTES:
        raise ParamError(
            f"this run is too large for on-demand compute (estimated peak memory "
            f"{describe_bytes(peak)}, cap {describe_bytes(MEMORY_CAP_BYTES)}): lower the size "
            "parameters or the number of seeds"
        )
    return estimate


def _one_seed(exp: Experiment, params: dict, seed: int) -> SeedPart:
    # A BLAS result depends on its thread count (blocking changes the order of the
    # sums), and loky workers get fewer threads than the main process: one thread for
    # every seed, wherever it runs, keeps `jobs=N` equal to `jobs=1` number for number.
    with single_threaded():
        return exp.run_seed(params, seed)


def run(
    exp: Experiment,
    params: Mapping[str, Any] | None = None,
    seeds: int | Sequence[int] | None = None,
    *,
    jobs: int = 1,
    capped: bool = True,
    progress: Callable[[float, str], None] | None = None,
    backend: str | None = None,
    command: str | None = None,
    partial: Callable[[Result], None] | None = None,
) -> Result:
    """Validate, run every seed, combine, check the tidy contract; return the frame with
    its provenance (`command`: the command line that reproduces it, if not `run ...`).
    `partial(result)` receives the combined result of the seeds done so far after each
    seed but the last (a page draws it while the run goes on, and keeps it if the run
    is stopped).

    Seeds are independent and each derives all randomness from its own seed, so the
    numbers do not depend on `jobs` or on the order in which workers finish.
    """
    clean = exp.validate(params)
    seed_ids = seed_list(exp.default_seeds if seeds is None else seeds)
    if not isinstance(jobs, (int, np.integer)) or isinstance(jobs, bool) or not 1 <= jobs <= 64:
        raise ParamError("jobs: expected a whole number between 1 and 64")
    if capped:
        check_budget(exp, clean, len(seed_ids))
    report = progress or (lambda fraction, text: None)
    report(0.0, f"running {count(len(seed_ids), 'seed')}")
    parts: list[SeedPart] = []
    start = time.perf_counter()

    def collect(results):
        for done, part in enumerate(results, start=1):
            parts.append(part)
            report(done / len(seed_ids), f"seed {done}/{len(seed_ids)} done")
            if partial is not None and done < len(seed_ids):
                partial(_combined(exp, clean, parts, seed_ids[:done], start, command))

    if jobs == 1 and backend is None:
        collect(_one_seed(exp, clean, s) for s in seed_ids)
    else:
        from joblib import Parallel, delayed, parallel_config

        # Ordered generator: progress updates as seeds finish, results keep seed order.
        # `backend` may be any joblib backend registered in this process, e.g. "dask"
        # once a dask.distributed Client is connected (see experiments/cli.py).
        with parallel_config(backend=backend or "loky", n_jobs=jobs):
            collect(Parallel(return_as="generator")(
                delayed(_one_seed)(exp, clean, s) for s in seed_ids
            ))
    return _combined(exp, clean, parts, seed_ids, start, command)


def _combined(exp: Experiment, clean: dict, parts: list[SeedPart], seed_ids: list[int],
              start: float, command: str | None) -> Result:
    frame = exp.combine(clean, parts)
    if "experiment" not in frame.columns:
        frame.insert(0, "experiment", exp.id)
    frame = check_tidy(frame, exp.id)
    return Result(frame, make_provenance(exp, clean, seed_ids, time.perf_counter() - start,
                                         command))
