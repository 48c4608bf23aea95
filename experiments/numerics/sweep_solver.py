"""Exact least-squares fits for a whole sweep of nested models at once.

Model sizes in a sweep are nested: the model with p features uses the first p
columns of one feature matrix. So instead of a fresh pseudo-inverse per size we
  * below the threshold (p <= n): take ONE QR of the first n columns; the QR of any
    leading block is its leading part, so each size costs p x p triangular solves
    (minimum norm; one forward substitution gives every size's smoother norm) or one
    p x p Cholesky per penalty;
  * above it (p > n): grow the n x n Gram matrix F F' by the new columns only; its
    Cholesky factor serves the minimum-norm solve and, through Lanczos on the inverse,
    the smallest singular value (experiments/numerics/lanczos.py); one more Cholesky per
    penalty. A handful of penalties is cheaper this way than one eigendecomposition.
Normal equations square the condition number, so a penalty whose system would have
kappa^2 above ~1e9 (near the threshold) takes an orthogonal route instead: the LQ
factor of F itself for minimum norm, an SVD for a tiny penalty or a (nearly) rank
deficient matrix. Every width's route is exact to ~kappa * machine epsilon.
Ridge convention: minimize (1/n)||Y - F b||^2 + lam ||b||^2; lam = 0 is the
minimum-norm solution, with numpy's `pinv` cutoff (singular values below 1e-15 of
the largest are dropped).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy import linalg as sla

from experiments.numerics.lanczos import gram_eigenvalues, triangular_singular_values
from experiments.numerics.threads import numpy_pool_only

PINV_RCOND = 1e-15
RANK_RCOND = 1e3 * PINV_RCOND  # sigma_min / sigma_max below this: treat as rank deficient
KAPPA2_LIMIT = 1e9  # normal equations lose log10(kappa^2) digits; beyond this, orthogonal
CHUNK = 512  # feature columns cast to float64 at a time for the Gram updates (cache sized)

# The inputs are checked once on entry; scipy's per-call finiteness scans cost ~10%.
_cholesky = partial(sla.cho_factor, check_finite=False)
_cho_solve = partial(sla.cho_solve, check_finite=False)
_solve_tri = partial(sla.solve_triangular, check_finite=False)
_syrk, _gemm, _symm = sla.blas.dsyrk, sla.blas.dgemm, sla.blas.dsymm


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


def _float64(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)


def _features(a) -> np.ndarray:
    a = np.asarray(a)
    return a if a.dtype == np.float32 else np.asarray(a, dtype=np.float64)


def shrink(s: np.ndarray, lam: float, n: int) -> np.ndarray:
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


def shifted(a: np.ndarray, shift: float) -> np.ndarray:
    """a + shift * I, in place (no n x n identity to allocate and add)."""
    a.flat[:: a.shape[0] + 1] += shift
    return a


def _well_conditioned(eig_min: float, eig_max: float, shift: float) -> bool:
    """Can A + shift I, A with eigenvalues in [eig_min, eig_max], go through normal equations?"""
    return eig_max + shift <= KAPPA2_LIMIT * (eig_min + shift)


class _Sweep:
    """One sweep: the data, the penalties, and the SweepFit being filled width by width."""

    def __init__(self, f_train, f_test, y, widths, ridges, scale, smoother, live=None,
                 raw_widths=None):
        self.n, self.m, self.k = f_train.shape[0], f_test.shape[0], y.shape[1]
        self.y, self.widths = y, widths
        # float32 features stay float32 (half the memory, no float64 copy of all of
        # them to fault in); their leading n columns, reused by every width up to n,
        # are cast once, wider blocks chunk by chunk (exact: float32 -> float64 is).
        # `live` (column indices) leaves dead columns out as the blocks are cast,
        # rather than copying the whole matrices without them first.
        self.wide_train, self.wide_test, self.live = f_train, f_test, live
        # The Gram matrices sum products with train columns, to which a dead column adds
        # exact zeros: they grow over raw column ranges (slices, not gathers), up to
        # raw_widths (the widths counted with dead columns).
        self.raw_widths = widths if raw_widths is None else raw_widths
        self.buffers = np.empty(self.n * CHUNK), np.empty(self.m * CHUNK)
        lead = min(self.n, int(widths[-1]))
        self.f_train, self.f_test = self.block(slice(0, lead))
        self._wide = (0, None, None)
        self.warm = [None]  # the last Gram matrix's lowest eigenvector: Lanczos restarts there
        self.ridges, self.lam_factor, self.smoother = ridges, 1.0 / scale**2, smoother
        W, R = len(widths), len(ridges)
        self.fit = SweepFit(widths, ridges, np.empty((W, R, self.n, self.k)),
                            np.empty((W, R, self.m, self.k)), np.empty((W, R)), np.empty(W),
                            np.full((W, R), np.nan))

    def run(self) -> None:
        n, m = self.n, self.m
        small = self.widths[self.widths <= n]
        if len(small):
            # Q only ever multiplies Y: applied by its reflectors, never formed
            qy_t, r = sla.qr_multiply(self.f_train[:, : small[-1]], self.y.T, mode="right")
            qy = qy_t.T
            self.lead_sq = self.nested_smoother(r) if self.smoother else None
        # Grown in place by BLAS (no product temporaries to add): the Gram matrix's upper
        # triangle (Fortran order, as LAPACK reads it) by syrk, and the test kernel K' as
        # the right part of [Y, K'], the right-hand sides of every width's solve.
        gram, done = np.zeros((n, n), order="F"), 0
        rhs = np.zeros((n, self.k + m), order="F")
        rhs[:, : self.k] = self.y
        k_test_t = rhs[:, self.k:]
        for i, p in enumerate(self.widths):
            if p <= n:
                self.leading_block(i, p, r, qy)
                continue
            for start in range(done, self.raw_widths[i], CHUNK):  # grow by the new columns
                train, test = self.raw_block(start, min(start + CHUNK, self.raw_widths[i]))
                _syrk(1.0, train.T, beta=1.0, c=gram, trans=1, overwrite_c=1)
                _gemm(1.0, train.T, test.T, beta=1.0, c=k_test_t, trans_a=1, overwrite_c=1)
            done = self.raw_widths[i]
            self.gram_block(i, p, gram, rhs)

    def raw_block(self, start: int, stop: int):
        """Raw columns start:stop of train and test in float64, in reused buffers."""
        out = []
        for wide, buf in zip((self.wide_train, self.wide_test), self.buffers):
            block = buf[: wide.shape[0] * (stop - start)].reshape(wide.shape[0], stop - start)
            np.copyto(block, wide[:, start:stop])
            out.append(block)
        return out

    def block(self, cols: slice):
        """Live columns `cols` (positions among the live ones) of train and test, float64."""
        if self.live is not None:
            cols = self.live[cols]
        return _float64(self.wide_train[:, cols]), _float64(self.wide_test[:, cols])

    def columns(self, p):
        """The first p train and test columns in float64 (past n only for the few widths
        that take an orthogonal route; the last one is kept for the next call)."""
        if p <= self.f_train.shape[1]:
            return self.f_train[:, :p], self.f_test[:, :p]
        if self._wide[0] != p:
            self._wide = (p, *self.block(slice(0, p)))
        return self._wide[1:]

    def penalties(self, i):
        """(index, penalty on the unscaled features) for width i."""
        return enumerate(self.ridges * self.lam_factor[i])

    def smoother_norm(self, z) -> float:
        """Mean over test points of ||s(x0)||^2, from z with one column per test point."""
        if not self.smoother:
            return np.nan
        flat = z.ravel(order="K")  # a view of the solves' output: no squared copy
        return float(flat @ flat) / self.m

    def store(self, i, j, p, beta, smoother_sq):
        train, test = self.columns(p)
        self.fit.train_pred[i, j] = train @ beta
        self.fit.test_pred[i, j] = test @ beta
        self.fit.coef_norm[i, j] = np.linalg.norm(beta)
        self.fit.smoother_sq[i, j] = smoother_sq

    def svd_route(self, i, p, s, vt, uy, which):
        """Penalties `which` from an SVD F_p = (orthonormal) diag(s) vt; the left factor's
        orthonormal columns drop out of the smoother norm ||F_test vt' diag(g)||."""
        self.fit.sigma_min[i] = _smallest_nonzero(s)
        test_right = self.columns(p)[1] @ vt.T if self.smoother else np.zeros((0, len(s)))
        for j in which:
            g = shrink(s, self.ridges[j] * self.lam_factor[i], self.n)
            self.store(i, j, p, vt.T @ (g[:, None] * uy), self.smoother_norm((test_right * g).T))

    def nested_smoother(self, r) -> np.ndarray:
        """Minimum-norm smoother norms of every leading block at once: entry p - 1 is
        ||R_p^-T F_test,p'||^2. R' is lower triangular, so forward substitution gives the
        first p rows of R^-T F_test' from R_p' and the first p test columns alone: one
        solve serves every width (up to the first exactly singular pivot; wider blocks
        are rank deficient and take the SVD route)."""
        zero = np.flatnonzero(np.diag(r) == 0)
        top = int(zero[0]) if len(zero) else r.shape[0]
        z = _solve_tri(r[:top, :top], self.f_test[:, :top].T, trans="T")
        return np.cumsum(np.einsum("ij,ij->i", z, z))

    def leading_block(self, i, p, r, qy):
        """p <= n: F_p = Q_p R_p. Minimum norm is a triangular solve (error ~ kappa, not
        kappa^2); a penalty is a Cholesky of R'R + n lam I while that is well conditioned."""
        # one contiguous copy: LAPACK would copy a strided block at every Lanczos step
        rp, c = np.asfortranarray(r[:p, :p]), qy[:p]
        spectrum = triangular_singular_values(rp, RANK_RCOND)
        if spectrum is None:
            u, sv, vt = np.linalg.svd(rp)
            self.svd_route(i, p, sv, vt, u.T @ c, range(len(self.ridges)))
            return
        self.fit.sigma_min[i] = spectrum[0]
        ft = self.f_test[:, :p].T if self.smoother else np.zeros((p, 0))
        hard = []
        for j, lam in self.penalties(i):
            if lam == 0:
                smoother_sq = self.lead_sq[p - 1] / self.m if self.smoother else np.nan
                self.store(i, j, p, _solve_tri(rp, c), smoother_sq)
                continue
            if _well_conditioned(spectrum[0] ** 2, spectrum[1] ** 2, self.n * lam):
                chol = _cholesky(shifted(rp.T @ rp, self.n * lam), overwrite_a=True)
                beta, z = _cho_solve(chol, rp.T @ c), rp @ _cho_solve(chol, ft)
            else:
                hard.append(j)
                continue
            self.store(i, j, p, beta, self.smoother_norm(z))
        if hard:
            u, sv, vt = np.linalg.svd(rp)
            self.svd_route(i, p, sv, vt, u.T @ c, hard)

    def gram_block(self, i, p, gram, rhs):
        """p > n: alpha = (G + n lam I)^-1 Y with G = F_p F_p' (n x n, upper triangle), by
        Cholesky; rhs = [Y, K'] with K = F_test,p F_p'."""
        n, k_test_t = self.n, rhs[:, self.k:]
        try:
            chol0 = _cholesky(gram)
        except np.linalg.LinAlgError:  # not numerically positive definite: rank deficient
            self.wide_exact(i, p, range(len(self.ridges)))
            return
        lam_min, lam_max = gram_eigenvalues(gram, chol0[0], self.warm)
        self.fit.sigma_min[i] = np.sqrt(max(lam_min, 0.0))
        rhs = rhs if self.smoother else rhs[:, : self.k]
        hard = []
        for j, lam in self.penalties(i):
            if not _well_conditioned(lam_min, lam_max, n * lam):
                hard.append(j)
                continue
            chol = chol0 if lam == 0 else _cholesky(shifted(gram.copy(order="F"), n * lam),
                                                    overwrite_a=True)
            sol = _cho_solve(chol, rhs)
            alpha, z = sol[:, : self.k], sol[:, self.k:]  # z' = K_test (G + n lam I)^-1
            fitted = _symm(1.0, gram, alpha)
            self.fit.train_pred[i, j] = fitted
            self.fit.test_pred[i, j] = k_test_t.T @ alpha
            self.fit.coef_norm[i, j] = np.sqrt(max(float(np.sum(alpha * fitted)), 0.0))
            self.fit.smoother_sq[i, j] = self.smoother_norm(z)
        if hard:
            self.wide_exact(i, p, hard)

    def wide_exact(self, i, p, which):
        """p > n where the Gram matrix would square an ill condition: factor F_p itself.
        F_p' = q r, so F_p = r' q' and the minimum-norm fit is beta = q r^-T y (backward
        stable). Penalties, or a (near) rank-deficient r, use the SVD r = u diag(s) vt,
        which makes F_p = vt' diag(s) (q u)'."""
        train, test = self.columns(p)
        if all(self.ridges[j] == 0 for j in which) and self.minimum_norm_lq(i, p, which):
            return
        q, r = np.linalg.qr(train.T)
        spectrum = triangular_singular_values(r, RANK_RCOND)
        if spectrum is None or any(self.ridges[j] > 0 for j in which):
            u, sv, vt = np.linalg.svd(r)
            self.svd_route(i, p, sv, (q @ u).T, vt @ self.y, which)
            return
        self.fit.sigma_min[i] = spectrum[0]  # more accurate than the Gram matrix's
        beta = q @ _solve_tri(r, self.y, trans="T")
        z = _solve_tri(r, (test @ q).T) if self.smoother else None
        for j in which:
            self.store(i, j, p, beta, self.smoother_norm(z))

    def minimum_norm_lq(self, i, p, which) -> bool:
        """`wide_exact` for minimum norm without forming q: with w = r^-T y, beta = q w,
        so F_p beta = r' w, F_test beta = (F_test q) w and ||beta|| = ||w||; F_test q comes
        from applying q's reflectors. False (nothing stored) if r is rank deficient."""
        train, test = self.columns(p)
        test_q, r = sla.qr_multiply(train.T, test, mode="right")
        spectrum = triangular_singular_values(r, RANK_RCOND)
        if spectrum is None:
            return False
        self.fit.sigma_min[i] = spectrum[0]  # more accurate than the Gram matrix's
        w = _solve_tri(r, self.y, trans="T")
        smoother_sq = self.smoother_norm(_solve_tri(r, test_q.T)) if self.smoother else np.nan
        for j in which:
            self.fit.train_pred[i, j] = r.T @ w
            self.fit.test_pred[i, j] = test_q @ w
            self.fit.coef_norm[i, j] = np.linalg.norm(w)
            self.fit.smoother_sq[i, j] = smoother_sq
        return True


def nested_ridge_sweep(f_train, f_test, y, widths, ridges=(0.0,), scale=None,
                       smoother: bool = True) -> SweepFit:
    """Fit the first `p` columns for every p in `widths` and every penalty in `ridges`.

    `scale` (one factor per width) fits scale[i] * F[:, :p] instead, e.g. random
    features normalized by sqrt(2 / p): predictions are those of F with the penalty
    lam / scale^2; coefficient norms and singular values are reported for the scaled
    features. `smoother=False` skips the effective-parameter norms (left as NaN), which
    cost about as much as the fits themselves when there are many test points.
    float32 features are used as they are (every product and factorization still runs
    in float64). Columns that are zero on every training point (dead ReLU units) carry
    no coefficient in any fit and are left out, which changes no result.
    """
    f_train, f_test = _features(f_train), _features(f_test)
    y = np.asarray(y, dtype=np.float64)
    y = y[:, None] if y.ndim == 1 else y
    widths = np.asarray(widths, dtype=int)
    ridges = np.asarray(ridges, dtype=np.float64)
    if np.any(np.diff(widths) <= 0) or widths[0] < 1 or widths[-1] > f_train.shape[1]:
        raise ValueError("widths must be increasing and within the feature matrix")
    if not (np.isfinite(f_train).all() and np.isfinite(f_test).all() and np.isfinite(y).all()):
        raise ValueError("features and targets must be finite")
    scale = np.ones(len(widths)) if scale is None else np.asarray(scale, dtype=np.float64)
    live = np.flatnonzero(np.any(f_train[:, : widths[-1]] != 0, axis=0))
    counts = np.searchsorted(live, widths)  # live columns among the first p
    if len(live) == widths[-1] or counts[0] == 0:
        counts, live = widths, None
    sweep = _Sweep(f_train, f_test, y, counts, ridges, scale, smoother, live, widths)
    with numpy_pool_only():
        sweep.run()
    fit = sweep.fit
    fit.widths = widths
    fit.coef_norm /= scale[:, None]
    fit.sigma_min *= scale
    return fit
