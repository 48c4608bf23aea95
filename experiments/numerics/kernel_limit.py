"""Kernel ridge with the limit kernel of random features (experiments/random_features.py):
the infinite-width end of the sweep, in the sweep solver's conventions."""
from __future__ import annotations

import numpy as np

from experiments.numerics.sweep_solver import PINV_RCOND


def kernel_basis(k_train: np.ndarray, k_test: np.ndarray) -> tuple[np.ndarray, ...]:
    """(eigenvalues, eigenvectors of K, K_test times them): what every kernel fit on the
    same inputs shares, whatever its penalty or labels."""
    eig, vec = np.linalg.eigh(k_train)
    return eig, vec, k_test @ vec


def kernel_fit(k_train: np.ndarray, k_test: np.ndarray, y_train: np.ndarray, ridge: float,
               basis: tuple[np.ndarray, ...] | None = None):
    """Kernel ridge with the features' convention, (K + n ridge I)^-1 Y; ridge 0 is the
    minimum-norm interpolator K^+ Y (numpy's pinv cutoff on the eigenvalues of K).
    Returns train and test predictions, the coefficient norm ||beta|| that the features'
    minimum-norm fit converges to, and Curth et al.'s p_eff. `basis`: `kernel_basis` of
    the same matrices, if already computed."""
    eig, vec, test_vec = kernel_basis(k_train, k_test) if basis is None else basis
    keep = eig > PINV_RCOND * eig.max()
    filt = np.zeros_like(eig)
    filt[keep] = 1.0 / (eig[keep] + k_train.shape[0] * ridge)
    rotated = vec.T @ y_train
    smoother = test_vec * filt
    norm_sq = np.sum(np.where(keep, eig, 0.0)[:, None] * (filt[:, None] * rotated) ** 2)
    return (vec @ ((eig * filt)[:, None] * rotated), smoother @ rotated, float(np.sqrt(norm_sq)),
            k_train.shape[0] * float(np.mean(np.sum(smoother**2, axis=1))))
