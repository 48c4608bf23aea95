"""Linear theory page: simulated risk (points, median and band) on the exact curves."""
from __future__ import annotations

import streamlit as st

from dashboard import charts_linear, exports, permalink


def render(frame, params: dict) -> None:
    labels = list(dict.fromkeys(frame["ridge_label"]))
    chosen = st.multiselect("Penalties", labels, default=permalink.choices("penalties", labels, labels),
                            key="linear_theory.labels")
    permalink.remember(penalties=chosen)
    rows = frame[frame["ridge_label"].isin(chosen)]
    if rows.empty:
        st.warning("Pick at least one penalty.")
        return
    exports.show_chart(charts_linear.theory_vs_simulation(
        rows, title=f"Risk against gamma = p/n at n = {params['n_train']}: simulation (points, "
                    "median and inter-quartile band) and theory (lines)"), rows, "linear-theory")
    st.markdown(
        f"With sigma = {params['noise']:g} and r = {params['signal']:g}: the minimum-norm risk "
        "is sigma^2 gamma / (1 - gamma) below the threshold and r^2 (1 - 1/gamma) + "
        "sigma^2 / (gamma - 1) above it, infinite at gamma = 1. A fixed penalty lowers the "
        "peak; the **optimal** penalty lambda* = sigma^2 gamma / r^2 removes it: its risk "
        "grows monotonically with gamma, and no other penalty does better at any gamma.")
