"""Show untrusted text (link values, form input, anything echoed back) literally.

st.warning, st.error, st.info and st.markdown render Markdown with Streamlit's
extensions, so a link value like `[Log in](https://evil.example)` would become a live
link, `![x](https://evil.example/p.png)` an image every visitor's browser fetches,
and `:red-background[...]` styled text. `literal(text)` returns Markdown that renders
as exactly `text`:

- every ASCII punctuation mark Markdown or Streamlit gives a meaning to is
  backslash-escaped (CommonMark allows escaping any of them);
- some constructs are recognised after escapes are resolved, on the plain text
  (GFM's bare `https://...`, `www.` and e-mail autolinks, emoji shortcodes,
  `:material/...:` icons), so a WORD JOINER (U+2060, invisible and zero-width) is put
  where those patterns need two characters to touch;
- line breaks and other control characters become spaces (one line, no block
  structure) and bidirectional overrides become U+FFFD, so text cannot be reordered.
"""
from __future__ import annotations

import re

WORD_JOINER = "\u2060"
_ESCAPED = set("\\`*_~[](){}<>#+-.!|$:&")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_WWW = re.compile(r"(?i)(ww)(w)(?=\.)")


def literal(value: object) -> str:
    """Markdown that Streamlit renders as the characters of `str(value)`, inert."""
    text = _BIDI.sub("\ufffd", _CONTROL.sub(" ", str(value)))
    text = _WWW.sub(rf"\1{WORD_JOINER}\2", text)
    out = []
    for char in text:
        if char == "@":
            out.append(WORD_JOINER)
        out.append("\\" + char if char in _ESCAPED else char)
        if char == ":":
            out.append(WORD_JOINER)
    return "".join(out)
