"""The nested sweep solver against independent references (pinv, ridge normal equations)."""
import numpy as np
import pytest

from experiments.numerics.sweep_solver import nested_ridge_sweep


def reference_beta(f, y, lam):
    if lam == 0:
        return np.linalg.pinv(f) @ y
    n, p = f.shape
    return np.linalg.solve(f.T @ f + n * lam * np.eye(p), f.T @ y)


def svd_beta(f, y, lam):
    """The exact filter on the SVD of f, even where normal equations would lose digits."""
    u, s, vt = np.linalg.svd(f, full_matrices=False)
    keep = s > 1e-15 * s[0]
    g = np.where(keep, s / (s**2 + f.shape[0] * lam + ~keep), 0.0) if lam > 0 else \
        np.where(keep, 1 / np.where(keep, s, 1), 0.0)
    return vt.T @ (g[:, None] * (u.T @ y))


# (120, 400) and (90, 91) run the Lanczos extremes (dimensions above spectrum.DENSE_BELOW);
# (90, 91) keeps them in the quick part.
@pytest.mark.parametrize("n, max_p", [(30, 200), (60, 61),
                                      pytest.param(120, 400, marks=pytest.mark.slow), (90, 91)])
def test_sweep_matches_pinv_and_ridge_everywhere(n, max_p):
    rng = np.random.default_rng(1)
    f, f_test = rng.standard_normal((n, max_p)), rng.standard_normal((50, max_p))
    y = rng.standard_normal((n, 2))
    widths = np.unique(np.r_[1, 7, n - 1, n, n + 1, max_p])
    ridges = [0.0, 1e-4, 0.3]
    fit = nested_ridge_sweep(f, f_test, y, widths, ridges)
    for i, p in enumerate(widths):
        sv = np.linalg.svd(f[:, :p], compute_uv=False)
        assert fit.sigma_min[i] == pytest.approx(sv.min(), rel=1e-8)
        for j, lam in enumerate(ridges):
            beta = reference_beta(f[:, :p], y, lam)
            np.testing.assert_allclose(fit.test_pred[i, j], f_test[:, :p] @ beta, rtol=1e-7,
                                       atol=1e-9)
            np.testing.assert_allclose(fit.train_pred[i, j], f[:, :p] @ beta, rtol=1e-7, atol=1e-9)
            assert fit.coef_norm[i, j] == pytest.approx(np.linalg.norm(beta), rel=1e-7)


def test_ill_conditioned_gram_falls_back_to_an_exact_svd():
    """Legendre columns just past the threshold: the Gram path would square kappa."""
    t = np.sort(np.random.default_rng(2).uniform(-1, 1, 20))
    f = np.polynomial.legendre.legvander(t, 30)
    fit = nested_ridge_sweep(f, f, np.cos(3 * t), [21, 22, 31])
    for i, p in enumerate([21, 22, 31]):
        beta = np.linalg.pinv(f[:, :p]) @ np.cos(3 * t)
        assert fit.coef_norm[i, 0] == pytest.approx(np.linalg.norm(beta), rel=1e-6)


def test_effective_params_equal_p_for_least_squares_on_the_training_design():
    """With test points = training points, s(x_i) are rows of the hat matrix H and
    n * mean ||s(x_i)||^2 = trace(H) = p (a hat matrix is a projection)."""
    rng = np.random.default_rng(3)
    f = rng.standard_normal((40, 39))
    fit = nested_ridge_sweep(f, f, rng.standard_normal(40), [1, 5, 20, 39], [0.0, 0.5])
    np.testing.assert_allclose(fit.effective_params()[:, 0], [1, 5, 20, 39], rtol=1e-9)
    assert (fit.effective_params()[:, 1] < [1, 5, 20, 39]).all()  # ridge shrinks p_eff


@pytest.mark.parametrize("dependent", [False, True])
def test_nested_leading_smoothers_match_pinv(dependent):
    """Below the threshold every width's smoother comes from one triangular solve: against
    pinv per width, also past an exactly singular pivot (column 2 = 2 x column 1)."""
    rng = np.random.default_rng(7)
    n, widths = 40, [1, 2, 3, 9, 25, 40]
    f, f_test = rng.standard_normal((n, 40)), rng.standard_normal((30, 40))
    if dependent:
        f[:, 1:] *= np.arange(n)[:, None] > 0  # the first row meets only column 1
        f[1:, 0] = 0.0
        f[:, 1], f_test[:, 1] = 2 * f[:, 0], 2 * f_test[:, 0]
    fit = nested_ridge_sweep(f, f_test, rng.standard_normal(n), widths)
    for i, p in enumerate(widths):
        smoother = f_test[:, :p] @ np.linalg.pinv(f[:, :p])  # row x: s(x)'
        assert fit.effective_params()[i, 0] == pytest.approx(
            n * np.mean(np.sum(smoother**2, axis=1)), rel=1e-8)


def test_effective_params_match_the_explicit_smoother_matrix():
    rng = np.random.default_rng(4)
    f, f_test = rng.standard_normal((25, 90)), rng.standard_normal((30, 90))
    fit = nested_ridge_sweep(f, f_test, rng.standard_normal(25), [10, 25, 60, 90], [0.0, 1e-2])
    explicit = nested_ridge_sweep(f, f_test, np.eye(25), [10, 25, 60, 90], [0.0, 1e-2])
    expected = 25 * (explicit.test_pred**2).sum(axis=(2, 3)) / 30
    np.testing.assert_allclose(fit.effective_params(), expected, rtol=1e-8)


def test_rejects_widths_that_are_not_increasing():
    f = np.ones((5, 10))
    with pytest.raises(ValueError, match="increasing"):
        nested_ridge_sweep(f, f, np.ones(5), [4, 3])


def test_scaled_features_match_a_direct_fit_of_the_scaled_matrix():
    """scale[i] * F[:, :p] (e.g. sqrt(2/p) random features) via the unscaled factorization."""
    rng = np.random.default_rng(5)
    f, f_test = rng.standard_normal((30, 120)), rng.standard_normal((20, 120))
    y = rng.standard_normal(30)
    widths = np.array([10, 30, 60, 120])
    scale = np.sqrt(2.0 / widths)
    fit = nested_ridge_sweep(f, f_test, y, widths, [0.0, 1e-2], scale=scale)
    for i, p in enumerate(widths):
        fp, ft = scale[i] * f[:, :p], scale[i] * f_test[:, :p]
        for j, lam in enumerate([0.0, 1e-2]):
            beta = reference_beta(fp, y, lam)
            np.testing.assert_allclose(fit.test_pred[i, j, :, 0], ft @ beta, rtol=1e-7, atol=1e-10)
            assert fit.coef_norm[i, j] == pytest.approx(np.linalg.norm(beta), rel=1e-7)
        assert fit.sigma_min[i] == pytest.approx(np.linalg.svd(fp, compute_uv=False).min(),
                                                 rel=1e-8)


@pytest.mark.parametrize("ridges", [[0.0, 1e-3], [1e-12, 1e-3]])
def test_ill_conditioned_penalties_take_an_exact_route(ridges):
    """Nearly collinear columns (kappa^2 from 1e11 to 1e15 around p = n): normal equations
    would lose most digits, so lam = 0 and a tiny penalty must still match the SVD filter,
    below the threshold (triangular, SVD) and above it (LQ of F_p, SVD)."""
    rng = np.random.default_rng(6)
    f = 1.0 + 3e-5 * rng.standard_normal((80, 200))
    y = np.column_stack([np.cos(np.arange(80)), np.sin(np.arange(80) / 7)])
    widths = [40, 70, 80, 81, 90, 200]
    fit = nested_ridge_sweep(f, f, y, widths, ridges)
    for i, p in enumerate(widths):
        for j, lam in enumerate(ridges):
            beta = svd_beta(f[:, :p], y, lam)
            assert fit.coef_norm[i, j] == pytest.approx(np.linalg.norm(beta), rel=1e-6), (p, lam)
            np.testing.assert_allclose(fit.train_pred[i, j], f[:, :p] @ beta, rtol=1e-6, atol=1e-8)
        sv = np.linalg.svd(f[:, :p], compute_uv=False)
        assert fit.sigma_min[i] == pytest.approx(sv.min(), rel=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("n", [20, 100])
def test_rank_deficient_features_follow_pinv(n):
    """Repeated columns: F_p is exactly rank deficient on both sides of n, and the
    minimum-norm answer is pinv's (the Cholesky and triangular routes must step aside)."""
    rng = np.random.default_rng(7)
    base = rng.standard_normal((n, n // 2))
    f = np.hstack([base, base, base, rng.standard_normal((n, n))])
    f_test, y = rng.standard_normal((15, f.shape[1])), rng.standard_normal(n)
    widths = [n // 2 + 3, n, n + n // 2 + 1, 5 * n // 2]
    fit = nested_ridge_sweep(f, f_test, y, widths, [0.0, 0.1])
    for i, p in enumerate(widths):
        for j, lam in enumerate([0.0, 0.1]):
            beta = reference_beta(f[:, :p], y, lam)
            np.testing.assert_allclose(fit.test_pred[i, j, :, 0], f_test[:, :p] @ beta, atol=1e-8)
        sv = np.linalg.svd(f[:, :p], compute_uv=False)
        assert fit.sigma_min[i] == pytest.approx(sv[sv > 1e-10 * sv[0]].min(), rel=1e-6)


def test_rejects_non_finite_inputs():
    f = np.ones((5, 10))
    with pytest.raises(ValueError, match="finite"):
        nested_ridge_sweep(f, f, np.r_[1.0, np.nan, 1, 1, 1], [4, 6])


def test_dead_columns_and_float32_features_change_nothing():
    """ReLU-like float32 features with columns that are zero on every training point (but
    not on the test points), some widths adding only such columns: every prediction,
    norm, sigma_min and p_eff equals pinv / ridge on the full float64 matrix."""
    rng = np.random.default_rng(8)
    n, max_p = 40, 150
    f = np.maximum(rng.standard_normal((n, max_p)), 0).astype(np.float32)
    dead = np.r_[3, 10, 41, 42, 43, 60:64, 100:120]
    f[:, dead] = 0.0
    f_test = np.maximum(rng.standard_normal((30, max_p)), 0).astype(np.float32)
    y = rng.standard_normal((n, 2))
    widths = np.array([5, 30, 41, 44, 50, 100, 120, 150])  # 41 -> 44: dead columns only
    scale, ridges = np.sqrt(2.0 / widths), [0.0, 1e-3]
    fit = nested_ridge_sweep(f, f_test, y, widths, ridges, scale=scale)
    hat = nested_ridge_sweep(f.astype(np.float64), f_test.astype(np.float64), np.eye(n), widths,
                             ridges, scale=scale)
    np.testing.assert_array_equal(fit.widths, widths)
    for i, p in enumerate(widths):
        fp, ft = scale[i] * f[:, :p].astype(np.float64), scale[i] * f_test[:, :p].astype(float)
        for j, lam in enumerate(ridges):
            beta = reference_beta(fp, y, lam)
            np.testing.assert_allclose(fit.test_pred[i, j], ft @ beta, rtol=1e-7, atol=1e-9)
            assert fit.coef_norm[i, j] == pytest.approx(np.linalg.norm(beta), rel=1e-7)
            smoother = ft @ reference_beta(fp, np.eye(n), lam)  # row i: s(x_i)'
            assert fit.effective_params()[i, j] == pytest.approx(
                n * np.mean(np.sum(smoother**2, axis=1)), rel=1e-7)
            np.testing.assert_allclose(hat.test_pred[i, j], smoother, rtol=1e-7, atol=1e-9)
        sv = np.linalg.svd(fp, compute_uv=False)
        assert fit.sigma_min[i] == pytest.approx(sv[sv > 1e-10 * sv[0]].min(), rel=1e-7)
