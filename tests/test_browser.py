"""Real browser: `streamlit run` on a free port, driven in headless Chromium: an on-demand
run, a refused setting, the explorer's controls, a permalink and the downloads. That
every page draws its charts without NaN or an exception, at a phone's and a desktop's
width, is tests/test_layout.py (one pass over the pages serves both).
"""
import pytest

from tests.helpers import (
    ARTIFACTS,
    CHART_MARKS_JS,
    exception_boxes,
    settings_panel,
    wait_for_app,
    wait_for_charts,
)

pytestmark = pytest.mark.browser


def test_polynomial_on_demand_run_updates_the_page(dashboard_url, page):
    page.goto(f"{dashboard_url}/polynomial")
    wait_for_charts(page, count=3)
    settings = settings_panel(page)
    degree = settings.get_by_role("spinbutton", name="Highest polynomial degree")
    degree.fill("120")
    degree.press("Tab")
    # the form starts from the shipped result's settings (100 seeds): one seed keeps this
    # an on-demand run of seconds, well inside its time limit (seeds: the form's last slider)
    settings.get_by_role("slider").last.focus()
    page.keyboard.press("Home")
    settings.get_by_role("button", name="Run").click()
    page.get_by_text("Showing your run").wait_for(timeout=60_000)
    charts = wait_for_charts(page, count=3)
    assert all(not c["nan"] for c in charts)
    assert exception_boxes(page) == 0
    page.screenshot(path=str(ARTIFACTS / "polynomial-own-run.png"), full_page=True)


def test_bad_setting_shows_a_message_not_a_traceback(dashboard_url, page):
    page.goto(f"{dashboard_url}/polynomial")
    wait_for_charts(page, count=3)
    settings = settings_panel(page)
    settings.get_by_role("slider").first.focus()
    page.keyboard.press("End")  # n_train = 200
    settings.get_by_role("spinbutton", name="Highest polynomial degree").fill("2000")
    settings.get_by_role("spinbutton", name="Highest polynomial degree").press("Tab")
    settings.get_by_role("button", name="Run").click()
    page.get_by_text("too large for on-demand compute").wait_for(timeout=30_000)
    assert exception_boxes(page) == 0
    wait_for_charts(page, count=3)  # the shipped result is still shown


def test_explorer_controls_change_the_chart_in_the_browser(dashboard_url, page):
    page.goto(f"{dashboard_url}/explorer")
    before = wait_for_charts(page)[0]
    page.get_by_text("Every seed").click()  # toggle: one line per seed instead of the median
    page.wait_for_function("() => location.search.includes('raw=true')", timeout=30_000)
    page.get_by_text("Raw mode draws the first 20 seeds").wait_for(timeout=60_000)
    page.wait_for_function(  # the new chart (one line per seed) has drawn
        f"() => (({CHART_MARKS_JS})()[0]?.drawn ?? 0) > 100", timeout=60_000)
    after = wait_for_charts(page)[0]
    assert before["drawn"] > 3 and after["drawn"] > 100 and not after["nan"]
    assert exception_boxes(page) == 0
    page.screenshot(path=str(ARTIFACTS / "explorer-raw.png"), full_page=True)


def test_a_permalink_restores_the_view(dashboard_url, page):
    page.goto(f"{dashboard_url}/explorer?metric=coef_norm&x=degree&logy=false")
    wait_for_charts(page)
    wait_for_app(page)
    assert page.get_by_text("size of the fitted coefficients (norm)").first.is_visible()
    assert "metric=coef_norm" in page.url and "x=degree" in page.url
    axis_titles = page.evaluate(
        "() => Array.from(document.querySelectorAll('.vega-embed g.role-axis-title text'))"
        ".map(t => t.textContent)")
    assert "degree" in axis_titles and "size of the fitted coefficients (norm)" in axis_titles
    assert exception_boxes(page) == 0


def test_downloads_deliver_files_that_parse(dashboard_url, page, tmp_path):
    import pandas as pd

    page.goto(f"{dashboard_url}/polynomial")
    wait_for_charts(page, count=3)
    # the second chart: the first (the scrub chart) carries every degree's fit, more rows
    # than a server-side PNG draws, so its menu offers the data only
    page.get_by_role("button", name="Export").nth(1).click()
    for label, check in (("CSV", lambda p: pd.read_csv(p)),
                         ("Parquet", lambda p: pd.read_parquet(p)),
                         ("PNG", lambda p: p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" or None),
                         ("SVG", lambda p: "<svg" in p.read_text() or None)):
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name=label, exact=True).click()
        target = tmp_path / info.value.suggested_filename
        info.value.save_as(target)
        parsed = check(target)
        assert parsed is not None and (not hasattr(parsed, "empty") or not parsed.empty), label
    # the page's whole tidy result, written only when its button is pressed
    from experiments.framework import store

    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download tidy CSV").click()
    target = tmp_path / "tidy.csv"
    info.value.save_as(target)
    tidy, shipped = pd.read_csv(target), store.load("polynomial").frame
    assert list(tidy.columns) == list(shipped.columns) and len(tidy) == len(shipped)
