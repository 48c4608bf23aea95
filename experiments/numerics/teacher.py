"""A compute-optimal study in the Chinchilla way, on a teacher with unlimited data.

The teacher is linear in infinitely many Gaussian features x_k with variances
lambda_k = k^-SPECTRUM and weights w_k = k^-(WEIGHTS / 2), plus label noise of variance
NOISE^2: the "solvable model" of neural scaling laws (Maloney, Roberts and Sully 2022;
Bahri et al. 2021). A model of size N is ridge regression on the first N features,
trained on D fresh examples, its penalty picked from RIDGES to minimise the risk (an
infinite validation set). The features it lacks act as extra label noise.

Everything is exact: the test loss is the population risk
sum_{k<=N} lambda_k (w_k - theta_k)^2 + sum_{k>N} lambda_k w_k^2 + NOISE^2, so there is
no test-set noise, and the irreducible loss E is NOISE^2 by construction. Without data
limits the loss falls as N^-(SPECTRUM + WEIGHTS - 1) (the tail sum). Compute is counted
as C = 6 N D, the convention of Kaplan et al. and Hoffmann et al. (a forward and a
backward pass over N parameters for each of D examples); the closed-form solver here
costs more, so the iso-FLOP curves describe a model trained the way large networks are.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from experiments.numerics.threads import single_threaded

SPECTRUM, WEIGHTS, NOISE = 1.2, 0.3, 0.3
SIZES = (8, 16, 32, 64, 128, 256, 512)
DATA = (64, 128, 256, 512, 1024, 2048, 4096, 8192)
RIDGES = np.geomspace(1e-5, 1.0, 6)
FAMILY, DATASET = "linear_features", "teacher"
_TERMS = 10**6


@lru_cache(maxsize=1)
def _tails() -> np.ndarray:
    """tails[n] = sum_{k>n} lambda_k w_k^2, summed to 10^6 terms, the rest by its integral."""
    power = SPECTRUM + WEIGHTS
    terms = np.arange(1, _TERMS + 1, dtype=float) ** -power
    rest = _TERMS ** (1 - power) / (power - 1)
    return np.concatenate([np.cumsum(terms[::-1])[::-1], [0.0]]) + rest


def tail_risk(n: int) -> float:
    """The loss above the noise of a model that knows the first n weights exactly."""
    return float(_tails()[n])


def approximation_exponent() -> float:
    """The exponent of N in the data-unlimited loss, from the tail sum."""
    return SPECTRUM + WEIGHTS - 1


def _risk(theta: np.ndarray, lam: np.ndarray, w: np.ndarray, tail: float) -> float:
    p = theta.size
    return float(np.sum(lam[:p] * (w[:p] - theta) ** 2) + tail + NOISE**2)


def teacher_cells(seed: int, sizes=SIZES, data=DATA) -> list[tuple[int, int, float, float]]:
    """(N, D, test loss, chosen ridge) for every cell; nested data prefixes within a seed."""
    sizes, data = sorted(sizes), sorted(data)
    k = np.arange(1, sizes[-1] + 1, dtype=float)
    lam, w = k ** -SPECTRUM, k ** (-WEIGHTS / 2)
    tails = {n: tail_risk(n) for n in sizes}
    rng = np.random.default_rng([seed, 41])
    with single_threaded():  # solves of <= 512 unknowns: threads only spin
        return _cells(rng, sizes, data, lam, w, tails)


def _cells(rng, sizes, data, lam, w, tails):
    n_max, d_max = sizes[-1], data[-1]
    x = rng.standard_normal((d_max, n_max)) * np.sqrt(lam)
    y = x @ w + np.sqrt(tails[n_max] + NOISE**2) * rng.standard_normal(d_max)
    gram, moment, done, cells = np.zeros((n_max, n_max)), np.zeros(n_max), 0, []
    for d in data:
        gram += x[done:d].T @ x[done:d]
        moment += x[done:d].T @ y[done:d]
        done = d
        for n in sizes:
            eye = np.eye(n)
            risks = [_risk(np.linalg.solve(gram[:n, :n] + d * r * eye, moment[:n]), lam, w,
                           tails[n]) for r in RIDGES]
            best = int(np.argmin(risks))
            cells.append((n, d, risks[best], float(RIDGES[best])))
    return cells


def teacher_flops(n, d):
    return 6.0 * np.asarray(n, dtype=float) * np.asarray(d, dtype=float)
