"""Kernel ridge with the limit kernel of random features (experiments/random_features.py):
the infinite-width end of the sweep, in the sweep solver's conventions."""
from __future__ import annotations

import numpy as np
from scipy import linalg as sla

from experiments.numerics.lanczos import gram_eigenvalues
from experiments.numerics.sweep_solver import PINV_RCOND, shifted

# A Cholesky solve per fit costs about a tenth of the eigendecomposition, which then
# serves every fit on the same inputs: direct solves pay off for a few fits only.
DIRECT_FITS = 3
# Solves err by ~kappa * machine epsilon: below this, 1e-8 relative or better, and no
# eigenvalue is anywhere near the pseudo-inverse's cutoff (1e-15 of the largest).
DIRECT_KAPPA = 1e8


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


class KernelLimit:
    """`kernel_fit` for several labels and penalties on one pair of kernel matrices.

    For a few fits on a well-conditioned K (condition number by Lanczos on its Cholesky
    factor), each fit is a Cholesky solve of K + n ridge I with the labels and the test
    kernel as right-hand sides: the same quantities as `kernel_fit` without the n x n
    eigendecomposition (no eigenvalue is dropped by the cutoff there, so the two agree to
    the solves' accuracy). Otherwise the eigendecomposition, once, serves every fit.
    """

    def __init__(self, k_train: np.ndarray, k_test: np.ndarray, n_fits: int):
        self.k_train, self.k_test, self.basis = k_train, k_test, None
        if n_fits > DIRECT_FITS or not self._well_conditioned():
            self.basis = kernel_basis(k_train, k_test)

    def _well_conditioned(self) -> bool:
        try:
            chol = sla.cholesky(self.k_train, check_finite=False)
        except np.linalg.LinAlgError:
            return False
        lam_min, lam_max = gram_eigenvalues(self.k_train, chol)
        self.chol = chol
        return lam_max <= DIRECT_KAPPA * lam_min

    def fit(self, y_train: np.ndarray, ridge: float):
        """(train predictions, test predictions, ||beta||, p_eff), as `kernel_fit`."""
        if self.basis is not None:
            return kernel_fit(self.k_train, None, y_train, ridge, self.basis)
        k, n = self.k_train, self.k_train.shape[0]
        if ridge > 0:
            chol = sla.cholesky(shifted(k.copy(), n * ridge), overwrite_a=True,
                                check_finite=False)
        else:
            chol = self.chol
        k_out = y_train.shape[1]
        sol = sla.cho_solve((chol, False), np.hstack([y_train, self.k_test.T]),
                            overwrite_b=True, check_finite=False)
        alpha, z = sol[:, :k_out], sol[:, k_out:]  # z' = K_test (K + n ridge I)^-1
        train_pred = k @ alpha
        z_flat = z.ravel()
        return (train_pred, self.k_test @ alpha,
                float(np.sqrt(max(float(np.sum(alpha * train_pred)), 0.0))),
                n * float(z_flat @ z_flat) / self.k_test.shape[0])
