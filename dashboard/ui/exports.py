"""Show a chart with its exports: tidy CSV and Parquet of the data it shows, PNG and
SVG of the chart itself (rendered by vl-convert on the server, no browser needed).

Exports are generated only when clicked (lazy callables), so a page with many charts
costs nothing extra to render. `show_built` draws a chart from a pure builder through the
server-side cache (dashboard/data.py): building an Altair chart and converting it to the
Vega-Lite spec Streamlit sends costs far more than drawing, and is done once per input.

Altair refuses to serialize more than 5,000 rows by default; the export lifts that to
EXPORT_MAX_ROWS, so every row is drawn while the server's work per click stays bounded,
and larger charts say so instead of failing.
"""
from __future__ import annotations

import io

import altair as alt
import pandas as pd
import streamlit as st
import vl_convert
from streamlit.elements.vega_charts import (
    _altair_globals_lock,
    _convert_altair_to_vega_lite_spec,
)

from dashboard import data
from dashboard.charts.layout import lay_out

EXPORT_MAX_ROWS = 20_000
EXPORT_WIDTH = 640  # pixels of plot area in PNG and SVG exports
_NESTED = ("layer", "hconcat", "vconcat", "concat")


def _parts(chart) -> list:
    """The chart and every chart nested in it (layers, concatenations, facet specs)."""
    out = [chart]
    for name in _NESTED:
        for sub in getattr(chart, name, None) or []:
            out += _parts(sub)
    spec = getattr(chart, "spec", None)
    if isinstance(spec, alt.SchemaBase):
        out += _parts(spec)
    return out


def chart_rows(chart: alt.TopLevelMixin) -> int:
    """Rows of data the chart carries, over all its layers and panels."""
    total = 0
    for part in _parts(chart):
        data = getattr(part, "data", None)
        if isinstance(data, pd.DataFrame):
            total += len(data)
        elif isinstance(data, dict) and isinstance(data.get("values"), list):
            total += len(data["values"])
    return total


class ExportTooLarge(ValueError):
    """The chart carries more rows than a server-side render is allowed to draw."""


def chart_json(chart: alt.TopLevelMixin) -> str:
    rows = chart_rows(chart)
    if rows > EXPORT_MAX_ROWS:
        raise ExportTooLarge(too_large_text(rows))
    # Altair's data transformer is process-wide state that Streamlit also switches
    # while it draws a chart: hold Streamlit's lock for it, or a concurrent session
    # could serialize this chart with Streamlit's transformer (no data) or vice versa.
    # On the page a chart takes its column's width; alone, Vega would draw it 300 px wide,
    # where log-axis labels run into each other ("200300"): give it a page's width.
    chart = chart.configure_view(continuousWidth=EXPORT_WIDTH).configure_axis(
        labelOverlap="greedy", labelSeparation=4)
    with _altair_globals_lock, alt.data_transformers.enable("default", max_rows=None):
        return chart.to_json()


def too_large_text(rows: int) -> str:
    return (f"PNG and SVG are drawn on the server from at most {EXPORT_MAX_ROWS:,} rows; this "
            f"chart has {rows:,}. Download its data (CSV or Parquet), or narrow the view.")


def chart_png(chart: alt.TopLevelMixin) -> bytes:
    return vl_convert.vegalite_to_png(chart_json(chart), scale=2)


def chart_svg(chart: alt.TopLevelMixin) -> str:
    return vl_convert.vegalite_to_svg(chart_json(chart))


def frame_parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def provenance_expander(provenance: dict, label: str = "Provenance: how this result was made"
                        ) -> None:
    """Parameters, seeds, code and package versions, runtime, date, and the copyable
    command that reproduces the result."""
    with st.expander(label):
        st.code(provenance.get("command", ""), language="bash")
        st.json(provenance, expanded=False)


def vega_spec(build, args: tuple, kwargs: dict, laid_out: bool = True) -> tuple[dict, int]:
    """The Vega-Lite spec Streamlit sends for `build(*args, **kwargs)` (its data already
    in Arrow; laid out for the screen by `finish` unless told otherwise), and the rows the
    chart carries."""
    chart = build(*args, **kwargs)
    rows = chart_rows(chart)
    return _convert_altair_to_vega_lite_spec(lay_out(chart) if laid_out else chart), rows


def show_built(build, frame: pd.DataFrame, name: str, *args, **kwargs) -> None:
    """The chart `build(*args, **kwargs)` at full width, laid out for the screen
    (`finish`), then an Export menu for it and `frame`, the data it shows. The spec is
    built once per input for every session; `build` is a pure module-level chart
    builder. The chart object itself is rebuilt only when an image export is clicked."""
    _show_built(build, frame, name, args, kwargs, "stretch")


def show_built_content(build, frame: pd.DataFrame, name: str, *args, **kwargs) -> None:
    """`show_built` at the chart's own width (a concatenated chart's panels would each
    be stretched to the page)."""
    _show_built(build, frame, name, args, kwargs, "content")


def _show_built(build, frame: pd.DataFrame, name: str, args: tuple, kwargs: dict,
                width: str) -> None:
    spec, rows = data.memo(vega_spec, build, args, kwargs)
    st.vega_lite_chart(spec=spec, width=width)
    export_menu(lambda: build(*args, **kwargs), frame, name, rows)


def draw_built(build, *args, **kwargs) -> None:
    """`build(*args, **kwargs)` drawn as built, at full width and without exports (a panel
    under a chart that has them), its spec built once per input like `show_built`'s."""
    spec, _ = data.memo(vega_spec, build, args, kwargs, laid_out=False)
    st.vega_lite_chart(spec=spec, width="stretch")


def export_menu(chart, frame: pd.DataFrame, name: str, rows: int) -> None:
    """The Export popover; `chart()` gives the chart to draw as PNG or SVG."""
    with st.popover("Export", icon=":material/download:"):
        st.caption("Data shown in the chart (tidy rows) and the chart itself.")
        st.download_button("CSV", lambda: frame.to_csv(index=False), file_name=f"{name}.csv",
                           mime="text/csv", key=f"{name}.csv", on_click="ignore")
        st.download_button("Parquet", lambda: frame_parquet(frame), file_name=f"{name}.parquet",
                           mime="application/vnd.apache.parquet", key=f"{name}.parquet",
                           on_click="ignore")
        if rows > EXPORT_MAX_ROWS:  # say why now: a failing lazy download shows nothing
            st.caption(too_large_text(rows))
            return
        st.download_button("PNG", lambda: chart_png(chart()), file_name=f"{name}.png",
                           mime="image/png", key=f"{name}.png", on_click="ignore")
        st.download_button("SVG", lambda: chart_svg(chart()), file_name=f"{name}.svg",
                           mime="image/svg+xml", key=f"{name}.svg", on_click="ignore")
