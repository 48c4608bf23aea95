"""Random-labels charts: error against the share of random labels, and epochs to fit.

Pure functions of the tidy random_labels frame, tested through `chart.to_dict()`.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts.curves import error_curve, horizontal_line
from dashboard.ui import labels, palette


def curve_label(frame: pd.DataFrame) -> pd.Series:
    return frame["model"].map(labels.MODELS) + ", " + frame["split"]


def errors_chart(frame: pd.DataFrame, *, chance: float, title: str = "") -> alt.LayerChart:
    """Train and test 0-1 error of each model against the share of random labels."""
    rows = frame[frame["metric"] == "error_rate"]
    rows = rows.assign(curve=curve_label(rows))
    chart = error_curve(rows, x="label_fraction", metric="error_rate", series="curve",
                        log_x=False, log_y=False, color_scale=palette.scale(
                            palette.MODEL_SPLITS, rows["curve"]), y_domain=(0.0, 1.0),
                        y_format=".0%", title=title)
    chance_line = horizontal_line(chance, f"chance ({chance:.0%})", dash=(6, 4),
                                  color=palette.THRESHOLD)
    return alt.layer(chart, *chance_line)


def epochs_chart(frame: pd.DataFrame, *, title: str = "") -> alt.LayerChart:
    """Epochs the network needed to classify every training label as given."""
    rows = frame[(frame["metric"] == "epochs_to_fit") & (frame["model"] == "network")]
    return error_curve(rows, x="label_fraction", metric="epochs_to_fit", series="model",
                       log_x=False, log_y=False, title=title, legend=False, height=240,
                       color_scale=palette.scale({"network": palette.ORANGE}),
                       y_format="d")
