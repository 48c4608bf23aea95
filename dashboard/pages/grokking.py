"""Grokking page: the delay between memorizing and generalizing, what happens to the
weights meanwhile, the progress measures, a live run that can be stopped, and the phase
diagram. Every sentence with a number is a claim computed in the experiment layer."""
from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.charts import grokking as grokking_charts
from dashboard.charts import grokking_scrub
from dashboard.ui import exports, widgets
from experiments import grokking, grokking_phase
from experiments.analysis import grokking as grokking_claims
from experiments.framework import admission
from experiments.framework.claims import by_key
from experiments.framework.experiment import check_budget
from experiments.framework.isolated import RunStopped
from experiments.framework.params import ParamError
from experiments.framework.store import StoreError
from experiments.numerics import modular_net

EXP = grokking.EXPERIMENT
LIVE = "grokking.live"  # session key: logs of the last live run (kept when it is stopped)
# Seconds between redraws of the live charts. Drawing the panels (~0.2 s) costs more than
# the training between two logs: a redraw per few logs spent 85% of a default live run
# drawing.
REDRAW_SECONDS = 0.5


def phase_view(frame, provenance: dict):
    """The phase diagram's cells, provenance and claims (data.from_shipped: once per file)."""
    params = grokking_phase.EXPERIMENT.validate(provenance.get("params", {}))
    return grokking_phase.cells(frame), provenance, grokking_phase.EXPERIMENT.claims(frame, params)


def say(claims: dict, key: str, otherwise: str | None = None, regime: bool = False) -> None:
    """A claim by key; its regime only where the page has not stated it already."""
    widgets.claim(claims.get(key), neutral=otherwise, regime=regime)


def progress(frame, params: dict, claims: dict) -> dict:
    marks = grokking.milestones(frame)
    st.markdown("**Train and test accuracy, weight norm and Fourier sparsity over training "
                "(median over seeds, inter-quartile band)**")
    st.caption(f"Setting: {grokking_claims.regime(params)}, {params['epochs']} epochs.")
    say(claims, "delay", grokking_charts.gap_sentence(marks["memorized"], marks["generalized"],
                                                       params["epochs"]))
    st.caption("Delay ratio = the first epoch with test accuracy >= 95% divided by the first "
               f"with training accuracy >= 99%; we call a delay of {grokking.GROK_RATIO:g}x or "
               "more a grok.")
    accuracy, *below = grokking_charts.progress_panels(frame, marks)
    exports.show_chart(accuracy, frame[frame["metric"] == "accuracy"], "grokking-progress")
    for panel in below:
        st.altair_chart(panel, width="stretch")
    for key in ("below_chance", "norm_grows", "norm_falls", "waves"):
        say(claims, key)
    st.caption("Fourier sparsity: write each neuron's input weights over the residues "
               "0 to p - 1 as a sum of waves and measure how concentrated their power is (the "
               "inverse participation ratio, $\\sum_k P_k^2 / (\\sum_k P_k)^2$ of the power "
               "$P_k$ per frequency). 1 means a single pure wave; spread evenly over all "
               "frequencies it is about 2/p. The panel shows the average over neurons.")
    return marks


def measures_section(frame, marks: dict, claims: dict) -> None:
    if not (frame["metric"] == "restricted_loss").any():
        return
    st.subheader("Progress hidden in the plateau")
    st.caption("After Nanda et al. (2023). The key frequencies are the fewest waves "
               f"$\\cos(2\\pi k (a + b - c) / p)$ that carry {modular_net.KEY_SHARE:.0%} of the "
               "final network's wave energy over all pairs. Restricted loss keeps only those "
               "waves of the scores (test pairs); excluded loss removes them (training pairs).")
    first, second = grokking_charts.progress_measures_panels(frame, marks)
    exports.show_chart(first, frame[frame["metric"].str.contains("loss")], "grokking-measures")
    st.altair_chart(second, width="stretch")
    say(claims, "hidden_progress")
    say(claims, "excluded_rises")


def init_section() -> None:
    st.subheader("Weight norm and the initialization scale")
    settings = {k: v for k, v in grokking.LARGE_INIT.items() if k != "init_scale"}
    st.caption(f"Omnigrok (Liu et al. 2022) starts from a large initialization. This compares "
               f"init x1 with init x{grokking.LARGE_INIT['init_scale']:g} at "
               + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in settings.items())
               + " (one seed each, a few seconds).")
    if not st.toggle("Compare initializations", key="grokking.compare_init",
                     help="Train two small networks now, from a normal and a large start."):
        return
    runs = []
    for scale in (1.0, grokking.LARGE_INIT["init_scale"]):
        params = EXP.validate({**grokking.LARGE_INIT, "init_scale": scale})
        own = data.run_with_display(EXP.id, params, 1)
        if own is None:  # busy, refused or stopped: run_with_display said why
            return
        runs.append((own.get()[0], params))
    both = pd.concat([f for f, _ in runs], ignore_index=True)
    exports.show_chart(grokking_charts.norm_comparison_chart(both), both[both["metric"] ==
                       "weight_norm"], "grokking-init")
    for frame, params in runs:
        claims = by_key(EXP.claims(frame, params))
        say(claims, "norm_falls" if params["init_scale"] > 1 else "norm_grows",
            f"Init x{params['init_scale']:g}: the weight norm did not move as expected between "
            "memorization and generalization here; see the chart.", regime=True)


def live_run(params: dict) -> None:
    st.subheader("Watch it train")
    st.caption("Trains one seed with the settings of the result shown above (change them in "
               "the Settings at the top and press Run) and redraws as it goes. 'Stop training' "
               "keeps what is drawn.")
    go, stop, _ = st.columns([1, 1, 4])
    start = go.button("Train live", type="primary", key="grokking.train_live")
    stop.button("Stop training", key="grokking.stop")  # any click reruns the page, ending the loop
    board = st.empty()
    if start:
        settings = params
        try:
            check_budget(EXP, settings, 1)
        except ParamError as err:
            st.error(f"Cannot train: {err}")
            return
        logs = []
        st.session_state[LIVE] = (settings, logs)
        limit = 2 * EXP.budget_seconds  # the same hard limit as every on-demand run
        start_time = drawn = time.monotonic()
        try:
            with admission.held():  # one of the server's run slots, or Busy at once
                for log in modular_net.train(settings, seed=0):
                    logs.append(log)
                    if len(logs) == 1 or time.monotonic() - drawn >= REDRAW_SECONDS:
                        draw_live(board, settings, logs, running=True)
                        drawn = time.monotonic()
                    if time.monotonic() - start_time > limit:
                        st.warning(f"Live training stopped at the {limit:.0f} s limit; what it "
                                   "drew is kept.")
                        break
        except RunStopped as err:
            st.error(f"Cannot train now: {err}")
    if st.session_state.get(LIVE):
        settings, logs = st.session_state[LIVE]
        draw_live(board, settings, logs, running=False)


def draw_live(board, settings: dict, logs: list, running: bool) -> None:
    frame = grokking.logs_frame(logs, settings, 0)
    marks = grokking.milestones(frame)
    last = int(frame["step"].max())
    state = f"training... epoch {last} of {settings['epochs']}" if running else (
        f"stopped at epoch {last}" if last < settings["epochs"] else "finished")
    with board.container():
        st.markdown(f"**Live run (seed 0): {state}.** "
                    + grokking_charts.gap_sentence(marks["memorized"], marks["generalized"], last))
        for panel in grokking_charts.progress_panels(frame, marks, height=140,
                                                     last_epoch=settings["epochs"]):
            st.altair_chart(panel, width="stretch")


def scrub_section(frame, claims: dict) -> None:
    try:
        chart = grokking_scrub.training_scrubber(frame)
    except ValueError:  # a result without weight snapshots
        return
    snaps = grokking.snapshots(frame)
    st.subheader("Scrub through training: neurons become waves")
    # Side by side on a wide screen; on a phone Streamlit stacks them, the words first.
    text_column, chart_column = st.columns([2, 3])
    with text_column:
        st.caption(
            f"Drag the slider under the chart through {snaps['epoch'].nunique()} snapshots of "
            f"one run (seed {int(snaps['seed'].iloc[0])}), saved while it trained: the marker "
            "moves along the accuracy curves, and the panels below show the input weights of "
            f"the {snaps['neuron'].nunique()} neurons with the largest weights at the end, over "
            "the residues a = 0..p-1 (each snapshot scaled to its largest weight), and how "
            "their power spreads over the frequencies k.")
        say(claims, "snapshot_waves")
        st.caption("A neuron with all its power in one frequency k is a pure wave over the "
                   "residues; fast waves (large k) look striped, since neighbouring residues "
                   "fall on nearly opposite phases.")
    with chart_column:
        exports.show_chart(chart, snaps, "grokking-scrub", width="content")


def phase_section() -> None:
    st.subheader("When does it grok? Training data against weight decay")
    try:
        cells, provenance, claims = data.from_shipped(grokking_phase.EXPERIMENT.id, phase_view)
    except StoreError as err:
        st.warning(f"The phase diagram is unavailable: {err}")
        return
    shipped = provenance.get("params", {})
    st.caption(f"p = {shipped.get('p')}, width {shipped.get('width')}; each cell's outcome is "
               f"the majority over {len(provenance.get('seeds', []))} seeds, and its number "
               "the median epochs to 95% test accuracy (- = never).")
    exports.show_chart(grokking_charts.phase_heatmap(cells, title="Outcome per cell"), cells,
                       "grokking-phase")
    claims = by_key(claims)
    for key in ("decay_needed", "decay_optional", "too_much_decay_fails"):
        say(claims, key, regime=True)
    st.caption("The phase-diagram page states the thresholds of each outcome and can "
               "recompute it.")


def render(frame, params: dict) -> None:
    claims = by_key(EXP.claims(frame, params))
    marks = progress(frame, params, claims)
    measures_section(frame, marks, claims)
    scrub_section(frame, claims)
    init_section()
    live_run(params)
    phase_section()
