"""Regenerate the README's picture, docs/screenshot.png: the home page at 1400 px.

    python -m tests.screenshot
    python -m tests.screenshot --all /tmp/look   # every page, phone and desktop, full length

Tests never write tracked files; this script is the one way that picture changes. With
--all it writes PREFIX-<page>-<width>.png (and -dark with --dark) for reviewing layouts.
"""
from __future__ import annotations

import argparse
import shutil
import sys

from tests import local_server
from tests.helpers import CHROMIUM_FLAGS, ROOT, wait_for_app, wait_for_charts

OUT = ROOT / "docs" / "screenshot.png"
WIDTHS = {390: 844, 1400: 1000}
MAX_HEIGHT = 16_000  # px: Chromium's limit for one capture


def full_page(page, path: str) -> None:
    """The whole page, not only the first screen: Streamlit scrolls inside its main
    element, so the viewport is stretched to the content's height for the capture."""
    size = page.viewport_size
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight ?? 0")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]),
                                                                  MAX_HEIGHT)})
    page.wait_for_timeout(800)  # charts redraw for the new size
    page.screenshot(path=path)
    page.set_viewport_size(size)


def every_page(browser, url: str, prefix: str, dark: bool, only: list[str]) -> None:
    from dashboard.app import page_table

    paths = [path for entries in page_table().values() for path, _title, _render in entries
             if not only or path in only]
    for width, height in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": height},
                                      color_scheme="dark" if dark else "light")
        page = context.new_page()
        for path in paths:
            page.goto(f"{url}/" if path == "home" else f"{url}/{path}")  # Home is the root
            try:
                wait_for_charts(page)
            except Exception as err:  # still capture the page: the picture shows what broke
                print(f"{path} at {width} px: no chart drawn ({err.__class__.__name__})",
                      file=sys.stderr)
            wait_for_app(page)
            out = f"{prefix}-{path}-{width}{'-dark' if dark else ''}.png"
            full_page(page, out)
            print(f"wrote {out}", file=sys.stderr)
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", metavar="PREFIX", help="every page at 390 and 1400 px")
    parser.add_argument("--dark", action="store_true", help="with --all: the dark theme")
    parser.add_argument("--url", help="a running dashboard instead of starting one")
    parser.add_argument("--pages", default="", help="with --all: only these (comma-separated)")
    args = parser.parse_args(argv)
    executable = shutil.which("chromium")
    if executable is None:
        print("error: Debian chromium not found (apt-get install -y chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    proc, url = (None, args.url) if args.url else local_server.start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
            if args.all:
                every_page(browser, url, args.all, args.dark,
                           [p for p in args.pages.split(",") if p])
            else:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(url)
                wait_for_charts(page, count=2)
                page.wait_for_function(  # no "Stop" button: the whole page has run
                    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                    timeout=120_000)
                page.screenshot(path=str(OUT))  # viewport only: the first screen of Home
                print(f"wrote {OUT.relative_to(ROOT)}", file=sys.stderr)
            browser.close()
    finally:
        if proc is not None:
            local_server.stop(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
