"""The frame of every experiment page: settings, result, content, provenance.

A linear script: title and story, the settings form (generated from the spec, in a
Settings expander on the page itself: on a phone the sidebar is hidden), a guard with a
clear message, then the content: the experiment's own page module
(`dashboard/pages/<page>.py`, named by its `page` field) or, without one, the generic
chart of its first metric against `x`.
"""
from __future__ import annotations

import json
from types import ModuleType

import streamlit as st

from dashboard import charts, data
from dashboard.ui import exports, labels, permalink, widgets
from dashboard.ui.plaintext import literal
from experiments.framework import registry
from experiments.framework.experiment import MAX_SEEDS, check_budget
from experiments.framework.params import Param, ParamError, coerce
from experiments.framework.store import StoreError

RUN_FLAG = "run"  # in the URL: the link shows an on-demand run, not the shipped result
SETTINGS = "Settings: change them and press Run"


def seeds_param(exp) -> Param:
    return Param("seeds", "int", exp.default_seeds, "Independent repetitions (seeds 0..K-1); "
                 "charts show the median and inter-quartile band.", low=1, high=MAX_SEEDS)


def settings_form(exp, start: dict):
    """The settings form, starting from `start` (the link's values), folded into an
    expander under the page's title: (values, seeds, submitted)."""
    with st.expander(SETTINGS, icon=":material/tune:"), st.form(f"{exp.id}.form"):
        values = {p.name: widgets.control(p, key=f"{exp.id}.{p.name}", value=start.get(p.name))
                  for p in exp.params}
        seeds = widgets.control(seeds_param(exp), key=f"{exp.id}.seeds", value=start.get("seeds"))
        submitted = st.form_submit_button("Run", type="primary", width="stretch",
                                          key=f"{exp.id}.run")
    return values, seeds, submitted


def run_with_progress(exp, values: dict, seeds) -> bool:
    """Validate and price in the experiment layer, run through the server-wide gate with a
    progress bar, keep a handle to the result and put the settings in the URL so that
    the link reproduces this run. False when there is no result (the reason is shown)."""
    try:
        params = exp.validate(values)
        n_seeds = coerce(seeds_param(exp), seeds)
        check_budget(exp, params, n_seeds)
    except ParamError as err:
        st.error(literal(f"Cannot run: {err}"))  # quotes what the reader typed
        return False
    own = data.run_with_display(exp.id, params, n_seeds)
    if own is None:
        return False
    st.session_state[f"{exp.id}.result"] = own
    permalink.write({**params, "seeds": n_seeds}, {**exp.defaults(), "seeds": exp.default_seeds},
                    extra={RUN_FLAG: "1"})
    return True


def own_result(exp):
    """The reader's own run, computed again if the shared cache has dropped it."""
    own = st.session_state.get(f"{exp.id}.result")
    if own is None or own.available():
        return own
    own = data.run_with_display(exp.id, dict(own.params), own.n_seeds)
    st.session_state[f"{exp.id}.result"] = own
    return own


def current_result(exp):
    """The reader's own run if there is one, else the shipped result (None on error)."""
    own = own_result(exp)
    if own is not None:
        cols = st.columns([4, 1])
        cols[0].success("Showing your run. The shipped result is one click away.")
        if cols[1].button("Show shipped result", key=f"{exp.id}.reset"):
            del st.session_state[f"{exp.id}.result"]
            permalink.write({})
            st.rerun()
        return own.get()
    try:
        frame, provenance = data.load_shipped(exp.id)
    except StoreError as err:
        st.error(f"The shipped result is unavailable: {err}. You can still run the "
                 "experiment: open the Settings above.")
        return None
    st.info(f"Showing the shipped precomputed result ({len(provenance.get('seeds', []))} seeds). "
            "Open the Settings above and press Run to compute your own.")
    return frame, provenance


def provenance_panel(exp, frame, provenance) -> None:
    exports.provenance_expander(provenance)
    st.download_button("Download tidy CSV", frame.to_csv(index=False).encode(),
                       file_name=f"{exp.id}.csv", mime="text/csv", key=f"{exp.id}.csv")
    st.download_button("Download provenance JSON", json.dumps(provenance, indent=2).encode(),
                       file_name=f"{exp.id}.json", mime="application/json", key=f"{exp.id}.json")


def generic_chart(exp, frame, params: dict) -> None:
    metric = exp.metrics[0]
    rows = frame[frame["metric"] == metric]
    exports.show_chart(charts.error_curve(
        rows, x=exp.x, metric=metric, threshold=exp.threshold(params), log_x=exp.log_x,
        title=f"{labels.capitalized(labels.metric(metric))} against {labels.column(exp.x)}"),
        rows, f"{exp.id}-main")


def render(experiment_id: str, content: ModuleType | None = None) -> None:
    """The page of one experiment; `content` is its page module, if it has one."""
    exp = registry.get(experiment_id)
    start, notices = permalink.initial(f"{exp.id}.url", exp.params + (seeds_param(exp),))
    st.title(exp.title)
    st.markdown(exp.summary)
    values, seeds, submitted = settings_form(exp, start)
    permalink.show_notices(notices)
    linked_run = RUN_FLAG in st.query_params and not st.session_state.get(f"{exp.id}.linked")
    if linked_run:  # a shared link to an on-demand run: reproduce it once, automatically
        st.session_state[f"{exp.id}.linked"] = True
    if (submitted or linked_run) and not run_with_progress(exp, values, seeds) and linked_run:
        # A link whose run is refused or stopped shows only why: drawing the shipped result
        # for every such link is what let a burst of heavy links slow Home for everyone.
        st.button("Show the shipped result", key=f"{exp.id}.after_refusal")
        return
    result = current_result(exp)
    if result is None:
        return
    frame, provenance = result
    params = exp.validate(provenance.get("params", {}))
    if content is not None:
        content.render(frame, params)
    else:
        generic_chart(exp, frame, params)
    provenance_panel(exp, frame, provenance)
    with st.expander("References"):
        st.markdown("\n".join(f"- {r}" for r in exp.references))
