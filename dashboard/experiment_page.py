"""The frame of every experiment page: settings, result, content, provenance.

A linear script: title and story, the settings form (generated from the spec, in a
Settings expander on the page itself: on a phone the sidebar is hidden), a guard with a
clear message, then the content: the experiment's own page module
(`dashboard/pages/<page>.py`, named by its `page` field) or, without one, the generic
chart of its first metric against `x`.
"""
from __future__ import annotations

import json
from types import ModuleType

import streamlit as st

from dashboard import catalog_view, charts, data
from dashboard.ui import exports, labels, permalink, widgets
from dashboard.ui.plaintext import literal
from experiments.framework import registry
from experiments.framework.catalog import shipped_id
from experiments.framework.experiment import MAX_SEEDS, check_budget
from experiments.framework.params import Param, ParamError, coerce
from experiments.framework.provenance import reproducing_command
from experiments.framework.store import StoreError

RUN_FLAG = "run"  # in the URL: the link shows an on-demand run, not the shipped result
SETTINGS = "Settings: change them and press Run"


def seeds_param(exp) -> Param:
    return Param("seeds", "int", exp.default_seeds, "Independent repetitions (seeds 0..K-1); "
                 "charts show the median and inter-quartile band.", low=1, high=MAX_SEEDS)


def shown_settings(exp) -> dict:
    """The settings of the result on screen (the reader's own run, else the shipped one),
    so that the form starts from them and Run without a change recomputes what is shown.
    A link to an on-demand run leaves out its default settings: it starts from those."""
    if RUN_FLAG in st.query_params or st.session_state.pop(f"{exp.id}.from_defaults", False):
        return {}
    own = st.session_state.get(f"{exp.id}.result")
    if own is not None:
        return {**dict(own.params), "seeds": own.n_seeds}
    try:
        _frame, provenance = data.load_shipped(exp.id)
    except StoreError:
        return {}
    seeds = len(provenance.get("seeds", []))
    return {**provenance.get("params", {}), **({"seeds": seeds} if seeds else {})}


def same_as_shown(exp, params: dict, n_seeds: int) -> bool:
    shown = shown_settings(exp)
    try:
        return bool(shown) and (exp.validate({k: v for k, v in shown.items() if k != "seeds"})
                                == params and shown.get("seeds") == n_seeds)
    except ParamError:
        return False


def use_defaults(exp) -> None:
    """A button callback: the form starts again, from the spec's defaults this time."""
    forget_form(exp)
    st.session_state[f"{exp.id}.from_defaults"] = True


def forget_form(exp) -> None:
    """Drop the form's widget state, so it starts again from the result on screen."""
    for name in [p.name for p in exp.params] + ["seeds"]:
        st.session_state.pop(f"{exp.id}.{name}", None)


def _control(exp, p: Param, start: dict, values: dict):
    """A setting's control, labelled from the label map; disabled, with the reason
    below it, when another setting makes it do nothing."""
    blocker = p.unused_by(values)
    value = widgets.control(p, key=f"{exp.id}.{p.name}", value=start.get(p.name),
                            label=labels.setting(exp.id, p.name),
                            help=labels.setting_help(exp.id, p.name, p.help),
                            disabled=blocker is not None)
    if blocker is not None:
        shown = values[blocker]
        shown = {True: "on", False: "off"}.get(shown, labels.value(shown))
        st.caption(f"Not used while *{labels.setting(exp.id, blocker)}* is {shown}.")
    return value


def settings_form(exp, start: dict):
    """The settings form starting from `start`, folded into an expander under the page's
    title (on a phone the sidebar is hidden): (values, seeds, submitted). The settings
    others depend on (trees' dataset for its noise) sit above the form, so that changing
    one enables or disables its dependents at once."""
    deciders = {name for p in exp.params for name, _ in p.relevant_when}
    values = {}
    with st.expander(SETTINGS, icon=":material/tune:"):
        for p in exp.params:
            if p.name in deciders:
                values[p.name] = _control(exp, p, start, values)
        with st.form(f"{exp.id}.form"):
            for p in exp.params:
                if p.name not in deciders:
                    values[p.name] = _control(exp, p, start, values)
            seeds = _control(exp, seeds_param(exp), start, values)
            submitted = st.form_submit_button("Run", type="primary", width="stretch",
                                              key=f"{exp.id}.run")
    return {p.name: values[p.name] for p in exp.params}, seeds, submitted


def run_with_progress(exp, values: dict, seeds) -> bool:
    """Validate and price in the experiment layer, run through the server-wide gate with a
    progress bar, keep a handle to the result and put the settings in the URL so that
    the link reproduces this run. False when there is no result (the reason is shown)."""
    try:
        params = exp.validate(values)
        n_seeds = coerce(seeds_param(exp), seeds)
        if same_as_shown(exp, params, n_seeds):
            st.info("The result on screen was made with exactly these settings: change one "
                    "and press Run to compute your own.")
            return True
        check_budget(exp, params, n_seeds)
    except ParamError as err:
        st.error(literal(f"Cannot run: {err}"))  # quotes what the reader typed
        st.button("Start from the quick default settings", key=f"{exp.id}.defaults",
                  on_click=use_defaults, args=(exp,),
                  help="The shipped results are larger than an on-demand run may be; the "
                       "defaults run in seconds.")
        return False
    own = data.run_with_display(exp.id, params, n_seeds, cancel_key=f"{exp.id}.cancel",
                                draw=lambda partial: partial_chart(exp, partial, n_seeds))
    if own is None:
        return False
    st.session_state[f"{exp.id}.result"] = own
    permalink.write({**params, "seeds": n_seeds}, {**exp.defaults(), "seeds": exp.default_seeds},
                    extra={RUN_FLAG: "1"})
    return True


def partial_chart(exp, partial, n_seeds: int) -> None:
    """The main metric of the seeds finished so far, while the run goes on."""
    frame, provenance = partial
    metric = exp.metrics[0]
    rows = frame[frame["metric"] == metric]
    done = len(provenance.get("seeds", []))
    if rows.empty or exp.x not in rows:
        st.caption(f"{done} of {n_seeds} seeds done")
        return
    st.altair_chart(charts.error_curve(
        rows, x=exp.x, metric=metric, threshold=exp.threshold(dict(provenance["params"])),
        log_x=exp.log_x, title=f"{labels.capitalized(labels.metric(metric))} against "
        f"{labels.column(exp.x)}: {done} of {n_seeds} seeds so far"), width="stretch")


def cancelled_run(exp) -> None:
    """After Cancel: the seeds the run finished become the reader's result, if any."""
    if not st.session_state.pop(f"{exp.id}.cancel", False):
        return
    partial = st.session_state.pop(f"{exp.id}.cancel.partial", None)
    if partial is None or not partial.available():
        st.info("Run cancelled before any seed finished.")
        return
    st.session_state[f"{exp.id}.result"] = partial
    st.warning(f"Run cancelled: showing the {len(partial.get().provenance['seeds'])} of "
               f"{partial.n_seeds} seeds it finished.")


def own_result(exp):
    """The reader's own run, computed again if the shared cache has dropped it."""
    own = st.session_state.get(f"{exp.id}.result")
    if own is None or own.available():
        return own
    own = data.run_with_display(exp.id, dict(own.params), own.n_seeds)
    st.session_state[f"{exp.id}.result"] = own
    return own


def current_result(exp, linked=None):
    """The reader's own run if there is one, else the catalogued run the link names
    (`linked`), else the shipped result (None on error). Its provenance carries the
    catalog's run id when it has one."""
    own = own_result(exp)
    if own is not None:
        result = own.get()
        cols = st.columns([4, 1])
        if own.partial:
            cols[0].warning(f"Showing the partial result of your run "
                            f"({len(result.provenance['seeds'])} of {own.n_seeds} seeds). "
                            "The shipped result is one click away.")
        else:
            cols[0].success("Showing your run. The shipped result is one click away.")
        if cols[1].button("Show shipped result", key=f"{exp.id}.reset"):
            del st.session_state[f"{exp.id}.result"]
            forget_form(exp)
            permalink.write({})
            st.rerun()
        catalog_view.show_saved(result.provenance)
        return result
    if linked is not None:
        catalog_view.show_linked(linked[0])
        return linked[1].frame, {**linked[1].provenance, "run_id": linked[0].id}
    try:
        frame, provenance = data.load_shipped(exp.id)
    except StoreError as err:
        st.error(f"The shipped result is unavailable: {err}. You can still run the "
                 "experiment: open the Settings above.")
        return None
    st.info(f"Showing the shipped precomputed result ({len(provenance.get('seeds', []))} seeds). "
            "Open the Settings above and press Run to compute your own.")
    return frame, {**provenance, "run_id": shipped_id(exp.id)}


def provenance_panel(exp, frame, provenance) -> None:
    exports.provenance_expander(provenance)
    if provenance.get("command", "").startswith("python -m experiments precompute"):
        # The precompute command rewrites the shipped file; this one prints the same result.
        params, seeds = exp.validate(provenance.get("params", {})), provenance.get("seeds", [])
        over_cap = float(exp.cost(params, len(seeds))) > exp.budget_seconds
        st.caption("The same result as a one-off run, with the settings it was made with:")
        st.code(reproducing_command(exp, params, seeds) + (" --no-cap" if over_cap else ""),
                language="bash")
    # Written when the button is pressed, not on every visit (a quarter of a page's time).
    st.download_button("Download tidy CSV", lambda: frame.to_csv(index=False).encode(),
                       file_name=f"{exp.id}.csv", mime="text/csv", key=f"{exp.id}.csv")
    st.download_button("Download provenance JSON", json.dumps(provenance, indent=2).encode(),
                       file_name=f"{exp.id}.json", mime="application/json", key=f"{exp.id}.json")


def generic_chart(exp, frame, params: dict) -> None:
    metric = exp.metrics[0]
    rows = frame[frame["metric"] == metric]
    exports.show_built(
        charts.error_curve, rows, f"{exp.id}-main", rows, x=exp.x, metric=metric,
        threshold=exp.threshold(params), log_x=exp.log_x,
        title=f"{labels.capitalized(labels.metric(metric))} against {labels.column(exp.x)}")


def render(experiment_id: str, content: ModuleType | None = None) -> None:
    """The page of one experiment; `content` is its page module, if it has one."""
    exp = registry.get(experiment_id)
    start, notices = permalink.initial(f"{exp.id}.url", exp.params + (seeds_param(exp),))
    linked, start, more = catalog_view.linked_run(exp, start)
    notices = [*notices, *more]
    st.title(exp.title)
    st.markdown(labels.readable(exp.summary))
    values, seeds, submitted = settings_form(exp, {**shown_settings(exp), **start})
    permalink.show_notices(notices)
    cancelled_run(exp)
    linked_run = RUN_FLAG in st.query_params and not st.session_state.get(f"{exp.id}.linked")
    if linked_run:  # a shared link to an on-demand run: reproduce it once, automatically
        st.session_state[f"{exp.id}.linked"] = True
    if (submitted or linked_run) and not run_with_progress(exp, values, seeds) and linked_run:
        # A link whose run is refused or stopped shows only why: drawing the shipped result
        # for every such link is what let a burst of heavy links slow Home for everyone.
        st.button("Show the shipped result", key=f"{exp.id}.after_refusal")
        return
    result = current_result(exp, linked)
    if result is None:
        return
    frame, provenance = result
    params = exp.validate(provenance.get("params", {}))
    if content is not None:
        content.render(frame, params)
    else:
        generic_chart(exp, frame, params)
    catalog_view.compare_with(exp, provenance.get("run_id"))
    provenance_panel(exp, frame, provenance)
    with st.expander("References"):
        st.markdown("\n".join(f"- {r}" for r in exp.references))
