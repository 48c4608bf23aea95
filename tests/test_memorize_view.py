"""The "Memorize or generalize?" view: five steps, each with its experiment's measured
sentences from the shipped data, and a missing result breaking only its own step."""
import altair as alt
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.pages import memorize_or_generalize as view
from dashboard.ui import labels
from experiments.framework import registry, store
from experiments.framework.claims import by_key
from tests.test_drift import copy_shipped


def page_script(url_path):
    from dashboard.app import render_page

    render_page(url_path)


def open_view(url_path: str = view.URL) -> AppTest:
    st.cache_data.clear()
    return AppTest.from_function(page_script, args=(url_path,), default_timeout=120).run()


def shown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def step_claims(step):
    frame, provenance = store.load(step.experiment)
    params = registry.get(step.experiment).validate(provenance["params"])
    claims = by_key(step.claims(frame, params))
    return [claims[key] for key in step.keys]


def test_five_steps_each_answered_by_a_claim_that_holds_on_the_shipped_data():
    assert [s.experiment for s in view.STEPS] == [
        "random_labels", "benign_overfitting", "epoch_wise", "deep_double_descent", "emergence"]
    for step in view.STEPS:
        assert step.question.endswith("?")
        assert all(c.holds for c in step_claims(step)), step.experiment


@pytest.mark.slow  # renders pages cold through AppTest (> 3 s)
def test_the_view_shows_every_sentence_a_chart_and_a_link_per_step():
    at = open_view()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    text = shown_text(at)
    for step in view.STEPS:
        for claim in step_claims(step):
            assert labels.readable(claim.text) in text, claim.key
        assert f"(/{step.experiment})" in text
    assert view.NEUTRAL not in text
    assert len(at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")) == len(view.STEPS)
    assert [h.value for h in at.subheader] == [
        f"{n}. {s.question}" for n, s in enumerate(view.STEPS, start=1)]


@pytest.mark.slow  # renders pages cold through AppTest (> 3 s)
@pytest.mark.parametrize("missing", ["epoch_wise", "emergence"])
def test_a_missing_result_breaks_only_its_own_step(missing, tmp_path, monkeypatch):
    expected = {step.experiment: [labels.readable(c.text) for c in step_claims(step)]
                for step in view.STEPS}
    copy_shipped(tmp_path)
    (tmp_path / f"{missing}.parquet").unlink()
    monkeypatch.setattr(store, "DATA_DIR", tmp_path)
    at = open_view()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and missing in errors[0] and "precompute" in errors[0], errors
    assert "\n" not in errors[0]
    text = shown_text(at)
    for experiment, sentences in expected.items():
        present = [sentence in text for sentence in sentences]
        assert all(present) if experiment != missing else not any(present), experiment
    assert len(at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")) == len(view.STEPS) - 1
    st.cache_data.clear()


@pytest.mark.slow  # renders pages cold through AppTest (> 3 s)
def test_home_links_to_the_view():
    at = open_view("home")
    assert not at.exception
    assert any(f"(/{view.URL})" in m.value for m in at.markdown)


def test_compact_shrinks_a_layered_chart_and_leaves_the_original_alone():
    from dashboard.charts import random_labels as charts_random_labels
    from dashboard.charts.story import compact

    frame, _ = store.load("random_labels")
    chart = charts_random_labels.errors_chart(frame, chance=0.9)  # a chart layered with a rule
    small = compact(chart, 150)
    spec = small.to_dict()
    assert spec["height"] == 150 and spec["config"]["legend"]["orient"] == "bottom"
    assert all(getattr(layer, "height", 150) in (150, alt.Undefined) for layer in small.layer)
    assert chart.to_dict()["height"] == 320
