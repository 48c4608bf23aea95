"""Emergence as a metric artefact (Schaeffer et al. 2023): exact match of L test digits
equals per-token accuracy^L within noise (and the closed form for digits drawn without
repetition, checked by brute force), edit distance = L x per-token error, per-token
accuracy rises smoothly with width, and bad parameters get one-line errors."""
import itertools

import numpy as np
import pytest

from dashboard.charts import emergence as charts_emergence
from experiments import emergence as em
from experiments import run
from experiments.framework.params import ParamError

EXP = em.EXPERIMENT
SMALL = {"n_train": 200, "max_width": 800, "n_widths": 8, "answer_length": 10,
         "n_answers": 3000}


@pytest.fixture(scope="module")
def small():
    return run(EXP, SMALL, seeds=2).frame


def wide(frame):
    return frame.pivot_table(index=["seed", "n_params"], columns="metric", values="value")


def test_exact_match_equals_token_accuracy_to_the_power_l(small):
    """The issue's done-when: within 4.5 binomial standard errors at every seed and width,
    after allowing for the (known) finite-population gap; and the metric really is sharp."""
    table = wide(small)
    acc, exact = table["token_accuracy"], table["exact_match"]
    power = acc**10
    se = np.sqrt(np.clip(power * (1 - power), 1 / 3000, None) / 3000)
    gap = np.abs(power - em.without_repetition(acc, 10, 1597))
    assert (np.abs(exact - power) < 4.5 * se + gap).all()
    np.testing.assert_allclose(table["token_accuracy_pow_l"], power)
    assert em.independence_z(small, EXP.validate(SMALL)) < 4.5
    assert exact.max() > 0.3 and exact.groupby("seed").first().max() < 0.05


def test_without_repetition_matches_brute_force():
    right = np.array([1, 1, 0, 1, 1, 1, 0, 1, 1], bool)
    for length in (1, 2, 3, 5):
        brute = np.mean([right[list(c)].all() for c in itertools.combinations(range(9), length)])
        assert em.without_repetition(right.mean(), length, 9) == pytest.approx(brute)


def test_edit_distance_is_l_times_token_error(small):
    table = wide(small)
    expected = 10 * (1 - table["token_accuracy"])
    se = np.sqrt(10 * table["token_accuracy"] * (1 - table["token_accuracy"]) / 3000)
    assert (np.abs(table["edit_distance"] - expected) < 4.5 * se + 1e-9).all()


def test_token_accuracy_rises_smoothly_with_width(small):
    curve = em.medians(small)["token_accuracy"]
    assert curve.iloc[0] < 0.75 and curve.iloc[-1] > 0.93
    assert (np.diff(curve.to_numpy()) > -0.01).all()


def test_answers_are_distinct_test_digits():
    picks = em.answers(50, 20, 500, 3)
    assert picks.shape == (500, 20) and picks.min() >= 0 and picks.max() < 50
    assert all(len(set(row)) == 20 for row in picks)
    counts = np.bincount(picks.ravel(), minlength=50)
    assert counts.min() > 0.7 * counts.mean()  # every digit equally likely


def test_crossing_interpolates_in_log_width():
    import pandas as pd

    curve = pd.Series([0.0, 0.0, 1.0], index=[10, 100, 1000])
    assert em.crossing(curve, 0.5) == pytest.approx(10**2.5)


@pytest.mark.parametrize("values", [{"answer_length": "0"}, {"answer_length": "2.5"},
                                    {"ridge": "0"}, {"n_widths": 100}, {"max_width": "big"},
                                    {"dataset": "mnist"}])
def test_bad_values_get_one_line_errors(values):
    with pytest.raises(ParamError) as err:
        EXP.validate(values)
    assert "\n" not in str(err.value) and next(iter(values)) in str(err.value)


def test_cost_grows_with_the_work():
    base = EXP.defaults()
    assert em.cost(base, EXP.default_seeds) < 5
    assert em.cost({**base, "max_width": 8000}, 1) > em.cost(base, 1)
    assert em.cost({**base, "n_answers": 50000}, 1) > em.cost(base, 1)


@pytest.mark.parametrize("log_y", [False, True])
def test_scores_chart_draws_three_scores(small, log_y):
    spec = charts_emergence.scores_chart(small, length=10, log_y=log_y).to_dict()
    encoding = spec["layer"][0]["encoding"]
    assert encoding["color"]["scale"]["domain"] == list(charts_emergence.curve_names(10).values())
    assert encoding["x"]["scale"]["type"] == "log"
    y_scale = spec["layer"][0]["encoding"]["y"]["scale"]
    assert y_scale.get("type", "linear") == ("log" if log_y else "linear")


def test_both_scores_charts_name_their_series_alike(small):
    titles = set()
    for log_y in (False, True):
        encoding = charts_emergence.scores_chart(small, length=10, log_y=log_y).to_dict()[
            "layer"][0]["encoding"]
        titles |= {encoding["color"]["title"]}
        titles |= {t["title"] for t in encoding["tooltip"] if t["field"] == encoding["color"][
            "field"]}
    assert titles == {"score"}


def test_edit_chart_shows_only_edit_distance(small):
    spec = charts_emergence.edit_chart(small, length=10).to_dict()
    rows = [row for data in spec["datasets"].values() for row in data]
    assert {row["metric"] for row in rows} == {"edit distance"}  # its human label
