"""AppTest smoke tests: every registered page runs without an exception and shows
charts; missing data and bad settings give a clear message instead of a traceback."""
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.app import page_table
from experiments.framework import store
from tests.helpers import open_page

PAGES = [path for entries in page_table().values() for path, _title, _render in entries
         if path != "runs"]  # a table, no chart: tests/test_runs_view.py


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


def test_a_declared_page_that_is_missing_stops_the_app_with_its_name():
    from dataclasses import replace

    from dashboard.pages import PageError, experiment_content
    from experiments.framework import registry

    exp = registry.get("polynomial")
    with pytest.raises(PageError, match=r"page='polynom', but dashboard/pages/polynom.py"):
        experiment_content(replace(exp, page="polynom"))
    with pytest.raises(PageError, match="not an experiment page"):
        experiment_content(replace(exp, page="explorer"))
    assert experiment_content(replace(exp, page=None)) is None


def test_every_declared_page_has_its_render():
    from dashboard.pages import experiment_content
    from experiments.framework import registry

    for exp in registry.experiments().values():
        if exp.page is not None:
            assert callable(experiment_content(exp).render), exp.id


def generic_page_script(experiment_id):
    from dashboard import experiment_page

    experiment_page.render(experiment_id, content=None)


def test_an_experiment_without_a_page_gets_the_generic_chart():
    at = AppTest.from_function(generic_page_script, args=("sample_wise",),
                               default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(charts(at)) == 1


def imports(folder: str) -> dict[str, set[str]]:
    """Module file -> the modules it imports, for every file in a dashboard folder."""
    import ast
    from pathlib import Path

    out = {}
    for path in (Path(__file__).resolve().parent.parent / "dashboard" / folder).glob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
        out[path.name] = names
    return out


def test_layers_import_downwards_only():
    """Pages never import each other (another experiment's data comes from dashboard.data);
    chart builders and the UI helpers never import a page, and charts never streamlit."""
    for name, used in imports("pages").items():
        assert not {m for m in used if m.startswith("dashboard.pages")}, name
    for folder in ("charts", "ui"):
        for name, used in imports(folder).items():
            assert not {m for m in used if m.startswith(("dashboard.pages", "dashboard.app"))}, name
            if folder == "charts":
                assert "streamlit" not in used, name


WIDGETS = ("number_input", "slider", "select_slider", "selectbox", "text_input", "toggle")


def form_values(at: AppTest, exp_id: str) -> dict:
    """The settings form's values by parameter name (the widgets keyed `<id>.<name>`)."""
    out = {}
    for kind in WIDGETS:
        for widget in at.get(kind):
            if widget.key and widget.key.startswith(f"{exp_id}."):
                out[widget.key.split(".", 1)[1]] = widget.value
    return out


@pytest.mark.slow
@pytest.mark.parametrize("exp_id", ["grokking_phase", "scaling", "trees", "random_features"])
def test_the_form_shows_the_settings_of_the_shipped_result(exp_id):
    """Run without a change must recompute what is on screen, not the defaults."""
    from experiments.framework import registry
    from experiments.framework.params import coerce

    exp = registry.get(exp_id)
    _frame, provenance = store.load(exp_id)
    shipped = exp.validate(provenance["params"])
    at = open_page(exp_id)
    shown = form_values(at, exp_id)
    assert {p.name: coerce(p, shown[p.name]) for p in exp.params} == shipped
    assert shown["seeds"] == len(provenance["seeds"])


@pytest.mark.slow
def test_a_setting_the_current_choice_ignores_is_disabled_with_the_reason():
    at = open_page("trees")  # the shipped result runs both datasets: noise acts
    assert not at.number_input(key="trees.noise").disabled
    at.selectbox(key="trees.dataset").set_value("digits").run()
    assert at.number_input(key="trees.noise").disabled
    assert any("Not used while *Dataset* is digits" in c.value for c in at.caption)


@pytest.mark.slow
def test_run_without_a_change_keeps_the_result_on_screen():
    at = open_page("scaling")  # the shipped run is far over the on-demand budget
    at.button[0].click()  # the form's Run button
    at.run()
    assert not at.exception and not at.error
    assert any("exactly these settings" in i.value for i in at.info)
    assert not any("Showing your run" in s.value for s in at.success)


@pytest.mark.slow
def test_a_refused_run_offers_the_quick_defaults():
    from experiments import trees

    at = open_page("trees")
    at.number_input(key="trees.n_train").set_value(1100)
    at.button[0].click()  # the form's Run button: the shipped sizes with 1100 points
    at.run()
    assert any("too large for on" in e.value.replace("\\", "") for e in at.error)
    at.button(key="trees.defaults").click()
    at.run()
    assert not at.exception
    shown = form_values(at, "trees")
    assert shown["n_train"] == trees.EXPERIMENT.defaults()["n_train"]
    assert shown["seeds"] == trees.EXPERIMENT.default_seeds
