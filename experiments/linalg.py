"""Exact least-squares fits for a whole sweep of nested models at once.

Model sizes in a sweep are nested: the model with p features uses the first p
columns of one feature matrix. So instead of a fresh pseudo-inverse per size we
  * below the threshold (p <= n): take ONE QR of the first n columns; the QR of any
    leading block is its leading part, so each size costs only p x p triangular or
    SPD solves (and the singular values of R_p, for sigma_min);
  * above it (p > n): grow the n x n Gram matrix F F' by the new columns' outer
    product; one eigenvalue pass (no vectors) per size checks conditioning, then one
    n x n solve per penalty. Where the Gram matrix is too ill-conditioned to be
    exact (near the threshold, kappa^2 beyond ~1e9), or R_p is rank deficient, we
    fall back to an SVD of F itself.
Ridge convention: minimize (1/n)||Y - F b||^2 + lam ||b||^2; lam = 0 is the
minimum-norm solution, with numpy's `pinv` cutoff (singular values below 1e-15 of
the largest are dropped).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PINV_RCOND = 1e-15
GRAM_KAPPA2_LIMIT = 1e9


@dataclass
class SweepFit:
    """Predictions and diagnostics for every (width, ridge) pair of a sweep."""

    widths: np.ndarray  # (W,)
    ridges: np.ndarray  # (R,)
    train_pred: np.ndarray  # (W, R, n, k)
    test_pred: np.ndarray  # (W, R, m, k)
    coef_norm: np.ndarray  # (W, R) Frobenius norm of the coefficients
    sigma_min: np.ndarray  # (W,) smallest nonzero singular value of the train features
    smoother_sq: np.ndarray  # (W, R) mean over test points x0 of ||s(x0)||^2

    def effective_params(self) -> np.ndarray:
        """Curth et al.'s p_eff = n * mean_x0 ||s(x0)||^2, where y_hat(x0) = s(x0)' y.

        Equals p for least squares below the threshold when test points follow the
        training design; it saturates near n for interpolating models.
        """
        return self.train_pred.shape[2] * self.smoother_sq


def _shrink(s: np.ndarray, lam: float, n: int) -> np.ndarray:
    """Spectral filter s -> s / (s^2 + n lam); lam = 0 is the pseudo-inverse with cutoff."""
    if lam > 0:
        return s / (s**2 + n * lam)
    keep = s > PINV_RCOND * s.max(initial=0.0)
    out = np.zeros_like(s)
    out[keep] = 1.0 / s[keep]
    return out


def _smallest_nonzero(s: np.ndarray) -> float:
    keep = s > PINV_RCOND * s.max(initial=0.0)
    return float(s[keep].min()) if keep.any() else 0.0


def nested_ridge_sweep(f_train, f_test, y, widths, ridges=(0.0,), scale=None,
                       smoother: bool = True) -> SweepFit:
    """Fit the first `p` columns for every p in `widths` and every penalty in `ridges`.

    `scale` (one factor per width) fits scale[i] * F[:, :p] instead, e.g. random
    features normalized by sqrt(2 / p): predictions are those of F with the penalty
    lam / scale^2; coefficient norms and singular values are reported for the scaled
    features. `smoother=False` skips the effective-parameter norms (left as NaN), which
    cost about as much as the fits themselves when there are many test points.
    """
    f_train = np.asarray(f_train, dtype=np.float64)
    f_test = np.asarray(f_test, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    y = y[:, None] if y.ndim == 1 else y
    widths = np.asarray(widths, dtype=int)
    ridges = np.asarray(ridges, dtype=np.float64)
    if np.any(np.diff(widths) <= 0) or widths[0] < 1 or widths[-1] > f_train.shape[1]:
        raise ValueError("widths must be increasing and within the feature matrix")
    n, m, k = f_train.shape[0], f_test.shape[0], y.shape[1]
    W, R = len(widths), len(ridges)
    scale = np.ones(W) if scale is None else np.asarray(scale, dtype=np.float64)
    lam_factor = 1.0 / scale**2
    fit = SweepFit(widths, ridges, np.empty((W, R, n, k)), np.empty((W, R, m, k)),
                   np.empty((W, R)), np.empty(W), np.empty((W, R)))

    def store(i, beta_by_ridge, p):
        for j, beta in enumerate(beta_by_ridge):
            fit.train_pred[i, j] = f_train[:, :p] @ beta
            fit.test_pred[i, j] = f_test[:, :p] @ beta
            fit.coef_norm[i, j] = np.linalg.norm(beta)

    def primal(i, p, s, vt, uy):
        """Solutions from an SVD F_p = (orthonormal) diag(s) vt; the left factor's
        orthonormal columns drop out of the smoother norm ||F_test vt' diag(g)||."""
        fit.sigma_min[i] = _smallest_nonzero(s)
        test_right = f_test[:, :p] @ vt.T
        betas = []
        for j, lam in enumerate(ridges):
            g = _shrink(s, lam * lam_factor[i], n)
            betas.append(vt.T @ (g[:, None] * uy))
            fit.smoother_sq[i, j] = np.sum((test_right * g) ** 2) / m
        store(i, betas, p)

    def leading_block(i, p, r, qy):
        """p <= n: F_p = Q_p R_p, so every solve is a p x p triangular or SPD system;
        only the singular values of R_p are computed (for sigma_min and the cutoff)."""
        rp, c = r[:p, :p], qy[:p]
        ft = f_test[:, :p].T if smoother else np.zeros((p, 0))
        w = np.linalg.eigvalsh(rp.T @ rp)  # half the cost of singular values
        if w[0] < w[-1] / GRAM_KAPPA2_LIMIT:  # ill-conditioned: singular values of R itself
            s = np.linalg.svd(rp, compute_uv=False)
            if s.min() <= PINV_RCOND * s.max() * 1e3:  # (near) rank deficient: exact SVD route
                u, sv, vt = np.linalg.svd(rp)
                primal(i, p, sv, vt, u.T @ c)
                return
            w = s**2
        fit.sigma_min[i] = np.sqrt(w.min())
        betas = []
        for j, lam in enumerate(ridges * lam_factor[i]):
            if lam == 0:
                beta = np.linalg.solve(rp, c)
                z = np.linalg.solve(rp.T, ft) if smoother else ft  # z = R^-T F_test'
            else:
                a = rp.T @ rp + n * lam * np.eye(p)
                sol = np.linalg.solve(a, np.hstack([rp.T @ c, ft]))
                beta, z = sol[:, :k], rp @ sol[:, k:]
            betas.append(beta)
            fit.smoother_sq[i, j] = np.sum(z**2) / m if smoother else np.nan
        store(i, betas, p)

    def gram_block(i, p, gram, k_test):
        """p > n: alpha = (G + n lam I)^-1 Y with G = F_p F_p' (n x n); one eigenvalue
        pass checks conditioning and gives sigma_min, one LU per penalty does the rest."""
        w = np.linalg.eigvalsh(gram)
        if w[0] < w[-1] / GRAM_KAPPA2_LIMIT:  # too ill-conditioned for the Gram route
            u, sv, vt = np.linalg.svd(f_train[:, :p], full_matrices=False)
            primal(i, p, sv, vt, u.T @ y)
            return
        fit.sigma_min[i] = np.sqrt(w[0])
        for j, lam in enumerate(ridges * lam_factor[i]):
            rhs = np.hstack([y, k_test.T]) if smoother else y
            sol = np.linalg.solve(gram + n * lam * np.eye(n), rhs)
            alpha, z = sol[:, :k], sol[:, k:]  # z' = K_test (G + n lam I)^-1: the smoother
            fitted = gram @ alpha
            fit.train_pred[i, j] = fitted
            fit.test_pred[i, j] = k_test @ alpha
            fit.coef_norm[i, j] = np.sqrt(max(float(np.sum(alpha * fitted)), 0.0))
            fit.smoother_sq[i, j] = np.sum(z**2) / m if smoother else np.nan

    small = widths[widths <= n]
    if len(small):
        q, r = np.linalg.qr(f_train[:, : small[-1]])
        qy = q.T @ y
    gram, k_test, done = np.zeros((n, n)), np.zeros((m, n)), 0
    for i, p in enumerate(widths):
        if p <= n:
            leading_block(i, p, r, qy)
            continue
        new = slice(done, p)  # grow the Gram matrices by the new columns only
        gram += f_train[:, new] @ f_train[:, new].T
        k_test += f_test[:, new] @ f_train[:, new].T
        done = p
        gram_block(i, p, gram, k_test)
    fit.coef_norm /= scale[:, None]
    fit.sigma_min *= scale
    return fit
