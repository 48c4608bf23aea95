"""Benchmark: the random-features sweep against a naive pinv loop and scikit-learn.

Identical work on all sides: the same random Fourier features of the same digits
split, the same widths and ridge penalties, test predictions per (width, lambda).
  (a) naive: a fresh np.linalg.pinv per width (ridge: a fresh solve of the smaller
      of the primal and dual normal equations) per width and lambda;
  (b) scikit-learn: validation_curve over Pipeline(first-p-columns, Ridge or
      LinearRegression) with one predefined train/test split;
  lab: experiments.numerics.sweep_solver.nested_ridge_sweep (one QR below n; above n a growing Gram
      matrix and Cholesky factors, with sigma_min by Lanczos on the inverse).
Each side first runs once on the two smallest widths, so no timing pays for thread
pools starting or code loading. Prints times and ratios measured in the same run,
and the largest relative difference from (a). `--quick` uses n_train = 300.

End to end, what a user gets: `python -m experiments run random_features --set
n_train=1000 --set features=relu --set ridge=0 --seeds 1` (features, sweep, sigma_min,
coefficient norms, effective parameters, the kernel limit, the tidy frame) against a
plain loop with one SVD per width over the same widths, which gives the predictions,
sigma_min and the coefficient norm; the ratio excludes interpreter start-up.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
from scipy import linalg as sla

from experiments import random_features as rf
from experiments.framework.experiment import run
from experiments.numerics.datasets import digits_split, one_hot
from experiments.numerics.features import draw_random_weights, random_features
from experiments.numerics.sweep_solver import nested_ridge_sweep
from experiments.numerics.threads import single_threaded


def problem(n_train: int, n_widths: int, max_ratio: float, seed: int = 0):
    params = rf.EXPERIMENT.validate({"n_train": n_train, "n_widths": n_widths,
                                     "max_ratio": max_ratio})
    split = digits_split(n_train, seed)
    widths = rf.widths_for(params)
    weights, offsets = draw_random_weights(64, widths[-1], params["bandwidth"], "fourier",
                                           np.random.default_rng([seed, 3]))
    f = random_features(split.x_train, weights, offsets, "fourier")
    f_test = random_features(split.x_test, weights, offsets, "fourier")
    return f, f_test, one_hot(split.y_train), widths


def naive(f, f_test, y, widths, ridges):
    n, out = f.shape[0], []
    for p in widths:
        fp, ft = np.sqrt(2.0 / p) * f[:, :p], np.sqrt(2.0 / p) * f_test[:, :p]
        for lam in ridges:
            if lam == 0:
                beta = np.linalg.pinv(fp) @ y
            elif p <= n:  # ridge by its smaller normal equations: primal below n, dual above
                beta = np.linalg.solve(fp.T @ fp + n * lam * np.eye(p), fp.T @ y)
            else:
                beta = fp.T @ np.linalg.solve(fp @ fp.T + n * lam * np.eye(n), y)
            out.append(ft @ beta)
    return out


def scikit_learn(f, f_test, y, widths, ridges):
    from sklearn.base import BaseEstimator, TransformerMixin
    from sklearn.linear_model import LinearRegression, Ridge
    from sklearn.model_selection import validation_curve
    from sklearn.pipeline import Pipeline

    class FirstColumns(BaseEstimator, TransformerMixin):
        def __init__(self, p=1):
            self.p = p

        def fit(self, x, y=None):
            return self

        def transform(self, x):
            return np.sqrt(2.0 / self.p) * x[:, : self.p]

    x = np.vstack([f, f_test])
    targets = np.vstack([y, np.zeros((len(f_test), y.shape[1]))])
    cv = [(np.arange(len(f)), np.arange(len(f), len(x)))]
    n = len(f)
    for lam in ridges:
        model = LinearRegression(fit_intercept=False) if lam == 0 else Ridge(alpha=n * lam,
                                                                             fit_intercept=False)
        validation_curve(Pipeline([("cols", FirstColumns()), ("fit", model)]), x, targets,
                         param_name="cols__p", param_range=list(widths), cv=cv,
                         scoring="neg_mean_squared_error")


def naive_svd_loop(params: dict, seed: int = 0) -> dict:
    """Per width: one SVD of the scaled train features; predictions, sigma_min, ||beta||."""
    split, y_train, _ = rf._data(params, seed)
    widths = rf.widths_for(params)
    weights, offsets = draw_random_weights(split.x_train.shape[1], widths[-1],
                                           params["bandwidth"], params["features"],
                                           np.random.default_rng([seed, 3]))
    f = random_features(split.x_train, weights, offsets, params["features"])
    f_test = random_features(split.x_test, weights, offsets, params["features"])
    out = {}
    for p in widths:
        scale = np.sqrt(2.0 / p)
        u, s, vt = np.linalg.svd(scale * f[:, :p], full_matrices=False)
        keep = s > 1e-15 * s[0]
        beta = vt[keep].T @ ((u[:, keep].T @ y_train) / s[keep, None])
        test_mse = np.sum((scale * f_test[:, :p] @ beta - rf.one_hot(split.y_test)) ** 2,
                          axis=1).mean()
        out[int(p)] = {"test_mse": test_mse, "coef_norm": np.linalg.norm(beta),
                       "sigma_min": s[keep].min()}
    return out


def end_to_end(n_train: int) -> None:
    """The user's run (in process, after a warm-up of imports) against the naive loop,
    both on one BLAS thread as on-demand runs are; the user's run is timed before and
    after the loop and the faster kept. CPU seconds are printed too: on a shared host
    they move less with the load than wall time does."""
    params = rf.EXPERIMENT.validate({"n_train": n_train, "features": "relu", "ridge": (0.0,)})
    run(rf.EXPERIMENT, rf.EXPERIMENT.validate({"n_train": 100, "n_widths": 5}), 1)
    user = lambda: run(rf.EXPERIMENT, params, 1, capped=False)  # noqa: E731
    first, (frame, _), cpu_first = timed_cpu(user)
    with single_threaded():
        t_naive, ref, cpu_naive = timed_cpu(naive_svd_loop, params)
    second, _, cpu_second = timed_cpu(user)
    t_lab, cpu_lab = min(first, second), min(cpu_first, cpu_second)
    rows = rf.features_only(frame)
    worst = 0.0
    for (split, metric), key in ((("test", "mse"), "test_mse"), (("train", "coef_norm"),
                                 "coef_norm"), (("train", "sigma_min"), "sigma_min")):
        got = rows[(rows["split"] == split) & (rows["metric"] == metric)]
        for p, value in zip(got["n_params"], got["value"]):
            truth = ref[int(p)][key]
            worst = max(worst, abs(value - truth) / max(abs(truth), 1e-300))
    print(f"figure: random features end to end (n_train={n_train}, relu, ridge 0, "
          f"{len(ref)} widths to {max(ref)}, one BLAS thread): the user's run {t_lab:.2f} s "
          f"(with effective parameters and the kernel limit; runs {first:.2f}, {second:.2f}), "
          f"a naive SVD per width {t_naive:.2f} s = {t_naive / t_lab:.1f}x; CPU time "
          f"{cpu_lab:.2f} s vs {cpu_naive:.2f} s = {cpu_naive / cpu_lab:.1f}x; max relative "
          f"difference in test MSE, coefficient norm, sigma_min {worst:.1e}")
    floor = blas_floor(params)
    print(f"figure: random features end to end, floor: its unavoidable level-3 products "
          f"alone take {floor:.2f} s on one thread here "
          f"(a QR of the first n columns, Gram and test kernel over {max(ref)} columns, a "
          f"Cholesky and the effective parameters' solve per width above n): at most "
          f"{t_naive / floor:.1f}x the naive loop even with nothing else")


def blas_floor(params: dict, seed: int = 0) -> float:
    """Seconds that the level-3 products of the user's run cannot go below on one thread
    at this machine's measured rates: above n, the Gram matrix (syrk) and the test kernel
    (gemm) over every feature column, and per width a Cholesky and the solve of the
    effective parameters' n x (test + classes) right-hand sides; below n, the one QR of
    the first n columns. Each rate is the best of
    a few calls of the run's own shapes; the run adds QR, Lanczos, features and frames."""
    split, y_train, _ = rf._data(params, seed)
    widths = rf.widths_for(params)
    n, t, k = len(split.x_train), len(split.x_test), y_train.shape[1]
    wide = widths[widths > n]
    rng = np.random.default_rng(0)
    block = np.asfortranarray(rng.random((512, n)))
    test = np.asfortranarray(rng.random((512, t)))
    gram = np.asfortranarray(block.T @ block + n * np.eye(n))
    rhs = np.asfortranarray(rng.random((n, t + k)))
    chol = sla.cho_factor(gram)

    def best(fn):
        return min(timed(fn)[0] for _ in range(3))

    with single_threaded():
        syrk = best(lambda: sla.blas.dsyrk(1.0, block, trans=1)) / 512
        gemm = best(lambda: sla.blas.dgemm(1.0, block, test, trans_a=1)) / 512
        factor = best(lambda: sla.cho_factor(gram, check_finite=False))
        solve = best(lambda: sla.cho_solve(chol, rhs, check_finite=False))
        square = np.asfortranarray(rng.random((n, n)))
        qr = best(lambda: sla.qr_multiply(square, rhs[:, :k].T, mode="right"))
    return qr + widths[-1] * (syrk + gemm) + len(wide) * (factor + solve)


def timed_cpu(fn, *args):
    """(wall seconds, result, CPU seconds of this process)."""
    start, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return time.perf_counter() - start, out, time.process_time() - cpu


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n_train, n_widths = (300, 20) if args.quick else (1000, 40)
    ridges = (0.0, 1e-3)
    f, f_test, y, widths = problem(n_train, n_widths, 20.0)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"random features on digits: n_train={n_train}, {len(widths)} widths up to "
          f"{widths[-1]}, ridges {ridges}, {len(f_test)} test points")
    for side in (naive, scikit_learn):
        side(f, f_test, y, widths[:2], ridges)
    nested_ridge_sweep(f, f_test, y, widths[:2], ridges, np.sqrt(2.0 / widths[:2]))
    # Identical work: predictions only (the lab's effective-parameter norms are extra).
    # The lab runs between and after the baselines, so its median sees the same
    # machine conditions they did (this host is shared; single runs vary by ~20%).
    lab_args = (f, f_test, y, widths, ridges, np.sqrt(2.0 / widths), False)
    lab_runs = []
    t, fit = timed(nested_ridge_sweep, *lab_args)
    lab_runs.append(t)
    t_naive, ref = timed(naive, f, f_test, y, widths, ridges)
    lab_runs.append(timed(nested_ridge_sweep, *lab_args)[0])
    t_sk, _ = timed(scikit_learn, f, f_test, y, widths, ridges)
    lab_runs.append(timed(nested_ridge_sweep, *lab_args)[0])
    t_lab = float(np.median(lab_runs))
    t_full, _ = timed(nested_ridge_sweep, f, f_test, y, widths, ridges, np.sqrt(2.0 / widths))
    lab = [fit.test_pred[i, j] for i in range(len(widths)) for j in range(len(ridges))]
    worst = max(float(np.max(np.abs(a - b)) / np.max(np.abs(b))) for a, b in zip(lab, ref))
    print(f"  (a) naive pinv / solve per width and lambda : {t_naive:8.2f} s  "
          f"({t_naive / t_lab:5.1f}x)")
    print(f"  (b) scikit-learn validation_curve          : {t_sk:8.2f} s  ({t_sk / t_lab:5.1f}x)")
    print(f"  lab nested sweep (median of 3)             : {t_lab:8.2f} s  "
          f"(runs {', '.join(f'{t:.2f}' for t in lab_runs)})")
    print(f"  lab sweep + effective parameters (extra)   : {t_full:8.2f} s")
    print(f"  max relative difference from (a): {worst:.1e}")
    start = time.perf_counter()
    frame = run(rf.EXPERIMENT).frame  # what the page's Run button does at default settings
    print(f"  default on-demand run ({rf.EXPERIMENT.default_seeds} seeds, digits, features "
          f"included, {len(frame)} rows): {time.perf_counter() - start:.2f} s")
    end_to_end(n_train)


if __name__ == "__main__":
    main()
