"""Memorization of random labels (Zhang et al. 2017): training error 0 at every share of
random labels, test error at chance when all are random, the random-features fit equals
np.linalg.pinv, the network's epochs_to_fit is the first epoch that fits, the labels are
corrupted as documented, and bad parameters get one-line errors."""
import numpy as np
import pytest

from dashboard.charts import random_labels as charts_random_labels
from dashboard.ui import palette
from experiments import random_labels as rl
from experiments import run
from experiments.framework.params import ParamError
from experiments.numerics.datasets import digits_split, one_hot
from experiments.numerics.features import draw_random_weights, random_features

EXP = rl.EXPERIMENT
SMALL = {"n_train": 200, "width": 3000, "hidden": 128, "label_fraction": (0.0, 0.5, 1.0)}


@pytest.fixture(scope="module")
def small():
    return run(EXP, SMALL, seeds=3).frame


@pytest.mark.slow
def test_train_error_zero_and_test_error_at_chance_for_random_labels(small):
    """The issue's done-when, for both models: training error exactly 0 at every share;
    with every label random the test error is within 0.05 of chance (0.9)."""
    errors = small[small["metric"] == "error_rate"]
    assert set(errors["model"]) == set(rl.MODELS)
    assert (errors.loc[errors["split"] == "train", "value"] == 0).all()
    for model in rl.MODELS:
        test = rl.medians(small, model, "error_rate", "test")
        assert test[0.0] < 0.12
        assert 0.4 < test[0.5] < 0.7
        assert abs(small[(small["model"] == model) & (small["split"] == "test")
                         & (small["metric"] == "error_rate") & (small["label_fraction"] == 1.0)]
                   ["value"].mean() - rl.CHANCE) < 0.05


@pytest.mark.slow
def test_random_features_fit_equals_pinv():
    split = digits_split(100, 4)
    labels = rl.corrupt(split.y_train, (0.0, 1.0), 4)
    train, test = rl.fit_random_features(split, labels, 300, 4)
    weights, offsets = draw_random_weights(64, 300, rl.BANDWIDTH, "fourier",
                                           np.random.default_rng([4, 3]))
    f_train = random_features(split.x_train, weights, offsets, "fourier") * np.sqrt(2 / 300)
    f_test = random_features(split.x_test, weights, offsets, "fourier") * np.sqrt(2 / 300)
    for k in range(2):
        beta = np.linalg.pinv(f_train) @ one_hot(labels[k])
        np.testing.assert_array_equal(train[k], (f_train @ beta).argmax(axis=1))
        assert np.mean(test[k] != (f_test @ beta).argmax(axis=1)) < 0.002


def test_epochs_to_fit_is_the_first_epoch_that_fits():
    params = EXP.validate({**SMALL, "models": "network", "label_fraction": (1.0,)})
    frame = rl.run_seed(params, 0).frame
    epochs = int(frame.loc[frame["metric"] == "epochs_to_fit", "value"].iloc[0])
    early = rl.run_seed({**params, "max_epochs": epochs - 1}, 0).frame
    assert "epochs_to_fit" not in set(early["metric"])
    assert early.loc[(early["metric"] == "error_rate") & (early["split"] == "train"),
                     "value"].iloc[0] > 0


def test_corruption_is_nested_and_uniform():
    truth = np.tile(np.arange(10), 2000)
    labels = rl.corrupt(truth, (0.0, 0.3, 1.0), 7)
    np.testing.assert_array_equal(labels[0], truth)
    changed = labels != truth
    assert not (changed[1] & ~changed[2]).any()  # a larger share corrupts a superset
    assert abs(changed[1].mean() - 0.3 * 0.9) < 0.02  # a random class may equal the true one
    assert abs(changed[2].mean() - 0.9) < 0.02
    assert np.bincount(labels[2], minlength=10).min() > 1700


@pytest.mark.parametrize("values", [{"label_fraction": "1.5"}, {"label_fraction": "x"},
                                    {"models": "cnn"}, {"width": 10}, {"hidden": 0},
                                    {"dataset": "mnist"}, {"lr": "-1"}])
def test_bad_values_get_one_line_errors(values):
    with pytest.raises(ParamError) as err:
        EXP.validate(values)
    assert "\n" not in str(err.value) and next(iter(values)) in str(err.value)


def test_cost_grows_with_the_work():
    base = EXP.defaults()
    assert rl.cost(base, 3) < EXP.budget_seconds
    assert rl.cost({**base, "width": 12000}, 1) > rl.cost(base, 1)
    assert rl.cost({**base, "lr": 1e-3}, 1) > rl.cost(base, 1)
    assert rl.cost({**base, "models": "network"}, 1) < rl.cost(base, 1)


def test_errors_chart_has_one_curve_per_model_and_split_and_a_chance_line(small):
    spec = charts_random_labels.errors_chart(small, chance=rl.CHANCE).to_dict()
    layers = spec["layer"]
    color = layers[0]["layer"][0]["encoding"]["color"]
    assert color["scale"]["domain"] == list(palette.MODEL_SPLITS)
    assert layers[0]["layer"][0]["encoding"]["x"]["field"] == "label_fraction"
    assert layers[1]["mark"]["type"] == "rule" and layers[1]["encoding"]["y"]["field"] == "value"
    datasets = spec["datasets"].values()
    assert any(row.get("label") == "chance (90%)" for data in datasets for row in data)


def test_epochs_chart_shows_only_the_network(small):
    spec = charts_random_labels.epochs_chart(small).to_dict()
    rows = [row for data in spec["datasets"].values() for row in data]
    assert {row["model"] for row in rows} == {"network"}
    assert sorted({row["label_fraction"] for row in rows}) == [0.0, 0.5, 1.0]
