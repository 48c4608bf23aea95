"""Scrub the model size: one Vega-Lite chart whose slider (or a click on the error
curve) picks a model, moves a marker on the curve and redraws that model's predictions.

Everything needed for every size ships inside the one chart spec, so scrubbing runs in
the browser with no server round trip. The pick is a point selection on the column
`rank` (0 = smallest model), two-way bound to a range input; `panel` layers filter on it.
(Not `step`: Vega-Lite reads a binding's entry named like a selected field as that
field's own binding, and a range input has a `step`.)
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from dashboard.aggregate import seed_summary
from dashboard.charts.curves import PERCENT_TICKS, log_floor, threshold_rule
from dashboard.ui import labels, palette

PICK = "size_pick"
PANEL_HEIGHT = 260
CURVE_HEIGHT = 200
EDGE_ROOM = 1.3  # log x axes reach this factor beyond the smallest and largest model
EDGE_PIXELS = 12  # linear x axes: blank pixels beyond both ends of the data


def inside_y(title: str, **kwargs) -> alt.Axis:
    """A y axis drawn inside the plot, its title above it: Streamlit stretches each part of
    a stacked chart to the page width, so anything left of the plot would push the chart
    past the edge of a phone screen."""
    return alt.Axis(title=title, labelAlign="left", labelPadding=-4, tickSize=0, domain=False,
                    labelBaseline="bottom", titleAngle=0, titleAlign="left", titleAnchor="end",
                    titleBaseline="bottom", titleX=0, titleY=-6, labelOpacity=0.85, **kwargs)


def inside_x(title: str, **kwargs) -> alt.Axis:
    """An x axis whose labels stay within the plot's width (see `inside_y`): the end ones
    flush, any other that would stick out hidden."""
    return alt.Axis(title=title, labelFlush=True, labelBound=True, labelSeparation=6, **kwargs)


def with_ranks(rows: pd.DataFrame, sizes, column: str = "n_params") -> pd.DataFrame:
    """`rows` with `rank`, the position of their model size among `sizes` (sorted)."""
    order = {size: i for i, size in enumerate(sorted(sizes))}
    out = rows[rows[column].isin(list(order))].copy()
    out["rank"] = out[column].map(order).astype(int)
    return out


def size_pick(n_ranks: int, default: int) -> alt.Parameter:
    """The shared pick: a slider over the ranks that a click on the curve also sets."""
    return alt.selection_point(
        name=PICK, fields=["rank"], value=[{"rank": int(default)}], on="click", nearest=True,
        clear=False, empty=False,
        bind=alt.binding_range(min=0, max=n_ranks - 1, step=1, name=labels.SCRUB["slider"]))


def median_curve(frame: pd.DataFrame, metric: str, sizes, x: str = "n_params",
               y_max: float | None = None) -> pd.DataFrame:
    """Median and quartiles over seeds of the test `metric` at each model size, with ranks;
    `y_max` cuts a peak that would squash the rest of the curve into a flat line."""
    rows = frame[(frame["metric"] == metric) & (frame["split"] == "test") & (frame["seed"] >= 0)]
    summary = seed_summary(rows, x, "split")
    floor = log_floor(summary["low"].where(summary["low"] > 0, summary["centre"]))
    for col in ("centre", "low", "high"):
        summary[f"{col}_plot"] = summary[col].clip(lower=floor, upper=y_max)
    return with_ranks(summary, sizes, x)


def curve_panel(curve: pd.DataFrame, pick: alt.Parameter, *, x: str, x_title: str,
                y_title: str, threshold: float | None = None,
                threshold_label: str = "interpolation threshold",
                y_format: str = "~e") -> alt.LayerChart:
    """The test error against size (log axes) with its band; the picked size gets a rule
    and a ring. Clicking near a point picks it."""
    # a little room beyond both ends: Streamlit's stretched width leaves no margin, so
    # marks drawn at the very edge would be cut
    domain = [float(curve[x].min()) / EDGE_ROOM, float(curve[x].max()) * EDGE_ROOM]
    base = alt.Chart(curve).encode(x=alt.X(f"{x}:Q", title=x_title, axis=inside_x(x_title),
                                           scale=alt.Scale(type="log", domain=domain, nice=False)))
    y = alt.Y("centre_plot:Q", title=y_title)
    low, high = curve["low_plot"].min() / 1.15, curve["high_plot"].max() * 1.15
    y_scale = alt.Scale(type="log", domain=[low, high], nice=False)
    ticks = log_ticks(low, high, percent=y_format.endswith("%"))
    if y_format == "~e" and high < 1e3 * low:  # plain numbers read better over a few decades
        y_format = "~g"
    band = base.mark_area(opacity=0.2, color=palette.SPLITS["test"]).encode(
        y=alt.Y("low_plot:Q", title=y_title, scale=y_scale,
                axis=inside_y(y_title, format=y_format, values=ticks)),
        y2="high_plot:Q")
    line = base.mark_line(color=palette.SPLITS["test"], strokeWidth=2).encode(y=y)
    points = base.mark_circle(size=30, color=palette.SPLITS["test"]).encode(
        y=y, tooltip=[alt.Tooltip(f"{x}:Q", title=x_title),
                                    alt.Tooltip("centre:Q", title="median", format=".4g")],
    ).add_params(pick)
    picked = base.transform_filter(pick)
    rule = picked.mark_rule(color=palette.INK, strokeWidth=1.5)
    ring = picked.mark_point(shape="circle", size=220, filled=False, strokeWidth=2.5,
                             color=palette.INK).encode(y=y)
    chart = band + line + points + rule + ring
    if (curve["centre_plot"] < curve["centre"]).any():
        chart = chart + cut_note(curve["centre_plot"].max(), curve["centre"].max())
    if threshold is not None:
        chart = chart + threshold_rule(x, threshold, threshold_label)
    return chart.properties(height=CURVE_HEIGHT)


def log_ticks(low: float, high: float, percent: bool = False) -> list[float]:
    """Tick values inside [low, high]: whole decades over a wide range, finer steps over a
    narrow one (so a curve that varies little still shows its shape)."""
    if percent:
        return [v for v in PERCENT_TICKS if low <= v <= high]
    decades = range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
    steps = (1, 1.5, 2, 3, 5, 7) if high <= 10 * low else (1, 2, 5) if len(decades) <= 3 else (1,)
    values = (float(f"{m * 10.0**k:.6g}") for k in decades for m in steps)  # 0.7, not 0.70..01
    return [v for v in values if low <= v <= high]


def cut_note(cut: float, peak: float) -> alt.Chart:
    """Top left, in two short lines (the top right holds the threshold label): where the
    y axis is cut and the true peak."""
    text = f"axis cut at {cut:.2g}\npeak median {peak:.2g}"
    return alt.Chart(pd.DataFrame({"note": [text]})).mark_text(
        align="left", baseline="top", color=palette.THRESHOLD, fontSize=11, lineBreak="\n",
    ).encode(x=alt.value(44), y=alt.value(4), text="note:N")


def readout(curve: pd.DataFrame, pick: alt.Parameter, text: list[str]) -> alt.Chart:
    """Two short lines (split at "\n", short enough for a phone) naming the picked model
    and its error, between the curve and the panel."""
    rows = pd.DataFrame({"rank": curve["rank"].to_numpy(), "readout": text})
    return alt.Chart(rows).mark_text(
        align="left", baseline="top", fontSize=13, fontWeight="bold", color=palette.INK,
        lineBreak="\n", lineHeight=17,
    ).encode(x=alt.value(0), y=alt.value(2), text="readout:N").transform_filter(
        pick).properties(height=36, view=alt.ViewBackground(stroke=None))


def scrub(curve: alt.LayerChart, line: alt.Chart, panel: alt.TopLevelMixin
          ) -> alt.VConcatChart:
    """Curve, readout and panel stacked, so every part is as wide as the page allows (the
    page heads the chart: a chart title would be cut short on a phone)."""
    return alt.vconcat(curve, line, panel, spacing=8,
                       padding={"left": 0, "right": 0, "top": 5, "bottom": 20}).resolve_scale(
        color="independent")


def default_rank(curve: pd.DataFrame) -> int:
    """Start at the best model, where the reader first sees a good fit."""
    return int(curve.loc[curve["centre"].idxmin(), "rank"])


def clip_range(values: np.ndarray, margin: float = 0.35) -> tuple[float, float]:
    """A fixed y range around `values` (the truth and the data), so the axis does not
    jump while scrubbing; wild fits leave the view instead of rescaling it."""
    low, high = float(np.min(values)), float(np.max(values))
    pad = margin * (high - low or 1.0)
    return low - pad, high + pad
