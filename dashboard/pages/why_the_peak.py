"""Why the peak? Test error, coefficient norm and the smallest singular value of the
feature matrix on one shared width axis: the variance explodes where the matrix is square."""
from __future__ import annotations

import altair as alt
import streamlit as st

from dashboard import charts, data
from dashboard.ui import exports, labels, palette, permalink
from experiments import random_features as rf

TITLE = "Why the peak?"
URL = "why-the-peak"

STORY = r"""
The minimum-norm fit is $\hat\beta = F^{+} y$: the pseudo-inverse of the feature matrix
$F$ applied to the training labels. Where the number of features $N$ is far from the
number of training points $n$, $F$ is well conditioned. As $N$ approaches $n$, $F$ becomes
square and its **smallest nonzero singular value $\sigma_\text{min}$ falls toward zero**;
the pseudo-inverse divides by it, so the **size of the coefficients explodes**, and with it
the variance of the predictions: test error peaks. Past the threshold many interpolating
solutions exist and the minimum-norm one gets smaller as $N$ grows, so error falls again.
A ridge penalty $\lambda$ caps $1/\sigma$ at $1/\sqrt{n\lambda}$, which is why it removes
the peak.
"""

PANELS = (("error_rate", "test"), ("mse", "test"), ("coef_norm", None), ("sigma_min", None))
SHORT = {"error_rate": "test error", "mse": "test loss", "coef_norm": "norm",
         "sigma_min": "singular value"}  # y titles: the heading above each panel says more


def fixed_domain(values) -> tuple[float, float]:
    """One log y range for every penalty's panel: a slider that rescaled the axis would
    hide the flattening it is there to show."""
    positive = values[values > 0]
    return float(positive.min()) / 1.5, float(positive.max()) * 1.5


def choices(frame, provenance: dict) -> dict:
    frame = rf.features_only(frame)
    return {"ridges": sorted(frame["ridge"].unique()),
            "noises": sorted(frame["label_noise"].unique()),
            "n": float(provenance["params"]["n_train"]), "provenance": provenance}


def panels(frame, provenance: dict, ridge: float, noise: float) -> dict:
    """The rows of each panel for one ridge penalty and label noise, on a shared x domain."""
    frame = rf.features_only(frame)
    every_ridge = frame[frame["label_noise"] == noise]
    rows = every_ridge[every_ridge["ridge"] == ridge]
    available = [p for p in PANELS if p[0] in set(rows["metric"])]
    shown = available[:1] + [p for p in available if p[1] is None]  # one error panel
    # The norm and sigma_min describe the fit, stored with the training rows; each panel
    # also carries its rows at every ridge, for a y axis that stays fixed.
    def where(part, metric, split):
        return part[(part["metric"] == metric) & (part["split"] == (split or "train"))]
    return {"domain": (float(rows["n_params"].min()), float(rows["n_params"].max())),
            "panels": [(metric, split, where(rows, metric, split),
                        where(every_ridge, metric, split)) for metric, split in shown]}


def render() -> None:
    st.title(TITLE)
    st.markdown(STORY)
    if data.derived_or_message("random_features", choices) is not None:
        view()


@st.fragment
def view() -> None:
    """The controls and the panels: a control change reruns only this, and draws
    panels derived once per (ridge, labels) for every visitor (dashboard/data.py)."""
    shape = data.derived_or_message("random_features", choices)
    if shape is None:
        return
    ridges, noises, n, provenance = (shape[k] for k in ("ridges", "noises", "n", "provenance"))
    ridge = st.select_slider("Ridge penalty λ", ridges, key="why.ridge", format_func=labels.ridge,
                             value=permalink.choice("ridge", ridges, ridges[0]),
                             help="A penalty on large coefficients; 0 is the minimum-norm fit. "
                                  "The axes stay fixed, so you can watch the curves flatten.")
    permalink.remember(ridge=ridge)
    noise = noises[0]
    if len(noises) > 1:
        noise = st.radio("Training labels", noises, format_func=labels.label_noise, horizontal=True,
                         index=noises.index(permalink.choice("labels", noises, noises[0])),
                         key="why.labels", help="Clean labels, or some training labels "
                                                "flipped to a wrong class.")
        permalink.remember(labels=noise)
    drawn = data.derived_or_message("random_features", panels, ridge, noise)
    if drawn is None:
        return
    for metric, split, panel, same in drawn["panels"]:
        title = labels.metric(metric, split)
        # The panel title is a page heading, not a chart title: the previous panel's
        # Export menu would otherwise sit on top of it.
        st.markdown(f"**{labels.capitalized(title)}**")
        exports.show_built(
            charts.error_curve, panel, f"why-{metric}",
            panel, x="n_params", metric=metric, threshold=n, x_domain=drawn["domain"],
            x_title=labels.column("n_params", "random_features"), y_title=SHORT[metric],
            height=220, y_domain=fixed_domain(same["value"]),
            # The norm and sigma_min describe the fit, not the training data: not train blue.
            color_scale=None if split else alt.Scale(range=[palette.INK]),
            **charts.percent_axis(metric))
    exports.provenance_expander(provenance, "Provenance of the random_features result")
    st.caption(f"{labels.capitalized(provenance['params']['dataset'])}, {int(n)} training "
               f"points, {labels.label_noise(noise)}, median over "
               f"{len(provenance.get('seeds', []))} seeds with the inter-quartile band. Each "
               "panel keeps one y axis for every penalty. Raise the ridge penalty: the smallest "
               "singular value is unchanged (it belongs to the data), but the size of the "
               "coefficients and the error no longer blow up.")
