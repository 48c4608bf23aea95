"""Benign overfitting: the Gram-form exact risks against brute force (pinv, sklearn Ridge),
the run against the deterministic-equivalent theory, and the phenomenon itself: within 2x
of the oracle ridge with many weak directions, far worse near p = n."""
import numpy as np
import pytest
from sklearn.linear_model import Ridge

from experiments import benign_overfitting as bo
from experiments import run
from experiments.framework.params import ParamError

EXP = bo.EXPERIMENT


def brute_force(n=40, k=4, weak=300, scale=0.1, seed=3):
    rng = np.random.default_rng(seed)
    s = np.r_[np.ones(k), np.full(weak, scale**2)]
    x = rng.standard_normal((n, k + weak)) * np.sqrt(s)
    beta = np.r_[rng.standard_normal(k), np.zeros(weak)]
    y = x @ beta + rng.standard_normal(n)
    xs = x * s
    risk, at_zero = bo.ridge_risks(x @ x.T, xs @ x.T, xs @ beta, y, float(beta @ (s * beta)))
    return x, y, beta, s, risk, at_zero


def true_risk(b, beta, s):
    return float((b - beta) @ (s * (b - beta)))


@pytest.mark.parametrize("weak", [10, 300])  # p < n (least squares) and p > n (interpolation)
def test_minimum_norm_risk_matches_pinv(weak):
    x, y, beta, s, _, at_zero = brute_force(weak=weak)
    assert at_zero == pytest.approx(true_risk(np.linalg.pinv(x) @ y, beta, s), rel=1e-8)


@pytest.mark.parametrize("lam", [1e-4, 0.01, 1.0])
def test_ridge_risk_matches_sklearn(lam):
    x, y, beta, s, risk, _ = brute_force()
    fit = Ridge(alpha=len(y) * lam, fit_intercept=False, solver="svd").fit(x, y)
    assert risk(np.array([lam]))[0] == pytest.approx(true_risk(fit.coef_, beta, s), rel=1e-7)


def test_oracle_is_no_worse_than_any_grid_penalty_or_zero():
    *_, risk, at_zero = brute_force()
    lam, best = bo.oracle(risk)
    assert best <= risk(bo.GRID).min() + 1e-12 and best <= at_zero
    assert risk(np.array([lam]))[0] == pytest.approx(best)


@pytest.fixture(scope="module")
def small():
    return run(EXP, {"n_train": 60, "n_strong": 5, "n_weak": "20, 52, 300, 6000",
                     "weak_scale": 0.02}, seeds=16).frame


def test_interpolation_benign_with_many_weak_directions_and_catastrophic_with_few(small):
    table = bo.medians(small)
    many, few = table.loc[6000], table.loc[52]  # p = 57 is just below n = 60
    assert many["interpolator"] < 2 * many["oracle_ridge"]
    assert few["interpolator"] > 10 * few["oracle_ridge"]
    assert (table["oracle_ridge"] <= table["interpolator"] + 1e-12).all()


def test_exact_risks_sit_on_the_theory_lines(small):
    rows = small[small["metric"] == "excess_risk"]
    mean = rows[rows["source"] == "exact"].groupby(["n_weak", "model"])["value"].mean().unstack()
    theory = bo.medians(small, "theory")
    away = [20, 300, 6000]
    # the theory interpolator is an expectation; 16 seeds at n = 60 leave ~20% noise
    ratio = mean.loc[away, "interpolator"] / theory.loc[away, "interpolator"]
    assert (ratio.sub(1).abs() < 0.3).all()
    # the oracle is tuned per sample, the theory's penalty for the expected risk
    oracle = mean.loc[away, "oracle_ridge"] / theory.loc[away, "oracle_ridge"]
    assert (oracle.sub(1).abs() < 0.2).all()


def test_bad_values_give_one_line_errors():
    assert list(bo.weak_counts(EXP.validate({"n_weak": "10.4, 300"}))) == [10, 300]
    too_many = ", ".join(str(10 * k) for k in range(1, 18))
    for bad in ({"weak_scale": 0}, {"n_weak": "-5"}, {"n_weak": too_many}, {"n_train": 5},
                {"noise": "x"}, {"n_weak": ""}):
        with pytest.raises(ParamError) as err:
            EXP.validate(bad)
        assert "\n" not in str(err.value)


def test_default_run_is_cheap():
    assert EXP.cost(EXP.defaults(), EXP.default_seeds) < 5


def test_chart_draws_exact_points_theory_lines_and_the_null_risk(small):
    from dashboard.charts.linear import risk_against_weak
    from dashboard.ui import labels

    spec = risk_against_weak(small, threshold=55.0, null_risk=1.0).to_dict()
    marks = [layer.get("mark", {}).get("type") if isinstance(layer.get("mark"), dict)
             else layer.get("mark") for layer in spec["layer"]]
    assert marks[1:] == ["line", "rule", "text", "text"]
    halo, label = spec["layer"][3]["mark"], spec["layer"][4]["mark"]
    # at the rule's right end, where the interpolator's risk has fallen far below it, and
    # over a white halo of itself
    assert label["text"] == ["null risk (predict 0)"]
    assert (label["align"], label["x"]) == ("right", "width")
    assert halo["stroke"] == "white" and "stroke" not in label
    datasets = spec["datasets"].values()
    ridge = labels.value("oracle_ridge")  # the chart names models as its legend shows them
    assert ridge != "oracle_ridge"
    assert any(r.get("model") == ridge and "centre" in r for d in datasets for r in d)
