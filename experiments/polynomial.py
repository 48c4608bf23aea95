"""Polynomial regression: the classical U-curve, then a spike, then a second descent.

What to notice
--------------
Fit n_train noisy samples of a smooth function with Legendre polynomials of growing
degree. Below the threshold (degree + 1 < n_train) test error traces the textbook
U: too simple underfits, too flexible overfits. At degree + 1 = n_train the model
can just interpolate the training points, the fit is forced through the noise and
test error spikes by orders of magnitude. Past it, among all interpolating
polynomials we take the one with the smallest coefficient norm, and test error falls
again: the second descent. With this setup the classical optimum still wins, and
`claims` says so with the numbers.

Where the enormous peak comes from: with x drawn uniformly, the interpolating polynomial
swings wildly beyond the outermost training points, and most of the squared test error
at the peak comes from the few test points outside [min x_train, max x_train]
(`extrapolation_share`; `mse_inside` is the error on the rest). Drawing x from the
arcsine (Chebyshev) density, which crowds points toward the ends, tames the blow-up:
compare `design` = uniform and chebyshev.

Setup after scikit-learn's "Underfitting vs. Overfitting" example
(y = cos(1.5 pi x) + noise) and Schaeffer et al. 2023 (y = 2x + cos(25x)).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.framework import costs
from experiments.framework.claims import Claim
from experiments.framework.experiment import ACROSS_SEEDS, Experiment, SeedPart
from experiments.framework.params import Param
from experiments.framework.schema import tidy_rows
from experiments.numerics.features import degree_grid, legendre_features
from experiments.numerics.sweep_solver import nested_ridge_sweep

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
    Param("design", "str", "uniform", "Where the training x fall: uniform on [-1, 1], or "
          "chebyshev (the arcsine density, x = cos(pi u), denser near the ends), which keeps "
          "the interpolating polynomial from swinging wildly at the edges.",
          choices=("uniform", "chebyshev")),
)


def test_grid() -> np.ndarray:
    return np.linspace(-1.0, 1.0, N_TEST)


def training_draw(params: dict, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The seed's training set: x on [-1, 1] by `design`, y = f(x) + noise."""
    rng = np.random.default_rng(seed)
    u = rng.uniform(-1.0, 1.0, params["n_train"])
    t = np.sort(u if params["design"] == "uniform" else np.cos(np.pi * (u + 1) / 2))
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
    squared = (test_pred - y_test) ** 2
    outside = (grid < t.min()) | (grid > t.max())
    columns = {
        ("train", "mse"): np.mean((train_pred - y) ** 2, axis=1),
        ("test", "mse"): squared.mean(axis=1),
        ("test", "mse_inside"): squared[:, ~outside].mean(axis=1),
        ("test", "extrapolation_share"):
            squared[:, outside].sum(axis=1) / np.maximum(squared.sum(axis=1), np.finfo(float).tiny),
        ("train", "coef_norm"): fit.coef_norm[:, 0],
        ("train", "sigma_min"): fit.sigma_min,
    }
    frame = pd.concat(
        [_rows(params, degrees, seed, split, metric, v) for (split, metric), v in columns.items()],
        ignore_index=True,
    )
    frame["effective_params"] = np.tile(fit.effective_params()[:, 0], len(columns))
    return SeedPart(frame, {"test_pred": test_pred, "train_x": t, "train_y": y})


def _rows(params, degrees, seed, split, metric, values) -> pd.DataFrame:
    return tidy_rows(seed, split, metric, values, degree=degrees, n_params=degrees + 1,
                     n_train=params["n_train"], noise=params["noise"], ridge=params["ridge"],
                     target=params["target"], design=params["design"])


def _curve_rows(params: dict, part: SeedPart, degrees) -> pd.DataFrame:
    """The first seed's fitted polynomial at every swept degree on the test grid, the
    true f and the training points, as rows (metric fitted / truth / train_point, position
    in column x), so the page draws and scrubs them from the run itself."""
    seed = int(part.frame["seed"].iloc[0])
    grid = test_grid()
    fitted = part.arrays["test_pred"]  # (degrees, grid)
    pieces = [_point_rows(params, seed, "test", "fitted", np.repeat(degrees, grid.size),
                          np.tile(grid, len(degrees)), fitted.ravel())]
    pieces.append(_point_rows(params, seed, "test", "truth", -1, grid,
                              TARGETS[params["target"]](grid)))
    pieces.append(_point_rows(params, seed, "train", "train_point", -1, part.arrays["train_x"],
                              part.arrays["train_y"]))
    return pd.concat(pieces, ignore_index=True)


def _point_rows(params, seed, split, metric, degree, x, values) -> pd.DataFrame:
    rows = _rows(params, np.full(len(x), degree), seed, split, metric, values)
    rows["x"] = x
    return rows


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
    frames.append(_curve_rows(params, parts[0], degrees))
    return pd.concat(frames, ignore_index=True)


def drawn_curves(frame: pd.DataFrame, degrees) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The run's stored curves for the chosen degrees (x, y, curve) and its training points."""
    def pick(metric):
        return frame[frame["metric"] == metric]
    fitted = pick("fitted")
    fitted = fitted[fitted["degree"].isin(list(degrees))]
    curves = pd.concat([
        pd.DataFrame({"x": pick("truth")["x"], "y": pick("truth")["value"], "curve": "true f"}),
        pd.DataFrame({"x": fitted["x"], "y": fitted["value"],
                      "curve": "degree " + fitted["degree"].astype(int).astype(str)}),
    ], ignore_index=True)
    points = pick("train_point")
    return curves, pd.DataFrame({"x": points["x"].to_numpy(), "y": points["value"].to_numpy()})


def test_median(frame: pd.DataFrame, metric: str = "mse") -> pd.Series:
    rows = frame[(frame["metric"] == metric) & (frame["split"] == "test") & (frame["seed"] >= 0)]
    return rows.groupby("n_params")["value"].median().sort_index()


def claims(frame: pd.DataFrame, params: dict) -> list[Claim]:
    """Measured sentences: who wins (classical or over-parameterized), how much of the peak
    is extrapolation, and which term of the decomposition explodes."""
    n = params["n_train"]
    mse = test_median(frame)
    below, above = mse[mse.index < n], mse[mse.index > n]
    if below.empty or above.empty:
        return []
    regime = (f"n = {n}, noise {params['noise']:g}, x drawn {params['design']}, "
              f"ridge {params['ridge']:g}")
    best, best_over, peak = int(below.idxmin()), int(above.idxmin()), int(mse.idxmax())
    out = [Claim(
        "classical_wins",
        f"The best classical fit ({best} coefficients) reaches a median test MSE of "
        f"{below.min():.3g}; the best over-parameterized one ({best_over} coefficients) "
        f"{above.min():.3g}: here the classical optimum wins.",
        holds=bool(below.min() < above.min()), regime=regime)]
    share, inside = test_median(frame, "extrapolation_share"), test_median(frame, "mse_inside")
    out.append(Claim(
        "peak_is_extrapolation",
        f"At the peak ({peak} coefficients, median test MSE {mse[peak]:.2g}), the test points "
        f"outside [min x_train, max x_train] carry a median {share[peak]:.1%} of the squared "
        f"error; on the points inside that range the median test MSE is {inside[peak]:.2g}.",
        holds=bool(share[peak] > 0.5), regime=regime))
    parts = frame[frame["seed"] < 0].pivot_table(index="n_params", columns="metric", values="value")
    if {"bias2", "variance"} <= set(parts.columns):
        top = parts["variance"].idxmax()
        b_top, v_top = parts.loc[top, "bias2"], parts.loc[top, "variance"]
        b_best = parts.loc[best, "bias2"]
        out.append(Claim(
            "both_terms_explode",
            f"At {int(top)} coefficients both terms explode: variance {v_top:.2g} and bias^2 "
            f"{b_top:.2g} (against {b_best:.2g} at the classical optimum). The average fit over "
            "draws is itself dragged by a few wild fits, so bias^2 is not small; variance is "
            f"the larger term ({v_top / b_top:.0f}x).",
            holds=bool(v_top > b_top > 1e3 * b_best), regime=regime))
    return out


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
    combine = costs.Work(elements=6 * grid * n_seeds + 20 * grid, calls=20 * n_seeds + 200)
    return costs.price(seed * n_seeds + combine)


def memory(params: dict, n_seeds: int) -> float:
    """Peak bytes: the train and test features, the sweep, every seed's test predictions
    (kept for the bias-variance decomposition, stacked once more to combine), frames and
    the first seed's fitted curve at every degree."""
    n, top = params["n_train"], params["max_degree"]
    widths = len(degree_grid(n, top))
    features = 16 * (n + N_TEST) * (top + 1)
    sweep = costs.sweep_bytes(n, N_TEST, 1, widths, 1, top + 1)
    kept = 8 * widths * N_TEST * n_seeds
    results = costs.results_bytes(4 * widths, 12, n_seeds + 1) + costs.results_bytes(
        widths * N_TEST, 14, 1)
    return costs.total_bytes(features + sweep + 3 * kept + results)


EXPERIMENT = Experiment(
    id="polynomial",
    order=10,
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
    metrics=("mse", "mse_inside", "extrapolation_share", "coef_norm", "sigma_min", "bias2",
             "variance", "noise"),
    claims=claims,
    page="polynomial",
)
