"""Sample-wise double descent: more data can hurt (Nakkiran et al. 2019).

What to notice
--------------
Fix the model (ordinary least squares on the 10 features of scikit-learn's diabetes
data, minimum-norm, no intercept) and grow the training set from 1 to ~40 samples.
Test error rises as n approaches the number of parameters, peaks near n = 10 (one
sample per parameter: the fit must thread every noisy point) and falls after it.
Schaeffer et al. (2023) trace the peak to three ingredients acting together; each
ablation switch removes one and, with it, the peak:
  * cut_small_singular: drop the small singular values of the training data,
  * project_test: keep only test-point components along the top training directions,
  * remove_noise: targets without residual noise (the best linear fit's predictions).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from experiments import costs
from experiments.base import Experiment, SeedPart
from experiments.params import Param

N_FEATURES = 10

PARAMS = (
    Param("dataset", "str", "diabetes", "diabetes: scikit-learn's 442 patients x 10 features; "
          "synthetic: x ~ N(0, I_10), y = x'beta + N(0, 1).", choices=("diabetes", "synthetic")),
    Param("max_train", "int", 40, "Largest training set size (sizes 1..max_train).", low=12, high=200),
    Param("cut_small_singular", "bool", False, "Ablation: drop singular values below "
          "`cutoff` x the largest before inverting."),
    Param("cutoff", "float", 0.1, "Relative singular value cutoff for cut_small_singular.",
          low=1e-6, high=0.9, log=True),
    Param("project_test", "bool", False, "Ablation: project test points onto the top `top_k` "
          "right singular directions of the training data."),
    Param("top_k", "int", 5, "Number of training directions kept by project_test.", low=1, high=10),
    Param("remove_noise", "bool", False, "Ablation: replace targets by the full-data least-squares "
          "predictions, so there is no residual noise."),
)


@lru_cache(maxsize=2)
def _dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    if name == "diabetes":
        from sklearn.datasets import load_diabetes

        bunch = load_diabetes()
        return bunch.data.astype(np.float64), bunch.target.astype(np.float64)
    rng = np.random.default_rng(2023)
    x = rng.standard_normal((442, N_FEATURES))
    return x, x @ rng.standard_normal(N_FEATURES) + rng.standard_normal(442)


def data(params: dict) -> tuple[np.ndarray, np.ndarray]:
    x, y = _dataset(params["dataset"])
    if params["remove_noise"]:
        y = x @ np.linalg.lstsq(x, y, rcond=None)[0]
    return x, y


def fit_predict(x_train, y_train, x_test, params: dict) -> tuple[np.ndarray, np.ndarray]:
    """Minimum-norm least squares (no intercept) with the ablations; returns predictions."""
    u, s, vt = np.linalg.svd(x_train, full_matrices=False)
    keep = s > 1e-15 * s.max(initial=0.0)  # np.linalg.pinv's cutoff
    if params["cut_small_singular"]:
        keep &= s > params["cutoff"] * s.max(initial=0.0)
    beta = vt[keep].T @ ((u[:, keep].T @ y_train) / s[keep])
    if params["project_test"]:
        top = vt[: min(params["top_k"], int(keep.sum()))]
        x_test = x_test @ top.T @ top
    return x_train @ beta, x_test @ beta


def run_seed(params: dict, seed: int) -> SeedPart:
    """One repeat: a random order of the data; the first n rows train, the rest test."""
    x, y = data(params)
    order = np.random.default_rng(seed).permutation(len(y))
    rows = []
    for n in range(1, params["max_train"] + 1):
        train, test = order[:n], order[n:]
        pred_train, pred_test = fit_predict(x[train], y[train], x[test], params)
        for split, pred, truth in (("train", pred_train, y[train]), ("test", pred_test, y[test])):
            rows.append((seed, split, "mse", float(np.mean((pred - truth) ** 2)), n))
    frame = pd.DataFrame(rows, columns=["seed", "split", "metric", "value", "n_train"])
    frame["n_params"] = N_FEATURES
    frame["params_per_sample"] = N_FEATURES / frame["n_train"]
    for name in ("dataset", "cut_small_singular", "project_test", "remove_noise"):
        frame[name] = params[name]
    return SeedPart(frame)


def cost(params: dict, n_seeds: int) -> float:
    """Seconds (experiments/costs.py): one tiny SVD and a few small products per training
    size, so library-call overhead dominates; then one frame per seed."""
    sizes = params["max_train"]
    seed = costs.Work(svd=sizes * N_FEATURES**3, elements=8 * sizes * 442 * N_FEATURES,
                      calls=40 * sizes + 150)
    return costs.price(seed * n_seeds)


def memory(params: dict, n_seeds: int) -> float:
    """Peak bytes: the 442-row data set and the result rows."""
    rows = costs.results_bytes(2 * params["max_train"], 11, n_seeds)
    return costs.total_bytes(8 * 442 * 12 + rows)


EXPERIMENT = Experiment(
    id="sample_wise",
    title="Sample-wise double descent: more data can hurt",
    summary=(
        "With the model fixed (least squares on 10 features), test error rises as the "
        "training set grows toward 10 samples, peaks there, and falls after it. Each of the "
        "three ablations removes the peak."
    ),
    references=(
        "Nakkiran, Kaplun, Bansal, Yang, Barak, Sutskever (2019), Deep Double Descent, "
        "arXiv:1912.02292",
        "Schaeffer et al. (2023), Double Descent Demystified, arXiv:2303.14151",
    ),
    params=PARAMS,
    run_seed=run_seed,
    cost=cost,
    memory=memory,
    x="params_per_sample",
    threshold=lambda params: 1.0,
    default_seeds=50,
    precompute_seeds=200,
    budget_seconds=10.0,
    metrics=("mse",),
)
