"""Emergence page (Schaeffer, Miranda, Koyejo 2023, Figs. 2-3): per-token accuracy and exact
match of the same predictions on a linear and on a log axis, and a continuous metric;
every sentence is measured on the result shown."""
from __future__ import annotations

import streamlit as st

from dashboard.charts import emergence as emergence_charts
from dashboard.ui import exports, widgets
from experiments import emergence
from experiments.framework.claims import by_key


def render(frame, params: dict) -> None:
    claims = by_key(emergence.claims(frame, params))
    length = params["answer_length"]
    st.markdown(
        f"**What to notice.** Each model reads single test digits; an *answer* is {length} "
        "digits, and exact match asks for all of them right. Both scores come from the same "
        "predictions. Per-token accuracy improves gradually; exact match looks like an "
        "ability that is absent and then appears. This reproduces Schaeffer et al. (2023), "
        "Fig. 2 (a smooth per-token score turned sharp by a nonlinear metric) and Fig. 3 "
        "(the same data on a log axis, and with a continuous metric).")
    exports.show_built(emergence_charts.scores_chart, frame, "emergence-linear", frame,
                       length=length, log_y=False, title="Linear axis: exact match looks emergent")
    widgets.claim(claims.get("token_error_smooth"))
    widgets.claim(claims.get("late_onset"))
    widgets.claim(claims.get("exact_match_is_power"))
    exports.show_built(emergence_charts.scores_chart, frame, "emergence-log", frame,
                       length=length, log_y=True, title="Log axis: accuracy^L climbs all along")
    st.caption("Medians over seeds with inter-quartile bands. An estimated exact match of 0 "
               "(no answer fully right among those drawn) is drawn at the axis floor; the grey "
               "curve, token accuracy^L, is per-token accuracy to the power L, computed from "
               "the same predictions.")
    widgets.claim(claims.get("log_axis_smooth"))
    widgets.claim(claims.get("onset_not_narrower"))
    exports.show_built(emergence_charts.edit_chart, frame, "emergence-edit", frame,
                       length=length, title="A continuous metric: wrong digits per answer")
    widgets.claim(claims.get("edit_distance_smooth"))
    st.markdown(
        "The model did not change character at any width: a digit is right with a probability "
        "that creeps up, and an all-or-nothing score over many digits turns that creep into "
        "a jump. Large language models' 'emergent abilities' scored by exact match or "
        "multiple-choice accuracy can be this artefact; the test is to score the same outputs "
        "with a continuous metric.")
