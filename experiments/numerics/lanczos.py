"""Extreme eigenvalues of a symmetric positive definite matrix, without a full eigendecomposition.

The sweep solver reports the smallest singular value of every training feature matrix
and needs the condition number to choose an exact route. A dense eigenvalue pass costs
a tridiagonal reduction (4/3 n^3, memory-bound) per model size. The factor the solver
computes anyway (Cholesky or triangular) applies the inverse in O(n^2), and Lanczos
finds the inverse's largest eigenvalue, 1 / lambda_min, in a few dozen products.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.linalg import eigvalsh
from scipy.linalg.blas import dsymv
from scipy.linalg.lapack import dstebz, dstein, dtrcon, dtrtrs

DENSE_BELOW = 64  # small matrices: a dense eigenvalue pass is cheaper than any iteration
MAX_STEPS = 150
Operator = Callable[[np.ndarray], np.ndarray]


def _top_ritz_pair(diag: np.ndarray, off: np.ndarray) -> tuple[float, np.ndarray]:
    """(largest eigenvalue, its eigenvector) of the k x k symmetric tridiagonal matrix:
    the LAPACK calls of scipy's eigh_tridiagonal(select="i"), without its per-call
    argument checks (a Lanczos step is cheaper than those checks)."""
    k = len(diag)
    if k == 1:
        return float(diag[0]), np.ones(1)
    m, w, iblock, isplit, info = dstebz(diag, off, 2, 0.0, 1.0, k, k, 0.0, "B")
    vec, info_vec = dstein(diag, off, w[:m], iblock, isplit)
    if info or info_vec:
        raise np.linalg.LinAlgError("tridiagonal eigenproblem did not converge")
    return float(w[0]), vec[:, 0]


def largest_eigenvalue(apply: Operator, dim: int, rel_tol: float = 1e-8,
                       max_steps: int = MAX_STEPS, warm: list | None = None) -> float | None:
    """Lanczos with full reorthogonalization from a fixed random start.

    Stops when the Ritz residual |beta_k s_k| is below rel_tol * theta: some eigenvalue
    then lies within rel_tol of theta, and the error is of order residual^2 / gap.
    Returns None if it has not converged within max_steps (the caller then goes dense).
    `warm`: a one-item list; a vector there (of length dim) starts the iteration instead,
    and the converged Ritz vector is left there (a sweep's next, slightly changed matrix
    then converges in a few steps). The fixed random start is mixed in at 1e-3, so no
    eigenvector can be missed for lack of a component along it.
    """
    steps = min(max_steps, dim)
    basis = np.empty((steps, dim))
    start = np.random.default_rng(dim).standard_normal(dim)
    if warm is not None and warm[0] is not None and len(warm[0]) == dim:
        start = warm[0] + 1e-3 * start / np.linalg.norm(start)
    basis[0] = start / np.linalg.norm(start)
    diag, off = np.empty(steps), np.empty(steps)
    for k in range(steps):
        w = apply(basis[k])
        diag[k] = basis[k] @ w
        for _ in range(2):  # twice is enough to stay orthogonal to working precision
            w -= basis[: k + 1].T @ (basis[: k + 1] @ w)
        off[k] = np.linalg.norm(w)
        theta, ritz = _top_ritz_pair(diag[: k + 1], off[:k])
        invariant = k + 1 == dim or off[k] <= 1e-14 * theta  # the Krylov space is exact
        if invariant or off[k] * abs(ritz[-1]) <= rel_tol * theta:
            if warm is not None:
                warm[0] = ritz @ basis[: k + 1]
            return theta
        if k + 1 < steps:
            basis[k + 1] = w / off[k]
    return None


def extremes(apply: Operator, solve: Operator, dim: int, dense: Callable[[], np.ndarray],
             warm: list | None = None) -> tuple[float, float]:
    """(lambda_min, lambda_max) of a positive definite A, given x -> A x and x -> A^-1 x.

    `dense()` returns all eigenvalues: used for small matrices and as the fallback.
    lambda_max only gates the choice of route, so 1e-6 is plenty there. `warm`: see
    `largest_eigenvalue`, for the inverse's (the slow one).
    """
    if dim > DENSE_BELOW:
        inverse = largest_eigenvalue(solve, dim, warm=warm)
        top = largest_eigenvalue(apply, dim, rel_tol=1e-6)
        if inverse is not None and top is not None:
            return 1.0 / inverse, top
    w = dense()
    return float(w.min()), float(w.max())


def _solve_upper_gram(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    """(r' r)^-1 v for upper triangular r: two O(p^2) triangular solves (for one vector
    about 5x faster than scipy's cho_solve; LAPACK directly, as scipy's solve_triangular
    would call it, without the per-call checks)."""
    if r.flags.f_contiguous:
        w, info = dtrtrs(r, v, lower=0, trans=1)
        x, info_back = dtrtrs(r, w, lower=0, trans=0)
    else:  # scipy passes the transpose (Fortran order, no copy) with the flags flipped
        w, info = dtrtrs(r.T, v, lower=1, trans=0)
        x, info_back = dtrtrs(r.T, w, lower=1, trans=1)
    if info or info_back:
        raise np.linalg.LinAlgError("singular triangular factor")
    return x


def triangular_singular_values(r: np.ndarray, rank_rcond: float) -> tuple[float, float] | None:
    """(sigma_min, sigma_max) of an upper triangular r; None if sigma_min / sigma_max is
    below rank_rcond (numerically rank deficient).

    LAPACK's O(p^2) condition estimate (within a factor ~p of the truth) first screens
    out matrices too singular to invert safely.
    """
    rcond, _ = dtrcon(r)
    if not rcond > 1e-2 * rank_rcond:  # `not >` also catches NaN
        return None
    lo, hi = extremes(lambda v: r.T @ (r @ v), lambda v: _solve_upper_gram(r, v), r.shape[0],
                      lambda: np.linalg.svd(r, compute_uv=False) ** 2)
    s_min, s_max = np.sqrt(lo), np.sqrt(hi)
    return None if s_min < rank_rcond * s_max else (s_min, s_max)


def gram_eigenvalues(gram: np.ndarray, upper_cholesky: np.ndarray,
                     warm: list | None = None) -> tuple[float, float]:
    """(lambda_min, lambda_max) of a positive definite gram = r' r, r its Cholesky factor;
    `warm` as in `largest_eigenvalue`. Only gram's upper triangle is read, so a Gram
    matrix grown by syrk needs no symmetric copy."""
    # BLAS wants Fortran order: a C-ordered gram goes as its transpose (a view), whose
    # lower triangle is gram's upper one
    fortran = gram if gram.flags.f_contiguous else gram.T
    lower = int(not gram.flags.f_contiguous)
    return extremes(lambda v: dsymv(1.0, fortran, v, lower=lower),
                    lambda v: _solve_upper_gram(upper_cholesky, v), gram.shape[0],
                    lambda: eigvalsh(fortran, lower=bool(lower), check_finite=False), warm)
