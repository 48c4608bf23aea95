"""Sample-wise page: test error against parameters per sample, with the ablations named."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, exports

ABLATIONS = {
    "cut_small_singular": "small singular values cut",
    "project_test": "test points projected onto the top training directions",
    "remove_noise": "noise-free targets",
}


def render(frame, params: dict) -> None:
    active = [text for name, text in ABLATIONS.items() if params[name]]
    state = ("Ablations on: " + "; ".join(active) + ".") if active else (
        "No ablation: the plain minimum-norm least-squares fit.")
    mse = frame[frame["metric"] == "mse"]
    exports.show_chart(charts.error_curve(
        mse, x="params_per_sample", metric="mse", threshold=1.0,
        title=f"Test and train MSE on {params['dataset']} against parameters per sample "
              "(10 / n_train)", x_title="parameters / training samples",
        y_title="mean squared error"), mse, "sample-wise")
    st.markdown(
        f"**{state}** Read the x axis right to left: more data moves you left. Test error "
        "*rises* as n grows toward 10 (x = 1), where the least-squares fit must pass exactly "
        "through every noisy training point using directions the data barely covers. Turn on "
        "any one ablation in the sidebar and run: the peak disappears (Schaeffer et al. 2023). "
        "Training error is exactly 0 up to n = 10 (the fit interpolates); it is drawn at the "
        "axis floor.")
