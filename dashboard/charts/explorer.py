"""The explorer's chart: any result, any columns, seeds aggregated or raw.

Rows are grouped by the x column, the colour and facet columns and every other
configuration column, so two configs are never silently averaged together; the
tooltip shows that full configuration. Titles and nominal values come from the label
map, as everywhere else; the band is drawn faintly under the centre line.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.aggregate import seed_summary
from dashboard.charts.curves import log_floor, threshold_rule
from dashboard.ui import labels, palette
from experiments.framework.schema import config_columns


def _scale(log: bool) -> alt.Scale:
    return alt.Scale(type="log") if log else alt.Scale(zero=False)


def explorer_chart(frame: pd.DataFrame, *, x: str, metric: str, color: str = "split",
                   facet: str | None = None, centre: str = "median", band: str = "iqr",
                   raw: bool = False, log_x: bool = True, log_y: bool = True,
                   threshold: float | None = None, height: int = 340) -> alt.TopLevelMixin:
    rows = frame[(frame["metric"] == metric) & (frame["seed"] >= 0)]
    if rows.empty:
        raise ValueError(f"no per-seed rows with metric {metric!r}")
    keys = [c for c in dict.fromkeys([x, color, facet] + config_columns(rows)) if c]
    if raw:
        data = rows[keys + ["seed", "value"]].rename(columns={"value": "centre"})
        data["low"] = data["high"] = data["centre"]
    else:
        data = seed_summary(rows, x, [k for k in keys if k != x], centre, band)
    if log_x:
        data = data[data[x] > 0]
    floor = log_floor(data["centre"], data[color]) if log_y else None
    for col in ("centre", "low", "high"):
        data[f"{col}_plot"] = data[col].clip(lower=floor) if log_y else data[col]
    # Only columns that take several values at the same x separate lines; columns fixed
    # by x (e.g. degree for n_params) stay in the tooltip without splitting the line.
    splitting = [k for k in keys if k not in (x, facet) and rows.groupby(x)[k].nunique().max() > 1]
    series = splitting + (["seed"] if raw else [])
    data["series"] = data[series].astype(str).agg(" | ".join, axis=1) if series else ""
    for k in keys:
        if data[k].dtype.kind not in "iufb":
            data[k] = data[k].map(labels.value)
    pick = alt.selection_point(fields=[color], bind="legend")
    nominal = data[color].dtype.kind not in "iuf"
    base = alt.Chart(data).encode(
        x=alt.X(f"{x}:Q", scale=_scale(log_x), title=labels.column(x)),
        color=alt.Color(f"{color}:N", title=labels.column(color), legend=palette.legend(),
                        scale=palette.series_scale(color, data[color] if nominal else ())),
        detail="series:N",
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.1)),
    )
    tooltip = [alt.Tooltip(f"{k}:N" if data[k].dtype.kind in "OSUb" else f"{k}:Q",
                           title=labels.column(k)) for k in keys]
    tooltip += [alt.Tooltip("centre:Q", title="seed value" if raw else centre, format=".4g")]
    if not raw:
        tooltip += [alt.Tooltip("low:Q", title="band low", format=".4g"),
                    alt.Tooltip("high:Q", title="band high", format=".4g"),
                    alt.Tooltip("seeds:Q", title="seeds")]
    axis = alt.Axis(format="~e" if log_y else "~g")
    y = alt.Y("centre_plot:Q", scale=_scale(log_y), title=labels.metric(metric), axis=axis)
    layers = base.mark_line(strokeWidth=1 if raw else 2).encode(y=y)
    layers += base.mark_circle(size=16 if raw else 26).encode(y=y, tooltip=tooltip)
    if not raw and band != "none":
        # The base's opacity (1 for a picked series) would make the band opaque and hide
        # the centre line: the band sets its own, faint either way.
        layers = base.mark_area().encode(
            y=alt.Y("low_plot:Q", scale=_scale(log_y), title=labels.metric(metric), axis=axis),
            y2="high_plot:Q", tooltip=tooltip,
            opacity=alt.condition(pick, alt.value(0.18), alt.value(0.03))) + layers
    if threshold is not None and not facet:  # a facet needs one shared dataset
        layers += threshold_rule(x, threshold)
    chart = layers.add_params(pick).properties(height=height)
    if facet:
        return chart.properties(width=320).facet(column=alt.Column(f"{facet}:N",
                                                                   title=labels.column(facet)))
    return chart

