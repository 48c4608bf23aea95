"""Random features: the peak at N = n, ridge and label noise, docs/science.md's digits figures,
and the fast sweep against a fresh pseudo-inverse per width."""
import numpy as np
import pytest

from experiments import random_features as rf
from experiments import run
from experiments.features import draw_random_weights, random_features
from experiments.params import ParamError

EXP = rf.EXPERIMENT


def median_curve(frame, metric="error_rate", split="test", ridge=0.0):
    rows = frame[(frame["metric"] == metric) & (frame["split"] == split) & (frame["ridge"] == ridge)]
    return rows.groupby("n_params")["value"].median()


@pytest.fixture(scope="module")
def digits():
    """Digits, n = 400, widths up to 20n, minimum norm and a small ridge, 2 seeds."""
    return run(EXP, {"n_widths": 16, "ridge": "0, 1e-3"}, seeds=2)


def test_peak_sits_at_the_interpolation_threshold(digits):
    curve = median_curve(digits, "mse")
    widths = curve.index.to_numpy()
    peak = int(np.searchsorted(widths, curve.idxmax()))
    assert abs(peak - int(np.searchsorted(widths, 400))) <= 1


def test_digits_error_matches_the_reference_figures(digits):
    """docs/science.md: ~5% at N = n/2, ~79% at N = n, ~3% far past it."""
    curve = median_curve(digits)
    at = lambda n: curve.iloc[np.argmin(np.abs(curve.index - n))]  # noqa: E731
    assert 0.02 < at(200) < 0.10
    assert curve.loc[400] > 0.5
    assert at(8000) < 0.045 and at(8000) < at(200)


def test_ridge_removes_the_peak(digits):
    ridged = median_curve(digits, ridge=1e-3)
    assert ridged.loc[400] < 0.08  # docs/science.md: ~4% at N = n with lambda = 1e-3
    assert ridged.max() < 0.5 * median_curve(digits).max()


def test_training_error_vanishes_from_the_threshold_on(digits):
    train = median_curve(digits, "mse", "train")
    assert train[train.index >= 400].max() < 1e-8 < train[train.index < 300].min()


def test_label_noise_makes_the_peak_taller():
    base = dict(n_train=200, n_widths=9, max_ratio=8)
    clean = median_curve(run(EXP, base, seeds=2), "mse")
    noisy = median_curve(run(EXP, {**base, "label_noise": 0.2}, seeds=2), "mse")
    assert noisy.loc[200] > 2 * clean.loc[200]
    assert noisy.iloc[-1] > clean.iloc[-1]  # and the second descent ends higher


def test_sweep_equals_a_fresh_pinv_per_width():
    params = EXP.validate({"dataset": "synthetic", "n_train": 60, "n_widths": 8, "max_ratio": 5,
                           "ridge": "0, 0.01"})
    frame = rf.run_seed(params, seed=4).frame
    split, y_train, _ = rf._data(params, 4)
    weights, offsets = draw_random_weights(split.x_train.shape[1], 300, params["bandwidth"],
                                           "fourier", np.random.default_rng([4, 3]))
    f = random_features(split.x_train, weights, offsets, "fourier")
    f_test = random_features(split.x_test, weights, offsets, "fourier")
    for p in rf.widths_for(params):
        fp = np.sqrt(2.0 / p) * f[:, :p]
        for lam in (0.0, 0.01):
            beta = (np.linalg.pinv(fp) if lam == 0 else
                    np.linalg.solve(fp.T @ fp + 60 * lam * np.eye(p), fp.T)) @ y_train
            mse = np.mean((np.sqrt(2.0 / p) * f_test[:, :p] @ beta - split.y_test[:, None]) ** 2)
            got = frame.query("metric == 'mse' and split == 'test' and n_params == @p and ridge == @lam")
            assert got["value"].item() == pytest.approx(mse, rel=1e-6)


def test_relu_features_also_show_the_peak():
    curve = median_curve(run(EXP, {"features": "relu", "dataset": "synthetic", "n_train": 100,
                                   "n_widths": 12}, seeds=2), "mse")
    assert abs(np.log(curve.idxmax() / 100)) < 0.3
    assert curve.max() > 10 * curve.iloc[-1]


def test_widths_always_include_n_train():
    widths = rf.widths_for(EXP.validate({"n_train": 333, "n_widths": 7}))
    assert 333 in widths and widths[0] >= 1 and widths[-1] == round(20 * 333)


@pytest.mark.parametrize("params, fragment", [
    ({"dataset": "mnist"}, "dataset"), ({"features": "tanh"}, "features"),
    ({"n_train": 5}, "n_train"), ({"label_noise": 1.5}, "label_noise"),
    ({"ridge": "-1"}, "ridge"), ({"ridge": []}, "ridge"), ({"max_ratio": float("inf")}, "max_ratio"),
    ({"n_train": 1500, "max_ratio": 40, "n_widths": 80}, "too large"),
])
def test_bad_parameters_are_rejected(params, fragment):
    with pytest.raises(ParamError, match=fragment):
        run(EXP, params, seeds=1)


def test_same_seed_same_numbers():
    params = {"dataset": "synthetic", "n_train": 50, "n_widths": 6}
    assert run(EXP, params, seeds=[7]).equals(run(EXP, params, seeds=[7]))
