"""Regenerate the README's picture, docs/screenshot.png: the home page at 1400 px.

    python -m tests.screenshot

Tests never write tracked files; this script is the one way that picture changes.
"""
from __future__ import annotations

import shutil
import sys

from tests import local_server
from tests.helpers import CHROMIUM_FLAGS, ROOT, wait_for_charts

OUT = ROOT / "docs" / "screenshot.png"


def main() -> int:
    executable = shutil.which("chromium")
    if executable is None:
        print("error: Debian chromium not found (apt-get install -y chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    proc, url = local_server.start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            wait_for_charts(page, count=2)
            page.screenshot(path=str(OUT))  # viewport only: the two charts
            browser.close()
    finally:
        local_server.stop(proc)
    print(f"wrote {OUT.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
