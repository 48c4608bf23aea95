"""Simulation against theory: empirical medians as points with their band, the
closed-form risk as lines in the same colour."""
from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts import error_curve


def theory_vs_simulation(frame: pd.DataFrame, *, series: str = "ridge_label", title: str = "",
                         threshold: float | None = 1.0, height: int = 360,
                         null_risk: float | None = None) -> alt.LayerChart:
    """`frame` holds rows with source 'empirical' (per seed) and 'theory' (seed = -1).
    `null_risk` draws the risk of predicting zero (r^2) as a dotted horizontal line."""
    empirical = frame[frame["source"] == "empirical"]
    theory = frame[(frame["source"] == "theory") & (frame["value"] > 0)]
    points = error_curve(empirical, x="gamma", metric="risk", series=series, threshold=threshold,
                         show_line=False, title=title, x_title="gamma = p / n",
                         y_title="risk (test error minus noise)", height=height)
    lines = alt.Chart(theory).mark_line(strokeWidth=2).encode(
        x="gamma:Q", y=alt.Y("value:Q", scale=alt.Scale(type="log")),
        color=alt.Color(f"{series}:N"),
        tooltip=[alt.Tooltip(f"{series}:N"), alt.Tooltip("gamma:Q", format=".3g"),
                 alt.Tooltip("value:Q", title="theory risk", format=".4g")])
    chart = alt.layer(points, lines)
    if null_risk is not None and null_risk > 0:
        base = alt.Chart(pd.DataFrame({"value": [null_risk], "label": ["null risk r² (predict 0)"]}))
        chart = alt.layer(chart, base.mark_rule(strokeDash=[2, 3], color="#222222").encode(
            y="value:Q", tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("value:Q")]),
            base.mark_text(align="left", x=6, dy=-7, color="#222222", fontSize=11).encode(
                y="value:Q", text="label:N"))
    return chart
