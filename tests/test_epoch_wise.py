"""Epoch-wise double descent: the closed-form GD path against explicitly iterated gradient
descent, the interior peak and second descent of the linear model, the network's
memorization of flipped labels, and one-line errors."""
import numpy as np
import pytest

from experiments import epoch_wise as ew
from experiments import run
from experiments.framework.params import ParamError

EXP = ew.EXPERIMENT


@pytest.mark.parametrize("n_fast, n_slow", [(50, 10), (80, 60)])  # p < n and p > n
def test_closed_form_path_equals_iterated_gradient_descent(n_fast, n_slow):
    params = {**EXP.defaults(), "n_fast": n_fast, "n_slow": n_slow, "lr": 0.2}
    x, y, beta, s = ew.linear_problem(params, seed=4)
    checkpoints = np.array([0, 1, 7, 40, 300])
    train, risk = ew.exact_path(x, y, beta, s, params["lr"], checkpoints)
    b, n, seen = np.zeros(x.shape[1]), len(y), {}
    for t in range(checkpoints.max() + 1):
        if t in checkpoints:
            seen[t] = (np.mean((y - x @ b) ** 2), (b - beta) @ (s * (b - beta)))
        b = b + params["lr"] / n * x.T @ (y - x @ b)
    assert train == pytest.approx([seen[t][0] for t in checkpoints], rel=1e-9, abs=1e-12)
    assert risk == pytest.approx([seen[t][1] for t in checkpoints], rel=1e-9, abs=1e-12)


def test_linear_test_loss_peaks_inside_training_and_falls_again_by_30_percent():
    frame = run(EXP, {"model": "linear"}, seeds=5).frame
    test = ew.curve(frame, "linear", "loss")
    peak = test.idxmax()
    assert test.index.min() < peak < test.index.max()
    assert test.loc[peak] > 1.1 * test.iloc[0]
    assert test.loc[peak:].min() < 0.7 * test.loc[peak]
    train = ew.curve(frame, "linear", "loss", "train")
    assert (np.diff(train.to_numpy()) <= 1e-12).all()  # GD on a quadratic: train loss never rises


def test_one_time_scale_has_no_second_descent():
    """Control: with every feature at one scale there is nothing left to learn late."""
    frame = run(EXP, {"model": "linear", "scale_ratio": 1.0}, seeds=5).frame
    tail = ew.curve(frame, "linear", "loss")
    tail = tail.loc[tail.idxmin():]  # a plain U: after its minimum the loss only rises
    assert tail.iloc[-1] >= 0.97 * tail.max() and tail.iloc[-1] > 1.1 * tail.iloc[0]


def test_network_memorizes_flipped_labels():
    params = {"model": "network", "digits_train": 200, "width": 64, "epochs": 40,
              "label_noise": 0.3, "net_lr": 0.01}
    frame = run(EXP, params, seeds=[0]).frame
    train, test = (ew.curve(frame, "network", "error_rate", split) for split in ("train", "test"))
    assert train.iloc[-1] < 0.1 < 0.3 * 0.8 < train.iloc[0]  # flipped labels fitted too
    assert test.iloc[-1] > test.min() + 0.02  # and that costs test accuracy
    clean = ew.curve(run(EXP, {**params, "label_noise": 0.0}, seeds=[0]).frame, "network",
                     "error_rate")
    assert clean.iloc[-1] < test.iloc[-1]


def test_bad_values_give_one_line_errors():
    with pytest.raises(ParamError, match="^lr: .* diverge"):
        run(EXP, {"model": "linear", "lr": 5.0}, seeds=1)
    for bad in ({"model": "cnn"}, {"scale_ratio": 0.5}, {"label_noise": 1.5}, {"steps": 1}):
        with pytest.raises(ParamError) as err:
            EXP.validate(bad)
        assert "\n" not in str(err.value)


def test_default_run_is_within_a_few_seconds():
    assert EXP.cost(EXP.defaults(), EXP.default_seeds) < 5


def test_chart_rings_the_peak_and_leaves_out_step_zero():
    from dashboard.charts import over_steps

    frame = run(EXP, {"model": "linear", "steps": 200}, seeds=2).frame
    test = ew.curve(frame, "linear", "loss")
    spec = over_steps(frame, metric="loss",
                      peak=(float(test.idxmax()), float(test.max()))).to_dict()
    rows = [r for d in spec["datasets"].values() for r in d]
    assert min(r["step"] for r in rows if "centre" in r) >= 1
    assert any(r.get("label", "").startswith("peak at step") for r in rows)
