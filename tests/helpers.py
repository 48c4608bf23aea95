"""Shared test helpers: open a page in AppTest, and (in a browser) wait for a page's
charts and inspect the drawn marks."""
from __future__ import annotations

import re
from pathlib import Path

import streamlit as st
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"  # git-ignored: tests write here, never to tracked files
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-quic",
]


def page_script(url_path: str) -> None:
    """The script AppTest runs: one page of the app, without navigation."""
    from dashboard.app import render_page

    render_page(url_path)


def app_test(url_path: str, query: dict | None = None, timeout: float = 120) -> AppTest:
    """A page ready to run, with `query` as its URL parameters and fresh page caches."""
    st.cache_data.clear()
    at = AppTest.from_function(page_script, args=(url_path,), default_timeout=timeout)
    at.query_params.update(query or {})
    return at


def open_page(url_path: str, query: dict | None = None, timeout: float = 120) -> AppTest:
    return app_test(url_path, query, timeout).run()

CHART_MARKS_JS = """() => Array.from(document.querySelectorAll('.vega-embed')).map(embed => {
    const canvas = embed.querySelector('canvas');
    if (canvas) {  // large charts are drawn on a canvas: count coloured pixels instead
        const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let coloured = 0;
        for (let i = 0; i < d.length; i += 16) {
            const hi = Math.max(d[i], d[i + 1], d[i + 2]), lo = Math.min(d[i], d[i + 1], d[i + 2]);
            if (d[i + 3] > 0 && hi - lo > 60) coloured++;
        }
        return {marks: coloured, drawn: coloured, nan: false, canvas: true};
    }
    const paths = Array.from(embed.querySelectorAll(
        'g.mark-line path, g.mark-area path, g.mark-symbol path, g.mark-rect path, '
        + 'g.mark-rule line'));
    const drawn = paths.filter(p => {
        const d = p.getAttribute('d');
        return (d && d.length > 2 && !d.includes('NaN')) || p.tagName === 'line';
    });
    return {marks: paths.length, drawn: drawn.length, canvas: false,
            nan: paths.some(p => (p.getAttribute('d') || '').includes('NaN'))};
})"""


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Until Streamlit has finished running the script: its state on the app's root is
    "notRunning" (not "initial": a fresh page has run once) and no 'running' indicator."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        ".getAttribute('data-test-script-state') === 'notRunning'"
        " && (!document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !/Running|Stop/i.test("
        "document.querySelector('[data-testid=\"stStatusWidget\"]').innerText))",
        timeout=timeout)


def wait_for_charts(page, count: int = 1, timeout: float = 60_000) -> list[dict]:
    """Wait until at least `count` Vega charts have drawn marks; return their stats."""
    page.wait_for_function(
        f"() => ({CHART_MARKS_JS})().filter(c => c.drawn > 0).length >= {count}", timeout=timeout)
    wait_until_settled(page, timeout=timeout)  # late charts on the same page finish drawing
    return page.evaluate(CHART_MARKS_JS)


SETTLED_JS = """([quiet, timeout]) => new Promise(resolve => {
  const start = performance.now();
  let last = null, since = start;
  const tick = () => {
    const charts = Array.from(document.querySelectorAll('.vega-embed')).map(e => {
      const r = e.getBoundingClientRect();
      return [Math.round(r.left), Math.round(r.width), Math.round(r.height),
              e.querySelectorAll('path, text, line, canvas').length];
    });
    const now = JSON.stringify([charts, document.documentElement.scrollWidth,
      document.querySelectorAll('[data-stale="true"], [data-testid="stSkeleton"]').length]);
    const status = document.querySelector('[data-testid="stStatusWidget"]');
    const running = status && /Running|Stop/i.test(status.innerText);
    if (now !== last || running) { last = now; since = performance.now(); }
    if (performance.now() - since >= quiet) resolve(true);
    else if (performance.now() - start > timeout) resolve(false);
    else setTimeout(tick, 25);
  };
  tick();
})"""


def wait_until_settled(page, quiet_ms: int = 200, timeout: float = 30_000) -> bool:
    """Until the script has finished and the page's charts and layout have not changed for
    `quiet_ms` (False if they still change after `timeout` ms): a fixed sleep's
    replacement that ends as soon as the page is still."""
    return page.evaluate(SETTLED_JS, [quiet_ms, timeout])


def exception_boxes(page) -> int:
    return page.locator("[data-testid='stException']").count()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def settings_panel(page):
    """The experiment page's settings form, unfolded (it sits in an expander on the page)."""
    form = page.locator("[data-testid='stForm']").first
    if not form.is_visible():
        page.locator("[data-testid='stExpander'] summary").filter(has_text="Settings").click()
    form.wait_for(state="visible", timeout=30_000)
    return form


# Every message the app receives from the server is counted (an init script: add it to a
# browser context with `count_messages` before its pages load). A script run, however
# short, sends messages; Streamlit's script state on the app's root alone can miss one,
# because the frontend may apply "running" and "notRunning" in one render.
COUNT_MESSAGES_JS = """(() => { const Native = window.WebSocket;
  window.__messages = 0; window.__document = Math.random();
  window.WebSocket = class extends Native { constructor(...args) { super(...args);
    this.addEventListener('message', () => { window.__messages += 1; }); } }; })();"""
RERUN_DONE_JS = """([before, document_id]) => (window.__document !== document_id
    || window.__messages > before)
  && !document.querySelector('[data-stale="true"]')
  && document.querySelector('[data-testid="stApp"]')
       ?.getAttribute('data-test-script-state') === 'notRunning'"""
NAV_LINK_JS = """(path) => Array.from(document.querySelectorAll(
  'a[data-testid="stSidebarNavLink"]')).find(a =>
    new URL(a.href).pathname.replace(/\\/+$/, '') === ('/' + path).replace(/\\/+$/, ''))"""


def count_messages(context) -> None:
    context.add_init_script(COUNT_MESSAGES_JS)


def wait_for_rerun(page, start, timeout: float = 120_000, resend_after: float = 10_000) -> None:
    """`start()` (a click) and wait until the script run it causes has finished and no
    element is stale: the run is known to have happened when the server has sent a
    message since the click (or the page reloaded). A click that lands while its button
    is being re-rendered is lost (seen on a loaded host: the server hears nothing), so if
    nothing has come back after `resend_after` ms it is clicked once more, as a reader
    would. The page's context needs `count_messages`."""
    before = page.evaluate("() => [window.__messages, window.__document]")
    assert before[0] is not None, "the page's context does not count messages (count_messages)"
    start()
    heard = ("([before, document_id]) => window.__document !== document_id"
             " || window.__messages > before")
    try:
        page.wait_for_function(heard, arg=before, timeout=resend_after)
    except PlaywrightTimeout:
        start()
    try:
        page.wait_for_function(RERUN_DONE_JS, arg=before, timeout=timeout)
    except PlaywrightTimeout:
        raise AssertionError(f"no finished script run after the click: {page.evaluate(STATE_JS)}, "
                             f"{before[0]} messages before it") from None


STATE_JS = """() => ({messages: window.__messages,
  state: document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state'),
  stale: Array.from(document.querySelectorAll('[data-stale="true"]'))
    .map(e => (e.getAttribute('data-testid') || e.tagName) + ': '
      + (e.innerText || '').slice(0, 80)),
  status: document.querySelector('[data-testid="stStatusWidget"]')?.innerText})"""


def navigate(page, path: str, timeout: float = 120_000) -> None:
    """Open page `path` ("" for Home) from the navigation of the app loaded in `page`,
    as a reader's click does: the app switches page without reloading its frontend (a
    fresh load costs ~2x the browser's time)."""
    page.wait_for_function(f"() => Boolean(({NAV_LINK_JS})({path!r}))", timeout=timeout)
    wait_for_rerun(page, lambda: page.evaluate(f"() => ({NAV_LINK_JS})({path!r}).click()"),
                   timeout)
