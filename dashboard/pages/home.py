"""Home: the story in a few sentences, then a guided tour in six stops (the textbook U,
double descent, more data can hurt, regularization, grokking, scaling laws), each one
measured sentence, one small chart and a link to the experiment's page.

Home is the page every visitor opens, so a visit does no work beyond drawing: each stop
(sentence, rows, Vega-Lite spec) is computed once per version of the shipped file it
reads and kept in the data layer's server-side cache (dashboard/data.py), and `warm`
computes them when the server starts, so that no visitor pays for them. A visit looks
the stops up by their files' identities alone: no file is read, no frame hashed.
"""
from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class StopView:
    """What Home shows for one stop: the measured sentence, the chart's spec and the rows
    it draws (for the Export menu), or why the shipped result cannot be shown."""
    key: str
    claim: Claim | None = None
    rows: pd.DataFrame | None = None
    params: dict | None = None
    spec: dict | None = None
    n_rows: int = 0
    error: str = ""


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


def measured_stop(stop: tour.Stop) -> StopView:
    try:
        claim, rows, params = data.from_shipped(stop.experiment, stop_view, stop.key)
    except (StoreError, KeyError, ValueError) as err:
        return StopView(stop.key, error=f"The shipped {stop.experiment} result cannot be "
                                        f"shown: {err}")
    spec, n_rows = exports.vega_spec(tour_charts.CHARTS[stop.key], (rows, params), {})
    return StopView(stop.key, claim, rows, params, spec, n_rows)


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


def shipped_key(name: str, *experiment_ids: str) -> tuple:
    """A cache key naming the versions of the shipped files a value is computed from."""
    return ("home", name, tuple(data.shipped_identity(i) for i in experiment_ids))


def stop_shown(stop: tour.Stop) -> StopView:
    """One stop, computed once per version of its shipped file: a visit only looks it
    up by the file's identity (no file read, no frame hashed)."""
    return data.cached_once(shipped_key(stop.key, stop.experiment), lambda: measured_stop(stop))


def caveats_shown() -> list[tuple[str, Claim]]:
    return data.cached_once(shipped_key("caveats", *(c[1] for c in CAVEATS)), caveats)


def warm() -> None:
    """Compute the tour before the first visitor asks (dashboard/app.py, at start), stop
    by stop in the order a visitor's page asks, so that one arriving meanwhile waits only
    for the stop it is drawing."""
    for stop in tour.STOPS:
        stop_shown(stop)
    caveats_shown()


TITLES = {stop.key: labels.experiment_name(stop.experiment) for stop in tour.STOPS}


def render_stop(number: int, stop: tour.Stop) -> None:
    st.subheader(f"{number}. {stop.heading}")  # before the look-up: a cold stop waits below it
    view = stop_shown(stop)
    if view.error:
        st.error(view.error)
        return
    text, chart_side = st.columns([2, 3], gap="medium")
    with text:
        if view.claim.holds:
            st.markdown(f"{labels.readable(view.claim.text)} *({view.claim.regime})*")
        else:
            st.markdown(NEUTRAL)
        st.markdown(f"[Open the {TITLES[stop.key]} page →](/{stop.experiment})")
    with chart_side:
        show_stop_chart(view)


def show_stop_chart(view: StopView) -> None:
    """The stop's chart from its kept spec, and the Export menu (the chart object is
    rebuilt only when an image export is clicked)."""
    build = tour_charts.CHARTS[view.key]
    st.vega_lite_chart(spec=view.spec, width="stretch")
    exports.export_menu(lambda: build(view.rows, view.params), view.rows, f"home-{view.key}",
                        view.n_rows)


def render() -> None:
    st.title("Descent Lab")
    st.markdown(STORY)
    st.markdown("**A guided tour in six stops.** Each sentence is measured on the result "
                "drawn beside it; each link opens the experiment, where you can change the "
                "settings and run it again.")
    for number, stop in enumerate(tour.STOPS, start=1):
        render_stop(number, stop)
    found = caveats_shown()
    if found:
        st.markdown("**Not always a win** (each experiment's page has the details):\n"
                    + "".join(f"\n- **{name}:** {labels.readable(c.text)} *({c.regime})*"
                              for name, c in found))
    st.markdown("Networks memorize, yet generalize; they improve past fitting everything; "
                "abilities seem to appear suddenly: [Memorize or generalize?]"
                "(/memorize-or-generalize) walks through all five puzzles, one measured curve "
                "each.")
