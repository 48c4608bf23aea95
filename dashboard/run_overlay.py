"""The Explorer's overlay of catalogued runs (`explorer?runs=ID1,ID2,...`): the runs'
curves on one chart, coloured by the settings that differ between them.

Ids come from a link, so each is checked by the catalog; a bad or unknown one is a
one-line notice and the rest are still drawn when at least two remain.
"""
from __future__ import annotations

import streamlit as st

from dashboard import catalog_view
from dashboard.charts.explorer import explorer_chart
from dashboard.runs_table import (
    MAX_OVERLAY,
    RUN,
    OverlayError,
    overlay_frame,
    run_link,
    split_ids,
)
from dashboard.ui import exports, permalink
from dashboard.ui.plaintext import literal
from experiments.framework import registry
from experiments.framework.catalog import CatalogError
from experiments.framework.params import Param

PARAM = "runs"


def _runs(raw: str | None) -> tuple[list, list[str]]:
    """(record, frame) of each usable id in the link, and a notice per unusable one."""
    ids = split_ids(raw)
    notices = []
    if len(ids) > MAX_OVERLAY:
        notices.append(f"The link names {len(ids)} runs; the first {MAX_OVERLAY} are drawn.")
        ids = ids[:MAX_OVERLAY]
    runs = []
    for run_id in ids:
        try:
            record, result = catalog_view.load(run_id)
        except CatalogError as err:
            notices.append(f"Run {run_id!r} is left out: {err}")
            continue
        runs.append((record, result.frame))
    return runs, notices


def _flag(name: str, default: bool) -> bool:
    value = permalink.read([Param(name, "bool", default, "")])[0].get(name)
    return default if value is None else value


def render() -> None:
    st.title("Explorer: catalogued runs")
    st.markdown("Runs from the catalog on one chart, coloured by the settings that differ "
                "between them. [All runs](runs)")
    runs, notices = _runs(st.query_params.get(PARAM))
    permalink.show_notices(notices)
    try:
        frame = overlay_frame(runs)
    except OverlayError as err:
        st.error(literal(f"Nothing to overlay: {err}."))
        return
    record = runs[0][0]
    exp = registry.experiments().get(record.experiment)
    metrics = sorted(frame["metric"].unique())
    numeric = [c for c in frame.columns if frame[c].dtype.kind in "if"
               and c not in ("seed", "value")]
    cols = st.columns(3)
    with cols[0]:
        metric = st.selectbox("y (metric)", metrics, key="overlay.metric", index=metrics.index(
            permalink.choice("metric", metrics, exp.metrics[0] if exp and exp.metrics[0]
                             in metrics else metrics[0])))
    with cols[1]:
        x = st.selectbox("x", numeric, key="overlay.x", index=numeric.index(permalink.choice(
            "x", numeric, exp.x if exp and exp.x in numeric else numeric[0])))
    splits = sorted(frame.loc[frame["metric"] == metric, "split"].unique())
    with cols[2]:
        split = st.selectbox("split", splits, key="overlay.split", index=splits.index(
            permalink.choice("split", splits, "test" if "test" in splits else splits[0])))
    cols = st.columns(3)
    raw = cols[0].toggle("raw seeds", value=_flag("raw", False), key="overlay.raw")
    log_x = cols[1].toggle("log x", value=_flag("logx", True), key="overlay.logx")
    log_y = cols[2].toggle("log y", value=_flag("logy", True), key="overlay.logy")
    permalink.remember(metric=metric, x=x, split=split, raw=raw, logx=log_x, logy=log_y)
    rows = frame[(frame["metric"] == metric) & (frame["split"] == split)]
    try:
        exports.show_built(explorer_chart, rows, f"overlay-{metric}-vs-{x}", rows, x=x,
                           metric=metric, color=RUN, raw=raw, log_x=log_x, log_y=log_y)
    except ValueError as err:
        st.warning(literal(f"Nothing to draw: {err}"))
        return
    for record, _ in runs:
        st.markdown(f"{catalog_view.describe(record)}: [open on its page]({run_link(record)})")
