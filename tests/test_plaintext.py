"""Echoed text is inert: dashboard.ui.plaintext.literal against every Markdown and Streamlit
construct a link value could carry. The browser test (tests/test_inert_links.py) checks
the same payloads as Streamlit actually renders them."""
import re

import pytest
from hypothesis import given
from hypothesis import strategies as hs

from dashboard.ui.plaintext import literal
from tests.payloads import PAYLOADS, as_shown, resolve_escapes

# Everything CommonMark lets a backslash escape.
ASCII_PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# Must be escaped: they open or close a construct (links, images, emphasis, code,
# HTML and autolinks, entities, math, directives, tables, headings, lists).
MEANINGFUL = set("\\`*_~[]()<>&$:|#+-.!{}")
# Recognised on the text after escapes are resolved (Streamlit's bundled remark
# plugins: GFM autolink literals, remark-emoji, material icons).
TEXT_PATTERNS = [
    re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.I | re.A),
    re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)", re.A),
    re.compile(r":\+1:|:-1:|:[\w-]+:", re.A),
    re.compile(r":material/"),
]


def unescaped(markdown: str, chars) -> list[str]:
    """Characters from `chars` not preceded by an escaping backslash."""
    found, i = [], 0
    while i < len(markdown):
        if markdown[i] == "\\" and i + 1 < len(markdown) and markdown[i + 1] in ASCII_PUNCTUATION:
            i += 2
            continue
        if markdown[i] in chars:
            found.append(markdown[i])
        i += 1
    return found


def check_inert(text: str) -> None:
    out = literal(text)
    assert "\n" not in out and "\r" not in out, out
    assert not unescaped(out, MEANINGFUL), (text, out)
    plain = resolve_escapes(out)
    for pattern in TEXT_PATTERNS:
        assert not pattern.search(plain), (pattern.pattern, text, out)
    shown = as_shown(out)
    expected = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", text)
    expected = re.sub(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]", "\ufffd", expected)
    assert shown == expected, (text, out)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_payload_is_shown_literally_and_inert(payload):
    check_inert(payload)


def test_the_reference_catches_what_it_should():
    """The checks above can fail: raw payloads trip them."""
    assert unescaped(PAYLOADS[0], MEANINGFUL)
    assert TEXT_PATTERNS[0].search("visit https://evil.example/bare")
    assert TEXT_PATTERNS[0].search("www.evil.example")
    assert TEXT_PATTERNS[1].search("phish@evil.example")
    assert TEXT_PATTERNS[2].search(":smile:") and TEXT_PATTERNS[3].search(":material/x:")


def test_plain_words_stay_readable():
    assert literal("ridge: 'abc' is not a number") == "ridge\\:\u2060 'abc' is not a number"
    assert literal(12.5) == "12\\.5"


@pytest.mark.slow
@given(hs.text(max_size=60))
def test_any_text_is_inert(text):
    check_inert(text)
