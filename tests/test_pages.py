"""AppTest smoke tests: every registered page runs without an exception and shows
charts; missing data and bad settings give a clear message instead of a traceback."""
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.app import page_table
from experiments.framework import store
from tests.helpers import open_page

PAGES = [path for entries in page_table().values() for path, _title, _render in entries]


def charts(at: AppTest) -> list:
    return at.get("vega_lite_chart") + at.get("arrow_vega_lite_chart")


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.mark.slow
@pytest.mark.parametrize("url_path", PAGES)
def test_every_page_runs_and_shows_a_chart(url_path):
    at = open_page(url_path)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert charts(at), f"page {url_path} shows no chart"


def test_every_experiment_has_a_page():
    from experiments.framework import registry

    assert set(registry.experiments()) <= set(PAGES)


@pytest.mark.parametrize("url_path", ["home", "polynomial"])
def test_missing_shipped_data_gives_a_clear_error(url_path, tmp_path, monkeypatch):
    monkeypatch.setattr(store, "DATA_DIR", tmp_path)
    at = open_page(url_path)
    assert not at.exception
    assert any("is missing" in e.value and "precompute" in e.value for e in at.error)


@pytest.mark.slow
def test_polynomial_run_from_the_form_shows_the_new_result():
    at = open_page("polynomial")
    at.number_input(key="polynomial.max_degree").set_value(90)
    at.slider(key="polynomial.seeds").set_value(4)
    at.button[0].click()  # the form's Run button
    at.run()
    assert not at.exception and not at.error
    assert any("Showing your run" in s.value for s in at.success)
    assert charts(at)
