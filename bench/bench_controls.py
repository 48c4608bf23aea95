"""Server time of a view control change, per view and control (issue 18: under 0.5 s).

    python -m bench.bench_controls [--quick]

Each page is opened in Streamlit's AppTest, then each control is moved to a new value
(cold: nobody on the server asked for that view yet) and back and forth four more times
(warm: the median of the last three; the first return can be a new view too, when
another control followed the change, e.g. the x column after a change of curve).
A control that lives in an `st.fragment` reruns only that fragment in a browser
session, so its server time is the fragment's run, timed here by wrapping `st.fragment`
before the pages are imported; AppTest itself always reruns the whole page, which is
reported next to it (what every control change cost before the fragments, and still
costs for a control outside one). Run against an older
checkout without fragments, the control time is the whole-page rerun.
"""
from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time

import streamlit as st

LIMIT_S = 0.5
FRAGMENT_S: list[float] = []  # the fragment runs of the current page run
_fragment = st.fragment


def timed_fragment(func=None, **kwargs):
    """st.fragment, recording how long each run of the fragment body takes."""
    def wrap(body):
        @functools.wraps(body)
        def timed(*args, **kw):
            start = time.perf_counter()
            try:
                return body(*args, **kw)
            finally:
                FRAGMENT_S.append(time.perf_counter() - start)
        return _fragment(timed, **kwargs)
    return wrap(func) if func is not None else wrap


st.fragment = timed_fragment  # before any page module is imported

def shipped(experiment_id: str):
    from dashboard import data

    return data.load_shipped(experiment_id)[0]


def ridge_values() -> list:
    from experiments import random_features

    return sorted(random_features.features_only(shipped("random_features"))["ridge"].unique())


def noise_values() -> list:
    return sorted(shipped("random_features")["label_noise"].unique())


def largest_n():
    """The top of the scaling page's default fit range (learning curves, test error)."""
    frame = shipped("scaling")
    return frame.loc[(frame["curve"] == "data") & (frame["metric"] == "error_rate"),
                     "n_train"].max()


# (page, query, widget kind, key, new value or a function of the shipped data giving it)
CONTROLS = [
    ("explorer", {}, "selectbox", "explorer.metric", "coef_norm"),
    ("explorer", {}, "selectbox", "explorer.x", "degree"),
    ("explorer", {}, "selectbox", "explorer.facet", "split"),
    ("explorer", {}, "selectbox", "explorer.centre", "mean"),
    ("explorer", {}, "toggle", "explorer.raw", True),
    ("explorer", {}, "toggle", "explorer.logy", False),
    ("explorer", {}, "selectbox", "explorer.a", "shipped:random_features"),
    ("why-the-peak", {}, "select_slider", "why.ridge", lambda: ridge_values()[1]),
    ("why-the-peak", {}, "radio", "why.labels", lambda: noise_values()[-1]),
    ("u-turn", {}, "radio", "u_turn.dataset", lambda: list(dict.fromkeys(
        shipped("trees")["dataset"]))[-1]),
    ("u-turn", {}, "radio", "u_turn.metric", "error_rate"),
    ("scaling-laws", {}, "selectbox", "scaling_laws.curve", "model"),
    ("scaling-laws", {}, "select_slider", "scaling_laws.extrapolate", lambda: 2 * largest_n()),
    ("scaling-laws", {}, "selectbox", "scaling_laws.exp", "random_features"),
    ("polynomial", {}, "multiselect", "polynomial.degrees", "first"),
    ("random_features", {}, "multiselect", "random_features.ridges", "first"),
    ("linear_theory", {}, "multiselect", "linear_theory.labels", "first"),
    ("trees", {}, "radio", "trees.metric", "error_rate"),
]
QUICK = {"explorer.metric", "explorer.logy", "why.ridge", "u_turn.dataset",
         "scaling_laws.curve", "polynomial.degrees", "trees.metric"}


def page_script(url_path: str) -> None:
    from dashboard.app import render_page

    render_page(url_path)


def widget(at, kind: str, key: str):
    return getattr(at, kind)(key=key)


def target(element, kind: str, wanted):
    """The value to set: `wanted`, computed if it is a function; "first" drops the first
    picked value of a multiselect."""
    if kind == "multiselect" and wanted == "first":
        return [v for v in element.value if v != element.value[0]]
    return wanted() if callable(wanted) else wanted


def run(at) -> tuple[float, float | None]:
    """(seconds for the whole page, seconds in fragments or None if none ran)."""
    FRAGMENT_S.clear()
    start = time.perf_counter()
    at.run()
    whole = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"{at.exception[0].value}")
    return whole, (sum(FRAGMENT_S) if FRAGMENT_S else None)


def set_and_run(at, kind: str, key: str, value) -> tuple[float, float | None]:
    element = widget(at, kind, key)
    if kind == "select_slider":
        element.set_value(value)
    elif kind == "selectbox":
        element.select(value)
    else:
        element.set_value(value)
    return run(at)


def measure(page: str, query: dict, kind: str, key: str, wanted) -> dict:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(page_script, args=(page,), default_timeout=300)
    at.query_params.update(query)
    run(at)
    run(at)  # the page's own derived values are warm; the control's new view is not
    element = widget(at, kind, key)
    old = element.value
    new = target(element, kind, wanted)
    runs = [set_and_run(at, kind, key, value) for value in (new, old, new, old, new)]
    control = [f if f is not None else w for w, f in runs]
    return {"page": page, "control": key, "fragment": runs[0][1] is not None,
            "cold_s": control[0], "warm_s": statistics.median(control[2:]),
            "page_s": statistics.median([w for w, _ in runs[2:]])}


def table(rows: list[dict]) -> str:
    lines = ["| view | control | reruns | server time, new view (cold) | server time, seen "
             "view (warm) | whole-page rerun | under 0.5 s (warm) |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        reruns = "fragment" if r["fragment"] else "page"
        lines.append(f"| {r['page']} | {r['control']} | {reruns} | {r['cold_s']:.3f} s | "
                     f"{r['warm_s']:.3f} s | {r['page_s']:.3f} s | "
                     f"{'yes' if r['warm_s'] < LIMIT_S else 'NO'} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one control per view")
    args = parser.parse_args()
    from streamlit import logger

    logger.set_log_level("error")  # AppTest's bare-mode warnings
    rows, failed = [], []
    for page, query, kind, key, wanted in CONTROLS:
        if args.quick and key not in QUICK:
            continue
        try:
            rows.append(measure(page, query, kind, key, wanted))
        except Exception as err:  # a broken control is a bench failure, reported per row
            failed.append(f"FAILED {page} {key}: {type(err).__name__}: {err}")
    if not rows:
        print("\n".join(failed), file=sys.stderr)
        return 1
    print(f"Control changes, server time ({os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}):\n")
    print(table(rows))
    warm = [r["warm_s"] for r in rows]
    page = statistics.median(r["page_s"] for r in rows)
    print(f"\ncontrols under {LIMIT_S} s (warm): {sum(w < LIMIT_S for w in warm)} of {len(warm)}; "
          f"worst warm {max(warm):.3f} s; median control {statistics.median(warm):.3f} s vs "
          f"median whole-page rerun {page:.3f} s")
    print("\n".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
