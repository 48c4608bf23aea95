"""The page every registered experiment gets: settings, result, charts, provenance.

A linear script: inputs (sidebar form from the spec), title and story, a guard with
a clear message, then the content. Experiment-specific extras live in
`dashboard/sections/<id>.py` (a `render(frame, params)` function) and are picked up
automatically.
"""
from __future__ import annotations

import importlib
import json

import streamlit as st

from dashboard import charts, data, widgets
from experiments import registry
from experiments.base import MAX_SEEDS
from experiments.params import ParamError
from experiments.store import StoreError


def section_for(experiment_id: str):
    try:
        return importlib.import_module(f"dashboard.sections.{experiment_id}")
    except ModuleNotFoundError as err:
        if err.name != f"dashboard.sections.{experiment_id}":
            raise
        return None


def settings_form(exp):
    """Sidebar form; returns (raw values, seeds, submitted)."""
    with st.sidebar.form(f"{exp.id}.form"):
        st.subheader("Settings")
        values = {p.name: widgets.control(p, key=f"{exp.id}.{p.name}") for p in exp.params}
        seeds = st.number_input("seeds", 1, MAX_SEEDS, exp.default_seeds, key=f"{exp.id}.seeds",
                                help="Independent repetitions (seeds 0..K-1); charts show the "
                                     "median and inter-quartile band.")
        submitted = st.form_submit_button("Run", type="primary", width="stretch")
    return values, int(seeds), submitted


def run_with_progress(exp, values: dict, seeds: int) -> None:
    """Validate in the experiment layer, run with a progress bar, keep the result."""
    try:
        params = exp.validate(values)
        bar = st.progress(0.0, text="starting")
        result = data.run_on_demand(exp.id, data.frozen(params), seeds,
                                    _progress=lambda f, text: bar.progress(min(f, 1.0), text=text))
        bar.empty()
    except ParamError as err:
        st.error(f"Cannot run: {err}")
        return
    st.session_state[f"{exp.id}.result"] = result


def current_result(exp):
    """The reader's own run if there is one, else the shipped result (None on error)."""
    own = st.session_state.get(f"{exp.id}.result")
    if own is not None:
        cols = st.columns([4, 1])
        cols[0].success("Showing your run. The shipped result is one click away.")
        if cols[1].button("Show shipped result", key=f"{exp.id}.reset"):
            del st.session_state[f"{exp.id}.result"]
            st.rerun()
        return own
    try:
        frame, provenance = data.load_shipped(exp.id)
    except StoreError as err:
        st.error(f"The shipped result is unavailable: {err}. You can still run the "
                 "experiment with the settings in the sidebar.")
        return None
    st.info(f"Showing the shipped precomputed result ({len(provenance.get('seeds', []))} seeds). "
            "Change the settings in the sidebar and press Run to compute your own.")
    return frame, provenance


def provenance_panel(exp, frame, provenance) -> None:
    with st.expander("Provenance: how this result was made"):
        st.code(provenance.get("command", ""), language="bash")
        st.json(provenance, expanded=False)
    st.download_button("Download tidy CSV", frame.to_csv(index=False).encode(),
                       file_name=f"{exp.id}.csv", mime="text/csv", key=f"{exp.id}.csv")
    st.download_button("Download provenance JSON", json.dumps(provenance, indent=2).encode(),
                       file_name=f"{exp.id}.json", mime="application/json", key=f"{exp.id}.json")


def render(experiment_id: str) -> None:
    exp = registry.get(experiment_id)
    values, seeds, submitted = settings_form(exp)
    st.title(exp.title)
    st.markdown(exp.summary)
    if submitted:
        run_with_progress(exp, values, seeds)
    result = current_result(exp)
    if result is None:
        return
    frame, provenance = result
    params = exp.validate(provenance.get("params", {}))
    section = section_for(exp.id)
    if section is not None and hasattr(section, "render"):
        section.render(frame, params)
    else:
        st.altair_chart(charts.error_curve(
            frame, x=exp.x, metric=exp.metrics[0], title=f"{exp.metrics[0]} against {exp.x}",
            threshold=exp.threshold(params), log_x=exp.log_x), width="stretch")
    provenance_panel(exp, frame, provenance)
    with st.expander("References"):
        st.markdown("\n".join(f"- {r}" for r in exp.references))
