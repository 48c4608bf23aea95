"""Trees page: train and test error on the composite axis, and the effective-parameter view,
for every model and dataset in the result."""
from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard.charts import trees as trees_charts
from dashboard.charts.scrub_views import slice_scrub
from dashboard.ui import exports, labels, permalink, widgets
from experiments import trees
from experiments.framework.claims import by_key

METRICS = ("mse", "error_rate")


def training_floor(rows, metric: str) -> str:
    """What the dashed training curve of this panel does, read from the panel's own rows."""
    lowest = trees_charts.stage_summary(rows, metric, "train")["centre"].min()
    name = f"The median training {labels.metric(metric)} (dashed)"
    if lowest == 0:
        return f"{name} reaches exactly 0: the model interpolates; it is drawn at the axis floor."
    return f"{name} never reaches 0 (lowest {lowest:.2g})."


def stage_name(stage: str, size: int) -> str:
    """The ensemble a point of the scrubbed axis stands for, e.g. '12 averaged trees'."""
    return trees.STAGE_NAMES[stage].format(size)


@st.fragment
def render(frame, params: dict) -> None:
    """Everything here depends on the error measure: a fragment, so that switching it
    reruns only this, with claims and charts derived once per input (dashboard/data.py)."""
    metrics = [m for m in METRICS if m in set(frame["metric"])]
    metric = st.radio("Error measure", metrics, format_func=labels.metric, horizontal=True,
                      index=metrics.index(permalink.choice("metric", metrics, metrics[0])),
                      key="trees.metric", help="Squared loss of the predicted scores, or the "
                      "share of wrongly classified test points (digits only).")
    permalink.remember(metric=metric)
    claims = by_key(data.memo(trees.claims, frame, params))
    combos = frame[frame["metric"] == metric][["model", "dataset"]].drop_duplicates()
    for model, dataset in combos.itertuples(index=False):
        rows = frame[(frame["model"] == model) & (frame["dataset"] == dataset)
                     & (frame["metric"] == metric)]
        summary = data.memo(trees_charts.stage_summary, rows, metric)
        switch = trees_charts.switch_point(summary)
        st.subheader(f"{labels.MODELS[model]} on {dataset}")
        left, right = st.columns(2)
        with left:
            exports.show_built(trees_charts.composite_chart, rows,
                               f"trees-{model}-{dataset}-composite", rows, metric,
                               splits=("train", "test"),
                               title="Composite axis: train (dashed), test")
        with right:
            exports.show_built(trees_charts.effective_chart, rows,
                               f"trees-{model}-{dataset}-effective", rows, metric,
                               title="Test error against effective parameters")
        st.caption(f"{labels.MODELS[model]}: first stage {labels.STAGES[summary['stage'].iloc[0]]}"
                   f" (up to {int(switch['n_params'])}), then "
                   f"{labels.STAGES[summary['stage'].iloc[-1]]}. "
                   + training_floor(rows, metric)
                   + " See the U-turn page for what the right-hand chart means.")
        widgets.claim(claims.get(f"matched_{model}_{dataset}"), neutral=None)
        if dataset == "synthetic":
            scrub_section(frame, params, model)


def scrub_section(frame, params: dict, model: str) -> None:
    """Drag along the composite axis: the first seed's prediction on a line through the
    synthetic task's input space redraws in the browser (all sizes ship with the chart)."""
    rows = frame[(frame["model"] == model) & (frame["dataset"] == "synthetic")]
    predicted = rows[rows["metric"] == "prediction"]
    if predicted.empty:
        return
    shown = rows[rows["metric"].isin(["prediction", "truth"])
                 | ((rows["metric"] == "mse") & (rows["split"] == "test"))]
    first, second = (labels.STAGES[s] for s in dict.fromkeys(predicted["stage"]))
    st.markdown(f"**{labels.MODELS[model]}: drag through the sizes, watch the prediction**")
    exports.show_built(
        slice_scrub, shown, f"trees-{model}-scrub", rows, describe=stage_name,
        dim=trees.SYNTHETIC_DIM, threshold=trees.switch_point(params, model),
        threshold_label="axis switch", x_title=labels.column("n_params", "trees"))
    st.caption(f"Drag the slider under the chart or click a point on the curve. Below it: seed "
               f"{int(predicted['seed'].iloc[0])}'s prediction (teal) along a line through the "
               f"{trees.SYNTHETIC_DIM}-dimensional input space, the true function dashed. The "
               f"dashed vertical line marks the axis switch from {first} to {second}.")
