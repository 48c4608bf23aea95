"""Grokking phase-diagram page: the outcome of every (training fraction, weight decay) cell."""
from __future__ import annotations

import altair as alt
import streamlit as st

from dashboard import charts
from dashboard.charts import grokking as grokking_charts
from dashboard.ui import exports, widgets
from experiments import grokking, grokking_phase
from experiments.framework.wording import count


def heatmap_title(params: dict, seeds: int) -> str:
    return (f"Outcome per cell, p = {params['p']}, width {params['width']}, "
            f"{params['operation']} (majority over {count(seeds, 'seed')}; "
            "number = median epochs to 95% test accuracy, - = never)")


def render(frame, params: dict) -> None:
    cells = grokking_phase.cells(frame)
    exports.show_built(
        grokking_charts.phase_heatmap, cells, "grokking-phase-cells", cells,
        title=heatmap_title(params, int(cells["seeds"].max())))
    st.caption(
        f"Each cell trains until test accuracy reaches 95% or {params['epochs']} epochs pass. "
        "Memorized = train accuracy >= 99%, generalized = test accuracy >= 95%, delay ratio = "
        "generalized epoch / memorized epoch. Outcomes: 'grok' generalized with a delay of "
        f"{grokking.GROK_RATIO:g}x or more; 'fast generalization' with less; 'memorize only' "
        f"ended with train >= 99% and test below {grokking_phase.LOW_TEST:.0%}; 'failed' ended "
        f"with train accuracy below {grokking_phase.FAILED_TRAIN:.0%} (too much weight decay "
        "collapses the weights toward zero); 'not yet' ran out of budget in between.")
    for claim in grokking_phase.EXPERIMENT.claims(frame, params):
        widgets.claim(claim, neutral=None)
    rows = frame[(frame["metric"] == "epochs_to_generalize")].assign(
        weight_decay=lambda f: f["weight_decay"].map(lambda v: f"{v:g}"))
    decays = [f"{v:g}" for v in sorted(set(frame["weight_decay"]))]  # numeric legend order
    exports.show_built(
        charts.error_curve, rows, "grokking-phase-epochs", rows, x="train_fraction",
        metric="epochs_to_generalize", series="weight_decay", log_x=False,
        title="Epochs to 95% test accuracy against the training fraction "
        "(median over seeds; cells that never generalized count at the budget)",
        x_title="training fraction", y_title="epochs to generalize",
        color_scale=alt.Scale(domain=decays, scheme="viridis"))
