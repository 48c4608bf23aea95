"""Linear theory: simulations against the Hastie et al. closed forms, and the formulas
themselves against brute-force random-matrix computations."""
import numpy as np
import pytest

from experiments import linear_theory as lt
from experiments import run
from experiments.params import ParamError

EXP = lt.EXPERIMENT


@pytest.fixture(scope="module")
def result():
    return run(EXP, {"n_train": 150, "n_gammas": 16, "ridge": "0, 0.5"}, seeds=12)


def curves(frame, source, how="mean"):
    rows = frame[frame["source"] == source]
    return rows.groupby(["ridge_label", "gamma"])["value"].agg(how).unstack(0)


def test_simulation_matches_theory_on_both_sides_of_the_threshold(result):
    empirical, theory = curves(result, "empirical"), curves(result, "theory")
    away = [g for g in empirical.index if g < 0.6 or g > 1.6]
    assert min(away) < 0.5 and max(away) > 2  # both sides are checked
    ratio = empirical.loc[away] / theory.loc[away]
    # Monte Carlo tolerance: the risk averages ~min(p, n) squared errors per seed.
    p = np.array(away) * 150
    tolerance = 0.08 + 3 * np.sqrt(2 / np.minimum(p, 150)) / np.sqrt(12)
    assert (ratio.sub(1).abs().max(axis=1).to_numpy() < tolerance).all()
    assert abs(ratio.to_numpy().mean() - 1) < 0.06


def test_minimum_norm_risk_peaks_next_to_gamma_one(result):
    median = curves(result, "empirical", "median")["0 (minimum norm)"]
    gammas = median.index.to_numpy()
    neighbours = gammas[np.argsort(np.abs(np.log(gammas)))[:2]]
    assert median.idxmax() in neighbours
    assert median.max() > 5 * median.iloc[-1] and median.max() > 5 * median.iloc[0]


def test_optimal_ridge_is_monotone_and_best(result):
    theory, empirical = curves(result, "theory"), curves(result, "empirical")
    assert np.all(np.diff(theory["optimal"].to_numpy()) > 0)
    assert (theory["optimal"] <= theory.drop(columns="optimal").min(axis=1) + 1e-12).all()
    assert (empirical["optimal"] <= 1.1 * empirical.drop(columns="optimal").min(axis=1)).all()


def test_ridge_theory_tends_to_minimum_norm_as_lambda_vanishes():
    for gamma in (0.3, 0.8, 1.5, 4.0):
        assert lt.theory_risk(gamma, 1e-8, 0.5, 1.0) == pytest.approx(
            lt.theory_risk(gamma, 0.0, 0.5, 1.0), rel=1e-3)


@pytest.mark.parametrize("gamma", [0.3, 2.5])
def test_stieltjes_transform_matches_a_large_random_matrix(gamma):
    """m(z) = E[mean 1 / (eigenvalue - z)] of X'X / n, x ~ N(0, I_p), p / n = gamma."""
    rng = np.random.default_rng(0)
    n = 1500
    x = rng.standard_normal((n, int(gamma * n)))
    eig = np.linalg.eigvalsh(x.T @ x / n)
    for lam in (0.1, 1.0):
        assert np.mean(1 / (eig + lam)) == pytest.approx(lt.stieltjes(-lam, gamma), rel=0.02)


def test_empirical_risk_is_the_exact_coefficient_error():
    """Risk rows equal ||b_hat - beta||^2 from a direct pinv fit of the same draw."""
    params = EXP.validate({"n_train": 40, "n_gammas": 5, "ridge": "0", "include_optimal": False})
    frame = lt.run_seed(params, 3).frame
    rng = np.random.default_rng(3)
    p, _ = lt.gamma_grid(params)
    x = rng.standard_normal((40, p[-1]))
    betas = []
    for width in p:
        d = rng.standard_normal(width)
        betas.append(d / np.linalg.norm(d))
    eps = params["noise"] * rng.standard_normal(40)
    for width, beta in zip(p, betas):
        y = x[:, :width] @ beta + eps
        expected = np.sum((np.linalg.pinv(x[:, :width]) @ y - beta) ** 2)
        got = frame.loc[frame["n_params"] == width, "value"].item()
        assert got == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("params, fragment", [
    ({"n_train": 5}, "n_train"), ({"noise": -1}, "noise"), ({"ridge": "x"}, "ridge"),
    ({"include_optimal": "sometimes"}, "include_optimal"), ({"n_gammas": 1000}, "n_gammas"),
])
def test_bad_parameters_are_rejected(params, fragment):
    with pytest.raises(ParamError, match=fragment):
        run(EXP, params, seeds=1)
