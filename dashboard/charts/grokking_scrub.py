"""The training scrubber of the grokking page: one Vega-Lite spec whose slider picks a
stored weight snapshot, moves a marker along the accuracy curves and redraws that
epoch's neuron weights and their Fourier spectrum, all in the browser.

The slider is a Vega-Lite parameter bound to a range input; every panel filters on it,
so scrubbing never reruns the page. Streamlit ships chart data as Arrow tables, so the
snapshots travel as long rows in small dtypes (float32 values, int16 indices): ~0.25 MB
for 41 snapshots of 12 neurons at p = 31.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from dashboard.ui import palette
from experiments import grokking

PARAM = "checkpoint"
WIDTH = 255  # plot width of every panel: with its axes the chart fits a 390 px phone
CELL = 14  # px per neuron row in the heatmaps: every label readable
WEIGHTS, POWER = "blueorange", "purples"  # diverging for signed weights, sequential for shares


def neuron_tables(snapshots: pd.DataFrame, spectra: pd.DataFrame) -> tuple[pd.DataFrame,
                                                                             pd.DataFrame, list]:
    """Long rows of the weights (divided by the largest |weight| at their epoch) and of
    the power shares, keyed by snapshot index (`checkpoint`) and neuron, in small dtypes;
    and the neurons' order: by main frequency at the end, then by size."""
    epochs = sorted(snapshots["epoch"].unique())
    index = {e: i for i, e in enumerate(epochs)}
    last = snapshots[snapshots["epoch"] == epochs[-1]]
    share = spectra[spectra["epoch"] == epochs[-1]]
    main = share.loc[share.groupby("neuron")["power"].idxmax()].set_index("neuron")["frequency"]
    size = last.groupby("neuron")["weight"].apply(lambda w: float(np.sum(w**2)))
    order = sorted(main.index, key=lambda n: (main[n], -size[n]))
    largest = snapshots.groupby("epoch")["weight"].transform(lambda w: w.abs().max())

    def compact(rows, values, along, scaled):
        return pd.DataFrame({"checkpoint": rows["epoch"].map(index).astype(np.int16),
                             "neuron": rows["neuron"].astype(np.int16),
                             along: rows[along].astype(np.int16),
                             values: scaled.astype(np.float32)})

    weights = compact(snapshots, "weight", "residue",
                      (snapshots["weight"] / largest.clip(lower=1e-30)).round(3))
    power = compact(spectra, "power", "frequency", spectra["power"].round(3))
    return weights, power, [int(n) for n in order]


def _heatmap(table: pd.DataFrame, chosen, order: list, values: str, along: str,
             x_title: str, value_title: str, scale: alt.Scale) -> alt.Chart:
    """Neurons (rows) against residues or frequencies at the chosen snapshot."""
    ticks = list(range(0, int(table[along].max()) + 1, 5))
    return alt.Chart(table).transform_filter(chosen).mark_rect().encode(
        x=alt.X(f"{along}:O", title=x_title, axis=alt.Axis(values=ticks, labelAngle=0)),
        y=alt.Y("neuron:O", sort=order, title="neuron",
                axis=alt.Axis(labelFontSize=9, labelOverlap=False)),
        color=alt.Color(f"{values}:Q", title=value_title, scale=scale,
                        legend=alt.Legend(orient="bottom", gradientLength=WIDTH - 40)),
        tooltip=[alt.Tooltip("neuron:O", title="neuron"),
                 alt.Tooltip(f"{along}:O", title=x_title),
                 alt.Tooltip(f"{values}:Q", title=value_title, format=".3f")],
    ).properties(width=WIDTH, height=CELL * len(order))


def training_scrubber(frame: pd.DataFrame) -> alt.VConcatChart:
    """Accuracy of the snapshot seed with a marker at the chosen snapshot, its neurons'
    input weights over the residues, and their Fourier power per frequency."""
    snapshots = grokking.snapshots(frame)
    if snapshots.empty:
        raise ValueError("no weight snapshots to draw")
    seed = int(snapshots["seed"].iloc[0])
    weight_rows, power_rows, order = neuron_tables(snapshots, grokking.spectra(frame))
    epochs = sorted(snapshots["epoch"].unique())
    curves = frame.loc[(frame["metric"] == "accuracy") & (frame["seed"] == seed),
                       ["step", "split", "value"]]
    marks = curves[curves["step"].isin(epochs)].assign(
        checkpoint=lambda d: d["step"].map({e: i for i, e in enumerate(epochs)}),
        label=lambda d: "epoch " + d["step"].astype(str))
    pick = alt.param(name=PARAM, value=len(epochs) - 1, bind=alt.binding_range(
        min=0, max=len(epochs) - 1, step=1, name="training checkpoint "))
    chosen = alt.datum.checkpoint == pick
    x = alt.X("step:Q", title="epoch", scale=alt.Scale(type="log", domain=[1, int(epochs[-1])]))
    color = alt.Color("split:N", scale=palette.scale(palette.SPLITS), title=None,
                      legend=palette.legend(orient="top"))
    y = alt.Y("value:Q", title="accuracy", scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(format="%", tickCount=3))
    lines = alt.Chart(curves).mark_line(strokeWidth=2).encode(x=x, y=y, color=color)
    at = alt.Chart(marks).transform_filter(chosen)
    rule = at.mark_rule(color=palette.INK).encode(x=x)
    dots = at.mark_point(filled=True, size=60, opacity=1).encode(
        x=x, y=y, color=color, tooltip=[alt.Tooltip("step:Q", title="epoch"),
                                        alt.Tooltip("split:N", title="split"),
                                        alt.Tooltip("value:Q", title="accuracy", format=".1%")])
    # The epoch in the plot's empty top-left corner: beside the marker it would stick out
    # of the plot (and off a phone's screen) at the last epochs.
    label = at.transform_filter(alt.datum.split == "test").mark_text(
        align="left", baseline="top", fontWeight="bold", color=palette.INK).encode(
        x=alt.value(4), y=alt.value(4), text="label:N")
    top = (lines + rule + dots + label).properties(
        width=WIDTH, height=130, title=f"Accuracy of seed {seed} at the checkpoint")
    weights = _heatmap(weight_rows, chosen, order, "weight", "residue", "input residue a",
                       "weight / largest", alt.Scale(scheme=WEIGHTS, domain=[-1, 1])).properties(
        title="Input weights over the residues")
    spectrum = _heatmap(power_rows, chosen, order, "power", "frequency", "frequency k",
                        "share of power", alt.Scale(scheme=POWER, domain=[0, 1])).properties(
        title="Fourier power per frequency")
    return alt.vconcat(top, weights, spectrum, spacing=14).add_params(pick).resolve_scale(
        color="independent")
