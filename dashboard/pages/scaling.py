"""Scaling page: learning curves, model-size curves, the grid, and the compute-optimal study."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.charts import scaling as scaling_charts
from dashboard.ui import exports, widgets
from experiments.analysis.scaling import claims_and_fit
from experiments.framework.claims import by_key
from experiments.numerics.chinchilla import allocation, cell_means, iso_flop_views

NEUTRAL = {
    "steepest": "The fitted exponents' intervals overlap: the data do not rank these families.",
    "intervals": "Some fits rest on few distinct resamples: read their intervals with care.",
    "test_noise": "Each error rate rests on a finite test set; intervals resample its points.",
    "compute_scope": "Compute is shown only within one model family.",
    "grid_frontier": "Along the frontier, model size and data do not both grow in this result.",
    "law": "The three-term law fits this grid poorly: read the constants with care.",
    "E": "The fitted E is not close to the teacher's noise floor: it is not identified here.",
    "exponents": "The compute-optimal exponents are too uncertain to say how N and D share "
                 "compute.",
}


def measured(frame: pd.DataFrame):
    """The page's claims by key, and the compute-optimal fit (None without that study);
    ~3 s of bootstrap fits, computed once per result for every visitor (data.memo)."""
    claims, boot = claims_and_fit(frame)
    return by_key(claims), boot


def say(claims: dict, *keys: str) -> None:
    """Each claim's sentence where the data support it, else a plain neutral sentence."""
    for key in keys:
        widgets.claim(claims.get(key), neutral=NEUTRAL[key])


def render(frame, params: dict) -> None:
    with st.spinner("Fitting the scaling laws"):
        claims, boot = data.memo(measured, frame)
    test = frame[(frame["split"] == "test") & (frame["metric"] == "error_rate")]
    shown = set(frame["curve"])
    if "data" in shown:
        rows = test[test["curve"] == "data"]
        exports.show_built(
            charts.error_curve, rows, "scaling-learning-curves", rows, x="n_train",
            metric="error_rate", series="family",
            title="Learning curves: test error against training size (log-log)",
            x_title="training size", y_title="test 0-1 error")
        say(claims, "steepest", "test_noise", "intervals", "compute_scope")
        st.caption("Straight lines on log-log axes are power laws. Fit them, with intervals and "
                   "extrapolation, on the *Scaling laws* page.")
    if "model" in shown:
        rows = test[test["curve"] == "model"]
        exports.show_built(
            charts.error_curve, rows, "scaling-model-size", rows, x="n_params",
            metric="error_rate", series="family",
            title=f"Model-size curves at {params['max_train']} training points (random "
                  "features with ridge 1e-3: no interpolation peak)", x_title="parameters",
            y_title="test 0-1 error")
    if "grid" in shown:
        rows = test[test["curve"] == "grid"]
        grid = scaling_charts.grid_summary(rows)
        exports.show_built(
            scaling_charts.grid_heatmap, rows, "scaling-grid", grid,
            title="Random features: test error over (parameters, training size); white: "
                  "the compute-optimal frontier")
        st.caption("For each budget of training FLOPs (the solver's multiply-adds) the frontier "
                   "picks the cell with the lowest error within it.")
        say(claims, "grid_frontier")
    if "compute_optimal" in shown:
        compute_optimal(frame, claims, boot)


def compute_optimal(frame: pd.DataFrame, claims: dict, boot) -> None:
    """Chinchilla's approach 3 on the teacher: fit L(N, D), iso-FLOP curves, exponents."""
    st.subheader("Compute-optimal scaling on a teacher with unlimited data")
    st.markdown(
        "Ridge regression on the first $N$ features of a linear teacher with a power-law "
        "spectrum, trained on $D$ fresh examples; the loss is the exact population risk. "
        "Fitting $L(N, D) = E + A / N^{\\alpha} + B / D^{\\beta}$ to the grid (Hoffmann et al. "
        "2022, approach 3) and minimising it at fixed compute $C = 6ND$ gives the "
        "compute-optimal model size $N^* \\propto C^a$ and data size $D^* \\propto C^b$, with "
        "$a = \\beta / (\\alpha + \\beta)$ and $b = \\alpha / (\\alpha + \\beta)$. In words: "
        "the faster error falls with data, the more of a larger budget goes to the model.")
    if boot is None:
        st.info("The compute-optimal study needs at least two seeds for its intervals.")
        return
    rows = frame[(frame["curve"] == "compute_optimal") & (frame["metric"] == "mse")
                 & (frame["split"] == "test")]
    cells, curves, optima = iso_flop_views(cell_means(rows), boot.fit)
    exports.show_built(
        scaling_charts.iso_flop_chart, rows, "scaling-iso-flop", cells, curves, optima,
        title="Iso-FLOP curves: loss against model size at fixed compute "
        "(points: measured, mean over seeds; lines: fitted law; diamonds: its optimum)")
    say(claims, "law", "E")
    budgets = np.geomspace(cells["budget"].min(), cells["budget"].max(), 30)
    exports.show_built(
        scaling_charts.allocation_chart, rows, "scaling-allocation", allocation(boot, budgets),
        title="Compute-optimal model size and data size against "
        "compute (shaded: 90% bootstrap band over seeds)")
    say(claims, "exponents")
    table = pd.DataFrame([{"constant": name, "fitted": round(float(getattr(boot.fit, name)), 4),
                           "90% interval": "{:.4g} - {:.4g}".format(*boot.interval(name))}
                          for name in ("E", "A", "alpha", "B", "beta", "a", "b")])
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"constant": st.column_config.Column(pinned=True)})
