"""Linear models against their theory: simulated or exact risks per seed (median and band)
as points, the closed-form or deterministic-equivalent risk as lines in the same colour,
and the risk of predicting zero as a dotted line."""
from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts.curves import error_curve, horizontal_line
from dashboard.ui import labels, palette


def _theory_lines(rows: pd.DataFrame, x: str, series: str, color: alt.Color,
                  title: str) -> alt.Chart:
    rows = rows[rows["value"] > 0].assign(**{series: rows[series].map(labels.value)})
    return alt.Chart(rows).mark_line(strokeWidth=2).encode(
        x=f"{x}:Q", y=alt.Y("value:Q", scale=alt.Scale(type="log")), color=color,
        tooltip=[alt.Tooltip(f"{series}:N", title=labels.column(series)),
                 alt.Tooltip(f"{x}:Q", title=labels.column(x), format=".3g"),
                 alt.Tooltip("value:Q", title=title, format=".4g")])


def theory_vs_simulation(frame: pd.DataFrame, *, series: str = "ridge_label", title: str = "",
                         threshold: float | None = 1.0, height: int = 360,
                         null_risk: float | None = None) -> alt.LayerChart:
    """`frame` holds rows with source 'empirical' (per seed) and 'theory' (seed = -1).
    `null_risk` draws the risk of predicting zero (r^2) as a dotted horizontal line."""
    empirical = frame[frame["source"] == "empirical"]
    theory = frame[frame["source"] == "theory"]
    names = [labels.value(v) for v in dict.fromkeys(frame[series])]
    scale = (palette.ridge_labels(names) if series == "ridge_label"
             else palette.ordered(names, palette.OTHERS))
    points = error_curve(empirical, x="gamma", metric="risk", series=series, threshold=threshold,
                         show_line=False, title=title, color_scale=scale, height=height)
    chart = alt.layer(points, _theory_lines(theory, "gamma", series, alt.Color(
        f"{series}:N", scale=scale, title=labels.column(series), legend=palette.legend()),
        "theory risk"))
    if null_risk is not None and null_risk > 0:
        # Two short lines at the left: the curves climb through the null risk near γ = 0.5
        # and converge on it at the right.
        chart = alt.layer(chart, *horizontal_line(null_risk, "null risk r²\n(predict 0)"))
    return chart


def risk_against_weak(frame: pd.DataFrame, *, threshold: float | None, null_risk: float,
                      title: str = "", height: int = 360) -> alt.LayerChart:
    """`frame`: rows with source 'exact' (per seed) and 'theory' (seed -1), metric excess_risk."""
    rows = frame[frame["metric"] == "excess_risk"]
    exact, theory = rows[rows["source"] == "exact"], rows[rows["source"] == "theory"]
    scale = palette.scale(palette.ESTIMATORS)
    points = error_curve(exact, x="n_weak", metric="excess_risk", series="model",
                         color_scale=scale, show_line=False, title=title,
                         threshold=threshold, height=height)
    lines = _theory_lines(theory, "n_weak", "model", alt.Color(
        "model:N", scale=scale, title="model", legend=palette.legend()), "theory excess risk")
    # Right: past the peak the interpolator's risk falls far below the null risk.
    return alt.layer(points, lines, *horizontal_line(null_risk, "null risk (predict 0)",
                                                     side="right"))
