"""Power-law fits for scaling curves: err(x) = E + A x^(-alpha).

`fit_power_law` fits the three constants with bounds (E >= 0, A >= 0, alpha >= 0) in
log space, where every decade counts the same; `loglog_slope` is the assumption-free
companion (the straight-line slope of log err against log x). `bootstrap` resamples
seeds to put intervals on alpha and E and an uncertainty band on extrapolations.
E (the irreducible error) is poorly identified from a short range: read its interval.
Degenerate input raises PowerLawError with a sentence saying what is wrong.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import curve_fit

MIN_POINTS = 4


class PowerLawError(ValueError):
    """The data cannot support a power-law fit; the message says why."""


@dataclass(frozen=True)
class PowerLaw:
    E: float
    A: float
    alpha: float
    r2_log: float  # R^2 of log err, the fit's goodness in the space it was fitted in
    n_points: int

    def predict(self, x) -> np.ndarray:
        return self.E + self.A * np.asarray(x, dtype=float) ** (-self.alpha)

    def equation(self) -> str:
        return f"err = {self.E:.3g} + {self.A:.3g} x^(-{self.alpha:.3g})"


def _check(x, y) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise PowerLawError("x and y must be 1-D arrays of the same length")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise PowerLawError("x and y must be finite (no NaN or infinity)")
    if len(np.unique(x)) < MIN_POINTS:
        raise PowerLawError(f"need at least {MIN_POINTS} distinct x values, got {len(np.unique(x))}")
    if (x <= 0).any():
        raise PowerLawError("x must be positive for a power law")
    if (y <= 0).any():
        raise PowerLawError("errors must be positive (a power law never reaches 0)")
    if np.ptp(np.log(y)) < 1e-9:
        raise PowerLawError("the error is constant: there is no power law to fit")
    return x, y


def loglog_slope(x, y) -> float:
    """Slope of log(err) against log(x): -alpha if E = 0."""
    x, y = _check(x, y)
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def fit_power_law(x, y) -> PowerLaw:
    x, y = _check(x, y)
    log_y = np.log(y)

    def model(log_x, e, log_a, alpha):
        return np.log(e + np.exp(log_a - alpha * log_x))

    slope, intercept = np.polyfit(np.log(x), log_y, 1)
    start = (0.0, intercept, max(-slope, 1e-3))
    try:
        (e, log_a, alpha), _ = curve_fit(
            model, np.log(x), log_y, p0=start, maxfev=20000,
            bounds=([0.0, -50.0, 0.0], [float(y.min()), 50.0, 10.0]))
    except (RuntimeError, ValueError) as err:
        raise PowerLawError(f"the fit did not converge ({err})") from None
    residual = log_y - model(np.log(x), e, log_a, alpha)
    total = np.sum((log_y - log_y.mean()) ** 2)
    return PowerLaw(float(e), float(np.exp(log_a)), float(alpha),
                    float(1 - np.sum(residual**2) / total), len(x))


@dataclass(frozen=True)
class Bootstrap:
    fit: PowerLaw
    alpha_interval: tuple[float, float]
    E_interval: tuple[float, float]
    fits: tuple[PowerLaw, ...]

    def band(self, x, level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
        curves = np.array([f.predict(x) for f in self.fits])
        tail = (1 - level) / 2
        return np.quantile(curves, tail, axis=0), np.quantile(curves, 1 - tail, axis=0)


def bootstrap(frame: pd.DataFrame, x: str, draws: int = 200, level: float = 0.9,
              seed: int = 0) -> Bootstrap:
    """Fit the median-over-seeds curve, then refit on seed-resampled medians.

    `frame` holds per-seed rows (`seed`, x, `value`) of one curve.
    """
    table = frame.pivot_table(index=x, columns="seed", values="value", aggfunc="mean")
    if table.shape[1] < 2:
        raise PowerLawError("the bootstrap needs at least two seeds")
    values = table.to_numpy()
    xs = table.index.to_numpy(dtype=float)
    central = fit_power_law(xs, np.nanmedian(values, axis=1))
    rng = np.random.default_rng(seed)
    fits = []
    for _ in range(draws):
        pick = rng.integers(0, values.shape[1], values.shape[1])
        try:
            fits.append(fit_power_law(xs, np.nanmedian(values[:, pick], axis=1)))
        except PowerLawError:
            continue
    if len(fits) < draws // 2:
        raise PowerLawError("most bootstrap resamples could not be fitted")
    tail = (1 - level) / 2
    alphas, es = np.array([f.alpha for f in fits]), np.array([f.E for f in fits])
    return Bootstrap(central, tuple(np.quantile(alphas, [tail, 1 - tail])),
                     tuple(np.quantile(es, [tail, 1 - tail])), tuple(fits))
