"""Random features page: the peak at N = n_train, and ridge penalties overlaid on it."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, exports, permalink

ERROR_TITLES = {"error_rate": "test 0-1 error", "mse": "test squared loss"}


def ridge_label(value: float) -> str:
    return "0 (minimum norm)" if value == 0 else f"{value:g}"


def render(frame, params: dict) -> None:
    n = params["n_train"]
    metric = "error_rate" if "error_rate" in set(frame["metric"]) else "mse"
    ridges = sorted(frame["ridge"].unique())
    chosen = st.multiselect("Ridge penalties to overlay", ridges, format_func=ridge_label,
                            default=permalink.choices("overlay", ridges, ridges),
                            key="random_features.ridges")
    permalink.remember(overlay=chosen)
    if not chosen:
        st.warning("Pick at least one ridge penalty.")
        return
    test = frame[(frame["split"] == "test") & (frame["metric"] == metric) & frame["ridge"].isin(chosen)]
    test = test.assign(ridge=test["ridge"].map(ridge_label))
    exports.show_chart(charts.error_curve(
        test, x="n_params", metric=metric, series="ridge", threshold=float(n),
        title=f"{ERROR_TITLES[metric].capitalize()} against the number of random features, "
              "one curve per ridge penalty", x_title="random features N",
        y_title=ERROR_TITLES[metric]), test, "random-features-ridge")
    st.caption("Minimum-norm least squares (lambda = 0) peaks where N = n_train. As lambda grows "
               "toward its optimum the peak flattens into a monotone curve (Nakkiran et al. 2020); "
               "too much ridge underfits everywhere.")
    plain = frame[(frame["ridge"] == min(chosen)) & (frame["metric"] == "mse")]
    exports.show_chart(charts.error_curve(
        plain, x="n_params", metric="mse", threshold=float(n),
        title=f"Train and test squared loss, lambda = {ridge_label(min(chosen))}",
        x_title="random features N", y_title="squared loss (sum over outputs)"),
        plain, "random-features-train-test")
    st.caption("Training loss reaches ~0 at N = n_train (drawn at the axis floor): from there "
               "on every model interpolates, and the minimum-norm one among them generalizes "
               "better the wider it is. See *Why the peak?* for the mechanism.")
