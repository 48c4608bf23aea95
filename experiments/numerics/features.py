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


def random_features(x: np.ndarray, weights: np.ndarray, offsets: np.ndarray,
                    kind: str, dtype=np.float64) -> np.ndarray:
    """Unnormalized random features of the rows of x: cos(x W + b) or max(0, x W).

    Computed in float32 (cos is ~25x faster there) and returned as `dtype`: the sweep
    solver takes the float32 values as they are and casts them block by block; the
    sqrt(2 / p) normalization is applied per width by the solver's `scale`.
    """
    z = x.astype(np.float32) @ weights
    if kind == "fourier":
        z += offsets
        np.cos(z, out=z)
    elif kind == "relu":
        np.maximum(z, 0.0, out=z)
    else:
        raise ValueError(f"unknown random feature kind {kind!r}")
    return z.astype(dtype, copy=False)


def draw_random_weights(dim: int, n_features: int, bandwidth: float, kind: str,
                        rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """W ~ N(0, 1/bandwidth^2) (Fourier) or N(0, 1/dim) (ReLU), b ~ U(0, 2 pi)."""
    std = 1.0 / bandwidth if kind == "fourier" else 1.0 / np.sqrt(dim)
    weights = (rng.standard_normal((dim, n_features)) * std).astype(np.float32)
    offsets = rng.uniform(0.0, 2 * np.pi, n_features).astype(np.float32)
    return weights, offsets


def limit_kernel(x: np.ndarray, x2: np.ndarray, bandwidth: float, kind: str) -> np.ndarray:
    """The kernel that the normalized features sqrt(2/N) phi(x) of `draw_random_weights`
    converge to as N -> infinity: F F' -> k(x, x2) entrywise (Rahimi and Recht 2007).

    fourier: E[2 cos(w'x + b) cos(w'x2 + b)] = exp(-||x - x2||^2 / (2 s^2)), W ~ N(0, 1/s^2);
    relu: E[2 relu(w'x) relu(w'x2)] with W ~ N(0, 1/dim), the arc-cosine kernel of degree 1
    (Cho and Saul 2009): |x| |x2| (sin t + (pi - t) cos t) / (pi dim), t the angle between.
    """
    if kind == "fourier":
        sq = (x * x).sum(axis=1)[:, None] + (x2 * x2).sum(axis=1)[None, :] - 2 * x @ x2.T
        return np.exp(-np.maximum(sq, 0.0) / (2 * bandwidth**2))
    if kind == "relu":
        norms = np.linalg.norm(x, axis=1)[:, None] * np.linalg.norm(x2, axis=1)[None, :]
        cos = np.clip((x @ x2.T) / np.where(norms > 0, norms, 1.0), -1.0, 1.0)
        angle = np.arccos(cos)
        return norms * (np.sin(angle) + (np.pi - angle) * cos) / (np.pi * x.shape[1])
    raise ValueError(f"unknown random feature kind {kind!r}")
