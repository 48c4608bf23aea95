"""Grokking phase-diagram page: the phase of every (training fraction, weight decay) cell."""
from __future__ import annotations

import altair as alt
import streamlit as st

from dashboard import charts, charts_grokking, exports
from experiments import grokking_phase


def render(frame, params: dict) -> None:
    cells = grokking_phase.cells(frame)
    seeds = int(cells["seeds"].max())
    exports.show_chart(charts_grokking.phase_heatmap(
        cells, title=f"Phase per cell, p = {params['p']}, width {params['width']}, "
                     f"{params['operation']} (majority over {seeds} seed(s); "
                     "number = median epochs to 95% test accuracy)"), cells, "grokking-phase-cells")
    st.caption(
        f"Each cell trains until test accuracy reaches 95% or {params['epochs']} epochs pass. "
        f"'grok' means it generalized more than {grokking_phase.QUICK_RATIO:g}x later than it "
        "memorized (train 99%); 'comprehend quickly' within that; 'memorize only' never "
        "generalized; 'fail' never even fit the training set.")
    rows = frame[(frame["metric"] == "epochs_to_generalize")].assign(
        weight_decay=lambda f: f["weight_decay"].map(lambda v: f"{v:g}"))
    decays = [f"{v:g}" for v in sorted(set(frame["weight_decay"]))]  # numeric legend order
    exports.show_chart(charts.error_curve(
        rows, x="train_fraction", metric="epochs_to_generalize", series="weight_decay",
        log_x=False, title="Epochs to 95% test accuracy against the training fraction "
        "(median over seeds; cells that never generalized count at the budget)",
        x_title="training fraction", y_title="epochs to generalize",
        color_scale=alt.Scale(domain=decays, scheme="viridis")),
        rows, "grokking-phase-epochs")
    st.caption("More data shortens the delay; less weight decay lengthens it until the budget "
               "runs out.")
