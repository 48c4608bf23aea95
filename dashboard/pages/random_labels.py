"""Random-labels page (Zhang et al. 2017, Fig. 1): zero training error at every share of
random labels, test error climbing to chance, and the network's slower fit; every
sentence is measured on the result shown."""
from __future__ import annotations

import streamlit as st

from dashboard.charts import random_labels as random_labels_charts
from dashboard.ui import exports, widgets
from experiments import random_labels
from experiments.framework.claims import by_key


def render(frame, params: dict) -> None:
    claims = by_key(random_labels.claims(frame, params))
    st.markdown(
        "**What to notice.** The training error stays at 0 whatever share of the labels is "
        "random: the same model memorizes noise as readily as it learns digits. Only the test "
        "error, measured against the true labels, separates the runs, and it climbs to the "
        "error of guessing. This reproduces Zhang et al. (2017), Fig. 1a (random labels are "
        "fitted, only more slowly) and Fig. 1c (test error against label corruption).")
    exports.show_built(random_labels_charts.errors_chart, frame, "random-labels-errors", frame,
                       chance=random_labels.CHANCE,
                       title=f"Train and test error, {params['n_train']} digits")
    st.caption("Medians over seeds with inter-quartile bands. Train error is measured against "
               "the labels the model was given (random ones included), test error against "
               "the true labels of unseen digits.")
    widgets.claim(claims.get("train_error_zero"))
    for model in random_labels.MODELS:
        widgets.claim(claims.get(f"test_error_climbs_{model}"))
    if (frame["metric"] == "epochs_to_fit").any():
        st.subheader("How long memorizing takes")
        exports.show_built(random_labels_charts.epochs_chart, frame, "random-labels-epochs",
                           frame, title="Epochs to fit the training labels")
        st.caption("An epoch is one full-batch Adam step; counted until the network first "
                   "classifies every training image as labelled. Medians over seeds with "
                   "inter-quartile bands.")
        widgets.claim(claims.get("random_labels_fit_slower"))
    st.markdown(
        "Both models have far more parameters than training points, so they can interpolate "
        "any labelling; the classical capacity measures are therefore the same for true and "
        "random labels and cannot tell which fit will generalize. What differs is the data: "
        "true labels are a smooth function of the pixels, random ones are not, and the "
        "minimum-norm (or the gradient-trained) interpolant of a smooth labelling is smooth.")
