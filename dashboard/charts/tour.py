"""The small charts of Home's guided tour, one per stop of experiments/analysis/tour.py:
the experiment pages' error curves, short, one message each. Pure functions of the rows
the stop measured, tested through `chart.to_dict()`."""
from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts.curves import PERCENT_TICKS, error_curve
from dashboard.ui import labels, palette
from experiments.sample_wise import N_FEATURES

HEIGHT = 240
PERCENT = {"y_format": ".0%", "y_values": PERCENT_TICKS,
           "y_domain": (PERCENT_TICKS[0], PERCENT_TICKS[-1])}


def _medians(rows: pd.DataFrame, x: str) -> pd.Series:
    return rows.groupby(x)["value"].median().sort_index()


def textbook_u(rows: pd.DataFrame, params: dict) -> alt.TopLevelMixin:
    top = 1.2 * float(_medians(rows, "n_params").max())
    return error_curve(rows, x="n_params", metric="mse", log_x=False, log_y=False, y_max=top,
                       legend=False, height=HEIGHT, x_title="coefficients of the polynomial",
                       y_title="test squared error")


def double_descent(rows: pd.DataFrame, params: dict) -> alt.TopLevelMixin:
    n = params["n_train"]
    median = _medians(rows, "n_params")
    small = median[median.index < n]
    marks = pd.DataFrame({"n_params": [int(small.idxmin()), int(median.index[-1])],
                          "value": [small.min(), median.iloc[-1]],
                          "label": ["best small", "widest"]})
    return error_curve(rows, x="n_params", metric="error_rate", threshold=float(n),
                       legend=False, marks=marks, height=HEIGHT, **PERCENT,
                       x_title="random features (log scale)", y_title="test error")


def more_data_hurts(rows: pd.DataFrame, params: dict) -> alt.TopLevelMixin:
    return error_curve(rows, x="n_train", metric="mse", threshold=float(N_FEATURES),
                       legend=False, height=HEIGHT, x_title="training examples (log scale)",
                       y_title="test squared error (log scale)")


def regularization(rows: pd.DataFrame, params: dict) -> alt.TopLevelMixin:
    ridge = rows.groupby("penalty")["ridge"].first().sort_values()
    colors = alt.Scale(domain=list(ridge.index), range=[palette.ridge_color(r) for r in ridge])
    return error_curve(rows, x="n_params", metric="error_rate", series="penalty",
                       threshold=float(params["n_train"]), height=HEIGHT, **PERCENT,
                       color_scale=colors,
                       x_title="random features (log scale)", y_title="test error")


def grok(rows: pd.DataFrame, params: dict) -> alt.TopLevelMixin:
    return error_curve(rows, x="step", metric="accuracy", log_y=False, y_format=".0%",
                       y_domain=(0.0, 1.0), height=HEIGHT, x_title="epoch (log scale)",
                       y_title="accuracy")


def scaling_laws(rows: pd.DataFrame, params: dict) -> alt.TopLevelMixin:
    rows = rows.assign(model=rows["family"].map(labels.value))
    return error_curve(rows, x="n_train", metric="error_rate", series="model",
                       color_scale=palette.series_scale("model", sorted(rows["model"])),
                       height=HEIGHT, **PERCENT, x_title="training digits (log scale)",
                       y_title="test error (log scale)")


CHARTS = {"textbook_u": textbook_u, "double_descent": double_descent,
          "more_data_hurts": more_data_hurts, "regularization": regularization,
          "grok": grok, "scaling_laws": scaling_laws}
