"""Why the peak? Test error, coefficient norm and the smallest singular value of the
feature matrix on one shared width axis: the variance explodes where the matrix is square."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, data
from dashboard.ui import exports, labels, permalink
from experiments import random_features as rf

TITLE = "Why the peak?"
URL = "why-the-peak"

STORY = """
The minimum-norm fit is beta = F+ y. Where the number of features N is far from the
number of training points n, the feature matrix F is well conditioned. As N approaches
n, F becomes square and its **smallest nonzero singular value falls toward zero**; the
pseudo-inverse divides by it, so the **coefficient norm explodes**, and with it the
variance of the predictions: test error peaks. Past the threshold many interpolating
solutions exist and the minimum-norm one gets smaller as N grows, so error falls again.
A ridge penalty caps 1/sigma at 1/sqrt(n lambda), which is why it removes the peak.
"""

PANELS = (("error_rate", "test"), ("mse", "test"), ("coef_norm", None), ("sigma_min", None))


def choices(frame, provenance: dict) -> dict:
    frame = rf.features_only(frame)
    return {"ridges": sorted(frame["ridge"].unique()),
            "noises": sorted(frame["label_noise"].unique()),
            "n": float(provenance["params"]["n_train"]), "provenance": provenance}


def panels(frame, provenance: dict, ridge: float, noise: float) -> dict:
    """The rows of each panel for one ridge penalty and label noise, on a shared x domain."""
    frame = rf.features_only(frame)
    rows = frame[(frame["ridge"] == ridge) & (frame["label_noise"] == noise)]
    available = [p for p in PANELS if p[0] in set(rows["metric"])]
    shown = available[:1] + [p for p in available if p[1] is None]  # one error panel
    # The norm and sigma_min describe the fit, stored with the training rows.
    return {"domain": (float(rows["n_params"].min()), float(rows["n_params"].max())),
            "panels": [(metric, split, rows[(rows["metric"] == metric)
                                            & (rows["split"] == (split or "train"))])
                       for metric, split in shown]}


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
    ridge = st.select_slider("Ridge penalty", ridges, key="why.ridge", format_func=labels.ridge,
                             value=permalink.choice("ridge", ridges, ridges[0]))
    permalink.remember(ridge=ridge)
    noise = noises[0]
    if len(noises) > 1:
        noise = st.radio("Training labels", noises, format_func=labels.label_noise, horizontal=True,
                         index=noises.index(permalink.choice("labels", noises, noises[0])),
                         key="why.labels")
        permalink.remember(labels=noise)
    drawn = data.derived_or_message("random_features", panels, ridge, noise)
    if drawn is None:
        return
    for metric, split, panel in drawn["panels"]:
        title = labels.metric(metric, split)
        # The panel title is a page heading, not a chart title: the previous panel's
        # Export menu would otherwise sit on top of it.
        st.markdown(f"**{labels.capitalized(title)}**")
        exports.show_built(
            charts.error_curve, panel, f"why-{metric}",
            panel, x="n_params", metric=metric, threshold=n, x_domain=drawn["domain"],
            x_title=labels.column("n_params", "random_features"), y_title=title, height=220,
            **charts.percent_axis(metric))
    exports.provenance_expander(provenance, "Provenance of the random_features result")
    st.caption(f"{provenance['params']['dataset']}, n_train = {int(n)}, "
               f"{labels.label_noise(noise)}, median over "
               f"{len(provenance.get('seeds', []))} seeds with the inter-quartile band. Raise the "
               "ridge penalty: sigma_min is unchanged (it belongs to the data), but the norm and "
               "the error no longer blow up.")
