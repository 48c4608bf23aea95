"""Scaling page: learning curves with fitted exponents, model-size curves, and the grid."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, charts_scaling, exports


def render(frame, params: dict) -> None:
    test = frame[(frame["split"] == "test") & (frame["metric"] == "error_rate")]
    shown = set(test["curve"])
    if "data" in shown:
        rows = test[test["curve"] == "data"]
        exports.show_chart(charts.error_curve(
            rows, x="n_train", metric="error_rate", series="family",
            title="Learning curves: test error against training size (log-log)",
            x_title="training size", y_title="test 0-1 error"), rows, "scaling-learning-curves")
        st.caption("Straight lines on log-log axes are power laws. Fit them, with intervals and "
                   "extrapolation, on the *Scaling laws* page.")
    if "model" in shown:
        rows = test[test["curve"] == "model"]
        exports.show_chart(charts.error_curve(
            rows, x="n_params", metric="error_rate", series="family",
            title=f"Model-size curves at n_train = {params['max_train']} (random features with "
                  "ridge 1e-3: no interpolation peak)", x_title="parameters",
            y_title="test 0-1 error"), rows, "scaling-model-size")
    if "grid" in shown:
        rows = test[test["curve"] == "grid"]
        grid = charts_scaling.grid_summary(rows)
        exports.show_chart(charts_scaling.grid_heatmap(
            grid, title="Random features: test error over (parameters, training size); white: "
                        "the compute-optimal frontier"), rows, "scaling-grid")
        st.caption("For each training-FLOP budget the frontier picks the cell with the lowest "
                   "error that fits the budget: small budgets favour small models, and model size "
                   "and data grow together along it, as in Hoffmann et al. (2022).")
