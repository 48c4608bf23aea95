"""Polynomial page: the honest verdict, the classical range next to the full sweep, where
the peak comes from (extrapolation), the bias-variance split and the run's fitted curves."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, data
from dashboard.aggregate import classical_range, readable_top
from dashboard.charts.curves import fitted_curves_chart, stacked_decomposition
from dashboard.charts.scrub_views import polynomial_scrub
from dashboard.ui import exports, labels, permalink, widgets
from experiments import polynomial
from experiments.framework.claims import by_key

X_TITLE = labels.column("n_params", "polynomial")
POINTS = {"mse": "all test points", "mse_inside": "inside training range"}
DRAWN = ("fitted", "truth", "train_point")  # the metrics of the rows the fitted panel draws


def render(frame, params: dict) -> None:
    n = params["n_train"]
    claims = by_key(polynomial.claims(frame, params))
    widgets.claim(claims.get("classical_wins"))
    scrub_section(frame, params)
    mse = frame[frame["metric"] == "mse"]
    textbook = mse[mse["n_params"] <= classical_range(mse, "n_params", "mse", n)]
    left, right = st.columns(2)
    with left:
        exports.show_built(
            charts.error_curve, textbook, "polynomial-classical", textbook, x="n_params",
            metric="mse", log_x=False, log_y=False,
            y_max=1.2 * polynomial.test_median(textbook).max(),
            title=f"Classical range, fewer than {n} coefficients (linear axes)",
            x_title=X_TITLE, y_title="mean squared error")
    with right:
        exports.show_built(
            charts.error_curve, mse, "polynomial-mse", mse, x="n_params", metric="mse",
            title="The whole sweep (log axes)", x_title=X_TITLE, y_title="mean squared error",
            threshold=float(n), y_max=readable_top(mse, "n_params", "mse"))
    st.caption(f"Median over seeds with the inter-quartile band. The dashed line marks "
               f"{n} coefficients, as many as training points: the smallest model that can "
               "pass through every "
               "training point. Training error below the axis floor is ~0; on the linear "
               "chart, bands taller than the axis are cut at its top.")
    where_the_peak_comes_from(frame, params, claims)
    left, right = st.columns(2)
    with left:
        try:
            parts = frame[frame["seed"] < 0]
            exports.show_built(
                stacked_decomposition, parts, "polynomial-bias-variance", parts, x="n_params",
                title="Bias², variance and noise across training draws", threshold=float(n),
                x_title=X_TITLE)
            widgets.claim(claims.get("both_terms_explode"))
        except ValueError as err:
            st.warning(str(err))
    with right:
        fitted_panel(frame[frame["metric"].isin(DRAWN)], params)


def where_the_peak_comes_from(frame, params: dict, claims: dict) -> None:
    st.subheader("Where the peak comes from")
    rows = frame[frame["metric"].isin(list(POINTS)) & (frame["split"] == "test")]
    rows = rows.assign(points=rows["metric"].map(POINTS), metric="mse")
    exports.show_built(
        charts.error_curve, rows, "polynomial-extrapolation", rows, x="n_params", metric="mse",
        series="points", threshold=float(params["n_train"]),
        title="All test points vs those inside the x range",
        x_title=X_TITLE, y_title="mean squared error",
        y_max=readable_top(frame, "n_params", "mse"))
    widgets.claim(claims.get("peak_is_extrapolation"), "In this run, most of the peak's squared "
                  "error does not come from test points outside the training range: compare the "
                  "two curves above.")
    st.caption(f"Training x are drawn {params['design']}. Set *design* to "
               f"{'chebyshev' if params['design'] == 'uniform' else 'uniform'} in the Settings "
               "and press Run to compare: the arcsine (Chebyshev) density puts more points near "
               "the ends of [-1, 1], where a uniform draw leaves the interpolant free to swing.")


@st.fragment
def fitted_panel(frame, params: dict) -> None:
    """The run's own fitted curves (its first seed): nothing is refitted here. A fragment
    over the rows it draws alone: picking degrees reruns only this panel."""
    options = sorted(int(d) for d in frame.loc[frame["metric"] == "fitted", "degree"].unique())
    if not options:
        st.info("This result has no stored fitted curves; rerun it to draw them.")
        return
    seed = int(frame.loc[frame["metric"] == "fitted", "seed"].iloc[0])
    default = sorted({3, params["n_train"] - 1, params["max_degree"]} & set(options)) or options
    chosen = st.multiselect("Degrees to draw", options, key="polynomial.degrees",
                            help="Which of the run's fitted polynomials to draw.",
                            default=permalink.choices("degrees", options, sorted(set(default))))
    permalink.remember(degrees=chosen)
    curves, points = data.memo(polynomial.drawn_curves, frame, chosen)
    exports.show_built(fitted_curves_chart, curves, "polynomial-fitted-curves", curves, points,
                       title=f"Fitted polynomials (seed {seed}) over the training points")


def scrub_section(frame, params: dict) -> None:
    """Drag through every degree: the marker on the error curve and the fit below move
    together in the browser (all degrees ship with the chart)."""
    fitted = frame[frame["metric"] == "fitted"]
    if fitted["degree"].nunique() < 2:
        return
    st.subheader("Drag through the degrees")
    shown = frame[frame["metric"].isin(["fitted", "truth", "train_point"])
                  | ((frame["metric"] == "mse") & (frame["split"] == "test"))]
    exports.show_built(polynomial_scrub, shown, "polynomial-scrub", frame,
                       threshold=float(params["n_train"]), x_title=X_TITLE)
    st.caption(f"Drag the slider under the chart or click a point on the curve. Below it: "
               f"seed {int(fitted['seed'].iloc[0])}'s fitted polynomial at that degree (teal) "
               f"through its {params['n_train']} training points (black), the true function "
               "dashed. Fits that swing outside the panel leave it.")
