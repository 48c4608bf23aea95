"""Polynomial page: the sweep on log axes, the bias-variance split and fitted curves."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, data, exports, permalink
from experiments import polynomial


@st.cache_data(max_entries=16, ttl=data.CACHE_TTL, show_spinner=False)
def fitted(params: tuple, degrees: tuple[int, ...], seed: int):
    return polynomial.fitted_curves(dict(params), degrees, seed)


def render(frame, params: dict) -> None:
    n = params["n_train"]
    mse = frame[frame["metric"] == "mse"]
    exports.show_chart(charts.error_curve(
        mse, x="n_params", metric="mse", title="Train and test MSE against the number of "
        "coefficients (median over seeds, inter-quartile band)", x_title="coefficients (degree + 1)",
        y_title="mean squared error", threshold=float(n)), mse, "polynomial-mse")
    st.caption(f"The dashed line marks n_params = n_train = {n}: the smallest model that can "
               "pass through every training point. Training error below the axis floor is ~0.")
    left, right = st.columns(2)
    with left:
        try:
            parts = frame[frame["seed"] < 0]
            exports.show_chart(charts.stacked_decomposition(
                parts, x="n_params", title="Bias^2, variance and noise across training draws",
                threshold=float(n), x_title="coefficients (degree + 1)"), parts,
                "polynomial-bias-variance")
            st.caption("Variance, not bias, explodes at the threshold; past it the minimum-norm "
                       "choice tames the variance again.")
        except ValueError as err:
            st.warning(str(err))
    with right:
        choices = [d for d in (1, 3, 5, n - 1, 2 * n, params["max_degree"]) if 0 <= d <= params["max_degree"]]
        options = sorted(set(choices))
        default = sorted({3, n - 1, params["max_degree"]} & set(choices))
        chosen = st.multiselect("Degrees to draw", options, key="polynomial.degrees",
                                default=permalink.choices("degrees", options, default))
        permalink.remember(degrees=chosen)
        curves, points = fitted(data.frozen(params), tuple(chosen), 0)
        exports.show_chart(charts.fitted_curves_chart(
            curves, points, title="Fitted polynomials (seed 0) over the training points"),
            curves, "polynomial-fitted-curves")
