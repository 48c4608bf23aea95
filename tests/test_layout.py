"""Every page on a phone (390 px) and a desktop (1400 px), in a real browser: its charts
draw their data (no NaN paths: a zero on a log axis draws nothing), nothing scrolls
sideways (no chart, chart slider or table outside the screen), no chart title or legend
label is cut, legend swatches are solid, no snake_case word reaches a chart, plots keep
most of their chart's width, no exception.
A full-page screenshot of each page at each width lands in tests/artifacts/.

One browser tab opens the app at each width and visits every page from the app's own
navigation, as a reader does (the charts lay out for the width they open at, so a resized
page is not what a phone shows; switching pages inside the app costs half a fresh load);
the checks then read what was measured, so a failure names the page, the width and the
check.
"""
from __future__ import annotations

import pytest

from dashboard.app import page_table
from tests.helpers import (
    ARTIFACTS,
    CHART_MARKS_JS,
    count_messages,
    navigate,
    slug,
    wait_for_app,
    wait_for_charts,
    wait_until_settled,
)

PAGES = [path for entries in page_table().values() for path, _title, _render in entries]
WIDTHS = {"phone": (390, 844), "desktop": (1400, 1000)}
NO_CHART = {"runs"}  # a table of saved runs: tests/test_runs_view.py
MIN_PLOT_SHARE = 0.55  # of the chart's width left to the data once axes and legend are drawn

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MEASURE_JS = """() => {
  const snake = /\\b[a-z][a-z0-9]*_[a-z0-9_]+\\b/;
  const main = document.querySelector('[data-testid="stMain"]');
  const charts = Array.from(document.querySelectorAll('.vega-embed')).map(embed => {
    const box = embed.getBoundingClientRect();
    const texts = Array.from(embed.querySelectorAll('svg text')).map(t => t.textContent);
    const cut = Array.from(embed.querySelectorAll(
      'g.role-title text, g.role-legend-label text, g.role-legend-title text')).filter(t => {
      const r = t.getBoundingClientRect();
      return t.textContent.includes('\\u2026') || r.left < box.left - 1 || r.right > box.right + 1;
    }).map(t => t.textContent);
    const faint = Array.from(embed.querySelectorAll('g.role-legend-symbol path')).filter(p => {
      const num = name => parseFloat(p.getAttribute(name) ?? '1');
      const shown = c => c && c !== 'none' && c !== 'transparent';
      const box = p.getBBox();  // a line symbol (a dash) has no area to fill
      const fill = shown(p.getAttribute('fill')) && box.width > 1 && box.height > 1
        ? num('fill-opacity') : 0;
      const stroke = shown(p.getAttribute('stroke')) ? num('stroke-opacity') : 0;
      return num('opacity') * Math.max(fill, stroke) < 0.7;
    }).length;
    const axes = Array.from(embed.querySelectorAll('g.role-axis'))
      .map(a => a.getBoundingClientRect().width);
    return {left: box.left, right: box.right, width: box.width, cut, faint,
            snake: texts.filter(t => snake.test(t)),
            plot: axes.length ? Math.max(...axes) : null};
  });
  const tables = Array.from(document.querySelectorAll(
    '[data-testid="stDataFrame"], [data-testid="stTable"]')).map(t => t.getBoundingClientRect());
  const sliders = Array.from(document.querySelectorAll('.vega-bindings input'))
    .map(i => i.getBoundingClientRect())
    .filter(r => r.left < -1 || r.right > window.innerWidth + 1).length;
  return {width: window.innerWidth, page: document.documentElement.scrollWidth,
          tables: tables.filter(r => r.left < -1 || r.right > window.innerWidth + 1).length,
          sliders,
          main: main ? main.scrollWidth - main.clientWidth : 0,
          exceptions: document.querySelectorAll('[data-testid="stException"]').length,
          charts};
}"""


def page_url(base: str, path: str) -> str:
    """Home is the default page: it lives at the root (its path alone reports 'not found')."""
    return f"{base}/" if path == "home" else f"{base}/{path}"


def measure(page, path: str, charts: bool = True) -> dict:
    """Open `path` from the app's navigation and measure it once it has settled."""
    navigate(page, "" if path == "home" else path)
    if charts:
        try:
            wait_for_charts(page, timeout=60_000)
        except Exception:  # a page without a chart is reported by its checks, not here
            pass
    wait_for_app(page, timeout=90_000)
    wait_until_settled(page)  # charts below the first one finish drawing
    return {**page.evaluate(MEASURE_JS), "marks": page.evaluate(CHART_MARKS_JS)}


@pytest.fixture(scope="module")
def measured_pages(dashboard_url, browser):
    """width name -> {page: measurements}, every page loaded once per width in one tab."""
    context = browser.new_context()
    count_messages(context)
    page = context.new_page()
    found = {}
    try:
        for name, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            page.goto(page_url(dashboard_url, "runs"))  # then Home through the navigation
            wait_for_app(page, timeout=90_000)
            found[name] = {}
            for path in PAGES:
                found[name][path] = measure(page, path, charts=path not in NO_CHART)
                page.screenshot(path=str(ARTIFACTS / f"page-{slug(path)}-{name}.png"),
                                full_page=True)
        return found
    finally:
        context.close()


@pytest.fixture(params=list(WIDTHS))
def measured(request, measured_pages):
    return request.param, measured_pages[request.param]


def failures(measured, check) -> str:
    """One line per page that fails `check` (which returns what is wrong, or nothing)."""
    name, pages = measured
    found = {path: check(m) for path, m in pages.items()}
    return "\n".join(f"{name} {path}: {what}" for path, what in found.items() if what)


def test_no_page_scrolls_sideways(measured):
    def sideways(m):
        wide = [round(c["right"]) for c in m["charts"] if c["right"] > m["width"] + 1]
        cut = [round(c["left"]) for c in m["charts"] if c["left"] < -1]
        if m["page"] > m["width"] or m["main"] > 1 or wide or cut or m["tables"] or m["sliders"]:
            return {"page": m["page"], "main overflow": m["main"], "charts ending at": wide,
                    "charts starting at": cut, "tables wider than the screen": m["tables"],
                    "chart sliders off the screen": m["sliders"]}
        return None
    problems = failures(measured, sideways)
    assert not problems, problems


def test_no_chart_title_or_legend_label_is_cut(measured):
    problems = failures(measured, lambda m: [t for c in m["charts"] for t in c["cut"]])
    assert not problems, problems


def test_legend_swatches_are_solid(measured):
    problems = failures(measured, lambda m: sum(c["faint"] for c in m["charts"]))
    assert not problems, problems


def test_no_snake_case_in_chart_text(measured):
    problems = failures(measured, lambda m: sorted({t for c in m["charts"] for t in c["snake"]}))
    assert not problems, problems


def test_plots_keep_their_width(measured):
    def squeezed(m):
        return [f"{c['plot'] or 0:.0f} of {c['width']:.0f} px" for c in m["charts"]
                if c["width"] < 100
                or c["plot"] is not None and c["plot"] < MIN_PLOT_SHARE * c["width"]]
    problems = failures(measured, squeezed)
    assert not problems, problems


def test_no_exception_on_any_page(measured):
    problems = failures(measured, lambda m: m["exceptions"])
    assert not problems, problems


def test_home_draws_one_chart_per_stop_of_the_tour(measured):
    from experiments.analysis import tour

    name, pages = measured
    drawn = [c for c in pages["home"]["marks"] if c["drawn"] > 3 and not c["nan"]]
    assert len(pages["home"]["charts"]) == len(drawn) == len(tour.STOPS), name


def test_every_page_draws_its_charts(measured):
    def undrawn(m):
        marks = m["marks"]
        if not m["charts"] or not marks or sum(c["drawn"] for c in marks) <= 3:
            return f"{len(marks)} charts, {sum(c['drawn'] for c in marks)} marks drawn"
        return "NaN in a path" if any(c["nan"] for c in marks) else None
    name, pages = measured
    problems = failures((name, {p: m for p, m in pages.items() if p not in NO_CHART}), undrawn)
    assert not problems, problems
