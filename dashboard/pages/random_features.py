"""Random features page: the peak at N = n_train, ridge penalties overlaid on it, and what
flipped training labels change, each sentence measured on the result shown."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.charts.scrub_views import digits_scrub, regression_scrub
from dashboard.ui import exports, labels, palette, permalink, widgets
from experiments import random_features as rf
from experiments.framework.claims import by_key

X_TITLE = labels.column("n_params", "random_features")


def kernel_line(frame, metric: str, chosen: list, label_noise: float) -> pd.DataFrame | None:
    """The minimum-norm kernel limit as a horizontal line, when minimum norm is drawn."""
    value = rf.kernel_value(frame, metric, 0.0, label_noise) if 0.0 in chosen else None
    if value is None:
        return None
    name = rf.KERNEL_NAMES.get(str(frame["features"].iloc[0]), "kernel")
    return pd.DataFrame({"value": [value], "label": [f"{name}, N = infinity"]})


@st.fragment
def render(frame, params: dict) -> None:
    """Everything below the overlay control depends on it: a fragment, so that picking
    penalties reruns only this, with claims and charts derived once per input
    (dashboard/data.py)."""
    n = params["n_train"]
    metric = rf.error_metric(frame)
    claims = by_key(data.memo(rf.claims, frame, params))
    full, frame = frame, rf.features_only(frame)
    noises = sorted(frame["label_noise"].unique())
    widgets.claim(claims.get("widest_beats_classical"))
    widgets.claim(claims.get("peak_at_threshold"))
    scrub_section(full, frame, n, metric)
    ridges = sorted(frame["ridge"].unique())
    chosen = st.multiselect("Penalties to show", ridges, format_func=labels.ridge,
                            help="Which of the run's ridge penalties to draw. To run other "
                                 "penalties, change *Ridge penalties λ* in the settings.",
                            default=permalink.choices("overlay", ridges, ridges),
                            key="random_features.ridges")
    permalink.remember(overlay=chosen)
    if not chosen:
        st.warning("Pick at least one ridge penalty.")
        return
    base = frame[frame["label_noise"] == noises[0]]
    test = base[(base["split"] == "test") & (base["metric"] == metric) & base["ridge"].isin(chosen)]
    test = test.assign(ridge=test["ridge"].map(labels.ridge))
    ridge_colors = palette.ridges(chosen)
    exports.show_built(
        charts.error_curve, test, "random-features-ridge",
        test, x="n_params", metric=metric, series="ridge", threshold=float(n),
        title=f"{labels.capitalized(labels.metric(metric, 'test'))} against the number of "
              f"random features, one curve per ridge penalty ({labels.label_noise(noises[0])})",
        x_title=X_TITLE, y_title=labels.metric(metric, "test"), color_scale=ridge_colors,
        hlines=kernel_line(full, metric, chosen, noises[0]), **charts.percent_axis(metric))
    widgets.claim(claims.get("widest_near_kernel"))
    st.caption("Dotted line: minimum-norm interpolation with the kernel these random features "
               "converge to as N grows (Belkin, Ma, Mandal 2018), fitted on the same data; one "
               "n x n solve per seed.")
    widgets.claim(claims.get("ridge_removes_peak"))
    widgets.claim(claims.get("clean_interpolator_beats_ridge"))
    st.caption("Nakkiran et al. (2020) show that an optimally tuned ridge penalty removes the "
               "peak in linear regression.")
    plain = base[(base["ridge"] == min(chosen)) & (base["metric"] == "mse")]
    exports.show_built(
        charts.error_curve, plain, "random-features-train-test",
        plain, x="n_params", metric="mse", threshold=float(n),
        title=f"Train and test squared loss, lambda = {labels.ridge(min(chosen))}",
        x_title=X_TITLE, y_title="squared loss (sum over outputs)")
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
                                for v, r in zip(rows["label_noise"], rows["ridge"], strict=True)])
    exports.show_built(
        charts.error_curve, rows, "random-features-label-noise",
        rows, x="n_params", metric="error_rate", series="setting", threshold=float(n),
        title="Test 0-1 error with clean and flipped training labels",
        x_title=X_TITLE, y_title=labels.metric("error_rate", "test"),
        **charts.percent_axis("error_rate"))
    widgets.claim(claims.get("label_noise_taller_peak"))
    widgets.claim(claims.get("label_noise_interpolator_loses"))
    st.caption("Labels are flipped in the training set only; test labels stay clean. Past the "
               "threshold the minimum-norm model fits the flipped labels exactly; a ridge "
               "penalty does not have to.")


def scrub_section(full, frame, n: int, metric: str) -> None:
    """Drag through the widths: the first seed's predictions for a few kept test examples
    redraw in the browser (all widths ship with the chart)."""
    shown = rf.examples(full)
    if shown.empty:
        return
    lam, noise = float(shown["ridge"].iloc[0]), float(shown["label_noise"].iloc[0])
    errors = frame[np.isclose(frame["ridge"], lam) & np.isclose(frame["label_noise"], noise)]
    setting = f"ridge {labels.ridge(lam)}, {labels.label_noise(noise)}"
    seed = int(shown["seed"].iloc[0])
    st.subheader("Drag through the widths")
    if (shown["metric"] == "predicted_label").any():
        build, options = digits_scrub, {"metric": metric, "y_format": ".0%" if metric ==
                                         "error_rate" else "~e"}
        what = (f"the labels that seed {seed}'s model of that width gives "
                f"{int((shown['metric'] == 'true_label').sum())} test digits (orange and framed "
                "when wrong)")
    else:
        build, options = regression_scrub, {}
        what = (f"seed {seed}'s predictions for {int((shown['metric'] == 'target').sum())} test "
                "points against their targets (exact predictions sit on the dashed diagonal; "
                "those outside the view are drawn at its edge)")
    exports.show_built(build, shown, "random-features-scrub", errors, shown,
                       threshold=float(n), x_title=X_TITLE, **options)
    st.caption(f"Drag the slider under the chart or click a point on the curve ({setting}). "
               f"Below it: {what}.")
