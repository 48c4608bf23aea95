"""Show a chart with its exports: tidy CSV and Parquet of the data it shows, PNG and
SVG of the chart itself (rendered by vl-convert on the server, no browser needed).

Exports are generated only when clicked (lazy callables), so a page with many charts
costs nothing extra to render.
"""
from __future__ import annotations

import io

import altair as alt
import pandas as pd
import streamlit as st
import vl_convert


def chart_png(chart: alt.TopLevelMixin) -> bytes:
    return vl_convert.vegalite_to_png(chart.to_json(), scale=2)


def chart_svg(chart: alt.TopLevelMixin) -> str:
    return vl_convert.vegalite_to_svg(chart.to_json())


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


def show_chart(chart: alt.TopLevelMixin, frame: pd.DataFrame, name: str) -> None:
    """The chart at full width, then an Export menu for it and for its data."""
    st.altair_chart(chart, width="stretch")
    with st.popover("Export", icon=":material/download:"):
        st.caption("Data shown in the chart (tidy rows) and the chart itself.")
        st.download_button("CSV", lambda: frame.to_csv(index=False), file_name=f"{name}.csv",
                           mime="text/csv", key=f"{name}.csv", on_click="ignore")
        st.download_button("Parquet", lambda: frame_parquet(frame), file_name=f"{name}.parquet",
                           mime="application/vnd.apache.parquet", key=f"{name}.parquet",
                           on_click="ignore")
        st.download_button("PNG", lambda: chart_png(chart), file_name=f"{name}.png",
                           mime="image/png", key=f"{name}.png", on_click="ignore")
        st.download_button("SVG", lambda: chart_svg(chart), file_name=f"{name}.svg",
                           mime="image/svg+xml", key=f"{name}.svg", on_click="ignore")
