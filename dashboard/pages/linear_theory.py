"""Linear theory page: simulated risk (points, median and band) on the theory curves, for
isotropic features (interpolation hurts) and a spiked covariance (interpolation helps)."""
from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard.charts import linear as linear_charts
from dashboard.ui import exports, permalink, widgets
from experiments import linear_theory
from experiments.framework.claims import by_key

HEADINGS = {"isotropic": "Isotropic features: interpolation hurts",
            "spiked": "Spiked covariance: interpolation helps"}


@st.fragment
def render(frame, params: dict) -> None:
    """Everything here depends on the penalties picked: a fragment, so that picking them
    reruns only this, with claims and charts derived once per input (dashboard/data.py)."""
    labels = list(dict.fromkeys(frame["ridge_label"]))
    chosen = st.multiselect("Penalties to show", labels, key="linear_theory.labels",
                            default=permalink.choices("penalties", labels, labels),
                            help="Which of the run's ridge penalties to draw. To run other "
                                 "penalties, change *Ridge penalties λ* in the settings.")
    permalink.remember(penalties=chosen)
    if not chosen:
        st.warning("Pick at least one penalty.")
        return
    claims = by_key(data.memo(linear_theory.claims, frame, params))
    covariances = (list(dict.fromkeys(frame["covariance"])) if "covariance" in frame
                   else ["isotropic"])
    for covariance in covariances:
        rows = frame[frame["ridge_label"].isin(chosen) & (frame["covariance"] == covariance)]
        st.subheader(HEADINGS[covariance])
        exports.show_built(
            linear_charts.theory_vs_simulation, rows, f"linear-theory-{covariance}",
            rows, null_risk=params["signal"] ** 2,
            title=f"Risk against γ = parameters / samples at n = {params['n_train']}: "
                  "simulation (points, median and inter-quartile band) and theory (lines)")
        widgets.claim(claims.get(f"simulation_matches_theory_{covariance}"))
        effect = "hurts" if covariance == "isotropic" else "helps"
        widgets.claim(claims.get(f"{covariance}_interpolation_{effect}"))
        if covariance == "isotropic":
            st.markdown(
                f"With noise level $\\sigma = {params['noise']:g}$ and signal strength "
                f"$r = {params['signal']:g}$, and $\\gamma$ = parameters / samples, the "
                "minimum-norm risk is (Hastie et al. 2022)")
            st.latex(r"R(\gamma) = \begin{cases} \dfrac{\sigma^2 \gamma}{1 - \gamma} & "
                     r"\gamma < 1 \\[6pt] r^2 \left(1 - \dfrac{1}{\gamma}\right) + "
                     r"\dfrac{\sigma^2}{\gamma - 1} & \gamma > 1 \end{cases}")
            st.markdown(
                "In words: below the threshold the noise is amplified more and more as the model "
                "grows; at $\\gamma = 1$ the risk is infinite; above it the noise is spread over "
                "ever more parameters, but part of the signal is missed. It beats the null risk "
                "$r^2$ of predicting zero past the threshold only where "
                "$\\gamma (r^2 - \\sigma^2) > r^2$, which needs more signal than noise. A fixed "
                "penalty lowers the peak; the **optimal** penalty "
                "$\\lambda^* = \\sigma^2 \\gamma / r^2$ removes it.")
        else:
            st.markdown(
                f"The first {params['spikes']} coordinates have variance 1 and carry the "
                f"signal; each other coordinate has variance {params['weak_variance']:g}. Past "
                "the threshold the many weak directions absorb the interpolation like an added "
                "ridge penalty on the strong ones (Kobak, Lomond & Sanchez 2020), so the "
                "minimum-norm interpolator needs no explicit penalty; the optimal one is "
                "searched on the theory curve at each $\\gamma$. Theory lines here are the "
                "deterministic equivalent for a general covariance (Hastie et al. 2022; "
                "Bach 2024).")
