"""Every chart a reader sees speaks words, not code: no snake_case in any title, axis,
legend or tooltip, or in a legend's values; solid legend swatches; no title line long
enough to be cut. Checked on the builders with shipped data (fast) and on every page as
drawn (slow). Every setting's control has a label and plain help from the label map."""
from __future__ import annotations

import json

import altair as alt
import pandas as pd
import pyarrow as pa
import pytest

from dashboard.app import page_table
from dashboard.charts import curves, explorer, grokking, linear, scaling, trees
from dashboard.ui import labels, palette
from dashboard.ui.settings_text import HELP, SETTINGS
from experiments import grokking_phase, polynomial
from experiments.framework import registry, store
from tests.chart_text import problems


def shipped(exp_id: str) -> pd.DataFrame:
    return store.load(exp_id)[0]


def _rf_test() -> pd.DataFrame:
    rf = shipped("random_features")
    return rf[(rf["split"] == "test") & (rf["metric"] == "error_rate")]


def _scaling_test(curve: str) -> pd.DataFrame:
    sc = shipped("scaling")
    return sc[(sc["split"] == "test") & (sc["metric"] == "error_rate") & (sc["curve"] == curve)]


def _boosting() -> pd.DataFrame:
    tr = shipped("trees")
    return tr[(tr["model"] == "boosting") & (tr["dataset"] == "digits") & (tr["metric"] == "mse")]


def _ridges():
    rows = _rf_test()
    return curves.error_curve(
        rows.assign(ridge=rows["ridge"].map(labels.ridge)), x="n_params", metric="error_rate",
        series="ridge", color_scale=palette.ridges(rows["ridge"]),
        title="Test 0-1 error against the number of random features, one curve per penalty")


BUILDERS = {  # the shared builders, fed shipped results as the pages feed them
    "error_curve by ridge": _ridges,
    "error_curve by split": lambda: curves.error_curve(
        shipped("polynomial"), x="n_params", metric="mse", threshold=30.0, y_max=1e3),
    "decomposition": lambda: curves.stacked_decomposition(
        shipped("polynomial").query("seed < 0"), x="n_params"),
    "fitted curves": lambda: curves.fitted_curves_chart(
        *polynomial.drawn_curves(shipped("polynomial"), [3, 29])),
    "error_curve by family": lambda: curves.error_curve(
        _scaling_test("data"), x="n_train", metric="error_rate", series="family"),
    "grid": lambda: scaling.grid_heatmap(scaling.grid_summary(_scaling_test("grid"))),
    "composite": lambda: trees.composite_chart(_boosting(), "mse", splits=("train", "test")),
    "effective": lambda: trees.effective_chart(_boosting(), "mse"),
    "explorer by family": lambda: explorer.explorer_chart(
        shipped("scaling").query("curve == 'data'"), x="n_train", metric="error_rate",
        color="family"),
    "explorer raw": lambda: explorer.explorer_chart(
        shipped("scaling").query("curve == 'model'"), x="n_params", metric="error_rate",
        color="family", raw=True),
    "theory": lambda: linear.theory_vs_simulation(
        shipped("linear_theory").query("covariance == 'isotropic'"), null_risk=1.0),
    "benign": lambda: linear.risk_against_weak(shipped("benign_overfitting"), threshold=190.0,
                                               null_risk=1.0),
    "phase": lambda: grokking.phase_heatmap(grokking_phase.cells(shipped("grokking_phase"))),
    "progress": lambda: alt.vconcat(*grokking.progress_panels(
        shipped("grokking"), {"memorized": 100, "generalized": 1000})),
}


@pytest.mark.parametrize("name", list(BUILDERS))
def test_builders_speak_words_with_solid_swatches(name):
    assert problems(BUILDERS[name]().to_dict()) == []


def test_the_checker_catches_code_names_and_faint_swatches():
    frame = pd.DataFrame({"n_params": [1, 2], "value": [1.0, 2.0], "family": ["rbf_svm"] * 2})
    bad = alt.Chart(frame).mark_line().encode(x="n_params:Q", y="value:Q", color="family:N",
                                              tooltip=["n_params:Q"])
    found = problems(bad.properties(title="x" * 80).to_dict())
    assert any("x titled by its field 'n_params'" in f for f in found)
    assert any("tooltip" in f for f in found)
    assert any("symbolOpacity None" in f for f in found)
    assert any("'rbf_svm'" in f for f in found)
    assert any("80 characters" in f for f in found)


def test_band_tooltips_name_the_quartiles_not_the_band_edge():
    poly = shipped("polynomial")
    spec = curves.error_curve(poly, x="n_params", metric="mse").to_dict()
    band = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "area")
    titles = [t.get("title") for t in band["encoding"]["tooltip"]]
    assert "lower quartile" in titles and "upper quartile" in titles
    assert not any("plot" in t["field"] for t in band["encoding"]["tooltip"])


def test_red_and_blue_mean_only_test_and_train():
    roles = [palette.STAGES, tuple(palette.FAMILIES.values()), tuple(palette.TERMS.values()),
             palette.OTHERS, palette.CURVES, tuple(palette.PHASES.values()), palette.RIDGE_STEPS,
             tuple(palette.ESTIMATORS.values()), tuple(palette.VARIANTS.values()), palette.SCORES,
             palette.INITS, tuple(palette.MODEL_SPLITS.values())]
    for colours in roles:
        assert palette.RED not in colours and palette.BLUE not in colours, colours


def test_a_ridge_value_keeps_its_colour_whatever_else_is_shown():
    one = palette.ridges([0.0, 1e-3, 0.1])
    two = palette.ridges([1e-3, 1.0])
    assert dict(zip(one.domain, one.range))["0.001"] == dict(zip(two.domain, two.range))["0.001"]
    assert len(set(palette.ridges([0, 1e-4, 1e-3, 1e-2, 1e-1]).range)) == 5


def test_every_setting_has_a_human_label_and_plain_help():
    for exp in registry.experiments().values():
        for p in exp.params:
            label = labels.setting(exp.id, p.name)
            assert (exp.id, p.name) in SETTINGS or p.name in SETTINGS, (exp.id, p.name)
            assert (exp.id, p.name) in HELP or p.name in HELP, (exp.id, p.name)
            assert not labels.SNAKE.search(label), label
            assert not labels.SNAKE.search(labels.setting_help(exp.id, p.name)), p.name
    assert "seeds" in SETTINGS and "seeds" in HELP


def test_measured_sentences_read_as_math():
    text = "ridge lambda = 0.1 at N = n_train: r^2/sigma^2 = 1, ||beta|| = 1, p_eff 22"
    assert labels.readable(text) == ("ridge λ = 0.1 at N = n: r²/σ² = 1, ‖β‖ = 1, "
                                     "effective parameters 22")


def page_charts(url_path: str) -> list[tuple[dict, list[dict]]]:
    from tests.helpers import open_page

    at = open_page(url_path)
    assert not at.exception, [e.value for e in at.exception]
    out = []
    for element in at.get("vega_lite_chart") + at.get("arrow_vega_lite_chart"):
        rows = [row for ds in element.proto.datasets
                for row in pa.ipc.open_stream(ds.data.data).read_all().to_pylist()]
        out.append((json.loads(element.proto.spec), rows))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("url_path", [path for entries in page_table().values()
                                      for path, _title, _render in entries])
def test_every_chart_on_every_page_speaks_words(url_path):
    found = [p for spec, rows in page_charts(url_path) for p in problems(spec, rows)]
    assert found == [], url_path
