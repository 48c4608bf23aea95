"""Epoch-wise page: the linear model's exact test loss over GD steps (peak, second
descent) and the network's error over epochs on noisy digits; sentences from the data."""
from __future__ import annotations

import streamlit as st

from dashboard import charts
from dashboard.ui import exports, widgets
from experiments import epoch_wise
from experiments.framework.claims import by_key


def render(frame, params: dict) -> None:
    claims = by_key(epoch_wise.claims(frame, params))
    models = set(frame["model"])
    st.markdown(
        "**What to notice.** Training longer is not always better, and not always worse: "
        "the test loss can fall, rise to a peak in the middle of training, and fall again. "
        "This is the epoch-wise double descent of Nakkiran et al. (2019, *Deep Double "
        "Descent*, Figs. 1 and 9), here in the linear two-scale model of Heckel & Yilmaz "
        "(2021) where it can be computed exactly.")
    if "linear" in models:
        rows = frame[frame["model"] == "linear"]
        test = epoch_wise.curve(frame, "linear", "loss")
        st.subheader("Linear model, features at two scales")
        exports.show_built(
            charts.over_steps, rows, "epoch-wise-linear", rows, metric="loss",
            y_title="mean squared error", log_y=False,
            peak=(float(test.idxmax()), float(test.max())),
            title=f"Loss over GD steps, scale ratio {params['scale_ratio']:g}")
        st.caption(f"Exact path, lr {params['lr']:g}; median over seeds with the "
                   "inter-quartile band.")
        widgets.claim(claims.get("linear_epoch_wise_double_descent"))
        st.markdown(
            f"Gradient descent learns a direction at a speed set by its variance, so the "
            f"{params['n_fast']} fast features are fitted within tens of steps and the "
            f"{params['n_slow']} slow ones about {params['scale_ratio'] ** 2:,.0f}x later. "
            f"Until then the slow features' share of the targets ({params['slow_signal']:.0%} "
            "of the signal) looks like noise, and fitting it with the fast features alone "
            "is the rise. Learning the slow features turns that noise back into signal: the "
            "second descent. Test loss includes the noise variance; step 0 (the zero "
            "predictor) is not drawn on the log axis.")
    if "network" in models:
        rows = frame[frame["model"] == "network"]
        st.subheader("Small network on digits with flipped labels")
        exports.show_built(
            charts.over_steps, rows, "epoch-wise-network", rows, metric="error_rate",
            x_title="epoch", y_title="error rate", log_y=False, y_format=".0%",
            title=f"Error over epochs, {params['label_noise']:.0%} labels flipped")
        st.caption(f"Width {params['width']}, {params['digits_train']} training digits; "
                   "training error is against the flipped labels the network is fitted to. "
                   "Median over seeds with the inter-quartile band.")
        widgets.claim(claims.get("network_memorizes_noise"))
        st.markdown(
            "The network first learns what the clean labels share, then memorizes the "
            "flipped ones one by one; each memorized wrong label bends the function near "
            "real test digits. Nakkiran et al. see the second descent only in large networks "
            "trained far longer; early stopping at the dip is what a practitioner would do "
            "here.")
