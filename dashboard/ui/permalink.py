"""Permalinks: a page's controls live in the URL, so a link reproduces what the sender saw.

Values read from the URL go through the same validation as every other input
(experiments/params.py). A bad value never breaks the page: it falls back to the
default and the page says so, as plain text: a notice quotes what the link said, and
a link is written by whoever sent it (dashboard/ui/plaintext.py keeps it inert).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from dashboard.ui.plaintext import literal
from experiments.framework.params import Param, ParamError, coerce


def _raw(name: str) -> str | None:
    values = st.query_params.get_all(name)
    return ",".join(values) if values else None


def read(spec: Sequence[Param]) -> tuple[dict[str, Any], list[str]]:
    """Values of `spec` present in the URL (validated) and a notice per rejected one."""
    values, notices = {}, []
    for p in spec:
        raw = _raw(p.name)
        if raw is None:
            continue
        try:
            values[p.name] = coerce(p, raw)
        except ParamError as err:
            notices.append(f"The link's value for {p.name} was ignored ({err}); "
                           "the default is used instead.")
    return values, notices


def encode(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return ",".join(encode(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def write(values: Mapping[str, Any], defaults: Mapping[str, Any] | None = None,
          extra: Mapping[str, str] | None = None) -> None:
    """Replace the URL's query with `values` (only those differing from `defaults`)."""
    defaults = defaults or {}
    query = {k: encode(v) for k, v in values.items() if k not in defaults or v != defaults[k]}
    query.update(extra or {})
    if dict(st.query_params.to_dict()) != query:
        st.query_params.from_dict(query)


def show_notices(notices: Sequence[str]) -> None:
    """Each notice as a warning, rendered as plain text (no Markdown, no HTML)."""
    for notice in notices:
        st.warning(literal(notice), icon=":material/link_off:")


def initial(key: str, spec: Sequence[Param]) -> tuple[dict[str, Any], list[str]]:
    """URL values read once per page load and kept, so widgets keep a stable default."""
    if key not in st.session_state:
        st.session_state[key] = read(spec)
    return st.session_state[key]


def choice(key: str, options: Sequence, default):
    """A widget's start value from the URL (?key=...) when it names one of `options`;
    otherwise the default, with a notice if the link asked for something unavailable."""
    raw = st.query_params.get(key)
    if raw is None:
        return default
    for option in options:
        if encode(option) == raw:
            return option
    show_notices([f"The link's {key}={raw!r} is not available here; "
                  f"showing {encode(default)!r}."])
    return default


def choices(key: str, options: Sequence, default: Sequence) -> list:
    """`choice` for multiselects: a comma-separated list, unknown entries dropped."""
    raw = st.query_params.get(key)
    if raw is None:
        return list(default)
    by_text = {encode(o): o for o in options}
    picked = [by_text[t] for t in raw.split(",") if t in by_text]
    return picked or list(default)


def remember(**values: Any) -> None:
    """Put a view's control values into the URL, keeping whatever else is there."""
    for key, value in values.items():
        text = encode(value)
        if st.query_params.get(key) != text:
            st.query_params[key] = text
