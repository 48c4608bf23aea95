"""Real browser: scrubbing the polynomial page's model size redraws the fitted function in
the browser alone (no message to the server, no rerun). That the scrub chart and its slider
fit a phone is checked with every page's charts in tests/test_layout.py."""
from __future__ import annotations

import pytest

from experiments.framework import store
from tests.helpers import (
    ARTIFACTS,
    exception_boxes,
    wait_for_app,
    wait_for_charts,
    wait_until_settled,
)

pytestmark = pytest.mark.browser

SCRUB = ".vega-embed:has(.vega-bindings input[type=range])"
PANEL_PATHS_JS = """(sel) => {
    const embed = document.querySelector(sel);
    const lines = Array.from(embed.querySelectorAll('g.mark-line path'))
        .map(p => p.getAttribute('d') || '');
    const text = Array.from(embed.querySelectorAll('g.mark-text text'))
        .map(t => t.textContent).join(' | ');
    return {lines, text};
}"""


def open_scrub(page, url: str):
    """The polynomial page, settled, with every websocket frame the browser sends recorded."""
    sent: list = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    page.goto(f"{url}/polynomial")
    wait_for_charts(page, count=3, timeout=120_000)
    wait_for_app(page)
    slider = page.locator(f"{SCRUB} .vega-bindings input[type=range]")
    slider.wait_for(timeout=60_000)
    wait_until_settled(page, quiet_ms=500)  # late charts and the last messages
    return slider, sent


def test_moving_the_slider_redraws_the_fit_without_the_server(dashboard_url, page):
    slider, sent = open_scrub(page, dashboard_url)
    before = page.evaluate(PANEL_PATHS_JS, SCRUB)
    assert sent  # the recorder works: opening the page asked the server for a run
    sent.clear()
    slider.focus()
    page.keyboard.press("End")  # the widest model: a very different fit
    page.wait_for_function(
        f"(before) => ({PANEL_PATHS_JS})('{SCRUB}').text !== before", arg=before["text"],
        timeout=10_000)
    page.wait_for_timeout(1000)
    after = page.evaluate(PANEL_PATHS_JS, SCRUB)
    assert after["lines"] != before["lines"]  # the fitted curve was redrawn
    widest = store.load("polynomial").provenance["params"]["max_degree"]
    assert f"degree {widest} " in after["text"] and f"degree {widest} " not in before["text"]
    assert sent == []  # nothing went to the server: no rerun was asked for
    assert not page.get_by_text("Running...").is_visible()
    assert exception_boxes(page) == 0
    page.locator(SCRUB).screenshot(path=str(ARTIFACTS / "polynomial-scrub.png"))
