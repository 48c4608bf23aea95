"""Scrub charts (dashboard/charts/scrub_views.py), checked through `to_dict()`: one shared
pick bound to a range slider, a marker on the error curve and a prediction panel that
filter on it, and predictions stored for every size the curve shows."""
from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd
import pytest

from dashboard.charts.scrub import PICK, curve_panel, log_ticks, median_curve, size_pick
from dashboard.charts.scrub_views import (
    digits_scrub,
    polynomial_scrub,
    regression_scrub,
    slice_scrub,
)
from dashboard.ui import palette
from experiments import polynomial, trees
from experiments import random_features as rf
from experiments.framework.experiment import run
from experiments.numerics import showcase
from tests.chart_text import problems


def units(spec: dict) -> list[dict]:
    """Every single-view spec (one with a mark) inside a layered or concatenated spec."""
    if "mark" in spec:
        return [spec]
    out = []
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for sub in spec.get(key, []):
            out += units(sub)
    return out


def picked(spec: dict) -> list[dict]:
    """The views that show only the picked size."""
    return [u for u in units(spec)
            if {"filter": {"param": PICK, "empty": False}} in u.get("transform", [])]


def mark(unit: dict) -> str:
    return unit["mark"] if isinstance(unit["mark"], str) else unit["mark"]["type"]


def rows(spec: dict, unit: dict) -> list[dict]:
    return spec["datasets"][unit["data"]["name"]]


def check_pick(spec: dict, n_sizes: int) -> None:
    (param,) = spec["params"]
    assert param["name"] == PICK and param["select"]["type"] == "point"
    assert param["select"]["fields"] == ["rank"] and param["select"]["on"] == "click"
    assert param["bind"] == {"input": "range", "min": 0, "max": n_sizes - 1, "step": 1,
                             "name": param["bind"]["name"]}
    assert 0 <= param["value"][0]["rank"] < n_sizes


def to_spec(chart: alt.TopLevelMixin) -> dict:
    with alt.data_transformers.disable_max_rows():
        return json.loads(chart.to_json())


@pytest.fixture(scope="module")
def poly_frame():
    return run(polynomial.EXPERIMENT, {"n_train": 10, "max_degree": 40}, seeds=3).frame


def test_polynomial_scrub_links_slider_marker_and_fitted_curve(poly_frame):
    spec = to_spec(polynomial_scrub(poly_frame, threshold=10.0, x_title="coefficients"))
    degrees = sorted(poly_frame.loc[poly_frame["metric"] == "fitted", "degree"].unique())
    check_pick(spec, len(degrees))
    views = picked(spec)
    assert {"rule", "point", "text", "line"} <= {mark(u) for u in views}
    (fit,) = [u for u in views if mark(u) == "line"]
    assert fit["mark"]["color"] == palette.PREDICTION
    data = pd.DataFrame(rows(spec, fit))
    assert sorted(data["rank"].unique()) == list(range(len(degrees)))
    assert (data.groupby("rank").size() == polynomial.N_TEST).all()
    # the curve rank k is the k-th smallest degree: its fit is that degree's stored fit
    stored = poly_frame[(poly_frame["metric"] == "fitted") & (poly_frame["degree"] == degrees[2])]
    low, high = data["y"].min(), data["y"].max()
    np.testing.assert_allclose(data.loc[data["rank"] == 2, "y"],
                               stored["value"].clip(low, high), rtol=1e-6)


def test_a_cut_curve_says_where_and_how_high_the_peak_is(poly_frame):
    sizes = sorted(poly_frame["n_params"].unique())
    full = median_curve(poly_frame, "mse", sizes)
    cut = float(full["centre"].median())
    curve = median_curve(poly_frame, "mse", sizes, y_max=cut)
    assert curve["centre_plot"].max() == cut and curve["centre"].max() > cut
    spec = to_spec(curve_panel(curve, size_pick(len(curve), 0), x="n_params", x_title="c",
                               y_title="e"))
    (note,) = [v for values in spec["datasets"].values() for v in values if "note" in v]
    assert note["note"] == f"axis cut at {cut:.2g}\npeak median {full['centre'].max():.2g}"
    uncut = to_spec(curve_panel(full, size_pick(len(full), 0), x="n_params", x_title="c",
                                y_title="e"))
    assert "axis cut" not in json.dumps(uncut)


def test_readout_names_each_size_once(poly_frame):
    spec = to_spec(polynomial_scrub(poly_frame, threshold=10.0, x_title="c"))
    (line,) = [u for u in picked(spec) if mark(u) == "text"]
    readouts = pd.DataFrame(rows(spec, line))
    assert readouts["rank"].is_unique and len(readouts) == spec["params"][0]["bind"]["max"] + 1
    assert readouts["readout"].str.startswith("degree ").all()


@pytest.fixture(scope="module")
def digits_frame():
    return run(rf.EXPERIMENT, {"n_train": 60, "n_widths": 5, "max_ratio": 3}, seeds=2).frame


def test_digits_scrub_labels_the_kept_digits_at_every_width(digits_frame):
    features = rf.features_only(digits_frame)
    shown = rf.examples(digits_frame)
    spec = to_spec(digits_scrub(features, shown, metric="error_rate", threshold=60.0,
                                x_title="N"))
    widths = rf.widths_for(rf.EXPERIMENT.validate({"n_train": 60, "n_widths": 5,
                                                   "max_ratio": 3}))
    check_pick(spec, len(widths))
    labels = [u for u in picked(spec) if mark(u) == "text" and "label" in rows(spec, u)[0]]
    (label_view,) = labels
    data = pd.DataFrame(rows(spec, label_view))
    assert len(data) == len(widths) * 20 and set(data["verdict"]) <= {"right", "wrong"}
    images = [u for u in units(spec) if mark(u) == "rect" and "transform" in u
              and "filter" not in json.dumps(u["transform"])]
    assert len(rows(spec, images[0])) == 20 * 64


def test_regression_scrub_on_the_synthetic_task():
    frame = run(rf.EXPERIMENT, {"dataset": "synthetic", "n_train": 40, "n_widths": 5,
                                "max_ratio": 3}, seeds=1).frame
    spec = to_spec(regression_scrub(rf.features_only(frame), rf.examples(frame),
                                    threshold=40.0, x_title="N"))
    check_pick(spec, 6)
    (points,) = [u for u in picked(spec) if mark(u) == "circle"]
    assert len(rows(spec, points)) == 6 * showcase.REGRESSION_POINTS


def test_slice_scrub_follows_the_composite_axis():
    params = {"dataset": "synthetic", "model": "boosting", "n_train": 60, "max_rounds": 4,
              "max_ensembles": 3}
    frame = run(trees.EXPERIMENT, params, seeds=1).frame
    sizes = sorted(frame.loc[frame["metric"] == "prediction", "n_params"].unique())
    spec = to_spec(slice_scrub(frame, describe=lambda s, k: f"{k} {s}", dim=5, threshold=40.0,
                               threshold_label="axis switch", x_title="count"))
    check_pick(spec, len(sizes))
    (line,) = [u for u in picked(spec) if mark(u) == "line"]
    assert len(rows(spec, line)) == len(sizes) * trees.SLICE_POINTS
    assert "axis switch" in json.dumps(spec)


def test_log_ticks_follow_the_range():
    assert log_ticks(0.3, 4.0) == [0.5, 1.0, 2.0]  # a narrow range keeps its shape
    assert log_ticks(0.55, 2.2) == [0.7, 1.0, 1.5, 2.0]
    assert log_ticks(1e-2, 5e3) == [1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0]
    assert log_ticks(0.015, 0.9, percent=True) == [0.02, 0.05, 0.1, 0.2, 0.5]


def test_scrub_charts_speak_words_not_code(poly_frame, digits_frame):
    charts = [polynomial_scrub(poly_frame, threshold=10.0, x_title="coefficients"),
              digits_scrub(rf.features_only(digits_frame), rf.examples(digits_frame),
                           metric="error_rate", threshold=60.0, x_title="random features N")]
    for chart in charts:
        spec = to_spec(chart)
        rows = [row for values in spec["datasets"].values() for row in values]
        assert problems(spec, rows) == []
