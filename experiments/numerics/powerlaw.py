"""Power-law fits for scaling curves: err(x) = E + A x^(-alpha).

`fit_power_law` fits the three constants with bounds (0 <= E <= smallest error,
A >= 0, alpha >= 0) in log space, where every decade counts the same; `loglog_slope` is
the assumption-free companion (the straight-line slope of log err against log x).
`bootstrap` resamples seeds, and the test points of each seed when the frame records
them (`n_eval` points, `n_errors` mistakes), to put intervals on alpha and E and an
uncertainty band on extrapolations. E (the irreducible error) is poorly identified from
a short range: a fit that ends at a bound of E has not identified it, and `E_text`
says so instead of printing 4.5e-17. Degenerate input raises PowerLawError with a
sentence saying what is wrong.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import curve_fit

MIN_POINTS = 4
E_FLOOR = 1e-4  # relative to the smallest error: E below it is "at its bound"
COUNTS = ("n_eval", "n_errors")


class PowerLawError(ValueError):
    """The data cannot support a power-law fit; the message says why."""


@dataclass(frozen=True)
class PowerLaw:
    E: float
    A: float
    alpha: float
    r2_log: float  # R^2 of log err, the fit's goodness in the space it was fitted in
    n_points: int
    e_bound: str = ""  # "zero" or "smallest error" when the fitted E ended at that bound

    @property
    def e_identified(self) -> bool:
        return not self.e_bound

    def predict(self, x) -> np.ndarray:
        return self.E + self.A * np.asarray(x, dtype=float) ** (-self.alpha)

    def equation(self) -> str:
        e = "~0" if self.e_bound == "zero" else f"{self.E:.3g}"
        return f"err = {e} + {self.A:.3g} x^(-{self.alpha:.3g})"


def _check(x, y) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1:
        raise PowerLawError("x and y must be 1-D arrays of the same length")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise PowerLawError("x and y must be finite (no NaN or infinity)")
    if len(np.unique(x)) < MIN_POINTS:
        raise PowerLawError(
            f"need at least {MIN_POINTS} distinct x values, got {len(np.unique(x))}")
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
    bound = ("zero" if e <= E_FLOOR * y.min() else
             "smallest error" if e >= (1 - E_FLOOR) * y.min() else "")
    return PowerLaw(float(e), float(np.exp(log_a)), float(alpha),
                    float(1 - np.sum(residual**2) / total), len(x), bound)


@dataclass(frozen=True)
class Bootstrap:
    fit: PowerLaw
    alpha_interval: tuple[float, float]
    E_interval: tuple[float, float]
    fits: tuple[PowerLaw, ...]
    xs: tuple[float, ...] = ()
    ys: tuple[float, ...] = ()  # the fitted points: pooled (or median) error per x
    resampled: str = "seeds"
    seeds: int = 0

    def slope(self) -> float:
        """Log-log slope through the fitted points (those above zero)."""
        xs, ys = np.array(self.xs), np.array(self.ys)
        return loglog_slope(xs[ys > 0], ys[ys > 0])

    def band(self, x, level: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
        curves = np.array([f.predict(x) for f in self.fits])
        tail = (1 - level) / 2
        return np.quantile(curves, tail, axis=0), np.quantile(curves, 1 - tail, axis=0)

    def distinct_alphas(self) -> int:
        return len(np.unique(np.round([f.alpha for f in self.fits], 6)))

    def E_text(self) -> str:
        """E for a reader: "~0 (not identified)" when the fit ended at E's lower bound."""
        if self.fit.e_bound == "zero":
            return "~0 (not identified)"
        if self.fit.e_bound:
            return f"{self.fit.E:.3g} (at the smallest error: not identified)"
        return f"{self.fit.E:.3g}"

    def E_interval_text(self) -> str:
        positive = [y for y in self.ys if y > 0]
        floor = E_FLOOR * min(positive, default=self.fit.E)
        low, high = self.E_interval
        if high <= floor:
            return "~0 (not identified)"
        return f"{'0' if low <= floor else f'{low:.3g}'} - {high:.3g}"


def _pooled(errors: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Error rate per x over all seeds' test points (mistakes / points)."""
    return np.nansum(errors, axis=1) / np.nansum(points, axis=1)


def _fit_positive(xs: np.ndarray, ys: np.ndarray) -> PowerLaw:
    keep = ys > 0  # a point with no mistakes at all has no logarithm: leave it out
    return fit_power_law(xs[keep], ys[keep])


def bootstrap(frame: pd.DataFrame, x: str, draws: int = 200, level: float = 0.9,
              seed: int = 0) -> Bootstrap:
    """Fit the error per x over seeds, then refit on resampled data.

    `frame` holds per-seed rows (`seed`, x, `value`) of one curve. When it also counts
    the test points behind each error rate (`n_eval`, `n_errors`), the fitted point is
    the pooled error rate and every draw resamples seeds, then the test points of each
    drawn seed (binomially: the same as drawing its points with replacement). That
    two-level bootstrap counts test noise that seeds already vary in once more, so its
    intervals err on the wide side. Otherwise it fits the median over seeds and
    resamples seeds only.
    """
    counted = all(c in frame.columns and frame[c].notna().all() for c in COUNTS)
    values = frame.pivot_table(index=x, columns="seed", values="value", aggfunc="mean")
    if values.shape[1] < 2:
        raise PowerLawError("the bootstrap needs at least two seeds")
    xs = values.index.to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    if counted:
        points, errors = (frame.pivot_table(index=x, columns="seed", values=c, aggfunc="sum")
                          .reindex(index=values.index, columns=values.columns).to_numpy()
                          for c in COUNTS)
        ys = _pooled(errors, points)
        rate = np.nan_to_num(errors / points)
        points = np.nan_to_num(points).astype(int)

        def draw():
            pick = rng.integers(0, points.shape[1], points.shape[1])
            return _pooled(rng.binomial(points[:, pick], rate[:, pick]), points[:, pick])
    else:
        table = values.to_numpy()
        ys = np.nanmedian(table, axis=1)

        def draw():
            return np.nanmedian(table[:, rng.integers(0, table.shape[1], table.shape[1])], axis=1)
    central = _fit_positive(xs, ys)
    fits = []
    for _ in range(draws):
        try:
            fits.append(_fit_positive(xs, draw()))
        except PowerLawError:
            continue
    if len(fits) < draws // 2:
        raise PowerLawError("most bootstrap resamples could not be fitted")
    tail = (1 - level) / 2
    alphas, es = np.array([f.alpha for f in fits]), np.array([f.E for f in fits])
    return Bootstrap(central, tuple(np.quantile(alphas, [tail, 1 - tail])),
                     tuple(np.quantile(es, [tail, 1 - tail])), tuple(fits), tuple(xs),
                     tuple(ys), "seeds and test points" if counted else "seeds", values.shape[1])
