"""Home tells the truth and stays fast: the guided tour's six stops in order, each with its
measured sentence and its chart, the double-descent stop a curve whose whole peak is on the
axis; a second visit reads no file and measures nothing. In a real browser at desktop and
phone widths, with every page, in tests/test_layout.py (one drawn chart per stop)."""
from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import data
from dashboard.charts import tour as tour_charts
from dashboard.pages import home as home_page
from dashboard.ui.labels import readable
from experiments.analysis import tour


def page_script():
    from dashboard.app import render_page

    render_page("home")


def open_home(monkeypatch) -> tuple[AppTest, dict]:
    """Home opened once, with every chart it shows recorded as (chart spec, data frame)."""
    shown = {}
    original = home_page.show_stop_chart

    def record(view):
        shown[f"home-{view.key}"] = (tour_charts.CHARTS[view.key](view.rows, view.params)
                                     .to_dict(), view.rows)
        original(view)

    monkeypatch.setattr(home_page, "show_stop_chart", record)
    st.cache_data.clear()
    at = AppTest.from_function(page_script, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    return at, shown


@pytest.fixture()
def home(monkeypatch):
    return open_home(monkeypatch)


def layer_datasets(spec: dict) -> list[list[dict]]:
    return list(spec.get("datasets", {}).values())


@pytest.mark.slow
def test_six_stops_in_order_each_with_its_sentence_chart_and_link(home):
    at, shown = home
    headings = [h.value for h in at.subheader]
    assert headings == [f"{i}. {s.heading}" for i, s in enumerate(tour.STOPS, start=1)]
    assert list(shown) == [f"home-{s.key}" for s in tour.STOPS]
    text = "\n".join(m.value for m in at.markdown)
    for stop in tour.STOPS:
        claim, _rows, _params = data.from_shipped(stop.experiment, home_page.stop_view, stop.key)
        assert claim.holds and readable(claim.text) in text
        assert f"](/{stop.experiment})" in text


@pytest.mark.slow
def test_the_double_descent_stop_shows_the_whole_peak_and_rings_both_models(home):
    _, shown = home
    spec, frame = shown["home-double_descent"]
    n = int(frame["n_train"].iloc[0])
    median = frame.groupby("n_params")["value"].median()
    assert median.idxmax() == n and median[median.index.max()] < median[median.index < n].min()
    assert "axis clipped" not in str(spec)
    rows = [r for data in layer_datasets(spec) for r in data if "centre_plot" in r]
    assert max(r["centre_plot"] for r in rows) == max(r["centre"] for r in rows)
    rings = [r for data in layer_datasets(spec) for r in data if "label" in r and "value" in r]
    assert sorted(r["n_params"] for r in rings) == [median[median.index < n].idxmin(),
                                                    median.index.max()]


@pytest.mark.slow
def test_a_second_visit_reads_no_file_and_measures_nothing(monkeypatch):
    open_home(monkeypatch)  # the stops are measured and kept
    from dashboard import data

    def refuse(*args, **kwargs):
        raise AssertionError("Home read a result file on a second visit")

    monkeypatch.setattr(data, "load_shipped", refuse)
    at, shown = open_home(monkeypatch)
    assert len(shown) == len(tour.STOPS) and not at.error
