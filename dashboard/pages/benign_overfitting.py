"""Benign overfitting page: exact excess risk of the interpolator and of the oracle ridge
against the number of weak directions, on the theory lines; sentences from the data."""
from __future__ import annotations

import streamlit as st

from dashboard.charts.linear import risk_against_weak
from dashboard.ui import exports, widgets
from experiments import benign_overfitting
from experiments.framework.claims import by_key


def render(frame, params: dict) -> None:
    claims = by_key(benign_overfitting.claims(frame, params))
    st.markdown(
        "**What to notice.** Both curves are fits that see the same noisy labels. The dark "
        "purple one interpolates them exactly (minimum-norm least squares, zero training "
        "error); the orange one is ridge with the penalty that minimizes the true risk, "
        "which no real learner could pick. Left of the dashed line (p < n) least squares "
        "does not interpolate; near p = n it blows up; far to the right, with thousands of "
        "weak directions, the interpolator closes in on the oracle. This reproduces the "
        "phenomenon of Bartlett, Long, Lugosi & Tsigler (2020, PNAS), Theorem 4 and its "
        "examples: overfitting is benign when the covariance has a few strong directions "
        "plus many weak ones.")
    exports.show_built(
        risk_against_weak, frame, "benign-overfitting", frame,
        threshold=benign_overfitting.EXPERIMENT.threshold(params),
        null_risk=params["signal"] ** 2,
        title=f"Excess risk, n = {params['n_train']}, {params['n_strong']} strong directions")
    st.caption("Points: exact excess risk per training sample, median over seeds with the "
               "inter-quartile band. Lines: the deterministic-equivalent theory.")
    widgets.claim(claims.get("benign_with_many_weak"))
    widgets.claim(claims.get("catastrophic_with_few_weak"))
    widgets.claim(claims.get("exact_matches_theory"))
    st.markdown(
        f"Why: each weak direction has variance {params['weak_scale'] ** 2:.2g}. The "
        "interpolator must put the noise somewhere; with many weak directions it spreads it "
        "thinly over directions the test distribution barely weighs, and their summed "
        "variance acts as a ridge penalty on the strong directions (the implicit ridge of "
        "Kobak, Lomond & Sanchez 2020). With p just above n there is no room: the noise goes "
        "into a few poorly determined directions and the coefficients explode. Risks here "
        "are exact for each training sample, since the covariance is known; the oracle "
        "ridge is tuned per sample, so its median can sit below the theory line, which "
        "tunes one penalty for the expected risk.")
