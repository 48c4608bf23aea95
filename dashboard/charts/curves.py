"""Error curves: a centre line over seeds with its band against any swept axis, and the
layers drawn on them (threshold, reference lines, ringed points, clip note).

Log axes never receive a zero: values are floored just below the visible data and the
tooltip still shows the true value.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from dashboard.aggregate import seed_summary
from dashboard.ui import labels, palette

PERCENT_TICKS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
"""Tick values for error rates on a log axis, labelled with format ".0%"."""


def percent_axis(metric: str) -> dict:
    """`error_curve` options that show a 0-1 error rate in percent."""
    return {"y_format": ".0%", "y_values": PERCENT_TICKS} if metric == "error_rate" else {}


def log_floor(values: pd.Series, groups: pd.Series | None = None, decades: float = 2.0) -> float:
    """A floor for log axes: `decades` below the series whose smallest value is largest.

    Training error past the threshold is ~1e-30 (exact interpolation); drawing that
    would squash every other curve, so it is shown at the floor instead. Taking the
    largest per-series minimum keeps every series that does not collapse to ~0 in view.
    """
    positive = values[values > 0]
    if positive.empty:
        return 1e-12
    if groups is None:
        return float(positive.min()) / 10**decades
    return float(positive.groupby(groups[values > 0]).min().max()) / 10**decades


def threshold_rule(x: str, value: float, label: str = "interpolation threshold",
                   align: str = "left") -> alt.LayerChart:
    """A dashed vertical line with a label, at the x where the model can just interpolate.

    align="right" puts the label on the line's left, for lines near a chart's right edge.
    """
    base = alt.Chart(pd.DataFrame({x: [value], "label": [label]}))
    rule = base.mark_rule(strokeDash=[6, 4], color=palette.THRESHOLD).encode(
        x=f"{x}:Q", tooltip=[alt.Tooltip("label:N", title=""),
                             alt.Tooltip(f"{x}:Q", title=labels.column(x))])
    text = base.mark_text(align=align, dx=4 if align == "left" else -4, dy=-6,
                          color=palette.THRESHOLD, fontSize=11).encode(
        x=f"{x}:Q", y=alt.value(8), text="label:N")
    return rule + text


def error_curve(frame: pd.DataFrame, *, x: str, metric: str, title: str = "",
                x_title: str | None = None, y_title: str | None = None,
                log_x: bool = True, log_y: bool = True, threshold: float | None = None,
                series: str = "split", centre: str = "median", band: str = "iqr",
                color_scale: alt.Scale | None = None, y_max: float | None = None,
                x_domain: tuple[float, float] | None = None, show_line: bool = True,
                height: int = 320, y_format: str | None = None,
                y_values: list[float] | None = None, y_domain: tuple[float, float] | None = None,
                marks: pd.DataFrame | None = None, legend: bool = True,
                hlines: pd.DataFrame | None = None) -> alt.LayerChart:
    """Centre line over seeds with a band, one colour per `series`, legend toggles series.

    `y_max` clips a peak that would flatten everything else; the subtitle then says so.
    `x_domain` fixes the x range, so stacked charts line up on the same axis.
    `y_format` / `y_values` / `y_domain`: axis label format (e.g. ".0%"), explicit tick
    values and range. `legend=False` drops the legend (one series that the title names).
    `marks`: points to ring and label (columns `x`'s name, `value`, `label`): `marked_points`.
    `hlines`: horizontal reference lines (columns `value`, `label`): `reference_lines`.
    """
    rows = frame[frame["metric"] == metric]
    if rows.empty:
        raise ValueError(f"no rows with metric {metric!r}")
    summary = seed_summary(rows, x, series, centre, band)
    summary[series] = summary[series].map(labels.value)
    if series == "split" and summary[series].nunique() == 1:
        legend = False  # one split: the y title names it, a train/test legend would mislead
    if log_y:
        floor = log_floor(summary["low"].where(summary["low"] > 0, summary["centre"]),
                          summary[series])
        for col in ("centre", "low", "high"):
            summary[f"{col}_plot"] = summary[col].clip(lower=floor)
    else:
        for col in ("centre", "low", "high"):
            summary[f"{col}_plot"] = summary[col]
    clipped = y_max is not None and bool((summary["centre"] > y_max).any())
    if y_max is not None:
        for col in ("centre", "low", "high"):
            summary[f"{col}_plot"] = summary[f"{col}_plot"].clip(upper=y_max)
    scale_x = alt.Scale(type="log" if log_x else "linear", zero=False,
                        **({"domain": list(x_domain), "nice": False} if x_domain else {}))
    scale_y = alt.Scale(type="log") if log_y else alt.Scale(zero=False)
    if y_domain is not None:
        scale_y = alt.Scale(type="log" if log_y else "linear", domain=list(y_domain), nice=False)
    axis_y = alt.Axis(format=y_format or ("~e" if log_y else "~g"),
                      **({"values": list(y_values)} if y_values else {"tickCount": 6}))
    if log_x:
        summary = summary[summary[x] > 0]
    if color_scale is None:
        color_scale = palette.series_scale(series, summary[series])
    elif color_scale.domain is not alt.Undefined:
        color_scale = alt.Scale(domain=[labels.value(v) for v in color_scale.domain],
                                range=color_scale.range)
    x_title = x_title or labels.column(x)
    pick = alt.selection_point(fields=[series], bind="legend")
    base = alt.Chart(summary).encode(
        x=alt.X(f"{x}:Q", title=x_title, scale=scale_x),
        color=alt.Color(f"{series}:N", scale=color_scale, title=labels.column(series),
                        legend=palette.legend() if legend else None),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.12)),
    )
    tooltip = [alt.Tooltip(f"{x}:Q", title=x_title),
               alt.Tooltip(f"{series}:N", title=labels.column(series)),
               alt.Tooltip("centre:Q", title=centre, format=".4g"),
               alt.Tooltip("low:Q", title="lower quartile" if band == "iqr" else "band low",
                           format=".4g"),
               alt.Tooltip("high:Q", title="upper quartile" if band == "iqr" else "band high",
                           format=".4g"),
               alt.Tooltip("seeds:Q", title="seeds")]
    # The band's own tooltip is the point's: left to Vega, it would name the band's lower
    # edge after the metric and show the plotting column of its upper edge.
    band_layer = base.mark_area(opacity=0.2).encode(
        y=alt.Y("low_plot:Q", title=y_title or labels.metric(metric), scale=scale_y, axis=axis_y),
        y2="high_plot:Q", tooltip=tooltip,
        opacity=alt.condition(pick, alt.value(0.22), alt.value(0.03)))
    line = base.mark_line(strokeWidth=2).encode(y="centre_plot:Q")
    points = base.mark_circle(size=28).encode(y="centre_plot:Q", tooltip=tooltip)
    # Layered in place: each `+`, add_params or properties copies every layer again.
    chart = alt.layer(band_layer.add_params(pick), *([line] if show_line else []), points)
    if threshold is not None:
        chart += threshold_rule(x, threshold)
    if marks is not None and not marks.empty:
        chart += marked_points(marks, x, y_format or ".3g")
    if hlines is not None and not hlines.empty:
        chart += reference_lines(hlines, y_format or ".3g")
    heading = labels.title_lines(title)
    if clipped:  # said under the title: inside the plot it would cover the peak it explains
        count = int((summary["centre"] > y_max).sum())
        heading = alt.TitleParams(heading or " ", subtitle=labels.title_lines(clip_text(
            summary["centre"].max(), centre, count)), subtitleColor=palette.THRESHOLD)
    chart.title, chart.height = heading, height
    return chart


def reference_lines(lines: pd.DataFrame, value_format: str = ".3g") -> alt.LayerChart:
    """Dotted horizontal lines at `value` (e.g. a model's infinite-width limit), labelled
    at the left edge (where double-descent curves are still high); drawn on the curve's y
    scale (same field name)."""
    base = alt.Chart(lines.assign(centre_plot=lines["value"]))
    rule = base.mark_rule(strokeDash=[2, 3], color=palette.INK, strokeWidth=1.5).encode(
        y="centre_plot:Q", tooltip=[alt.Tooltip("label:N", title=""),
                                    alt.Tooltip("value:Q", title="value", format=value_format)])
    text = base.mark_text(align="left", baseline="bottom", dx=4, dy=-3, color=palette.INK,
                          fontSize=11).encode(y="centre_plot:Q", x=alt.value(0), text="label:N")
    return rule + text


def marked_points(marks: pd.DataFrame, x: str, value_format: str = ".3g") -> alt.LayerChart:
    """Black rings around chosen points (e.g. the best model of each regime), each labelled
    below and to the left: the marked points are minima or the right end of a falling curve,
    where that corner is free of lines and the label cannot run off the right edge."""
    base = alt.Chart(marks).encode(
        x=f"{x}:Q", y="value:Q",
        tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip(f"{x}:Q", title=labels.column(x)),
                 alt.Tooltip("value:Q", title="value", format=value_format)])
    rings = base.mark_point(shape="circle", size=220, filled=False, strokeWidth=2.5,
                            color=palette.INK)
    names = base.mark_text(align="right", dx=-4, dy=18, fontSize=12, fontWeight="bold",
                           color=palette.INK).encode(text="label:N")
    return rings + names


def clip_text(peak: float, centre: str, count: int) -> str:
    """The y axis is cut: say where the true peak is, and how many points lie above."""
    return (f"Axis cut: the peak {centre} is {peak:.2g}; {count} point{'s' if count > 1 else ''} "
            "above the top.")


def stacked_decomposition(frame: pd.DataFrame, *, x: str, parts=("bias2", "variance", "noise"),
                          title: str = "", threshold: float | None = None,
                          x_title: str | None = None, height: int = 300) -> alt.LayerChart:
    """Bias^2, variance and noise (rows with seed = -1) as lines on log axes."""
    rows = frame[(frame["seed"] < 0) & frame["metric"].isin(parts)].copy()
    if rows.empty:
        raise ValueError("no bias-variance rows (run with at least two seeds)")
    rows["term"] = rows["metric"].map(labels.value)
    parts = [labels.value(p) for p in parts]
    x_title = x_title or labels.column(x)
    floor = log_floor(rows["value"], rows["metric"])
    rows["value_plot"] = rows["value"].clip(lower=floor)
    pick = alt.selection_point(fields=["term"], bind="legend")
    chart = alt.Chart(rows).mark_line(point=alt.OverlayMarkDef(size=18)).encode(
        x=alt.X(f"{x}:Q", scale=alt.Scale(type="log"), title=x_title),
        y=alt.Y("value_plot:Q", scale=alt.Scale(type="log"),
                title="contribution to the test squared loss", axis=alt.Axis(format="~e")),
        color=alt.Color("term:N", title="term", sort=list(parts),
                        scale=palette.scale(palette.TERMS, parts), legend=palette.legend()),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.12)),
        tooltip=[alt.Tooltip(f"{x}:Q", title=x_title), alt.Tooltip("term:N", title="term"),
                 alt.Tooltip("value:Q", title="value", format=".4g")],
    )
    if threshold is not None:
        chart = chart + threshold_rule(x, threshold)
    return chart.add_params(pick).properties(title=labels.title_lines(title), height=height)


def _degree_order(label: str) -> float:
    digits = "".join(ch for ch in label if ch.isdigit())
    return float(digits) if digits else -1.0


def fitted_curves_chart(curves: pd.DataFrame, points: pd.DataFrame, *, title: str = "",
                        clip: float | None = None, height: int = 320) -> alt.LayerChart:
    """Fitted functions over the training points; wild interpolants are clipped to view."""
    curves = curves.copy()
    if clip is None:
        spread = float(np.ptp(points["y"])) if len(points) else 1.0
        clip = float(np.abs(points["y"]).max()) + spread
    curves["y_plot"] = curves["y"].clip(-clip, clip)
    y_scale = alt.Scale(domain=[-clip, clip])
    lines = alt.Chart(curves).mark_line(clip=True).encode(
        x=alt.X("x:Q", title="x"), y=alt.Y("y_plot:Q", title="y", scale=y_scale),
        color=alt.Color("curve:N", title="curve", legend=palette.legend(), scale=alt.Scale(
            domain=["true f"] + sorted(set(curves["curve"]) - {"true f"}, key=_degree_order),
            range=[palette.INK, *palette.CURVES])),
        strokeDash=alt.condition(alt.datum.curve == "true f", alt.value([5, 3]), alt.value([1, 0])),
        tooltip=[alt.Tooltip("curve:N", title="curve"), alt.Tooltip("x:Q", format=".3f"),
                 alt.Tooltip("y:Q", format=".4g")],
    )
    dots = alt.Chart(points).mark_circle(size=45, color="black").encode(
        x="x:Q", y="y:Q",
        tooltip=[alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("y:Q", format=".3f")])
    return (lines + dots).properties(title=labels.title_lines(title), height=height)


def horizontal_line(value: float, label: str, dash: tuple[int, int] = (2, 3),
                    color: str = palette.INK, side: str = "left") -> list[alt.Chart]:
    """A labelled horizontal rule at `value` on the chart's y scale (e.g. the risk of
    predicting zero, or the error of guessing): layers for `alt.layer(chart, *these)`.

    The label sits above the rule at its `side` end ("left" or "right"): the end the
    curves leave free; a "\n" in `label` breaks it into lines, narrower on a phone. A
    curve that still runs through it passes under a white halo of the text."""
    base = alt.Chart(pd.DataFrame({"value": [value], "label": [label.replace("\n", " ")]}))
    rule = base.mark_rule(strokeDash=list(dash), color=color).encode(
        y="value:Q", tooltip=[alt.Tooltip("label:N", title=""),
                              alt.Tooltip("value:Q", title="value")])
    place = {"align": "left", "x": 6} if side == "left" else {"align": "right", "x": "width",
                                                              "dx": -6}
    lines = label.split("\n")  # Vega sets the first line at y and the others below it
    halo, text = (base.mark_text(**place, text=lines, baseline="bottom", fontSize=11,
                                 lineHeight=12, dy=-2 - 12 * (len(lines) - 1), color=color,
                                 **stroke).encode(y="value:Q")
                  for stroke in ({"stroke": "white", "strokeWidth": 3, "strokeJoin": "round"},
                                 {}))
    return [rule, halo, text]


def over_steps(frame: pd.DataFrame, *, metric: str, title: str = "", x_title: str = "step",
               y_title: str | None = None, peak: tuple[float, float] | None = None,
               log_y: bool = True, y_format: str | None = None,
               height: int = 340) -> alt.LayerChart:
    """Train and test against training steps (log axis, step 0 left out); `peak` =
    (step, value) rings that point."""
    rows = frame[(frame["metric"] == metric) & (frame["step"] > 0)]
    marks = None
    if peak is not None:
        marks = pd.DataFrame({"step": [peak[0]], "value": [peak[1]],
                              "label": [f"peak at step {peak[0]:,.0f}"]})
    return error_curve(rows, x="step", metric=metric, title=title, x_title=x_title,
                       y_title=y_title, log_y=log_y, y_format=y_format,
                       marks=marks, height=height, x_domain=(1, float(rows["step"].max())))
