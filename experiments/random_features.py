"""Random features: model-wise double descent (Belkin et al. 2019).

What to notice
--------------
Fit a linear model on N random features of the input with the minimum-norm least
squares solution. Test error falls, then rises to a sharp peak where N = n_train
(the feature matrix is square and nearly singular, so the coefficients blow up),
then falls again as N keeps growing: on clean digits the widest model beats the best
model smaller than the training set. Training error is exactly zero from the
threshold on. A small ridge penalty removes the peak.

Flipped training labels (`label_noise`) change the verdict: the peak is taller, the
interpolating models fit the wrong labels too, and a ridge penalty (or a small model)
then beats the widest interpolator. `claims` measures each of these sentences.

On digits (400 training images, one-hot squared loss): 0-1 test error ~5% at N = 200,
~80% at N = 400, ~3% at N = 2000 and beyond.

The second descent levels off at the infinite-width limit: as N grows, the features'
Gram matrix converges to a kernel (Gaussian for Fourier features, arc-cosine for ReLU),
and the minimum-norm fit to kernel interpolation with it (Belkin, Ma, Mandal 2018). Rows
with `source = kernel` hold that limit (n_params NaN), from one n x n Cholesky solve per
fit (an eigendecomposition per seed for many fits or an ill-conditioned kernel); the
finite-width rows have `source = features`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.analysis.random_features import (  # noqa: F401  (pages and tests use them)
    KERNEL_NAMES,
    band_top,
    best_points,
    best_ridge,
    claims,
    error_metric,
    examples,
    features_only,
    formatter,
    home_rows,
    kernel_value,
    median_curve,
)
from experiments.framework import costs
from experiments.framework.experiment import Experiment, SeedPart, concat_parts
from experiments.framework.params import Param
from experiments.framework.schema import tidy_rows
from experiments.numerics import showcase
from experiments.numerics.datasets import (
    N_DIGITS,
    digits_split,
    flip_labels,
    one_hot,
    synthetic_regression,
)
from experiments.numerics.features import draw_random_weights, limit_kernel, random_features
from experiments.numerics.kernel_limit import KernelLimit, kernel_fit  # noqa: F401
from experiments.numerics.sweep_solver import nested_ridge_sweep

SYNTHETIC_DIM = 10
SYNTHETIC_TEST = 1000

PARAMS = (
    Param("dataset", "str", "digits", "digits: scikit-learn's 8x8 digits, one-hot squared loss; "
          "synthetic: a smooth non-linear regression in 10 dimensions.",
          choices=("digits", "synthetic")),
    Param("features", "str", "fourier", "Random Fourier features sqrt(2/N) cos(Wx + b) or random "
          "ReLU features sqrt(2/N) max(0, Wx).", choices=("fourier", "relu")),
    Param("n_train", "int", 400, "Training set size (digits: stratified subset).", low=20,
          high=1500),
    Param("noise", "float", 0.1, "Label noise standard deviation (synthetic only).", low=0.0,
          high=2.0,
          relevant_when=(("dataset", ("synthetic",)),)),
    Param("label_noise", "floats", (0.0,), "Fractions of training labels flipped (digits only); "
          "several values are run side by side on the same features.", low=0.0, high=0.9,
          max_items=4,
          relevant_when=(("dataset", ("digits",)),)),
    Param("max_ratio", "float", 20.0, "Widest model, in multiples of n_train.", low=1.5, high=40.0),
    Param("n_widths", "int", 30, "Number of widths (log-spaced from n_train / 20).", low=5,
          high=80),
    Param("ridge", "floats", (0.0,),
          "Ridge penalties lambda on (1/n)||Y - Fb||^2 + lambda ||b||^2; "
          "0 = minimum norm. Several values are overlaid.", low=0.0, high=10.0, max_items=6),
    Param("bandwidth", "float", 5.0, "Fourier feature bandwidth s: W ~ N(0, 1/s^2).",
          low=0.1, high=100.0,
          relevant_when=(("features", ("fourier",)),)),
)


def widths_for(params: dict) -> np.ndarray:
    """Log-spaced widths from n/20 to max_ratio * n, always including n itself."""
    n = params["n_train"]
    grid = np.geomspace(max(1, n / 20), params["max_ratio"] * n, params["n_widths"])
    return np.unique(np.append(grid.round().astype(int), n))


def _data(params: dict, seed: int, label_noise: float = 0.0):
    if params["dataset"] == "digits":
        split = digits_split(params["n_train"], seed)
        labels = split.y_train
        if label_noise > 0:
            # One stream per seed for every fraction: a larger fraction flips a superset.
            labels = flip_labels(labels, label_noise, np.random.default_rng([seed, 5]))
        return split, one_hot(labels), one_hot(split.y_test)
    split = synthetic_regression(params["n_train"], SYNTHETIC_TEST, SYNTHETIC_DIM, params["noise"],
                                 seed)
    return split, split.y_train[:, None], split.y_test[:, None]


def label_noises(params: dict) -> tuple[float, ...]:
    """Label noise only exists on digits; synthetic runs fit once."""
    return params["label_noise"] if params["dataset"] == "digits" else params["label_noise"][:1]


def run_seed(params: dict, seed: int) -> SeedPart:
    widths = widths_for(params)
    split = _data(params, seed)[0]
    rng = np.random.default_rng([seed, 3])
    weights, offsets = draw_random_weights(split.x_train.shape[1], widths[-1], params["bandwidth"],
                                           params["features"], rng)
    f_train = random_features(split.x_train, weights, offsets, params["features"], np.float32)
    f_test = random_features(split.x_test, weights, offsets, params["features"], np.float32)
    kernel = _limit(params, split)
    frames, arrays = [], {}
    for label_noise in label_noises(params):
        _, y_train, y_test = _data(params, seed, label_noise)
        fit = nested_ridge_sweep(f_train, f_test, y_train, widths, params["ridge"],
                                 scale=np.sqrt(2.0 / widths))
        frames += _fit_rows(params, seed, label_noise, split, widths, fit, y_train, y_test)
        frames += _kernel_rows(params, seed, label_noise, split, y_train, y_test, kernel)
        if not arrays:
            arrays = _examples(params, split, fit.test_pred[:, 0])
    return SeedPart(pd.concat(frames, ignore_index=True), arrays)


def _examples(params: dict, split, test_pred: np.ndarray) -> dict[str, np.ndarray]:
    """A few test examples and the first setting's predictions for them at every width
    (first ridge penalty, first label-noise value): see experiments/numerics/showcase.py."""
    if params["dataset"] == "digits":
        idx = showcase.digit_examples(split.y_test)
        return {"predicted": test_pred[:, idx].argmax(axis=2), "labels": split.y_test[idx],
                "pixels": split.x_test[idx]}
    idx = np.arange(min(showcase.REGRESSION_POINTS, len(split.y_test)))
    return {"predicted": test_pred[:, idx, 0].astype(np.float32), "targets": split.y_test[idx]}


def combine(params: dict, parts) -> pd.DataFrame:
    """Every seed's rows, plus the first seed's example predictions (`source` example)."""
    first = parts[0]
    widths, a = widths_for(params), first.arrays
    rows = (showcase.digit_rows(widths, a["predicted"], a["labels"], a["pixels"])
            if "pixels" in a else showcase.regression_rows(widths, a["predicted"], a["targets"]))
    rows = rows.assign(
        seed=int(first.frame["seed"].iloc[0]), split="test", n_train=params["n_train"],
        ridge=params["ridge"][0], dataset=params["dataset"], features=params["features"],
        label_noise=label_noises(params)[0], noise=params["noise"],
        bandwidth=params["bandwidth"], source="example")
    return pd.concat([concat_parts(params, parts), rows], ignore_index=True)


def _limit(params: dict, split) -> KernelLimit:
    """The limit kernel on the train and test inputs: once per seed, for every fit."""
    kind, s = params["features"], params["bandwidth"]
    return KernelLimit(limit_kernel(split.x_train, split.x_train, s, kind),
                       limit_kernel(split.x_test, split.x_train, s, kind),
                       len(params["ridge"]) * len(label_noises(params)))


def _kernel_rows(params, seed, label_noise, split, y_train, y_test,
                 kernel) -> list[pd.DataFrame]:
    """The infinite-width limit of the same features (same bandwidth): n_params is NaN."""
    rows = []
    for lam in params["ridge"]:
        train_pred, test_pred, norm, p_eff = kernel.fit(y_train, lam)
        metrics = {("train", "mse"): np.sum((train_pred - y_train) ** 2, axis=1).mean(),
                   ("test", "mse"): np.sum((test_pred - y_test) ** 2, axis=1).mean(),
                   ("train", "coef_norm"): norm}
        if params["dataset"] == "digits":
            wrong = train_pred.argmax(axis=1) != y_train.argmax(axis=1)
            metrics[("train", "error_rate")] = np.mean(wrong)
            metrics[("test", "error_rate")] = np.mean(test_pred.argmax(axis=1) != split.y_test)
        rows += [{"split": split_name, "metric": metric, "value": float(value), "ridge": lam,
                  "effective_params": p_eff} for (split_name, metric), value in metrics.items()]
    return [pd.DataFrame(rows).assign(
        seed=seed, n_params=np.nan, n_train=params["n_train"], dataset=params["dataset"],
        features=params["features"], label_noise=label_noise, noise=params["noise"],
        bandwidth=params["bandwidth"], source="kernel")]


def _fit_rows(params, seed, label_noise, split, widths, fit, y_train, y_test) -> list[pd.DataFrame]:
    frames = []
    for j, lam in enumerate(fit.ridges):
        metrics = {
            ("train", "mse"): np.sum((fit.train_pred[:, j] - y_train) ** 2, axis=2).mean(axis=1),
            ("test", "mse"): np.sum((fit.test_pred[:, j] - y_test) ** 2, axis=2).mean(axis=1),
            ("train", "coef_norm"): fit.coef_norm[:, j],
            ("train", "sigma_min"): fit.sigma_min,
        }
        if params["dataset"] == "digits":
            # Training error is measured against the (possibly flipped) labels it was fitted to.
            for split_name, pred, truth in (("train", fit.train_pred, y_train.argmax(axis=1)),
                                            ("test", fit.test_pred, split.y_test)):
                wrong = pred[:, j].argmax(axis=2) != truth
                metrics[(split_name, "error_rate")] = wrong.mean(axis=1)
        for (split_name, metric), values in metrics.items():
            frames.append(tidy_rows(
                seed, split_name, metric, values, n_params=widths, n_train=params["n_train"],
                ridge=lam, effective_params=fit.effective_params()[:, j],
                dataset=params["dataset"], features=params["features"],
                label_noise=label_noise, noise=params["noise"], bandwidth=params["bandwidth"],
                source="features"))
    return frames


def _sizes(params: dict) -> tuple[int, int, int, int]:
    """(n, n_test, outputs, input dimension) of a seed's data."""
    if params["dataset"] == "digits":
        return params["n_train"], N_DIGITS - params["n_train"], 10, 64
    return params["n_train"], SYNTHETIC_TEST, 1, SYNTHETIC_DIM


def cost(params: dict, n_seeds: int) -> float:
    """Seconds with one BLAS thread (experiments/costs.py): the features once, then per
    label-noise setting the sweep over every width and penalty (with the smoother's n_test
    right-hand sides), metrics and frames, and the kernel limit's fits; the kernel limit's
    n x n eigendecomposition and the test kernel in its basis once per seed."""
    n, m, k, dim = _sizes(params)
    widths, ridges = widths_for(params), params["ridge"]
    top, rows = int(widths[-1]), len(widths) * len(ridges)
    relu = params["features"] == "relu"
    sweep = costs.sweep_work(n, m, k, widths, ridges) + costs.Work(
        elements=6 * rows * (n + m) * k, calls=100 + 250 * len(ridges))
    kernel = costs.Work(gemm=2 * (n + m) * n * k * len(ridges),
                        elements=6 * (n + m) * n * len(ridges))
    seed = (sweep + kernel) * len(label_noises(params)) + costs.Work(
        svd=n**3, gemm=2 * (n + m) * n * dim + 2 * m * n * n, elements=6 * (n + m) * n,
        sgemm=2 * (n + m) * dim * top, features=(n + m) * top * (0.5 if relu else 1.0))
    return costs.price(seed * n_seeds)


def memory(params: dict, n_seeds: int) -> float:
    """Peak bytes: train and test features (float32, counted at 8 bytes: the sweep casts
    chunks and the leading n columns to float64, and an orthogonal route near the
    threshold its first p columns), the sweep's predictions and factors, and the result
    frames."""
    n, m, k, _ = _sizes(params)
    widths = widths_for(params)
    top, big = int(widths[-1]), max(n, m)
    features = 8 * (n + m) * top
    build = 8 * n * top + 16 * big * top
    sweep = costs.sweep_bytes(n, m, k, len(widths), len(params["ridge"]), top)
    metrics = 16 * len(widths) * (n + m) * k
    rows = len(widths) * len(params["ridge"]) * 6 * len(label_noises(params))
    results = costs.results_bytes(rows, 14, n_seeds)
    return costs.total_bytes(max(build, features + sweep + metrics) + results)


EXPERIMENT = Experiment(
    id="random_features",
    order=20,
    title="Random features: model-wise double descent",
    summary=(
        "Test error peaks where the number of random features equals the number of training "
        "points (minimum-norm least squares just interpolates), then falls again for wider "
        "models. A small ridge penalty removes the peak. With flipped training labels the peak "
        "is taller and the widest interpolating model loses to a ridge penalty."
    ),
    references=(
        "Belkin, Hsu, Ma, Mandal (2019), Reconciling modern machine-learning practice and the "
        "classical bias-variance trade-off, PNAS 116(32)",
        "Rahimi, Recht (2007), Random Features for Large-Scale Kernel Machines, NeurIPS",
        "Nakkiran, Venkat, Kakade, Ma (2020), Optimal Regularization Can Mitigate Double Descent, "
        "arXiv:2003.01897",
        "Belkin, Ma, Mandal (2018), To understand deep learning we need to understand kernel "
        "learning, ICML",
    ),
    params=PARAMS,
    run_seed=run_seed,
    combine=combine,
    cost=cost,
    memory=memory,
    x="n_params",
    threshold=lambda params: float(params["n_train"]),
    default_seeds=2,
    precompute_params={"ridge": (0.0, 1e-4, 1e-3, 1e-2, 1e-1), "label_noise": (0.0, 0.2)},
    precompute_seeds=8,
    budget_seconds=20.0,
    metrics=("error_rate", "mse", "coef_norm", "sigma_min"),
    claims=claims,
    columns=("ridge", "example"),  # read by its pages; checked on load
    page="random_features",
)
