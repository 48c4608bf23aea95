"""Grokking: exact gradients, memorize-then-generalize, no grokking without weight decay,
the phase diagram, and the chart builders."""
import numpy as np
import pandas as pd
import pytest

from dashboard import charts_grokking
from experiments import grokking, grokking_phase, modular_net as net, run
from experiments.params import ParamError

EXP = grokking.EXPERIMENT
SEEDS = (0, 1, 2)


# Gradients ----------------------------------------------------------------------------------

def numeric_grads(weights, a, b, label, activation, loss, h=1e-6):
    out = []
    for w in weights:
        g = np.zeros_like(w)
        for idx in np.ndindex(w.shape):
            keep = w[idx]
            w[idx] = keep + h
            up = net.loss_value(net.forward(weights, a, b, activation)[0], label, loss)
            w[idx] = keep - h
            down = net.loss_value(net.forward(weights, a, b, activation)[0], label, loss)
            w[idx] = keep
            g[idx] = (up - down) / (2 * h)
        out.append(g)
    return out


@pytest.mark.parametrize("activation", ["quadratic", "relu"])
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
@pytest.mark.parametrize("sorted_a", [False, True])
def test_gradients_match_finite_differences(activation, loss, sorted_a):
    p, width, n = 5, 6, 12
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, p, n), rng.integers(0, p, n)
    if sorted_a:  # the trainer's layout: rows grouped by a, summed without a gather
        order = np.argsort(a, kind="stable")
        a, b = a[order], b[order]
    label = (a + b) % p
    weights = net.init_weights(p, width, seed=1, dtype=np.float64)
    weights = [w * 3 for w in weights]  # larger weights: ReLU kinks far from the probes
    grads, _ = net.gradients(weights, a, b, label, activation, loss)
    for got, want in zip(grads, numeric_grads(weights, a, b, label, activation, loss)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-8)


def test_grouped_sum_matches_scatter_add():
    rng = np.random.default_rng(0)
    index, rows = rng.integers(0, 7, 50), rng.standard_normal((50, 4))
    want = np.zeros((9, 4))
    np.add.at(want, index, rows)
    got = np.zeros((9, 4))
    net.Groups(index).sum_into(got, rows)
    np.testing.assert_allclose(got, want)


def test_adamw_flushes_subnormals_and_decays():
    w = [np.array([1.0, 1e-39, 2.0], np.float32)]
    moments = [[np.array([1e-40, 0.0, 0.0], np.float32), np.zeros(3, np.float32)]]
    net.adamw_step(w, [np.zeros(3, np.float32)], moments, epoch=1, lr=0.1, wd=1.0)
    assert w[0][1] == 0 and moments[0][0][0] == 0
    np.testing.assert_allclose(w[0][[0, 2]], [0.9, 1.8], rtol=1e-6)  # decoupled: w *= 1 - lr wd


def test_fourier_ipr_is_one_for_pure_waves_and_small_for_noise():
    p, r = 31, np.arange(31)
    waves = np.concatenate([np.cos(2 * np.pi * 3 * r / p + 0.4), np.sin(2 * np.pi * 5 * r / p)])
    assert net.fourier_ipr(np.stack([waves, 2 * waves], axis=1)) == pytest.approx(1.0)
    noise = np.random.default_rng(0).standard_normal((2 * p, 200))
    assert net.fourier_ipr(noise) < 0.15


# The phenomenon -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def default_run():
    """The default on-demand setting (p = 59, width 256, 30% data, wd 5, 400 epochs)."""
    return run(EXP, {}, seeds=list(SEEDS))


def per_seed(frame, split, seed):
    rows = frame[(frame["metric"] == "accuracy") & (frame["split"] == split) & (frame["seed"] == seed)]
    return rows.set_index("step")["value"]


@pytest.mark.parametrize("seed", SEEDS)
def test_memorizes_long_before_it_generalizes(default_run, seed):
    train, test = per_seed(default_run, "train", seed), per_seed(default_run, "test", seed)
    memorized = train.index[train >= 0.99][0]
    generalized = test.index[test >= 0.95][0]
    assert memorized <= 30  # docs/science.md: ~12-15 epochs
    assert test.loc[memorized] < 0.05  # at chance or below when the training set is fitted
    assert generalized >= 4 * memorized
    assert test.iloc[-1] > 0.95 and train.iloc[-1] > 0.99


def test_neurons_turn_into_waves_while_weight_decay_holds_the_norm(default_run):
    median = default_run[default_run["seed"] >= 0].groupby(["metric", "step"])["value"].median()
    ipr, norm = median["fourier_ipr"], median["weight_norm"]
    marks = grokking.milestones(default_run)
    assert marks["memorized"] < marks["generalized"]
    assert ipr.iloc[-1] > 5 * ipr.iloc[0]
    assert ipr.loc[marks["generalized"]] > 2 * ipr.loc[marks["memorized"]]
    # AdamW's normalized steps grow the norm while memorizing; decay then levels it off.
    assert norm.loc[marks["generalized"]] > 1.5 * norm.iloc[0]
    assert norm.iloc[-1] < 1.15 * norm.loc[marks["generalized"]]


def test_without_weight_decay_it_does_not_generalize():
    frame = run(EXP, {"weight_decay": 0.0}, seeds=[0])
    assert per_seed(frame, "train", 0).iloc[-1] > 0.99
    assert per_seed(frame, "test", 0).iloc[-1] < 0.5
    assert grokking.milestones(frame)["generalized"] is None
    ipr = frame.loc[frame["metric"] == "fourier_ipr", "value"]
    assert ipr.iloc[-1] < 0.3  # no waves: a lookup table


def test_same_seed_same_curve_and_other_seed_differs():
    small = {"p": 23, "width": 64, "epochs": 120, "weight_decay": 1.0, "train_fraction": 0.5}
    one, two = run(EXP, small, seeds=[4]), run(EXP, small, seeds=[4])
    pd.testing.assert_frame_equal(one.drop(columns="experiment"), two.drop(columns="experiment"))
    other = run(EXP, small, seeds=[5])
    assert not np.allclose(one["value"], other["value"])


@pytest.mark.parametrize("operation", ["subtract", "multiply"])
def test_other_operations_are_learned(operation):
    params = {"p": 23, "operation": operation, "train_fraction": 0.6, "width": 128,
              "epochs": 300, "weight_decay": 1.0}
    frame = run(EXP, params, seeds=[0])
    assert per_seed(frame, "train", 0).iloc[-1] > 0.99
    assert per_seed(frame, "test", 0).iloc[-1] > 0.95  # 1/p = 0.04 is chance


def test_relu_with_cross_entropy_shows_the_classic_long_plateau():
    """docs/science.md: p = 47, 50% data, wd 1: train 99% at ~25 epochs, test 95% at ~550."""
    params = {"p": 47, "activation": "relu", "loss": "cross_entropy", "train_fraction": 0.5,
              "weight_decay": 1.0, "epochs": 1000}
    frame = run(EXP, params, seeds=[0])
    marks = grokking.milestones(frame)
    assert marks["memorized"] <= 60
    assert marks["generalized"] is not None and marks["generalized"] >= 8 * marks["memorized"]


@pytest.mark.parametrize("values,fragment", [
    ({"p": 1}, "p: 1 is out of range"),
    ({"train_fraction": 0.0}, "train_fraction: 0 is out of range"),
    ({"train_fraction": 1.0}, "train_fraction: 1 is out of range"),
    ({"weight_decay": -0.5}, "weight_decay: -0.5 is out of range"),
    ({"epochs": 20001}, "epochs: 20001 is out of range"),
    ({"operation": "power"}, "operation: 'power' is not allowed"),
])
def test_bad_parameters_are_rejected(values, fragment):
    with pytest.raises(ParamError, match=fragment):
        run(EXP, values, seeds=1)


def test_runs_over_the_budget_are_refused():
    with pytest.raises(ParamError, match="too large for on-demand compute"):
        run(EXP, {"p": 113, "width": 1024, "epochs": 20000}, seeds=3)


def test_spectra_sum_to_one_per_neuron_and_epoch():
    params = EXP.validate({"p": 23, "width": 64, "epochs": 50})
    spec = grokking.fourier_spectra(params, 0, [1, 50], neurons=3)
    assert set(spec["epoch"]) == {1, 50} and spec["neuron"].nunique() == 3
    assert spec["frequency"].max() == 11
    np.testing.assert_allclose(spec.groupby(["epoch", "neuron"])["power"].sum(), 1.0)


# Phase diagram ---------------------------------------------------------------------------------

def test_phase_diagram_shows_memorization_and_generalization():
    frame = run(grokking_phase.EXPERIMENT, {}, seeds=[0])
    cells = grokking_phase.cells(frame).set_index(["train_fraction", "weight_decay"])
    assert cells.loc[(0.3, 0.0), "phase"] == "memorize only"
    assert cells.loc[(0.7, 1.0), "generalized"] == 1
    assert cells.loc[(0.7, 1.0), "phase"] in ("grok", "comprehend quickly")
    never = cells[cells["generalized"] == 0]
    assert (never["epochs_to_generalize"] == 1000).all()  # the budget stands in for never
    assert np.isfinite(frame["value"]).all()


def test_phase_labels():
    assert grokking_phase.phase_of(10, 200) == "grok"
    assert grokking_phase.phase_of(10, 25) == "comprehend quickly"
    assert grokking_phase.phase_of(10, None) == "memorize only"
    assert grokking_phase.phase_of(None, None) == "fail"


# Charts ------------------------------------------------------------------------------------

def test_progress_chart_has_aligned_log_axes_and_milestones(default_run):
    marks = grokking.milestones(default_run)
    specs = [c.to_dict() for c in charts_grokking.progress_panels(default_run, marks)]
    assert len(specs) == 3
    x_scales = {str(s["layer"][0]["encoding"]["x"]["scale"]) for s in specs}
    assert len(x_scales) == 1 and "'type': 'log'" in x_scales.pop()  # one shared log domain
    for spec in specs:
        marks_layer = spec["layer"][-1]["layer"]  # the milestone rules and their labels
        rules = [layer for layer in marks_layer if layer["mark"]["type"] == "rule"]
        data = rules[0].get("data") or spec["layer"][-1]["data"]
        steps = [row["step"] for row in spec["datasets"][data["name"]]]
        assert steps == [marks["memorized"], marks["generalized"]]
    text = charts_grokking.gap_sentence(marks["memorized"], marks["generalized"], 400)
    assert text.startswith(f"Memorized at epoch {marks['memorized']}, generalized at epoch")


def test_gap_sentence_when_it_never_generalizes():
    assert "never reached 95%" in charts_grokking.gap_sentence(12, None, 400)
    assert charts_grokking.gap_sentence(12, 240, 400).endswith("20x later.")


def test_heatmap_and_spectrum_charts():
    cells = pd.DataFrame({"train_fraction": [0.3, 0.7], "weight_decay": [0.0, 1.0],
                          "epochs_to_memorize": [10.0, 20.0], "epochs_to_generalize": [1000.0, 60.0],
                          "generalized": [0.0, 1.0], "seeds": [3, 3],
                          "phase": ["memorize only", "comprehend quickly"]})
    spec = charts_grokking.phase_heatmap(cells).to_dict()
    assert spec["layer"][0]["mark"]["type"] == "rect"
    assert spec["layer"][0]["encoding"]["color"]["field"] == "phase"
    assert {t["field"] for t in spec["layer"][0]["encoding"]["tooltip"]} >= {"generalized", "phase"}
    spectra = pd.DataFrame({"epoch": [1, 1, 9, 9], "neuron": [0, 0, 0, 0],
                            "frequency": [0, 1, 0, 1], "power": [0.5, 0.5, 0.0, 1.0]})
    spec = charts_grokking.spectrum_chart(spectra).to_dict()
    assert spec["facet"]["column"]["field"] == "moment"
    with pytest.raises(ValueError):
        charts_grokking.phase_heatmap(cells.iloc[:0])


# Page --------------------------------------------------------------------------------------

def grokking_page():
    from dashboard.app import render_page

    render_page("grokking")


def test_train_live_button_draws_a_finished_run():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(grokking_page, default_timeout=120).run()
    assert not at.exception
    at.button(key="grokking.train_live").click().run()
    assert not at.exception, [e.value for e in at.exception]
    live = [m.value for m in at.markdown if m.value.startswith("**Live run (seed 0): finished.**")]
    assert live and "Memorized at epoch" in live[0]
