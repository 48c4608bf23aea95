"""Chart builders for trees and boosting: the composite axis and the effective-parameter view.

Pure functions of tidy frames (one model and one dataset at a time), tested through
`chart.to_dict()`. Both charts colour the curve by `stage` (which axis is moving), so
the reader can follow the second stage from the double-descent chart, where it runs
right, to the effective-parameter chart, where it turns back left. The composite chart
is the only drawing of Belkin's composite axis: the trees page adds the training error
to it (dashed), the U-turn page shows the test error alone.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from dashboard.aggregate import seed_summary
from dashboard.charts.curves import log_floor, threshold_rule
from dashboard.ui import labels, palette

STAGES = tuple(labels.STAGES)


def stage_summary(frame: pd.DataFrame, metric: str, split: str = "test") -> pd.DataFrame:
    """Median and inter-quartile band over seeds per composite point, with the median
    effective parameters. The second stage also starts at the switch point, so the two
    stage lines join up."""
    rows = frame[(frame["metric"] == metric) & (frame["split"] == split) & (frame["seed"] >= 0)]
    if rows.empty:
        raise ValueError(f"no {split} rows with metric {metric!r}")
    if rows[["model", "dataset"]].drop_duplicates().shape[0] != 1:
        raise ValueError("pass the rows of one model on one dataset")
    summary = seed_summary(rows, "n_params", "stage")
    summary["effective_params"] = summary["n_params"].map(
        rows.groupby("n_params")["effective_params"].median())
    order = [s for s in STAGES if s in set(summary["stage"])]
    summary["stage"] = pd.Categorical(summary["stage"], categories=order)
    summary = summary.sort_values("n_params").reset_index(drop=True)
    if len(order) == 2:
        joint = summary[summary["stage"] == order[0]].iloc[[-1]].assign(stage=order[1])
        summary = pd.concat([summary, joint]).sort_values("n_params").reset_index(drop=True)
    summary["stage"] = summary["stage"].astype(str)
    return summary


def switch_point(summary: pd.DataFrame) -> pd.Series:
    """The row where the first stage ends and the second axis starts moving."""
    first = summary["stage"].iloc[0]
    return summary[summary["stage"] == first].iloc[-1]


def _switch_label(summary: pd.DataFrame) -> str:
    stages = list(dict.fromkeys(summary["stage"]))
    return "axis switch" + (f": {stages[0]} → {stages[1]}" if len(stages) == 2 else "")


def _label_side(summary: pd.DataFrame, switch: float) -> str:
    """Which side of the switch line its label goes: toward the wider part of the (log)
    x axis, so that on a phone it is not cut at the chart's right edge."""
    low, high = np.log(summary["n_params"].min()), np.log(summary["n_params"].max())
    return "right" if high > low and (np.log(switch) - low) / (high - low) > 0.5 else "left"


def _stage_color(summary: pd.DataFrame) -> alt.Color:
    stages = [s for s in STAGES if s in set(summary["stage"])]
    return alt.Color("stage:N", title="axis moving",
                     scale=palette.ordered(stages, palette.STAGES),
                     legend=palette.legend(symbolType="circle"))


def _plot_columns(summary: pd.DataFrame) -> pd.DataFrame:
    """Values floored for the log axis: two decades below the series that stays highest
    (training error of an interpolating model is ~0 and sits at the floor)."""
    out = summary.copy()
    groups = out["split"] if "split" in out else None
    floor = log_floor(out["low"].where(out["low"] > 0, out["centre"]), groups)
    for col in ("centre", "low", "high"):
        out[f"{col}_plot"] = out[col].clip(lower=floor)
    return out


def _log_y(summary: pd.DataFrame, title: str) -> dict:
    """A log y axis fitted to the band, with 1-1.5-2-3-5-7 ticks: test errors vary by
    less than a decade here, and rounding the axis to whole decades would flatten the
    bumps we want to show."""
    low, high = summary["low_plot"].min() / 1.15, summary["high_plot"].max() * 1.15
    decades = range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
    steps = (1, 1.5, 2, 3, 5, 7) if len(decades) <= 2 else (1, 3)
    ticks = [m * 10.0**k for k in decades for m in steps if low <= m * 10.0**k <= high]
    return {"scale": alt.Scale(type="log", domain=[low, high], nice=False), "title": title,
            "axis": alt.Axis(values=ticks, format="~g")}


def _tooltip() -> list:
    return [alt.Tooltip("stage:N", title="axis moving"),
            alt.Tooltip("n_params:Q", title="composite count"),
            alt.Tooltip("effective_params:Q", title="effective parameters", format=".1f"),
            alt.Tooltip("centre:Q", title="median", format=".4g"),
            alt.Tooltip("low:Q", title="lower quartile", format=".4g"),
            alt.Tooltip("high:Q", title="upper quartile", format=".4g"),
            alt.Tooltip("seeds:Q", title="seeds")]


def composite_chart(frame: pd.DataFrame, metric: str, *, splits: tuple[str, ...] = ("test",),
                    title: str = "", height: int = 300) -> alt.LayerChart:
    """Error against Belkin's composite count (log axes), the axis switch marked; with
    several `splits`, each but the test split is drawn dashed."""
    summary = _plot_columns(pd.concat(
        [stage_summary(frame, metric, split).assign(split=split) for split in splits],
        ignore_index=True))
    y_title = labels.metric(metric, "test" if splits == ("test",) else None)
    dash = alt.StrokeDash("split:N", title="data", sort=["test", "train"],
                          scale=alt.Scale(domain=["test", "train"], range=[[1, 0], [5, 3]]),
                          legend=palette.legend(symbolType="stroke", symbolStrokeColor=palette.INK,
                                                symbolStrokeWidth=2, symbolSize=300))
    base = alt.Chart(summary).encode(
        x=alt.X("n_params:Q", scale=alt.Scale(type="log"),
                title=labels.column("n_params", "trees")),
        color=_stage_color(summary), detail="split:N")
    tooltip = _tooltip() + ([alt.Tooltip("split:N", title="data")] if len(splits) > 1 else [])
    band = base.mark_area(opacity=0.2).encode(
        y=alt.Y("low_plot:Q", **_log_y(summary, y_title)), y2="high_plot:Q", tooltip=tooltip)
    # The dash legend belongs to the lines: taken from the band, its swatches are fills
    # without a stroke, and so invisible.
    line = base.mark_line(strokeWidth=2).encode(
        y="centre_plot:Q", **({"strokeDash": dash} if len(splits) > 1 else {}))
    points = base.mark_circle(size=30).encode(y="centre_plot:Q", tooltip=tooltip)
    test = summary[summary["split"] == ("test" if "test" in splits else splits[0])]
    switch = float(switch_point(test)["n_params"])
    rule = threshold_rule("n_params", switch, _switch_label(test), _label_side(summary, switch))
    return (band + line + points + rule).properties(title=labels.title_lines(title),
                                                    height=height)


def effective_chart(frame: pd.DataFrame, metric: str, *, title: str = "",
                    height: int = 300, matched: pd.DataFrame | None = None) -> alt.LayerChart:
    """The same test error against effective parameters: points joined in the order of
    the composite count, so the second stage is seen walking back to smaller p_eff.
    `matched` (rows with effective_params, value, stage) marks a pair of points at equal
    p_eff with diamonds and a dotted line between them."""
    summary = _plot_columns(stage_summary(frame, metric))
    switch = switch_point(summary)
    base = alt.Chart(summary).encode(
        x=alt.X("effective_params:Q", scale=alt.Scale(type="log"),
                title=labels.column("effective_params")),
        y=alt.Y("centre_plot:Q", **_log_y(summary, labels.metric(metric, "test"))),
        color=_stage_color(summary))
    path = base.mark_line(strokeWidth=2).encode(order="n_params:Q")
    points = base.mark_circle(size=30).encode(tooltip=_tooltip())
    ring = alt.Chart(pd.DataFrame([switch])).mark_point(
        size=160, shape="circle", filled=False, color="black", strokeWidth=1.5).encode(
        x="effective_params:Q", y="centre_plot:Q")
    rule = threshold_rule("effective_params", float(switch["effective_params"]),
                          _switch_label(summary), align="right")
    chart = path + points + ring + rule
    if matched is not None:
        pair = matched.assign(value_plot=matched["value"].clip(lower=summary["centre_plot"].min()),
                              label="equal effective parameters")
        pair_base = alt.Chart(pair).encode(x="effective_params:Q", y="value_plot:Q")
        chart = (chart + pair_base.mark_line(strokeDash=[2, 3], color="black")
                 + pair_base.mark_point(shape="diamond", size=140, color="black", filled=False,
                                        strokeWidth=1.5).encode(
                     tooltip=[alt.Tooltip("label:N", title=""),
                              alt.Tooltip("stage:N", title="axis moving"),
                              alt.Tooltip("effective_params:Q", title="effective parameters",
                                          format=".1f"),
                              alt.Tooltip("value:Q", title="median", format=".4g")]))
    return chart.properties(title=labels.title_lines(title), height=height)
