"""Trees page: train and test error on the composite axis, and the effective-parameter view,
for every model and dataset in the result."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, charts_trees, exports, permalink
from experiments import trees
from experiments.framework.claims import by_key

METRIC_NAMES = {"mse": "squared loss", "error_rate": "0-1 error"}
MODEL_NAMES = {"forest": "Random forest", "boosting": "L2-boosting"}


def render(frame, params: dict) -> None:
    metrics = [m for m in METRIC_NAMES if m in set(frame["metric"])]
    metric = st.radio("Error measure", metrics, format_func=METRIC_NAMES.get, horizontal=True,
                      index=metrics.index(permalink.choice("metric", metrics, metrics[0])),
                      key="trees.metric")
    permalink.remember(metric=metric)
    claims = by_key(trees.claims(frame, params))
    combos = frame[frame["metric"] == metric][["model", "dataset"]].drop_duplicates()
    for model, dataset in combos.itertuples(index=False):
        rows = frame[(frame["model"] == model) & (frame["dataset"] == dataset)
                     & (frame["metric"] == metric)]
        summary = charts_trees.stage_summary(rows, metric)
        switch = charts_trees.switch_point(summary)
        st.subheader(f"{MODEL_NAMES[model]} on {dataset}")
        left, right = st.columns(2)
        with left:
            exports.show_chart(charts.error_curve(
                rows, x="n_params", metric=metric, title="Train and test error on the composite axis",
                x_title="composite parameter count", y_title=METRIC_NAMES[metric])
                + charts.threshold_rule("n_params", float(switch["n_params"]), "axis switch"),
                rows, f"trees-{model}-{dataset}-composite")
        with right:
            exports.show_chart(charts_trees.effective_chart(
                rows, metric, title="Test error against effective parameters"),
                rows, f"trees-{model}-{dataset}-effective")
        floor = claims.get(f"train_floor_{model}_{dataset}")
        st.caption(f"First stage: {summary['stage'].iloc[0]} (up to {int(switch['n_params'])}); "
                   f"then {summary['stage'].iloc[-1]}. Training error below the axis floor is drawn at "
                   "the floor. " + (f"{floor.text} " if floor else "")
                   + "See the U-turn page for what the right-hand chart means.")
        matched = claims.get(f"matched_{model}_{dataset}")
        if matched is not None and matched.holds:
            st.markdown(f"{matched.text} *({matched.regime})*")
