"""Trees page: train and test error on the composite axis, and the effective-parameter view,
for every model and dataset in the result."""
from __future__ import annotations

import streamlit as st

from dashboard.charts import trees as trees_charts
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


def render(frame, params: dict) -> None:
    metrics = [m for m in METRICS if m in set(frame["metric"])]
    metric = st.radio("Error measure", metrics, format_func=labels.metric, horizontal=True,
                      index=metrics.index(permalink.choice("metric", metrics, metrics[0])),
                      key="trees.metric", help="Squared loss of the predicted scores, or the "
                      "share of wrongly classified test points (digits only).")
    permalink.remember(metric=metric)
    claims = by_key(trees.claims(frame, params))
    combos = frame[frame["metric"] == metric][["model", "dataset"]].drop_duplicates()
    for model, dataset in combos.itertuples(index=False):
        rows = frame[(frame["model"] == model) & (frame["dataset"] == dataset)
                     & (frame["metric"] == metric)]
        summary = trees_charts.stage_summary(rows, metric)
        switch = trees_charts.switch_point(summary)
        st.subheader(f"{labels.MODELS[model]} on {dataset}")
        left, right = st.columns(2)
        with left:
            exports.show_chart(trees_charts.composite_chart(
                rows, metric, splits=("train", "test"),
                title="Composite axis: train (dashed), test"),
                rows, f"trees-{model}-{dataset}-composite")
        with right:
            exports.show_chart(trees_charts.effective_chart(
                rows, metric, title="Test error against effective parameters"),
                rows, f"trees-{model}-{dataset}-effective")
        st.caption(f"{labels.MODELS[model]}: first stage {labels.STAGES[summary['stage'].iloc[0]]}"
                   f" (up to {int(switch['n_params'])}), then "
                   f"{labels.STAGES[summary['stage'].iloc[-1]]}. "
                   + training_floor(rows, metric)
                   + " See the U-turn page for what the right-hand chart means.")
        widgets.claim(claims.get(f"matched_{model}_{dataset}"), neutral=None)
