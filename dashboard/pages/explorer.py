"""Explorer: any result, shipped or run in this session, on any axes; compare two.

Every control lives in the URL (a link reproduces the view); values that do not fit
the chosen result fall back to defaults with a notice. The controls and the chart are
one fragment (`view`): a control change reruns only it, and what it draws is derived
once per (result, view) for every session (dashboard/data.py), so it answers in a blink.
A link with `runs=ID1,ID2` overlays catalogued runs instead (dashboard/run_overlay.py).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, run_overlay
from dashboard.aggregate import BANDS, CENTRES
from dashboard.charts.explorer import explorer_chart
from dashboard.ui import exports, permalink
from dashboard.ui.labels import column as column_title
from dashboard.ui.labels import experiment_name
from dashboard.ui.labels import metric as metric_title
from dashboard.ui.labels import value as value_label
from experiments.framework import registry
from experiments.framework.params import Param
from experiments.framework.schema import config_columns
from experiments.framework.store import StoreError

TITLE = "Explorer"
URL = "explorer"
NONE = "(none)"
MAX_RAW_SEEDS = 20  # raw mode draws every seed: keep the page light for the hosted demo


def sources() -> dict[str, str]:
    """Label -> source key: every shipped result, plus this session's own runs."""
    names = {i: experiment_name(i) for i in registry.experiments()}
    out = {f"shipped: {names[i]}": f"shipped:{i}" for i in names}
    for i in names:
        if st.session_state.get(f"{i}.result") is not None:
            out[f"your run: {names[i]}"] = f"run:{i}"
    return out


def load(source: str) -> tuple[pd.DataFrame, dict]:
    kind, _, exp_id = source.partition(":")
    if kind == "run":
        return st.session_state[f"{exp_id}.result"]
    return data.load_shipped(exp_id)


def identity(source: str) -> tuple | None:
    """What names the content of a source (None: no stable name, so nothing is cached)."""
    kind, _, exp_id = source.partition(":")
    if kind == "shipped":
        return data.shipped_identity(exp_id)
    own = st.session_state.get(f"{exp_id}.result") if kind == "run" else None
    return ("run", *own.key) if getattr(own, "key", None) else None


def with_source(a: str, b: str) -> pd.DataFrame:
    frames = [load(a)[0].assign(source=a)]
    if b != NONE:
        frames.append(load(b)[0].assign(source=b))
    return pd.concat(frames, ignore_index=True)


def outline(frame: pd.DataFrame, a: str, b: str) -> dict:
    """What the controls offer for a pair of results: metrics, numeric and configuration
    columns, for each metric the values of every column a filter can narrow, and each
    source's provenance."""
    config = [c for c in config_columns(frame) if c != "source"] + ["source"]
    values = {}
    for metric, rows in frame.groupby("metric"):
        values[metric] = {c: sorted(rows[c].unique().tolist(), key=str) for c in config
                          if rows[c].nunique() > 1}
    return {"metrics": sorted(frame["metric"].unique()), "config": config, "values": values,
            "numeric": [c for c in frame.columns
                        if frame[c].dtype.kind in "if" and c not in ("seed", "value")],
            "provenance": {s: load(s)[1] for s in (a, b) if s != NONE}}


def view_rows(frame: pd.DataFrame, metric: str, filters: dict, raw: bool
              ) -> tuple[pd.DataFrame, bool]:
    """The rows the chart draws (one metric, the filters' values, in raw mode the first
    MAX_RAW_SEEDS seeds), and whether raw mode left seeds out."""
    rows = frame[frame["metric"] == metric]
    for col, chosen in filters.items():
        rows = rows[rows[col].isin(chosen)]
    if raw and rows["seed"].nunique() > MAX_RAW_SEEDS:
        return rows[rows["seed"].isin(sorted(rows["seed"].unique())[:MAX_RAW_SEEDS])], True
    return rows, False


def pick(label: str, options: list, key: str, url_value, default, notices: list, **kwargs):
    """A selectbox whose start value comes from the URL when it is one of the options."""
    if url_value is not None and url_value not in options:
        notices.append(f"The link's {key}={url_value!r} is not available here; using {default!r}.")
        url_value = None
    start = url_value if url_value is not None else default
    index = options.index(start) if start in options else 0
    return st.selectbox(label, options, index=index, key=f"explorer.{key}", **kwargs)


def render() -> None:
    if run_overlay.PARAM in st.query_params:  # catalogued runs overlaid: their own view
        run_overlay.render()
        return
    st.title("Explorer")
    st.markdown("Plot any result on any axes. Seeds are aggregated (median by default, "
                "with a band) or drawn one by one; pick a second result to compare.")
    view()


@st.fragment
def view() -> None:
    notices: list[str] = []
    url = {k: st.query_params.get(k) for k in
           ("a", "b", "metric", "x", "color", "facet", "centre", "band", "raw", "logx", "logy")}
    labels = sources()
    keys = list(labels.values())
    names = {key: label for label, key in labels.items()}
    a = pick("Result", keys, "a", url["a"], "shipped:polynomial", notices,
             format_func=lambda k: names[k], help="The result to plot: a shipped one, or a run "
             "you made in this session.")
    b = pick("Compare with", [NONE] + keys, "b", url["b"], NONE, notices,
             format_func=lambda k: names.get(k, k),
             help="A second result drawn on the same axes, coloured by source.")
    pair = (identity(a), identity(b) if b != NONE else NONE)
    key = None if None in pair else pair
    try:
        shape = data.cached(key and ("explorer.outline", *key),
                            lambda: outline(with_source(a, b), a, b))
    except StoreError as err:
        st.error(str(err))
        return
    metrics, numeric, config = shape["metrics"], shape["numeric"], shape["config"]
    exp = registry.get(a.partition(":")[2])
    cols = st.columns(4)
    with cols[0]:
        metric = pick("Quantity on y", metrics, "metric", url["metric"],
                      exp.metrics[0] if exp.metrics[0] in metrics else metrics[0], notices,
                      format_func=metric_title, help="What the chart measures.")
    with cols[1]:
        x = pick("Along x", numeric, "x", url["x"], exp.x if exp.x in numeric else numeric[0],
                 notices, format_func=column_title, help="The swept setting on the x axis.")
    with cols[2]:
        color = pick("Colour by", config, "color", url["color"],
                     "source" if b != NONE else "split", notices, format_func=column_title,
                     help="One colour per value of this setting.")
    with cols[3]:
        facet = pick("Side by side by", [NONE] + config, "facet", url["facet"], NONE, notices,
                     format_func=lambda c: c if c == NONE else column_title(c),
                     help="One small chart per value of this setting.")
    cols = st.columns(5)
    with cols[0]:
        centre = pick("Centre line", list(CENTRES), "centre", url["centre"], "median", notices,
                      help="How the seeds are summarized into one line.")
    with cols[1]:
        band = pick("Band", list(BANDS), "band", url["band"], "iqr", notices,
                    help="The spread over seeds drawn around the line (iqr: the middle half).")
    flags = {k: permalink.read([Param(k, "bool", False, "")])[0].get(k)
             for k in ("raw", "logx", "logy")}
    raw = cols[2].toggle("Every seed", value=bool(flags["raw"]), key="explorer.raw",
                         help="Draw each repetition as its own thin line instead of a summary.")
    log_x = cols[3].toggle("Log x", value=flags["logx"] if flags["logx"] is not None else True,
                           key="explorer.logx", help="A logarithmic x axis.")
    log_y = cols[4].toggle("Log y", value=flags["logy"] if flags["logy"] is not None else True,
                           key="explorer.logy", help="A logarithmic y axis.")
    chosen_by = {}  # in the URL as f.<column>=v1,v2 (only columns that are narrowed)
    with st.expander("Filters"):
        for col, values in shape["values"].get(metric, {}).items():
            if col in (x, color, facet):
                continue
            chosen = st.multiselect(column_title(col), values, key=f"explorer.filter.{col}",
                                    default=permalink.choices(f"f.{col}", values, values),
                                    format_func=lambda v: str(value_label(v)),
                                    help="Keep only the rows with these values.")
            if len(chosen) < len(values):
                chosen_by[col] = chosen
    filters = {f"f.{col}": chosen for col, chosen in chosen_by.items()}
    permalink.show_notices(notices)
    permalink.write({"a": a, "b": b, "metric": metric, "x": x, "color": color, "facet": facet,
                     "centre": centre, "band": band, "raw": raw, "logx": log_x, "logy": log_y,
                     **filters},
                    {"b": NONE, "facet": NONE, "centre": "median", "band": "iqr", "raw": False,
                     "logx": True, "logy": True})
    narrowed = data.fingerprint(chosen_by)
    rows, cut = data.cached(key and ("explorer.rows", *key, metric, narrowed, raw),
                            lambda: view_rows(with_source(a, b), metric, chosen_by, raw))
    if rows.empty:
        st.warning("No rows left: loosen the filters.")
        return
    if cut:
        st.caption(f"Raw mode draws the first {MAX_RAW_SEEDS} seeds; the aggregate uses them all.")
    threshold = (exp.threshold(exp.validate(shape["provenance"][a].get("params", {})))
                 if x == exp.x else None)
    try:
        exports.show_built(explorer_chart, rows, f"explorer-{metric}-vs-{x}", rows, x=x,
                           metric=metric, color=color, facet=None if facet == NONE else facet,
                           centre=centre, band=band, raw=raw, log_x=log_x, log_y=log_y,
                           threshold=threshold)
    except ValueError as err:
        st.warning(f"Nothing to draw: {err}")
        return
    for source, provenance in shape["provenance"].items():
        exports.provenance_expander(provenance, f"Provenance of {source}")
    st.caption(f"{len(rows)} rows, {rows['seed'].nunique()} seeds. Hover a point for its full "
               "configuration; click a legend entry to isolate a series.")
