"""Repeated on-demand runs: the same shared `run=1` link opened twice (two visitors, or a
reload) and Run pressed twice show results on every experiment page, never the error
page. Each run repeated here used to replay a cached function that drew a progress bar
created outside it (CacheReplayClosureError), a server-side error.

Every experiment page goes through the sequence in AppTest, which shares the server's
process state (its caches) as a second visitor does. A real browser repeats it on four
pages that draw differently (BROWSER_PAGES: streamed partial results, live training,
scrub charts, two-panel charts) and checks that what it shows after each step is the
result, not the error page; every page's look is checked in tests/test_layout.py. The
settings are the cheapest ones."""
import os
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from experiments.framework import registry
from tests.helpers import (
    count_messages,
    exception_boxes,
    page_script,
    settings_panel,
    wait_for_app,
    wait_for_rerun,
)

CHEAP = {
    "polynomial": {"max_degree": 30},
    "random_features": {"n_train": 100, "max_ratio": 2, "n_widths": 5},
    "linear_theory": {"n_train": 50, "n_gammas": 6},
    "sample_wise": {"max_train": 20},
    "scaling": {"max_train": 60, "n_sizes": 3, "family": "logistic"},
    "trees": {"n_train": 100, "max_trees": 5, "max_rounds": 5, "max_ensembles": 2},
    "grokking": {"p": 11, "width": 16, "epochs": 50},
    "grokking_phase": {"p": 7, "width": 8, "epochs": 20, "train_fractions": "0.5",
                       "weight_decays": "1"},
    "benign_overfitting": {"n_weak": "50, 1000"},
    "epoch_wise": {"epochs": 5, "digits_train": 100, "width": 16},
    "deep_double_descent": {"n_train": 50, "max_width": 16, "n_widths": 2, "epochs": 50},
    "random_labels": {"n_train": 100, "width": 500, "label_fraction": "0, 1", "max_epochs": 30},
    "emergence": {"n_train": 100, "max_width": 300, "n_widths": 5, "n_answers": 500},
}
ERROR_PAGE = "This app has encountered an error"


def link(exp_id: str) -> dict:
    return {**{k: str(v) for k, v in CHEAP.get(exp_id, {}).items()}, "seeds": "1", "run": "1"}


def test_every_experiment_has_cheap_settings():
    assert set(CHEAP) == set(registry.experiments())
    for exp_id, values in CHEAP.items():
        registry.get(exp_id).validate(values)


BROWSER_PAGES = ("polynomial", "grokking", "trees", "random_features")


def shows_the_run_in_apptest(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if "No result:" in e.value]
    assert any("Showing your run" in s.value for s in at.success)


@pytest.mark.slow
@pytest.mark.parametrize("exp_id", list(registry.experiments()))
def test_a_shared_link_opened_twice_in_one_process_shows_the_run_both_times(exp_id):
    """Two visitors open the link (two sessions of one process, as on the server), then
    the second presses Run twice with the same settings."""
    st.cache_data.clear()
    for _ in range(2):
        at = AppTest.from_function(page_script, args=(exp_id,), default_timeout=120)
        at.query_params.update(link(exp_id))
        at.run()
        shows_the_run_in_apptest(at)
    for _ in range(2):
        at.button(key=f"{exp_id}.run").click()
        at.run()
        shows_the_run_in_apptest(at)


def shows_the_run(page) -> None:
    page.get_by_text("Showing your run").first.wait_for(timeout=120_000)
    wait_for_app(page, timeout=120_000)
    assert exception_boxes(page) == 0
    assert page.get_by_text(ERROR_PAGE).count() == 0
    assert page.get_by_text("No result:").count() == 0


def press_run(page) -> None:
    """Press Run and wait for the rerun it starts (tests/helpers.py: an observer sees the
    script state change however short the rerun), then check the page."""
    wait_for_rerun(page, settings_panel(page).get_by_role("button", name="Run").click)
    shows_the_run(page)


@pytest.fixture(scope="module")
def tab(browser):
    """One tab for every experiment: each goto is a fresh page load of the shared link."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    count_messages(context)
    yield context.new_page()
    context.close()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("exp_id", BROWSER_PAGES)
def test_link_opened_twice_and_run_pressed_twice_show_results(dashboard_url, tab, exp_id):
    url = f"{dashboard_url}/{exp_id}?{urlencode(link(exp_id))}"
    for _ in range(2):  # two visitors (or a reload) opening the same shared link
        tab.goto(url)
        shows_the_run(tab)
    for _ in range(2):
        press_run(tab)


def run_processes() -> list[int]:
    """Pids of on-demand run processes started from this checkout: the forkserver's
    children, which (unlike the idle forkserver, whose command line they share) lead
    their own process group."""
    from experiments.framework.isolated import ZYGOTE
    from tests.helpers import ROOT

    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if (entry.name.isdigit()
                and ZYGOTE.encode() in (entry / "cmdline").read_bytes()
                    and (entry / "stat").read_text().rsplit(")", 1)[1].split()[2] == entry.name
                    and Path(os.readlink(entry / "cwd")) == ROOT):
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


@pytest.mark.browser
@pytest.mark.slow
def test_a_visitor_who_leaves_stops_the_run(dashboard_url, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{dashboard_url}/polynomial?seeds=80&noise=0.3&run=1")  # ~13 s estimated: admitted
    page.get_by_text("limit").first.wait_for(timeout=60_000)  # the progress bar of a running run
    assert run_processes()
    context.close()
    deadline = time.monotonic() + 15
    while run_processes() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not run_processes()
