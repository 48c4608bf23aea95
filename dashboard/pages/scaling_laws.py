"""Scaling laws: fit err = E + A x^-alpha to any result in the lab and extrapolate."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.charts import scaling as scaling_charts
from dashboard.ui import exports, labels, permalink, widgets
from experiments.analysis.scaling import fit_claims
from experiments.framework import registry
from experiments.framework.claims import by_key
from experiments.numerics.powerlaw import COUNTS, PowerLawError, bootstrap

TITLE = "Scaling laws: compare fits"
URL = "scaling-laws"
TWO_VARIABLE = "compute_optimal"

EXPLAIN = r"""
A power law $\text{err} = E + A\,x^{-\alpha}$ is a straight line on log-log axes once $E$
is small. The exponent $\alpha$ says how fast error falls: doubling the data (or the
model) multiplies the reducible error by $2^{-\alpha}$. Kaplan et al. (2020) found
$\alpha_N \approx 0.076$ for language models against parameters; Hoffmann et al. (2022,
"Chinchilla") fitted $L(N, D) = 1.69 + 406.4 / N^{0.34} + 410.7 / D^{0.28}$ and concluded
that compute is best spent on about 20 training tokens per parameter. $E$ is the error no
amount of data removes: poorly identified from a short range, so read its interval; when the
fit puts it at its bound of 0 it is shown as ~0 (not identified). Intervals resample seeds
and, where the result counts the test points behind each error rate, those test points too.
Fits across an interpolation peak (e.g. the random-features or polynomial sweeps) are
meaningless: restrict the range to one side.
"""


def fit_all(rows: pd.DataFrame, x: str, series: str) -> dict:
    fits, errors = {}, {}
    for name, group in rows.groupby(series):
        try:
            fits[name] = bootstrap(group, x)
        except PowerLawError as err:
            errors[name] = str(err)
    return {"fits": fits, "errors": errors}


def curves_of(frame, provenance: dict) -> dict:
    curves = (sorted(set(frame["curve"]) - {TWO_VARIABLE}) if "curve" in frame.columns
              else None)
    return {"curves": curves, "provenance": provenance,
            "two_variable": curves is not None and TWO_VARIABLE in set(frame["curve"])}


def selection(frame, provenance: dict, curve: str | None) -> dict:
    """The per-seed test rows of one curve (all rows without a curve column), the metrics
    and x columns they offer, and the grid's rows."""
    frame = frame[(frame["seed"] >= 0) & (frame["split"] == "test")]
    grid = frame[frame["curve"] == "grid"] if "curve" in frame.columns else frame.iloc[:0]
    if curve is not None:
        frame = frame[frame["curve"] == curve]
    return {"frame": frame, "grid": grid, "metrics": sorted(frame["metric"].unique()),
            "numeric": [c for c in frame.columns if frame[c].dtype.kind in "if"
                        and frame[c].nunique() > 3 and c not in ("seed", "value", *COUNTS)]}


def fit_view(rows: pd.DataFrame, x: str, series: str, x_range: tuple, extrapolate: float
             ) -> dict:
    """Fits, failures, the chart's points and lines, the table and the claims."""
    result = fit_all(rows, x, series)
    fits = result["fits"]
    summary = pd.DataFrame([{series: name, x: px, "centre": py, "seeds": b.seeds}
                            for name, b in fits.items() for px, py in zip(b.xs, b.ys, strict=True)])
    table = pd.DataFrame([{
        labels.column(series): labels.value(name), "fitted law": b.fit.equation(),
        "exponent α": round(b.fit.alpha, 3),
        "α 90% interval": f"{b.alpha_interval[0]:.3f} - {b.alpha_interval[1]:.3f}",
        "floor E": b.E_text(), "E 90% interval": b.E_interval_text(),
        "R² (log)": round(b.fit.r2_log, 4),
        "log-log slope": round(b.slope(), 3),
        "resampled": b.resampled,
    } for name, b in fits.items()])
    return {"errors": result["errors"], "summary": summary, "table": table,
            "lines": (scaling_charts.fit_lines(fits, x_range, extrapolate, series)
                      if fits else None),
            "claims": list(by_key(fit_claims(fits)).values())}


def render() -> None:
    st.title(TITLE)
    st.markdown(EXPLAIN)
    view()


@st.fragment
def view() -> None:
    """Every control and what it draws: a control change reruns only this, and the fits
    and charts are derived once per selection for every visitor (dashboard/data.py)."""
    ids = list(registry.experiments())
    cols = st.columns(3)
    start = permalink.choice("result", ids, "scaling" if "scaling" in ids else ids[0])
    exp_id = cols[0].selectbox("Result", ids, index=ids.index(start), key="scaling_laws.exp",
                               format_func=labels.experiment_name,
                               help="Which experiment's shipped result to fit.")
    shape = data.derived_or_message(exp_id, curves_of)
    if shape is None:
        return
    curves, provenance, curve = shape["curves"], shape["provenance"], None
    if curves is not None:
        # A fit mixes only runs of one sweep: learning curves, model-size curves or the grid.
        # The compute-optimal study fits a two-variable law, L(N, D): its own page shows it.
        start = permalink.choice("curve", curves, "data" if "data" in curves else curves[0])
        curve = st.selectbox("Curve", curves, key="scaling_laws.curve", index=curves.index(start),
                             format_func=labels.value,
                             help="Which sweep of the result to fit: one curve at a time.")
        permalink.remember(curve=curve)
        if shape["two_variable"]:
            st.caption("The compute-optimal study (Hoffmann et al. 2022) fits L(N, D) over two "
                       "variables at once: see it on the Scaling page.")
    chosen = data.from_shipped(exp_id, selection, curve)
    frame, grid_rows, metrics, numeric = (chosen[k] for k in ("frame", "grid", "metrics",
                                                              "numeric"))
    start = permalink.choice("metric", metrics,
                             "error_rate" if "error_rate" in metrics else metrics[0])
    metric = cols[1].selectbox("Metric", metrics, key="scaling_laws.metric",
                               index=metrics.index(start), format_func=labels.metric,
                               help="The test error the law is fitted to.")
    exp = registry.get(exp_id)
    start = permalink.choice("x", numeric, exp.x if exp.x in numeric else numeric[0])
    x = cols[2].selectbox("Against", numeric, key="scaling_laws.x", index=numeric.index(start),
                          format_func=labels.column,
                          help="The quantity the error falls with: data, parameters or compute.")
    permalink.remember(result=exp_id, metric=metric, x=x)
    rows = frame[(frame["metric"] == metric) & (frame[x] > 0) & (frame["value"] > 0)]
    series = "family" if "family" in rows.columns else "split"
    values = sorted(rows[x].unique())
    if len(values) < 4:
        st.warning("This result has fewer than 4 distinct x values: nothing to fit.")
        return
    low, high = st.select_slider("Fit range", options=values, value=(values[0], values[-1]),
                                 key="scaling_laws.range", format_func=lambda v: f"{v:,.4g}",
                                 help="Only the points in this range are fitted.")
    rows = rows[(rows[x] >= low) & (rows[x] <= high)]
    extrapolate = st.select_slider("Extrapolate to", options=[high * f for f in (1, 2, 5, 10, 100)],
                                   value=high * 10, format_func=lambda v: f"{v:,.0f}",
                                   key="scaling_laws.extrapolate",
                                   help="How far to the right the fitted law is drawn (dashed).")
    fitted = data.memo(fit_view, rows, x, series, (low, high), extrapolate)
    for name, message in fitted["errors"].items():
        st.warning(f"{labels.value(name)}: no fit ({message})")
    if fitted["summary"].empty:
        return
    exports.show_built(
        scaling_charts.scaling_chart, rows, f"scaling-{exp_id}-{metric}",
        fitted["summary"], fitted["lines"], x=x, y_title=labels.metric(metric, "test"),
        series=series,
        title=f"{exp.title.split(':')[0]}: {labels.metric(metric, 'test')} against "
              f"{labels.column(x)}. Points: the fitted values; lines: power-law fits "
              "(dashed: extrapolated, shaded: 90% bootstrap band)")
    for claim in fitted["claims"]:
        widgets.claim(claim, neutral=None)
    st.dataframe(fitted["table"], hide_index=True, width="stretch",  # on a phone: swipe the rest
                 column_config={labels.column(series): st.column_config.Column(pinned=True)})
    exports.provenance_expander(provenance, f"Provenance of the {exp_id} result")
    if len(grid_rows) and (grid_rows["metric"] == metric).any():
        grid_rows = grid_rows[grid_rows["metric"] == metric]
        exports.show_built(
            scaling_charts.grid_heatmap, grid_rows, f"scaling-grid-{exp_id}",
            data.memo(scaling_charts.grid_summary, grid_rows),
            title=f"{labels.capitalized(labels.metric(metric, 'test'))} over parameters "
                  "and training size; white: the compute-optimal frontier")
        st.caption("For each budget of training FLOPs (one family: random features, the "
                   "solver's multiply-adds) the frontier picks the cell with the lowest error "
                   "within it. The compute-optimal study fits this "
                   "trade-off the way Hoffmann et al. (2022) did.")
