"""Exact least-squares fits for a whole sweep of nested models at once.

Model sizes in a sweep are nested: the model with p features uses the first p
columns of one feature matrix. So instead of a fresh pseudo-inverse per size we
  * below the threshold (p <= n): take ONE QR of the first n columns; the QR of any
    leading block is its leading part, so each size costs only a small p x p SVD;
  * above it (p > n): grow the n x n Gram matrix F F' by the new columns' outer
    product and take one eigendecomposition per size, which gives every ridge
    penalty at once. Where the Gram matrix is too ill-conditioned to be exact
    (near the threshold, kappa^2 beyond ~1e9) we fall back to an SVD of F itself.
Ridge convention: minimize (1/n)||Y - F b||^2 + lam ||b||^2; lam = 0 is the
minimum-norm solution, with numpy's `pinv` cutoff (singular values below 1e-15 of
the largest are dropped).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PINV_RCOND = 1e-15
GRAM_KAPPA2_LIMIT = 1e9
BATCH_ELEMENTS = 2_000_000  # ~16 MB of stacked Gram matrices per batch


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


def _shrink_rows(s: np.ndarray, lam: np.ndarray, n: int) -> np.ndarray:
    """`_shrink` for a stack of spectra, one per row, with one penalty per row
    (all zero: the pseudo-inverse, cutoff relative to each row)."""
    if np.any(lam > 0):
        return s / (s**2 + n * lam[:, None])
    keep = s > PINV_RCOND * s.max(axis=-1, keepdims=True)
    return np.divide(1.0, s, out=np.zeros_like(s), where=keep)


def _dual_batch(fit: SweepFit, idx, s, v, k_test, y, n, lam_factor) -> None:
    """Fill `fit` at widths `idx` from eigendecompositions G = v diag(s^2) v' of the
    n x n Gram matrices (stacked): alpha = (G + n lam I)^-1 y, beta = F' alpha."""
    m = k_test.shape[1]
    fit.sigma_min[idx] = s[:, 0]
    vy = np.einsum("bji,jc->bic", v, y)
    for j, lam in enumerate(fit.ridges):
        g = _shrink_rows(s, lam * lam_factor[idx], n)
        inv = np.divide(g, s, out=np.zeros_like(s), where=s > 0)  # 1/(s^2 + n lam)
        fit.train_pred[idx, j] = v @ ((g * s)[:, :, None] * vy)
        fit.test_pred[idx, j] = k_test @ (v @ (inv[:, :, None] * vy))
        fit.coef_norm[idx, j] = np.sqrt(np.sum((g[:, :, None] * vy) ** 2, axis=(1, 2)))
        fit.smoother_sq[idx, j] = np.sum((k_test @ (v * inv[:, None, :])) ** 2, axis=(1, 2)) / m


def nested_ridge_sweep(f_train, f_test, y, widths, ridges=(0.0,), scale=None) -> SweepFit:
    """Fit the first `p` columns for every p in `widths` and every penalty in `ridges`.

    `scale` (one factor per width) fits scale[i] * F[:, :p] instead, e.g. random
    features normalized by sqrt(2 / p): predictions are those of F with the penalty
    lam / scale^2; coefficient norms and singular values are reported for the scaled
    features.
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

    small = widths[widths <= n]
    if len(small):
        q, r = np.linalg.qr(f_train[:, : small[-1]])
        qy = q.T @ y
    for i, p in enumerate(widths):
        if p <= n:
            u, sv, vt = np.linalg.svd(r[:p, :p])
            primal(i, p, sv, vt, u.T @ qy[:p])
    above = [i for i, p in enumerate(widths) if p > n]
    # Widths above n are handled in chunks: their Gram matrices are stacked so that one
    # batched eigh and a few batched products replace a Python loop of tiny calls.
    chunk = max(1, BATCH_ELEMENTS // (n * (n + m)))
    gram, k_test, done = np.zeros((n, n)), np.zeros((m, n)), 0
    for start in range(0, len(above), chunk):
        rows = above[start:start + chunk]
        grams, k_tests = [], []
        for i in rows:
            new = slice(done, widths[i])
            gram = gram + f_train[:, new] @ f_train[:, new].T
            k_test = k_test + f_test[:, new] @ f_train[:, new].T
            done = widths[i]
            grams.append(gram)
            k_tests.append(k_test)
        w, v = np.linalg.eigh(np.stack(grams))
        w = np.clip(w, 0.0, None)
        exact = w[:, 0] >= w[:, -1] / GRAM_KAPPA2_LIMIT
        for i, ok in zip(rows, exact):
            if not ok:  # too ill-conditioned for the Gram route: SVD of F itself
                u, sv, vt = np.linalg.svd(f_train[:, : widths[i]], full_matrices=False)
                primal(i, widths[i], sv, vt, u.T @ y)
        idx = np.array(rows)[exact]
        if idx.size:
            _dual_batch(fit, idx, np.sqrt(w[exact]), v[exact], np.stack(k_tests)[exact], y, n,
                        lam_factor)
    fit.coef_norm /= scale[:, None]
    fit.sigma_min *= scale
    return fit
