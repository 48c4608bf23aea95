"""Benign overfitting chart: exact excess risk per seed (median and band) of the
interpolator and the oracle ridge against the number of weak directions, with the
deterministic-equivalent theory as lines and the null risk as a dotted rule."""
from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts import error_curve

MODEL_COLORS = alt.Scale(domain=["interpolator", "oracle_ridge"], range=["#E45756", "#4C78A8"])


def risk_against_weak(frame: pd.DataFrame, *, threshold: float | None, null_risk: float,
                      title: str = "", height: int = 360) -> alt.LayerChart:
    """`frame`: rows with source 'exact' (per seed) and 'theory' (seed -1), metric excess_risk."""
    rows = frame[frame["metric"] == "excess_risk"]
    exact, theory = rows[rows["source"] == "exact"], rows[rows["source"] == "theory"]
    points = error_curve(exact, x="n_weak", metric="excess_risk", series="model",
                         color_scale=MODEL_COLORS, show_line=False, title=title,
                         threshold=threshold, x_title="number of weak directions",
                         y_title="excess risk (test error minus noise)", height=height)
    lines = alt.Chart(theory[theory["value"] > 0]).mark_line(strokeWidth=2).encode(
        x="n_weak:Q", y=alt.Y("value:Q", scale=alt.Scale(type="log")),
        color=alt.Color("model:N", scale=MODEL_COLORS),
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("n_weak:Q"),
                 alt.Tooltip("value:Q", title="theory excess risk", format=".4g")])
    base = alt.Chart(pd.DataFrame({"value": [null_risk], "label": ["null risk (predict 0)"]}))
    null = base.mark_rule(strokeDash=[2, 3], color="#222222").encode(
        y="value:Q", tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("value:Q")])
    text = base.mark_text(align="left", x=6, dy=-7, color="#222222", fontSize=11).encode(
        y="value:Q", text="label:N")
    return alt.layer(points, lines, null, text)
