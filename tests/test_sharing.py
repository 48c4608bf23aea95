"""Permalinks, the explorer, exports and the one-command new experiment."""
import io
import shutil
import subprocess
import sys

import pandas as pd
import pytest
import streamlit as st

from dashboard.charts.explorer import explorer_chart
from dashboard.ui import exports
from experiments.framework import store
from experiments.framework.schema import config_columns
from experiments.framework.store import ROOT
from tests.helpers import open_page
from tests.payloads import as_shown


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()


@pytest.mark.slow
def test_a_link_to_a_run_reproduces_it():
    at = open_page("polynomial", {"max_degree": "90", "seeds": "3", "noise": "0.2", "run": "1"})
    assert not at.exception and not at.error
    assert any("Showing your run" in s.value for s in at.success)
    # the page's code blocks: the run's catalog permalink first, then its command
    command = next(c.value for c in at.code if c.value.startswith("python -m experiments"))
    assert all(part in command for part in ("--set noise=0.2", "--set max_degree=90",
                                            "--seeds 3"))
    assert at.number_input(key="polynomial.max_degree").value == 90


@pytest.mark.slow
@pytest.mark.parametrize("query, name", [
    ({"n_train": "abc"}, "n_train"), ({"noise": "nan"}, "noise"),
    ({"max_degree": "-4"}, "max_degree"),
    ({"target": "<script>"}, "target"), ({"seeds": "1e9"}, "seeds"), ({"ridge": "inf"}, "ridge"),
])
def test_bad_link_values_fall_back_to_defaults_with_a_notice(query, name):
    # a small run around the bad value (the notice is what is tested, not the run)
    at = open_page("polynomial", {"max_degree": "30", "seeds": "2", **query, "run": "1"})
    assert not at.exception and not at.error
    assert any(f"value for {name} was ignored" in as_shown(w.value) for w in at.warning)


@pytest.mark.slow
def test_running_from_the_form_puts_the_settings_in_the_url():
    at = open_page("polynomial")
    at.number_input(key="polynomial.max_degree").set_value(30)  # a small run: the URL is
    at.slider(key="polynomial.seeds").set_value(2)  # what is tested
    at.button[0].click()
    at.run()
    assert not at.exception and any("Showing your run" in s.value for s in at.success)
    assert at.query_params["max_degree"] in ("30", ["30"]) and "run" in at.query_params
    assert at.query_params["seeds"] in ("2", ["2"])


@pytest.mark.slow
def test_explorer_controls_change_the_chart_and_live_in_the_url():
    at = open_page("explorer")
    assert not at.exception
    first = at.get("vega_lite_chart")[0].proto.spec
    at.selectbox(key="explorer.metric").set_value("coef_norm").run()
    assert not at.exception
    assert at.get("vega_lite_chart")[0].proto.spec != first
    assert at.query_params["metric"] in ("coef_norm", ["coef_norm"])


@pytest.mark.slow
def test_explorer_restores_a_link_and_flags_bad_values():
    at = open_page("explorer", {"metric": "coef_norm", "x": "degree", "raw": "true",
                                "color": "nonsense"})
    assert not at.exception and not at.error
    assert at.selectbox(key="explorer.metric").value == "coef_norm"
    assert at.selectbox(key="explorer.x").value == "degree"
    assert at.toggle(key="explorer.raw").value is True
    assert any("color='nonsense'" in as_shown(w.value) for w in at.warning)


def test_explorer_chart_never_averages_different_configs():
    frame = pd.DataFrame({"experiment": "e", "seed": [0, 1, 0, 1], "split": "test", "metric": "mse",
                          "value": [1.0, 3.0, 10.0, 30.0], "n_params": 5,
                          "ridge": [0.0, 0.0, 1.0, 1.0]})
    assert "ridge" in config_columns(frame)
    spec = explorer_chart(frame, x="n_params", metric="mse").to_dict()
    centres = sorted(r["centre"] for d in spec["datasets"].values() for r in d)
    assert centres == [2.0, 20.0]


@pytest.mark.slow
def test_exports_are_real_files():
    frame, _ = store.load("polynomial")
    rows = frame[(frame["metric"] == "mse") & (frame["seed"] < 3)]
    chart = explorer_chart(rows, x="n_params", metric="mse")
    assert exports.chart_png(chart)[:8] == b"\x89PNG\r\n\x1a\n"
    assert exports.chart_svg(chart).lstrip().startswith("<svg")
    back = pd.read_parquet(io.BytesIO(exports.frame_parquet(rows)))
    pd.testing.assert_frame_equal(back, rows.reset_index(drop=True))


def snapshot(root):
    """Every file under `root` (caches aside) with its contents."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and ".pytest_cache" not in p.parts}


@pytest.mark.slow
def test_new_experiment_in_one_command(tmp_path):
    """`new` in a scratch copy writes its module, page, test and data and edits nothing
    else; its page and tests pass."""
    copy = tmp_path / "lab"
    copy.mkdir()
    for name in ("experiments", "dashboard", "data", ".streamlit"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy)
    (copy / "tests").mkdir()
    # Every support module (conftest imports some of them), not a list that goes stale
    # whenever tests/ gains a helper; of the tests, only the page test the new one joins.
    support = [f for f in (ROOT / "tests").glob("*.py") if not f.name.startswith("test_")]
    for source in support + [ROOT / "tests" / "test_pages.py"]:
        shutil.copy(source, copy / "tests")
    before = snapshot(copy)
    made = subprocess.run([sys.executable, "-m", "experiments", "new", "knn_demo"], cwd=copy,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    after = snapshot(copy)
    assert sorted(set(after) - set(before)) == [
        "dashboard/pages/knn_demo.py", "data/knn_demo.json", "data/knn_demo.parquet",
        "experiments/knn_demo.py", "tests/test_knn_demo.py"]
    assert [f for f in before if after.get(f) != before[f]] == []
    again = subprocess.run([sys.executable, "-m", "experiments", "new", "knn_demo"], cwd=copy,
                           capture_output=True, text=True)
    assert again.returncode == 2 and "is taken" in again.stderr
    listed = subprocess.run([sys.executable, "-m", "experiments", "list"], cwd=copy,
                            capture_output=True, text=True, timeout=120)
    assert "knn_demo" in listed.stdout
    # in one process (-n 0): two xdist workers would each import the whole lab again
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p",
                            "no:cacheprovider", "tests/test_knn_demo.py", "tests/test_pages.py",
                            "-k", "knn_demo or test_knn"], cwd=copy, capture_output=True,
                           text=True, timeout=300)
    assert tests.returncode == 0, tests.stdout[-2000:]
    assert "passed" in tests.stdout


@pytest.mark.slow
@pytest.mark.parametrize("url_path, query, key, expected", [
    ("why-the-peak", {"ridge": "0.001"}, "why.ridge", 0.001),
    ("u-turn", {"dataset": "synthetic", "metric": "mse"}, "u_turn.dataset", "synthetic"),
    ("scaling-laws", {"result": "scaling", "x": "n_train"}, "scaling_laws.x", "n_train"),
    ("polynomial", {"degrees": "1,600"}, "polynomial.degrees", [1, 600]),
    ("random_features", {"overlay": "0,0.001"}, "random_features.ridges", [0.0, 0.001]),
])
def test_view_controls_are_restored_from_the_link(url_path, query, key, expected):
    at = open_page(url_path, query)
    assert not at.exception and not at.error
    widget = next(w for w in at.get("select_slider") + at.get("radio") + at.get("selectbox")
                  + at.get("multiselect") if getattr(w, "key", None) == key)
    assert widget.value == expected
    for name, value in query.items():
        assert at.query_params[name] in (value, [value])


def test_an_unavailable_view_value_falls_back_with_a_notice():
    at = open_page("u-turn", {"dataset": "imagenet"})
    assert not at.exception and not at.error
    assert any("dataset='imagenet'" in as_shown(w.value) for w in at.warning)


def test_explorer_filters_live_in_the_url():
    at = open_page("explorer", {"a": "shipped:trees", "metric": "mse", "f.model": "forest"})
    assert not at.exception and not at.error
    assert at.multiselect(key="explorer.filter.model").value == ["forest"]
    assert at.query_params["f.model"] in ("forest", ["forest"])


@pytest.mark.slow
def test_a_refused_link_shows_why_and_the_shipped_result_one_click_away():
    """A linked run over the cap renders only the refusal (no charts: a burst of such
    links must stay cheap); the button then shows the shipped result."""
    at = open_page("polynomial", {"max_degree": "600", "seeds": "200", "run": "1"})
    assert not at.exception
    assert any("too large" in as_shown(e.value) for e in at.error)
    assert not at.get("vega_lite_chart") + at.get("arrow_vega_lite_chart")
    at.button(key="polynomial.after_refusal").click().run()
    assert not at.exception and at.get("vega_lite_chart") + at.get("arrow_vega_lite_chart")
