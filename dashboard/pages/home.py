"""Home: the story in a few sentences and the two curves side by side."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, data, exports
from dashboard.aggregate import classical_range

STORY = """
Textbook statistics says test error traces a **U-curve** as a model grows: it first
improves, then overfits. Modern over-parameterized models break that rule. Test error
**peaks** where the model can just interpolate its training set, then **falls again**
as the model keeps growing: *double descent*. Small networks can even **grok**,
generalizing long after they memorized. Nobody fully knows why. Every curve in
Descent Lab comes from a real experiment you can rerun in seconds.
"""


def render() -> None:
    st.title("Descent Lab")
    st.markdown(STORY)
    shipped = data.shipped_or_message("polynomial")
    if shipped is None:
        return
    frame, provenance = shipped
    n = int(provenance["params"]["n_train"])
    mse = frame[frame["metric"] == "mse"]
    textbook = mse[mse["n_params"] <= classical_range(mse, "n_params", "mse", n)]
    test_median = textbook[textbook["split"] == "test"].groupby("n_params")["value"].median()
    left, right = st.columns(2)
    with left:
        st.subheader("Textbook: the U-curve")
        exports.show_chart(charts.error_curve(
            textbook, x="n_params", metric="mse", log_x=False, log_y=False,
            y_max=1.2 * test_median.max(),
            title=f"Far fewer coefficients than the {n} training points",
            x_title="coefficients (degree + 1)", y_title="mean squared error"),
            textbook, "home-u-curve")
        st.caption("Too simple underfits, too flexible overfits: the classical trade-off.")
    with right:
        st.subheader("Modern: double descent")
        exports.show_chart(charts.error_curve(
            mse, x="n_params", metric="mse", threshold=float(n), y_max=1e6 * test_median.min(),
            title="The same fits continued to 20x the training set (log axes)",
            x_title="coefficients (degree + 1)", y_title="mean squared error"),
            mse, "home-double-descent")
        st.caption("Error spikes where the model can just interpolate, then falls again. "
                   "Click a legend entry to show or hide a series.")
    st.markdown(
        f"Median over {len(provenance.get('seeds', []))} training draws with the "
        "inter-quartile band. Open **Polynomial regression** in the sidebar to change the "
        "settings and rerun, or pick another experiment.")
