"""Lanczos extremes against dense eigenvalues, and the single-pool BLAS guard."""
import numpy as np
import pytest
from threadpoolctl import threadpool_info

from experiments.numerics.lanczos import (
    gram_eigenvalues,
    largest_eigenvalue,
    triangular_singular_values,
)
from experiments.numerics.threads import _NUMPY_DIRS, numpy_pool_only


def spd_with_spectrum(eigenvalues, seed=0):
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((len(eigenvalues),) * 2))
    return (q * eigenvalues) @ q.T


def test_lanczos_finds_the_top_of_a_crowded_spectrum():
    """The top two eigenvalues 1e-4 apart (relative), the rest spread below."""
    w = np.r_[np.linspace(0.01, 0.9, 198), 1.0 - 1e-4, 1.0]
    a = spd_with_spectrum(w)  # once: Lanczos may take hundreds of products
    theta = largest_eigenvalue(lambda v: a @ v, len(w))
    assert theta == pytest.approx(1.0, rel=1e-10)


def test_lanczos_reports_failure_instead_of_a_wrong_answer():
    a = spd_with_spectrum(np.linspace(1.0, 2.0, 300))
    assert largest_eigenvalue(lambda v: a @ v, 300, max_steps=3) is None


def test_gram_extremes_match_a_dense_eigendecomposition():
    rng = np.random.default_rng(1)
    f = rng.standard_normal((150, 160))  # barely wide: kappa^2 ~ 1e4, a crowded bottom edge
    gram = f @ f.T
    w = np.linalg.eigvalsh(gram)
    chol = np.linalg.cholesky(gram).T
    # full, then the upper triangle alone in either memory order (as syrk leaves it)
    for matrix in (gram, np.triu(gram), np.asfortranarray(np.triu(gram))):
        lo, hi = gram_eigenvalues(matrix, chol)
        assert lo == pytest.approx(w[0], rel=1e-9)
        assert hi == pytest.approx(w[-1], rel=1e-6)
    lo, _ = gram_eigenvalues(np.triu(gram[:40, :40]), np.linalg.cholesky(gram[:40, :40]).T)
    assert lo == pytest.approx(np.linalg.eigvalsh(gram[:40, :40])[0], rel=1e-9)  # dense pass
    warm = [None]
    first = gram_eigenvalues(gram, chol, warm)[0]
    assert warm[0].shape == (150,) and gram_eigenvalues(gram, chol, warm)[0] == pytest.approx(
        first, rel=1e-9)  # restarted from its own Ritz vector


def test_triangular_singular_values_and_the_rank_screen():
    rng = np.random.default_rng(2)
    r = np.linalg.qr(rng.standard_normal((120, 100)))[1]
    s = np.linalg.svd(r, compute_uv=False)
    s_min, s_max = triangular_singular_values(r, 1e-12)
    assert (s_min, s_max) == (pytest.approx(s[-1], rel=1e-9), pytest.approx(s[0], rel=1e-6))
    assert triangular_singular_values(r, s[-1] / s[0] * 1.01) is None  # below the cutoff
    r[50, 50] = 0.0  # exactly singular: the O(p^2) screen must catch it before any solve
    assert triangular_singular_values(r, 1e-12) is None


def test_numpy_pool_only_silences_other_blas_pools_and_restores_them():
    def threads():
        return {i["filepath"]: i["num_threads"] for i in threadpool_info()
                if i["user_api"] == "blas"}

    before = threads()
    others = [path for path in before if not path.startswith(_NUMPY_DIRS)]
    with pytest.raises(RuntimeError), numpy_pool_only():
        inside = threads()
        raise RuntimeError("an error inside the block must still restore the pools")
    for path, count in inside.items():
        assert count == (1 if path in others and len(others) < len(before) else before[path])
    assert threads() == before


def test_overlapping_blocks_restore_the_pools_only_when_the_last_one_leaves():
    def threads():
        return {i["filepath"]: i["num_threads"] for i in threadpool_info()
                if i["user_api"] == "blas"}

    before = threads()
    outer = numpy_pool_only()
    outer.__enter__()
    with numpy_pool_only():
        limited = threads()
    assert threads() == limited  # the outer block is still running
    outer.__exit__(None, None, None)
    assert threads() == before
