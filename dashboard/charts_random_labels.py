"""Random-labels charts: error against the share of random labels, and epochs to fit.

Pure functions of the tidy random_labels frame, tested through `chart.to_dict()`.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts import error_curve

MODEL_NAMES = {"random_features": "random features", "network": "network"}
CURVE_COLORS = {"random features, train": "#9ecae9", "random features, test": "#4C78A8",
                "network, train": "#ffbf79", "network, test": "#F58518"}
CHANCE_COLOR = "#6b6b6b"


def curve_label(frame: pd.DataFrame) -> pd.Series:
    return frame["model"].map(MODEL_NAMES) + ", " + frame["split"]


def chance_rule(level: float) -> alt.LayerChart:
    """A dashed horizontal line at the error of guessing."""
    base = alt.Chart(pd.DataFrame({"value": [level], "label": [f"chance ({level:.0%})"]}))
    rule = base.mark_rule(strokeDash=[6, 4], color=CHANCE_COLOR).encode(y="value:Q")
    text = base.mark_text(align="left", dx=4, dy=-6, color=CHANCE_COLOR, fontSize=11).encode(
        y="value:Q", x=alt.value(4), text="label:N")
    return rule + text


def errors_chart(frame: pd.DataFrame, *, chance: float, title: str = "") -> alt.LayerChart:
    """Train and test 0-1 error of each model against the share of random labels."""
    rows = frame[frame["metric"] == "error_rate"]
    rows = rows.assign(curve=curve_label(rows))
    shown = [(c, colour) for c, colour in CURVE_COLORS.items() if c in set(rows["curve"])]
    scale = alt.Scale(domain=[c for c, _ in shown], range=[colour for _, colour in shown])
    chart = error_curve(rows, x="label_fraction", metric="error_rate", series="curve",
                        log_x=False, log_y=False, color_scale=scale, y_domain=(0.0, 1.0),
                        y_format=".0%", title=title, x_title="share of training labels randomized",
                        y_title="0-1 error")
    return alt.layer(chart, chance_rule(chance))


def epochs_chart(frame: pd.DataFrame, *, title: str = "") -> alt.LayerChart:
    """Epochs the network needed to classify every training label as given."""
    rows = frame[(frame["metric"] == "epochs_to_fit") & (frame["model"] == "network")]
    return error_curve(rows, x="label_fraction", metric="epochs_to_fit", series="model",
                       log_x=False, log_y=False, title=title, legend=False, height=240,
                       color_scale=alt.Scale(domain=["network"],
                                             range=[CURVE_COLORS["network, test"]]),
                       x_title="share of training labels randomized", y_format="d",
                       y_title="epochs to fit")
