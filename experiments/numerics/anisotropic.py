"""Risk of ridge and minimum-norm least squares for a general covariance, from theory.

x ~ N(0, diag(s)), y = x'beta + noise, n samples, p = len(s) features; the penalty
convention is (1/n)||y - Xb||^2 + lam ||b||^2 and the risk is (b_hat - beta)' S (b_hat -
beta), test noise excluded. As n, p grow together the risk concentrates on a
deterministic equivalent (Hastie, Montanari, Rosset, Tibshirani 2022, Sec. 5, for
lam -> 0; Dobriban & Wager 2018 for ridge; Bach 2024, SIAM J. Math. Data Sci.):
the fit behaves like ridge in the population with an *effective* penalty kappa >= lam,
the root of

    lam = kappa (1 - df1(kappa) / n),   df1 = sum s / (s + kappa),

and with df2 = sum s^2 / (s + kappa)^2,

    risk = (kappa^2 sum b^2 s / (s + kappa)^2 + noise^2 df2 / n) / (1 - df2 / n).

With s = 1 this is the Marchenko-Pastur closed form of experiments/linear_theory.py (the
tests check it). When many weak directions sit next to a few strong ones, kappa stays
positive at lam = 0: the weak directions act as a ridge on the strong ones (Kobak,
Lomond, Sanchez 2020), so the minimum-norm interpolator can already be (near) optimal.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import brentq, minimize_scalar


def effective_ridge(s: np.ndarray, n: int, lam: float) -> float:
    """kappa: the root of lam = kappa (1 - df1(kappa) / n); 0 for lam = 0 below p = n."""
    s = np.asarray(s, dtype=np.float64)
    if lam == 0 and len(s) <= n:
        return 0.0
    floor = 0.0 if len(s) <= n else brentq(lambda k: np.sum(s / (s + k)) - n, 1e-300, s.sum())
    if lam == 0:
        return floor
    return brentq(lambda k: k * (1 - np.sum(s / (s + k)) / n) - lam, floor, lam + s.sum() / n + 1)


def risk(s: np.ndarray, b2: np.ndarray, lam: float, noise: float, n: int) -> float:
    """Deterministic-equivalent risk; s: variances, b2: squared coefficients, same basis."""
    s, b2 = np.asarray(s, dtype=np.float64), np.asarray(b2, dtype=np.float64)
    if lam == 0 and len(s) == n:
        return float("inf")
    kappa = effective_ridge(s, n, lam)
    df2 = np.sum(s**2 / (s + kappa) ** 2)
    bias = kappa**2 * np.sum(b2 * s / (s + kappa) ** 2)
    return float((bias + noise**2 * df2 / n) / (1 - df2 / n))


def optimal_penalty(s: np.ndarray, b2: np.ndarray, noise: float, n: int) -> float:
    """The penalty lam >= 0 of least risk (searched on a log scale from 1e-8 to 1e3)."""
    best = minimize_scalar(lambda t: risk(s, b2, float(np.exp(t)), noise, n),
                           bounds=(np.log(1e-8), np.log(1e3)), method="bounded",
                           options={"xatol": 1e-3})
    lam = float(np.exp(best.x))
    if len(s) != n and risk(s, b2, 0.0, noise, n) <= risk(s, b2, lam, noise, n):
        return 0.0
    return lam
