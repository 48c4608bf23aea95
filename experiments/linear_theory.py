"""Linear regression in high dimensions: simulation against exact theory.

What to notice
--------------
x ~ N(0, I_p), y = x'beta + noise, ||beta|| = r, fitted by minimum-norm least squares
or ridge on n samples, with gamma = p / n swept across 1. The risk (test error minus
the noise floor) of the minimum-norm fit blows up as gamma -> 1 from either side and
falls again for gamma > 1: double descent, with a closed form (Hastie, Montanari,
Rosset, Tibshirani 2022). Simulations at n in the hundreds sit on the theory curves.
With the optimal penalty lambda* = sigma^2 gamma / r^2 the risk is monotone in gamma:
optimal regularization removes the peak (Nakkiran et al. 2020).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.base import ACROSS_SEEDS, Experiment, SeedPart, concat_parts
from experiments.linalg import nested_ridge_sweep
from experiments.params import Param

PARAMS = (
    Param("n_train", "int", 200, "Number of training samples n.", low=20, high=1000),
    Param("noise", "float", 1.0, "Noise standard deviation sigma.", low=0.0, high=5.0),
    Param("signal", "float", 1.0, "Signal strength r = ||beta||.", low=0.0, high=10.0),
    Param("ridge", "floats", (0.0, 0.1), "Ridge penalties lambda on (1/n)||y - Xb||^2 + "
          "lambda ||b||^2; 0 = minimum norm.", low=0.0, high=100.0, max_items=5),
    Param("include_optimal", "bool", True, "Also fit with the optimal lambda* = sigma^2 gamma / r^2."),
    Param("n_gammas", "int", 24, "Number of gamma = p / n values, log-spaced in [0.1, 10] "
          "(an even number straddles gamma = 1 symmetrically).",
          low=5, high=60),
)


def gamma_grid(params: dict) -> tuple[np.ndarray, np.ndarray]:
    """Widths p (never exactly n, where the minimum-norm risk is infinite) and gamma = p / n."""
    n = params["n_train"]
    p = np.unique(np.geomspace(0.1 * n, 10 * n, params["n_gammas"]).round().astype(int))
    p = p[(p != n) & (p >= 1)]
    return p, p / n


def stieltjes(z: float, gamma: float) -> float:
    """Marchenko-Pastur Stieltjes transform m(z) for z < 0 (the positive branch)."""
    a = 1 - gamma - z
    return (a - np.sqrt(a * a - 4 * gamma * z)) / (2 * gamma * z)


def theory_risk(gamma: float, lam: float, noise: float, signal: float) -> float:
    """Asymptotic risk E[(x0'b_hat - x0'beta)^2] of ridge (lam > 0) or min-norm (lam = 0)."""
    s2, r2 = noise**2, signal**2
    if lam == 0:
        if gamma < 1:
            return s2 * gamma / (1 - gamma)
        return r2 * (1 - 1 / gamma) + s2 / (gamma - 1)
    z = -lam
    m = stieltjes(z, gamma)
    # m solves gamma z m^2 - (1 - gamma - z) m + 1 = 0; differentiate for m'(z).
    dm = -(gamma * m * m + m) / (2 * gamma * z * m - (1 - gamma - z))
    return r2 * lam**2 * dm + s2 * gamma * (m - lam * dm)


def optimal_ridge(gamma: np.ndarray, params: dict) -> np.ndarray:
    return params["noise"] ** 2 * gamma / max(params["signal"] ** 2, 1e-12)


def _rows(params, p, gamma, seed, source, label, lam, risk) -> pd.DataFrame:
    return pd.DataFrame({
        "seed": seed, "split": "test", "metric": "risk", "value": risk, "gamma": gamma,
        "n_params": p, "n_train": params["n_train"], "ridge": lam, "ridge_label": label,
        "source": source, "noise": params["noise"], "signal": params["signal"],
    })


def label(lam: float) -> str:
    return "0 (minimum norm)" if lam == 0 else f"{lam:g}"


def run_seed(params: dict, seed: int) -> SeedPart:
    """One design X (n x p_max); for each p a fresh beta in R^p with ||beta|| = r.

    Every width gets its own target (one column of Y), and identity 'test points' make
    the solver return the coefficients themselves, so the risk ||b_hat - beta||^2 is
    exact rather than a Monte Carlo estimate over test points.
    """
    rng = np.random.default_rng(seed)
    n = params["n_train"]
    p, gamma = gamma_grid(params)
    x = rng.standard_normal((n, p[-1]))
    betas = np.zeros((p[-1], len(p)))
    for i, width in enumerate(p):
        direction = rng.standard_normal(width)
        betas[:width, i] = params["signal"] * direction / np.linalg.norm(direction)
    y = x @ betas + params["noise"] * rng.standard_normal((n, 1))
    identity = np.eye(p[-1])
    fits = [(nested_ridge_sweep(x, identity, y, p, params["ridge"]), list(params["ridge"]), None)]
    if params["include_optimal"]:
        lam_star = optimal_ridge(gamma, params)
        fits.append((nested_ridge_sweep(x, identity, y, p, [1.0], scale=1 / np.sqrt(lam_star)),
                     ["optimal"], lam_star))
    frames = []
    for fit, labels, lam_star in fits:
        for j, name in enumerate(labels):
            coef = fit.test_pred[np.arange(len(p)), j, :, np.arange(len(p))]  # (W, p_max)
            risk = np.sum((coef - betas.T) ** 2, axis=1)
            lam = lam_star if lam_star is not None else np.full(len(p), name)
            frames.append(_rows(params, p, gamma, seed, "empirical",
                                "optimal" if lam_star is not None else label(name), lam, risk))
    return SeedPart(pd.concat(frames, ignore_index=True))


def combine(params: dict, parts) -> pd.DataFrame:
    """Per-seed simulations plus the closed-form curves (seed = -1) at the same gammas."""
    p, gamma = gamma_grid(params)
    theory = [_rows(params, p, gamma, ACROSS_SEEDS, "theory", label(lam), lam,
                    [theory_risk(g, lam, params["noise"], params["signal"]) for g in gamma])
              for lam in params["ridge"]]
    if params["include_optimal"]:
        lam_star = optimal_ridge(gamma, params)
        theory.append(_rows(params, p, gamma, ACROSS_SEEDS, "theory", "optimal", lam_star,
                            [theory_risk(g, l, params["noise"], params["signal"])
                             for g, l in zip(gamma, lam_star)]))
    return pd.concat([concat_parts(params, parts)] + theory, ignore_index=True)


def cost(params: dict, n_seeds: int) -> float:
    """Seconds on 2 cores (measured, conservative): each fit solves with p_max identity
    test rows and one target per width, ~ n_gammas * p_max * n^2 work per fit."""
    n = params["n_train"]
    fits = len(params["ridge"]) + (1 if params["include_optimal"] else 0)
    return n_seeds * (0.05 + 3e-10 * params["n_gammas"] * 10 * n * n * n * (1 + 0.3 * fits))


EXPERIMENT = Experiment(
    id="linear_theory",
    title="Linear regression: simulation against exact theory",
    summary=(
        "Minimum-norm least squares on isotropic Gaussian data: the risk diverges at "
        "gamma = p/n = 1 and descends again beyond it, exactly as the Hastie-Montanari-"
        "Rosset-Tibshirani formulas predict; the optimal ridge penalty makes it monotone."
    ),
    references=(
        "Hastie, Montanari, Rosset, Tibshirani (2022), Surprises in High-Dimensional Ridgeless "
        "Least Squares Interpolation, Annals of Statistics 50(2)",
        "Nakkiran, Venkat, Kakade, Ma (2020), Optimal Regularization Can Mitigate Double Descent",
    ),
    params=PARAMS,
    run_seed=run_seed,
    combine=combine,
    cost=cost,
    x="gamma",
    threshold=lambda params: 1.0,
    default_seeds=10,
    precompute_seeds=20,
    budget_seconds=20.0,
    metrics=("risk",),
    columns=("ridge_label", "source"),  # read by its pages; checked on load
)
