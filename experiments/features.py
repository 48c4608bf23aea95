"""Feature maps shared by the experiments (one definition each, reused everywhere)."""
from __future__ import annotations

import numpy as np


def legendre_features(t: np.ndarray, max_degree: int) -> np.ndarray:
    """Legendre polynomials P_0..P_max_degree at points t in [-1, 1].

    Raw monomials t^k are nearly collinear for large k; Legendre polynomials are
    orthogonal on [-1, 1] and bounded by 1 there, so fits stay well conditioned
    except where the model is forced to interpolate, which is the point.
    """
    return np.polynomial.legendre.legvander(np.asarray(t, dtype=np.float64), max_degree)


def degree_grid(n_train: int, max_degree: int, n_log: int = 40) -> np.ndarray:
    """Every degree up to 3 x n_train (U-curve and peak), then log-spaced beyond it."""
    dense_top = min(max_degree, 3 * n_train)
    dense = np.arange(0, dense_top + 1)
    if max_degree <= dense_top:
        return dense
    tail = np.geomspace(dense_top, max_degree, n_log).round().astype(int)
    return np.unique(np.concatenate([dense, tail]))
