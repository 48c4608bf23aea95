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
with `source = kernel` hold that limit (n_params NaN), one n x n eigendecomposition per
seed; the finite-width rows have `source = features`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.framework import costs
from experiments.framework.claims import Claim
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
from experiments.numerics.sweep_solver import PINV_RCOND, nested_ridge_sweep

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


def kernel_basis(k_train: np.ndarray, k_test: np.ndarray) -> tuple[np.ndarray, ...]:
    """(eigenvalues, eigenvectors of K, K_test times them): what every kernel fit on the
    same inputs shares, whatever its penalty or labels."""
    eig, vec = np.linalg.eigh(k_train)
    return eig, vec, k_test @ vec


def _limit(params: dict, split):
    """The limit kernel on the train inputs and its basis: once per seed."""
    kind, s = params["features"], params["bandwidth"]
    k_train = limit_kernel(split.x_train, split.x_train, s, kind)
    return k_train, kernel_basis(k_train, limit_kernel(split.x_test, split.x_train, s, kind))


def kernel_fit(k_train: np.ndarray, k_test: np.ndarray, y_train: np.ndarray, ridge: float,
               basis: tuple[np.ndarray, ...] | None = None):
    """Kernel ridge with the features' convention, (K + n ridge I)^-1 Y; ridge 0 is the
    minimum-norm interpolator K^+ Y (numpy's pinv cutoff on the eigenvalues of K).
    Returns train and test predictions, the coefficient norm ||beta|| that the features'
    minimum-norm fit converges to, and Curth et al.'s p_eff. `basis`: `kernel_basis` of
    the same matrices, if already computed."""
    eig, vec, test_vec = kernel_basis(k_train, k_test) if basis is None else basis
    keep = eig > PINV_RCOND * eig.max()
    filt = np.zeros_like(eig)
    filt[keep] = 1.0 / (eig[keep] + k_train.shape[0] * ridge)
    rotated = vec.T @ y_train
    smoother = test_vec * filt
    norm_sq = np.sum(np.where(keep, eig, 0.0)[:, None] * (filt[:, None] * rotated) ** 2)
    return (vec @ ((eig * filt)[:, None] * rotated), smoother @ rotated, float(np.sqrt(norm_sq)),
            k_train.shape[0] * float(np.mean(np.sum(smoother**2, axis=1))))


def _kernel_rows(params, seed, label_noise, split, y_train, y_test,
                 kernel) -> list[pd.DataFrame]:
    """The infinite-width limit of the same features (same bandwidth): n_params is NaN."""
    k_train, basis = kernel
    rows = []
    for lam in params["ridge"]:
        train_pred, test_pred, norm, p_eff = kernel_fit(k_train, None, y_train, lam, basis)
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
    """Peak bytes: train and test features (float64, built through float32 temporaries),
    the sweep's predictions and factors, and the result frames."""
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



def error_metric(frame: pd.DataFrame) -> str:
    return "error_rate" if "error_rate" in set(frame["metric"]) else "mse"


def features_only(frame: pd.DataFrame) -> pd.DataFrame:
    """The finite-width rows (results written before the kernel rows existed have no
    `source` column and hold nothing else)."""
    return frame[frame["source"] == "features"] if "source" in frame.columns else frame


def examples(frame: pd.DataFrame) -> pd.DataFrame:
    """The example predictions kept for scrubbing (empty for results made before them)."""
    return frame[frame["source"] == "example"] if "source" in frame.columns else frame.iloc[:0]


def kernel_value(frame: pd.DataFrame, metric: str, ridge: float = 0.0, label_noise: float = 0.0,
                 split: str = "test") -> float | None:
    """Median over seeds of the kernel limit's `metric`; None where it was not computed."""
    if "source" not in frame.columns:
        return None
    rows = frame[(frame["source"] == "kernel") & (frame["metric"] == metric)
                 & (frame["split"] == split) & np.isclose(frame["ridge"], ridge)
                 & np.isclose(frame["label_noise"], label_noise)]
    return float(rows["value"].median()) if len(rows) else None


def median_curve(frame: pd.DataFrame, metric: str, ridge: float = 0.0, label_noise: float = 0.0,
                 split: str = "test") -> pd.Series:
    """Median over seeds against N for one (ridge, label noise) setting; empty if not run."""
    frame = features_only(frame)
    rows = frame[(frame["metric"] == metric) & (frame["split"] == split) & (frame["seed"] >= 0)
                 & np.isclose(frame["ridge"], ridge) & np.isclose(frame["label_noise"],
                                                                  label_noise)]
    return rows.groupby("n_params")["value"].median().sort_index()


def home_rows(frame: pd.DataFrame, label_noise: float = 0.0) -> pd.DataFrame:
    """Per-seed test error of the minimum-norm fits for one label-noise setting."""
    frame = features_only(frame)
    return frame[(frame["metric"] == error_metric(frame)) & (frame["split"] == "test")
                 & (frame["seed"] >= 0) & (frame["ridge"] == 0)
                 & np.isclose(frame["label_noise"], label_noise)]


def band_top(rows: pd.DataFrame) -> float:
    """A y-axis top just above the highest upper quartile over seeds, so no band is cut."""
    return 1.1 * float(rows.groupby("n_params")["value"].quantile(0.75).max())


def best_points(frame: pd.DataFrame, n_train: int, label_noise: float = 0.0) -> pd.DataFrame:
    """The two models Home compares (minimum norm): the best one smaller than the training
    set (what the classical view would pick) and the widest; value is the median test error."""
    curve = median_curve(frame, error_metric(frame), label_noise=label_noise)
    classical = curve[curve.index < n_train]
    if classical.empty or curve.index.max() <= n_train:
        return pd.DataFrame(columns=["n_params", "value", "label"])
    best, widest = int(classical.idxmin()), int(curve.index.max())
    fmt = formatter(error_metric(frame))
    return pd.DataFrame({
        "n_params": [best, widest], "value": [curve[best], curve[widest]],
        "label": [f"best N < {n_train}: {fmt(curve[best])}", f"widest: {fmt(curve[widest])}"]})


def best_ridge(frame: pd.DataFrame, n_params: int, label_noise: float) -> tuple[float, float]:
    """The positive ridge penalty with the lowest median test error at width n_params."""
    metric = error_metric(frame)
    scores = {lam: median_curve(frame, metric, lam, label_noise).get(n_params, np.inf)
              for lam in sorted(frame["ridge"].unique()) if lam > 0}
    lam = min(scores, key=scores.get)
    return float(lam), float(scores[lam])


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def formatter(metric: str):
    """Error rates as percentages, squared losses with three significant digits."""
    return _pct if metric == "error_rate" else (lambda v: f"{v:.3g}")


def claims(frame: pd.DataFrame, params: dict) -> list[Claim]:
    """The page's sentences, measured: the double descent verdict, the peak, the ridge,
    and what flipped labels change. Claims whose rows were not run are left out."""
    n, metric = params["n_train"], error_metric(frame)
    fmt = formatter(metric)
    clean_regime = (f"{params['dataset']}, n = {n}, minimum norm (no ridge)"
                    + (", clean labels" if params["dataset"] == "digits" else ""))
    out: list[Claim] = []
    points = best_points(frame, n)
    if len(points) == 2:
        (best, widest), (e_best, e_wide) = points["n_params"], points["value"]
        best_text = f"The best under-parameterized model (N = {best})"
        out.append(Claim(
            "widest_beats_classical",
            f"{best_text} errs on {fmt(e_best)} of test digits; the widest (N = {widest}) on "
            f"{fmt(e_wide)}." if metric == "error_rate" else
            f"{best_text} has a test squared loss of {fmt(e_best)}; the widest (N = {widest}) "
            f"{fmt(e_wide)}.",
            holds=bool(e_wide < e_best), regime=clean_regime))
        curve = median_curve(frame, metric)
        peak = int(curve.idxmax())
        out.append(Claim(
            "peak_at_threshold",
            f"The error peaks at N = {peak} (median {fmt(curve[peak])}), where the number of "
            f"features equals the {n} training points: {curve[peak] / e_best:.0f}x the best "
            "under-parameterized model.",
            holds=bool(peak == n and curve[peak] > 3 * e_best), regime=clean_regime))
        if (frame["ridge"] > 0).any():
            out += _ridge_claims(frame, n, widest, metric, fmt)
    if len(points) == 2:
        out += _kernel_claims(frame, n, int(points["n_params"].iloc[1]), metric, clean_regime)
    noisy = sorted(v for v in frame["label_noise"].unique() if v > 0)
    if len(points) == 2 and noisy and metric == "error_rate":
        out += _label_noise_claims(frame, n, noisy[-1], int(points["n_params"].iloc[1]))
    return out


KERNEL_NAMES = {"fourier": "Gaussian-kernel", "relu": "arc-cosine-kernel"}


def _kernel_claims(frame, n, widest, metric, regime) -> list[Claim]:
    """The widest model against its infinite-width limit (Belkin, Ma, Mandal 2018): the
    second descent flattens out at the kernel's error, within a quarter of the way from
    the peak."""
    kernel = kernel_value(frame, metric)
    if kernel is None:
        return []
    curve, fmt = median_curve(frame, metric), formatter(metric)
    kind = str(frame["features"].iloc[0])
    gap = abs(curve[widest] - kernel)
    return [Claim(
        "widest_near_kernel",
        f"The second descent falls from {fmt(curve.max())} at the peak to {fmt(curve[widest])} "
        f"at N = {widest}, next to the minimum-norm {KERNEL_NAMES.get(kind, kind)} "
        f"interpolator, the N -> infinity limit of these features (same bandwidth): "
        f"{fmt(kernel)}.",
        holds=bool(gap < 0.25 * (curve.max() - kernel) and gap < max(0.5 * kernel, 0.01)),
        regime=regime)]


def _ridge_claims(frame, n, widest, metric, fmt) -> list[Claim]:
    plain = median_curve(frame, metric)
    lam, at_threshold = best_ridge(frame, n, 0.0)
    lam_wide, e_ridge_wide = best_ridge(frame, widest, 0.0)
    regime = "clean labels" if metric == "error_rate" else "minimum norm vs ridge"
    return [
        Claim("ridge_removes_peak",
              f"With ridge lambda = {lam:g} the error at N = n is {fmt(at_threshold)} instead "
              f"of {fmt(plain[n])} without it.",
              holds=bool(at_threshold < 0.2 * plain[n]), regime=regime),
        Claim("clean_interpolator_beats_ridge",
              f"The interpolating model at N = {widest} ({fmt(plain[widest])}) beats every "
              f"ridge penalty tried there (best: {fmt(e_ridge_wide)} at lambda = {lam_wide:g}).",
              holds=bool(plain[widest] < e_ridge_wide), regime=regime),
    ]


def _label_noise_claims(frame, n, noise, widest) -> list[Claim]:
    clean_err, noisy_err = median_curve(frame, "error_rate"), median_curve(frame, "error_rate",
                                                                           0.0, noise)
    clean_mse, noisy_mse = median_curve(frame, "mse"), median_curve(frame, "mse", 0.0, noise)
    flipped = f"{noise:.0%} of training labels flipped"
    out = [Claim(
        "label_noise_taller_peak",
        f"With {flipped}, the peak at N = n rises from {_pct(clean_err[n])} to "
        f"{_pct(noisy_err[n])} test error (median test squared loss {clean_mse[n]:.3g} -> "
        f"{noisy_mse[n]:.3g}).",
        holds=bool(noisy_err[n] > clean_err[n] and noisy_mse[n] > clean_mse[n]),
        regime=f"{flipped} vs clean, minimum norm")]
    if (frame["ridge"] > 0).any():
        lam, e_ridge = best_ridge(frame, widest, noise)
        small = noisy_err[noisy_err.index < n]
        out.append(Claim(
            "label_noise_interpolator_loses",
            f"With {flipped}, the interpolating model at N = {widest} errs on "
            f"{_pct(noisy_err[widest])} of test digits: worse than ridge lambda = {lam:g} at "
            f"the same width ({_pct(e_ridge)}) and than the best model smaller than the "
            f"training set (N = {int(small.idxmin())}, {_pct(small.min())}).",
            holds=bool(noisy_err[widest] > e_ridge and noisy_err[widest] > small.min()),
            regime=flipped))
    return out


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
