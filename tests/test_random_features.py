"""Random features: the peak at N = n, ridge and label noise, docs/science.md's digits figures,
the fast sweep against a fresh pseudo-inverse per width, and the page's measured sentences."""
import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.ui.labels import readable
from experiments import random_features as rf
from experiments import run
from experiments.framework import store
from experiments.framework.claims import by_key
from experiments.framework.params import ParamError
from experiments.numerics.features import draw_random_weights, random_features

EXP = rf.EXPERIMENT


def median_curve(frame, metric="error_rate", split="test", ridge=0.0):
    rows = frame[(frame["metric"] == metric) & (frame["split"] == split)
                 & (frame["ridge"] == ridge)]
    return rows.groupby("n_params")["value"].median()


@pytest.fixture(scope="module")
def digits():
    """Digits, n = 400, widths up to 20n, minimum norm and a small ridge, 2 seeds."""
    return run(EXP, {"n_widths": 16, "ridge": "0, 1e-3"}, seeds=2).frame


@pytest.mark.slow
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


@pytest.mark.slow
def test_label_noise_makes_the_peak_taller():
    base = dict(n_train=200, n_widths=9, max_ratio=8)
    clean = median_curve(run(EXP, base, seeds=2).frame, "mse")
    noisy = median_curve(run(EXP, {**base, "label_noise": 0.2}, seeds=2).frame, "mse")
    assert noisy.loc[200] > 2 * clean.loc[200]
    assert noisy.iloc[-1] > clean.iloc[-1]  # and the second descent ends higher


def test_several_label_noises_equal_separate_runs():
    base = dict(n_train=100, n_widths=6, max_ratio=4)
    def measured(params):  # the kept examples follow the first label noise only
        frame = run(EXP, params, seeds=[1]).frame
        return frame[frame["source"] != "example"]

    both = measured({**base, "label_noise": "0, 0.3"})
    for noise in (0.0, 0.3):
        alone = measured({**base, "label_noise": noise})
        part = both[both["label_noise"] == noise].reset_index(drop=True)
        np.testing.assert_array_equal(part["value"], alone["value"])
        assert len(part) == len(alone)


def test_interpolators_fit_the_flipped_labels_exactly():
    frame = run(EXP, dict(n_train=100, n_widths=6, max_ratio=4, label_noise=0.3), seeds=[2]).frame
    train = median_curve(frame, split="train")
    assert train[train.index >= 100].max() == 0  # zero error on the labels it was given
    split, y_train, _ = rf._data(EXP.validate({"n_train": 100, "label_noise": 0.3}), 2, 0.3)
    assert 0.2 < np.mean(y_train.argmax(axis=1) != split.y_train) < 0.4


@pytest.mark.slow
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
            got = frame.query("metric == 'mse' and split == 'test' and n_params == @p "
                              "and ridge == @lam")
            assert got["value"].item() == pytest.approx(mse, rel=1e-6)


def test_relu_features_also_show_the_peak():
    curve = median_curve(run(EXP, {"features": "relu", "dataset": "synthetic", "n_train": 100,
                                   "n_widths": 12}, seeds=2).frame, "mse")
    assert abs(np.log(curve.idxmax() / 100)) < 0.3
    assert curve.max() > 10 * curve.iloc[-1]


def test_widths_always_include_n_train():
    widths = rf.widths_for(EXP.validate({"n_train": 333, "n_widths": 7}))
    assert 333 in widths and widths[0] >= 1 and widths[-1] == round(20 * 333)


@pytest.mark.parametrize("params, fragment", [
    ({"dataset": "mnist"}, "dataset"), ({"features": "tanh"}, "features"),
    ({"n_train": 5}, "n_train"), ({"label_noise": 1.5}, "label_noise"),
    ({"label_noise": "0, 0.1, 0.2, 0.3, 0.4"}, "label_noise"),
    ({"label_noise": "x"}, "label_noise"),
    ({"ridge": "-1"}, "ridge"), ({"ridge": []}, "ridge"),
    ({"max_ratio": float("inf")}, "max_ratio"),
    ({"n_train": 1500, "max_ratio": 40, "n_widths": 80}, "too large"),
])
def test_bad_parameters_are_rejected(params, fragment):
    with pytest.raises(ParamError, match=fragment):
        run(EXP, params, seeds=1)


def test_same_seed_same_numbers():
    params = {"dataset": "synthetic", "n_train": 50, "n_widths": 6}
    assert run(EXP, params, seeds=[7]).frame.equals(run(EXP, params, seeds=[7]).frame)


SHIPPED_KEYS = {"widest_beats_classical", "peak_at_threshold", "ridge_removes_peak",
                "clean_interpolator_beats_ridge", "label_noise_taller_peak",
                "label_noise_interpolator_loses", "widest_near_kernel"}


def shipped():
    frame, provenance = store.load("random_features")
    params = EXP.validate(provenance["params"])
    return frame, params, by_key(rf.claims(frame, params))


def test_shipped_data_hold_label_noise_results_and_every_claim():
    """Issue 13, finding 5: the page said label noise makes the peak taller without any
    label-noise data, and never said that the noisy interpolator loses to the ridge."""
    frame, params, claims = shipped()
    assert set(frame["label_noise"]) >= {0.0, 0.2}
    assert SHIPPED_KEYS <= set(claims) and all(claims[k].holds for k in SHIPPED_KEYS)
    clean = median_curve(frame[frame["label_noise"] == 0])
    noisy = median_curve(frame[frame["label_noise"] == 0.2])
    widest = clean.index.max()
    assert noisy.loc[400] > clean.loc[400]
    ridged = frame[(frame["label_noise"] == 0.2) & (frame["ridge"] > 0)]
    best_ridge = min(median_curve(ridged, ridge=lam).loc[widest] for lam in set(ridged["ridge"]))
    assert noisy.loc[widest] > best_ridge  # interpolation hurts with flipped labels ...
    assert noisy.loc[widest] > noisy[noisy.index < 400].min()  # ... and loses to a small model
    assert clean.loc[widest] < clean[clean.index < 400].min()  # while clean, the widest wins


@pytest.mark.slow
def test_random_features_page_shows_the_label_noise_sentences():
    _, _, claims = shipped()

    def page_script():
        from dashboard.app import render_page

        render_page("random_features")

    st.cache_data.clear()
    at = AppTest.from_function(page_script, default_timeout=120).run()
    st.cache_data.clear()
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(m.value for m in at.markdown)
    for key in SHIPPED_KEYS:
        assert readable(claims[key].text) in text, key


# The kernel limit (Belkin, Ma, Mandal 2018) ---------------------------------------------

def small_digits(n=80, seed=0):
    split = rf._data(EXP.validate({"n_train": n}), seed)[0]
    return split, np.eye(10)[split.y_train]


def test_gaussian_limit_kernel_is_sklearns_rbf_and_kernel_fit_is_kernel_ridge():
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.metrics.pairwise import rbf_kernel

    from experiments.numerics.features import limit_kernel

    split, y = small_digits()
    s, n, lam = 5.0, 80, 1e-3
    k = limit_kernel(split.x_train, split.x_train, s, "fourier")
    k_test = limit_kernel(split.x_test, split.x_train, s, "fourier")
    np.testing.assert_allclose(k, rbf_kernel(split.x_train, gamma=1 / (2 * s * s)), atol=1e-12)
    reference = KernelRidge(alpha=n * lam, kernel="rbf", gamma=1 / (2 * s * s)).fit(split.x_train,
                                                                                    y)
    _, test_pred, _, _ = rf.kernel_fit(k, k_test, y, lam)
    np.testing.assert_allclose(test_pred, reference.predict(split.x_test), atol=1e-8)
    train_pred, test_pred, norm, _ = rf.kernel_fit(k, k_test, y, 0.0)  # interpolation
    alpha = np.linalg.solve(k, y)
    np.testing.assert_allclose(train_pred, y, atol=1e-7)
    np.testing.assert_allclose(test_pred, k_test @ alpha, atol=1e-7)
    assert norm == pytest.approx(np.sqrt(np.sum(y * alpha)), rel=1e-8)


@pytest.mark.parametrize("kind", ["fourier", "relu"])
def test_kernel_limit_by_cholesky_matches_an_explicit_solve_and_the_eigenbasis(kind):
    """The direct route (a few fits, well conditioned K) against np.linalg.solve with the
    smoother written out, and against the eigendecomposition route it replaces."""
    from experiments.numerics.features import limit_kernel
    from experiments.numerics.kernel_limit import KernelLimit

    split, y = small_digits()
    k = limit_kernel(split.x_train, split.x_train, 5.0, kind)
    k_test = limit_kernel(split.x_test, split.x_train, 5.0, kind)
    direct, eigen = KernelLimit(k, k_test, 1), KernelLimit(k, k_test, 99)
    assert direct.basis is None and eigen.basis is not None
    n = len(k)
    for lam in (0.0, 1e-3):
        smoother = np.linalg.solve(k + n * lam * np.eye(n), k_test.T).T  # row x: s(x)'
        alpha = np.linalg.solve(k + n * lam * np.eye(n), y)
        reference = (k @ alpha, k_test @ alpha, np.sqrt(np.sum(alpha * (k @ alpha))),
                     n * np.mean(np.sum(smoother**2, axis=1)))
        for route in (direct, eigen):
            got = route.fit(y, lam)
            for value, truth in zip(got, reference):
                np.testing.assert_allclose(value, truth, rtol=1e-7, atol=1e-9)
    twice = np.vstack([split.x_train, split.x_train[:1]])  # a repeated point: K is singular
    assert KernelLimit(limit_kernel(twice, twice, 5.0, kind),
                       limit_kernel(split.x_test, twice, 5.0, kind), 1).basis is not None


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["fourier", "relu"])
def test_very_wide_random_features_converge_to_the_kernel(kind):
    """N = 200,000 features against the N -> infinity kernel, ridge 1e-3 (the limit of the
    minimum-norm fit needs N >> n kappa^2, beyond a test's budget)."""
    split, y = small_digits(60, seed=1)
    lam, width = 1e-3, 200_000
    weights, offsets = draw_random_weights(64, width, 5.0, kind, np.random.default_rng(9))
    f = np.sqrt(2.0 / width) * random_features(split.x_train, weights, offsets, kind)
    # 100 test points: each is its own check of the same limit, and the feature matrices
    # (points x 200,000) dominate the cost
    f_test = np.sqrt(2.0 / width) * random_features(split.x_test[:100], weights, offsets, kind)
    beta = f.T @ np.linalg.solve(f @ f.T + 60 * lam * np.eye(60), y)
    from experiments.numerics.features import limit_kernel

    _, kernel_pred, _, _ = rf.kernel_fit(limit_kernel(split.x_train, split.x_train, 5.0, kind),
                                         limit_kernel(split.x_test[:100], split.x_train, 5.0, kind),
                                         y, lam)
    assert np.abs(f_test @ beta - kernel_pred).max() < 0.05 * np.abs(kernel_pred).max()


def test_kernel_rows_sit_beside_the_feature_rows():
    frame = run(EXP, dict(n_train=100, n_widths=6, max_ratio=4, ridge="0, 0.01",
                          label_noise="0, 0.3"), seeds=[2]).frame
    kernel = frame[frame["source"] == "kernel"]
    assert set(frame["source"]) == {"features", "kernel", "example"}
    assert kernel["n_params"].isna().all()
    assert len(kernel) == 2 * 2 * 5  # label noises x ridges x (train, test) metrics + norm
    train_error = kernel.query("split == 'train' and metric == 'error_rate' and ridge == 0")
    assert train_error["value"].max() == 0
    widest = rf.median_curve(frame, "error_rate").iloc[-1]
    assert abs(rf.kernel_value(frame, "error_rate") - widest) < 0.05
    assert rf.features_only(frame)["n_params"].notna().all()


def test_kernel_line_is_drawn_on_the_error_axis():
    from dashboard import charts
    from dashboard.pages.random_features import kernel_line

    frame, _, _ = shipped()
    line = kernel_line(frame, "error_rate", [0.0, 1e-3], 0.0)
    assert line["value"].item() == pytest.approx(rf.kernel_value(frame, "error_rate"))
    assert kernel_line(frame, "error_rate", [1e-3], 0.0) is None  # minimum norm not drawn
    rows = rf.features_only(frame).query("split == 'test' and metric == 'error_rate'")
    spec = charts.error_curve(rows, x="n_params", metric="error_rate", series="ridge",
                              hlines=line).to_dict()
    rules = [layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "rule"
             or any(sub.get("mark", {}).get("type") == "rule" for sub in layer.get("layer", []))]
    assert rules, "no horizontal rule layer"
    data = [r for rows_ in spec["datasets"].values() for r in rows_ if "label" in r]
    assert any(r["centre_plot"] == pytest.approx(line["value"].item()) for r in data)


def test_example_predictions_match_the_error_rows():
    """The kept digits' predicted labels come from the same fits as the error curve: at the
    interpolating width they fit the training labels, and the shown test digits are right
    about as often as the whole test set is."""
    params = dict(n_train=100, n_widths=6, max_ratio=4)
    frame = run(EXP, params, seeds=[2]).frame
    shown = rf.examples(frame)
    predicted = shown[shown["metric"] == "predicted_label"]
    truth = shown[shown["metric"] == "true_label"].set_index("example")["value"]
    assert set(predicted["n_params"]) == set(rf.widths_for(EXP.validate(params)))
    assert len(shown[shown["metric"] == "pixel"]) == 64 * len(truth)
    assert sorted(truth.astype(int)) == sorted(list(range(10)) * 2)
    wrong = (predicted["value"].to_numpy() != truth.loc[predicted["example"]].to_numpy())
    right_share = 1 - wrong.reshape(-1, len(truth)).mean(axis=1)
    curve = rf.median_curve(frame, "error_rate")
    assert np.corrcoef(right_share, 1 - curve.to_numpy())[0, 1] > 0.5
