"""Home's guided tour: six stops in story order, each sentence holding on the shipped data
with its numbers equal to ones recomputed here straight from the stored rows, and a chart
per stop drawing those rows."""
from __future__ import annotations

import re

import pytest

from dashboard.charts import tour as tour_charts
from experiments.analysis import tour
from experiments.framework import registry, store


@pytest.fixture(scope="module")
def shipped():
    """key -> (claim, rows, frame, params) for every stop, on the shipped results."""
    out = {}
    for stop in tour.STOPS:
        frame, provenance = store.load(stop.experiment)
        params = registry.get(stop.experiment).validate(provenance["params"])
        claim, rows = stop.measure(frame, params)
        out[stop.key] = claim, rows, frame, params
    return out


def numbers(text: str) -> list[float]:
    """The numbers of a sentence, in order ("71,477" -> 71477, "5.0%" -> 0.05)."""
    found = re.findall(r"(\d[\d,]*\.?\d*)(%?)", text)
    return [float(n.replace(",", "")) / (100 if pct else 1) for n, pct in found]


def test_the_story_runs_from_the_textbook_u_to_scaling_laws():
    assert [s.key for s in tour.STOPS] == ["textbook_u", "double_descent", "more_data_hurts",
                                          "regularization", "grok", "scaling_laws"]
    assert set(tour_charts.CHARTS) == {s.key for s in tour.STOPS}
    for stop in tour.STOPS:
        assert stop.experiment in registry.experiments()


@pytest.mark.slow
def test_every_stop_holds_on_the_shipped_data(shipped):
    failing = [f"{key}: {claim.text}" for key, (claim, *_rest) in shipped.items()
               if not claim.holds]
    assert not failing, "\n".join(failing)
    assert all(claim.key == key and claim.regime for key, (claim, *_rest) in shipped.items())


def test_textbook_u_numbers_are_the_test_medians(shipped):
    claim, _, frame, params = shipped["textbook_u"]
    test = frame[(frame["metric"] == "mse") & (frame["split"] == "test") & (frame["seed"] >= 0)]
    median = test.pivot_table(index="n_params", columns="seed", values="value").median(axis=1)
    n, a, first, b, best_n, c, last_n = numbers(claim.text)[:7]
    assert n == params["n_train"] and first == median.index.min()
    assert a == pytest.approx(median[first], rel=1e-2)
    assert best_n == median[median.index < n].idxmin()
    assert b == pytest.approx(median[best_n], rel=1e-2)
    assert c == pytest.approx(median[last_n], rel=1e-2) and c > median[1]  # the right arm


@pytest.mark.slow
def test_double_descent_peak_sits_at_n_and_the_widest_beats_the_best_small(shipped):
    claim, rows, frame, params = shipped["double_descent"]
    n = params["n_train"]
    median = rows.groupby("n_params")["value"].median()
    peak, peak_n, widest_n, wide, best, best_n = numbers(claim.text)[:6]
    assert peak_n == n == median.idxmax() and peak == pytest.approx(median[n], abs=5e-4)
    assert widest_n == median.index.max() and wide == pytest.approx(median[widest_n], abs=5e-4)
    assert best == pytest.approx(median[median.index < n].min(), abs=5e-4)
    assert wide < best < peak
    assert set(rows["split"]) == {"test"} and set(rows["ridge"]) == {0.0}


def test_grokking_epochs_are_where_the_median_curves_cross(shipped):
    claim, rows, frame, params = shipped["grok"]
    acc = frame[(frame["metric"] == "accuracy") & (frame["seed"] >= 0)]
    median = acc.groupby(["split", "step"])["value"].median()
    memorized = median["train"][median["train"] >= 0.99].index.min()
    generalized = median["test"][median["test"] >= 0.95].index.min()
    p, memo, _, gen, ratio = numbers(claim.text)[:5]
    assert (p, memo, gen) == (params["p"], memorized, generalized)
    assert ratio == round(generalized / memorized)
    assert (rows["step"] > 0).all()  # a log axis


@pytest.mark.slow
def test_more_data_hurts_numbers_are_the_fit_medians(shipped):
    claim, _, frame, params = shipped["more_data_hurts"]
    fit = frame[(frame["model"] == "least_squares") & (frame["split"] == "test")
                & (frame["variant"] == "plain") & (frame["intercept"] == params["intercept"])]
    median = fit.groupby("n_train")["value"].median()
    features, low, low_n, peak, peak_n, ratio, end, end_n = numbers(claim.text)
    assert features == peak_n == median.idxmax()  # the peak where examples = features
    assert peak == round(median.max()) and low == round(median[low_n])
    assert low_n == median[median.index < peak_n].idxmin()
    assert (end_n, end) == (median.index.max(), round(median.iloc[-1]))
    assert ratio == round(median.max() / median[low_n])


@pytest.mark.slow
def test_scaling_numbers_are_each_family_s_first_and_last_medians(shipped):
    claim, rows, frame, _ = shipped["scaling_laws"]
    test = frame[(frame["curve"] == "data") & (frame["split"] == "test")
                 & (frame["metric"] == "error_rate") & (frame["seed"] >= 0)]
    table = test.pivot_table(index="n_train", columns="family", values="value", aggfunc="median")
    gains = table.iloc[0] / table.iloc[-1]
    assert f"falls {gains.max():.0f}x" in claim.text and f"{gains.min():.1f}x" in claim.text
    assert numbers(claim.text)[:2] == [table.index[0], table.index[-1]]
    legend = tour_charts.scaling_laws(rows, {}).to_dict()["layer"][0]["encoding"]["color"]
    assert "_" not in "".join(legend["scale"]["domain"])  # readers' names, not column values


X = {"textbook_u": "n_params", "double_descent": "n_params", "more_data_hurts": "n_train",
     "regularization": "n_params", "grok": "step", "scaling_laws": "n_train"}


@pytest.mark.slow
def test_each_chart_draws_every_x_of_its_stop(shipped):
    for key, (_claim, rows, _frame, params) in shipped.items():
        x = X[key]
        spec = tour_charts.CHARTS[key](rows, params).to_dict()
        drawn = {r[x] for data in spec["datasets"].values() for r in data
                 if "centre" in r and x in r}
        assert drawn == set(rows[x]), key
