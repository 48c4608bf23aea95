"""Sample-wise charts: the fit against the constant baselines, and the ablation panel.

Pure functions of the tidy sample-wise frame (rows already narrowed to what is shown),
tested through `chart.to_dict()`.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts import error_curve

BASELINE_NAMES = {"train_mean": "predict the training mean", "zero": "predict zero"}
CURVE_COLORS = {"train": "#4C78A8", "test": "#E45756", BASELINE_NAMES["train_mean"]: "#7f7f7f",
                BASELINE_NAMES["zero"]: "#222222"}
VARIANT_COLORS = {"no ablation": "#E45756", "cut small singular": "#4C78A8",
                  "project test": "#54A24B", "remove noise": "#F58518",
                  BASELINE_NAMES["train_mean"]: "#7f7f7f"}
X_TITLE = "parameters / training samples (10 / n)"


def with_baselines(frame: pd.DataFrame, *, title: str = "",
                   baselines: tuple[str, ...] = ("train_mean",)) -> alt.LayerChart:
    """Train and test MSE of the fit, and the test MSE of the chosen constant predictors."""
    fit = frame[frame["model"] == "least_squares"].assign(curve=lambda f: f["split"])
    flat = frame[frame["model"].isin(baselines)]
    rows = pd.concat([fit, flat.assign(curve=flat["model"].map(BASELINE_NAMES))])
    shown = [(c, colour) for c, colour in CURVE_COLORS.items() if c in set(rows["curve"])]
    scale = alt.Scale(domain=[c for c, _ in shown], range=[colour for _, colour in shown])
    return error_curve(rows, x="params_per_sample", metric="mse", series="curve", threshold=1.0,
                       color_scale=scale, title=title, x_title=X_TITLE,
                       y_title="mean squared error")


def variant_label(row: pd.Series) -> str:
    return "no ablation" if row["variant"] == "plain" else row["variant"].replace("_", " ")


def ablation_panel(frame: pd.DataFrame, *, title: str = "") -> alt.LayerChart:
    """Test MSE of each variant in `frame` (one intercept setting) with the mean baseline."""
    test = frame[frame["split"] == "test"]
    fits = test[test["model"] == "least_squares"]
    fits = fits.assign(curve=fits.apply(variant_label, axis=1))
    mean = test[(test["model"] == "train_mean") & (test["variant"] == "plain")]
    rows = pd.concat([fits, mean.assign(curve=BASELINE_NAMES["train_mean"])])
    shown = [(c, colour) for c, colour in VARIANT_COLORS.items() if c in set(rows["curve"])]
    scale = alt.Scale(domain=[c for c, _ in shown], range=[colour for _, colour in shown])
    return error_curve(rows, x="params_per_sample", metric="mse", series="curve", threshold=1.0,
                       color_scale=scale, title=title, x_title=X_TITLE,
                       y_title="test mean squared error", height=280)
