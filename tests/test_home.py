"""Home tells the truth: its modern panel is a curve in which the widest model beats the
best classical one, both points are ringed and named in one measured sentence, and the
y axis shows the whole peak. Checked on the shipped data, the charts as built, and in a
real browser at desktop and phone widths."""
from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.ui.labels import readable
from experiments import random_features as rf
from experiments.framework import registry, store
from experiments.framework.claims import by_key


def page_script():
    from dashboard.app import render_page

    render_page("home")


@pytest.fixture()
def home(monkeypatch):
    """Home opened once, with every chart it shows recorded as (chart spec, data frame)."""
    from dashboard.ui import exports

    shown = {}
    original = exports.show_chart

    def record(chart, frame, name):
        shown[name] = (chart.to_dict(), frame)
        original(chart, frame, name)

    monkeypatch.setattr(exports, "show_chart", record)
    st.cache_data.clear()
    at = AppTest.from_function(page_script, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    return at, shown


def shipped_claims():
    frame, provenance = store.load("random_features")
    params = registry.get("random_features").validate(provenance["params"])
    return frame, params, by_key(rf.claims(frame, params))


def layer_datasets(spec: dict) -> list[list[dict]]:
    return list(spec.get("datasets", {}).values())


def test_modern_panel_is_a_curve_where_the_widest_model_beats_the_classical_optimum(home):
    """Issue 13, finding 2: the old panel showed the polynomial sweep (0.012 -> 0.042)."""
    _, shown = home
    _, frame = shown["home-double-descent"]
    test = frame[(frame["split"] == "test") & (frame["seed"] >= 0)]
    assert test["metric"].nunique() == 1
    median = test.groupby("n_params")["value"].median()
    n = int(frame["n_train"].iloc[0])
    assert median.index.max() > 10 * n
    assert median[median.index.max()] < median[median.index < n].min()
    assert median.idxmax() == n  # and it is a double descent: the peak sits at N = n


@pytest.mark.slow
def test_the_whole_peak_is_on_the_axis(home):
    _, shown = home
    spec, _ = shown["home-double-descent"]
    assert "axis clipped" not in str(spec)
    rows = [r for data in layer_datasets(spec) for r in data if "centre_plot" in r]
    assert max(r["centre_plot"] for r in rows) == max(r["centre"] for r in rows)
    assert max(r["high_plot"] for r in rows) == max(r["high"] for r in rows)


@pytest.mark.slow
def test_both_best_points_are_ringed_and_named_in_one_sentence(home):
    at, shown = home
    frame, params, claims = shipped_claims()
    points = rf.best_points(frame, params["n_train"])
    spec, _ = shown["home-double-descent"]
    marked = [r for data in layer_datasets(spec) for r in data if "label" in r and "value" in r]
    assert sorted(r["n_params"] for r in marked) == sorted(points["n_params"])
    left, _ = shown["home-u-curve"]
    left_marks = [r for data in layer_datasets(left) for r in data if "label" in r and "value" in r]
    assert [r["n_params"] for r in left_marks] == [points["n_params"].iloc[0]]
    sentence = claims["widest_beats_classical"]
    assert sentence.holds
    assert any(readable(sentence.text) in m.value for m in at.markdown)
    for n_params, value in zip(points["n_params"], points["value"]):
        assert f"N = {n_params}" in sentence.text and f"{100 * value:.1f}%" in sentence.text


def test_the_modern_sentence_holds_on_the_shipped_data():
    frame, params, claims = shipped_claims()
    points = rf.best_points(frame, params["n_train"])
    assert claims["widest_beats_classical"].holds
    assert points["value"].iloc[1] < points["value"].iloc[0]  # widest beats best N < n
    assert points["n_params"].iloc[0] < params["n_train"] < points["n_params"].iloc[1]


@pytest.mark.slow
def test_the_left_chart_says_which_experiment_it_is(home):
    at, _ = home
    text = " ".join(c.value for c in at.caption)
    assert "random Fourier features" in text and "digits" in text


@pytest.mark.browser
@pytest.mark.parametrize("width", [1400, 390])
def test_home_in_a_browser_at_desktop_and_phone_width(dashboard_url, browser, width):
    from tests.helpers import ARTIFACTS, exception_boxes, wait_for_app, wait_for_charts

    context = browser.new_context(viewport={"width": width, "height": 2600})
    page = context.new_page()
    try:
        page.goto(dashboard_url)
        charts = wait_for_charts(page, count=2)
        wait_for_app(page)
        assert len(charts) == 2 and all(c["drawn"] > 3 and not c["nan"] for c in charts)
        assert exception_boxes(page) == 0
        assert page.get_by_text("The best under-parameterized model").is_visible()
        page.screenshot(path=str(ARTIFACTS / f"home-{width}.png"), full_page=True)
    finally:
        context.close()
