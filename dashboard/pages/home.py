"""Home: the story in a few sentences, then one experiment seen two ways: stopped before
the model can interpolate (the textbook U-curve) and continued far past it (double descent),
with the best model of each regime ringed and named in one measured sentence."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, data
from dashboard.ui import exports, labels
from experiments import polynomial, random_features
from experiments.framework import registry
from experiments.framework.claims import by_key
from experiments.framework.store import StoreError

STORY = """
Textbook statistics says test error traces a **U-curve** as a model grows: it first
improves, then overfits. Modern over-parameterized models break that rule. Test error
**peaks** where the model can just interpolate its training set, then **falls again**
as the model keeps growing: *double descent*. Small networks can even **grok**,
generalizing long after they memorized. Nobody fully knows why. Every curve in
Descent Lab comes from a real experiment you can rerun in seconds.
"""

NEUTRAL = ("On the shipped result the widest model does not beat the best model smaller than "
           "the training set; the ringed points on the charts give both errors.")


def claim_sentence(claim, neutral: str) -> str:
    return labels.readable(claim.text) if claim is not None and claim.holds else neutral


def render() -> None:
    st.title("Descent Lab")
    st.markdown(STORY)
    shipped = data.shipped_or_message("random_features")
    if shipped is None:
        return
    frame, provenance = shipped
    params = registry.get("random_features").validate(provenance["params"])
    n = params["n_train"]
    curve = random_features.home_rows(frame)
    points = random_features.best_points(frame, n)
    claims = by_key(random_features.claims(frame, params))
    textbook = curve[curve["n_params"] < n]
    left, right = st.columns(2)
    with left:
        st.subheader("Textbook: the U-curve")
        exports.show_chart(charts.error_curve(
            textbook, x="n_params", metric="error_rate", log_y=False, y_format=".0%",
            y_domain=(0.0, random_features.band_top(textbook)), legend=False,
            x_domain=(0.9 * textbook["n_params"].min(), 1.1 * textbook["n_params"].max()),
            marks=points[points["n_params"] < n],
            title=f"Smaller than the training set (N < {n})",
            x_title="random features N (log scale)", y_title="test error"),
            textbook, "home-u-curve")
        st.caption("Too few features underfit, too many (still fewer than the training images) "
                   "overfit: the classical trade-off, and the ringed model is the one it picks.")
    with right:
        st.subheader("Modern: double descent")
        exports.show_chart(charts.error_curve(
            curve, x="n_params", metric="error_rate", threshold=float(n), y_format=".0%",
            y_values=charts.PERCENT_TICKS,
            y_domain=(charts.PERCENT_TICKS[0], charts.PERCENT_TICKS[-1]), legend=False,
            marks=points, title=f"Continued to N = {int(curve['n_params'].max())} (log scales)",
            x_title="random features N", y_title="test error"),
            curve, "home-double-descent")
        st.caption(f"Error spikes at N = {n}, where the model can just interpolate the training "
                   "images, then falls again. The whole peak is on the axis.")
    st.markdown(f"**{claim_sentence(claims.get('widest_beats_classical'), NEUTRAL)}**")
    st.caption(
        "Both charts show one experiment: random Fourier features fitted by minimum-norm least "
        f"squares to {n} handwritten digits (scikit-learn's digits, clean labels), test error on "
        f"the remaining digits, median over {len(provenance.get('seeds', []))} feature draws "
        "with the inter-quartile band (Belkin et al. 2019). The left chart is the right one "
        "stopped before N reaches the number of training images.")
    caveats = [(name, c) for name, c in (
        ("Random features", claims.get("label_noise_interpolator_loses")),
        ("Polynomial regression", polynomial_verdict())) if c is not None and c.holds]
    if caveats:
        st.markdown("**Not always a win** (each page in the sidebar has the details):\n"
                    + "".join(f"\n- **{name}:** {labels.readable(c.text)} *({c.regime})*"
                              for name, c in caveats))
    st.markdown("Networks memorize, yet generalize; they improve past fitting everything; "
                "abilities seem to appear suddenly: [Memorize or generalize?]"
                "(/memorize-or-generalize) walks through all five puzzles, one measured curve "
                "each.")


def polynomial_verdict():
    """The polynomial sweep's measured verdict (classical or modern wins), if shipped."""
    try:
        frame, provenance = data.load_shipped("polynomial")
    except StoreError:
        return None
    params = registry.get("polynomial").validate(provenance["params"])
    return by_key(polynomial.claims(frame, params)).get("classical_wins")
