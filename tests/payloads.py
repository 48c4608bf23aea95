"""Markdown and Streamlit payloads that a link or a form could carry (shared by the
unit test of dashboard/ui/plaintext.py and the browser test that opens them as links)."""
import re

EVIL = "evil.example"

PAYLOADS = [
    "[Session expired - log in](https://evil.example/login)",
    "![x](https://evil.example/p.png)",
    ":red-background[Your account is locked]",
    ":red[red] :blue-badge[badge] :rainbow[r]",
    ":material/warning: icon",
    ":smile: :+1: emoji",
    "<img src=https://evil.example/h.png>",
    "<script>alert(1)</script>",
    "<https://evil.example/autolink>",
    "visit https://evil.example/bare now",
    "see www.evil.example/www",
    "mail phish@evil.example",
    "**bold** __bold__ *it* _it_ ~~strike~~ `code`",
    "$\\int_0^1 x\\,dx$ and $$x^2$$",
    "# heading",
    "- item",
    "1. item",
    "> quote",
    "[ref]: https://evil.example/ref",
    "[text][ref] [^1]",
    "&lt;b&gt; &#x41; &amp;",
    "| a | b |",
    "line one\n# line two\r\n- three",
    "\\*escaped\\* \\[x\\](https://evil.example/esc)",
    "[nested ![img](https://evil.example/n.png)](https://evil.example/n)",
    "abc\u202edcba",
]


def resolve_escapes(markdown: str) -> str:
    """What a CommonMark parser keeps as text: `\\x` -> `x` for ASCII punctuation."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def as_shown(markdown: str) -> str:
    """The text a reader sees for Markdown made by dashboard.ui.plaintext.literal."""
    return resolve_escapes(markdown).replace("\u2060", "")
