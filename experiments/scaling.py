"""Scaling: error against data size, model size and compute, for several model families.

What to notice
--------------
On log-log axes learning curves are nearly straight: error ~ E + A n^(-alpha), with
an exponent that differs by family (a kernel machine learns digits faster than a
linear model: steeper slope). Model-size curves of random features flatten once the
model is large enough for the data, and the (width, data) grid shows the
compute-optimal frontier: for each compute budget, the best split between model
size and data. The compute_optimal curve does that study in the Chinchilla way on a
teacher with unlimited data (experiments/teacher.py, fitted by experiments/chinchilla.py).
Fits come from experiments/powerlaw.py.

Test rows count the points behind each error rate (`n_eval`, `n_errors`) so that
intervals can resample test points too. `flops` is an exact operation count where one
exists (random features: the solver's multiply-adds; the teacher study: C = 6 N D) and
empty for the SVM, logistic regression and the MLP: their costs are not counted the
same way, so compute is compared only within one family.
"""
from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np
import pandas as pd

from experiments.base import Experiment, SeedPart
from experiments.datasets import Split, digits_split, one_hot, stratified_indices
from experiments.features import draw_random_weights, random_features
from experiments.linalg import nested_ridge_sweep
from experiments.params import Param
from experiments.scaling_claims import claims
from experiments.teacher import DATASET, FAMILY, teacher_cells, teacher_flops
from sklearn.exceptions import ConvergenceWarning

FAMILIES = ("random_features", "rbf_svm", "logistic", "mlp")
RF_WIDTH, RF_RIDGE, MLP_WIDTH = 2000, 1e-3, 32
N_TEST = 500

PARAMS = (
    Param("dataset", "str", "digits", "digits (1,797 images, 10 classes) or synthetic "
          "(make_classification: 20 features, 5 classes).", choices=("digits", "synthetic")),
    Param("curve", "str", "data", "data: error vs training size; model: error vs model size at "
          "max_train; grid: random features over (width, training size); compute_optimal: "
          "ridge regression on a synthetic teacher with unlimited data over (N, D), for the "
          "Chinchilla fit (ignores dataset, family and sizes).",
          choices=("data", "model", "grid", "compute_optimal", "all")),
    Param("family", "str", "all", "Model family, or all of them.", choices=("all",) + FAMILIES),
    Param("max_train", "int", 300, "Largest training set.", low=50, high=1400),
    Param("n_sizes", "int", 4, "Number of training sizes (log-spaced from 30).", low=3, high=12),
)


@lru_cache(maxsize=1)
def _synthetic() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=3000, n_features=20, n_informative=10, n_classes=5,
                               n_clusters_per_class=2, class_sep=1.0, random_state=2022)
    return (x - x.mean(0)) / x.std(0), y


def split_for(params: dict, n: int, seed: int) -> Split:
    if params["dataset"] == "digits":
        return digits_split(n, seed, n_test=N_TEST)
    x, y = _synthetic()
    rng = np.random.default_rng([seed, 11])
    train = stratified_indices(y, n, rng)
    rest = rng.choice(np.setdiff1d(np.arange(len(y)), train), N_TEST, replace=False)
    return Split(x[train], y[train], x[rest], y[rest])


def sizes(params: dict) -> np.ndarray:
    return np.unique(np.geomspace(30, params["max_train"], params["n_sizes"]).round().astype(int))


def bandwidth(params: dict) -> float:
    return 5.0 if params["dataset"] == "digits" else np.sqrt(20.0)


def _sklearn_model(family: str, seed: int, hidden: int = MLP_WIDTH):
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC

    if family == "rbf_svm":
        return SVC(kernel="rbf", gamma="scale", C=10.0)
    if family == "logistic":
        return LogisticRegression(C=1.0, max_iter=2000)
    return MLPClassifier(hidden_layer_sizes=(hidden,), max_iter=150, tol=1e-3,
                         n_iter_no_change=5, random_state=seed)


def _param_count(family: str, model, dim: int, classes: int, width: int = RF_WIDTH) -> int:
    if family == "random_features":
        return width * classes
    if family == "rbf_svm":
        return int(model.dual_coef_.size)
    if family == "logistic":
        return (dim + 1) * classes
    return sum(w.size for w in model.coefs_) + sum(b.size for b in model.intercepts_)


def _rf_flops(n: int, width, dim: int):
    """Multiply-adds of features plus the nested solve (Gram or QR of the n x width block)."""
    return 2.0 * n * np.asarray(width) * (dim + np.minimum(n, width))


def _rf_sweep(split: Split, widths, seed: int, params: dict):
    """Per width: train and test mistakes of ridge-regularized random features."""
    weights, offsets = draw_random_weights(split.x_train.shape[1], int(max(widths)),
                                           bandwidth(params), "fourier",
                                           np.random.default_rng([seed, 3]))
    f = random_features(split.x_train, weights, offsets, "fourier")
    f_test = random_features(split.x_test, weights, offsets, "fourier")
    widths = np.asarray(widths)
    fit = nested_ridge_sweep(f, f_test, one_hot(split.y_train, 10), widths, [RF_RIDGE],
                             scale=np.sqrt(2.0 / widths))
    train_wrong = (fit.train_pred[:, 0].argmax(2) != split.y_train).sum(1)
    test_wrong = (fit.test_pred[:, 0].argmax(2) != split.y_test).sum(1)
    return train_wrong, test_wrong


def _row(seed, family, curve, split, n_params, wrong, flops):
    """Train and test error rates with the counts behind them."""
    n = len(split.y_train)
    return [(seed, "train", "error_rate", wrong[0] / n, n, n_params, family, curve, flops,
             n, wrong[0]),
            (seed, "test", "error_rate", wrong[1] / len(split.y_test), n, n_params, family,
             curve, flops, len(split.y_test), wrong[1])]


def _fit_family(family, split, seed, params, curve, hidden=MLP_WIDTH):
    n, dim = split.x_train.shape
    classes = int(split.y_train.max()) + 1
    if family == "random_features":
        wrong = [int(e[0]) for e in _rf_sweep(split, [RF_WIDTH], seed, params)]
        return _row(seed, family, curve, split, _param_count(family, None, dim, classes),
                    wrong, float(_rf_flops(n, RF_WIDTH, dim)))
    with warnings.catch_warnings():  # a capped MLP budget is a choice, not a problem
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = _sklearn_model(family, seed, hidden).fit(split.x_train, split.y_train)
    wrong = [int((model.predict(split.x_train) != split.y_train).sum()),
             int((model.predict(split.x_test) != split.y_test).sum())]
    return _row(seed, family, curve, split, _param_count(family, model, dim, classes), wrong,
                np.nan)


def _data_rows(params, seed, families):
    rows = []
    for n in sizes(params):
        split = split_for(params, int(n), seed)
        for family in families:
            rows += _fit_family(family, split, seed, params, "data")
    return rows


def _model_rows(params, seed, families):
    n, rows = params["max_train"], []
    split = split_for(params, n, seed)
    if "random_features" in families:
        widths = np.unique(np.geomspace(10, 10 * n, 12).round().astype(int))
        for w, wrong in zip(widths, zip(*_rf_sweep(split, widths, seed, params))):
            rows += _row(seed, "random_features", "model", split, int(w) * 10, wrong,
                         float(_rf_flops(n, w, split.x_train.shape[1])))
    if "mlp" in families:
        for hidden in (2, 4, 8, 16, 32, 64):
            rows += _fit_family("mlp", split, seed, params, "model", hidden)
    return rows


def _grid_rows(params, seed, families):
    widths, rows = np.unique(np.geomspace(10, 4000, 10).round().astype(int)), []
    for n in sizes(params):
        split = split_for(params, int(n), seed)
        for w, wrong in zip(widths, zip(*_rf_sweep(split, widths, seed, params))):
            rows += _row(seed, "random_features", "grid", split, int(w) * 10, wrong,
                         float(_rf_flops(int(n), w, split.x_train.shape[1])))
    return rows


def _teacher_rows(params, seed, families):
    """Exact population risk (no test points, so no counts) and the ridge chosen per cell."""
    rows = []
    for n, d, risk, ridge in teacher_cells(seed):
        flops = float(teacher_flops(n, d))
        rows += [(seed, "test", "mse", risk, d, n, FAMILY, "compute_optimal", flops, np.nan,
                  np.nan),
                 (seed, "train", "ridge", ridge, d, n, FAMILY, "compute_optimal", flops, np.nan,
                  np.nan)]
    return rows


CURVES = {"data": _data_rows, "model": _model_rows, "grid": _grid_rows,
          "compute_optimal": _teacher_rows}
COLUMNS = ["seed", "split", "metric", "value", "n_train", "n_params", "family", "curve", "flops",
           "n_eval", "n_errors"]


def run_seed(params: dict, seed: int) -> SeedPart:
    families = FAMILIES if params["family"] == "all" else (params["family"],)
    curves = CURVES if params["curve"] == "all" else [params["curve"]]
    rows = [row for curve in curves for row in CURVES[curve](params, seed, families)]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["dataset"] = np.where(frame["curve"] == "compute_optimal", DATASET, params["dataset"])
    return SeedPart(frame)


def cost(params: dict, n_seeds: int) -> float:
    """Seconds on 2 cores (measured, conservative): the MLP and SVM fits dominate."""
    n, k = params["max_train"], params["n_sizes"]
    family = params["family"]
    per_size = {"random_features": 0.1 + 4e-4 * n, "rbf_svm": 0.02 + 1e-4 * n,
                "logistic": 0.1 + 6e-4 * n, "mlp": 0.2 + 1.2e-3 * n}
    chosen = FAMILIES if family == "all" else (family,)
    per_curve = {
        "data": sum(per_size[f] for f in chosen) * k * 0.6,
        "model": 0.3 + 4e-3 * n + (6 * per_size["mlp"] if "mlp" in chosen else 0),
        "grid": k * (0.2 + 1e-3 * n),
        "compute_optimal": 1.0,
    }
    curves = per_curve if params["curve"] == "all" else [params["curve"]]
    return n_seeds * 2.5 * sum(per_curve[c] for c in curves)


EXPERIMENT = Experiment(
    id="scaling",
    title="Scaling laws: error against data, model size and compute",
    summary=(
        "Learning curves are close to straight lines on log-log axes: error ~ E + A n^-alpha, "
        "with family-specific exponents. Fit them, read the exponent's interval, and see where "
        "extrapolation holds."
    ),
    references=(
        "Kaplan et al. (2020), Scaling Laws for Neural Language Models, arXiv:2001.08361",
        "Hoffmann et al. (2022), Training Compute-Optimal Large Language Models, arXiv:2203.15556",
    ),
    params=PARAMS,
    run_seed=run_seed,
    cost=cost,
    x="n_train",
    default_seeds=2,
    precompute_params={"max_train": 1400, "n_sizes": 7, "curve": "all"},
    precompute_seeds=10,
    budget_seconds=20.0,
    metrics=("error_rate", "mse"),
    claims=claims,
    columns=("curve", "family", "flops", "n_params"),  # read by its pages; checked on load
)
