"""The Chinchilla law L(N, D) = E + A / N^alpha + B / D^beta and what it implies for compute.

Hoffmann et al. (2022), approach 3: fit the five constants to a grid of runs of one
model family (model size N, training-set size D), then minimise the fitted loss along
iso-FLOP curves C = 6 N D. The optimum is N*(C) = G (C/6)^a and D*(C) = (C/6)^b / G with
a = beta / (alpha + beta), b = alpha / (alpha + beta) and G = (alpha A / (beta B))^(1/(alpha+beta)).

The fit minimises squared residuals of log L (every decade of loss counts the same),
parametrised as log L = logsumexp(e, log A - alpha log N, log B - beta log D) with
E = exp(e), from a few starting points. `bootstrap_law` resamples seeds for intervals on
every constant and on a, b. E is bounded below by `E_FLOOR` times the smallest loss; a
fit that ends there has not identified E (see `e_identified`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from experiments.numerics.powerlaw import PowerLawError

E_FLOOR = 1e-4
MIN_CELLS = 8


@dataclass(frozen=True)
class Law:
    E: float
    A: float
    alpha: float
    B: float
    beta: float
    r2_log: float
    e_identified: bool

    @property
    def a(self) -> float:
        """Exponent of the compute-optimal model size, N*(C) ~ C^a."""
        return self.beta / (self.alpha + self.beta)

    @property
    def b(self) -> float:
        """Exponent of the compute-optimal data size, D*(C) ~ C^b."""
        return self.alpha / (self.alpha + self.beta)

    def predict(self, n, d) -> np.ndarray:
        n, d = np.asarray(n, dtype=float), np.asarray(d, dtype=float)
        return self.E + self.A * n ** -self.alpha + self.B * d ** -self.beta

    def optimal_n(self, compute) -> np.ndarray:
        """Model size that minimises the fitted loss at C = 6 N D."""
        g = (self.alpha * self.A / (self.beta * self.B)) ** (1 / (self.alpha + self.beta))
        return g * (np.asarray(compute, dtype=float) / 6) ** self.a

    def optimal_d(self, compute) -> np.ndarray:
        return np.asarray(compute, dtype=float) / (6 * self.optimal_n(compute))

    def equation(self) -> str:
        e = f"{self.E:.3g}" if self.e_identified else "~0"
        return (f"L = {e} + {self.A:.3g} / N^{self.alpha:.3g} "
                f"+ {self.B:.3g} / D^{self.beta:.3g}")


def _check(n, d, loss):
    n, d, loss = (np.asarray(v, dtype=float) for v in (n, d, loss))
    if not n.shape == d.shape == loss.shape or n.ndim != 1:
        raise PowerLawError("N, D and the loss must be 1-D arrays of the same length")
    if not (np.isfinite(n).all() and np.isfinite(d).all() and np.isfinite(loss).all()):
        raise PowerLawError("N, D and the loss must be finite")
    if (n <= 0).any() or (d <= 0).any() or (loss <= 0).any():
        raise PowerLawError("N, D and the loss must be positive")
    if len(loss) < MIN_CELLS or len(np.unique(n)) < 3 or len(np.unique(d)) < 3:
        raise PowerLawError(f"need at least {MIN_CELLS} runs over 3 or more model sizes and "
                            "3 or more data sizes")
    return np.log(n), np.log(d), np.log(loss)


def _terms(theta, log_n, log_d):
    e, log_a, alpha, log_b, beta = theta
    return np.stack([np.full_like(log_n, e), log_a - alpha * log_n, log_b - beta * log_d])


def _residual(theta, log_n, log_d, log_loss):
    terms = _terms(theta, log_n, log_d)
    top = terms.max(0)
    return top + np.log(np.exp(terms - top).sum(0)) - log_loss


def _jacobian(theta, log_n, log_d, log_loss):
    terms = _terms(theta, log_n, log_d)
    w = np.exp(terms - terms.max(0))
    w /= w.sum(0)
    return np.column_stack([w[0], w[1], -w[1] * log_n, w[2], -w[2] * log_d])


def _starts(log_loss):
    floor = log_loss.min()
    for e in (floor - 0.5, floor - 4):
        for alpha in (0.2, 0.6, 1.2):
            for beta in (0.2, 0.6, 1.2):
                yield np.array([e, floor + 3 * alpha, alpha, floor + 3 * beta, beta])


def fit_law(n, d, loss, start=None) -> Law:
    """Least-squares fit of log L; `start` (a Law) replaces the grid of starting points."""
    log_n, log_d, log_loss = _check(n, d, loss)
    low_e = log_loss.min() + np.log(E_FLOOR)
    lower = [low_e, -50, 0.0, -50, 0.0]
    upper = [log_loss.min(), 50, 5.0, 50, 5.0]
    if start is None:
        starts = list(_starts(log_loss))
    else:
        starts = [np.array([np.log(max(start.E, np.exp(low_e))), np.log(start.A), start.alpha,
                            np.log(start.B), start.beta])]
    best = None
    for theta in starts:
        theta = np.clip(theta, np.add(lower, 1e-9), np.subtract(upper, 1e-9))
        out = least_squares(_residual, theta, jac=_jacobian, bounds=(lower, upper),
                            args=(log_n, log_d, log_loss), method="trf", x_scale="jac")
        if best is None or out.cost < best.cost:
            best = out
    if best is None or not np.isfinite(best.cost):
        raise PowerLawError("the fit did not converge")
    e, log_a, alpha, log_b, beta = best.x
    if alpha <= 0 or beta <= 0:
        raise PowerLawError("the fitted loss does not fall with N or with D: no power law")
    total = np.sum((log_loss - log_loss.mean()) ** 2)
    return Law(float(np.exp(e)), float(np.exp(log_a)), float(alpha), float(np.exp(log_b)),
               float(beta), float(1 - 2 * best.cost / total),
               bool(e > low_e + 1e-3))


@dataclass(frozen=True)
class LawBootstrap:
    fit: Law
    fits: tuple[Law, ...]
    level: float
    seeds: int = 0
    cells: int = 0

    def interval(self, name: str) -> tuple[float, float]:
        """Percentile interval of a constant (E, A, alpha, B, beta) or exponent (a, b)."""
        values = np.array([getattr(f, name) for f in self.fits])
        tail = (1 - self.level) / 2
        low, high = np.quantile(values, [tail, 1 - tail])
        return float(low), float(high)

    def e_identified_share(self) -> float:
        """Fraction of resamples whose E stayed off its lower bound."""
        return float(np.mean([f.e_identified for f in self.fits]))


def cell_means(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean loss per (n_params, n_train) over the seeds in `frame`."""
    return frame.groupby(["n_params", "n_train"], as_index=False)["value"].mean()


def bootstrap_law(frame: pd.DataFrame, draws: int = 200, level: float = 0.9,
                  seed: int = 0) -> LawBootstrap:
    """Fit the seed-mean loss per cell, then refit on seed-resampled means.

    `frame` holds one row per (seed, n_params, n_train) with the loss in `value`.
    """
    table = frame.pivot_table(index=["n_params", "n_train"], columns="seed", values="value")
    if table.shape[1] < 2:
        raise PowerLawError("the bootstrap needs at least two seeds")
    n = table.index.get_level_values(0).to_numpy(dtype=float)
    d = table.index.get_level_values(1).to_numpy(dtype=float)
    values = table.to_numpy()
    central = fit_law(n, d, np.nanmean(values, axis=1))
    rng = np.random.default_rng(seed)
    fits = []
    for _ in range(draws):
        pick = rng.integers(0, values.shape[1], values.shape[1])
        try:
            fits.append(fit_law(n, d, np.nanmean(values[:, pick], axis=1), start=central))
        except PowerLawError:
            continue
    if len(fits) < draws // 2:
        raise PowerLawError("most bootstrap resamples could not be fitted")
    return LawBootstrap(central, tuple(fits), level, values.shape[1], values.shape[0])


def iso_flop(law: Law, budgets, sizes) -> pd.DataFrame:
    """The fitted loss along C = 6 N D for each budget, over model sizes N."""
    rows = [{"budget": c, "n_params": n, "n_train": c / (6 * n),
             "loss": float(law.predict(n, c / (6 * n)))}
            for c in budgets for n in sizes]
    return pd.DataFrame(rows)


def frontier(grid: pd.DataFrame, budgets: int = 12) -> pd.DataFrame:
    """For log-spaced compute budgets, the (n_params, n_train) cell with the lowest error
    (`centre`) among those within the budget (`flops`): the compute-optimal frontier."""
    out = []
    for budget in np.geomspace(grid["flops"].min(), grid["flops"].max(), budgets):
        within = grid[grid["flops"] <= budget]
        if not within.empty:
            out.append({**within.loc[within["centre"].idxmin()].to_dict(), "budget": budget})
    return pd.DataFrame(out).drop_duplicates(subset=["n_params", "n_train"])


def iso_flop_views(means: pd.DataFrame, law: Law, every: int = 2, min_cells: int = 4):
    """What the iso-FLOP chart draws, from seed-mean cells (n_params, n_train, value).

    Returns (cells, curves, optima): the measured cells lying on each drawn budget
    C = 6 N D (every `every`-th budget with at least `min_cells` cells), the fitted loss
    along each budget over the grid's model sizes, and the fitted minimum per budget."""
    cells = means.assign(budget=6.0 * means["n_params"] * means["n_train"],
                         loss=means["value"])
    counts = cells.groupby("budget").size()
    budgets = counts[counts >= min_cells].index.to_numpy()[::every]
    cells = cells[cells["budget"].isin(budgets)]
    sizes = np.geomspace(means["n_params"].min(), means["n_params"].max(), 40)
    curves = iso_flop(law, budgets, sizes)
    data = curves["n_train"]  # the law is drawn only where the grid measured it
    curves = curves[(data >= means["n_train"].min()) & (data <= means["n_train"].max())]
    best = law.optimal_n(budgets)
    optima = pd.DataFrame({"budget": budgets, "n_params": best, "n_train": budgets / (6 * best),
                           "loss": law.predict(best, budgets / (6 * best))})
    return cells, curves, optima


def allocation(boot: LawBootstrap, budgets) -> pd.DataFrame:
    """N*(C) and D*(C) from the central fit, with the bootstrap's percentile band."""
    tail, rows = (1 - boot.level) / 2, []
    for name, fn in (("N* (parameters)", "optimal_n"), ("D* (examples)", "optimal_d")):
        draws = np.array([getattr(f, fn)(budgets) for f in boot.fits])
        low, high = np.quantile(draws, [tail, 1 - tail], axis=0)
        rows.append(pd.DataFrame({"budget": budgets, "quantity": name, "low": low, "high": high,
                                  "value": getattr(boot.fit, fn)(budgets)}))
    return pd.concat(rows, ignore_index=True)
