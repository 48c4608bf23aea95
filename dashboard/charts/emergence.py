"""Emergence charts: per-token accuracy, exact match and accuracy^L against model size on a
linear or a log axis, and the edit distance of the same answers.

Pure functions of the tidy emergence frame, tested through `chart.to_dict()`.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.aggregate import seed_summary
from dashboard.charts.curves import error_curve
from dashboard.ui import labels, palette

X_TITLE = labels.column("n_params", "emergence")


def curve_names(length: int) -> dict[str, str]:
    return {"token_accuracy": "per-token accuracy", "exact_match": f"exact match (L = {length})",
            # short: a legend column is ~160 px wide (dashboard/charts/layout.py)
            "token_accuracy_pow_l": f"token accuracy^{length}"}


def scores_chart(frame: pd.DataFrame, *, length: int, log_y: bool,
                 title: str = "") -> alt.LayerChart:
    """The three scores against width, on a linear or a log y axis."""
    names = curve_names(length)
    rows = frame[frame["metric"].isin(names)]
    # One series column for both axes' charts, so both legends name the series alike.
    rows = rows.assign(score=rows["metric"].map(names), metric="score")
    scale = palette.ordered(names.values(), palette.SCORES)
    if log_y:
        return _log_scores(rows, scale, title)
    return error_curve(rows, x="n_params", metric="score", series="score", log_y=False,
                       color_scale=scale, title=title, x_title=X_TITLE, y_title="score",
                       y_domain=(0.0, 1.0))


def _log_scores(rows: pd.DataFrame, scale: alt.Scale, title: str) -> alt.LayerChart:
    """Log y axis reaching down to the smallest accuracy^L, so its climb over many decades
    stays visible (the generic error curve floors at two decades below the highest curve's
    minimum); estimated exact matches of 0 are drawn at that floor."""
    summary = seed_summary(rows, "n_params", "score")
    floor = float(summary.loc[summary["centre"] > 0, "centre"].min()) / 2
    for col in ("centre", "low", "high"):
        summary[f"{col}_plot"] = summary[col].clip(lower=floor)
    pick = alt.selection_point(fields=["score"], bind="legend")
    base = alt.Chart(summary).encode(
        x=alt.X("n_params:Q", title=X_TITLE, scale=alt.Scale(type="log")),
        color=alt.Color("score:N", scale=scale, title=labels.column("score"),
                        legend=palette.legend()),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.12)))
    y_scale = alt.Scale(type="log", domain=[floor, 1.0], nice=False)
    tooltip = [alt.Tooltip("n_params:Q", title=X_TITLE),
               alt.Tooltip("score:N", title=labels.column("score")),
               alt.Tooltip("centre:Q", title="median", format=".4g"),
               alt.Tooltip("seeds:Q", title="seeds")]
    band = base.mark_area(opacity=0.2).encode(
        y=alt.Y("low_plot:Q", title="score (log axis)", scale=y_scale,
                axis=alt.Axis(format="~e", tickCount=6)), y2="high_plot:Q", tooltip=tooltip,
        opacity=alt.condition(pick, alt.value(0.22), alt.value(0.03)))
    line = base.mark_line(strokeWidth=2).encode(y="centre_plot:Q")
    points = base.mark_circle(size=28).encode(y="centre_plot:Q", tooltip=tooltip)
    return (band + line + points).add_params(pick).properties(title=labels.title_lines(title),
                                                             height=320)


def edit_chart(frame: pd.DataFrame, *, length: int, title: str = "") -> alt.LayerChart:
    """Mean number of wrong digits in an L-digit answer against width."""
    rows = frame[frame["metric"] == "edit_distance"]
    return error_curve(rows, x="n_params", metric="edit_distance", series="metric",
                       log_y=False, title=title, legend=False, height=240,
                       color_scale=palette.scale({"edit_distance": palette.EDIT}),
                       x_title=X_TITLE, y_title=f"wrong digits out of {length}")
