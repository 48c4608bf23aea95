"""Emergence page (Schaeffer, Miranda, Koyejo 2023, Figs. 2-3): per-token accuracy and exact
match of the same predictions on a linear and on a log axis, and a continuous metric;
every sentence is measured on the result shown."""
from __future__ import annotations

import streamlit as st

from dashboard import charts_emergence, exports
from experiments import emergence
from experiments.framework.claims import by_key

NEUTRAL = "The data of this run do not support the usual sentence here; read the chart."


def show(claim) -> None:
    if claim is not None:
        st.markdown(f"{claim.text} *({claim.regime})*" if claim.holds else NEUTRAL)


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
    exports.show_chart(charts_emergence.scores_chart(
        frame, length=length, log_y=False, title="Linear axis: exact match looks emergent"),
        frame, "emergence-linear")
    show(claims.get("token_error_smooth"))
    show(claims.get("late_onset"))
    show(claims.get("exact_match_is_power"))
    exports.show_chart(charts_emergence.scores_chart(
        frame, length=length, log_y=True, title="Log axis: accuracy^L climbs all along"),
        frame, "emergence-log")
    st.caption("Medians over seeds with inter-quartile bands. An estimated exact match of 0 "
               "(no answer fully right among those drawn) is drawn at the axis floor; the grey "
               "curve is per-token accuracy to the power L, computed from the same predictions.")
    show(claims.get("log_axis_smooth"))
    show(claims.get("onset_not_narrower"))
    exports.show_chart(charts_emergence.edit_chart(
        frame, length=length, title="A continuous metric: wrong digits per answer"),
        frame, "emergence-edit")
    show(claims.get("edit_distance_smooth"))
    st.markdown(
        "The model did not change character at any width: a digit is right with a probability "
        "that creeps up, and an all-or-nothing score over many digits turns that creep into "
        "a jump. Large language models' 'emergent abilities' scored by exact match or "
        "multiple-choice accuracy can be this artefact; the test is to score the same outputs "
        "with a continuous metric.")
