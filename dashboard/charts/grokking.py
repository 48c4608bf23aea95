"""Chart builders for the grokking pages: pure functions of tidy DataFrames.

The progress chart stacks accuracy, weight norm and Fourier sparsity on one shared log
epoch axis, with the "memorized" and "generalized" moments drawn through every panel,
so the reader sees the neurons turn sparse while test accuracy rises. The progress-
measures chart puts the restricted and excluded losses beside the ordinary ones.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.aggregate import seed_summary
from dashboard.ui import labels, palette
from experiments.grokking import milestones as milestones_of

LOSS_LABELS = {("test", "loss"): "test loss", ("test", "restricted_loss"): "restricted loss (test)",
               ("train", "loss"): "train loss", ("train", "excluded_loss"): "excluded loss (train)"}
PANELS = ("accuracy", "weight_norm", "fourier_ipr")
Y_AXIS_WIDTH = 55  # same label gutter on every panel keeps the x axes aligned


def gap_sentence(memorized: int | None, generalized: int | None, last_epoch: int) -> str:
    """The delay between memorizing and generalizing, in words."""
    if memorized is None and generalized is None:
        return f"Training accuracy never reached 99% within {last_epoch} epochs."
    if generalized is None:
        return (f"Memorized at epoch {memorized}; test accuracy never reached 95% "
                f"within {last_epoch} epochs.")
    if memorized is None:
        return f"Generalized at epoch {generalized} before training accuracy reached 99%."
    ratio = generalized / memorized  # 89x, 100x, 2.5x: never 1e+02x
    return (f"Memorized at epoch {memorized}, generalized at epoch {generalized}: "
            f"{ratio:,.0f}x later (the delay ratio)." if ratio >= 10 else
            f"Memorized at epoch {memorized}, generalized at epoch {generalized}: "
            f"{ratio:.2g}x later (the delay ratio).")


def milestone_rules(marks: dict) -> alt.Chart | None:
    """Dashed vertical lines at the memorized / generalized epochs (those that happened)."""
    labels = {"memorized": "memorized (train 99%)", "generalized": "generalized (test 95%)"}
    rows = pd.DataFrame([{"step": float(v), "label": labels[k], "short": k}
                         for k, v in marks.items() if v is not None])
    if rows.empty:
        return None
    base = alt.Chart(rows)
    rule = base.mark_rule(strokeDash=[6, 4], color=palette.THRESHOLD).encode(
        x="step:Q",
        tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("step:Q", title="epoch")])
    text = base.mark_text(align="left", dx=4, dy=2, baseline="top", color=palette.THRESHOLD,
                          fontSize=11).encode(x="step:Q", y=alt.value(0), text="short:N")
    return rule + text


def _panel(frame: pd.DataFrame, metric: str, domain: list[float], height: int,
           legend: bool) -> alt.LayerChart:
    rows = frame[(frame["metric"] == metric) & (frame["seed"] >= 0)]
    summary = seed_summary(rows, "step", "split")
    x = alt.X("step:Q", title="epoch", scale=alt.Scale(type="log", domain=domain))
    y_scale = alt.Scale(domain=[0, 1]) if metric == "accuracy" else alt.Scale(zero=False)
    base = alt.Chart(summary).encode(x=x, color=alt.Color(
        "split:N", scale=palette.scale(palette.SPLITS), title="data",
        legend=palette.legend(orient="top") if legend else None))
    tooltip = [alt.Tooltip("step:Q", title="epoch"), alt.Tooltip("split:N", title="data"),
               alt.Tooltip("centre:Q", title="median", format=".4g"),
               alt.Tooltip("low:Q", title="lower quartile", format=".4g"),
               alt.Tooltip("high:Q", title="upper quartile", format=".4g"),
               alt.Tooltip("seeds:Q", title="seeds")]
    band = base.mark_area(opacity=0.2).encode(
        y=alt.Y("low:Q", title=labels.metric(metric), scale=y_scale,
                axis=alt.Axis(minExtent=Y_AXIS_WIDTH, maxExtent=Y_AXIS_WIDTH)), y2="high:Q",
        tooltip=tooltip)
    line = base.mark_line(strokeWidth=2).encode(y="centre:Q", tooltip=tooltip)
    return (band + line).properties(height=height)


def progress_panels(frame: pd.DataFrame, marks: dict, *, metrics=PANELS,
                    height: int = 170, last_epoch: int | None = None) -> list[alt.LayerChart]:
    """Train/test accuracy, then the weight norm and Fourier sparsity (median over seeds,
    inter-quartile band), milestones marked in every panel.

    Separate charts so each can stretch to the page width; the same log epoch domain,
    y-axis gutter keep their x axes aligned when stacked. `height` is the whole panel's
    (Streamlit fits axes and legend inside it); the accuracy panel is twice as tall.
    `last_epoch` fixes the right end of the axis (a live run grows into it).
    """
    _epoch_domain(frame, last_epoch)
    return [progress_panel(frame, marks, metric, first=i == 0, height=height,
                           last_epoch=last_epoch)
            for i, metric in enumerate(panel_metrics(frame, metrics))]


def panel_metrics(frame: pd.DataFrame, metrics=PANELS) -> list[str]:
    """The progress panels `frame` has data for, top to bottom."""
    present = set(frame["metric"])
    return [m for m in metrics if m in present]


def progress_panel(frame: pd.DataFrame, marks: dict, metric: str, *, first: bool,
                   height: int = 170, last_epoch: int | None = None) -> alt.LayerChart:
    """One of `progress_panels`: the first is twice as tall and carries the legend."""
    domain = _epoch_domain(frame, last_epoch)
    panel = _panel(frame, metric, domain, height * 2 if first else height, legend=first)
    rules = milestone_rules(marks)
    return panel + rules if rules is not None else panel


def _epoch_domain(frame: pd.DataFrame, last_epoch: int | None) -> list[float]:
    steps = frame.loc[frame["step"] > 0, "step"]
    if steps.empty:
        raise ValueError("no logged epochs to draw")
    return [float(steps.min()), float(last_epoch or steps.max())]


def progress_measures_panel(frame: pd.DataFrame, marks: dict, split: str, *,
                            height: int = 200) -> alt.LayerChart:
    """Nanda et al.'s progress measures beside the ordinary losses (median over seeds,
    log axes), milestones marked, for `split`: "test" draws the test loss with the
    restricted loss (logits kept on the key frequencies, test pairs), "train" the train
    loss with the excluded loss (those frequencies removed, training pairs). One panel per
    split: the train losses sit orders of magnitude lower."""
    keys = pd.MultiIndex.from_frame(frame[["split", "metric"]])
    rows = frame[keys.isin(list(LOSS_LABELS)) & (frame["seed"] >= 0)]
    if rows.empty or not (rows["metric"] == "restricted_loss").any():
        raise ValueError("no progress measures to draw")
    pairs = zip(rows["split"], rows["metric"], strict=True)
    rows = rows.assign(series=[LOSS_LABELS[k] for k in pairs])
    summary = seed_summary(rows, "step", ["split", "series"])
    summary = summary[summary["centre"] > 0]
    steps = summary["step"]
    domain = [float(steps.min()), float(steps.max())]
    x = alt.X("step:Q", title="epoch", scale=alt.Scale(type="log", domain=domain))
    rules = milestone_rules(marks)
    shown = [label for (s, _), label in LOSS_LABELS.items() if s == split]
    line = alt.Chart(summary[summary["split"] == split]).mark_line(strokeWidth=2).encode(
        x=x, y=alt.Y("centre:Q", title=f"{split} pairs",
                     scale=alt.Scale(type="log", nice=False),
                     axis=alt.Axis(minExtent=Y_AXIS_WIDTH, maxExtent=Y_AXIS_WIDTH)),
        color=alt.Color("series:N", scale=palette.scale(palette.LOSSES, shown), title="",
                        legend=palette.legend(orient="top")),
        tooltip=[alt.Tooltip("step:Q", title="epoch"), alt.Tooltip("series:N", title="loss"),
                 alt.Tooltip("centre:Q", title="median", format=".4g"),
                 alt.Tooltip("seeds:Q", title="seeds")])
    chart = line.properties(height=height)
    return chart + rules if rules is not None else chart


def norm_comparison_chart(frame: pd.DataFrame, *, height: int = 280) -> alt.LayerChart:
    """Weight norm over training for each initialization scale, with each run's memorized
    and generalized epochs as points on its curve."""
    rows = frame[(frame["metric"] == "weight_norm") & (frame["seed"] >= 0)]
    if rows.empty:
        raise ValueError("no weight norms to draw")
    rows = rows.assign(start=rows["init_scale"].map(lambda v: f"init x{v:g}"))
    summary = seed_summary(rows, "step", "start")
    color = alt.Color("start:N", title="initialization", legend=palette.legend(orient="top"),
                      scale=alt.Scale(range=list(palette.INITS)))
    x = alt.X("step:Q", title="epoch", scale=alt.Scale(type="log"))
    line = alt.Chart(summary).mark_line(strokeWidth=2).encode(
        x=x, y=alt.Y("centre:Q", title="weight norm"), color=color,
        tooltip=[alt.Tooltip("step:Q", title="epoch"),
                 alt.Tooltip("start:N", title="initialization"),
                 alt.Tooltip("centre:Q", title="weight norm", format=".3g")])
    points = []
    for start, part in rows.groupby("start"):
        run = frame[frame["init_scale"] == part["init_scale"].iloc[0]]
        for moment, step in milestones_of(run).items():
            if step is not None:
                norm = summary[(summary["start"] == start) & (summary["step"] == step)]["centre"]
                points.append({"start": start, "step": step, "centre": float(norm.iloc[0]),
                               "moment": moment})
    marks = pd.DataFrame(points, columns=["start", "step", "centre", "moment"])
    dots = alt.Chart(marks).mark_point(filled=True, size=70).encode(
        x=x, y="centre:Q", color=color,
        shape=alt.Shape("moment:N", title="moment", legend=palette.legend()),
        tooltip=[alt.Tooltip("start:N", title="initialization"),
                 alt.Tooltip("moment:N", title="moment"), alt.Tooltip("step:Q", title="epoch"),
                 alt.Tooltip("centre:Q", title="weight norm", format=".3g")])
    return (line + dots).properties(height=height)


def _epochs(epochs: float) -> str:
    """At most four characters, so that labels of neighbouring cells never touch."""
    return f"{epochs:.0f}" if epochs < 1000 else f"{epochs / 1000:.1f}k"


def phase_heatmap(cells: pd.DataFrame, *, title: str = "") -> alt.LayerChart:
    """Phase of each (training fraction, weight decay) cell, with the median epochs to
    generalize written in it; tooltips give the share of seeds that generalized."""
    if cells.empty:
        raise ValueError("no phase-diagram cells to draw")
    rows = cells.copy()
    rows["label"] = [_epochs(e) if g >= 0.5 else "-" for e, g in
                     zip(rows["epochs_to_generalize"], rows["generalized"], strict=True)]
    x = alt.X("train_fraction:O", title=labels.column("train_fraction"),
              axis=alt.Axis(format=".2f", labelAngle=0))
    y = alt.Y("weight_decay:O", title="weight decay", sort="descending")
    base = alt.Chart(rows).encode(x=x, y=y)
    tooltip = [alt.Tooltip("train_fraction:Q", title="training fraction"),
               alt.Tooltip("weight_decay:Q", title="weight decay"),
               alt.Tooltip("phase:N", title="outcome"),
               alt.Tooltip("generalized:Q", title="share of seeds generalized", format=".0%"),
               alt.Tooltip("epochs_to_memorize:Q", title="median epochs to memorize",
                           format=".0f"),
               alt.Tooltip("epochs_to_generalize:Q", title="median epochs to generalize",
                           format=".0f"),
               alt.Tooltip("seeds:Q", title="seeds")]
    extra = {"delay": ("median delay ratio", ".1f"),
             "train_end": ("train accuracy at the end", ".0%"),
             "test_end": ("test accuracy at the end", ".0%")}
    tooltip += [alt.Tooltip(f"{col}:Q", title=name, format=fmt)
                for col, (name, fmt) in extra.items() if col in rows]
    rect = base.mark_rect(stroke="white").encode(
        color=alt.Color("phase:N", scale=palette.scale(palette.PHASES), title="outcome",
                        legend=palette.legend(orient="bottom", columns=3)),
        tooltip=tooltip)
    dark = alt.FieldOneOfPredicate(field="phase", oneOf=["grok", "fast generalization"])
    text = base.mark_text(fontSize=10, limit=40).encode(
        text="label:N", tooltip=tooltip,
        color=alt.condition(dark, alt.value("white"), alt.value(palette.INK)))
    return (rect + text).properties(title=labels.title_lines(title), height=300)
