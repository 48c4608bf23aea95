"""Check (and refit) the cost and memory estimates that price on-demand runs.

    python -m bench.calibrate_costs [--quick] [--only ID ...] [--fit]

Runs a grid of small-to-moderate configurations of every experiment with ONE BLAS
thread (as on-demand runs do), measures wall time (best of --repeat runs) and peak
traced memory (tracemalloc sees every numpy allocation; one more, untimed run), and
prints estimate / actual for each, with the load average at the start. The estimate
must stay above half the actual time and above the peak memory.
`--fit` also fits the machine constants of experiments/costs.py to the measured times
(non-negative least squares on the work each estimate counted) and prints them next to
the shipped ones; the shipped constants are those times a margin for a loaded host.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from experiments.framework import costs
from experiments.framework.experiment import run
from experiments.framework.registry import get

RF = {"n_widths": 10, "max_ratio": 4.0}
GRID = {
    "polynomial": [({}, 5), ({"n_train": 60, "max_degree": 400}, 3),
                   ({"n_train": 150, "max_degree": 1200}, 1)],
    "random_features": [({"n_train": 100, **RF}, 2),
                        ({"n_train": 200, **RF, "ridge": (0.0, 1e-3)}, 1),
                        ({"dataset": "synthetic", "n_train": 300, **RF}, 1),
                        ({"n_train": 400, "n_widths": 20, "max_ratio": 1.5,
                          "ridge": (1e-5, 1e-3, 1e-1)}, 1),
                        ({}, 1), ({"features": "relu", "n_train": 300, "max_ratio": 10.0}, 1)],
    "linear_theory": [({"n_train": 50, "n_gammas": 10}, 2), ({"n_train": 100}, 1), ({}, 1),
                      ({"covariance": "both", "n_train": 300}, 1)],
    "sample_wise": [({}, 20), ({"max_train": 200, "remove_noise": True, "compare": False}, 5)],
    "scaling": [({"family": "random_features"}, 1), ({"family": "mlp"}, 1),
                ({"family": "rbf_svm", "max_train": 1000}, 1), ({"family": "logistic"}, 1),
                ({"curve": "grid", "max_train": 200}, 1), ({"curve": "model", "max_train": 150}, 1),
                ({}, 1)],
    "trees": [({"n_train": 100, "max_trees": 5}, 1), ({"model": "boosting", "n_train": 200}, 1),
              ({"dataset": "synthetic", "n_train": 300}, 1), ({}, 1)],
    "grokking": [({"p": 23, "width": 64, "epochs": 200}, 1), ({"p": 59, "epochs": 100}, 1),
                 ({"p": 97, "width": 512, "epochs": 30, "loss": "cross_entropy"}, 1), ({}, 1)],
    "grokking_phase": [({"epochs": 100}, 1), ({"epochs": 300, "train_fractions": (0.3,)}, 1)],
    # the rest at their default settings (the default on-demand run, and one seed)
    **{eid: [({}, 1), ({}, None)] for eid in ("benign_overfitting", "epoch_wise",
                                               "random_labels", "emergence",
                                               "deep_double_descent")},
}
QUICK = {eid: configs[:2] for eid, configs in GRID.items()}


def measure(exp, params: dict, seeds: int, repeat: int = 2) -> dict:
    """Estimates, the work counted, wall time (best of `repeat`: load spikes on a shared
    host only ever add time) and traced peak of one configuration."""
    clean = exp.validate(params)
    seeds = seeds or exp.default_seeds
    counted = []
    price = costs.price
    costs.price = lambda work: (counted.append(work), price(work))[1]
    try:
        estimate = exp.cost(clean, seeds)
    finally:
        costs.price = price
    with threadpool_limits(1):
        seconds = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            run(exp, clean, seeds, capped=False)
            seconds = min(seconds, time.perf_counter() - start)
        tracemalloc.start()
        run(exp, clean, seeds, capped=False)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {"id": exp.id, "params": params, "seeds": seeds, "estimate": estimate,
            "seconds": seconds, "memory": exp.memory(clean, seeds), "peak": peak,
            "work": counted[-1] if counted else costs.Work()}


def warm_up(exp) -> None:
    """Imports and cached data sets load once, outside any measurement."""
    params, _ = GRID[exp.id][0]
    run(exp, exp.validate(params), 1, capped=False)


def fit_rates(rows: list[dict]) -> dict:
    """Constants that best explain this run's measured times (no margin)."""
    from scipy.optimize import nnls

    kinds = sorted({kind for row in rows for kind in row["work"]})
    a = np.array([[row["work"].get(kind, 0.0) for kind in kinds] for row in rows])
    b = np.array([row["seconds"] for row in rows])
    weight = 1 / np.maximum(b, 1e-3)  # relative error: every configuration counts the same
    scale = np.maximum(a.max(axis=0), 1e-30)
    solution, _ = nnls(a / scale * weight[:, None], b * weight)
    return dict(zip(kinds, solution / scale))


def _plain(value):
    """numpy scalars (seed counts, work units) as JSON numbers."""
    return value.item() if hasattr(value, "item") else str(value)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two configurations per experiment")
    parser.add_argument("--only", nargs="*", help="experiment ids")
    parser.add_argument("--repeat", type=int, default=2,
                        help="timed runs per configuration (best kept)")
    parser.add_argument("--fit", action="store_true", help="fit and print machine constants")
    parser.add_argument("--save",
                        help="write the measurements (and the work counted) to this JSON file")
    args = parser.parse_args(argv)
    grid = QUICK if args.quick else GRID
    rows = []
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'experiment':16} {'config':58} {'est s':>7} {'actual':>7} {'act/est':>7} "
          f"{'est MB':>7} {'peak MB':>7} {'pk/est':>6}")
    for eid, configs in grid.items():
        if args.only and eid not in args.only:
            continue
        exp = get(eid)
        warm_up(exp)
        for params, seeds in configs:
            row = measure(exp, params, seeds, args.repeat)
            rows.append(row)
            label = (", ".join(f"{k}={v}" for k,
                               v in params.items()) or "defaults") + f"; {row['seeds']} seed(s)"
            print(f"{eid:16} {label[:58]:58} {row['estimate']:7.2f} {row['seconds']:7.2f} "
                  f"{row['seconds'] / row['estimate']:7.2f} {row['memory'] / costs.MB:7.1f} "
                  f"{row['peak'] / costs.MB:7.1f} {row['peak'] / row['memory']:6.2f}", flush=True)
    load = os.getloadavg()[0]
    for eid in dict.fromkeys(r["id"] for r in rows):
        ratios = [r["estimate"] / r["seconds"] for r in rows if r["id"] == eid]
        print(f"figure: {eid}: worst estimate/actual {min(ratios):.2f} (best {max(ratios):.2f}; "
              f"{len(ratios)} configuration(s), load {load:.1f}; must stay above 0.5)")
    worst_time = max(r["seconds"] / r["estimate"] for r in rows)
    worst_memory = max(r["peak"] / r["memory"] for r in rows)
    print(f"\nworst actual/estimate: time {worst_time:.2f} (must stay below 2), "
          f"memory {worst_memory:.2f} (must stay below 1)")
    if args.save:
        Path(args.save).write_text(json.dumps([{**r, "params": repr(r["params"]),
                                                "work": dict(r["work"])}
                                               for r in rows], indent=1, default=_plain))
    if args.fit:
        print(f"\n{'constant':10} {'fitted here':>15} {'shipped':>15}")
        for kind, rate in fit_rates(rows).items():
            print(f"{kind:10} {rate:15.3e} {costs.RATE[kind]:15.3e}")
        print(f"(shipped estimates multiply by LOAD = {costs.LOAD})")
    return 0 if worst_time <= 2 and worst_memory <= 1 else 1


if __name__ == "__main__":
    sys.exit(main())
