"""Random features page: the peak at N = n_train, ridge penalties overlaid on it, and what
flipped training labels change, each sentence measured on the result shown."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, exports, permalink
from experiments import random_features as rf
from experiments.framework.claims import by_key

ERROR_TITLES = {"error_rate": "test 0-1 error", "mse": "test squared loss"}
NEUTRAL = "The data of this run do not support the usual sentence here; read the chart."


def ridge_label(value: float) -> str:
    return "0 (minimum norm)" if value == 0 else f"{value:g}"


def noise_label(value: float) -> str:
    return "clean labels" if value == 0 else f"{value:.0%} of labels flipped"


def percent_axis(metric: str) -> dict:
    return {"y_format": ".0%", "y_values": charts.PERCENT_TICKS} if metric == "error_rate" else {}


def show(claim) -> None:
    if claim is not None:
        st.markdown(f"{claim.text} *({claim.regime})*" if claim.holds else NEUTRAL)


def kernel_line(frame, metric: str, chosen: list, label_noise: float) -> pd.DataFrame | None:
    """The minimum-norm kernel limit as a horizontal line, when minimum norm is drawn."""
    value = rf.kernel_value(frame, metric, 0.0, label_noise) if 0.0 in chosen else None
    if value is None:
        return None
    name = rf.KERNEL_NAMES.get(str(frame["features"].iloc[0]), "kernel")
    return pd.DataFrame({"value": [value], "label": [f"{name}, N = infinity"]})


def render(frame, params: dict) -> None:
    n = params["n_train"]
    metric = rf.error_metric(frame)
    claims = by_key(rf.claims(frame, params))
    full, frame = frame, rf.features_only(frame)
    noises = sorted(frame["label_noise"].unique())
    show(claims.get("widest_beats_classical"))
    show(claims.get("peak_at_threshold"))
    ridges = sorted(frame["ridge"].unique())
    chosen = st.multiselect("Ridge penalties to overlay", ridges, format_func=ridge_label,
                            default=permalink.choices("overlay", ridges, ridges),
                            key="random_features.ridges")
    permalink.remember(overlay=chosen)
    if not chosen:
        st.warning("Pick at least one ridge penalty.")
        return
    base = frame[frame["label_noise"] == noises[0]]
    test = base[(base["split"] == "test") & (base["metric"] == metric) & base["ridge"].isin(chosen)]
    test = test.assign(ridge=test["ridge"].map(ridge_label))
    exports.show_chart(charts.error_curve(
        test, x="n_params", metric=metric, series="ridge", threshold=float(n),
        title=f"{ERROR_TITLES[metric].capitalize()} against the number of random features, "
              f"one curve per ridge penalty ({noise_label(noises[0])})",
        x_title="random features N", y_title=ERROR_TITLES[metric],
        hlines=kernel_line(full, metric, chosen, noises[0]), **percent_axis(metric)),
        test, "random-features-ridge")
    show(claims.get("widest_near_kernel"))
    st.caption("Dotted line: minimum-norm interpolation with the kernel these random features "
               "converge to as N grows (Belkin, Ma, Mandal 2018), fitted on the same data; one "
               "n x n solve per seed.")
    show(claims.get("ridge_removes_peak"))
    show(claims.get("clean_interpolator_beats_ridge"))
    st.caption("Nakkiran et al. (2020) show that an optimally tuned ridge penalty removes the "
               "peak in linear regression.")
    plain = base[(base["ridge"] == min(chosen)) & (base["metric"] == "mse")]
    exports.show_chart(charts.error_curve(
        plain, x="n_params", metric="mse", threshold=float(n),
        title=f"Train and test squared loss, lambda = {ridge_label(min(chosen))}",
        x_title="random features N", y_title="squared loss (sum over outputs)"),
        plain, "random-features-train-test")
    st.caption("Training loss reaches ~0 at N = n_train (drawn at the axis floor): from there "
               "on every minimum-norm model interpolates its training set. See *Why the peak?* "
               "for the mechanism.")
    if len(noises) > 1 and metric == "error_rate":
        label_noise_section(frame, n, noises, claims)


def label_noise_section(frame, n: int, noises: list, claims: dict) -> None:
    st.subheader("Flipped training labels")
    noisy = noises[-1]
    lam, _ = rf.best_ridge(frame, int(frame["n_params"].max()), noisy)
    test = frame[(frame["split"] == "test") & (frame["metric"] == "error_rate")]
    rows = test[(test["ridge"] == 0) | ((test["label_noise"] == noisy) & (test["ridge"] == lam))]
    rows = rows.assign(setting=[f"{'clean' if v == 0 else f'{v:.0%} flipped'}, ridge {r:g}"
                                for v, r in zip(rows["label_noise"], rows["ridge"])])
    exports.show_chart(charts.error_curve(
        rows, x="n_params", metric="error_rate", series="setting", threshold=float(n),
        title="Test 0-1 error with clean and flipped training labels",
        x_title="random features N", y_title="test 0-1 error", **percent_axis("error_rate")),
        rows, "random-features-label-noise")
    show(claims.get("label_noise_taller_peak"))
    show(claims.get("label_noise_interpolator_loses"))
    st.caption("Labels are flipped in the training set only; test labels stay clean. Past the "
               "threshold the minimum-norm model fits the flipped labels exactly; a ridge "
               "penalty does not have to.")
