"""Sample-wise charts: the fit against the constant baselines, and the ablation panel.

Pure functions of the tidy sample-wise frame (rows already narrowed to what is shown),
tested through `chart.to_dict()`.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts.curves import error_curve
from dashboard.ui import labels, palette

CURVE_COLORS = {**palette.SPLITS, **palette.BASELINES}
VARIANT_COLORS = {**palette.VARIANTS, labels.MODELS["train_mean"]: palette.MID_GREY}


def with_baselines(frame: pd.DataFrame, *, title: str = "",
                   baselines: tuple[str, ...] = ("train_mean",)) -> alt.LayerChart:
    """Train and test MSE of the fit, and the test MSE of the chosen constant predictors."""
    fit = frame[frame["model"] == "least_squares"].assign(curve=lambda f: f["split"])
    flat = frame[frame["model"].isin(baselines)]
    rows = pd.concat([fit, flat.assign(curve=flat["model"].map(labels.MODELS))])
    return error_curve(rows, x="params_per_sample", metric="mse", series="curve", threshold=1.0,
                       color_scale=palette.scale(CURVE_COLORS, rows["curve"]), title=title,
                       y_title="mean squared error")


def variant_label(variant: str) -> str:
    return "no ablation" if variant == "plain" else variant.replace("_", " ")


def ablation_panel(frame: pd.DataFrame, *, title: str = "") -> alt.LayerChart:
    """Test MSE of each variant in `frame` (one intercept setting) with the mean baseline."""
    test = frame[frame["split"] == "test"]
    fits = test[test["model"] == "least_squares"]
    # once per variant, not per row: a sweep has tens of thousands of rows
    names = {v: variant_label(v) for v in fits["variant"].unique()}
    fits = fits.assign(curve=fits["variant"].map(names))
    mean = test[(test["model"] == "train_mean") & (test["variant"] == "plain")]
    rows = pd.concat([fits, mean.assign(curve=labels.MODELS["train_mean"])])
    return error_curve(rows, x="params_per_sample", metric="mse", series="curve", threshold=1.0,
                       color_scale=palette.scale(VARIANT_COLORS, rows["curve"]), title=title,
                       y_title="test mean squared error", height=280)
