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
from sklearn.exceptions import ConvergenceWarning

from experiments.analysis.scaling import claims
from experiments.framework import costs
from experiments.framework.experiment import Experiment, SeedPart
from experiments.framework.params import Param, ParamError
from experiments.numerics.datasets import Split, digits_split, one_hot, stratified_indices
from experiments.numerics.features import draw_random_weights, random_features
from experiments.numerics.sweep_solver import nested_ridge_sweep
from experiments.numerics.teacher import DATASET, FAMILY, teacher_cells, teacher_flops

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


MODEL_SIZE_FAMILIES = ("random_features", "mlp")  # families with a width to sweep


def check(params: dict) -> None:
    if params["curve"] == "model" and params["family"] not in ("all",) + MODEL_SIZE_FAMILIES:
        raise ParamError(f"family: {params['family']} has no model size to sweep; the model "
                         f"curve is drawn for {' and '.join(MODEL_SIZE_FAMILIES)}")


def run_seed(params: dict, seed: int) -> SeedPart:
    families = FAMILIES if params["family"] == "all" else (params["family"],)
    curves = CURVES if params["curve"] == "all" else [params["curve"]]
    rows = [row for curve in curves for row in CURVES[curve](params, seed, families)]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["dataset"] = np.where(frame["curve"] == "compute_optimal", DATASET, params["dataset"])
    return SeedPart(frame)


MLP_EPOCHS, MLP_BATCH = 150, 200  # scikit-learn's adam: max_iter epochs of mini-batches
# The teacher grid (experiments/teacher.py) has a fixed size: measured 1.2 s and 64 MB
# traced on the loaded host, priced as element passes.
TEACHER_WORK, TEACHER_BYTES = costs.Work(elements=1.5e9), 80 * costs.MB
LOGISTIC_STEPS = 100  # L-BFGS iterations: measured 12-69 here (max_iter 2000 never reached)


def _dims(params: dict) -> tuple[int, int]:
    return (64, 10) if params["dataset"] == "digits" else (20, 5)


def _rf_work(n: int, widths, dim: int) -> costs.Work:
    """Random Fourier features of train and test points, then one ridge sweep."""
    top = int(max(widths))
    return costs.sweep_work(n, N_TEST, 10, sorted(widths), [RF_RIDGE]) + costs.Work(
        sgemm=2 * (n + N_TEST) * dim * top, features=(n + N_TEST) * top, calls=60)


def _fit_work(family: str, n: int, dim: int, classes: int, hidden: int = MLP_WIDTH) -> costs.Work:
    """One family's fit and predictions at n training points (the MLP at its epoch cap)."""
    if family == "random_features":
        return _rf_work(n, [RF_WIDTH], dim)
    if family == "rbf_svm":
        return costs.Work(svm=n * (2 * n + N_TEST) * dim, fits=1, calls=50)
    if family == "logistic":
        return costs.Work(lbfgs=n * dim * classes, fits=1, calls=LOGISTIC_STEPS * 40)
    flops = 6 * n * hidden * (dim + classes) * MLP_EPOCHS
    return costs.Work(mlp=flops, fits=1, calls=MLP_EPOCHS * (30 * -(-n // MLP_BATCH) + 40))


def cost(params: dict, n_seeds: int) -> float:
    """Seconds with one BLAS thread (experiments/costs.py): every family's fit at every
    size (data), random-feature sweeps and MLP widths at max_train (model), and a
    random-feature sweep per size (grid)."""
    families = FAMILIES if params["family"] == "all" else (params["family"],)
    curves = CURVES if params["curve"] == "all" else [params["curve"]]
    dim, classes = _dims(params)
    n = params["max_train"]
    seed = costs.Work(calls=100)
    if "data" in curves:
        for size in sizes(params):
            seed += sum((_fit_work(f, int(size), dim, classes) for f in families), costs.Work())
    if "model" in curves:
        if "random_features" in families:
            seed += _rf_work(n, np.unique(np.geomspace(10, 10 * n, 12).round().astype(int)), dim)
        if "mlp" in families:
            seed += sum((_fit_work("mlp", n, dim, classes, h) for h in (2, 4, 8, 16, 32, 64)),
                        costs.Work())
    if "grid" in curves:
        widths = np.unique(np.geomspace(10, 4000, 10).round().astype(int))
        seed += sum((_rf_work(int(size), widths, dim) for size in sizes(params)), costs.Work())
    if "compute_optimal" in curves:
        seed += TEACHER_WORK
    return costs.price(seed * n_seeds)


def memory(params: dict, n_seeds: int) -> float:
    """Peak bytes: the widest random-feature sweep's features and solver arrays (or an SVC's
    kernel matrix), and the result rows."""
    families = FAMILIES if params["family"] == "all" else (params["family"],)
    curves = CURVES if params["curve"] == "all" else [params["curve"]]
    sweeps = []
    for size in sizes(params):
        if "data" in curves and "random_features" in families:
            sweeps.append((int(size), 1, RF_WIDTH))
        if "grid" in curves:
            sweeps.append((int(size), 10, 4000))
    if "model" in curves and "random_features" in families:
        sweeps.append((params["max_train"], 12, 10 * params["max_train"]))
    peak = 8.0 * params["max_train"] ** 2
    for n, widths, top in sweeps:
        build = 8 * n * top + 16 * max(n, N_TEST) * top
        solve = 8 * (n + N_TEST) * top + costs.sweep_bytes(n, N_TEST, 10, widths, 1, top)
        peak = max(peak, build, solve)
    if "compute_optimal" in curves:
        peak = max(peak, TEACHER_BYTES)
    rows = 3 * len(sizes(params)) * (len(families) + 10) * len(curves) + 2 * 56
    return costs.total_bytes(peak + costs.results_bytes(rows, 12, n_seeds))


EXPERIMENT = Experiment(
    id="scaling",
    order=70,
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
    memory=memory,
    x="n_train",
    default_seeds=2,
    precompute_params={"max_train": 1400, "n_sizes": 7, "curve": "all"},
    precompute_seeds=10,
    budget_seconds=20.0,
    metrics=("error_rate", "mse"),
    claims=claims,
    check=check,
    columns=("curve", "family", "flops", "n_params"),  # read by its pages; checked on load
    page="scaling",
)
