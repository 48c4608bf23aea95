"""Home: the story in a few sentences, then a guided tour in six stops (the textbook U,
double descent, more data can hurt, regularization, grokking, scaling laws), each one
measured sentence, one small chart and a link to the experiment's page.

Home is the page every visitor opens, so it does no work per visit: the stops' sentences,
rows and chart specs are computed once per version of each shipped file and kept for
every session in the data layer's server-side caches (dashboard/data.py).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.charts import tour as tour_charts
from dashboard.ui import exports, labels
from experiments.analysis import tour
from experiments.framework import registry
from experiments.framework.claims import Claim, by_key
from experiments.framework.store import StoreError

STORY = """
Textbook statistics says test error traces a **U-curve** as a model grows: it first
improves, then overfits. Modern over-parameterized models break that rule. Test error
**peaks** where the model can just interpolate its training set, then **falls again**
as the model keeps growing: *double descent*. Small networks can even **grok**,
generalizing long after they memorized. Nobody fully knows why. Every curve in
Descent Lab comes from a real experiment you can rerun in seconds.
"""

NEUTRAL = "The shipped result does not show the usual picture here; read the chart."
STOPS = {stop.key: stop for stop in tour.STOPS}
CAVEATS = (("Random features", "random_features", "label_noise_interpolator_loses"),
           ("Polynomial regression", "polynomial", "classical_wins"))


def stop_view(frame: pd.DataFrame, provenance: dict, key: str) -> tuple[Claim, pd.DataFrame,
                                                                         dict]:
    """One stop measured on its shipped result: the sentence, the rows and the settings."""
    stop = STOPS[key]
    params = registry.get(stop.experiment).validate(provenance["params"])
    claim, rows = stop.measure(frame, params)
    return claim, rows, params


def caveat(frame: pd.DataFrame, provenance: dict, experiment_id: str, key: str) -> Claim | None:
    """An exception to "bigger interpolating models win", measured on its shipped result."""
    exp = registry.get(experiment_id)
    return by_key(exp.claims(frame, exp.validate(provenance["params"]))).get(key)


def render_stop(number: int, stop: tour.Stop) -> None:
    st.subheader(f"{number}. {stop.heading}")
    title = registry.get(stop.experiment).title.split(":")[0]
    try:
        claim, rows, params = data.from_shipped(stop.experiment, stop_view, stop.key)
    except (StoreError, KeyError, ValueError) as err:
        st.error(f"The shipped {stop.experiment} result cannot be shown: {err}")
        return
    text, chart_side = st.columns([2, 3], gap="medium")
    with text:
        if claim.holds:
            st.markdown(f"{labels.readable(claim.text)} *({claim.regime})*")
        else:
            st.markdown(NEUTRAL)
        st.markdown(f"[Open the {title} page →](/{stop.experiment})")
    with chart_side:
        exports.show_built(tour_charts.CHARTS[stop.key], rows, f"home-{stop.key}", rows, params)


def caveats() -> list[tuple[str, Claim]]:
    found = []
    for name, experiment_id, key in CAVEATS:
        try:
            claim = data.from_shipped(experiment_id, caveat, experiment_id, key)
        except (StoreError, KeyError, ValueError):
            continue
        if claim is not None and claim.holds:
            found.append((name, claim))
    return found


def render() -> None:
    st.title("Descent Lab")
    st.markdown(STORY)
    st.markdown("**A guided tour in six stops.** Each sentence is measured on the result "
                "drawn beside it; each link opens the experiment, where you can change the "
                "settings and run it again.")
    for number, stop in enumerate(tour.STOPS, start=1):
        render_stop(number, stop)
    found = caveats()
    if found:
        st.markdown("**Not always a win** (each experiment's page has the details):\n"
                    + "".join(f"\n- **{name}:** {labels.readable(c.text)} *({c.regime})*"
                              for name, c in found))
    st.markdown("Networks memorize, yet generalize; they improve past fitting everything; "
                "abilities seem to appear suddenly: [Memorize or generalize?]"
                "(/memorize-or-generalize) walks through all five puzzles, one measured curve "
                "each.")
