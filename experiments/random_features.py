"""Random features: model-wise double descent (Belkin et al. 2019).

What to notice
--------------
Fit a linear model on N random features of the input with the minimum-norm least
squares solution. Test error falls, then rises to a sharp peak where N = n_train
(the feature matrix is square and nearly singular, so the coefficients blow up),
then falls again as N keeps growing, often below the best small model. Training
error is exactly zero from the threshold on. A small ridge penalty removes the peak;
flipped training labels make it taller.

On digits (400 training images, one-hot squared loss): 0-1 test error ~5% at N = 200,
~80% at N = 400, ~3% at N = 2000 and beyond.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.base import Experiment, SeedPart
from experiments.datasets import digits_split, flip_labels, one_hot, synthetic_regression
from experiments.features import draw_random_weights, random_features
from experiments.linalg import nested_ridge_sweep
from experiments.params import Param

SYNTHETIC_DIM = 10
SYNTHETIC_TEST = 1000

PARAMS = (
    Param("dataset", "str", "digits", "digits: scikit-learn's 8x8 digits, one-hot squared loss; "
          "synthetic: a smooth non-linear regression in 10 dimensions.", choices=("digits", "synthetic")),
    Param("features", "str", "fourier", "Random Fourier features sqrt(2/N) cos(Wx + b) or random "
          "ReLU features sqrt(2/N) max(0, Wx).", choices=("fourier", "relu")),
    Param("n_train", "int", 400, "Training set size (digits: stratified subset).", low=20, high=1500),
    Param("noise", "float", 0.1, "Label noise standard deviation (synthetic only).", low=0.0, high=2.0),
    Param("label_noise", "float", 0.0, "Fraction of training labels flipped (digits only).",
          low=0.0, high=0.9),
    Param("max_ratio", "float", 20.0, "Widest model, in multiples of n_train.", low=1.5, high=40.0),
    Param("n_widths", "int", 30, "Number of widths (log-spaced from n_train / 20).", low=5, high=80),
    Param("ridge", "floats", (0.0,), "Ridge penalties lambda on (1/n)||Y - Fb||^2 + lambda ||b||^2; "
          "0 = minimum norm. Several values are overlaid.", low=0.0, high=10.0, max_items=6),
    Param("bandwidth", "float", 5.0, "Fourier feature bandwidth s: W ~ N(0, 1/s^2).",
          low=0.1, high=100.0),
)


def widths_for(params: dict) -> np.ndarray:
    """Log-spaced widths from n/20 to max_ratio * n, always including n itself."""
    n = params["n_train"]
    grid = np.geomspace(max(1, n / 20), params["max_ratio"] * n, params["n_widths"])
    return np.unique(np.append(grid.round().astype(int), n))


def _data(params: dict, seed: int):
    if params["dataset"] == "digits":
        split = digits_split(params["n_train"], seed)
        labels = split.y_train
        if params["label_noise"] > 0:
            labels = flip_labels(labels, params["label_noise"], np.random.default_rng([seed, 5]))
        return split, one_hot(labels), one_hot(split.y_test)
    split = synthetic_regression(params["n_train"], SYNTHETIC_TEST, SYNTHETIC_DIM, params["noise"], seed)
    return split, split.y_train[:, None], split.y_test[:, None]


def run_seed(params: dict, seed: int) -> SeedPart:
    split, y_train, y_test = _data(params, seed)
    widths = widths_for(params)
    rng = np.random.default_rng([seed, 3])
    weights, offsets = draw_random_weights(split.x_train.shape[1], widths[-1], params["bandwidth"],
                                           params["features"], rng)
    f_train = random_features(split.x_train, weights, offsets, params["features"])
    f_test = random_features(split.x_test, weights, offsets, params["features"])
    fit = nested_ridge_sweep(f_train, f_test, y_train, widths, params["ridge"],
                             scale=np.sqrt(2.0 / widths))
    frames = []
    for j, lam in enumerate(fit.ridges):
        metrics = {
            ("train", "mse"): np.sum((fit.train_pred[:, j] - y_train) ** 2, axis=2).mean(axis=1),
            ("test", "mse"): np.sum((fit.test_pred[:, j] - y_test) ** 2, axis=2).mean(axis=1),
            ("train", "coef_norm"): fit.coef_norm[:, j],
            ("train", "sigma_min"): fit.sigma_min,
        }
        if params["dataset"] == "digits":
            for split_name, pred, truth in (("train", fit.train_pred, split.y_train),
                                            ("test", fit.test_pred, split.y_test)):
                metrics[(split_name, "error_rate")] = (pred[:, j].argmax(axis=2) != truth).mean(axis=1)
        for (split_name, metric), values in metrics.items():
            frames.append(pd.DataFrame({
                "seed": seed, "split": split_name, "metric": metric, "value": values,
                "n_params": widths, "n_train": params["n_train"], "ridge": lam,
                "effective_params": fit.effective_params()[:, j], "dataset": params["dataset"],
                "features": params["features"], "label_noise": params["label_noise"],
                "noise": params["noise"], "bandwidth": params["bandwidth"],
            }))
    return SeedPart(pd.concat(frames, ignore_index=True))


# Smooth synthetic features stay ill-conditioned far past the threshold, so many widths
# take the exact QR route instead of the Gram matrix (measured: ~3x the digits cost).
DATASET_COST = {"digits": 0.5, "synthetic": 1.6}


def cost(params: dict, n_seeds: int) -> float:
    """Seconds on 2 cores, fitted to measurements (1.1-3x conservative): the Gram and
    test-kernel updates dominate, ~ (n + n_test) * N_max * n."""
    n = params["n_train"]
    n_test = 1797 - n if params["dataset"] == "digits" else SYNTHETIC_TEST
    per_seed = (1.9e-10 * (n + n_test) * params["max_ratio"] * n * n
                * (0.5 + 0.5 * params["n_widths"] / 30) * (1 + 0.1 * (len(params["ridge"]) - 1)))
    return n_seeds * 1.3 * (0.05 + DATASET_COST[params["dataset"]] * per_seed)


EXPERIMENT = Experiment(
    id="random_features",
    title="Random features: model-wise double descent",
    summary=(
        "Test error peaks where the number of random features equals the number of training "
        "points (minimum-norm least squares just interpolates), then falls again for wider "
        "models. A small ridge penalty removes the peak; label noise makes it taller."
    ),
    references=(
        "Belkin, Hsu, Ma, Mandal (2019), Reconciling modern machine-learning practice and the "
        "classical bias-variance trade-off, PNAS 116(32)",
        "Rahimi, Recht (2007), Random Features for Large-Scale Kernel Machines, NeurIPS",
        "Nakkiran, Venkat, Kakade, Ma (2020), Optimal Regularization Can Mitigate Double Descent, "
        "arXiv:2003.01897",
    ),
    params=PARAMS,
    run_seed=run_seed,
    cost=cost,
    x="n_params",
    threshold=lambda params: float(params["n_train"]),
    default_seeds=3,
    precompute_params={"ridge": (0.0, 1e-4, 1e-3, 1e-2, 1e-1)},
    precompute_seeds=8,
    budget_seconds=20.0,
    metrics=("error_rate", "mse", "coef_norm", "sigma_min"),
    columns=("ridge",),  # read by its pages; checked on load
)
