"""Deep double descent: the model-wise peak of a two-layer network near n_train x classes
weights on noisy digits, the widest network beating it, weight decay removing it, the cost
estimate, bad parameters and the shipped data's claims."""
import time

import numpy as np
import pytest

from experiments import deep_double_descent as ddd
from experiments import run
from experiments.framework import store
from experiments.framework.claims import by_key
from experiments.framework.params import ParamError

EXP = ddd.EXPERIMENT
SMALL = {"n_train": 100, "max_width": 300, "n_widths": 6}


@pytest.fixture(scope="module")
def small():
    return run(EXP, SMALL, seeds=2).frame


@pytest.mark.slow
def test_peak_near_the_interpolation_threshold_and_the_widest_beats_it(small):
    """Issue 15's done-when: a peak near n x classes weights, the widest model better."""
    loss = ddd.median_curve(small, "mse")
    err = ddd.median_curve(small, "error_rate")
    peak = loss.idxmax()
    assert 1 / 3 <= peak / (100 * 10) <= 3
    assert loss.index[0] < peak < loss.index[-1]  # an interior peak
    assert loss[peak] > 1.5 * loss.iloc[0] and loss[peak] > 2 * loss.iloc[-1]
    assert err.iloc[-1] < err[peak]
    train = ddd.median_curve(small, "error_rate", "train")
    assert (train[train.index >= peak] == 0).all()  # the flipped labels are fitted too
    assert train.iloc[0] > 0.3


@pytest.mark.slow
def test_weight_decay_removes_the_peak():
    frame = run(EXP, {**SMALL, "n_widths": 3, "weight_decay": "0, 0.01"}, seeds=[0]).frame
    plain, decayed = (ddd.median_curve(frame, "mse", weight_decay=wd) for wd in (0.0, 0.01))
    peak = plain.idxmax()
    assert decayed[peak] < 0.5 * plain[peak]
    assert decayed.max() < plain.max()


def test_rows_carry_width_and_weight_count():
    frame = run(EXP, {"n_train": 50, "max_width": 8, "n_widths": 2, "epochs": 10}, seeds=[3]).frame
    widths = ddd.widths_for(EXP.validate({"n_train": 50, "max_width": 8, "n_widths": 2}))
    assert sorted(frame["width"].unique()) == list(widths)
    assert (frame["n_params"] == frame["width"] * 65 + 10 * (frame["width"] + 1)).all()
    assert set(frame["metric"]) == {"mse", "error_rate"} and set(frame["split"]) == {"train",
                                                                                     "test"}


def test_threshold_width_is_always_swept():
    params = EXP.validate({"n_train": 333, "n_widths": 3})
    width = int(ddd.widths_for(params)[np.argmin(np.abs(ddd.widths_for(params) - 45))])
    assert abs(65 * width + 10 * (width + 1) - 3330) < 75


def test_same_seed_same_numbers():
    params = {"n_train": 50, "max_width": 8, "n_widths": 2, "epochs": 20}
    assert run(EXP, params, seeds=[4]).frame.equals(run(EXP, params, seeds=[4]).frame)


def test_cost_is_an_upper_estimate_of_the_work():
    params = {"n_train": 100, "max_width": 100, "n_widths": 3, "epochs": 300}
    start = time.process_time()
    run(EXP, params, seeds=[0])
    spent = time.process_time() - start
    assert spent < 3 * EXP.cost(EXP.validate(params), 1)
    assert EXP.cost(EXP.defaults(), EXP.default_seeds) < 8  # default on demand: a few seconds


@pytest.mark.parametrize("params, fragment", [
    ({"n_train": 10}, "n_train"), ({"label_noise": 1.5}, "label_noise"),
    ({"max_width": 2}, "max_width"), ({"n_widths": 0}, "n_widths"), ({"epochs": "x"}, "epochs"),
    ({"lr": 0}, "lr"), ({"weight_decay": "-1"}, "weight_decay"),
    ({"weight_decay": "0, 0.1, 0.2, 0.3, 0.4"}, "weight_decay"),
    ({"max_width": 4000, "n_widths": 30, "epochs": 20000}, "too large"),
])
def test_bad_parameters_are_rejected(params, fragment):
    with pytest.raises(ParamError, match=fragment):
        run(EXP, params, seeds=1)


def test_shipped_data_hold_the_peak_and_every_claim():
    frame, provenance = store.load(EXP.id)
    params = EXP.validate(provenance["params"])
    claims = by_key(EXP.claims(frame, params))
    keys = {"peak_near_threshold", "widest_beats_peak", "interpolates", "weight_decay_removes_peak"}
    assert keys <= set(claims) and all(claims[k].holds for k in keys)
    assert frame["weight_decay"].nunique() >= 2 and frame["seed"].nunique() >= 3
