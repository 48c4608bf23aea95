"""Home: the story in a few sentences, then a guided tour in six stops (the textbook U,
double descent, more data can hurt, regularization, grokking, scaling laws), each one
measured sentence, one small chart and a link to the experiment's page.

Home is the page every visitor opens, so it does no work per visit: the stops' sentences,
rows and charts are computed once per shipped file (keyed by its size and modification
time, so a regenerated file is picked up) and kept for every session.
"""
from __future__ import annotations

from functools import lru_cache

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.charts import tour as tour_charts
from dashboard.ui import exports, labels
from experiments import polynomial, random_features
from experiments.analysis import tour
from experiments.framework import registry, store
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


def signature(experiment_id: str) -> tuple:
    """What identifies a shipped file's content; StoreError (with the fix) if missing."""
    path = store.paths(experiment_id)[0]
    try:
        stat = path.stat()
    except OSError as err:
        data.load_shipped(experiment_id)  # raises the StoreError that says how to fix it
        raise StoreError(f"{path} cannot be read") from err
    return str(path), stat.st_size, stat.st_mtime_ns


@lru_cache(maxsize=16)
def measured(key: str, file: tuple) -> tuple[Claim, pd.DataFrame, alt.TopLevelMixin]:
    """One stop on the shipped result `file` (a `signature`): sentence, rows and chart."""
    stop = STOPS[key]
    frame, provenance = data.load_shipped(stop.experiment)
    params = registry.get(stop.experiment).validate(provenance["params"])
    claim, rows = stop.measure(frame, params)
    return claim, rows, tour_charts.CHARTS[key](rows, params)


@lru_cache(maxsize=4)
def caveats(files: tuple) -> list[tuple[str, Claim]]:
    """The measured exceptions to "bigger interpolating models win", where they hold."""
    out = []
    for name, module, key in (("Random features", random_features,
                               "label_noise_interpolator_loses"),
                              ("Polynomial regression", polynomial, "classical_wins")):
        frame, provenance = data.load_shipped(module.EXPERIMENT.id)
        params = module.EXPERIMENT.validate(provenance["params"])
        claim = by_key(module.EXPERIMENT.claims(frame, params)).get(key)
        if claim is not None and claim.holds:
            out.append((name, claim))
    return out


def render_stop(number: int, stop: tour.Stop) -> None:
    st.subheader(f"{number}. {stop.heading}")
    title = registry.get(stop.experiment).title.split(":")[0]
    try:
        claim, rows, chart = measured(stop.key, signature(stop.experiment))
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
        exports.show_chart(chart, rows, f"home-{stop.key}")


def render() -> None:
    st.title("Descent Lab")
    st.markdown(STORY)
    st.markdown("**A guided tour in six stops.** Each sentence is measured on the result "
                "drawn beside it; each link opens the experiment, where you can change the "
                "settings and run it again.")
    for number, stop in enumerate(tour.STOPS, start=1):
        render_stop(number, stop)
    try:
        found = caveats((signature("random_features"), signature("polynomial")))
    except (StoreError, KeyError, ValueError):
        found = []
    if found:
        st.markdown("**Not always a win** (each experiment's page has the details):\n"
                    + "".join(f"\n- **{name}:** {labels.readable(c.text)} *({c.regime})*"
                              for name, c in found))
    st.markdown("Networks memorize, yet generalize; they improve past fitting everything; "
                "abilities seem to appear suddenly: [Memorize or generalize?]"
                "(/memorize-or-generalize) walks through all five puzzles, one measured curve "
                "each.")
