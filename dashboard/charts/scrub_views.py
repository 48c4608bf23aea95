"""The scrub charts of the polynomial, random-features and trees pages: the error curve
on top, and below it what the picked model predicts (dashboard/charts/scrub.py).

Each builder is a pure function of tidy rows that the experiment stored for every swept
size (one seed), so nothing is refitted; predictions travel as float32 to keep the spec
small.
"""
from __future__ import annotations

from collections.abc import Callable

import altair as alt
import numpy as np
import pandas as pd

from dashboard.charts.scrub import (
    EDGE_PIXELS,
    PANEL_HEIGHT,
    clip_range,
    curve_panel,
    default_rank,
    inside_x,
    inside_y,
    median_curve,
    readout,
    scrub,
    size_pick,
    with_ranks,
)
from dashboard.ui import labels, palette

DIGIT_COLUMNS = 5  # digits per row of the grid: four rows of five fit a phone
DIGIT_WIDTH = 320  # px; fixed so the 8x8 images keep their shape at every page width
PEAK_CUT = 1e3  # polynomial: the curve is cut at 1000x the smallest model's error, so the
# classical U stays visible next to a peak that reaches ~1e17


def _truth_line(rows: pd.DataFrame, x_title: str, y_title: str,
                domain: tuple[float, float]) -> alt.Chart:
    return alt.Chart(rows).mark_line(color=palette.INK, strokeDash=[5, 3], clip=True).encode(
        x=alt.X("x:Q", axis=inside_x(x_title), scale=alt.Scale(padding=EDGE_PIXELS, nice=False)),
        y=alt.Y("value:Q", axis=inside_y(y_title), scale=alt.Scale(domain=list(domain),
                                                                  nice=False)))


def _prediction_line(rows: pd.DataFrame, pick: alt.Parameter, domain: tuple[float, float]
                     ) -> alt.Chart:
    """The picked model's curve; values far outside the view are cut (the line leaves it)."""
    span = domain[1] - domain[0]
    data = pd.DataFrame({"rank": rows["rank"].to_numpy(np.int16),
                         "x": rows["x"].to_numpy(np.float32),
                         "y": rows["value"].clip(domain[0] - span, domain[1] + span)
                         .to_numpy(np.float32)})
    return alt.Chart(data).mark_line(color=palette.PREDICTION, strokeWidth=2.5, clip=True).encode(
        x="x:Q", y="y:Q").transform_filter(pick)


def polynomial_scrub(frame: pd.DataFrame, *, threshold: float, x_title: str) -> alt.VConcatChart:
    """Test MSE against the number of coefficients; below, the first seed's fitted
    polynomial at the picked degree over its training points and the true function."""
    fitted = frame[frame["metric"] == "fitted"]
    sizes = sorted(fitted["n_params"].unique())
    curve = median_curve(frame, "mse", sizes)
    curve = median_curve(frame, "mse", sizes, y_max=PEAK_CUT * curve["centre"].iloc[0])
    pick = size_pick(len(curve), default_rank(curve))
    truth = frame[frame["metric"] == "truth"]
    points = frame[frame["metric"] == "train_point"]
    domain = clip_range(np.concatenate([truth["value"], points["value"]]))
    dots = alt.Chart(points[["x", "value"]]).mark_circle(size=45, color=palette.INK,
                                                         opacity=1).encode(
        x="x:Q", y="value:Q", tooltip=[alt.Tooltip("x:Q", format=".3f"),
                                       alt.Tooltip("value:Q", title="y", format=".3f")])
    panel = (_truth_line(truth[["x", "value"]], labels.SCRUB["x"], labels.SCRUB["y"], domain)
             + _prediction_line(with_ranks(fitted, sizes), pick, domain) + dots).properties(
        height=PANEL_HEIGHT)
    text = [f"degree {int(n) - 1} ({int(n)} coefficients)\nmedian "
            f"{labels.metric('mse', 'test')} {c:.3g}"
            for n, c in zip(curve["n_params"], curve["centre"], strict=True)]
    return scrub(curve_panel(curve, pick, x="n_params", x_title=x_title,
                             y_title=labels.metric("mse", "test"), threshold=threshold),
                 readout(curve, pick, text), panel)


def _digit_grid(shown: pd.DataFrame, pick: alt.Parameter) -> alt.HConcatChart:
    """The kept test digits (8x8 pixels), four rows of five, each with the picked model's
    label under it: ink when right, orange and framed when wrong."""
    truth = shown[shown["metric"] == "true_label"].set_index("example")["value"]
    k = np.arange(len(truth))
    place = pd.DataFrame({"example": truth.index, "col": (k // 2) % DIGIT_COLUMNS * 9,
                          "row": ((k // 2) // DIGIT_COLUMNS + 2 * (k % 2)) * 11})
    pixels = shown[shown["metric"] == "pixel"].merge(place, on="example")
    pixels = pd.DataFrame({"px": pixels["col"] + pixels["pixel"] % 8,
                           "py": pixels["row"] + pixels["pixel"] // 8,
                           "ink": pixels["value"].to_numpy(np.float32)})
    guesses = shown[shown["metric"] == "predicted_label"].merge(place, on="example")
    guesses = pd.DataFrame({
        "rank": guesses["rank"].to_numpy(np.int16), "label": guesses["value"].astype(int),
        "verdict": np.where(guesses["value"].to_numpy() == truth.loc[guesses["example"]]
                            .to_numpy(), "right", "wrong"),
        "cx": guesses["col"] + 4.0, "left": guesses["col"] - 0.5, "top": guesses["row"] - 0.5})
    guesses["right_edge"], guesses["bottom"] = guesses["left"] + 9, guesses["top"] + 11
    width, height = DIGIT_COLUMNS * 9, 4 * 11
    x = alt.X("px:Q", axis=None, scale=alt.Scale(domain=[-1, width], nice=False))
    y = alt.Y("py:Q", axis=None, scale=alt.Scale(domain=[-1, height], reverse=True, nice=False))
    images = alt.Chart(pixels).mark_rect().encode(
        x=x, x2=alt.X2("px_end:Q"), y=y, y2=alt.Y2("py_end:Q"),
        color=alt.Color("ink:Q", scale=alt.Scale(range=["#ffffff", palette.INK]), legend=None),
    ).transform_calculate(px_end="datum.px + 1", py_end="datum.py + 1")
    verdict = alt.Color("verdict:N", title="the model's label",
                        scale=palette.scale(palette.VERDICTS),
                        legend=alt.Legend(orient="bottom", symbolOpacity=1))
    picked = alt.Chart(guesses).transform_filter(pick)
    frames = picked.mark_rect(filled=False, strokeWidth=2).encode(
        x=alt.X("left:Q", scale=alt.Scale(domain=[-1, width], nice=False), axis=None),
        x2="right_edge:Q", y=alt.Y("top:Q", axis=None, scale=alt.Scale(
            domain=[-1, height], reverse=True, nice=False)), y2="bottom:Q",
        stroke=alt.Stroke("verdict:N", scale=palette.scale(palette.VERDICTS), legend=None),
        strokeOpacity=alt.condition(alt.datum.verdict == "wrong", alt.value(1),
                                                    alt.value(0)))
    guess_text = picked.mark_text(fontSize=13, fontWeight="bold", baseline="middle").encode(
        x="cx:Q", y=alt.Y("label_y:Q"), text="label:N", color=verdict,
    ).transform_calculate(label_y="datum.top + 9.6")
    grid = (images + frames + guess_text).properties(
        width=DIGIT_WIDTH, height=DIGIT_WIDTH * height // width)
    return alt.hconcat(grid).resolve_scale(color="independent")


def digits_scrub(errors: pd.DataFrame, shown: pd.DataFrame, *, metric: str, threshold: float,
                 x_title: str, y_format: str = "~e") -> alt.VConcatChart:
    """Test error against width for one setting; below, the first seed's labels for a
    few test digits at the picked width."""
    sizes = sorted(shown.loc[shown["metric"] == "predicted_label", "n_params"].unique())
    curve = median_curve(errors, metric, sizes)
    pick = size_pick(len(curve), default_rank(curve))
    shown = pd.concat([with_ranks(shown[shown["metric"] == "predicted_label"], sizes),
                       shown[shown["metric"] != "predicted_label"]], ignore_index=True)
    guesses = shown[shown["metric"] == "predicted_label"]
    truth = shown[shown["metric"] == "true_label"].set_index("example")["value"]
    right = (guesses["value"].to_numpy() == truth.loc[guesses["example"]].to_numpy())
    per_rank = pd.Series(right).groupby(guesses["rank"].to_numpy()).agg(["sum", "size"])
    fmt = (lambda v: f"{100 * v:.1f}%") if metric == "error_rate" else (lambda v: f"{v:.3g}")
    text = [f"N = {int(n)} random features\nmedian {labels.metric(metric, 'test')} {fmt(c)}; "
            f"{int(per_rank.loc[s, 'sum'])} of {int(per_rank.loc[s, 'size'])} digits right"
            for n, c, s in zip(curve["n_params"], curve["centre"], curve["rank"], strict=True)]
    return scrub(curve_panel(curve, pick, x="n_params", x_title=x_title,
                             y_title=labels.metric(metric, "test"), threshold=threshold,
                             y_format=y_format),
                 readout(curve, pick, text), _digit_grid(shown, pick))


def regression_scrub(errors: pd.DataFrame, shown: pd.DataFrame, *, threshold: float,
                     x_title: str) -> alt.VConcatChart:
    """Test squared loss against width; below, the picked model's predictions for a few
    test points against their targets (on the dashed diagonal when exact)."""
    sizes = sorted(shown.loc[shown["metric"] == "prediction", "n_params"].unique())
    curve = median_curve(errors, "mse", sizes)
    pick = size_pick(len(curve), default_rank(curve))
    targets = shown[shown["metric"] == "target"].set_index("example")["value"]
    guesses = with_ranks(shown[shown["metric"] == "prediction"], sizes)
    domain = clip_range(targets.to_numpy(), margin=0.15)
    data = pd.DataFrame({"rank": guesses["rank"].to_numpy(np.int16),
                         "target": targets.loc[guesses["example"]].to_numpy(np.float32),
                         "prediction": guesses["value"].clip(*domain).to_numpy(np.float32)})
    scale = alt.Scale(domain=list(domain), nice=False, padding=EDGE_PIXELS)
    diagonal = alt.Chart(pd.DataFrame({"target": list(domain), "prediction": list(domain)}))
    panel = (diagonal.mark_line(color=palette.INK, strokeDash=[5, 3]).encode(
        x=alt.X("target:Q", axis=inside_x(labels.SCRUB["target"]), scale=scale),
        y=alt.Y("prediction:Q", axis=inside_y(labels.SCRUB["prediction"]), scale=scale))
        + alt.Chart(data).mark_circle(size=40, color=palette.PREDICTION, opacity=0.8).encode(
            x="target:Q", y="prediction:Q").transform_filter(pick)).properties(
        height=PANEL_HEIGHT)
    text = [f"N = {int(n)} random features\nmedian test squared loss {c:.3g}"
            for n, c in zip(curve["n_params"], curve["centre"], strict=True)]
    return scrub(curve_panel(curve, pick, x="n_params", x_title=x_title,
                             y_title=labels.metric("mse", "test"), threshold=threshold),
                 readout(curve, pick, text), panel)


def slice_scrub(rows: pd.DataFrame, *, describe: Callable[[str, int], str], dim: int,
                threshold: float, threshold_label: str, x_title: str
                ) -> alt.VConcatChart:
    """One model on the synthetic task: test squared loss along the composite axis;
    below, the picked ensemble's prediction along a line through the input space."""
    predicted = rows[rows["metric"] == "prediction"]
    sizes = sorted(predicted["n_params"].unique())
    curve = median_curve(rows, "mse", sizes)
    pick = size_pick(len(curve), default_rank(curve))
    truth = rows[rows["metric"] == "truth"].drop_duplicates("x")
    domain = clip_range(np.concatenate([truth["value"], predicted["value"]]), margin=0.05)
    panel = (_truth_line(truth[["x", "value"]], labels.SCRUB["slice"].format(dim=dim),
                         labels.SCRUB["y"], domain)
             + _prediction_line(with_ranks(predicted, sizes), pick, domain)).properties(
        height=PANEL_HEIGHT)
    stages = predicted.drop_duplicates("n_params").set_index("n_params")
    text = [f"{describe(stages.loc[n, 'stage'], int(stages.loc[n, 'stage_size']))}\n"
            f"median test squared loss {c:.3g}"
            for n, c in zip(curve["n_params"], curve["centre"], strict=True)]
    return scrub(curve_panel(curve, pick, x="n_params", x_title=x_title,
                             y_title=labels.metric("mse", "test"), threshold=threshold,
                             threshold_label=threshold_label),
                 readout(curve, pick, text), panel)
