"""Trees and boosting: smoothers reproduce the models, p_eff, the composite axis, charts."""
import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import GradientBoostingRegressor

from dashboard.charts import trees as charts_trees
from experiments import run, trees
from experiments.framework.params import ParamError
from experiments.numerics import smoothers
from experiments.numerics.datasets import (
    digits_split,
    one_hot,
    synthetic_regression,
    synthetic_target,
)
from experiments.numerics.sweep_solver import nested_ridge_sweep
from tests.helpers import page_script

EXP = trees.EXPERIMENT


@pytest.fixture(scope="module")
def digits():
    s = digits_split(150, seed=3)
    return s.x_train, one_hot(s.y_train), s.x_test


@pytest.fixture(scope="module")
def forest_run():
    return run(EXP, {"n_train": 200, "max_trees": 12}, seeds=3).frame


@pytest.fixture(scope="module")
def boosting_run():
    return run(EXP, {"model": "boosting", "n_train": 150, "max_rounds": 40, "max_ensembles": 8},
               seeds=2).frame


def test_tree_and_forest_smoothers_reproduce_scikit_learn(digits):
    x, y, x_test = digits
    forest = trees.make_forest(6, 40, seed=1).fit(x, y)
    tree = forest.estimators_[0]
    np.testing.assert_allclose(smoothers.tree_smoother(tree, x, x_test) @ y, tree.predict(x_test),
                               atol=1e-12)
    *_, s_forest = smoothers.forest_smoothers(forest.estimators_, x, x_test)
    np.testing.assert_allclose(s_forest @ y, forest.predict(x_test), atol=1e-12)
    assert np.allclose(s_forest.sum(axis=1), 1.0)  # leaf averages: weights sum to one


def test_boosting_smoother_reproduces_every_round(digits):
    x, y, x_test = digits
    boost = smoothers.l2_boost(x, y, x_test, 25, learning_rate=0.85, max_leaf_nodes=10, seed=0)
    for f_train, f_test, s_train, s_test in boost:
        np.testing.assert_allclose(s_train @ y, f_train, atol=1e-10)
        np.testing.assert_allclose(s_test @ y, f_test, atol=1e-10)


def test_l2_boosting_matches_scikit_learn_gradient_boosting():
    # One input feature: with several, features that split a small node identically are
    # tied and each implementation breaks the tie with its own random numbers.
    s = synthetic_regression(120, 60, 1, 0.3, seed=2)
    reference = GradientBoostingRegressor(n_estimators=15, learning_rate=0.85, max_leaf_nodes=10,
                                          max_depth=None, random_state=0).fit(s.x_train, s.y_train)
    *_, (f_train, f_test, _, _) = smoothers.l2_boost(
        s.x_train, s.y_train, s.x_test, 15, learning_rate=0.85, max_leaf_nodes=10, seed=0)
    np.testing.assert_allclose(f_train[:, 0], reference.predict(s.x_train), atol=1e-10)
    np.testing.assert_allclose(f_test[:, 0], reference.predict(s.x_test), atol=1e-10)


def test_effective_params_equal_p_for_least_squares_below_the_threshold():
    rng = np.random.default_rng(0)
    f = rng.standard_normal((50, 40))
    y = rng.standard_normal(50)
    for p in (3, 10, 25):
        hat = f[:, :p] @ np.linalg.pinv(f[:, :p])  # test points = training points: tr(H H') = p
        assert smoothers.effective_params(hat) == pytest.approx(p, rel=1e-10)
    fit = nested_ridge_sweep(f, f, y, [3, 10, 25, 40])
    np.testing.assert_allclose(fit.effective_params()[:, 0], [3, 10, 25, 40], rtol=1e-9)


def test_a_tree_on_its_own_training_points_has_one_effective_parameter_per_leaf(digits):
    x, y, _ = digits
    tree = trees.make_forest(1, 17, seed=0).fit(x, y).estimators_[0]
    assert smoothers.effective_params(smoothers.tree_smoother(tree, x, x)) == pytest.approx(
        tree.get_n_leaves())


def test_the_interpolating_tree_has_zero_training_error(forest_run):
    train = forest_run.query("split == 'train' and metric == 'mse'")
    at_n = train[(train["stage"] == "leaves") & (train["n_params"] == 200)]
    assert len(at_n) == 3 and at_n["value"].max() < 1e-25
    small = train[(train["stage"] == "leaves") & (train["n_params"] == 2)]
    assert len(small) == 3 and small["value"].min() > 0.5  # two leaves underfit


def test_synthetic_interpolating_tree_has_p_eff_n():
    frame = run(EXP, {"dataset": "synthetic", "n_train": 120, "max_trees": 4}, seeds=1).frame
    at_n = frame[(frame["stage"] == "leaves") & (frame["n_params"] == 120)]
    assert at_n["effective_params"].iloc[0] == pytest.approx(120)  # leaves of one point each
    assert set(frame["metric"]) == {"mse", "prediction", "truth"}  # no 0-1 error here


def test_adding_trees_lowers_test_error_and_effective_parameters(forest_run):
    test = forest_run.query("split == 'test' and metric == 'mse'")
    median = test.groupby(["stage", "n_params"])[["value", "effective_params"]].median()
    interpolating, forest = median.loc[("leaves", 200)], median.loc[("trees", 2400)]
    assert forest["value"] < 0.7 * interpolating["value"]
    assert forest["effective_params"] < 0.5 * interpolating["effective_params"]
    p_eff = median.loc["trees", "effective_params"]
    assert p_eff.is_monotonic_decreasing  # the U-turn: more trees, fewer effective parameters
    leaves = median.loc["leaves", "effective_params"]
    assert leaves.iloc[-1] > 10 * leaves.iloc[0]


def test_boosting_stages_and_composite_count(boosting_run):
    test = boosting_run.query("split == 'test' and metric == 'error_rate'")
    assert set(test["stage"]) == {"rounds", "ensembles"}
    assert test.loc[test["stage"] == "rounds", "n_params"].max() == 400  # 10 leaves x 40 rounds
    assert test.loc[test["stage"] == "ensembles", "n_params"].max() == 400 * 8
    median = test.groupby("n_params")[["value", "effective_params"]].median()
    assert median.loc[3200, "value"] < median.loc[400, "value"]
    assert median.loc[3200, "effective_params"] < median.loc[400, "effective_params"]


def test_same_seed_gives_the_same_first_tree(digits):
    x, y, x_test = digits
    alone = trees.make_forest(1, 150, seed=4).fit(x, y).predict(x_test)
    first = trees.make_forest(5, 150, seed=4).fit(x, y).estimators_[0].predict(x_test)
    np.testing.assert_array_equal(alone, first)


@pytest.mark.parametrize("bad, message", [
    ({"model": "xgboost"}, "model"), ({"dataset": "mnist"}, "dataset"),
    ({"n_train": 10}, "n_train"), ({"max_trees": 1000}, "max_trees"),
    ({"noise": -1}, "noise"), ({"max_rounds": 2.5}, "max_rounds"), ({"depth": 3}, "unknown"),
])
def test_bad_parameters_are_rejected(bad, message):
    with pytest.raises(ParamError, match=message):
        EXP.validate(bad)


def test_large_boosting_runs_are_refused_on_demand():
    big = {"model": "boosting", "n_train": 1200, "max_rounds": 200, "max_ensembles": 40}
    with pytest.raises(ParamError, match="too large"):
        run(EXP, big, seeds=2)
    assert EXP.cost(EXP.defaults(), EXP.default_seeds) < 3
    assert EXP.cost(EXP.validate({"model": "boosting"}), EXP.default_seeds) < EXP.budget_seconds


def test_charts_show_both_stages_and_the_axis_switch(forest_run):
    rows = forest_run[forest_run["metric"] == "mse"]
    summary = charts_trees.stage_summary(rows, "mse")
    assert charts_trees.switch_point(summary)["n_params"] == 200
    for chart in (charts_trees.composite_chart(rows, "mse"),
                  charts_trees.effective_chart(rows, "mse")):
        spec = chart.to_dict()
        values = [v for d in spec["datasets"].values() for v in d]
        assert {"leaves", "trees"} <= {v.get("stage") for v in values}
        assert any("axis switch: leaves → trees" == v.get("label") for v in values)
        assert all(v.get("centre_plot", 1) > 0 for v in values)  # nothing at zero on log axes
    x = charts_trees.effective_chart(rows, "mse").to_dict()["layer"][0]["encoding"]["x"]
    assert x["field"] == "effective_params" and x["scale"]["type"] == "log"


def test_charts_reject_mixed_models(forest_run, boosting_run):
    both = pd.concat([forest_run, boosting_run])
    with pytest.raises(ValueError, match="one model"):
        charts_trees.stage_summary(both, "mse")


def shipped_medians(model, dataset):
    from experiments.framework import store

    frame, _ = store.load("trees")
    rows = frame[(frame["model"] == model) & (frame["dataset"] == dataset)
                 & (frame["metric"] == "mse") & (frame["split"] == "test")]
    return rows.groupby(["stage", "stage_size"])[["value", "effective_params"]].median()


@pytest.mark.parametrize("model, dataset", [("forest", "synthetic"), ("forest", "digits"),
                                            ("boosting", "synthetic"), ("boosting", "digits")])
def test_at_matched_effective_parameters_the_second_stage_is_better(model, dataset):
    """Issue 13, finding 5 (U-turn): brute force over every pair of first- and second-stage
    points within 10% in p_eff; the second stage's error is far below the first's at each
    such pair, so it does not walk back down the same U."""
    med = shipped_medians(model, dataset)
    first, second = ("leaves", "trees") if model == "forest" else ("rounds", "ensembles")
    pairs = [(a["value"], b["value"]) for _, a in med.loc[first].iterrows()
             for _, b in med.loc[second].iterrows()
             if abs(np.log(a["effective_params"] / b["effective_params"])) < np.log(1.1)]
    assert pairs
    assert max(b / a for a, b in pairs) < 0.8
    claim = {c.key: c for c in trees.claims(*_shipped())}[f"matched_{model}_{dataset}"]
    a, b = trees.matched_pair(trees.stage_medians(_shipped_rows(model, dataset)))
    assert claim.holds and abs(np.log(a["effective_params"] / b["effective_params"])) < np.log(1.15)


def _shipped():
    from experiments.framework import store

    frame, provenance = store.load("trees")
    return frame, EXP.validate(provenance["params"])


def _shipped_rows(model, dataset):
    frame, _ = _shipped()
    return frame[(frame["model"] == model) & (frame["dataset"] == dataset)
                 & (frame["metric"] == "mse")]


def test_synthetic_forest_error_halves_at_equal_effective_parameters():
    """The issue's numbers: p_eff ~93-100, forest error about half the single tree's."""
    a, b = trees.matched_pair(trees.stage_medians(_shipped_rows("forest", "synthetic")))
    assert 85 < a["effective_params"] < 110 and 85 < b["effective_params"] < 110
    assert 0.4 < b["value"] / a["value"] < 0.6


def test_matched_pair_is_the_closest_in_effective_parameters():
    summary = pd.DataFrame({"stage": ["leaves"] * 3 + ["trees"] * 2, "stage_size": [2, 8, 30, 2, 5],
                            "n_params": [2, 8, 30, 60, 150], "value": [3.0, 2.0, 2.5, 1.0, 0.8],
                            "effective_params": [2.0, 8.0, 30.0, 20.0, 9.0]})
    a, b = trees.matched_pair(summary)
    assert (a["stage_size"], b["stage_size"]) == (8, 5)


@pytest.mark.slow
def test_u_turn_page_shows_the_matched_comparison_not_the_same_u():
    from streamlit.testing.v1 import AppTest

    from dashboard.pages import u_turn

    assert "left arm of a U again" not in u_turn.__doc__ + u_turn.LESSON
    at = AppTest.from_function(page_script, args=("u-turn",), default_timeout=120).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "At matched effective parameters" in text and "lower curve" in text


@pytest.mark.slow
def test_trees_caption_says_boosting_never_interpolates():
    """The caption under boosting panels used to say an interpolating forest has exactly zero."""
    from streamlit.testing.v1 import AppTest

    frame, _ = _shipped()
    boost_train = frame[(frame["model"] == "boosting") & (frame["split"] == "train")
                        & (frame["metric"] == "mse")]
    assert boost_train.groupby("n_params")["value"].median().min() > 0
    at = AppTest.from_function(page_script, args=("trees",), default_timeout=120).run()
    assert not at.exception
    captions = [c.value for c in at.caption if c.value.startswith("L2-boosting: first stage")]
    assert captions and all("never reaches 0" in c and "forest" not in c.lower()
                            for c in captions)


def test_effective_chart_marks_the_matched_pair(forest_run):
    rows = forest_run[forest_run["dataset"] == "digits"]
    pair = pd.DataFrame(trees.matched_pair(trees.stage_medians(rows[rows["metric"] == "mse"])))
    spec = charts_trees.effective_chart(rows, "mse", matched=pair).to_dict()
    diamonds = [layer for layer in spec["layer"] if layer.get("mark", {}).get("shape") == "diamond"]
    assert len(diamonds) == 1
    drawn = spec["datasets"][diamonds[0]["data"]["name"]]
    assert sorted(d["stage"] for d in drawn) == ["leaves", "trees"]


def test_slice_predictions_match_the_fitted_models():
    """The stored slice predictions are the models' own: the interpolating tree predicts a
    training label, and the stages' sizes are the ones the error rows were measured at."""
    params = {"dataset": "synthetic", "model": "forest", "n_train": 60, "max_trees": 3}
    frame = run(EXP, params, seeds=[4]).frame
    predicted = frame[frame["metric"] == "prediction"]
    errors = frame[frame["metric"] == "mse"]
    assert set(predicted["n_params"]) == set(errors["n_params"])
    data = trees.load("synthetic", EXP.validate(params), 4)
    t, points = trees.slice_inputs()
    tree = trees.make_forest(1, 60, 4).fit(data[0], data[1][:, 0])
    at_n = predicted[(predicted["stage"] == "leaves") & (predicted["n_params"] == 60)]
    np.testing.assert_allclose(at_n["x"], t)
    np.testing.assert_allclose(at_n["value"], tree.predict(points), rtol=1e-6)
    gap = np.abs(at_n["value"].to_numpy()[:, None] - data[1][:, 0][None, :]).min(axis=1)
    assert gap.max() < 1e-5  # leaves of one training point each
    truth = frame[(frame["metric"] == "truth") & (frame["model"] == "forest")]
    np.testing.assert_allclose(truth["value"], synthetic_target(trees.SYNTHETIC_DIM)(points))
