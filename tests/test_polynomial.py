"""Polynomial regression: U-curve, spike at the threshold, second descent, exact fits."""
import numpy as np
import pytest

from experiments import polynomial, run
from experiments.features import legendre_features
from experiments.params import ParamError

EXP = polynomial.EXPERIMENT


@pytest.fixture(scope="module")
def sweep():
    """The default setting (n = 30, noise 0.1) with 30 training draws."""
    frame = run(EXP, {"max_degree": 400}, seeds=30)
    test = frame[(frame["split"] == "test") & (frame["metric"] == "mse")]
    return frame, test.groupby("n_params")["value"].median()


def test_classical_u_curve_below_the_threshold(sweep):
    _, median = sweep
    below = median[median.index < 30]
    best = below.idxmin()
    assert 3 <= best <= 10  # docs/science.md: classical minimum at degree ~4
    assert below.loc[1] > 10 * below.loc[best]  # underfitting arm
    assert below.loc[22] > 10 * below.loc[best]  # overfitting arm
    assert below.loc[best] == pytest.approx(0.0125, rel=0.3)  # 0.0025 excess + 0.01 noise


def test_peak_at_the_interpolation_threshold(sweep):
    _, median = sweep
    assert abs(median.idxmax() - 30) <= 1
    assert median.max() > 1e6 * median.min()


def test_second_descent_after_the_peak(sweep):
    _, median = sweep
    far = median[median.index >= 300]
    assert far.max() < 1e-4 * median.max()
    assert far.min() < 0.06  # docs/science.md: ~0.03 excess + 0.01 noise at degree ~400
    assert median.loc[60] > 10 * far.min()  # still descending well past the peak


def test_training_error_vanishes_once_the_model_interpolates(sweep):
    frame, _ = sweep
    train = frame[(frame["split"] == "train") & (frame["metric"] == "mse")]
    median = train.groupby("n_params")["value"].median()
    assert median[median.index >= 31].max() < 1e-12
    assert median.loc[10] > 1e-4


def test_bias_variance_decomposition_adds_up_to_the_test_error(sweep):
    frame, _ = sweep
    parts = frame[frame["seed"] == -1].pivot_table(index="n_params", columns="metric", values="value")
    mean_test = frame[(frame["split"] == "test") & (frame["metric"] == "mse")].groupby("n_params")["value"].mean()
    total = parts["bias2"] + parts["variance"] + parts["noise"]
    ok = total.index[total.index <= 8]  # where Monte Carlo error over 30 draws is small
    np.testing.assert_allclose(total.loc[ok], mean_test.loc[ok], rtol=0.25)
    assert parts.loc[30, "variance"] > parts.loc[30, "bias2"]  # variance drives the peak
    assert parts.loc[30, "variance"] > parts.loc[5, "variance"] * 1e6


def test_minimum_norm_fit_equals_the_pinv_reference():
    params = EXP.validate({"n_train": 12, "max_degree": 60, "noise": 0.2})
    part = polynomial.run_seed(params, seed=5)
    t, y = polynomial.training_draw(params, 5)
    grid = polynomial.test_grid()
    curves, _ = polynomial.fitted_curves(params, [3, 11, 60], seed=5)
    for degree in (3, 11, 60):
        beta = np.linalg.pinv(legendre_features(t, degree)) @ y
        expected = legendre_features(grid, degree) @ beta
        got = curves[curves["curve"] == f"degree {degree}"]["y"].to_numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8 * np.abs(expected).max())
        norm = part.frame.query("metric == 'coef_norm' and degree == @degree")["value"].item()
        assert norm == pytest.approx(np.linalg.norm(beta), rel=1e-6)


def test_ridge_removes_the_peak():
    plain = run(EXP, {"max_degree": 120}, seeds=8)
    ridged = run(EXP, {"max_degree": 120, "ridge": 1e-3}, seeds=8)

    def peak(frame):
        test = frame[(frame["split"] == "test") & (frame["metric"] == "mse")]
        return test.groupby("n_params")["value"].median().max()
    assert peak(ridged) < 1.0 < 1e6 < peak(plain)


def test_same_seed_same_numbers():
    a = run(EXP, {"max_degree": 50}, seeds=[3, 4])
    b = run(EXP, {"max_degree": 50}, seeds=[3, 4])
    assert a.equals(b)


@pytest.mark.parametrize("params, fragment", [
    ({"n_train": 2}, "n_train"), ({"noise": -1}, "noise"), ({"max_degree": 0}, "max_degree"),
    ({"ridge": float("nan")}, "ridge"), ({"target": "sin"}, "target"), ({"degree": 3}, "unknown"),
])
def test_bad_parameters_are_rejected(params, fragment):
    with pytest.raises(ParamError, match=fragment):
        run(EXP, params, seeds=2)


def test_compute_cap_refuses_huge_runs():
    with pytest.raises(ParamError, match="too large for on-demand compute"):
        run(EXP, {"n_train": 200, "max_degree": 2000}, seeds=200)
