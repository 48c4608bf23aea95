"""Deep double descent page: test loss and error of two-layer networks against their weight
count, the peak where weights = n_train x classes, and weight decay removing it. Every
sentence with a number is a claim computed in the experiment layer."""
from __future__ import annotations

import streamlit as st

from dashboard import charts
from dashboard.ui import exports, labels, widgets
from experiments import deep_double_descent as ddd
from experiments.framework.claims import by_key

X_TITLE = labels.column("n_params", "deep_double_descent")


def render(frame, params: dict) -> None:
    claims = by_key(ddd.claims(frame, params))
    nk = float(ddd.threshold_params(params))
    st.markdown(
        "**What to notice.** Each point is a network trained until it (nearly) fits its "
        f"training set, {params['label_noise']:.0%} of whose labels were flipped. The dashed "
        "line marks (training points) × (classes) weights, as many as the squared loss has "
        "equations. "
        "This reproduces the model-wise curve of Belkin et al. (2019, Fig. 3: two-layer "
        "networks on MNIST) and Nakkiran et al. (2019, Fig. 1: width sweeps with label noise) "
        "on 8x8 digits.")
    widgets.claim(claims.get("peak_near_threshold"))
    widgets.claim(claims.get("widest_beats_peak"))
    test = frame[frame["split"] == "test"].assign(
        weight_decay=frame["weight_decay"].map(labels.weight_decay))
    for metric, title, extra, key in (
            ("mse", "Test squared loss", {}, "ddd-test-loss"),
            ("error_rate", "Test 0-1 error", {"y_format": ".0%"}, "ddd-test-error")):
        rows = test[test["metric"] == metric]
        exports.show_built(
            charts.error_curve, rows, key, rows, x="n_params", metric=metric,
            series="weight_decay", threshold=nk,
            title=f"{title} against the number of weights, one curve per weight decay",
            x_title=X_TITLE, y_title=title.lower(), log_y=False, **extra)
    widgets.claim(claims.get("weight_decay_removes_peak"))
    st.caption("Weight decay adds $\\frac{\\lambda}{2} \\lVert W \\rVert^2$ to the loss: a pull "
               "of every weight toward zero. Nakkiran et al. (2020) show "
               "that a well-tuned penalty removes the peak; here it also stops the networks "
               "from fitting the flipped labels.")
    plain = frame[(frame["weight_decay"] == 0) & (frame["metric"] == "mse")]
    if not plain.empty:
        exports.show_built(
            charts.error_curve, plain, "ddd-train-test", plain, x="n_params", metric="mse",
            threshold=nk, title="Train and test squared loss without weight decay",
            x_title=X_TITLE, y_title="squared loss (sum over classes)")
        widgets.claim(claims.get("interpolates"))
    st.caption(f"Widths: {', '.join(map(str, sorted(frame['width'].unique())))} hidden units; "
               f"full-batch Adam, learning rate {params['lr']:g}, {params['epochs']} epochs; "
               "median over seeds with the inter-quartile band. Same axes as the random-features "
               "page: the parameter count includes every weight and bias.")
