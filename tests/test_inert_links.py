"""Links carry text written by strangers: pages echo it as plain text, in a real browser.

Each link below puts Markdown and Streamlit payloads (tests/payloads.py) into values
that a page quotes back in a notice. The page must show the characters as typed, draw
no link, image, styled or mathematical markup from them, and make the browser fetch
nothing from any host but the dashboard's own.
"""
from urllib.parse import urlencode, urlsplit

import pytest

from tests.helpers import wait_for_app, wait_until_settled
from tests.payloads import EVIL, PAYLOADS

pytestmark = pytest.mark.browser

WORD_JOINER = "\u2060"
EXPLORER_KEYS = ("a", "b", "metric", "x", "color", "facet", "centre", "band")
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
MARKUP_IN_ALERTS_JS = """() => Array.from(document.querySelectorAll('[data-testid="stAlert"]'))
    .flatMap(box => Array.from(box.querySelectorAll(
        'a, img, strong, em, del, code, h1, h2, h3, ul, ol, blockquote, table, script, '
        + '.katex, .stMarkdownColoredText, .stMarkdownColoredBackground, .stMarkdownBadge, '
        + '[data-testid="stIconMaterial"]'))
    .filter(el => !el.closest('[data-testid="stAlertDynamicIcon"]'))
    .map(el => el.tagName + ' ' + (el.getAttribute('href') || el.getAttribute('src') || '')))"""
EVIL_REFERENCES_JS = """(evil) => Array.from(document.querySelectorAll('*')).flatMap(el =>
    Array.from(el.attributes).filter(a => a.value.includes(evil))
        .map(a => el.tagName + ' ' + a.name))"""


def payload_links() -> list[tuple[str, dict, list[str]]]:
    """(page, query, texts the page must show) covering every payload."""
    links = [
        ("why-the-peak", {"ridge": PAYLOADS[0]}, [f"ridge={PAYLOADS[0]!r}"]),
        ("explorer", {"metric": PAYLOADS[1]}, [f"metric={PAYLOADS[1]!r}"]),
        ("polynomial", {"noise": PAYLOADS[2]}, [f"{PAYLOADS[2]!r} is not a number"]),
    ]
    rest = PAYLOADS[3:]
    for start in range(0, len(rest), len(EXPLORER_KEYS)):
        chunk = dict(zip(EXPLORER_KEYS, rest[start:start + len(EXPLORER_KEYS)]))
        links.append(("explorer", chunk, [f"{key}={value!r}" for key, value in chunk.items()]))
    return links


def visible(text: str) -> str:
    return " ".join(text.replace(WORD_JOINER, "").split())


@pytest.mark.parametrize("path, query, texts", payload_links(),
                         ids=[f"{p}-{i}" for i, (p, _, _) in enumerate(payload_links())])
def test_link_values_are_shown_as_plain_text(page, dashboard_url, path, query, texts):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{dashboard_url}/{path}?{urlencode(query)}")
    wait_for_app(page)
    page.wait_for_selector("[data-testid='stAlert']", timeout=60_000)
    wait_until_settled(page, quiet_ms=500)  # notices, charts and lazily loaded plugins
    shown = visible(" ".join(page.locator("[data-testid='stAlert']").all_inner_texts()))
    for text in texts:
        assert visible(text) in shown, (text, shown)
    assert page.evaluate(MARKUP_IN_ALERTS_JS) == []
    assert page.evaluate(EVIL_REFERENCES_JS, EVIL) == []
    remote = [url for url in requests
              if urlsplit(url).scheme not in ("data",
                                              "blob") and urlsplit(url).hostname not in LOOPBACK]
    assert not remote, remote
