"""Grokking page: the delay between memorizing and generalizing, what happens to the
weights meanwhile, a live run that can be stopped, and the phase diagram."""
from __future__ import annotations

import streamlit as st

from dashboard import charts_grokking, data, exports
from experiments import grokking, grokking_phase, modular_net
from experiments.base import check_budget
from experiments.params import ParamError
from experiments.store import StoreError

EXP = grokking.EXPERIMENT
LIVE = "grokking.live"  # session key: logs of the last live run (kept when it is stopped)
REDRAW_EVERY = 4  # logged epochs between redraws: drawing costs more than a few epochs


@st.cache_data(max_entries=8, ttl=data.CACHE_TTL, show_spinner="Computing neuron spectra...")
def spectra(params: tuple, seed: int, epochs: tuple[int, ...]):
    return grokking.fourier_spectra(dict(params), seed, epochs)


@st.cache_data(max_entries=2, ttl=data.CACHE_TTL, show_spinner=False)
def phase_cells():
    frame, provenance = data.load_shipped(grokking_phase.EXPERIMENT.id)
    return grokking_phase.cells(frame), provenance


def progress(frame, params: dict, key: str, title: str) -> dict:
    marks = grokking.milestones(frame)
    st.markdown(f"**{title}**")
    st.markdown(charts_grokking.gap_sentence(marks["memorized"], marks["generalized"],
                                             params["epochs"]))
    accuracy, *below = charts_grokking.progress_panels(frame, marks)
    exports.show_chart(accuracy, frame[frame["metric"] == "accuracy"], key)
    for panel in below:
        st.altair_chart(panel, width="stretch")
    return marks


def live_run(params: dict) -> None:
    st.subheader("Watch it train")
    st.caption("Trains one seed with the settings of the result shown above (change them in "
               "the sidebar and press Run) and redraws as it goes. 'Stop training' keeps "
               "what is drawn.")
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
        for i, log in enumerate(modular_net.train(settings, seed=0)):
            logs.append(log)
            if i % REDRAW_EVERY == 0:
                draw_live(board, settings, logs, running=True)
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
                    + charts_grokking.gap_sentence(marks["memorized"], marks["generalized"], last))
        for panel in charts_grokking.progress_panels(frame, marks, height=140,
                                                            last_epoch=settings["epochs"]):
            st.altair_chart(panel, width="stretch")


def spectra_section(params: dict, marks: dict) -> None:
    before = marks["memorized"] or 1
    epochs = (before, params["epochs"])
    st.subheader("Neurons become waves")
    st.caption(f"Fourier power spectrum over the residues of four neurons' input weights, at "
               f"epoch {before} (just memorized) and at the end (epoch {params['epochs']}). "
               "A pure wave puts all its power in one frequency k.")
    spec = spectra(data.frozen(params), 0, epochs)
    exports.show_chart(charts_grokking.spectrum_chart(spec), spec, "grokking-spectra")


def phase_section() -> None:
    st.subheader("When does it grok? Training data against weight decay")
    try:
        cells, provenance = phase_cells()
    except StoreError as err:
        st.warning(f"The phase diagram is unavailable: {err}")
        return
    shipped = provenance.get("params", {})
    exports.show_chart(charts_grokking.phase_heatmap(
        cells, title=f"Phase per cell, p = {shipped.get('p')}, width {shipped.get('width')} "
        f"(majority over {len(provenance.get('seeds', []))} seeds; "
        "number = median epochs to 95% test)"),
        cells, "grokking-phase")
    st.caption("With more data it comprehends quickly; with less, weight decay makes it grok "
               "after a delay; without enough of either it only memorizes, and too much weight "
               "decay keeps it from fitting at all. See the phase-diagram page to recompute it.")


def render(frame, params: dict) -> None:
    marks = progress(frame, params, "grokking-progress", "Train and test accuracy, weight norm and "
                     "Fourier sparsity over training (median over seeds, inter-quartile band)")
    st.caption(f"When training is memorized, test accuracy is near 0, below chance "
               f"(1/p = {1 / params['p']:.3f}): the lookup table answers a held-out pair with a "
               "label it saw for its operands, which is wrong. The weight norm grows while "
               "memorizing and levels off under weight decay (AdamW's steps have a fixed size); "
               "at that fixed norm the neurons' spectra turn sparse while test accuracy rises.")
    live_run(params)
    spectra_section(params, marks)
    phase_section()
