"""Scaling charts: learning curves with fitted power laws and extrapolation bands, and
the (model size, data size) error grid with its compute-optimal frontier."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from dashboard.ui import labels, palette
from experiments.numerics.chinchilla import frontier
from experiments.numerics.powerlaw import Bootstrap

LOG = alt.Scale(type="log")


def fit_lines(fits: dict[str, Bootstrap], x_range: tuple[float, float], extrapolate_to: float,
              series: str = "family", points: int = 60) -> pd.DataFrame:
    """Fitted curve and bootstrap band per series, from the fitted range to `extrapolate_to`."""
    rows = []
    for name, boot in fits.items():
        x = np.geomspace(x_range[0], max(extrapolate_to, x_range[1]), points)
        low, high = boot.band(x)
        part = np.where(x <= x_range[1], "fitted", "extrapolated")
        rows.append(pd.DataFrame({series: name, "x": x, "fit": boot.fit.predict(x), "low": low,
                                  "high": high, "part": part, "equation": boot.fit.equation()}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def scaling_chart(summary: pd.DataFrame, lines: pd.DataFrame, *, x: str, y_title: str,
                  series: str = "family", title: str = "", height: int = 380) -> alt.LayerChart:
    """Medians over seeds as points; fitted power laws as lines, dashed where extrapolated,
    with the bootstrap band shaded."""
    summary = summary.assign(**{series: summary[series].map(labels.value)})
    if not lines.empty:
        lines = lines.assign(**{series: lines[series].map(labels.value)})
    name, x_title = labels.column(series), labels.column(x)
    color = alt.Color(f"{series}:N", title=name, legend=palette.legend(),
                      scale=palette.series_scale(series, summary[series]))
    dots = alt.Chart(summary).mark_circle(size=55).encode(
        x=alt.X(f"{x}:Q", scale=LOG, title=x_title), y=alt.Y("centre:Q", scale=LOG, title=y_title),
        color=color, tooltip=[alt.Tooltip(f"{series}:N", title=name),
                              alt.Tooltip(f"{x}:Q", title=x_title),
                              alt.Tooltip("centre:Q", title="median", format=".4g"),
                              alt.Tooltip("seeds:Q", title="seeds")])
    title = labels.title_lines(title)
    if lines.empty:
        return dots.properties(title=title, height=height)
    base = alt.Chart(lines).encode(x="x:Q", color=color)
    tooltip = [alt.Tooltip(f"{series}:N", title=name),
               alt.Tooltip("equation:N", title="fitted law"),
               alt.Tooltip("x:Q", title=x_title, format=".4g"),
               alt.Tooltip("fit:Q", title="fitted value", format=".4g")]
    band = base.mark_area(opacity=0.15).encode(y="low:Q", y2="high:Q", tooltip=tooltip)
    line = base.mark_line(strokeWidth=2).encode(
        y="fit:Q", strokeDash=alt.StrokeDash("part:N", title="", sort=["fitted", "extrapolated"],
                                             scale=alt.Scale(range=[[1, 0], [6, 4]]),
                                             legend=palette.legend()),
        tooltip=tooltip)
    return alt.layer(band, line, dots).properties(title=title, height=height)


def grid_summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Median over seeds per (n_params, n_train) cell, with its training FLOPs."""
    return rows[rows["seed"] >= 0].groupby(["n_params", "n_train"], as_index=False).agg(
        centre=("value", "median"), flops=("flops", "median"))


def grid_heatmap(grid: pd.DataFrame, *, title: str = "", height: int = 340) -> alt.LayerChart:
    """Median test error over (model size, training size); the frontier as a white path."""
    # Ordinal axes label the raw values unless told they are numbers: then "10,560", as on
    # the other charts' count axes, not "10560".
    counts = alt.Axis(format=",d", formatType="number")
    cells = alt.Chart(grid).mark_rect().encode(
        x=alt.X("n_params:O", title="parameters", sort="ascending", axis=counts),
        y=alt.Y("n_train:O", title="training size", sort="descending", axis=counts),
        color=alt.Color("centre:Q", title="test error",
                        scale=alt.Scale(type="log", scheme="viridis", reverse=True)),
        tooltip=[alt.Tooltip("n_params:Q", title="parameters", format=",d"),
                 alt.Tooltip("n_train:Q", title="training size", format=",d"),
                 alt.Tooltip("centre:Q", title="median error", format=".3g"),
                 alt.Tooltip("flops:Q", title="training FLOPs", format=".2e")])
    best = frontier(grid)
    path = alt.Chart(best).mark_line(color="white", strokeWidth=2, point=alt.OverlayMarkDef(
        color="white", size=60)).encode(
        x="n_params:O", y="n_train:O", order="budget:Q",
        tooltip=[alt.Tooltip("budget:Q", title="FLOP budget", format=".2e"),
                 alt.Tooltip("centre:Q", title="best error", format=".3g")])
    return alt.layer(cells, path).properties(title=labels.title_lines(title), height=height)


def _budget_label(c: float) -> str:
    return f"C = {c:.1e}"


def iso_flop_chart(cells: pd.DataFrame, curves: pd.DataFrame, optima: pd.DataFrame, *,
                   title: str = "", height: int = 380) -> alt.LayerChart:
    """Loss against model size at fixed compute: measured cells (points) on each iso-FLOP
    line, the fitted law along it (line) and its minimum (diamond).

    cells: n_params, loss, budget; curves: n_params, loss, budget; optima: the same, one
    row per budget."""
    frames = [f.assign(label=f["budget"].map(_budget_label)) for f in (cells, curves, optima)]
    order = [_budget_label(c) for c in sorted(curves["budget"].unique())]
    color = alt.Color("label:N", title="compute (6ND)", sort=order, legend=palette.legend(),
                      scale=alt.Scale(scheme="viridis"))
    x = alt.X("n_params:Q", scale=LOG, title="model size N (parameters)")
    y = alt.Y("loss:Q", scale=LOG, title="test loss (population MSE)")
    line = alt.Chart(frames[1]).mark_line(strokeWidth=2).encode(x=x, y=y, color=color,
                                                                 detail="label:N")
    dots = alt.Chart(frames[0]).mark_circle(size=60).encode(
        x=x, y=y, color=color, tooltip=[alt.Tooltip("label:N", title="compute"),
                                        alt.Tooltip("n_params:Q", title="model size N"),
                                        alt.Tooltip("n_train:Q", title="data size D"),
                                        alt.Tooltip("loss:Q", title="test loss", format=".4f")])
    best = alt.Chart(frames[2]).mark_point(shape="diamond", size=140, filled=True,
                                           stroke="black").encode(
        x=x, y=y, color=color, tooltip=[alt.Tooltip("label:N", title="compute"),
                                        alt.Tooltip("n_params:Q", format=",.0f",
                                                    title="fitted optimal N"),
                                        alt.Tooltip("loss:Q", title="test loss", format=".4f")])
    return alt.layer(line, dots, best).properties(title=labels.title_lines(title),
                                                  height=height)


def allocation_chart(rows: pd.DataFrame, *, title: str = "", height: int = 320) -> alt.LayerChart:
    """Compute-optimal model size and data size against compute, with bootstrap bands.

    rows: budget, quantity, value, low, high."""
    color = alt.Color("quantity:N", title="", legend=palette.legend(),
                      scale=alt.Scale(range=list(palette.OTHERS)))
    x = alt.X("budget:Q", scale=LOG, title="compute C = 6ND (FLOPs)")
    base = alt.Chart(rows).encode(x=x, color=color)
    tooltip = [alt.Tooltip("quantity:N", title="quantity"),
               alt.Tooltip("budget:Q", title="compute (FLOPs)", format=".2e"),
               alt.Tooltip("value:Q", title="optimal size", format=",.0f"),
               alt.Tooltip("low:Q", title="band low", format=",.0f"),
               alt.Tooltip("high:Q", title="band high", format=",.0f")]
    band = base.mark_area(opacity=0.2).encode(y=alt.Y("low:Q", scale=LOG, title="optimal size"),
                                              y2="high:Q", tooltip=tooltip)
    line = base.mark_line(strokeWidth=2).encode(y="value:Q", tooltip=tooltip)
    return alt.layer(band, line).properties(title=labels.title_lines(title), height=height)
