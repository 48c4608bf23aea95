"""Sample-wise page: the fit against the predict-the-mean baseline, then the ablations and
the missing intercept side by side, every sentence with numbers measured from the frame."""
from __future__ import annotations

import streamlit as st

from dashboard.charts import sample_wise as sample_wise_charts
from dashboard.ui import exports, widgets
from experiments import sample_wise
from experiments.framework.claims import by_key


def render(frame, params: dict) -> None:
    claims = by_key(sample_wise.claims(frame, params))
    rows = sample_wise.selected(frame, params)
    baselines = ("train_mean",) if params["intercept"] else ("train_mean", "zero")
    exports.show_built(
        sample_wise_charts.with_baselines, rows, "sample-wise", rows, baselines=baselines,
        title=f"Test and train MSE on {params['dataset']}, {sample_wise.setting(params)}")
    widgets.claim(claims["peak"])
    widgets.claim(claims["beats_mean"])
    st.markdown(
        "Read the x axis right to left: more data moves you left. Near n = 10 (x = 1) the "
        "least-squares fit must pass exactly through every noisy training point using "
        "directions the data barely cover, so its coefficients and its test error blow up. "
        "Training error is exactly 0 up to n = 10 (the fit interpolates) and is drawn at the "
        "axis floor. The grey line predicts every test point by the training mean: a fit "
        "worth having must end below it.")
    compared = [(True, "With the intercept (centred targets)"),
                (False, "Without the intercept (Schaeffer et al.'s setup)")]
    panels = [(flag, heading, frame[(frame["intercept"] == flag)
                                    & frame["variant"].isin(("plain",) + sample_wise.ABLATIONS)])
              for flag, heading in compared]
    if any(part.empty for _, _, part in panels):
        st.info("Run with `compare` on to see each ablation and the missing intercept side by "
                "side.")
        return
    st.subheader("Each ablation alone, with and without the intercept")
    for flag, heading, part in panels:
        exports.show_built(sample_wise_charts.ablation_panel, part,
                           f"sample-wise-ablations-{'intercept' if flag else 'origin'}", part,
                           title=heading)
    st.caption("Medians over seeds with inter-quartile bands. Errors below the axis floor "
               "(exact zeros, e.g. noise-free targets fitted through the origin) are drawn at "
               "the floor.")
    for flag in (True, False):
        for name in sample_wise.ABLATIONS:
            widgets.claim(claims.get(f"ablation_{name}_{'intercept' if flag else 'no_intercept'}"))
    st.markdown(
        "Each ablation removes one ingredient of the peak (Schaeffer et al. 2023): small "
        "singular values of the training data, test points with components along directions "
        "the training data barely cover, and residual noise for the fit to amplify. Where "
        "*remove noise* with the intercept still leaves a bump at n = 10, the reason is that "
        "centring the targets by their training mean is not a full intercept (the features' "
        "training mean is not zero), so a little misfit remains for the fit to amplify.")
    widgets.claim(claims.get("no_intercept_worse_than_zero"))
    widgets.claim(claims.get("noise_is_mostly_the_mean"))
    st.markdown(
        "A fit through the origin cannot represent the targets' mean: without the intercept "
        "the comparison is with predicting zero, and the errors in the lower panel "
        "measure mostly that missing constant.")
