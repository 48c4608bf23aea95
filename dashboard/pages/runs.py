"""Runs: every catalogued run (shipped, CLI, Dask, page), searched, filtered, selected to
overlay in the Explorer, opened on its experiment page, tagged, noted or deleted.

The table's shaping and filtering live in dashboard/runs_table.py; everything echoed
back (ids, tags, notes, errors) is shown as plain text.
"""
from __future__ import annotations

import streamlit as st

from dashboard import catalog_view, runs_table
from dashboard.runs_table import OverlayError
from dashboard.ui import labels
from dashboard.ui.plaintext import literal
from experiments.framework import registry
from experiments.framework.catalog import CatalogError
from experiments.framework.wording import count

TITLE = "Runs"
URL = "runs"
SOURCES = ("shipped", "cli", "dask", "page")
COLUMNS = {
    "id": st.column_config.TextColumn("id", pinned=True),
    "title": st.column_config.TextColumn("experiment"),
    "experiment": None,  # the id, kept in the table for the filter; readers see the title
    "settings": st.column_config.TextColumn("differs from defaults", width="large"),
    "params": None,  # the same settings as a link writes them, kept for the search
    "created": st.column_config.TextColumn("date (UTC)"),
    "runtime_s": st.column_config.NumberColumn("runtime", format="%.1f s"),
    "open": st.column_config.LinkColumn("page", display_text="open"),
}


def titles() -> dict[str, str]:
    """Experiment id -> its short name."""
    return {i: labels.experiment_name(i) for i in registry.experiments()}


def filters(table):
    """The filter controls; the rows they keep."""
    cols = st.columns([3, 2])
    text = cols[0].text_input("Search", key="runs.text", placeholder="id, setting, tag, note, author…")
    days = cols[1].date_input("Created (UTC), from and to", value=[], key="runs.days")
    cols = st.columns(3)
    names = dict(zip(table["experiment"], table["title"]))
    experiments = cols[0].multiselect("Experiment", sorted(names, key=names.get),
                                      format_func=names.get, key="runs.experiments")
    tags = cols[1].multiselect("Tags", runs_table.tag_options(table), key="runs.tags")
    sources = cols[2].multiselect("Source", SOURCES, key="runs.sources")
    since, until = (list(days) + [None, None])[:2]
    return runs_table.filter_runs(table, text=text, experiments=experiments, tags=tags,
                                  sources=sources, since=since, until=until)


def act(action, records, done: str) -> None:
    """Apply `action` to each record; one line per refusal, then reload the table."""
    failed = []
    for record in records:
        try:
            action(record)
        except CatalogError as err:
            failed.append(str(err))
    st.session_state["runs.messages"] = list(dict.fromkeys(failed)) or [done]
    st.session_state["runs.failed"] = bool(failed)
    st.rerun()


def manage(records) -> None:
    """Tag, note and delete the selected runs."""
    catalog = catalog_view.catalog()
    cols = st.columns(2)
    with cols[0].form("runs.tag", clear_on_submit=True, border=False):
        tag = st.text_input("Tag", placeholder="e.g. peak-study")
        add, remove = st.columns(2)
        if add.form_submit_button("Add tag", width="stretch"):
            act(lambda r: catalog.tag(r.id, tag), records, "Tag added.")
        if remove.form_submit_button("Remove tag", width="stretch"):
            act(lambda r: catalog.untag(r.id, tag), records, "Tag removed.")
    with cols[1].form("runs.note", border=False):
        note = st.text_input("Note", value=records[0].note if len(records) == 1 else "")
        if st.form_submit_button("Save note", width="stretch"):
            act(lambda r: catalog.note(r.id, note), records, "Note saved.")
    with st.popover(f"Delete {count(len(records), 'run')}",
                    icon=":material/delete:"):
        st.markdown("Deleted runs and their results are gone for everyone. Shipped runs are "
                    "read-only and stay.")
        if st.button("Delete permanently", type="primary", key="runs.delete"):
            act(lambda r: catalog.remove(r.id), records, "Deleted.")


def selected_panel(records) -> None:
    """Links for the selected runs (overlay, open, permalink), then what can be changed."""
    try:
        runs_table.check_overlay(records)
        st.link_button(f"Overlay {len(records)} runs in the Explorer",
                       catalog_view.explorer_link(r.id for r in records),
                       icon=":material/stacked_line_chart:", type="primary")
    except OverlayError as err:
        if len(records) > 1:
            st.info(literal(f"Cannot overlay: {err}."))
    for record in records[:runs_table.MAX_OVERLAY]:
        st.markdown(f"{catalog_view.describe(record)}: [open on its page]"
                    f"({runs_table.run_link(record)}); permalink:")
        st.code(catalog_view.permalink(record), language=None)
    manage(records)


def render() -> None:
    st.title("Runs")
    st.markdown("Every finished run, from the command line, a Dask sweep or a page, with the "
                "shipped results. Select rows (the boxes at the left) to overlay them in the "
                "Explorer, open one, or tag, note or delete them.")
    for message in st.session_state.pop("runs.messages", []):
        (st.error if st.session_state.get("runs.failed") else st.success)(literal(message))
    try:
        records = catalog_view.catalog().list()
    except CatalogError as err:
        st.error(literal(f"The catalog is unavailable: {err}"))
        return
    table = runs_table.runs_frame(records, catalog_view.defaults(), titles())
    shown = filters(table)
    st.caption(f"{len(shown)} of {count(len(table), 'run')}")
    event = st.dataframe(shown, hide_index=True, column_config=COLUMNS,
                         key=runs_table.selection_key(shown["id"]), on_select="rerun",
                         selection_mode="multi-row")
    by_id = {r.id: r for r in records}
    rows = [i for i in event.selection.rows if i < len(shown)]
    picked = [by_id[i] for i in shown["id"].iloc[rows]]
    if picked:
        selected_panel(picked)
