"""Nested least-squares fits where each width has its own target: the coefficient errors.

The linear-theory simulation fits width p on the first p columns of one design X
(n x P) to the p-th target y_p, and needs only ||b_hat - beta||^2 weighted by the
feature variances. The general sweep (sweep_solver.py) predicts every target at every
width on every probe row; here each width solves for its one target:
  * p < n: one QR of the widest such block serves all of them (the QR of a leading
    block is its leading part): a p x p triangular solve for minimum norm, a p x p
    Cholesky of R'R + n lam per penalty;
  * p > n: the n x n Gram matrix X_p X_p' grows by the new columns only; one Cholesky
    of it (plus n lam) per penalty gives b = X_p' (X_p X_p' + n lam)^-1 y_p.
Normal equations square the condition number; a system whose condition estimate is
beyond 1e9 (what the general sweep allows) is solved from the SVD of X_p instead, with
numpy's pinv cutoff for minimum norm.
Ridge convention, as in the sweep: minimize (1/n)||y - X b||^2 + lam ||b||^2.
"""
from __future__ import annotations

import numpy as np
from scipy import linalg as sla
from scipy.linalg import lapack

from experiments.numerics.sweep_solver import shifted, shrink

KAPPA_LIMIT = 1e9


def cholesky_solve(a: np.ndarray, rhs: np.ndarray) -> np.ndarray | None:
    """a^-1 rhs for symmetric positive definite a, or None when a is too ill-conditioned."""
    try:
        factor = sla.cho_factor(a, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        return None
    rcond, info = lapack.dpocon(factor[0], np.abs(a).sum(axis=0).max(), uplo="L")
    if info or rcond * KAPPA_LIMIT < 1:
        return None
    return sla.cho_solve(factor, rhs, check_finite=False)


def _svd_solve(x: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    return vt.T @ (shrink(s, lam, x.shape[0]) * (u.T @ y))


def coefficient_errors(x: np.ndarray, y: np.ndarray, betas: np.ndarray, widths,
                       penalties: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """sum_j weights_j (b_hat_j - beta_j)^2 for each (penalty set, width).

    x: (n, P) design; y: (n, W) one target per width; betas: (P, W) true coefficients;
    widths: (W,) increasing; penalties: (J, W) one penalty per fit and width (0 = minimum
    norm); weights: (P,) feature variances. Returns (J, W)."""
    n = x.shape[0]
    widths = np.asarray(widths)
    out = np.empty(penalties.shape)
    small = widths[widths < n]
    if len(small):
        q, r = np.linalg.qr(x[:, : small[-1]])
        qy = q.T @ y
    gram, done = np.zeros((n, n)), 0
    for i, p in enumerate(widths):
        beta, w = betas[:p, i], weights[:p]
        if p < n:
            rp, c = r[:p, :p], qy[:p, i]
            normal = rp.T @ rp
            rhs = rp.T @ c
        else:
            new = x[:, done:p]
            gram += new @ new.T
            done = p
        for j, lam in enumerate(penalties[:, i]):
            b = None
            if p < n and lam == 0:
                b = sla.solve_triangular(rp, c, check_finite=False)
            elif p < n:
                b = cholesky_solve(shifted(normal.copy(), n * lam), rhs)
            else:
                alpha = cholesky_solve(shifted(gram.copy(), n * lam), y[:, i])
                b = None if alpha is None else x[:, :p].T @ alpha
            if b is None:
                b = _svd_solve(x[:, :p], y[:, i], lam)
            out[j, i] = np.sum(w * (b - beta) ** 2)
    return out
