"""Polynomial regression: U-curve, spike at the threshold, second descent, exact fits,
where the peak comes from (extrapolation, the design of x), and a page that tells it."""
import numpy as np
import pytest
import streamlit as st
from scipy import stats
from streamlit.testing.v1 import AppTest

from dashboard.ui.labels import readable
from experiments import polynomial, run
from experiments.framework import store
from experiments.framework.claims import by_key
from experiments.framework.params import ParamError
from experiments.numerics.features import legendre_features

EXP = polynomial.EXPERIMENT


@pytest.fixture(scope="module")
def sweep():
    """The default setting (n = 30, noise 0.1) with 30 training draws."""
    frame = run(EXP, {"max_degree": 400}, seeds=30).frame
    test = frame[(frame["split"] == "test") & (frame["metric"] == "mse")]
    return frame, test.groupby("n_params")["value"].median()


@pytest.mark.slow
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
    parts = frame[frame["seed"] == -1].pivot_table(index="n_params", columns="metric",
                                                   values="value")
    test_mse = frame[(frame["split"] == "test") & (frame["metric"] == "mse")]
    mean_test = test_mse.groupby("n_params")["value"].mean()
    total = parts["bias2"] + parts["variance"] + parts["noise"]
    ok = total.index[total.index <= 8]  # where Monte Carlo error over 30 draws is small
    np.testing.assert_allclose(total.loc[ok], mean_test.loc[ok], rtol=0.25)
    assert parts.loc[30, "variance"] > parts.loc[30, "bias2"]  # variance drives the peak
    assert parts.loc[30, "variance"] > parts.loc[5, "variance"] * 1e6


def test_minimum_norm_fit_equals_the_pinv_reference():
    params = EXP.validate({"n_train": 12, "max_degree": 60, "noise": 0.2})
    frame = run(EXP, params, seeds=[5]).frame
    t, y = polynomial.training_draw(params, 5)
    grid = polynomial.test_grid()
    curves, points = polynomial.drawn_curves(frame, [3, 11, 60])
    np.testing.assert_array_equal(points["x"], t)
    np.testing.assert_array_equal(points["y"], y)
    for degree in (3, 11, 60):
        beta = np.linalg.pinv(legendre_features(t, degree)) @ y
        expected = legendre_features(grid, degree) @ beta
        got = curves[curves["curve"] == f"degree {degree}"]["y"].to_numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8 * np.abs(expected).max())
        norm = frame.query("metric == 'coef_norm' and degree == @degree")["value"].item()
        assert norm == pytest.approx(np.linalg.norm(beta), rel=1e-6)


def test_extrapolation_share_matches_a_direct_computation():
    params = EXP.validate({"n_train": 12, "max_degree": 40})
    frame = polynomial.run_seed(params, seed=2).frame
    t, y = polynomial.training_draw(params, 2)
    grid = polynomial.test_grid()
    noise = 0.1 * np.random.default_rng([2, 1]).standard_normal(grid.size)
    y_test = polynomial.TARGETS["cos"](grid) + noise
    beta = np.linalg.pinv(legendre_features(t, 11)) @ y
    squared = (legendre_features(grid, 11) @ beta - y_test) ** 2
    outside = (grid < t.min()) | (grid > t.max())
    at = frame[frame["degree"] == 11].set_index("metric")["value"]
    assert at["extrapolation_share"] == pytest.approx(squared[outside].sum() / squared.sum(),
                                                      rel=1e-6)
    assert at["mse_inside"] == pytest.approx(squared[~outside].mean(), rel=1e-6)


def test_chebyshev_design_draws_from_the_arcsine_density():
    params = EXP.validate({"n_train": 200, "design": "chebyshev"})
    t = np.concatenate([polynomial.training_draw(params, s)[0] for s in range(5)])
    arcsine_cdf = lambda x: 0.5 + np.arcsin(np.clip(x, -1, 1)) / np.pi  # noqa: E731
    assert stats.kstest(t, arcsine_cdf).pvalue > 0.01
    assert stats.kstest(t, stats.uniform(-1, 2).cdf).pvalue < 1e-6


@pytest.mark.slow
def test_chebyshev_design_tames_the_peak_and_its_extrapolation():
    """Uniform x: the peak is mostly error outside the sampled range; arcsine x: far lower."""
    medians = {}
    for design in ("uniform", "chebyshev"):
        frame = run(EXP, {"max_degree": 40, "design": design}, seeds=20).frame
        medians[design] = {m: polynomial.test_median(frame, m).loc[30]
                           for m in ("mse", "extrapolation_share")}
    assert medians["uniform"]["extrapolation_share"] > 0.9
    assert medians["chebyshev"]["mse"] < 1e-3 * medians["uniform"]["mse"]


@pytest.mark.slow
def test_ridge_removes_the_peak():
    plain = run(EXP, {"max_degree": 120}, seeds=8).frame
    ridged = run(EXP, {"max_degree": 120, "ridge": 1e-3}, seeds=8).frame

    def peak(frame):
        test = frame[(frame["split"] == "test") & (frame["metric"] == "mse")]
        return test.groupby("n_params")["value"].median().max()
    assert peak(ridged) < 1.0 < 1e6 < peak(plain)


def test_same_seed_same_numbers():
    a = run(EXP, {"max_degree": 50}, seeds=[3, 4]).frame
    b = run(EXP, {"max_degree": 50}, seeds=[3, 4]).frame
    assert a.equals(b)


@pytest.mark.parametrize("params, fragment", [
    ({"n_train": 2}, "n_train"), ({"noise": -1}, "noise"), ({"max_degree": 0}, "max_degree"),
    ({"ridge": float("nan")}, "ridge"), ({"target": "sin"}, "target"), ({"degree": 3}, "unknown"),
    ({"design": "gauss"}, "design"),
])
def test_bad_parameters_are_rejected(params, fragment):
    with pytest.raises(ParamError, match=fragment):
        run(EXP, params, seeds=2)


def test_compute_cap_refuses_huge_runs():
    with pytest.raises(ParamError, match="too large for on-demand compute"):
        run(EXP, {"n_train": 200, "max_degree": 2000}, seeds=200)


def shipped():
    frame, provenance = store.load("polynomial")
    params = EXP.validate(provenance["params"])
    return frame, params, by_key(polynomial.claims(frame, params))


def test_shipped_claims_say_the_classical_fit_wins_and_the_peak_is_extrapolation():
    frame, params, claims = shipped()
    assert {"classical_wins", "peak_is_extrapolation", "both_terms_explode"} <= set(claims)
    median = polynomial.test_median(frame)
    assert median[median.index < 30].min() < median[median.index > 30].min()  # docs/science.md
    assert claims["classical_wins"].holds and claims["peak_is_extrapolation"].holds
    parts = frame[frame["seed"] < 0].pivot_table(index="n_params", columns="metric", values="value")
    assert parts["bias2"].max() > 1e6 * parts["bias2"].min()  # bias^2 explodes too
    assert claims["both_terms_explode"].holds


def page_text(at) -> str:
    return " ".join(e.value for e in list(at.markdown) + list(at.caption))


def page_script():
    from dashboard.app import render_page

    render_page("polynomial")


@pytest.fixture()
def polynomial_page(monkeypatch):
    """The polynomial page on the shipped data, with every refit forbidden: the page must
    draw from the run it shows, not compute outside the capped run."""
    def forbidden(*args, **kwargs):
        raise AssertionError("the page refitted a polynomial")

    monkeypatch.setattr(polynomial, "_fit_sweep", forbidden)
    monkeypatch.setattr(polynomial, "run_seed", forbidden)
    st.cache_data.clear()
    at = AppTest.from_function(page_script, default_timeout=120).run()
    yield at
    st.cache_data.clear()


@pytest.mark.slow
def test_page_draws_fitted_curves_from_the_run_itself(polynomial_page):
    assert not polynomial_page.exception, [e.value for e in polynomial_page.exception]
    charts = polynomial_page.get("vega_lite_chart") + polynomial_page.get("arrow_vega_lite_chart")
    assert "Fitted polynomials" in str([c.proto.spec for c in charts])


@pytest.mark.slow
def test_page_wording_matches_the_data(polynomial_page):
    """Issue 13, finding 5: the caption said "variance, not bias, explodes" over a bias^2
    curve reaching ~1e21, and the page never said that the classical fit wins."""
    _, _, claims = shipped()
    text = page_text(polynomial_page)
    assert "not bias" not in text.lower()
    for key in ("classical_wins", "peak_is_extrapolation", "both_terms_explode"):
        assert readable(claims[key].text) in text
