"""The catalog of runs as the pages see it: one catalog per server process (shared by
every session; its calls are serialized), results read through a byte-bounded cache,
links between the Runs view, the experiment pages and the Explorer, and every failure
as a one-line message about that run only.
"""
from __future__ import annotations

import os
import threading

import streamlit as st

from dashboard import data
from dashboard.runs_table import settings_shown
from dashboard.ui.plaintext import literal
from experiments.framework import registry
from experiments.framework.catalog import Catalog, CatalogError, RunRecord, open_catalog
from experiments.framework.params import ParamError
from experiments.framework.provenance import Result

LINK = "catalog_run"  # in an experiment page's URL: show this catalogued run
LOADED = data.ByteLRU(128 * data.MB)  # catalogued results by run id (a run never changes)
_OPEN: dict[tuple, Catalog] = {}
_LOCK = threading.Lock()


def catalog() -> Catalog:
    """The catalog the environment names (opened once); CatalogError if unusable."""
    key = (os.environ.get("DESCENT_LAB_CATALOG_URL"), os.environ.get("DESCENT_LAB_RESULTS"))
    with _LOCK:
        if key not in _OPEN:
            _OPEN[key] = open_catalog()
        return _OPEN[key]


def defaults() -> dict[str, dict]:
    return {i: e.defaults() for i, e in registry.experiments().items()}


def load(run_id: str) -> tuple[RunRecord, Result]:
    """A run's record and result; CatalogError (one line) if either is unusable."""
    record = catalog().get(run_id)
    key = (record.id, record.created)
    result = LOADED.get(key)
    if result is None:
        result = catalog().load(record.id)
        LOADED.put(key, result)
    return record, result


def explorer_link(run_ids) -> str:
    """Relative, so it works wherever the app is mounted."""
    return "explorer?runs=" + ",".join(run_ids)


def permalink(record: RunRecord) -> str:
    return permalink_of(record.experiment, record.id)


def permalink_of(experiment_id: str, run_id: str) -> str:
    """A run's page as a full address when the browser told us where the app lives."""
    page = f"{experiment_id}?{LINK}={run_id}"  # as runs_table.run_link
    url = st.context.url or ""
    base = url.split("?")[0].rsplit("/", 1)[0] if url.startswith("http") else ""
    return f"{base}/{page}" if base else f"/{page}"


def describe(record: RunRecord) -> str:
    """`id`, source, author and date of a run, as plain text."""
    when = record.created[:16].replace("T", " ")
    return literal(f"run {record.id} ({record.source}, {record.author}, {when} UTC)")


def linked_run(exp, start: dict) -> tuple[tuple[RunRecord, Result] | None, dict, list[str]]:
    """The run named by the page link's `catalog_run`, the sidebar's start values (that
    run's settings) and a notice when the link names a run that cannot be shown here."""
    run_id = st.query_params.get(LINK)
    if run_id is None:
        return None, start, []
    try:
        record, result = load(run_id)
    except CatalogError as err:
        return None, start, [f"The linked run cannot be shown: {err}"]
    if record.experiment != exp.id:
        return None, start, [f"Run {record.id} is a {record.experiment} run; open it from "
                             "the Runs view."]
    try:
        settings = {**exp.validate(record.params), "seeds": len(record.seeds)}
    except ParamError as err:  # made by older code: show it, start the sidebar as usual
        return (record, result), start, [f"Run {record.id}'s settings do not fit the "
                                         f"sidebar ({err})."]
    return (record, result), settings, []


def show_saved(provenance: dict) -> None:
    """Where a page run was catalogued, with its permalink (nothing if it was not)."""
    run_id = provenance.get("run_id")
    if run_id is not None:
        st.caption(literal(f"Saved to the catalog as run {run_id}. Permalink:"))
        st.code(permalink_of(provenance.get("experiment", ""), run_id), language=None)


def show_linked(record: RunRecord) -> None:
    """The banner over a catalogued run shown on its experiment page."""
    cols = st.columns([4, 1])
    cols[0].success(f"Showing catalogued {describe(record)}. Permalink:")
    if cols[1].button("Show shipped result", key=f"{record.experiment}.catalog_reset"):
        st.query_params.clear()
        st.rerun()
    st.code(permalink(record), language=None)


def compare_with(exp, current_id: str | None) -> None:
    """A picker of earlier catalogued runs of this experiment, linked to the Explorer's
    overlay of the chosen run with the one on screen."""
    if current_id is None:
        return
    try:
        earlier = [r for r in catalog().list(experiment=exp.id, limit=50) if r.id != current_id]
    except CatalogError as err:
        st.caption(literal(f"Earlier runs are unavailable: {err}"))
        return
    if not earlier:
        return
    known = exp.defaults()
    names = {r.id: f"{r.id} · {r.created[:10]} · {r.source} · "
             f"{settings_shown(exp.id, r.differs(known))}" for r in earlier}
    cols = st.columns([3, 1], vertical_alignment="bottom")
    chosen = cols[0].selectbox("Compare with an earlier run", [None] + list(names),
                               format_func=lambda i: "(pick a run)" if i is None else names[i],
                               key=f"{exp.id}:compare_with")  # not "id.name": a setting's key
    if chosen is not None:
        cols[1].link_button("Overlay in the Explorer", explorer_link([current_id, chosen]),
                            width="stretch")
