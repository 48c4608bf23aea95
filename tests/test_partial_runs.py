"""Partial results: a run hands back the seeds it has finished, a page can draw them while
it goes on, and a run that is cancelled or stopped at its time limit keeps them. No browser."""
import re
import time

import pandas as pd
import pytest

from experiments.framework import registry
from experiments.framework.experiment import run
from experiments.framework.isolated import Child, Limits, RunStopped
from tests.helpers import exception_boxes, wait_for_charts

ERROR_PAGE = "This app has encountered an error"
SO_FAR = re.compile(r"seeds\s*so far")

POLY = registry.get("polynomial")
CHEAP = POLY.validate({"max_degree": 30})


def test_each_partial_result_is_the_run_of_the_seeds_done_so_far():
    partials = []
    full = run(POLY, CHEAP, 4, partial=partials.append)
    assert [p.provenance["seeds"] for p in partials] == [[0], [0, 1], [0, 1, 2]]
    pd.testing.assert_frame_equal(partials[-1].frame, run(POLY, CHEAP, 3).frame)
    assert full.provenance["seeds"] == [0, 1, 2, 3]


def wait_for_partial(child: Child, timeout: float = 60.0) -> None:
    start = time.monotonic()
    while not child.partial_seeds and child.running() and time.monotonic() - start < timeout:
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize("stop, message", [
    ("cancelled", "the run was cancelled; showing the"),
    ("timeout", "the time limit for one on-demand run; showing the"),
])
def test_a_stopped_run_keeps_the_seeds_it_finished(stop, message):
    child = Child("polynomial", POLY.defaults(), 80, Limits(wall_seconds=60))
    try:
        wait_for_partial(child)
        assert child.running(), "the run ended before it could be stopped"
        shown = child.partial()
        assert shown is not None and 1 <= len(shown.provenance["seeds"]) < 80
        child.kill(stop)
        with pytest.raises(RunStopped, match=message) as err:
            child.result()
    finally:
        child.close()
    kept = err.value.partial
    seeds = kept.provenance["seeds"]
    assert seeds == list(range(len(seeds))) and len(shown.provenance["seeds"]) <= len(seeds)
    pd.testing.assert_frame_equal(kept.frame, run(POLY, POLY.defaults(), seeds).frame,
                                  check_exact=False, rtol=1e-9)


@pytest.mark.browser
@pytest.mark.slow
def test_a_long_run_draws_its_partial_chart_and_cancel_keeps_it(dashboard_url, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"{dashboard_url}/polynomial?seeds=80&noise=0.3&run=1")  # ~13 s estimated
        # the partial chart's title, "...: 14 of 80 seeds so far", which the chart may wrap
        # onto two lines (two SVG tspans: "seedsso far" in the text content)
        page.get_by_text(SO_FAR).first.wait_for(timeout=60_000)
        page.screenshot(path="/tmp/speed-partial.png")
        page.get_by_role("button", name="Cancel run").click()
        page.get_by_text("Run cancelled: showing the").first.wait_for(timeout=30_000)
        page.get_by_role("button", name="Cancel run").wait_for(state="detached", timeout=60_000)
        wait_for_charts(page)
        page.screenshot(path="/tmp/speed-cancelled.png", full_page=True)
        assert page.get_by_text("Showing the partial result of your run").count() == 1
        assert page.get_by_text(ERROR_PAGE).count() == 0 and exception_boxes(page) == 0
        assert page.get_by_text(SO_FAR).count() == 0  # the final chart replaced the partial one
    finally:
        context.close()


def test_a_run_that_cannot_start_in_time_says_the_server_is_busy():
    # a child forked from the warm forkserver reports within ~30 ms on a quiet host
    child = Child("polynomial", CHEAP, 1, Limits(wall_seconds=60, startup_seconds=0.001))
    try:
        with pytest.raises(RunStopped, match="too busy to start the run within 0 s"):
            child.result()
    finally:
        child.close()
