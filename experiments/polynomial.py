"""Polynomial regression: the classical U-curve, then a spike, then a second descent.

What to notice
--------------
Fit n_train noisy samples of a smooth function with Legendre polynomials of growing
degree. Below the threshold (degree + 1 < n_train) test error traces the textbook
U: too simple underfits, too flexible overfits. At degree + 1 = n_train the model
can just interpolate the training points, the fit is forced through the noise and
test error spikes by orders of magnitude. Past it, among all interpolating
polynomials we take the one with the smallest coefficient norm, and test error falls
again: the second descent. (With this setup the classical optimum still wins.)

Setup after scikit-learn's "Underfitting vs. Overfitting" example
(y = cos(1.5 pi x) + noise) and Schaeffer et al. 2023 (y = 2x + cos(25x)).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from experiments import costs
from experiments.base import ACROSS_SEEDS, Experiment, SeedPart
from experiments.features import degree_grid, legendre_features
from experiments.linalg import nested_ridge_sweep
from experiments.params import Param

N_TEST = 200
TARGETS = {
    # sklearn's cos(1.5 pi x) on x in [0, 1], written for t = 2x - 1 in [-1, 1]
    "cos": lambda t: np.cos(1.5 * np.pi * (t + 1) / 2),
    "demystified": lambda t: 2 * t + np.cos(25 * t),
}

PARAMS = (
    Param("n_train", "int", 30, "Number of training points.", low=5, high=200),
    Param("noise", "float", 0.1, "Standard deviation of the label noise.", low=0.0, high=2.0),
    Param("max_degree", "int", 600, "Largest polynomial degree in the sweep "
          "(far past the threshold degree = n_train - 1).", low=1, high=2000),
    Param("ridge", "float", 0.0, "Ridge penalty lambda on (1/n)||y - Xb||^2 + lambda ||b||^2; "
          "0 gives least squares / minimum-norm interpolation.", low=0.0, high=10.0, log=True),
    Param("target", "str", "cos", "The true function: cos(1.5 pi x) (scikit-learn's example) "
          "or 2x + cos(25x) (Double Descent Demystified).", choices=tuple(TARGETS)),
)


def test_grid() -> np.ndarray:
    return np.linspace(-1.0, 1.0, N_TEST)


def training_draw(params: dict, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The seed's training set: x uniform on [-1, 1], y = f(x) + noise."""
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(-1.0, 1.0, params["n_train"]))
    y = TARGETS[params["target"]](t) + params["noise"] * rng.standard_normal(t.size)
    return t, y


def _fit_sweep(params: dict, seed: int):
    t, y = training_draw(params, seed)
    degrees = degree_grid(params["n_train"], params["max_degree"])
    fit = nested_ridge_sweep(
        legendre_features(t, degrees[-1]), legendre_features(test_grid(), degrees[-1]),
        y, degrees + 1, [params["ridge"]],
    )
    return t, y, degrees, fit


def run_seed(params: dict, seed: int) -> SeedPart:
    t, y, degrees, fit = _fit_sweep(params, seed)
    # Test targets are fresh noisy draws on the grid, so test MSE includes the noise floor.
    rng = np.random.default_rng([seed, 1])
    grid = test_grid()
    y_test = TARGETS[params["target"]](grid) + params["noise"] * rng.standard_normal(grid.size)
    train_pred = fit.train_pred[:, 0, :, 0]
    test_pred = fit.test_pred[:, 0, :, 0]
    columns = {
        ("train", "mse"): np.mean((train_pred - y) ** 2, axis=1),
        ("test", "mse"): np.mean((test_pred - y_test) ** 2, axis=1),
        ("train", "coef_norm"): fit.coef_norm[:, 0],
        ("train", "sigma_min"): fit.sigma_min,
    }
    frame = pd.concat(
        [_rows(params, degrees, seed, split, metric, v) for (split, metric), v in columns.items()],
        ignore_index=True,
    )
    frame["effective_params"] = np.tile(fit.effective_params()[:, 0], len(columns))
    return SeedPart(frame, {"test_pred": test_pred})


def _rows(params, degrees, seed, split, metric, values) -> pd.DataFrame:
    return pd.DataFrame({
        "seed": seed, "split": split, "metric": metric, "value": values,
        "degree": degrees, "n_params": degrees + 1, "n_train": params["n_train"],
        "noise": params["noise"], "ridge": params["ridge"], "target": params["target"],
    })


def combine(params: dict, parts) -> pd.DataFrame:
    """Per-seed rows plus the bias^2 / variance / noise decomposition across seeds.

    On the fixed test grid: bias^2 = mean_x (mean_seeds f_hat - f)^2 and
    variance = mean_x var_seeds f_hat. With several seeds, bias^2 + variance + noise^2
    matches the mean test MSE.
    """
    frames = [p.frame for p in parts]
    degrees = frames[0].loc[frames[0]["metric"] == "mse", "degree"].unique()
    if len(parts) >= 2:
        preds = np.stack([p.arrays["test_pred"] for p in parts])  # (seeds, degrees, grid)
        truth = TARGETS[params["target"]](test_grid())
        decomposition = {
            "bias2": np.mean((preds.mean(axis=0) - truth) ** 2, axis=1),
            "variance": np.mean(preds.var(axis=0, ddof=1), axis=1),
            "noise": np.full(len(degrees), params["noise"] ** 2),
        }
        p_eff = np.median([p.frame.loc[p.frame["metric"] == "mse", "effective_params"]
                           .to_numpy()[: len(degrees)] for p in parts], axis=0)
        for name, v in decomposition.items():
            rows = _rows(params, degrees, ACROSS_SEEDS, "test", name, v)
            rows["effective_params"] = p_eff
            frames.append(rows)
    return pd.concat(frames, ignore_index=True)


def fitted_curves(params: dict, degrees, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The fitted polynomials of a few degrees over the test grid, and the training points."""
    t, y, all_degrees, fit = _fit_sweep(params, seed)
    grid = test_grid()
    curves = [pd.DataFrame({"x": grid, "y": TARGETS[params["target"]](grid), "curve": "true f"})]
    for d in degrees:
        i = int(np.searchsorted(all_degrees, d))
        if i < len(all_degrees) and all_degrees[i] == d:
            curves.append(pd.DataFrame({"x": grid, "y": fit.test_pred[i, 0, :, 0],
                                        "curve": f"degree {d}"}))
    return pd.concat(curves, ignore_index=True), pd.DataFrame({"x": t, "y": y})


def cost(params: dict, n_seeds: int) -> float:
    """Seconds with one BLAS thread (experiments/costs.py): Legendre features by recurrence,
    the sweep over every degree, the frames, and the decomposition across seeds."""
    n, top = params["n_train"], params["max_degree"]
    widths = degree_grid(n, top) + 1
    grid = len(widths) * N_TEST
    # Lanczos converges in ~6 steps on these ill-conditioned features (measured, max 9).
    sweep = costs.sweep_work(n, N_TEST, 1, widths, [params["ridge"]], lanczos_steps=12)
    seed = sweep + costs.Work(elements=(n + N_TEST) * top * 6 + 4 * len(widths) * (n + N_TEST),
                              calls=8 * top + 400)  # legvander: a Python step per degree
    combine = costs.Work(elements=6 * grid * n_seeds, calls=20 * n_seeds + 200)
    return costs.price(seed * n_seeds + combine)


def memory(params: dict, n_seeds: int) -> float:
    """Peak bytes: the train and test features, the sweep, every seed's test predictions
    (kept for the bias-variance decomposition, stacked once more to combine) and frames."""
    n, top = params["n_train"], params["max_degree"]
    widths = len(degree_grid(n, top))
    features = 16 * (n + N_TEST) * (top + 1)
    sweep = costs.sweep_bytes(n, N_TEST, 1, widths, 1, top + 1)
    kept = 8 * widths * N_TEST * n_seeds
    results = costs.results_bytes(4 * widths, 12, n_seeds + 1)
    return costs.total_bytes(features + sweep + 3 * kept + results)


EXPERIMENT = Experiment(
    id="polynomial",
    title="Polynomial regression: U-curve and double descent",
    summary=(
        "Test error is U-shaped while the polynomial has fewer coefficients than training "
        "points, spikes where degree + 1 = n_train (the model just interpolates), and falls "
        "again for far larger degrees (minimum-norm interpolation)."
    ),
    references=(
        "scikit-learn example: Underfitting vs. Overfitting",
        "Belkin, Hsu, Ma, Mandal (2019), Reconciling modern machine-learning practice and the "
        "classical bias-variance trade-off, PNAS 116(32)",
        "Schaeffer et al. (2023), Double Descent Demystified, arXiv:2303.14151",
    ),
    params=PARAMS,
    run_seed=run_seed,
    combine=combine,
    cost=cost,
    memory=memory,
    x="n_params",
    threshold=lambda params: float(params["n_train"]),
    default_seeds=20,
    precompute_seeds=100,
    budget_seconds=15.0,
    metrics=("mse", "coef_norm", "sigma_min", "bias2", "variance", "noise"),
)
